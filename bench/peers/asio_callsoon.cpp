// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// asio_callsoon.cpp — the callsoon benchmark on Boost.Asio: boost::asio::post to an io_context.
//
//   asio_callsoon --mode batch|chain [--n 1000000]
//
// Same modes as bench/callsoon.cpp: batch posts n handlers then runs the
// io_context until it is out of work; chain has each handler post the next.
// The io_context gets concurrency hint 1 (one thread), Asio's fastest safe setting.
#include "../common.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/version.hpp>

#include <functional>

namespace {

using bench::Cost;

Cost batch(std::size_t n)
{
    boost::asio::io_context io(1);
    std::size_t count = 0;
    const bench::Stopwatch watch;
    for (std::size_t i = 0; i < n; ++i)
        boost::asio::post(io, [&count] { ++count; });
    io.run();
    const Cost took = watch.stop();
    bench::require(count == n, "asio batch ran every handler");
    return took;
}

Cost chain(std::size_t n)
{
    boost::asio::io_context io(1);
    std::size_t count = 0;
    std::function<void()> step = [&] {
        if (++count < n)
            boost::asio::post(io, [&] { step(); });
    };
    const bench::Stopwatch watch;
    boost::asio::post(io, [&] { step(); });
    io.run();
    const Cost took = watch.stop();
    bench::require(count == n, "asio chain ran every handler");
    return took;
}

} // namespace

int main(int argc, char **argv)
{
    const bench::Args args(argc, argv);
    const std::string mode = args.str("mode", "batch");
    const auto n = std::size_t(args.num("n", 1e6));
    bench::require(mode == "batch" || mode == "chain", "known --mode");
    auto run = mode == "chain" ? chain : batch;
    run(std::max<std::size_t>(n / 10, 1)); // warm-up
    const Cost took = run(n);
    bench::Json()
        .add("bench", "callsoon")
        .add("impl", "asio")
        .add("mode", mode)
        .add("n", double(n))
        .add("ns_per_callback", took.cpu * 1e9 / double(n))
        .add("wall_ns_per_callback", took.wall * 1e9 / double(n))
        .add("boost", BOOST_LIB_VERSION)
        .print();
    return 0;
}
