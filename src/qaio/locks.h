// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/locks.h — asyncio's synchronization primitives for tasks on one loop.
///
/// Lock, Event, Condition, Semaphore, BoundedSemaphore and Barrier, with the
/// semantics of Python 3.13: waiters are served FIFO, and a waiter cancelled
/// after it was woken passes the wake-up on, so no wake-up is lost.
///
/// `async with lock:` becomes RAII:
///     auto held = co_await lock.acquireGuard();   // released at scope exit,
///                                                 // also when an exception
///                                                 // or CancelledError unwinds
/// Like asyncio's, these are not thread-safe: use them from the loop's thread.
/// Each binds to the loop running when it is first waited on.
#pragma once

#include <qaio/task.h>

#include <deque>
#include <type_traits>
#include <utility>

namespace qaio {

/// Holds an acquired Lock, Semaphore or Condition; releases it when destroyed.
template<class M>
class [[nodiscard]] Guard
{
public:
    Guard() noexcept = default;
    /// Owns `held`, which the caller acquired; releases it when destroyed.
    explicit Guard(M &held) noexcept : m_held(&held) {}
    /// Takes over `other`'s ownership.
    Guard(Guard &&other) noexcept : m_held(std::exchange(other.m_held, nullptr)) {}
    /// Releases what it holds and takes over `other`'s ownership.
    Guard &operator=(Guard &&other) noexcept
    {
        if (this != &other) {
            release();
            m_held = std::exchange(other.m_held, nullptr);
        }
        return *this;
    }
    ~Guard() { release(); }

    /// True while it holds the primitive.
    bool owns() const noexcept { return m_held != nullptr; }
    /// Releases early; the destructor then does nothing.
    void release()
    {
        if (M *held = std::exchange(m_held, nullptr))
            held->release();
    }

private:
    M *m_held = nullptr;
};

namespace detail {
// asyncio's _LoopBoundMixin: binds to the running loop on first use.
class QAIO_EXPORT LoopBinding
{
public:
    Loop &get(const char *what);

private:
    Loop *m_loop = nullptr;
};

// Removes one future from a waiter queue (it may already be gone).
QAIO_EXPORT void eraseWaiter(std::deque<Future<void>> &waiters, const Future<void> &waiter);
} // namespace detail

/// A mutual-exclusion lock for tasks (asyncio.Lock); not thread-safe.
class QAIO_EXPORT Lock
{
public:
    Lock() = default;
    Lock(const Lock &) = delete;
    Lock &operator=(const Lock &) = delete;

    /// True while held.
    bool locked() const noexcept { return m_locked; }
    /// Waits until the lock is free, then takes it (always returns true).
    Coro<bool> acquire();
    /// acquire(), then a Guard that releases the lock when it goes out of scope.
    Coro<Guard<Lock>> acquireGuard();
    /// RuntimeError("Lock is not acquired.") if it is not locked.
    void release();
    /// asyncio's repr: "<Lock [locked]>" or "<Lock [unlocked]>", with waiters.
    QString toString() const;

private:
    void wakeUpFirst();

    detail::LoopBinding m_loop;
    std::deque<Future<void>> m_waiters;
    bool m_locked = false;
};

/// A flag tasks can wait for (asyncio.Event).
class QAIO_EXPORT Event
{
public:
    Event() = default;
    Event(const Event &) = delete;
    Event &operator=(const Event &) = delete;

    /// True once set() was called (and clear() not since).
    bool isSet() const noexcept { return m_value; }
    /// Sets the flag and wakes every waiter.
    void set();
    /// Resets the flag; wait() blocks again.
    void clear() noexcept { m_value = false; }
    /// Waits until the flag is set (returns true at once if it is).
    Coro<bool> wait();
    /// asyncio's repr: "<Event [set]>" or "<Event [unset]>", with waiters.
    QString toString() const;

private:
    detail::LoopBinding m_loop;
    std::deque<Future<void>> m_waiters;
    bool m_value = false;
};

/// A condition variable for tasks (asyncio.Condition), over a Lock.
class QAIO_EXPORT Condition
{
public:
    Condition(); // with a Lock of its own
    explicit Condition(Lock &lock); ///< sharing `lock`
    Condition(const Condition &) = delete;
    Condition &operator=(const Condition &) = delete;

