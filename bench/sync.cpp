// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// sync.cpp — per-operation cost of qaio's Lock and Queue<int>.
//
//   bench_sync [--lock-n 1000000] [--contended-n 200000] [--lock-tasks 100]
//              [--queue-n 1000000] [--maxsize 1000]
//
// Workloads (process CPU time per operation; each preceded by a warm-up at n/10):
//   lock_uncontended  { auto held = co_await lock.acquireGuard(); } n times, one task;
//   lock_contended    lock-tasks tasks each loop: acquireGuard, sleep(0), release;
//                     contended-n acquisitions in all (ns per acquisition);
//   queue_1           one producer puts queue-n ints into a Queue<int>(maxsize),
//                     one consumer gets them (ns per item);
//   queue_100         the same with 100 consumers.
// Peers: bench/peers/asyncio_sync.py, asio_sync.cpp.
#include "common.h"

#include <qaio/coro.h>
#include <qaio/gather.h>
#include <qaio/locks.h>
#include <qaio/queues.h>
#include <qaio/runner.h>
#include <qaio/task.h>

#include <QtCore/qcoreapplication.h>

namespace {

qaio::Coro<double> lockUncontended(std::size_t n)
{
    qaio::Lock lock;
    const double cpu0 = bench::cpuNow();
    for (std::size_t i = 0; i < n; ++i) {
        auto held = co_await lock.acquireGuard();
    }
    const double took = bench::cpuNow() - cpu0;
    bench::require(!lock.locked(), "lock released");
    co_return took;
}

qaio::Coro<void> lockWorker(qaio::Lock &lock, std::size_t iterations, std::size_t &count)
{
    for (std::size_t i = 0; i < iterations; ++i) {
        auto held = co_await lock.acquireGuard();
        ++count;
        co_await qaio::sleep(0);
    }
}

qaio::Coro<double> lockContended(std::size_t n, std::size_t tasksN)
{
    qaio::Lock lock;
    std::size_t count = 0;
    const double cpu0 = bench::cpuNow();
    std::vector<qaio::Task<void>> tasks;
    for (std::size_t t = 0; t < tasksN; ++t)
        tasks.push_back(qaio::createTask(lockWorker(lock, n / tasksN, count)));
    co_await qaio::gather(tasks);
    const double took = bench::cpuNow() - cpu0;
    bench::require(count == n / tasksN * tasksN, "every acquisition");
    co_return took;
}

qaio::Coro<void> producer(qaio::Queue<int> &q, std::size_t n, std::size_t consumers)
{
    for (std::size_t i = 0; i < n; ++i)
        co_await q.put(int(i));
    for (std::size_t c = 0; c < consumers; ++c)
        co_await q.put(-1);
}

qaio::Coro<void> consumer(qaio::Queue<int> &q, std::size_t &count)
{
    for (;;) {
        const int v = co_await q.get();
        if (v < 0)
            co_return;
        ++count;
    }
}

qaio::Coro<double> queueRun(std::size_t n, std::size_t consumers, int maxsize)
{
    qaio::Queue<int> q(maxsize);
    std::size_t count = 0;
    const double cpu0 = bench::cpuNow();
    std::vector<qaio::Task<void>> tasks;
    for (std::size_t c = 0; c < consumers; ++c)
        tasks.push_back(qaio::createTask(consumer(q, count)));
    tasks.push_back(qaio::createTask(producer(q, n, consumers)));
    co_await qaio::gather(tasks);
    const double took = bench::cpuNow() - cpu0;
    bench::require(count == n, "every item consumed");
    co_return took;
}

qaio::Coro<void> all(const bench::Args &args)
{
    const auto lockN = std::size_t(args.num("lock-n", 1e6));
    const auto contendedN = std::size_t(args.num("contended-n", 2e5));
    const auto lockTasks = std::size_t(args.num("lock-tasks", 100));
    const auto queueN = std::size_t(args.num("queue-n", 1e6));
    const int maxsize = int(args.num("maxsize", 1000));

    co_await lockUncontended(lockN / 10);
    const double lu = co_await lockUncontended(lockN);
    co_await lockContended(contendedN / 10, lockTasks);
    const double lc = co_await lockContended(contendedN, lockTasks);
    co_await queueRun(queueN / 10, 1, maxsize);
    const double q1 = co_await queueRun(queueN, 1, maxsize);
    co_await queueRun(queueN / 10, 100, maxsize);
    const double q100 = co_await queueRun(queueN, 100, maxsize);
    bench::Json()
        .add("bench", "sync")
        .add("impl", "qaio")
        .add("lock_uncontended_ns", lu * 1e9 / double(lockN))
        .add("lock_contended_ns", lc * 1e9 / double(contendedN / lockTasks * lockTasks))
        .add("queue_1_ns", q1 * 1e9 / double(queueN))
        .add("queue_100_ns", q100 * 1e9 / double(queueN))
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
