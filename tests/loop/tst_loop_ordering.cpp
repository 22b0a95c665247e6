// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_ordering — asyncio's ordering rules: FIFO callSoon, one batch per
// iteration, stop(), cancelled handles, timer order, runUntilComplete.
#include "testutil.h"

#include <qaio/loop.h>

#include <QtTest/QtTest>

#include <memory>
#include <stdexcept>
#include <vector>

using namespace qaio;
using Seq = std::vector<int>;

class TestLoopOrdering : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void callSoonIsFifo();
    void callSoonPassesArguments();
    void callSoonInvokesMemberFunctions();
    void callbackScheduledByCallbackRunsInNextIteration();
    void queuedCallbacksRunBeforeOnesScheduledDuringTheBatch();
    void selfReschedulingChainsInterleave();
    void eachIterationRunsOnlyWhatWasReady();
    void stopEndsRunForeverAfterTheCurrentBatch();
    void stopBeforeRunForeverRunsOneBatch();
    void stopBeforeRunForeverWithNothingQueuedReturns();
    void stopFromTimerEndsRunForever();
    void runForeverCanBeCalledAgain();
    void cancelledHandleIsSkipped();
    void handleCancelledByEarlierCallbackInSameBatchIsSkipped();
    void cancelReleasesTheCallback();
    void callbackCancellingItselfIsReleasedAfterItReturns();
    void handleDescribesItsCallback();
    void dueTimersRunAfterCallbacksAlreadyQueued();
    void equalDeadlinesFireInSchedulingOrder();
    void timersFireInDeadlineOrder();
    void cancelledTimerIsSkipped();
    void timerCancelledByEarlierTimerInSameBatchIsSkipped();
    void runUntilCompleteReturnsTheResult();
    void runUntilCompleteVoidFuture();
    void runUntilCompleteRethrowsTheException();
    void runUntilCompleteThrowsWhenStoppedEarly();
    void runUntilCompleteOnDoneFuture();
    void runUntilCompleteRemovesItsDoneCallback();
    void runUntilCompleteMoveOnlyResult();
    void runUntilCompleteRejectsBadFutures();
    void runUntilCompleteCancelledFuture();
    void isRunningOnlyWhileRunning();
};

void TestLoopOrdering::callSoonIsFifo()
{
    Loop loop;
    Seq seq;
    for (int i = 0; i < 100; ++i)
        loop.callSoon([&seq, i] { seq.push_back(i); });
    loop.callSoon([&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop));
    Seq expected;
    for (int i = 0; i < 100; ++i)
        expected.push_back(i);
    QCOMPARE(seq, expected);
}

void TestLoopOrdering::callSoonPassesArguments()
{
    Loop loop;
    Seq seq;
    auto record = [&seq](int a, int b) {
        seq.push_back(a);
        seq.push_back(b);
    };
    loop.callSoon(record, 1, 2);
    loop.callSoon(record, 3, 4);
    // Arguments are copied at scheduling time.
    int x = 5;
    loop.callSoon(record, x, 6);
    x = 99;
    auto owned = std::make_unique<int>(7);
    loop.callSoon([&seq](std::unique_ptr<int> &p) { seq.push_back(*p); }, std::move(owned));
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{1, 2, 3, 4, 5, 6, 7}));
}

namespace {
struct Counter
{
    Seq *seq;
    void add(int v) { seq->push_back(v); }
};
} // namespace

void TestLoopOrdering::callSoonInvokesMemberFunctions()
{
    Loop loop;
    Seq seq;
    Counter counter{&seq};
    loop.callSoon(&Counter::add, &counter, 3);
    loop.callLater(0, &Counter::add, &counter, 4);
    loop.callSoon([&] { loop.callSoon([&] { loop.stop(); }); });
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seq, (Seq{3, 4}));
}

void TestLoopOrdering::callbackScheduledByCallbackRunsInNextIteration()
{
    Loop loop;
    Seq seq;
    loop.callSoon([&] {
        seq.push_back(1);
        loop.callSoon([&] { seq.push_back(3); });
    });
    loop.callSoon([&] { seq.push_back(2); });
    loop.stop();
    loop.runForever();
    // One batch: the callback scheduled during it has not run yet.
    QCOMPARE(seq, (Seq{1, 2}));
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{1, 2, 3}));
}

