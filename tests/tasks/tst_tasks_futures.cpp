// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_tasks_futures — Future<T> seen from coroutines (CPython's test_futures.py),
// and gather() and shield() (the GatherTests and shield cases of test_tasks.py).
#include "tasks_util.h"

#include <qaio/qaio.h>

#include <QtTest/QtTest>

#include <memory>
#include <set>
#include <stdexcept>
#include <tuple>
#include <variant>
#include <vector>

using namespace qaio;
using tt::ErrorLog;
using tt::MyExc;

namespace {

using Log = QStringList;

Coro<int> awaitFuture(Future<int> f)
{
    co_return co_await f;
}

Coro<int> sleepThen(double delay, int value)
{
    co_await qaio::sleep(delay);
    co_return value;
}

Coro<int> failAfter(double delay, const char *what)
{
    co_await qaio::sleep(delay);
    throw MyExc(what);
}

Coro<QString> word(QString w)
{
    co_await qaio::sleep(0);
    co_return w;
}

// Awaits a future from a coroutine that is not part of any qaio task.
tt::Foreign foreignAwait(Future<int> f, int *out, bool *done)
{
    *out = co_await f;
    *done = true;
}

} // namespace

class TestTasksFutures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // test_futures.py
    void initialState();
    void cancel();
    void result();
    void exception();
    void exceptionKeepsType();
    void setExceptionNullThrows();
    void setResultUnlessCancelled();
    void awaitTwice();
    void copiesShareState();
    void cancelMessageGetter();
    void cancelMessageReachesAwaitingTask();
    void cancelledFutureCancelsAwaitingTask();
    void awaitFutureException();
    void awaitMoveOnlyFuture();
    void awaitVoidFuture();
    void awaitFromForeignCoroutine();
    void callbacksInvokedOnSetResult();
    void callbacksInvokedOnSetException();
    void callbacksInvokedOnCancel();
    void callbackAddedAfterDone();
    void callbackAddedDuringCallbacks();
    void removeDoneCallback();
    void removeDoneCallbackAfterScheduled();
    void removeCallbackDuringCallbacks();
    void tbLoggerExceptionUnretrieved();
    void tbLoggerExceptionRetrieved();
    void tbLoggerExceptionResultRetrieved();
    void tbLoggerResultUnretrieved();
    void tbLoggerAbandoned();
    void tbLoggerNotCalledAfterCancel();
    // gather
    void gatherEmptyRange();
    void gatherEmptyRangeNeedsRunningLoop();
    void gatherResultsInOrder();
    void gatherOneException();
    void gatherReturnExceptions();
    void gatherReturnExceptionsCancelledChild();
    void gatherOneCancellation();
    void gatherHeterogeneous();
    void gatherCoroutinesRunConcurrently();
    void gatherRangeOfCoroutines();
    void gatherRangeReturnExceptions();
    void gatherSameFutureTwice();
    void gatherOfDoneFutures();
    void gatherExceptionMarking();
    void cancelGatherCancelsChildren();
    void cancelDuringGather();
    void cancellationBroadcast();
    void cancelGatherWithMessage();
    void cancelGatherAfterChildrenDone();
    void gatherCancelChildThatIgnores();
    // shield
    void shieldResult();
    void shieldException();
    void shieldCancelInner();
    void shieldCancelOuter();
    void shieldCancelOuterResult();
    void shieldCancelOuterException();
    void shieldDuplicateLogOnce();
    void shieldShortcut();
    void shieldOfCancelledOuterTask();
    void shieldCoroutine();
    void shieldGather();
    void gatherShield();
};

// ---------------------------------------------------------------- test_futures

void TestTasksFutures::initialState()
{
    Loop loop;
    Future<int> f(loop);
    QVERIFY(!f.cancelled());
    QVERIFY(!f.done());
    QVERIFY_THROWS_EXCEPTION(InvalidStateError, (void)f.result());
    QVERIFY_THROWS_EXCEPTION(InvalidStateError, (void)f.exception());
    f.cancel();
    QVERIFY(f.cancelled());
}

void TestTasksFutures::cancel()
{
    Loop loop;
    Future<int> f(loop);
    QVERIFY(f.cancel());
    QVERIFY(f.cancelled());
    QVERIFY(f.done());
    QVERIFY_THROWS_EXCEPTION(CancelledError, (void)f.result());
    QVERIFY_THROWS_EXCEPTION(CancelledError, (void)f.exception());
    QVERIFY_THROWS_EXCEPTION(InvalidStateError, f.setResult(1));
    QVERIFY_THROWS_EXCEPTION(InvalidStateError, f.setException(MyExc()));
    QVERIFY(!f.cancel());
}

