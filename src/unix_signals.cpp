// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// unix_signals.cpp — Loop::addSignalHandler / removeSignalHandler, as
// asyncio's unix_events: the C signal handler only writes the signal number
// into a non-blocking pipe (asyncio's set_wakeup_fd); the loop watches the
// pipe with addReader and runs the user's callback as an ordinary callback.
#include "loop_p.h"
#include <qaio/runner.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qthread.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <map>
#include <system_error>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace qaio {

namespace detail {

struct SignalState
{
    int readFd = -1;
    int writeFd = -1;
    std::map<int, Handle> handlers;
};

namespace {

// The write end of the pipe of the loop that added a handler last (asyncio's
// signal.set_wakeup_fd: one per process, the last caller wins).
std::atomic<int> g_wakeFd{-1};

// What each signal's disposition was before qaio first installed its handler,
// restored by removeSignalHandler. Written on the main thread only, while the
// signal cannot yet reach our handler (or while it chains, for SIGCHLD).
struct sigaction g_previous[NSIG];
std::atomic<bool> g_installed[NSIG];

void chainPrevious(int sig, siginfo_t *info, void *context)
{
    const struct sigaction &previous = g_previous[sig];
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction)
            previous.sa_sigaction(sig, info, context);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler) {
        previous.sa_handler(sig);
    }
}

extern "C" void qaioSignalHandler(int sig, siginfo_t *info, void *context)
{
    // Async-signal-safe only: write(2), and the handler that was there before.
    const int savedErrno = errno;
    const int fd = g_wakeFd.load(std::memory_order_relaxed);
    if (fd >= 0) {
        const unsigned char byte = static_cast<unsigned char>(sig);
        [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1); // a full pipe drops it, as asyncio
    }
    // QProcess (forkfd) may rely on its own SIGCHLD handler: keep calling it.
    if (sig == SIGCHLD)
        chainPrevious(sig, info, context);
    errno = savedErrno;
}

void makePipe(int fds[2])
{
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2() for signal handling");
}

// Python's signal.valid_signals(): what sigfillset() holds (glibc leaves out
// the two real-time signals it reserves for its threads).
void checkSignal(int sig)
{
    sigset_t all;
    sigfillset(&all);
    if (sig < 1 || sig >= NSIG || sigismember(&all, sig) != 1)
        throw ValueError(QStringLiteral("invalid signal number %1").arg(sig));
}

bool isOurHandler(int sig)
{
    struct sigaction current = {};
    if (::sigaction(sig, nullptr, &current) != 0)
        return false;
    return (current.sa_flags & SA_SIGINFO) && current.sa_sigaction == qaioSignalHandler;
}

} // namespace

bool isMainThread() noexcept
{
#ifdef __linux__
    // Python's rule: the thread the process started with (signals are
    // delivered to the process, and only its main thread runs Python handlers).
    return ::syscall(SYS_gettid) == ::getpid();
#else
    return QThread::currentThread() == QCoreApplication::instance()->thread();
#endif
}

void LoopImpl::setSignalHandler(int sig, HandleNode *node)
{
    node->ref(); // the handler table's reference; the caller keeps its own
    Handle handle(node);
    checkSignal(sig);
    checkClosed();
    checkThread("addSignalHandler()");
    if (!isMainThread())
        throw RuntimeError("set_wakeup_fd only works in main thread of the main interpreter");

    if (!signalState) {
        auto state = std::make_unique<SignalState>();
        int fds[2];
        makePipe(fds);
        state->readFd = fds[0];
        state->writeFd = fds[1];
        try {
            owner->addReader(state->readFd, [this] {
                // Read everything that arrived, then run each handler as a callback.
                unsigned char buffer[256];
                for (;;) {
                    const ssize_t n = ::read(signalState->readFd, buffer, sizeof buffer);
                    if (n <= 0)
                        break;
                    for (ssize_t i = 0; i < n; ++i) {
                        auto it = signalState->handlers.find(buffer[i]);
                        if (it == signalState->handlers.end())
                            continue; // removed meanwhile (asyncio's _handle_signal)
                        if (it->second.cancelled())
                            removeSignalHandler(buffer[i]);
                        else
                            scheduleSoon(it->second.node());
                    }
                }
            });
        } catch (...) {
            ::close(fds[0]);
            ::close(fds[1]);
            throw;
        }
        signalState = state.release();
    }
    g_wakeFd.store(signalState->writeFd);
    signalState->handlers[sig] = handle;

    if (!g_installed[sig].load()) {
        struct sigaction action = {};
        action.sa_sigaction = qaioSignalHandler;
        action.sa_flags = SA_SIGINFO | SA_RESTART; // asyncio's siginterrupt(sig, False)
        sigemptyset(&action.sa_mask);
        struct sigaction previous = {};
        if (::sigaction(sig, nullptr, &previous) == 0)
            g_previous[sig] = previous;
        if (::sigaction(sig, &action, nullptr) != 0) {
            const int error = errno;
            signalState->handlers.erase(sig);
            if (signalState->handlers.empty() && g_wakeFd.load() == signalState->writeFd)
                g_wakeFd.store(-1);
            if (error == EINVAL)
                throw RuntimeError(QStringLiteral("sig %1 cannot be caught").arg(sig));
            throw std::system_error(error, std::generic_category(), "sigaction()");
        }
        g_installed[sig].store(true);
    }
}

