// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_tasks_wait — wait(), asCompleted(), waitFor() and timeouts, ported from
// CPython's test_tasks.py (WaitTests, as_completed), test_waitfor.py and
// test_timeouts.py.
#include "tasks_util.h"

#include <qaio/qaio.h>

#include <QtCore/qthread.h>
#include <QtTest/QtTest>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

using namespace qaio;
using tt::ErrorLog;
using tt::MyExc;

namespace {

using Log = QStringList;

Coro<int> sleepThen(double delay, int value)
{
    co_await qaio::sleep(delay);
    co_return value;
}

Coro<QString> sleepWord(double delay, QString w)
{
    co_await qaio::sleep(delay);
    co_return w;
}

Coro<int> failAfter(double delay, const char *what)
{
    co_await qaio::sleep(delay);
    throw MyExc(what);
}

template<class F>
std::set<int> resultsOf(const std::vector<F> &fs)
{
    std::set<int> r;
    for (const F &f : fs)
        r.insert(f.result());
    return r;
}

// CPython's SlowTask: runs for `duration`, ignoring cancel requests.
struct SlowTask
{
    double duration = 0.05;
    bool exited = false;
    Coro<void> run()
    {
        Loop &loop = getRunningLoop();
        const double exitAt = loop.time() + duration;
        while (true) {
            const double toSleep = exitAt - loop.time();
            if (toSleep <= 0)
                break;
            try {
                co_await qaio::sleep(toSleep);
            } catch (const CancelledError &) {
            }
        }
        exited = true;
    }
};

// Python's `time.sleep`: blocks the loop.
void busySleep(double seconds)
{
    QThread::usleep(static_cast<unsigned long>(seconds * 1e6));
}

} // namespace

class TestTasksWait : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // wait()
    void waitAllCompleted();
    void waitFirstCompleted();
    void waitFirstException();
    void waitFirstExceptionNoException();
    void waitFirstExceptionAlreadyFailed();
    void waitFirstExceptionInWait();
    void waitWithException();
    void waitWithTimeout();
    void waitFirstCompletedWithTimeout();
    void waitFirstExceptionWithTimeout();
    void waitTimeoutZero();
    void waitReallyDone();
    void waitEmptyThrows();
    void waitDoesNotShieldCancel();
    void waitDoesNotCancelPendingOnTimeout();
    // asCompleted()
    void asCompletedAsyncForOrder();
    void asCompletedPlainOrder();
    void asCompletedWithTimeoutAsyncFor();
    void asCompletedWithTimeoutPlain();
    void asCompletedUnusedTimeout();
    void asCompletedReverseWait();
    void asCompletedConcurrent();
    void asCompletedDoneFutures();
    void asCompletedEmpty();
    void asCompletedExhaustedThrows();
    void asCompletedFailingFuture();
    // waitFor() (test_waitfor.py)
    void waitForCancelledSlowTask();
    void waitForTimeoutSlowTask();
    void waitForTimeoutZeroFutureDone();
    void waitForTimeoutZeroCoroutineNotStarted();
    void waitForTimeoutZeroOrNegative_data();
    void waitForTimeoutZeroOrNegative();
    void waitForTimesOut();
    void waitForNoTimeout();
    void waitForRaceCondition();
    void waitForCancellationRaceCondition();
    void waitForWaitsForTaskCancellation();
    void waitForWaitsForTaskCancellationTimeoutZero();
    void waitForReraisesExceptionDuringCancellation();
    void waitForSelfCancellation();
    void cancelBlockingWaitFor_data();
    void cancelBlockingWaitFor();
    void waitForCancelSuppressed();
    void waitForIssue86296();
    void waitForOnAlreadyDoneFuture();
    void waitForOnFailedFuture();
    // timeouts (test_timeouts.py)
    void timeoutBasic();
    void timeoutAtBasic();
    void nestedTimeoutsSameDeadline();
    void nestedTimeoutsInnerExpires();
    void nestedTimeoutsOuterExpires();
    void waiterCancelled();
    void timeoutNotCalled();
    void timeoutDisabled();
    void timeoutAtDisabled();
    void timeoutZero();
    void timeoutZeroSleepZero();
    void timeoutInThePastSleepZero();
    void foreignExceptionPassed();
    void foreignExceptionOnTimeout();
    void foreignCancelDoesntTimeoutIfNotExpired();
    void outerTaskIsNotCancelled();
    void nestedTimeoutsConcurrent();
    void nestedTimeoutsLoopBusy();
    void reschedule();
    void rescheduleEarlier();
    void rescheduleIntoThePast();
    void nestedTimeoutInFinally();
    void timeoutAfterCancellation();
    void cancelInTimeoutAfterCancellation();
    void timeoutAlreadyEntered();
    void timeoutDoubleEnter();
    void timeoutFinished();
    void timeoutNotEntered();
    void timeoutWithoutTask();
    void timeoutReturnsValue();
    void timeoutShorthand();
    void timeoutExpiresAsInnerCompletes();
    void timeoutExpiresAsInnerTaskCompletes();
    void timeoutInnerCompletesJustBefore();
    void timeoutNanThrows();
};

// ---------------------------------------------------------------- wait()

void TestTasksWait::waitAllCompleted()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Task<int> a = createTask(sleepThen(0.01, 1));
        Task<int> b = createTask(sleepThen(0.02, 2));
        auto r = co_await qaio::wait(tt::vecOf(b, a));
        if (r.done.size() != 2 || !r.pending.empty() || resultsOf(r.done) != std::set<int>{1, 2})
            throw std::logic_error("wrong split");
        // Waiting again returns at once.
        auto again = co_await qaio::wait(tt::vecOf(a, b));
        if (again.done.size() != 2)
            throw std::logic_error("wrong split again");
    };
    loop.runUntilComplete(body());
}

void TestTasksWait::waitFirstCompleted()
{
    Loop loop;
    auto body = [&]() -> Coro<DoneAndPending<Task<int>>> {
        Task<int> a = createTask(sleepThen(10, 1));
        Task<int> b = createTask(sleepThen(0.001, 2));
        auto r = co_await qaio::wait(tt::vecOf(a, b), {.returnWhen = ReturnWhen::FirstCompleted});
        a.cancel();
        co_return r;
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.done.size(), std::size_t(1));
    QCOMPARE(r.pending.size(), std::size_t(1));
    QCOMPARE(r.done[0].result(), 2);
    QVERIFY(tt::runUntil(loop, [&] { return r.pending[0].done(); }));
    QVERIFY(r.pending[0].cancelled());
}

