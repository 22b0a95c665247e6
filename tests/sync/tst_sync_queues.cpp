// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_sync_queues — Queue, LifoQueue and PriorityQueue, ported from CPython's
// Lib/test/test_asyncio/test_queues.py (3.13): maxsize, blocking put/get,
// the *Nowait forms, FIFO/LIFO/priority order, taskDone/join, shutdown and
// shutdown(immediate), cancelled getters and putters that must not lose an
// item or a slot, timeouts around waiters, move-only items, loop binding.
#include "sync_util.h"

#include <qaio/qaio.h>

#include <QtTest/QtTest>

#include <algorithm>
#include <memory>
#include <set>
#include <utility>

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

// ================================================================ basics

// test_empty
Coro<void> queueEmpty(Checks &ck)
{
    Queue<int> q;
    CHECK(q.empty());
    co_await q.put(1);
    CHECK(!q.empty());
    CHECK_EQ(co_await q.get(), 1);
    CHECK(q.empty());
}

// test_full
Coro<void> queueFull(Checks &ck)
{
    Queue<int> unbounded;
    CHECK(!unbounded.full());
    Queue<int> q(1);
    co_await q.put(1);
    CHECK(q.full());
    CHECK_EQ(q.qsize(), 1u);
}

// test_order
Coro<void> queueOrder(Checks &ck)
{
    Queue<int> q;
    for (int i : {1, 3, 2})
        co_await q.put(i);
    QList<int> items;
    for (int i = 0; i < 3; ++i)
        items << co_await q.get();
    CHECK_EQ(items, ints(1, 3, 2));
}

Coro<bool> putThree(Queue<int> &q, QList<int> &haveBeenPut)
{
    for (int i = 0; i < 3; ++i) {
        co_await q.put(i);
        haveBeenPut.append(i);
    }
    co_return true;
}

// test_maxsize
Coro<void> queueMaxsize(Checks &ck)
{
    Queue<int> q(2);
    CHECK_EQ(q.maxsize(), 2);
    QList<int> haveBeenPut;
    auto t = createTask(putThree(q, haveBeenPut));
    for (int i = 0; i < 2; ++i)
        co_await qaio::sleep(0);
    // The putter is blocked after putting two items.
    CHECK_EQ(haveBeenPut, ints(0, 1));
    CHECK_EQ(co_await q.get(), 0);
    // Let the putter resume and put the last item.
    co_await qaio::sleep(0);
    CHECK_EQ(haveBeenPut, ints(0, 1, 2));
    CHECK_EQ(co_await q.get(), 1);
    CHECK_EQ(co_await q.get(), 2);
    CHECK(t.done() && t.result());
}

// maxsize 0 or less: unbounded.
Coro<void> queueUnbounded(Checks &ck)
{
    Queue<int> zero(0);
    Queue<int> negative(-1);
    CHECK_EQ(zero.maxsize(), 0);
    CHECK_EQ(negative.maxsize(), -1);
    for (int i = 0; i < 1000; ++i) {
        zero.putNowait(i);
        co_await negative.put(i);
    }
    CHECK(!zero.full());
    CHECK(!negative.full());
    CHECK_EQ(zero.qsize(), 1000u);
    CHECK_EQ(negative.qsize(), 1000u);
}

Coro<void> queueQsize(Checks &ck)
{
    Queue<int> q(3);
    CHECK_EQ(q.qsize(), 0u);
    q.putNowait(1);
    CHECK_EQ(q.qsize(), 1u);
    co_await q.put(2);
    q.putNowait(3);
    CHECK_EQ(q.qsize(), 3u);
    CHECK(q.full());
    CHECK_EQ(q.getNowait(), 1);
    CHECK_EQ(q.qsize(), 2u);
    CHECK(!q.full());
    CHECK_EQ(co_await q.get(), 2);
    CHECK_EQ(q.getNowait(), 3);
    CHECK_EQ(q.qsize(), 0u);
    CHECK(q.empty());
}

// ================================================================ get

// test_blocking_get
Coro<void> getBlockingGet(Checks &ck)
{
    Queue<int> q;
    q.putNowait(1);
    CHECK_EQ(co_await q.get(), 1);
}

// test_get_with_putters: get() makes room for a waiting putter.
Coro<void> getWithPutters(Checks &ck)
{
    Queue<int> q(1);
    co_await q.put(1);
    auto putter = createTask(q.put(2));
    co_await qaio::sleep(0);
    CHECK(!putter.done());
    CHECK_EQ(co_await q.get(), 1);
    co_await qaio::sleep(0);
    CHECK(putter.done() && !putter.exception());
    CHECK_EQ(q.getNowait(), 2);
}

Coro<int> startedGet(Queue<int> &q, Event &started, bool &finished)
{
    started.set();
    const int res = co_await q.get();
    finished = true;
    co_return res;
}

// test_blocking_get_wait
Coro<void> getBlockingGetWait(Checks &ck)
{
    Queue<int> q;
    Event started;
    bool finished = false;
    auto task = createTask(startedGet(q, started, finished));
    co_await started.wait();
    CHECK(!finished);
    runningLoop().callLater(0.01, [&q] { q.putNowait(1); });
    const int res = co_await task;
    CHECK(finished);
    CHECK_EQ(res, 1);
}

// test_nonblocking_get
Coro<void> getNonblockingGet(Checks &ck)
{
    Queue<int> q;
    q.putNowait(1);
    CHECK_EQ(q.getNowait(), 1);
    co_return;
}

