// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// task.cpp — stepping coroutines, cancellation, and the loop's task registry.
#include "loop_p.h"
#include "error_util.h"

#include <qaio/task.h>

#include <QtCore/qloggingcategory.h>


#include <atomic>
#include <cmath>
#include <cstdlib>

namespace qaio {

namespace detail {

Loop *exchangeRunningLoop(Loop *loop) noexcept; // loop.cpp

namespace {
thread_local TaskCore *t_currentTask = nullptr;
std::atomic<quint64> g_taskCounter{0};

QString functionName(const PromiseBase *promise)
{
    return QString::fromUtf8(promise->where.function_name());
}
} // namespace

quint64 nextTaskNumber()
{
    return g_taskCounter.fetch_add(1, std::memory_order_relaxed) + 1;
}

QString TaskCore::displayName() const
{
    // Formatted on demand: most tasks are never asked for their name.
    return name.isEmpty() ? QStringLiteral("Task-%1").arg(number) : name;
}

TaskCore *currentTaskCore() noexcept
{
    return t_currentTask;
}

Loop &taskLoop(TaskCore *task)
{
    return task->loop();
}

TaskCore::~TaskCore()
{
    if (top)
        top.destroy();
}

Loop &TaskCore::loop() const
{
    Loop *owner = future.loop->owner;
    if (!owner)
        throw RuntimeError("the task's event loop has been destroyed");
    return *owner;
}

void TaskCore::init(std::coroutine_handle<> frame, PromiseBase &promise,
                    void (*completeFn)(TaskCore &), const QString &taskName,
                    const std::source_location &where)
{
    top = frame;
    topPromise = &promise;
    resumePoint = frame;
    complete = completeFn;
    promise.task = this;
    promise.started = true;
    name = taskName;
    number = nextTaskNumber();
    createdAt = where;

    LoopImpl &impl = *future.loop;
    next = impl.tasks;
    if (next)
        next->prev = this;
    impl.tasks = this;
    keepAlive = future.shared_from_this();
}

namespace {
// Unlinks the task from its loop and drops the loop's reference. The caller
// must hold its own reference: this may be the last one.
void unregisterTask(TaskCore &task)
{
    LoopImpl &impl = *task.future.loop;
    if (task.prev)
        task.prev->next = task.next;
    else if (impl.tasks == &task)
        impl.tasks = task.next;
    if (task.next)
        task.next->prev = task.prev;
    task.prev = task.next = nullptr;
    task.keepAlive.reset();
}
} // namespace

void TaskCore::start()
{
    if (started)
        return;
    started = true;
    scheduleStep();
}

void TaskCore::startEagerly()
{
    if (started)
        return;
    started = true;
    step();
}

void TaskCore::scheduleStep()
{
    Handle handle(makeCallbackNode<HandleNode>([this] { step(); }));
    future.loop->scheduleSoon(handle.node());
}

void TaskCore::step()
{
    if (future.done() || !top)
        return;
    if (stepping) {
        // Cannot happen through qaio's own awaiters; refuse rather than corrupt the frame.
        qCCritical(lcQaio).noquote() << "refusing to step" << describe() << "re-entrantly";
        return;
    }
    auto keep = future.shared_from_this();
    stepping = true;
    TaskCore *previousTask = std::exchange(t_currentTask, this);
    Loop *previousLoop = exchangeRunningLoop(future.loop->owner);
    resumePoint.resume();
    exchangeRunningLoop(previousLoop);
    t_currentTask = previousTask;
    stepping = false;
    if (top.done())
        complete(*this);
}

void TaskCore::finish(std::exception_ptr error)
{
    auto keep = future.shared_from_this();
    std::exchange(top, nullptr).destroy();
    topPromise = nullptr;
    resumePoint = nullptr;
    QString message;
    if (error && isCancelledError(error, &message)) {
        future.cancelFuture(message);
    } else if (error) {
        future.setException(error);
    } else if (mustCancel) {
        // The task was cancelled but its coroutine returned without awaiting again.
        mustCancel = false;
        future.cancelFuture(mustCancelMessage);
    } else {
        future.finish();
    }
    unregisterTask(*this);
}

bool TaskCore::cancel(const QString &message)
{
    if (future.done())
        return false;
    ++cancelsRequested;
    if (waiter.isValid() && waiter.cancel(message))
        return true;
    // Nothing to cancel right now: throw at the next step instead.
    mustCancel = true;
    mustCancelMessage = message;
    return true;
}

int TaskCore::uncancel()
{
    if (cancelsRequested > 0 && --cancelsRequested == 0)
        mustCancel = false;
    return cancelsRequested;
}

void TaskCore::abandon()
{
    auto keep = future.shared_from_this();
    ExceptionContext context;
    context.message = QStringLiteral("Task was destroyed but it is pending!");
    context.future = FutureBase(keep);
    future.loop->callExceptionHandler(context);
    if (waiter.isValid()) {
        waiter.removeDoneCallback(waiterCallback);
        waiter = FutureBase();
    }
    // Its done-callbacks can never run now; dropping them breaks reference cycles.
    future.callbacks.clear();
    auto frame = std::exchange(top, nullptr);
    topPromise = nullptr;
    resumePoint = nullptr;
    unregisterTask(*this);
    if (frame)
        frame.destroy(); // runs the destructors of every suspended frame's locals
}

QList<StackFrame> TaskCore::stack() const
{
    QList<StackFrame> frames;
    if (!top)
        return frames;
    const void *address = top.address();
    for (const PromiseBase *p = topPromise; p; p = p->child) {
        frames.append({address, functionName(p), QString::fromUtf8(p->where.file_name()),
                       int(p->where.line())});
        address = p->childFrame ? p->childFrame.address() : nullptr;
    }
    return frames;
}

QString TaskCore::describe() const
{
    QString state;
    switch (future.state) {
    case FutureStateBase::State::Pending:
        state = cancelsRequested > 0 ? QStringLiteral("cancelling") : QStringLiteral("pending");
        break;
    case FutureStateBase::State::Cancelled:
        state = QStringLiteral("cancelled");
        break;
    case FutureStateBase::State::Finished:
        state = QStringLiteral("finished");
        break;
    }
    QString text = QStringLiteral("<Task %1 name='%2'").arg(state, displayName());
    if (topPromise)
        text += QStringLiteral(" coro=<%1>").arg(functionName(topPromise));
    if (future.loop->debug && createdAt.line() != 0)
        text += QStringLiteral(" created at %1:%2")
                    .arg(QString::fromUtf8(createdAt.file_name()))
                    .arg(createdAt.line());
    return text + QLatin1Char('>');
}

void startNewTask(Loop &loop, TaskCore &core)
{
    LoopImpl &impl = *loop.impl();
    if (impl.taskFactory) {
        TaskBase task(core.future.shared_from_this());
        try {
            impl.taskFactory(loop, task);
        } catch (...) {
            if (!core.started) {
                // Never ran: drop it silently, as if createTask had not been called.
                auto frame = std::exchange(core.top, nullptr);
                unregisterTask(core);
                frame.destroy();
            }
            throw;
        }
    }
    if (!core.started)
        core.start();
}

// ---- awaiters ----

void PromiseBase::InitialAwaiter::await_resume() const
{
    // Only a task's own coroutine, on its first step: asyncio throws the
    // CancelledError into a coroutine that has not started.
    TaskCore *t = promise.task;
    if (t && !promise.continuation && t->mustCancel) {
        t->mustCancel = false;
        throw CancelledError(t->mustCancelMessage);
    }
}

void FutureAwaiterBase::await_suspend(std::coroutine_handle<> awaiting)
{
    if (!m_task) {
        m_future.addDoneCallback([awaiting](const FutureBase &) { awaiting.resume(); });
        return;
    }
    if (m_future.statePtr()->loop != m_task->future.loop)
        throw RuntimeError(QStringLiteral("%1 got a Future attached to a different loop")
                               .arg(m_task->describe()));
    if (m_future.statePtr().get() == &m_task->future)
        throw RuntimeError(QStringLiteral("Task cannot await on itself: %1").arg(m_task->describe()));
    m_suspended = true;
    m_task->resumePoint = awaiting;
    m_task->waiter = m_future;
    TaskCore *task = m_task;
    m_task->waiterCallback = m_future.addDoneCallback([task](const FutureBase &) { task->wakeup(); });
    if (m_task->mustCancel && m_future.cancel(m_task->mustCancelMessage))
        m_task->mustCancel = false;
}

void FutureAwaiterBase::resumed()
{
    if (!m_task || !m_suspended)
        return;
    m_task->waiter = FutureBase();
    m_task->waiterCallback = 0;
    if (m_task->mustCancel) {
        m_task->mustCancel = false;
        throw CancelledError(m_task->mustCancelMessage);
    }
}

void YieldAwaiter::await_suspend(std::coroutine_handle<> awaiting)
{
    if (task) {
        task->resumePoint = awaiting;
        task->scheduleStep();
    } else {
        getRunningLoop().callSoon([awaiting] { awaiting.resume(); });
    }
}

void YieldAwaiter::await_resume()
{
    if (task && task->mustCancel) {
        task->mustCancel = false;
        throw CancelledError(task->mustCancelMessage);
    }
}

} // namespace detail

// ---- LoopImpl's part of the registry ----

void detail::LoopImpl::abandonPendingTasks()
{
    while (tasks)
        tasks->abandon();
}

// ---- public functions ----

void setTaskFactory(Loop &loop, TaskFactory factory)
{
    loop.impl()->taskFactory = std::move(factory);
}

TaskFactory getTaskFactory(Loop &loop)
{
    return loop.impl()->taskFactory;
}

void eagerTaskFactory(Loop &, TaskBase &task)
{
    task.startEagerly();
}

TaskBase currentTask()
{
    if (detail::TaskCore *t = detail::t_currentTask)
        return TaskBase(t->future.shared_from_this());
    return TaskBase();
}

QList<TaskBase> allTasks(Loop &loop)
{
    QList<TaskBase> result;
    for (detail::TaskCore *t = loop.impl()->tasks; t; t = t->next)
        result.append(TaskBase(t->future.shared_from_this()));
    return result;
}

QList<TaskBase> allTasks()
{
    return allTasks(getRunningLoop());
}

Coro<void> detail::sleepSeconds(double delay)
{
    if (std::isnan(delay))
        throw ValueError("sleep(): the delay is NaN");
    if (delay <= 0) {
        co_await detail::YieldAwaiter{};
        co_return;
    }
    Loop &loop = getRunningLoop();
    auto wake = loop.createFuture<void>();
    TimerHandle timer;
    if (std::isfinite(delay)) {
        timer = loop.callLater(delay, [wake]() mutable {
            if (!wake.done())
                wake.setResult();
        });
    }
    struct CancelTimer
    {
        TimerHandle &timer;
        ~CancelTimer() { timer.cancel(); }
    } cancelTimer{timer};
    co_await wake;
}

} // namespace qaio
