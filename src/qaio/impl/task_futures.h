// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/task_futures.h — the machinery behind qaio/task.h; not part of the API.
//
// Included by qaio/task.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

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

} // namespace qaio