// test_nonblocking_get_exception
Coro<void> getNonblockingGetException(Checks &ck)
{
    Queue<int> q;
    auto error = errorOfCall([&] { (void)q.getNowait(); });
    CHECK(holds<QueueEmpty>(error));
    CHECK_EQ(whatOf(error), QStringLiteral("QueueEmpty"));
    co_return;
}

// test_get_cancelled_race
Coro<void> getCancelledRace(Checks &ck)
{
    Queue<QString> q;
    auto t1 = createTask(q.get());
    auto t2 = createTask(q.get());
    co_await qaio::sleep(0);
    t1.cancel();
    co_await qaio::sleep(0);
    CHECK(t1.done());
    co_await q.put(QStringLiteral("a"));
    co_await qaio::sleep(0);
    CHECK_EQ(co_await t2, QStringLiteral("a"));
    CHECK(t1.cancelled());
}

// test_get_with_waiting_putters
Coro<void> getWithWaitingPutters(Checks &ck)
{
    Queue<QString> q(1);
    auto pa = createTask(q.put(QStringLiteral("a")));
    auto pb = createTask(q.put(QStringLiteral("b")));
    CHECK_EQ(co_await q.get(), QStringLiteral("a"));
    CHECK_EQ(co_await q.get(), QStringLiteral("b"));
    co_await gather(pa, pb);
    CHECK(q.empty());
}

Coro<void> consumeN(Queue<int> &q, int n, QList<int> &got)
{
    for (int i = 0; i < n; ++i)
        got << co_await q.get();
}

Coro<void> produceN(Queue<int> &q, int n)
{
    for (int i = 0; i < n; ++i)
        co_await q.put(i);
}

// test_why_are_getters_waiting
Coro<void> getWhyAreGettersWaiting(Checks &ck)
{
    Queue<int> q(1);
    QList<int> got;
    auto producer = createTask(produceN(q, 5));
    auto consumer = createTask(consumeN(q, 5, got));
    auto error = co_await errorOf(waitFor(gather(producer, consumer), 5));
    CHECK(!error);
    CHECK_EQ(got, ints(0, 1, 2, 3, 4));
}

// test_cancelled_getters_not_being_held_in_self_getters
Coro<void> getCancelledGettersNotHeld(Checks &ck)
{
    Queue<int> q(5);
    auto error = co_await errorOf(waitFor(q.get(), 0.01));
    CHECK(holds<TimeoutError>(error));
    // The timed-out getter is gone: the next item goes to the next getter.
    auto getter = createTask(q.get());
    co_await qaio::sleep(0);
    q.putNowait(42);
    CHECK_EQ(co_await getter, 42);
    CHECK(q.empty());
    q.putNowait(7);
    CHECK_EQ(q.getNowait(), 7);
}

// A getter woken by put() and cancelled before it ran does not lose the item:
// the next getter gets it.
Coro<void> getCancelledGetterNotLost(Checks &ck)
{
    Queue<int> q;
    auto g1 = createTask(q.get());
    auto g2 = createTask(q.get());
    co_await qaio::sleep(0);
    q.putNowait(1); // wakes g1 ...
    g1.cancel();    // ... which leaves
    co_await st::yieldTimes(3);
    CHECK(g1.cancelled());
    CHECK(g2.done() && !g2.cancelled());
    CHECK_EQ(g2.result(), 1);
    CHECK(q.empty());
}

Coro<int> retryGet(Queue<int> &q, Task<int> reader)
{
    try {
        co_return co_await reader;
    } catch (const CancelledError &) {
        // the reader was cancelled: below
    }
    // Try again.
    Task<int> again = createTask(q.get());
    co_return co_await again;
}

// test_get_cancel_drop_one_pending_reader
Coro<void> getCancelDropOnePendingReader(Checks &ck)
{
    Queue<int> q;
    auto reader = createTask(q.get());
    co_await qaio::sleep(0);
    q.putNowait(1);
    q.putNowait(2);
    reader.cancel();
    const int result = co_await retryGet(q, reader);
    // If we got 2, 1 was dropped.
    CHECK_EQ(result, 1);
    CHECK_EQ(q.qsize(), 1u);
}

// test_get_cancel_drop_many_pending_readers
Coro<void> getCancelDropManyPendingReaders(Checks &ck)
{
    Queue<int> q;
    auto reader1 = createTask(q.get());
    auto reader2 = createTask(q.get());
    auto reader3 = createTask(q.get());
    co_await qaio::sleep(0);
    q.putNowait(1);
    q.putNowait(2);
    reader1.cancel();
    auto error = co_await errorOf(reader1);
    CHECK(holds<CancelledError>(error));
    const int r3 = co_await reader3;
    const int r2 = co_await reader2;
    // Which reader gets which item is not specified.
    CHECK((std::set<int>{r2, r3}) == (std::set<int>{1, 2}));
    CHECK(q.empty());
}

// Getters are served in the order they came.
Coro<void> getFifoGetters(Checks &ck)
{
    Queue<int> q;
    std::vector<Task<int>> getters;
    for (int i = 0; i < 4; ++i)
        getters.push_back(createTask(q.get()));
    co_await qaio::sleep(0);
    for (int i = 10; i < 14; ++i)
        q.putNowait(i);
    auto got = co_await gather(getters);
    CHECK_EQ(got, (std::vector<int>{10, 11, 12, 13}));
}

