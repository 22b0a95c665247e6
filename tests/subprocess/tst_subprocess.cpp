// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_subprocess — subprocessExec/subprocessShell (SubprocessProtocol and
// SubprocessTransport) and createSubprocessExec/Shell (Process) with real
// children: /bin/sh, cat, true, false, sleep, env, pwd, head. Behavioural
// cases ported from CPython's Lib/test/test_asyncio/test_subprocess.py
// (test names in the comments) plus QProcess-specific ones.
#include "../net/net_util.h"

#include <qaio/qaio.h>

#include <QtCore/QDir>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>
#include <memory>
#include <system_error>
#include <vector>

using namespace qaio;
using namespace std::chrono_literals;

namespace {

QString sh()
{
    return QStringLiteral("/bin/sh");
}

QStringList shc(const char *script)
{
    return {QStringLiteral("-c"), QString::fromUtf8(script)};
}

// (Not braced inside co_await: GCC 12 rejects an initializer list there.)
QStringList sleep30()
{
    return {QStringLiteral("30")};
}

const SubprocessOptions kAllPipes{.stdIn = Redirect::Pipe, .stdOut = Redirect::Pipe, .stdErr = Redirect::Pipe};

// Records every protocol callback in order.
class Recorder : public SubprocessProtocol
{
public:
    QStringList events;
    QByteArray out, err;
    std::exception_ptr stdinError;
    BaseTransport *made = nullptr;
    Future<void> lost;
    int pauses = 0, resumes = 0;

    explicit Recorder(Loop &loop) : lost(loop.createFuture<void>()) {}
    void connectionMade(BaseTransport *t) override
    {
        made = t;
        events << QStringLiteral("made");
    }
    void pipeDataReceived(int fd, const QByteArray &data) override
    {
        (fd == 1 ? out : err) += data;
        if (events.isEmpty() || events.last() != QStringLiteral("data%1").arg(fd))
            events << QStringLiteral("data%1").arg(fd);
    }
    void pipeConnectionLost(int fd, std::exception_ptr e) override
    {
        if (fd == 0)
            stdinError = e;
        events << QStringLiteral("lost%1").arg(fd);
    }
    void processExited() override { events << QStringLiteral("exited"); }
    void connectionLost(std::exception_ptr) override
    {
        events << QStringLiteral("connectionLost");
        if (!lost.done())
            lost.setResult();
    }
    void pauseWriting() override { ++pauses; }
    void resumeWriting() override { ++resumes; }
};

// The children of this process still known to the kernel (zombies included).
int childCount()
{
    int n = 0;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(tid + QStringLiteral("/children")));
        if (f.open(QIODevice::ReadOnly))
            n += QString::fromLatin1(f.readAll()).split(QLatin1Char(' '), Qt::SkipEmptyParts).size();
    }
    return n;
}

bool childrenListAvailable()
{
    return QFile::exists(QStringLiteral("/proc/self/task/%1/children").arg(::getpid()));
}

} // namespace

class TestSubprocess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Process (createSubprocessExec / createSubprocessShell)
    void stdinStdout();
    void communicate();
    void communicateNoneInput();
    void communicateEmptyInput();
    void shellExitCode();
    void trueAndFalse();
    void kill();
    void terminate();
    void sendSignal();
    void sendSignalHandledByChild();
    void returncodeOfSignalFromShell();
    void waitTwiceReturnsSameCode();
    void killAfterWaitIsProcessLookupError();
    void stdinBrokenPipe();
    void communicateIgnoresBrokenPipe();
    void writeAfterStdinClosedThenDrainRaises();
    void pauseReading();
    void readStdoutAfterProcessExit();
    void processExitsWhileOutputPending();
    void devnullInput();
    void devnullOutput();
    void devnullError();
    void stderrMergedIntoStdout();
    void inheritedChannelsHaveNoStreams();
    void envMap();
    void envEmptyMap();
    void envQProcessEnvironment();
    void cwd();
    void startNewSession();
    void cancelWait();
    void cancelCommunicate();
    void largeIoThroughCatWithStderr();
    void manyProcessesConcurrently();
    void drainWaitsForTheChild();
    void childClosesStdoutEarly();
    // bad input
    void stdoutRedirectRejected();
    void emptyProgramAndCommand();
    void missingProgram();
    void notExecutable();
    void execFormatErrorAfterFork();
    void missingCwd();
    void badWriteBufferLimitsAndReadPipeWrite();
    // SubprocessProtocol / SubprocessTransport
    void protocolEventOrder();
    void pipeTransports();
    void pidAndReturncodeWhileRunning();
    void closeKillsRunningChild();
    void closeDoesNotKillFinishedChild();
    void cancelWhileStarting();
    void protocolWriteFlowControl();
    void pausedPipeHoldsDataAndEof();
    // the Qt rules
    void drivenByQEventLoop();
    void loopClosedWhileChildRuns();
};

// test_stdin_stdout
void TestSubprocess::stdinStdout()
{
    Loop loop;
    auto body0 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("cat"), {}, kAllPipes);
        StreamWriter in = *proc.stdIn();
        in.write("Python The Winner");
        co_await in.drain();
        in.close();
        QByteArray data = co_await proc.stdOut()->read();
        CO_COMPARE(data, QByteArray("Python The Winner"));
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body0());
}

