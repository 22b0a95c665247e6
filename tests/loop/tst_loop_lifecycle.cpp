// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_lifecycle — close() and destruction, the running loop, Loop::thread(),
// and the event loop policy (getEventLoop / setEventLoop / newEventLoop).
#include "testutil.h"

#include <qaio/loop.h>
#include <qaio/policy.h>

#include <QtCore/QThread>
#include <QtTest/QtTest>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <thread>

using namespace qaio;

namespace {
// A policy that hands out one loop it owns and counts what is asked of it.
class CountingPolicy : public EventLoopPolicy
{
public:
    Loop &getEventLoop() override
    {
        ++gets;
        if (current)
            return *current;
        if (!owned)
            owned = std::make_unique<Loop>();
        return *owned;
    }
    void setEventLoop(Loop *loop) override
    {
        ++sets;
        current = loop;
    }
    std::unique_ptr<Loop> newEventLoop() override
    {
        ++news;
        return std::make_unique<Loop>();
    }
    int gets = 0;
    int sets = 0;
    int news = 0;
    Loop *current = nullptr;
    std::unique_ptr<Loop> owned;
};

struct DestructorFlag
{
    bool *flag;
    explicit DestructorFlag(bool *f) : flag(f) {}
    DestructorFlag(DestructorFlag &&other) noexcept : flag(std::exchange(other.flag, nullptr)) {}
    DestructorFlag(const DestructorFlag &) = delete;
    ~DestructorFlag()
    {
        if (flag)
            *flag = true;
    }
};
} // namespace

class TestLoopLifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanupTestCase();

    // ---- close and destruction ----
    void closeDropsPendingCallbacks();
    void closeDestroysCapturedObjects();
    void closeReleasesFdWatchers();
    void closeIsIdempotent();
    void closeAfterRunning();
    void destructorClosesTheLoop();
    void futureOutlivesItsLoop();

    // ---- the running loop, the thread ----
    void getRunningLoopOutsideARunningLoopThrows();
    void getRunningLoopInsideCallbacks();
    void runningLoopIsRestoredAfterRunForever();
    void loopThreadIsTheCreatingThread();

    // ---- policy ----
    void defaultPolicyIsInstalled();
    void getEventLoopInMainThreadReturnsTheSameLoop();
    void getEventLoopReturnsTheRunningLoop();
    void setEventLoopIsReturnedByGetEventLoop();
    void setEventLoopNullUnsetsIt();
    void destroyedLoopIsForgotten();
    void getEventLoopInWorkerThreadWithoutSetThrows();
    void setEventLoopInWorkerThread();
    void newEventLoopMakesAFreshLoop();
    void customPolicyIsUsed();
    void setEventLoopPolicyNullRestoresTheDefault();
};

void TestLoopLifecycle::init()
{
    setEventLoopPolicy(nullptr);
}

void TestLoopLifecycle::cleanupTestCase()
{
    setEventLoopPolicy(nullptr);
}

// ------------------------------------------------------------------ close

void TestLoopLifecycle::closeDropsPendingCallbacks()
{
    Loop loop;
    auto token = std::make_shared<int>(0);
    bool ran = false;
    loop.callSoon([token, &ran] { ran = true; });
    loop.callLater(0.001, [token, &ran] { ran = true; });
    loop.callAt(loop.time() + 100, [token, &ran] { ran = true; });
    std::thread other([&] { loop.callSoonThreadsafe([token, &ran] { ran = true; }); });
    other.join();
    QCOMPARE(token.use_count(), 5L);
    loop.close();
    QVERIFY(loop.isClosed());
    QCOMPARE(token.use_count(), 1L);
    QVERIFY(!ran);
}

void TestLoopLifecycle::closeDestroysCapturedObjects()
{
    Loop loop;
    bool soonDestroyed = false;
    bool timerDestroyed = false;
    loop.callSoon([flag = DestructorFlag(&soonDestroyed)] {});
    loop.callLater(10.0, [flag = DestructorFlag(&timerDestroyed)] {});
    QVERIFY(!soonDestroyed);
    QVERIFY(!timerDestroyed);
    loop.close();
    QVERIFY(soonDestroyed);
    QVERIFY(timerDestroyed);
}

void TestLoopLifecycle::closeReleasesFdWatchers()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    auto token = std::make_shared<int>(0);
    Handle reader;
    {
        Loop loop;
        reader = loop.addReader(fds[0], [token] {});
        loop.addWriter(fds[1], [token] {});
        QCOMPARE(token.use_count(), 3L);
        loop.close();
        QCOMPARE(token.use_count(), 1L);
        QVERIFY(reader.cancelled());
        QVERIFY(!loop.removeReader(fds[0]));
    }
    // The loop does not own the descriptors: they are still open.
    QVERIFY(::write(fds[1], "x", 1) == 1);
    char c = 0;
    QVERIFY(::read(fds[0], &c, 1) == 1);
    QCOMPARE(c, 'x');
    ::close(fds[0]);
    ::close(fds[1]);
}