// A getter that timed out does not take an item put later.
Coro<void> getWaitForTimeoutThenItem(Checks &ck)
{
    Queue<int> q;
    auto g1 = createTask(waitFor(q.get(), 0.005));
    auto g2 = createTask(q.get());
    co_await qaio::sleep(0.02);
    CHECK(g1.done());
    CHECK(holds<TimeoutError>(g1.exception()));
    q.putNowait(5);
    CHECK_EQ(co_await g2, 5);
    CHECK(q.empty());
}

// ================================================================ put

// test_blocking_put
Coro<void> putBlockingPut(Checks &ck)
{
    Queue<int> q;
    co_await q.put(1); // no maxsize: does not block
    CHECK_EQ(co_await q.get(), 1);
}

Coro<void> startedPutTwo(Queue<int> &q, Event &started, bool &finished)
{
    started.set();
    co_await q.put(1);
    co_await q.put(2);
    finished = true;
}

// test_blocking_put_wait
Coro<void> putBlockingPutWait(Checks &ck)
{
    Queue<int> q(1);
    Event started;
    bool finished = false;
    runningLoop().callLater(0.01, [&q] { (void)q.getNowait(); });
    auto task = createTask(startedPutTwo(q, started, finished));
    co_await started.wait();
    CHECK(!finished);
    co_await task;
    CHECK(finished);
    CHECK_EQ(q.getNowait(), 2);
}

// test_nonblocking_put
Coro<void> putNonblockingPut(Checks &ck)
{
    Queue<int> q;
    q.putNowait(1);
    CHECK_EQ(q.getNowait(), 1);
    co_return;
}

Coro<void> retryPut(Queue<int> &q, Task<void> writer, int item)
{
    try {
        co_await writer;
        co_return;
    } catch (const CancelledError &) {
        // the writer was cancelled: below
    }
    auto again = createTask(q.put(item));
    co_await again;
}

// test_put_cancel_drop
Coro<void> putCancelDrop(Checks &ck)
{
    Queue<int> q(1);
    q.putNowait(1);
    // Putting a second item has to block (qsize 1).
    auto writer = createTask(q.put(2));
    co_await qaio::sleep(0);
    CHECK_EQ(q.getNowait(), 1);
    writer.cancel();
    co_await retryPut(q, writer, 2);
    CHECK_EQ(q.getNowait(), 2);
    CHECK_EQ(q.qsize(), 0u);
}

// test_nonblocking_put_exception
Coro<void> putNonblockingPutException(Checks &ck)
{
    Queue<int> q(1);
    q.putNowait(1);
    auto error = errorOfCall([&] { q.putNowait(2); });
    CHECK(holds<QueueFull>(error));
    CHECK_EQ(whatOf(error), QStringLiteral("QueueFull"));
    CHECK_EQ(q.qsize(), 1u);
    co_return;
}

Coro<bool> putOne(Queue<int> &q)
{
    co_await q.put(1);
    co_return true;
}

// test_put_cancelled
Coro<void> putCancelled(Checks &ck)
{
    Queue<int> q;
    auto t = createTask(putOne(q));
    CHECK_EQ(co_await q.get(), 1);
    CHECK(t.done() && t.result());
}

// test_put_cancelled_race
Coro<void> putCancelledRace(Checks &ck)
{
    Queue<QString> q(1);
    auto putA = createTask(q.put(QStringLiteral("a")));
    auto putB = createTask(q.put(QStringLiteral("b")));
    auto putC = createTask(q.put(QStringLiteral("X")));
    co_await qaio::sleep(0);
    CHECK(putA.done());
    CHECK(!putB.done());

    putC.cancel();
    co_await qaio::sleep(0);
    CHECK(putC.done());
    CHECK_EQ(q.getNowait(), QStringLiteral("a"));
    co_await qaio::sleep(0);
    CHECK_EQ(q.getNowait(), QStringLiteral("b"));
    co_await putB;
    CHECK(q.empty());
}

// test_put_with_waiting_getters
Coro<void> putWithWaitingGetters(Checks &ck)
{
    Queue<QString> q;
    auto t = createTask(q.get());
    co_await qaio::sleep(0);
    co_await q.put(QStringLiteral("a"));
    CHECK_EQ(co_await t, QStringLiteral("a"));
}

Coro<void> drainLater(Queue<int> &q, QList<int> &got)
{
    co_await qaio::sleep(0);
    const auto n = q.qsize();
    for (std::size_t i = 0; i < n; ++i)
        got << q.getNowait();
}

// test_why_are_putters_waiting
Coro<void> putWhyArePuttersWaiting(Checks &ck)
{
    Queue<int> q(2);
    QList<int> got;
    std::vector<Task<void>> tasks;
    tasks.push_back(createTask(drainLater(q, got)));
    for (int i = 0; i < 4; ++i)
        tasks.push_back(createTask(q.put(i)));
    auto error = co_await errorOf(waitFor(gather(tasks), 5));
    CHECK(!error);
    CHECK_EQ(got, ints(0, 1));
    CHECK_EQ(q.qsize(), 2u);
    CHECK_EQ(q.getNowait(), 2);
    CHECK_EQ(q.getNowait(), 3);
}

// test_cancelled_puts_not_being_held_in_self_putters
Coro<void> putCancelledPutsNotHeld(Checks &ck)
{
    Queue<int> q(1);
    q.putNowait(1);
    // A task waiting for room.
    auto putTask = createTask(q.put(1));
    co_await qaio::sleep(0);
    putTask.cancel();
    auto error = co_await errorOf(putTask);
    CHECK(holds<CancelledError>(error));
    // The cancelled putter is gone: room made now goes to a new putter.
    auto next = createTask(q.put(2));
    co_await qaio::sleep(0);
    CHECK(!next.done());
    CHECK_EQ(q.getNowait(), 1);
    co_await next;
    CHECK_EQ(q.getNowait(), 2);
}

