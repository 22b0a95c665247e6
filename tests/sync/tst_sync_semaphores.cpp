// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_sync_semaphores — Semaphore, BoundedSemaphore and Barrier, ported from
// CPython's Lib/test/test_asyncio/test_locks.py (3.13): FIFO service, the
// cancellation races (a woken waiter that is cancelled gives its unit back),
// timeouts around waiters, guards, misuse, and the Barrier's filling,
// draining, resetting and broken states.
#include "sync_util.h"

#include <qaio/qaio.h>

#include <QtTest/QtTest>

#include <algorithm>
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

// ================================================================ Semaphore

Coro<bool> semAppend(Semaphore &sem, QList<int> &result, int tag)
{
    co_await sem.acquire();
    result.append(tag);
    co_return true;
}

// test_initial_value_zero
Coro<void> semInitialValueZero(Checks &ck)
{
    Semaphore sem(0);
    CHECK(sem.locked());
    CHECK_EQ(sem.value(), 0);
    co_return;
}

// test_repr
Coro<void> semRepr(Checks &ck)
{
    Semaphore sem;
    CHECK_EQ(sem.toString(), QStringLiteral("<Semaphore [unlocked, value:1]>"));
    co_await sem.acquire();
    CHECK_EQ(sem.toString(), QStringLiteral("<Semaphore [locked]>"));
    QList<int> result;
    auto t1 = createTask(semAppend(sem, result, 1));
    co_await qaio::sleep(0);
    CHECK_EQ(sem.toString(), QStringLiteral("<Semaphore [locked, waiters:1]>"));
    auto t2 = createTask(semAppend(sem, result, 2));
    co_await qaio::sleep(0);
    CHECK_EQ(sem.toString(), QStringLiteral("<Semaphore [locked, waiters:2]>"));
    sem.release();
    sem.release();
    co_await gather(t1, t2);
    CHECK_EQ(result, ints(1, 2));
}

// test_semaphore
Coro<void> semDefault(Checks &ck)
{
    Semaphore sem;
    CHECK_EQ(sem.value(), 1);
    CHECK(!sem.locked());
    // A plain Semaphore may be released above its initial value.
    sem.release();
    CHECK_EQ(sem.value(), 2);
    CHECK(co_await sem.acquire());
    CHECK(co_await sem.acquire());
    CHECK(sem.locked());
}

// test_semaphore_value
Coro<void> semNegativeValue(Checks &ck)
{
    auto error = errorOfCall([] { Semaphore sem(-1); });
    CHECK(holds<ValueError>(error));
    CHECK(whatOf(error).contains(QStringLiteral("-1")));
    error = errorOfCall([] { BoundedSemaphore sem(-1); });
    CHECK(holds<ValueError>(error));
    co_return;
}

// test_acquire
Coro<void> semAcquire(Checks &ck)
{
    Semaphore sem(3);
    QList<int> result;
    CHECK(co_await sem.acquire());
    CHECK(co_await sem.acquire());
    CHECK(!sem.locked());

    auto t1 = createTask(semAppend(sem, result, 1));
    auto t2 = createTask(semAppend(sem, result, 2));
    auto t3 = createTask(semAppend(sem, result, 3));
    co_await qaio::sleep(0);
    CHECK_EQ(result, ints(1));
    CHECK(sem.locked());
    CHECK(sem.toString().contains(QStringLiteral("waiters:2")));
    CHECK_EQ(sem.value(), 0);

    auto t4 = createTask(semAppend(sem, result, 4));
    sem.release();
    sem.release();
    CHECK_EQ(sem.value(), 0);

    co_await qaio::sleep(0);
    CHECK_EQ(sem.value(), 0);
    CHECK_EQ(result.size(), 3);
    CHECK(sem.locked());
    CHECK(sem.toString().contains(QStringLiteral("waiters:1")));
    CHECK(t1.done() && t1.result());
    int done = 0;
    for (auto *t : {&t2, &t3, &t4})
        done += t->done() && t->result() ? 1 : 0;
    CHECK_EQ(done, 2);

    sem.release();
    co_await gather(t2, t3, t4);
    CHECK_EQ(result, ints(1, 2, 3, 4));
}

// test_acquire_cancel
Coro<void> semAcquireCancel(Checks &ck)
{
    Semaphore sem;
    co_await sem.acquire();
    auto acquire = createTask(sem.acquire());
    runningLoop().callSoon([acquire]() mutable { acquire.cancel(); });
    auto error = co_await errorOf(acquire);
    CHECK(holds<CancelledError>(error));
    CHECK(!sem.toString().contains(QStringLiteral("waiters")));
    CHECK_EQ(sem.value(), 0);
}

// test_acquire_cancel_before_awoken
Coro<void> semAcquireCancelBeforeAwoken(Checks &ck)
{
    Semaphore sem(0);
    auto t1 = createTask(sem.acquire());
    auto t2 = createTask(sem.acquire());
    auto t3 = createTask(sem.acquire());
    auto t4 = createTask(sem.acquire());
    co_await qaio::sleep(0);

    t1.cancel();
    t2.cancel();
    sem.release();

    co_await qaio::sleep(0);
    co_await qaio::sleep(0);
    CHECK_EQ(int(t3.done()) + int(t4.done()), 1);
    CHECK(t3.done() && !t3.cancelled());
    CHECK(!t4.done());

    t3.cancel();
    t4.cancel();
    co_await qaio::sleep(0);
    CHECK(t1.cancelled() && t2.cancelled() && t4.cancelled());
    CHECK_EQ(sem.value(), 0); // t3 holds the only unit
}

// test_acquire_hang
Coro<void> semAcquireHang(Checks &ck)
{
    Semaphore sem(0);
    auto t1 = createTask(sem.acquire());
    auto t2 = createTask(sem.acquire());
    co_await qaio::sleep(0);

    t1.cancel();
    sem.release();
    co_await qaio::sleep(0);
    co_await qaio::sleep(0);
    CHECK(sem.locked());
    CHECK(t2.done() && !t2.cancelled());
    CHECK(t1.cancelled());
}

Coro<void> noHangC1(Semaphore &sem, Task<void> &t2)
{
    {
        auto held = co_await sem.acquireGuard();
        co_await qaio::sleep(0);
    }
    t2.cancel();
}

