// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_pipes — connectReadPipe and connectWritePipe on real pipes, FIFOs,
// ptys and sockets. Ported from CPython's test_events.py (test_read_pipe,
// test_write_pipe, test_write_pipe_disconnect_on_close, test_read_pty_output,
// test_write_pty, test_bidirectional_pty) and the behaviour checked by
// test_unix_events.py's UnixReadPipeTransportTests/UnixWritePipeTransportTests.
#include "net_util.h"

#include <qaio/qaio.h>

#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <fcntl.h>
#include <pty.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <memory>
#include <system_error>

using namespace qaio;

namespace {

class MyError : public std::runtime_error
{
public:
    MyError() : std::runtime_error("MyError") {}
};

class PipeRecorder : public Protocol
{
public:
    QStringList events;
    QByteArray data;
    std::shared_ptr<BaseTransport> transport;
    bool lost = false;
    std::exception_ptr lostError;
    int pauses = 0;
    int resumes = 0;
    bool throwOnData = false;
    std::function<void(PipeRecorder &)> onResume;

    void connectionMade(BaseTransport *t) override
    {
        events << QStringLiteral("made");
        transport = t->sharedSelf();
    }
    void dataReceived(const QByteArray &chunk) override
    {
        if (throwOnData)
            throw MyError();
        if (events.last() != QLatin1String("data"))
            events << QStringLiteral("data");
        data += chunk;
    }
    bool eofReceived() override
    {
        events << QStringLiteral("eof");
        return false;
    }
    void connectionLost(std::exception_ptr error) override
    {
        events << QStringLiteral("lost");
        lost = true;
        lostError = error;
        transport.reset();
    }
    void pauseWriting() override { ++pauses; }
    void resumeWriting() override
    {
        ++resumes;
        if (onResume)
            onResume(*this);
    }
};

ProtocolFactory factoryFor(const std::shared_ptr<PipeRecorder> &p)
{
    return [p] { return p; };
}

Coro<bool> waitFor(std::function<bool()> pred, double limit = 5.0)
{
    co_return co_await nt::until(std::move(pred), limit);
}

bool fdIsOpen(int fd)
{
    return ::fcntl(fd, F_GETFD) >= 0;
}

// Reads from a non-blocking fd until n bytes or EOF (an empty read).
Coro<QByteArray> readUpTo(int fd, qsizetype n, double limit = 10.0)
{
    Loop &loop = getRunningLoop();
    const double end = loop.time() + limit;
    QByteArray got;
    char buffer[65536];
    while (got.size() < n && loop.time() < end) {
        const ssize_t r = ::read(fd, buffer, size_t(std::min<qsizetype>(sizeof buffer, n - got.size())));
        if (r == 0)
            break;
        if (r < 0) {
            if (errno != EAGAIN && errno != EINTR)
                break;
            co_await qaio::sleep(0.001);
            continue;
        }
        got.append(buffer, r);
    }
    co_return got;
}

struct Pipe
{
    int read = -1;
    int write = -1;
    Pipe()
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) == 0) {
            read = fds[0];
            write = fds[1];
        }
    }
};

void setNonBlocking(int fd)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void rawMode(int fd)
{
    termios tio{};
    ::tcgetattr(fd, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(fd, TCSANOW, &tio);
}

} // namespace

class TestNetPipes : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readPipe();
    void readPipePauseResume();
    void readPipeClose();
    void readFifo();
    void readSocket();
    void readPipeDataReceivedThrows();
    void regularFileIsValueError();
    void readPtyOutput();
    void writePipe();
    void writePipeFlowControl();
    void writePipeCloseSendsQueuedData();
    void writePipeAbortDropsQueuedData();
    void writePipeWriteEof();
    void writePipeReaderGoneWhileIdle();
    void writePipeReaderGoneWithQueuedData();
    void writePipeDisconnectOnClose();
    void writeToClosedReaderIsEpipeNotSigpipe();
    void writePty();
    void bidirectionalPty();
    void writeAfterCloseIsIgnored();
    void badWriteBufferLimits();
    void noFdLeaks();
};