void TestTasksFutures::result()
{
    Loop loop;
    Future<int> f(loop);
    f.setResult(42);
    QVERIFY(!f.cancelled());
    QVERIFY(f.done());
    QCOMPARE(f.result(), 42);
    QVERIFY(!f.exception());
    QVERIFY_THROWS_EXCEPTION(InvalidStateError, f.setResult(1));
    QVERIFY_THROWS_EXCEPTION(InvalidStateError, f.setException(MyExc()));
    QVERIFY(!f.cancel());
}

void TestTasksFutures::exception()
{
    Loop loop;
    Future<int> f(loop);
    f.setException(std::runtime_error("bad"));
    QVERIFY(!f.cancelled());
    QVERIFY(f.done());
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, (void)f.result());
    QVERIFY(tt::holds<std::runtime_error>(f.exception()));
    QCOMPARE(tt::whatOf(f.exception()), QStringLiteral("bad"));
    QVERIFY_THROWS_EXCEPTION(InvalidStateError, f.setResult(1));
    QVERIFY_THROWS_EXCEPTION(InvalidStateError, f.setException(MyExc()));
    QVERIFY(!f.cancel());
}

void TestTasksFutures::exceptionKeepsType()
{
    Loop loop;
    Future<int> f(loop);
    f.setException(std::make_exception_ptr(MyExc("typed")));
    QVERIFY_THROWS_EXCEPTION(MyExc, (void)f.result());
    QVERIFY(tt::holds<MyExc>(f.exception()));
}

void TestTasksFutures::setExceptionNullThrows()
{
    Loop loop;
    Future<int> f(loop);
    QVERIFY_THROWS_EXCEPTION(TypeError, f.setException(std::exception_ptr()));
    QVERIFY(!f.done());
}

void TestTasksFutures::setResultUnlessCancelled()
{
    Loop loop;
    Future<int> f(loop);
    f.cancel();
    if (!f.cancelled())
        f.setResult(2);
    QVERIFY(f.cancelled());
    QVERIFY_THROWS_EXCEPTION(InvalidStateError, f.setResult(2));
}

void TestTasksFutures::awaitTwice()
{
    Loop loop;
    Future<int> f(loop);
    Log log;
    auto body = [&]() -> Coro<int> {
        log << "A";
        const int x = co_await f;
        log << QStringLiteral("B%1").arg(x);
        const int y = co_await f;
        log << QStringLiteral("C%1").arg(y);
        co_return x + y;
    };
    Task<int> t = loop.createTask(body());
    tt::runBriefly(loop);
    QCOMPARE(log, (Log{"A"}));
    f.setResult(11);
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 22);
    QCOMPARE(log, (Log{"A", "B11", "C11"}));
}

void TestTasksFutures::copiesShareState()
{
    Loop loop;
    Future<int> f(loop);
    Future<int> g = f;
    FutureBase base = f;
    f.setResult(3);
    QVERIFY(g.done());
    QCOMPARE(g.result(), 3);
    QVERIFY(base.done());
    QVERIFY(base == g);
}

void TestTasksFutures::cancelMessageGetter()
{
    Loop loop;
    Future<int> f(loop);
    f.cancel(QStringLiteral("my message"));
    QCOMPARE(tt::cancelMessageOf(tt::errorOf([&] { (void)f.result(); })), QStringLiteral("my message"));
    QCOMPARE(tt::cancelMessageOf(tt::errorOf([&] { (void)f.exception(); })), QStringLiteral("my message"));
}

void TestTasksFutures::cancelMessageReachesAwaitingTask()
{
    Loop loop;
    Future<int> f(loop);
    QString seen;
    auto body = [&]() -> Coro<int> {
        try {
            co_return co_await f;
        } catch (const CancelledError &e) {
            seen = e.message();
            throw;
        }
    };
    Task<int> t = loop.createTask(body());
    tt::runBriefly(loop);
    f.cancel(QStringLiteral("from the future"));
    auto error = tt::errorOf([&] { loop.runUntilComplete(Future<int>(t)); });
    QCOMPARE(seen, QStringLiteral("from the future"));
    QCOMPARE(tt::cancelMessageOf(error), QStringLiteral("from the future"));
    QVERIFY(t.cancelled());
    QCOMPARE(t.cancelling(), 0); // nobody called t.cancel()
}

void TestTasksFutures::cancelledFutureCancelsAwaitingTask()
{
    Loop loop;
    Future<int> f(loop);
    f.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(awaitFuture(f)));
}

void TestTasksFutures::awaitFutureException()
{
    Loop loop;
    Future<int> f(loop);
    QString caught;
    auto body = [&]() -> Coro<void> {
        try {
            co_await f;
        } catch (const MyExc &e) {
            caught = QString::fromUtf8(e.what());
        }
    };
    Task<void> t = loop.createTask(body());
    tt::runBriefly(loop);
    f.setException(MyExc("inner"));
    loop.runUntilComplete(Future<void>(t));
    QCOMPARE(caught, QStringLiteral("inner"));
}

