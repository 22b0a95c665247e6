// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_sync_locks — Lock, Event and Condition, ported from CPython's
// Lib/test/test_asyncio/test_locks.py (3.13): FIFO service, the cancellation
// races (a waiter cancelled after it was woken passes the wake-up on),
// timeouts around waiters, RAII guards, misuse and loop binding.
#include "sync_util.h"

#include <qaio/qaio.h>

#include <QtTest/QtTest>

#include <deque>
#include <optional>
#include <stdexcept>

using namespace qaio;
using st::Checks;
using st::errorOf;
using st::errorOfCall;
using st::holds;
using st::ints;
using st::whatOf;

namespace {

Loop &runningLoop()
{
    return getRunningLoop();
}

// ================================================================ Lock

Coro<bool> lockAppend(Lock &lock, QList<int> &result, int tag)
{
    const bool ok = co_await lock.acquire();
    if (ok)
        result.append(tag);
    co_return true;
}

Coro<void> lockRepr(Checks &ck)
{
    Lock lock;
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [unlocked]>"));
    co_await lock.acquire();
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [locked]>"));
    auto waiter = createTask(lock.acquire());
    co_await qaio::sleep(0);
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [locked, waiters:1]>"));
    waiter.cancel();
    co_await errorOf(waiter);
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [locked]>"));
    lock.release();
}

// test_lock / test_release_no_waiters
Coro<void> lockAcquireRelease(Checks &ck)
{
    Lock lock;
    CHECK(!lock.locked());
    CHECK(co_await lock.acquire());
    CHECK(lock.locked());
    lock.release();
    CHECK(!lock.locked());
    CHECK(co_await lock.acquire());
    CHECK(lock.locked());
    lock.release();
    CHECK(!lock.locked());
}

// test_acquire
Coro<void> lockAcquire(Checks &ck)
{
    Lock lock;
    QList<int> result;
    CHECK(co_await lock.acquire());

    auto t1 = createTask(lockAppend(lock, result, 1));
    auto t2 = createTask(lockAppend(lock, result, 2));
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints());

    lock.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1));

    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1));

    auto t3 = createTask(lockAppend(lock, result, 3));
    lock.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1, 2));

    lock.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1, 2, 3));

    CHECK(t1.done() && t1.result());
    CHECK(t2.done() && t2.result());
    CHECK(t3.done() && t3.result());
    lock.release();
}

// test_acquire_cancel
Coro<void> lockAcquireCancel(Checks &ck)
{
    Lock lock;
    CHECK(co_await lock.acquire());
    auto task = createTask(lock.acquire());
    runningLoop().callSoon([task]() mutable { task.cancel(); });
    auto error = co_await errorOf(task);
    CHECK(holds<CancelledError>(error));
    CHECK(task.cancelled());
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [locked]>")); // no waiters left
    CHECK(lock.locked());
    lock.release();
}

Coro<void> lockit(Lock &lock, Future<void> blocker)
{
    co_await lock.acquire();
    Guard<Lock> held(lock); // try: ... finally: lock.release()
    if (blocker.isValid())
        co_await blocker;
}

// test_cancel_race: B is cancelled while A releases; C must get the lock.
Coro<void> lockCancelRace(Checks &ck)
{
    Lock lock;
    auto fa = runningLoop().createFuture<void>();
    auto ta = createTask(lockit(lock, fa));
    co_await qaio::sleep(0);
    CHECK(lock.locked());
    auto tb = createTask(lockit(lock, {}));
    co_await qaio::sleep(0);
    CHECK(lock.toString().contains(QStringLiteral("waiters:1")));
    auto tc = createTask(lockit(lock, {}));
    co_await qaio::sleep(0);
    CHECK(lock.toString().contains(QStringLiteral("waiters:2")));

    fa.setResult();
    tb.cancel();
    co_await qaio::sleep(0);
    CHECK(!lock.locked());
    CHECK(ta.done());
    CHECK(tb.cancelled());
    auto error = co_await errorOf(tc);
    CHECK(!error);
    CHECK(tc.done() && !tc.cancelled());
    CHECK(!lock.locked());
}

struct ReleaseRace
{
    Lock lock;
    int lockCount = 0;
    int callCount = 0;
};

Coro<void> releaseRaceLockit(ReleaseRace &s)
{
    ++s.callCount;
    co_await s.lock.acquire();
    ++s.lockCount;
}

// test_cancel_release_race (bpo-32734): cancelling the first waiter while
// releasing must not let two tasks take the lock.
Coro<void> lockCancelReleaseRace(Checks &ck)
{
    ReleaseRace s;
    co_await s.lock.acquire();
    auto t1 = createTask(releaseRaceLockit(s));
    auto t2 = createTask(releaseRaceLockit(s));
    auto t3 = createTask(releaseRaceLockit(s));
    co_await qaio::sleep(0);

    runningLoop().callSoon([&s, t1]() mutable {
        t1.cancel();
        s.lock.release();
    });
    auto error = co_await errorOf(t1);
    CHECK(holds<CancelledError>(error));
    CHECK_EQ(s.lockCount, 1);
    CHECK_EQ(s.callCount, 3);
    CHECK(t1.cancelled() && t2.done());

    t3.cancel();
    co_await qaio::sleep(0);
    CHECK(t3.cancelled());
    CHECK(s.lock.locked()); // t2 holds it
}

// test_finished_waiter_cancelled
Coro<void> lockFinishedWaiterCancelled(Checks &ck)
{
    Lock lock;
    co_await lock.acquire();
    CHECK(lock.locked());
    auto tb = createTask(lock.acquire());
    co_await qaio::sleep(0);
    CHECK(lock.toString().contains(QStringLiteral("waiters:1")));

    // A second waiter arrives, the first is cancelled and the lock released:
    // the second must not be left behind.
    auto tc = createTask(lock.acquire());
    tb.cancel();
    lock.release();
    co_await qaio::sleep(0);
    CHECK(lock.locked());
    CHECK(tb.cancelled());
    CHECK(co_await tc);
    lock.release();
}