void TestLoopOrdering::queuedCallbacksRunBeforeOnesScheduledDuringTheBatch()
{
    Loop loop;
    Seq seq;
    loop.callSoon([&] {
        seq.push_back(1);
        loop.callSoon([&] { seq.push_back(10); });
    });
    loop.callSoon([&] {
        seq.push_back(2);
        loop.callSoon([&] { seq.push_back(20); });
    });
    loop.callSoon([&] {
        seq.push_back(3);
        loop.callSoon([&] {
            seq.push_back(30);
            loop.stop();
        });
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seq, (Seq{1, 2, 3, 10, 20, 30}));
}

void TestLoopOrdering::selfReschedulingChainsInterleave()
{
    Loop loop;
    Seq seq;
    // Chain a reschedules itself (values 0,1,2,3); chain b likewise (100..103).
    std::function<void(int)> a = [&](int n) {
        seq.push_back(n);
        if (n < 3)
            loop.callSoon(a, n + 1);
    };
    std::function<void(int)> b = [&](int n) {
        seq.push_back(100 + n);
        if (n < 3)
            loop.callSoon(b, n + 1);
        else
            loop.stop();
    };
    loop.callSoon(a, 0);
    loop.callSoon(b, 0);
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seq, (Seq{0, 100, 1, 101, 2, 102, 3, 103}));
}

void TestLoopOrdering::eachIterationRunsOnlyWhatWasReady()
{
    Loop loop;
    int runs = 0;
    // A callback that always reschedules itself runs once per iteration, so
    // N iterations (N stop()+runForever() rounds) run it exactly N times.
    std::function<void()> again = [&] {
        ++runs;
        loop.callSoon(again);
    };
    loop.callSoon(again);
    for (int i = 1; i <= 5; ++i) {
        loop.stop();
        loop.runForever();
        QCOMPARE(runs, i);
    }
}

void TestLoopOrdering::stopEndsRunForeverAfterTheCurrentBatch()
{
    Loop loop;
    Seq seq;
    loop.callSoon([&] { seq.push_back(1); });
    loop.callSoon([&] {
        seq.push_back(2);
        loop.stop();
        loop.callSoon([&] { seq.push_back(5); });
    });
    loop.callSoon([&] {
        seq.push_back(3);
        loop.callSoon([&] { seq.push_back(6); });
    });
    loop.callSoon([&] { seq.push_back(4); });
    QVERIFY(testutil::runWithTimeout(loop));
    // The rest of the batch ran; what the batch scheduled did not.
    QCOMPARE(seq, (Seq{1, 2, 3, 4}));
    QVERIFY(!loop.isRunning());
    // Those callbacks are still pending and run, in order, next time.
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{1, 2, 3, 4, 5, 6}));
}

void TestLoopOrdering::stopBeforeRunForeverRunsOneBatch()
{
    Loop loop;
    Seq seq;
    loop.callSoon([&] {
        seq.push_back(1);
        loop.callSoon([&] { seq.push_back(2); });
    });
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{1}));
    // The loop is not left in the "stopping" state: a plain runForever runs
    // more than one batch.
    loop.callSoon([&] {
        seq.push_back(3);
        loop.callSoon([&] {
            seq.push_back(4);
            loop.stop();
        });
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seq, (Seq{1, 2, 3, 4}));
}

void TestLoopOrdering::stopBeforeRunForeverWithNothingQueuedReturns()
{
    Loop loop;
    bool late = false;
    TimerHandle h = loop.callLater(5.0, [&] { late = true; });
    loop.stop();
    loop.runForever(); // must return after one (empty) iteration
    QVERIFY(!late);
    QVERIFY(!loop.isRunning());
    h.cancel();
}

void TestLoopOrdering::stopFromTimerEndsRunForever()
{
    Loop loop;
    int ticks = 0;
    std::function<void()> tick = [&] {
        if (++ticks == 3)
            loop.stop();
        else
            loop.callLater(0.001, tick);
    };
    loop.callLater(0.001, tick);
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(ticks, 3);
}

void TestLoopOrdering::runForeverCanBeCalledAgain()
{
    Loop loop;
    int count = 0;
    for (int round = 1; round <= 3; ++round) {
        loop.callSoon([&] {
            ++count;
            loop.stop();
        });
        QVERIFY(testutil::runWithTimeout(loop));
        QCOMPARE(count, round);
    }
}

void TestLoopOrdering::cancelledHandleIsSkipped()
{
    Loop loop;
    Seq seq;
    loop.callSoon([&] { seq.push_back(1); });
    Handle h = loop.callSoon([&] { seq.push_back(2); });
    loop.callSoon([&] { seq.push_back(3); });
    QVERIFY(!h.cancelled());
    h.cancel();
    QVERIFY(h.cancelled());
    h.cancel(); // twice does nothing
    QVERIFY(h.cancelled());
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{1, 3}));
}

void TestLoopOrdering::handleCancelledByEarlierCallbackInSameBatchIsSkipped()
{
    Loop loop;
    Seq seq;
    Handle victim;
    loop.callSoon([&] {
        seq.push_back(1);
        victim.cancel();
    });
    victim = loop.callSoon([&] { seq.push_back(2); });
    loop.callSoon([&] { seq.push_back(3); });
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (Seq{1, 3}));
}