void TestTasksWait::waitFirstException()
{
    Loop loop;
    auto body = [&]() -> Coro<DoneAndPending<Task<int>>> {
        Task<int> a = createTask(sleepThen(10, 1));
        Task<int> b = createTask(failAfter(0.001, "first"));
        auto r = co_await qaio::wait(tt::vecOf(a, b), {.returnWhen = ReturnWhen::FirstException});
        a.cancel();
        co_return r;
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.done.size(), std::size_t(1));
    QCOMPARE(r.pending.size(), std::size_t(1));
    QVERIFY(tt::holds<MyExc>(r.done[0].exception()));
}

void TestTasksWait::waitFirstExceptionNoException()
{
    // Without an exception FIRST_EXCEPTION waits for everything.
    Loop loop;
    auto body = [&]() -> Coro<DoneAndPending<Task<int>>> {
        Task<int> a = createTask(sleepThen(0.001, 1));
        Task<int> b = createTask(sleepThen(0.01, 2));
        co_return co_await qaio::wait(tt::vecOf(a, b), {.returnWhen = ReturnWhen::FirstException});
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.done.size(), std::size_t(2));
    QVERIFY(r.pending.empty());
}

void TestTasksWait::waitFirstExceptionAlreadyFailed()
{
    Loop loop;
    Future<int> failed(loop);
    failed.setException(MyExc("before"));
    Future<int> never(loop);
    auto body = [&]() -> Coro<DoneAndPending<Future<int>>> {
        co_return co_await qaio::wait(tt::vecOf(never, failed),
                                      {.returnWhen = ReturnWhen::FirstException});
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.done.size(), std::size_t(1));
    QVERIFY(r.done[0] == failed);
    QCOMPARE(r.pending.size(), std::size_t(1));
    QVERIFY(r.pending[0] == never);
}

void TestTasksWait::waitFirstExceptionInWait()
{
    // test_wait_first_exception_in_wait: the exception arrives while waiting.
    Loop loop;
    auto body = [&]() -> Coro<DoneAndPending<Task<int>>> {
        Task<int> a = createTask(sleepThen(10, 1));
        Task<int> b = createTask(sleepThen(0.001, 2));
        Task<int> c = createTask(failAfter(0.005, "in wait"));
        auto r = co_await qaio::wait(tt::vecOf(a, b, c), {.returnWhen = ReturnWhen::FirstException});
        a.cancel();
        co_return r;
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.done.size(), std::size_t(2));
    QCOMPARE(r.pending.size(), std::size_t(1));
}

void TestTasksWait::waitWithException()
{
    Loop loop;
    auto body = [&]() -> Coro<DoneAndPending<Task<int>>> {
        Task<int> a = createTask(sleepThen(0.01, 1));
        Task<int> b = createTask(failAfter(0.001, "x"));
        co_return co_await qaio::wait(tt::vecOf(a, b));
    };
    // wait() itself never raises the children's exceptions.
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.done.size(), std::size_t(2));
    int failures = 0;
    for (auto &t : r.done)
        failures += t.exception() ? 1 : 0;
    QCOMPARE(failures, 1);
}

void TestTasksWait::waitWithTimeout()
{
    Loop loop;
    auto body = [&]() -> Coro<DoneAndPending<Task<int>>> {
        Task<int> a = createTask(sleepThen(0.001, 1));
        Task<int> b = createTask(sleepThen(10, 2));
        co_return co_await qaio::wait(tt::vecOf(a, b), {.timeout = 0.02});
    };
    const double t0 = loop.time();
    auto r = loop.runUntilComplete(body());
    const double elapsed = loop.time() - t0;
    QVERIFY(elapsed >= 0.019);
    QVERIFY(elapsed < 1);
    QCOMPARE(r.done.size(), std::size_t(1));
    QCOMPARE(r.done[0].result(), 1);
    QCOMPARE(r.pending.size(), std::size_t(1));
    QVERIFY(!r.pending[0].done()); // no TimeoutError, nothing cancelled
    r.pending[0].cancel();
    QVERIFY(tt::runUntil(loop, [&] { return r.pending[0].done(); }));
}

void TestTasksWait::waitFirstCompletedWithTimeout()
{
    Loop loop;
    auto body = [&]() -> Coro<DoneAndPending<Task<int>>> {
        Task<int> a = createTask(sleepThen(10, 1));
        Task<int> b = createTask(sleepThen(10, 2));
        auto r = co_await qaio::wait(tt::vecOf(a, b),
                                     {.timeout = 0.01, .returnWhen = ReturnWhen::FirstCompleted});
        a.cancel();
        b.cancel();
        co_return r;
    };
    auto r = loop.runUntilComplete(body());
    QVERIFY(r.done.empty());
    QCOMPARE(r.pending.size(), std::size_t(2));
}

void TestTasksWait::waitFirstExceptionWithTimeout()
{
    Loop loop;
    auto body = [&]() -> Coro<DoneAndPending<Task<int>>> {
        Task<int> a = createTask(sleepThen(0.001, 1));
        Task<int> b = createTask(sleepThen(10, 2));
        auto r = co_await qaio::wait(tt::vecOf(a, b),
                                     {.timeout = 0.02, .returnWhen = ReturnWhen::FirstException});
        b.cancel();
        co_return r;
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.done.size(), std::size_t(1));
    QCOMPARE(r.pending.size(), std::size_t(1));
}

void TestTasksWait::waitTimeoutZero()
{
    Loop loop;
    Future<int> done(loop), pending(loop);
    done.setResult(1);
    auto body = [&]() -> Coro<DoneAndPending<Future<int>>> {
        co_return co_await qaio::wait(tt::vecOf(done, pending), {.timeout = 0});
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.done.size(), std::size_t(1));
    QVERIFY(r.done[0] == done);
    QCOMPARE(r.pending.size(), std::size_t(1));
}

void TestTasksWait::waitReallyDone()
{
    // Futures that are already done: wait() returns them all as done.
    Loop loop;
    Future<int> a(loop), b(loop);
    a.setResult(1);
    b.setException(MyExc());
    (void)b.exception();
    auto body = [&]() -> Coro<DoneAndPending<Future<int>>> {
        co_return co_await qaio::wait(tt::vecOf(a, b));
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.done.size(), std::size_t(2));
    QVERIFY(r.pending.empty());
}

void TestTasksWait::waitEmptyThrows()
{
    Loop loop;
    auto body = [&]() -> Coro<void> { co_await qaio::wait(std::vector<Future<int>>()); };
    QVERIFY_THROWS_EXCEPTION(ValueError, loop.runUntilComplete(body()));
}

