// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// asio_lateness.cpp — the lateness benchmark on Boost.Asio's steady_timer.
//
//   asio_lateness [--delay 0.0005] [--samples 200]
//
// Sequential samples as in bench/lateness.cpp: arm for `delay`, record
// (now - deadline) in the handler, arm again.
#include "../common.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>

int main(int argc, char **argv)
{
    const bench::Args args(argc, argv);
    const double delay = args.num("delay", 0.0005);
    const auto samples = std::size_t(args.num("samples", 200));

    boost::asio::io_context io(1);
    boost::asio::steady_timer timer(io);
    std::vector<double> late;
    double deadline = 0;
    std::function<void()> arm = [&] {
        deadline = bench::wallNow() + delay;
        timer.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::duration<double>(delay)));
        timer.async_wait([&](const boost::system::error_code &) {
            late.push_back(bench::wallNow() - deadline);
            if (late.size() < samples)
                arm();
        });
    };
    arm();
    io.run();
    bench::Json()
        .add("bench", "lateness")
        .add("impl", "asio")
        .add("delay", delay)
        .add("samples", double(samples))
        .add("p50_us", bench::percentile(late, 50) * 1e6)
        .add("p99_us", bench::percentile(late, 99) * 1e6)
        .add("max_us", bench::percentile(late, 100) * 1e6)
        .add("min_us", bench::percentile(late, 0) * 1e6)
        .print();
    return 0;
}
