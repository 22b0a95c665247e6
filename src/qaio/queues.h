// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/queues.h — Queue<T>, PriorityQueue<T>, LifoQueue<T>: asyncio's queues.
///
/// As asyncio.Queue in Python 3.13: maxsize (0 or less: unbounded), put/get
/// wait when full/empty, the *Nowait forms throw QueueFull/QueueEmpty,
/// taskDone/join count unfinished items, shutdown(immediate) makes waiting and
/// future put() calls throw QueueShutDown (and get() too once the queue is
/// empty, or at once with immediate). Move-only element types work. Not
/// thread-safe, like asyncio's: use them from the loop's thread.
#pragma once

#include <qaio/locks.h>
#include <qaio/task.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <vector>

namespace qaio {

namespace detail {

// How a queue orders its items: the only difference between the three queues.
template<class T>
struct FifoOrder
{
    std::deque<T> items;
    void put(T item) { items.push_back(std::move(item)); }
    T get()
    {
        T item = std::move(items.front());
        items.pop_front();
        return item;
    }
    std::size_t size() const { return items.size(); }
};

template<class T>
struct LifoOrder
{
    std::vector<T> items;
    void put(T item) { items.push_back(std::move(item)); }
    T get()
    {
        T item = std::move(items.back());
        items.pop_back();
        return item;
    }
    std::size_t size() const { return items.size(); }
};

// Smallest first (as heapq): `compare(a, b)` true means a comes out before b.
template<class T, class Compare>
struct PriorityOrder
{
    std::vector<T> items;
    Compare compare;
    auto heapOrder()
    {
        return [this](const T &a, const T &b) { return compare(b, a); };
    }
    void put(T item)
    {
        items.push_back(std::move(item));
        std::push_heap(items.begin(), items.end(), heapOrder());
    }
    T get()
    {
        std::pop_heap(items.begin(), items.end(), heapOrder());
        T item = std::move(items.back());
        items.pop_back();
        return item;
    }
    std::size_t size() const { return items.size(); }
};

// Wakes the first waiter that is not done yet, dropping those in front of it.
QAIO_EXPORT void wakeUpNext(std::deque<Future<void>> &waiters);

} // namespace detail

/// A queue for tasks (asyncio.Queue), ordered by `Order` (FIFO, LIFO, priority).
template<class T, class Order>
class BasicQueue
{
public:
    /// The element type.
    using value_type = T;

    /// A queue holding at most `maxsize` items (0: unbounded).
    explicit BasicQueue(int maxsize = 0) : m_maxsize(maxsize) { m_finished.set(); }
    /// A queue holding at most `maxsize` items, ordered by `order`.
    explicit BasicQueue(int maxsize, Order order) : m_maxsize(maxsize), m_order(std::move(order))
    {
        m_finished.set();
    }
    BasicQueue(const BasicQueue &) = delete;
    BasicQueue &operator=(const BasicQueue &) = delete;

    /// The capacity (0: unbounded).
    int maxsize() const noexcept { return m_maxsize; }
    /// The number of items.
    std::size_t qsize() const noexcept { return m_order.size(); }
    /// True if there are no items.
    bool empty() const noexcept { return m_order.size() == 0; }
    /// True if bounded and at capacity.
    bool full() const noexcept { return m_maxsize > 0 && qsize() >= std::size_t(m_maxsize); }
    /// True after shutdown().
    bool isShutdown() const noexcept { return m_shutdown; }

    /// Waits for a free slot, then adds the item.
    Coro<void> put(T item)
    {
        while (full()) {
            if (m_shutdown)
                throw QueueShutDown();
            auto putter = m_loop.get("Queue").template createFuture<void>();
            m_putters.push_back(putter);
            std::exception_ptr error;
            try {
                co_await putter;
            } catch (...) {
                error = std::current_exception();
            }
            if (error) {
                putter.cancel(); // in case it is not done yet
                detail::eraseWaiter(m_putters, putter);
                // Woken by a get() but leaving: the slot goes to the next in line.
                if (!full() && !putter.cancelled())
                    detail::wakeUpNext(m_putters);
                std::rethrow_exception(error);
            }
        }
        putNowait(std::move(item));
    }

