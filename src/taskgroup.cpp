// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// taskgroup.cpp — TaskGroup's enter/exit logic, following asyncio/taskgroups.py.
#include <qaio/taskgroup.h>

#include "error_util.h"

#include <unordered_map>

namespace qaio {

struct TaskGroup::State
{
    Loop *loop = nullptr;
    TaskBase parent;
    std::unordered_map<const void *, TaskBase> tasks;
    std::vector<std::exception_ptr> errors;
    Future<void> onCompleted;
    bool entered = false;
    bool exiting = false;
    bool aborting = false;
    bool parentCancelRequested = false;

    void abort()
    {
        aborting = true;
        for (auto &[key, task] : tasks) {
            if (!task.done())
                task.cancel();
        }
    }

    void onTaskDone(const TaskBase &task)
    {
        tasks.erase(task.statePtr().get());
        if (onCompleted.isValid() && tasks.empty() && !onCompleted.done())
            onCompleted.setResult();
        if (task.cancelled())
            return;
        std::exception_ptr error = task.exception();
        if (!error)
            return;
        errors.push_back(error);
        if (parent.done()) {
            ExceptionContext context;
            context.message = QStringLiteral("Task %1 has errored out but its parent task %2 is "
                                             "already completed")
                                  .arg(task.toString(), parent.toString());
            context.exception = error;
            context.future = task;
            loop->callExceptionHandler(context);
            return;
        }
        if (!aborting && !parentCancelRequested) {
            // The first failure: cancel the siblings and the body.
            abort();
            parentCancelRequested = true;
            parent.cancel();
        }
    }
};

TaskGroup::TaskGroup() : d(std::make_shared<State>()) {}

Loop &TaskGroup::loop() const
{
    return *d->loop;
}

void TaskGroup::checkCanCreate() const
{
    if (!d->entered)
        throw RuntimeError(QStringLiteral("TaskGroup %1 has not been entered").arg(toString()));
    if (d->exiting && d->tasks.empty())
        throw RuntimeError(QStringLiteral("TaskGroup %1 is finished").arg(toString()));
    if (d->aborting)
        throw RuntimeError(QStringLiteral("TaskGroup %1 is shutting down").arg(toString()));
}

void TaskGroup::adopt(TaskBase task)
{
    // Even a task that is already done (an eager task) is tracked and reported
    // through its done-callback, one iteration later, as in asyncio
    // (gh-128550): handled at once, its failure would abort the group while a
    // task still being created (it ran this one eagerly) is not in the group
    // yet, and so never gets cancelled.
    d->tasks.emplace(task.statePtr().get(), task);
    std::weak_ptr<State> weak = d;
    task.addDoneCallback([weak](const FutureBase &f) {
        if (auto state = weak.lock())
            state->onTaskDone(TaskBase(f.statePtr()));
    });
}

void TaskGroup::enter()
{
    if (d->entered)
        throw RuntimeError("TaskGroup has already been entered");
    d->loop = &getRunningLoop();
    d->parent = currentTask();
    if (!d->parent.isValid())
        throw RuntimeError("TaskGroup cannot determine the parent task");
    d->entered = true;
}

Coro<void> TaskGroup::exit(std::exception_ptr error)
{
    auto state = d;
    state->exiting = true;
    const bool bodyCancelled = detail::isCancelledError(error);
    std::exception_ptr propagateCancel = bodyCancelled ? error : nullptr;
    if (error && !state->aborting)
        state->abort(); // the body failed or its task is being cancelled

    // A loop: the wait itself can be cancelled, repeatedly, from outside.
    while (!state->tasks.empty()) {
        if (!state->onCompleted.isValid())
            state->onCompleted = state->loop->createFuture<void>();
        try {
            co_await state->onCompleted;
        } catch (const CancelledError &) {
            if (!state->aborting) {
                propagateCancel = std::current_exception();
                state->abort();
            }
        }
        state->onCompleted = Future<void>();
    }

    if (state->parentCancelRequested) {
        // We cancelled our parent: withdraw that, and swallow the CancelledError
        // if no other cancellation is pending.
        if (state->parent.uncancel() == 0)
            propagateCancel = nullptr;
    }
    if (propagateCancel && state->errors.empty())
        std::rethrow_exception(propagateCancel);
    if (error && !bodyCancelled)
        state->errors.push_back(error);
    if (!state->errors.empty()) {
        if (state->parent.cancelling() > 0) {
            // Keep an outside cancellation's count stable across the raise.
            state->parent.uncancel();
            state->parent.cancel();
        }
        auto errors = std::move(state->errors);
        state->errors.clear();
        throw ExceptionGroup(QStringLiteral("unhandled errors in a TaskGroup"), std::move(errors));
    }
}

QString TaskGroup::toString() const
{
    QString text = QStringLiteral("<TaskGroup");
    if (!d->tasks.empty())
        text += QStringLiteral(" tasks=%1").arg(d->tasks.size());
    if (!d->errors.empty())
        text += QStringLiteral(" errors=%1").arg(d->errors.size());
    if (d->aborting)
        text += QStringLiteral(" cancelling");
    else if (d->entered)
        text += QStringLiteral(" entered");
    return text + QLatin1Char('>');
}

} // namespace qaio
