// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// locks.cpp — Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier,
// following asyncio/locks.py (Python 3.13) step by step.
#include <qaio/locks.h>

#include <algorithm>

namespace qaio {

namespace detail {

Loop &LoopBinding::get(const char *what)
{
    Loop &running = getRunningLoop();
    if (!m_loop)
        m_loop = &running;
    else if (m_loop != &running)
        throw RuntimeError(QStringLiteral("%1 is bound to a different event loop").arg(QLatin1StringView(what)));
    return *m_loop;
}

void eraseWaiter(std::deque<Future<void>> &waiters, const Future<void> &waiter)
{
    auto it = std::find(waiters.begin(), waiters.end(), waiter);
    if (it != waiters.end())
        waiters.erase(it);
}

} // namespace detail

namespace {
QString describeWaiters(QString state, std::size_t waiters)
{
    if (waiters)
        state += QStringLiteral(", waiters:%1").arg(waiters);
    return state;
}
} // namespace

// ---------------------------------------------------------------- Lock

Coro<bool> Lock::acquire()
{
    const bool allCancelled = std::all_of(m_waiters.begin(), m_waiters.end(),
                                          [](const Future<void> &w) { return w.cancelled(); });
    if (!m_locked && allCancelled) {
        m_locked = true;
        co_return true;
    }
    // As asyncio's _get_loop(): only waiting binds the lock to the running loop.
    auto waiter = m_loop.get("Lock").createFuture<void>();
    m_waiters.push_back(waiter);
    try {
        co_await waiter;
    } catch (const CancelledError &) {
        detail::eraseWaiter(m_waiters, waiter);
        // If the lock is free, make sure the next waiter in line runs: we may
        // have been woken just before being cancelled.
        if (!m_locked)
            wakeUpFirst();
        throw;
    }
    detail::eraseWaiter(m_waiters, waiter);
    m_locked = true;
    co_return true;
}

Coro<Guard<Lock>> Lock::acquireGuard()
{
    co_await acquire();
    co_return Guard<Lock>(*this);
}

void Lock::release()
{
    if (!m_locked)
        throw RuntimeError("Lock is not acquired.");
    m_locked = false;
    wakeUpFirst();
}

void Lock::wakeUpFirst()
{
    if (m_waiters.empty())
        return;
    // A done waiter is already on its way to take the lock.
    Future<void> &first = m_waiters.front();
    if (!first.done())
        first.setResult();
}

QString Lock::toString() const
{
    return QStringLiteral("<Lock [%1]>")
        .arg(describeWaiters(m_locked ? QStringLiteral("locked") : QStringLiteral("unlocked"),
                             m_waiters.size()));
}

// ---------------------------------------------------------------- Event

void Event::set()
{
    if (m_value)
        return;
    m_value = true;
    for (Future<void> &waiter : m_waiters) {
        if (!waiter.done())
            waiter.setResult();
    }
}

Coro<bool> Event::wait()
{
    if (m_value)
        co_return true;
    auto waiter = m_loop.get("Event").createFuture<void>();
    m_waiters.push_back(waiter);
    struct Remove
    {
        std::deque<Future<void>> &waiters;
        Future<void> &waiter;
        ~Remove() { detail::eraseWaiter(waiters, waiter); }
    } remove{m_waiters, waiter};
    co_await waiter;
    co_return true;
}

QString Event::toString() const
{
    return QStringLiteral("<Event [%1]>")
        .arg(describeWaiters(m_value ? QStringLiteral("set") : QStringLiteral("unset"), m_waiters.size()));
}

// ---------------------------------------------------------------- Condition

Condition::Condition() : m_lock(&m_ownLock) {}

Condition::Condition(Lock &lock) : m_lock(&lock) {}

Coro<Guard<Condition>> Condition::acquireGuard()
{
    co_await m_lock->acquire();
    co_return Guard<Condition>(*this);
}

Coro<bool> Condition::wait()
{
    if (!locked())
        throw RuntimeError("cannot wait on un-acquired lock");
    Loop &loop = m_loop.get("Condition");
    release();
    std::exception_ptr error;
    auto waiter = loop.createFuture<void>();
    m_waiters.push_back(waiter);
    try {
        co_await waiter;
    } catch (...) {
        error = std::current_exception();
    }
    detail::eraseWaiter(m_waiters, waiter);

    // Re-acquire the lock even if the wait was cancelled, however often we are
    // cancelled meanwhile; the most recent CancelledError is the one to raise.
    for (;;) {
        try {
            co_await m_lock->acquire();
            break;
        } catch (const CancelledError &) {
            error = std::current_exception();
        }
    }
    if (error) {
        // We may have been notified before the error: pass the notification on
        // (a spurious wake-up, which the condition variable protocol allows).
        wakeUp(1);
        std::rethrow_exception(error);
    }
    co_return true;
}

void Condition::notify(int n)
{
    if (!locked())
        throw RuntimeError("cannot notify on un-acquired lock");
    wakeUp(n);
}

void Condition::notifyAll()
{
    notify(int(m_waiters.size()));
}

void Condition::wakeUp(int n)
{
    int woken = 0;
    for (Future<void> &waiter : m_waiters) {
        if (woken >= n)
            break;
        if (!waiter.done()) {
            ++woken;
            waiter.setResult();
        }
    }
}

QString Condition::toString() const
{
    return QStringLiteral("<Condition [%1]>")
        .arg(describeWaiters(locked() ? QStringLiteral("locked") : QStringLiteral("unlocked"),
                             m_waiters.size()));
}

// ---------------------------------------------------------------- Semaphore

Semaphore::Semaphore(int value) : m_value(value)
{
    if (value < 0)
        throw ValueError(QStringLiteral("Semaphore initial value must be >= 0, not %1").arg(value));
}

bool Semaphore::locked() const
{
    // No value left, or FIFO: others already wait and must go first.
    return m_value == 0
        || std::any_of(m_waiters.begin(), m_waiters.end(),
                       [](const Future<void> &w) { return !w.cancelled(); });
}

Coro<bool> Semaphore::acquire()
{
    if (!locked()) {
        --m_value;
        co_return true;
    }
    // As asyncio's _get_loop(): only waiting binds the semaphore to the running loop.
    auto waiter = m_loop.get("Semaphore").createFuture<void>();
    m_waiters.push_back(waiter);
    std::exception_ptr error;
    try {
        co_await waiter;
    } catch (const CancelledError &) {
        error = std::current_exception();
        // Woken (and counted) but cancelled before running: give the unit back.
        if (waiter.done() && !waiter.cancelled())
            ++m_value;
    }
    detail::eraseWaiter(m_waiters, waiter);
    // New waiters may have arrived but had to wait for FIFO: wake as many as fit.
    while (m_value > 0) {
        if (!wakeUpNext())
            break;
    }
    if (error)
        std::rethrow_exception(error);
    co_return true;
}

Coro<Guard<Semaphore>> Semaphore::acquireGuard()
{
    co_await acquire();
    co_return Guard<Semaphore>(*this);
}

void Semaphore::release()
{
    ++m_value;
    wakeUpNext();
}

bool Semaphore::wakeUpNext()
{
    for (Future<void> &waiter : m_waiters) {
        if (!waiter.done()) {
            --m_value; // the woken waiter owns this unit now
            waiter.setResult();
            return true;
        }
    }
    return false;
}

QString Semaphore::toString() const
{
    return QStringLiteral("<Semaphore [%1]>")
        .arg(describeWaiters(locked() ? QStringLiteral("locked")
                                      : QStringLiteral("unlocked, value:%1").arg(m_value),
                             m_waiters.size()));
}

void BoundedSemaphore::release()
{
    if (m_value >= m_bound)
        throw ValueError("BoundedSemaphore released too many times");
    Semaphore::release();
}

// ---------------------------------------------------------------- Barrier

Barrier::Barrier(int parties) : m_parties(parties)
{
    if (parties < 1)
        throw ValueError(QStringLiteral("Barrier: parties must be >= 1, not %1").arg(parties));
}

Coro<int> Barrier::wait()
{
    auto held = co_await m_cond.acquireGuard();
    co_await block(); // while the barrier drains or resets
    const int index = m_count++;
    struct Leave
    {
        Barrier *barrier;
        ~Leave()
        {
            --barrier->m_count;
            barrier->exitOne();
        }
    } leave{this};
    if (index + 1 == m_parties) {
        // The last to arrive releases everyone; late arrivals wait for the drain.
        m_state = State::Draining;
        m_cond.notifyAll();
    } else {
        co_await waitFilled();
    }
    co_return index;
}

Coro<void> Barrier::block()
{
    co_await m_cond.waitFor([this] { return m_state != State::Draining && m_state != State::Resetting; });
    if (m_state == State::Broken)
        throw BrokenBarrierError("Barrier aborted");
}

Coro<void> Barrier::waitFilled()
{
    co_await m_cond.waitFor([this] { return m_state != State::Filling; });
    if (m_state == State::Broken || m_state == State::Resetting)
        throw BrokenBarrierError("Abort or reset of barrier");
}

void Barrier::exitOne()
{
    // The last task out lets the tasks waiting for the drain in.
    if (m_count == 0) {
        if (m_state == State::Resetting || m_state == State::Draining)
            m_state = State::Filling;
        m_cond.notifyAll();
    }
}

Coro<void> Barrier::reset()
{
    auto held = co_await m_cond.acquireGuard();
    if (m_count > 0) {
        if (m_state != State::Resetting)
            m_state = State::Resetting; // wakes the waiters with BrokenBarrierError
    } else {
        m_state = State::Filling;
    }
    m_cond.notifyAll();
}

Coro<void> Barrier::abort()
{
    auto held = co_await m_cond.acquireGuard();
    m_state = State::Broken;
    m_cond.notifyAll();
}

QString Barrier::toString() const
{
    static const char *names[] = {"filling", "draining", "resetting", "broken"};
    QString text = QStringLiteral("<Barrier [%1").arg(QLatin1StringView(names[int(m_state)]));
    if (!broken())
        text += QStringLiteral(", waiters:%1/%2").arg(nWaiting()).arg(m_parties);
    return text + QStringLiteral("]>");
}

} // namespace qaio