void TestTasksWait::waitDoesNotShieldCancel()
{
    // test_yield_wait_does_not_shield_cancel
    Loop loop;
    int proof = 0;
    Future<void> waiter(loop);
    auto inner = [&]() -> Coro<void> {
        co_await waiter;
        proof += 1;
    };
    auto outer = [&]() -> Coro<void> {
        co_await qaio::wait(tt::vecOf(createTask(inner())));
        proof += 100;
    };
    Task<void> f = loop.createTask(outer());
    tt::runBriefly(loop);
    f.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(f)));
    waiter.setResult();
    QVERIFY(tt::runUntil(loop, [&] { return proof != 0; }));
    QCOMPARE(proof, 1);
}

void TestTasksWait::waitDoesNotCancelPendingOnTimeout()
{
    Loop loop;
    Future<int> slow(loop);
    auto body = [&]() -> Coro<std::size_t> {
        auto r = co_await qaio::wait(tt::vecOf(slow), {.timeout = 0.005});
        co_return r.pending.size();
    };
    QCOMPARE(loop.runUntilComplete(body()), std::size_t(1));
    QVERIFY(!slow.done());
    slow.setResult(3); // still usable
    QCOMPARE(slow.result(), 3);
}

// ---------------------------------------------------------------- asCompleted()

void TestTasksWait::asCompletedAsyncForOrder()
{
    Loop loop;
    auto body = [&]() -> Coro<QStringList> {
        std::vector<Task<QString>> ts{createTask(sleepWord(0.03, QStringLiteral("c"))),
                                      createTask(sleepWord(0.001, QStringLiteral("a"))),
                                      createTask(sleepWord(0.015, QStringLiteral("b")))};
        QStringList order;
        auto ac = qaio::asCompleted(ts);
        while (ac.hasNext()) {
            Task<QString> t = co_await ac.next();
            order << t.result(); // next() yields the original, done, task
        }
        co_return order;
    };
    QCOMPARE(loop.runUntilComplete(body()), (QStringList{"a", "b", "c"}));
}

void TestTasksWait::asCompletedPlainOrder()
{
    Loop loop;
    auto body = [&]() -> Coro<QStringList> {
        std::vector<Task<QString>> ts{createTask(sleepWord(0.03, QStringLiteral("c"))),
                                      createTask(sleepWord(0.001, QStringLiteral("a"))),
                                      createTask(sleepWord(0.015, QStringLiteral("b")))};
        QStringList order;
        for (Coro<QString> next : qaio::asCompleted(ts))
            order << co_await std::move(next);
        co_return order;
    };
    QCOMPARE(loop.runUntilComplete(body()), (QStringList{"a", "b", "c"}));
}

void TestTasksWait::asCompletedWithTimeoutAsyncFor()
{
    Loop loop;
    QStringList log;
    auto body = [&]() -> Coro<void> {
        Task<QString> a = createTask(sleepWord(0.001, QStringLiteral("a")));
        Task<QString> b = createTask(sleepWord(10, QStringLiteral("b")));
        auto ac = qaio::asCompleted(std::vector<Task<QString>>{a, b}, 0.2);
        while (ac.hasNext()) {
            try {
                Task<QString> t = co_await ac.next();
                log << t.result();
            } catch (const TimeoutError &) {
                log << "timeout";
            }
        }
        b.cancel();
    };
    loop.runUntilComplete(body());
    QCOMPARE(log, (QStringList{"a", "timeout"}));
}

void TestTasksWait::asCompletedWithTimeoutPlain()
{
    Loop loop;
    QStringList log;
    auto body = [&]() -> Coro<void> {
        Task<QString> a = createTask(sleepWord(0.001, QStringLiteral("a")));
        Task<QString> b = createTask(sleepWord(10, QStringLiteral("b")));
        Task<QString> c = createTask(sleepWord(10, QStringLiteral("c")));
        for (Coro<QString> next : qaio::asCompleted(std::vector<Task<QString>>{a, b, c}, 0.2)) {
            try {
                log << co_await std::move(next);
            } catch (const TimeoutError &) {
                log << "timeout";
            }
        }
        b.cancel();
        c.cancel();
    };
    const double t0 = loop.time();
    loop.runUntilComplete(body());
    QVERIFY(loop.time() - t0 < 1);
    QCOMPARE(log, (QStringList{"a", "timeout", "timeout"}));
}

void TestTasksWait::asCompletedUnusedTimeout()
{
    Loop loop;
    auto body = [&]() -> Coro<QStringList> {
        std::vector<Task<QString>> ts{createTask(sleepWord(0.001, QStringLiteral("a")))};
        QStringList order;
        for (Coro<QString> next : qaio::asCompleted(ts, 0.5))
            order << co_await std::move(next);
        co_return order;
    };
    const double t0 = loop.time();
    QCOMPARE(loop.runUntilComplete(body()), (QStringList{"a"}));
    QVERIFY(loop.time() - t0 < 0.4); // the timer does not hold the loop
}

void TestTasksWait::asCompletedReverseWait()
{
    Loop loop;
    auto body = [&]() -> Coro<QStringList> {
        std::vector<Task<QString>> ts{createTask(sleepWord(0.005, QStringLiteral("a"))),
                                      createTask(sleepWord(0.02, QStringLiteral("b")))};
        auto ac = qaio::asCompleted(ts);
        std::vector<Coro<QString>> futs;
        for (Coro<QString> next : ac)
            futs.push_back(std::move(next));
        QStringList got;
        got << QString::number(futs.size());
        got << co_await std::move(futs[1]); // the first to complete, whichever Coro asks
        got << co_await std::move(futs[0]);
        co_return got;
    };
    QCOMPARE(loop.runUntilComplete(body()), (QStringList{"2", "a", "b"}));
}

void TestTasksWait::asCompletedConcurrent()
{
    // test_as_completed_concurrent: the Coros of the plain form awaited from
    // concurrent tasks each get one result.
    Loop loop;
    auto body = [&]() -> Coro<std::set<QString>> {
        std::vector<Task<QString>> ts{createTask(sleepWord(0.01, QStringLiteral("a"))),
                                      createTask(sleepWord(0.01, QStringLiteral("b")))};
        std::vector<Task<QString>> consumers;
        for (Coro<QString> next : qaio::asCompleted(ts))
            consumers.push_back(createTask(std::move(next)));
        auto r = co_await qaio::wait(consumers, {.timeout = 2});
        std::set<QString> results;
        for (auto &t : r.done)
            results.insert(t.result());
        for (auto &t : r.pending)
            t.cancel();
        co_return results;
    };
    QCOMPARE(loop.runUntilComplete(body()), (std::set<QString>{QStringLiteral("a"), QStringLiteral("b")}));
}

