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

} // namespace qaio

#include <qaio/impl/qfuture.h>

namespace qaio {

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

} // namespace qaio

#include <qaio/impl/qfuture_threadsafe.h>

namespace qaio {

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
