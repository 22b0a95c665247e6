// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_streams — StreamReader, StreamWriter, openConnection, startServer
// and their Unix variants. The StreamReader cases are ported from CPython's
// test_streams.py (fed with feedData/feedEof as there); the rest runs on real
// loopback connections, including socat as a client nobody here wrote.
#include "net_util.h"

#include <qaio/qaio.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <vector>

using namespace qaio;

namespace {

const QByteArray DATA = QByteArrayLiteral("line1\nline2\nline3\n");

class MyError : public std::runtime_error
{
public:
    explicit MyError(const char *what = "MyError") : std::runtime_error(what) {}
};

QByteArray bufferOf(const StreamReader &reader)
{
    return reader.state()->buffer;
}

quint16 portOf(const std::shared_ptr<Server> &server)
{
    return server->sockets().front().port();
}

// The client handler of test_streams.py's MyServer: echo one line, close.
Coro<void> echoOneLine(StreamReader reader, StreamWriter writer)
{
    const QByteArray line = co_await reader.readline();
    writer.write(line);
    co_await writer.drain();
    writer.close();
    co_await writer.waitClosed();
}

// Echoes chunks until EOF, then closes.
Coro<void> echoAll(StreamReader reader, StreamWriter writer)
{
    for (;;) {
        const QByteArray chunk = co_await reader.read(256 * 1024);
        if (chunk.isEmpty())
            break;
        writer.write(chunk);
        co_await writer.drain();
    }
    writer.close();
    co_await writer.waitClosed();
}

Coro<QByteArray> lineClient(QString host, quint16 port, QByteArray line)
{
    auto [reader, writer] = co_await openConnection(host, port);
    writer.write(line);
    QByteArray back = co_await reader.readline();
    writer.close();
    co_await writer.waitClosed();
    co_return back;
}

} // namespace

class TestNetStreams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- StreamReader, fed by hand ----
    void feedData();
    void readZero();
    void readWaitsForData();
    void readLineBreaksAndLimit();
    void readEof();
    void readUntilEof();
    void readException();
    void invalidLimit();
    void readline();
    void readlineLimitWithExistingData();
    void readlineLimit();
    void readlineEof();
    void readlineThenRead();
    void atEof();
    void readuntilEmptySeparator();
    void readuntilMultiChunks();
    void readuntilMultiChunksOverlap();
    void readuntilSeveralSeparators();
    void readuntilEofIsIncompleteRead();
    void readuntilLimitOverrun();
    void readexactly();
    void readexactlyZeroOrLess();
    void readexactlyMoreThanLimit();
    void readexactlyEofIsIncompleteRead();
    void exceptionWakesWaiter();
    void exceptionAfterCancelledWaiter();
    void concurrentReadersAreRuntimeError();
    void nextLineIteration();
    void constructorNeedsARunningLoop();
    void multipleDrainers();

    // ---- connections ----
    void startServerAndOpenConnection();
    void startUnixServerAndOpenUnixConnection();
    void openConnectionRefused();
    void startServerBadArguments();
    void transfer64MiB();
    void drainWaitsForSlowReader();
    void readerPausesTransportAboveTwiceTheLimit();
    void drainRaisesOncePeerIsGone();
    void waitClosedAfterClose();
    void writeAfterCloseThenDrainIsConnectionReset();
    void eofFedWhenWriterCloses();
    void writeEofHalfClose();
    void readlineOverLimitOnConnection();
    void extraInfo();
    void clientHandlerThatThrows();
    void socatClient();
};

// ------------------------------------------------------------------ StreamReader

void TestNetStreams::feedData()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData(QByteArray());
    QCOMPARE(bufferOf(stream), QByteArray());
    stream.feedData(DATA);
    QCOMPARE(bufferOf(stream), DATA);
    QCOMPARE(stream.limit(), kDefaultStreamLimit);
    QVERIFY(!stream.exception());
}

void TestNetStreams::readZero()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData(DATA);
    QCOMPARE(loop.runUntilComplete(stream.read(0)), QByteArray());
    QCOMPARE(bufferOf(stream), DATA);
}

void TestNetStreams::readWaitsForData()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    Task<QByteArray> task = loop.createTask(stream.read(30));
    loop.callSoon([&] { stream.feedData(DATA); });
    QCOMPARE(loop.runUntilComplete(Future<QByteArray>(task)), DATA);
    QCOMPARE(bufferOf(stream), QByteArray());
}

void TestNetStreams::readLineBreaksAndLimit()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData("line1");
    stream.feedData("line2");
    QCOMPARE(loop.runUntilComplete(stream.read(5)), QByteArrayLiteral("line1"));
    QCOMPARE(bufferOf(stream), QByteArrayLiteral("line2"));

    // read(n) is not bound by the limit.
    StreamReader limited(loop, 3);
    limited.feedData("chunk");
    QCOMPARE(loop.runUntilComplete(limited.read(5)), QByteArrayLiteral("chunk"));
    QCOMPARE(bufferOf(limited), QByteArray());
}