void TestLoopLifecycle::closeIsIdempotent()
{
    Loop loop;
    QVERIFY(!loop.isClosed());
    loop.close();
    QVERIFY(loop.isClosed());
    loop.close();
    QVERIFY(loop.isClosed());
    QVERIFY(!loop.isRunning());
}

void TestLoopLifecycle::closeAfterRunning()
{
    Loop loop;
    int ran = 0;
    loop.callSoon([&] {
        ++ran;
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop));
    auto token = std::make_shared<int>(0);
    loop.callSoon([token] {}); // pending again
    loop.close();
    QCOMPARE(ran, 1);
    QCOMPARE(token.use_count(), 1L);
    QVERIFY(loop.isClosed());
}

void TestLoopLifecycle::destructorClosesTheLoop()
{
    auto token = std::make_shared<int>(0);
    bool destroyed = false;
    {
        Loop loop;
        loop.callSoon([token] {});
        loop.callLater(1.0, [flag = DestructorFlag(&destroyed)] {});
        QCOMPARE(token.use_count(), 2L);
    }
    QCOMPARE(token.use_count(), 1L);
    QVERIFY(destroyed);
}

void TestLoopLifecycle::futureOutlivesItsLoop()
{
    Future<int> f;
    {
        Loop loop;
        f = loop.createFuture<int>();
    }
    QAIO_VERIFY_THROWS(RuntimeError, "destroyed", f.getLoop());
    // Setting the result still works; there are no callbacks to schedule.
    f.setResult(3);
    QCOMPARE(f.result(), 3);
}

// ------------------------------------------------------------------ running loop

void TestLoopLifecycle::getRunningLoopOutsideARunningLoopThrows()
{
    Loop loop;
    QAIO_VERIFY_THROWS(RuntimeError, "no running event loop", getRunningLoop());
    QCOMPARE(runningLoopOrNull(), nullptr);
}

