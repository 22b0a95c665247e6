// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// executor.cpp — ThreadPoolExecutor on QThreadPool, the loop's default
// executor, and shutting it down without blocking the loop.
#include "loop_p.h"

#include <qaio/executor.h>
#include <qaio/shield.h>
#include <qaio/timeouts.h>

#include <QtCore/qrunnable.h>
#include <QtCore/qthreadpool.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace qaio {

Executor::~Executor() = default;

namespace {
// A queued job. If it is destroyed without having run (tryCancel, or a
// shutdown that cancels queued jobs), its future is cancelled.
class JobRunnable final : public QRunnable
{
public:
    JobRunnable(detail::ExecutorJob job, std::function<void()> onFinished)
        : m_job(std::move(job)), m_onFinished(std::move(onFinished))
    {
        setAutoDelete(true);
    }
    ~JobRunnable() override
    {
        if (!m_ran && m_job.dropped)
            m_job.dropped();
    }
    void run() override
    {
        m_ran = true;
        m_onFinished(); // forget the id first: it can no longer be taken back
        m_job.work();
    }

private:
    detail::ExecutorJob m_job;
    std::function<void()> m_onFinished;
    bool m_ran = false;
};
} // namespace

struct ThreadPoolExecutor::Private
{
    QThreadPool pool;
    std::mutex mutex;
    std::unordered_map<quint64, JobRunnable *> queued; // submitted, not started
    quint64 nextId = 1;
    std::atomic<bool> shutdown{false};
};

ThreadPoolExecutor::ThreadPoolExecutor(int maxWorkers) : d(std::make_unique<Private>())
{
    if (maxWorkers <= 0)
        maxWorkers = std::min(32, QThread::idealThreadCount() + 4);
    d->pool.setMaxThreadCount(maxWorkers);
}

ThreadPoolExecutor::~ThreadPoolExecutor()
{
    shutdown(true);
}

quint64 ThreadPoolExecutor::submit(detail::ExecutorJob job)
{
    if (d->shutdown.load())
        throw RuntimeError("cannot schedule new futures after shutdown");
    std::lock_guard lock(d->mutex);
    const quint64 id = d->nextId++;
    Private *p = d.get();
    auto *runnable = new JobRunnable(std::move(job), [p, id] {
        std::lock_guard l(p->mutex);
        p->queued.erase(id);
    });
    d->queued.emplace(id, runnable);
    d->pool.start(runnable);
    return id;
}

bool ThreadPoolExecutor::tryCancel(quint64 id)
{
    JobRunnable *runnable = nullptr;
    {
        std::lock_guard lock(d->mutex);
        auto it = d->queued.find(id);
        if (it == d->queued.end())
            return false;
        runnable = it->second;
        // Under the mutex: run() cannot start erasing it meanwhile, and
        // tryTake() fails if a worker already dequeued it.
        if (!d->pool.tryTake(runnable))
            return false;
        d->queued.erase(it);
    }
    delete runnable; // cancels its future
    return true;
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancelFutures)
{
    d->shutdown.store(true);
    if (cancelFutures) {
        std::vector<JobRunnable *> taken;
        {
            std::lock_guard lock(d->mutex);
            for (auto it = d->queued.begin(); it != d->queued.end();) {
                if (d->pool.tryTake(it->second)) {
                    taken.push_back(it->second);
                    it = d->queued.erase(it);
                } else {
                    ++it;
                }
            }
        }
        for (JobRunnable *runnable : taken)
            delete runnable;
    }
    if (wait)
        d->pool.waitForDone();
}

bool ThreadPoolExecutor::isShutdown() const
{
    return d->shutdown.load();
}

int ThreadPoolExecutor::maxWorkers() const
{
    return d->pool.maxThreadCount();
}

QThreadPool *ThreadPoolExecutor::threadPool() const
{
    return &d->pool;
}

namespace {
// What the loop's default executor becomes after shutdownDefaultExecutor().
class ShutDownExecutor final : public Executor
{
public:
    quint64 submit(detail::ExecutorJob) override { throw RuntimeError("Executor shutdown has been called"); }
    bool tryCancel(quint64) override { return false; }
    void shutdown(bool, bool) override {}
    bool isShutdown() const override { return true; }
};
} // namespace

namespace detail {

void postToLoop(const std::shared_ptr<LoopImpl> &loop, std::function<void()> callback)
{
    try {
        Handle handle(makeCallbackNode<HandleNode>(std::move(callback)));
        loop->scheduleThreadsafe(handle.node());
    } catch (const RuntimeError &) {
        // The loop is closed: nobody is waiting for this any more.
    }
}

Executor &defaultExecutor(Loop &loop)
{
    LoopImpl &impl = *loop.impl();
    impl.checkClosed();
    if (impl.defaultExecutor)
        return *impl.defaultExecutor;
    if (!impl.ownExecutor)
        impl.ownExecutor = std::make_unique<ThreadPoolExecutor>();
    return *impl.ownExecutor;
}

} // namespace detail

void detail::LoopImpl::releaseOwnExecutor()
{
    if (!ownExecutor)
        return;
    // As asyncio's close(): shutdown(wait=False). The pool's threads are joined
    // on a thread of their own: this may run on one of them (a job's future
    // can hold the last reference to the loop).
    ownExecutor->shutdown(false);
    std::thread([executor = std::shared_ptr<Executor>(std::move(ownExecutor))] {
        executor->shutdown(true);
    }).detach();
}

void setDefaultExecutor(Loop &loop, Executor *executor)
{
    loop.impl()->defaultExecutor = executor;
}

Coro<void> shutdownDefaultExecutor(Loop &loop, std::optional<double> timeout)
{
    detail::LoopImpl &impl = *loop.impl();
    std::shared_ptr<Executor> executor = std::move(impl.ownExecutor);
    // As asyncio: from now on runInExecutor(nullptr, ...) raises RuntimeError
    // instead of quietly starting a new default executor.
    impl.ownExecutor = std::make_unique<ShutDownExecutor>();
    if (!executor)
        co_return;
    // Join the pool's threads on a thread of its own, so the loop keeps running.
    auto joined = loop.createFuture<void>();
    std::thread joiner([executor, joined, implRef = loop.sharedImpl()]() mutable {
        executor->shutdown(true);
        detail::postToLoop(implRef, [joined]() mutable {
            if (!joined.done())
                joined.setResult();
        });
    });
    joiner.detach();
    try {
        co_await waitFor(shield(joined), timeout);
    } catch (const TimeoutError &) {
        qCWarning(lcQaio, "The executor did not finish joining its threads within %g seconds.",
                  timeout.value_or(0));
    }
}

void Loop::setDefaultExecutor(Executor *executor)
{
    qaio::setDefaultExecutor(*this, executor);
}

Coro<void> Loop::shutdownDefaultExecutor(std::optional<double> timeout)
{
    return qaio::shutdownDefaultExecutor(*this, timeout);
}

} // namespace qaio
