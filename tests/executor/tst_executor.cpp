// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_executor — ThreadPoolExecutor, runInExecutor, toThread, the loop's
// default executor and shutdownDefaultExecutor, on real threads. In the
// spirit of CPython's test_base_events.py (run_in_executor,
// shutdown_default_executor), test_threads.py (to_thread) and
// concurrent.futures' ThreadPoolExecutor tests.
#include "../net/net_util.h"

#include <qaio/qaio.h>

#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>
#include <QtTest/QtTest>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

using namespace qaio;
using namespace std::chrono_literals;

namespace {

// An exception type of our own, with data, to see it cross threads intact.
class CustomError : public std::runtime_error
{
public:
    CustomError(const char *what, int detail) : std::runtime_error(what), detail(detail) {}
    int detail;
};

// Lets a job block until the test releases it (never forever).
struct Gate
{
    QSemaphore semaphore;
    bool wait(int ms = 10000) { return semaphore.tryAcquire(1, ms); }
    void open(int n = 1) { semaphore.release(n); }
};

QStringList &capturedWarnings()
{
    static QStringList messages;
    return messages;
}

void captureWarning(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (type == QtWarningMsg)
        capturedWarnings() << message;
}

int square(int x)
{
    return x * x;
}

} // namespace

class TestExecutor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runInExecutorReturnsResult();
    void argumentsAreForwarded();
    void exceptionTypesCrossThreadsIntact();
    void jobsRunOnWorkerThreads();
    void toThreadResultAndException();
    void toThreadArgumentsOutliveTheCaller();
    void loopMemberRunInExecutor();
    void defaultExecutorIsReused();
    void setDefaultExecutorCustom();
    void cancelledWhileRunningGivesCancelledErrorAtOnce();
    void lateExceptionOfCancelledJobIsDiscarded();
    void cancelQueuedJobNeverRuns();
    void cancellingTheTaskTakesTheQueuedJobBack();
    void shutdownWaitBlocksUntilRunningJobsFinish();
    void shutdownCancelFuturesCancelsQueuedJobs();
    void shutdownWithoutCancelFuturesRunsQueuedJobs();
    void submitAfterShutdownIsRuntimeError();
    void maxWorkers();
    void jobsRunConcurrentlyUpToMaxWorkers();
    void thousandJobs();
    void shutdownDefaultExecutorJoinsThreads();
    void shutdownDefaultExecutorWithTimeout();
    void shutdownDefaultExecutorWithoutExecutor();
    void closedLoopIsRuntimeError();
    void resultAfterLoopClosedIsDropped();
    void unretrievedJobExceptionIsReported();
    void loopInAnotherThread();
};

void TestExecutor::runInExecutorReturnsResult()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        CO_COMPARE(co_await runInExecutor(loop, nullptr, [] { return 42; }), 42);
        CO_COMPARE(co_await runInExecutor(loop, nullptr, [] { return QStringLiteral("text"); }), QStringLiteral("text"));
        auto vector = co_await runInExecutor(loop, nullptr, [] { return std::vector<int>{1, 2, 3}; });
        CO_COMPARE(vector.size(), size_t(3));
        CO_COMPARE(vector[2], 3);
        std::atomic<bool> ran{false};
        auto voidJob = [&ran] { ran = true; };
        co_await runInExecutor(loop, nullptr, voidJob);
        CO_VERIFY(ran.load());
        // A plain function, too.
        CO_COMPARE(co_await runInExecutor(loop, nullptr, square, 7), 49);
    };
    NT_RUN(loop, body());
}

void TestExecutor::argumentsAreForwarded()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto join = [](QString a, int b, std::vector<int> c) {
            return a + QString::number(b) + QString::number(c.size());
        };
        const QString prefix = QStringLiteral("n=");
        std::vector<int> items(5, 0);
        auto future = runInExecutor(loop, nullptr, join, prefix, 12, items);
        items.clear(); // the job has its own copies
        CO_COMPARE(co_await future, QStringLiteral("n=125"));
        // A shared_ptr argument keeps its object alive on the worker.
        auto shared = std::make_shared<int>(5);
        auto read = [](std::shared_ptr<int> p) { return *p + 1; };
        auto pending = runInExecutor(loop, nullptr, read, shared);
        shared.reset();
        CO_COMPARE(co_await pending, 6);
    };
    NT_RUN(loop, body());
}