void TestNetPipes::readPipe()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        auto p = std::make_shared<PipeRecorder>();
        auto [t, proto] = co_await connectReadPipe(loop, factoryFor(p), pipe.read);
        CO_VERIFY(proto == p);
        CO_COMPARE(p->events, QStringList{QStringLiteral("made")});
        CO_COMPARE(t->getExtraInfo(QStringLiteral("pipe")).toInt(), pipe.read);
        CO_VERIFY(t->isReading());
        CO_VERIFY(::fcntl(pipe.read, F_GETFL) & O_NONBLOCK);
        CO_COMPARE(::write(pipe.write, "1", 1), ssize_t(1));
        CO_VERIFY(co_await waitFor([&] { return p->data.size() == 1; }));
        CO_COMPARE(::write(pipe.write, "2345", 4), ssize_t(4));
        CO_VERIFY(co_await waitFor([&] { return p->data.size() == 5; }));
        CO_COMPARE(p->data, QByteArray("12345"));
        // The writer closes: eofReceived(), then connectionLost(nullptr).
        ::close(pipe.write);
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_COMPARE(p->events, (QStringList{QStringLiteral("made"), QStringLiteral("data"), QStringLiteral("eof"),
                                            QStringLiteral("lost")}));
        CO_VERIFY(!p->lostError);
        CO_VERIFY(t->isClosing());
        CO_VERIFY(!fdIsOpen(pipe.read)); // the transport owned it
    };
    NT_RUN(loop, body());
}

void TestNetPipes::readPipePauseResume()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectReadPipe(loop, factoryFor(p), pipe.read);
        Q_UNUSED(unused);
        t->pauseReading();
        CO_VERIFY(!t->isReading());
        t->pauseReading(); // twice is harmless
        ::write(pipe.write, "abc", 3);
        co_await qaio::sleep(0.02);
        CO_VERIFY(p->data.isEmpty());
        t->resumeReading();
        CO_VERIFY(t->isReading());
        CO_VERIFY(co_await waitFor([&] { return p->data == "abc"; }));
        t->close();
        ::close(pipe.write);
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        // On a closed transport both are no-ops.
        t->pauseReading();
        t->resumeReading();
        CO_VERIFY(!t->isReading());
    };
    NT_RUN(loop, body());
}

void TestNetPipes::readPipeClose()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectReadPipe(loop, factoryFor(p), pipe.read);
        Q_UNUSED(unused);
        t->close();
        CO_VERIFY(t->isClosing());
        CO_VERIFY(!t->isReading());
        t->close();
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_COMPARE(p->events, (QStringList{QStringLiteral("made"), QStringLiteral("lost")}));
        CO_VERIFY(!fdIsOpen(pipe.read));
        ::close(pipe.write);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::readFifo()
{
    Loop loop;
    QTemporaryDir dir;
    const QByteArray path = dir.filePath(QStringLiteral("fifo")).toLocal8Bit();
    QCOMPARE(::mkfifo(path.constData(), 0600), 0);
    auto body = [&]() -> Coro<void> {
        const int rfd = ::open(path.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        CO_VERIFY(rfd >= 0);
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectReadPipe(loop, factoryFor(p), rfd);
        Q_UNUSED(unused);
        const int wfd = ::open(path.constData(), O_WRONLY | O_CLOEXEC);
        CO_VERIFY(wfd >= 0);
        ::write(wfd, "fifo!", 5);
        ::close(wfd);
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_COMPARE(p->data, QByteArray("fifo!"));
        CO_VERIFY(p->events.contains(QStringLiteral("eof")));
    };
    NT_RUN(loop, body());
}

void TestNetPipes::readSocket()
{
    // A socket as the read "pipe": the peer's close is the EOF.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [mine, theirs] = Socket::pair();
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectReadPipe(loop, factoryFor(p), mine.detach());
        Q_UNUSED(unused);
        theirs.setBlocking(false);
        co_await sockSendall(loop, theirs, "over a socket");
        theirs.close();
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_COMPARE(p->data, QByteArray("over a socket"));
        CO_COMPARE(p->events, (QStringList{QStringLiteral("made"), QStringLiteral("data"), QStringLiteral("eof"),
                                            QStringLiteral("lost")}));
    };
    NT_RUN(loop, body());
}