void TestTasksWait::asCompletedDoneFutures()
{
    Loop loop;
    Future<int> a(loop), b(loop);
    b.setResult(2);
    a.setResult(1);
    auto body = [&]() -> Coro<std::vector<int>> {
        std::vector<int> r;
        auto ac = qaio::asCompleted(std::vector<Future<int>>{a, b});
        while (ac.hasNext())
            r.push_back((co_await ac.next()).result());
        co_return r;
    };
    auto r = loop.runUntilComplete(body());
    QCOMPARE(r.size(), std::size_t(2));
    QCOMPARE(std::set<int>(r.begin(), r.end()), (std::set<int>{1, 2}));
}

void TestTasksWait::asCompletedEmpty()
{
    Loop loop;
    int iterations = -1;
    bool hasNext = true;
    auto body = [&]() -> Coro<void> {
        iterations = 0;
        auto ac = qaio::asCompleted(std::vector<Future<int>>{});
        hasNext = ac.hasNext();
        for (Coro<int> next : ac) {
            (void)next;
            ++iterations;
        }
        co_return;
    };
    loop.runUntilComplete(body());
    QCOMPARE(iterations, 0);
    QVERIFY(!hasNext);
}

void TestTasksWait::asCompletedExhaustedThrows()
{
    Loop loop;
    Future<int> a(loop);
    a.setResult(1);
    auto body = [&]() -> Coro<void> {
        auto ac = qaio::asCompleted(std::vector<Future<int>>{a});
        (void)co_await ac.next();
        (void)ac.next(); // nothing left
    };
    QVERIFY_THROWS_EXCEPTION(RuntimeError, loop.runUntilComplete(body()));
}

void TestTasksWait::asCompletedFailingFuture()
{
    Loop loop;
    QStringList log;
    auto body = [&]() -> Coro<void> {
        std::vector<Task<int>> ts{createTask(failAfter(0.001, "bad")), createTask(sleepThen(0.01, 2))};
        for (Coro<int> next : qaio::asCompleted(ts)) {
            try {
                log << QString::number(co_await std::move(next));
            } catch (const MyExc &e) {
                log << QString::fromUtf8(e.what());
            }
        }
    };
    loop.runUntilComplete(body());
    QCOMPARE(log, (QStringList{"bad", "2"}));
}

// ---------------------------------------------------------------- waitFor()

void TestTasksWait::waitForCancelledSlowTask()
{
    Loop loop;
    SlowTask t;
    auto main = [&]() -> Coro<void> {
        Task<void> waitForTask = createTask(waitFor(t.run(), t.duration * 2));
        co_await qaio::sleep(0);
        waitForTask.cancel();
        co_await qaio::wait(tt::vecOf(waitForTask));
    };
    loop.runUntilComplete(main());
    QVERIFY(t.exited);
}

void TestTasksWait::waitForTimeoutSlowTask()
{
    Loop loop;
    SlowTask t;
    auto main = [&]() -> Coro<void> {
        try {
            co_await waitFor(t.run(), t.duration / 2);
        } catch (const TimeoutError &) {
        }
    };
    loop.runUntilComplete(main());
    QVERIFY(t.exited);
}

void TestTasksWait::waitForTimeoutZeroFutureDone()
{
    Loop loop;
    Future<QString> fut(loop);
    fut.setResult(QStringLiteral("done"));
    auto main = [&]() -> Coro<QString> { co_return co_await waitFor(fut, 0); };
    const double t0 = loop.time();
    QCOMPARE(loop.runUntilComplete(main()), QStringLiteral("done"));
    QVERIFY(fut.done());
    QVERIFY(loop.time() - t0 < 0.1);
}

void TestTasksWait::waitForTimeoutZeroCoroutineNotStarted()
{
    Loop loop;
    bool fooStarted = false;
    auto foo = [&]() -> Coro<void> {
        fooStarted = true;
        co_return;
    };
    auto main = [&]() -> Coro<void> { co_await waitFor(foo(), 0); };
    const double t0 = loop.time();
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(!fooStarted);
    QVERIFY(loop.time() - t0 < 0.1);
}

void TestTasksWait::waitForTimeoutZeroOrNegative_data()
{
    QTest::addColumn<double>("timeout");
    QTest::newRow("0") << 0.0;
    QTest::newRow("-1") << -1.0;
}

void TestTasksWait::waitForTimeoutZeroOrNegative()
{
    QFETCH(double, timeout);
    Loop loop;
    std::optional<bool> fooRunning;
    Future<void> started(loop);
    auto foo = [&]() -> Coro<QString> {
        fooRunning = true;
        started.setResult();
        struct Finally
        {
            std::optional<bool> &r;
            ~Finally() { r = false; }
        } finally{fooRunning};
        co_await qaio::sleep(10);
        co_return QStringLiteral("done");
    };
    Task<QString> fut;
    auto main = [&]() -> Coro<void> {
        fut = createTask(foo());
        co_await started;
        co_await waitFor(fut, timeout);
    };
    const double t0 = loop.time();
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(fut.done());
    QVERIFY(fut.cancelled()); // cancelled because of the timeout
    QCOMPARE(fooRunning, std::optional<bool>(false));
    QVERIFY(loop.time() - t0 < 0.1);
}

void TestTasksWait::waitForTimesOut()
{
    Loop loop;
    std::optional<bool> fooRunning;
    auto foo = [&]() -> Coro<QString> {
        fooRunning = true;
        struct Finally
        {
            std::optional<bool> &r;
            ~Finally() { r = false; }
        } finally{fooRunning};
        co_await qaio::sleep(10);
        co_return QStringLiteral("done");
    };
    Task<QString> fut;
    auto main = [&]() -> Coro<void> {
        fut = createTask(foo());
        co_await waitFor(fut, 0.02);
    };
    const double t0 = loop.time();
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    const double elapsed = loop.time() - t0;
    QVERIFY(fut.done());
    QVERIFY(fut.cancelled());
    QVERIFY(elapsed >= 0.019 && elapsed < 1);
    QCOMPARE(fooRunning, std::optional<bool>(false));
}

void TestTasksWait::waitForNoTimeout()
{
    Loop loop;
    auto coro = []() -> Coro<QString> { co_return QStringLiteral("done"); };
    auto main = [&]() -> Coro<QString> { co_return co_await waitFor(coro(), std::nullopt); };
    QCOMPARE(loop.runUntilComplete(main()), QStringLiteral("done"));
}

void TestTasksWait::waitForRaceCondition()
{
    Loop loop;
    Future<QString> fut(loop);
    auto main = [&]() -> Coro<QString> {
        getRunningLoop().callLater(0.01, [&] { fut.setResult(QStringLiteral("ok")); });
        co_return co_await waitFor(fut, 0.5);
    };
    QCOMPARE(loop.runUntilComplete(main()), QStringLiteral("ok"));
}

