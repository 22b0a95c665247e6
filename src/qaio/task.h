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

namespace detail {

// The type-independent state of a task; lives inside TaskState<T>.
class QAIO_EXPORT TaskCore
{
public:
    explicit TaskCore(FutureStateBase &future) : future(future) {}
    ~TaskCore();
    TaskCore(const TaskCore &) = delete;
    TaskCore &operator=(const TaskCore &) = delete;

    // Takes the coroutine frame and registers the task with its loop.
    void init(std::coroutine_handle<> frame, PromiseBase &promise, void (*completeFn)(TaskCore &),
              const QString &taskName, const std::source_location &where);
    bool cancel(const QString &message);
    int uncancel();
    void start();        // schedule the first step
    void startEagerly(); // run the first step now
    void scheduleStep();
    void step();
    void wakeup() { step(); }
    // After the top coroutine finished: settle the future from its outcome.
    void finish(std::exception_ptr error);
    // Loop closing with the task still pending: report it and free its frames.
    void abandon();
    QList<StackFrame> stack() const;
    QString describe() const;
    QString displayName() const;
    Loop &loop() const;

    FutureStateBase &future;
    std::coroutine_handle<> top;     // the task's own coroutine frame (owned)
    PromiseBase *topPromise = nullptr;
    std::coroutine_handle<> resumePoint; // where the next step resumes
    FutureBase waiter;                   // what the task is suspended on
    quint64 waiterCallback = 0;
    void (*complete)(TaskCore &) = nullptr;
    QString name;        // empty until set: displayName() then says "Task-<number>"
    quint64 number = 0;  // creation order, for the default name
    QString mustCancelMessage;
    std::source_location createdAt;
    int cancelsRequested = 0;
    bool mustCancel = false;
    bool stepping = false;
    bool started = false;

    // The loop's list of pending tasks; keepAlive is the loop's reference.
    TaskCore *prev = nullptr;
    TaskCore *next = nullptr;
    std::shared_ptr<FutureStateBase> keepAlive;
};

template<class T>
class TaskState final : public FutureState<T>
{
public:
    explicit TaskState(std::shared_ptr<LoopImpl> loop) : FutureState<T>(std::move(loop))
    {
        this->kind = "Task";
    }
    bool cancel(const QString &message) override { return core.cancel(message); }
    TaskCore *taskCore() noexcept override { return &core; }
    QString describe() const override { return core.describe(); }

    TaskCore core{*this};
};

template<class T>
void completeTask(TaskCore &core)
{
    auto frame = std::coroutine_handle<CoroPromise<T>>::from_address(core.top.address());
    std::exception_ptr error = frame.promise().exception;
    if constexpr (!std::is_void_v<T>) {
        if (!error && !core.mustCancel)
            static_cast<TaskState<T> &>(core.future).value.emplace(frame.promise().takeValue());
    }
    core.finish(error);
}

// Shared by Task<T> and TaskBase: the task-only part of the API.
template<class Derived>
class TaskMethods
{
public:
    QString getName() const { return core().displayName(); }
    void setName(const QString &name) { core().name = name; }
    // How many cancel() requests are outstanding (asyncio's cancelling()).
    int cancelling() const { return core().cancelsRequested; }
    // Withdraws one cancel() request; returns how many remain.
    int uncancel() { return core().uncancel(); }
    // The chain of coroutines the task is suspended in, outermost first.
    QList<StackFrame> getStack() const { return core().stack(); }
    // Where createTask was called (recorded for every task; shown in debug logs).
    std::source_location createdAt() const { return core().createdAt; }
    // For task factories: start the task (first step via callSoon), or run its
    // first step right now (asyncio's eager tasks).
    void start() { core().start(); }
    void startEagerly() { core().startEagerly(); }

private:
    TaskCore &core() const { return *static_cast<const Derived *>(this)->statePtr()->taskCore(); }
};

QAIO_EXPORT TaskCore *currentTaskCore() noexcept;
QAIO_EXPORT void startNewTask(Loop &loop, TaskCore &core);
QAIO_EXPORT quint64 nextTaskNumber();

// A scheduling point that yields to the loop once (asyncio's sleep(0)).
struct QAIO_EXPORT YieldAwaiter
{
    using QaioTaskAware = void;
    TaskCore *task = nullptr;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> awaiting);
    void await_resume();
};

} // namespace detail

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

namespace detail {
// A Future for a Future, Task or Coro (wrapped in a task on the running loop).
template<class A>
auto toFuture(A &&awaitable)
{
    using T = typename std::remove_cvref_t<A>::value_type;
    if constexpr (IsCoro<A>)
        return Future<T>(createTask(std::forward<A>(awaitable)));
    else
        return Future<T>(std::forward<A>(awaitable));
}

// A Coro that awaits a future (to run a future where a Coro is expected).
template<class T>
Coro<T> awaitFuture(Future<T> future)
{
    co_return co_await future;
}
} // namespace detail

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
