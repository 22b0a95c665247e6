// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/qfuture_threadsafe.h — the machinery behind qaio/qfuture.h; not part of the API.
//
// Included by qaio/qfuture.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

namespace detail {

// Runs on the loop's thread: the task, and the links between it and the QFuture.
template<class T>
void startThreadsafeTask(Loop &loop, Coro<T> coro, const std::shared_ptr<QPromise<T>> &promise)
{
    Task<T> task = qaio::createTask(loop, std::move(coro));
    // QFuture::cancel() from any thread reaches the watcher in the loop's thread.
    std::shared_ptr<QFutureWatcher<T>> watcher(new QFutureWatcher<T>(),
                                               [](QFutureWatcher<T> *w) { delete w; });
    std::weak_ptr<FutureStateBase> weakTask = task.statePtr();
    auto cancelTask = [weakTask, requested = std::make_shared<bool>(false)] {
        auto state = weakTask.lock();
        if (!state || state->done() || *requested)
            return;
        *requested = true;
        state->cancel(QStringLiteral("the QFuture was cancelled"));
    };
    QObject::connect(watcher.get(), &QFutureWatcherBase::canceled, watcher.get(), cancelTask);
    watcher->setFuture(promise->future());
    if (promise->isCanceled()) // cancelled before the task existed
        cancelTask();
    task.addDoneCallback([promise, watcher](const Future<T> &f) mutable {
        watcher.reset();
        if (f.cancelled()) {
            promise->future().cancel();
        } else if (std::exception_ptr error = f.exception()) {
            promise->setException(error);
        } else if constexpr (std::is_void_v<T>) {
        } else if constexpr (std::is_copy_constructible_v<T>) {
            promise->addResult(f.result());
        } else {
            Future<T> owner = f;
            promise->addResult(owner.takeResult());
        }
        promise->finish();
    });
}

// co_await someQFuture inside a Coro: a task-aware awaiter over wrapFuture.
template<class T>
class QFutureAwaiter
{
public:
    using QaioTaskAware = void;
    TaskCore *task = nullptr;

    explicit QFutureAwaiter(QFuture<T> source) : m_source(std::move(source)) {}

    bool await_ready()
    {
        Loop &loop = task ? taskLoop(task) : getRunningLoop();
        m_awaiter.emplace(wrapFuture(m_source, loop), task);
        return m_awaiter->await_ready();
    }
    void await_suspend(std::coroutine_handle<> awaiting) { m_awaiter->await_suspend(awaiting); }
    decltype(auto) await_resume() { return m_awaiter->await_resume(); }

private:
    QFuture<T> m_source;
    std::optional<FutureAwaiter<T>> m_awaiter;
};

template<class T>
struct AwaitableTraits<QFuture<T>>
{
    using awaiter = QFutureAwaiter<T>;
};

} // namespace detail

} // namespace qaio