void TestNetStreams::readEof()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    Task<QByteArray> task = loop.createTask(stream.read(1024));
    loop.callSoon([&] { stream.feedEof(); });
    QCOMPARE(loop.runUntilComplete(Future<QByteArray>(task)), QByteArray());
    QCOMPARE(bufferOf(stream), QByteArray());
}

void TestNetStreams::readUntilEof()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    Task<QByteArray> task = loop.createTask(stream.read(-1));
    loop.callSoon([&] {
        stream.feedData("chunk1\n");
        stream.feedData("chunk2");
        stream.feedEof();
    });
    QCOMPARE(loop.runUntilComplete(Future<QByteArray>(task)), QByteArrayLiteral("chunk1\nchunk2"));
    QCOMPARE(bufferOf(stream), QByteArray());

    // More than the limit, in several blocks.
    StreamReader small(loop, 4);
    Task<QByteArray> all = loop.createTask(small.read(-1));
    loop.callSoon([&] {
        small.feedData(DATA);
        small.feedEof();
    });
    QCOMPARE(loop.runUntilComplete(Future<QByteArray>(all)), DATA);
}

void TestNetStreams::readException()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData("line\n");
    QCOMPARE(loop.runUntilComplete(stream.read(2)), QByteArrayLiteral("li"));
    stream.setException(std::make_exception_ptr(MyError()));
    QVERIFY(nt::holds<MyError>(nt::errorOf([&] { loop.runUntilComplete(stream.read(2)); })));
    QVERIFY(nt::holds<MyError>(nt::errorOf([&] { loop.runUntilComplete(stream.readline()); })));
    QVERIFY(nt::holds<MyError>(nt::errorOf([&] { loop.runUntilComplete(stream.readexactly(2)); })));
    QVERIFY(nt::holds<MyError>(stream.exception()));
}

void TestNetStreams::invalidLimit()
{
    Loop loop;
    auto zero = nt::errorOf([&] { StreamReader s(loop, 0); });
    QVERIFY(nt::holds<ValueError>(zero));
    QVERIFY(nt::whatOf(zero).contains(QLatin1String("limit")));
    auto negative = nt::errorOf([&] { StreamReader s(loop, -1); });
    QVERIFY(nt::holds<ValueError>(negative));
    QVERIFY(nt::whatOf(negative).contains(QLatin1String("limit")));
}

void TestNetStreams::readline()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData("chunk1 ");
    Task<QByteArray> task = loop.createTask(stream.readline());
    loop.callSoon([&] {
        stream.feedData("chunk2 ");
        stream.feedData("chunk3 ");
        stream.feedData("\n chunk4");
    });
    QCOMPARE(loop.runUntilComplete(Future<QByteArray>(task)), QByteArrayLiteral("chunk1 chunk2 chunk3 \n"));
    QCOMPARE(bufferOf(stream), QByteArrayLiteral(" chunk4"));

    StreamReader nowait(loop, kDefaultStreamLimit);
    nowait.feedData(DATA.left(6));
    nowait.feedData(DATA.mid(6));
    QCOMPARE(loop.runUntilComplete(nowait.readline()), QByteArrayLiteral("line1\n"));
    QCOMPARE(bufferOf(nowait), QByteArrayLiteral("line2\nline3\n"));
}

void TestNetStreams::readlineLimitWithExistingData()
{
    Loop loop;
    {
        StreamReader stream(loop, 3);
        stream.feedData("li");
        stream.feedData("ne1\nline2\n");
        auto error = nt::errorOf([&] { loop.runUntilComplete(stream.readline()); });
        QVERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        // The rest stays after the error.
        QCOMPARE(bufferOf(stream), QByteArrayLiteral("line2\n"));
    }
    {
        StreamReader stream(loop, 3);
        stream.feedData("li");
        stream.feedData("ne1");
        stream.feedData("li");
        auto error = nt::errorOf([&] { loop.runUntilComplete(stream.readline()); });
        QVERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        // No line end within the limit: the whole buffer is consumed.
        QCOMPARE(bufferOf(stream), QByteArray());
    }
}

void TestNetStreams::readlineLimit()
{
    Loop loop;
    {
        StreamReader stream(loop, 7);
        loop.callSoon([&] {
            stream.feedData("chunk1");
            stream.feedData("chunk2");
            stream.feedData("chunk3\n");
            stream.feedEof();
        });
        QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { loop.runUntilComplete(stream.readline()); })));
        QCOMPARE(bufferOf(stream), QByteArray());
    }
    {
        StreamReader stream(loop, 7);
        loop.callSoon([&] {
            stream.feedData("chunk1");
            stream.feedData("chunk2\n");
            stream.feedData("chunk3\n");
            stream.feedEof();
        });
        QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { loop.runUntilComplete(stream.readline()); })));
        QCOMPARE(bufferOf(stream), QByteArrayLiteral("chunk3\n"));
    }
    {
        // The limit is strict: 7 bytes plus the line end fit, 8 do not.
        StreamReader stream(loop, 7);
        stream.feedData("1234567\n");
        QCOMPARE(loop.runUntilComplete(stream.readline()), QByteArrayLiteral("1234567\n"));
        QCOMPARE(bufferOf(stream), QByteArray());
        stream.feedData("12345678\n");
        QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { loop.runUntilComplete(stream.readline()); })));
        QCOMPARE(bufferOf(stream), QByteArray());
        stream.feedData("12345678");
        QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { loop.runUntilComplete(stream.readline()); })));
        QCOMPARE(bufferOf(stream), QByteArray());
    }
}