// test_communicate
void TestSubprocess::communicate()
{
    Loop loop;
    auto body1 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("cat"), {}, kAllPipes);
        auto [out, err] = co_await proc.communicate(QByteArray("some data"));
        CO_COMPARE(out, QByteArray("some data"));
        CO_COMPARE(err, QByteArray());
        CO_COMPARE(proc.returncode(), std::optional<int>(0));
    };
    NT_RUN(loop, body1());
}

// test_communicate_none_input
void TestSubprocess::communicateNoneInput()
{
    Loop loop;
    auto body2 = [&]() -> Coro<void> {
        const SubprocessOptions options0{.stdOut = Redirect::Pipe, .stdErr = Redirect::Pipe};
        Process proc = co_await createSubprocessShell(QStringLiteral("echo hi; echo oops >&2"),
                                                      options0);
        CO_VERIFY(!proc.stdIn());
        auto [out, err] = co_await proc.communicate();
        CO_COMPARE(out, QByteArray("hi\n"));
        CO_COMPARE(err, QByteArray("oops\n"));
    };
    NT_RUN(loop, body2());
}

// test_empty_input
void TestSubprocess::communicateEmptyInput()
{
    Loop loop;
    auto body3 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("cat"), {}, kAllPipes);
        auto [out, err] = co_await proc.communicate(QByteArray());
        CO_COMPARE(out, QByteArray());
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body3());
}

// test_shell
void TestSubprocess::shellExitCode()
{
    Loop loop;
    auto body4 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessShell(QStringLiteral("exit 7"));
        CO_COMPARE(co_await proc.wait(), 7);
    };
    NT_RUN(loop, body4());
}

void TestSubprocess::trueAndFalse()
{
    Loop loop;
    auto body5 = [&]() -> Coro<void> {
        Process yes = co_await createSubprocessExec(QStringLiteral("true"));
        Process no = co_await createSubprocessExec(QStringLiteral("false"));
        CO_COMPARE(co_await yes.wait(), 0);
        CO_COMPARE(co_await no.wait(), 1);
    };
    NT_RUN(loop, body5());
}

// test_kill
void TestSubprocess::kill()
{
    Loop loop;
    auto body6 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("sleep"), sleep30());
        proc.kill();
        CO_COMPARE(co_await proc.wait(), -SIGKILL);
    };
    NT_RUN(loop, body6());
}

// test_terminate
void TestSubprocess::terminate()
{
    Loop loop;
    auto body7 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("sleep"), sleep30());
        proc.terminate();
        CO_COMPARE(co_await proc.wait(), -SIGTERM);
    };
    NT_RUN(loop, body7());
}

// test_send_signal (default action)
void TestSubprocess::sendSignal()
{
    Loop loop;
    auto body8 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("sleep"), sleep30());
        proc.sendSignal(SIGHUP);
        CO_COMPARE(co_await proc.wait(), -SIGHUP);
    };
    NT_RUN(loop, body8());
}

// test_send_signal (the child handles it)
void TestSubprocess::sendSignalHandledByChild()
{
    Loop loop;
    auto body9 = [&]() -> Coro<void> {
        const SubprocessOptions options1{.stdOut = Redirect::Pipe};
        Process proc = co_await createSubprocessExec(
            sh(), shc("trap 'exit 3' USR1; echo ready; while :; do sleep 0.02; done"), options1);
        CO_COMPARE(co_await proc.stdOut()->readline(), QByteArray("ready\n"));
        proc.sendSignal(SIGUSR1);
        CO_COMPARE(co_await proc.wait(), 3);
    };
    NT_RUN(loop, body9());
}

void TestSubprocess::returncodeOfSignalFromShell()
{
    Loop loop;
    auto body10 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessShell(QStringLiteral("kill -TERM $$"));
        CO_COMPARE(co_await proc.wait(), -SIGTERM);
        CO_COMPARE(proc.returncode(), std::optional<int>(-SIGTERM));
    };
    NT_RUN(loop, body10());
}

void TestSubprocess::waitTwiceReturnsSameCode()
{
    Loop loop;
    auto body11 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessShell(QStringLiteral("exit 5"));
        auto first = createTask(proc.wait());
        auto second = createTask(proc.wait());
        CO_COMPARE(co_await first, 5);
        CO_COMPARE(co_await second, 5);
        CO_COMPARE(co_await proc.wait(), 5);
    };
    NT_RUN(loop, body11());
}

// asyncio's _check_proc: ProcessLookupError once the transport is done.
void TestSubprocess::killAfterWaitIsProcessLookupError()
{
    Loop loop;
    auto body12 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("true"));
        co_await proc.wait();
        auto error = nt::errorOf([&] { proc.kill(); });
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::no_such_process));
        CO_COMPARE(proc.returncode(), std::optional<int>(0));
    };
    NT_RUN(loop, body12());
}

// test_stdin_broken_pipe
void TestSubprocess::stdinBrokenPipe()
{
    Loop loop;
    auto body13 = [&]() -> Coro<void> {
        const SubprocessOptions options2{.stdIn = Redirect::Pipe};
        Process proc = co_await createSubprocessExec(sh(), shc("exit 0"), options2);
        const QByteArray chunk(1024 * 1024, 'x');
        auto writeForever = [&]() -> Coro<void> {
            for (int i = 0; i < 200; ++i) {
                proc.stdIn()->write(chunk);
                co_await proc.stdIn()->drain();
            }
        };
        auto error = co_await nt::coErrorOf(writeForever());
        const auto code = nt::codeOf(error);
        CO_VERIFY2(code == std::errc::broken_pipe || code == std::errc::connection_reset,
                   qPrintable(nt::describe(error)));
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body13());
}

