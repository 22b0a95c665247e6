// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/loop.h — Loop: asyncio's event loop, driven by the thread's Qt event dispatcher.
///
/// One Loop per thread. It needs no thread of its own and no polling timer: the
/// thread's QAbstractEventDispatcher (QCoreApplication::exec(), a QEventLoop, a
/// modal dialog's nested loop, or Loop::runForever() itself) runs its callbacks,
/// timers and I/O, and runForever() in turn processes Qt's events.
#pragma once

#include <qaio/exceptions.h>
#include <qaio/future.h>
#include <qaio/global.h>
#include <qaio/handle.h>

#include <QtCore/qstring.h>
#include <QtCore/qvariant.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <type_traits>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace qaio {

class Loop;
template<class T>
class Coro;
template<class T>
class Task;
class Executor;

/// What asyncio passes to an exception handler as its `context` dict. Keys that
/// do not apply stay empty; keys with no field here go into `extra`.
struct ExceptionContext
{
    QString message;             ///< always set
    std::exception_ptr exception; ///< the error, if there is one
    Handle handle;               ///< the callback that raised it
    FutureBase future;           ///< the future (or task) concerned
    QVariantMap extra;           ///< anything else ("socket", "transport", ...)
};

/// A loop's exception handler (asyncio's set_exception_handler argument).
using ExceptionHandler = std::function<void(Loop &, const ExceptionContext &)>;

/// How the loop waits for file descriptors and timers. Auto picks Epoll on Linux.
enum class LoopBackend {
    Auto,
    Epoll, // one epoll set, timerfd and eventfd behind a single QSocketNotifier: O(ready)
    Qt,    // portable: one QSocketNotifier per watched fd and one QTimer
};

/// Options of a Loop.
struct LoopOptions
{
    /// Auto also honours the QAIO_BACKEND environment variable ("epoll" or "qt").
    LoopBackend backend = LoopBackend::Auto;
};

/// An asyncio event loop on the thread's Qt event dispatcher (see loop.md).
class QAIO_EXPORT Loop
{
public:
    // A loop for the calling thread, which must have a Qt event dispatcher (a
    // QCoreApplication in the main thread, or a QThread).
    Loop();
    /// A loop with `options`.
    explicit Loop(const LoopOptions &options);
    // Closes the loop if it is not closed yet.
    ~Loop();
    Loop(const Loop &) = delete;
    Loop &operator=(const Loop &) = delete;

    /// ---- running and stopping ----
    /// Runs until stop(). Processes Qt events too (input, paint, QTimer, queued signals).
    void runForever();
    /// Runs until `future` is done and returns its result (or throws its exception).
    template<class T>
    decltype(auto) runUntilComplete(Future<T> future);
    /// Ends runForever() after the batch of callbacks now running. Called while
    /// the loop is not running, the next runForever() runs one batch and returns.
    void stop();
    /// True while runForever() or runUntilComplete() runs.
    bool isRunning() const;
    /// True after close().
    bool isClosed() const;
    /// Drops pending callbacks and timers and releases the loop's resources.
    /// RuntimeError if the loop is running; closing twice does nothing.
    void close();

    /// ---- scheduling callbacks ----
    /// callback(args...) runs in the next iteration, FIFO with other callSoon calls.
    template<class F, class... Args>
    Handle callSoon(F &&callback, Args &&...args);
    /// The one scheduling call that is safe from any thread; wakes the loop at once.
    template<class F, class... Args>
    Handle callSoonThreadsafe(F &&callback, Args &&...args);
    /// callback(args...) runs `delay` seconds from now (never earlier).
    template<class F, class... Args>
    TimerHandle callLater(double delay, F &&callback, Args &&...args);
    /// callLater with a std::chrono duration.
    template<class Rep, class Period, class F, class... Args>
    TimerHandle callLater(std::chrono::duration<Rep, Period> delay, F &&callback, Args &&...args)
    {
        return callLater(std::chrono::duration<double>(delay).count(), std::forward<F>(callback),
                         std::forward<Args>(args)...);
    }
    /// callback(args...) runs at `when` on time()'s clock (never earlier).
    template<class F, class... Args>
    TimerHandle callAt(double when, F &&callback, Args &&...args);
    /// Monotonic seconds (CLOCK_MONOTONIC), the clock of callAt and TimerHandle::when.
    double time() const;