void TestNetStreams::readlineEof()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData("some data");
    stream.feedEof();
    QCOMPARE(loop.runUntilComplete(stream.readline()), QByteArrayLiteral("some data"));
    StreamReader empty(loop, kDefaultStreamLimit);
    empty.feedEof();
    QCOMPARE(loop.runUntilComplete(empty.readline()), QByteArray());
}

void TestNetStreams::readlineThenRead()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData(DATA);
    loop.runUntilComplete(stream.readline());
    QCOMPARE(loop.runUntilComplete(stream.read(7)), QByteArrayLiteral("line2\nl"));
    QCOMPARE(bufferOf(stream), QByteArrayLiteral("ine3\n"));
}

void TestNetStreams::atEof()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    QVERIFY(!stream.atEof());
    stream.feedData("some data\n");
    QVERIFY(!stream.atEof());
    loop.runUntilComplete(stream.readline());
    QVERIFY(!stream.atEof());
    stream.feedData("some data\n");
    stream.feedEof();
    QVERIFY(!stream.atEof()); // data still buffered
    loop.runUntilComplete(stream.readline());
    QVERIFY(stream.atEof());
}

void TestNetStreams::readuntilEmptySeparator()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData(DATA);
    auto error = nt::errorOf([&] { loop.runUntilComplete(stream.readuntil(QByteArray())); });
    QVERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
    QVERIFY(nt::whatOf(error).contains(QLatin1String("separator")));
    QList<QByteArray> none;
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { loop.runUntilComplete(stream.readuntil(none)); })));
    QList<QByteArray> withEmpty;
    withEmpty << "\n" << "";
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { loop.runUntilComplete(stream.readuntil(withEmpty)); })));
    QCOMPARE(bufferOf(stream), DATA); // nothing consumed
}

void TestNetStreams::readuntilMultiChunks()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData("lineAAA");
    QCOMPARE(loop.runUntilComplete(stream.readuntil("AAA")), QByteArrayLiteral("lineAAA"));
    QCOMPARE(bufferOf(stream), QByteArray());
    stream.feedData("lineAAAxxx");
    QCOMPARE(loop.runUntilComplete(stream.readuntil("AAA")), QByteArrayLiteral("lineAAA"));
    QCOMPARE(bufferOf(stream), QByteArrayLiteral("xxx"));
    // The default separator is "\n".
    stream.feedData("\nrest");
    QCOMPARE(loop.runUntilComplete(stream.readuntil()), QByteArrayLiteral("xxx\n"));
}

void TestNetStreams::readuntilMultiChunksOverlap()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    auto readAfterFeeding = [&](QList<QByteArray> chunks) {
        Task<QByteArray> task = loop.createTask(stream.readuntil("aaa"));
        loop.callSoon([&stream, chunks] {
            for (const QByteArray &c : chunks)
                stream.feedData(c);
        });
        return loop.runUntilComplete(Future<QByteArray>(task));
    };
    QCOMPARE(readAfterFeeding({"QWEaa", "XYaa", "a"}), QByteArrayLiteral("QWEaaXYaaa"));
    QCOMPARE(bufferOf(stream), QByteArray());
    QCOMPARE(readAfterFeeding({"QWEaa", "XYa", "aa"}), QByteArrayLiteral("QWEaaXYaaa"));
    QCOMPARE(readAfterFeeding({"aaa"}), QByteArrayLiteral("aaa"));
    QCOMPARE(readAfterFeeding({"Xaaa"}), QByteArrayLiteral("Xaaa"));
    QCOMPARE(readAfterFeeding({"XXX", "a", "a", "a"}), QByteArrayLiteral("XXXaaa"));
    QCOMPARE(bufferOf(stream), QByteArray());
}