// test_communicate_ignore_broken_pipe
void TestSubprocess::communicateIgnoresBrokenPipe()
{
    Loop loop;
    auto body14 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(sh(), shc("exit 0"), kAllPipes);
        auto [out, err] = co_await proc.communicate(QByteArray(8 * 1024 * 1024, 'x'));
        CO_COMPARE(out, QByteArray());
        CO_COMPARE(proc.returncode(), std::optional<int>(0));
    };
    NT_RUN(loop, body14());
}

// Documented: write() after close is dropped, drain() raises ConnectionResetError.
void TestSubprocess::writeAfterStdinClosedThenDrainRaises()
{
    Loop loop;
    auto body15 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("cat"), {}, kAllPipes);
        StreamWriter in = *proc.stdIn();
        in.write("before\n");
        in.close();
        CO_VERIFY(in.isClosing());
        in.write("after\n");
        co_await in.waitClosed(); // the pipe is closed once "before" is flushed
        auto error = co_await nt::coErrorOf(in.drain());
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::connection_reset));
        CO_COMPARE(co_await proc.stdOut()->read(), QByteArray("before\n"));
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body15());
}

// test_pause_reading
void TestSubprocess::pauseReading()
{
    Loop loop;
    auto body16 = [&]() -> Coro<void> {
        const qsizetype limit = 10;
        const qsizetype size = limit * 2 + 1;
        SubprocessOptions options{.stdOut = Redirect::Pipe, .limit = limit};
        Process proc = co_await createSubprocessShell(QStringLiteral("head -c %1 /dev/zero; sleep 0.1").arg(size),
                                                      options);
        auto pipe = std::dynamic_pointer_cast<ReadTransport>(proc.transport()->getPipeTransport(1));
        CO_VERIFY(pipe);
        bool ok = co_await nt::until([&] { return !pipe->isReading(); }, 5.0);
        CO_VERIFY2(ok, "the stdout pipe was never paused");
        QByteArray all = co_await proc.stdOut()->read();
        CO_COMPARE(all, QByteArray(size, '\0'));
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body16());
}

// test_read_stdout_after_process_exit
void TestSubprocess::readStdoutAfterProcessExit()
{
    Loop loop;
    auto body17 = [&]() -> Coro<void> {
        const SubprocessOptions options3{.stdOut = Redirect::Pipe};
        Process proc = co_await createSubprocessShell(QStringLiteral("head -c 262144 /dev/zero | tr '\\0' x; exit 1"),
                                                      options3);
        QByteArray all;
        for (;;) {
            QByteArray data = co_await proc.stdOut()->read(65536);
            if (data.isEmpty())
                break;
            all += data;
            co_await sleep(0.01);
        }
        CO_COMPARE(all, QByteArray(262144, 'x'));
        CO_COMPARE(co_await proc.wait(), 1);
    };
    NT_RUN(loop, body17());
}

// The child exits while its output is still buffered: nothing is lost.
void TestSubprocess::processExitsWhileOutputPending()
{
    Loop loop;
    auto body18 = [&]() -> Coro<void> {
        const SubprocessOptions options4{.stdOut = Redirect::Pipe};
        Process proc = co_await createSubprocessShell(QStringLiteral("head -c 1048576 /dev/zero; exit 9"),
                                                      options4);
        bool exited = co_await nt::until([&] { return proc.transport()->getReturncode().has_value(); }, 10.0);
        CO_VERIFY(exited);
        CO_COMPARE(*proc.returncode(), 9);
        QByteArray all = co_await proc.stdOut()->read();
        CO_COMPARE(all.size(), qsizetype(1048576));
        CO_COMPARE(co_await proc.wait(), 9);
    };
    NT_RUN(loop, body18());
}

// test_devnull_input
void TestSubprocess::devnullInput()
{
    Loop loop;
    auto body19 = [&]() -> Coro<void> {
        const SubprocessOptions options5{.stdIn = Redirect::DevNull, .stdOut = Redirect::Pipe};
        Process proc = co_await createSubprocessExec(QStringLiteral("cat"), {},
                                                     options5);
        CO_VERIFY(!proc.stdIn());
        auto [out, err] = co_await proc.communicate();
        CO_COMPARE(out, QByteArray());
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body19());
}

// test_devnull_output
void TestSubprocess::devnullOutput()
{
    Loop loop;
    auto body20 = [&]() -> Coro<void> {
        const SubprocessOptions options6{.stdIn = Redirect::Pipe, .stdOut = Redirect::DevNull};
        Process proc = co_await createSubprocessExec(QStringLiteral("cat"), {},
                                                     options6);
        CO_VERIFY(!proc.stdOut());
        auto [out, err] = co_await proc.communicate(QByteArray("data"));
        CO_COMPARE(out, QByteArray());
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body20());
}

// test_devnull_error
void TestSubprocess::devnullError()
{
    Loop loop;
    auto body21 = [&]() -> Coro<void> {
        const SubprocessOptions options7{.stdOut = Redirect::Pipe, .stdErr = Redirect::DevNull};
        Process proc = co_await createSubprocessShell(QStringLiteral("echo err >&2; echo out"),
                                                      options7);
        CO_VERIFY(!proc.stdErr());
        auto [out, err] = co_await proc.communicate();
        CO_COMPARE(out, QByteArray("out\n"));
        CO_COMPARE(err, QByteArray());
    };
    NT_RUN(loop, body21());
}

