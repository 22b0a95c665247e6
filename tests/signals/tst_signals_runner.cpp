// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_signals_runner — Ctrl+C in Runner/run() (ported from CPython's
// test_runners.py: test_interrupt_*, test_signal_install_not_supported_ok),
// the exit status 130 of a real child process, quitting the QCoreApplication
// with tasks pending (aboutToQuit), and toThread (ported from test_threads.py).
#include "signals_util.h"

#include <QtCore/QProcess>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QtTest>

#include <atomic>
#include <csignal>
#include <thread>
#include <unistd.h>

using namespace qaio;

namespace {

void interruptSelf()
{
    ::kill(::getpid(), SIGINT);
}

std::atomic<int> g_customSigint{0};
void customSigint(int)
{
    g_customSigint.fetch_add(1);
}

// Starts signals_child in `mode` and waits until it printed `line`.
bool startChild(QProcess &process, const QString &mode, const QByteArray &line = "ready")
{
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(QStringLiteral(SIGNALS_CHILD), {mode});
    if (!process.waitForStarted(5000))
        return false;
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (!out.contains(line + '\n') && timer.elapsed() < 5000) {
        process.waitForReadyRead(100);
        out += process.readAllStandardOutput();
    }
    process.setProperty("early", out);
    return out.contains(line + '\n');
}

QByteArray allOutput(QProcess &process)
{
    return process.property("early").toByteArray() + process.readAllStandardOutput();
}

} // namespace

class TestSignalsRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    // test_runners.py
    void interruptCallSoon();
    void interruptWait();
    void interruptCancelledTask();
    void interruptSwallowedByTheTaskReturnsItsResult();
    void signalNotInstalledOutsideMainThread();
    void customSigintHandlerIsKept();
    void sigintHandlerOnlyDuringRun();
    void runMainExitStatus();
    void runnerCloseShutsDownTheDefaultExecutor();
    // real processes
    void childCtrlCExits130AfterCleanup();
    void childSecondCtrlCInterruptsAtOnce();
    void childQuitFinishesPendingTasks();
    void childQuitFromATaskFinishesIt();
    // aboutToQuit in this process
    void quitCancelsAndFinishesPendingTasks();
    void quitWithNoTasksDoesNothing();
    // test_threads.py
    void toThreadResult();
    void toThreadException();
    void toThreadOnce();
    void toThreadConcurrent();
    void toThreadArguments();
    void toThreadCancelled();
    void toThreadAfterExecutorShutdown();
    void toThreadRunsOnAnotherThread();
};

void TestSignalsRunner::init()
{
    // QTest's crash handler owns SIGINT; these tests need the default.
    st::setDisposition(SIGINT, SIG_DFL);
    g_customSigint = 0;
}

void TestSignalsRunner::cleanup()
{
    st::setDisposition(SIGINT, SIG_DFL);
}

void TestSignalsRunner::interruptCallSoon()
{
    // The task is never suspended on a future, only yields with sleep(0).
    bool sawCancel = false;
    auto coro = [&]() -> Coro<void> {
        try {
            for (;;)
                co_await qaio::sleep(0);
        } catch (const CancelledError &) {
            sawCancel = true;
            throw;
        }
    };
    Runner runner;
    runner.getLoop().callLater(0.05, interruptSelf);
    QVERIFY_THROWS_EXCEPTION(KeyboardInterrupt, runner.run(coro()));
    QVERIFY(sawCancel);
}

void TestSignalsRunner::interruptWait()
{
    // Interrupting while waiting on a future cancels both the future and the main task.
    Runner runner;
    auto fut = runner.getLoop().createFuture<int>();
    bool sawCancel = false;
    auto coro = [&]() -> Coro<void> {
        try {
            co_await fut;
        } catch (const CancelledError &) {
            sawCancel = true;
            throw;
        }
    };
    runner.getLoop().callLater(0.05, interruptSelf);
    QVERIFY_THROWS_EXCEPTION(KeyboardInterrupt, runner.run(coro()));
    QVERIFY(sawCancel);
    QVERIFY(fut.cancelled());
}

void TestSignalsRunner::interruptCancelledTask()
{
    // Interrupting a main task that was already cancelled: CancelledError, not KeyboardInterrupt.
    auto subtask = [](TaskBase task) -> Coro<void> {
        co_await qaio::sleep(0);
        task.cancel();
        interruptSelf();
    };
    auto coro = [&]() -> Coro<void> {
        createTask(subtask(currentTask()));
        co_await qaio::sleep(10);
    };
    Runner runner;
    QVERIFY_THROWS_EXCEPTION(CancelledError, runner.run(coro()));
}

