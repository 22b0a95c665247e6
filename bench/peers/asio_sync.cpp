// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// asio_sync.cpp — the sync benchmark (bench/sync.cpp) on Boost.Asio C++20 coroutines.
//
//   asio_sync [--lock-n 1000000] [--contended-n 200000] [--lock-tasks 100]
//             [--queue-n 1000000] [--maxsize 1000]
//
// Asio has no async mutex or queue, and Boost 1.74 (Debian 12's) predates
// experimental::channel (Boost 1.78). So this peer uses Asio's classic idiom
// instead: a steady_timer that never expires as a condition variable
// (waiters co_await async_wait; cancel_one() wakes the oldest one):
//   AsyncLock   a bool plus one such timer;
//   AsyncQueue  a std::deque<int> bounded at maxsize plus a not-empty and a not-full timer.
// Workloads as in bench/sync.cpp; yielding is co_await post(ex, use_awaitable).
#include "../common.h"

#include <utility> // before Boost 1.74's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/version.hpp>

#include <deque>

namespace asio = boost::asio;

namespace {

// A timer that never expires: co_await wait() until notifyOne()/notifyAll().
class CondVar
{
public:
    explicit CondVar(asio::io_context &ctx) : m_timer(ctx, asio::steady_timer::time_point::max()) {}
    asio::awaitable<void> wait()
    {
        boost::system::error_code ec;
        co_await m_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    void notifyOne() { m_timer.cancel_one(); }

private:
    asio::steady_timer m_timer;
};

class AsyncLock
{
public:
    explicit AsyncLock(asio::io_context &ctx) : m_free(ctx) {}
    asio::awaitable<void> acquire()
    {
        while (m_locked)
            co_await m_free.wait();
        m_locked = true;
    }
    void release()
    {
        m_locked = false;
        m_free.notifyOne();
    }
    bool locked() const { return m_locked; }

private:
    CondVar m_free;
    bool m_locked = false;
};

class AsyncQueue
{
public:
    AsyncQueue(asio::io_context &ctx, std::size_t maxsize) : m_notEmpty(ctx), m_notFull(ctx), m_maxsize(maxsize) {}
    asio::awaitable<void> put(int v)
    {
        while (m_items.size() >= m_maxsize)
            co_await m_notFull.wait();
        m_items.push_back(v);
        m_notEmpty.notifyOne();
    }
    asio::awaitable<int> get()
    {
        while (m_items.empty())
            co_await m_notEmpty.wait();
        const int v = m_items.front();
        m_items.pop_front();
        m_notFull.notifyOne();
        co_return v;
    }

private:
    std::deque<int> m_items;
    CondVar m_notEmpty;
    CondVar m_notFull;
    std::size_t m_maxsize;
};

template<class F>
double runTimed(F body)
{
    asio::io_context ctx(1);
    const double cpu0 = bench::cpuNow();
    body(ctx);
    ctx.run();
    return bench::cpuNow() - cpu0;
}

double lockUncontended(std::size_t n)
{
    return runTimed([n](asio::io_context &ctx) {
        asio::co_spawn(
            ctx,
            [&ctx, n]() -> asio::awaitable<void> {
                AsyncLock lock(ctx);
                for (std::size_t i = 0; i < n; ++i) {
                    co_await lock.acquire();
                    lock.release();
                }
                bench::require(!lock.locked(), "lock released");
            },
            asio::detached);
    });
}

double lockContended(std::size_t n, std::size_t tasksN)
{
    std::size_t count = 0;
    const std::size_t per = n / tasksN;
    std::unique_ptr<AsyncLock> lock;
    const double took = runTimed([&](asio::io_context &ctx) {
        lock = std::make_unique<AsyncLock>(ctx);
        for (std::size_t t = 0; t < tasksN; ++t) {
            asio::co_spawn(
                ctx,
                [&]() -> asio::awaitable<void> {
                    auto ex = co_await asio::this_coro::executor;
                    for (std::size_t i = 0; i < per; ++i) {
                        co_await lock->acquire();
                        ++count;
                        co_await asio::post(ex, asio::use_awaitable);
                        lock->release();
                    }
                },
                asio::detached);
        }
    });
    bench::require(count == per * tasksN, "every acquisition");
    lock.reset();
    return took;
}

double queueRun(std::size_t n, std::size_t consumers, std::size_t maxsize)
{
    std::size_t count = 0;
    std::unique_ptr<AsyncQueue> q;
    const double took = runTimed([&](asio::io_context &ctx) {
        q = std::make_unique<AsyncQueue>(ctx, maxsize);
        for (std::size_t c = 0; c < consumers; ++c) {
            asio::co_spawn(
                ctx,
                [&]() -> asio::awaitable<void> {
                    for (;;) {
                        const int v = co_await q->get();
                        if (v < 0)
                            co_return;
                        ++count;
                    }
                },
                asio::detached);
        }
        asio::co_spawn(
            ctx,
            [&]() -> asio::awaitable<void> {
                for (std::size_t i = 0; i < n; ++i)
                    co_await q->put(int(i));
                for (std::size_t c = 0; c < consumers; ++c)
                    co_await q->put(-1);
            },
            asio::detached);
    });
    bench::require(count == n, "every item consumed");
    q.reset();
    return took;
}

} // namespace

int main(int argc, char **argv)
{
    const bench::Args args(argc, argv);
    const auto lockN = std::size_t(args.num("lock-n", 1e6));
    const auto contendedN = std::size_t(args.num("contended-n", 2e5));
    const auto lockTasks = std::size_t(args.num("lock-tasks", 100));
    const auto queueN = std::size_t(args.num("queue-n", 1e6));
    const auto maxsize = std::size_t(args.num("maxsize", 1000));

    lockUncontended(lockN / 10);
    const double lu = lockUncontended(lockN);
    lockContended(contendedN / 10, lockTasks);
    const double lc = lockContended(contendedN, lockTasks);
    queueRun(queueN / 10, 1, maxsize);
    const double q1 = queueRun(queueN, 1, maxsize);
    queueRun(queueN / 10, 100, maxsize);
    const double q100 = queueRun(queueN, 100, maxsize);
    bench::Json()
        .add("bench", "sync")
        .add("impl", "asio")
        .add("lock_uncontended_ns", lu * 1e9 / double(lockN))
        .add("lock_contended_ns", lc * 1e9 / double(contendedN / lockTasks * lockTasks))
        .add("queue_1_ns", q1 * 1e9 / double(queueN))
        .add("queue_100_ns", q100 * 1e9 / double(queueN))
        .add("boost", BOOST_LIB_VERSION)
        .add("primitives", "steady_timer condition variable (no channel in Boost 1.74)")
        .print();
    return 0;
}
