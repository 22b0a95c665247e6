// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// callsoon.cpp — cost of one "run this callback soon": schedule it, then run it.
//
//   callsoon --impl qaio|floor|invoke --mode batch|chain [--n 1000000]
//
// Modes:
//   batch  schedule n callbacks from one place, then run the loop until all ran;
//   chain  each callback schedules the next one (one callback per iteration).
// Implementations:
//   qaio   qaio::Loop::callSoon;
//   floor  a std::deque<std::function<void()>> drained in a plain loop;
//   invoke QMetaObject::invokeMethod(obj, lambda, Qt::QueuedConnection), what Qt code does today.
// Each run is preceded by a warm-up with n/10 callbacks. Prints one JSON line
// with the process CPU time per callback (what other load on the machine
// disturbs least) and the wall time per callback.
#include "common.h"

#include <qaio/loop.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qobject.h>

#include <deque>
#include <functional>

namespace {

using bench::Cost;
using bench::Stopwatch;

Cost qaioBatch(std::size_t n)
{
    qaio::Loop loop;
    std::size_t count = 0;
    const Stopwatch watch;
    for (std::size_t i = 0; i < n; ++i) {
        loop.callSoon([&] {
            if (++count == n)
                loop.stop();
        });
    }
    loop.runForever();
    const Cost took = watch.stop();
    bench::require(count == n, "qaio batch ran every callback");
    return took;
}

Cost qaioChain(std::size_t n)
{
    qaio::Loop loop;
    std::size_t count = 0;
    std::function<void()> step = [&] {
        if (++count == n)
            loop.stop();
        else
            loop.callSoon([&] { step(); });
    };
    const Stopwatch watch;
    loop.callSoon([&] { step(); });
    loop.runForever();
    const Cost took = watch.stop();
    bench::require(count == n, "qaio chain ran every callback");
    return took;
}

Cost floorBatch(std::size_t n)
{
    std::deque<std::function<void()>> queue;
    std::size_t count = 0;
    const Stopwatch watch;
    for (std::size_t i = 0; i < n; ++i)
        queue.emplace_back([&count] { ++count; });
    while (!queue.empty()) {
        std::function<void()> f = std::move(queue.front());
        queue.pop_front();
        f();
    }
    const Cost took = watch.stop();
    bench::require(count == n, "floor batch ran every callback");
    return took;
}

Cost floorChain(std::size_t n)
{
    std::deque<std::function<void()>> queue;
    std::size_t count = 0;
    std::function<void()> step = [&] {
        if (++count < n)
            queue.emplace_back([&] { step(); });
    };
    const Stopwatch watch;
    queue.emplace_back([&] { step(); });
    while (!queue.empty()) {
        std::function<void()> f = std::move(queue.front());
        queue.pop_front();
        f();
    }
    const Cost took = watch.stop();
    bench::require(count == n, "floor chain ran every callback");
    return took;
}

Cost invokeBatch(std::size_t n)
{
    QObject target;
    QEventLoop loop;
    std::size_t count = 0;
    const Stopwatch watch;
    for (std::size_t i = 0; i < n; ++i) {
        QMetaObject::invokeMethod(
            &target,
            [&] {
                if (++count == n)
                    loop.quit();
            },
            Qt::QueuedConnection);
    }
    loop.exec();
    const Cost took = watch.stop();
    bench::require(count == n, "invokeMethod batch ran every callback");
    return took;
}

Cost invokeChain(std::size_t n)
{
    QObject target;
    QEventLoop loop;
    std::size_t count = 0;
    std::function<void()> step = [&] {
        if (++count == n)
            loop.quit();
        else
            QMetaObject::invokeMethod(&target, [&] { step(); }, Qt::QueuedConnection);
    };
    const Stopwatch watch;
    QMetaObject::invokeMethod(&target, [&] { step(); }, Qt::QueuedConnection);
    loop.exec();
    const Cost took = watch.stop();
    bench::require(count == n, "invokeMethod chain ran every callback");
    return took;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bench::Args args(argc, argv);
    const std::string impl = args.str("impl", "qaio");
    const std::string mode = args.str("mode", "batch");
    const auto n = std::size_t(args.num("n", 1e6));

    Cost (*run)(std::size_t) = nullptr;
    if (impl == "qaio")
        run = mode == "chain" ? qaioChain : qaioBatch;
    else if (impl == "floor")
        run = mode == "chain" ? floorChain : floorBatch;
    else if (impl == "invoke")
        run = mode == "chain" ? invokeChain : invokeBatch;
    bench::require(run != nullptr && (mode == "batch" || mode == "chain"), "known --impl and --mode");

    run(std::max<std::size_t>(n / 10, 1)); // warm-up: allocator, caches, lazy Qt setup
    const Cost took = run(n);
    bench::Json()
        .add("bench", "callsoon")
        .add("impl", impl)
        .add("mode", mode)
        .add("n", double(n))
        .add("ns_per_callback", took.cpu * 1e9 / double(n))
        .add("wall_ns_per_callback", took.wall * 1e9 / double(n))
        .add("qt", qVersion())
        .print();
    return 0;
}
