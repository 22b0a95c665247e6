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

#include <QtCore/qcoreapplication.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qthread.h>

#include <algorithm>

namespace qaio::detail {

void LoopImpl::connectAboutToQuit()
{
    QCoreApplication *app = QCoreApplication::instance();
    if (!app || app->thread() != thread)
        return;
    quitConnection = QObject::connect(app, &QCoreApplication::aboutToQuit, app,
                                      [this] { onAboutToQuit(); }, Qt::DirectConnection);
}

void LoopImpl::disconnectAboutToQuit()
{
    QObject::disconnect(quitConnection);
}

void LoopImpl::cancelAndFinishTasks()
{
    TaskCore *self = currentTaskCore();
    if (self && &self->loop() != owner)
        self = nullptr;
    QList<TaskBase> pending;
    for (TaskCore *t = tasks; t; t = t->next)
        pending.append(TaskBase(t->future.shared_from_this()));
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
    finishOnClose = self != nullptr;
}

void LoopImpl::onAboutToQuit()
{
    if (closed.load() || !owner)
        return;
    cancelAndFinishTasks();
}

} // namespace qaio::detail
