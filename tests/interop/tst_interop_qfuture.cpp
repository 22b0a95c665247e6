// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_interop_qfuture — QFuture and qaio: wrapFuture (asyncio.wrap_future)
// over real QtConcurrent::run jobs and QPromises fulfilled in other threads;
// co_await QFuture inside a task; runCoroutineThreadsafe
// (asyncio.run_coroutine_threadsafe) from a std::thread, a QThread and
// another qaio loop's thread; cancellation both ways everywhere.
#include "interoputil.h"

#include <qaio/qaio.h>
#include <qaio/qfuture.h>

#include <QtConcurrent/QtConcurrent>
#include <QtCore/QElapsedTimer>
#include <QtCore/QException>
#include <QtCore/QFuture>
#include <QtCore/QPromise>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>
#include <QtTest/QtTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

using namespace qaio;
using namespace std::chrono_literals;

namespace {

// A QException that Qt can carry with its type (it overrides raise and clone).
class CodedQException : public QException
{
public:
    explicit CodedQException(int code) : code(code) {}
    void raise() const override { throw *this; }
    CodedQException *clone() const override { return new CodedQException(*this); }
    int code;
};

// What a cancellable worker did.
enum WorkerState : int { NotStarted, Running, StoppedEarly, Completed };

// A QtConcurrent job that runs ~2 s unless its QFuture is cancelled.
void cancellableJob(QPromise<int> &promise, std::atomic<int> *state)
{
    *state = Running;
    for (int i = 0; i < 1000; ++i) {
        if (promise.isCanceled()) {
            *state = StoppedEarly;
            return;
        }
        QThread::msleep(2);
    }
    promise.addResult(1);
    *state = Completed;
}

Coro<int> valueAfter(double delay, int value)
{
    co_await qaio::sleep(delay);
    co_return value;
}

Coro<void> voidAfter(double delay, std::atomic<bool> *done)
{
    co_await qaio::sleep(delay);
    *done = true;
}

Coro<int> throwAfter(double delay, const char *message)
{
    co_await qaio::sleep(delay);
    throw std::runtime_error(message);
}

// Sleeps a long time and records whether it was cancelled.
Coro<int> sleepRecordingCancel(std::atomic<bool> *started, std::atomic<bool> *sawCancel)
{
    *started = true;
    try {
        co_await qaio::sleep(30.0);
    } catch (const CancelledError &) {
        *sawCancel = true;
        throw;
    }
    co_return 0;
}

// A qaio loop running in its own QThread.
class LoopThread
{
public:
    LoopThread()
    {
        m_thread.reset(QThread::create([this] {
            Loop loop;
            m_loop = &loop;
            loop.runForever();
            m_loop = nullptr;
        }));
        m_thread->start();
        while (!m_loop.load())
            QThread::msleep(1);
    }
    ~LoopThread()
    {
        Loop *loop = m_loop.load();
        loop->callSoonThreadsafe([loop] { loop->stop(); });
        m_thread->wait();
    }
    Loop &loop() { return *m_loop.load(); }

private:
    std::atomic<Loop *> m_loop{nullptr};
    std::unique_ptr<QThread> m_thread;
};

} // namespace

class TestInteropQFuture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();
    // wrapFuture
    void wrapConcurrentResult();
    void wrapConcurrentVoid();
    void wrapConcurrentStdExceptionIsUnwrapped();
    void wrapConcurrentQaioExceptionKeepsType();
    void wrapConcurrentQExceptionKeepsType();
    void wrapReadyFuture();
    void wrapDefaultConstructedFutureIsCancelled();
    void wrapPromiseFromStdThread();
    void wrapPromiseExceptionFromStdThread();
    void wrapPromiseWithoutResult();
    void wrapMoveOnlyResult();
    void wrapCallbacksRunOnLoopThread();
    void cancelledQFutureCancelsFuture();
    void cancelledFutureCancelsQFuture();
    void wrapFromWrongThreadThrows();
    void wrapOutlivesClosedLoop();
    // co_await QFuture
    void awaitQFuture();
    void awaitQFutureVoid();
    void awaitQFutureException();
    void awaitQFutureCancelTaskCancelsQFuture();
    // runCoroutineThreadsafe
    void threadsafeFromStdThreadResult();
    void threadsafeFromStdThreadException();
    void threadsafeFromStdThreadCancel();
    void threadsafeFromQThreadResult();
    void threadsafeFromQThreadException();
    void threadsafeFromQThreadCancel();
    void threadsafeVoid();
    void threadsafeCancelledTaskCancelsQFuture();
    void threadsafeCancelledBeforeStart();
    void threadsafeLoopClosedBeforeStart();
    void threadsafeAcrossLoops();
    void threadsafeAcrossLoopsCancel();

