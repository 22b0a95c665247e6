// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_io — addReader / removeReader / addWriter / removeWriter on real
// socket pairs and pipes.
#include "testutil.h"

#include <qaio/loop.h>

#include <QtTest/QtTest>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <vector>

using namespace qaio;

namespace {
// A connected, non-blocking AF_UNIX stream pair; closed on destruction.
struct SocketPair
{
    int fd[2] = {-1, -1};
    SocketPair()
    {
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) != 0)
            qFatal("socketpair failed: %d", errno);
    }
    ~SocketPair()
    {
        closeEnd(0);
        closeEnd(1);
    }
    SocketPair(const SocketPair &) = delete;
    SocketPair &operator=(const SocketPair &) = delete;
    void closeEnd(int i)
    {
        if (fd[i] >= 0)
            ::close(fd[i]);
        fd[i] = -1;
    }
    int a() const { return fd[0]; }
    int b() const { return fd[1]; }
};

bool writeAll(int fd, const QByteArray &data)
{
    return ::write(fd, data.constData(), size_t(data.size())) == data.size();
}

QByteArray readSome(int fd, int max = 4096)
{
    QByteArray buffer(max, Qt::Uninitialized);
    const ssize_t n = ::read(fd, buffer.data(), size_t(max));
    return n > 0 ? buffer.left(int(n)) : QByteArray();
}

// Fills the socket's send buffer until the kernel refuses more.
qsizetype fill(int fd)
{
    const QByteArray chunk(65536, 'x');
    qsizetype total = 0;
    for (;;) {
        const ssize_t n = ::write(fd, chunk.constData(), size_t(chunk.size()));
        if (n <= 0)
            return total;
        total += n;
    }
}
} // namespace

class TestLoopIo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readerFiresWhenDataArrives();
    void readerIsLevelTriggered();
    void readerFiresOnEof();
    void readerOnAPipe();
    void removeReaderReturnsTrueThenFalse();
    void readerThatRemovesItself();
    void readerReAddedReplacesTheOldOne();
    void readerReplacedFromInsideItsCallback();
    void cancelledReaderHandleIsUnregistered();
    void writerFiresWhenWritable();
    void writerWaitsUntilTheSocketDrains();
    void readerAndWriterOnTheSameFd();
    void removingAReaderInAnotherFdsCallbackPreventsIt();
    void readerPassesArguments();
    void manyReaders();
    void removeReaderAfterTheFdWasClosed();
    void readerExceptionReachesHandlerAndReaderStays();
};