// A waiter woken by release() but cancelled before it ran passes the lock on.
Coro<void> lockAcquireCancelAfterRelease(Checks &ck)
{
    Lock lock;
    QList<int> order;
    co_await lock.acquire();
    auto tb = createTask(lockAppend(lock, order, 2));
    auto tc = createTask(lockAppend(lock, order, 3));
    co_await qaio::sleep(0);
    CHECK(lock.toString().contains(QStringLiteral("waiters:2")));

    lock.release(); // wakes B ...
    tb.cancel();    // ... which is cancelled before it runs
    co_await st::yieldTimes(3);
    CHECK(tb.cancelled());
    CHECK(tc.done() && !tc.cancelled());
    CHECK_EQ(order, ints(3));
    CHECK(lock.locked()); // C holds it
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [locked]>"));
    lock.release();
    CHECK(!lock.locked());
}

// While the only waiters are cancelled ones, a newcomer takes a free lock at once.
Coro<void> lockFastPathWithOnlyCancelledWaiters(Checks &ck)
{
    Lock lock;
    co_await lock.acquire();
    auto tb = createTask(lock.acquire());
    co_await qaio::sleep(0);
    tb.cancel();
    lock.release();
    CHECK(!lock.locked());
    CHECK(co_await lock.acquire());
    CHECK(!tb.done()); // did not suspend: B has not run yet
    CHECK(lock.locked());
    co_await qaio::sleep(0);
    CHECK(tb.cancelled());
    CHECK(lock.locked());
    lock.release();
    CHECK(!lock.locked());
}

// test_release_not_acquired
Coro<void> lockReleaseNotAcquired(Checks &ck)
{
    Lock lock;
    auto error = errorOfCall([&] { lock.release(); });
    CHECK(holds<RuntimeError>(error));
    CHECK_EQ(whatOf(error), QStringLiteral("Lock is not acquired."));
    co_await lock.acquire();
    lock.release();
    error = errorOfCall([&] { lock.release(); });
    CHECK(holds<RuntimeError>(error));
    CHECK_EQ(whatOf(error), QStringLiteral("Lock is not acquired."));
    CHECK(!lock.locked());
}

Coro<void> lockTwiceEach(Lock &lock, QList<int> &order, int tag)
{
    for (int round = 0; round < 2; ++round) {
        co_await lock.acquire();
        order.append(tag + 10 * round);
        co_await qaio::sleep(0.001);
        lock.release();
    }
}

// Waiters are served first come, first served, also when they come back.
Coro<void> lockFifoOrder(Checks &ck)
{
    Lock lock;
    QList<int> order;
    co_await lock.acquire();
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 5; ++i)
        tasks.push_back(createTask(lockTwiceEach(lock, order, i)));
    co_await qaio::sleep(0);
    CHECK(lock.toString().contains(QStringLiteral("waiters:5")));
    lock.release();
    co_await gather(tasks);
    CHECK_EQ(order, ints(0, 1, 2, 3, 4, 10, 11, 12, 13, 14));
    CHECK(!lock.locked());
}

// test_context_manager: `async with lock` is a Guard.
Coro<void> lockGuard(Checks &ck)
{
    Lock lock;
    CHECK(!lock.locked());
    {
        auto held = co_await lock.acquireGuard();
        CHECK(held.owns());
        CHECK(lock.locked());
    }
    CHECK(!lock.locked());
}

Coro<void> failWhileHolding(Lock &lock, QList<int> &order)
{
    auto held = co_await lock.acquireGuard();
    order.append(1);
    co_await qaio::sleep(0);
    throw std::runtime_error("boom");
}

Coro<void> lockGuardReleasesOnException(Checks &ck)
{
    Lock lock;
    QList<int> order;
    auto error = co_await errorOf(failWhileHolding(lock, order));
    CHECK_EQ(whatOf(error), QStringLiteral("boom"));
    CHECK(!lock.locked());

    // In a task, with a waiter queued behind: the waiter gets the lock.
    auto failing = createTask(failWhileHolding(lock, order));
    co_await qaio::sleep(0);
    CHECK(lock.locked());
    auto waiter = createTask(lockAppend(lock, order, 2));
    error = co_await errorOf(failing);
    CHECK_EQ(whatOf(error), QStringLiteral("boom"));
    CHECK(co_await waiter);
    CHECK_EQ(order, ints(1, 1, 2));
    CHECK(lock.locked());
    lock.release();
}

Coro<void> holdForever(Lock &lock, bool &entered)
{
    auto held = co_await lock.acquireGuard();
    entered = true;
    co_await qaio::sleep(3600);
}

Coro<void> lockGuardReleasesOnCancel(Checks &ck)
{
    Lock lock;
    QList<int> order;
    bool entered = false;
    auto holder = createTask(holdForever(lock, entered));
    co_await qaio::sleep(0);
    CHECK(entered);
    CHECK(lock.locked());
    auto waiter = createTask(lockAppend(lock, order, 7));
    co_await qaio::sleep(0);
    holder.cancel();
    auto error = co_await errorOf(holder);
    CHECK(holds<CancelledError>(error));
    CHECK(holder.cancelled());
    CHECK(co_await waiter);
    CHECK_EQ(order, ints(7));
    CHECK(lock.locked());
    lock.release();
}

Coro<void> guardedAppend(Lock &lock, QList<int> &order, int tag)
{
    auto held = co_await lock.acquireGuard();
    order.append(tag);
}

// Cancelled while waiting in acquireGuard(): no guard, nothing released.
Coro<void> lockGuardCancelledWhileWaiting(Checks &ck)
{
    Lock lock;
    QList<int> order;
    co_await lock.acquire();
    auto t = createTask(guardedAppend(lock, order, 1));
    co_await qaio::sleep(0);
    t.cancel();
    auto error = co_await errorOf(t);
    CHECK(holds<CancelledError>(error));
    CHECK(lock.locked()); // still ours
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [locked]>"));
    CHECK(order.isEmpty());
    lock.release();
    CHECK(!lock.locked());
}

Coro<void> lockGuardEarlyReleaseAndMove(Checks &ck)
{
    Lock lock;
    auto held = co_await lock.acquireGuard();
    Guard<Lock> moved = std::move(held);
    CHECK(!held.owns());
    CHECK(moved.owns());
    CHECK(lock.locked());
    moved.release();
    CHECK(!moved.owns());
    CHECK(!lock.locked());
    // Somebody else takes the lock; our spent guards must not release it.
    co_await lock.acquire();
    {
        Guard<Lock> spent = std::move(moved);
        CHECK(!spent.owns());
    }
    CHECK(lock.locked());
    Guard<Lock> adopt(lock);
    adopt = Guard<Lock>(); // move-assigning releases the old one
    CHECK(!lock.locked());
}