void TestTasksWait::waitForCancellationRaceCondition()
{
    Loop loop;
    bool sawCancel = false;
    auto inner = [&]() -> Coro<int> {
        try {
            co_await qaio::sleep(1);
        } catch (const CancelledError &) {
            sawCancel = true;
        }
        co_return 1;
    };
    auto main = [&]() -> Coro<int> { co_return co_await waitFor(inner(), 0.01); };
    QCOMPARE(loop.runUntilComplete(main()), 1);
    QVERIFY(sawCancel);
}

void TestTasksWait::waitForWaitsForTaskCancellation()
{
    Loop loop;
    bool taskDone = false;
    auto inner = [&]() -> Coro<void> {
        struct Finally
        {
            bool &d;
            ~Finally() { d = true; }
        } finally{taskDone};
        bool cancelled = false;
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
            cancelled = true;
        }
        if (cancelled) {
            co_await qaio::sleep(0.001);
            throw CancelledError();
        }
    };
    auto main = [&]() -> Coro<void> {
        Task<void> innerTask = createTask(inner());
        co_await waitFor(innerTask, 0.001);
    };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(taskDone);
}

void TestTasksWait::waitForWaitsForTaskCancellationTimeoutZero()
{
    Loop loop;
    bool taskDone = false;
    auto inner = [&]() -> Coro<void> {
        struct Finally
        {
            bool &d;
            ~Finally() { d = true; }
        } finally{taskDone};
        bool cancelled = false;
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
            cancelled = true;
        }
        if (cancelled) {
            co_await qaio::sleep(0.001);
            throw CancelledError();
        }
    };
    auto main = [&]() -> Coro<void> {
        Task<void> innerTask = createTask(inner());
        co_await qaio::sleep(0.001);
        co_await waitFor(innerTask, 0);
    };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(taskDone);
}

void TestTasksWait::waitForReraisesExceptionDuringCancellation()
{
    Loop loop;
    auto inner = []() -> Coro<void> {
        try {
            co_await qaio::sleep(0.2);
        } catch (...) {
        }
        throw MyExc("during cancellation"); // Python: raise in `finally`
    };
    auto main = [&]() -> Coro<void> {
        Task<void> innerTask = createTask(inner());
        co_await waitFor(innerTask, 0.001);
    };
    QVERIFY_THROWS_EXCEPTION(MyExc, loop.runUntilComplete(main()));
}

void TestTasksWait::waitForSelfCancellation()
{
    Loop loop;
    auto inner = []() -> Coro<int> {
        bool cancelled = false;
        try {
            co_await qaio::sleep(0.03);
        } catch (const CancelledError &) {
            cancelled = true;
        }
        if (cancelled) {
            try {
                co_await qaio::sleep(0.03);
            } catch (const CancelledError &) {
            }
        }
        co_return 42;
    };
    auto main = [&]() -> Coro<int> {
        Task<int> innerTask = createTask(inner());
        // waitFor itself is cancellable, even when the inner task holds up
        // the cancellation.
        Task<int> task = createTask(waitFor(innerTask, 0.01));
        task.cancel();
        bool cancelled = false;
        try {
            co_await task;
        } catch (const CancelledError &) {
            cancelled = true;
        }
        if (!cancelled)
            co_return -1;
        co_return co_await innerTask;
    };
    QCOMPARE(loop.runUntilComplete(main()), 42);
}

void TestTasksWait::cancelBlockingWaitFor_data()
{
    QTest::addColumn<std::optional<double>>("timeout");
    QTest::newRow("no timeout") << std::optional<double>();
    QTest::newRow("60") << std::optional<double>(60.0);
}

void TestTasksWait::cancelBlockingWaitFor()
{
    // Python issue #23219: cancelling the waitFor task cancels the awaited task.
    QFETCH(std::optional<double>, timeout);
    Loop loop;
    Task<void> task;
    auto blocking = [&]() -> Coro<void> {
        Future<void> fut(getRunningLoop());
        co_await fut; // never set
    };
    auto main = [&]() -> Coro<bool> {
        task = createTask(blocking());
        Task<void> w = createTask(waitFor(task, timeout));
        getRunningLoop().callSoon([w]() mutable { w.cancel(); });
        try {
            co_await w;
        } catch (const CancelledError &) {
            co_return true;
        }
        co_return false;
    };
    QVERIFY(loop.runUntilComplete(main()));
    QVERIFY(task.cancelled());
}

void TestTasksWait::waitForCancelSuppressed()
{
    Loop loop;
    auto return42 = []() -> Coro<int> {
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
            co_return 42;
        }
        co_return 0;
    };
    auto main = [&]() -> Coro<int> { co_return co_await waitFor(return42(), 0.01); };
    QCOMPARE(loop.runUntilComplete(main()), 42);
}

void TestTasksWait::waitForIssue86296()
{
    Loop loop;
    bool reachedEnd = false;
    auto inner = []() -> Coro<void> { co_return; };
    auto waitForCoro = [&]() -> Coro<void> {
        co_await waitFor(inner(), 100);
        co_await qaio::sleep(1);
        reachedEnd = true;
    };
    auto main = [&]() -> Coro<bool> {
        Task<void> task = createTask(waitForCoro());
        co_await qaio::sleep(0);
        const bool doneEarly = task.done();
        task.cancel();
        try {
            co_await task;
        } catch (const CancelledError &) {
            co_return !doneEarly;
        }
        co_return false;
    };
    QVERIFY(loop.runUntilComplete(main()));
    QVERIFY(!reachedEnd);
}

void TestTasksWait::waitForOnAlreadyDoneFuture()
{
    Loop loop;
    Future<int> fut(loop);
    fut.setResult(5);
    auto main = [&]() -> Coro<int> {
        const int a = co_await waitFor(fut, 1.0);
        const int b = co_await waitFor(fut, std::nullopt);
        const int c = co_await waitFor(fut, 0);
        co_return a + b + c;
    };
    QCOMPARE(loop.runUntilComplete(main()), 15);
}

void TestTasksWait::waitForOnFailedFuture()
{
    Loop loop;
    Future<int> fut(loop);
    fut.setException(MyExc("failed"));
    auto main = [&]() -> Coro<int> { co_return co_await waitFor(fut, 0); };
    QVERIFY_THROWS_EXCEPTION(MyExc, loop.runUntilComplete(main()));
}

// ---------------------------------------------------------------- timeouts

void TestTasksWait::timeoutBasic()
{
    Loop loop;
    std::optional<Timeout> cm;
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(0.01);
        co_await cm->run(qaio::sleep(10));
    };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(cm->expired());
}

