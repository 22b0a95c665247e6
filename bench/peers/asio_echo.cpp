// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// asio_echo.cpp — TCP echo server on Boost.Asio with C++20 coroutines.
//
//   asio_echo
//
// Asio's own coroutine echo example: co_spawn a listener that accepts with
// use_awaitable and co_spawns one coroutine per client, which loops
// async_read_some / async_write. One io_context on one thread (concurrency
// hint 1). Listens on 127.0.0.1 (a free port, cubic congestion control as every
// server in this suite), prints {"port": N}, serves until killed.
#include <utility> // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <netinet/tcp.h>
#include <sys/resource.h>

#include <cstdio>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

asio::awaitable<void> echo(tcp::socket socket)
{
    try {
        char data[64 * 1024];
        for (;;) {
            const std::size_t n = co_await socket.async_read_some(asio::buffer(data), asio::use_awaitable);
            co_await asio::async_write(socket, asio::buffer(data, n), asio::use_awaitable);
        }
    } catch (const std::exception &) {
        // the client closed the connection
    }
}

asio::awaitable<void> listener(tcp::acceptor acceptor)
{
    const auto executor = co_await asio::this_coro::executor;
    for (;;) {
        tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
        socket.set_option(tcp::no_delay(true));
        asio::co_spawn(executor, echo(std::move(socket)), asio::detached);
    }
}

} // namespace

int main()
{
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    asio::io_context context(1);
    tcp::acceptor acceptor(context);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    setsockopt(acceptor.native_handle(), IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
    acceptor.bind(endpoint);
    acceptor.listen(1024);
    std::printf("{\"port\": %d}\n", int(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    asio::co_spawn(context, listener(std::move(acceptor)), asio::detached);
    context.run();
    return 0;
}
