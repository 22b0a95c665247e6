// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_threads — callSoonThreadsafe under load and as a wake-up, debug
// mode's foreign-thread checks, loops in threads Qt did not create.
#include "testutil.h"

#include <qaio/loop.h>

#include <QtCore/QEventLoop>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QtTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using namespace qaio;
using namespace std::chrono_literals;

class TestLoopThreads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void threadsafeCallsFromFourThreadsAreNotLostAndFifoPerThread();
    void threadsafeCallsWithPausesWakeTheLoopEachTime();
    void threadsafeCallWakesAnIdleRunForever();
    void threadsafeCallWakesAnIdleQEventLoop();
    void threadsafeCallBeforeTheLoopRuns();
    void threadsafeCallPassesArguments();
    void threadsafeHandleCanBeCancelled();
    void debugModeRejectsForeignCallSoon();
    void debugModeRejectsForeignTimersAndWatchers();
    void debugModeAllowsThreadsafeCallFromForeignThread();
    void runForeverFromAnotherThreadThrows();
    void noRunningLoopInAFreshThread();
    void loopInAStdThread();
};

void TestLoopThreads::threadsafeCallsFromFourThreadsAreNotLostAndFifoPerThread()
{
    constexpr int Threads = 4;
    constexpr int PerThread = 100000;
    Loop loop;
    std::vector<int> last(Threads, -1);
    int total = 0;
    int outOfOrder = 0;
    std::atomic<bool> go{false};
    std::vector<std::thread> senders;
    for (int t = 0; t < Threads; ++t) {
        senders.emplace_back([&, t] {
            while (!go.load())
                std::this_thread::yield();
            for (int i = 0; i < PerThread; ++i) {
                loop.callSoonThreadsafe(
                    [&](int thread, int seq) {
                        if (seq != last[thread] + 1)
                            ++outOfOrder;
                        last[thread] = seq;
                        if (++total == Threads * PerThread)
                            loop.stop();
                    },
                    t, i);
            }
        });
    }
    // Start sending once the loop runs, so that calls race with its iterations.
    loop.callSoon([&] { go = true; });
    const bool finished = testutil::runWithTimeout(loop, 60.0);
    go = true;
    for (std::thread &s : senders)
        s.join();
    QVERIFY(finished);
    QCOMPARE(total, Threads * PerThread);
    QCOMPARE(outOfOrder, 0);
    for (int t = 0; t < Threads; ++t)
        QCOMPARE(last[t], PerThread - 1);
}

void TestLoopThreads::threadsafeCallsWithPausesWakeTheLoopEachTime()
{
    // The loop goes idle between bursts: every burst must wake it again.
    constexpr int Bursts = 20;
    Loop loop;
    std::atomic<int> received{0};
    std::vector<int> order;
    std::thread sender([&] {
        for (int b = 0; b < Bursts; ++b) {
            std::this_thread::sleep_for(2ms);
            for (int i = 0; i < 3; ++i) {
                loop.callSoonThreadsafe([&, n = b * 3 + i] {
                    order.push_back(n);
                    if (++received == Bursts * 3)
                        loop.stop();
                });
            }
        }
    });
    const bool finished = testutil::runWithTimeout(loop, 30.0);
    sender.join();
    QVERIFY(finished);
    QCOMPARE(received.load(), Bursts * 3);
    std::vector<int> expected;
    for (int n = 0; n < Bursts * 3; ++n)
        expected.push_back(n);
    QCOMPARE(order, expected);
}

void TestLoopThreads::threadsafeCallWakesAnIdleRunForever()
{
    Loop loop;
    double sentAt = 0;
    double ranAt = 0;
    bool ran = false;
    std::thread sender([&] {
        std::this_thread::sleep_for(50ms);
        sentAt = loop.time();
        loop.callSoonThreadsafe([&] {
            ranAt = loop.time();
            ran = true;
            loop.stop();
        });
    });
    // No qaio timer at all: only the wake-up can end runForever. A Qt timer far
    // away is the safety net should the wake-up be lost.
    bool timedOut = false;
    QObject context;
    QTimer::singleShot(20000, &context, [&] {
        timedOut = true;
        loop.stop();
    });
    loop.runForever();
    sender.join();
    QVERIFY(!timedOut);
    QVERIFY(ran);
    QVERIFY2(ranAt - sentAt < 2.0, qPrintable(QString::number(ranAt - sentAt)));
    QVERIFY(ranAt >= sentAt);
}

void TestLoopThreads::threadsafeCallWakesAnIdleQEventLoop()
{
    Loop loop;
    QEventLoop qtLoop;
    double sentAt = 0;
    double ranAt = 0;
    std::thread sender([&] {
        std::this_thread::sleep_for(50ms);
        sentAt = loop.time();
        loop.callSoonThreadsafe([&] {
            ranAt = loop.time();
            qtLoop.quit();
        });
    });
    QTimer::singleShot(20000, &qtLoop, [&] { qtLoop.exit(1); });
    const int rc = qtLoop.exec();
    sender.join();
    QCOMPARE(rc, 0);
    QVERIFY2(ranAt - sentAt < 2.0, qPrintable(QString::number(ranAt - sentAt)));
}

void TestLoopThreads::threadsafeCallBeforeTheLoopRuns()
{
    Loop loop;
    std::vector<int> seq;
    std::thread sender([&] {
        loop.callSoonThreadsafe([&] { seq.push_back(1); });
        loop.callSoonThreadsafe([&] { seq.push_back(2); });
    });
    sender.join();
    QVERIFY(seq.empty());
    loop.callSoonThreadsafe([&] { loop.stop(); }); // from the loop's own thread too
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seq, (std::vector<int>{1, 2}));
}