void TestTasksFutures::awaitMoveOnlyFuture()
{
    Loop loop;
    Future<std::unique_ptr<int>> f(loop);
    auto body = [&]() -> Coro<int> {
        std::unique_ptr<int> p = co_await f;
        co_return *p;
    };
    Task<int> t = loop.createTask(body());
    loop.callSoon([&] { f.setResult(std::make_unique<int>(77)); });
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 77);
}

void TestTasksFutures::awaitVoidFuture()
{
    Loop loop;
    Future<void> f(loop);
    bool after = false;
    auto body = [&]() -> Coro<void> {
        co_await f;
        after = true;
    };
    Task<void> t = loop.createTask(body());
    tt::runBriefly(loop);
    QVERIFY(!after);
    f.setResult();
    loop.runUntilComplete(Future<void>(t));
    QVERIFY(after);
}

void TestTasksFutures::awaitFromForeignCoroutine()
{
    Loop loop;
    Future<int> f(loop);
    int out = 0;
    bool done = false;
    foreignAwait(f, &out, &done);
    QVERIFY(!done);
    f.setResult(5);
    QVERIFY(!done); // resumed from a done-callback, never synchronously
    QVERIFY(tt::runUntil(loop, [&] { return done; }));
    QCOMPARE(out, 5);
}

void TestTasksFutures::callbacksInvokedOnSetResult()
{
    Loop loop;
    Future<int> f(loop);
    Log log;
    f.addDoneCallback([&](const Future<int> &g) { log << QStringLiteral("a%1").arg(g.result()); });
    f.addDoneCallback([&](const FutureBase &) { log << "b"; });
    QVERIFY(log.isEmpty());
    f.setResult(10);
    QVERIFY(log.isEmpty()); // scheduled with callSoon, not called
    tt::runBriefly(loop);
    QCOMPARE(log, (Log{"a10", "b"}));
}

void TestTasksFutures::callbacksInvokedOnSetException()
{
    Loop loop;
    Future<int> f(loop);
    std::exception_ptr seen;
    f.addDoneCallback([&](const FutureBase &g) { seen = g.exception(); });
    f.setException(MyExc("cb"));
    QVERIFY(!seen);
    tt::runBriefly(loop);
    QVERIFY(tt::holds<MyExc>(seen));
}

void TestTasksFutures::callbacksInvokedOnCancel()
{
    Loop loop;
    Future<int> f(loop);
    bool cancelledSeen = false;
    f.addDoneCallback([&](const FutureBase &g) { cancelledSeen = g.cancelled(); });
    f.cancel();
    tt::runBriefly(loop);
    QVERIFY(cancelledSeen);
}

void TestTasksFutures::callbackAddedAfterDone()
{
    Loop loop;
    Future<int> f(loop);
    f.setResult(1);
    Log log;
    loop.callSoon([&] { log << "first"; });
    f.addDoneCallback([&](const FutureBase &) { log << "late"; });
    QVERIFY(log.isEmpty());
    tt::runBriefly(loop);
    QCOMPARE(log, (Log{"first", "late"}));
}

void TestTasksFutures::callbackAddedDuringCallbacks()
{
    // test_schedule_callbacks_list_mutation: a callback that adds another
    // callback to the (done) future: the new one is scheduled, not lost.
    Loop loop;
    Future<int> f(loop);
    Log log;
    f.addDoneCallback([&](const FutureBase &) {
        log << "first";
        f.addDoneCallback([&](const FutureBase &) { log << "added"; });
    });
    f.addDoneCallback([&](const FutureBase &) { log << "second"; });
    f.setResult(1);
    QVERIFY(tt::runUntil(loop, [&] { return log.size() == 3; }));
    QCOMPARE(log, (Log{"first", "second", "added"}));
}

void TestTasksFutures::removeDoneCallback()
{
    Loop loop;
    Future<int> f(loop);
    Log log;
    const quint64 a = f.addDoneCallback([&](const FutureBase &) { log << "a"; });
    f.addDoneCallback([&](const FutureBase &) { log << "b"; });
    const quint64 c = f.addDoneCallback([&](const FutureBase &) { log << "c"; });
    QCOMPARE(f.removeDoneCallback(a), 1);
    QCOMPARE(f.removeDoneCallback(a), 0);
    QCOMPARE(f.removeDoneCallback(c), 1);
    f.setResult(1);
    tt::runBriefly(loop);
    QCOMPARE(log, (Log{"b"}));
}

void TestTasksFutures::removeDoneCallbackAfterScheduled()
{
    // Once scheduled, a callback is out of the future's list: removing it
    // finds nothing and it still runs (as asyncio).
    Loop loop;
    Future<int> f(loop);
    Log log;
    const quint64 a = f.addDoneCallback([&](const FutureBase &) { log << "a"; });
    f.setResult(1);
    QCOMPARE(f.removeDoneCallback(a), 0);
    tt::runBriefly(loop);
    QCOMPARE(log, (Log{"a"}));
}

