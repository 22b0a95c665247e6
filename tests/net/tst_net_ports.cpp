// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_ports — every public call that takes a port number refuses one outside
// 0-65535 with a ValueError naming the range (Python: OverflowError "port must
// be 0-65535"), instead of truncating it to 16 bits (70000 would be 4464).
#include "qaio_net_test.h"

#include <qaio/qaio.h>

#include <QtTest/QtTest>

#include <memory>

using namespace qaio;

namespace {
const QString Range = QStringLiteral("port must be 0-65535");

ProtocolFactory streamFactory()
{
    return [] { return std::make_shared<Protocol>(); };
}

ProtocolFactory datagramFactory()
{
    return [] { return std::make_shared<DatagramProtocol>(); };
}

bool isPortError(const std::exception_ptr &error, const char *function)
{
    const QString what = qaiotest::whatOf(error);
    const bool ok = qaiotest::holds<ValueError>(error) && what.contains(Range) && what.contains(QLatin1String(function));
    if (!ok)
        qWarning("unexpected error: %s", qPrintable(qaiotest::describe(error)));
    return ok;
}
} // namespace

class TestNetPorts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void socketAddressChecksThePort_data();
    void socketAddressChecksThePort();
    void edgePortsAreAccepted();
    void getaddrinfoChecksThePort();
    void connectionsAndServersCheckThePort_data();
    void connectionsAndServersCheckThePort();
    void datagramEndpointsCheckThePort();
};

void TestNetPorts::socketAddressChecksThePort_data()
{
    QTest::addColumn<int>("port");
    QTest::newRow("70000") << 70000;
    QTest::newRow("65536") << 65536;
    QTest::newRow("-1") << -1;
}

void TestNetPorts::socketAddressChecksThePort()
{
    QFETCH(int, port);
    QVERIFY(isPortError(qaiotest::errorOf([&] { SocketAddress(QHostAddress::LocalHost, port); }), "SocketAddress"));
    QVERIFY(isPortError(qaiotest::errorOf([&] { SocketAddress::fromString(QStringLiteral("::1"), port); }),
                        "SocketAddress"));
}

void TestNetPorts::edgePortsAreAccepted()
{
    QCOMPARE(SocketAddress(QHostAddress::LocalHost, 65535).port(), quint16(65535));
    QCOMPARE(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0).port(), quint16(0));
}

void TestNetPorts::getaddrinfoChecksThePort()
{
    Loop loop;
    QVERIFY(isPortError(qaiotest::errorOf([&] { (void)getaddrinfo(loop, QStringLiteral("127.0.0.1"), 70000); }),
                        "getaddrinfo()"));
    // In range it resolves, keeping the port.
    const QList<AddrInfo> infos = loop.runUntilComplete(
        getaddrinfo(loop, QStringLiteral("127.0.0.1"), 65535, {.type = SOCK_STREAM}));
    QVERIFY(!infos.isEmpty());
    QCOMPARE(infos.front().address.port(), quint16(65535));
    loop.close();
}

void TestNetPorts::connectionsAndServersCheckThePort_data()
{
    QTest::addColumn<int>("port");
    QTest::newRow("70000") << 70000;
    QTest::newRow("-1") << -1;
}

void TestNetPorts::connectionsAndServersCheckThePort()
{
    QFETCH(int, port);
    Loop loop;
    const QString host = QStringLiteral("127.0.0.1");
    CO_RUN(loop, ([&]() -> Coro<void> {
               CO_VERIFY(isPortError(co_await qaiotest::coErrorOf(createConnection(loop, streamFactory(), host, port)),
                                     "createConnection()"));
               CO_VERIFY(isPortError(co_await qaiotest::coErrorOf(createServer(loop, streamFactory(), host, port)),
                                     "createServer()"));
               const QStringList hosts{host, host}; // not braced inside co_await: GCC 12
               CO_VERIFY(isPortError(co_await qaiotest::coErrorOf(createServer(loop, streamFactory(), hosts, port)),
                                     "createServer()"));
               CO_VERIFY(isPortError(co_await qaiotest::coErrorOf(openConnection(host, port)), "createConnection()"));
               const ClientConnected ignore = [](StreamReader, StreamWriter) -> Coro<void> { co_return; };
               CO_VERIFY(isPortError(co_await qaiotest::coErrorOf(startServer(ignore, host, port)), "createServer()"));
           }()));
    loop.close();
}

void TestNetPorts::datagramEndpointsCheckThePort()
{
    Loop loop;
    const QString host = QStringLiteral("127.0.0.1");
    CO_RUN(loop, ([&]() -> Coro<void> {
               DatagramEndpointOptions local;
               local.localAddr = HostPort{host, 70000};
               CO_VERIFY(isPortError(co_await qaiotest::coErrorOf(createDatagramEndpoint(loop, datagramFactory(), local)),
                                     "getaddrinfo()"));
               DatagramEndpointOptions remote;
               remote.remoteAddr = HostPort{host, -5};
               CO_VERIFY(isPortError(
                   co_await qaiotest::coErrorOf(createDatagramEndpoint(loop, datagramFactory(), remote)),
                   "getaddrinfo()"));
           }()));
    loop.close();
}

QTEST_GUILESS_MAIN(TestNetPorts)
#include "tst_net_ports.moc"