void TestExecutor::exceptionTypesCrossThreadsIntact()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto custom = [] {
            throw CustomError("custom failure", 17);
            return 0;
        };
        try {
            co_await runInExecutor(loop, nullptr, custom);
            CO_FAIL("no exception");
        } catch (const CustomError &e) {
            CO_COMPARE(e.detail, 17);
            CO_COMPARE(QString::fromUtf8(e.what()), QStringLiteral("custom failure"));
        }

        auto systemError = [] { throw std::system_error(EACCES, std::generic_category(), "open"); };
        auto error = co_await nt::coErrorOf(runInExecutor(loop, nullptr, systemError));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::permission_denied));

        auto valueError = [] { throw ValueError("bad value"); };
        error = co_await nt::coErrorOf(runInExecutor(loop, nullptr, valueError));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::holds<std::invalid_argument>(error));

        auto outOfRange = [] { return std::vector<int>().at(3); };
        error = co_await nt::coErrorOf(runInExecutor(loop, nullptr, outOfRange));
        CO_VERIFY2(nt::holds<std::out_of_range>(error), qPrintable(nt::describe(error)));

        // Not even a std::exception.
        auto integer = [] { throw 42; };
        error = co_await nt::coErrorOf(runInExecutor(loop, nullptr, integer));
        CO_VERIFY(error != nullptr);
        try {
            std::rethrow_exception(error);
        } catch (int value) {
            CO_COMPARE(value, 42);
        } catch (...) {
            CO_FAIL("not the int");
        }
    };
    NT_RUN(loop, body());
}

void TestExecutor::jobsRunOnWorkerThreads()
{
    Loop loop;
    QThread *const loopThread = QThread::currentThread();
    QCOMPARE(loop.thread(), loopThread);
    auto body = [&]() -> Coro<void> {
        for (int i = 0; i < 10; ++i) {
            QThread *worker = co_await runInExecutor(loop, nullptr, [] { return QThread::currentThread(); });
            CO_VERIFY(worker != nullptr);
            CO_VERIFY(worker != loopThread);
            // The result is delivered on the loop's thread.
            CO_VERIFY(QThread::currentThread() == loopThread);
        }
        auto id = co_await toThread([] { return std::this_thread::get_id(); });
        CO_VERIFY(id != std::this_thread::get_id());
    };
    NT_RUN(loop, body());
}

void TestExecutor::toThreadResultAndException()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto add = [](int a, int b) { return a + b; };
        CO_COMPARE(co_await toThread(add, 2, 3), 5);
        auto failing = [](int detail) -> int { throw CustomError("to_thread failed", detail); };
        try {
            co_await toThread(failing, 99);
            CO_FAIL("no exception");
        } catch (const CustomError &e) {
            CO_COMPARE(e.detail, 99);
        }
        auto nothing = [] {};
        co_await toThread(nothing);
    };
    NT_RUN(loop, body());
}

void TestExecutor::toThreadArgumentsOutliveTheCaller()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto length = [](QString s) { return s.size(); };
        Coro<qsizetype> later = [&] {
            const QString temporary = QStringLiteral("a string that is gone before the coroutine starts");
            return toThread(length, temporary);
        }();
        co_await qaio::sleep(0);
        CO_COMPARE(co_await std::move(later), qsizetype(49));
    };
    NT_RUN(loop, body());
}

void TestExecutor::loopMemberRunInExecutor()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto triple = [](int x) { return 3 * x; };
        CO_COMPARE(co_await loop.runInExecutor(nullptr, triple, 4), 12);
        ThreadPoolExecutor mine(1);
        CO_COMPARE(co_await loop.runInExecutor(&mine, triple, 5), 15);
    };
    NT_RUN(loop, body());
}

