// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_signals_handlers — Loop::addSignalHandler / removeSignalHandler with real
// signals sent to this process. Ported from CPython's test_unix_events.py
// (SelectorEventLoopSignalTests) and test_events.py (test_add_signal_handler,
// test_signal_handling_while_selecting, test_signal_handling_args), plus
// qaio's own rules: handlers run as loop callbacks, SIGCHLD chains so that
// QProcess keeps working.
#include "signals_util.h"

#include <QtCore/QProcess>
#include <QtCore/QThread>
#include <QtTest/QtTest>

#include <atomic>
#include <csignal>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace qaio;

namespace {

std::atomic<int> g_cHandlerCalls{0};
void countingHandler(int)
{
    g_cHandlerCalls.fetch_add(1);
}

// The signals these tests use go back to their default after each test.
const int kUsedSignals[] = {SIGUSR1, SIGUSR2, SIGHUP, SIGALRM, SIGINT, SIGCHLD};

} // namespace

class TestSignalsHandlers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void invalidSignalNumbersAreValueError();
    void sigkillAndSigstopCannotBeCaught();
    void handlerRunsAsLoopCallback();
    void handlerNeverRunsInSignalContext();
    void handlerArguments();
    void signalWhileWaitingInPoll();
    void everySignalRunsTheHandler();
    void removeRestoresDefaultDisposition();
    void removeSigintRestoresPreviousHandler();
    void removeOneKeepsTheOther();
    void secondAddReplacesTheCallback();
    void cancelledHandleRemovesHandlerOnNextSignal();
    void closeRemovesAllHandlers();
    void closedLoopIsRuntimeError();
    void otherThreadIsRuntimeError();
    void exceptionInHandlerGoesToExceptionHandler();
    void sigchldChainsToPreviousHandler();
    void qprocessWorksWhileSigchldIsHandled();
};

void TestSignalsHandlers::init()
{
    for (int sig : kUsedSignals)
        st::setDisposition(sig, SIG_DFL);
    g_cHandlerCalls = 0;
}

void TestSignalsHandlers::cleanup()
{
    for (int sig : kUsedSignals)
        st::setDisposition(sig, SIG_DFL);
}

void TestSignalsHandlers::invalidSignalNumbersAreValueError()
{
    // test_check_signal, test_add_signal_handler (error behaviour)
    Loop loop;
    auto noop = [] {};
    for (int sig : {NSIG + 1, NSIG, 0, -1, 32 /* glibc's own */}) {
        auto error = st::errorOf([&] { loop.addSignalHandler(sig, noop); });
        QVERIFY2(st::holds<ValueError>(error), qPrintable(QString::number(sig)));
        QCOMPARE(st::whatOf(error), QStringLiteral("invalid signal number %1").arg(sig));
        QVERIFY_THROWS_EXCEPTION(ValueError, loop.removeSignalHandler(sig));
    }
    loop.close();
}

void TestSignalsHandlers::sigkillAndSigstopCannotBeCaught()
{
    // test_add_signal_handler_install_error2: EINVAL -> RuntimeError, nothing left behind
    Loop loop;
    for (int sig : {SIGKILL, SIGSTOP}) {
        auto error = st::errorOf([&] { loop.addSignalHandler(sig, [] {}); });
        QVERIFY(st::holds<RuntimeError>(error));
        QCOMPARE(st::whatOf(error), QStringLiteral("sig %1 cannot be caught").arg(sig));
        // Removing it does not raise: no handler was registered.
        QVERIFY(!loop.removeSignalHandler(sig));
    }
    // A valid handler still works afterwards.
    int caught = 0;
    loop.addSignalHandler(SIGUSR1, [&] { ++caught; });
    ::kill(::getpid(), SIGUSR1);
    QVERIFY(st::runUntil(loop, [&] { return caught == 1; }));
    loop.close();
}

void TestSignalsHandlers::handlerRunsAsLoopCallback()
{
    // test_add_signal_handler: set a handler and handle it
    Loop loop;
    int caught = 0;
    Loop *runningInside = nullptr;
    QThread *threadInside = nullptr;
    loop.addSignalHandler(SIGUSR1, [&] {
        ++caught;
        runningInside = runningLoopOrNull();
        threadInside = QThread::currentThread();
    });
    QVERIFY(!st::isDefault(SIGUSR1));
    ::kill(::getpid(), SIGUSR1);
    QVERIFY(st::runUntil(loop, [&] { return caught > 0; }));
    QCOMPARE(caught, 1);
    QCOMPARE(runningInside, &loop);
    QCOMPARE(threadInside, QThread::currentThread());
    QVERIFY(loop.removeSignalHandler(SIGUSR1));
    QVERIFY(!loop.removeSignalHandler(SIGUSR1)); // removing again returns false
    loop.close();
}

void TestSignalsHandlers::handlerNeverRunsInSignalContext()
{
    // raise() delivers the signal synchronously to this thread: the handler
    // must still only run later, in a loop iteration, after this callback.
    Loop loop;
    QStringList log;
    loop.addSignalHandler(SIGUSR2, [&] { log << "handler"; });
    loop.callSoon([&] {
        ::raise(SIGUSR2);
        log << "after raise";
    });
    QVERIFY(st::runUntil(loop, [&] { return log.size() == 2; }));
    QCOMPARE(log, (QStringList{"after raise", "handler"}));
    loop.close();
}