Coro<void> noHangC2(Semaphore &sem, bool &entered)
{
    auto held = co_await sem.acquireGuard();
    entered = true;
}

// test_acquire_no_hang
Coro<void> semAcquireNoHang(Checks &ck)
{
    Semaphore sem(1);
    bool entered = false;
    Task<void> t2;
    auto t1 = createTask(noHangC1(sem, t2));
    t2 = createTask(noHangC2(sem, entered));
    auto [r1, r2] = co_await gather(returnExceptions, t1, t2);
    CHECK(r1.hasValue());
    CHECK(holds<CancelledError>(r2.exception()));
    CHECK(!entered);
    CHECK(co_await waitFor(sem.acquire(), 1.0));
}

// test_release_not_acquired
Coro<void> semReleaseNotAcquired(Checks &ck)
{
    BoundedSemaphore sem;
    auto error = errorOfCall([&] { sem.release(); });
    CHECK(holds<ValueError>(error));
    CHECK_EQ(whatOf(error), QStringLiteral("BoundedSemaphore released too many times"));
    CHECK_EQ(sem.value(), 1);
    co_return;
}

// test_release_no_waiters
Coro<void> semReleaseNoWaiters(Checks &ck)
{
    Semaphore sem;
    co_await sem.acquire();
    CHECK(sem.locked());
    sem.release();
    CHECK(!sem.locked());
}

Coro<void> fifoTwice(Semaphore &sem, QStringList &result, QString tag)
{
    co_await sem.acquire();
    result << tag + QStringLiteral("_1");
    co_await qaio::sleep(0.002);
    sem.release();

    co_await sem.acquire();
    result << tag + QStringLiteral("_2");
    co_await qaio::sleep(0.002);
    sem.release();
}

// test_acquire_fifo_order
Coro<void> semAcquireFifoOrder(Checks &ck)
{
    Semaphore sem(1);
    QStringList result;
    TaskGroup tg;
    co_await tg.run([](TaskGroup group, Semaphore &s, QStringList &r) -> Coro<void> {
        group.createTask(fifoTwice(s, r, QStringLiteral("c1")));
        group.createTask(fifoTwice(s, r, QStringLiteral("c2")));
        group.createTask(fifoTwice(s, r, QStringLiteral("c3")));
        co_return;
    }(tg, sem, result));
    CHECK_EQ(result, st::strs({"c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"}));
    CHECK_EQ(sem.value(), 1);
}

Coro<bool> fifo2C2(Semaphore &sem, QList<int> &result)
{
    co_await sem.acquire();
    result.append(2);
    sem.release();
    co_await sem.acquire();
    result.append(4);
    co_return true;
}

// test_acquire_fifo_order_2
Coro<void> semAcquireFifoOrder2(Checks &ck)
{
    Semaphore sem(1);
    QList<int> result;
    auto t1 = createTask(semAppend(sem, result, 1));
    auto t2 = createTask(fifo2C2(sem, result));
    auto t3 = createTask(semAppend(sem, result, 3));
    co_await qaio::sleep(0);
    sem.release();
    sem.release();
    co_await gather(t1, t2, t3);
    CHECK_EQ(result, ints(1, 2, 3, 4));
}

// test_acquire_fifo_order_3
Coro<void> semAcquireFifoOrder3(Checks &ck)
{
    Semaphore sem(0);
    QList<int> result;
    auto t1 = createTask(semAppend(sem, result, 1));
    auto t2 = createTask(semAppend(sem, result, 2));
    auto t3 = createTask(semAppend(sem, result, 3));
    co_await qaio::sleep(0);
    t1.cancel();
    co_await qaio::sleep(0);
    sem.release();
    sem.release();
    co_await gather(returnExceptions, t1, t2, t3);
    CHECK_EQ(result, ints(2, 3));
    CHECK(t1.cancelled());
}

struct Fifo4
{
    Semaphore sem{0};
    QList<int> result;
    Task<bool> t4;
};

Coro<bool> fifo4C4(Fifo4 &s)
{
    s.result.append(4);
    co_return true;
}

Coro<bool> fifo4C1(Checks &ck, Fifo4 &s)
{
    // The first task waits at once; c2 wakes it.
    CHECK_EQ(s.sem.value(), 0);
    co_await s.sem.acquire();
    // It woke up every task waiting on account of FIFO.
    CHECK_EQ(s.sem.value(), 0);
    // A fourth task: it runs after c3, not c2.
    s.t4 = createTask(fifo4C4(s));
    s.result.append(1);
    co_return true;
}

Coro<bool> fifo4C2(Checks &ck, Fifo4 &s)
{
    // Releases three times: for c1, c2 and c3.
    s.sem.release();
    s.sem.release();
    s.sem.release();
    CHECK_EQ(s.sem.value(), 2);
    // Locked: c1 has not woken up yet.
    CHECK(s.sem.locked());
    co_await s.sem.acquire();
    s.result.append(2);
    co_return true;
}

Coro<bool> fifo4C3(Checks &ck, Fifo4 &s)
{
    co_await s.sem.acquire();
    CHECK(s.sem.locked());
    s.result.append(3);
    co_return true;
}

// test_acquire_fifo_order_4: a successful acquire() wakes every task that
// waited on account of FIFO.
Coro<void> semAcquireFifoOrder4(Checks &ck)
{
    Fifo4 s;
    auto t1 = createTask(fifo4C1(ck, s));
    auto t2 = createTask(fifo4C2(ck, s));
    auto t3 = createTask(fifo4C3(ck, s));
    co_await qaio::sleep(0);
    // Three tasks in the queue, the first not awake yet.
    CHECK_EQ(s.sem.value(), 2);
    CHECK(s.sem.toString().contains(QStringLiteral("waiters:3")));
    co_await qaio::sleep(0);
    co_await gather(t1, t2, t3);
    CHECK(s.t4.isValid());
    if (s.t4.isValid())
        co_await s.t4;
    CHECK_EQ(s.result, ints(1, 2, 3, 4));
}