void TestExecutor::defaultExecutorIsReused()
{
    Loop loop;
    Executor *first = nullptr;
    auto body = [&]() -> Coro<void> {
        first = &detail::defaultExecutor(loop);
        auto *pool = dynamic_cast<ThreadPoolExecutor *>(first);
        CO_VERIFY(pool != nullptr);
        CO_COMPARE(pool->maxWorkers(), std::min(32, QThread::idealThreadCount() + 4));
        Gate gate;
        auto blocking = [&gate] { return gate.wait(); };
        auto job = runInExecutor(loop, nullptr, blocking);
        // The job runs on that executor's pool.
        CO_VERIFY(co_await nt::until([&] { return pool->threadPool()->activeThreadCount() == 1; }));
        gate.open();
        CO_VERIFY(co_await job);
        for (int i = 0; i < 5; ++i)
            co_await toThread(square, i);
        CO_VERIFY(&detail::defaultExecutor(loop) == first);
    };
    NT_RUN(loop, body());
}

void TestExecutor::setDefaultExecutorCustom()
{
    Loop loop;
    ThreadPoolExecutor mine(2);
    auto body = [&]() -> Coro<void> {
        Executor &own = detail::defaultExecutor(loop);
        loop.setDefaultExecutor(&mine);
        CO_VERIFY(&detail::defaultExecutor(loop) == &mine);
        Gate gate;
        auto blocking = [&gate] { return gate.wait(); };
        auto viaRunInExecutor = runInExecutor(loop, nullptr, blocking);
        Task<bool> viaToThread = createTask(toThread(blocking));
        CO_VERIFY(co_await nt::until([&] { return mine.threadPool()->activeThreadCount() == 2; }));
        gate.open(2);
        CO_VERIFY(co_await viaRunInExecutor);
        CO_VERIFY(co_await viaToThread);
        // nullptr restores the loop's own executor.
        setDefaultExecutor(loop, nullptr);
        CO_VERIFY(&detail::defaultExecutor(loop) == &own);
        CO_COMPARE(co_await toThread(square, 6), 36);
    };
    NT_RUN(loop, body());
}

void TestExecutor::cancelledWhileRunningGivesCancelledErrorAtOnce()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Gate started;
    Gate release;
    std::atomic<bool> finished{false};
    auto body = [&]() -> Coro<void> {
        auto job = [&] {
            started.open();
            release.wait();
            finished = true;
            return 1;
        };
        auto waiter = [&]() -> Coro<int> { co_return co_await runInExecutor(loop, nullptr, job); };
        Task<int> task = createTask(waiter());
        CO_VERIFY(co_await nt::until([&] { return started.semaphore.available() == 1; }));
        task.cancel(QStringLiteral("stop waiting"));
        co_await nt::yieldN(2);
        // The task is cancelled although the job is still running.
        CO_VERIFY(task.cancelled());
        CO_VERIFY(!finished.load());
        auto error = co_await nt::coErrorOf(task);
        CO_VERIFY(nt::holds<CancelledError>(error));
        // The job finishes later; its result goes nowhere.
        release.open();
        CO_VERIFY(co_await nt::until([&] { return finished.load(); }));
        co_await qaio::sleep(0.05);
        CO_VERIFY(task.cancelled());
    };
    NT_RUN(loop, body());
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestExecutor::lateExceptionOfCancelledJobIsDiscarded()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Gate started;
    Gate release;
    std::atomic<bool> finished{false};
    auto body = [&]() -> Coro<void> {
        auto job = [&]() -> int {
            started.open();
            release.wait();
            finished = true;
            throw CustomError("too late", 1);
        };
        auto future = runInExecutor(loop, nullptr, job);
        CO_VERIFY(co_await nt::until([&] { return started.semaphore.available() == 1; }));
        CO_VERIFY(future.cancel());
        CO_VERIFY(future.cancelled());
        release.open();
        CO_VERIFY(co_await nt::until([&] { return finished.load(); }));
        co_await qaio::sleep(0.05);
        CO_VERIFY(future.cancelled());
    };
    NT_RUN(loop, body());
    // No "exception was never retrieved": the late exception was dropped.
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestExecutor::cancelQueuedJobNeverRuns()
{
    Loop loop;
    ThreadPoolExecutor one(1);
    Gate release;
    std::atomic<bool> secondRan{false};
    auto body = [&]() -> Coro<void> {
        auto blocking = [&release] { return release.wait(); };
        auto second = [&secondRan] { secondRan = true; };
        auto first = runInExecutor(loop, &one, blocking);
        CO_VERIFY(co_await nt::until([&] { return one.threadPool()->activeThreadCount() == 1; }));
        auto queued = runInExecutor(loop, &one, second);
        co_await nt::yieldN(2);
        CO_VERIFY(!queued.done());
        CO_VERIFY(queued.cancel());
        co_await nt::yieldN(2); // the done-callback takes the job out of the pool
        CO_VERIFY(queued.cancelled());
        release.open();
        CO_VERIFY(co_await first);
    };
    NT_RUN(loop, body());
    one.shutdown(true);
    QVERIFY(!secondRan.load());
}

