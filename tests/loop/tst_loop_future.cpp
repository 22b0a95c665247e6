// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_future — Future<T> and Future<void>: states, results, exceptions,
// cancellation, done-callbacks (always scheduled, never synchronous).
#include "testutil.h"

#include <qaio/loop.h>

#include <QtTest/QtTest>

#include <memory>
#include <stdexcept>
#include <vector>

using namespace qaio;
using Seq = std::vector<int>;

class TestLoopFuture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newFutureIsPending();
    void setResultFinishes();
    void voidFuture();
    void setExceptionFinishes();
    void setExceptionRejectsNull();
    void cancelWithMessage();
    void cancelWithoutMessage();
    void cancelOnDoneFutureReturnsFalse();
    void setResultOnDoneFutureThrows();
    void setExceptionOnDoneFutureThrows();
    void copiesShareOneState();
    void takeResultMovesOutMoveOnlyValue();
    void getLoopReturnsTheLoop();
    void getLoopAfterLoopDestroyedThrows();
    void nullFutureThrows();
    void doneCallbackIsScheduledNotCalled();
    void doneCallbackOfDoneFutureIsScheduledNotCalled();
    void doneCallbacksRunInRegistrationOrder();
    void doneCallbacksQueueBehindCallbacksAlreadyScheduled();
    void doneCallbackReceivesTheFuture();
    void typedDoneCallbackReadsTheResult();
    void doneCallbackRunsOnCancel();
    void removeDoneCallbackReturnsCount();
    void removedDoneCallbackDoesNotRun();
    void describeShowsState();
};

void TestLoopFuture::newFutureIsPending()
{
    Loop loop;
    Future<int> f = loop.createFuture<int>();
    QVERIFY(f.isValid());
    QVERIFY(!f.done());
    QVERIFY(!f.cancelled());
    QAIO_VERIFY_THROWS(InvalidStateError, "Result is not ready", f.result());
    QAIO_VERIFY_THROWS(InvalidStateError, "Exception is not set", f.exception());
}

void TestLoopFuture::setResultFinishes()
{
    Loop loop;
    Future<int> f(loop);
    f.setResult(5);
    QVERIFY(f.done());
    QVERIFY(!f.cancelled());
    QCOMPARE(f.result(), 5);
    QCOMPARE(f.result(), 5); // result() can be read any number of times
    QVERIFY(!f.exception());

    Future<std::vector<int>> v(loop);
    v.setResult(std::vector<int>{1, 2, 3});
    QCOMPARE(v.result(), (std::vector<int>{1, 2, 3}));
}

void TestLoopFuture::voidFuture()
{
    Loop loop;
    Future<void> f = loop.createFuture();
    QVERIFY(!f.done());
    QAIO_VERIFY_THROWS(InvalidStateError, "Result is not ready", f.result());
    f.setResult();
    QVERIFY(f.done());
    f.result(); // does not throw
    QVERIFY(!f.exception());
    QAIO_VERIFY_THROWS(InvalidStateError, "already done", f.setResult());

    Future<void> e = loop.createFuture();
    e.setException(std::logic_error("void failed"));
    QAIO_VERIFY_THROWS(std::logic_error, "void failed", e.result());
}

void TestLoopFuture::setExceptionFinishes()
{
    Loop loop;
    Future<int> f(loop);
    f.setException(std::runtime_error("bad thing"));
    QVERIFY(f.done());
    QVERIFY(!f.cancelled());
    std::exception_ptr e = f.exception();
    QVERIFY(e);
    QAIO_VERIFY_THROWS(std::runtime_error, "bad thing", std::rethrow_exception(e));
    QAIO_VERIFY_THROWS(std::runtime_error, "bad thing", f.result());

    // An exception_ptr works too, and keeps its dynamic type.
    Future<int> g(loop);
    g.setException(std::make_exception_ptr(ValueError("typed")));
    QAIO_VERIFY_THROWS(ValueError, "typed", g.result());
}

void TestLoopFuture::setExceptionRejectsNull()
{
    Loop loop;
    Future<int> f(loop);
    QAIO_VERIFY_THROWS(TypeError, "null", f.setException(std::exception_ptr()));
    QVERIFY(!f.done());
}

void TestLoopFuture::cancelWithMessage()
{
    Loop loop;
    Future<int> f(loop);
    QVERIFY(f.cancel(QStringLiteral("stop it")));
    QVERIFY(f.cancelled());
    QVERIFY(f.done());
    bool caught = false;
    try {
        f.result();
    } catch (const CancelledError &e) {
        caught = true;
        QCOMPARE(e.message(), QStringLiteral("stop it"));
        QCOMPARE(QString::fromUtf8(e.what()), QStringLiteral("stop it"));
    }
    QVERIFY(caught);
    caught = false;
    try {
        f.exception();
    } catch (const CancelledError &e) {
        caught = true;
        QCOMPARE(e.message(), QStringLiteral("stop it"));
    }
    QVERIFY(caught);
    // Cancelling again does nothing.
    QVERIFY(!f.cancel(QStringLiteral("other")));
    QAIO_VERIFY_THROWS(CancelledError, "stop it", f.result());
}

