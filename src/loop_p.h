// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// loop_p.h — LoopImpl, the state behind qaio::Loop: the loop core.
//
// Futures keep it alive through a shared_ptr, so a future that outlives its
// Loop finds a closed loop rather than a dangling pointer.
//
// The core knows nothing above it: ready queue, timers, fd watchers, the
// backend and the exception handler are its own; what tasks, executors,
// signal handling and application quit keep per loop lives in their own
// LoopExtension, which the core owns and tells when it closes.
#pragma once

#include "backend.h"

#include <qaio/loop.h>

#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>

#include <atomic>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

QT_BEGIN_NAMESPACE
class QEventLoop;
QT_END_NAMESPACE

namespace qaio::detail {

class LoopImpl;

// What a layer above the core keeps per loop (the task registry, the default
// executor, signal handlers, application-quit handling), created on first use
// by LoopImpl::extension<T>(). The core owns it and calls its close hooks; it
// knows nothing else about it. A type T deriving from it provides
//   static constexpr int closeOrder;  // lower: closing() runs earlier
//   explicit T(LoopImpl &loop);
class LoopExtension
{
public:
    virtual ~LoopExtension() = default;
    // close(), while the loop is still open: callbacks may still be scheduled
    // (a coroutine frame's destructor may schedule one).
    virtual void closing() {}
    // close(), once the loop is closed and its queues are detached.
    virtual void closed() {}
};

// How the library reaches the LoopImpl behind a Loop (Loop's friend).
struct LoopAccess
{
    static LoopImpl &impl(const Loop &loop) noexcept { return *loop.d; }
    static const std::shared_ptr<LoopImpl> &shared(const Loop &loop) noexcept { return loop.d; }
};

inline LoopImpl &implOf(const Loop &loop) noexcept
{
    return LoopAccess::impl(loop);
}

// One address per extension type: the key LoopImpl finds it by.
template<class T>
inline constexpr char extensionTag = 0;

class LoopImpl
{
public:
    // How long runOnce() may keep running iterations before returning to Qt.
    static constexpr double kIterationBudget = 0.0005;

    LoopImpl(Loop *owner, const LoopOptions &options);
    ~LoopImpl();

    // One asyncio iteration: gather ready I/O, cross-thread callbacks and due
    // timers, run the batch, re-arm the backend. Called by the backend.
    void runOnce();

    void runForever();
    void stop();
    void close();
    bool isRunning() const { return runLoop != nullptr || iterationDepth > 0; }
    bool isClosed() const { return closed.load(std::memory_order_relaxed); }
    // ~Loop: close even if a callback destroys the loop while it runs.
    void closeFromDestructor();
    double time() const;

    void scheduleSoon(HandleNode *node);       // takes a new reference
    void scheduleThreadsafe(HandleNode *node); // takes a new reference
    void scheduleTimer(TimerNode *node, double when);
    void timerCancelled() { ++cancelledTimers; }
    void setWatcher(int fd, unsigned which, HandleNode *node); // node == nullptr removes
    bool removeWatcher(int fd, unsigned which);
    // Timers in the heap, cancelled ones included (for tests).
    std::size_t timerHeapSize() const { return timers.size(); }

    void callExceptionHandler(const ExceptionContext &context);
    void defaultExceptionHandler(const ExceptionContext &context);

    void checkClosed() const;
    // In debug mode, RuntimeError unless called from the loop's thread.
    void checkThread(const char *what) const;

    Loop *owner; // nullptr once ~Loop ran
    QThread *thread;
    std::unique_ptr<Backend> backend;

    bool debug = false;
    double slowCallbackDuration = 0.1;
    ExceptionHandler exceptionHandler;

    // The extension of type T, created on first use (on the loop's thread).
    template<class T>
    T &extension()
    {
        if (T *found = findExtension<T>())
            return *found;
        auto made = std::make_unique<T>(*this);
        T &result = *made;
        auto at = extensions.begin();
        while (at != extensions.end() && at->closeOrder <= T::closeOrder)
            ++at;
        extensions.insert(at, {&extensionTag<T>, T::closeOrder, std::move(made)});
        return result;
    }
    // The extension of type T if it was created, else nullptr.
    template<class T>
    T *findExtension() const
    {
        for (const ExtensionSlot &slot : extensions) {
            if (slot.tag == &extensionTag<T>)
                return static_cast<T *>(slot.extension.get());
        }
        return nullptr;
    }

private:
    struct Watch
    {
        HandleNode *reader = nullptr;
        HandleNode *writer = nullptr;
        unsigned mask() const { return (reader ? Backend::Read : 0) | (writer ? Backend::Write : 0); }
    };

    void runIteration(bool pollIo);
    void gatherReady(bool pollIo);
    void runHandle(HandleNode *node);
    void rearm();
    double nextDeadline();
    void popTimer();
    void compactTimers();

    // The ready queue holds one reference per entry. batchRemaining counts what
    // is left of the current iteration's batch; a nested iteration (a modal
    // dialog opened by a callback) continues that batch instead of starting one.
    std::deque<HandleNode *> ready;
    std::size_t batchRemaining = 0;

    // callSoonThreadsafe's inbox, moved into `ready` at the start of an iteration.
    std::mutex inboxMutex;
    std::vector<HandleNode *> inbox;
    std::atomic<bool> inboxPending{false};
    std::atomic<bool> closed{false};

    // Min-heap on (when, seq). The key sits next to the pointer so that sifting
    // stays in cache (a million timers would otherwise chase a million nodes).
    // Cancelled timers stay until popped or compacted.
    struct TimerEntry
    {
        double when;
        quint64 seq;
        TimerNode *node;
    };
    struct TimerLater
    {
        // std::push_heap builds a max-heap; "later" as less-than gives a min-heap.
        bool operator()(const TimerEntry &a, const TimerEntry &b) const noexcept
        {
            return a.when > b.when || (a.when == b.when && a.seq > b.seq);
        }
    };
    std::vector<TimerEntry> timers;
    std::size_t cancelledTimers = 0;
    quint64 timerSeq = 0;

    std::unordered_map<int, Watch> watches;
    std::vector<Backend::Event> ioEvents;

    // In closeOrder; a handful at most, so a vector is the fastest lookup.
    struct ExtensionSlot
    {
        const char *tag;
        int closeOrder;
        std::unique_ptr<LoopExtension> extension;
    };
    std::vector<ExtensionSlot> extensions;

    QEventLoop *runLoop = nullptr; // runForever()'s Qt loop, while it runs
    bool stopping = false;
    int iterationDepth = 0;
};

// Runs `callback` on the loop's thread (callSoonThreadsafe); does nothing if
// the loop is already closed.
inline void postToLoop(const std::shared_ptr<LoopImpl> &loop, std::function<void()> callback)
{
    try {
        Handle handle(makeCallbackNode<HandleNode>(std::move(callback)));
        loop->scheduleThreadsafe(handle.node());
    } catch (const RuntimeError &) {
        // The loop is closed: nobody is waiting for this any more.
    }
}

} // namespace qaio::detail