void TestSignalsRunner::interruptSwallowedByTheTaskReturnsItsResult()
{
    auto coro = []() -> Coro<int> {
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
            currentTask().uncancel();
        }
        co_return 7;
    };
    Runner runner;
    runner.getLoop().callLater(0.02, interruptSelf);
    QCOMPARE(runner.run(coro()), 7);
}

void TestSignalsRunner::signalNotInstalledOutsideMainThread()
{
    // test_signal_install_not_supported_ok: a Runner in another thread runs
    // without touching SIGINT.
    int result = 0;
    void *during = nullptr;
    QThread *thread = QThread::create([&] {
        auto coro = [&]() -> Coro<int> {
            during = st::disposition(SIGINT);
            co_await qaio::sleep(0);
            co_return 5;
        };
        result = qaio::run(coro());
    });
    thread->start();
    QVERIFY(thread->wait(5000));
    delete thread;
    QCOMPARE(result, 5);
    QCOMPARE(during, reinterpret_cast<void *>(SIG_DFL));
}

void TestSignalsRunner::customSigintHandlerIsKept()
{
    // asyncio installs its handler only over default_int_handler.
    st::setDisposition(SIGINT, customSigint);
    auto coro = []() -> Coro<int> {
        interruptSelf(); // goes to the program's own handler
        co_await qaio::sleep(0.01);
        co_return 3;
    };
    QCOMPARE(qaio::run(coro()), 3);
    QCOMPARE(g_customSigint.load(), 1);
    QCOMPARE(st::disposition(SIGINT), reinterpret_cast<void *>(customSigint));
}

void TestSignalsRunner::sigintHandlerOnlyDuringRun()
{
    Runner runner;
    void *during = nullptr;
    auto coro = [&]() -> Coro<void> {
        during = st::disposition(SIGINT);
        co_return;
    };
    runner.run(coro());
    QVERIFY(during != reinterpret_cast<void *>(SIG_DFL));
    QVERIFY(st::isDefault(SIGINT));
    // A loop handler for SIGINT set during run() replaces the Runner's; removing
    // it afterwards restores the default, not the Runner's handler.
    auto withHandler = [&]() -> Coro<void> {
        getRunningLoop().addSignalHandler(SIGINT, [] {});
        co_return;
    };
    runner.run(withHandler());
    QVERIFY(!st::isDefault(SIGINT));
    QVERIFY(runner.getLoop().removeSignalHandler(SIGINT));
    QVERIFY(st::isDefault(SIGINT));
}

void TestSignalsRunner::runMainExitStatus()
{
    auto seven = []() -> Coro<int> { co_return 7; };
    QCOMPARE(qaio::runMain(seven()), 7);
    auto nothing = []() -> Coro<void> { co_return; };
    QCOMPARE(qaio::runMain(nothing()), 0);
    auto interrupted = []() -> Coro<int> {
        getRunningLoop().callLater(0.02, interruptSelf);
        co_await qaio::sleep(10);
        co_return 1;
    };
    QCOMPARE(qaio::runMain(interrupted()), 130);
    QCOMPARE(KeyboardInterrupt::exitStatus, 130);
    // Other errors still propagate.
    auto failing = []() -> Coro<int> {
        throw ValueError("bad");
        co_return 0;
    };
    QVERIFY_THROWS_EXCEPTION(ValueError, qaio::runMain(failing()));
}

void TestSignalsRunner::runnerCloseShutsDownTheDefaultExecutor()
{
    // asyncio.Runner.close() awaits shutdown_default_executor(): a job still
    // running when the main task returns has finished once run() returns.
    std::atomic<bool> finished{false};
    auto coro = [&]() -> Coro<void> {
        Loop &loop = getRunningLoop();
        loop.runInExecutor(nullptr, [&] {
            QThread::msleep(100);
            finished = true;
        });
        co_await qaio::sleep(0.01);
    };
    qaio::run(coro());
    QVERIFY(finished.load());
}

