// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// net.h — socket helpers for the echo servers and the load generator (Linux, loopback).
#pragma once

#include "common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <csignal>

namespace bench {

// Raises the soft limit on open files to the hard limit (10,000 idle
// connections need more than the usual 1024).
inline void raiseFileLimit()
{
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

// TCP_NODELAY, and plain cubic congestion control if the kernel lets us (BBR,
// a common default, paces even loopback traffic and makes runs erratic).
inline void tuneSocket(int fd)
{
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (std::getenv("BENCH_KEEP_CC") == nullptr)
        setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
}

// A non-blocking TCP socket listening on 127.0.0.1:port (0 picks a free port).
// Prints {"port": N} once it listens, so the driver knows where to connect.
inline int listenLoopback(int port)
{
    std::signal(SIGPIPE, SIG_IGN);
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    // Accepted sockets inherit the listener's congestion control.
    if (std::getenv("BENCH_KEEP_CC") == nullptr)
        setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    require(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0, "bind 127.0.0.1");
    require(listen(fd, SOMAXCONN) == 0, "listen");
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    Json().add("port", double(ntohs(addr.sin_port))).print();
    return fd;
}

// Accepts one pending connection as a non-blocking socket, or returns -1.
inline int acceptOne(int listenFd)
{
    const int fd = accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
        tuneSocket(fd);
    return fd;
}

// A blocking TCP connection to 127.0.0.1:port.
inline int connectLoopback(int port)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    require(fd >= 0 && connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0,
            "connect to the server");
    tuneSocket(fd);
    return fd;
}

// One echo step on a readable non-blocking socket: reads what is there and
// writes it back. Returns false when the peer closed or failed (close the fd);
// bytes the socket could not take yet are appended to `pending`.
inline bool echoOnce(int fd, std::string &pending)
{
    char buf[64 * 1024];
    const ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r == 0)
        return false;
    if (r < 0)
        return errno == EAGAIN || errno == EINTR;
    ssize_t w = send(fd, buf, std::size_t(r), MSG_NOSIGNAL);
    if (w < 0) {
        if (errno != EAGAIN)
            return false;
        w = 0;
    }
    pending.append(buf + w, std::size_t(r - w));
    return true;
}

// Writes out `pending` on a writable socket. Returns false if the peer is gone.
inline bool flushPending(int fd, std::string &pending)
{
    const ssize_t w = send(fd, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (w < 0)
        return errno == EAGAIN || errno == EINTR;
    pending.erase(0, std::size_t(w));
    return true;
}

} // namespace bench