// stderr=STDOUT
void TestSubprocess::stderrMergedIntoStdout()
{
    Loop loop;
    auto body22 = [&]() -> Coro<void> {
        const SubprocessOptions options8{.stdOut = Redirect::Pipe, .stdErr = Redirect::Stdout};
        Process proc = co_await createSubprocessShell(QStringLiteral("echo out; echo err >&2; echo end"),
                                                      options8);
        CO_VERIFY(!proc.stdErr());
        CO_VERIFY(!proc.transport()->getPipeTransport(2));
        auto [out, err] = co_await proc.communicate();
        CO_COMPARE(out, QByteArray("out\nerr\nend\n"));
        CO_COMPARE(err, QByteArray());
    };
    NT_RUN(loop, body22());
}

void TestSubprocess::inheritedChannelsHaveNoStreams()
{
    Loop loop;
    auto body23 = [&]() -> Coro<void> {
        // asyncio's defaults for create_subprocess_*: inherit all three.
        Process proc = co_await createSubprocessExec(QStringLiteral("true"));
        CO_VERIFY(!proc.stdIn());
        CO_VERIFY(!proc.stdOut());
        CO_VERIFY(!proc.stdErr());
        for (int fd = 0; fd < 3; ++fd)
            CO_VERIFY(!proc.transport()->getPipeTransport(fd));
        auto [out, err] = co_await proc.communicate();
        CO_COMPARE(out, QByteArray());
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body23());
}

// test_process_env_1 (uvloop) / env=
void TestSubprocess::envMap()
{
    Loop loop;
    auto body24 = [&]() -> Coro<void> {
        QMap<QString, QString> env{{QStringLiteral("FOO"), QStringLiteral("sp")}, {QStringLiteral("BAR"), QStringLiteral("am")}};
        const SubprocessOptions options9{.stdOut = Redirect::Pipe, .env = env};
        Process proc = co_await createSubprocessExec(sh(), shc("echo $FOO$BAR"), options9);
        auto [out, err] = co_await proc.communicate();
        CO_COMPARE(out, QByteArray("spam\n"));
    };
    NT_RUN(loop, body24());
}

// test_process_env_2 (uvloop): an empty env= gives an empty environment.
void TestSubprocess::envEmptyMap()
{
    Loop loop;
    auto body25 = [&]() -> Coro<void> {
        const SubprocessOptions options10{.stdOut = Redirect::Pipe, .env = QMap<QString, QString>()};
        Process proc = co_await createSubprocessExec(QStringLiteral("/usr/bin/env"), {},
                                                     options10);
        auto [out, err] = co_await proc.communicate();
        CO_COMPARE(out, QByteArray());
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body25());
}

void TestSubprocess::envQProcessEnvironment()
{
    Loop loop;
    auto body26 = [&]() -> Coro<void> {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QAIO_TEST_VALUE"), QStringLiteral("forty two"));
        const SubprocessOptions options11{.stdOut = Redirect::Pipe, .env = env};
        Process proc = co_await createSubprocessShell(QStringLiteral("echo \"$QAIO_TEST_VALUE\""),
                                                      options11);
        auto [out, err] = co_await proc.communicate();
        CO_COMPARE(out, QByteArray("forty two\n"));
    };
    NT_RUN(loop, body26());
}

// test_cwd
void TestSubprocess::cwd()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString canonical = QDir(dir.path()).canonicalPath();
    Loop loop;
    auto body27 = [&]() -> Coro<void> {
        const SubprocessOptions options12{.stdOut = Redirect::Pipe, .cwd = canonical};
        Process proc = co_await createSubprocessExec(QStringLiteral("pwd"), {}, options12);
        auto [out, err] = co_await proc.communicate();
        CO_COMPARE(QString::fromLocal8Bit(out.trimmed()), canonical);
    };
    NT_RUN(loop, body27());
}

// test_start_new_session
void TestSubprocess::startNewSession()
{
    Loop loop;
    auto body28 = [&]() -> Coro<void> {
        // Field 6 of /proc/<pid>/stat is the session id; a session leader's is its pid.
        const SubprocessOptions options13{.stdOut = Redirect::Pipe, .startNewSession = true};
        Process proc = co_await createSubprocessShell(QStringLiteral("echo $$; cut -d' ' -f6 /proc/$$/stat"),
                                                      options13);
        auto [out, err] = co_await proc.communicate();
        const QList<QByteArray> lines = out.trimmed().split('\n');
        CO_COMPARE(lines.size(), qsizetype(2));
        CO_COMPARE(lines[0], lines[1]);
        CO_COMPARE(lines[0].toLongLong(), proc.pid());
        // Without it the child stays in our session.
        const SubprocessOptions options14{.stdOut = Redirect::Pipe};
        Process plain = co_await createSubprocessShell(QStringLiteral("cut -d' ' -f6 /proc/$$/stat"),
                                                       options14);
        auto [plainOut, plainErr] = co_await plain.communicate();
        CO_COMPARE(plainOut.trimmed().toLongLong(), qlonglong(::getsid(0)));
    };
    NT_RUN(loop, body28());
}

// test_cancel_process_wait
void TestSubprocess::cancelWait()
{
    Loop loop;
    auto body29 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("sleep"), sleep30());
        auto waiting = createTask(proc.wait());
        co_await nt::yieldN(2);
        waiting.cancel();
        auto error = co_await nt::coErrorOf(waiting);
        CO_VERIFY(nt::holds<CancelledError>(error));
        CO_VERIFY(!proc.returncode());
        proc.kill();
        CO_COMPARE(co_await proc.wait(), -SIGKILL);
    };
    NT_RUN(loop, body29());
}