void TestSignalsHandlers::handlerArguments()
{
    // test_signal_handling_args
    Loop loop;
    QList<int> received;
    auto handler = [&](int a, int b, int c) { received = {a, b, c}; };
    loop.addSignalHandler(SIGALRM, handler, 41, 42, 43);
    itimerval timer = {};
    timer.it_value.tv_usec = 10000; // 10 ms
    ::setitimer(ITIMER_REAL, &timer, nullptr);
    QVERIFY(st::runUntil(loop, [&] { return !received.isEmpty(); }));
    QCOMPARE(received, (QList<int>{41, 42, 43}));
    loop.close();
}

void TestSignalsHandlers::signalWhileWaitingInPoll()
{
    // test_signal_handling_while_selecting: the loop sleeps in poll with no
    // timer due soon; the signal wakes it and the handler stops it.
    Loop loop;
    int caught = 0;
    loop.addSignalHandler(SIGALRM, [&] {
        ++caught;
        loop.stop();
    });
    itimerval timer = {};
    timer.it_value.tv_usec = 20000;
    ::setitimer(ITIMER_REAL, &timer, nullptr);
    loop.callLater(5.0, [&] { loop.stop(); }); // safety net
    QElapsedTimer elapsed;
    elapsed.start();
    loop.runForever();
    QCOMPARE(caught, 1);
    QVERIFY2(elapsed.elapsed() < 2000, qPrintable(QString::number(elapsed.elapsed())));
    loop.close();
}

void TestSignalsHandlers::everySignalRunsTheHandler()
{
    Loop loop;
    int caught = 0;
    loop.addSignalHandler(SIGUSR1, [&] { ++caught; });
    for (int i = 1; i <= 3; ++i) {
        ::kill(::getpid(), SIGUSR1);
        QVERIFY(st::runUntil(loop, [&] { return caught == i; }));
    }
    QCOMPARE(caught, 3);
    loop.close();
}

void TestSignalsHandlers::removeRestoresDefaultDisposition()
{
    // test_remove_signal_handler: SIG_DFL again, the wakeup fd released
    Loop loop;
    loop.addSignalHandler(SIGHUP, [] {});
    QVERIFY(!st::isDefault(SIGHUP));
    QVERIFY(loop.removeSignalHandler(SIGHUP));
    QVERIFY(st::isDefault(SIGHUP));
    QVERIFY(!loop.removeSignalHandler(SIGHUP));
    QVERIFY(!loop.removeSignalHandler(SIGUSR2)); // never set
    loop.close();
}

void TestSignalsHandlers::removeSigintRestoresPreviousHandler()
{
    // test_remove_signal_handler_2 / test_add_signal_handler: removing the
    // SIGINT handler restores what was there (Python: default_int_handler).
    st::setDisposition(SIGINT, countingHandler);
    Loop loop;
    int caught = 0;
    loop.addSignalHandler(SIGINT, [&] { ++caught; });
    ::kill(::getpid(), SIGINT);
    QVERIFY(st::runUntil(loop, [&] { return caught == 1; }));
    QCOMPARE(g_cHandlerCalls.load(), 0); // replaced, not chained
    QVERIFY(loop.removeSignalHandler(SIGINT));
    QCOMPARE(st::disposition(SIGINT), reinterpret_cast<void *>(countingHandler));
    ::kill(::getpid(), SIGINT);
    QCOMPARE(g_cHandlerCalls.load(), 1);
    loop.close();
}

void TestSignalsHandlers::removeOneKeepsTheOther()
{
    Loop loop;
    int usr1 = 0;
    int usr2 = 0;
    loop.addSignalHandler(SIGUSR1, [&] { ++usr1; });
    loop.addSignalHandler(SIGUSR2, [&] { ++usr2; });
    QVERIFY(loop.removeSignalHandler(SIGUSR1));
    QVERIFY(st::isDefault(SIGUSR1));
    ::kill(::getpid(), SIGUSR2);
    QVERIFY(st::runUntil(loop, [&] { return usr2 == 1; }));
    QCOMPARE(usr1, 0);
    loop.close();
}

void TestSignalsHandlers::secondAddReplacesTheCallback()
{
    Loop loop;
    QStringList log;
    loop.addSignalHandler(SIGUSR1, [&] { log << "first"; });
    loop.addSignalHandler(SIGUSR1, [&] { log << "second"; });
    ::kill(::getpid(), SIGUSR1);
    QVERIFY(st::runUntil(loop, [&] { return !log.isEmpty(); }));
    st::runUntil(loop, [] { return false; }, 0.02);
    QCOMPARE(log, (QStringList{"second"}));
    QVERIFY(loop.removeSignalHandler(SIGUSR1));
    QVERIFY(st::isDefault(SIGUSR1)); // the original disposition, not our own handler
    loop.close();
}