// Cancelled waiters drop out of line; the rest are served in order.
Coro<void> semCancelWaitersFifo(Checks &ck)
{
    Semaphore sem(0);
    QList<int> result;
    auto t1 = createTask(semAppend(sem, result, 1));
    auto t2 = createTask(semAppend(sem, result, 2));
    auto t3 = createTask(semAppend(sem, result, 3));
    auto t4 = createTask(semAppend(sem, result, 4));
    auto t5 = createTask(semAppend(sem, result, 5));
    co_await qaio::sleep(0);
    t2.cancel();
    t4.cancel();
    sem.release();
    sem.release();
    co_await st::yieldTimes(3);
    CHECK_EQ(result, ints(1, 3));
    CHECK(t2.cancelled() && t4.cancelled());
    CHECK(!t5.done());
    CHECK_EQ(sem.value(), 0);
    sem.release();
    co_await t5;
    CHECK_EQ(result, ints(1, 3, 5));
    CHECK_EQ(sem.value(), 0);
}

// A waiter woken by release() and cancelled before it ran gives the unit to
// the next in line.
Coro<void> semWokenThenCancelledPassesUnitOn(Checks &ck)
{
    Semaphore sem(0);
    QList<int> result;
    auto t1 = createTask(semAppend(sem, result, 1));
    auto t2 = createTask(semAppend(sem, result, 2));
    co_await qaio::sleep(0);
    sem.release(); // wakes t1 (value 1 -> 0, the unit is t1's)
    CHECK_EQ(sem.value(), 0);
    t1.cancel();   // ... but t1 leaves
    co_await st::yieldTimes(3);
    CHECK(t1.cancelled());
    CHECK(t2.done() && !t2.cancelled());
    CHECK_EQ(result, ints(2));
    CHECK_EQ(sem.value(), 0);
    sem.release();
    CHECK_EQ(sem.value(), 1);
    CHECK(!sem.locked());
    // No waiters: the value comes back when the woken one leaves.
    auto t3 = createTask(semAppend(sem, result, 3));
    co_await sem.acquire(); // value 0 now; t3 must wait
    co_await qaio::sleep(0);
    sem.release(); // wakes t3
    t3.cancel();
    co_await errorOf(t3);
    CHECK(t3.cancelled());
    CHECK_EQ(sem.value(), 1);
    CHECK(!sem.locked());
}

Coro<void> semGuardFail(Semaphore &sem)
{
    auto held = co_await sem.acquireGuard();
    throw std::runtime_error("fail");
}

Coro<void> semGuardForever(Semaphore &sem)
{
    auto held = co_await sem.acquireGuard();
    co_await qaio::sleep(3600);
}

// `async with sem`: released at scope exit, on an exception, on cancellation.
Coro<void> semGuard(Checks &ck)
{
    Semaphore sem(2);
    {
        auto held = co_await sem.acquireGuard();
        CHECK_EQ(sem.value(), 1);
        auto second = co_await sem.acquireGuard();
        CHECK_EQ(sem.value(), 0);
        CHECK(sem.locked());
    }
    CHECK_EQ(sem.value(), 2);
    auto error = co_await errorOf(semGuardFail(sem));
    CHECK_EQ(whatOf(error), QStringLiteral("fail"));
    CHECK_EQ(sem.value(), 2);
    auto t = createTask(semGuardForever(sem));
    co_await qaio::sleep(0);
    CHECK_EQ(sem.value(), 1);
    t.cancel();
    error = co_await errorOf(t);
    CHECK(holds<CancelledError>(error));
    CHECK_EQ(sem.value(), 2);
}

// waitFor(sem.acquire(), t) times out; the semaphore stays consistent.
Coro<void> semWaitForTimeout(Checks &ck)
{
    Semaphore sem(0);
    auto error = co_await errorOf(waitFor(sem.acquire(), 0.01));
    CHECK(holds<TimeoutError>(error));
    CHECK_EQ(sem.value(), 0);
    CHECK_EQ(sem.toString(), QStringLiteral("<Semaphore [locked]>"));
    sem.release();
    CHECK(!sem.locked());
    CHECK(co_await waitFor(sem.acquire(), 0.01));
    CHECK_EQ(sem.value(), 0);
    runningLoop().callLater(0.002, [&sem] { sem.release(); });
    CHECK(co_await waitFor(sem.acquire(), 5));
    CHECK_EQ(sem.value(), 0);
}

Coro<void> timedSemAppend(Semaphore &sem, QStringList &log, QString name, double seconds, bool releaseAfter)
{
    try {
        co_await waitFor(sem.acquire(), seconds);
    } catch (const TimeoutError &) {
        log << name + QStringLiteral(" timeout");
        co_return;
    }
    log << name;
    if (releaseAfter) {
        co_await qaio::sleep(0);
        sem.release();
    }
}

// Impatient waiters time out in the middle of the line; the rest are served
// in order, and every unit is accounted for.
Coro<void> semWaitersWithTimeouts(Checks &ck)
{
    Semaphore sem(0);
    QStringList log;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 6; ++i)
        tasks.push_back(createTask(timedSemAppend(sem, log, QString::number(i), i % 2 ? 0.005 : 10.0, true)));
    co_await qaio::sleep(0.03);
    CHECK_EQ(log, st::strs({"1 timeout", "3 timeout", "5 timeout"}));
    sem.release();
    co_await gather(tasks);
    CHECK_EQ(log, st::strs({"1 timeout", "3 timeout", "5 timeout", "0", "2", "4"}));
    CHECK_EQ(sem.value(), 1);
}

// The timeout fires about when the unit is released: whatever the first
// waiter got, the second is served and no unit is lost.
Coro<void> semTimeoutRacingRelease(Checks &ck)
{
    for (int round = 0; round < 5; ++round) {
        Semaphore sem(0);
        QStringList log;
        auto tb = createTask(timedSemAppend(sem, log, QStringLiteral("B"), 0.005, true));
        auto tc = createTask(timedSemAppend(sem, log, QStringLiteral("C"), 10, true));
        co_await qaio::sleep(0);
        runningLoop().callLater(0.005, [&sem] { sem.release(); });
        co_await waitFor(tc, 5);
        co_await tb;
        CHECK(log.contains(QStringLiteral("C")));
        CHECK_EQ(log.size(), 2);
        CHECK_EQ(sem.value(), 1);
        CHECK(!sem.locked());
    }
}