void TestNetStreams::readuntilSeveralSeparators()
{
    // Python 3.13: a tuple of separators; the match that ends first wins.
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    QList<QByteArray> lineEnds;
    lineEnds << "\r\n" << "\n";
    stream.feedData("dos\r\nunix\nrest");
    QCOMPARE(loop.runUntilComplete(stream.readuntil(lineEnds)), QByteArrayLiteral("dos\r\n"));
    QCOMPARE(loop.runUntilComplete(stream.readuntil(lineEnds)), QByteArrayLiteral("unix\n"));
    QCOMPARE(bufferOf(stream), QByteArrayLiteral("rest"));

    QList<QByteArray> words;
    words << "x" << "bc";
    stream.feedData("abcx");
    QCOMPARE(loop.runUntilComplete(stream.readuntil(words)), QByteArrayLiteral("restabc"));
    QCOMPARE(bufferOf(stream), QByteArrayLiteral("x"));

    // Across chunks: neither separator is there until the last feed.
    QList<QByteArray> marks;
    marks << "END" << "STOP";
    StreamReader chunked(loop, kDefaultStreamLimit);
    Task<QByteArray> task = loop.createTask(chunked.readuntil(marks));
    loop.callSoon([&] {
        chunked.feedData("abcST");
        chunked.feedData("OPxEND");
    });
    QCOMPARE(loop.runUntilComplete(Future<QByteArray>(task)), QByteArrayLiteral("abcSTOP"));
    QCOMPARE(bufferOf(chunked), QByteArrayLiteral("xEND"));

    // At EOF: IncompleteReadError with everything.
    chunked.feedEof();
    auto error = nt::errorOf([&] {
        QList<QByteArray> other;
        other << "A" << "B";
        loop.runUntilComplete(chunked.readuntil(other));
    });
    QVERIFY(nt::holds<IncompleteReadError>(error));
}

void TestNetStreams::readuntilEofIsIncompleteRead()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    const QByteArray data("some dataAA");
    stream.feedData(data);
    stream.feedEof();
    try {
        loop.runUntilComplete(stream.readuntil("AAA"));
        QFAIL("no IncompleteReadError");
    } catch (const IncompleteReadError &e) {
        QCOMPARE(e.partial, data);
        QCOMPARE(e.expected, qsizetype(-1)); // asyncio's None
        QVERIFY(QString::fromUtf8(e.what()).contains(QLatin1String("undefined expected bytes")));
        QVERIFY(nt::holds<EOFError>(std::current_exception()));
    }
    QCOMPARE(bufferOf(stream), QByteArray());
}

void TestNetStreams::readuntilLimitOverrun()
{
    Loop loop;
    StreamReader stream(loop, 3);
    stream.feedData("some dataAA");
    try {
        loop.runUntilComplete(stream.readuntil("AAA"));
        QFAIL("no LimitOverrunError");
    } catch (const LimitOverrunError &e) {
        QVERIFY(QString::fromUtf8(e.what()).contains(QLatin1String("not found")));
        QVERIFY(e.consumed > 3);
    }
    // The data stays buffered.
    QCOMPARE(bufferOf(stream), QByteArrayLiteral("some dataAA"));
    stream.feedData("A");
    try {
        loop.runUntilComplete(stream.readuntil("AAA"));
        QFAIL("no LimitOverrunError");
    } catch (const LimitOverrunError &e) {
        QVERIFY(QString::fromUtf8(e.what()).contains(QLatin1String("is found")));
        QCOMPARE(e.consumed, qsizetype(9)); // where the separator starts
    }
    QCOMPARE(bufferOf(stream), QByteArrayLiteral("some dataAAA"));
    // What the error reports as consumed can be read away, then reading goes on.
    QCOMPARE(loop.runUntilComplete(stream.readexactly(9)), QByteArrayLiteral("some data"));
    QCOMPARE(loop.runUntilComplete(stream.readuntil("AAA")), QByteArrayLiteral("AAA"));
}

void TestNetStreams::readexactly()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    const qsizetype n = 2 * DATA.size();
    Task<QByteArray> task = loop.createTask(stream.readexactly(n));
    loop.callSoon([&] {
        stream.feedData(DATA);
        stream.feedData(DATA);
        stream.feedData(DATA);
    });
    QCOMPARE(loop.runUntilComplete(Future<QByteArray>(task)), DATA + DATA);
    QCOMPARE(bufferOf(stream), DATA);
}

void TestNetStreams::readexactlyZeroOrLess()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    stream.feedData(DATA);
    QCOMPARE(loop.runUntilComplete(stream.readexactly(0)), QByteArray());
    QCOMPARE(bufferOf(stream), DATA);
    auto error = nt::errorOf([&] { loop.runUntilComplete(stream.readexactly(-1)); });
    QVERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
    QVERIFY(nt::whatOf(error).contains(QLatin1String("less than zero")));
    QCOMPARE(bufferOf(stream), DATA);
}

void TestNetStreams::readexactlyMoreThanLimit()
{
    Loop loop;
    StreamReader stream(loop, 3);
    stream.feedData("chunk");
    QCOMPARE(loop.runUntilComplete(stream.readexactly(5)), QByteArrayLiteral("chunk"));
    QCOMPARE(bufferOf(stream), QByteArray());
}