void TestLoopLifecycle::getRunningLoopInsideCallbacks()
{
    Loop loop;
    Loop *inSoon = nullptr;
    Loop *inTimer = nullptr;
    Loop *inDone = nullptr;
    Future<int> f(loop);
    f.addDoneCallback([&](const FutureBase &) { inDone = &getRunningLoop(); });
    loop.callSoon([&] {
        inSoon = &getRunningLoop();
        f.setResult(1);
    });
    loop.callLater(0.002, [&] {
        inTimer = runningLoopOrNull();
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QCOMPARE(inSoon, &loop);
    QCOMPARE(inTimer, &loop);
    QCOMPARE(inDone, &loop);
}

void TestLoopLifecycle::runningLoopIsRestoredAfterRunForever()
{
    Loop first;
    Loop second;
    first.callSoon([&] { first.stop(); });
    QVERIFY(testutil::runWithTimeout(first));
    QCOMPARE(runningLoopOrNull(), nullptr);
    // A second loop can run in the same thread once the first has returned.
    Loop *seen = nullptr;
    second.callSoon([&] {
        seen = &getRunningLoop();
        second.stop();
    });
    QVERIFY(testutil::runWithTimeout(second));
    QCOMPARE(seen, &second);
    QCOMPARE(runningLoopOrNull(), nullptr);
}

void TestLoopLifecycle::loopThreadIsTheCreatingThread()
{
    Loop loop;
    QCOMPARE(loop.thread(), QThread::currentThread());
    QThread *workerLoopThread = nullptr;
    std::unique_ptr<QThread> worker(QThread::create([&] {
        Loop inWorker;
        workerLoopThread = inWorker.thread();
    }));
    worker->start();
    QVERIFY(worker->wait(10000));
    QCOMPARE(workerLoopThread, worker.get());
    QVERIFY(workerLoopThread != loop.thread());
}

// ------------------------------------------------------------------ policy

void TestLoopLifecycle::defaultPolicyIsInstalled()
{
    QVERIFY(dynamic_cast<DefaultEventLoopPolicy *>(&getEventLoopPolicy()));
    QCOMPARE(&getEventLoopPolicy(), &getEventLoopPolicy());
}

void TestLoopLifecycle::getEventLoopInMainThreadReturnsTheSameLoop()
{
    Loop &a = getEventLoop();
    Loop &b = getEventLoop();
    QCOMPARE(&a, &b);
    QVERIFY(!a.isClosed());
    QCOMPARE(a.thread(), QThread::currentThread());
    // It is a working loop.
    bool ran = false;
    a.callSoon([&] {
        ran = true;
        a.stop();
    });
    QVERIFY(testutil::runWithTimeout(a));
    QVERIFY(ran);
}

void TestLoopLifecycle::getEventLoopReturnsTheRunningLoop()
{
    Loop set;
    Loop running;
    setEventLoop(&set);
    Loop *inside = nullptr;
    running.callSoon([&] {
        inside = &getEventLoop();
        running.stop();
    });
    QVERIFY(testutil::runWithTimeout(running));
    QCOMPARE(inside, &running);
    QCOMPARE(&getEventLoop(), &set);
    setEventLoop(nullptr);
}

void TestLoopLifecycle::setEventLoopIsReturnedByGetEventLoop()
{
    Loop myLoop;
    Loop &implicit = getEventLoop();
    QVERIFY(&implicit != &myLoop);
    setEventLoop(&myLoop);
    QCOMPARE(&getEventLoop(), &myLoop);
    QCOMPARE(&getEventLoop(), &myLoop);
    setEventLoop(nullptr);
}

void TestLoopLifecycle::setEventLoopNullUnsetsIt()
{
    Loop myLoop;
    setEventLoop(&myLoop);
    setEventLoop(nullptr);
    // asyncio: once set_event_loop() was called, no loop is created implicitly.
    QAIO_VERIFY_THROWS(RuntimeError, "There is no current event loop", getEventLoop());
}

void TestLoopLifecycle::destroyedLoopIsForgotten()
{
    {
        Loop temporary;
        setEventLoop(&temporary);
        QCOMPARE(&getEventLoop(), &temporary);
    }
    // The policy does not hand out a dangling loop.
    QAIO_VERIFY_THROWS(RuntimeError, "There is no current event loop", getEventLoop());
}

void TestLoopLifecycle::getEventLoopInWorkerThreadWithoutSetThrows()
{
    QString error;
    bool gotLoop = false;
    std::unique_ptr<QThread> worker(QThread::create([&] {
        error = testutil::whatOf<RuntimeError>([&] {
            getEventLoop();
            gotLoop = true;
        });
    }));
    worker->setObjectName(QStringLiteral("policy-worker"));
    worker->start();
    QVERIFY(worker->wait(10000));
    QVERIFY(!gotLoop);
    QAIO_VERIFY_CONTAINS(error, "There is no current event loop in thread");
    QAIO_VERIFY_CONTAINS(error, "policy-worker");
}

void TestLoopLifecycle::setEventLoopInWorkerThread()
{
    Loop *mainLoop = &getEventLoop();
    std::atomic<bool> same{false};
    std::atomic<bool> notMain{false};
    std::unique_ptr<QThread> worker(QThread::create([&] {
        Loop loop;
        setEventLoop(&loop);
        same = &getEventLoop() == &loop;
        notMain = &getEventLoop() != mainLoop;
        setEventLoop(nullptr);
    }));
    worker->start();
    QVERIFY(worker->wait(10000));
    QVERIFY(same);
    QVERIFY(notMain);
    // The main thread's loop is untouched.
    QCOMPARE(&getEventLoop(), mainLoop);
}

void TestLoopLifecycle::newEventLoopMakesAFreshLoop()
{
    std::unique_ptr<Loop> a = newEventLoop();
    std::unique_ptr<Loop> b = newEventLoop();
    QVERIFY(a && b);
    QVERIFY(a.get() != b.get());
    QVERIFY(a.get() != &getEventLoop());
    QVERIFY(!a->isClosed());
    QCOMPARE(a->thread(), QThread::currentThread());
    // Not made current by newEventLoop.
    QVERIFY(&getEventLoop() != a.get());
    bool ran = false;
    a->callSoon([&] {
        ran = true;
        a->stop();
    });
    QVERIFY(testutil::runWithTimeout(*a));
    QVERIFY(ran);
    std::unique_ptr<Loop> fromPolicy = getEventLoopPolicy().newEventLoop();
    QVERIFY(fromPolicy && !fromPolicy->isClosed());
}

void TestLoopLifecycle::customPolicyIsUsed()
{
    auto policy = std::make_unique<CountingPolicy>();
    CountingPolicy *raw = policy.get();
    setEventLoopPolicy(std::move(policy));
    QCOMPARE(&getEventLoopPolicy(), static_cast<EventLoopPolicy *>(raw));

    Loop &owned = getEventLoop();
    QCOMPARE(raw->gets, 1);
    QCOMPARE(&owned, raw->owned.get());

    Loop mine;
    setEventLoop(&mine);
    QCOMPARE(raw->sets, 1);
    QCOMPARE(&getEventLoop(), &mine);
    QCOMPARE(raw->gets, 2);

    // newEventLoop() goes through the policy too, as asyncio's new_event_loop().
    std::unique_ptr<Loop> fresh = newEventLoop();
    QVERIFY(fresh);
    QCOMPARE(raw->news, 1);
    setEventLoop(nullptr);
}

void TestLoopLifecycle::setEventLoopPolicyNullRestoresTheDefault()
{
    setEventLoopPolicy(std::make_unique<CountingPolicy>());
    QVERIFY(dynamic_cast<CountingPolicy *>(&getEventLoopPolicy()));
    setEventLoopPolicy(nullptr);
    QVERIFY(dynamic_cast<DefaultEventLoopPolicy *>(&getEventLoopPolicy()));
    QVERIFY(!dynamic_cast<CountingPolicy *>(&getEventLoopPolicy()));
    // A fresh default policy: getEventLoop creates a loop again in the main thread.
    Loop &a = getEventLoop();
    QCOMPARE(&getEventLoop(), &a);
}

QTEST_GUILESS_MAIN(TestLoopLifecycle)
#include "tst_loop_lifecycle.moc"