void TestSignalsRunner::childCtrlCExits130AfterCleanup()
{
    QProcess child;
    QVERIFY(startChild(child, QStringLiteral("runner")));
    ::kill(child.processId(), SIGINT);
    QVERIFY(child.waitForFinished(5000));
    const QByteArray out = allOutput(child);
    QCOMPARE(child.exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.exitCode(), 130);
    // The main task's catch block and destructors, then the Runner's cleanup
    // of the background task, then main() returning 130.
    const QList<QByteArray> expected = {"ready", "main cancelled", "main destructor", "background cancelled",
                                        "background destructor", "exit status 130"};
    QCOMPARE(out.trimmed().split('\n'), expected);
}

void TestSignalsRunner::childSecondCtrlCInterruptsAtOnce()
{
    QProcess child;
    QVERIFY(startChild(child, QStringLiteral("stubborn")));
    ::kill(child.processId(), SIGINT);
    QByteArray out = allOutput(child);
    QElapsedTimer timer;
    timer.start();
    while (!out.contains("cleanup started") && timer.elapsed() < 5000) {
        child.waitForReadyRead(100);
        out += child.readAllStandardOutput();
    }
    QVERIFY2(out.contains("cleanup started"), out.constData());
    timer.restart();
    ::kill(child.processId(), SIGINT);
    QVERIFY(child.waitForFinished(5000));
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit); // killed by SIGINT, as Python is
    QVERIFY(!child.readAllStandardOutput().contains("cleanup finished"));
}

void TestSignalsRunner::childQuitFinishesPendingTasks()
{
    QProcess child;
    QVERIFY(startChild(child, QStringLiteral("quit"), "quitting"));
    QVERIFY(child.waitForFinished(5000));
    const QByteArray out = allOutput(child);
    QCOMPARE(child.exitCode(), 0);
    const QList<QByteArray> expected = {"quitting", "task a cancelled", "task b cancelled",
                                        "exec returned 0; a cancelled, b cancelled", "errors 0"};
    QCOMPARE(out.trimmed().split('\n'), expected);
    const QByteArray err = child.readAllStandardError();
    QVERIFY2(!err.contains("destroyed but it is pending"), err.constData());
}

void TestSignalsRunner::childQuitFromATaskFinishesIt()
{
    QProcess child;
    QVERIFY(startChild(child, QStringLiteral("quit-from-task"), "quitting"));
    QVERIFY(child.waitForFinished(5000));
    const QByteArray out = allOutput(child);
    QCOMPARE(child.exitCode(), 0);
    // exit() emits aboutToQuit inside the quitting task's step: the other
    // tasks finish there. The quitting task is cancelled too; its next
    // co_await throws either still inside exec() (when the iteration goes on)
    // or when the loop closes, never "destroyed but pending".
    QList<QByteArray> lines = out.trimmed().split('\n');
    QCOMPARE(lines.size(), 7);
    const QList<QByteArray> first = {"quitting", "task a cancelled", "task b cancelled"};
    QCOMPARE(lines.mid(0, 3), first);
    const qsizetype quitterAt = lines.indexOf("quitter cancelled");
    const qsizetype execAt = lines.indexOf("exec returned 0; a cancelled, b cancelled");
    QVERIFY(quitterAt == 3 || quitterAt == 4);
    QVERIFY(execAt == 3 || execAt == 4);
    const QList<QByteArray> last = {"quitter task: cancelled", "errors 0"};
    QCOMPARE(lines.mid(5), last);
    const QByteArray err = child.readAllStandardError();
    QVERIFY2(!err.contains("destroyed but it is pending"), err.constData());
}

void TestSignalsRunner::quitCancelsAndFinishesPendingTasks()
{
    Loop loop;
    QStringList log;
    QStringList errors;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &c) { errors << c.message; });
    auto worker = [&](QString name) -> Coro<void> {
        try {
            co_await qaio::sleep(30);
        } catch (const CancelledError &) {
            log << name + " cancelled";
        }
        co_await qaio::sleep(0.01); // cleanup that itself awaits
        log << name + " cleaned up";
    };
    auto a = loop.createTask(worker(QStringLiteral("a")));
    auto b = loop.createTask(worker(QStringLiteral("b")));
    QTimer::singleShot(20, QCoreApplication::instance(), [] { QCoreApplication::quit(); });
    QCOMPARE(QCoreApplication::exec(), 0);
    QVERIFY(a.done());
    QVERIFY(b.done());
    QCOMPARE(log, (QStringList{"a cancelled", "b cancelled", "a cleaned up", "b cleaned up"}));
    loop.close();
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
}

