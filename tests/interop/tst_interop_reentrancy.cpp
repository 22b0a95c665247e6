// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_interop_reentrancy — a task that blocks in a modal QDialog::exec()
// keeps every other task running (the dialog's nested loop runs qaio), and no
// task is ever stepped re-entrantly: each task's steps stay strictly apart,
// the current task is right in every step, and the blocked task resumes in
// order once the dialog closes.
#include "interoputil.h"

#include <qaio/qaio.h>
#include <qaio/qfuture.h>

#include <QtConcurrent/QtConcurrent>
#include <QtCore/QThreadPool>
#include <QtCore/QTimer>
#include <QtTest/QtTest>
#include <QtWidgets/QApplication>
#include <QtWidgets/QDialog>

#include <algorithm>
#include <functional>

using namespace qaio;

namespace {

// Per-task bookkeeping: how deep its steps nest (must stay 1) and how often it ran.
struct Ticker
{
    int ticks = 0;
    int depth = 0;
    int maxDepth = 0;
    bool wrongCurrentTask = false;
};

// Marks one step of a task: from a resumption to the next suspension.
class StepScope
{
public:
    explicit StepScope(Ticker &t) : m_t(t)
    {
        ++m_t.depth;
        m_t.maxDepth = std::max(m_t.maxDepth, m_t.depth);
    }
    ~StepScope() { --m_t.depth; }
    StepScope(const StepScope &) = delete;
    StepScope &operator=(const StepScope &) = delete;

private:
    Ticker &m_t;
};

// Ticks on qaio timers.
Coro<void> sleepTicker(Ticker *t, const bool *stop)
{
    const TaskBase self = currentTask();
    while (!*stop) {
        {
            StepScope step(*t);
            ++t->ticks;
            if (!(currentTask() == self))
                t->wrongCurrentTask = true;
        }
        co_await qaio::sleep(0.002);
    }
}

// Ticks on futures that a Qt timer (not qaio) resolves.
Coro<void> qtTimerTicker(Ticker *t, const bool *stop)
{
    const TaskBase self = currentTask();
    Loop &loop = getRunningLoop();
    while (!*stop) {
        {
            StepScope step(*t);
            ++t->ticks;
            if (!(currentTask() == self))
                t->wrongCurrentTask = true;
        }
        Future<void> tick = loop.createFuture<void>();
        QTimer::singleShot(2, [tick]() mutable {
            if (!tick.done())
                tick.setResult();
        });
        co_await tick;
    }
}

// Ticks on QFutures computed in a thread pool.
Coro<void> threadPoolTicker(Ticker *t, const bool *stop, QThreadPool *pool)
{
    const TaskBase self = currentTask();
    while (!*stop) {
        {
            StepScope step(*t);
            ++t->ticks;
            if (!(currentTask() == self))
                t->wrongCurrentTask = true;
        }
        co_await QtConcurrent::run(pool, [] { QThread::msleep(1); });
    }
}

struct DialogRun
{
    Ticker ticker;
    int result = -1;
    QList<int> ticksAtOpen;
    QList<int> ticksAtClose;
    bool continued = false;
    bool currentTaskRestored = false;
    bool sawCancel = false;
};

Coro<void> dialogTask(QDialog *dialog, DialogRun *run, QList<Ticker *> others)
{
    const TaskBase self = currentTask();
    co_await qaio::sleep(0.01); // let the others start
    {
        StepScope step(run->ticker);
        for (Ticker *t : others)
            run->ticksAtOpen << t->ticks;
        run->result = dialog->exec(); // blocks this step; the nested loop runs the others
        run->currentTaskRestored = currentTask() == self;
    }
    try {
        co_await qaio::sleep(0.002);
    } catch (const CancelledError &) {
        run->sawCancel = true;
        throw;
    }
    StepScope step(run->ticker);
    run->continued = true;
}

// Calls fn() once the dialog is on screen (polled on qaio timers).
void whenVisible(Loop &loop, QDialog &dialog, std::function<void()> fn)
{
    if (dialog.isVisible()) {
        fn();
        return;
    }
    loop.callLater(0.002, [&loop, &dialog, fn = std::move(fn)]() mutable {
        whenVisible(loop, dialog, std::move(fn));
    });
}

// What was logged, less debug mode's (QAIO_DEBUG=1) warning about the slow
// step that ran the dialog.
QStringList problemsBesidesSlowSteps(const interop::LogCapture &log)
{
    QStringList problems = log.problems();
    problems.removeIf([](const QString &p) {
        return p.contains(QStringLiteral("Executing ")) && p.contains(QStringLiteral(" took "));
    });
    return problems;
}

} // namespace