void TestSignalsHandlers::cancelledHandleRemovesHandlerOnNextSignal()
{
    // test_handle_signal_cancelled_handler
    Loop loop;
    int caught = 0;
    Handle handle = loop.addSignalHandler(SIGUSR1, [&] { ++caught; });
    handle.cancel();
    QVERIFY(!st::isDefault(SIGUSR1)); // still installed until the signal comes
    ::kill(::getpid(), SIGUSR1);
    QVERIFY(st::runUntil(loop, [] { return st::isDefault(SIGUSR1); }));
    QCOMPARE(caught, 0);
    QVERIFY(!loop.removeSignalHandler(SIGUSR1)); // already removed
    loop.close();
}

void TestSignalsHandlers::closeRemovesAllHandlers()
{
    // test_close: every handler removed, dispositions restored
    Loop loop;
    loop.addSignalHandler(SIGHUP, [] {});
    loop.addSignalHandler(SIGUSR2, [] {});
    QVERIFY(!st::isDefault(SIGHUP));
    QVERIFY(!st::isDefault(SIGUSR2));
    loop.close();
    QVERIFY(st::isDefault(SIGHUP));
    QVERIFY(st::isDefault(SIGUSR2));
    QVERIFY(!loop.removeSignalHandler(SIGHUP));
    // ~Loop of an unclosed loop does the same.
    {
        Loop other;
        other.addSignalHandler(SIGUSR1, [] {});
        QVERIFY(!st::isDefault(SIGUSR1));
    }
    QVERIFY(st::isDefault(SIGUSR1));
}

void TestSignalsHandlers::closedLoopIsRuntimeError()
{
    Loop loop;
    loop.close();
    auto error = st::errorOf([&] { loop.addSignalHandler(SIGUSR1, [] {}); });
    QVERIFY(st::holds<RuntimeError>(error));
    QCOMPARE(st::whatOf(error), QStringLiteral("Event loop is closed"));
    QVERIFY(st::isDefault(SIGUSR1));
}

void TestSignalsHandlers::otherThreadIsRuntimeError()
{
    // test_add_signal_handler_install_error: set_wakeup_fd refuses other
    // threads; the loop of another thread cannot take signals.
    std::exception_ptr error;
    bool stillRuns = false;
    QThread *thread = QThread::create([&] {
        Loop loop;
        error = st::errorOf([&] { loop.addSignalHandler(SIGUSR1, [] {}); });
        stillRuns = loop.runUntilComplete(qaio::sleep(0.001, true));
        loop.close();
    });
    thread->start();
    QVERIFY(thread->wait(5000));
    delete thread;
    QVERIFY(st::holds<RuntimeError>(error));
    QCOMPARE(st::whatOf(error), QStringLiteral("set_wakeup_fd only works in main thread of the main interpreter"));
    QVERIFY(stillRuns);
    QVERIFY(st::isDefault(SIGUSR1));
}

void TestSignalsHandlers::exceptionInHandlerGoesToExceptionHandler()
{
    Loop loop;
    QStringList messages;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &c) { messages << c.message; });
    int calls = 0;
    loop.addSignalHandler(SIGUSR1, [&] {
        ++calls;
        throw ValueError("boom");
    });
    ::kill(::getpid(), SIGUSR1);
    QVERIFY(st::runUntil(loop, [&] { return calls == 1; }));
    ::kill(::getpid(), SIGUSR1); // the handler stays installed
    QVERIFY(st::runUntil(loop, [&] { return calls == 2; }));
    QCOMPARE(messages.size(), 2);
    QVERIFY2(messages[0].startsWith(QLatin1StringView("Exception in callback")), qPrintable(messages[0]));
    loop.close();
}

void TestSignalsHandlers::sigchldChainsToPreviousHandler()
{
    // SIGCHLD is the one signal whose previous handler keeps being called:
    // QProcess (forkfd) may depend on its own.
    st::setDisposition(SIGCHLD, countingHandler);
    Loop loop;
    int caught = 0;
    loop.addSignalHandler(SIGCHLD, [&] { ++caught; });
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    QVERIFY(st::runUntil(loop, [&] { return caught >= 1; }));
    QCOMPARE(g_cHandlerCalls.load(), 1);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(loop.removeSignalHandler(SIGCHLD));
    QCOMPARE(st::disposition(SIGCHLD), reinterpret_cast<void *>(countingHandler));
    loop.close();
}

void TestSignalsHandlers::qprocessWorksWhileSigchldIsHandled()
{
    Loop loop;
    int caught = 0;
    loop.addSignalHandler(SIGCHLD, [&] { ++caught; });
    for (int i = 0; i < 3; ++i) {
        QProcess process;
        process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("exit %1").arg(i)});
        QVERIFY(process.waitForStarted(5000));
        bool finished = false;
        QObject::connect(&process, &QProcess::finished, [&] { finished = true; });
        QVERIFY(st::runUntil(loop, [&] { return finished; }));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), i);
    }
    QVERIFY(st::runUntil(loop, [&] { return caught >= 1; }));
    loop.close();
}

QTEST_GUILESS_MAIN(TestSignalsHandlers)
#include "tst_signals_handlers.moc"
