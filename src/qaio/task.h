// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/task.h — Task<T>: a Future that drives a Coro<T> on the loop.
///
/// As asyncio.Task: createTask() schedules the first step with callSoon; each
/// step resumes the coroutine until it awaits something pending; cancel(msg)
/// cancels what the task awaits (or, if it awaits nothing, throws CancelledError
/// at its next suspension); uncancel() and cancelling() count requests as in
/// Python 3.11+. The loop keeps every pending task alive, so a task runs to the
/// end even if nobody holds its handle; allTasks() lists them.
#pragma once

#include <qaio/coro.h>
#include <qaio/future.h>
#include <qaio/global.h>
#include <qaio/loop.h>

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

#include <chrono>
#include <coroutine>
#include <functional>
#include <limits>
#include <memory>
#include <source_location>

namespace qaio {

class TaskBase;
template<class T>
class Task;

/// One frame of Task::getStack(): the coroutine function suspended there.
struct StackFrame
{
    const void *address = nullptr; ///< the coroutine frame
    QString function;              ///< e.g. "qaio::Coro<int> fetch(QString)"
    QString file;                  ///< where the coroutine function is defined
    int line = 0; ///< the line there
};

} // namespace qaio

#include <qaio/impl/task.h>

namespace qaio {

/// A coroutine scheduled on a loop (asyncio.Task): a Future<T> that runs a Coro<T>; from createTask().
template<class T>
class Task : public Future<T>, public detail::TaskMethods<Task<T>>
{
public:
    /// The shared state type (internal).
    using State = detail::TaskState<T>;
    Task() noexcept = default;
    /// Internal: wraps existing task state.
    explicit Task(std::shared_ptr<State> state) noexcept
        : Future<T>(std::static_pointer_cast<detail::FutureState<T>>(std::move(state)))
    {
    }
    /// The same task, type-erased.
    operator TaskBase() const;
};

/// A Task of any T: what currentTask(), allTasks() and task factories hand out.
class TaskBase : public FutureBase, public detail::TaskMethods<TaskBase>
{
public:
    TaskBase() noexcept = default;
    /// Internal: wraps existing task state.
    explicit TaskBase(std::shared_ptr<detail::FutureStateBase> state) : FutureBase(std::move(state))
    {
        if (d && !d->taskCore())
            throw TypeError("TaskBase: the future is not a task");
    }
};

template<class T>
Task<T>::operator TaskBase() const
{
    return TaskBase(this->statePtr());
}

/// How createTask starts each new task (asyncio's task factory). It may rename
/// or record the task; it starts it with task.start() or task.startEagerly()
/// (if it calls neither, the task is started normally).
using TaskFactory = std::function<void(Loop &, TaskBase &)>;
/// Sets how `loop` creates tasks (asyncio's set_task_factory); an empty factory restores the default.
QAIO_EXPORT void setTaskFactory(Loop &loop, TaskFactory factory);
/// The task factory of `loop` (empty: the default).
QAIO_EXPORT TaskFactory getTaskFactory(Loop &loop);
/// asyncio.eager_task_factory: each task's first step runs inside createTask.
QAIO_EXPORT void eagerTaskFactory(Loop &loop, TaskBase &task);

/// Wraps `coro` in a task on `loop` and schedules it (callSoon).
template<class T>
Task<T> createTask(Loop &loop, Coro<T> coro, const QString &name = {},
                   std::source_location where = std::source_location::current())
{
    if (!coro.isValid())
        throw ValueError("createTask(): the coroutine is empty (moved from or already awaited)");
    if (loop.isClosed())
        throw RuntimeError("Event loop is closed");
    if (coro.handle().promise().started)
        throw RuntimeError("createTask(): the coroutine was already awaited");
    auto state = std::make_shared<detail::TaskState<T>>(detail::sharedImpl(loop));
    auto frame = coro.release();
    state->core.init(frame, frame.promise(), &detail::completeTask<T>, name, where);
    detail::startNewTask(loop, state->core);
    return Task<T>(std::move(state));
}

/// The same, on the running loop (RuntimeError if none).
template<class T>
Task<T> createTask(Coro<T> coro, const QString &name = {},
                   std::source_location where = std::source_location::current())
{
    return createTask(getRunningLoop(), std::move(coro), name, where);
}

/// asyncio.ensure_future: a future stays as it is; a coroutine becomes a task.
template<class T>
Future<T> ensureFuture(Future<T> future)
{
    return future;
}
/// ensureFuture for a task: the task itself.
template<class T>
Task<T> ensureFuture(Task<T> task)
{
    return task;
}
/// ensureFuture for a coroutine: a task running it on the current loop.
template<class T>
Task<T> ensureFuture(Coro<T> coro)
{
    return createTask(std::move(coro));
}
/// ensureFuture for a coroutine: a task running it on `loop`.
template<class T>
Task<T> ensureFuture(Coro<T> coro, Loop &loop)
{
    return createTask(loop, std::move(coro));
}

} // namespace qaio

#include <qaio/impl/task_futures.h>

namespace qaio {

/// The task running now, or a null TaskBase outside any task.
QAIO_EXPORT TaskBase currentTask();
/// The pending tasks of `loop` (default: the running loop).
QAIO_EXPORT QList<TaskBase> allTasks();
/// The pending tasks of `loop`.
QAIO_EXPORT QList<TaskBase> allTasks(Loop &loop);

namespace detail {
QAIO_EXPORT Coro<void> sleepSeconds(double delay);
}

/// asyncio.sleep: suspends the task for `delay` seconds (0 or less: yields
/// once; infinity: until cancelled). A template so that, under `using namespace
/// qaio`, sleep(1) picks this over POSIX `sleep(unsigned)` (in the global namespace).
template<class D>
    requires std::is_arithmetic_v<D>
Coro<void> sleep(D delay)
{
    return detail::sleepSeconds(static_cast<double>(delay));
}
/// sleep() with a std::chrono duration.
template<class Rep, class Period>
Coro<void> sleep(std::chrono::duration<Rep, Period> delay)
{
    return detail::sleepSeconds(std::chrono::duration<double>(delay).count());
}
/// sleep() that returns `result` afterwards.
template<class T>
Coro<T> sleep(double delay, T result)
{
    co_await detail::sleepSeconds(delay);
    co_return std::move(result);
}

// ---- Loop members that need Coro and Task ----

template<class T>
Task<T> Loop::createTask(Coro<T> coro, const QString &name, std::source_location where)
{
    return qaio::createTask(*this, std::move(coro), name, where);
}

template<class T>
decltype(auto) Loop::runUntilComplete(Coro<T> coro)
{
    return runUntilComplete(Future<T>(qaio::createTask(*this, std::move(coro))));
}

} // namespace qaio
