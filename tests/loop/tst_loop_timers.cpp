// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_timers — timers never fire early, sub-millisecond precision on the
// epoll backend, a million timers cost one Qt timer at most, cancelled timers
// are compacted as asyncio does, TimerHandle::when(), std::chrono delays.
#include "testutil.h"

#include "loop_p.h" // the test hooks: backend->qtTimerCount(), timerHeapSize()

#include <qaio/loop.h>

#include <QtCore/QRandomGenerator>
#include <QtTest/QtTest>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

using namespace qaio;
using namespace std::chrono_literals;

namespace {
bool isQtBackend(const Loop &loop)
{
    return std::strcmp(loop.impl()->backend->name(), "qt") == 0;
}
} // namespace

class TestLoopTimers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void timersNeverFireEarly();
    void subMillisecondDelayIsHonoured();
    void millionTimersCostAtMostOneQtTimer();
    void idleLoopHoldsNoQtTimer();
    void cancelledTimersAreCompacted();
    void fewCancelledTimersAreNotCompacted();
    void cancelledTimersAtTheHeadArePopped();
    void earlierTimerRearmsTheDeadline();
    void earlierTimerScheduledByCallbackRearmsTheDeadline();
    void timerHandleWhen();
    void callLaterAcceptsChronoDurations();
    void zeroAndNegativeDelaysRunInTheNextIteration();
    void repeatingTimerChainNeverRunsEarly();
    void timeIsMonotonicSteadyClock();
};

void TestLoopTimers::timersNeverFireEarly()
{
    constexpr int Count = 400;
    Loop loop;
    QRandomGenerator random(20240611);
    std::vector<TimerHandle> handles(Count);
    std::vector<double> lateness;
    std::vector<double> firedWhen;
    int early = 0;
    for (int i = 0; i < Count; ++i) {
        const double delay = random.bounded(20000) / 1e6; // 0 to 20 ms
        handles[i] = loop.callLater(delay, [&, i] {
            const double now = loop.time();
            if (now < handles[i].when())
                ++early;
            lateness.push_back(now - handles[i].when());
            firedWhen.push_back(handles[i].when());
            if (int(firedWhen.size()) == Count)
                loop.stop();
        });
    }
    QVERIFY(testutil::runWithTimeout(loop, 10.0));
    QCOMPARE(int(firedWhen.size()), Count);
    QCOMPARE(early, 0);
    QVERIFY(*std::min_element(lateness.begin(), lateness.end()) >= 0.0);
    // They fired in deadline order.
    QVERIFY(std::is_sorted(firedWhen.begin(), firedWhen.end()));
}

void TestLoopTimers::subMillisecondDelayIsHonoured()
{
    Loop loop;
    if (isQtBackend(loop))
        QSKIP("QAIO_BACKEND=qt waits with a QTimer, whose granularity is one millisecond");
    constexpr int Runs = 50;
    std::vector<double> lateness;
    for (int i = 0; i < Runs; ++i) {
        TimerHandle h;
        double late = -1;
        h = loop.callLater(0.0005, [&] {
            late = loop.time() - h.when();
            loop.stop();
        });
        QVERIFY(testutil::runWithTimeout(loop, 5.0));
        QVERIFY2(late >= 0, "the timer fired early");
        lateness.push_back(late);
    }
    std::sort(lateness.begin(), lateness.end());
    const double median = lateness[Runs / 2];
    QVERIFY2(median < 0.001, qPrintable(QStringLiteral("median lateness %1 ms").arg(median * 1e3)));
}