void TestTasksWait::timeoutAtBasic()
{
    Loop loop;
    std::optional<Timeout> cm;
    double deadline = 0;
    auto main = [&]() -> Coro<void> {
        deadline = loop.time() + 0.01;
        cm = qaio::timeoutAt(deadline);
        co_await cm->run(qaio::sleep(10));
    };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(cm->expired());
    QCOMPARE(cm->when(), std::optional<double>(deadline));
}

void TestTasksWait::nestedTimeoutsSameDeadline()
{
    // Only the outermost timeout raises TimeoutError; the inner body sees
    // CancelledError.
    Loop loop;
    bool cancelled = false;
    std::optional<Timeout> cm1, cm2;
    auto innerBody = [&]() -> Coro<void> { co_await qaio::sleep(10); };
    auto outerBody = [&]() -> Coro<void> {
        try {
            co_await cm2->run(innerBody());
        } catch (const CancelledError &) {
            cancelled = true;
            throw;
        }
    };
    auto main = [&]() -> Coro<void> {
        const double deadline = loop.time() + 0.01;
        cm1 = qaio::timeoutAt(deadline);
        cm2 = qaio::timeoutAt(deadline);
        co_await cm1->run(outerBody());
    };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(cancelled);
    QVERIFY(cm1->expired());
    QVERIFY(cm2->expired());
}

void TestTasksWait::nestedTimeoutsInnerExpires()
{
    // Inner expires: its TimeoutError is caught inside the outer, which goes on.
    Loop loop;
    QStringList log;
    std::optional<Timeout> outer, inner;
    auto innerBody = [&]() -> Coro<void> { co_await qaio::sleep(10); };
    auto outerBody = [&]() -> Coro<int> {
        try {
            co_await inner->run(innerBody());
        } catch (const TimeoutError &) {
            log << "inner timeout";
        }
        co_await qaio::sleep(0.001);
        log << "outer body goes on";
        co_return 5;
    };
    auto main = [&]() -> Coro<int> {
        outer = qaio::timeout(5);
        inner = qaio::timeout(0.005);
        co_return co_await outer->run(outerBody());
    };
    QCOMPARE(loop.runUntilComplete(main()), 5);
    QCOMPARE(log, (QStringList{"inner timeout", "outer body goes on"}));
    QVERIFY(inner->expired());
    QVERIFY(!outer->expired());
}

void TestTasksWait::nestedTimeoutsOuterExpires()
{
    // Outer expires while the inner is active: the inner sees CancelledError
    // (not its own TimeoutError) and the outer raises TimeoutError.
    Loop loop;
    QStringList log;
    std::optional<Timeout> outer, inner;
    auto innerBody = [&]() -> Coro<void> { co_await qaio::sleep(10); };
    auto outerBody = [&]() -> Coro<void> {
        try {
            co_await inner->run(innerBody());
        } catch (const TimeoutError &) {
            log << "inner timeout";
        } catch (const CancelledError &) {
            log << "inner cancelled";
            throw;
        }
    };
    auto main = [&]() -> Coro<void> {
        outer = qaio::timeout(0.005);
        inner = qaio::timeout(5);
        try {
            co_await outer->run(outerBody());
        } catch (const TimeoutError &) {
            log << "outer timeout";
        }
    };
    loop.runUntilComplete(main());
    QCOMPARE(log, (QStringList{"inner cancelled", "outer timeout"}));
    QVERIFY(outer->expired());
    QVERIFY(!inner->expired());
}

void TestTasksWait::waiterCancelled()
{
    Loop loop;
    bool cancelled = false;
    auto body = [&]() -> Coro<void> {
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
            cancelled = true;
            throw;
        }
    };
    auto main = [&]() -> Coro<void> { co_await qaio::timeout(0.01).run(body()); };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(cancelled);
}

void TestTasksWait::timeoutNotCalled()
{
    Loop loop;
    std::optional<Timeout> cm;
    double t1 = 0;
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(10);
        co_await cm->run(qaio::sleep(0.01));
        t1 = loop.time();
    };
    loop.runUntilComplete(main());
    QVERIFY(!cm->expired());
    QVERIFY(*cm->when() > t1);
}

void TestTasksWait::timeoutDisabled()
{
    Loop loop;
    std::optional<Timeout> cm;
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(std::nullopt);
        co_await cm->run(qaio::sleep(0.01));
    };
    loop.runUntilComplete(main());
    QVERIFY(!cm->expired());
    QVERIFY(!cm->when().has_value());
}

void TestTasksWait::timeoutAtDisabled()
{
    Loop loop;
    std::optional<Timeout> cm;
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeoutAt(std::nullopt);
        co_await cm->run(qaio::sleep(0.01));
    };
    loop.runUntilComplete(main());
    QVERIFY(!cm->expired());
    QVERIFY(!cm->when().has_value());
}

void TestTasksWait::timeoutZero()
{
    Loop loop;
    std::optional<Timeout> cm;
    const double t0 = loop.time();
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(0);
        co_await cm->run(qaio::sleep(10));
    };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    const double t1 = loop.time();
    QVERIFY(cm->expired());
    QVERIFY(t0 <= *cm->when() && *cm->when() <= t1);
}

void TestTasksWait::timeoutZeroSleepZero()
{
    Loop loop;
    std::optional<Timeout> cm;
    const double t0 = loop.time();
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(0);
        co_await cm->run(qaio::sleep(0));
    };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    const double t1 = loop.time();
    QVERIFY(cm->expired());
    QVERIFY(t0 <= *cm->when() && *cm->when() <= t1);
}

void TestTasksWait::timeoutInThePastSleepZero()
{
    Loop loop;
    std::optional<Timeout> cm;
    const double t0 = loop.time();
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(-11);
        co_await cm->run(qaio::sleep(0));
    };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(cm->expired());
    QVERIFY(*cm->when() <= t0);
}

void TestTasksWait::foreignExceptionPassed()
{
    Loop loop;
    std::optional<Timeout> cm;
    auto body = []() -> Coro<void> {
        throw std::out_of_range("KeyError");
        co_return;
    };
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(0.01);
        co_await cm->run(body());
    };
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, loop.runUntilComplete(main()));
    QVERIFY(!cm->expired());
}

void TestTasksWait::foreignExceptionOnTimeout()
{
    Loop loop;
    auto crash = []() -> Coro<void> {
        try {
            co_await qaio::sleep(1);
        } catch (...) {
        }
        throw tt::ZeroDivision(); // Python: 1/0 in `finally`
    };
    auto main = [&]() -> Coro<void> { co_await qaio::timeout(0.01).run(crash()); };
    QVERIFY_THROWS_EXCEPTION(tt::ZeroDivision, loop.runUntilComplete(main()));
}