// waitFor(lock.acquire(), t) times out while the lock is held; the lock stays consistent.
Coro<void> lockWaitForTimesOutWhileHeld(Checks &ck)
{
    Lock lock;
    co_await lock.acquire();
    const double start = runningLoop().time();
    auto error = co_await errorOf(waitFor(lock.acquire(), 0.01));
    CHECK(holds<TimeoutError>(error));
    CHECK(runningLoop().time() - start >= 0.009);
    CHECK(lock.locked());
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [locked]>"));
    lock.release();
    CHECK(!lock.locked());
    CHECK(co_await waitFor(lock.acquire(), 0.01));
    CHECK(lock.locked());
    lock.release();
}

Coro<void> timedLockAppend(Lock &lock, QStringList &log, QString name, double timeoutSeconds)
{
    try {
        co_await waitFor(lock.acquire(), timeoutSeconds);
    } catch (const TimeoutError &) {
        log << name + QStringLiteral(" timeout");
        co_return;
    }
    log << name;
    co_await qaio::sleep(0);
    lock.release();
}

// A waiter that times out leaves the queue; the next in line is served.
Coro<void> lockWaitForTimeoutKeepsQueueOrder(Checks &ck)
{
    Lock lock;
    QStringList log;
    co_await lock.acquire();
    auto tb = createTask(timedLockAppend(lock, log, QStringLiteral("B"), 0.01));
    auto tc = createTask(timedLockAppend(lock, log, QStringLiteral("C"), 10));
    co_await qaio::sleep(0.03);
    CHECK_EQ(log, st::strs({"B timeout"}));
    CHECK(lock.toString().contains(QStringLiteral("waiters:1")));
    lock.release();
    co_await tc;
    CHECK_EQ(log, st::strs({"B timeout", "C"}));
    CHECK(!lock.locked());
    CHECK(tb.done());
}

// The timeout fires about when the lock is released: whatever B got, C is
// served in the end and the lock ends free (no lost wake-up).
Coro<void> lockTimeoutRacingRelease(Checks &ck)
{
    for (int round = 0; round < 5; ++round) {
        Lock lock;
        QStringList log;
        co_await lock.acquire();
        auto tb = createTask(timedLockAppend(lock, log, QStringLiteral("B"), 0.005));
        auto tc = createTask(timedLockAppend(lock, log, QStringLiteral("C"), 10));
        co_await qaio::sleep(0);
        runningLoop().callLater(0.005, [&lock] { lock.release(); });
        co_await waitFor(tc, 5);
        co_await tb;
        CHECK(log.contains(QStringLiteral("C")));
        CHECK_EQ(log.size(), 2);
        CHECK(!lock.locked());
        CHECK_EQ(lock.toString(), QStringLiteral("<Lock [unlocked]>"));
    }
}

Coro<void> lockWaitForSucceeds(Checks &ck)
{
    Lock lock;
    co_await lock.acquire();
    runningLoop().callLater(0.005, [&lock] { lock.release(); });
    CHECK(co_await waitFor(lock.acquire(), 5));
    CHECK(lock.locked());
    lock.release();
}

// asyncio.wait_for with timeout <= 0 cancels the acquisition before it starts.
Coro<void> lockWaitForZeroTimeout(Checks &ck)
{
    Lock lock;
    auto error = co_await errorOf(waitFor(lock.acquire(), 0));
    CHECK(holds<TimeoutError>(error));
    CHECK(!lock.locked());
    co_await lock.acquire();
    error = co_await errorOf(waitFor(lock.acquire(), -1));
    CHECK(holds<TimeoutError>(error));
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [locked]>"));
    lock.release();
}

// Waiters with and without timeouts interleaved: the patient ones are served
// in order, the impatient ones time out, and the lock ends free.
Coro<void> lockManyWaitersWithTimeouts(Checks &ck)
{
    Lock lock;
    QStringList log;
    co_await lock.acquire();
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 6; ++i) {
        const QString name = QString::number(i);
        tasks.push_back(createTask(timedLockAppend(lock, log, name, i % 2 ? 0.005 : 10.0)));
    }
    co_await qaio::sleep(0.03);
    CHECK_EQ(log, st::strs({"1 timeout", "3 timeout", "5 timeout"}));
    lock.release();
    co_await gather(tasks);
    CHECK_EQ(log, st::strs({"1 timeout", "3 timeout", "5 timeout", "0", "2", "4"}));
    CHECK(!lock.locked());
}

// Binds `lock` to the running loop: someone has to wait for it.
Coro<void> contendLock(Lock &lock)
{
    co_await lock.acquire();
    auto t = createTask(lock.acquire());
    co_await qaio::sleep(0);
    lock.release();
    co_await t;
    lock.release();
}

Coro<void> lockOnOtherLoop(Checks &ck, Lock &lock)
{
    // The fast path does not look at the loop, as in asyncio.
    CHECK(co_await lock.acquire());
    // Waiting does: the lock belongs to the first loop.
    auto error = co_await errorOf(lock.acquire());
    CHECK(holds<RuntimeError>(error));
    CHECK(whatOf(error).contains(QStringLiteral("different event loop")));
    CHECK(lock.locked());
    CHECK_EQ(lock.toString(), QStringLiteral("<Lock [locked]>"));
    lock.release();
}

// ================================================================ Event

Coro<void> evAppend(Event &ev, QList<int> &result, int tag)
{
    const bool ok = co_await ev.wait();
    if (ok)
        result.append(tag);
}

Coro<bool> evWaitTrue(Event &ev, QList<int> &result, int tag)
{
    const bool ok = co_await ev.wait();
    if (ok)
        result.append(tag);
    co_return true;
}

Coro<void> eventRepr(Checks &ck)
{
    Event ev;
    CHECK_EQ(ev.toString(), QStringLiteral("<Event [unset]>"));
    QList<int> result;
    auto t = createTask(evAppend(ev, result, 1));
    co_await qaio::sleep(0);
    CHECK_EQ(ev.toString(), QStringLiteral("<Event [unset, waiters:1]>"));
    ev.set();
    CHECK_EQ(ev.toString(), QStringLiteral("<Event [set, waiters:1]>"));
    co_await t;
    CHECK_EQ(ev.toString(), QStringLiteral("<Event [set]>"));
}