class TestInteropReentrancy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modalDialogInTaskKeepsTasksTicking();
    void cancelDuringModalDialogArrivesAfterExec();

private:
    QThreadPool m_pool;
};

void TestInteropReentrancy::modalDialogInTaskKeepsTasksTicking()
{
    QVERIFY(qobject_cast<QApplication *>(QCoreApplication::instance()));
    Loop loop;
    interop::Reports reports(loop);
    interop::LogCapture log;
    QDialog dialog;
    bool stop = false;
    Ticker a, b, c;
    DialogRun run;
    auto ta = loop.createTask(sleepTicker(&a, &stop));
    auto tb = loop.createTask(qtTimerTicker(&b, &stop));
    auto tc = loop.createTask(threadPoolTicker(&c, &stop, &m_pool));
    auto td = loop.createTask(dialogTask(&dialog, &run, {&a, &b, &c}));
    bool visibleAtClose = false;
    // A qaio timer closes the dialog 0.2 s after it opened.
    whenVisible(loop, dialog, [&] {
        loop.callLater(0.2, [&] {
            visibleAtClose = dialog.isVisible();
            run.ticksAtClose = {a.ticks, b.ticks, c.ticks};
            dialog.accept();
        });
    });
    QTimer::singleShot(10000, &dialog, [&] { dialog.reject(); }); // safety net
    QVERIFY(interop::runUntil(loop, [&] { return td.done(); }));
    stop = true;
    QVERIFY(interop::runUntil(loop, [&] { return ta.done() && tb.done() && tc.done(); }));

    QVERIFY(visibleAtClose);
    QCOMPARE(run.result, int(QDialog::Accepted));
    QVERIFY(run.continued);
    QVERIFY(run.currentTaskRestored);
    td.result();
    // Every other task kept ticking while the dialog was open.
    QCOMPARE(run.ticksAtOpen.size(), 3);
    QCOMPARE(run.ticksAtClose.size(), 3);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(run.ticksAtClose[i] >= run.ticksAtOpen[i] + 5,
                 qPrintable(QStringLiteral("ticker %1: %2 -> %3")
                                .arg(i)
                                .arg(run.ticksAtOpen[i])
                                .arg(run.ticksAtClose[i])));
    // ... and no task's steps ever nested.
    for (const Ticker *t : {&a, &b, &c, &run.ticker}) {
        QCOMPARE(t->maxDepth, 1);
        QVERIFY(!t->wrongCurrentTask);
    }
    QCOMPARE(reports.messages(), QStringList());
    QCOMPARE(problemsBesidesSlowSteps(log), QStringList());
    m_pool.waitForDone();
}

void TestInteropReentrancy::cancelDuringModalDialogArrivesAfterExec()
{
    Loop loop;
    interop::Reports reports(loop);
    interop::LogCapture log;
    QDialog dialog;
    bool stop = false;
    Ticker a;
    DialogRun run;
    auto ta = loop.createTask(sleepTicker(&a, &stop));
    auto td = loop.createTask(dialogTask(&dialog, &run, {&a}));
    // Cancelled while it is blocked inside exec() (mid-step): it is not stepped
    // there; the CancelledError arrives at its next co_await.
    whenVisible(loop, dialog, [&] {
        loop.callLater(0.02, [&] { td.cancel(QStringLiteral("closing")); });
        loop.callLater(0.1, [&] { dialog.accept(); });
    });
    QTimer::singleShot(10000, &dialog, [&] { dialog.reject(); });
    QVERIFY(interop::runUntil(loop, [&] { return td.done(); }));
    stop = true;
    QVERIFY(interop::runUntil(loop, [&] { return ta.done(); }));
    QVERIFY(td.cancelled());
    QCOMPARE(run.result, int(QDialog::Accepted));
    QVERIFY(run.currentTaskRestored);
    QVERIFY(run.sawCancel);
    QVERIFY(!run.continued);
    QCOMPARE(run.ticker.maxDepth, 1);
    QCOMPARE(a.maxDepth, 1);
    QVERIFY(a.ticks > run.ticksAtOpen.value(0) + 5);
    QCOMPARE(reports.messages(), QStringList());
    QCOMPARE(problemsBesidesSlowSteps(log), QStringList());
}

QTEST_MAIN(TestInteropReentrancy)
#include "tst_interop_reentrancy.moc"