// test_cancelled_put_silence_value_error_exception
Coro<void> putCancelledPutSilenceValueError(Checks &ck)
{
    Queue<int> q(1);
    q.putNowait(1);
    auto putTask = createTask(q.put(1));
    co_await qaio::sleep(0);
    // getNowait() takes the putter's future off the queue's list; the
    // cancelled put() must cope with finding it gone.
    (void)q.getNowait();
    putTask.cancel();
    auto error = co_await errorOf(putTask);
    CHECK(holds<CancelledError>(error));
    CHECK(q.empty());
}

// waitFor(q.put(x), t) on a full queue times out; the slot is not lost.
Coro<void> putWaitForTimeoutKeepsSlot(Checks &ck)
{
    Queue<int> q(1);
    q.putNowait(1);
    auto error = co_await errorOf(waitFor(q.put(2), 0.01));
    CHECK(holds<TimeoutError>(error));
    CHECK_EQ(q.qsize(), 1u);
    CHECK_EQ(q.getNowait(), 1);
    q.putNowait(3); // the slot is free
    CHECK(q.full());
    runningLoop().callLater(0.002, [&q] { (void)q.getNowait(); });
    co_await waitFor(q.put(4), 5);
    CHECK_EQ(q.getNowait(), 4);
}

// A putter woken by get() and cancelled before it ran passes the slot on.
Coro<void> putWokenPutterCancelledPassesSlotOn(Checks &ck)
{
    Queue<int> q(1);
    q.putNowait(1);
    auto p1 = createTask(q.put(2));
    auto p2 = createTask(q.put(3));
    co_await qaio::sleep(0);
    CHECK_EQ(q.getNowait(), 1); // wakes p1 ...
    p1.cancel();                // ... which leaves
    co_await st::yieldTimes(3);
    CHECK(p1.cancelled());
    CHECK(p2.done() && !p2.cancelled());
    CHECK_EQ(q.qsize(), 1u);
    CHECK_EQ(q.getNowait(), 3);
}

// Putters are served in the order they came.
Coro<void> putFifoPutters(Checks &ck)
{
    Queue<int> q(1);
    q.putNowait(1);
    std::vector<Task<void>> putters;
    for (int i = 2; i <= 4; ++i)
        putters.push_back(createTask(q.put(i)));
    co_await qaio::sleep(0);
    QList<int> got;
    for (int i = 0; i < 4; ++i)
        got << co_await q.get();
    CHECK_EQ(got, ints(1, 2, 3, 4));
    co_await gather(putters);
}

// ================================================================ LIFO / priority

// LifoQueueTests.test_order
Coro<void> lifoOrder(Checks &ck)
{
    LifoQueue<int> q;
    for (int i : {1, 3, 2})
        co_await q.put(i);
    QList<int> items;
    for (int i = 0; i < 3; ++i)
        items << co_await q.get();
    CHECK_EQ(items, ints(2, 3, 1));
}

// PriorityQueueTests.test_order
Coro<void> priorityOrder(Checks &ck)
{
    PriorityQueue<int> q;
    for (int i : {1, 3, 2})
        co_await q.put(i);
    QList<int> items;
    for (int i = 0; i < 3; ++i)
        items << co_await q.get();
    CHECK_EQ(items, ints(1, 2, 3));
}

// A custom comparator: the largest first.
Coro<void> priorityCustomComparator(Checks &ck)
{
    PriorityQueue<int, std::greater<int>> q;
    for (int i : {5, 1, 9, 3, 7})
        q.putNowait(i);
    QList<int> items;
    while (!q.empty())
        items << q.getNowait();
    CHECK_EQ(items, ints(9, 7, 5, 3, 1));
    co_return;
}

struct Job
{
    int priority;
    QString name;
};

struct ByPriority
{
    bool operator()(const Job &a, const Job &b) const { return a.priority < b.priority; }
};

// (priority, payload) entries with a stateless comparator on the priority only.
Coro<void> priorityEntries(Checks &ck)
{
    PriorityQueue<Job, ByPriority> q(3);
    co_await q.put(Job{3, QStringLiteral("low")});
    co_await q.put(Job{1, QStringLiteral("high")});
    co_await q.put(Job{2, QStringLiteral("mid")});
    CHECK(q.full());
    auto putter = createTask(q.put(Job{0, QStringLiteral("urgent")}));
    co_await qaio::sleep(0);
    CHECK(!putter.done());
    QStringList names;
    names << (co_await q.get()).name; // makes room for "urgent"
    co_await putter;
    while (!q.empty())
        names << q.getNowait().name;
    CHECK_EQ(names, st::strs({"high", "urgent", "mid", "low"}));
}

// A comparator with state: the queue keeps the instance it was given.
struct ModuloOrder
{
    int modulus = 1;
    bool operator()(int a, int b) const { return a % modulus < b % modulus; }
};

Coro<void> priorityStatefulComparator(Checks &ck)
{
    PriorityQueue<int, ModuloOrder> q(0, ModuloOrder{10});
    for (int i : {19, 21, 35, 4})
        q.putNowait(i);
    QList<int> items;
    while (!q.empty())
        items << q.getNowait();
    CHECK_EQ(items, ints(21, 4, 35, 19));
    co_return;
}

