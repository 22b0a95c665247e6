// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_qt — one loop with Qt: Qt's event loops run qaio callbacks and
// timers, runForever() runs Qt's events, nested and modal loops keep qaio
// going, and a Loop works inside a worker QThread.
#include "testutil.h"

#include <qaio/loop.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QEvent>
#include <QtCore/QEventLoop>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QtTest>
#include <QtWidgets/QApplication>
#include <QtWidgets/QDialog>

#include <atomic>
#include <memory>
#include <vector>

using namespace qaio;
using Seq = std::vector<int>;

namespace {
const QEvent::Type TestEventType = static_cast<QEvent::Type>(QEvent::registerEventType());

class EventRecorder : public QObject
{
public:
    std::function<void(int)> onEvent;

protected:
    bool event(QEvent *e) override
    {
        if (e->type() == TestEventType) {
            onEvent(++received);
            return true;
        }
        return QObject::event(e);
    }

public:
    int received = 0;
};

class Emitter : public QObject
{
    Q_OBJECT
Q_SIGNALS:
    void fired(int value);
};
} // namespace

class TestLoopQt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void qeventLoopRunsCallbacksAndTimers();
    void coreApplicationExecRunsCallbacksAndTimers();
    void qtestWaitRunsCallbacks();
    void orderingHoldsUnderQEventLoop();
    void runningLoopIsSetInCallbacksDrivenByQt();
    void runForeverProcessesPostedEvents();
    void runForeverProcessesQueuedSignals();
    void runForeverProcessesQTimers();
    void nestedEventLoopInCallbackKeepsQaioRunning();
    void nestedEventLoopInTimerCallbackKeepsQaioRunning();
    void nestedEventLoopCanStopRunForever();
    void modalDialogKeepsQaioRunning();
    void loopInsideWorkerQThread();
    void loopInsideQThreadSubclass();
    void twoLoopsInTwoThreadsAreIndependent();
};

void TestLoopQt::qeventLoopRunsCallbacksAndTimers()
{
    Loop loop;
    QEventLoop qtLoop;
    Seq seq;
    loop.callSoon([&] { seq.push_back(1); });
    loop.callLater(0.005, [&] { seq.push_back(3); });
    loop.callLater(0.010, [&] {
        seq.push_back(4);
        qtLoop.quit();
    });
    loop.callSoon([&] { seq.push_back(2); });
    QTimer::singleShot(5000, &qtLoop, [&] { qtLoop.exit(1); });
    QCOMPARE(qtLoop.exec(), 0);
    QCOMPARE(seq, (Seq{1, 2, 3, 4}));
    QVERIFY(!loop.isRunning());
}

void TestLoopQt::coreApplicationExecRunsCallbacksAndTimers()
{
    Loop loop;
    Seq seq;
    loop.callSoon([&] { seq.push_back(1); });
    loop.callLater(0.005, [&] {
        seq.push_back(2);
        QCoreApplication::exit(7);
    });
    QTimer::singleShot(5000, qApp, [] { QCoreApplication::exit(1); });
    QCOMPARE(QCoreApplication::exec(), 7);
    QCOMPARE(seq, (Seq{1, 2}));
}

void TestLoopQt::qtestWaitRunsCallbacks()
{
    Loop loop;
    bool ran = false;
    bool timerRan = false;
    loop.callSoon([&] { ran = true; });
    loop.callLater(0.001, [&] { timerRan = true; });
    QTRY_VERIFY_WITH_TIMEOUT(ran && timerRan, 5000);
}

void TestLoopQt::orderingHoldsUnderQEventLoop()
{
    Loop loop;
    QEventLoop qtLoop;
    Seq seq;
    loop.callSoon([&] {
        seq.push_back(1);
        loop.callSoon([&] {
            seq.push_back(3);
            qtLoop.quit();
        });
    });
    loop.callSoon([&] { seq.push_back(2); });
    QTimer::singleShot(5000, &qtLoop, [&] { qtLoop.exit(1); });
    QCOMPARE(qtLoop.exec(), 0);
    QCOMPARE(seq, (Seq{1, 2, 3}));
}

void TestLoopQt::runningLoopIsSetInCallbacksDrivenByQt()
{
    Loop loop;
    QEventLoop qtLoop;
    Loop *running = nullptr;
    bool isRunning = false;
    loop.callSoon([&] {
        running = &getRunningLoop();
        isRunning = loop.isRunning();
        qtLoop.quit();
    });
    QTimer::singleShot(5000, &qtLoop, [&] { qtLoop.exit(1); });
    QCOMPARE(qtLoop.exec(), 0);
    QCOMPARE(running, &loop);
    QVERIFY(isRunning);
    QCOMPARE(runningLoopOrNull(), nullptr);
}