// BoundedSemaphore: released too often -> ValueError, also after waiters.
Coro<void> semBounded(Checks &ck)
{
    BoundedSemaphore sem(2);
    co_await sem.acquire();
    co_await sem.acquire();
    QList<int> result;
    auto t = createTask(semAppend(sem, result, 1));
    co_await qaio::sleep(0);
    sem.release(); // to t
    co_await t;
    CHECK_EQ(sem.value(), 0);
    sem.release();
    sem.release();
    CHECK_EQ(sem.value(), 2);
    auto error = errorOfCall([&] { sem.release(); });
    CHECK(holds<ValueError>(error));
    CHECK_EQ(sem.value(), 2);
    CHECK(!sem.locked());
}

Coro<void> limitedWorker(Semaphore &sem, int &inside, int &maxInside, QList<int> &order, int id)
{
    auto held = co_await sem.acquireGuard();
    order.append(id);
    ++inside;
    maxInside = std::max(maxInside, inside);
    co_await qaio::sleep(0.001);
    --inside;
}

// A Semaphore(2) lets two workers in at a time, in arrival order.
Coro<void> semLimitsConcurrency(Checks &ck)
{
    Semaphore sem(2);
    int inside = 0;
    int maxInside = 0;
    QList<int> order;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 8; ++i)
        tasks.push_back(createTask(limitedWorker(sem, inside, maxInside, order, i)));
    co_await gather(tasks);
    CHECK_EQ(maxInside, 2);
    CHECK_EQ(inside, 0);
    CHECK_EQ(order, ints(0, 1, 2, 3, 4, 5, 6, 7));
    CHECK_EQ(sem.value(), 2);
}

Coro<void> bindSemaphoreLoop(Semaphore &sem)
{
    try {
        co_await waitFor(sem.acquire(), 0.001);
    } catch (const TimeoutError &) {
    }
}

Coro<void> semaphoreOnOtherLoop(Checks &ck, Semaphore &sem)
{
    sem.release();
    CHECK(co_await sem.acquire()); // a free unit: no waiting, no loop check
    auto error = co_await errorOf(sem.acquire());
    CHECK(holds<RuntimeError>(error));
    CHECK(whatOf(error).contains(QStringLiteral("different event loop")));
    CHECK_EQ(sem.value(), 0);
    CHECK_EQ(sem.toString(), QStringLiteral("<Semaphore [locked]>"));
}

// ================================================================ Barrier

constexpr int N = 5;

template<class F>
auto makeTasks(int n, F make)
{
    std::vector<Task<typename std::invoke_result_t<F>::value_type>> tasks;
    for (int i = 0; i < n; ++i)
        tasks.push_back(createTask(make()));
    return tasks;
}

Coro<int> barrierWait(Barrier &barrier)
{
    co_return co_await barrier.wait();
}

// test_barrier / test_repr
Coro<void> barrierRepr(Checks &ck)
{
    Barrier barrier(N);
    CHECK_EQ(barrier.toString(), QStringLiteral("<Barrier [filling, waiters:0/5]>"));

    std::vector<Task<int>> waiters;
    for (int i = 0; i < 2; ++i)
        waiters.push_back(createTask(barrierWait(barrier)));
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.toString(), QStringLiteral("<Barrier [filling, waiters:2/5]>"));

    // The missing waiters.
    for (int i = barrier.nWaiting(); i < barrier.parties(); ++i)
        waiters.push_back(createTask(barrierWait(barrier)));
    co_await qaio::sleep(0);
    CHECK(barrier.toString().contains(QStringLiteral("draining")));

    // Some more, then reset.
    for (int i = 0; i < 2; ++i)
        waiters.push_back(createTask(barrierWait(barrier)));
    co_await qaio::sleep(0);
    co_await barrier.reset();
    CHECK(barrier.toString().contains(QStringLiteral("resetting")));

    // Some more again, then abort.
    for (int i = 0; i < 2; ++i)
        waiters.push_back(createTask(barrierWait(barrier)));
    co_await qaio::sleep(0);
    co_await barrier.abort();
    CHECK_EQ(barrier.toString(), QStringLiteral("<Barrier [broken]>"));
    CHECK(barrier.broken());

    auto outcomes = co_await gather(returnExceptions, waiters);
    int ok = 0;
    int broken = 0;
    for (const auto &outcome : outcomes) {
        ok += outcome.hasValue() ? 1 : 0;
        broken += holds<BrokenBarrierError>(outcome.exception()) ? 1 : 0;
    }
    CHECK_EQ(ok, N);
    CHECK_EQ(broken, 4);
}

// test_barrier_parties
Coro<void> barrierParties(Checks &ck)
{
    auto error = errorOfCall([] { Barrier b(0); });
    CHECK(holds<ValueError>(error));
    error = errorOfCall([] { Barrier b(-4); });
    CHECK(holds<ValueError>(error));
    Barrier barrier(N);
    CHECK_EQ(barrier.parties(), N);
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
    co_return;
}

Coro<void> appendIndex(Barrier &barrier, QList<int> &results)
{
    results.append(co_await barrier.wait());
}

// test_context_manager: every waiter gets a distinct index.
Coro<void> barrierIndexes(Checks &ck)
{
    Barrier barrier(3);
    QList<int> results;
    auto tasks = makeTasks(3, [&] { return appendIndex(barrier, results); });
    co_await gather(tasks);
    std::sort(results.begin(), results.end());
    CHECK_EQ(results, ints(0, 1, 2));
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

// The index is the arrival order.
Coro<void> barrierIndexIsArrivalOrder(Checks &ck)
{
    Barrier barrier(4);
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 4; ++i) {
        tasks.push_back(createTask(barrierWait(barrier)));
        co_await qaio::sleep(0);
        CHECK_EQ(barrier.nWaiting(), i + 1 < 4 ? i + 1 : 0);
    }
    auto indexes = co_await gather(tasks);
    CHECK_EQ(indexes, (std::vector<int>{0, 1, 2, 3}));
}

