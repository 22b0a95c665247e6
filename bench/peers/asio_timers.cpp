// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// asio_timers.cpp — the timers benchmark on Boost.Asio: one steady_timer per timer.
//
//   asio_timers [--n 100000]
//
// Same workload as bench/timers.cpp: n timers with delays uniform in [0, 100 ms),
// every other one cancelled (its handler then runs with operation_aborted, as
// Asio does), the io_context runs until all handlers ran. Cost = process CPU time / n.
#include "../common.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>

namespace {

using bench::Cost;

Cost run(const std::vector<double> &delays)
{
    boost::asio::io_context io(1);
    std::deque<boost::asio::steady_timer> timers; // a deque never moves its elements
    std::size_t fired = 0;
    const bench::Stopwatch watch;
    for (double delay : delays) {
        auto &timer = timers.emplace_back(io, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                  std::chrono::duration<double>(delay)));
        timer.async_wait([&fired](const boost::system::error_code &error) {
            if (!error)
                ++fired;
        });
    }
    for (std::size_t i = 0; i < timers.size(); i += 2)
        timers[i].cancel();
    io.run();
    const Cost cost = watch.stop();
    bench::require(fired == delays.size() / 2, "asio fired every timer that was not cancelled");
    return cost;
}

} // namespace

int main(int argc, char **argv)
{
    const bench::Args args(argc, argv);
    const auto n = std::size_t(args.num("n", 1e5)) / 2 * 2;
    bench::require(n > 0, "--n >= 2");
    run(bench::randomDelays(std::max<std::size_t>(n / 10, 2) / 2 * 2, 0.010)); // warm-up
    const Cost cost = run(bench::randomDelays(n, 0.100));
    bench::Json()
        .add("bench", "timers")
        .add("impl", "asio")
        .add("n", double(n))
        .add("cpu_seconds", cost.cpu)
        .add("wall_seconds", cost.wall)
        .add("ns_per_timer", cost.cpu * 1e9 / double(n))
        .print();
    return 0;
}