// test_wait
Coro<void> eventWait(Checks &ck)
{
    Event ev;
    CHECK(!ev.isSet());
    QList<int> result;
    auto t1 = createTask(evAppend(ev, result, 1));
    auto t2 = createTask(evAppend(ev, result, 2));
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints());

    auto t3 = createTask(evAppend(ev, result, 3));
    ev.set();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(3, 1, 2));
    CHECK(t1.done() && !t1.exception());
    CHECK(t2.done() && !t2.exception());
    CHECK(t3.done() && !t3.exception());
}

// test_wait_on_set
Coro<void> eventWaitOnSet(Checks &ck)
{
    Event ev;
    ev.set();
    CHECK(co_await ev.wait());
    CHECK(ev.isSet());
}

// test_wait_cancel
Coro<void> eventWaitCancel(Checks &ck)
{
    Event ev;
    auto wait = createTask(ev.wait());
    runningLoop().callSoon([wait]() mutable { wait.cancel(); });
    auto error = co_await errorOf(wait);
    CHECK(holds<CancelledError>(error));
    CHECK_EQ(ev.toString(), QStringLiteral("<Event [unset]>"));
}

// test_clear
Coro<void> eventClear(Checks &ck)
{
    Event ev;
    CHECK(!ev.isSet());
    ev.set();
    CHECK(ev.isSet());
    ev.clear();
    CHECK(!ev.isSet());
    co_return;
}

// test_clear_with_waiters
Coro<void> eventClearWithWaiters(Checks &ck)
{
    Event ev;
    QList<int> result;
    auto t = createTask(evWaitTrue(ev, result, 1));
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints());

    ev.set();
    ev.clear();
    CHECK(!ev.isSet());
    ev.set();
    ev.set();
    CHECK(ev.toString().contains(QStringLiteral("waiters:1")));

    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1));
    CHECK(!ev.toString().contains(QStringLiteral("waiters")));
    CHECK(t.done() && t.result());
}

Coro<void> eventWaitForTimeout(Checks &ck)
{
    Event ev;
    auto error = co_await errorOf(waitFor(ev.wait(), 0.01));
    CHECK(holds<TimeoutError>(error));
    CHECK_EQ(ev.toString(), QStringLiteral("<Event [unset]>"));
    runningLoop().callLater(0.002, [&ev] { ev.set(); });
    CHECK(co_await waitFor(ev.wait(), 5));
}

Coro<void> eventSetFromTimer(Checks &ck)
{
    Event ev;
    QList<int> result;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 4; ++i)
        tasks.push_back(createTask(evAppend(ev, result, i)));
    runningLoop().callLater(0.002, [&ev] { ev.set(); });
    co_await gather(tasks);
    CHECK_EQ(result, ints(0, 1, 2, 3));
    CHECK(ev.isSet());
}

// ================================================================ Condition

Coro<bool> condWaitAppend(Condition &cond, QList<int> &result, int tag)
{
    co_await cond.acquire();
    const bool ok = co_await cond.wait();
    if (ok)
        result.append(tag);
    co_return true;
}

Coro<bool> condWaitAppendRelease(Condition &cond, QList<int> &result, int tag)
{
    co_await cond.acquire();
    const bool ok = co_await cond.wait();
    if (ok) {
        result.append(tag);
        cond.release();
    }
    co_return true;
}

// test_wait
Coro<void> condWait(Checks &ck)
{
    Condition cond;
    QList<int> result;
    auto t1 = createTask(condWaitAppend(cond, result, 1));
    auto t2 = createTask(condWaitAppend(cond, result, 2));
    auto t3 = createTask(condWaitAppend(cond, result, 3));
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints());
    CHECK(!cond.locked());

    CHECK(co_await cond.acquire());
    cond.notify();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints());
    CHECK(cond.locked());

    cond.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1));
    CHECK(cond.locked());

    cond.notify(2);
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1));
    CHECK(cond.locked());

    cond.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1, 2));
    CHECK(cond.locked());

    cond.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1, 2, 3));
    CHECK(cond.locked());

    CHECK(t1.done() && t1.result());
    CHECK(t2.done() && t2.result());
    CHECK(t3.done() && t3.result());
    cond.release();
}

// test_wait_cancel
Coro<void> condWaitCancel(Checks &ck)
{
    Condition cond;
    co_await cond.acquire();
    auto wait = createTask(cond.wait());
    runningLoop().callSoon([wait]() mutable { wait.cancel(); });
    auto error = co_await errorOf(wait);
    CHECK(holds<CancelledError>(error));
    CHECK(!cond.toString().contains(QStringLiteral("waiters")));
    CHECK(cond.locked());
    cond.release();
}

// test_wait_cancel_contested
Coro<void> condWaitCancelContested(Checks &ck)
{
    Condition cond;
    co_await cond.acquire();
    CHECK(cond.locked());
    auto waitTask = createTask(cond.wait());
    co_await qaio::sleep(0);
    CHECK(!cond.locked());

    // Notify, but contest the lock before cancelling.
    co_await cond.acquire();
    CHECK(cond.locked());
    cond.notify();
    runningLoop().callSoon([waitTask]() mutable { waitTask.cancel(); });
    runningLoop().callSoon([&cond] { cond.release(); });
    co_await errorOf(waitTask); // cancelled or not, it re-acquired the lock
    CHECK(waitTask.done());
    CHECK(cond.locked());
    cond.release();
}

Coro<void> waitOnCond(Condition &cond, bool &waited)
{
    auto held = co_await cond.acquireGuard();
    waited = true; // make sure this area was reached
    co_await cond.wait();
}

// test_wait_cancel_after_notify (bpo-32841)
Coro<void> condWaitCancelAfterNotify(Checks &ck)
{
    Condition cond;
    bool waited = false;
    auto waiter = createTask(waitOnCond(cond, waited));
    co_await qaio::sleep(0); // start waiting

    co_await cond.acquire();
    cond.notify();
    co_await qaio::sleep(0); // get to acquire()
    waiter.cancel();
    co_await qaio::sleep(0); // activate cancellation
    cond.release();
    co_await qaio::sleep(0); // cancellation should occur

    CHECK(waiter.cancelled());
    CHECK(waited);
    CHECK(!cond.locked());
}

// test_wait_unacquired
Coro<void> condWaitUnacquired(Checks &ck)
{
    Condition cond;
    auto error = co_await errorOf(cond.wait());
    CHECK(holds<RuntimeError>(error));
    CHECK_EQ(whatOf(error), QStringLiteral("cannot wait on un-acquired lock"));
    CHECK(!cond.locked());
}