// A waiting getter receives the smallest item present when it runs.
Coro<void> priorityBlockingGet(Checks &ck)
{
    PriorityQueue<int> q;
    auto getter = createTask(q.get());
    co_await qaio::sleep(0);
    q.putNowait(5);
    q.putNowait(2);
    q.putNowait(8);
    CHECK_EQ(co_await getter, 2);
    CHECK_EQ(q.getNowait(), 5);
    CHECK_EQ(q.getNowait(), 8);
}

// ================================================================ join (mixin x 3)

template<class Q>
Coro<void> taskDoneUnderflow(Checks &ck)
{
    Q q;
    auto error = errorOfCall([&] { q.taskDone(); });
    CHECK(holds<ValueError>(error));
    CHECK(whatOf(error).contains(QStringLiteral("too many times")));
    co_return;
}

template<class Q>
Coro<void> joinWorker(Q &q, int &accumulator, bool &running)
{
    while (running) {
        accumulator += co_await q.get();
        q.taskDone();
    }
}

template<class Q>
Coro<void> taskDone(Checks &ck)
{
    Q q;
    for (int i = 0; i < 100; ++i)
        q.putNowait(i);
    int accumulator = 0;
    bool running = true;
    // Two workers get items and call taskDone() after each; join() waits for all.
    auto w1 = createTask(joinWorker(q, accumulator, running));
    auto w2 = createTask(joinWorker(q, accumulator, running));
    co_await q.join();
    CHECK_EQ(accumulator, 4950);
    CHECK(q.empty());
    // Let the workers go.
    running = false;
    q.putNowait(0);
    q.putNowait(0);
    co_await gather(w1, w2);
    co_await q.join();
}

Coro<void> recordRan(bool &ran)
{
    ran = true;
    co_return;
}

template<class Q>
Coro<void> joinEmptyQueue(Checks &ck)
{
    Q q;
    // join() on a queue with nothing unfinished returns without yielding
    // (done twice for insurance).
    bool ran = false;
    auto other = createTask(recordRan(ran));
    co_await q.join();
    co_await q.join();
    CHECK(!ran);
    co_await other;
    CHECK(ran);
}

// join() returns once the last taskDone() came, and releases every joiner.
Coro<void> joinAfterLastTaskDone(Checks &ck)
{
    Queue<int> q;
    q.putNowait(1);
    q.putNowait(2);
    auto j1 = createTask(q.join());
    auto j2 = createTask(q.join());
    co_await qaio::sleep(0);
    (void)q.getNowait();
    (void)q.getNowait();
    q.taskDone();
    co_await qaio::sleep(0);
    CHECK(!j1.done() && !j2.done());
    q.taskDone();
    co_await qaio::sleep(0);
    CHECK(j1.done() && j2.done());
    // New work makes join() wait again.
    q.putNowait(3);
    auto j3 = createTask(q.join());
    co_await qaio::sleep(0);
    CHECK(!j3.done());
    (void)q.getNowait();
    q.taskDone();
    co_await j3;
    auto error = errorOfCall([&] { q.taskDone(); });
    CHECK(holds<ValueError>(error));
}

Coro<void> producer(Queue<int> &q, int from, int count)
{
    for (int i = from; i < from + count; ++i)
        co_await q.put(i);
}

Coro<void> consumer(Queue<int> &q, QList<int> &got)
{
    for (;;) {
        const int item = co_await q.get();
        co_await qaio::sleep(0);
        got << item;
        q.taskDone();
    }
}

// Producers and consumers on a bounded queue; join() sees everything done.
Coro<void> joinProducersConsumers(Checks &ck)
{
    Queue<int> q(2);
    QList<int> got;
    std::vector<Task<void>> consumers;
    for (int i = 0; i < 3; ++i)
        consumers.push_back(createTask(consumer(q, got)));
    co_await gather(producer(q, 0, 20), producer(q, 100, 20));
    co_await waitFor(q.join(), 5);
    for (auto &c : consumers)
        c.cancel();
    co_await gather(returnExceptions, consumers);
    CHECK_EQ(got.size(), 40);
    std::sort(got.begin(), got.end());
    QList<int> expected;
    for (int i = 0; i < 20; ++i)
        expected << i;
    for (int i = 100; i < 120; ++i)
        expected << i;
    CHECK_EQ(got, expected);
}

// ================================================================ shutdown (mixin x 3)

template<class Q>
Coro<void> shutdownRaisesEverywhere(Checks &ck, Q &q)
{
    auto error = co_await errorOf(q.put(QStringLiteral("data")));
    CHECK(holds<QueueShutDown>(error));
    error = errorOfCall([&] { q.putNowait(QStringLiteral("data")); });
    CHECK(holds<QueueShutDown>(error));
    error = co_await errorOf(q.get());
    CHECK(holds<QueueShutDown>(error));
    error = errorOfCall([&] { (void)q.getNowait(); });
    CHECK(holds<QueueShutDown>(error));
}

// test_shutdown_empty
template<class Q>
Coro<void> shutdownEmpty(Checks &ck)
{
    Q q;
    auto getTask = createTask(q.get());
    co_await qaio::sleep(0); // the getter waits before the shutdown

    q.shutdown(false);
    CHECK(q.isShutdown());
    CHECK_EQ(q.qsize(), 0u);
    co_await q.join();

    co_await qaio::sleep(0);
    CHECK(getTask.done());
    auto error = co_await errorOf(getTask);
    CHECK(holds<QueueShutDown>(error));
    co_await shutdownRaisesEverywhere(ck, q);
}