void TestLoopIo::readerFiresWhenDataArrives()
{
    Loop loop;
    SocketPair pair;
    bool written = false;
    bool firedBeforeWrite = false;
    QByteArray received;
    loop.addReader(pair.a(), [&] {
        if (!written)
            firedBeforeWrite = true;
        received += readSome(pair.a());
        if (received.size() >= 5)
            loop.stop();
    });
    loop.callLater(0.005, [&] {
        written = true;
        QVERIFY(writeAll(pair.b(), "hello"));
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QVERIFY(!firedBeforeWrite);
    QCOMPARE(received, QByteArray("hello"));
    QVERIFY(loop.removeReader(pair.a()));
}

void TestLoopIo::readerIsLevelTriggered()
{
    Loop loop;
    SocketPair pair;
    QVERIFY(writeAll(pair.b(), "abc"));
    QByteArray received;
    int calls = 0;
    loop.addReader(pair.a(), [&] {
        ++calls;
        received += readSome(pair.a(), 1); // one byte per call: it fires again
    });
    loop.callLater(0.030, [&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(received, QByteArray("abc"));
    QCOMPARE(calls, 3); // and not once more after the data ran out
    QVERIFY(loop.removeReader(pair.a()));
}

void TestLoopIo::readerFiresOnEof()
{
    Loop loop;
    SocketPair pair;
    bool eof = false;
    loop.addReader(pair.a(), [&] {
        char c;
        if (::read(pair.a(), &c, 1) == 0) {
            eof = true;
            loop.removeReader(pair.a());
            loop.stop();
        }
    });
    loop.callLater(0.002, [&] { pair.closeEnd(1); });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QVERIFY(eof);
}

void TestLoopIo::readerOnAPipe()
{
    int p[2];
    QCOMPARE(::pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    Loop loop;
    QByteArray received;
    bool writerFired = false;
    loop.addWriter(p[1], [&] {
        writerFired = true;
        loop.removeWriter(p[1]);
        writeAll(p[1], "piped");
    });
    loop.addReader(p[0], [&] {
        received += readSome(p[0]);
        loop.removeReader(p[0]);
        loop.stop();
    });
    const bool ok = testutil::runWithTimeout(loop, 5.0);
    ::close(p[0]);
    ::close(p[1]);
    QVERIFY(ok);
    QVERIFY(writerFired);
    QCOMPARE(received, QByteArray("piped"));
}

void TestLoopIo::removeReaderReturnsTrueThenFalse()
{
    Loop loop;
    SocketPair pair;
    QVERIFY(!loop.removeReader(pair.a())); // never added
    Handle h = loop.addReader(pair.a(), [] {});
    QVERIFY(!h.isNull());
    QVERIFY(!loop.removeWriter(pair.a())); // a reader is not a writer
    QVERIFY(loop.removeReader(pair.a()));
    QVERIFY(h.cancelled()); // removing cancels the handle
    QVERIFY(!loop.removeReader(pair.a()));
    QVERIFY(!loop.removeReader(123456)); // an fd the loop never saw

    // Removed readers do not fire.
    bool fired = false;
    loop.addReader(pair.a(), [&] { fired = true; });
    QVERIFY(loop.removeReader(pair.a()));
    QVERIFY(writeAll(pair.b(), "x"));
    loop.callLater(0.010, [&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QVERIFY(!fired);
}

void TestLoopIo::readerThatRemovesItself()
{
    Loop loop;
    SocketPair pair;
    QVERIFY(writeAll(pair.b(), "unread"));
    int calls = 0;
    bool removed = false;
    bool removedAgain = true;
    loop.addReader(pair.a(), [&] {
        ++calls;
        // The data stays unread: only removal keeps it from firing again.
        removed = loop.removeReader(pair.a());
        removedAgain = loop.removeReader(pair.a());
    });
    loop.callLater(0.030, [&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(calls, 1);
    QVERIFY(removed);
    QVERIFY(!removedAgain);
}

void TestLoopIo::readerReAddedReplacesTheOldOne()
{
    Loop loop;
    SocketPair pair;
    QStringList seq;
    auto token = std::make_shared<int>(0);
    Handle first = loop.addReader(pair.a(), [&, token] { seq << QStringLiteral("first"); });
    Handle second = loop.addReader(pair.a(), [&] {
        seq << QStringLiteral("second");
        readSome(pair.a());
        loop.stop();
    });
    QVERIFY(first.cancelled());
    QVERIFY(!second.cancelled());
    QCOMPARE(token.use_count(), 1L); // the old callback was released
    QVERIFY(writeAll(pair.b(), "x"));
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(seq, QStringList{QStringLiteral("second")});
    QVERIFY(loop.removeReader(pair.a()));
    QVERIFY(!loop.removeReader(pair.a())); // one registration, not two
}

void TestLoopIo::readerReplacedFromInsideItsCallback()
{
    Loop loop;
    SocketPair pair;
    QStringList seq;
    QVERIFY(writeAll(pair.b(), "ab"));
    loop.addReader(pair.a(), [&] {
        seq << QStringLiteral("first:") + QString::fromLatin1(readSome(pair.a(), 1));
        loop.addReader(pair.a(), [&] {
            seq << QStringLiteral("second:") + QString::fromLatin1(readSome(pair.a(), 1));
            loop.removeReader(pair.a());
            loop.stop();
        });
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(seq, (QStringList{QStringLiteral("first:a"), QStringLiteral("second:b")}));
}

void TestLoopIo::cancelledReaderHandleIsUnregistered()
{
    // asyncio: a reader whose handle was cancelled is unregistered the next
    // time its fd is ready, instead of being polled (and skipped) forever.
    Loop loop;
    SocketPair pair;
    int calls = 0;
    Handle h = loop.addReader(pair.a(), [&] { ++calls; });
    h.cancel();
    QVERIFY(writeAll(pair.b(), "ready"));
    loop.callLater(0.020, [&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(calls, 0);
    QVERIFY(!loop.removeReader(pair.a()));
    // The fd can be watched again afterwards.
    loop.addReader(pair.a(), [&] {
        ++calls;
        loop.removeReader(pair.a());
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(calls, 1);
}

void TestLoopIo::writerFiresWhenWritable()
{
    Loop loop;
    SocketPair pair;
    int calls = 0;
    bool removed = false;
    Handle h = loop.addWriter(pair.b(), [&] {
        ++calls;
        QVERIFY(writeAll(pair.b(), "w"));
        removed = loop.removeWriter(pair.b());
        loop.callLater(0.010, [&] { loop.stop(); });
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(calls, 1);
    QVERIFY(removed);
    QVERIFY(h.cancelled());
    QVERIFY(!loop.removeWriter(pair.b()));
    QCOMPARE(readSome(pair.a()), QByteArray("w"));
}

void TestLoopIo::writerWaitsUntilTheSocketDrains()
{
    Loop loop;
    SocketPair pair;
    QVERIFY(fill(pair.b()) > 0);
    bool drained = false;
    bool firedBeforeDrain = false;
    int calls = 0;
    loop.addWriter(pair.b(), [&] {
        ++calls;
        if (!drained)
            firedBeforeDrain = true;
        loop.removeWriter(pair.b());
        loop.stop();
    });
    loop.callLater(0.020, [&] {
        drained = true;
        while (!readSome(pair.a(), 65536).isEmpty()) {
        }
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QVERIFY(!firedBeforeDrain);
    QCOMPARE(calls, 1);
}

void TestLoopIo::readerAndWriterOnTheSameFd()
{
    Loop loop;
    SocketPair pair;
    QStringList seq;
    loop.addWriter(pair.a(), [&] {
        seq << QStringLiteral("writable");
        QVERIFY(loop.removeWriter(pair.a()));
        QVERIFY(writeAll(pair.b(), "r"));
    });
    loop.addReader(pair.a(), [&] {
        seq << QStringLiteral("readable:") + QString::fromLatin1(readSome(pair.a()));
        QVERIFY(loop.removeReader(pair.a()));
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(seq, (QStringList{QStringLiteral("writable"), QStringLiteral("readable:r")}));
    QVERIFY(!loop.removeReader(pair.a()));
    QVERIFY(!loop.removeWriter(pair.a()));
}

void TestLoopIo::removingAReaderInAnotherFdsCallbackPreventsIt()
{
    Loop loop;
    SocketPair first;
    SocketPair second;
    // Both readable before the loop runs: the epoll backend gathers both in
    // one batch. Whichever runs first removes the other, which must not run.
    QVERIFY(writeAll(first.b(), "1"));
    QVERIFY(writeAll(second.b(), "2"));
    QStringList seq;
    loop.addReader(first.a(), [&] {
        seq << QStringLiteral("first");
        loop.removeReader(second.a());
        loop.removeReader(first.a());
    });
    loop.addReader(second.a(), [&] {
        seq << QStringLiteral("second");
        loop.removeReader(first.a());
        loop.removeReader(second.a());
    });
    loop.callLater(0.020, [&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(seq.size(), 1);
}

void TestLoopIo::readerPassesArguments()
{
    Loop loop;
    SocketPair pair;
    QString got;
    loop.addReader(
        pair.a(),
        [&](int fd, const QString &tag) {
            got = tag + QString::fromLatin1(readSome(fd));
            loop.removeReader(fd);
            loop.stop();
        },
        pair.a(), QStringLiteral("tag:"));
    QVERIFY(writeAll(pair.b(), "data"));
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(got, QStringLiteral("tag:data"));
}

void TestLoopIo::manyReaders()
{
    constexpr int Count = 50;
    Loop loop;
    std::vector<std::unique_ptr<SocketPair>> pairs;
    std::vector<int> hits(Count, 0);
    int done = 0;
    for (int i = 0; i < Count; ++i) {
        pairs.push_back(std::make_unique<SocketPair>());
        const int fd = pairs.back()->a();
        loop.addReader(fd, [&, i, fd] {
            ++hits[i];
            readSome(fd);
            loop.removeReader(fd);
            if (++done == Count)
                loop.callLater(0.010, [&] { loop.stop(); });
        });
    }
    // Written in reverse order, from a callback.
    loop.callSoon([&] {
        for (int i = Count - 1; i >= 0; --i)
            writeAll(pairs[i]->b(), "x");
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(hits, std::vector<int>(Count, 1));
}

void TestLoopIo::removeReaderAfterTheFdWasClosed()
{
    Loop loop;
    SocketPair pair;
    const int fd = pair.a();
    auto token = std::make_shared<int>(0);
    loop.addReader(fd, [token] {});
    loop.addWriter(fd, [token] {});
    pair.closeEnd(0); // closed behind the loop's back: the kernel dropped it already
    QVERIFY(loop.removeReader(fd));
    QVERIFY(loop.removeWriter(fd));
    QVERIFY(!loop.removeReader(fd));
    QCOMPARE(token.use_count(), 1L);
    // The loop still works, and a new fd with the same number can be watched.
    SocketPair again;
    bool fired = false;
    loop.addReader(again.a(), [&] {
        fired = true;
        loop.removeReader(again.a());
        loop.stop();
    });
    QVERIFY(writeAll(again.b(), "z"));
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QVERIFY(fired);
}

void TestLoopIo::readerExceptionReachesHandlerAndReaderStays()
{
    Loop loop;
    SocketPair pair;
    int errors = 0;
    int calls = 0;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &context) {
        if (context.message.startsWith(QLatin1StringView("Exception in callback")))
            ++errors;
    });
    QVERIFY(writeAll(pair.b(), "ab"));
    loop.addReader(pair.a(), [&] {
        ++calls;
        readSome(pair.a(), 1);
        if (calls == 1)
            throw std::runtime_error("reader failed");
        loop.removeReader(pair.a());
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop, 5.0));
    QCOMPARE(errors, 1);
    QCOMPARE(calls, 2);
}

QTEST_GUILESS_MAIN(TestLoopIo)
#include "tst_loop_io.moc"