void TestTasksFutures::removeCallbackDuringCallbacks()
{
    // python/cpython#97592: a callback removing another one of the same
    // (done) future while the callbacks run changes nothing.
    Loop loop;
    Future<int> f(loop);
    int idCalls = 0;
    bool strCalled = false;
    for (int i = 0; i < 63; ++i)
        f.addDoneCallback([&](const FutureBase &) { ++idCalls; });
    const quint64 str = f.addDoneCallback([&](const FutureBase &) { strCalled = true; });
    qsizetype removed = -1;
    f.addDoneCallback([&](const FutureBase &) { removed = f.removeDoneCallback(str); });
    f.setResult(1);
    tt::runBriefly(loop);
    QCOMPARE(idCalls, 63);
    QVERIFY(strCalled);
    QCOMPARE(removed, qsizetype(0));
}

void TestTasksFutures::tbLoggerExceptionUnretrieved()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<int> f(loop);
        f.setException(MyExc("boom"));
    }
    QCOMPARE(errors.count(QStringLiteral("Future exception was never retrieved")), 1);
    QVERIFY(tt::holds<MyExc>(errors.entries.constFirst().exception));
}

void TestTasksFutures::tbLoggerExceptionRetrieved()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<int> f(loop);
        f.setException(MyExc("boom"));
        (void)f.exception();
    }
    QCOMPARE(errors.entries.size(), 0);
}

void TestTasksFutures::tbLoggerExceptionResultRetrieved()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<int> f(loop);
        f.setException(MyExc("boom"));
        QVERIFY_THROWS_EXCEPTION(MyExc, (void)f.result());
    }
    {
        // Awaiting it in a task retrieves it too.
        Future<int> f(loop);
        f.setException(MyExc("boom"));
        QVERIFY_THROWS_EXCEPTION(MyExc, loop.runUntilComplete(awaitFuture(f)));
    }
    QCOMPARE(errors.entries.size(), 0);
}

void TestTasksFutures::tbLoggerResultUnretrieved()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<int> f(loop);
        f.setResult(42);
    }
    QCOMPARE(errors.entries.size(), 0);
}

void TestTasksFutures::tbLoggerAbandoned()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<int> f(loop);
    }
    QCOMPARE(errors.entries.size(), 0);
}

void TestTasksFutures::tbLoggerNotCalledAfterCancel()
{
    // asyncio's Future.cancel() marks the exception as seen even when the
    // future is already done.
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<int> f(loop);
        f.setException(MyExc("boom"));
        QVERIFY(!f.cancel());
    }
    QCOMPARE(errors.entries.size(), 0);
}

// ---------------------------------------------------------------- gather

void TestTasksFutures::gatherEmptyRange()
{
    Loop loop;
    bool doneAtOnce = false;
    std::size_t size = 99;
    auto body = [&]() -> Coro<void> {
        std::vector<Future<int>> none;
        Future<std::vector<int>> g = qaio::gather(none);
        doneAtOnce = g.done();
        size = (co_await g).size();
    };
    loop.runUntilComplete(body());
    QVERIFY(doneAtOnce);
    QCOMPARE(size, std::size_t(0));
}

void TestTasksFutures::gatherEmptyRangeNeedsRunningLoop()
{
    Loop loop;
    std::vector<Future<int>> none;
    QVERIFY_THROWS_EXCEPTION(RuntimeError, qaio::gather(none));
}

void TestTasksFutures::gatherResultsInOrder()
{
    Loop loop;
    Future<int> a(loop), b(loop), c(loop);
    auto g = qaio::gather(a, b, c);
    int callbacks = 0;
    g.addDoneCallback([&](const FutureBase &) { ++callbacks; });
    tt::runBriefly(loop);
    QVERIFY(!g.done());
    c.setResult(3);
    a.setResult(1);
    tt::runBriefly(loop);
    QVERIFY(!g.done());
    b.setResult(2);
    tt::runBriefly(loop);
    QVERIFY(g.done());
    QCOMPARE(g.result(), std::make_tuple(1, 2, 3));
    tt::runBriefly(loop);
    QCOMPARE(callbacks, 1);
}

void TestTasksFutures::gatherOneException()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    std::vector<Future<int>> fs;
    for (int i = 0; i < 5; ++i)
        fs.emplace_back(loop);
    auto g = qaio::gather(fs);
    fs[0].setResult(1);
    fs[1].setException(MyExc("second"));
    tt::runBriefly(loop);
    QVERIFY(g.done());
    QVERIFY(tt::holds<MyExc>(g.exception()));
    QCOMPARE(tt::whatOf(g.exception()), QStringLiteral("second"));
    // The other children go on: gather does not cancel them.
    QVERIFY(!fs[2].done() && !fs[3].done() && !fs[4].done());
    fs[2].setResult(3);
    fs[3].cancel();
    fs[4].setException(MyExc("late"));
    tt::runBriefly(loop);
    fs.clear();
    // The late exception was marked retrieved by the gather.
    QCOMPARE(errors.entries.size(), 0);
}