void TestNetStreams::readexactlyEofIsIncompleteRead()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    const qsizetype n = 2 * DATA.size();
    Task<QByteArray> task = loop.createTask(stream.readexactly(n));
    loop.callSoon([&] {
        stream.feedData(DATA);
        stream.feedEof();
    });
    try {
        loop.runUntilComplete(Future<QByteArray>(task));
        QFAIL("no IncompleteReadError");
    } catch (const IncompleteReadError &e) {
        QCOMPARE(e.partial, DATA);
        QCOMPARE(e.expected, n);
        QCOMPARE(QString::fromUtf8(e.what()), QStringLiteral("18 bytes read on a total of 36 expected bytes"));
    }
    QCOMPARE(bufferOf(stream), QByteArray());
}

void TestNetStreams::exceptionWakesWaiter()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    Task<QByteArray> t1 = loop.createTask(stream.readline());
    auto setError = [&]() -> Coro<void> {
        stream.setException(std::make_exception_ptr(MyError()));
        co_return;
    };
    Task<void> t2 = loop.createTask(setError());
    loop.runUntilComplete(Future<void>(t2));
    QVERIFY(nt::holds<MyError>(nt::errorOf([&] { loop.runUntilComplete(Future<QByteArray>(t1)); })));
}

void TestNetStreams::exceptionAfterCancelledWaiter()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    Task<QByteArray> t = loop.createTask(stream.readline());
    loop.runUntilComplete(qaio::sleep(0));
    t.cancel();
    loop.runUntilComplete(qaio::sleep(0));
    // Must not trip over the cancelled waiter.
    stream.setException(std::make_exception_ptr(RuntimeError("message")));
    loop.runUntilComplete(qaio::sleep(0));
    QVERIFY(t.cancelled());
    QVERIFY(!stream.state()->waiter.isValid());
}

void TestNetStreams::concurrentReadersAreRuntimeError()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    Task<QByteArray> first = loop.createTask(stream.readline());
    Task<QByteArray> second = loop.createTask(stream.read(10));
    loop.runUntilComplete(qaio::sleep(0));
    QVERIFY(second.done());
    auto error = second.exception();
    QVERIFY2(nt::holds<RuntimeError>(error), qPrintable(nt::describe(error)));
    QVERIFY(nt::whatOf(error).contains(QLatin1String("already waiting")));
    stream.feedData("ok\n");
    QCOMPARE(loop.runUntilComplete(Future<QByteArray>(first)), QByteArrayLiteral("ok\n"));
}

void TestNetStreams::nextLineIteration()
{
    Loop loop;
    StreamReader stream(loop, kDefaultStreamLimit);
    QList<QByteArray> lines;
    auto body = [&]() -> Coro<void> {
        loop.callSoon([&] {
            stream.feedData("line1\nli");
            stream.feedData("ne2\nline3");
            stream.feedEof();
        });
        for (;;) {
            // Assigned first, not in the loop condition (GCC 12, see docs/tasks.md).
            const std::optional<QByteArray> line = co_await stream.nextLine();
            if (!line)
                break;
            lines << *line;
        }
    };
    NT_RUN(loop, body());
    QCOMPARE(lines, QList<QByteArray>({"line1\n", "line2\n", "line3"}));
}

void TestNetStreams::constructorNeedsARunningLoop()
{
    auto error = nt::errorOf([] { StreamReader reader; });
    QVERIFY2(nt::holds<RuntimeError>(error), qPrintable(nt::describe(error)));
    QVERIFY(nt::whatOf(error).contains(QLatin1String("no running event loop")));
    // Inside a running loop it picks that loop.
    Loop loop;
    Loop *used = nullptr;
    auto body = [&]() -> Coro<void> {
        StreamReader reader;
        used = reader.state()->loop;
        co_return;
    };
    NT_RUN(loop, body());
    QCOMPARE(used, &loop);
}

void TestNetStreams::multipleDrainers()
{
    // test_streams.py's test_multiple_drain: every drain waiter is released.
    Loop loop;
    int drained = 0;
    auto body = [&]() -> Coro<void> {
        auto protocol = std::make_shared<detail::StreamReaderProtocol>(loop, std::nullopt);
        protocol->pauseWriting();
        loop.callLater(0.1, [protocol] { protocol->resumeWriting(); });
        auto drainer = [&](std::shared_ptr<detail::StreamReaderProtocol> p) -> Coro<void> {
            co_await p->drainHelper();
            ++drained;
        };
        std::vector<Coro<void>> drainers;
        for (int i = 0; i < 10; ++i)
            drainers.push_back(drainer(protocol));
        co_await gather(drainers);
    };
    NT_RUN(loop, body());
    QCOMPARE(drained, 10);
}

// ------------------------------------------------------------------ connections