void TestExecutor::cancellingTheTaskTakesTheQueuedJobBack()
{
    Loop loop;
    ThreadPoolExecutor one(1);
    Gate release;
    std::atomic<int> ran{0};
    auto body = [&]() -> Coro<void> {
        auto blocking = [&release] { return release.wait(); };
        auto counted = [&ran] { ++ran; };
        auto first = runInExecutor(loop, &one, blocking);
        CO_VERIFY(co_await nt::until([&] { return one.threadPool()->activeThreadCount() == 1; }));
        auto waiter = [&]() -> Coro<void> { co_await runInExecutor(loop, &one, counted); };
        Task<void> task = createTask(waiter());
        co_await nt::yieldN(2);
        task.cancel();
        co_await nt::coErrorOf(task);
        CO_VERIFY(task.cancelled());
        co_await nt::yieldN(2);
        release.open();
        CO_VERIFY(co_await first);
        // A job submitted now still runs: the pool is fine.
        co_await runInExecutor(loop, &one, counted);
    };
    NT_RUN(loop, body());
    one.shutdown(true);
    QCOMPARE(ran.load(), 1);
}

void TestExecutor::shutdownWaitBlocksUntilRunningJobsFinish()
{
    Loop loop;
    ThreadPoolExecutor pool(2);
    std::atomic<bool> finished{false};
    auto body = [&]() -> Coro<void> {
        auto slow = [&finished] {
            std::this_thread::sleep_for(100ms);
            finished = true;
            return 7;
        };
        auto future = runInExecutor(loop, &pool, slow);
        CO_VERIFY(co_await nt::until([&] { return pool.threadPool()->activeThreadCount() == 1; }));
        pool.shutdown(true); // blocks this thread until the job is done
        CO_VERIFY(finished.load());
        CO_VERIFY(pool.isShutdown());
        // The result still arrives through the loop.
        CO_COMPARE(co_await future, 7);
    };
    NT_RUN(loop, body());
}