void TestSignalsRunner::quitWithNoTasksDoesNothing()
{
    Loop loop;
    int callbacks = 0;
    loop.callSoon([&] { ++callbacks; });
    QTimer::singleShot(20, QCoreApplication::instance(), [] { QCoreApplication::quit(); });
    QCOMPARE(QCoreApplication::exec(), 0);
    QCOMPARE(callbacks, 1);
    QVERIFY(!loop.isClosed());
    loop.close();
}

// ---------------------------------------------------------------- test_threads.py

void TestSignalsRunner::toThreadResult()
{
    auto coro = []() -> Coro<QString> {
        co_return co_await toThread([] { return QStringLiteral("test"); });
    };
    QCOMPARE(qaio::run(coro()), QStringLiteral("test"));
}

void TestSignalsRunner::toThreadException()
{
    auto coro = []() -> Coro<void> {
        co_await toThread([] { throw RuntimeError("test"); });
    };
    auto error = st::errorOf([&] { qaio::run(coro()); });
    QVERIFY(st::holds<RuntimeError>(error));
    QCOMPARE(st::whatOf(error), QStringLiteral("test"));
}

void TestSignalsRunner::toThreadOnce()
{
    std::atomic<int> calls{0};
    auto coro = [&]() -> Coro<void> {
        co_await toThread([&] { calls.fetch_add(1); });
    };
    qaio::run(coro());
    QCOMPARE(calls.load(), 1);
}

void TestSignalsRunner::toThreadConcurrent()
{
    std::atomic<int> calls{0};
    auto coro = [&]() -> Coro<int> {
        std::vector<Task<int>> tasks;
        for (int i = 0; i < 10; ++i) {
            auto job = [&calls, i] {
                calls.fetch_add(1);
                return i;
            };
            tasks.push_back(createTask(toThread(job)));
        }
        int sum = 0;
        for (Task<int> &t : tasks)
            sum += co_await t;
        co_return sum;
    };
    QCOMPARE(qaio::run(coro()), 45);
    QCOMPARE(calls.load(), 10);
}

void TestSignalsRunner::toThreadArguments()
{
    // test_to_thread_args_kwargs: positional arguments (C++ has no kwargs).
    auto coro = []() -> Coro<QString> {
        auto join = [](QString a, int b, QString c) { return a + QString::number(b) + c; };
        co_return co_await toThread(join, QStringLiteral("x"), 1, QStringLiteral("y"));
    };
    QCOMPARE(qaio::run(coro()), QStringLiteral("x1y"));
}

void TestSignalsRunner::toThreadCancelled()
{
    // Cancelling the awaiting task: CancelledError at once; the job already
    // running still finishes (a thread cannot be stopped) and its result is dropped.
    std::atomic<bool> release{false};
    std::atomic<bool> finished{false};
    bool cancelled = false;
    auto coro = [&]() -> Coro<void> {
        auto job = [&] {
            while (!release.load())
                QThread::msleep(1);
            finished = true;
            return 1;
        };
        auto t = createTask(toThread(job));
        co_await qaio::sleep(0.02);
        t.cancel();
        try {
            co_await t;
        } catch (const CancelledError &) {
            cancelled = true;
        }
        release = true;
    };
    qaio::run(coro());
    QVERIFY(cancelled);
    QVERIFY(finished.load()); // Runner::close waited for the executor's threads
}

void TestSignalsRunner::toThreadAfterExecutorShutdown()
{
    // Bad input: the default executor after shutdownDefaultExecutor().
    QString message;
    auto coro = [&]() -> Coro<int> {
        Loop &loop = getRunningLoop();
        int before = co_await toThread([] { return 1; });
        co_await loop.shutdownDefaultExecutor();
        try {
            co_await toThread([] { return 2; });
        } catch (const RuntimeError &e) {
            message = QString::fromUtf8(e.what());
        }
        co_await qaio::sleep(0); // the loop keeps running
        co_return before;
    };
    QCOMPARE(qaio::run(coro()), 1);
    QCOMPARE(message, QStringLiteral("Executor shutdown has been called"));
}

void TestSignalsRunner::toThreadRunsOnAnotherThread()
{
    QThread *mainThread = QThread::currentThread();
    auto coro = [&]() -> Coro<bool> {
        QThread *worker = co_await toThread([] { return QThread::currentThread(); });
        co_return worker != mainThread && QThread::currentThread() == mainThread;
    };
    QVERIFY(qaio::run(coro()));
}

QTEST_GUILESS_MAIN(TestSignalsRunner)
#include "tst_signals_runner.moc"