void TestTasksWait::foreignCancelDoesntTimeoutIfNotExpired()
{
    Loop loop;
    std::optional<Timeout> cm;
    auto body = []() -> Coro<void> {
        currentTask().cancel();
        co_await qaio::sleep(10);
    };
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(10);
        co_await cm->run(body());
    };
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(main()));
    QVERIFY(!cm->expired());
}

void TestTasksWait::outerTaskIsNotCancelled()
{
    Loop loop;
    bool timedOut = false;
    auto outer = [&]() -> Coro<void> {
        try {
            co_await qaio::timeout(0.001).run(qaio::sleep(10));
        } catch (const TimeoutError &) {
            timedOut = true;
        }
    };
    Task<void> task = loop.createTask(outer());
    loop.runUntilComplete(Future<void>(task));
    QVERIFY(timedOut);
    QVERIFY(!task.cancelled());
    QVERIFY(task.done());
    QCOMPARE(task.cancelling(), 0);
}

void TestTasksWait::nestedTimeoutsConcurrent()
{
    Loop loop;
    bool innerTimedOut = false;
    auto innerBody = []() -> Coro<void> {
        busySleep(0.01); // pretend we crunch some numbers
        co_await qaio::sleep(1);
    };
    auto outerBody = [&]() -> Coro<void> {
        try {
            co_await qaio::timeout(0.1).run(innerBody());
        } catch (const TimeoutError &) {
            innerTimedOut = true;
            throw;
        }
    };
    auto main = [&]() -> Coro<void> { co_await qaio::timeout(0.002).run(outerBody()); };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(!innerTimedOut); // the outer one expired: the inner saw CancelledError
}

void TestTasksWait::nestedTimeoutsLoopBusy()
{
    // After the inner timeout, an expensive operation is stopped by the outer one.
    Loop loop;
    bool innerTimedOut = false;
    auto innerBody = []() -> Coro<void> {
        busySleep(0.02); // the loop is busy for a while
        co_await qaio::sleep(1);
    };
    auto outerBody = [&]() -> Coro<void> {
        try {
            co_await qaio::timeout(0.005).run(innerBody());
        } catch (const TimeoutError &) {
            innerTimedOut = true;
        }
        co_await qaio::sleep(10); // interrupted by the outer timeout
    };
    auto main = [&]() -> Coro<void> { co_await qaio::timeout(0.2).run(outerBody()); };
    const double t0 = loop.time();
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(innerTimedOut);
    QVERIFY(loop.time() - t0 < 1);
}

void TestTasksWait::reschedule()
{
    Loop loop;
    Future<Timeout> fut(loop);
    const double deadline1 = loop.time() + 10;
    const double deadline2 = deadline1 + 20;
    auto body = [](Future<Timeout> out) -> Coro<void> {
        co_await qaio::sleep(0);
        co_await qaio::sleep(50);
        (void)out;
    };
    auto f = [&]() -> Coro<void> {
        Timeout cm = qaio::timeoutAt(deadline1);
        fut.setResult(cm);
        co_await cm.run(body(fut));
    };
    std::optional<Timeout> cm;
    QList<std::optional<double>> whens;
    bool cancelled = false;
    auto main = [&]() -> Coro<void> {
        Task<void> task = createTask(f());
        cm = co_await fut;
        co_await qaio::sleep(0); // the task is inside its timeout now
        whens << cm->when();
        cm->reschedule(deadline2);
        whens << cm->when();
        cm->reschedule(std::nullopt);
        whens << cm->when();
        task.cancel();
        try {
            co_await task;
        } catch (const CancelledError &) {
            cancelled = true;
        }
    };
    loop.runUntilComplete(main());
    QCOMPARE(whens, (QList<std::optional<double>>{deadline1, deadline2, std::nullopt}));
    QVERIFY(cancelled);
    QVERIFY(!cm->expired());
}

void TestTasksWait::rescheduleEarlier()
{
    Loop loop;
    std::optional<Timeout> cm;
    auto body = [&]() -> Coro<void> {
        cm->reschedule(loop.time() + 0.005);
        co_await qaio::sleep(10);
    };
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(100);
        co_await cm->run(body());
    };
    const double t0 = loop.time();
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(loop.time() - t0 < 1);
    QVERIFY(cm->expired());
}

void TestTasksWait::rescheduleIntoThePast()
{
    Loop loop;
    std::optional<Timeout> cm;
    auto body = [&]() -> Coro<void> {
        cm->reschedule(loop.time() - 1);
        co_await qaio::sleep(10);
    };
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(std::nullopt);
        co_await cm->run(body());
    };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(cm->expired());
}

void TestTasksWait::nestedTimeoutInFinally()
{
    Loop loop;
    bool innerTimedOut = false;
    auto body = [&]() -> Coro<void> {
        std::exception_ptr pending;
        try {
            co_await qaio::sleep(1);
        } catch (...) {
            pending = std::current_exception();
        }
        // `finally:` (no co_await inside a handler in C++)
        try {
            co_await qaio::timeout(0.01).run(qaio::sleep(10));
        } catch (const TimeoutError &) {
            innerTimedOut = true;
        }
        if (pending)
            std::rethrow_exception(pending);
    };
    auto main = [&]() -> Coro<void> { co_await qaio::timeout(0.01).run(body()); };
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(main()));
    QVERIFY(innerTimedOut);
}

void TestTasksWait::timeoutAfterCancellation()
{
    Loop loop;
    bool cleanupTimedOut = false;
    auto main = [&]() -> Coro<void> {
        try {
            currentTask().cancel();
            co_await qaio::sleep(1); // work which will be cancelled
        } catch (const CancelledError &) {
        }
        try {
            co_await qaio::timeout(0.0).run(qaio::sleep(1)); // some cleanup
        } catch (const TimeoutError &) {
            cleanupTimedOut = true;
        }
    };
    loop.runUntilComplete(main());
    QVERIFY(cleanupTimedOut);
}

void TestTasksWait::cancelInTimeoutAfterCancellation()
{
    Loop loop;
    bool cleanupCancelled = false;
    auto cleanup = []() -> Coro<void> {
        currentTask().cancel();
        co_await qaio::sleep(2);
    };
    auto main = [&]() -> Coro<void> {
        try {
            currentTask().cancel();
            co_await qaio::sleep(1);
        } catch (const CancelledError &) {
        }
        try {
            co_await qaio::timeout(1.0).run(cleanup());
        } catch (const CancelledError &) {
            cleanupCancelled = true;
        }
    };
    loop.runUntilComplete(main());
    QVERIFY(cleanupCancelled);
}

