// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_faults — the networking fault cases that the other
// net tests did not cover yet (see docs/networking.md, "Faults"): invalid
// addresses raise asyncio's exceptions while the loop and an established
// connection carry on; a slow reader keeps drain() at the high-water mark
// with a measured, bounded write buffer; calls on closed transports.
#include "qaio_net_test.h"

#include <qaio/qaio.h>

#include <QtTest/QtTest>

#include <netdb.h>
#include <sys/socket.h>

#include <memory>
#include <system_error>

using namespace qaio;

namespace {

Coro<void> echoLines(StreamReader reader, StreamWriter writer)
{
    while (auto line = co_await reader.nextLine()) {
        writer.write(*line);
        co_await writer.drain();
    }
    writer.close();
}

Coro<void> slowSink(StreamReader reader, StreamWriter writer, QByteArray *received)
{
    for (;;) {
        const QByteArray data = co_await reader.read(16 * 1024);
        if (data.isEmpty())
            break;
        *received += data;
        co_await qaio::sleep(0.001);
    }
    writer.close();
}

} // namespace

class TestNetFaults : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void invalidAddressesKeepTheLoopAndConnectionsGoing();
    void slowReaderDrainPeakIsBounded();
    void callsOnClosedTransports();
};

void TestNetFaults::invalidAddressesKeepTheLoopAndConnectionsGoing()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        // An established connection that must survive the bad calls below.
        const ClientConnected handler = echoLines;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        const quint16 port = server->sockets().front().port();
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), port);
        writer.write("before\n");
        CO_COMPARE(co_await reader.readline(), QByteArray("before\n"));
        const ProtocolFactory factory = [] { return std::make_shared<Protocol>(); };

        // Unknown host: socket.gaierror (EAI_NONAME) with getaddrinfo's message.
        auto error = co_await qaiotest::coErrorOf(createConnection(loop, factory, QStringLiteral("no-such-host.invalid"), 80));
        CO_VERIFY2(qaiotest::codeOf(error).category() == gaiCategory(), qPrintable(qaiotest::describe(error)));
        CO_VERIFY(!qaiotest::whatOf(error).isEmpty());
        error = co_await qaiotest::coErrorOf(openConnection(QStringLiteral("no-such-host.invalid"), 80));
        CO_VERIFY2(qaiotest::codeOf(error).category() == gaiCategory(), qPrintable(qaiotest::describe(error)));
        // A malformed numeric address to listen on: gaierror as well.
        error = co_await qaiotest::coErrorOf(createServer(loop, factory, QStringLiteral("256.256.256.256"), 0));
        CO_VERIFY2(qaiotest::codeOf(error).category() == gaiCategory(), qPrintable(qaiotest::describe(error)));
        // No host at all: ValueError naming it.
        error = co_await qaiotest::coErrorOf(createConnection(loop, factory, QString(), 80));
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
        CO_VERIFY(qaiotest::whatOf(error).contains(QStringLiteral("host")));
        // Port 0 cannot be connected to: connection refused.
        error = co_await qaiotest::coErrorOf(openConnection(QStringLiteral("127.0.0.1"), 0));
        CO_COMPARE(qaiotest::codeOf(error), std::make_error_code(std::errc::connection_refused));
        // A Unix path that does not exist (FileNotFoundError), one that is too long (ValueError).
        error = co_await qaiotest::coErrorOf(openUnixConnection(QStringLiteral("/nonexistent/qaio.sock")));
        CO_COMPARE(qaiotest::codeOf(error), std::make_error_code(std::errc::no_such_file_or_directory));
        error = co_await qaiotest::coErrorOf(openUnixConnection(QString(300, QLatin1Char('x'))));
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
        // An invalid SocketAddress for the low-level calls: ValueError.
        Socket sock(AF_INET, SOCK_STREAM);
        sock.setBlocking(false);
        error = qaiotest::errorOf([&] { sockConnect(loop, sock, SocketAddress()); });
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
        CO_VERIFY(qaiotest::whatOf(error).contains(QStringLiteral("invalid address")));

        // The loop kept running and the connection was not touched.
        writer.write("after\n");
        CO_COMPARE(co_await reader.readline(), QByteArray("after\n"));
        writer.close();
        co_await writer.waitClosed();
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, body());
}

void TestNetFaults::slowReaderDrainPeakIsBounded()
{
    // 2 MiB in 64 KiB writes, each followed by drain(), to a reader taking
    // 16 KiB per millisecond through small kernel buffers: drain() blocks at
    // the high-water mark, and the write buffer never exceeds high + one write.
    Loop loop;
    const qsizetype total = 2 * 1024 * 1024;
    const qsizetype chunk = 64 * 1024;
    qsizetype peak = 0;
    qsizetype high = 0;
    int blockingDrains = 0;
    QByteArray received;
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = [&received](StreamReader r, StreamWriter w) {
            return slowSink(std::move(r), std::move(w), &received);
        };
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), server->sockets().front().port());
        const int fd = writer.getExtraInfo(QStringLiteral("socket")).toInt();
        const int size = 16 * 1024;
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        auto transport = writer.transport();
        high = transport->getWriteBufferLimits().second;
        const QByteArray payload = qaiotest::pattern(total, 21);
        for (qsizetype at = 0; at < total; at += chunk) {
            writer.write(payload.mid(at, chunk));
            const qsizetype buffered = transport->getWriteBufferSize();
            peak = std::max(peak, buffered);
            co_await writer.drain();
            if (buffered > high) {
                // drain() returned only once the buffer was down to the low-water mark.
                ++blockingDrains;
                CO_VERIFY(transport->getWriteBufferSize() <= transport->getWriteBufferLimits().first);
            }
        }
        writer.close();
        co_await writer.waitClosed();
        CO_VERIFY(co_await qaiotest::until([&] { return received.size() == total; }, 30));
        CO_VERIFY(received == payload);
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, body());
    qInfo("slow reader: peak write buffer %lld bytes (high-water mark %lld + one write of %lld = %lld), %d drains blocked",
          qint64(peak), qint64(high), qint64(chunk), qint64(high + chunk), blockingDrains);
    QVERIFY2(peak <= high + chunk, qPrintable(QString::number(peak)));
    QVERIFY(blockingDrains > 0);
}

void TestNetFaults::callsOnClosedTransports()
{
    // asyncio: writes after the connection was lost are counted and dropped;
    // pause/resume are no-ops; flow-control limits are still checked.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        const ClientConnected handler = echoLines;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0);
        const ProtocolFactory factory = [] { return std::make_shared<Protocol>(); };
        auto [transport, protocol] = co_await createConnection(loop, factory, QStringLiteral("127.0.0.1"),
                                                               server->sockets().front().port());
        Q_UNUSED(protocol);
        transport->close();
        co_await qaiotest::yieldN(3);
        CO_VERIFY(transport->isClosing());
        transport->write("dropped");
        transport->pauseReading();
        transport->resumeReading();
        CO_VERIFY(!transport->isReading());
        transport->close();
        transport->abort();
        transport->writeEof();
        auto error = qaiotest::errorOf([&] { transport->setWriteBufferLimits(-1); });
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
        CO_COMPARE(transport->getWriteBufferSize(), qsizetype(0));
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, body());
}

QTEST_GUILESS_MAIN(TestNetFaults)
#include "tst_net_faults.moc"
