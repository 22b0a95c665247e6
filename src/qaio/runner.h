// qaio/runner.h — run() and Runner: asyncio.run and asyncio.Runner.
//
//     int main() { return qaio::run(mainCoro()); }
//
// A Runner owns a new loop (and a QCoreApplication, if the program has none
// yet), runs coroutines on it and, when closed, cancels the tasks still
// pending, waits for them and closes the loop.
#pragma once

#include <qaio/task.h>

#include <functional>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QCoreApplication;
QT_END_NAMESPACE

namespace qaio {

struct RunnerOptions
{
    std::optional<bool> debug{};                       // Loop::setDebug, if set
    std::function<std::unique_ptr<Loop>()> loopFactory{}; // default: newEventLoop()
};

class QAIO_EXPORT Runner
{
public:
    explicit Runner(RunnerOptions options = {});
    ~Runner(); // close()
    Runner(const Runner &) = delete;
    Runner &operator=(const Runner &) = delete;

    // Runs `coro` as a task until it is done and returns its result.
    template<class T>
    decltype(auto) run(Coro<T> coro)
    {
        if (!coro.isValid())
            throw ValueError("Runner::run(): the coroutine is empty");
        checkCanRun();
        Loop &loop = getLoop();
        Task<T> task = createTask(loop, std::move(coro));
        return loop.runUntilComplete(Future<T>(task));
    }

    // Cancels what is still pending, waits for it, closes the loop. Idempotent.
    void close();
    // The loop (created on first use). RuntimeError once closed.
    Loop &getLoop();

private:
    void checkCanRun() const;
    struct Private;
    std::unique_ptr<Private> d;
};

// asyncio.run: a fresh Runner for one coroutine.
template<class T>
decltype(auto) run(Coro<T> coro, RunnerOptions options = {})
{
    if (runningLoopOrNull())
        throw RuntimeError("run() cannot be called from a running event loop");
    Runner runner(std::move(options));
    return runner.run(std::move(coro));
}

} // namespace qaio