void TestTasksWait::timeoutAlreadyEntered()
{
    Loop loop;
    QString message;
    std::optional<Timeout> cm;
    auto body = [&]() -> Coro<void> {
        try {
            co_await cm->run(qaio::sleep(0)); // re-entering the active timeout
        } catch (const RuntimeError &e) {
            message = QString::fromUtf8(e.what());
        }
    };
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(0.05);
        co_await cm->run(body());
    };
    loop.runUntilComplete(main());
    QVERIFY2(message.contains(QLatin1StringView("has already been entered")), qPrintable(message));
}

void TestTasksWait::timeoutDoubleEnter()
{
    Loop loop;
    QString message;
    auto main = [&]() -> Coro<void> {
        Timeout cm = qaio::timeout(0.05);
        co_await cm.run(qaio::sleep(0));
        try {
            co_await cm.run(qaio::sleep(0));
        } catch (const RuntimeError &e) {
            message = QString::fromUtf8(e.what());
        }
    };
    loop.runUntilComplete(main());
    QVERIFY2(message.contains(QLatin1StringView("has already been entered")), qPrintable(message));
}

void TestTasksWait::timeoutFinished()
{
    Loop loop;
    std::optional<Timeout> cm;
    auto main = [&]() -> Coro<void> {
        cm = qaio::timeout(0.05);
        co_await cm->run(qaio::sleep(0));
    };
    loop.runUntilComplete(main());
    auto error = tt::errorOf([&] { cm->reschedule(0.02); });
    QVERIFY(tt::holds<RuntimeError>(error));
    QVERIFY2(tt::whatOf(error).contains(QLatin1StringView("finished")), qPrintable(tt::whatOf(error)));
}

void TestTasksWait::timeoutNotEntered()
{
    Loop loop;
    Timeout cm = qaio::timeoutAt(loop.time() + 0.01);
    auto error = tt::errorOf([&] { cm.reschedule(0.02); });
    QVERIFY(tt::holds<RuntimeError>(error));
    QVERIFY2(tt::whatOf(error).contains(QLatin1StringView("has not been entered")), qPrintable(tt::whatOf(error)));
}

namespace {
tt::Foreign enterWithoutTask(Timeout cm, QString *message, bool *finished)
{
    try {
        co_await cm.run(qaio::sleep(0));
    } catch (const RuntimeError &e) {
        *message = QString::fromUtf8(e.what());
    }
    *finished = true;
}
} // namespace

void TestTasksWait::timeoutWithoutTask()
{
    Loop loop;
    QString message;
    bool finished = false;
    Timeout cm = qaio::timeoutAt(loop.time() + 0.01);
    loop.callSoon([&] { enterWithoutTask(cm, &message, &finished); });
    QVERIFY(tt::runUntil(loop, [&] { return finished; }));
    QVERIFY2(message.contains(QLatin1StringView("task")), qPrintable(message));
    auto error = tt::errorOf([&] { cm.reschedule(0.02); });
    QVERIFY2(tt::whatOf(error).contains(QLatin1StringView("has not been entered")), qPrintable(tt::whatOf(error)));
}

void TestTasksWait::timeoutReturnsValue()
{
    Loop loop;
    auto main = [&]() -> Coro<int> { co_return co_await qaio::timeout(1).run(sleepThen(0.001, 8)); };
    QCOMPARE(loop.runUntilComplete(main()), 8);
}

void TestTasksWait::timeoutShorthand()
{
    Loop loop;
    auto main = [&]() -> Coro<int> {
        const int a = co_await qaio::timeout(1.0, sleepThen(0, 2));
        try {
            co_await qaio::timeout(0.001, sleepThen(10, 3));
        } catch (const TimeoutError &) {
            co_return a * 10;
        }
        co_return a;
    };
    QCOMPARE(loop.runUntilComplete(main()), 20);
}

void TestTasksWait::timeoutExpiresAsInnerCompletes()
{
    // The awaited future completes in the same loop iteration in which the
    // deadline passes (both timers are due together, the future's first):
    // the task is already runnable when the timeout cancels it, so the
    // cancellation lands at its next step and the result is lost to a
    // TimeoutError, as in asyncio.
    Loop loop;
    Future<int> inner(loop);
    std::optional<Timeout> cm;
    auto body = [&]() -> Coro<int> { co_return co_await inner; };
    auto main = [&]() -> Coro<int> {
        const double when = loop.time() + 0.01;
        loop.callAt(when, [&] { inner.setResult(7); });
        cm = qaio::timeoutAt(when);
        co_return co_await cm->run(body());
    };
    Task<int> t = loop.createTask(main());
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(cm->expired());
    QCOMPARE(inner.result(), 7); // the inner operation did complete
    QVERIFY(!t.cancelled());
    QCOMPARE(t.cancelling(), 0);
}

void TestTasksWait::timeoutExpiresAsInnerTaskCompletes()
{
    // The awaited inner task finishes in the very iteration in which the
    // timeout fires (after the task's step, before the awaiting task wakes):
    // the outer task sees TimeoutError, the inner task keeps its result and
    // is not cancelled.
    Loop loop;
    Future<void> gate(loop);
    std::optional<Timeout> cm;
    Task<int> inner;
    auto innerBody = [&]() -> Coro<int> {
        co_await gate;
        co_return 7;
    };
    auto awaitInner = [&]() -> Coro<int> { co_return co_await inner; };
    auto main = [&]() -> Coro<int> {
        inner = createTask(innerBody());
        cm = qaio::timeout(10);
        getRunningLoop().callLater(0.005, [&] {
            gate.setResult();                // the inner task's step runs next iteration...
            cm->reschedule(loop.time() - 1); // ...and so does the timeout, right after it
        });
        co_return co_await cm->run(awaitInner());
    };
    Task<int> t = loop.createTask(main());
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(cm->expired());
    QVERIFY(inner.done());
    QVERIFY(!inner.cancelled());
    QCOMPARE(inner.result(), 7);
    QCOMPARE(t.cancelling(), 0);
}

void TestTasksWait::timeoutInnerCompletesJustBefore()
{
    Loop loop;
    Future<int> inner(loop);
    std::optional<Timeout> cm;
    auto body = [&]() -> Coro<int> { co_return co_await inner; };
    auto main = [&]() -> Coro<int> {
        const double when = loop.time() + 0.3;
        loop.callAt(when - 0.29, [&] { inner.setResult(7); });
        cm = qaio::timeoutAt(when);
        co_return co_await cm->run(body());
    };
    QCOMPARE(loop.runUntilComplete(main()), 7);
    QVERIFY(!cm->expired());
}

void TestTasksWait::timeoutNanThrows()
{
    Loop loop;
    QVERIFY_THROWS_EXCEPTION(ValueError, qaio::timeoutAt(std::nan("")));
}

QTEST_GUILESS_MAIN(TestTasksWait)
#include "tst_tasks_wait.moc"
