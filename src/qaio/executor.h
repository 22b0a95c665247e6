// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/executor.h — running blocking or CPU-bound work on other threads.
///
/// asyncio's loop.run_in_executor(executor, func, *args) and asyncio.to_thread:
///     int n = co_await loop.runInExecutor(nullptr, countLines, path); // default executor
///     int n = co_await qaio::toThread(countLines, path);
/// ThreadPoolExecutor runs jobs on a QThreadPool. Results and exceptions come
/// back to the loop's thread intact. Cancelling the returned future takes a job
/// that has not started out of the pool; a job already running finishes, and
/// its late result is dropped. C++ has no GIL, so threads also suit CPU-bound
/// work: there is no ProcessPoolExecutor (see docs/executors.md).
#pragma once

#include <qaio/task.h>

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

QT_BEGIN_NAMESPACE
class QThreadPool;
QT_END_NAMESPACE

namespace qaio {

namespace detail {
// One job: runs `work` on a worker thread; `dropped` runs (on the worker or
// the thread that shut the executor down) if it never ran.
struct ExecutorJob
{
    std::function<void()> work;
    std::function<void()> dropped;
};
} // namespace detail

/// Runs functions outside the loop's thread (concurrent.futures.Executor); see executors.md.
class QAIO_EXPORT Executor
{
public:
    Executor() : m_self(std::make_shared<Executor *>(this)) {}
    virtual ~Executor();
    Executor(const Executor &) = delete;
    Executor &operator=(const Executor &) = delete;
    /// Expires when the executor is destroyed (futures outlive executors).
    std::weak_ptr<Executor *> weakRef() const { return m_self; }
    /// Queues a job; RuntimeError after shutdown(). Returns an id for tryCancel.
    virtual quint64 submit(detail::ExecutorJob job) = 0;
    /// Takes a queued job back; false if it already started (or finished).
    virtual bool tryCancel(quint64 id) = 0;
    /// Refuses new jobs; with wait, blocks until running jobs finished; with
    /// cancelFutures, drops queued jobs (their futures end cancelled).
    virtual void shutdown(bool wait = true, bool cancelFutures = false) = 0;
    /// True after shutdown().
    virtual bool isShutdown() const = 0;

private:
    std::shared_ptr<Executor *> m_self;
};

/// An Executor on a QThreadPool (concurrent.futures.ThreadPoolExecutor).
class QAIO_EXPORT ThreadPoolExecutor : public Executor
{
public:
    /// maxWorkers <= 0: as Python, min(32, idealThreadCount() + 4).
    explicit ThreadPoolExecutor(int maxWorkers = 0);
    ~ThreadPoolExecutor() override; // shutdown(true)

    quint64 submit(detail::ExecutorJob job) override;
    bool tryCancel(quint64 id) override;
    void shutdown(bool wait = true, bool cancelFutures = false) override;
    /// True after shutdown().
    bool isShutdown() const override;
    /// The most worker threads it runs at once.
    int maxWorkers() const;
    /// The QThreadPool it runs on.
    QThreadPool *threadPool() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

namespace detail {
// Runs `callback` on the loop's thread (callSoonThreadsafe); does nothing if
// the loop is already closed.
QAIO_EXPORT void postToLoop(const std::shared_ptr<LoopImpl> &loop, std::function<void()> callback);
QAIO_EXPORT Executor &defaultExecutor(Loop &loop);
} // namespace detail

/// Loop::setDefaultExecutor: the executor runInExecutor(nullptr, ...) uses. The
/// loop does not own it; nullptr restores the loop's own ThreadPoolExecutor.
QAIO_EXPORT void setDefaultExecutor(Loop &loop, Executor *executor);

/// asyncio's loop.run_in_executor: a Future for f(args...) run on `executor`
/// (nullptr: the loop's default executor).
template<class F, class... Args>
auto runInExecutor(Loop &loop, Executor *executor, F &&f, Args &&...args)
    -> Future<std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>>
{
    using R = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;
    Executor &target = executor ? *executor : detail::defaultExecutor(loop);
    Future<R> future(loop);
    auto impl = detail::sharedImpl(loop);
    auto call = [fn = std::forward<F>(f), tuple = std::make_tuple(std::forward<Args>(args)...)]() mutable {
        return std::apply(fn, std::move(tuple));
    };
    detail::ExecutorJob job;
    job.work = [impl, future, call = std::move(call)]() mutable {
        std::function<void()> deliver;
        try {
            if constexpr (std::is_void_v<R>) {
                call();
                deliver = [future]() mutable {
                    if (!future.done())
                        future.setResult();
                };
            } else {
                deliver = [future, value = std::make_shared<R>(call())]() mutable {
                    if (!future.done())
                        future.setResult(std::move(*value));
                };
            }
        } catch (...) {
            deliver = [future, error = std::current_exception()]() mutable {
                if (!future.done())
                    future.setException(error);
            };
        }
        detail::postToLoop(impl, std::move(deliver));
    };
    job.dropped = [impl, future]() mutable {
        detail::postToLoop(impl, [future]() mutable { future.cancel(); });
    };
    const quint64 id = target.submit(std::move(job));
    future.addDoneCallback([weak = target.weakRef(), id](const FutureBase &done) {
        if (auto alive = weak.lock(); alive && done.cancelled())
            (*alive)->tryCancel(id);
    });
    return future;
}

template<class F, class... Args>
auto Loop::runInExecutor(Executor *executor, F &&f, Args &&...args)
{
    return qaio::runInExecutor(*this, executor, std::forward<F>(f), std::forward<Args>(args)...);
}

/// asyncio.to_thread: runs f(args...) on the running loop's default executor.
/// Takes its arguments by value: the coroutine may start after the caller's
/// temporaries are gone.
template<class F, class... Args>
auto toThread(F f, Args... args) -> Coro<std::invoke_result_t<F, Args...>>
{
    co_return co_await runInExecutor(getRunningLoop(), nullptr, std::move(f), std::move(args)...);
}

/// asyncio's loop.shutdown_default_executor(timeout): shuts the default executor
/// down without blocking the loop, waiting at most `timeout` seconds for its
/// threads (then it logs a warning and returns).
QAIO_EXPORT Coro<void> shutdownDefaultExecutor(Loop &loop, std::optional<double> timeout = std::nullopt);

} // namespace qaio