void TestExecutor::shutdownCancelFuturesCancelsQueuedJobs()
{
    Loop loop;
    ThreadPoolExecutor one(1);
    Gate release;
    std::atomic<int> queuedRan{0};
    auto body = [&]() -> Coro<void> {
        auto blocking = [&release] {
            release.wait();
            return 1;
        };
        auto queuedJob = [&queuedRan] {
            ++queuedRan;
            return 2;
        };
        auto first = runInExecutor(loop, &one, blocking);
        CO_VERIFY(co_await nt::until([&] { return one.threadPool()->activeThreadCount() == 1; }));
        std::vector<Future<int>> queued;
        for (int i = 0; i < 4; ++i)
            queued.push_back(runInExecutor(loop, &one, queuedJob));
        one.shutdown(false, true); // returns at once
        CO_VERIFY(one.isShutdown());
        release.open();
        CO_COMPARE(co_await first, 1); // the running job finishes normally
        CO_VERIFY(co_await nt::until([&] {
            return std::all_of(queued.begin(), queued.end(), [](const Future<int> &f) { return f.done(); });
        }));
        for (const Future<int> &f : queued)
            CO_VERIFY(f.cancelled());
    };
    NT_RUN(loop, body());
    one.shutdown(true);
    QCOMPARE(queuedRan.load(), 0);
}

void TestExecutor::shutdownWithoutCancelFuturesRunsQueuedJobs()
{
    Loop loop;
    ThreadPoolExecutor one(1);
    Gate release;
    auto body = [&]() -> Coro<void> {
        auto blocking = [&release] {
            release.wait();
            return 0;
        };
        auto first = runInExecutor(loop, &one, blocking);
        CO_VERIFY(co_await nt::until([&] { return one.threadPool()->activeThreadCount() == 1; }));
        std::vector<Future<int>> queued;
        for (int i = 1; i <= 3; ++i)
            queued.push_back(runInExecutor(loop, &one, square, i));
        one.shutdown(false);
        // New work is refused, queued work still runs.
        auto refused = nt::errorOf([&] { runInExecutor(loop, &one, square, 9); });
        CO_VERIFY(nt::holds<RuntimeError>(refused));
        release.open();
        CO_COMPARE(co_await first, 0);
        const std::vector<int> results = co_await gather(queued);
        CO_COMPARE(results, (std::vector<int>{1, 4, 9}));
    };
    NT_RUN(loop, body());
}

void TestExecutor::submitAfterShutdownIsRuntimeError()
{
    Loop loop;
    ThreadPoolExecutor pool(1);
    QVERIFY(!pool.isShutdown());
    pool.shutdown();
    QVERIFY(pool.isShutdown());
    pool.shutdown(); // twice is fine
    auto error = nt::errorOf([&] { runInExecutor(loop, &pool, square, 2); });
    QVERIFY2(nt::holds<RuntimeError>(error), qPrintable(nt::describe(error)));
    QCOMPARE(nt::whatOf(error), QStringLiteral("cannot schedule new futures after shutdown"));
    // Also as the loop's default executor.
    loop.setDefaultExecutor(&pool);
    std::exception_ptr viaToThread;
    auto body = [&]() -> Coro<void> { viaToThread = co_await nt::coErrorOf(toThread(square, 3)); };
    NT_RUN(loop, body());
    QCOMPARE(nt::whatOf(viaToThread), QStringLiteral("cannot schedule new futures after shutdown"));
    loop.setDefaultExecutor(nullptr);
}

void TestExecutor::maxWorkers()
{
    const int expected = std::min(32, QThread::idealThreadCount() + 4);
    QCOMPARE(ThreadPoolExecutor().maxWorkers(), expected);
    QCOMPARE(ThreadPoolExecutor(0).maxWorkers(), expected);
    QCOMPARE(ThreadPoolExecutor(-3).maxWorkers(), expected);
    QCOMPARE(ThreadPoolExecutor(3).maxWorkers(), 3);
    ThreadPoolExecutor five(5);
    QCOMPARE(five.threadPool()->maxThreadCount(), 5);
}

