// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// loop_p.h — LoopImpl, the state behind qaio::Loop.
//
// Futures keep it alive through a shared_ptr, so a future that outlives its
// Loop finds a closed loop rather than a dangling pointer.
#pragma once

#include "backend.h"

#include <qaio/loop.h>
#include <qaio/executor.h>
#include <qaio/task.h>

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

    // Pending tasks, as an intrusive list (task.cpp), and the task factory.
    TaskCore *tasks = nullptr;
    TaskFactory taskFactory;
    // close(): report and free every task still pending (task.cpp).
    void abandonPendingTasks();

    // runInExecutor(nullptr, ...): the user's default executor, else our own
    // ThreadPoolExecutor, created on first use (executor.cpp).
    Executor *defaultExecutor = nullptr;
    std::unique_ptr<Executor> ownExecutor;
    void releaseOwnExecutor(); // close(): shut it down without waiting

    // addSignalHandler's state, created on first use (unix_signals.cpp).
    struct SignalState *signalState = nullptr;
    void setSignalHandler(int sig, HandleNode *node);
    bool removeSignalHandler(int sig);
    void closeSignals(); // close(): remove every handler, close the pipe

    // QCoreApplication::aboutToQuit, for loops in the application's thread
    // (app_quit.cpp): cancel every task and run the loop until they are done.
    QMetaObject::Connection quitConnection;
    bool finishOnClose = false; // a task that called quit() is still finishing
    void connectAboutToQuit();
    void disconnectAboutToQuit();
    void onAboutToQuit();
    void cancelAndFinishTasks();

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

    QEventLoop *runLoop = nullptr; // runForever()'s Qt loop, while it runs
    bool stopping = false;
    int iterationDepth = 0;
};

} // namespace qaio::detail
