// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/qobject.h — the machinery behind qaio/qobject.h; not part of the API.
//
// Included by qaio/qobject.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

namespace detail {
// Registers `task` on `context` (its thread must be the calling thread).
QAIO_EXPORT void bindTaskToObject(QObject *context, TaskBase task);
// The pending tasks bound to `context`.
QAIO_EXPORT QList<TaskBase> objectTasks(const QObject *context);

template<class Fn, class... A>
Coro<void> runSlot(std::shared_ptr<Fn> fn, A... args)
{
    if constexpr (std::is_invocable_v<Fn &, A &...>)
        co_await std::invoke(*fn, args...);
    else
        co_await std::invoke(*fn);
}
} // namespace detail

} // namespace qaio
