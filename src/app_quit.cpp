// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// app_quit.cpp — quitting the QCoreApplication finishes the loop's tasks.
//
// A loop made in the application's thread connects to aboutToQuit, which Qt 6
// emits inside QCoreApplication::exit()/quit() before it ends the event loops.
// There it cancels every pending task and runs the loop (a nested Qt event
// loop, like a modal dialog's) until they have finished: their catch blocks
// and destructors run before exec() returns, and nothing is reported as
// "Task was destroyed but it is pending". The task that called quit() cannot
// finish inside its own step: it is cancelled too and finished by close().
#include "loop_p.h"

#include <qaio/task.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qthread.h>

#include <algorithm>
#include <utility>

namespace qaio::detail {

namespace {

class AppQuit final : public LoopExtension
{
public:
    static constexpr int closeOrder = 0; // first: it may still run the loop
    explicit AppQuit(LoopImpl &loop) : m_loop(loop) {}

    void connect(QCoreApplication *app)
    {
        m_connection = QObject::connect(app, &QCoreApplication::aboutToQuit, app,
                                        [this] { onAboutToQuit(); }, Qt::DirectConnection);
    }
    void closing() override
    {
        QObject::disconnect(m_connection);
        // The task that called QCoreApplication::quit() was cancelled in
        // aboutToQuit but could not finish there: let it (and what it awaits) end.
        if (std::exchange(m_finishOnClose, false) && m_loop.owner
            && QThread::currentThread() == m_loop.thread)
            cancelAndFinishTasks();
    }

private:
    void onAboutToQuit()
    {
        if (m_loop.isClosed() || !m_loop.owner)
            return;
        cancelAndFinishTasks();
    }
    void cancelAndFinishTasks();

    LoopImpl &m_loop;
    QMetaObject::Connection m_connection;
    bool m_finishOnClose = false; // a task that called quit() is still finishing
};

void AppQuit::cancelAndFinishTasks()
{
    Loop &loop = *m_loop.owner;
    TaskCore *self = currentTaskCore();
    if (self && &self->loop() != &loop)
        self = nullptr;
    QList<TaskBase> pending = allTasks(loop);
    if (pending.isEmpty())
        return;
    // In creation order (the registry lists the newest first).
    std::sort(pending.begin(), pending.end(), [](const TaskBase &a, const TaskBase &b) {
        return a.statePtr()->taskCore()->number < b.statePtr()->taskCore()->number;
    });
    for (TaskBase &task : pending)
        task.cancel();
    // Run the loop until every task but the one now running is done. The
    // QEventLoop lives on the heap: a done-callback may come after a second
    // exit() ended it early.
    auto spin = std::make_shared<QEventLoop>();
    auto remaining = std::make_shared<qsizetype>(0);
    for (TaskBase &task : pending) {
        if (task.done() || (self && task.statePtr().get() == &self->future))
            continue;
        ++*remaining;
        task.addDoneCallback([spin, remaining](const FutureBase &) {
            if (--*remaining == 0)
                spin->quit();
        });
    }
    if (*remaining > 0)
        spin->exec();
    m_finishOnClose = self != nullptr;
}

} // namespace

// Called by Loop's constructor: a loop in the application's thread finishes
// its tasks when the application quits.
void watchApplicationQuit(LoopImpl &loop)
{
    QCoreApplication *app = QCoreApplication::instance();
    if (!app || app->thread() != loop.thread)
        return;
    loop.extension<AppQuit>().connect(app);
}

} // namespace qaio::detail