void TestNetStreams::startServerAndOpenConnection()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    QByteArray reply;
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = echoOneLine;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        reply = co_await lineClient(QStringLiteral("127.0.0.1"), portOf(server), "hello world!\n");
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN(loop, body());
    QCOMPARE(reply, QByteArrayLiteral("hello world!\n"));
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetStreams::startUnixServerAndOpenUnixConnection()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("streams.sock"));
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    QByteArray reply;
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = echoOneLine;
        auto server = co_await startUnixServer(handler, path);
        auto [reader, writer] = co_await openUnixConnection(path);
        writer.write("hello unix!\n");
        reply = co_await reader.readline();
        CO_COMPARE(co_await reader.read(), QByteArray()); // the handler closed
        writer.close();
        co_await writer.waitClosed();
        server->close();
        co_await server->waitClosed();
        CO_VERIFY(!QFileInfo::exists(path));
    };
    NT_RUN(loop, body());
    QCOMPARE(reply, QByteArrayLiteral("hello unix!\n"));
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetStreams::openConnectionRefused()
{
    Loop loop;
    std::exception_ptr error;
    auto body = [&]() -> Coro<void> {
        Socket bound(AF_INET, SOCK_STREAM);
        bound.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
        error = co_await nt::coErrorOf(openConnection(QStringLiteral("127.0.0.1"), bound.localAddress().port()));
    };
    NT_RUN(loop, body());
    QCOMPARE(nt::codeOf(error), std::make_error_code(std::errc::connection_refused));
}

void TestNetStreams::startServerBadArguments()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto empty = co_await nt::coErrorOf(startServer(ClientConnected(), QStringLiteral("127.0.0.1"), 0));
        CO_VERIFY2(nt::holds<ValueError>(empty), qPrintable(nt::describe(empty)));
        const ClientConnected handler = echoOneLine;
        auto zeroLimit = co_await nt::coErrorOf(startServer(handler, QStringLiteral("127.0.0.1"), 0, 0));
        CO_VERIFY2(nt::holds<ValueError>(zeroLimit), qPrintable(nt::describe(zeroLimit)));
        auto negative = co_await nt::coErrorOf(openConnection(QStringLiteral("127.0.0.1"), 9, -5));
        CO_VERIFY2(nt::holds<ValueError>(negative), qPrintable(nt::describe(negative)));
    };
    NT_RUN(loop, body());
}

void TestNetStreams::transfer64MiB()
{
    // 64 MiB there and back through a stream echo server, byte for byte.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    const QByteArray payload = nt::pattern(64 * 1024 * 1024, 64);
    const QByteArray expectedHash = QCryptographicHash::hash(payload, QCryptographicHash::Sha256);
    QByteArray gotHash;
    qint64 gotSize = 0;
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = echoAll;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        auto receive = [&, r = reader]() mutable -> Coro<void> {
            QCryptographicHash hash(QCryptographicHash::Sha256);
            for (;;) {
                const QByteArray chunk = co_await r.read(1024 * 1024);
                if (chunk.isEmpty())
                    break;
                hash.addData(chunk);
                gotSize += chunk.size();
            }
            gotHash = hash.result();
        };
        Task<void> receiving = createTask(receive());
        const qsizetype chunk = 1024 * 1024;
        for (qsizetype at = 0; at < payload.size(); at += chunk) {
            writer.write(payload.mid(at, chunk));
            co_await writer.drain();
        }
        writer.writeEof();
        co_await receiving;
        writer.close();
        co_await writer.waitClosed();
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 110.0);
    QCOMPARE(gotSize, qint64(payload.size()));
    QVERIFY(gotHash == expectedHash);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetStreams::drainWaitsForSlowReader()
{
    // A reader that takes 16 KiB per millisecond; the writer drains after
    // every 64 KiB: drain() blocks above the high-water mark, and neither the
    // writer's buffer nor the reader's grows without bound.
    Loop loop;
    const qsizetype total = 8 * 1024 * 1024;
    const qsizetype chunk = 64 * 1024;
    const qsizetype limit = 64 * 1024;
    const QByteArray payload = nt::pattern(total, 8);
    qsizetype maxWriteBuffer = 0;
    qsizetype maxReadBuffer = 0;
    int blockingDrains = 0;
    qsizetype bufferAfterBlockingDrain = 0;
    QByteArray received;
    auto slowReader = [&](StreamReader reader, StreamWriter writer) -> Coro<void> {
        for (;;) {
            maxReadBuffer = std::max(maxReadBuffer, reader.state()->buffer.size());
            const QByteArray data = co_await reader.read(16 * 1024);
            if (data.isEmpty())
                break;
            received += data;
            co_await qaio::sleep(0.001);
        }
        writer.close();
    };
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = slowReader;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0, limit);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        auto transport = writer.transport();
        for (qsizetype at = 0; at < total; at += chunk) {
            writer.write(payload.mid(at, chunk));
            const qsizetype buffered = transport->getWriteBufferSize();
            maxWriteBuffer = std::max(maxWriteBuffer, buffered);
            const bool aboveHigh = buffered > transport->getWriteBufferLimits().second;
            co_await writer.drain();
            if (aboveHigh) {
                ++blockingDrains;
                bufferAfterBlockingDrain = std::max(bufferAfterBlockingDrain, transport->getWriteBufferSize());
            }
        }
        writer.writeEof();
        CO_VERIFY(co_await nt::until([&] { return received.size() == total; }, 60));
        CO_COMPARE(co_await reader.read(), QByteArray());
        writer.close();
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 110.0);
    QVERIFY(received == payload);
    QVERIFY2(blockingDrains > 0, "drain() never had to wait");
    // drain() returns once the buffer is at the low-water mark.
    QVERIFY2(bufferAfterBlockingDrain <= 16 * 1024, qPrintable(QString::number(bufferAfterBlockingDrain)));
    QVERIFY2(maxWriteBuffer <= 64 * 1024 + chunk, qPrintable(QString::number(maxWriteBuffer)));
    // The reader pauses its transport above twice its limit (one recv may add 256 KiB).
    QVERIFY2(maxReadBuffer <= 2 * limit + 256 * 1024, qPrintable(QString::number(maxReadBuffer)));
}