// test_shutdown_nonempty
template<class Q>
Coro<void> shutdownNonempty(Checks &ck)
{
    Q q(1);
    q.putNowait(QStringLiteral("data"));
    auto joinTask = createTask(q.join());
    auto putTask = createTask(q.put(QStringLiteral("data2")));
    co_await qaio::sleep(0);
    CHECK(!putTask.done());

    q.shutdown(false); // unfinished tasks: 1 -> 1
    CHECK_EQ(q.qsize(), 1u);

    co_await qaio::sleep(0);
    CHECK(putTask.done());
    auto error = co_await errorOf(putTask);
    CHECK(holds<QueueShutDown>(error));

    // get() still succeeds on the item left.
    CHECK_EQ(co_await q.get(), QStringLiteral("data"));
    co_await qaio::sleep(0);
    CHECK(!joinTask.done());

    co_await shutdownRaisesEverywhere(ck, q);

    // One unfinished task; then join() succeeds.
    q.taskDone();
    co_await qaio::sleep(0);
    CHECK(joinTask.done());
    co_await joinTask;
    error = errorOfCall([&] { q.taskDone(); });
    CHECK(holds<ValueError>(error));
}

// test_shutdown_immediate
template<class Q>
Coro<void> shutdownImmediate(Checks &ck)
{
    Q q;
    q.putNowait(QStringLiteral("data"));
    auto joinTask = createTask(q.join());

    q.shutdown(true); // unfinished tasks: 1 -> 0
    CHECK_EQ(q.qsize(), 0u);

    co_await qaio::sleep(0);
    CHECK(joinTask.done());
    co_await joinTask;

    co_await shutdownRaisesEverywhere(ck, q);
    auto error = errorOfCall([&] { q.taskDone(); });
    CHECK(holds<ValueError>(error));
}

// test_shutdown_immediate_with_unfinished
template<class Q>
Coro<void> shutdownImmediateWithUnfinished(Checks &ck)
{
    Q q;
    q.putNowait(QStringLiteral("data"));
    q.putNowait(QStringLiteral("data"));
    auto joinTask = createTask(q.join());
    CHECK_EQ(co_await q.get(), QStringLiteral("data"));

    q.shutdown(true); // unfinished tasks: 2 -> 1
    CHECK_EQ(q.qsize(), 0u);

    co_await qaio::sleep(0);
    CHECK(!joinTask.done());

    co_await shutdownRaisesEverywhere(ck, q);

    q.taskDone(); // the one retrieved
    auto error = errorOfCall([&] { q.taskDone(); });
    CHECK(holds<ValueError>(error));

    co_await qaio::sleep(0);
    CHECK(joinTask.done());
    co_await joinTask;
}

// Getters and putters waiting at the time of shutdown() wake with QueueShutDown.
Coro<void> shutdownWakesWaiters(Checks &ck)
{
    Queue<int> empty;
    std::vector<Task<int>> getters;
    for (int i = 0; i < 3; ++i)
        getters.push_back(createTask(empty.get()));
    Queue<int> full(1);
    full.putNowait(0);
    std::vector<Task<void>> putters;
    for (int i = 1; i <= 3; ++i)
        putters.push_back(createTask(full.put(i)));
    co_await qaio::sleep(0);

    empty.shutdown();
    full.shutdown();
    auto gotten = co_await gather(returnExceptions, getters);
    auto put = co_await gather(returnExceptions, putters);
    for (const auto &outcome : gotten)
        CHECK(holds<QueueShutDown>(outcome.exception()));
    for (const auto &outcome : put)
        CHECK(holds<QueueShutDown>(outcome.exception()));
    // The item already in `full` can still be taken, once.
    CHECK_EQ(co_await full.get(), 0);
    auto error = co_await errorOf(full.get());
    CHECK(holds<QueueShutDown>(error));
}

// After shutdown(), get() drains what is left, then raises.
Coro<void> shutdownGetDrainsThenRaises(Checks &ck)
{
    Queue<int> q;
    for (int i = 1; i <= 3; ++i)
        q.putNowait(i);
    q.shutdown();
    CHECK(q.isShutdown());
    QList<int> got;
    got << co_await q.get();
    got << q.getNowait();
    got << co_await q.get();
    CHECK_EQ(got, ints(1, 2, 3));
    auto error = co_await errorOf(q.get());
    CHECK(holds<QueueShutDown>(error));
    error = errorOfCall([&] { (void)q.getNowait(); });
    CHECK(holds<QueueShutDown>(error));
    error = errorOfCall([&] { q.putNowait(4); });
    CHECK(holds<QueueShutDown>(error));
    CHECK(q.empty());
}

// shutdown(true) drops the items, fails the waiting getters at once, and
// releases join() even with several waiting joiners.
Coro<void> shutdownImmediateDropsAndReleasesJoin(Checks &ck)
{
    Queue<int> q(2);
    q.putNowait(1);
    q.putNowait(2);
    auto putter = createTask(q.put(3));
    auto j1 = createTask(q.join());
    auto j2 = createTask(q.join());
    co_await qaio::sleep(0);
    q.shutdown(true);
    CHECK(q.empty());
    auto error = co_await errorOf(putter);
    CHECK(holds<QueueShutDown>(error));
    co_await gather(j1, j2);
    error = co_await errorOf(q.get());
    CHECK(holds<QueueShutDown>(error));
    // Shutting down again changes nothing.
    q.shutdown();
    q.shutdown(true);
    CHECK(q.isShutdown());
    CHECK(q.empty());
}

// ================================================================ move-only items

using IntPtr = std::unique_ptr<int>;