// test_filling_one_task
Coro<void> barrierFillingOneTask(Checks &ck)
{
    Barrier barrier(1);
    CHECK_EQ(co_await barrier.wait(), 0);
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

// test_filling_one_task_twice
Coro<void> barrierFillingOneTaskTwice(Checks &ck)
{
    Barrier barrier(1);
    auto t1 = createTask(barrier.wait());
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.nWaiting(), 0);
    auto t2 = createTask(barrier.wait());
    co_await qaio::sleep(0);
    CHECK(t1.done() && t2.done());
    CHECK_EQ(t1.result(), t2.result());
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

// test_filling_task_by_task
Coro<void> barrierFillingTaskByTask(Checks &ck)
{
    Barrier barrier(3);
    auto t1 = createTask(barrier.wait());
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.nWaiting(), 1);
    CHECK(barrier.toString().contains(QStringLiteral("filling")));
    auto t2 = createTask(barrier.wait());
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.nWaiting(), 2);
    CHECK(barrier.toString().contains(QStringLiteral("filling")));
    auto t3 = createTask(barrier.wait());
    co_await qaio::sleep(0);
    std::vector<Task<int>> all;
    all.push_back(t1);
    all.push_back(t2);
    all.push_back(t3);
    auto result = co_await qaio::wait(all);
    CHECK_EQ(result.done.size(), 3u);
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

Coro<void> waitTwice(Barrier &barrier, QList<bool> &results)
{
    co_await barrier.wait();
    results.append(true);
    co_await barrier.wait();
    results.append(false);
}

// test_filling_tasks_wait_twice
Coro<void> barrierFillingTasksWaitTwice(Checks &ck)
{
    Barrier barrier(N);
    QList<bool> results;
    auto tasks = makeTasks(N, [&] { return waitTwice(barrier, results); });
    co_await gather(tasks);
    CHECK_EQ(results.size(), 2 * N);
    CHECK_EQ(results.count(true), N);
    CHECK_EQ(results.count(false), N);
    // All of the first round before any of the second.
    CHECK(std::is_partitioned(results.begin(), results.end(), [](bool b) { return b; }));
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

Coro<int> waitTwiceReturnIndex(Barrier &barrier, int &first, int &second)
{
    co_await barrier.wait();
    ++first;
    const int i = co_await barrier.wait();
    ++second;
    co_return i;
}

// test_filling_tasks_check_return_value
Coro<void> barrierFillingTasksCheckReturnValue(Checks &ck)
{
    Barrier barrier(N);
    int first = 0;
    int second = 0;
    auto tasks = makeTasks(N, [&] { return waitTwiceReturnIndex(barrier, first, second); });
    auto res = co_await gather(tasks);
    CHECK_EQ(first, N);
    CHECK_EQ(second, N);
    std::sort(res.begin(), res.end());
    CHECK_EQ(res, (std::vector<int>{0, 1, 2, 3, 4}));
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

// The barrier is reused for several rounds; each round hands out 0..parties-1.
Coro<void> waitRounds(Barrier &barrier, int rounds, QList<int> &log)
{
    for (int r = 0; r < rounds; ++r)
        log.append(r * 10 + co_await barrier.wait());
}

Coro<void> barrierSeveralRounds(Checks &ck)
{
    Barrier barrier(3);
    QList<int> log;
    auto tasks = makeTasks(3, [&] { return waitRounds(barrier, 4, log); });
    co_await gather(tasks);
    CHECK_EQ(log.size(), 12);
    for (int r = 0; r < 4; ++r) {
        QList<int> round = log.mid(3 * r, 3);
        std::sort(round.begin(), round.end());
        CHECK_EQ(round, ints(10 * r, 10 * r + 1, 10 * r + 2));
    }
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

Coro<void> appendDraining(Barrier &barrier, QList<bool> &results)
{
    co_await barrier.wait();
    // The state changes to filling when the last task leaves.
    results.append(barrier.toString().contains(QStringLiteral("draining")));
}

// test_draining_state
Coro<void> barrierDrainingState(Checks &ck)
{
    Barrier barrier(N);
    QList<bool> results;
    auto tasks = makeTasks(N, [&] { return appendDraining(barrier, results); });
    co_await gather(tasks);
    CHECK_EQ(results.size(), N);
    CHECK_EQ(results.value(N - 1, true), false);
    CHECK(std::all_of(results.begin(), results.end() - 1, [](bool b) { return b; }));
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

struct Blocking
{
    Barrier barrier{N};
    Barrier barrierNoWaiting{N - 2};
    int rewait = 2;
};

Coro<void> blockingCoro(Blocking &s)
{
    co_await s.barrier.wait();
    if (s.rewait > 0) {
        --s.rewait;
        co_await s.barrier.wait(); // waits again with the other rewait task only...
    } else {
        co_await s.barrierNoWaiting.wait(); // ... the others wait for the drain to end
        co_await s.barrier.wait();
    }
}

// test_blocking_tasks_while_draining
Coro<void> barrierBlockingTasksWhileDraining(Checks &ck)
{
    Blocking s;
    auto tasks = makeTasks(N, [&] { return blockingCoro(s); });
    auto error = co_await errorOf(waitFor(gather(tasks), 5));
    CHECK(!error);
    CHECK_EQ(s.barrier.nWaiting(), 0);
    CHECK(!s.barrier.broken());
}

Coro<void> appendAfterWait(Barrier &barrier, QList<bool> &results)
{
    co_await barrier.wait();
    results.append(true);
}

// test_filling_tasks_cancel_one
Coro<void> barrierFillingTasksCancelOne(Checks &ck)
{
    Barrier barrier(3);
    QList<bool> results;
    auto t1 = createTask(appendAfterWait(barrier, results));
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.nWaiting(), 1);
    auto t2 = createTask(appendAfterWait(barrier, results));
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.nWaiting(), 2);

    t1.cancel();
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.nWaiting(), 1);
    auto error = co_await errorOf(t1);
    CHECK(holds<CancelledError>(error));
    CHECK(t1.cancelled());

    auto t3 = createTask(appendAfterWait(barrier, results));
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.nWaiting(), 2);
    auto t4 = createTask(appendAfterWait(barrier, results));
    co_await gather(t2, t3, t4);
    CHECK_EQ(results.size(), 3);
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

// waitFor(barrier.wait(), t) times out: the barrier forgets the waiter and
// stays usable.
Coro<void> barrierWaitForTimeout(Checks &ck)
{
    Barrier barrier(2);
    auto error = co_await errorOf(waitFor(barrier.wait(), 0.01));
    CHECK(holds<TimeoutError>(error));
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
    auto t = createTask(barrierWait(barrier));
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.nWaiting(), 1);
    CHECK_EQ(co_await waitFor(barrier.wait(), 5), 1);
    CHECK_EQ(co_await t, 0);
}

