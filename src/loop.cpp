// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// loop.cpp — Loop and LoopImpl: scheduling, the iteration, running and closing.
#include "loop_p.h"

#include <qaio/futurewatcher.h> // describeException
#include <qaio/policy.h>

#include <QtCore/qabstracteventdispatcher.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qthread.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <system_error>
#include <typeinfo>

Q_LOGGING_CATEGORY(lcQaio, "qaio")

namespace qaio {

namespace {
thread_local Loop *t_runningLoop = nullptr;
}

namespace detail {
Loop *exchangeRunningLoop(Loop *loop) noexcept
{
    return std::exchange(t_runningLoop, loop);
}
} // namespace detail

namespace {

// Sets the thread's running loop for a scope and restores the previous one.
class RunningLoopScope
{
public:
    explicit RunningLoopScope(Loop *loop) : m_previous(std::exchange(t_runningLoop, loop)) {}
    ~RunningLoopScope() { t_runningLoop = m_previous; }
    RunningLoopScope(const RunningLoopScope &) = delete;
    RunningLoopScope &operator=(const RunningLoopScope &) = delete;

private:
    Loop *m_previous;
};


bool envFlag(const char *name)
{
    const QByteArray value = qgetenv(name);
    return !value.isEmpty() && value != "0";
}

} // namespace

Loop *runningLoopOrNull() noexcept
{
    return t_runningLoop;
}

Loop &getRunningLoop()
{
    if (!t_runningLoop)
        throw RuntimeError("no running event loop");
    return *t_runningLoop;
}

namespace detail {

std::shared_ptr<LoopImpl> sharedImpl(Loop &loop)
{
    return loop.sharedImpl();
}

// ---------------------------------------------------------------- LoopImpl

LoopImpl::LoopImpl(Loop *owner, const LoopOptions &options)
    : owner(owner), thread(QThread::currentThread())
{
    if (!QAbstractEventDispatcher::instance()) {
        // A QThread has its dispatcher before run(); a thread Qt merely adopted
        // gets one when it first builds a QEventLoop.
        if (QCoreApplication::instance())
            QEventLoop ensureDispatcher;
    }
    if (!QAbstractEventDispatcher::instance())
        throw RuntimeError("qaio::Loop needs a Qt event dispatcher in its thread: create the "
                           "QCoreApplication first, or create the loop inside a QThread");

    LoopBackend kind = options.backend;
    if (kind == LoopBackend::Auto) {
        const QByteArray env = qgetenv("QAIO_BACKEND");
        if (env == "qt")
            kind = LoopBackend::Qt;
        else if (env.isEmpty() || env == "epoll")
            kind = LoopBackend::Epoll;
        else
            throw ValueError(QStringLiteral("QAIO_BACKEND must be \"epoll\" or \"qt\", not \"%1\"")
                                 .arg(QString::fromLocal8Bit(env)));
    }
    if (kind == LoopBackend::Epoll)
        backend = makeEpollBackend(*this);
    if (!backend)
        backend = makeQtBackend(*this);
    debug = envFlag("QAIO_DEBUG");
    connectAboutToQuit();
}

LoopImpl::~LoopImpl()
{
    // ~Loop closes the loop; this only runs once the last future let go.
    Q_ASSERT(closed.load());
}

double LoopImpl::time() const
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void LoopImpl::checkClosed() const
{
    if (closed.load(std::memory_order_relaxed))
        throw RuntimeError("Event loop is closed");
}

void LoopImpl::checkThread(const char *what) const
{
    if (debug && QThread::currentThread() != thread)
        throw RuntimeError(QStringLiteral("Non-thread-safe operation %1 invoked on an event loop "
                                          "other than the current one (use callSoonThreadsafe)")
                               .arg(QLatin1StringView(what)));
}

void LoopImpl::scheduleSoon(HandleNode *node)
{
    checkClosed();
    checkThread("callSoon()");
    node->ref();
    ready.push_back(node);
    // During an iteration too: a callback may open a nested Qt event loop (a
    // modal dialog), which must go on running what it schedules. The backend
    // makes repeated requests cheap.
    if (iterationDepth > 0 || ready.size() == 1)
        backend->requestIteration();
}

void LoopImpl::scheduleThreadsafe(HandleNode *node)
{
    checkClosed();
    node->ref();
    {
        std::lock_guard lock(inboxMutex);
        inbox.push_back(node);
    }
    // Only the first call after the loop drained the inbox pays for the wake-up.
    if (!inboxPending.exchange(true))
        backend->wakeUpThreadsafe();
}

void LoopImpl::scheduleTimer(TimerNode *node, double when)
{
    checkClosed();
    checkThread("callAt()");
    node->when = when;
    node->seq = timerSeq++;
    node->heap = this;
    node->ref();
    timers.push_back({when, node->seq, node});
    std::push_heap(timers.begin(), timers.end(), TimerLater());
    if (timers.front().node == node)
        backend->setDeadline(when);
}

void LoopImpl::setWatcher(int fd, unsigned which, HandleNode *node)
{
    checkClosed();
    checkThread(which == Backend::Read ? "addReader()" : "addWriter()");
    if (fd < 0)
        throw ValueError(QStringLiteral("Invalid file descriptor: %1").arg(fd));
    Watch &watch = watches[fd];
    const unsigned before = watch.mask();
    HandleNode *&slot = which == Backend::Read ? watch.reader : watch.writer;
    const unsigned after = before | which;
    // Also when replacing a callback (after == before): the fd may have been
    // closed and its number reused since, and the kernel forgot the old one.
    try {
        backend->modify(fd, before, after);
    } catch (...) {
        if (before == 0)
            watches.erase(fd);
        throw;
    }
    node->ref();
    if (HandleNode *old = std::exchange(slot, node)) {
        old->cancel();
        old->deref();
    }
}

bool LoopImpl::removeWatcher(int fd, unsigned which)
{
    if (closed.load(std::memory_order_relaxed))
        return false;
    checkThread(which == Backend::Read ? "removeReader()" : "removeWriter()");
    auto it = watches.find(fd);
    if (it == watches.end())
        return false;
    HandleNode *&slot = which == Backend::Read ? it->second.reader : it->second.writer;
    if (!slot)
        return false;
    const unsigned before = it->second.mask();
    HandleNode *old = std::exchange(slot, nullptr);
    const unsigned after = it->second.mask();
    if (after == 0)
        watches.erase(it);
    try {
        backend->modify(fd, before, after);
    } catch (const std::system_error &) {
        // The fd was closed before it was unwatched: the kernel already dropped it.
    }
    old->cancel();
    old->deref();
    return true;
}

void LoopImpl::popTimer()
{
    std::pop_heap(timers.begin(), timers.end(), TimerLater());
    timers.pop_back();
}

void LoopImpl::compactTimers()
{
    // asyncio's rule: rebuild once cancelled timers are over half of a heap of 100+.
    if (timers.size() <= 100 || cancelledTimers * 2 <= timers.size())
        return;
    auto live = std::partition(timers.begin(), timers.end(),
                               [](const TimerEntry &t) { return !t.node->cancelled; });
    for (auto it = live; it != timers.end(); ++it) {
        it->node->heap = nullptr;
        it->node->deref();
    }
    timers.erase(live, timers.end());
    std::make_heap(timers.begin(), timers.end(), TimerLater());
    cancelledTimers = 0;
}

double LoopImpl::nextDeadline()
{
    while (!timers.empty() && timers.front().node->cancelled) {
        TimerNode *t = timers.front().node;
        popTimer();
        --cancelledTimers;
        t->heap = nullptr;
        t->deref();
    }
    return timers.empty() ? std::numeric_limits<double>::infinity() : timers.front().when;
}

void LoopImpl::gatherReady(bool pollIo)
{
    ioEvents.clear();
    if (pollIo)
        backend->poll(ioEvents);
    for (const Backend::Event &event : ioEvents) {
        for (const unsigned which : {Backend::Read, Backend::Write}) {
            if (!(event.events & which))
                continue;
            auto it = watches.find(event.fd);
            if (it == watches.end())
                break;
            HandleNode *node = which == Backend::Read ? it->second.reader : it->second.writer;
            if (!node)
                continue;
            if (node->cancelled) {
                // asyncio: a watcher whose handle was cancelled is unregistered,
                // not polled (and skipped) for as long as its fd stays ready.
                removeWatcher(event.fd, which);
                continue;
            }
            node->ref();
            ready.push_back(node);
        }
    }

    if (inboxPending.exchange(false)) {
        std::vector<HandleNode *> arrived;
        {
            std::lock_guard lock(inboxMutex);
            arrived.swap(inbox);
        }
        ready.insert(ready.end(), arrived.begin(), arrived.end());
    }

    compactTimers();
    if (!timers.empty()) {
        // Due means when <= now: a timer never runs before its time.
        const double now = time();
        while (!timers.empty() && timers.front().when <= now) {
            TimerNode *t = timers.front().node;
            popTimer();
            t->heap = nullptr;
            if (t->cancelled) {
                --cancelledTimers;
                t->deref();
            } else {
                ready.push_back(t); // the heap's reference moves to the queue
            }
        }
    }
}

void LoopImpl::runHandle(HandleNode *node)
{
    node->running = true;
    try {
        if (debug) {
            const double start = time();
            node->invoke();
            const double took = time() - start;
            if (took >= slowCallbackDuration) {
                node->ref();
                qCWarning(lcQaio).noquote() << QStringLiteral("Executing %1 took %2 seconds")
                                                   .arg(Handle(node).toString())
                                                   .arg(took, 0, 'f', 3);
            }
        } else {
            node->invoke();
        }
    } catch (...) {
        node->ref();
        ExceptionContext context;
        context.exception = std::current_exception();
        context.handle = Handle(node);
        context.message = QStringLiteral("Exception in callback ") + context.handle.callbackName();
        node->running = false;
        callExceptionHandler(context);
    }
    node->running = false;
    if (node->cancelled)
        node->releaseCallback(); // it cancelled itself while running
}

void LoopImpl::runOnce()
{
    if (closed.load(std::memory_order_relaxed))
        return;
    RunningLoopScope running(owner);
    // While callbacks keep becoming ready (chains of tasks), run further
    // iterations right away for up to kIterationBudget, and only then return
    // to Qt: a pass through Qt's dispatcher costs a poll() over all its
    // sources, several times the cost of one of our iterations. Qt's own
    // events therefore wait at most that long.
    const bool outermost = iterationDepth == 0;
    const double deadline = outermost ? time() + kIterationBudget : 0.0;
    bool first = true;
    do {
        // The further iterations skip the I/O poll while no descriptor is
        // watched: the poll is then a bare system call that can report only
        // our own wake-ups, and timers and cross-thread calls are checked
        // without it (a pure chain of tasks costs no system call).
        runIteration(first || !watches.empty());
        first = false;
    } while (outermost && !ready.empty() && !stopping && !closed.load(std::memory_order_relaxed)
             && time() < deadline);
    if (stopping && runLoop && iterationDepth == 0) {
        stopping = false;
        runLoop->exit();
    }
    rearm();
}

void LoopImpl::runIteration(bool pollIo)
{
    ++iterationDepth;
    if (batchRemaining == 0) {
        gatherReady(pollIo);
        batchRemaining = ready.size();
        // Keep the backend armed while the batch runs, so that a nested Qt event
        // loop opened by one of its callbacks runs the rest of the batch and the
        // timers (the poll above consumed the wake-up that brought us here).
        if (batchRemaining > 1)
            backend->requestIteration();
        backend->setDeadline(nextDeadline());
    }
    while (batchRemaining > 0 && !ready.empty()) {
        --batchRemaining;
        HandleNode *node = ready.front();
        ready.pop_front();
        if (!node->cancelled)
            runHandle(node);
        node->deref();
    }
    batchRemaining = 0;
    --iterationDepth;
}

void LoopImpl::rearm()
{
    if (closed.load(std::memory_order_relaxed))
        return;
    if (!ready.empty() || stopping) {
        backend->requestIteration();
    } else {
        backend->cancelIterationRequest();
        // A cross-thread call may have slipped in; its wake-up was just consumed.
        if (inboxPending.load())
            backend->requestIteration();
    }
    backend->setDeadline(nextDeadline());
}

void LoopImpl::runForever()
{
    checkClosed();
    if (QThread::currentThread() != thread)
        throw RuntimeError("runForever(): the event loop belongs to another thread");
    if (isRunning())
        throw RuntimeError("This event loop is already running");
    if (t_runningLoop)
        throw RuntimeError("Cannot run the event loop while another loop is running");

    QEventLoop qtLoop;
    runLoop = &qtLoop;
    struct Reset
    {
        LoopImpl *self;
        ~Reset()
        {
            self->runLoop = nullptr;
            self->stopping = false;
        }
    } reset{this};
    RunningLoopScope running(owner);
    // asyncio's run_forever always runs at least one iteration.
    backend->requestIteration();
    qtLoop.exec();
}

void LoopImpl::stop()
{
    stopping = true;
    if (!closed.load(std::memory_order_relaxed))
        backend->requestIteration();
}

void LoopImpl::close()
{
    if (isRunning())
        throw RuntimeError("Cannot close a running event loop");
    if (closed.load())
        return;
    disconnectAboutToQuit();
    // The task that called QCoreApplication::quit() was cancelled in
    // aboutToQuit but could not finish there: let it (and what it awaits) end.
    if (std::exchange(finishOnClose, false) && owner && QThread::currentThread() == thread)
        cancelAndFinishTasks();
    // While the loop is still open, so that the frames' destructors may schedule.
    abandonPendingTasks();
    closeSignals(); // asyncio's unix loop: close() removes every signal handler
    if (closed.exchange(true))
        return;
    // Detach everything first, then release: a released callback's destructor
    // may call back into the (now closed) loop.
    std::deque<HandleNode *> oldReady;
    oldReady.swap(ready);
    std::vector<HandleNode *> oldInbox;
    {
        std::lock_guard lock(inboxMutex);
        oldInbox.swap(inbox);
    }
    std::vector<TimerEntry> oldTimers;
    oldTimers.swap(timers);
    for (const TimerEntry &t : oldTimers)
        t.node->heap = nullptr;
    cancelledTimers = 0;
    std::unordered_map<int, Watch> oldWatches;
    oldWatches.swap(watches);
    backend.reset();
    releaseOwnExecutor();

    for (HandleNode *n : oldReady)
        n->deref();
    for (HandleNode *n : oldInbox)
        n->deref();
    for (const TimerEntry &t : oldTimers)
        t.node->deref();
    for (auto &[fd, watch] : oldWatches) {
        for (HandleNode *n : {watch.reader, watch.writer}) {
            if (n) {
                n->cancel();
                n->deref();
            }
        }
    }
}

void LoopImpl::closeFromDestructor()
{
    if (isRunning()) {
        qCCritical(lcQaio, "qaio::Loop destroyed while it was running");
        if (runLoop)
            runLoop->exit();
        runLoop = nullptr;
        iterationDepth = 0;
    }
    close();
    owner = nullptr;
}

void LoopImpl::defaultExceptionHandler(const ExceptionContext &context)
{
    QStringList lines;
    lines << (context.message.isEmpty() ? QStringLiteral("Unhandled exception in event loop")
                                        : context.message);
    if (context.exception)
        lines << QStringLiteral("exception: ") + describeException(context.exception);
    if (!context.handle.isNull())
        lines << QStringLiteral("handle: ") + context.handle.toString();
    if (context.future.isValid())
        lines << QStringLiteral("future: ") + context.future.toString();
    for (auto it = context.extra.cbegin(); it != context.extra.cend(); ++it)
        lines << it.key() + QStringLiteral(": ") + it.value().toString();
    qCCritical(lcQaio).noquote() << lines.join(QLatin1Char('\n'));
}

void LoopImpl::callExceptionHandler(const ExceptionContext &context)
{
    if (!exceptionHandler || !owner) {
        defaultExceptionHandler(context);
        return;
    }
    try {
        exceptionHandler(*owner, context);
    } catch (...) {
        // asyncio: an error in the handler is logged with the default handler.
        ExceptionContext failure;
        failure.message = QStringLiteral("Unhandled error in exception handler");
        failure.exception = std::current_exception();
        failure.extra.insert(QStringLiteral("context"), context.message);
        defaultExceptionHandler(failure);
    }
}

} // namespace detail

// ---------------------------------------------------------------- Loop

Loop::Loop() : Loop(LoopOptions{}) {}

Loop::Loop(const LoopOptions &options) : d(std::make_shared<detail::LoopImpl>(this, options)) {}

Loop::~Loop()
{
    d->closeFromDestructor();
    if (auto *policy = dynamic_cast<DefaultEventLoopPolicy *>(&getEventLoopPolicy()))
        policy->forget(this);
}

void Loop::runForever()
{
    d->runForever();
}

void Loop::stop()
{
    d->stop();
}

bool Loop::isRunning() const
{
    return d->isRunning();
}

bool Loop::isClosed() const
{
    return d->isClosed();
}

void Loop::close()
{
    d->close();
}

double Loop::time() const
{
    return d->time();
}

void Loop::scheduleSoon(detail::HandleNode *node)
{
    d->scheduleSoon(node);
}

void Loop::scheduleThreadsafe(detail::HandleNode *node)
{
    d->scheduleThreadsafe(node);
}

void Loop::scheduleTimer(detail::TimerNode *node, double when)
{
    d->scheduleTimer(node, when);
}

void Loop::setReader(int fd, detail::HandleNode *node)
{
    d->setWatcher(fd, detail::Backend::Read, node);
}

void Loop::setWriter(int fd, detail::HandleNode *node)
{
    d->setWatcher(fd, detail::Backend::Write, node);
}

void Loop::setSignalHandler(int sig, detail::HandleNode *node)
{
    d->setSignalHandler(sig, node);
}

bool Loop::removeSignalHandler(int sig)
{
    return d->removeSignalHandler(sig);
}

bool Loop::removeReader(int fd)
{
    return d->removeWatcher(fd, detail::Backend::Read);
}

bool Loop::removeWriter(int fd)
{
    return d->removeWatcher(fd, detail::Backend::Write);
}

void Loop::throwNonFinite(const char *what, double value)
{
    throw ValueError(QStringLiteral("%1 must be a finite number of seconds, not %2")
                         .arg(QLatin1StringView(what))
                         .arg(value));
}

void Loop::setExceptionHandler(ExceptionHandler handler)
{
    d->exceptionHandler = std::move(handler);
}

ExceptionHandler Loop::getExceptionHandler() const
{
    return d->exceptionHandler;
}

void Loop::defaultExceptionHandler(const ExceptionContext &context)
{
    d->defaultExceptionHandler(context);
}

void Loop::callExceptionHandler(const ExceptionContext &context)
{
    d->callExceptionHandler(context);
}

void Loop::setDebug(bool enabled)
{
    d->debug = enabled;
}

bool Loop::getDebug() const
{
    return d->debug;
}

double Loop::slowCallbackDuration() const
{
    return d->slowCallbackDuration;
}

void Loop::setSlowCallbackDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        throw ValueError(QStringLiteral("slowCallbackDuration must be a finite number >= 0, not %1")
                             .arg(seconds));
    d->slowCallbackDuration = seconds;
}

QThread *Loop::thread() const
{
    return d->thread;
}

} // namespace qaio