void TestTasksFutures::gatherReturnExceptions()
{
    Loop loop;
    std::vector<Future<int>> fs;
    for (int i = 0; i < 4; ++i)
        fs.emplace_back(loop);
    auto g = qaio::gather(returnExceptions, fs);
    fs[1].setResult(1);
    fs[2].setException(MyExc("zero"));
    fs[0].setResult(3);
    tt::runBriefly(loop);
    QVERIFY(!g.done());
    fs[3].setException(std::runtime_error("rt"));
    std::vector<Outcome<int>> r = loop.runUntilComplete(g);
    QCOMPARE(r.size(), std::size_t(4));
    QVERIFY(r[0].hasValue() && r[0].value() == 3);
    QVERIFY(r[1].hasValue() && r[1].value() == 1);
    QVERIFY(!r[2].hasValue() && tt::holds<MyExc>(r[2].exception()));
    QVERIFY(!r[3].hasValue() && tt::holds<std::runtime_error>(r[3].exception()));
    QVERIFY_THROWS_EXCEPTION(MyExc, (void)r[2].value());
}

void TestTasksFutures::gatherReturnExceptionsCancelledChild()
{
    Loop loop;
    std::tuple<Outcome<int>, Outcome<void>, Outcome<QString>> r{Outcome<int>(nullptr), Outcome<void>(),
                                                                Outcome<QString>(nullptr)};
    auto body = [&]() -> Coro<void> {
        Task<void> victim = createTask([]() -> Coro<void> { co_await qaio::sleep(10); }());
        Future<int> fine(getRunningLoop());
        fine.setResult(1);
        auto g = qaio::gather(returnExceptions, fine, victim, word(QStringLiteral("w")));
        co_await qaio::sleep(0);
        victim.cancel(QStringLiteral("victim"));
        r = co_await g;
    };
    loop.runUntilComplete(body());
    QCOMPARE(std::get<0>(r).value(), 1);
    QVERIFY(!std::get<1>(r).hasValue());
    QVERIFY(tt::holds<CancelledError>(std::get<1>(r).exception()));
    QCOMPARE(tt::cancelMessageOf(std::get<1>(r).exception()), QStringLiteral("victim"));
    QCOMPARE(std::get<2>(r).value(), QStringLiteral("w"));
}

void TestTasksFutures::gatherOneCancellation()
{
    Loop loop;
    std::vector<Future<int>> fs;
    for (int i = 0; i < 5; ++i)
        fs.emplace_back(loop);
    auto g = qaio::gather(fs);
    int callbacks = 0;
    g.addDoneCallback([&](const FutureBase &) { ++callbacks; });
    fs[0].setResult(1);
    fs[1].cancel();
    tt::runBriefly(loop);
    QVERIFY(g.done());
    QCOMPARE(callbacks, 1);
    QVERIFY(!g.cancelled()); // the gather failed with CancelledError, it was not cancelled
    QVERIFY(tt::holds<CancelledError>(g.exception()));
    // Does nothing:
    fs[2].setResult(3);
    fs[3].cancel();
    fs[4].setException(MyExc());
    (void)fs[4].exception();
    tt::runBriefly(loop);
    QCOMPARE(callbacks, 1);
}

void TestTasksFutures::gatherHeterogeneous()
{
    Loop loop;
    auto body = [&]() -> Coro<std::tuple<int, QString, std::monostate>> {
        Future<int> f(getRunningLoop());
        getRunningLoop().callSoon([f]() mutable { f.setResult(4); });
        Task<QString> t = createTask(word(QStringLiteral("x")));
        co_return co_await qaio::gather(f, t, qaio::sleep(0.001));
    };
    auto [i, s, v] = loop.runUntilComplete(body());
    QCOMPARE(i, 4);
    QCOMPARE(s, QStringLiteral("x"));
    QVERIFY(v == std::monostate{});
}

void TestTasksFutures::gatherCoroutinesRunConcurrently()
{
    Loop loop;
    auto body = [&]() -> Coro<double> {
        const double t0 = loop.time();
        auto [a, b, c] = co_await qaio::gather(sleepThen(0.1, 1), sleepThen(0.1, 2), sleepThen(0.1, 3));
        if (a + b + c != 6)
            co_return -1;
        co_return loop.time() - t0;
    };
    const double elapsed = loop.runUntilComplete(body());
    QVERIFY(elapsed >= 0.099);
    QVERIFY2(elapsed < 0.25, qPrintable(QString::number(elapsed))); // not 0.3: concurrent
}