void TestLoopFuture::cancelWithoutMessage()
{
    Loop loop;
    Future<void> f(loop);
    QVERIFY(f.cancel());
    bool caught = false;
    try {
        f.result();
    } catch (const CancelledError &e) {
        caught = true;
        QVERIFY(e.message().isEmpty());
    }
    QVERIFY(caught);
    // A cancelled future cannot be given a result.
    QAIO_VERIFY_THROWS(InvalidStateError, "already done", f.setResult());
}

void TestLoopFuture::cancelOnDoneFutureReturnsFalse()
{
    Loop loop;
    Future<int> f(loop);
    f.setResult(1);
    QVERIFY(!f.cancel());
    QVERIFY(!f.cancelled());
    QCOMPARE(f.result(), 1);

    Future<int> g(loop);
    g.setException(std::runtime_error("x"));
    QVERIFY(!g.cancel());
    QVERIFY(!g.cancelled());
    QVERIFY(g.exception());
}

void TestLoopFuture::setResultOnDoneFutureThrows()
{
    Loop loop;
    Future<int> f(loop);
    f.setResult(1);
    QAIO_VERIFY_THROWS(InvalidStateError, "setResult() called on a future that is already done",
                       f.setResult(2));
    QCOMPARE(f.result(), 1);
}

void TestLoopFuture::setExceptionOnDoneFutureThrows()
{
    Loop loop;
    Future<int> f(loop);
    f.setResult(1);
    QAIO_VERIFY_THROWS(InvalidStateError, "setException() called on a future that is already done",
                       f.setException(std::runtime_error("late")));
    QCOMPARE(f.result(), 1);
    QVERIFY(!f.exception());

    Future<int> c(loop);
    c.cancel();
    QAIO_VERIFY_THROWS(InvalidStateError, "setException()",
                       c.setException(std::runtime_error("late")));
}

void TestLoopFuture::copiesShareOneState()
{
    Loop loop;
    Future<int> f(loop);
    Future<int> copy = f;
    QVERIFY(copy == f);
    QVERIFY(!(Future<int>(loop) == f));
    f.setResult(3);
    QVERIFY(copy.done());
    QCOMPARE(copy.result(), 3);
    FutureBase base = f;
    QVERIFY(base.done());
}

void TestLoopFuture::takeResultMovesOutMoveOnlyValue()
{
    Loop loop;
    Future<std::unique_ptr<int>> f(loop);
    QAIO_VERIFY_THROWS(InvalidStateError, "not ready", f.takeResult());
    f.setResult(std::make_unique<int>(41));
    QVERIFY(f.result());
    QCOMPARE(*f.result(), 41);
    std::unique_ptr<int> p = f.takeResult();
    QVERIFY(p);
    QCOMPARE(*p, 41);
    QVERIFY(!f.result()); // moved from

    Future<std::unique_ptr<int>> c(loop);
    c.cancel(QStringLiteral("gone"));
    QAIO_VERIFY_THROWS(CancelledError, "gone", c.takeResult());
}

void TestLoopFuture::getLoopReturnsTheLoop()
{
    Loop loop;
    Loop other;
    Future<int> f(loop);
    QCOMPARE(&f.getLoop(), &loop);
    Future<void> g = other.createFuture();
    QCOMPARE(&g.getLoop(), &other);
}

void TestLoopFuture::getLoopAfterLoopDestroyedThrows()
{
    Future<int> f;
    {
        Loop loop;
        f = loop.createFuture<int>();
    }
    QAIO_VERIFY_THROWS(RuntimeError, "destroyed", f.getLoop());
    // The future itself still works as a value holder.
    QVERIFY(!f.done());
}

void TestLoopFuture::nullFutureThrows()
{
    Future<int> f;
    QVERIFY(!f.isValid());
    QAIO_VERIFY_THROWS(InvalidStateError, "null Future", f.done());
    QAIO_VERIFY_THROWS(InvalidStateError, "null Future", f.result());
    QAIO_VERIFY_THROWS(InvalidStateError, "null Future", f.setResult(1));
    QAIO_VERIFY_THROWS(InvalidStateError, "null Future", f.cancel());
    QCOMPARE(f.toString(), QStringLiteral("<Future null>"));
}

void TestLoopFuture::doneCallbackIsScheduledNotCalled()
{
    Loop loop;
    Future<int> f(loop);
    int calls = 0;
    f.addDoneCallback([&](const FutureBase &) { ++calls; });
    f.setResult(1);
    QCOMPARE(calls, 0); // not synchronously from setResult()
    loop.stop();
    loop.runForever(); // one iteration
    QCOMPARE(calls, 1);
    loop.stop();
    loop.runForever();
    QCOMPARE(calls, 1); // exactly once
}

