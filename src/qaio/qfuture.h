// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/qfuture.h — QFuture interop: asyncio's wrap_future and run_coroutine_threadsafe.
///
///   Future<T> wrapFuture(QFuture<T> source [, Loop &loop])
///       asyncio.wrap_future: a qaio Future on `loop` (default: the running
///       loop) that follows `source`, which may be produced in any thread
///       (QtConcurrent::run, a QPromise in a std::thread, ...). Call it in the
///       loop's thread; the qaio side is only ever touched there (a
///       QFutureWatcher living in the loop's thread reports to it).
///         - a result is copied (moved, for a move-only T) into the Future;
///         - an exception becomes the Future's exception. QtConcurrent::run
///           wraps what the function throws in QUnhandledException (unless it
///           is a QException); wrapFuture unwraps it, so the Future carries the
///           original exception (std::runtime_error, qaio::TimeoutError, ...).
///           A QException subclass arrives as Qt stores it: with its dynamic
///           type only if it overrides clone() and raise(), as Qt requires;
///         - a cancelled QFuture cancels the Future (at once, even if the
///           producer goes on running), and cancelling the Future cancels the
///           QFuture (QFuture::cancel(); a QPromise producer sees isCanceled());
///         - a QFuture that finishes without a result (a QPromise that never
///           called addResult) makes the Future fail with RuntimeError.
///
///   QFuture<T> runCoroutineThreadsafe(Coro<T> coro, Loop &loop)
///       asyncio.run_coroutine_threadsafe: callable from any thread. Wraps
///       `coro` in a Task on `loop`'s thread (through callSoonThreadsafe) and
///       returns a QFuture that receives the task's result or exception (the
///       original exception: QFuture::result() rethrows it). A cancelled task
///       cancels the QFuture; QFuture::cancel() cancels the task (its current
///       co_await throws CancelledError). If the loop is closed before the task
///       finishes, the QFuture is cancelled and finished, so nobody waits forever.
///
///   co_await someQFuture
///       Inside a Coro running in a task: goes through wrapFuture, so the task
///       stays cancellable while the QFuture is pending, and cancelling the
///       task cancels the QFuture.
#pragma once

#include <qaio/coro.h>
#include <qaio/exceptions.h>
#include <qaio/future.h>
#include <qaio/loop.h>
#include <qaio/task.h>

#include <QtCore/qexception.h>
#include <QtCore/qfuture.h>
#include <QtCore/qfutureinterface.h>
#include <QtCore/qfuturewatcher.h>
#include <QtCore/qmutex.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qpromise.h>
#include <QtCore/qthread.h>

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace qaio {

namespace detail {

// True while the future's loop exists and is not closed: its future may be settled.
inline bool loopAcceptsResults(const FutureBase &future) noexcept
{
    try {
        return !future.getLoop().isClosed();
    } catch (...) {
        return false;
    }
}

// QtConcurrent::run reports what the function threw as QUnhandledException;
// hand on the original exception instead.
inline std::exception_ptr unwrapQtException(std::exception_ptr error)
{
    try {
        std::rethrow_exception(error);
    } catch (const QUnhandledException &unhandled) {
        if (std::exception_ptr inner = unhandled.exception())
            return inner;
    } catch (...) {
    }
    return error;
}

// Copies the state of a cancelled or finished QFuture into `dest`; does
// nothing while `source` is still running. Only on dest's loop thread.
template<class T>
void copyQFutureState(const QFuture<T> &source, Future<T> &dest)
{
    if (dest.done() || !loopAcceptsResults(dest))
        return;
    std::exception_ptr error;
    bool cancelled = false;
    bool finished = false;
    {
        QFutureInterfaceBase iface = QFutureInterfaceBase::get(source);
        QMutexLocker lock(&iface.mutex());
        if (iface.hasException())
            error = iface.exceptionStore().exception();
        cancelled = iface.isCanceled();
        finished = iface.isFinished();
    }
    if (error) {
        dest.setException(unwrapQtException(error));
    } else if (cancelled) {
        dest.cancel();
    } else if (!finished) {
        return;
    } else if constexpr (std::is_void_v<T>) {
        dest.setResult();
    } else if (source.resultCount() > 0) {
        if constexpr (std::is_copy_constructible_v<T>) {
            dest.setResult(source.result());
        } else {
            QFuture<T> owner = source;
            dest.setResult(owner.takeResult());
        }
    } else {
        dest.setException(RuntimeError("wrapFuture(): the QFuture finished without a result"));
    }
}

} // namespace detail

/// asyncio.wrap_future (see the top of this file).
template<class T>
Future<T> wrapFuture(QFuture<T> source, Loop &loop)
{
    if (loop.isClosed())
        throw RuntimeError("Event loop is closed");
    if (QThread::currentThread() != loop.thread())
        throw RuntimeError("wrapFuture() must be called in the event loop's thread "
                           "(from another thread, use callSoonThreadsafe)");
    Future<T> dest(loop);
    if (source.isCanceled() || source.isFinished()) {
        detail::copyQFutureState(source, dest);
        if (dest.done())
            return dest;
    }
    // The watcher lives in the loop's thread, so its signals arrive there. It
    // is deleted by dest's done-callback (a loop callback, never while it emits).
    auto *watcher = new QFutureWatcher<T>();
    QPointer<QFutureWatcherBase> guard(watcher);
    auto settle = [source, dest, watcher]() mutable {
        detail::copyQFutureState(source, dest);
        if (!dest.done() && !detail::loopAcceptsResults(dest)) {
            // The loop is gone: dest's callbacks will never run.
            QObject::disconnect(watcher, nullptr, watcher, nullptr);
            watcher->deleteLater();
        }
    };
    QObject::connect(watcher, &QFutureWatcherBase::canceled, watcher, settle);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, settle);
    watcher->setFuture(source);
    dest.addDoneCallback([source, guard](const FutureBase &f) mutable {
        delete guard.data();
        if (f.cancelled())
            source.cancel();
    });
    return dest;
}