// test_cancel_post_init / communicate cancelled
void TestSubprocess::cancelCommunicate()
{
    Loop loop;
    auto body30 = [&]() -> Coro<void> {
        const SubprocessOptions options15{.stdIn = Redirect::Pipe, .stdOut = Redirect::Pipe};
        Process proc = co_await createSubprocessShell(QStringLiteral("echo partial; exec sleep 30"),
                                                      options15);
        auto talking = createTask(proc.communicate(QByteArray("input")));
        co_await sleep(0.05);
        talking.cancel();
        auto error = co_await nt::coErrorOf(talking);
        CO_VERIFY(nt::holds<CancelledError>(error));
        CO_VERIFY(!proc.returncode());
        proc.kill();
        CO_COMPARE(co_await proc.wait(), -SIGKILL);
    };
    NT_RUN(loop, body30());
}

// 100 MiB through cat and back, stderr flowing at the same time: no deadlock, byte-identical.
void TestSubprocess::largeIoThroughCatWithStderr()
{
    Loop loop;
    const QByteArray input = nt::pattern(100 * 1024 * 1024, 7);
    auto body31 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessShell(
            QStringLiteral("(i=0; while [ $i -lt 2000 ]; do echo stderr line $i >&2; i=$((i+1)); done) & cat; wait"),
            kAllPipes);
        auto [out, err] = co_await proc.communicate(input);
        CO_COMPARE(out.size(), input.size());
        CO_VERIFY(out == input);
        CO_COMPARE(err.count('\n'), qsizetype(2000));
        CO_VERIFY(err.startsWith("stderr line 0\n"));
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body31());
}

void TestSubprocess::manyProcessesConcurrently()
{
    Loop loop;
    auto body32 = [&]() -> Coro<void> {
        const int n = 40;
        auto one = [](int i) -> Coro<QByteArray> {
            const QStringList arguments{QStringLiteral("-c"), QStringLiteral("cat; echo $0"), QString::number(i)};
            Process proc = co_await createSubprocessExec(QStringLiteral("/bin/sh"), arguments, kAllPipes);
            auto [out, err] = co_await proc.communicate(QByteArray::number(i * 7) + '\n');
            co_return out;
        };
        std::vector<Task<QByteArray>> tasks;
        for (int i = 0; i < n; ++i)
            tasks.push_back(createTask(one(i)));
        auto results = co_await gather(tasks);
        for (int i = 0; i < n; ++i)
            CO_COMPARE(results[size_t(i)], QByteArray::number(i * 7) + '\n' + QByteArray::number(i) + '\n');
    };
    NT_RUN(loop, body32());
}

// Write flow control: drain() waits while QProcess holds more than the high-water mark.
void TestSubprocess::drainWaitsForTheChild()
{
    Loop loop;
    auto body33 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessShell(QStringLiteral("sleep 0.3; cat >/dev/null"), kAllPipes);
        StreamWriter in = *proc.stdIn();
        in.write(QByteArray(4 * 1024 * 1024, 'z'));
        CO_VERIFY(in.transport()->getWriteBufferSize() > 64 * 1024);
        const double start = loop.time();
        co_await in.drain();
        CO_VERIFY(loop.time() - start > 0.2);
        CO_VERIFY(in.transport()->getWriteBufferSize() <= 16 * 1024);
        in.close();
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body33());
}

// A child that closes its stdout early: the reader sees EOF, the exit code is kept.
void TestSubprocess::childClosesStdoutEarly()
{
    Loop loop;
    auto body34 = [&]() -> Coro<void> {
        const SubprocessOptions options16{.stdOut = Redirect::Pipe};
        Process proc = co_await createSubprocessShell(QStringLiteral("echo first; exec 1>&-; sleep 0.05; exit 4"),
                                                      options16);
        CO_COMPARE(co_await proc.stdOut()->read(), QByteArray("first\n"));
        CO_COMPARE(co_await proc.wait(), 4);
    };
    NT_RUN(loop, body34());
}

void TestSubprocess::stdoutRedirectRejected()
{
    Loop loop;
    auto body35 = [&]() -> Coro<void> {
        const SubprocessOptions options17{.stdIn = Redirect::Stdout};
        auto e1 = co_await nt::coErrorOf(createSubprocessExec(QStringLiteral("true"), {}, options17));
        CO_VERIFY2(nt::holds<ValueError>(e1), qPrintable(nt::describe(e1)));
        CO_VERIFY(nt::whatOf(e1).contains(QStringLiteral("stdin")));
        const SubprocessOptions options18{.stdOut = Redirect::Stdout};
        auto e2 = co_await nt::coErrorOf(createSubprocessExec(QStringLiteral("true"), {}, options18));
        CO_VERIFY(nt::holds<ValueError>(e2));
        const SubprocessOptions options19{.limit = 0};
        auto e3 = co_await nt::coErrorOf(createSubprocessExec(QStringLiteral("true"), {}, options19));
        CO_VERIFY(nt::holds<ValueError>(e3));
        // The loop keeps working.
        Process proc = co_await createSubprocessExec(QStringLiteral("true"));
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body35());
}

