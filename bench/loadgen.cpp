// loadgen.cpp — load generator for the echo servers (its own process; no Qt).
//
//   loadgen --port P [--server-pid PID] [--busy 10] [--idle 0] [--size 1024]
//           [--warmup 1] [--duration 3] [--spin 1]
//
// Opens `idle` connections, each of which sends one byte and waits for its echo
// (so the server has accepted and is watching every one of them) and then stays
// silent. Then `busy` connections each keep one `size`-byte request in flight:
// send it, wait until all of it came back, send the next. After `warmup`
// seconds, counts completed requests for `duration` seconds and prints one
// JSON line with requests per second. With --spin 1 (the default) it polls
// without sleeping, so its own core never idles: the server, not the wake-up
// latency of an idle virtual CPU, sets the pace. With --server-pid it also
// reports the server's CPU time per request (from /proc/PID/schedstat).
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

// Opens `count` idle connections in batches that fit in the listen backlog.
std::vector<int> openIdle(int port, std::size_t count)
{
    std::vector<int> fds;
    fds.reserve(count);
    while (fds.size() < count) {
        const std::size_t first = fds.size();
        const std::size_t batch = std::min<std::size_t>(count - first, 500);
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
    bench::require(port > 0 && busy > 0 && size > 0, "--port, --busy and --size are positive");

    const std::vector<int> idleFds = openIdle(port, idle);

    // Busy connections: blocking sends (1 KiB always fits in the socket buffer),
    // non-blocking reads driven by epoll.
    const std::string request(size, 'r');
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    std::vector<std::size_t> received(busy, 0); // bytes of the current echo, per connection
    std::vector<int> fds(busy);
    for (std::size_t i = 0; i < busy; ++i) {
        fds[i] = bench::connectLoopback(port);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
        bench::require(send(fds[i], request.data(), size, MSG_NOSIGNAL) == ssize_t(size), "send");
    }

    const double start = bench::wallNow();
    const double measureFrom = start + warmup, measureTo = measureFrom + duration;
    std::size_t completed = 0, completedAtStart = 0;
    double serverCpuAtStart = 0;
    bool measuring = false;
    std::vector<char> buf(64 * 1024);
    epoll_event events[64];
    for (;;) {
        const int n = epoll_wait(ep, events, 64, waitMs);
        for (int k = 0; k < n; ++k) {
            const std::size_t i = events[k].data.u64;
            const ssize_t r = recv(fds[i], buf.data(), buf.size(), MSG_DONTWAIT);
            if (r <= 0) {
                bench::require(r < 0 && errno == EAGAIN, "the server keeps the connection open");
                continue;
            }
            received[i] += std::size_t(r);
            if (received[i] >= size) {
                received[i] -= size;
                ++completed;
                bench::require(send(fds[i], request.data(), size, MSG_NOSIGNAL) == ssize_t(size),
                               "send");
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
                .add("bench", "echo")
                .add("busy", double(busy))
                .add("idle", double(idleFds.size()))
                .add("size", double(size))
                .add("seconds", now - measureFrom)
                .add("requests", requests)
                .add("requests_per_second", requests / (now - measureFrom))
                .add("server_cpu_us_per_request", serverCpu * 1e6 / std::max(requests, 1.0))
                .print();
            return 0;
        }
    }
}