Coro<bool> condWaitForAppend(Condition &cond, bool &presult, QList<int> &result)
{
    co_await cond.acquire();
    const bool ok = co_await cond.waitFor([&presult] { return presult; });
    if (ok) {
        result.append(1);
        cond.release();
    }
    co_return true;
}

// test_wait_for
Coro<void> condWaitFor(Checks &ck)
{
    Condition cond;
    bool presult = false;
    QList<int> result;
    auto t = createTask(condWaitForAppend(cond, presult, result));
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints());

    co_await cond.acquire();
    cond.notify();
    cond.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints());

    presult = true;
    co_await cond.acquire();
    cond.notify();
    cond.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1));
    CHECK(t.done() && t.result());
    CHECK(!cond.locked());
}

// test_wait_for_unacquired
Coro<void> condWaitForUnacquired(Checks &ck)
{
    Condition cond;
    // The predicate can be true at once: no lock needed.
    auto res = co_await cond.waitFor([] { return std::optional<int>(123); });
    CHECK(res.has_value());
    CHECK_EQ(res.value_or(0), 123);
    auto error = co_await errorOf(cond.waitFor([] { return false; }));
    CHECK(holds<RuntimeError>(error));
}

// test_notify
Coro<void> condNotify(Checks &ck)
{
    Condition cond;
    QList<int> result;
    auto t1 = createTask(condWaitAppendRelease(cond, result, 1));
    auto t2 = createTask(condWaitAppendRelease(cond, result, 2));
    auto t3 = createTask(condWaitAppendRelease(cond, result, 3));
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints());

    co_await cond.acquire();
    cond.notify(1);
    cond.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1));

    co_await cond.acquire();
    cond.notify(1);
    cond.notify(2048);
    cond.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1, 2, 3));
    CHECK(t1.done() && t1.result());
    CHECK(t2.done() && t2.result());
    CHECK(t3.done() && t3.result());
}

// test_notify_all
Coro<void> condNotifyAll(Checks &ck)
{
    Condition cond;
    QList<int> result;
    auto t1 = createTask(condWaitAppendRelease(cond, result, 1));
    auto t2 = createTask(condWaitAppendRelease(cond, result, 2));
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints());

    co_await cond.acquire();
    cond.notifyAll();
    cond.release();
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1, 2));
    CHECK(t1.done() && t1.result());
    CHECK(t2.done() && t2.result());
}

// notify(n) counts only waiters not woken yet.
Coro<void> condNotifySkipsWokenWaiters(Checks &ck)
{
    Condition cond;
    QList<int> result;
    std::vector<Task<bool>> tasks;
    for (int i = 1; i <= 4; ++i)
        tasks.push_back(createTask(condWaitAppendRelease(cond, result, i)));
    co_await qaio::sleep(0);
    co_await cond.acquire();
    cond.notify(2);
    cond.notify(1);
    cond.release();
    co_await st::yieldTimes(3);
    CHECK_EQ(result, ints(1, 2, 3));
    CHECK(!tasks[3].done());
    co_await cond.acquire();
    cond.notify(0); // wakes nobody
    cond.release();
    co_await st::yieldTimes(2);
    CHECK(!tasks[3].done());
    co_await cond.acquire();
    cond.notify();
    cond.release();
    co_await tasks[3];
    CHECK_EQ(result, ints(1, 2, 3, 4));
}

// test_notify_unacquired / test_notify_all_unacquired
Coro<void> condNotifyUnacquired(Checks &ck)
{
    Condition cond;
    auto error = errorOfCall([&] { cond.notify(); });
    CHECK(holds<RuntimeError>(error));
    CHECK_EQ(whatOf(error), QStringLiteral("cannot notify on un-acquired lock"));
    co_return;
}

Coro<void> condNotifyAllUnacquired(Checks &ck)
{
    Condition cond;
    auto error = errorOfCall([&] { cond.notifyAll(); });
    CHECK(holds<RuntimeError>(error));
    CHECK_EQ(whatOf(error), QStringLiteral("cannot notify on un-acquired lock"));
    co_return;
}

// test_repr
Coro<void> condRepr(Checks &ck)
{
    Condition cond;
    CHECK_EQ(cond.toString(), QStringLiteral("<Condition [unlocked]>"));
    co_await cond.acquire();
    CHECK_EQ(cond.toString(), QStringLiteral("<Condition [locked]>"));
    cond.release();

    QList<int> result;
    auto t1 = createTask(condWaitAppendRelease(cond, result, 1));
    co_await qaio::sleep(0);
    CHECK_EQ(cond.toString(), QStringLiteral("<Condition [unlocked, waiters:1]>"));
    auto t2 = createTask(condWaitAppendRelease(cond, result, 2));
    co_await qaio::sleep(0);
    co_await cond.acquire();
    CHECK_EQ(cond.toString(), QStringLiteral("<Condition [locked, waiters:2]>"));
    cond.notifyAll();
    cond.release();
    co_await gather(t1, t2);
    CHECK_EQ(result, ints(1, 2));
    CHECK_EQ(cond.toString(), QStringLiteral("<Condition [unlocked]>"));
}

// test_context_manager
Coro<void> condGuard(Checks &ck)
{
    Condition cond;
    CHECK(!cond.locked());
    {
        auto held = co_await cond.acquireGuard();
        CHECK(held.owns());
        CHECK(cond.locked());
    }
    CHECK(!cond.locked());
}

Coro<void> condFailInGuard(Condition &cond)
{
    auto held = co_await cond.acquireGuard();
    throw std::runtime_error("inside");
}

Coro<void> condWaitInGuard(Condition &cond)
{
    auto held = co_await cond.acquireGuard();
    co_await cond.wait();
}

// The guard releases on an exception, and after a cancelled wait (which
// re-acquired the lock first).
Coro<void> condGuardReleasesOnUnwind(Checks &ck)
{
    Condition cond;
    auto error = co_await errorOf(condFailInGuard(cond));
    CHECK_EQ(whatOf(error), QStringLiteral("inside"));
    CHECK(!cond.locked());

    auto t = createTask(condWaitInGuard(cond));
    co_await qaio::sleep(0);
    CHECK(!cond.locked()); // released by wait()
    co_await cond.acquire();
    t.cancel();
    co_await qaio::sleep(0);
    CHECK(!t.done()); // it must re-acquire the lock before it can leave
    cond.release();
    error = co_await errorOf(t);
    CHECK(holds<CancelledError>(error));
    CHECK(!cond.locked());
    CHECK_EQ(cond.toString(), QStringLiteral("<Condition [unlocked]>"));
}

