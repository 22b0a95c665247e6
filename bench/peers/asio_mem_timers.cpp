// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// asio_mem_timers.cpp — resident memory per pending Boost.Asio steady_timer.
//
//   asio_mem_timers [--n 100000]
//
// n steady_timers one hour ahead, each with an async_wait pending (a timer
// object per wait: Asio's idiom). RSS growth / n, after a warm-up of n/10.
#include "../common.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fstream>
#include <memory>
#include <unistd.h>

namespace {

double rssBytes()
{
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE));
}

} // namespace

int main(int argc, char **argv)
{
    const bench::Args args(argc, argv);
    const auto n = std::size_t(args.num("n", 1e5));
    boost::asio::io_context context(1);
    std::vector<std::unique_ptr<boost::asio::steady_timer>> timers;
    timers.reserve(n + n / 10);
    int fired = 0;
    auto arm = [&](std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            auto &t = timers.emplace_back(
                std::make_unique<boost::asio::steady_timer>(context, std::chrono::hours(1)));
            t->async_wait([&fired](const boost::system::error_code &ec) {
                if (!ec)
                    ++fired;
            });
        }
    };
    arm(n / 10);
    const double before = rssBytes();
    arm(n);
    const double after = rssBytes();
    context.poll();
    bench::require(fired == 0, "no timer fired");
    bench::Json().add("bench", "mem_timers").add("impl", "asio").add("n", double(n))
        .add("bytes_per_timer", (after - before) / double(n)).print();
    std::_Exit(0);
}
