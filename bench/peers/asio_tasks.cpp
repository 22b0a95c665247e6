// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// asio_tasks.cpp — the tasks benchmark (bench/tasks.cpp) on Boost.Asio C++20 coroutines.
//
//   asio_tasks [--n 100000] [--inline-n 1000000] [--yield-n 10000] [--mem-n 100000]
//
// One io_context (concurrency hint 1). Asio 1.74 has no gather (parallel_group
// came in 1.80), so "await them all" is a completion handler per co_spawn that
// counts down, and the io_context runs until it is out of work:
//   spawn_gather  co_spawn n trivial awaitable<int> with a counting handler, run();
//   spawn_seq     inside a coroutine: co_await co_spawn(ex, trivial(), use_awaitable), n times;
//   inline_await  co_await trivial() (an awaitable<int>) inside a coroutine;
//   gather_yield  co_spawn yield-n coroutines that each co_await post(ex, use_awaitable), run();
//   mem           mem-n coroutines each awaiting its own steady_timer (far expiry):
//                 RSS delta per coroutine.
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

#include <fstream>
#include <unistd.h>

namespace asio = boost::asio;

namespace {

double rssBytes()
{
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE));
}

asio::awaitable<int> trivial()
{
    co_return 1;
}

asio::awaitable<void> yieldOnce()
{
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

double spawnGather(std::size_t n)
{
    asio::io_context ctx(1);
    std::size_t done = 0;
    long sum = 0;
    const double cpu0 = bench::cpuNow();
    for (std::size_t i = 0; i < n; ++i)
        asio::co_spawn(ctx, trivial(), [&](std::exception_ptr, int v) { ++done; sum += v; });
    ctx.run();
    const double took = bench::cpuNow() - cpu0;
    bench::require(done == n && sum == long(n), "spawn_gather results");
    return took;
}

double spawnSeq(std::size_t n)
{
    asio::io_context ctx(1);
    long sum = 0;
    double took = 0;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            const double cpu0 = bench::cpuNow();
            for (std::size_t i = 0; i < n; ++i)
                sum += co_await asio::co_spawn(ex, trivial(), asio::use_awaitable);
            took = bench::cpuNow() - cpu0;
        },
        asio::detached);
    ctx.run();
    bench::require(sum == long(n), "spawn_seq results");
    return took;
}

double inlineAwait(std::size_t n)
{
    asio::io_context ctx(1);
    long sum = 0;
    double took = 0;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
            const double cpu0 = bench::cpuNow();
            for (std::size_t i = 0; i < n; ++i)
                sum += co_await trivial();
            took = bench::cpuNow() - cpu0;
        },
        asio::detached);
    ctx.run();
    bench::require(sum == long(n), "inline_await results");
    return took;
}

double gatherYield(std::size_t n)
{
    asio::io_context ctx(1);
    std::size_t done = 0;
    const double cpu0 = bench::cpuNow();
    for (std::size_t i = 0; i < n; ++i)
        asio::co_spawn(ctx, yieldOnce(), [&](std::exception_ptr) { ++done; });
    ctx.run();
    const double took = bench::cpuNow() - cpu0;
    bench::require(done == n, "gather_yield results");
    return took;
}

double memPerTask(std::size_t n)
{
    asio::io_context ctx(1);
    std::vector<asio::steady_timer *> timers;
    timers.reserve(n);
    std::size_t done = 0;
    const double before = rssBytes();
    for (std::size_t i = 0; i < n; ++i) {
        asio::co_spawn(
            ctx,
            [&]() -> asio::awaitable<void> {
                asio::steady_timer timer(co_await asio::this_coro::executor,
                                         asio::steady_timer::time_point::max());
                timers.push_back(&timer);
                boost::system::error_code ec;
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            },
            [&](std::exception_ptr) { ++done; });
    }
    while (timers.size() < n)
        ctx.run_one(); // every coroutine starts and suspends on its timer
    const double after = rssBytes();
    for (auto *t : timers)
        t->cancel();
    ctx.run();
    bench::require(done == n, "mem: every coroutine finished");
    return (after - before) / double(n);
}

} // namespace

int main(int argc, char **argv)
{
    const bench::Args args(argc, argv);
    const auto n = std::size_t(args.num("n", 1e5));
    const auto inlineN = std::size_t(args.num("inline-n", 1e6));
    const auto yieldN = std::size_t(args.num("yield-n", 1e4));
    const auto memN = std::size_t(args.num("mem-n", 1e5));

    const double mem = memPerTask(memN);
    spawnGather(n / 10);
    const double sg = spawnGather(n);
    spawnSeq(n / 10);
    const double ss = spawnSeq(n);
    inlineAwait(inlineN / 10);
    const double ia = inlineAwait(inlineN);
    gatherYield(yieldN);
    double gy = 0;
    for (int r = 0; r < 10; ++r)
        gy += gatherYield(yieldN);
    bench::Json()
        .add("bench", "tasks")
        .add("impl", "asio")
        .add("spawn_gather_ns", sg * 1e9 / double(n))
        .add("spawn_seq_ns", ss * 1e9 / double(n))
        .add("inline_await_ns", ia * 1e9 / double(inlineN))
        .add("gather_yield_ns", gy * 1e9 / double(10 * yieldN))
        .add("bytes_per_task", mem)
        .add("boost", BOOST_LIB_VERSION)
        .print();
    return 0;
}
