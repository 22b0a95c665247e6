// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// epoll_backend.cpp — the Linux backend: O(ready) readiness and timers.
//
// The loop's file descriptors live in one epoll set, together with a timerfd
// armed for the nearest deadline and an eventfd for wake-ups. Qt's dispatcher
// sees only the epoll fd, through a single QSocketNotifier, so its per-iteration
// poll costs the same whether the loop watches ten sockets or ten thousand.
#include "backend.h"
#include "loop_p.h"

#include <QtCore/qglobal.h>

#if defined(Q_OS_LINUX)

#include <QtCore/qsocketnotifier.h>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <limits>
#include <system_error>

namespace qaio::detail {

namespace {
[[noreturn]] void throwErrno(const char *what)
{
    throw std::system_error(errno, std::generic_category(), what);
}

class EpollBackend final : public Backend
{
public:
    explicit EpollBackend(LoopImpl &loop) : m_loop(loop)
    {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        m_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        m_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (m_epoll < 0 || m_wake < 0 || m_timer < 0) {
            const int saved = errno;
            closeAll();
            throw std::system_error(saved, std::generic_category(), "qaio epoll backend");
        }
        addInternal(m_wake);
        addInternal(m_timer);
        m_events.resize(64);
        m_notifier = new QSocketNotifier(m_epoll, QSocketNotifier::Read);
        QObject::connect(m_notifier, &QSocketNotifier::activated, m_notifier,
                         [this] { m_loop.runOnce(); });
    }

    ~EpollBackend() override
    {
        delete m_notifier;
        closeAll();
    }

    const char *name() const override { return "epoll"; }
    int qtTimerCount() const override { return 0; } // deadlines live in the timerfd

    void modify(int fd, unsigned before, unsigned after) override
    {
        epoll_event ev{};
        ev.events = ((after & Read) ? EPOLLIN : 0u) | ((after & Write) ? EPOLLOUT : 0u);
        ev.data.fd = fd;
        if (after == 0) {
            if (epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev) < 0 && errno != ENOENT && errno != EBADF)
                throwErrno("epoll_ctl(DEL)");
            return;
        }
        int op = before == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (epoll_ctl(m_epoll, op, fd, &ev) == 0)
            return;
        // The fd may have been closed and reopened behind our back (the kernel
        // dropped the old registration), or registered by an earlier owner.
        if (op == EPOLL_CTL_MOD && errno == ENOENT)
            op = EPOLL_CTL_ADD;
        else if (op == EPOLL_CTL_ADD && errno == EEXIST)
            op = EPOLL_CTL_MOD;
        else
            throwErrno("epoll_ctl");
        if (epoll_ctl(m_epoll, op, fd, &ev) < 0)
            throwErrno("epoll_ctl");
    }

    void poll(std::vector<Event> &out) override
    {
        for (;;) {
            const int n = epoll_wait(m_epoll, m_events.data(), int(m_events.size()), 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throwErrno("epoll_wait");
            }
            for (int i = 0; i < n; ++i) {
                const epoll_event &ev = m_events[i];
                if (ev.data.fd == m_wake) {
                    m_wakeSeen = true;
                } else if (ev.data.fd == m_timer) {
                    std::uint64_t ticks;
                    [[maybe_unused]] auto r = ::read(m_timer, &ticks, sizeof ticks);
                    m_deadline = std::numeric_limits<double>::quiet_NaN(); // re-arm next time
                } else {
                    unsigned mask = 0;
                    if (ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                        mask |= Read;
                    if (ev.events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
                        mask |= Write;
                    out.push_back({ev.data.fd, mask});
                }
            }
            if (n < int(m_events.size()))
                return;
            m_events.resize(m_events.size() * 2); // full: more may be ready
        }
    }

    void requestIteration() override
    {
        if (m_requested)
            return;
        m_requested = true;
        signalWake();
    }

    void cancelIterationRequest() override
    {
        if (!m_requested && !m_wakeSeen)
            return;
        std::uint64_t count;
        [[maybe_unused]] auto r = ::read(m_wake, &count, sizeof count);
        m_requested = false;
        m_wakeSeen = false;
    }

    void wakeUpThreadsafe() override { signalWake(); }

    void setDeadline(double when) override
    {
        if (when == m_deadline)
            return;
        itimerspec spec{};
        if (std::isfinite(when))
            spec.it_value = deadlineSpec(when);
        if (timerfd_settime(m_timer, TFD_TIMER_ABSTIME, &spec, nullptr) < 0) {
            // Not armed (ENOMEM, say): leave m_deadline unknown so that the next
            // iteration retries, and make that iteration happen. Throwing would
            // leave the loop with a timer nothing fires.
            m_deadline = std::numeric_limits<double>::quiet_NaN();
            requestIteration();
            return;
        }
        m_deadline = when;
    }

private:
    // `when` rounded up to whole nanoseconds, so the kernel may fire at `when` but
    // never before it. Seconds and nanoseconds apart: a far deadline (any finite
    // double) would overflow an int64 count of nanoseconds; the kernel itself
    // clamps seconds beyond its range to "never".
    static timespec deadlineSpec(double when)
    {
        constexpr double maxSeconds = 1e15; // 31 million years; exact as a double and an int64
        if (when <= 0)
            return {0, 1}; // already due (0 would disarm the timer)
        if (when >= maxSeconds)
            return {time_t(maxSeconds), 0};
        const double seconds = std::floor(when);
        const double ns = std::ceil((when - seconds) * 1e9);
        if (ns >= 1e9)
            return {time_t(seconds) + 1, 0};
        return {time_t(seconds), long(ns)};
    }

    void addInternal(int fd)
    {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) < 0)
            throwErrno("epoll_ctl(ADD)");
    }

    void signalWake()
    {
        const std::uint64_t one = 1;
        while (::write(m_wake, &one, sizeof one) < 0 && errno == EINTR) {
        }
    }

    void closeAll()
    {
        for (int fd : {m_epoll, m_wake, m_timer}) {
            if (fd >= 0)
                ::close(fd);
        }
    }

    LoopImpl &m_loop;
    int m_epoll = -1;
    int m_wake = -1;
    int m_timer = -1;
    QSocketNotifier *m_notifier = nullptr;
    std::vector<epoll_event> m_events;
    double m_deadline = std::numeric_limits<double>::infinity(); // what the timerfd holds
    bool m_requested = false; // we wrote the eventfd for requestIteration()
    bool m_wakeSeen = false;  // the last poll saw the eventfd readable
};
} // namespace

std::unique_ptr<Backend> makeEpollBackend(LoopImpl &loop)
{
    return std::make_unique<EpollBackend>(loop);
}

} // namespace qaio::detail

#else

namespace qaio::detail {
std::unique_ptr<Backend> makeEpollBackend(LoopImpl &)
{
    return nullptr;
}
} // namespace qaio::detail

#endif
