// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_far_timers — any finite delay is a valid timer: a deadline centuries
// (or 1e300 seconds) away is accepted, never fires, and leaves the loop working,
// on both backends. Non-finite delays are a ValueError (tst_loop_errors).
#include "qaio_test.h"

#include <qaio/loop.h>
#include <qaio/task.h>
#include <qaio/timeouts.h>

#include <QtTest/QtTest>

#include <limits>

using namespace qaio;

class TestLoopFarTimers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void farTimersNeverFireAndNearOnesStillDo_data();
    void farTimersNeverFireAndNearOnesStillDo();
    void farCallAtIsAccepted();
    void farSleepIsCancellable();
    void farWaitForReturnsTheResult();
};

void TestLoopFarTimers::farTimersNeverFireAndNearOnesStillDo_data()
{
    QTest::addColumn<double>("delay");
    QTest::newRow("1e10 s (beyond int64 nanoseconds)") << 1e10;
    QTest::newRow("1e20 s") << 1e20;
    QTest::newRow("DBL_MAX / 2") << std::numeric_limits<double>::max() / 2;
    QTest::newRow("30 days (beyond int milliseconds)") << 30.0 * 86400;
}

void TestLoopFarTimers::farTimersNeverFireAndNearOnesStillDo()
{
    QFETCH(double, delay);
    Loop loop;
    bool farFired = false;
    int nearFired = 0;
    TimerHandle far = loop.callLater(delay, [&] { farFired = true; });
    QVERIFY(far.when() > loop.time());
    // The far timer heads the heap while these are scheduled and after they fire.
    loop.callLater(0.01, [&] { ++nearFired; });
    loop.callLater(0.02, [&] {
        ++nearFired;
        loop.stop();
    });
    QVERIFY(qaiotest::runWithTimeout(loop, 5.0));
    QCOMPARE(nearFired, 2);
    QVERIFY(!farFired);
    // Still usable: another round of near timers with the far one pending.
    loop.callLater(0.005, [&] { loop.stop(); });
    QVERIFY(qaiotest::runWithTimeout(loop, 5.0));
    QVERIFY(!farFired);
    far.cancel();
    loop.close();
}

void TestLoopFarTimers::farCallAtIsAccepted()
{
    Loop loop;
    bool farFired = false;
    TimerHandle far = loop.callAt(1e300, [&] { farFired = true; });
    QCOMPARE(far.when(), 1e300);
    loop.callLater(0.01, [&] { loop.stop(); });
    QVERIFY(qaiotest::runWithTimeout(loop, 5.0));
    QVERIFY(!farFired);
    far.cancel();
    loop.close();
}

void TestLoopFarTimers::farSleepIsCancellable()
{
    Loop loop;
    auto sleeper = loop.createTask(qaio::sleep(1e10));
    loop.callLater(0.01, [&] { sleeper.cancel(); });
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(sleeper));
    loop.close();
}

void TestLoopFarTimers::farWaitForReturnsTheResult()
{
    Loop loop;
    auto future = loop.createFuture<int>();
    loop.callLater(0.01, [&] { future.setResult(42); });
    QCOMPARE(loop.runUntilComplete(waitFor(future, 1e10)), 42);
    loop.close();
}

QTEST_GUILESS_MAIN(TestLoopFarTimers)
#include "tst_loop_far_timers.moc"