void TestExecutor::jobsRunConcurrentlyUpToMaxWorkers()
{
    Loop loop;
    ThreadPoolExecutor four(4);
    std::atomic<int> arrived{0};
    std::atomic<bool> fifthRan{false};
    Gate release;
    auto body = [&]() -> Coro<void> {
        // Four jobs wait for each other: only possible if all four run at once.
        auto rendezvous = [&arrived] {
            ++arrived;
            const auto deadline = std::chrono::steady_clock::now() + 10s;
            while (arrived.load() < 4 && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(1ms);
            return arrived.load() >= 4;
        };
        std::vector<Future<bool>> jobs;
        for (int i = 0; i < 4; ++i)
            jobs.push_back(runInExecutor(loop, &four, rendezvous));
        const std::vector<bool> met = co_await gather(jobs);
        for (bool m : met)
            CO_VERIFY(m);
        // With all four workers busy, a fifth job waits in the queue.
        auto blocking = [&release] { return release.wait(); };
        std::vector<Future<bool>> busy;
        for (int i = 0; i < 4; ++i)
            busy.push_back(runInExecutor(loop, &four, blocking));
        CO_VERIFY(co_await nt::until([&] { return four.threadPool()->activeThreadCount() == 4; }));
        auto fifthJob = [&fifthRan] { fifthRan = true; };
        auto fifth = runInExecutor(loop, &four, fifthJob);
        co_await qaio::sleep(0.05);
        CO_VERIFY(!fifthRan.load());
        release.open(4);
        co_await fifth;
        CO_VERIFY(fifthRan.load());
        co_await gather(busy);
    };
    NT_RUN(loop, body());
}

void TestExecutor::thousandJobs()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        std::vector<Future<int>> jobs;
        jobs.reserve(1000);
        for (int i = 0; i < 1000; ++i)
            jobs.push_back(runInExecutor(loop, nullptr, square, i));
        const std::vector<int> results = co_await gather(jobs);
        CO_COMPARE(results.size(), size_t(1000));
        long long sum = 0;
        for (int i = 0; i < 1000; ++i) {
            CO_COMPARE(results[size_t(i)], i * i);
            sum += results[size_t(i)];
        }
        CO_COMPARE(sum, 332833500LL);
    };
    NT_RUN(loop, body());
}

void TestExecutor::shutdownDefaultExecutorJoinsThreads()
{
    Loop loop;
    std::atomic<bool> finished{false};
    auto body = [&]() -> Coro<void> {
        auto slow = [&finished] {
            std::this_thread::sleep_for(200ms);
            finished = true;
        };
        auto future = runInExecutor(loop, nullptr, slow);
        co_await nt::yieldN(1);
        // The loop keeps running while the threads are joined.
        int ticks = 0;
        auto ticker = [&]() -> Coro<void> {
            for (;;) {
                co_await qaio::sleep(0.01);
                ++ticks;
            }
        };
        Task<void> ticking = createTask(ticker());
        co_await shutdownDefaultExecutor(loop);
        CO_VERIFY(finished.load());
        CO_VERIFY2(ticks > 3, qPrintable(QString::number(ticks)));
        ticking.cancel();
        co_await future; // the job's result was delivered
        // As asyncio: the default executor cannot be used any more.
        auto error = nt::errorOf([&] { runInExecutor(loop, nullptr, square, 2); });
        CO_VERIFY2(nt::holds<RuntimeError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QLatin1String("shutdown")));
        auto viaToThread = co_await nt::coErrorOf(toThread(square, 2));
        CO_VERIFY(nt::holds<RuntimeError>(viaToThread));
        // An executor of one's own still works.
        ThreadPoolExecutor mine(1);
        CO_COMPARE(co_await runInExecutor(loop, &mine, square, 3), 9);
        // Calling it again is harmless.
        co_await loop.shutdownDefaultExecutor();
    };
    NT_RUN(loop, body());
}

