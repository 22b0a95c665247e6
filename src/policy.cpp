// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// policy.cpp — the event loop policy and the module-level get/set/new functions.
#include <qaio/policy.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qthread.h>

#include <map>
#include <mutex>

namespace qaio {

namespace {
std::mutex g_policyMutex;
// Never destroyed: loops it owns must not be torn down during static destruction,
// after QCoreApplication is gone.
EventLoopPolicy *g_policy = nullptr;

bool isMainThread()
{
    auto *app = QCoreApplication::instance();
    return app && app->thread() == QThread::currentThread();
}
} // namespace

EventLoopPolicy::~EventLoopPolicy() = default;

struct DefaultEventLoopPolicy::Private
{
    struct PerThread
    {
        Loop *loop = nullptr;
        bool setCalled = false;
        std::unique_ptr<Loop> owned; // the loop getEventLoop() created, if any
    };
    std::mutex mutex;
    std::map<QThread *, PerThread> threads;
};

DefaultEventLoopPolicy::DefaultEventLoopPolicy() : d(std::make_unique<Private>()) {}

DefaultEventLoopPolicy::~DefaultEventLoopPolicy() = default;

Loop &DefaultEventLoopPolicy::getEventLoop()
{
    if (Loop *running = runningLoopOrNull())
        return *running;
    std::unique_lock lock(d->mutex);
    auto &entry = d->threads[QThread::currentThread()];
    if (!entry.loop && !entry.setCalled && isMainThread()) {
        lock.unlock(); // ~Loop and Loop() may call back into the policy
        auto created = std::make_unique<Loop>();
        lock.lock();
        auto &again = d->threads[QThread::currentThread()];
        again.owned = std::move(created);
        again.loop = again.owned.get();
        return *again.loop;
    }
    if (!entry.loop)
        throw RuntimeError(QStringLiteral("There is no current event loop in thread '%1'.")
                               .arg(QThread::currentThread()->objectName()));
    return *entry.loop;
}

void DefaultEventLoopPolicy::setEventLoop(Loop *loop)
{
    std::unique_ptr<Loop> previouslyOwned;
    {
        std::lock_guard lock(d->mutex);
        auto &entry = d->threads[QThread::currentThread()];
        entry.setCalled = true;
        entry.loop = loop;
        if (entry.owned.get() != loop)
            previouslyOwned = std::move(entry.owned);
    }
    // Destroyed outside the lock: ~Loop calls forget().
}

std::unique_ptr<Loop> DefaultEventLoopPolicy::newEventLoop()
{
    return std::make_unique<Loop>();
}

void DefaultEventLoopPolicy::forget(Loop *loop)
{
    std::lock_guard lock(d->mutex);
    for (auto &[thread, entry] : d->threads) {
        if (entry.loop == loop)
            entry.loop = nullptr;
    }
}

EventLoopPolicy &getEventLoopPolicy()
{
    std::lock_guard lock(g_policyMutex);
    if (!g_policy)
        g_policy = new DefaultEventLoopPolicy;
    return *g_policy;
}

void setEventLoopPolicy(std::unique_ptr<EventLoopPolicy> policy)
{
    std::unique_ptr<EventLoopPolicy> old;
    {
        std::lock_guard lock(g_policyMutex);
        old.reset(std::exchange(g_policy, policy ? policy.release() : new DefaultEventLoopPolicy));
    }
}

Loop &getEventLoop()
{
    return getEventLoopPolicy().getEventLoop();
}

void setEventLoop(Loop *loop)
{
    getEventLoopPolicy().setEventLoop(loop);
}

std::unique_ptr<Loop> newEventLoop()
{
    return getEventLoopPolicy().newEventLoop();
}

} // namespace qaio