/// The same, on the running loop (RuntimeError if none).
template<class T>
Future<T> wrapFuture(QFuture<T> source)
{
    return wrapFuture(std::move(source), getRunningLoop());
}

namespace detail {

// Runs on the loop's thread: the task, and the links between it and the QFuture.
template<class T>
void startThreadsafeTask(Loop &loop, Coro<T> coro, const std::shared_ptr<QPromise<T>> &promise)
{
    Task<T> task = qaio::createTask(loop, std::move(coro));
    // QFuture::cancel() from any thread reaches the watcher in the loop's thread.
    std::shared_ptr<QFutureWatcher<T>> watcher(new QFutureWatcher<T>(),
                                               [](QFutureWatcher<T> *w) { delete w; });
    std::weak_ptr<FutureStateBase> weakTask = task.statePtr();
    auto cancelTask = [weakTask, requested = std::make_shared<bool>(false)] {
        auto state = weakTask.lock();
        if (!state || state->done() || *requested)
            return;
        *requested = true;
        state->cancel(QStringLiteral("the QFuture was cancelled"));
    };
    QObject::connect(watcher.get(), &QFutureWatcherBase::canceled, watcher.get(), cancelTask);
    watcher->setFuture(promise->future());
    if (promise->isCanceled()) // cancelled before the task existed
        cancelTask();
    task.addDoneCallback([promise, watcher](const Future<T> &f) mutable {
        watcher.reset();
        if (f.cancelled()) {
            promise->future().cancel();
        } else if (std::exception_ptr error = f.exception()) {
            promise->setException(error);
        } else if constexpr (std::is_void_v<T>) {
        } else if constexpr (std::is_copy_constructible_v<T>) {
            promise->addResult(f.result());
        } else {
            Future<T> owner = f;
            promise->addResult(owner.takeResult());
        }
        promise->finish();
    });
}

// co_await someQFuture inside a Coro: a task-aware awaiter over wrapFuture.
template<class T>
class QFutureAwaiter
{
public:
    using QaioTaskAware = void;
    TaskCore *task = nullptr;

    explicit QFutureAwaiter(QFuture<T> source) : m_source(std::move(source)) {}

    bool await_ready()
    {
        Loop &loop = task ? taskLoop(task) : getRunningLoop();
        m_awaiter.emplace(wrapFuture(m_source, loop), task);
        return m_awaiter->await_ready();
    }
    void await_suspend(std::coroutine_handle<> awaiting) { m_awaiter->await_suspend(awaiting); }
    decltype(auto) await_resume() { return m_awaiter->await_resume(); }

private:
    QFuture<T> m_source;
    std::optional<FutureAwaiter<T>> m_awaiter;
};

template<class T>
struct AwaitableTraits<QFuture<T>>
{
    using awaiter = QFutureAwaiter<T>;
};

} // namespace detail

/// asyncio.run_coroutine_threadsafe (see the top of this file). Thread-safe.
template<class T>
QFuture<T> runCoroutineThreadsafe(Coro<T> coro, Loop &loop)
{
    if (!coro.isValid())
        throw ValueError("runCoroutineThreadsafe(): the coroutine is empty (moved from or already "
                         "awaited)");
    auto promise = std::make_shared<QPromise<T>>();
    promise->start();
    QFuture<T> result = promise->future();
    // If the loop closes before this runs, the callback (and with it the
    // promise) is destroyed: the QFuture ends cancelled.
    loop.callSoonThreadsafe([&loop, coro = std::move(coro), promise]() mutable {
        detail::startThreadsafeTask(loop, std::move(coro), promise);
    });
    return result;
}

} // namespace qaio
