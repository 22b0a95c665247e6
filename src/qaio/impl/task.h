// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/task.h — the machinery behind qaio/task.h; not part of the API.
//
// Included by qaio/task.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

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

} // namespace qaio