void TestLoopQt::runForeverProcessesPostedEvents()
{
    Loop loop;
    EventRecorder recorder;
    Seq seq;
    recorder.onEvent = [&](int n) {
        seq.push_back(n);
        if (n == 3)
            loop.stop();
    };
    for (int i = 0; i < 3; ++i)
        QCoreApplication::postEvent(&recorder, new QEvent(TestEventType));
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(seq, (Seq{1, 2, 3}));

    // Posted from a qaio callback while the loop runs.
    loop.callSoon([&] { QCoreApplication::postEvent(&recorder, new QEvent(TestEventType)); });
    recorder.onEvent = [&](int n) {
        seq.push_back(n);
        loop.stop();
    };
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(seq, (Seq{1, 2, 3, 4}));
}

void TestLoopQt::runForeverProcessesQueuedSignals()
{
    Loop loop;
    Emitter emitter;
    QObject receiver;
    Seq seq;
    QObject::connect(
        &emitter, &Emitter::fired, &receiver,
        [&](int value) {
            seq.push_back(value);
            if (value == 2)
                loop.stop();
        },
        Qt::QueuedConnection);
    bool deliveredSynchronously = true;
    loop.callSoon([&] {
        Q_EMIT emitter.fired(1);
        Q_EMIT emitter.fired(2);
        deliveredSynchronously = !seq.empty();
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QVERIFY(!deliveredSynchronously);
    QCOMPARE(seq, (Seq{1, 2}));
}

void TestLoopQt::runForeverProcessesQTimers()
{
    Loop loop;
    int ticks = 0;
    QTimer timer;
    timer.setInterval(1);
    QObject::connect(&timer, &QTimer::timeout, &timer, [&] {
        if (++ticks == 5) {
            timer.stop();
            loop.stop();
        }
    });
    timer.start();
    bool singleShot = false;
    QTimer::singleShot(0, &timer, [&] { singleShot = true; });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(ticks, 5);
    QVERIFY(singleShot);
}

void TestLoopQt::nestedEventLoopInCallbackKeepsQaioRunning()
{
    Loop loop;
    // Declared here so that a failure cannot leave callbacks with a dangling loop.
    QEventLoop nested;
    QStringList seq;
    loop.callSoon([&] {
        seq << QStringLiteral("outer-start");
        loop.callSoon([&] { seq << QStringLiteral("soon-in-nested"); });
        loop.callLater(0.010, [&] {
            seq << QStringLiteral("timer-in-nested");
            loop.callSoon([&] {
                seq << QStringLiteral("quit-nested");
                nested.quit();
            });
        });
        QTimer::singleShot(5000, &nested, [&] { nested.exit(1); });
        const int rc = nested.exec();
        seq << QStringLiteral("outer-end=%1").arg(rc);
        loop.callSoon([&] {
            seq << QStringLiteral("after");
            loop.stop();
        });
    });
    // Queued in the same batch as the outer callback: the nested loop finishes
    // that batch before it starts a new one.
    loop.callSoon([&] { seq << QStringLiteral("same-batch"); });
    QVERIFY(testutil::runWithTimeout(loop, 10.0));
    QCOMPARE(seq, (QStringList{QStringLiteral("outer-start"), QStringLiteral("same-batch"),
                              QStringLiteral("soon-in-nested"), QStringLiteral("timer-in-nested"),
                              QStringLiteral("quit-nested"), QStringLiteral("outer-end=0"),
                              QStringLiteral("after")}));
}

void TestLoopQt::nestedEventLoopInTimerCallbackKeepsQaioRunning()
{
    Loop loop;
    // Declared here so that a failure cannot leave callbacks with a dangling loop.
    QEventLoop nested;
    QStringList seq;
    // Entered from a timer (not from a callSoon wake-up).
    loop.callLater(0.002, [&] {
        seq << QStringLiteral("outer-start");
        loop.callSoon([&] { seq << QStringLiteral("soon-in-nested"); });
        loop.callLater(0.005, [&] {
            seq << QStringLiteral("timer-in-nested");
            nested.quit();
        });
        QTimer::singleShot(5000, &nested, [&] { nested.exit(1); });
        const int rc = nested.exec();
        seq << QStringLiteral("outer-end=%1").arg(rc);
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop, 10.0));
    QCOMPARE(seq, (QStringList{QStringLiteral("outer-start"), QStringLiteral("soon-in-nested"),
                              QStringLiteral("timer-in-nested"), QStringLiteral("outer-end=0")}));
}

void TestLoopQt::nestedEventLoopCanStopRunForever()
{
    Loop loop;
    // Declared here so that a failure cannot leave callbacks with a dangling loop.
    QEventLoop nested;
    QStringList seq;
    loop.callSoon([&] {
        loop.callSoon([&] {
            seq << QStringLiteral("stop-in-nested");
            loop.stop();
            nested.quit();
        });
        QTimer::singleShot(5000, &nested, [&] { nested.exit(1); });
        seq << QStringLiteral("nested=%1").arg(nested.exec());
    });
    QVERIFY(testutil::runWithTimeout(loop, 10.0));
    QCOMPARE(seq, (QStringList{QStringLiteral("stop-in-nested"), QStringLiteral("nested=0")}));
    QVERIFY(!loop.isRunning());
}

void TestLoopQt::modalDialogKeepsQaioRunning()
{
    QVERIFY(qobject_cast<QApplication *>(QCoreApplication::instance()));
    Loop loop;
    QDialog dialog;
    int ticks = 0;
    QStringList seq;
    int dialogResult = -1;
    // A chain of callbacks runs while the dialog is modal; its last link
    // closes the dialog from a qaio timer.
    std::function<void()> tick = [&] {
        ++ticks;
        if (ticks < 3) {
            loop.callSoon(tick);
            return;
        }
        loop.callLater(0.010, [&] {
            seq << QStringLiteral("accept visible=%1 ticks=%2").arg(dialog.isVisible()).arg(ticks);
            dialog.accept();
        });
    };
    loop.callSoon([&] {
        loop.callSoon(tick);
        QTimer::singleShot(5000, &dialog, [&] { dialog.reject(); });
        seq << QStringLiteral("exec");
        dialogResult = dialog.exec();
        seq << QStringLiteral("after-exec");
        loop.callSoon([&] {
            seq << QStringLiteral("outer-continues");
            loop.stop();
        });
    });
    QVERIFY(testutil::runWithTimeout(loop, 10.0));
    QCOMPARE(dialogResult, int(QDialog::Accepted));
    QCOMPARE(seq, (QStringList{QStringLiteral("exec"), QStringLiteral("accept visible=1 ticks=3"),
                              QStringLiteral("after-exec"), QStringLiteral("outer-continues")}));
}

namespace {
struct WorkerReport
{
    std::atomic<bool> ran{false};
    std::atomic<bool> runningLoopMatches{false};
    std::atomic<bool> threadMatches{false};
    std::atomic<bool> timerRan{false};
    std::atomic<bool> qtTimerRan{false};
    std::atomic<bool> futureResult{false};
    std::atomic<bool> noRunningLoopAfter{false};
    QThread *loopThread = nullptr;
};

void workerBody(WorkerReport &report)
{
    Loop loop;
    report.loopThread = loop.thread();
    report.threadMatches = loop.thread() == QThread::currentThread();
    loop.callSoon([&] {
        report.ran = true;
        report.runningLoopMatches = &getRunningLoop() == &loop;
    });
    // A Qt timer starts a qaio timer, which completes the future.
    Future<int> f = loop.createFuture<int>();
    QTimer::singleShot(1, [&, f] {
        report.qtTimerRan = true;
        loop.callLater(0.002, [&, f]() mutable {
            report.timerRan = true;
            f.setResult(11);
        });
    });
    report.futureResult = loop.runUntilComplete(f) == 11;
    report.noRunningLoopAfter = runningLoopOrNull() == nullptr;
}

class WorkerThread : public QThread
{
public:
    WorkerReport report;

protected:
    void run() override { workerBody(report); }
};
} // namespace

void TestLoopQt::loopInsideWorkerQThread()
{
    WorkerReport report;
    std::unique_ptr<QThread> thread(QThread::create([&] { workerBody(report); }));
    thread->start();
    QVERIFY(thread->wait(10000));
    QVERIFY(report.ran);
    QVERIFY(report.runningLoopMatches);
    QVERIFY(report.threadMatches);
    QCOMPARE(report.loopThread, thread.get());
    QVERIFY(report.timerRan);
    QVERIFY(report.qtTimerRan);
    QVERIFY(report.futureResult);
    QVERIFY(report.noRunningLoopAfter);
    // Nothing leaked into this thread.
    QCOMPARE(runningLoopOrNull(), nullptr);
}

void TestLoopQt::loopInsideQThreadSubclass()
{
    WorkerThread thread;
    thread.start();
    QVERIFY(thread.wait(10000));
    QVERIFY(thread.report.ran);
    QVERIFY(thread.report.runningLoopMatches);
    QCOMPARE(thread.report.loopThread, static_cast<QThread *>(&thread));
    QVERIFY(thread.report.timerRan);
    QVERIFY(thread.report.futureResult);
}

void TestLoopQt::twoLoopsInTwoThreadsAreIndependent()
{
    // The main thread's loop runs while a worker's loop runs; each sees its own
    // running loop and the worker reports back with callSoonThreadsafe.
    Loop loop;
    std::atomic<bool> workerSawOwnLoop{false};
    Seq seq;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        Loop worker;
        worker.callSoon([&] {
            workerSawOwnLoop = &getRunningLoop() == &worker;
            loop.callSoonThreadsafe([&] {
                seq.push_back(getRunningLoop().isRunning() && &getRunningLoop() == &loop);
                loop.stop();
            });
            worker.stop();
        });
        worker.runForever();
    }));
    loop.callSoon([&] { thread->start(); });
    QVERIFY(testutil::runWithTimeout(loop, 10.0));
    QVERIFY(thread->wait(10000));
    QVERIFY(workerSawOwnLoop);
    QCOMPARE(seq, (Seq{1}));
}

QTEST_MAIN(TestLoopQt)
#include "tst_loop_qt.moc"