bool LoopImpl::removeSignalHandler(int sig)
{
    checkSignal(sig);
    if (!signalState || signalState->handlers.erase(sig) == 0)
        return false;
    if (g_installed[sig].load()) {
        // Restore what was there before, unless another handler was installed
        // over ours since (it may chain to ours, which then stays harmless).
        if (isOurHandler(sig)) {
            if (::sigaction(sig, &g_previous[sig], nullptr) != 0) {
                const int error = errno;
                if (error == EINVAL)
                    throw RuntimeError(QStringLiteral("sig %1 cannot be caught").arg(sig));
                throw std::system_error(error, std::generic_category(), "sigaction()");
            }
            g_installed[sig].store(false);
        }
    }
    if (signalState->handlers.empty() && g_wakeFd.load() == signalState->writeFd)
        g_wakeFd.store(-1); // asyncio's set_wakeup_fd(-1)
    return true;
}

void LoopImpl::closeSignals()
{
    if (!signalState)
        return;
    while (!signalState->handlers.empty()) {
        const int sig = signalState->handlers.begin()->first;
        try {
            removeSignalHandler(sig);
        } catch (const std::exception &e) {
            signalState->handlers.erase(sig);
            qCWarning(lcQaio, "removing the handler of signal %d on close failed: %s", sig, e.what());
        }
    }
    if (g_wakeFd.load() == signalState->writeFd)
        g_wakeFd.store(-1);
    removeWatcher(signalState->readFd, Backend::Read);
    ::close(signalState->readFd);
    ::close(signalState->writeFd);
    delete std::exchange(signalState, nullptr);
}

// ---------------------------------------------------------------- Runner's Ctrl+C

namespace {
std::atomic<int> g_sigintFd{-1};
std::atomic<int> g_sigintCount{0};

extern "C" void qaioRunnerSigint(int)
{
    const int savedErrno = errno;
    if (g_sigintCount.fetch_add(1) == 0) {
        // The first Ctrl+C: the loop cancels the main task (asyncio.Runner._on_sigint).
        const int fd = g_sigintFd.load(std::memory_order_relaxed);
        if (fd >= 0) {
            const unsigned char byte = SIGINT;
            [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1);
        }
    } else {
        // The second: Python raises KeyboardInterrupt from the handler, at
        // once. Here: die of SIGINT, as Python itself does on an uncaught
        // KeyboardInterrupt, so that the shell sees the interruption.
        struct sigaction dfl = {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        ::sigaction(SIGINT, &dfl, nullptr);
        ::raise(SIGINT); // delivered when this handler returns
    }
    errno = savedErrno;
}
} // namespace

struct SigintGuard::Private
{
    Loop *loop = nullptr;
    TaskBase task;
    int fds[2] = {-1, -1};
    bool active = false;
    bool cancelled = false; // SIGINT cancelled the main task (it was not done yet)
};

SigintGuard::SigintGuard(Loop &loop, const TaskBase &mainTask) : d(std::make_unique<Private>())
{
    d->loop = &loop;
    d->task = mainTask;
    // asyncio: only in the main thread, and only while SIGINT has Python's
    // default handler (here: its default disposition). A program that set its
    // own SIGINT handler, or was started with SIGINT ignored, keeps it.
    if (!isMainThread() || g_sigintFd.load() >= 0)
        return;
    struct sigaction current = {};
    if (::sigaction(SIGINT, nullptr, &current) != 0)
        return;
    if ((current.sa_flags & SA_SIGINFO) || current.sa_handler != SIG_DFL)
        return;
    makePipe(d->fds);
    Private *p = d.get();
    loop.addReader(d->fds[0], [p] {
        unsigned char buffer[16];
        while (::read(p->fds[0], buffer, sizeof buffer) > 0) {
        }
        if (!p->task.done()) {
            p->task.cancel();
            p->cancelled = true;
        }
    });
    g_sigintCount.store(0);
    g_sigintFd.store(d->fds[1]);
    struct sigaction action = {};
    action.sa_handler = qaioRunnerSigint;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    d->active = true;
}

SigintGuard::~SigintGuard()
{
    if (!d->active)
        return;
    // Restore the default, unless something replaced our handler meanwhile
    // (asyncio: "if signal.getsignal(SIGINT) is sigint_handler").
    struct sigaction current = {};
    if (::sigaction(SIGINT, nullptr, &current) == 0 && !(current.sa_flags & SA_SIGINFO)
        && current.sa_handler == qaioRunnerSigint) {
        struct sigaction dfl = {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        ::sigaction(SIGINT, &dfl, nullptr);
    } else if (g_installed[SIGINT].load() && !(g_previous[SIGINT].sa_flags & SA_SIGINFO)
               && g_previous[SIGINT].sa_handler == qaioRunnerSigint) {
        // A loop's SIGINT handler replaced ours: when it is removed, restore the
        // default rather than this Runner's handler (asyncio restores
        // default_int_handler).
        struct sigaction dfl = {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        g_previous[SIGINT] = dfl;
    }
    g_sigintFd.store(-1);
    d->loop->removeReader(d->fds[0]);
    ::close(d->fds[0]);
    ::close(d->fds[1]);
}

void SigintGuard::raiseIfInterrupted()
{
    if (d->active && d->cancelled && d->task.uncancel() == 0)
        throw KeyboardInterrupt();
}

} // namespace detail

} // namespace qaio