// test_subprocess_exec_invalid_args / test_subprocess_shell_invalid_args
void TestSubprocess::emptyProgramAndCommand()
{
    Loop loop;
    auto body36 = [&]() -> Coro<void> {
        auto e1 = co_await nt::coErrorOf(createSubprocessExec(QString()));
        CO_VERIFY(nt::holds<ValueError>(e1));
        CO_VERIFY(nt::whatOf(e1).contains(QStringLiteral("empty")));
        auto e2 = co_await nt::coErrorOf(createSubprocessShell(QString()));
        CO_VERIFY(nt::holds<ValueError>(e2));
        const SubprocessProtocolFactory none;
        auto e3 = co_await nt::coErrorOf(subprocessExec(loop, none, QStringLiteral("true")));
        CO_VERIFY(nt::holds<ValueError>(e3));
    };
    NT_RUN(loop, body36());
}

// FileNotFoundError, with no child left behind.
void TestSubprocess::missingProgram()
{
    Loop loop;
    const int before = childCount();
    auto body37 = [&]() -> Coro<void> {
        auto e1 = co_await nt::coErrorOf(createSubprocessExec(QStringLiteral("/nonexistent/qaio-no-such-program")));
        CO_COMPARE(nt::codeOf(e1), std::make_error_code(std::errc::no_such_file_or_directory));
        CO_VERIFY(nt::whatOf(e1).contains(QStringLiteral("qaio-no-such-program")));
        auto e2 = co_await nt::coErrorOf(createSubprocessExec(QStringLiteral("qaio-no-such-program-in-path")));
        CO_COMPARE(nt::codeOf(e2), std::make_error_code(std::errc::no_such_file_or_directory));
    };
    NT_RUN(loop, body37());
    if (childrenListAvailable())
        QCOMPARE(childCount(), before);
}

// PermissionError for a directory or a file without the x bit.
void TestSubprocess::notExecutable()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("data.txt"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("hello\n");
    }
    Loop loop;
    auto body38 = [&]() -> Coro<void> {
        auto e1 = co_await nt::coErrorOf(createSubprocessExec(file));
        CO_COMPARE(nt::codeOf(e1), std::make_error_code(std::errc::permission_denied));
        auto e2 = co_await nt::coErrorOf(createSubprocessExec(dir.path()));
        CO_COMPARE(nt::codeOf(e2), std::make_error_code(std::errc::permission_denied));
    };
    NT_RUN(loop, body38());
}

// exec itself fails in the forked child: the errno still comes back, and the child is reaped.
void TestSubprocess::execFormatErrorAfterFork()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("garbage"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("\x7f" "ELF garbage that is not a program", 34));
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }
    const int before = childCount();
    Loop loop;
    auto body39 = [&]() -> Coro<void> {
        auto error = co_await nt::coErrorOf(createSubprocessExec(file));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::executable_format_error));
        Process proc = co_await createSubprocessExec(QStringLiteral("true"));
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body39());
    if (childrenListAvailable())
        QCOMPARE(childCount(), before);
}

void TestSubprocess::missingCwd()
{
    Loop loop;
    auto body40 = [&]() -> Coro<void> {
        const SubprocessOptions options20{.cwd = QStringLiteral("/nonexistent/qaio-dir")};
        auto error = co_await nt::coErrorOf(
            createSubprocessExec(QStringLiteral("true"), {}, options20));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::no_such_file_or_directory));
    };
    NT_RUN(loop, body40());
}

void TestSubprocess::badWriteBufferLimitsAndReadPipeWrite()
{
    Loop loop;
    auto body41 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("cat"), {}, kAllPipes);
        auto in = std::dynamic_pointer_cast<WriteTransport>(proc.transport()->getPipeTransport(0));
        CO_VERIFY(in);
        auto e1 = nt::errorOf([&] { in->setWriteBufferLimits(10, 20); });
        CO_VERIFY(nt::holds<ValueError>(e1));
        in->setWriteBufferLimits(100, 10);
        CO_COMPARE(in->getWriteBufferLimits(), (std::pair<qsizetype, qsizetype>(10, 100)));
        auto out = std::dynamic_pointer_cast<WriteTransport>(proc.transport()->getPipeTransport(1));
        auto e2 = nt::errorOf([&] { out->write("x"); });
        CO_VERIFY(nt::holds<RuntimeError>(e2));
        auto outRead = std::dynamic_pointer_cast<ReadTransport>(proc.transport()->getPipeTransport(0));
        auto e3 = nt::errorOf([&] { outRead->pauseReading(); });
        CO_VERIFY(nt::holds<RuntimeError>(e3));
        // Nothing accepted was dropped.
        auto [data, err] = co_await proc.communicate(QByteArray("still fine"));
        CO_COMPARE(data, QByteArray("still fine"));
    };
    NT_RUN(loop, body41());
}