void TestExecutor::shutdownDefaultExecutorWithTimeout()
{
    Loop loop;
    Gate release;
    std::atomic<bool> finished{false};
    double elapsed = 0;
    capturedWarnings().clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureWarning);
    auto body = [&]() -> Coro<void> {
        auto stuck = [&] {
            release.wait();
            finished = true;
        };
        auto future = runInExecutor(loop, nullptr, stuck);
        co_await nt::yieldN(1);
        const double start = loop.time();
        co_await shutdownDefaultExecutor(loop, 0.1);
        elapsed = loop.time() - start;
        CO_VERIFY(!finished.load());
        release.open();
        CO_VERIFY(co_await nt::until([&] { return finished.load(); }));
        co_await future;
        co_await qaio::sleep(0.1); // let the joining thread finish too
    };
    const bool ok = nt::runCoro(loop, body(), 30.0, __FILE__, __LINE__);
    qInstallMessageHandler(previous);
    QVERIFY(ok);
    QVERIFY2(elapsed >= 0.09 && elapsed < 5.0, qPrintable(QString::number(elapsed)));
    bool warned = false;
    for (const QString &message : capturedWarnings())
        warned = warned || message.contains(QLatin1String("did not finish joining"));
    QVERIFY2(warned, qPrintable(capturedWarnings().join(QLatin1Char('\n'))));
}

void TestExecutor::shutdownDefaultExecutorWithoutExecutor()
{
    Loop loop;
    double elapsed = -1;
    auto body = [&]() -> Coro<void> {
        const double start = loop.time();
        co_await shutdownDefaultExecutor(loop, 1.0);
        elapsed = loop.time() - start;
    };
    NT_RUN(loop, body());
    QVERIFY2(elapsed >= 0 && elapsed < 0.5, qPrintable(QString::number(elapsed)));
}

void TestExecutor::closedLoopIsRuntimeError()
{
    Loop loop;
    loop.close();
    auto error = nt::errorOf([&] { runInExecutor(loop, nullptr, square, 2); });
    QVERIFY2(nt::holds<RuntimeError>(error), qPrintable(nt::describe(error)));
}

void TestExecutor::resultAfterLoopClosedIsDropped()
{
    ThreadPoolExecutor pool(1);
    Gate started;
    Gate release;
    std::atomic<bool> finished{false};
    {
        Loop loop;
        auto job = [&] {
            started.open();
            release.wait();
            finished = true;
            return QStringLiteral("nobody listens");
        };
        auto future = runInExecutor(loop, &pool, job);
        QVERIFY(started.wait());
        loop.close();
        QVERIFY(loop.isClosed());
    } // the loop is gone; the future handle too
    release.open();
    pool.shutdown(true); // the job posts its result to a closed loop: dropped
    QVERIFY(finished.load());
}

void TestExecutor::unretrievedJobExceptionIsReported()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        {
            auto failing = [] { throw CustomError("nobody asks", 3); };
            auto future = runInExecutor(loop, nullptr, failing);
            CO_VERIFY(co_await nt::until([&] { return future.done(); }));
        } // dropped without looking at the exception
        co_await nt::yieldN(2);
    };
    NT_RUN(loop, body());
    QCOMPARE(log.count(QStringLiteral("exception was never retrieved")), 1);
    QVERIFY(nt::holds<CustomError>(log.entries.at(0).exception));
}

void TestExecutor::loopInAnotherThread()
{
    // A loop on a QThread of its own: jobs run elsewhere, results come back to it.
    QThread *loopThread = nullptr;
    QThread *jobThread = nullptr;
    QThread *resumedOn = nullptr;
    int result = 0;
    QString failure;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        try {
            Loop loop;
            loopThread = QThread::currentThread();
            auto body = [&]() -> Coro<int> {
                jobThread = co_await toThread([] { return QThread::currentThread(); });
                resumedOn = QThread::currentThread();
                co_return co_await toThread(square, 12);
            };
            result = loop.runUntilComplete(body());
        } catch (const std::exception &e) {
            failure = QString::fromUtf8(e.what());
        }
    }));
    thread->start();
    QVERIFY(thread->wait(30000));
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(result, 144);
    QVERIFY(loopThread == thread.get());
    QVERIFY(jobThread != nullptr);
    QVERIFY(jobThread != loopThread);
    QVERIFY(jobThread != QThread::currentThread());
    QVERIFY(resumedOn == loopThread);
}

QTEST_GUILESS_MAIN(TestExecutor)
#include "tst_executor.moc"