void TestTasksFutures::gatherRangeOfCoroutines()
{
    Loop loop;
    Log started;
    auto child = [&](int i) -> Coro<int> {
        started << QString::number(i);
        co_await qaio::sleep(0.001 * (5 - i));
        co_return i * i;
    };
    auto body = [&]() -> Coro<std::vector<int>> {
        std::vector<Coro<int>> coros;
        for (int i = 0; i < 5; ++i)
            coros.push_back(child(i));
        co_return co_await qaio::gather(coros);
    };
    QCOMPARE(loop.runUntilComplete(body()), (std::vector<int>{0, 1, 4, 9, 16}));
    QCOMPARE(started, (Log{"0", "1", "2", "3", "4"})); // tasks created in order
}

void TestTasksFutures::gatherRangeReturnExceptions()
{
    Loop loop;
    auto body = [&]() -> Coro<std::vector<Outcome<int>>> {
        std::vector<Coro<int>> coros;
        coros.push_back(sleepThen(0.002, 1));
        coros.push_back(failAfter(0.001, "two"));
        coros.push_back(sleepThen(0, 3));
        co_return co_await qaio::gather(returnExceptions, coros);
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.size(), std::size_t(3));
    QCOMPARE(r[0].value(), 1);
    QCOMPARE(tt::whatOf(r[1].exception()), QStringLiteral("two"));
    QCOMPARE(r[2].value(), 3);
}

void TestTasksFutures::gatherSameFutureTwice()
{
    Loop loop;
    Future<int> f(loop);
    auto g = qaio::gather(f, f);
    f.setResult(5);
    QCOMPARE(loop.runUntilComplete(g), std::make_tuple(5, 5));
}

void TestTasksFutures::gatherOfDoneFutures()
{
    Loop loop;
    Future<int> a(loop), b(loop);
    a.setResult(1);
    b.setResult(2);
    auto g = qaio::gather(std::vector<Future<int>>{a, b});
    QVERIFY(!g.done()); // completes through the children's callbacks
    QCOMPARE(loop.runUntilComplete(g), (std::vector<int>{1, 2}));
}

void TestTasksFutures::gatherExceptionMarking()
{
    // test_exception_marking: the second child's error is marked retrieved.
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<void> a(loop), b(loop);
        auto inner = [](Future<void> f) -> Coro<void> {
            co_await f;
            throw std::runtime_error("should not be ignored");
        };
        auto outer = [&]() -> Coro<void> { co_await qaio::gather(inner(a), inner(b)); };
        Task<void> f = loop.createTask(outer());
        tt::runBriefly(loop);
        a.setResult();
        tt::runBriefly(loop);
        b.setResult();
        tt::runBriefly(loop);
        QVERIFY(tt::runUntil(loop, [&] { return f.done(); }));
        QVERIFY(tt::holds<std::runtime_error>(f.exception()));
        tt::runBriefly(loop);
    }
    QCOMPARE(errors.entries.size(), 0);
}

void TestTasksFutures::cancelGatherCancelsChildren()
{
    Loop loop;
    Future<int> a(loop), b(loop);
    a.setResult(1);
    auto g = qaio::gather(a, b);
    tt::runBriefly(loop);
    QVERIFY(g.cancel(QStringLiteral("stop")));
    QVERIFY(b.cancelled());
    QVERIFY(!a.cancelled());
    auto error = tt::errorOf([&] { loop.runUntilComplete(g); });
    QCOMPARE(tt::cancelMessageOf(error), QStringLiteral("stop"));
    QVERIFY(!g.cancel());
}

void TestTasksFutures::cancelDuringGather()
{
    // The task awaiting gather() is cancelled: its children are cancelled
    // and the gather raises CancelledError in it.
    Loop loop;
    int childCancels = 0;
    bool gatherRaisedCancel = false;
    Task<int> c1, c2;
    auto child = [&]() -> Coro<int> {
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
            ++childCancels;
            throw;
        }
        co_return 1;
    };
    auto parent = [&]() -> Coro<void> {
        c1 = createTask(child());
        c2 = createTask(child());
        try {
            co_await qaio::gather(c1, c2);
        } catch (const CancelledError &) {
            gatherRaisedCancel = true;
            throw;
        }
    };
    Task<void> p = loop.createTask(parent());
    tt::runBriefly(loop);
    QVERIFY(p.cancel());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(p)));
    QVERIFY(gatherRaisedCancel);
    QCOMPARE(childCancels, 2);
    QVERIFY(c1.cancelled());
    QVERIFY(c2.cancelled());
    QVERIFY(p.cancelled());
}

