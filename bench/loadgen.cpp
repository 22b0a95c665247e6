// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// loadgen.cpp — load generator for the echo servers (its own process; no Qt).
//
//   loadgen --port P [--server-pid PID] [--busy 10] [--idle 0] [--size 1024]
//           [--warmup 1] [--duration 3] [--spin 1] [--hold 0]
//
// The vmbench method: opens `idle` connections, each of which sends one byte
// and waits for its echo (so the server has accepted and is watching every one
// of them) and then stays silent. Then `busy` connections each keep one
// `size`-byte request in flight: send it, wait until all of it came back, send
// the next. Sends are non-blocking (a 100 KiB request does not fit into a
// socket buffer, and the server stops reading while its reply is stuck).
// After `warmup` seconds it counts completed requests and their latencies (first
// byte sent to last byte received) for `duration` seconds, and prints one
// JSON line: requests/s, latency p50/p99, and with --server-pid the server's
// CPU time per request (from /proc/PID/schedstat). With --spin 1 (the default)
// it polls without sleeping, so its own core never idles: the server, not the
// wake-up latency of an idle virtual CPU, sets the pace.
//
// --hold 1: opens the idle connections only, prints {"opened": N}, and keeps
// them open until its stdin closes (for the memory benchmark).
#include "net.h"

#include <sys/epoll.h>

#include <string>

namespace {

// CPU time a process has run so far, in seconds (0 if unknown).
double processCpu(long pid)
{
    if (pid <= 0)
        return 0;
    const std::string path = "/proc/" + std::to_string(pid) + "/schedstat";
    FILE *f = std::fopen(path.c_str(), "r");
    unsigned long long ns = 0;
    if (f) {
        if (std::fscanf(f, "%llu", &ns) != 1)
            ns = 0;
        std::fclose(f);
    }
    return double(ns) * 1e-9;
}

// Opens `count` connections, each of which had one byte echoed, in batches
// that fit in any server's listen backlog (QTcpServer listens with 50).
std::vector<int> openEchoed(int port, std::size_t count)
{
    std::vector<int> fds;
    fds.reserve(count);
    while (fds.size() < count) {
        const std::size_t first = fds.size();
        const std::size_t batch = std::min<std::size_t>(count - first, 50);
        for (std::size_t i = 0; i < batch; ++i)
            fds.push_back(bench::connectLoopback(port));
        for (std::size_t i = first; i < fds.size(); ++i)
            bench::require(send(fds[i], "x", 1, MSG_NOSIGNAL) == 1, "idle connection: send");
        char c;
        for (std::size_t i = first; i < fds.size(); ++i)
            bench::require(recv(fds[i], &c, 1, 0) == 1, "idle connection: echo");
    }
    return fds;
}

struct Conn
{
    int fd = -1;
    std::size_t sent = 0;     // bytes of the current request sent
    std::size_t received = 0; // bytes of its echo received
    double started = 0;       // when the current request began
};

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
    const int waitMs = args.num("spin", 1) != 0 ? 0 : 10;
    bench::require(port > 0 && size > 0, "--port and --size are positive");

    const std::vector<int> idleFds = openEchoed(port, idle);
    if (args.num("hold", 0) != 0) {
        bench::Json().add("opened", double(idleFds.size())).print();
        char c;
        while (read(0, &c, 1) > 0) {
        }
        return 0;
    }
    bench::require(busy > 0, "--busy is positive");

    const std::string request(size, 'r');
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    std::vector<Conn> conns(busy);
    {
        const std::vector<int> fds = openEchoed(port, busy);
        for (std::size_t i = 0; i < busy; ++i) {
            conns[i].fd = fds[i];
            fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = i;
            epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
        }
    }
    // Sends what the socket takes of the current request; watches for
    // writability while some of it is left.
    auto pushRequest = [&](std::size_t i) {
        Conn &c = conns[i];
        const bool wasWaiting = c.sent > 0 && c.sent < size;
        while (c.sent < size) {
            const ssize_t w = send(c.fd, request.data() + c.sent, size - c.sent, MSG_NOSIGNAL);
            if (w < 0) {
                bench::require(errno == EAGAIN || errno == EINTR, "send");
                break;
            }
            c.sent += std::size_t(w);
        }
        const bool waiting = c.sent < size;
        if (waiting != wasWaiting) {
            epoll_event ev{};
            ev.events = EPOLLIN | (waiting ? EPOLLOUT : 0u);
            ev.data.u64 = i;
            epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        }
    };

    const double start = bench::wallNow();
    for (std::size_t i = 0; i < busy; ++i) {
        conns[i].started = start;
        pushRequest(i);
    }
    const double measureFrom = start + warmup, measureTo = measureFrom + duration;
    std::size_t completed = 0, completedAtStart = 0;
    double serverCpuAtStart = 0;
    bool measuring = false;
    std::vector<double> latencies;
    latencies.reserve(1 << 20);
    std::vector<char> buf(256 * 1024);
    std::vector<epoll_event> events(std::min<std::size_t>(busy, 1024));
    for (;;) {
        const int n = epoll_wait(ep, events.data(), int(events.size()), waitMs);
        const double now = bench::wallNow();
        for (int k = 0; k < n; ++k) {
            const std::size_t i = events[k].data.u64;
            Conn &c = conns[i];
            if ((events[k].events & EPOLLOUT) != 0)
                pushRequest(i);
            if ((events[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) == 0)
                continue;
            const ssize_t r = recv(c.fd, buf.data(), buf.size(), MSG_DONTWAIT);
            if (r <= 0) {
                bench::require(r < 0 && errno == EAGAIN, "the server keeps the connection open");
                continue;
            }
            c.received += std::size_t(r);
            if (c.received >= size) {
                bench::require(c.received == size && c.sent == size, "echo of exactly the request");
                ++completed;
                if (measuring)
                    latencies.push_back(now - c.started);
                c.received = c.sent = 0;
                c.started = now;
                pushRequest(i);
            }
        }
        if (!measuring && now >= measureFrom) {
            measuring = true;
            completedAtStart = completed;
            serverCpuAtStart = processCpu(serverPid);
        } else if (measuring && now >= measureTo) {
            const double requests = double(completed - completedAtStart);
            const double serverCpu = processCpu(serverPid) - serverCpuAtStart;
            bench::Json()
                .add("bench", "echo")
                .add("busy", double(busy))
                .add("idle", double(idleFds.size()))
                .add("size", double(size))
                .add("seconds", now - measureFrom)
                .add("requests", requests)
                .add("requests_total", double(completed)) // warm-up included
                .add("requests_per_second", requests / (now - measureFrom))
                .add("server_cpu_us_per_request", serverCpu * 1e6 / std::max(requests, 1.0))
                .add("server_load", serverCpu / (now - measureFrom))
                .add("p50_us", bench::percentile(latencies, 50) * 1e6)
                .add("p99_us", bench::percentile(latencies, 99) * 1e6)
                .print();
            return 0;
        }
    }
}