void TestNetPipes::readPipeDataReceivedThrows()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        auto p = std::make_shared<PipeRecorder>();
        p->throwOnData = true;
        auto [t, unused] = co_await connectReadPipe(loop, factoryFor(p), pipe.read);
        Q_UNUSED(unused);
        ::write(pipe.write, "x", 1);
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(nt::holds<MyError>(p->lostError));
        CO_COMPARE(log.count(QStringLiteral("dataReceived")), 1);
        ::close(pipe.write);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::regularFileIsValueError()
{
    Loop loop;
    QTemporaryDir dir;
    const QByteArray path = dir.filePath(QStringLiteral("file")).toLocal8Bit();
    auto body = [&]() -> Coro<void> {
        const int fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        CO_VERIFY(fd >= 0);
        auto p = std::make_shared<PipeRecorder>();
        auto error = co_await nt::coErrorOf(connectReadPipe(loop, factoryFor(p), fd));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("pipes")));
        error = co_await nt::coErrorOf(connectWritePipe(loop, factoryFor(p), fd));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(p->events.isEmpty());
        CO_VERIFY(fdIsOpen(fd)); // still the caller's
        ::close(fd);
        // A closed fd is EBADF.
        error = co_await nt::coErrorOf(connectReadPipe(loop, factoryFor(p), fd));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::bad_file_descriptor));
    };
    NT_RUN(loop, body());
}