private:
    QThreadPool m_pool;
};

void TestInteropQFuture::cleanup()
{
    m_pool.waitForDone();
}

// ---- wrapFuture ----

void TestInteropQFuture::wrapConcurrentResult()
{
    Loop loop;
    interop::Reports reports(loop);
    QFuture<int> job = QtConcurrent::run(&m_pool, [] {
        QThread::msleep(10);
        return 6 * 7;
    });
    QCOMPARE(loop.runUntilComplete(wrapFuture(job, loop)), 42);
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQFuture::wrapConcurrentVoid()
{
    Loop loop;
    std::atomic<bool> ran{false};
    QFuture<void> job = QtConcurrent::run(&m_pool, [&ran] {
        QThread::msleep(10);
        ran = true;
    });
    loop.runUntilComplete(wrapFuture(job, loop));
    QVERIFY(ran);
}

void TestInteropQFuture::wrapConcurrentStdExceptionIsUnwrapped()
{
    Loop loop;
    interop::Reports reports(loop);
    QFuture<int> job = QtConcurrent::run(&m_pool, []() -> int {
        throw std::runtime_error("worker failed");
    });
    Future<int> future = wrapFuture(job, loop);
    // QtConcurrent stored a QUnhandledException; the Future has the original.
    INTEROP_VERIFY_THROWS(std::runtime_error, "worker failed", loop.runUntilComplete(future));
    QVERIFY(!future.cancelled());
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQFuture::wrapConcurrentQaioExceptionKeepsType()
{
    Loop loop;
    QFuture<int> job = QtConcurrent::run(&m_pool, []() -> int { throw TimeoutError("late"); });
    Future<int> future = wrapFuture(job, loop);
    try {
        loop.runUntilComplete(future);
        QFAIL("no exception");
    } catch (const TimeoutError &e) {
        QCOMPARE(QString::fromUtf8(e.what()), QStringLiteral("late"));
    }
}

void TestInteropQFuture::wrapConcurrentQExceptionKeepsType()
{
    Loop loop;
    QFuture<int> job = QtConcurrent::run(&m_pool, []() -> int { throw CodedQException(17); });
    Future<int> future = wrapFuture(job, loop);
    try {
        loop.runUntilComplete(future);
        QFAIL("no exception");
    } catch (const CodedQException &e) {
        QCOMPARE(e.code, 17);
    }
}

void TestInteropQFuture::wrapReadyFuture()
{
    Loop loop;
    Future<QString> future = wrapFuture(QtFuture::makeReadyFuture(QStringLiteral("ready")), loop);
    QVERIFY(future.done()); // settled at once, with callbacks still scheduled by callSoon
    QCOMPARE(future.result(), QStringLiteral("ready"));
    QCOMPARE(loop.runUntilComplete(future), QStringLiteral("ready"));
}

void TestInteropQFuture::wrapDefaultConstructedFutureIsCancelled()
{
    Loop loop;
    Future<int> future = wrapFuture(QFuture<int>(), loop);
    QVERIFY(future.cancelled());
}

void TestInteropQFuture::wrapPromiseFromStdThread()
{
    Loop loop;
    auto promise = std::make_shared<QPromise<int>>();
    promise->start();
    Future<int> future = wrapFuture(promise->future(), loop);
    std::thread producer([promise] {
        std::this_thread::sleep_for(10ms);
        promise->addResult(7);
        promise->finish();
    });
    QCOMPARE(loop.runUntilComplete(future), 7);
    producer.join();
}

void TestInteropQFuture::wrapPromiseExceptionFromStdThread()
{
    Loop loop;
    auto promise = std::make_shared<QPromise<int>>();
    promise->start();
    Future<int> future = wrapFuture(promise->future(), loop);
    std::thread producer([promise] {
        std::this_thread::sleep_for(10ms);
        promise->setException(std::make_exception_ptr(std::invalid_argument("bad input")));
        promise->finish();
    });
    try {
        loop.runUntilComplete(future);
        QFAIL("no exception");
    } catch (const std::invalid_argument &e) {
        QCOMPARE(QString::fromUtf8(e.what()), QStringLiteral("bad input"));
    }
    producer.join();
}

void TestInteropQFuture::wrapPromiseWithoutResult()
{
    Loop loop;
    auto promise = std::make_shared<QPromise<int>>();
    promise->start();
    Future<int> future = wrapFuture(promise->future(), loop);
    loop.callLater(0.005, [promise] { promise->finish(); });
    INTEROP_VERIFY_THROWS(RuntimeError, "without a result", loop.runUntilComplete(future));
}

void TestInteropQFuture::wrapMoveOnlyResult()
{
    Loop loop;
    QFuture<std::unique_ptr<int>> job =
        QtConcurrent::run(&m_pool, [] { return std::make_unique<int>(5); });
    Future<std::unique_ptr<int>> future = wrapFuture(std::move(job), loop);
    std::unique_ptr<int> value = loop.runUntilComplete(future);
    QVERIFY(value);
    QCOMPARE(*value, 5);
}

void TestInteropQFuture::wrapCallbacksRunOnLoopThread()
{
    Loop loop;
    QThread *callbackThread = nullptr;
    QFuture<int> job = QtConcurrent::run(&m_pool, [] { return 1; });
    Future<int> future = wrapFuture(job, loop);
    future.addDoneCallback([&](const FutureBase &) { callbackThread = QThread::currentThread(); });
    loop.runUntilComplete(future);
    interop::runFor(loop, 0.001);
    QCOMPARE(callbackThread, QThread::currentThread());
}

void TestInteropQFuture::cancelledQFutureCancelsFuture()
{
    Loop loop;
    std::atomic<int> state{NotStarted};
    QFuture<int> job = QtConcurrent::run(&m_pool, cancellableJob, &state);
    Future<int> future = wrapFuture(job, loop);
    // Cancelled from another thread while the job runs.
    std::thread canceller([&] {
        while (state.load() == NotStarted)
            std::this_thread::sleep_for(1ms);
        job.cancel();
    });
    QElapsedTimer clock;
    clock.start();
    QVERIFY(interop::runUntil(loop, [&] { return future.done(); }));
    canceller.join();
    QVERIFY(future.cancelled());
    QVERIFY(clock.elapsed() < 1500);
    job.waitForFinished();
    QCOMPARE(state.load(), int(StoppedEarly));
}

void TestInteropQFuture::cancelledFutureCancelsQFuture()
{
    Loop loop;
    interop::Reports reports(loop);
    std::atomic<int> state{NotStarted};
    QFuture<int> job = QtConcurrent::run(&m_pool, cancellableJob, &state);
    Future<int> future = wrapFuture(job, loop);
    QVERIFY(interop::runUntil(loop, [&] { return state.load() == Running; }));
    QVERIFY(future.cancel());
    QVERIFY(interop::runUntil(loop, [&] { return state.load() == StoppedEarly; }));
    QVERIFY(job.isCanceled());
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQFuture::wrapFromWrongThreadThrows()
{
    Loop loop;
    QFuture<int> ready = QtFuture::makeReadyFuture(1);
    QString error;
    std::thread other([&] {
        try {
            wrapFuture(ready, loop);
        } catch (const RuntimeError &e) {
            error = QString::fromUtf8(e.what());
        }
    });
    other.join();
    QVERIFY2(error.contains(QStringLiteral("loop's thread")), qPrintable(error));
}

void TestInteropQFuture::wrapOutlivesClosedLoop()
{
    auto promise = std::make_shared<QPromise<int>>();
    promise->start();
    {
        Loop loop;
        Future<int> future = wrapFuture(promise->future(), loop);
        loop.close();
        // The QFuture finishes after the loop is closed, then after it is gone.
        promise->addResult(3);
        promise->finish();
        QCoreApplication::processEvents();
        QVERIFY(!future.done());
    }
    QTest::qWait(5);
}

// ---- co_await QFuture ----

void TestInteropQFuture::awaitQFuture()
{
    Loop loop;
    auto coro = [](QThreadPool *pool) -> Coro<int> {
        const int a = co_await QtConcurrent::run(pool, [] { return 20; });
        const int b = co_await QtConcurrent::run(pool, [] {
            QThread::msleep(5);
            return 22;
        });
        co_return a + b;
    };
    QCOMPARE(loop.runUntilComplete(coro(&m_pool)), 42);
}

void TestInteropQFuture::awaitQFutureVoid()
{
    Loop loop;
    std::atomic<bool> ran{false};
    auto coro = [](QThreadPool *pool, std::atomic<bool> *flag) -> Coro<void> {
        co_await QtConcurrent::run(pool, [flag] { *flag = true; });
    };
    loop.runUntilComplete(coro(&m_pool, &ran));
    QVERIFY(ran);
}

void TestInteropQFuture::awaitQFutureException()
{
    Loop loop;
    auto coro = [](QThreadPool *pool) -> Coro<QString> {
        try {
            co_await QtConcurrent::run(pool, []() -> int { throw std::out_of_range("index 9"); });
        } catch (const std::out_of_range &e) {
            co_return QString::fromUtf8(e.what());
        }
        co_return QString();
    };
    QCOMPARE(loop.runUntilComplete(coro(&m_pool)), QStringLiteral("index 9"));
}

void TestInteropQFuture::awaitQFutureCancelTaskCancelsQFuture()
{
    Loop loop;
    interop::Reports reports(loop);
    interop::LogCapture log;
    std::atomic<int> state{NotStarted};
    bool resumed = false;
    auto coro = [](QThreadPool *pool, std::atomic<int> *st, bool *after) -> Coro<int> {
        const int value = co_await QtConcurrent::run(pool, cancellableJob, st);
        *after = true;
        co_return value;
    };
    auto task = loop.createTask(coro(&m_pool, &state, &resumed));
    QVERIFY(interop::runUntil(loop, [&] { return state.load() == Running; }));
    QElapsedTimer clock;
    clock.start();
    task.cancel();
    QVERIFY(interop::runUntil(loop, [&] { return task.done(); }));
    QVERIFY(task.cancelled());
    QVERIFY(clock.elapsed() < 1500);
    // The QFuture was cancelled too: the job saw it and stopped.
    QVERIFY(interop::runUntil(loop, [&] { return state.load() == StoppedEarly; }));
    interop::runFor(loop, 0.01);
    QVERIFY(!resumed);
    QCOMPARE(reports.messages(), QStringList());
    QCOMPARE(log.problems(), QStringList());
}

// ---- runCoroutineThreadsafe ----

namespace {
// What a caller thread saw of the QFuture it got.
struct CallerReport
{
    std::atomic<bool> finished{false};
    std::atomic<bool> canceled{false};
    std::atomic<int> value{0};
    QString error; // written before `finished`
};

template<class T>
void waitAndReport(QFuture<T> future, CallerReport *report)
{
    try {
        future.waitForFinished();
        report->canceled = future.isCanceled();
        if constexpr (!std::is_void_v<T>) {
            if (!future.isCanceled() && future.resultCount() > 0)
                report->value = future.result();
        }
    } catch (const std::runtime_error &e) {
        report->error = QStringLiteral("runtime_error: ") + QString::fromUtf8(e.what());
    } catch (const std::exception &e) {
        report->error = QStringLiteral("other: ") + QString::fromUtf8(e.what());
    }
    report->finished = true;
}
} // namespace

void TestInteropQFuture::threadsafeFromStdThreadResult()
{
    Loop loop;
    interop::Reports reports(loop);
    CallerReport report;
    std::thread caller([&] {
        waitAndReport(runCoroutineThreadsafe(valueAfter(0.005, 42), loop), &report);
    });
    QVERIFY(interop::runUntil(loop, [&] { return report.finished.load(); }));
    caller.join();
    QCOMPARE(report.value.load(), 42);
    QVERIFY(!report.canceled);
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQFuture::threadsafeFromStdThreadException()
{
    Loop loop;
    interop::Reports reports(loop);
    CallerReport report;
    std::thread caller([&] {
        waitAndReport(runCoroutineThreadsafe(throwAfter(0.005, "coroutine failed"), loop), &report);
    });
    QVERIFY(interop::runUntil(loop, [&] { return report.finished.load(); }));
    caller.join();
    QCOMPARE(report.error, QStringLiteral("runtime_error: coroutine failed"));
    // The QFuture took the exception: nothing is left unretrieved.
    interop::runFor(loop, 0.005);
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQFuture::threadsafeFromStdThreadCancel()
{
    Loop loop;
    interop::Reports reports(loop);
    std::atomic<bool> started{false};
    std::atomic<bool> sawCancel{false};
    CallerReport report;
    std::thread caller([&] {
        QFuture<int> future = runCoroutineThreadsafe(sleepRecordingCancel(&started, &sawCancel), loop);
        while (!started)
            std::this_thread::sleep_for(1ms);
        future.cancel();
        waitAndReport(future, &report);
    });
    QVERIFY(interop::runUntil(loop, [&] { return report.finished.load(); }));
    caller.join();
    QVERIFY(report.canceled);
    QVERIFY(sawCancel);
    QVERIFY(allTasks(loop).isEmpty());
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQFuture::threadsafeFromQThreadResult()
{
    Loop loop;
    CallerReport report;
    std::unique_ptr<QThread> caller(QThread::create([&] {
        waitAndReport(runCoroutineThreadsafe(valueAfter(0.005, 17), loop), &report);
    }));
    caller->start();
    QVERIFY(interop::runUntil(loop, [&] { return report.finished.load(); }));
    QVERIFY(caller->wait(5000));
    QCOMPARE(report.value.load(), 17);
}

void TestInteropQFuture::threadsafeFromQThreadException()
{
    Loop loop;
    CallerReport report;
    std::unique_ptr<QThread> caller(QThread::create([&] {
        waitAndReport(runCoroutineThreadsafe(throwAfter(0.001, "from qthread"), loop), &report);
    }));
    caller->start();
    QVERIFY(interop::runUntil(loop, [&] { return report.finished.load(); }));
    QVERIFY(caller->wait(5000));
    QCOMPARE(report.error, QStringLiteral("runtime_error: from qthread"));
}

void TestInteropQFuture::threadsafeFromQThreadCancel()
{
    Loop loop;
    std::atomic<bool> started{false};
    std::atomic<bool> sawCancel{false};
    CallerReport report;
    std::unique_ptr<QThread> caller(QThread::create([&] {
        QFuture<int> future = runCoroutineThreadsafe(sleepRecordingCancel(&started, &sawCancel), loop);
        while (!started)
            QThread::msleep(1);
        future.cancel();
        waitAndReport(future, &report);
    }));
    caller->start();
    QVERIFY(interop::runUntil(loop, [&] { return report.finished.load(); }));
    QVERIFY(caller->wait(5000));
    QVERIFY(report.canceled);
    QVERIFY(sawCancel);
}

void TestInteropQFuture::threadsafeVoid()
{
    Loop loop;
    std::atomic<bool> done{false};
    CallerReport report;
    std::thread caller([&] {
        waitAndReport(runCoroutineThreadsafe(voidAfter(0.001, &done), loop), &report);
    });
    QVERIFY(interop::runUntil(loop, [&] { return report.finished.load(); }));
    caller.join();
    QVERIFY(done);
    QVERIFY(!report.canceled);
    QCOMPARE(report.error, QString());
}

void TestInteropQFuture::threadsafeCancelledTaskCancelsQFuture()
{
    Loop loop;
    std::atomic<bool> started{false};
    std::atomic<bool> sawCancel{false};
    CallerReport report;
    std::thread caller([&] {
        waitAndReport(runCoroutineThreadsafe(sleepRecordingCancel(&started, &sawCancel), loop),
                      &report);
    });
    // The task is cancelled on the loop's side.
    QVERIFY(interop::runUntil(loop, [&] { return started.load(); }));
    const QList<TaskBase> tasks = allTasks(loop);
    QCOMPARE(tasks.size(), 1);
    TaskBase(tasks.first()).cancel();
    QVERIFY(interop::runUntil(loop, [&] { return report.finished.load(); }));
    caller.join();
    QVERIFY(report.canceled);
    QVERIFY(sawCancel);
}

void TestInteropQFuture::threadsafeCancelledBeforeStart()
{
    Loop loop;
    std::atomic<bool> started{false};
    std::atomic<bool> sawCancel{false};
    // Cancelled before the loop ever ran the callback that creates the task:
    // asyncio cancels the task before its first step, so its body never runs.
    QFuture<int> future = runCoroutineThreadsafe(sleepRecordingCancel(&started, &sawCancel), loop);
    future.cancel();
    QVERIFY(interop::runUntil(loop, [&] { return future.isFinished(); }));
    QVERIFY(future.isCanceled());
    QVERIFY(!started);
    QVERIFY(allTasks(loop).isEmpty());
}

void TestInteropQFuture::threadsafeLoopClosedBeforeStart()
{
    QFuture<int> future;
    {
        Loop loop;
        future = runCoroutineThreadsafe(valueAfter(0.001, 1), loop);
        loop.close();
    }
    // Nobody waits forever: the QFuture ended cancelled.
    QVERIFY(future.isFinished());
    QVERIFY(future.isCanceled());
}

void TestInteropQFuture::threadsafeAcrossLoops()
{
    LoopThread worker;
    Loop loop;
    QThread *ranIn = nullptr;
    auto onWorker = [](QThread **where) -> Coro<int> {
        co_await qaio::sleep(0.005);
        *where = QThread::currentThread();
        co_return 99;
    };
    auto coro = [](Loop *other, Coro<int> remote) -> Coro<int> {
        const int value = co_await runCoroutineThreadsafe(std::move(remote), *other);
        co_return value;
    };
    QCOMPARE(loop.runUntilComplete(coro(&worker.loop(), onWorker(&ranIn))), 99);
    QVERIFY(ranIn != nullptr);
    QVERIFY(ranIn != QThread::currentThread());
}

void TestInteropQFuture::threadsafeAcrossLoopsCancel()
{
    LoopThread worker;
    Loop loop;
    interop::Reports reports(loop);
    std::atomic<bool> started{false};
    std::atomic<bool> sawCancel{false};
    auto coro = [](Loop *other, Coro<int> remote) -> Coro<int> {
        co_return co_await runCoroutineThreadsafe(std::move(remote), *other);
    };
    auto task = loop.createTask(coro(&worker.loop(), sleepRecordingCancel(&started, &sawCancel)));
    QVERIFY(interop::runUntil(loop, [&] { return started.load(); }));
    // Cancelling the local task cancels the QFuture, which cancels the remote task.
    task.cancel();
    QVERIFY(interop::runUntil(loop, [&] { return task.done(); }));
    QVERIFY(task.cancelled());
    QVERIFY(interop::runUntil(loop, [&] { return sawCancel.load(); }));
    QCOMPARE(reports.messages(), QStringList());
}

QTEST_GUILESS_MAIN(TestInteropQFuture)
#include "tst_interop_qfuture.moc"