void TestNetStreams::readerPausesTransportAboveTwiceTheLimit()
{
    Loop loop;
    const QByteArray payload = nt::pattern(1024 * 1024, 21);
    bool sawPaused = false;
    auto sendAll = [&](StreamReader, StreamWriter writer) -> Coro<void> {
        writer.write(payload);
        co_await writer.drain();
        writer.close();
    };
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = sendAll;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server), 1024);
        // Nobody reads: the reader's buffer fills past 2 * limit and reading pauses.
        CO_VERIFY(co_await nt::until([&] { return !writer.transport()->isReading(); }));
        sawPaused = true;
        CO_VERIFY(reader.state()->buffer.size() > 2 * 1024);
        co_await qaio::sleep(0.02);
        const qsizetype whilePaused = reader.state()->buffer.size();
        CO_VERIFY(whilePaused < payload.size());
        // Reading everything resumes the transport as needed.
        const QByteArray all = co_await reader.read(-1);
        CO_VERIFY(all == payload);
        writer.close();
        server->close();
    };
    NT_RUN(loop, body());
    QVERIFY(sawPaused);
}

void TestNetStreams::drainRaisesOncePeerIsGone()
{
    // test_streams.py's test_drain_raises: the server closes at once; a
    // client writing and draining in a loop must get an error, not spin forever.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    std::exception_ptr error;
    auto body = [&]() -> Coro<void> {
        Socket listening = nt::listener();
        auto accepting = sockAccept(loop, listening);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), listening.localAddress().port());
        {
            auto [peer, address] = co_await accepting;
            Q_UNUSED(address);
            peer.close();
        }
        auto writeForever = [&, w = writer]() mutable -> Coro<void> {
            for (;;) {
                w.write("foo\n");
                co_await w.drain();
            }
        };
        error = co_await nt::coErrorOf(writeForever());
        writer.close();
    };
    NT_RUN(loop, body());
    const std::error_code code = nt::codeOf(error);
    QVERIFY2(code == std::errc::connection_reset || code == std::errc::broken_pipe
                 || code == std::errc::connection_aborted,
             qPrintable(nt::describe(error)));
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetStreams::waitClosedAfterClose()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = echoAll;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        writer.write("ping\n");
        CO_COMPARE(co_await reader.readline(), QByteArrayLiteral("ping\n"));
        CO_VERIFY(!writer.isClosing());
        writer.close();
        CO_VERIFY(writer.isClosing());
        co_await writer.waitClosed();
        co_await writer.waitClosed(); // again: at once
        // With unread data in flight it works the same.
        auto [reader2, writer2] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        writer2.write("unread\n");
        CO_COMPARE(co_await reader2.readline(), QByteArrayLiteral("unread\n"));
        writer2.write("more unread\n");
        writer2.close();
        co_await writer2.waitClosed();
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN(loop, body());
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetStreams::writeAfterCloseThenDrainIsConnectionReset()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    std::exception_ptr error;
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = echoAll;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        writer.close();
        writer.write("data");
        error = co_await nt::coErrorOf(writer.drain());
        server->close();
    };
    NT_RUN(loop, body());
    QCOMPARE(nt::codeOf(error), std::make_error_code(std::errc::connection_reset));
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetStreams::eofFedWhenWriterCloses()
{
    // test_streams.py's test_eof_feed_when_closing_writer.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = echoAll;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        writer.close();
        co_await writer.waitClosed();
        CO_VERIFY(reader.atEof());
        CO_COMPARE(co_await reader.read(), QByteArray());
        server->close();
    };
    NT_RUN(loop, body());
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetStreams::writeEofHalfClose()
{
    Loop loop;
    auto countThenReply = [](StreamReader reader, StreamWriter writer) -> Coro<void> {
        const QByteArray all = co_await reader.read(-1); // until the client's EOF
        writer.write("got " + QByteArray::number(all.size()) + " bytes\n");
        co_await writer.drain();
        writer.close();
    };
    QByteArray reply;
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = countThenReply;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        CO_VERIFY(writer.canWriteEof());
        QList<QByteArray> parts;
        parts << "abc" << "defg" << "hij";
        writer.writelines(parts);
        writer.writeEof();
        reply = co_await reader.readline();
        CO_COMPARE(co_await reader.read(), QByteArray());
        writer.close();
        co_await writer.waitClosed();
        server->close();
    };
    NT_RUN(loop, body());
    QCOMPARE(reply, QByteArrayLiteral("got 10 bytes\n"));
}