Coro<void> moveOnlyQueue(Checks &ck)
{
    Queue<IntPtr> q;
    co_await q.put(std::make_unique<int>(1));
    q.putNowait(std::make_unique<int>(2));
    IntPtr a = co_await q.get();
    IntPtr b = q.getNowait();
    CHECK(a && *a == 1);
    CHECK(b && *b == 2);
    // A waiting getter receives the item put later.
    auto getter = createTask(q.get());
    co_await qaio::sleep(0);
    q.putNowait(std::make_unique<int>(3));
    IntPtr c = co_await getter;
    CHECK(c && *c == 3);
    CHECK(q.empty());
}

Coro<void> moveOnlyBounded(Checks &ck)
{
    Queue<IntPtr> q(1);
    q.putNowait(std::make_unique<int>(1));
    auto error = errorOfCall([&] { q.putNowait(std::make_unique<int>(9)); });
    CHECK(holds<QueueFull>(error));
    auto putter = createTask(q.put(std::make_unique<int>(2)));
    co_await qaio::sleep(0);
    CHECK(!putter.done());
    IntPtr first = q.getNowait();
    co_await putter;
    IntPtr second = co_await q.get();
    CHECK(first && *first == 1);
    CHECK(second && *second == 2);
}

struct PtrLess
{
    bool operator()(const IntPtr &a, const IntPtr &b) const { return *a < *b; }
};

Coro<void> moveOnlyLifoAndPriority(Checks &ck)
{
    LifoQueue<IntPtr> lifo;
    PriorityQueue<IntPtr, PtrLess> prio;
    for (int i : {2, 3, 1}) {
        co_await lifo.put(std::make_unique<int>(i));
        co_await prio.put(std::make_unique<int>(i));
    }
    QList<int> fromLifo;
    QList<int> fromPrio;
    while (!lifo.empty())
        fromLifo << *lifo.getNowait();
    while (!prio.empty())
        fromPrio << *(co_await prio.get());
    CHECK_EQ(fromLifo, ints(1, 3, 2));
    CHECK_EQ(fromPrio, ints(1, 2, 3));
}

// ================================================================ two loops

Coro<void> bindQueueLoop(Queue<int> &q)
{
    try {
        co_await waitFor(q.get(), 0.001);
    } catch (const TimeoutError &) {
    }
}

Coro<void> queueOnOtherLoop(Checks &ck, Queue<int> &q)
{
    // Nothing to wait for: no loop check, as in asyncio.
    q.putNowait(5);
    CHECK_EQ(co_await q.get(), 5);
    // Waiting: the queue belongs to the first loop.
    auto error = co_await errorOf(q.get());
    CHECK(holds<RuntimeError>(error));
    CHECK(whatOf(error).contains(QStringLiteral("different event loop")));
    q.putNowait(6);
    CHECK_EQ(q.getNowait(), 6);
}

} // namespace