void TestLoopThreads::threadsafeCallPassesArguments()
{
    Loop loop;
    QString got;
    std::thread sender([&] {
        loop.callSoonThreadsafe(
            [&](const QString &a, int b) {
                got = a + QString::number(b);
                loop.stop();
            },
            QStringLiteral("x"), 5);
    });
    QVERIFY(testutil::runWithTimeout(loop));
    sender.join();
    QCOMPARE(got, QStringLiteral("x5"));
}

void TestLoopThreads::threadsafeHandleCanBeCancelled()
{
    Loop loop;
    bool ran = false;
    Handle h;
    std::thread sender([&] { h = loop.callSoonThreadsafe([&] { ran = true; }); });
    sender.join();
    h.cancel();
    loop.callSoon([&] { loop.callSoon([&] { loop.stop(); }); });
    QVERIFY(testutil::runWithTimeout(loop));
    QVERIFY(!ran);
}

void TestLoopThreads::debugModeRejectsForeignCallSoon()
{
    Loop loop;
    loop.setDebug(true);
    QVERIFY(loop.getDebug());
    QString soonError;
    bool ran = false;
    std::thread foreign([&] {
        soonError = testutil::whatOf<RuntimeError>([&] { loop.callSoon([&] { ran = true; }); });
    });
    foreign.join();
    QAIO_VERIFY_CONTAINS(soonError, "Non-thread-safe operation");
    QAIO_VERIFY_CONTAINS(soonError, "callSoon");
    // The rejected callback was not queued.
    loop.stop();
    loop.runForever();
    QVERIFY(!ran);
    // From the loop's own thread callSoon is fine in debug mode.
    loop.callSoon([&] { ran = true; });
    loop.stop();
    loop.runForever();
    QVERIFY(ran);
}

void TestLoopThreads::debugModeRejectsForeignTimersAndWatchers()
{
    Loop loop;
    loop.setDebug(true);
    QString laterError, atError, readerError, writerError, removeError;
    std::thread foreign([&] {
        laterError = testutil::whatOf<RuntimeError>([&] { loop.callLater(0.01, [] {}); });
        atError = testutil::whatOf<RuntimeError>([&] { loop.callAt(loop.time(), [] {}); });
        readerError = testutil::whatOf<RuntimeError>([&] { loop.addReader(0, [] {}); });
        writerError = testutil::whatOf<RuntimeError>([&] { loop.addWriter(1, [] {}); });
        removeError = testutil::whatOf<RuntimeError>([&] { loop.removeReader(0); });
    });
    foreign.join();
    QAIO_VERIFY_CONTAINS(laterError, "Non-thread-safe operation");
    QAIO_VERIFY_CONTAINS(atError, "Non-thread-safe operation");
    QAIO_VERIFY_CONTAINS(readerError, "addReader");
    QAIO_VERIFY_CONTAINS(writerError, "addWriter");
    QAIO_VERIFY_CONTAINS(removeError, "removeReader");
}

void TestLoopThreads::debugModeAllowsThreadsafeCallFromForeignThread()
{
    Loop loop;
    loop.setDebug(true);
    bool ran = false;
    bool threw = true;
    std::thread foreign([&] {
        try {
            loop.callSoonThreadsafe([&] {
                ran = true;
                loop.stop();
            });
            threw = false;
        } catch (const std::exception &) {
        }
    });
    foreign.join();
    QVERIFY(!threw);
    QVERIFY(testutil::runWithTimeout(loop));
    QVERIFY(ran);
}

void TestLoopThreads::runForeverFromAnotherThreadThrows()
{
    Loop loop;
    QString error;
    std::thread foreign([&] {
        error = testutil::whatOf<RuntimeError>([&] { loop.runForever(); });
    });
    foreign.join();
    QAIO_VERIFY_CONTAINS(error, "another thread");
    QVERIFY(!loop.isRunning());
}

void TestLoopThreads::noRunningLoopInAFreshThread()
{
    Loop loop;
    QString error;
    Loop *seen = &loop;
    loop.callSoon([&] {
        // While this thread's loop runs, another thread has none.
        std::thread other([&] {
            seen = runningLoopOrNull();
            error = testutil::whatOf<RuntimeError>([] { getRunningLoop(); });
        });
        other.join();
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(seen, nullptr);
    QAIO_VERIFY_CONTAINS(error, "no running event loop");
}

void TestLoopThreads::loopInAStdThread()
{
    // A thread Qt merely adopts gets a dispatcher when the Loop is created.
    std::atomic<bool> ran{false};
    std::atomic<bool> timerRan{false};
    std::atomic<bool> sameLoop{false};
    std::atomic<bool> threadOk{false};
    QString failure;
    std::thread worker([&] {
        try {
            Loop loop;
            threadOk = loop.thread() == QThread::currentThread();
            loop.callSoon([&] {
                ran = true;
                sameLoop = &getRunningLoop() == &loop;
            });
            loop.callLater(0.002, [&] {
                timerRan = true;
                loop.stop();
            });
            loop.runForever();
        } catch (const std::exception &e) {
            failure = QString::fromUtf8(e.what());
        }
    });
    worker.join();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QVERIFY(threadOk);
    QVERIFY(ran);
    QVERIFY(sameLoop);
    QVERIFY(timerRan);
}

QTEST_GUILESS_MAIN(TestLoopThreads)
#include "tst_loop_threads.moc"