void TestNetPipes::readPtyOutput()
{
    // A character device: the pty master. Closing the slave makes the
    // master's read fail with EIO, which ends the transport with that error.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        int master = -1;
        int slave = -1;
        CO_COMPARE(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
        rawMode(slave);
        struct stat st
        {
        };
        ::fstat(master, &st);
        CO_VERIFY(S_ISCHR(st.st_mode));
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectReadPipe(loop, factoryFor(p), master);
        Q_UNUSED(unused);
        ::write(slave, "1", 1);
        CO_VERIFY(co_await waitFor([&] { return p->data == "1"; }));
        ::write(slave, "2345", 4);
        CO_VERIFY(co_await waitFor([&] { return p->data == "12345"; }));
        ::close(slave);
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_COMPARE(nt::codeOf(p->lostError), std::make_error_code(std::errc::io_error));
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writePipe()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        setNonBlocking(pipe.read);
        auto p = std::make_shared<PipeRecorder>();
        auto [t, proto] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        CO_VERIFY(proto == p);
        CO_VERIFY(t->canWriteEof());
        CO_COMPARE(t->getExtraInfo(QStringLiteral("pipe")).toInt(), pipe.write);
        t->write("1");
        CO_COMPARE(co_await readUpTo(pipe.read, 1), QByteArray("1"));
        t->write("2345");
        CO_COMPARE(co_await readUpTo(pipe.read, 4), QByteArray("2345"));
        CO_COMPARE(t->getWriteBufferSize(), qsizetype(0));
        t->write(QByteArray()); // nothing
        t->close();
        CO_VERIFY(t->isClosing());
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(!p->lostError);
        CO_VERIFY(!fdIsOpen(pipe.write));
        CO_COMPARE(co_await readUpTo(pipe.read, 1), QByteArray()); // EOF
        ::close(pipe.read);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writePipeFlowControl()
{
    // A pipe holds 64 KiB: a 1 MiB write is mostly queued, the protocol is
    // paused above the high-water mark and resumed once the reader caught up.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        setNonBlocking(pipe.read);
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        Q_UNUSED(unused);
        const QByteArray payload = nt::pattern(1024 * 1024, 3);
        t->write(payload);
        CO_VERIFY(t->getWriteBufferSize() > 64 * 1024);
        CO_VERIFY(t->getWriteBufferSize() < payload.size());
        CO_COMPARE(p->pauses, 1);
        CO_COMPARE(p->resumes, 0);
        // Writes queue behind, in order.
        t->write("tail");
        CO_COMPARE(co_await readUpTo(pipe.read, payload.size() + 4), payload + "tail");
        CO_VERIFY(co_await waitFor([&] { return t->getWriteBufferSize() == 0; }));
        CO_COMPARE(p->resumes, 1);
        t->close();
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        ::close(pipe.read);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writePipeCloseSendsQueuedData()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        setNonBlocking(pipe.read);
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        Q_UNUSED(unused);
        const QByteArray payload = nt::pattern(512 * 1024, 4);
        t->write(payload);
        t->close();
        co_await nt::yieldN(3);
        CO_VERIFY(!p->lost); // waits for the buffer
        const QByteArray got = co_await readUpTo(pipe.read, payload.size() + 1);
        CO_VERIFY(got == payload); // everything, then EOF
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(!p->lostError);
        ::close(pipe.read);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writePipeAbortDropsQueuedData()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        setNonBlocking(pipe.read);
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        Q_UNUSED(unused);
        const QByteArray payload = nt::pattern(512 * 1024, 5);
        t->write(payload);
        t->abort();
        CO_COMPARE(t->getWriteBufferSize(), qsizetype(0));
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(!p->lostError);
        const QByteArray got = co_await readUpTo(pipe.read, payload.size());
        CO_VERIFY(got.size() < payload.size());
        CO_VERIFY(payload.startsWith(got));
        ::close(pipe.read);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writePipeWriteEof()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        setNonBlocking(pipe.read);
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        Q_UNUSED(unused);
        const QByteArray payload = nt::pattern(200 * 1024, 6);
        t->write(payload);
        t->writeEof(); // pending data goes first
        CO_VERIFY(t->isClosing());
        t->writeEof();
        CO_COMPARE(co_await readUpTo(pipe.read, payload.size() + 1), payload);
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(!p->lostError);
        ::close(pipe.read);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writePipeReaderGoneWhileIdle()
{
    // The read end closes with nothing queued: connectionLost(nullptr).
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        Q_UNUSED(unused);
        ::close(pipe.read);
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(!p->lostError);
        CO_VERIFY(t->isClosing());
        CO_VERIFY(!fdIsOpen(pipe.write));
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writePipeReaderGoneWithQueuedData()
{
    // ... with data queued: connectionLost(BrokenPipe).
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        Q_UNUSED(unused);
        t->write(nt::pattern(256 * 1024, 7));
        CO_VERIFY(t->getWriteBufferSize() > 0);
        ::close(pipe.read);
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_COMPARE(nt::codeOf(p->lostError), std::make_error_code(std::errc::broken_pipe));
        CO_COMPARE(t->getWriteBufferSize(), qsizetype(0));
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writePipeDisconnectOnClose()
{
    // test_write_pipe_disconnect_on_close: a socket as the "pipe".
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [rsock, wsock] = Socket::pair();
        rsock.setBlocking(false);
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), wsock.detach());
        Q_UNUSED(unused);
        t->write("1");
        CO_COMPARE(co_await sockRecv(loop, rsock, 1024), QByteArray("1"));
        rsock.close();
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(!p->lostError);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writeToClosedReaderIsEpipeNotSigpipe()
{
    // write() straight into a pipe whose reader is gone (before the loop
    // noticed): EPIPE ends the transport; no SIGPIPE kills the process
    // (the default SIGPIPE action is in force here).
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        Q_UNUSED(unused);
        ::close(pipe.read);
        t->write("into the void");
        CO_VERIFY(t->isClosing());
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_COMPARE(nt::codeOf(p->lostError), std::make_error_code(std::errc::broken_pipe));
        t->write("again"); // ignored
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writePty()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        int master = -1;
        int slave = -1;
        CO_COMPARE(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
        rawMode(slave);
        setNonBlocking(master);
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), slave);
        Q_UNUSED(unused);
        t->write("1");
        CO_COMPARE(co_await readUpTo(master, 1), QByteArray("1"));
        t->write("2345");
        CO_COMPARE(co_await readUpTo(master, 4), QByteArray("2345"));
        t->close();
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(!p->lostError);
        ::close(master);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::bidirectionalPty()
{
    // One pty master, read and written by two transports (on dup'ed fds).
    Loop loop;
    auto body = [&]() -> Coro<void> {
        int master = -1;
        int slave = -1;
        CO_COMPARE(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
        rawMode(slave);
        setNonBlocking(slave);
        auto reader = std::make_shared<PipeRecorder>();
        auto writer = std::make_shared<PipeRecorder>();
        auto [rt, rp] = co_await connectReadPipe(loop, factoryFor(reader), ::dup(master));
        auto [wt, wp] = co_await connectWritePipe(loop, factoryFor(writer), master);
        wt->write("to slave");
        CO_COMPARE(co_await readUpTo(slave, 8), QByteArray("to slave"));
        ::write(slave, "to master", 9);
        CO_VERIFY(co_await waitFor([&] { return reader->data == "to master"; }));
        wt->close();
        rt->close();
        CO_VERIFY(co_await waitFor([&] { return reader->lost && writer->lost; }));
        ::close(slave);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::writeAfterCloseIsIgnored()
{
    // asyncio ignores (and counts) writes once the pipe is closing or lost;
    // the loop keeps running and nothing is raised.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        setNonBlocking(pipe.read);
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        Q_UNUSED(unused);
        t->close();
        t->write("late");
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        t->write("later");
        t->close();
        t->abort();
        CO_COMPARE(co_await readUpTo(pipe.read, 10), QByteArray());
        ::close(pipe.read);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::badWriteBufferLimits()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Pipe pipe;
        auto p = std::make_shared<PipeRecorder>();
        auto [t, unused] = co_await connectWritePipe(loop, factoryFor(p), pipe.write);
        Q_UNUSED(unused);
        auto error = nt::errorOf([&] { t->setWriteBufferLimits(1, 2); });
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        error = nt::errorOf([&] { t->setWriteBufferLimits(std::nullopt, -1); });
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        t->setWriteBufferLimits(100);
        CO_COMPARE(t->getWriteBufferLimits(), (std::pair<qsizetype, qsizetype>(25, 100)));
        // Empty factories are ValueError.
        error = co_await nt::coErrorOf(connectReadPipe(loop, ProtocolFactory(), pipe.read));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        t->close();
        ::close(pipe.read);
    };
    NT_RUN(loop, body());
}

void TestNetPipes::noFdLeaks()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        co_await qaio::sleep(0);
        const int before = nt::openFdCount();
        for (int i = 0; i < 30; ++i) {
            Pipe pipe;
            auto r = std::make_shared<PipeRecorder>();
            auto w = std::make_shared<PipeRecorder>();
            auto [rt, rp] = co_await connectReadPipe(loop, factoryFor(r), pipe.read);
            auto [wt, wp] = co_await connectWritePipe(loop, factoryFor(w), pipe.write);
            wt->write("x");
            wt->close();
            CO_VERIFY(co_await waitFor([&] { return r->lost && w->lost; }));
            CO_COMPARE(r->data, QByteArray("x"));
        }
        co_await nt::yieldN(3);
        CO_COMPARE(nt::openFdCount(), before);
    };
    NT_RUN(loop, body());
}

QTEST_GUILESS_MAIN(TestNetPipes)
#include "tst_net_pipes.moc"
