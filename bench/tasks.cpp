// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tasks.cpp — per-operation cost of qaio's tasks and coroutines, and memory per suspended task.
//
//   bench_tasks [--n 100000] [--inline-n 1000000] [--yield-n 10000] [--mem-n 100000]
//
// Workloads (process CPU time per operation; each preceded by a warm-up at n/10):
//   spawn_gather  createTask of n trivial coroutines, then co_await gather(tasks);
//   spawn_seq     create one task, co_await it, repeat (n times);
//   inline_await  co_await of a trivial Coro<int>, inline in the awaiting task;
//   gather_yield  gather of yield-n tasks that each co_await sleep(0) once;
//   mem           mem-n tasks each suspended on its own never-completed Future<void>:
//                 RSS (/proc/self/statm) after minus before, per task. Measured first,
//                 before the other workloads have grown the heap.
// Peers: bench/peers/asyncio_tasks.py, asio_tasks.cpp, qcoro_tasks.cpp.
#include "common.h"

#include <qaio/coro.h>
#include <qaio/gather.h>
#include <qaio/runner.h>
#include <qaio/task.h>

#include <QtCore/qcoreapplication.h>

#include <fstream>
#include <unistd.h>

namespace {

double rssBytes()
{
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE));
}

qaio::Coro<int> trivial()
{
    co_return 1;
}

qaio::Coro<void> yieldOnce()
{
    co_await qaio::sleep(0);
}

qaio::Coro<void> suspendOn(qaio::Future<void> f)
{
    co_await f;
}

qaio::Coro<double> spawnGather(std::size_t n)
{
    const double cpu0 = bench::cpuNow();
    std::vector<qaio::Task<int>> tasks;
    tasks.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        tasks.push_back(qaio::createTask(trivial()));
    auto results = co_await qaio::gather(tasks);
    const double took = bench::cpuNow() - cpu0;
    bench::require(results.size() == n && results.back() == 1, "spawn_gather results");
    co_return took;
}

qaio::Coro<double> spawnSeq(std::size_t n)
{
    const double cpu0 = bench::cpuNow();
    long sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        sum += co_await qaio::createTask(trivial());
    const double took = bench::cpuNow() - cpu0;
    bench::require(sum == long(n), "spawn_seq results");
    co_return took;
}

qaio::Coro<double> inlineAwait(std::size_t n)
{
    const double cpu0 = bench::cpuNow();
    long sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        sum += co_await trivial();
    const double took = bench::cpuNow() - cpu0;
    bench::require(sum == long(n), "inline_await results");
    co_return took;
}

qaio::Coro<double> gatherYield(std::size_t n)
{
    const double cpu0 = bench::cpuNow();
    std::vector<qaio::Task<void>> tasks;
    tasks.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        tasks.push_back(qaio::createTask(yieldOnce()));
    auto results = co_await qaio::gather(tasks);
    const double took = bench::cpuNow() - cpu0;
    bench::require(results.size() == n, "gather_yield results");
    co_return took;
}

qaio::Coro<double> memPerTask(std::size_t n)
{
    qaio::Loop &loop = qaio::getRunningLoop();
    std::vector<qaio::Future<void>> futures;
    std::vector<qaio::Task<void>> tasks;
    futures.reserve(n);
    tasks.reserve(n);
    const double before = rssBytes();
    for (std::size_t i = 0; i < n; ++i) {
        futures.push_back(loop.createFuture<void>());
        tasks.push_back(qaio::createTask(suspendOn(futures.back())));
    }
    co_await qaio::sleep(0); // every task runs its first step and suspends
    const double after = rssBytes();
    for (auto &f : futures)
        f.setResult();
    co_await qaio::gather(tasks);
    co_return (after - before) / double(n);
}

qaio::Coro<void> all(const bench::Args &args)
{
    const auto n = std::size_t(args.num("n", 1e5));
    const auto inlineN = std::size_t(args.num("inline-n", 1e6));
    const auto yieldN = std::size_t(args.num("yield-n", 1e4));
    const auto memN = std::size_t(args.num("mem-n", 1e5));

    const double mem = co_await memPerTask(memN);
    co_await spawnGather(n / 10);
    const double sg = co_await spawnGather(n);
    co_await spawnSeq(n / 10);
    const double ss = co_await spawnSeq(n);
    co_await inlineAwait(inlineN / 10);
    const double ia = co_await inlineAwait(inlineN);
    double gy = 0;
    // gather_yield is short: repeat it 10 times and average.
    co_await gatherYield(yieldN);
    for (int r = 0; r < 10; ++r)
        gy += co_await gatherYield(yieldN);
    bench::Json()
        .add("bench", "tasks")
        .add("impl", "qaio")
        .add("spawn_gather_ns", sg * 1e9 / double(n))
        .add("spawn_seq_ns", ss * 1e9 / double(n))
        .add("inline_await_ns", ia * 1e9 / double(inlineN))
        .add("gather_yield_ns", gy * 1e9 / double(10 * yieldN))
        .add("bytes_per_task", mem)
        .add("qt", qVersion())
        .print();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bench::Args args(argc, argv);
    qaio::run(all(args));
    return 0;
}
