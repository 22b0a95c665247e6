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
#include "loadgen.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/epoll.h>

#include <string>

namespace {

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
    const bench::LoadOptions options(args);
    const std::size_t busy = options.busy, size = options.size;
    bench::require(busy > 0, "--busy is positive");

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr); // we measure the server, not PKI

    // Idle connections: handshake, one byte there and back, then silence.
    std::vector<std::pair<int, SSL *>> idleConns;
    for (std::size_t i = 0; i < options.idle; ++i) {
        const int fd = bench::connectLoopback(options.port);
        SSL *ssl = handshake(ctx, fd);
        char c = 'x';
        bench::require(SSL_write(ssl, &c, 1) == 1, "idle connection: send");
        bench::require(SSL_read(ssl, &c, 1) == 1, "idle connection: echo");
        idleConns.emplace_back(fd, ssl);
    }
    const double rssWithIdle = bench::processRssKib(options.serverPid);

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
        const int fd = bench::connectLoopback(options.port);
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
    bench::MeasureWindow window(options, start);
    std::size_t completed = 0;
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
        if (window.update(now, completed)) {
            window.result("tls_echo", options, idleConns.size()).add("server_rss_kib", rssWithIdle).print();
            return 0;
        }
    }
}