// test_subprocess_consistent_callbacks / test_subprocess_protocol_events
void TestSubprocess::protocolEventOrder()
{
    Loop loop;
    auto body42 = [&]() -> Coro<void> {
        auto recorder = std::make_shared<Recorder>(loop);
        const SubprocessProtocolFactory factory = [recorder] { return recorder; };
        auto [transport, protocol] =
            co_await subprocessShell(loop, factory, QStringLiteral("echo stdout; sleep 0.02; echo stderr >&2; exit 6"));
        CO_VERIFY(recorder->made == transport.get());
        CO_COMPARE(recorder->events.value(0), QStringLiteral("made"));
        transport->getPipeTransport(0)->close();
        co_await recorder->lost;
        CO_COMPARE(recorder->out, QByteArray("stdout\n"));
        CO_COMPARE(recorder->err, QByteArray("stderr\n"));
        const QStringList &ev = recorder->events;
        CO_VERIFY2(ev.indexOf(QStringLiteral("data1")) < ev.indexOf(QStringLiteral("lost1")), qPrintable(ev.join(u',')));
        CO_VERIFY2(ev.indexOf(QStringLiteral("data2")) < ev.indexOf(QStringLiteral("lost2")), qPrintable(ev.join(u',')));
        for (const char *name : {"lost0", "lost1", "lost2"})
            CO_VERIFY2(ev.indexOf(QString::fromLatin1(name)) < ev.indexOf(QStringLiteral("exited")), qPrintable(ev.join(u',')));
        CO_COMPARE(ev.count(QStringLiteral("exited")), qsizetype(1));
        CO_COMPARE(ev.last(), QStringLiteral("connectionLost"));
        CO_VERIFY(!recorder->stdinError);
        CO_COMPARE(transport->getReturncode(), std::optional<int>(6));
        CO_COMPARE(co_await transport->exited(), 6);
    };
    NT_RUN(loop, body42());
}

void TestSubprocess::pipeTransports()
{
    Loop loop;
    auto body43 = [&]() -> Coro<void> {
        auto recorder = std::make_shared<Recorder>(loop);
        const SubprocessProtocolFactory factory = [recorder] { return recorder; };
        const SubprocessOptions options21{.stdErr = Redirect::DevNull};
        auto [transport, protocol] = co_await subprocessExec(loop, factory, QStringLiteral("cat"), {},
                                                             options21);
        auto in = transport->getPipeTransport(0);
        CO_VERIFY(std::dynamic_pointer_cast<WriteTransport>(in));
        CO_VERIFY(std::dynamic_pointer_cast<WriteTransport>(in)->canWriteEof());
        auto out = std::dynamic_pointer_cast<ReadTransport>(transport->getPipeTransport(1));
        CO_VERIFY(out && out->isReading());
        CO_VERIFY(!transport->getPipeTransport(2));
        CO_VERIFY(!transport->getPipeTransport(3));
        CO_VERIFY(!transport->getPipeTransport(-1));
        CO_COMPARE(in->getProtocol(), std::static_pointer_cast<BaseProtocol>(recorder));
        CO_COMPARE(in->getExtraInfo(QStringLiteral("pipe")).toInt(), 0);
        std::dynamic_pointer_cast<WriteTransport>(in)->write("through the pipe");
        std::dynamic_pointer_cast<WriteTransport>(in)->writeEof();
        co_await recorder->lost;
        CO_COMPARE(recorder->out, QByteArray("through the pipe"));
        CO_COMPARE(transport->getReturncode(), std::optional<int>(0));
    };
    NT_RUN(loop, body43());
}

void TestSubprocess::pidAndReturncodeWhileRunning()
{
    Loop loop;
    auto body44 = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("sleep"), sleep30());
        CO_VERIFY(proc.pid() > 0);
        CO_COMPARE(proc.transport()->getPid(), proc.pid());
        CO_VERIFY(QFile::exists(QStringLiteral("/proc/%1").arg(proc.pid())));
        CO_VERIFY(!proc.returncode());
        co_await sleep(0.02);
        CO_VERIFY(!proc.returncode());
        proc.kill();
        co_await proc.wait();
        CO_VERIFY(proc.pid() > 0); // kept after exit, as Popen.pid
    };
    NT_RUN(loop, body44());
}

// test_close_kill_running
void TestSubprocess::closeKillsRunningChild()
{
    Loop loop;
    auto body45 = [&]() -> Coro<void> {
        auto recorder = std::make_shared<Recorder>(loop);
        const SubprocessProtocolFactory factory = [recorder] { return recorder; };
        auto [transport, protocol] = co_await subprocessExec(loop, factory, QStringLiteral("sleep"), sleep30());
        Future<int> exited = transport->exited();
        transport->close();
        CO_VERIFY(transport->isClosing());
        CO_COMPARE(co_await exited, -SIGKILL);
        co_await recorder->lost;
        CO_VERIFY(recorder->events.contains(QStringLiteral("exited")));
        CO_COMPARE(transport->getReturncode(), std::optional<int>(-SIGKILL));
    };
    NT_RUN(loop, body45());
}

// test_close_dont_kill_finished
void TestSubprocess::closeDoesNotKillFinishedChild()
{
    Loop loop;
    auto body46 = [&]() -> Coro<void> {
        auto recorder = std::make_shared<Recorder>(loop);
        const SubprocessProtocolFactory factory = [recorder] { return recorder; };
        auto [transport, protocol] = co_await subprocessShell(loop, factory, QStringLiteral("exit 2"));
        transport->getPipeTransport(0)->close();
        CO_COMPARE(co_await transport->exited(), 2);
        transport->close();
        CO_COMPARE(transport->getReturncode(), std::optional<int>(2));
        co_await recorder->lost;
    };
    NT_RUN(loop, body46());
}