void TestLoopOrdering::cancelReleasesTheCallback()
{
    Loop loop;
    auto token = std::make_shared<int>(0);
    Handle h = loop.callSoon([token] {});
    TimerHandle t = loop.callLater(10.0, [token] {});
    QCOMPARE(token.use_count(), 3);
    h.cancel();
    QCOMPARE(token.use_count(), 2);
    t.cancel();
    QCOMPARE(token.use_count(), 1);
}

void TestLoopOrdering::callbackCancellingItselfIsReleasedAfterItReturns()
{
    Loop loop;
    auto token = std::make_shared<int>(0);
    Handle self;
    long useCountInside = 0;
    self = loop.callSoon([&, token] {
        self.cancel();
        // Still alive while it runs.
        useCountInside = token.use_count();
    });
    loop.stop();
    loop.runForever();
    QCOMPARE(useCountInside, 2L);
    QCOMPARE(token.use_count(), 1L);
}

void TestLoopOrdering::handleDescribesItsCallback()
{
    Loop loop;
    Handle h = loop.callSoon([] {});
    QVERIFY(!h.isNull());
    QAIO_VERIFY_CONTAINS(h.callbackName(), "handleDescribesItsCallback");
    QAIO_VERIFY_CONTAINS(h.toString(), "<Handle");
    h.cancel();
    QAIO_VERIFY_CONTAINS(h.toString(), "cancelled");
    TimerHandle t = loop.callAt(12345.5, [] {});
    QAIO_VERIFY_CONTAINS(t.toString(), "when=12345.500000");
    t.cancel();
    QVERIFY(Handle().isNull());
    QVERIFY(!Handle().cancelled());
    Handle copy = h;
    QVERIFY(copy == h);
    QVERIFY(!(copy == Handle(t)));
}

void TestLoopOrdering::dueTimersRunAfterCallbacksAlreadyQueued()
{
    Loop loop;
    Seq seq;
    loop.callSoon([&] { seq.push_back(1); });
    loop.callLater(0, [&] { seq.push_back(3); });
    loop.callAt(loop.time() - 10, [&] { seq.push_back(4); }); // in the past: due at once
    loop.callSoon([&] { seq.push_back(2); });
    loop.stop();
    loop.runForever();
    // asyncio: the ready queue first, then the timers that became due; the
    // earlier deadline (in the past) first among those.
    QCOMPARE(seq, (Seq{1, 2, 4, 3}));
}

void TestLoopOrdering::equalDeadlinesFireInSchedulingOrder()
{
    Loop loop;
    Seq seq;
    const double when = loop.time() + 0.005;
    for (int i = 0; i < 50; ++i)
        loop.callAt(when, [&seq, i] { seq.push_back(i); });
    loop.callAt(when + 0.001, [&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop));
    Seq expected;
    for (int i = 0; i < 50; ++i)
        expected.push_back(i);
    QCOMPARE(seq, expected);
}

