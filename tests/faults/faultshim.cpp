// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// faultshim.cpp — an LD_PRELOAD library that makes system calls fail at random.
//
// Each wrapped call made from libqaio (pipe2 and fork also from libQt6Core:
// QProcess makes the child's pipes and forks there) fails with probability QAIO_FAULT_RATE (default 0.05) with
// one of the errors the real call can return, drawn from a generator seeded by
// QAIO_FAULT_SEED. Calls from anywhere else (Qt's dispatcher, glib, the test
// itself) pass through, so the faults land where qaio must handle them.
// Nothing fails until the program calls qaio_faults_arm(1) (found with dlsym,
// so the same program runs without the shim); QAIO_FAULT_LOG=1 prints each
// injected fault to stderr; qaio_faults_injected() counts them.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace {

std::atomic<bool> g_armed{false};
std::atomic<long> g_injected{0};

struct Config
{
    double rate = 0.05;
    std::uint64_t state = 0x9e3779b97f4a7c15ull;
    bool log = false;
};

Config &config()
{
    static Config c = [] {
        Config r;
        if (const char *s = std::getenv("QAIO_FAULT_RATE"))
            r.rate = std::atof(s);
        if (const char *s = std::getenv("QAIO_FAULT_SEED"))
            r.state ^= std::strtoull(s, nullptr, 10) * 0xbf58476d1ce4e5b9ull;
        r.log = std::getenv("QAIO_FAULT_LOG") != nullptr;
        return r;
    }();
    return c;
}

std::mutex g_mutex; // the generator is shared by every thread

std::uint64_t next()
{
    std::uint64_t z = (config().state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// Whether the code at `caller` is qaio's (or, with `qtToo`, Qt Core's).
bool fromChosenModule(void *caller, bool qtToo)
{
    Dl_info info{};
    if (!dladdr(caller, &info) || !info.dli_fname)
        return false;
    const char *base = std::strrchr(info.dli_fname, '/');
    base = base ? base + 1 : info.dli_fname;
    return std::strncmp(base, "libqaio.", 8) == 0 || (qtToo && std::strncmp(base, "libQt6Core.", 11) == 0);
}

// The errno to fail with (0: do not fail this call).
template<std::size_t N>
int draw(const char *call, void *caller, bool qtToo, const int (&errors)[N])
{
    if (!g_armed.load(std::memory_order_relaxed) || !fromChosenModule(caller, qtToo))
        return 0;
    int error = 0;
    {
        std::lock_guard lock(g_mutex);
        const double u = double(next() >> 11) / double(1ull << 53);
        if (u >= config().rate)
            return 0;
        error = errors[next() % N];
    }
    g_injected.fetch_add(1, std::memory_order_relaxed);
    if (config().log)
        std::fprintf(stderr, "faultshim: %s -> %s\n", call, strerrordesc_np(error));
    return error;
}

template<class F>
F real(const char *name)
{
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

} // namespace

// Each wrapper: maybe fail, else call the real function.
#define QAIO_FAULT(ret, name, params, args, ...) QAIO_FAULT_FROM(false, ret, name, params, args, __VA_ARGS__)
#define QAIO_FAULT_FROM(qtToo, ret, name, params, args, ...)                                                  \
    extern "C" ret name params                                                                    \
    {                                                                                             \
        static const int errors[] = {__VA_ARGS__};                                                \
        if (const int e = draw(#name, __builtin_return_address(0), qtToo, errors)) {                     \
            errno = e;                                                                            \
            return -1;                                                                            \
        }                                                                                         \
        static auto fn = real<ret(*) params>(#name);                                              \
        return fn args;                                                                           \
    }

QAIO_FAULT(ssize_t, recv, (int fd, void *buf, size_t n, int flags), (fd, buf, n, flags), EINTR, EAGAIN, ECONNRESET, ENOMEM)
QAIO_FAULT(ssize_t, recvfrom, (int fd, void *buf, size_t n, int flags, sockaddr *a, socklen_t *l),
           (fd, buf, n, flags, a, l), EINTR, EAGAIN, ENOMEM)
QAIO_FAULT(ssize_t, send, (int fd, const void *buf, size_t n, int flags), (fd, buf, n, flags), EINTR, EAGAIN, ECONNRESET, ENOBUFS)
QAIO_FAULT(ssize_t, sendto, (int fd, const void *buf, size_t n, int flags, const sockaddr *a, socklen_t l),
           (fd, buf, n, flags, a, l), EINTR, EAGAIN, ENOBUFS)
QAIO_FAULT(ssize_t, sendmsg, (int fd, const msghdr *m, int flags), (fd, m, flags), EINTR, EAGAIN, ECONNRESET, ENOBUFS)
QAIO_FAULT(int, accept, (int fd, sockaddr *a, socklen_t *l), (fd, a, l), EINTR, EAGAIN, EMFILE, ECONNABORTED, ENOMEM)
QAIO_FAULT(int, accept4, (int fd, sockaddr *a, socklen_t *l, int flags), (fd, a, l, flags), EINTR, EAGAIN, EMFILE,
           ECONNABORTED, ENOMEM)
QAIO_FAULT(int, connect, (int fd, const sockaddr *a, socklen_t l), (fd, a, l), EINTR, EAGAIN, ECONNREFUSED)
QAIO_FAULT(int, socket, (int domain, int type, int protocol), (domain, type, protocol), EMFILE, ENOMEM)
QAIO_FAULT(int, socketpair, (int domain, int type, int protocol, int sv[2]), (domain, type, protocol, sv), EMFILE, ENOMEM)
QAIO_FAULT(int, epoll_ctl, (int epfd, int op, int fd, epoll_event *ev), (epfd, op, fd, ev), ENOMEM, ENOSPC)
QAIO_FAULT(int, timerfd_settime, (int fd, int flags, const itimerspec *n, itimerspec *o), (fd, flags, n, o), ENOMEM)
QAIO_FAULT(int, eventfd, (unsigned int count, int flags), (count, flags), EMFILE, ENOMEM)
QAIO_FAULT_FROM(true, int, pipe2, (int fds[2], int flags), (fds, flags), EMFILE, ENFILE)
QAIO_FAULT_FROM(true, pid_t, fork, (), (), EAGAIN, ENOMEM)

extern "C" void qaio_faults_arm(int on)
{
    g_armed.store(on != 0);
}

extern "C" long qaio_faults_injected()
{
    return g_injected.load();
}