void TestTasksFutures::cancellationBroadcast()
{
    Loop loop;
    int proof = 0;
    Future<void> waiter(loop);
    auto inner = [&]() -> Coro<void> {
        co_await waiter;
        proof += 1;
    };
    Task<void> child1 = loop.createTask(inner());
    Task<void> child2 = loop.createTask(inner());
    Future<std::tuple<std::monostate, std::monostate>> gatherer;
    auto outer = [&]() -> Coro<void> {
        gatherer = qaio::gather(child1, child2);
        co_await gatherer;
        proof += 100;
    };
    Task<void> f = loop.createTask(outer());
    tt::runBriefly(loop);
    QVERIFY(f.cancel());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(f)));
    QVERIFY(!gatherer.cancel());
    QVERIFY(waiter.cancelled());
    QVERIFY(child1.cancelled());
    QVERIFY(child2.cancelled());
    tt::runBriefly(loop);
    QCOMPARE(proof, 0);
}

void TestTasksFutures::cancelGatherWithMessage()
{
    // test_cancel_gather_2: a task looping over gather(returnExceptions) is
    // cancelled with a message; the message reaches whoever awaits it.
    Loop loop;
    auto test = []() -> Coro<void> {
        double time = 0;
        while (true) {
            time += 0.005;
            co_await qaio::gather(returnExceptions, qaio::sleep(0.005));
            if (time > 1)
                co_return;
        }
    };
    auto main = [&]() -> Coro<void> {
        Task<void> qwe = createTask(test());
        co_await qaio::sleep(0.02);
        qwe.cancel(QStringLiteral("my message"));
        co_await qwe;
    };
    auto error = tt::errorOf([&] { loop.runUntilComplete(main()); });
    QVERIFY(tt::holds<CancelledError>(error));
    QCOMPARE(tt::cancelMessageOf(error), QStringLiteral("my message"));
}

void TestTasksFutures::cancelGatherAfterChildrenDone()
{
    // test_cancel_gather_1: once every child is done the gather refuses cancel().
    Loop loop;
    Future<int> fut(loop);
    auto childCoro = [&]() -> Coro<int> { co_return co_await fut; };
    std::optional<Future<std::vector<int>>> gatherFuture;
    auto create = [&]() -> Coro<void> {
        std::vector<Coro<int>> coros;
        coros.push_back(childCoro());
        gatherFuture = qaio::gather(coros);
        co_return;
    };
    loop.runUntilComplete(create());
    std::optional<bool> cancelResult;
    fut.addDoneCallback([&](const FutureBase &) { cancelResult = gatherFuture->cancel(); });
    fut.setResult(42);
    QCOMPARE(loop.runUntilComplete(*gatherFuture), (std::vector<int>{42}));
    QVERIFY(cancelResult.has_value());
    QCOMPARE(*cancelResult, false);
    QVERIFY(!gatherFuture->cancelled());
}

void TestTasksFutures::gatherCancelChildThatIgnores()
{
    // A child that swallows the cancellation: cancel() reported true, but the
    // gather still ends with CancelledError once the children are done.
    Loop loop;
    auto stubborn = []() -> Coro<int> {
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
        }
        co_return 5;
    };
    std::optional<Future<std::tuple<int, int>>> g;
    auto body = [&]() -> Coro<void> {
        g = qaio::gather(stubborn(), sleepThen(10, 1));
        co_await qaio::sleep(0);
        g->cancel();
    };
    loop.runUntilComplete(body());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(*g));
}

// ---------------------------------------------------------------- shield

void TestTasksFutures::shieldResult()
{
    Loop loop;
    Future<int> inner(loop);
    Future<int> outer = qaio::shield(inner);
    tt::runBriefly(loop);
    inner.setResult(42);
    QCOMPARE(loop.runUntilComplete(outer), 42);
}

void TestTasksFutures::shieldException()
{
    Loop loop;
    Future<int> inner(loop);
    Future<int> outer = qaio::shield(inner);
    tt::runBriefly(loop);
    inner.setException(MyExc("shielded"));
    tt::runBriefly(loop);
    QVERIFY(tt::holds<MyExc>(outer.exception()));
    QCOMPARE(tt::whatOf(outer.exception()), QStringLiteral("shielded"));
}

void TestTasksFutures::shieldCancelInner()
{
    Loop loop;
    Future<int> inner(loop);
    Future<int> outer = qaio::shield(inner);
    tt::runBriefly(loop);
    inner.cancel();
    tt::runBriefly(loop);
    QVERIFY(outer.cancelled());
}

void TestTasksFutures::shieldCancelOuter()
{
    Loop loop;
    Future<int> inner(loop);
    Future<int> outer = qaio::shield(inner);
    tt::runBriefly(loop);
    outer.cancel();
    tt::runBriefly(loop);
    QVERIFY(outer.cancelled());
    QVERIFY(!inner.cancelled());
    inner.setResult(1);
    tt::runBriefly(loop);
    QCOMPARE(inner.result(), 1);
}

