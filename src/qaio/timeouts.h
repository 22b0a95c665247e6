// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/timeouts.h — timeout(), timeoutAt(), Timeout and waitFor().
///
/// asyncio's `async with asyncio.timeout(delay): body` becomes
///     co_await qaio::timeout(delay).run(body());
/// When the deadline passes, the task running the body is cancelled; the
/// CancelledError that unwinds out of the body becomes TimeoutError. A Timeout
/// is a handle: keep a copy to call reschedule() or expired() from the body.
#pragma once

#include <qaio/outcome.h>
#include <qaio/task.h>

#include <memory>
#include <optional>

namespace qaio {

/// A deadline for a block of awaits (asyncio.Timeout), from timeout() and timeoutAt().
class QAIO_EXPORT Timeout
{
public:
    /// Deadline on Loop::time()'s clock; nullopt for none (it can be set later).
    explicit Timeout(std::optional<double> when);

    /// The deadline in loop time (none: no deadline).
    std::optional<double> when() const;
    /// Moves the deadline (nullopt removes it); only while the body runs.
    void reschedule(std::optional<double> when);
    /// True once the deadline passed and the body was cancelled because of it.
    bool expired() const;

    /// Runs `body` inside this timeout (asyncio's `async with`); a Timeout runs once.
    /// Not a coroutine itself: the lazily started frame must not refer to *this.
    template<class T>
    Coro<T> run(Coro<T> body)
    {
        return runWith(*this, std::move(body));
    }

    /// asyncio's repr, with the deadline and state.
    QString toString() const;

private:
    template<class T>
    static Coro<T> runWith(Timeout self, Coro<T> body)
    {
        self.enter();
        Outcome<T> outcome = co_await detail::capture(std::move(body));
        self.exit(outcome.exception()); // throws TimeoutError when the timeout fired
        co_return outcome.take();
    }

    struct State;
    void enter();
    void exit(const std::exception_ptr &error);
    std::shared_ptr<State> d;
};

/// asyncio.timeout(delay): a Timeout `delay` seconds from now (nullopt: none).
QAIO_EXPORT Timeout timeout(std::optional<double> delay);
/// asyncio.timeout_at(when): a Timeout at an absolute loop.time().
QAIO_EXPORT Timeout timeoutAt(std::optional<double> when);

/// Shorthand: co_await timeout(delay, body()) runs body with a timeout.
template<class T>
Coro<T> timeout(std::optional<double> delay, Coro<T> body)
{
    return timeout(delay).run(std::move(body));
}

/// asyncio.wait_for (3.12): the result of `awaitable`, or TimeoutError after
/// `timeout` seconds, in which case the awaitable is cancelled (and waited for).
/// A Coro runs inline in the calling task, a Future or Task is awaited.
template<class A>
    requires detail::IsCoro<A> || detail::IsFuture<A>
auto waitFor(A awaitable, std::optional<double> timeoutSeconds)
    -> Coro<typename std::remove_cvref_t<A>::value_type>
{
    using T = typename std::remove_cvref_t<A>::value_type;
    if (timeoutSeconds && *timeoutSeconds <= 0) {
        Future<T> future = detail::toFuture(std::move(awaitable));
        if (!future.done()) {
            future.cancel();
            // Wait for the cancellation to land, without letting it cancel us.
            auto settled = getRunningLoop().createFuture<void>();
            future.addDoneCallback([settled](const FutureBase &) mutable {
                if (!settled.done())
                    settled.setResult();
            });
            co_await settled;
        }
        if (future.cancelled())
            throw TimeoutError(QStringLiteral("waitFor(): timed out"));
        co_return co_await future;
    }
    if constexpr (detail::IsCoro<A>)
        co_return co_await timeout(timeoutSeconds).run(std::move(awaitable));
    else
        co_return co_await timeout(timeoutSeconds).run(detail::awaitFuture(Future<T>(awaitable)));
}

} // namespace qaio