void TestNetStreams::readlineOverLimitOnConnection()
{
    Loop loop;
    auto sender = [](StreamReader, StreamWriter writer) -> Coro<void> {
        writer.write(QByteArray(5000, 'x') + "\nshort\n");
        co_await writer.drain();
        writer.close();
    };
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = sender;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server), 1000);
        auto error = co_await nt::coErrorOf(reader.readline());
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        // The over-long line is dropped; reading goes on with the next.
        QByteArray next = co_await reader.readline();
        // The long line may have been dropped in pieces: skip what is left of it.
        while (next.startsWith('x'))
            next = co_await reader.readline();
        CO_COMPARE(next, QByteArrayLiteral("short\n"));
        CO_COMPARE(co_await reader.readline(), QByteArray());
        writer.close();
        server->close();
    };
    NT_RUN(loop, body());
}

void TestNetStreams::extraInfo()
{
    Loop loop;
    SocketAddress serverSideSockname;
    SocketAddress serverSidePeer;
    auto record = [&](StreamReader, StreamWriter writer) -> Coro<void> {
        serverSideSockname = writer.getExtraInfo(QStringLiteral("sockname")).value<SocketAddress>();
        serverSidePeer = writer.getExtraInfo(QStringLiteral("peername")).value<SocketAddress>();
        writer.close();
        co_return;
    };
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = record;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        CO_COMPARE(co_await reader.read(), QByteArray());
        CO_VERIFY(writer.getExtraInfo(QStringLiteral("peername")).value<SocketAddress>() == server->sockets().front());
        CO_VERIFY(serverSideSockname == server->sockets().front());
        CO_VERIFY(serverSidePeer == writer.getExtraInfo(QStringLiteral("sockname")).value<SocketAddress>());
        CO_VERIFY(writer.getExtraInfo(QStringLiteral("socket")).toInt() >= 0);
        writer.close();
        server->close();
    };
    NT_RUN(loop, body());
}

void TestNetStreams::clientHandlerThatThrows()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto failing = [](StreamReader reader, StreamWriter) -> Coro<void> {
        co_await reader.readline();
        throw MyError("handler failed");
    };
    QByteArray rest;
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = failing;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        writer.write("trigger\n");
        // The server closes the connection: EOF here.
        rest = co_await reader.read();
        writer.close();
        // And it keeps serving.
        CO_VERIFY(server->isServing());
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN(loop, body());
    QCOMPARE(rest, QByteArray());
    QCOMPARE(log.count(QStringLiteral("Unhandled exception in client_connected_cb")), 1);
    QVERIFY(nt::holds<MyError>(log.entries.at(0).exception));
}

void TestNetStreams::socatClient()
{
    const QString socat = QStandardPaths::findExecutable(QStringLiteral("socat"));
    if (socat.isEmpty())
        QSKIP("socat is not installed (scripts/install-deps.sh installs it)");
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    // Lines of text, then 1 MiB of arbitrary bytes.
    QByteArray input;
    for (int i = 0; i < 1000; ++i)
        input += "line " + QByteArray::number(i) + " of the socat test\n";
    input += nt::pattern(1024 * 1024, 99);
    QByteArray output;
    int exitCode = -1;
    int connections = 0;
    auto body = [&]() -> Coro<void> {
        auto counting = [&](StreamReader reader, StreamWriter writer) -> Coro<void> {
            ++connections;
            co_await echoAll(reader, writer);
        };
        const ClientConnected handler = counting;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        QProcess process;
        QStringList arguments;
        arguments << QStringLiteral("-t") << QStringLiteral("30") << QStringLiteral("-")
                  << QStringLiteral("TCP:127.0.0.1:%1").arg(portOf(server));
        process.start(socat, arguments);
        CO_VERIFY(co_await nt::until([&] { return process.state() == QProcess::Running; }));
        process.write(input);
        process.closeWriteChannel();
        CO_VERIFY2(co_await nt::until([&] { return process.state() == QProcess::NotRunning; }, 60),
                   "socat did not finish");
        output = process.readAllStandardOutput();
        exitCode = process.exitCode();
        if (exitCode != 0)
            qWarning() << "socat:" << process.readAllStandardError();
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 100.0);
    QCOMPARE(exitCode, 0);
    QCOMPARE(connections, 1);
    QCOMPARE(output.size(), input.size());
    QVERIFY(output == input);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

QTEST_GUILESS_MAIN(TestNetStreams)
#include "tst_net_streams.moc"
