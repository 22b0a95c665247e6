// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_fd_reuse — a watched fd closed without removeReader()/removeWriter(),
// whose number the OS then hands out again: watching the new file under the same
// number works (the kernel dropped the old file's registration when it closed).
#include "qaio_test.h"

#include <qaio/loop.h>

#include <QtTest/QtTest>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fcntl.h>

using namespace qaio;

namespace {
// A pipe whose read end (or write end) has the number `fd`, which must be free.
struct PipeAt
{
    int read = -1;
    int write = -1;
    PipeAt(int fd, bool atReadEnd)
    {
        int p[2];
        if (::pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0)
            qFatal("pipe2 failed: %d", errno);
        int &end = atReadEnd ? p[0] : p[1];
        if (end != fd) { // normally the lowest free number is `fd` itself
            if (::dup3(end, fd, O_CLOEXEC) < 0)
                qFatal("dup3 failed: %d", errno);
            ::close(end);
            end = fd;
        }
        read = p[0];
        write = p[1];
    }
    ~PipeAt()
    {
        ::close(read);
        ::close(write);
    }
};

bool writeByte(int fd)
{
    return ::write(fd, "x", 1) == 1;
}

// How many times a reader (or writer) added now on `fd` fires before the loop
// stops: it stops the loop on its first call, or a 5 s timer does.
int timesFired(Loop &loop, int fd, bool reader)
{
    int fired = 0;
    auto once = [&] {
        ++fired;
        reader ? loop.removeReader(fd) : loop.removeWriter(fd);
        loop.stop();
    };
    reader ? loop.addReader(fd, once) : loop.addWriter(fd, once);
    qaiotest::runWithTimeout(loop, 5.0);
    return fired;
}
} // namespace

class TestLoopFdReuse : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readerOnAReusedNumberFires();
    void writerOnAReusedNumberFires();
    void readerOnANumberReusedAfterReaderAndWriter();
};

void TestLoopFdReuse::readerOnAReusedNumberFires()
{
    Loop loop;
    int stale = -1;
    {
        int p[2];
        QCOMPARE(::pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
        stale = p[0];
        loop.addReader(p[0], [] {});
        ::close(p[0]); // without removeReader()
        ::close(p[1]);
    }
    PipeAt pipe(stale, true);
    QVERIFY(writeByte(pipe.write));
    QCOMPARE(timesFired(loop, pipe.read, true), 1);
    loop.close();
}

void TestLoopFdReuse::writerOnAReusedNumberFires()
{
    Loop loop;
    int stale = -1;
    {
        int p[2];
        QCOMPARE(::pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
        stale = p[1];
        loop.addWriter(p[1], [] {});
        ::close(p[0]);
        ::close(p[1]); // without removeWriter()
    }
    PipeAt pipe(stale, false);
    QCOMPARE(timesFired(loop, pipe.write, false), 1);
    loop.close();
}

void TestLoopFdReuse::readerOnANumberReusedAfterReaderAndWriter()
{
    Loop loop;
    int stale = -1;
    {
        int s[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s), 0);
        stale = s[0];
        loop.addReader(s[0], [] {});
        loop.addWriter(s[0], [] {});
        ::close(s[0]);
        ::close(s[1]);
    }
    PipeAt pipe(stale, true);
    loop.removeWriter(pipe.read); // the stale writer only: the number now means the pipe
    QVERIFY(writeByte(pipe.write));
    QCOMPARE(timesFired(loop, pipe.read, true), 1);
    loop.close();
}

QTEST_GUILESS_MAIN(TestLoopFdReuse)
#include "tst_loop_fd_reuse.moc"
