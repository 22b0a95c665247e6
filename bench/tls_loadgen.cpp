// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tls_loadgen.cpp — load generator for the TLS echo servers (its own
// process; OpenSSL, no Qt). loadgen.cpp's protocol over TLS:
//
//   tls_loadgen --port P [--server-pid PID] [--busy 10] [--idle 0] [--size 1024]
//               [--warmup 1] [--duration 3]
//
// Opens `idle` TLS connections (handshake, one byte echoed, then silence),
// then `busy` ones that each keep one `size`-byte request in flight. After
// `warmup` seconds counts completed requests for `duration` seconds and prints
// one JSON line: requests per second, the server's CPU time per request and
// its resident memory once the idle connections are open.
#include "net.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/epoll.h>

#include <fstream>
#include <string>

namespace {

double processCpu(long pid)
{
    if (pid <= 0)
        return 0;
    std::ifstream f("/proc/" + std::to_string(pid) + "/schedstat");
    unsigned long long ns = 0;
    f >> ns;
    return double(ns) * 1e-9;
}

double processRssKib(long pid)
{
    if (pid <= 0)
        return 0;
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtod(line.c_str() + 6, nullptr);
    }
    return 0;
}

SSL *handshake(SSL_CTX *ctx, int fd)
{
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char *>("localhost")); // SNI
    bench::require(SSL_connect(ssl) == 1, "TLS handshake with the server");
    return ssl;
}

} // namespace

int main(int argc, char **argv)
{
    const bench::Args args(argc, argv);
    bench::raiseFileLimit();
    const int port = int(args.num("port", 0));
    const long serverPid = long(args.num("server-pid", 0));
    const auto busy = std::size_t(args.num("busy", 10));
    const auto idle = std::size_t(args.num("idle", 0));
    const auto size = std::size_t(args.num("size", 1024));
    const double warmup = args.num("warmup", 1), duration = args.num("duration", 3);
    bench::require(port > 0 && busy > 0 && size > 0, "--port, --busy and --size are positive");

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr); // we measure the server, not PKI

    // Idle connections: handshake, one byte there and back, then silence.
    std::vector<std::pair<int, SSL *>> idleConns;
    for (std::size_t i = 0; i < idle; ++i) {
        const int fd = bench::connectLoopback(port);
        SSL *ssl = handshake(ctx, fd);
        char c = 'x';
        bench::require(SSL_write(ssl, &c, 1) == 1, "idle connection: send");
        bench::require(SSL_read(ssl, &c, 1) == 1, "idle connection: echo");
        idleConns.emplace_back(fd, ssl);
    }
    const double rssWithIdle = processRssKib(serverPid);

    const std::string request(size, 'r');
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    std::vector<std::size_t> received(busy, 0);
    std::vector<SSL *> conns(busy);
    auto sendRequest = [&](SSL *ssl) {
        for (;;) {
            const int n = SSL_write(ssl, request.data(), int(size));
            if (n == int(size))
                return;
            const int err = SSL_get_error(ssl, n);
            bench::require(err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ, "SSL_write");
        }
    };
    for (std::size_t i = 0; i < busy; ++i) {
        const int fd = bench::connectLoopback(port);
        conns[i] = handshake(ctx, fd);
        const int flags = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        sendRequest(conns[i]);
    }

    const double start = bench::wallNow();
    const double measureFrom = start + warmup, measureTo = measureFrom + duration;
    std::size_t completed = 0, completedAtStart = 0;
    double serverCpuAtStart = 0;
    bool measuring = false;
    std::vector<char> buf(64 * 1024);
    epoll_event events[64];
    for (;;) {
        const int n = epoll_wait(ep, events, 64, 0);
        for (int k = 0; k < n; ++k) {
            const std::size_t i = events[k].data.u64;
            for (;;) {
                const int r = SSL_read(conns[i], buf.data(), int(buf.size()));
                if (r <= 0) {
                    const int err = SSL_get_error(conns[i], r);
                    bench::require(err == SSL_ERROR_WANT_READ, "the server keeps the connection open");
                    break;
                }
                received[i] += std::size_t(r);
                while (received[i] >= size) {
                    received[i] -= size;
                    ++completed;
                    sendRequest(conns[i]);
                }
            }
        }
        const double now = bench::wallNow();
        if (!measuring && now >= measureFrom) {
            measuring = true;
            completedAtStart = completed;
            serverCpuAtStart = processCpu(serverPid);
        } else if (measuring && now >= measureTo) {
            const double requests = double(completed - completedAtStart);
            const double serverCpu = processCpu(serverPid) - serverCpuAtStart;
            bench::Json()
                .add("bench", "tls_echo")
                .add("busy", double(busy))
                .add("idle", double(idleConns.size()))
                .add("size", double(size))
                .add("seconds", now - measureFrom)
                .add("requests", requests)
                .add("requests_per_second", requests / (now - measureFrom))
                .add("server_cpu_us_per_request", serverCpu * 1e6 / std::max(requests, 1.0))
                .add("server_rss_kib", rssWithIdle)
                .print();
            return 0;
        }
    }
}