// test_reset_barrier
Coro<void> barrierReset(Checks &ck)
{
    Barrier barrier(1);
    auto t = createTask(barrier.reset());
    co_await qaio::sleep(0);
    CHECK(t.done());
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

Coro<void> catchBroken(Barrier &barrier, QList<bool> &results)
{
    try {
        co_await barrier.wait();
    } catch (const BrokenBarrierError &) {
        results.append(true);
    }
}

// test_reset_barrier_while_tasks_waiting
Coro<void> barrierResetWhileTasksWaiting(Checks &ck)
{
    Barrier barrier(N);
    QList<bool> results;
    auto tasks = makeTasks(N - 1, [&] { return catchBroken(barrier, results); });
    co_await qaio::sleep(0);
    auto reset = createTask(barrier.reset());
    co_await gather(tasks);
    co_await reset;
    CHECK_EQ(results.size(), N - 1);
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.toString().contains(QStringLiteral("resetting")));
    CHECK(!barrier.broken());
}

struct HalfDraining
{
    Barrier barrier{N};
    QList<bool> results1;
    int restOfTasks = N / 2;
    int left = 0; // tasks out of wait(): asyncio's N - barrier._count
};

Coro<void> halfDrainingCoro(HalfDraining &s)
{
    bool drained = false;
    try {
        co_await s.barrier.wait();
        drained = true;
    } catch (const BrokenBarrierError &) {
        s.results1.append(true); // the tasks still waiting
    }
    if (drained) {
        ++s.left;
        if (s.restOfTasks == N - s.left) // tasks outside the barrier
            co_await s.barrier.reset();
    }
}

// test_reset_barrier_when_tasks_half_draining
Coro<void> barrierResetWhenTasksHalfDraining(Checks &ck)
{
    HalfDraining s;
    auto tasks = makeTasks(N, [&] { return halfDrainingCoro(s); });
    co_await gather(tasks);
    CHECK_EQ(s.results1, QList<bool>(s.restOfTasks, true));
    CHECK_EQ(s.barrier.nWaiting(), 0);
    CHECK(!s.barrier.toString().contains(QStringLiteral("resetting")));
    CHECK(!s.barrier.broken());
}

struct HalfBlocking
{
    Barrier barrier{N};
    QList<bool> results1;
    QList<bool> results2;
    int blockingTasks = N / 2;
    int count = 0;
};

Coro<void> resetHalfBlockingCoro(HalfBlocking &s)
{
    bool broken = false;
    try {
        co_await s.barrier.wait();
    } catch (const BrokenBarrierError &) {
        broken = true;
    }
    if (broken) {
        s.results1.append(true); // the tasks still waiting
        co_await s.barrier.wait(); // wait again to reach the parties
        co_return;
    }
    ++s.count;
    if (s.count > s.blockingTasks) {
        // Reset now: BrokenBarrierError for the waiting tasks.
        co_await s.barrier.reset();
        co_await s.barrier.wait(); // wait again to reach the parties
    } else {
        try {
            co_await s.barrier.wait();
        } catch (const BrokenBarrierError &) {
            s.results2.append(true); // never: blocked tasks just wait
        }
    }
}

// test_reset_barrier_when_tasks_half_draining_half_blocking
Coro<void> barrierResetHalfDrainingHalfBlocking(Checks &ck)
{
    HalfBlocking s;
    auto tasks = makeTasks(N, [&] { return resetHalfBlockingCoro(s); });
    auto error = co_await errorOf(waitFor(gather(tasks), 5));
    CHECK(!error);
    CHECK_EQ(s.results1, QList<bool>(s.blockingTasks, true));
    CHECK(s.results2.isEmpty());
    CHECK_EQ(s.barrier.nWaiting(), 0);
    CHECK(!s.barrier.toString().contains(QStringLiteral("resetting")));
    CHECK(!s.barrier.broken());
}

Coro<void> waitAgainCoro1(Barrier &barrier, QList<bool> &results1, QList<bool> &results2)
{
    try {
        co_await barrier.wait();
    } catch (const BrokenBarrierError &) {
        results1.append(true);
    }
    // finally:
    co_await barrier.wait();
    results2.append(true);
}

Coro<void> waitAgainCoro2(Barrier &barrier, QList<bool> &results2)
{
    co_await barrier.wait();
    results2.append(true);
}

// test_reset_barrier_while_tasks_waiting_and_waiting_again
Coro<void> barrierResetWhileWaitingAndWaitingAgain(Checks &ck)
{
    Barrier barrier(N);
    QList<bool> results1;
    QList<bool> results2;
    auto tasks = makeTasks(N - 1, [&] { return waitAgainCoro1(barrier, results1, results2); });
    // Reset: the N-1 waiting tasks get BrokenBarrierError.
    auto reset = createTask(barrier.reset());
    co_await qaio::sleep(0);
    // Completes the waiting tasks' second wait.
    auto last = createTask(waitAgainCoro2(barrier, results2));
    co_await gather(tasks);
    co_await last;
    co_await reset;
    CHECK(!barrier.broken());
    CHECK_EQ(results1.size(), N - 1);
    CHECK_EQ(results2.size(), N);
    CHECK_EQ(barrier.nWaiting(), 0);
}

struct WhileDraining
{
    Barrier barrier{N};
    int results1 = 0;
    int results2 = 0;
    int results3 = 0;
    int count = 0;
};

Coro<void> whileDrainingCoro(WhileDraining &s)
{
    co_await s.barrier.wait();
    ++s.count;
    if (s.count == N) {
        // The last task out of the barrier resets it ...
        co_await s.barrier.reset();
        co_await s.barrier.wait(); // ... and waits to reach the parties
    } else {
        try {
            co_await s.barrier.wait(); // second wait
            ++s.results1;              // N-1 tasks here
        } catch (const std::exception &) {
            ++s.results2; // never
        }
    }
    // Pass the barrier once more: this last wait must complete.
    co_await s.barrier.wait();
    ++s.results3;
}