class TestSyncQueues : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // QueueBasicTests
    void queue_empty() { RUN_SYNC_TEST(queueEmpty); }
    void queue_full() { RUN_SYNC_TEST(queueFull); }
    void queue_order() { RUN_SYNC_TEST(queueOrder); }
    void queue_maxsize() { RUN_SYNC_TEST(queueMaxsize); }
    void queue_unbounded() { RUN_SYNC_TEST(queueUnbounded); }
    void queue_qsize() { RUN_SYNC_TEST(queueQsize); }
    void queue_differentLoop();

    // QueueGetTests
    void get_blockingGet() { RUN_SYNC_TEST(getBlockingGet); }
    void get_withPutters() { RUN_SYNC_TEST(getWithPutters); }
    void get_blockingGetWait() { RUN_SYNC_TEST(getBlockingGetWait); }
    void get_nonblockingGet() { RUN_SYNC_TEST(getNonblockingGet); }
    void get_nonblockingGetException() { RUN_SYNC_TEST(getNonblockingGetException); }
    void get_cancelledRace() { RUN_SYNC_TEST(getCancelledRace); }
    void get_withWaitingPutters() { RUN_SYNC_TEST(getWithWaitingPutters); }
    void get_whyAreGettersWaiting() { RUN_SYNC_TEST(getWhyAreGettersWaiting); }
    void get_cancelledGettersNotHeld() { RUN_SYNC_TEST(getCancelledGettersNotHeld); }
    void get_cancelledGetterNotLost() { RUN_SYNC_TEST(getCancelledGetterNotLost); }
    void get_cancelDropOnePendingReader() { RUN_SYNC_TEST(getCancelDropOnePendingReader); }
    void get_cancelDropManyPendingReaders() { RUN_SYNC_TEST(getCancelDropManyPendingReaders); }
    void get_fifoGetters() { RUN_SYNC_TEST(getFifoGetters); }
    void get_waitForTimeoutThenItem() { RUN_SYNC_TEST(getWaitForTimeoutThenItem); }

    // QueuePutTests
    void put_blockingPut() { RUN_SYNC_TEST(putBlockingPut); }
    void put_blockingPutWait() { RUN_SYNC_TEST(putBlockingPutWait); }
    void put_nonblockingPut() { RUN_SYNC_TEST(putNonblockingPut); }
    void put_cancelDrop() { RUN_SYNC_TEST(putCancelDrop); }
    void put_nonblockingPutException() { RUN_SYNC_TEST(putNonblockingPutException); }
    void put_cancelled() { RUN_SYNC_TEST(putCancelled); }
    void put_cancelledRace() { RUN_SYNC_TEST(putCancelledRace); }
    void put_withWaitingGetters() { RUN_SYNC_TEST(putWithWaitingGetters); }
    void put_whyArePuttersWaiting() { RUN_SYNC_TEST(putWhyArePuttersWaiting); }
    void put_cancelledPutsNotHeld() { RUN_SYNC_TEST(putCancelledPutsNotHeld); }
    void put_cancelledPutSilenceValueError() { RUN_SYNC_TEST(putCancelledPutSilenceValueError); }
    void put_waitForTimeoutKeepsSlot() { RUN_SYNC_TEST(putWaitForTimeoutKeepsSlot); }
    void put_wokenPutterCancelledPassesSlotOn() { RUN_SYNC_TEST(putWokenPutterCancelledPassesSlotOn); }
    void put_fifoPutters() { RUN_SYNC_TEST(putFifoPutters); }

    // LifoQueueTests, PriorityQueueTests
    void lifo_order() { RUN_SYNC_TEST(lifoOrder); }
    void priority_order() { RUN_SYNC_TEST(priorityOrder); }
    void priority_customComparator() { RUN_SYNC_TEST(priorityCustomComparator); }
    void priority_entries() { RUN_SYNC_TEST(priorityEntries); }
    void priority_statefulComparator() { RUN_SYNC_TEST(priorityStatefulComparator); }
    void priority_blockingGet() { RUN_SYNC_TEST(priorityBlockingGet); }

    // _QueueJoinTestMixin for Queue, LifoQueue, PriorityQueue
    void join_taskDoneUnderflow_fifo() { RUN_SYNC_TEST(taskDoneUnderflow<Queue<int>>); }
    void join_taskDoneUnderflow_lifo() { RUN_SYNC_TEST(taskDoneUnderflow<LifoQueue<int>>); }
    void join_taskDoneUnderflow_priority() { RUN_SYNC_TEST(taskDoneUnderflow<PriorityQueue<int>>); }
    void join_taskDone_fifo() { RUN_SYNC_TEST(taskDone<Queue<int>>); }
    void join_taskDone_lifo() { RUN_SYNC_TEST(taskDone<LifoQueue<int>>); }
    void join_taskDone_priority() { RUN_SYNC_TEST(taskDone<PriorityQueue<int>>); }
    void join_emptyQueue_fifo() { RUN_SYNC_TEST(joinEmptyQueue<Queue<int>>); }
    void join_emptyQueue_lifo() { RUN_SYNC_TEST(joinEmptyQueue<LifoQueue<int>>); }
    void join_emptyQueue_priority() { RUN_SYNC_TEST(joinEmptyQueue<PriorityQueue<int>>); }
    void join_afterLastTaskDone() { RUN_SYNC_TEST(joinAfterLastTaskDone); }
    void join_producersConsumers() { RUN_SYNC_TEST(joinProducersConsumers); }

    // _QueueShutdownTestMixin for Queue, LifoQueue, PriorityQueue
    void shutdown_empty_fifo() { RUN_SYNC_TEST(shutdownEmpty<Queue<QString>>); }
    void shutdown_empty_lifo() { RUN_SYNC_TEST(shutdownEmpty<LifoQueue<QString>>); }
    void shutdown_empty_priority() { RUN_SYNC_TEST(shutdownEmpty<PriorityQueue<QString>>); }
    void shutdown_nonempty_fifo() { RUN_SYNC_TEST(shutdownNonempty<Queue<QString>>); }
    void shutdown_nonempty_lifo() { RUN_SYNC_TEST(shutdownNonempty<LifoQueue<QString>>); }
    void shutdown_nonempty_priority() { RUN_SYNC_TEST(shutdownNonempty<PriorityQueue<QString>>); }
    void shutdown_immediate_fifo() { RUN_SYNC_TEST(shutdownImmediate<Queue<QString>>); }
    void shutdown_immediate_lifo() { RUN_SYNC_TEST(shutdownImmediate<LifoQueue<QString>>); }
    void shutdown_immediate_priority() { RUN_SYNC_TEST(shutdownImmediate<PriorityQueue<QString>>); }
    void shutdown_immediateWithUnfinished_fifo() { RUN_SYNC_TEST(shutdownImmediateWithUnfinished<Queue<QString>>); }
    void shutdown_immediateWithUnfinished_lifo() { RUN_SYNC_TEST(shutdownImmediateWithUnfinished<LifoQueue<QString>>); }
    void shutdown_immediateWithUnfinished_priority()
    {
        RUN_SYNC_TEST(shutdownImmediateWithUnfinished<PriorityQueue<QString>>);
    }
    void shutdown_wakesWaiters() { RUN_SYNC_TEST(shutdownWakesWaiters); }
    void shutdown_getDrainsThenRaises() { RUN_SYNC_TEST(shutdownGetDrainsThenRaises); }
    void shutdown_immediateDropsAndReleasesJoin() { RUN_SYNC_TEST(shutdownImmediateDropsAndReleasesJoin); }

    // Move-only items
    void moveOnly_queue() { RUN_SYNC_TEST(moveOnlyQueue); }
    void moveOnly_bounded() { RUN_SYNC_TEST(moveOnlyBounded); }
    void moveOnly_lifoAndPriority() { RUN_SYNC_TEST(moveOnlyLifoAndPriority); }
};

void TestSyncQueues::queue_differentLoop()
{
    Checks ck;
    Queue<int> q;
    Loop loop1;
    st::runOn(loop1, bindQueueLoop(q), ck);
    Loop loop2;
    st::runOn(loop2, queueOnOtherLoop(ck, q), ck);
    QVERIFY2(ck.failures.isEmpty(), qPrintable(ck.failures.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestSyncQueues)
#include "tst_sync_queues.moc"
