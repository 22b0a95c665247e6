// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/wait.h — wait() and asCompleted(): wait on several futures at once.
#pragma once

#include <qaio/task.h>

#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace qaio {

/// When wait() returns (asyncio.FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED).
enum class ReturnWhen {
    FirstCompleted, // asyncio.FIRST_COMPLETED
    FirstException, // asyncio.FIRST_EXCEPTION
    AllCompleted,   // asyncio.ALL_COMPLETED
};

/// Options of wait() (asyncio.wait's keyword arguments).
struct WaitOptions
{
    std::optional<double> timeout{}; ///< seconds; none waits as long as it takes
    ReturnWhen returnWhen = ReturnWhen::AllCompleted; ///< when wait() returns
};

/// wait()'s result: the futures that are done and those still pending.
template<class F>
struct DoneAndPending
{
    std::vector<F> done; ///< the futures that finished
    std::vector<F> pending; ///< the futures still pending
};

/// asyncio.wait: waits until `returnWhen` holds or the timeout passes, and
/// returns the futures split into done and pending (it raises no TimeoutError
/// and cancels nothing). Futures and Tasks only, as in Python 3.11+.
template<class F>
    requires std::derived_from<F, FutureBase>
Coro<DoneAndPending<F>> wait(std::vector<F> futures, WaitOptions options = {})
{
    if (futures.empty())
        throw ValueError("wait(): the set of Tasks/Futures is empty");
    if (options.timeout && !std::isfinite(*options.timeout) && *options.timeout > 0)
        options.timeout.reset();
    Loop &loop = getRunningLoop();
    auto waiter = loop.createFuture<void>();
    auto remaining = std::make_shared<std::size_t>(futures.size());
    TimerHandle timer;
    if (options.timeout) {
        timer = loop.callLater(std::max(0.0, *options.timeout), [waiter]() mutable {
            if (!waiter.done())
                waiter.setResult();
        });
    }
    std::vector<quint64> ids;
    ids.reserve(futures.size());
    const ReturnWhen when = options.returnWhen;
    for (F &f : futures) {
        ids.push_back(f.addDoneCallback([waiter, remaining, when, timer](const FutureBase &done) mutable {
            --*remaining;
            const bool failed = when == ReturnWhen::FirstException && !done.cancelled()
                && done.exception();
            if (*remaining == 0 || when == ReturnWhen::FirstCompleted || failed) {
                timer.cancel();
                if (!waiter.done())
                    waiter.setResult();
            }
        }));
    }
    struct Cleanup
    {
        std::vector<F> &futures;
        std::vector<quint64> &ids;
        TimerHandle &timer;
        ~Cleanup()
        {
            timer.cancel();
            for (std::size_t i = 0; i < futures.size(); ++i)
                futures[i].removeDoneCallback(ids[i]);
        }
    } cleanup{futures, ids, timer};
    co_await waiter;
    DoneAndPending<F> result;
    for (F &f : futures)
        (f.done() ? result.done : result.pending).push_back(f);
    co_return result;
}

/// asyncio.as_completed (3.13): futures in the order they complete.
///   auto ac = asCompleted(tasks);
///   while (ac.hasNext()) { Task<int> t = co_await ac.next(); ... }  // `async for` form
///   for (Coro<int> next : asCompleted(tasks)) { int v = co_await std::move(next); }  // plain form
/// With a timeout, next() throws TimeoutError once the deadline passes.
template<class F>
class AsCompleted
{
public:
    /// The futures' result type.
    using value_type = typename F::value_type;

    /// Internal: asCompleted() creates it.
    AsCompleted(std::vector<F> futures, std::optional<double> timeout)
        : m_state(std::make_shared<State>())
    {
        Loop &loop = futures.empty() ? getRunningLoop() : futures.front().getLoop();
        m_state->loop = &loop;
        m_state->todo = futures.size();
        if (timeout)
            m_state->deadline = loop.time() + *timeout;
        std::weak_ptr<State> weak = m_state;
        for (F &f : futures) {
            f.addDoneCallback([weak, f](const FutureBase &) {
                if (auto state = weak.lock()) {
                    state->done.push_back(f);
                    // Wake every consumer: each takes one future or waits again.
                    for (Future<void> &waiter : std::exchange(state->waiters, {})) {
                        if (!waiter.done())
                            waiter.setResult();
                    }
                }
            });
        }
    }

    /// True while results remain to be awaited.
    bool hasNext() const { return m_state->yielded < m_state->todo; }

    /// The next future to complete (the `async for` form).
    Coro<F> next()
    {
        if (m_state->yielded >= m_state->todo)
            throw RuntimeError("asCompleted(): no more futures");
        ++m_state->yielded;
        return nextFrom(m_state);
    }

    /// The next result (the plain-iteration form): awaits next(), then its result.
    Coro<value_type> nextResult() { return resultOf(next()); }

    /// Range-for support for the plain form: yields one Coro per future.
    struct Iterator
    {
        AsCompleted *self; ///< the sequence
        /// The next result to finish (await it).
        Coro<value_type> operator*() const
        {
            ++self->m_state->issued;
            return self->nextResult();
        }
        /// Does nothing: the next operator*() awaits the next result.
        Iterator &operator++() { return *this; }
        /// True while results remain.
        bool operator!=(const Iterator &) const { return self->m_state->issued < self->m_state->todo; }
    };
    /// For range-for: `for (auto next : asCompleted(fs)) co_await next;`.
    Iterator begin() { return {this}; }
    /// For range-for.
    Iterator end() { return {this}; }

private:
    struct State;
    // Static coroutines: their frames hold the shared state, never `this`.
    static Coro<F> nextFrom(std::shared_ptr<State> state)
    {
        while (state->done.empty()) {
            Loop &loop = *state->loop;
            // One waiter per consumer: the Coros of the plain form may be
            // awaited concurrently, from several tasks.
            Future<void> waiter = loop.createFuture<void>();
            state->waiters.push_back(waiter);
            TimerHandle timer;
            if (state->deadline) {
                timer = loop.callAt(std::max(*state->deadline, loop.time()), [waiter]() mutable {
                    if (!waiter.done())
                        waiter.setException(TimeoutError());
                });
            }
            struct CancelTimer
            {
                TimerHandle &t;
                ~CancelTimer() { t.cancel(); }
            } cancelTimer{timer};
            co_await waiter;
        }
        F f = state->done.front();
        state->done.pop_front();
        co_return f;
    }
    static Coro<value_type> resultOf(Coro<F> next)
    {
        F f = co_await std::move(next);
        co_return co_await f;
    }

    struct State
    {
        Loop *loop = nullptr;
        std::deque<F> done;
        std::vector<Future<void>> waiters;
        std::optional<double> deadline;
        std::size_t todo = 0;
        std::size_t yielded = 0;
        std::size_t issued = 0;
    };
    std::shared_ptr<State> m_state;
};

/// Iterates over `futures` in the order they finish (asyncio.as_completed); each result is awaited.
template<class F>
    requires std::derived_from<F, FutureBase>
AsCompleted<F> asCompleted(std::vector<F> futures, std::optional<double> timeout = std::nullopt)
{
    return AsCompleted<F>(std::move(futures), timeout);
}

} // namespace qaio