void TestLoopOrdering::timersFireInDeadlineOrder()
{
    Loop loop;
    Seq seq;
    const double base = loop.time();
    // Scheduled in a scrambled order; they must fire sorted by deadline.
    const int order[] = {7, 2, 9, 0, 5, 3, 8, 1, 6, 4};
    for (int i : order)
        loop.callAt(base + 0.001 * (i + 1), [&seq, i] { seq.push_back(i); });
    loop.callAt(base + 0.02, [&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seq, (Seq{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

void TestLoopOrdering::cancelledTimerIsSkipped()
{
    Loop loop;
    Seq seq;
    loop.callLater(0.001, [&] { seq.push_back(1); });
    TimerHandle t = loop.callLater(0.002, [&] { seq.push_back(2); });
    loop.callLater(0.003, [&] { seq.push_back(3); });
    loop.callLater(0.010, [&] { loop.stop(); });
    t.cancel();
    QVERIFY(t.cancelled());
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seq, (Seq{1, 3}));
}

void TestLoopOrdering::timerCancelledByEarlierTimerInSameBatchIsSkipped()
{
    Loop loop;
    Seq seq;
    const double when = loop.time() + 0.003;
    TimerHandle second;
    loop.callAt(when, [&] {
        seq.push_back(1);
        second.cancel();
    });
    second = loop.callAt(when, [&] { seq.push_back(2); });
    loop.callAt(when, [&] {
        seq.push_back(3);
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seq, (Seq{1, 3}));
}

void TestLoopOrdering::runUntilCompleteReturnsTheResult()
{
    Loop loop;
    Future<int> f = loop.createFuture<int>();
    loop.callLater(0.002, [f]() mutable { f.setResult(42); });
    QCOMPARE(loop.runUntilComplete(f), 42);
    QVERIFY(!loop.isRunning());

    Future<QString> s = loop.createFuture<QString>();
    loop.callSoon([s]() mutable { s.setResult(QStringLiteral("hello")); });
    QCOMPARE(loop.runUntilComplete(s), QStringLiteral("hello"));
}

void TestLoopOrdering::runUntilCompleteVoidFuture()
{
    Loop loop;
    Future<void> f = loop.createFuture();
    bool set = false;
    loop.callSoon([&, f]() mutable {
        f.setResult();
        set = true;
    });
    loop.runUntilComplete(f);
    QVERIFY(set);
    QVERIFY(f.done());
}

void TestLoopOrdering::runUntilCompleteRethrowsTheException()
{
    Loop loop;
    Future<int> f = loop.createFuture<int>();
    loop.callSoon([f]() mutable { f.setException(std::out_of_range("boom")); });
    QAIO_VERIFY_THROWS(std::out_of_range, "boom", loop.runUntilComplete(f));
    QVERIFY(!loop.isRunning());
}

void TestLoopOrdering::runUntilCompleteThrowsWhenStoppedEarly()
{
    Loop loop;
    Future<int> f = loop.createFuture<int>();
    loop.callSoon([&] { loop.stop(); });
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop stopped before Future completed.",
                       loop.runUntilComplete(f));
    QVERIFY(!f.done());
}

void TestLoopOrdering::runUntilCompleteOnDoneFuture()
{
    Loop loop;
    Future<int> f = loop.createFuture<int>();
    f.setResult(7);
    Seq seq;
    loop.callSoon([&] {
        seq.push_back(1);
        loop.callSoon([&] { seq.push_back(2); });
    });
    QCOMPARE(loop.runUntilComplete(f), 7);
    // The stopping done-callback runs in the first iteration, which ends the run.
    QCOMPARE(seq, (Seq{1}));
}

void TestLoopOrdering::runUntilCompleteRemovesItsDoneCallback()
{
    Loop loop;
    Future<int> f = loop.createFuture<int>();
    loop.callSoon([&] { loop.stop(); });
    QAIO_VERIFY_THROWS(RuntimeError, "stopped before", loop.runUntilComplete(f));
    QCOMPARE(f.statePtr()->callbacks.size(), std::size_t(0));

    // Completing the future later must not stop an unrelated runForever().
    Seq seq;
    loop.callSoon([&, f]() mutable {
        f.setResult(1);
        seq.push_back(1);
        loop.callSoon([&] {
            seq.push_back(2);
            loop.callSoon([&] {
                seq.push_back(3);
                loop.stop();
            });
        });
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seq, (Seq{1, 2, 3}));
}

void TestLoopOrdering::runUntilCompleteMoveOnlyResult()
{
    Loop loop;
    Future<std::unique_ptr<int>> f = loop.createFuture<std::unique_ptr<int>>();
    loop.callSoon([f]() mutable { f.setResult(std::make_unique<int>(99)); });
    std::unique_ptr<int> p = loop.runUntilComplete(f);
    QVERIFY(p);
    QCOMPARE(*p, 99);
}

void TestLoopOrdering::runUntilCompleteRejectsBadFutures()
{
    Loop loop;
    Loop other;
    Future<int> foreign = other.createFuture<int>();
    QAIO_VERIFY_THROWS(ValueError, "different loop", loop.runUntilComplete(foreign));
    QAIO_VERIFY_THROWS(ValueError, "null", loop.runUntilComplete(Future<int>()));
    QVERIFY(!loop.isRunning());
}

void TestLoopOrdering::runUntilCompleteCancelledFuture()
{
    Loop loop;
    Future<int> f = loop.createFuture<int>();
    loop.callSoon([f]() mutable { f.cancel(QStringLiteral("bye")); });
    bool caught = false;
    try {
        loop.runUntilComplete(f);
    } catch (const CancelledError &e) {
        caught = true;
        QCOMPARE(e.message(), QStringLiteral("bye"));
    }
    QVERIFY(caught);
}

void TestLoopOrdering::isRunningOnlyWhileRunning()
{
    Loop loop;
    QVERIFY(!loop.isRunning());
    std::vector<bool> inside;
    loop.callSoon([&] { inside.push_back(loop.isRunning()); });
    loop.callLater(0.001, [&] {
        inside.push_back(loop.isRunning());
        loop.stop();
        inside.push_back(loop.isRunning()); // still running until the batch ends
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(inside, (std::vector<bool>{true, true, true}));
    QVERIFY(!loop.isRunning());
}

QTEST_GUILESS_MAIN(TestLoopOrdering)
#include "tst_loop_ordering.moc"