void TestTasksFutures::shieldCancelOuterResult()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<int> inner(loop);
        Future<int> outer = qaio::shield(inner);
        tt::runBriefly(loop);
        outer.cancel();
        tt::runBriefly(loop);
        inner.setResult(1);
        tt::runBriefly(loop);
    }
    QCOMPARE(errors.entries.size(), 0);
}

void TestTasksFutures::shieldCancelOuterException()
{
    // Nobody is left to look at the inner exception: it is reported once.
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<int> inner(loop);
        Future<int> outer = qaio::shield(inner);
        tt::runBriefly(loop);
        outer.cancel();
        tt::runBriefly(loop);
        inner.setException(MyExc("nobody listens"));
        tt::runBriefly(loop);
    }
    QCOMPARE(errors.entries.size(), 1);
    QCOMPARE(errors.count(QStringLiteral("exception was never retrieved")), 1);
    QVERIFY(tt::holds<MyExc>(errors.entries.constFirst().exception));
}

void TestTasksFutures::shieldDuplicateLogOnce()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Future<int> inner(loop);
        Future<int> outer = qaio::shield(inner);
        tt::runBriefly(loop);
        outer.cancel();
        tt::runBriefly(loop);
        outer = qaio::shield(inner);
        tt::runBriefly(loop);
        outer.cancel();
        tt::runBriefly(loop);
        inner.setException(MyExc("bar"));
        tt::runBriefly(loop);
    }
    QCOMPARE(errors.entries.size(), 1);
}

void TestTasksFutures::shieldShortcut()
{
    Loop loop;
    Future<int> fut(loop);
    fut.setResult(42);
    Future<int> res = qaio::shield(fut);
    QVERIFY(res == fut);
    QCOMPARE(res.result(), 42);
}

void TestTasksFutures::shieldOfCancelledOuterTask()
{
    // test_shield_effect: cancelling the task that awaits shield() cancels
    // that task; the shielded task keeps running and completes.
    Loop loop;
    Log log;
    Task<int> innerTask;
    auto innerBody = [&]() -> Coro<int> {
        co_await qaio::sleep(0.01);
        log << "inner done";
        co_return 7;
    };
    auto outerBody = [&]() -> Coro<int> {
        innerTask = createTask(innerBody());
        try {
            co_return co_await qaio::shield(innerTask);
        } catch (const CancelledError &) {
            log << "outer cancelled";
            throw;
        }
    };
    Task<int> outer = loop.createTask(outerBody());
    tt::runBriefly(loop);
    QVERIFY(outer.cancel());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(outer)));
    QVERIFY(outer.cancelled());
    QVERIFY(!innerTask.done());
    QCOMPARE(loop.runUntilComplete(Future<int>(innerTask)), 7);
    QVERIFY(!innerTask.cancelled());
    QCOMPARE(log, (Log{"outer cancelled", "inner done"}));
}

void TestTasksFutures::shieldCoroutine()
{
    Loop loop;
    bool innerFinished = false;
    auto innerBody = [&]() -> Coro<int> {
        co_await qaio::sleep(0.005);
        innerFinished = true;
        co_return 3;
    };
    auto outerBody = [&]() -> Coro<int> { co_return co_await qaio::shield(innerBody()); };
    Task<int> outer = loop.createTask(outerBody());
    tt::runBriefly(loop);
    outer.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(outer)));
    QVERIFY(!innerFinished);
    QVERIFY(tt::runUntil(loop, [&] { return innerFinished; }));
    QVERIFY(allTasks(loop).isEmpty());
}

void TestTasksFutures::shieldGather()
{
    Loop loop;
    Future<int> child1(loop), child2(loop);
    auto parent = qaio::gather(std::vector<Future<int>>{child1, child2});
    auto outer = qaio::shield(parent);
    tt::runBriefly(loop);
    outer.cancel();
    tt::runBriefly(loop);
    QVERIFY(outer.cancelled());
    child1.setResult(1);
    child2.setResult(2);
    tt::runBriefly(loop);
    QCOMPARE(parent.result(), (std::vector<int>{1, 2}));
}

void TestTasksFutures::gatherShield()
{
    Loop loop;
    Future<int> child1(loop), child2(loop);
    Future<int> inner1 = qaio::shield(child1);
    Future<int> inner2 = qaio::shield(child2);
    auto parent = qaio::gather(inner1, inner2);
    tt::runBriefly(loop);
    parent.cancel();
    // This cancels inner1 and inner2 but not child1 and child2.
    tt::runBriefly(loop);
    QVERIFY(tt::holds<CancelledError>(parent.exception()));
    QVERIFY(inner1.cancelled());
    QVERIFY(inner2.cancelled());
    QVERIFY(!child1.cancelled());
    QVERIFY(!child2.cancelled());
    child1.setResult(1);
    child2.setResult(2);
    tt::runBriefly(loop);
}

QTEST_GUILESS_MAIN(TestTasksFutures)
#include "tst_tasks_futures.moc"
