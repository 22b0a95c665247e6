// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/coro.h — Coro<T>: what a qaio coroutine function returns.
///
/// A Coro is lazy, like an asyncio coroutine object: nothing runs until it is
/// awaited (`co_await coro` runs it inline, in the awaiting task) or wrapped in
/// a Task. The depth of the stack never depends on how many awaits complete
/// without suspending: an awaited Coro is started with a plain call and, when
/// it finishes within that call, the awaiter is not suspended at all (see
/// CoroAwaiter). Symmetric transfer alone cannot promise that: GCC does not
/// turn it into a tail call at -O0/-O1, so each such await would nest a frame.
///
/// Inside a Coro, `co_await` accepts a Future<T> or Task<T> (the task is
/// suspended until it is done; Task::cancel() cancels that future and resumes
/// the task with CancelledError), another Coro, and any other awaitable — a
/// QCoro::Task, a QCoro awaitable — which is adapted into a Future so that
/// cancellation reaches the awaiting task at once.
#pragma once

#include <qaio/future.h>
#include <qaio/global.h>
#include <qaio/loop.h>

#include <QtCore/qstring.h>

#include <concepts>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

namespace qaio {

template<class T = void>
class Coro;

} // namespace qaio

#include <qaio/impl/coro.h>

namespace qaio {

/// A coroutine returning T: what a coroutine function returns. Await it, or run it as a Task (createTask). Move-only; lazily started.
template<class T>
class [[nodiscard]] Coro
{
public:
    /// The coroutine's promise type (internal).
    using promise_type = detail::CoroPromise<T>;
    /// The result type.
    using value_type = T;
    /// The coroutine handle type.
    using Handle = std::coroutine_handle<promise_type>;

    Coro() noexcept = default;
    /// Internal: takes ownership of coroutine `h`.
    explicit Coro(Handle h) noexcept : m_handle(h) {}
    /// Takes over `other`'s coroutine.
    Coro(Coro &&other) noexcept : m_handle(std::exchange(other.m_handle, nullptr)) {}
    /// Destroys the held coroutine and takes over `other`'s.
    Coro &operator=(Coro &&other) noexcept
    {
        if (this != &other) {
            if (m_handle)
                m_handle.destroy();
            m_handle = std::exchange(other.m_handle, nullptr);
        }
        return *this;
    }
    Coro(const Coro &) = delete;
    Coro &operator=(const Coro &) = delete;
    ~Coro()
    {
        if (m_handle)
            m_handle.destroy();
    }

    /// False once moved from (or default-constructed).
    bool isValid() const noexcept { return bool(m_handle); }
    /// The frame stays owned by this Coro; awaiting borrows it.
    Handle handle() const noexcept { return m_handle; }
    /// Gives up ownership of the frame (a Task takes it).
    Handle release() noexcept { return std::exchange(m_handle, nullptr); }

    /// Awaited from a coroutine that is not a qaio Coro (e.g. a QCoro::Task):
    /// runs inline, outside any task.
    auto operator co_await() && noexcept { return detail::CoroAwaiter<T>(m_handle, nullptr); }

private:
    Handle m_handle;
};

/// Lets coroutines that are not qaio's (a QCoro::Task, say) await a Future or
/// Task: they are resumed from a loop callback once it is done.
template<class T>
auto operator co_await(const Future<T> &future) noexcept
{
    return detail::FutureAwaiter<T>(future, nullptr);
}

/// @cond INTERNAL
// The promise's get_return_object, defined here where Coro is complete.
namespace detail {
template<class T>
Coro<T> CoroPromise<T>::get_return_object() noexcept
{
    return Coro<T>(std::coroutine_handle<CoroPromise<T>>::from_promise(*this));
}
inline Coro<void> CoroPromise<void>::get_return_object() noexcept
{
    return Coro<void>(std::coroutine_handle<CoroPromise<void>>::from_promise(*this));
}
} // namespace detail
/// @endcond

} // namespace qaio
