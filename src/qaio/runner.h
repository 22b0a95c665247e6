// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/runner.h — run() and Runner: asyncio.run and asyncio.Runner.
///
///     int main() { return qaio::runMain(mainCoro()); } // 130 after Ctrl+C
///
/// A Runner owns a new loop (and a QCoreApplication, if the program has none
/// yet), runs coroutines on it and, when closed, cancels the tasks still
/// pending, waits for them and closes the loop.
#pragma once

#include <qaio/task.h>

#include <functional>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QCoreApplication;
QT_END_NAMESPACE

namespace qaio {

namespace detail {
// Runner::run's Ctrl+C handling (asyncio.Runner._on_sigint; unix_signals.cpp).
// In the main thread, while SIGINT has its default disposition, the first
// SIGINT cancels the main task and the second kills the process at once.
class QAIO_EXPORT SigintGuard
{
public:
    SigintGuard(Loop &loop, const TaskBase &mainTask);
    ~SigintGuard();
    SigintGuard(const SigintGuard &) = delete;
    SigintGuard &operator=(const SigintGuard &) = delete;
    // The main task ended cancelled: KeyboardInterrupt if SIGINT did it and
    // the task did not swallow the cancellation (asyncio: uncancel() == 0).
    void raiseIfInterrupted();

private:
    struct Private;
    std::unique_ptr<Private> d;
};
} // namespace detail

/// Options of Runner.
struct RunnerOptions
{
    std::optional<bool> debug{};                       ///< Loop::setDebug, if set
    std::function<std::unique_ptr<Loop>()> loopFactory{}; ///< default: newEventLoop()
};

/// Runs coroutines on a loop it owns, and shuts it down cleanly (asyncio.Runner).
class QAIO_EXPORT Runner
{
public:
    /// A runner with `options`; the loop is created on first use.
    explicit Runner(RunnerOptions options = {});
    ~Runner(); // close()
    Runner(const Runner &) = delete;
    Runner &operator=(const Runner &) = delete;

    /// Runs `coro` as a task until it is done and returns its result. In the
    /// main thread, Ctrl+C (SIGINT, if it has its default disposition) cancels
    /// the task; once it has finished cancelling, run() throws KeyboardInterrupt.
    /// A second Ctrl+C kills the process at once (Python's KeyboardInterrupt
    /// from the signal handler cannot be had in C++).
    template<class T>
    decltype(auto) run(Coro<T> coro)
    {
        if (!coro.isValid())
            throw ValueError("Runner::run(): the coroutine is empty");
        checkCanRun();
        Loop &loop = getLoop();
        Task<T> task = createTask(loop, std::move(coro));
        detail::SigintGuard sigint(loop, task);
        try {
            return loop.runUntilComplete(Future<T>(task));
        } catch (const CancelledError &) {
            sigint.raiseIfInterrupted();
            throw;
        }
    }

    /// Cancels what is still pending, waits for it, shuts the default executor
    /// down (waiting for its threads), closes the loop. Idempotent.
    void close();
    /// The loop (created on first use). RuntimeError once closed.
    Loop &getLoop();

private:
    void checkCanRun() const;
    struct Private;
    std::unique_ptr<Private> d;
};

/// asyncio.run: a fresh Runner for one coroutine.
template<class T>
decltype(auto) run(Coro<T> coro, RunnerOptions options = {})
{
    if (runningLoopOrNull())
        throw RuntimeError("run() cannot be called from a running event loop");
    Runner runner(std::move(options));
    return runner.run(std::move(coro));
}

/// run() for main(): its result as the exit status (0 for Coro<void>), or 130
/// (KeyboardInterrupt::exitStatus) when Ctrl+C ended it after the main task
/// and every other task finished cancelling:
///     int main(int argc, char **argv) { QCoreApplication app(argc, argv); return qaio::runMain(amain()); }
template<class T>
int runMain(Coro<T> coro, RunnerOptions options = {})
{
    try {
        if constexpr (std::is_void_v<T>) {
            run(std::move(coro), std::move(options));
            return 0;
        } else {
            return static_cast<int>(run(std::move(coro), std::move(options)));
        }
    } catch (const KeyboardInterrupt &) {
        return KeyboardInterrupt::exitStatus;
    }
}

} // namespace qaio