    /// ---- futures and tasks ----
    template<class T = void>
    Future<T> createFuture()
    {
        return Future<T>(*this);
    }
    /// Wraps `coro` in a Task and schedules its first step (defined in qaio/task.h).
    template<class T>
    Task<T> createTask(Coro<T> coro, const QString &name = {},
                       std::source_location where = std::source_location::current());
    /// Runs `coro` as a task until it is done (defined in qaio/task.h).
    template<class T>
    decltype(auto) runUntilComplete(Coro<T> coro);

    /// ---- executors (defined in qaio/executor.h) ----
    /// A Future for f(args...) run on `executor` (nullptr: the default executor).
    template<class F, class... Args>
    auto runInExecutor(Executor *executor, F &&f, Args &&...args);
    /// The executor runInExecutor(nullptr, ...) uses (not owned); nullptr: the loop's own.
    void setDefaultExecutor(Executor *executor);
    /// Shuts the default executor down without blocking the loop.
    Coro<void> shutdownDefaultExecutor(std::optional<double> timeout = std::nullopt);

    /// ---- watching file descriptors ----
    /// callback(args...) runs whenever `fd` is readable, until removeReader(fd).
    /// A second addReader on the same fd replaces the first.
    template<class F, class... Args>
    Handle addReader(int fd, F &&callback, Args &&...args);
    /// True if a reader was registered for `fd`.
    bool removeReader(int fd);
    /// Calls `callback(args...)` whenever `fd` is writable; replaces an earlier writer for fd.
    template<class F, class... Args>
    Handle addWriter(int fd, F &&callback, Args &&...args);
    /// Stops watching `fd` for writing; true if it was watched.
    bool removeWriter(int fd);

    /// ---- Unix signals (unix_signals.cpp; see docs/signals.md) ----
    /// callback(args...) runs as an ordinary loop callback (never in signal
    /// context) each time `sig` arrives, until removeSignalHandler(sig). Main
    /// thread only (RuntimeError elsewhere); ValueError for an invalid number,
    /// RuntimeError("sig 9 cannot be caught") for SIGKILL/SIGSTOP. Cancelling the
    /// returned handle removes the handler when the signal next arrives.
    template<class F, class... Args>
    Handle addSignalHandler(int sig, F &&callback, Args &&...args);
    /// Restores the disposition `sig` had before; false if no handler was set.
    bool removeSignalHandler(int sig);

    /// ---- errors ----
    /// handler(loop, context) receives every error nobody else handles; an empty
    /// handler restores the default, which logs through the `qaio` category.
    void setExceptionHandler(ExceptionHandler handler);
    /// The handler set by setExceptionHandler (empty: the default).
    ExceptionHandler getExceptionHandler() const;
    /// Logs `context` through the qaio logging category (asyncio's default handler).
    void defaultExceptionHandler(const ExceptionContext &context);
    /// Calls the exception handler with `context`.
    void callExceptionHandler(const ExceptionContext &context);

    /// ---- debug mode ----
    /// Debug mode warns about callbacks slower than slowCallbackDuration() and
    /// makes non-thread-safe calls from other threads throw RuntimeError. The
    /// PYTHONASYNCIODEBUG-like environment variable QAIO_DEBUG=1 turns it on.
    void setDebug(bool enabled);
    /// True in debug mode.
    bool getDebug() const;
    /// Seconds a callback may run before debug mode logs it as slow (default 0.1).
    double slowCallbackDuration() const;
    /// Sets slowCallbackDuration().
    void setSlowCallbackDuration(double seconds);

    /// The thread the loop belongs to.
    QThread *thread() const;

    /// For qaio's own types; not part of the stable API.
    detail::LoopImpl *impl() const noexcept { return d.get(); }
    /// Internal: the shared implementation.
    const std::shared_ptr<detail::LoopImpl> &sharedImpl() const noexcept { return d; }

private:
    void scheduleSoon(detail::HandleNode *node);
    void scheduleThreadsafe(detail::HandleNode *node);
    void scheduleTimer(detail::TimerNode *node, double when);
    void setReader(int fd, detail::HandleNode *node);
    void setWriter(int fd, detail::HandleNode *node);
    void setSignalHandler(int sig, detail::HandleNode *node);
    [[noreturn]] static void throwNonFinite(const char *what, double value);

