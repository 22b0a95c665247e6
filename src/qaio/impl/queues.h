// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/queues.h — the machinery behind qaio/queues.h; not part of the API.
//
// Included by qaio/queues.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

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

} // namespace qaio