void TestLoopFuture::doneCallbackOfDoneFutureIsScheduledNotCalled()
{
    Loop loop;
    Future<int> f(loop);
    f.setResult(1);
    int calls = 0;
    f.addDoneCallback([&](const FutureBase &) { ++calls; });
    QCOMPARE(calls, 0); // not synchronously from addDoneCallback()
    loop.stop();
    loop.runForever();
    QCOMPARE(calls, 1);
}

void TestLoopFuture::doneCallbacksRunInRegistrationOrder()
{
    Loop loop;
    Future<int> f(loop);
    Seq seq;
    for (int i = 0; i < 5; ++i)
        f.addDoneCallback([&seq, i](const FutureBase &) { seq.push_back(i); });
    loop.callSoon([&, f]() mutable { f.setResult(0); });
    loop.stop();
    loop.runForever();
    QVERIFY(seq.empty()); // scheduled by a callback: they run in the next iteration
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{0, 1, 2, 3, 4}));
    // Added after completion: still scheduled, still in order.
    f.addDoneCallback([&](const FutureBase &) { seq.push_back(5); });
    f.addDoneCallback([&](const FutureBase &) { seq.push_back(6); });
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{0, 1, 2, 3, 4, 5, 6}));
}

void TestLoopFuture::doneCallbacksQueueBehindCallbacksAlreadyScheduled()
{
    Loop loop;
    Future<int> f(loop);
    Seq seq;
    f.addDoneCallback([&](const FutureBase &) { seq.push_back(3); });
    loop.callSoon([&] { seq.push_back(1); });
    loop.callSoon([&] { seq.push_back(2); });
    f.setResult(0);
    loop.callSoon([&] { seq.push_back(4); });
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{1, 2, 3, 4}));
}

void TestLoopFuture::doneCallbackReceivesTheFuture()
{
    Loop loop;
    Future<int> f(loop);
    FutureBase received;
    f.addDoneCallback([&](const FutureBase &done) { received = done; });
    f.setResult(8);
    loop.stop();
    loop.runForever();
    QVERIFY(received.isValid());
    QVERIFY(received == f);
    QVERIFY(received.done());
}

void TestLoopFuture::typedDoneCallbackReadsTheResult()
{
    Loop loop;
    Future<QString> f(loop);
    QString seen;
    f.addDoneCallback([&](const Future<QString> &done) { seen = done.result(); });
    f.setResult(QStringLiteral("typed"));
    loop.stop();
    loop.runForever();
    QCOMPARE(seen, QStringLiteral("typed"));
}

void TestLoopFuture::doneCallbackRunsOnCancel()
{
    Loop loop;
    Future<int> f(loop);
    bool sawCancelled = false;
    f.addDoneCallback([&](const FutureBase &done) { sawCancelled = done.cancelled(); });
    QVERIFY(f.cancel());
    QVERIFY(!sawCancelled);
    loop.stop();
    loop.runForever();
    QVERIFY(sawCancelled);
}

void TestLoopFuture::removeDoneCallbackReturnsCount()
{
    Loop loop;
    Future<int> f(loop);
    const quint64 a = f.addDoneCallback([](const FutureBase &) {});
    const quint64 b = f.addDoneCallback([](const FutureBase &) {});
    QVERIFY(a != b);
    QCOMPARE(f.removeDoneCallback(a), qsizetype(1));
    QCOMPARE(f.removeDoneCallback(a), qsizetype(0));
    QCOMPARE(f.removeDoneCallback(b + 1000), qsizetype(0));
    QCOMPARE(f.removeDoneCallback(b), qsizetype(1));
    QCOMPARE(f.statePtr()->callbacks.size(), std::size_t(0));
}

void TestLoopFuture::removedDoneCallbackDoesNotRun()
{
    Loop loop;
    Future<int> f(loop);
    Seq seq;
    f.addDoneCallback([&](const FutureBase &) { seq.push_back(1); });
    const quint64 id = f.addDoneCallback([&](const FutureBase &) { seq.push_back(2); });
    f.addDoneCallback([&](const FutureBase &) { seq.push_back(3); });
    QCOMPARE(f.removeDoneCallback(id), qsizetype(1));
    f.setResult(0);
    // Once scheduled, the callbacks left the future: nothing left to remove.
    QCOMPARE(f.removeDoneCallback(id), qsizetype(0));
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{1, 3}));
}

void TestLoopFuture::describeShowsState()
{
    Loop loop;
    Future<int> f(loop);
    QAIO_VERIFY_CONTAINS(f.toString(), "pending");
    f.setResult(1);
    QAIO_VERIFY_CONTAINS(f.toString(), "finished");
    Future<int> c(loop);
    c.cancel();
    QAIO_VERIFY_CONTAINS(c.toString(), "cancelled");
    Future<int> e(loop);
    e.setException(std::runtime_error("oops"));
    QAIO_VERIFY_CONTAINS(e.toString(), "oops");
    QVERIFY(e.exception()); // retrieved: no "never retrieved" report
}

QTEST_GUILESS_MAIN(TestLoopFuture)
#include "tst_loop_future.moc"
