// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/shield.h — shield(): protect an awaitable from cancellation.
///
/// As asyncio.shield: cancelling the returned future (or the task awaiting it)
/// does not cancel the inner task, which runs on (the loop keeps it alive).
#pragma once

#include <qaio/task.h>

namespace qaio {

/// Protects `inner` from cancellation (asyncio.shield): cancelling the result does not cancel `inner`.
template<class T>
Future<T> shield(Future<T> inner)
{
    if (inner.done())
        return inner;
    Future<T> outer(inner.getLoop());
    const quint64 innerCallback = inner.addDoneCallback([outer](const Future<T> &f) mutable {
        if (outer.cancelled()) {
            if (!f.cancelled())
                f.exception(); // mark it retrieved: nobody is left to look
            return;
        }
        if (f.cancelled()) {
            outer.cancel();
        } else if (auto error = f.exception()) {
            outer.setException(error);
        } else if constexpr (std::is_void_v<T>) {
            outer.setResult();
        } else {
            outer.setResult(f.result());
        }
    });
    outer.addDoneCallback([inner, innerCallback](const FutureBase &) mutable {
        if (!inner.done())
            inner.removeDoneCallback(innerCallback);
    });
    return outer;
}

/// shield() for a task.
template<class T>
Future<T> shield(Task<T> inner)
{
    return shield(Future<T>(inner));
}

/// shield() for a coroutine (run as a task).
template<class T>
Future<T> shield(Coro<T> inner)
{
    return shield(Future<T>(createTask(std::move(inner))));
}

} // namespace qaio