    /// True while the underlying lock is held.
    bool locked() const noexcept { return m_lock->locked(); }
    /// Acquires the underlying lock.
    Coro<bool> acquire() { return m_lock->acquire(); }
    /// acquire(), then a Guard that releases the lock.
    Coro<Guard<Condition>> acquireGuard();
    /// Releases the underlying lock.
    void release() { m_lock->release(); }

    /// Releases the lock, waits for notify(), re-acquires the lock (even when
    /// cancelled) and returns true. RuntimeError if the lock is not held.
    Coro<bool> wait();
    /// Waits until predicate() is true; returns its final value.
    template<class P>
    Coro<std::invoke_result_t<P &>> waitFor(P predicate)
    {
        auto result = predicate();
        while (!result) {
            co_await wait();
            result = predicate();
        }
        co_return result;
    }
    /// Wakes up to n waiters; RuntimeError if the lock is not held.
    void notify(int n = 1);
    /// Wakes every waiting task (call with the lock held).
    void notifyAll();
    /// asyncio's repr, with the lock's state and waiters.
    QString toString() const;

private:
    void wakeUp(int n);

    Lock m_ownLock;
    Lock *m_lock;
    detail::LoopBinding m_loop;
    std::deque<Future<void>> m_waiters;
};

/// A counter tasks can wait on (asyncio.Semaphore).
class QAIO_EXPORT Semaphore
{
public:
    /// ValueError if value < 0.
    explicit Semaphore(int value = 1);
    Semaphore(const Semaphore &) = delete;
    Semaphore &operator=(const Semaphore &) = delete;
    virtual ~Semaphore() = default;

    /// True if acquire() would have to wait (no value, or others are first in line).
    bool locked() const;
    /// Waits until the counter is positive, then decrements it; returns true.
    Coro<bool> acquire();
    /// acquire(), then a Guard that releases the semaphore.
    Coro<Guard<Semaphore>> acquireGuard();
    /// Increments the counter and wakes one waiter.
    virtual void release();
    /// The current counter.
    int value() const noexcept { return m_value; }
    /// asyncio's repr, with the value and waiters.
    QString toString() const;

protected:
    /// The counter.
    int m_value;

private:
    bool wakeUpNext();

    detail::LoopBinding m_loop;
    std::deque<Future<void>> m_waiters;
};

/// A Semaphore that refuses to be released above its initial value.
class QAIO_EXPORT BoundedSemaphore : public Semaphore
{
public:
    /// A semaphore starting at, and never above, `value`.
    explicit BoundedSemaphore(int value = 1) : Semaphore(value), m_bound(value) {}
    /// ValueError("BoundedSemaphore released too many times") past the bound.
    void release() override;

private:
    int m_bound;
};

/// asyncio.Barrier (3.11): `parties` tasks wait for each other, then all go.
class QAIO_EXPORT Barrier
{
public:
    /// ValueError if parties < 1.
    explicit Barrier(int parties);
    Barrier(const Barrier &) = delete;
    Barrier &operator=(const Barrier &) = delete;

    /// Waits until `parties` tasks are waiting; returns this task's arrival
    /// index (0 .. parties-1). BrokenBarrierError if reset or aborted meanwhile.
    Coro<int> wait();
    /// Back to the empty state; tasks waiting now get BrokenBarrierError.
    Coro<void> reset();
    /// Breaks the barrier: current and future wait() calls fail.
    Coro<void> abort();

    /// How many tasks must wait() to pass the barrier.
    int parties() const noexcept { return m_parties; }
    /// How many tasks wait in the filling phase.
    int nWaiting() const noexcept { return m_state == State::Filling ? m_count : 0; }
    /// True once the barrier is broken (abort() or a cancelled waiter).
    bool broken() const noexcept { return m_state == State::Broken; }
    /// asyncio's repr, with the state and counts.
    QString toString() const;

private:
    enum class State { Filling, Draining, Resetting, Broken };
    Coro<void> block();
    Coro<void> waitFilled();
    void exitOne();

    Condition m_cond;
    int m_parties;
    int m_count = 0;
    State m_state = State::Filling;
};

} // namespace qaio