// test_cancel_make_subprocess_transport_exec
void TestSubprocess::cancelWhileStarting()
{
    const int before = childCount();
    Loop loop;
    auto body47 = [&]() -> Coro<void> {
        auto recorder = std::make_shared<Recorder>(loop);
        const SubprocessProtocolFactory factory = [recorder] { return recorder; };
        auto starting = createTask(subprocessExec(loop, factory, QStringLiteral("sleep"), sleep30()));
        co_await sleep(0); // the task is now inside subprocessExec, waiting for QProcess::started
        starting.cancel();
        auto error = co_await nt::coErrorOf(starting);
        CO_VERIFY(nt::holds<CancelledError>(error));
        // The child is killed and reaped: the protocol sees the end if it saw the start.
        if (recorder->made)
            co_await recorder->lost;
        // And the loop still works.
        Process proc = co_await createSubprocessExec(QStringLiteral("true"));
        CO_COMPARE(co_await proc.wait(), 0);
    };
    NT_RUN(loop, body47());
    if (childrenListAvailable()) {
        // The killed sleep is reaped soon after.
        auto reapedBody = [&]() -> Coro<void> {
            bool reaped = co_await nt::until([&] { return childCount() == before; }, 5.0);
            CO_VERIFY2(reaped, "a child was left behind");
        };
        NT_RUN(loop, reapedBody());
    }
}

// pauseWriting/resumeWriting reach the SubprocessProtocol.
void TestSubprocess::protocolWriteFlowControl()
{
    Loop loop;
    auto body48 = [&]() -> Coro<void> {
        auto recorder = std::make_shared<Recorder>(loop);
        const SubprocessProtocolFactory factory = [recorder] { return recorder; };
        const SubprocessOptions options22{.stdOut = Redirect::DevNull};
        auto [transport, protocol] = co_await subprocessExec(loop, factory, QStringLiteral("cat"), {},
                                                             options22);
        auto in = std::dynamic_pointer_cast<WriteTransport>(transport->getPipeTransport(0));
        in->write(QByteArray(1024 * 1024, 'a'));
        CO_COMPARE(recorder->pauses, 1);
        bool resumed = co_await nt::until([&] { return recorder->resumes == 1; }, 10.0);
        CO_VERIFY(resumed);
        in->close();
        co_await recorder->lost;
        CO_COMPARE(transport->getReturncode(), std::optional<int>(0));
    };
    NT_RUN(loop, body48());
}

// A paused pipe keeps its data and its EOF until resumed; processExited waits for it.
void TestSubprocess::pausedPipeHoldsDataAndEof()
{
    Loop loop;
    auto body49 = [&]() -> Coro<void> {
        auto recorder = std::make_shared<Recorder>(loop);
        const SubprocessProtocolFactory factory = [recorder] { return recorder; };
        const SubprocessOptions options23{.stdIn = Redirect::DevNull, .stdErr = Redirect::DevNull};
        auto [transport, protocol] = co_await subprocessShell(loop, factory, QStringLiteral("echo held"),
                                                              options23);
        auto out = std::dynamic_pointer_cast<ReadTransport>(transport->getPipeTransport(1));
        out->pauseReading();
        CO_VERIFY(!out->isReading());
        bool exited = co_await nt::until([&] { return transport->getReturncode().has_value(); }, 10.0);
        CO_VERIFY(exited);
        co_await sleep(0.02);
        CO_COMPARE(recorder->out, QByteArray());
        CO_VERIFY(!recorder->events.contains(QStringLiteral("exited")));
        out->resumeReading();
        co_await recorder->lost;
        CO_COMPARE(recorder->out, QByteArray("held\n"));
        CO_COMPARE(recorder->events.join(u','), QStringLiteral("made,data1,lost1,exited,connectionLost"));
    };
    NT_RUN(loop, body49());
}

// Rule 1: a plain QEventLoop (no runForever) drives children, pipes and exits.
void TestSubprocess::drivenByQEventLoop()
{
    Loop loop;
    QEventLoop qtLoop;
    QByteArray result;
    int code = -1;
    auto body = [&]() -> Coro<void> {
        Process proc = co_await createSubprocessExec(QStringLiteral("cat"), {}, kAllPipes);
        auto [out, err] = co_await proc.communicate(QByteArray("via QEventLoop"));
        result = out;
        code = co_await proc.wait();
        qtLoop.quit();
    };
    auto task = createTask(loop, body());
    QTimer::singleShot(10000, &qtLoop, [&] { qtLoop.exit(1); });
    QCOMPARE(qtLoop.exec(), 0);
    QVERIFY(!loop.isRunning());
    QCOMPARE(result, QByteArray("via QEventLoop"));
    QCOMPARE(code, 0);
    QVERIFY(task.done());
}

// The loop goes away while a child runs; Qt keeps processing events and
// QProcess reports the exit: nothing may touch the dead loop, nothing leaks.
void TestSubprocess::loopClosedWhileChildRuns()
{
    std::weak_ptr<SubprocessTransport> weak;
    qint64 pid = 0;
    {
        Loop loop;
        auto recorder = std::make_shared<Recorder>(loop);
        auto body = [&]() -> Coro<void> {
            const SubprocessProtocolFactory factory = [recorder] { return recorder; };
            const QStringList arguments{QStringLiteral("0.5")};
            auto [transport, protocol] = co_await subprocessExec(loop, factory, QStringLiteral("sleep"), arguments);
            weak = transport;
            pid = transport->getPid();
        };
        NT_RUN(loop, body());
    }
    QVERIFY(pid > 0);
    QVERIFY(!weak.expired()); // the child still runs
    QTRY_VERIFY_WITH_TIMEOUT(weak.expired(), 5000);
    QVERIFY(!QFile::exists(QStringLiteral("/proc/%1").arg(pid))); // reaped
}

QTEST_GUILESS_MAIN(TestSubprocess)
#include "tst_subprocess.moc"