    /// Adds the item now; QueueFull if there is no slot, QueueShutDown after shutdown().
    void putNowait(T item)
    {
        if (m_shutdown)
            throw QueueShutDown();
        if (full())
            throw QueueFull();
        m_order.put(std::move(item));
        ++m_unfinished;
        m_finished.clear();
        detail::wakeUpNext(m_getters);
    }

    /// Waits for an item and removes it.
    Coro<T> get()
    {
        while (empty()) {
            if (m_shutdown)
                throw QueueShutDown();
            auto getter = m_loop.get("Queue").template createFuture<void>();
            m_getters.push_back(getter);
            std::exception_ptr error;
            try {
                co_await getter;
            } catch (...) {
                error = std::current_exception();
            }
            if (error) {
                getter.cancel();
                detail::eraseWaiter(m_getters, getter);
                // Woken by a put() but leaving: the item goes to the next in line.
                if (!empty() && !getter.cancelled())
                    detail::wakeUpNext(m_getters);
                std::rethrow_exception(error);
            }
        }
        co_return getNowait();
    }

    /// Removes an item now; QueueEmpty if there is none (QueueShutDown once shut down).
    T getNowait()
    {
        if (empty()) {
            if (m_shutdown)
                throw QueueShutDown();
            throw QueueEmpty();
        }
        T item = m_order.get();
        detail::wakeUpNext(m_putters);
        return item;
    }

    /// One item taken with get() has been processed. ValueError if called more
    /// often than items were put.
    void taskDone()
    {
        if (m_unfinished <= 0)
            throw ValueError("taskDone() called too many times");
        if (--m_unfinished == 0)
            m_finished.set();
    }

    /// Waits until every item put has been marked done with taskDone().
    Coro<void> join()
    {
        if (m_unfinished > 0)
            co_await m_finished.wait();
    }

    /// Python 3.13's shutdown: put() fails from now on; get() fails once the
    /// queue is empty (immediate: at once, dropping the items and marking them
    /// done). Every waiting put() and get() wakes up to re-check.
    void shutdown(bool immediate = false)
    {
        m_shutdown = true;
        if (immediate) {
            while (!empty()) {
                m_order.get();
                if (m_unfinished > 0)
                    --m_unfinished;
            }
            if (m_unfinished == 0)
                m_finished.set();
        }
        for (auto *waiters : {&m_getters, &m_putters}) {
            while (!waiters->empty()) {
                Future<void> waiter = waiters->front();
                waiters->pop_front();
                if (!waiter.done())
                    waiter.setResult();
            }
        }
    }

private:
    int m_maxsize;
    Order m_order;
    detail::LoopBinding m_loop;
    std::deque<Future<void>> m_getters;
    std::deque<Future<void>> m_putters;
    Event m_finished;
    int m_unfinished = 0;
    bool m_shutdown = false;
};

/// A first-in, first-out queue (asyncio.Queue).
template<class T>
using Queue = BasicQueue<T, detail::FifoOrder<T>>;

/// A last-in, first-out queue (asyncio.LifoQueue).
template<class T>
using LifoQueue = BasicQueue<T, detail::LifoOrder<T>>;

/// Lowest first by `Compare` (std::less: the smallest item comes out first).
template<class T, class Compare = std::less<T>>
class PriorityQueue : public BasicQueue<T, detail::PriorityOrder<T, Compare>>
{
public:
    /// A priority queue ordered by `compare` (smallest first).
    explicit PriorityQueue(int maxsize = 0, Compare compare = Compare())
        : BasicQueue<T, detail::PriorityOrder<T, Compare>>(maxsize,
                                                            detail::PriorityOrder<T, Compare>{{}, std::move(compare)})
    {
    }
};

} // namespace qaio