    std::shared_ptr<detail::LoopImpl> d;
};

/// The loop running in this thread; RuntimeError("no running event loop") if none.
QAIO_EXPORT Loop &getRunningLoop();
/// The running loop, or nullptr: never throws (asyncio's _get_running_loop).
QAIO_EXPORT Loop *runningLoopOrNull() noexcept;

// ---- template definitions ----

template<class F, class... Args>
Handle Loop::callSoon(F &&callback, Args &&...args)
{
    Handle handle(detail::makeCallbackNode<detail::HandleNode>(std::forward<F>(callback),
                                                               std::forward<Args>(args)...));
    scheduleSoon(handle.node());
    return handle;
}

template<class F, class... Args>
Handle Loop::callSoonThreadsafe(F &&callback, Args &&...args)
{
    Handle handle(detail::makeCallbackNode<detail::HandleNode>(std::forward<F>(callback),
                                                               std::forward<Args>(args)...));
    scheduleThreadsafe(handle.node());
    return handle;
}

template<class F, class... Args>
TimerHandle Loop::callAt(double when, F &&callback, Args &&...args)
{
    if (!std::isfinite(when))
        throwNonFinite("callAt(): when", when);
    auto *node = detail::makeCallbackNode<detail::TimerNode>(std::forward<F>(callback),
                                                             std::forward<Args>(args)...);
    TimerHandle handle(node);
    scheduleTimer(node, when);
    return handle;
}

template<class F, class... Args>
TimerHandle Loop::callLater(double delay, F &&callback, Args &&...args)
{
    if (!std::isfinite(delay))
        throwNonFinite("callLater(): delay", delay);
    return callAt(time() + delay, std::forward<F>(callback), std::forward<Args>(args)...);
}

template<class F, class... Args>
Handle Loop::addReader(int fd, F &&callback, Args &&...args)
{
    Handle handle(detail::makeCallbackNode<detail::HandleNode>(std::forward<F>(callback),
                                                               std::forward<Args>(args)...));
    setReader(fd, handle.node());
    return handle;
}

template<class F, class... Args>
Handle Loop::addWriter(int fd, F &&callback, Args &&...args)
{
    Handle handle(detail::makeCallbackNode<detail::HandleNode>(std::forward<F>(callback),
                                                               std::forward<Args>(args)...));
    setWriter(fd, handle.node());
    return handle;
}

namespace detail {
template<class T>
struct IsCoroResult : std::false_type
{
};
template<class T>
struct IsCoroResult<Coro<T>> : std::true_type
{
};
} // namespace detail

template<class F, class... Args>
Handle Loop::addSignalHandler(int sig, F &&callback, Args &&...args)
{
    // asyncio: TypeError("coroutines cannot be used with add_signal_handler()").
    static_assert(!detail::IsCoroResult<std::invoke_result_t<std::decay_t<F> &, std::decay_t<Args> &...>>::value,
                  "coroutines cannot be used with addSignalHandler(): start a task from the callback");
    Handle handle(detail::makeCallbackNode<detail::HandleNode>(std::forward<F>(callback),
                                                               std::forward<Args>(args)...));
    setSignalHandler(sig, handle.node());
    return handle;
}

template<class T>
decltype(auto) Loop::runUntilComplete(Future<T> future)
{
    if (!future.isValid())
        throw ValueError("runUntilComplete(): the future is null");
    if (future.statePtr()->loop != d)
        throw ValueError("runUntilComplete(): the future belongs to a different loop");
    // The future's done-callback stops the loop, as asyncio's _run_until_complete_cb.
    const quint64 id = future.addDoneCallback([](const FutureBase &f) { f.getLoop().stop(); });
    struct RemoveCallback
    {
        Future<T> &f;
        quint64 id;
        ~RemoveCallback() { f.removeDoneCallback(id); }
    } remove{future, id};
    runForever();
    if (!future.done())
        throw RuntimeError("Event loop stopped before Future completed.");
    if constexpr (std::is_void_v<T>)
        future.result();
    else if constexpr (std::is_copy_constructible_v<T>)
        return T(future.result());
    else
        return future.takeResult();
}

} // namespace qaio