// test_reset_barrier_while_tasks_draining
Coro<void> barrierResetWhileTasksDraining(Checks &ck)
{
    WhileDraining s;
    auto tasks = makeTasks(N, [&] { return whileDrainingCoro(s); });
    auto error = co_await errorOf(waitFor(gather(tasks), 5));
    CHECK(!error);
    CHECK(!s.barrier.broken());
    CHECK_EQ(s.results1, N - 1);
    CHECK_EQ(s.results2, 0);
    CHECK_EQ(s.results3, N);
    CHECK_EQ(s.barrier.nWaiting(), 0);
}

// test_abort_barrier
Coro<void> barrierAbort(Checks &ck)
{
    Barrier barrier(1);
    auto t = createTask(barrier.abort());
    co_await qaio::sleep(0);
    CHECK(t.done());
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(barrier.broken());
}

// Waiting on an aborted barrier fails at once; reset() repairs it.
Coro<void> barrierWaitAfterAbort(Checks &ck)
{
    Barrier barrier(2);
    co_await barrier.abort();
    auto error = co_await errorOf(barrier.wait());
    CHECK(holds<BrokenBarrierError>(error));
    CHECK(holds<RuntimeError>(error)); // BrokenBarrierError is a RuntimeError
    CHECK_EQ(whatOf(error), QStringLiteral("Barrier aborted"));
    CHECK(barrier.broken());
    co_await barrier.reset();
    CHECK(!barrier.broken());
    auto t = createTask(barrierWait(barrier));
    co_await qaio::sleep(0);
    CHECK_EQ(barrier.nWaiting(), 1);
    CHECK_EQ(co_await barrier.wait(), 1);
    CHECK_EQ(co_await t, 0);
}

Coro<void> abortHalfBlockingCoro(HalfBlocking &s)
{
    bool broken = false;
    try {
        co_await s.barrier.wait();
    } catch (const BrokenBarrierError &) {
        broken = true;
    }
    if (broken) {
        s.results1.append(true); // the tasks waiting to drain
        co_return;
    }
    ++s.count;
    if (s.count > s.blockingTasks) {
        co_await s.barrier.abort(); // BrokenBarrierError for all the tasks
    } else {
        try {
            co_await s.barrier.wait();
        } catch (const BrokenBarrierError &) {
            s.results2.append(true); // the blocked tasks (already drained)
        }
    }
}

// test_abort_barrier_when_tasks_half_draining_half_blocking
Coro<void> barrierAbortHalfDrainingHalfBlocking(Checks &ck)
{
    HalfBlocking s;
    auto tasks = makeTasks(N, [&] { return abortHalfBlockingCoro(s); });
    co_await gather(tasks);
    CHECK(s.barrier.broken());
    CHECK_EQ(s.results1, QList<bool>(s.blockingTasks, true));
    CHECK_EQ(s.results2, QList<bool>(N - s.blockingTasks - 1, true));
    CHECK_EQ(s.barrier.nWaiting(), 0);
    CHECK(!s.barrier.toString().contains(QStringLiteral("resetting")));
}

struct AbortOnError
{
    Barrier barrier1{N};
    Barrier barrier2{N};
    int results1 = 0;
    int results2 = 0;
    int results3 = 0;
};

class Boom : public RuntimeError
{
public:
    Boom() : RuntimeError("boom") {}
};

Coro<void> abortWhenExceptionCoro(AbortOnError &s)
{
    bool abort = false;
    try {
        const int i = co_await s.barrier1.wait();
        if (i == N / 2)
            throw Boom();
        co_await s.barrier1.wait();
        ++s.results1;
    } catch (const BrokenBarrierError &) {
        ++s.results2;
    } catch (const RuntimeError &) {
        abort = true;
    }
    if (abort)
        co_await s.barrier1.abort();
}

// test_abort_barrier_when_exception (from threading's test_reset)
Coro<void> barrierAbortWhenException(Checks &ck)
{
    AbortOnError s;
    auto tasks = makeTasks(N, [&] { return abortWhenExceptionCoro(s); });
    co_await gather(tasks);
    CHECK(s.barrier1.broken());
    CHECK_EQ(s.results1, 0);
    CHECK_EQ(s.results2, N - 1);
    CHECK_EQ(s.barrier1.nWaiting(), 0);
}

Coro<void> abortThenResetCoro(AbortOnError &s)
{
    co_await abortWhenExceptionCoro(s);
    // Synchronise and reset barrier1: everyone has left it before the reset,
    // and nobody enters it again before the reset is done.
    const int i = co_await s.barrier2.wait();
    if (i == N / 2)
        co_await s.barrier1.reset();
    co_await s.barrier2.wait();
    co_await s.barrier1.wait();
    ++s.results3;
}

// test_abort_barrier_when_exception_then_resetting (threading's test_abort_and_reset)
Coro<void> barrierAbortThenReset(Checks &ck)
{
    AbortOnError s;
    auto tasks = makeTasks(N, [&] { return abortThenResetCoro(s); });
    auto error = co_await errorOf(waitFor(gather(tasks), 5));
    CHECK(!error);
    CHECK(!s.barrier1.broken());
    CHECK_EQ(s.results1, 0);
    CHECK_EQ(s.results2, N - 1);
    CHECK_EQ(s.results3, N);
    CHECK_EQ(s.barrier1.nWaiting(), 0);
}

Coro<void> bindBarrierLoop(Barrier &barrier)
{
    try {
        co_await waitFor(barrier.wait(), 0.001);
    } catch (const TimeoutError &) {
    }
}

Coro<void> barrierOnOtherLoop(Checks &ck, Barrier &barrier)
{
    auto error = co_await errorOf(barrier.wait());
    CHECK(holds<RuntimeError>(error));
    CHECK(whatOf(error).contains(QStringLiteral("different event loop")));
    CHECK_EQ(barrier.nWaiting(), 0);
    CHECK(!barrier.broken());
}

} // namespace