Coro<void> explicitLockCheck(Checks &ck, Lock &lock, Condition &cond)
{
    CHECK(!lock.locked());
    CHECK(!cond.locked());
    {
        auto held = co_await cond.acquireGuard();
        CHECK(lock.locked());
        CHECK(cond.locked());
    }
    CHECK(!lock.locked());
    CHECK(!cond.locked());
    {
        auto held = co_await lock.acquireGuard();
        CHECK(lock.locked());
        CHECK(cond.locked());
    }
    CHECK(!lock.locked());
    CHECK(!cond.locked());
}

Coro<bool> lockThenNotify(Lock &lock, Condition &cond)
{
    auto held = co_await lock.acquireGuard();
    cond.notifyAll(); // holding the shared lock is holding the condition
    co_return true;
}

// test_explicit_lock: a Condition sharing a Lock.
Coro<void> condExplicitLock(Checks &ck)
{
    {
        Lock lock;
        Condition cond(lock);
        co_await explicitLockCheck(ck, lock, cond);
    }
    {
        Lock lock;
        Condition cond(lock);
        co_await explicitLockCheck(ck, lock, cond);
        // Wait on the condition; notify while holding the lock itself.
        QList<int> result;
        auto t = createTask(condWaitAppendRelease(cond, result, 1));
        co_await qaio::sleep(0);
        CHECK(!lock.locked());
        CHECK(co_await lockThenNotify(lock, cond));
        co_await t;
        CHECK_EQ(result, ints(1));
        CHECK(!lock.locked());
        // Two conditions on one lock.
        Condition other(lock);
        co_await lock.acquire();
        CHECK(other.locked());
        other.release();
        CHECK(!cond.locked());
    }
}

// test_timeout_in_block
Coro<void> condTimeoutInBlock(Checks &ck)
{
    Condition cond;
    auto held = co_await cond.acquireGuard();
    auto error = co_await errorOf(waitFor(cond.wait(), 0.01));
    CHECK(holds<TimeoutError>(error));
    CHECK(cond.locked()); // wait() took the lock back
    CHECK_EQ(cond.toString(), QStringLiteral("<Condition [locked]>"));
}

Coro<void> lockThenNotifyCond(Condition &cond)
{
    auto held = co_await cond.acquireGuard();
    cond.notifyAll();
}

// A waitFor(predicate) that times out leaves the lock held and the waiters clean.
Coro<void> condWaitForPredicateTimeout(Checks &ck)
{
    Condition cond;
    bool ready = false;
    {
        auto held = co_await cond.acquireGuard();
        auto error = co_await errorOf(timeout(0.01, cond.waitFor([&ready] { return ready; })));
        CHECK(holds<TimeoutError>(error));
        CHECK(cond.locked());
    }
    CHECK_EQ(cond.toString(), QStringLiteral("<Condition [unlocked]>"));
    // And it does succeed when somebody makes the predicate true in time.
    runningLoop().callLater(0.002, [&cond, &ready] {
        ready = true;
        createTask(lockThenNotifyCond(cond));
    });
    auto held = co_await cond.acquireGuard();
    CHECK(co_await waitFor(cond.waitFor([&ready] { return ready; }), 5));
    CHECK(cond.locked());
}

struct CancelCapture
{
    bool wake = false;
    bool caught = false;
    QString message;
};

Coro<void> cancelCaptureFunc(Condition &cond, CancelCapture &s)
{
    auto held = co_await cond.acquireGuard();
    try {
        co_await cond.waitFor([&s] { return s.wake; });
    } catch (const CancelledError &e) {
        s.caught = true;
        s.message = e.message();
        throw;
    }
}

// test_cancelled_error_wakeup: the CancelledError is re-raised unchanged.
Coro<void> condCancelledErrorWakeup(Checks &ck)
{
    Condition cond;
    CancelCapture s;
    auto task = createTask(cancelCaptureFunc(cond, s));
    co_await qaio::sleep(0);
    task.cancel(QStringLiteral("foo"));
    auto error = co_await errorOf(task);
    CHECK(holds<CancelledError>(error));
    CHECK_EQ(st::cancelMessageOf(error), QStringLiteral("foo"));
    CHECK(s.caught);
    CHECK_EQ(s.message, QStringLiteral("foo"));
    CHECK(!cond.locked());
}

// test_cancelled_error_re_aquire: cancelled while re-acquiring the lock.
Coro<void> condCancelledErrorReAcquire(Checks &ck)
{
    Condition cond;
    CancelCapture s;
    auto task = createTask(cancelCaptureFunc(cond, s));
    co_await qaio::sleep(0);
    co_await cond.acquire();
    s.wake = true;
    cond.notify();
    co_await qaio::sleep(0);
    // The task is now trying to re-acquire the lock: cancel it there.
    task.cancel(QStringLiteral("foo"));
    cond.release();
    auto error = co_await errorOf(task);
    CHECK(holds<CancelledError>(error));
    CHECK_EQ(st::cancelMessageOf(error), QStringLiteral("foo"));
    CHECK(s.caught);
    CHECK_EQ(s.message, QStringLiteral("foo"));
    CHECK(!cond.locked());
}

Coro<void> stateConsumer(Condition &cond, int &state)
{
    auto held = co_await cond.acquireGuard();
    for (;;) {
        co_await cond.waitFor([&state] { return state != 0; });
        if (state < 0)
            co_return;
        --state;
    }
}

// test_cancelled_wakeup / test_cancelled_wakeup_relock: a consumer cancelled
// as it is notified passes the notification on; nothing is lost.
Coro<void> cancelledWakeup(Checks &ck, bool relock)
{
    Condition cond;
    int state = 0;
    auto c0 = createTask(stateConsumer(cond, state));
    auto c1 = createTask(stateConsumer(cond, state));
    co_await qaio::sleep(0);
    {
        auto held = co_await cond.acquireGuard();
        state += 1;
        cond.notify(1);
        if (relock)
            co_await qaio::sleep(0); // c0 wakes and waits for the lock
        c0.cancel();
        try {
            co_await timeout(0.01, cond.waitFor([&state] { return state == 0; }));
        } catch (const TimeoutError &) {
        }
        CHECK_EQ(state, 0);
        state = -1;
        cond.notifyAll();
    }
    auto error = co_await errorOf(c1);
    CHECK(!error);
    CHECK(c0.cancelled());
    CHECK(!cond.locked());
}