void TestLoopTimers::millionTimersCostAtMostOneQtTimer()
{
    constexpr int Count = 1000000;
    Loop loop;
    std::vector<TimerHandle> handles;
    handles.reserve(Count);
    int fired = 0;
    for (int i = 0; i < Count; ++i)
        handles.push_back(loop.callLater(1000.0 + i * 1e-6, [&fired] { ++fired; }));
    QCOMPARE(loop.impl()->timerHeapSize(), std::size_t(Count));
    QVERIFY(loop.impl()->backend->qtTimerCount() <= 1);
    // The loop runs with all of them pending.
    bool ran = false;
    loop.callSoon([&] { ran = true; });
    loop.stop();
    loop.runForever();
    QVERIFY(ran);
    QVERIFY(loop.impl()->backend->qtTimerCount() <= 1);

    for (TimerHandle &h : handles)
        h.cancel();
    // One iteration drops them all (compacted, as asyncio does).
    loop.stop();
    loop.runForever();
    QCOMPARE(loop.impl()->timerHeapSize(), std::size_t(0));
    QCOMPARE(loop.impl()->backend->qtTimerCount(), 0);
    // And the loop still works: timers and callbacks.
    std::vector<int> seq;
    loop.callSoon([&] { seq.push_back(1); });
    loop.callLater(0.001, [&] {
        seq.push_back(2);
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(seq, (std::vector<int>{1, 2}));
    QCOMPARE(fired, 0);
}

void TestLoopTimers::idleLoopHoldsNoQtTimer()
{
    Loop loop;
    TimerHandle h = loop.callLater(0.001, [&] { loop.stop(); });
    if (isQtBackend(loop))
        QCOMPARE(loop.impl()->backend->qtTimerCount(), 1);
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    // runWithTimeout cancelled its guard; one more iteration drops it.
    loop.stop();
    loop.runForever();
    QCOMPARE(loop.impl()->timerHeapSize(), std::size_t(0));
    QCOMPARE(loop.impl()->backend->qtTimerCount(), 0);
}

void TestLoopTimers::cancelledTimersAreCompacted()
{
    Loop loop;
    std::vector<TimerHandle> handles;
    for (int i = 0; i < 10000; ++i)
        handles.push_back(loop.callLater(1000.0 + i, [] {}));
    // Cancel 9,000 of them, the earliest ones included.
    for (int i = 0; i < 9000; ++i)
        handles[i].cancel();
    // Cancelling only flags: the heap is untouched until the next iteration.
    QCOMPARE(loop.impl()->timerHeapSize(), std::size_t(10000));
    loop.stop();
    loop.runForever();
    QCOMPARE(loop.impl()->timerHeapSize(), std::size_t(1000));
}

void TestLoopTimers::fewCancelledTimersAreNotCompacted()
{
    Loop loop;
    std::vector<TimerHandle> handles;
    for (int i = 0; i < 10000; ++i)
        handles.push_back(loop.callLater(1000.0 + i, [] {}));
    // 4,000 cancelled, none at the head: below asyncio's half-the-heap threshold.
    for (int i = 1; i < 8000; i += 2)
        handles[i].cancel();
    loop.stop();
    loop.runForever();
    QCOMPARE(loop.impl()->timerHeapSize(), std::size_t(10000));
    // Past the threshold, the next iteration compacts.
    for (int i = 8000; i < 10000; ++i)
        handles[i].cancel();
    loop.stop();
    loop.runForever();
    QCOMPARE(loop.impl()->timerHeapSize(), std::size_t(4000));
}

void TestLoopTimers::cancelledTimersAtTheHeadArePopped()
{
    Loop loop;
    std::vector<TimerHandle> handles;
    for (int i = 0; i < 10; ++i)
        handles.push_back(loop.callLater(1000.0 + i, [] {}));
    for (int i = 0; i < 4; ++i)
        handles[i].cancel();
    loop.stop();
    loop.runForever();
    // A small heap is not compacted, but its cancelled head is dropped.
    QCOMPARE(loop.impl()->timerHeapSize(), std::size_t(6));
}

void TestLoopTimers::earlierTimerRearmsTheDeadline()
{
    Loop loop;
    bool lateRan = false;
    bool earlyRan = false;
    loop.callLater(2.0, [&] { lateRan = true; });
    loop.callLater(0.005, [&] {
        earlyRan = true;
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop, 10.0));
    QVERIFY(earlyRan);
    // Had the loop kept waiting for the 2 s deadline, both would be due together.
    QVERIFY(!lateRan);
}

void TestLoopTimers::earlierTimerScheduledByCallbackRearmsTheDeadline()
{
    Loop loop;
    bool lateRan = false;
    bool earlyRan = false;
    loop.callLater(2.0, [&] { lateRan = true; });
    loop.callSoon([&] {
        loop.callLater(0.005, [&] {
            earlyRan = true;
            loop.stop();
        });
    });
    QVERIFY(testutil::runWithTimeout(loop, 10.0));
    QVERIFY(earlyRan);
    QVERIFY(!lateRan);
}

void TestLoopTimers::timerHandleWhen()
{
    Loop loop;
    TimerHandle at = loop.callAt(12345.25, [] {});
    QCOMPARE(at.when(), 12345.25);
    const double before = loop.time();
    TimerHandle later = loop.callLater(0.5, [] {});
    const double after = loop.time();
    QVERIFY(later.when() >= before + 0.5);
    QVERIFY(later.when() <= after + 0.5);
    QCOMPARE(TimerHandle().when(), 0.0);
    at.cancel();
    QVERIFY(at.cancelled());
    QCOMPARE(at.when(), 12345.25); // cancelling keeps when()
}

void TestLoopTimers::callLaterAcceptsChronoDurations()
{
    Loop loop;
    const double before = loop.time();
    TimerHandle ms = loop.callLater(5ms, [] {});
    TimerHandle us = loop.callLater(std::chrono::microseconds(1500), [] {});
    TimerHandle sec = loop.callLater(std::chrono::duration<double>(0.25), [] {});
    TimerHandle min = loop.callLater(std::chrono::minutes(2), [] {});
    const double after = loop.time();
    QVERIFY(ms.when() >= before + 0.005 && ms.when() <= after + 0.005);
    QVERIFY(us.when() >= before + 0.0015 && us.when() <= after + 0.0015);
    QVERIFY(sec.when() >= before + 0.25 && sec.when() <= after + 0.25);
    QVERIFY(min.when() >= before + 120 && min.when() <= after + 120);
    sec.cancel();
    min.cancel();

    // And they fire, not early, in order, with arguments.
    std::vector<int> seq;
    double firedAt = 0;
    loop.callLater(3ms, [&](int v) { seq.push_back(v); }, 3);
    TimerHandle last = loop.callLater(4ms, [&] {
        seq.push_back(4);
        firedAt = loop.time();
    });
    loop.callLater(6ms, [&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(seq, (std::vector<int>{3, 4}));
    QVERIFY(firedAt >= last.when());
}

void TestLoopTimers::zeroAndNegativeDelaysRunInTheNextIteration()
{
    Loop loop;
    std::vector<int> seq;
    loop.callLater(0, [&] { seq.push_back(1); });
    loop.callLater(-5.0, [&] { seq.push_back(0); }); // earlier deadline: first
    loop.callAt(0.0, [&] { seq.push_back(-1); });     // far in the past: earliest
    loop.stop();
    loop.runForever();
    QCOMPARE(seq, (std::vector<int>{-1, 0, 1}));
}

void TestLoopTimers::repeatingTimerChainNeverRunsEarly()
{
    Loop loop;
    constexpr int Ticks = 20;
    int ticks = 0;
    int early = 0;
    const double start = loop.time();
    std::function<void()> tick;
    TimerHandle current;
    tick = [&] {
        if (loop.time() < current.when())
            ++early;
        if (++ticks == Ticks) {
            loop.stop();
            return;
        }
        current = loop.callLater(0.001, tick);
    };
    current = loop.callLater(0.001, tick);
    QVERIFY(testutil::runWithTimeout(loop, 10.0));
    QCOMPARE(ticks, Ticks);
    QCOMPARE(early, 0);
    // Twenty 1 ms timers in sequence take at least 20 ms.
    QVERIFY(loop.time() - start >= Ticks * 0.001);
}

void TestLoopTimers::timeIsMonotonicSteadyClock()
{
    Loop loop;
    double previous = loop.time();
    for (int i = 0; i < 10000; ++i) {
        const double now = loop.time();
        QVERIFY(now >= previous);
        previous = now;
    }
    const double before = loop.time();
    std::this_thread::sleep_for(20ms);
    QVERIFY(loop.time() - before >= 0.020);
    // Same clock as std::chrono::steady_clock (CLOCK_MONOTONIC).
    const double steady =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    QVERIFY(std::abs(loop.time() - steady) < 0.5);
}

QTEST_GUILESS_MAIN(TestLoopTimers)
#include "tst_loop_timers.moc"
