// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qcoro_tasks.cpp — the tasks benchmark (bench/tasks.cpp) on QCoro 0.8 (QCoro::Task<T>, Qt's event loop).
//
//   qcoro_tasks [--n 100000] [--inline-n 1000000] [--yield-n 10000] [--mem-n 100000]
//
// QCoro has no scheduler of its own: a QCoro::Task starts eagerly when called
// and runs until its first suspension, so "creating a task" is calling the
// coroutine function. The whole benchmark runs in one QCoro::Task driven by
// QCoro::waitFor (a QEventLoop).
//   spawn_gather  call n trivial QCoro::Task<int> coroutines (each completes at once),
//                 keep them in a vector, then co_await each;
//   spawn_seq     call one, co_await it, repeat (the same thing as inline_await here);
//   inline_await  co_await trivial() inside a QCoro::Task;
//   gather_yield  yield-n tasks that each yield to Qt's event loop once (an awaiter
//                 that resumes itself through QMetaObject::invokeMethod(Qt::QueuedConnection),
//                 the cheapest way back through the Qt loop; QCoro 0.8 has no yield), then co_await each;
//   mem           mem-n tasks each suspended in co_await qCoro(&timer, &QTimer::timeout)
//                 on one shared, stopped QTimer: RSS delta per task.
#include "../common.h"

#include <QCoroSignal>
#include <QCoroTask>
#include <QCoroTimer>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qtimer.h>

#include <coroutine>
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

struct YieldToQt
{
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const
    {
        QMetaObject::invokeMethod(QCoreApplication::instance(), [h] { h.resume(); }, Qt::QueuedConnection);
    }
    void await_resume() const noexcept {}
};

QCoro::Task<int> trivial()
{
    co_return 1;
}

QCoro::Task<void> yieldOnce()
{
    co_await YieldToQt{};
}

QCoro::Task<void> suspendOn(QTimer *timer)
{
    co_await qCoro(timer, &QTimer::timeout);
}

QCoro::Task<double> spawnGather(std::size_t n)
{
    const double cpu0 = bench::cpuNow();
    std::vector<QCoro::Task<int>> tasks;
    tasks.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        tasks.push_back(trivial());
    long sum = 0;
    for (auto &t : tasks)
        sum += co_await t;
    const double took = bench::cpuNow() - cpu0;
    bench::require(sum == long(n), "spawn_gather results");
    co_return took;
}

QCoro::Task<double> spawnSeq(std::size_t n)
{
    const double cpu0 = bench::cpuNow();
    long sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        QCoro::Task<int> t = trivial();
        sum += co_await t;
    }
    const double took = bench::cpuNow() - cpu0;
    bench::require(sum == long(n), "spawn_seq results");
    co_return took;
}

QCoro::Task<double> inlineAwait(std::size_t n)
{
    const double cpu0 = bench::cpuNow();
    long sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        sum += co_await trivial();
    const double took = bench::cpuNow() - cpu0;
    bench::require(sum == long(n), "inline_await results");
    co_return took;
}

QCoro::Task<double> gatherYield(std::size_t n)
{
    const double cpu0 = bench::cpuNow();
    std::vector<QCoro::Task<void>> tasks;
    tasks.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        tasks.push_back(yieldOnce());
    for (auto &t : tasks)
        co_await t;
    co_return bench::cpuNow() - cpu0;
}

QCoro::Task<double> memPerTask(std::size_t n)
{
    QTimer timer;
    timer.setSingleShot(true);
    std::vector<QCoro::Task<void>> tasks;
    tasks.reserve(n);
    const double before = rssBytes();
    for (std::size_t i = 0; i < n; ++i)
        tasks.push_back(suspendOn(&timer)); // eager: suspended on the signal on return
    const double after = rssBytes();
    timer.start(0);
    for (auto &t : tasks)
        co_await t;
    co_return (after - before) / double(n);
}

QCoro::Task<void> all(const bench::Args &args)
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
    co_await gatherYield(yieldN);
    double gy = 0;
    for (int r = 0; r < 10; ++r)
        gy += co_await gatherYield(yieldN);
    bench::Json()
        .add("bench", "tasks")
        .add("impl", "qcoro")
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
    QCoro::waitFor(all(args));
    return 0;
}