Coro<void> condCancelledWakeup(Checks &ck)
{
    co_await cancelledWakeup(ck, false);
}

Coro<void> condCancelledWakeupRelock(Checks &ck)
{
    co_await cancelledWakeup(ck, true);
}

Coro<void> condGuardedWaitAppend(Condition &cond, QList<int> &result, int tag)
{
    auto held = co_await cond.acquireGuard();
    co_await cond.wait();
    result.append(tag);
}

// A task cancelled right after it was notified passes the notification on to
// the next waiter (a spurious wake-up at worst), so nothing is lost.
Coro<void> condCancelPassesNotifyOn(Checks &ck)
{
    Condition cond;
    QList<int> result;
    auto t1 = createTask(condGuardedWaitAppend(cond, result, 1));
    auto t2 = createTask(condGuardedWaitAppend(cond, result, 2));
    co_await qaio::sleep(0);
    co_await cond.acquire();
    cond.notify(1); // t1
    t1.cancel();    // ... cancelled before it runs
    cond.release();
    auto error = co_await errorOf(t1);
    CHECK(holds<CancelledError>(error));
    error = co_await errorOf(waitFor(t2, 5));
    CHECK(!error);
    CHECK(t1.cancelled());
    CHECK(t2.done());
    CHECK_EQ(result, ints(2));
    CHECK(!cond.locked());
}

Coro<void> notifyLater(Condition &cond, int &value, int newValue)
{
    co_await qaio::sleep(0);
    auto held = co_await cond.acquireGuard();
    value = newValue;
    cond.notifyAll();
}

// waitFor returns the predicate's final value.
Coro<void> condWaitForReturnsValue(Checks &ck)
{
    Condition cond;
    int value = 0;
    auto held = co_await cond.acquireGuard();
    auto t = createTask(notifyLater(cond, value, 7));
    const int got = co_await cond.waitFor([&value] { return value; });
    CHECK_EQ(got, 7);
    CHECK(cond.locked());
    held.release();
    co_await t;
}

struct Channel
{
    Condition cond;
    std::deque<int> items;
    bool closed = false;
};

Coro<void> channelConsumer(Channel &ch, QList<int> &got)
{
    auto held = co_await ch.cond.acquireGuard();
    for (;;) {
        co_await ch.cond.waitFor([&ch] { return !ch.items.empty() || ch.closed; });
        if (ch.items.empty())
            co_return;
        got.append(ch.items.front());
        ch.items.pop_front();
    }
}

Coro<void> channelProducer(Channel &ch, int n)
{
    for (int i = 1; i <= n; ++i) {
        auto held = co_await ch.cond.acquireGuard();
        ch.items.push_back(i);
        ch.cond.notify();
        held.release();
        co_await qaio::sleep(0);
    }
    auto held = co_await ch.cond.acquireGuard();
    ch.closed = true;
    ch.cond.notifyAll();
}

// A producer and a consumer through a Condition: nothing lost, order kept.
Coro<void> condProducerConsumer(Checks &ck)
{
    Channel ch;
    QList<int> got;
    auto consumer = createTask(channelConsumer(ch, got));
    co_await channelProducer(ch, 6);
    co_await consumer;
    CHECK_EQ(got, ints(1, 2, 3, 4, 5, 6));
    CHECK(!ch.cond.locked());
}

// ---- helpers for the tests that use two loops

Coro<void> bindConditionLoop(Condition &cond)
{
    co_await cond.acquire();
    try {
        co_await waitFor(cond.wait(), 0.001);
    } catch (const TimeoutError &) {
    }
    cond.release();
}

Coro<void> bindEventLoop(Event &ev)
{
    try {
        co_await waitFor(ev.wait(), 0.001);
    } catch (const TimeoutError &) {
    }
}

// test_ambiguous_loops, wrong_loop_in_lock: a Condition sharing a Lock bound
// to another loop finds out when it has to wait for that lock.
Coro<void> wrongLoopInLock(Checks &ck, Lock &lock)
{
    auto held = co_await lock.acquireGuard(); // fast path: no loop involved
    Condition cond(lock);
    auto error = co_await errorOf(cond.acquire());
    CHECK(holds<RuntimeError>(error));
    CHECK(whatOf(error).contains(QStringLiteral("is bound to a different event loop")));
    CHECK(lock.locked());
}

// wrong_loop_in_cond: the condition itself is bound to another loop.
Coro<void> wrongLoopInCond(Checks &ck, Condition &cond)
{
    auto held = co_await cond.acquireGuard();
    auto error = co_await errorOf(cond.wait());
    CHECK(holds<RuntimeError>(error));
    CHECK(whatOf(error).contains(QStringLiteral("is bound to a different event loop")));
    CHECK(cond.locked()); // still held, as after any wait()
}

Coro<void> eventOnOtherLoop(Checks &ck, Event &ev)
{
    auto error = co_await errorOf(ev.wait());
    CHECK(holds<RuntimeError>(error));
    CHECK(whatOf(error).contains(QStringLiteral("different event loop")));
    ev.set();
    CHECK(co_await ev.wait()); // set: no waiting, no loop check
}

} // namespace