class TestSyncSemaphores : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Semaphore and BoundedSemaphore
    void sem_initialValueZero() { RUN_SYNC_TEST(semInitialValueZero); }
    void sem_repr() { RUN_SYNC_TEST(semRepr); }
    void sem_default() { RUN_SYNC_TEST(semDefault); }
    void sem_negativeValue() { RUN_SYNC_TEST(semNegativeValue); }
    void sem_acquire() { RUN_SYNC_TEST(semAcquire); }
    void sem_acquireCancel() { RUN_SYNC_TEST(semAcquireCancel); }
    void sem_acquireCancelBeforeAwoken() { RUN_SYNC_TEST(semAcquireCancelBeforeAwoken); }
    void sem_acquireHang() { RUN_SYNC_TEST(semAcquireHang); }
    void sem_acquireNoHang() { RUN_SYNC_TEST(semAcquireNoHang); }
    void sem_releaseNotAcquired() { RUN_SYNC_TEST(semReleaseNotAcquired); }
    void sem_releaseNoWaiters() { RUN_SYNC_TEST(semReleaseNoWaiters); }
    void sem_acquireFifoOrder() { RUN_SYNC_TEST(semAcquireFifoOrder); }
    void sem_acquireFifoOrder2() { RUN_SYNC_TEST(semAcquireFifoOrder2); }
    void sem_acquireFifoOrder3() { RUN_SYNC_TEST(semAcquireFifoOrder3); }
    void sem_acquireFifoOrder4() { RUN_SYNC_TEST(semAcquireFifoOrder4); }
    void sem_cancelWaitersFifo() { RUN_SYNC_TEST(semCancelWaitersFifo); }
    void sem_wokenThenCancelledPassesUnitOn() { RUN_SYNC_TEST(semWokenThenCancelledPassesUnitOn); }
    void sem_guard() { RUN_SYNC_TEST(semGuard); }
    void sem_waitForTimeout() { RUN_SYNC_TEST(semWaitForTimeout); }
    void sem_waitersWithTimeouts() { RUN_SYNC_TEST(semWaitersWithTimeouts); }
    void sem_timeoutRacingRelease() { RUN_SYNC_TEST(semTimeoutRacingRelease); }
    void sem_bounded() { RUN_SYNC_TEST(semBounded); }
    void sem_limitsConcurrency() { RUN_SYNC_TEST(semLimitsConcurrency); }
    void sem_differentLoop();

    // Barrier
    void barrier_repr() { RUN_SYNC_TEST(barrierRepr); }
    void barrier_parties() { RUN_SYNC_TEST(barrierParties); }
    void barrier_indexes() { RUN_SYNC_TEST(barrierIndexes); }
    void barrier_indexIsArrivalOrder() { RUN_SYNC_TEST(barrierIndexIsArrivalOrder); }
    void barrier_fillingOneTask() { RUN_SYNC_TEST(barrierFillingOneTask); }
    void barrier_fillingOneTaskTwice() { RUN_SYNC_TEST(barrierFillingOneTaskTwice); }
    void barrier_fillingTaskByTask() { RUN_SYNC_TEST(barrierFillingTaskByTask); }
    void barrier_fillingTasksWaitTwice() { RUN_SYNC_TEST(barrierFillingTasksWaitTwice); }
    void barrier_fillingTasksCheckReturnValue() { RUN_SYNC_TEST(barrierFillingTasksCheckReturnValue); }
    void barrier_severalRounds() { RUN_SYNC_TEST(barrierSeveralRounds); }
    void barrier_drainingState() { RUN_SYNC_TEST(barrierDrainingState); }
    void barrier_blockingTasksWhileDraining() { RUN_SYNC_TEST(barrierBlockingTasksWhileDraining); }
    void barrier_fillingTasksCancelOne() { RUN_SYNC_TEST(barrierFillingTasksCancelOne); }
    void barrier_waitForTimeout() { RUN_SYNC_TEST(barrierWaitForTimeout); }
    void barrier_reset() { RUN_SYNC_TEST(barrierReset); }
    void barrier_resetWhileTasksWaiting() { RUN_SYNC_TEST(barrierResetWhileTasksWaiting); }
    void barrier_resetWhenTasksHalfDraining() { RUN_SYNC_TEST(barrierResetWhenTasksHalfDraining); }
    void barrier_resetHalfDrainingHalfBlocking() { RUN_SYNC_TEST(barrierResetHalfDrainingHalfBlocking); }
    void barrier_resetWhileWaitingAndWaitingAgain() { RUN_SYNC_TEST(barrierResetWhileWaitingAndWaitingAgain); }
    void barrier_resetWhileTasksDraining() { RUN_SYNC_TEST(barrierResetWhileTasksDraining); }
    void barrier_abort() { RUN_SYNC_TEST(barrierAbort); }
    void barrier_waitAfterAbort() { RUN_SYNC_TEST(barrierWaitAfterAbort); }
    void barrier_abortHalfDrainingHalfBlocking() { RUN_SYNC_TEST(barrierAbortHalfDrainingHalfBlocking); }
    void barrier_abortWhenException() { RUN_SYNC_TEST(barrierAbortWhenException); }
    void barrier_abortThenReset() { RUN_SYNC_TEST(barrierAbortThenReset); }
    void barrier_differentLoop();
};

void TestSyncSemaphores::sem_differentLoop()
{
    Checks ck;
    Semaphore sem(0);
    Loop loop1;
    st::runOn(loop1, bindSemaphoreLoop(sem), ck);
    Loop loop2;
    st::runOn(loop2, semaphoreOnOtherLoop(ck, sem), ck);
    QVERIFY2(ck.failures.isEmpty(), qPrintable(ck.failures.join(QLatin1Char('\n'))));
}

void TestSyncSemaphores::barrier_differentLoop()
{
    Checks ck;
    Barrier barrier(2);
    Loop loop1;
    st::runOn(loop1, bindBarrierLoop(barrier), ck);
    Loop loop2;
    st::runOn(loop2, barrierOnOtherLoop(ck, barrier), ck);
    QVERIFY2(ck.failures.isEmpty(), qPrintable(ck.failures.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestSyncSemaphores)
#include "tst_sync_semaphores.moc"
