// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/qfuture.h — the machinery behind qaio/qfuture.h; not part of the API.
//
// Included by qaio/qfuture.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

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

} // namespace qaio