class TestSyncLocks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Lock
    void lock_repr() { RUN_SYNC_TEST(lockRepr); }
    void lock_acquireRelease() { RUN_SYNC_TEST(lockAcquireRelease); }
    void lock_acquire() { RUN_SYNC_TEST(lockAcquire); }
    void lock_acquireCancel() { RUN_SYNC_TEST(lockAcquireCancel); }
    void lock_cancelRace() { RUN_SYNC_TEST(lockCancelRace); }
    void lock_cancelReleaseRace() { RUN_SYNC_TEST(lockCancelReleaseRace); }
    void lock_finishedWaiterCancelled() { RUN_SYNC_TEST(lockFinishedWaiterCancelled); }
    void lock_acquireCancelAfterRelease() { RUN_SYNC_TEST(lockAcquireCancelAfterRelease); }
    void lock_fastPathWithOnlyCancelledWaiters() { RUN_SYNC_TEST(lockFastPathWithOnlyCancelledWaiters); }
    void lock_releaseNotAcquired() { RUN_SYNC_TEST(lockReleaseNotAcquired); }
    void lock_fifoOrder() { RUN_SYNC_TEST(lockFifoOrder); }
    void lock_guard() { RUN_SYNC_TEST(lockGuard); }
    void lock_guardReleasesOnException() { RUN_SYNC_TEST(lockGuardReleasesOnException); }
    void lock_guardReleasesOnCancel() { RUN_SYNC_TEST(lockGuardReleasesOnCancel); }
    void lock_guardCancelledWhileWaiting() { RUN_SYNC_TEST(lockGuardCancelledWhileWaiting); }
    void lock_guardEarlyReleaseAndMove() { RUN_SYNC_TEST(lockGuardEarlyReleaseAndMove); }
    void lock_waitForTimesOutWhileHeld() { RUN_SYNC_TEST(lockWaitForTimesOutWhileHeld); }
    void lock_waitForTimeoutKeepsQueueOrder() { RUN_SYNC_TEST(lockWaitForTimeoutKeepsQueueOrder); }
    void lock_timeoutRacingRelease() { RUN_SYNC_TEST(lockTimeoutRacingRelease); }
    void lock_waitForSucceeds() { RUN_SYNC_TEST(lockWaitForSucceeds); }
    void lock_waitForZeroTimeout() { RUN_SYNC_TEST(lockWaitForZeroTimeout); }
    void lock_manyWaitersWithTimeouts() { RUN_SYNC_TEST(lockManyWaitersWithTimeouts); }
    void lock_differentLoop();

    // Event
    void event_repr() { RUN_SYNC_TEST(eventRepr); }
    void event_wait() { RUN_SYNC_TEST(eventWait); }
    void event_waitOnSet() { RUN_SYNC_TEST(eventWaitOnSet); }
    void event_waitCancel() { RUN_SYNC_TEST(eventWaitCancel); }
    void event_clear() { RUN_SYNC_TEST(eventClear); }
    void event_clearWithWaiters() { RUN_SYNC_TEST(eventClearWithWaiters); }
    void event_waitForTimeout() { RUN_SYNC_TEST(eventWaitForTimeout); }
    void event_setFromTimer() { RUN_SYNC_TEST(eventSetFromTimer); }
    void event_differentLoop();

    // Condition
    void cond_wait() { RUN_SYNC_TEST(condWait); }
    void cond_waitCancel() { RUN_SYNC_TEST(condWaitCancel); }
    void cond_waitCancelContested() { RUN_SYNC_TEST(condWaitCancelContested); }
    void cond_waitCancelAfterNotify() { RUN_SYNC_TEST(condWaitCancelAfterNotify); }
    void cond_waitUnacquired() { RUN_SYNC_TEST(condWaitUnacquired); }
    void cond_waitFor() { RUN_SYNC_TEST(condWaitFor); }
    void cond_waitForUnacquired() { RUN_SYNC_TEST(condWaitForUnacquired); }
    void cond_notify() { RUN_SYNC_TEST(condNotify); }
    void cond_notifyAll() { RUN_SYNC_TEST(condNotifyAll); }
    void cond_notifySkipsWokenWaiters() { RUN_SYNC_TEST(condNotifySkipsWokenWaiters); }
    void cond_notifyUnacquired() { RUN_SYNC_TEST(condNotifyUnacquired); }
    void cond_notifyAllUnacquired() { RUN_SYNC_TEST(condNotifyAllUnacquired); }
    void cond_repr() { RUN_SYNC_TEST(condRepr); }
    void cond_guard() { RUN_SYNC_TEST(condGuard); }
    void cond_guardReleasesOnUnwind() { RUN_SYNC_TEST(condGuardReleasesOnUnwind); }
    void cond_explicitLock() { RUN_SYNC_TEST(condExplicitLock); }
    void cond_ambiguousLoops();
    void cond_timeoutInBlock() { RUN_SYNC_TEST(condTimeoutInBlock); }
    void cond_waitForPredicateTimeout() { RUN_SYNC_TEST(condWaitForPredicateTimeout); }
    void cond_cancelledErrorWakeup() { RUN_SYNC_TEST(condCancelledErrorWakeup); }
    void cond_cancelledErrorReAcquire() { RUN_SYNC_TEST(condCancelledErrorReAcquire); }
    void cond_cancelledWakeup() { RUN_SYNC_TEST(condCancelledWakeup); }
    void cond_cancelledWakeupRelock() { RUN_SYNC_TEST(condCancelledWakeupRelock); }
    void cond_cancelPassesNotifyOn() { RUN_SYNC_TEST(condCancelPassesNotifyOn); }
    void cond_waitForReturnsValue() { RUN_SYNC_TEST(condWaitForReturnsValue); }
    void cond_producerConsumer() { RUN_SYNC_TEST(condProducerConsumer); }
};

// A Lock waited on in one loop refuses to wait in another.
void TestSyncLocks::lock_differentLoop()
{
    Checks ck;
    Lock lock;
    Loop loop1;
    st::runOn(loop1, contendLock(lock), ck);
    Loop loop2;
    st::runOn(loop2, lockOnOtherLoop(ck, lock), ck);
    QVERIFY2(ck.failures.isEmpty(), qPrintable(ck.failures.join(QLatin1Char('\n'))));
}

void TestSyncLocks::event_differentLoop()
{
    Checks ck;
    Event ev;
    Loop loop1;
    st::runOn(loop1, bindEventLoop(ev), ck);
    Loop loop2;
    st::runOn(loop2, eventOnOtherLoop(ck, ev), ck);
    QVERIFY2(ck.failures.isEmpty(), qPrintable(ck.failures.join(QLatin1Char('\n'))));
}

// test_ambiguous_loops
void TestSyncLocks::cond_ambiguousLoops()
{
    Checks ck;
    Lock lock;
    Lock condLock;
    Condition cond(condLock);
    Loop loop1;
    st::runOn(loop1, contendLock(lock), ck);
    st::runOn(loop1, bindConditionLoop(cond), ck);
    Loop loop2;
    st::runOn(loop2, wrongLoopInLock(ck, lock), ck);
    st::runOn(loop2, wrongLoopInCond(ck, cond), ck);
    QVERIFY2(ck.failures.isEmpty(), qPrintable(ck.failures.join(QLatin1Char('\n'))));
    QVERIFY(!lock.locked());
    QVERIFY(!cond.locked());
}

QTEST_GUILESS_MAIN(TestSyncLocks)
#include "tst_sync_locks.moc"
