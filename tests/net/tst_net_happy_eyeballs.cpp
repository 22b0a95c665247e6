// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_happy_eyeballs — RFC 8305 connection racing (createConnection's
// happyEyeballsDelay) on real loopback sockets. Ported from CPython's
// test_staggered.py and test_base_events.py (test__interleave_addrinfos,
// create_connection happy eyeballs cases). A listener whose accept queue is
// full drops further SYNs: a connect to it "never answers" (for a second,
// until the first SYN retransmission), which is what the race must get past.
#include "happy_eyeballs.h"
#include "net_util.h"

#include <qaio/qaio.h>

#include <QtTest/QtTest>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <system_error>
#include <vector>

using namespace qaio;

namespace {

AddrInfo tcpInfo(const SocketAddress &address)
{
    AddrInfo info;
    info.family = address.family();
    info.type = SOCK_STREAM;
    info.address = address;
    return info;
}

AddrInfo fakeInfo(int family, int tag)
{
    AddrInfo info;
    info.family = family;
    info.type = SOCK_STREAM;
    info.address = family == AF_INET ? SocketAddress::fromString(QStringLiteral("127.0.0.1"), quint16(tag))
                                     : SocketAddress::fromString(QStringLiteral("::1"), quint16(tag));
    return info;
}

QList<int> ports(const QList<AddrInfo> &infos)
{
    QList<int> result;
    for (const AddrInfo &info : infos)
        result << info.address.port();
    return result;
}

// A listening socket whose accept queue is full and never drained: connects
// to it hang (the kernel drops their SYNs).
struct FullListener
{
    Socket listener;
    std::vector<Socket> fillers;
    SocketAddress address;

    FullListener()
    {
        listener = nt::listener(QStringLiteral("127.0.0.1"), 0);
        address = listener.localAddress();
        // Connect until two in a row hang (a slow machine may take a while
        // to answer one): then the queue is full.
        int hung = 0;
        for (int i = 0; i < 16 && hung < 2; ++i) {
            Socket filler(AF_INET, SOCK_STREAM);
            filler.setBlocking(false);
            ::connect(filler.fileno(), address.data(), address.size());
            pollfd ready{filler.fileno(), POLLOUT, 0};
            hung = ::poll(&ready, 1, hung ? 300 : 100) == 0 ? hung + 1 : 0;
            fillers.push_back(std::move(filler));
        }
        isFull = hung == 2;
    }
    bool isFull = false;
    bool full() const { return isFull; }
};

SocketAddress refusedAddress()
{
    Socket probe(AF_INET, SOCK_STREAM);
    probe.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
    return probe.localAddress(); // closed: nothing listens there
}

} // namespace

class TestNetHappyEyeballs : public QObject
{
    Q_OBJECT
    std::unique_ptr<FullListener> m_full; // made once: filling it takes a few hundred ms
    FullListener &fullListener()
    {
        if (!m_full)
            m_full = std::make_unique<FullListener>();
        return *m_full;
    }
private Q_SLOTS:
    void interleaveAddrinfos();
    void sockConnectWaitsForTheHandshake();
    void hangingFirstAttemptSecondStartsAfterDelayAndWins();
    void failedAttemptStartsTheNextAtOnce();
    void allAttemptsFail();
    void bothConnectOnlyOneIsKept();
    void cancellationClosesEveryPendingAttempt();
    void badDelayIsValueError();
    void createConnectionWithHappyEyeballs();
    void createConnectionAllErrors();
};

void TestNetHappyEyeballs::interleaveAddrinfos()
{
    // test__interleave_addrinfos: families alternate, the first family first.
    const QList<AddrInfo> infos{fakeInfo(AF_INET6, 1), fakeInfo(AF_INET6, 2), fakeInfo(AF_INET6, 3),
                                fakeInfo(AF_INET, 4), fakeInfo(AF_INET, 5)};
    QCOMPARE(ports(detail::interleaveAddrinfos(infos)), (QList<int>{1, 4, 2, 5, 3}));
    QCOMPARE(ports(detail::interleaveAddrinfos(infos, 2)), (QList<int>{1, 2, 4, 3, 5}));
    QCOMPARE(ports(detail::interleaveAddrinfos(infos, 10)), (QList<int>{1, 2, 3, 4, 5}));
    const QList<AddrInfo> v4First{fakeInfo(AF_INET, 1), fakeInfo(AF_INET6, 2), fakeInfo(AF_INET6, 3)};
    QCOMPARE(ports(detail::interleaveAddrinfos(v4First)), (QList<int>{1, 2, 3}));
    QVERIFY(detail::interleaveAddrinfos({}).isEmpty());
}

void TestNetHappyEyeballs::sockConnectWaitsForTheHandshake()
{
    // Regression: sockConnect() once reported success at once for every
    // connect in progress (SO_ERROR is 0 during the handshake too).
    Loop loop;
    FullListener &hanging = fullListener();
    if (!hanging.full())
        QSKIP("could not fill a listener's accept queue here");
    auto body = [&]() -> Coro<void> {
        Socket sock(AF_INET, SOCK_STREAM);
        sock.setBlocking(false);
        auto connecting = sockConnect(loop, sock, hanging.address);
        co_await qaio::sleep(0.2);
        CO_VERIFY(!connecting.done());
        connecting.cancel();
        co_await qaio::sleep(0);
    };
    NT_RUN(loop, body());
}

void TestNetHappyEyeballs::hangingFirstAttemptSecondStartsAfterDelayAndWins()
{
    Loop loop;
    FullListener &hanging = fullListener();
    if (!hanging.full())
        QSKIP("could not fill a listener's accept queue here");
    auto body = [&]() -> Coro<void> {
        Socket good = nt::listener();
        const SocketAddress goodAddress = good.localAddress();
        auto accepted = sockAccept(loop, good);
        const int before = nt::openFdCount();
        const QList<AddrInfo> infos{tcpInfo(hanging.address), tcpInfo(goodAddress)};
        const double delay = 0.15;
        const double start = loop.time();
        detail::RaceResult result = co_await detail::happyEyeballsConnect(loop, infos, std::nullopt, delay);
        const double elapsed = loop.time() - start;
        qInfo("second attempt won after %.3f s (delay %.3f s)", elapsed, delay);
        CO_VERIFY(result.sock.isValid());
        CO_COMPARE(result.winner, 1);
        CO_VERIFY2(elapsed >= delay - 0.01, qPrintable(QString::number(elapsed)));
        CO_VERIFY2(elapsed < 2.0, qPrintable(QString::number(elapsed))); // one after the other would take minutes
        CO_COMPARE(result.sock.peerAddress(), goodAddress);
        CO_VERIFY(result.errors.empty()); // the loser was closed, it did not fail
        auto [server, peer] = co_await accepted;
        CO_COMPARE(peer, result.sock.localAddress());
        // The hanging attempt's socket is gone: only the winner (and the accepted side) remain.
        CO_COMPARE(nt::openFdCount(), before + 2);
    };
    NT_RUN(loop, body());
}

void TestNetHappyEyeballs::failedAttemptStartsTheNextAtOnce()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket good = nt::listener();
        const QList<AddrInfo> infos{tcpInfo(refusedAddress()), tcpInfo(good.localAddress())};
        const double start = loop.time();
        detail::RaceResult result = co_await detail::happyEyeballsConnect(loop, infos, std::nullopt, 10.0);
        CO_VERIFY2(loop.time() - start < 1.0, "the refused attempt must not hold up the next for the delay");
        CO_COMPARE(result.winner, 1);
        CO_VERIFY(result.sock.isValid());
        CO_COMPARE(int(result.errors.size()), 1);
        CO_COMPARE(nt::codeOf(result.errors.front()), std::make_error_code(std::errc::connection_refused));
    };
    NT_RUN(loop, body());
}

void TestNetHappyEyeballs::allAttemptsFail()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        const int before = nt::openFdCount();
        const SocketAddress a = refusedAddress();
        const SocketAddress b = refusedAddress();
        const QList<AddrInfo> infos{tcpInfo(a), tcpInfo(b), tcpInfo(a)};
        detail::RaceResult result = co_await detail::happyEyeballsConnect(loop, infos, std::nullopt, 0.25);
        CO_VERIFY(!result.sock.isValid());
        CO_COMPARE(result.winner, -1);
        CO_COMPARE(int(result.errors.size()), 3);
        for (const auto &error : result.errors)
            CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::connection_refused));
        CO_VERIFY(nt::whatOf(result.errors[1]).contains(b.toString()));
        co_await nt::yieldN(2);
        CO_COMPARE(nt::openFdCount(), before);
    };
    NT_RUN(loop, body());
}

void TestNetHappyEyeballs::bothConnectOnlyOneIsKept()
{
    // With no delay every attempt starts at once; the first to connect wins
    // and the others are closed (their servers see EOF, never data).
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket one = nt::listener();
        Socket two = nt::listener();
        const int before = nt::openFdCount();
        const QList<AddrInfo> infos{tcpInfo(one.localAddress()), tcpInfo(two.localAddress())};
        detail::RaceResult result = co_await detail::happyEyeballsConnect(loop, infos, std::nullopt, 0.0);
        CO_VERIFY(result.sock.isValid());
        CO_VERIFY(result.winner == 0 || result.winner == 1);
        CO_COMPARE(result.sock.peerAddress(), infos[result.winner].address);
        co_await nt::yieldN(2);
        CO_COMPARE(nt::openFdCount(), before + 1);
        Socket &loserListener = result.winner == 0 ? two : one;
        // If the loser had connected before it was closed, its server reads EOF.
        pollfd ready{loserListener.fileno(), POLLIN, 0};
        if (::poll(&ready, 1, 0) == 1) {
            auto [server, peer] = co_await sockAccept(loop, loserListener);
            Q_UNUSED(peer);
            CO_COMPARE(co_await sockRecv(loop, server, 10), QByteArray());
        }
    };
    NT_RUN(loop, body());
}

void TestNetHappyEyeballs::cancellationClosesEveryPendingAttempt()
{
    Loop loop;
    FullListener &hanging = fullListener();
    if (!hanging.full())
        QSKIP("could not fill a listener's accept queue here");
    auto body = [&]() -> Coro<void> {
        co_await qaio::sleep(0);
        const int before = nt::openFdCount();
        const QList<AddrInfo> infos{tcpInfo(hanging.address), tcpInfo(hanging.address), tcpInfo(hanging.address),
                                    tcpInfo(hanging.address)};
        auto task = createTask(detail::happyEyeballsConnect(loop, infos, std::nullopt, 0.05));
        co_await qaio::sleep(0.2); // three or four attempts are under way
        CO_VERIFY2(nt::openFdCount() >= before + 3, qPrintable(QString::number(nt::openFdCount() - before)));
        task.cancel();
        auto error = co_await nt::coErrorOf(task);
        CO_VERIFY2(nt::holds<CancelledError>(error), qPrintable(nt::describe(error)));
        CO_COMPARE(nt::openFdCount(), before);
        co_await qaio::sleep(0.1); // no timer starts another attempt afterwards
        CO_COMPARE(nt::openFdCount(), before);
    };
    NT_RUN(loop, body());
}

void TestNetHappyEyeballs::badDelayIsValueError()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        const QList<AddrInfo> infos{tcpInfo(refusedAddress()), tcpInfo(refusedAddress())};
        auto error = co_await nt::coErrorOf(detail::happyEyeballsConnect(loop, infos, std::nullopt, -1.0));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("happyEyeballsDelay")));
    };
    NT_RUN(loop, body());
}

void TestNetHappyEyeballs::createConnectionWithHappyEyeballs()
{
    // End to end through createConnection: "localhost" (one or more addresses).
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, [] { return std::make_shared<Protocol>(); },
                                            QStringLiteral("127.0.0.1"), 0);
        const quint16 port = server->sockets().front().port();
        ConnectionOptions options;
        options.happyEyeballsDelay = 0.05;
        options.family = AF_INET;
        const ProtocolFactory factory = [] { return std::make_shared<Protocol>(); };
        auto [transport, protocol] = co_await createConnection(loop, factory, QStringLiteral("localhost"), port, options);
        Q_UNUSED(protocol);
        CO_COMPARE(transport->getExtraInfo(QStringLiteral("peername")).value<SocketAddress>().port(), port);
        transport->close();
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN(loop, body());
}

void TestNetHappyEyeballs::createConnectionAllErrors()
{
    // Every address refused: one error per address in the ExceptionGroup
    // (allErrors), or a std::system_error with connection_refused.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        const quint16 port = refusedAddress().port();
        const QList<AddrInfo> resolved = co_await getaddrinfo(loop, QStringLiteral("localhost"), port,
                                                              AddrInfoOptions{.type = SOCK_STREAM});
        const ProtocolFactory factory = [] { return std::make_shared<Protocol>(); };
        ConnectionOptions options;
        options.happyEyeballsDelay = 0.05;
        options.allErrors = true;
        auto error = co_await nt::coErrorOf(createConnection(loop, factory, QStringLiteral("localhost"), port, options));
        CO_VERIFY2(nt::holds<ExceptionGroup>(error), qPrintable(nt::describe(error)));
        try {
            std::rethrow_exception(error);
        } catch (const ExceptionGroup &group) {
            CO_COMPARE(qsizetype(group.exceptions().size()), resolved.size());
            for (const auto &sub : group.exceptions())
                CO_COMPARE(nt::codeOf(sub), std::make_error_code(std::errc::connection_refused));
        }
        options.allErrors = false;
        error = co_await nt::coErrorOf(createConnection(loop, factory, QStringLiteral("localhost"), port, options));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::connection_refused));
    };
    NT_RUN(loop, body());
}

QTEST_GUILESS_MAIN(TestNetHappyEyeballs)
#include "tst_net_happy_eyeballs.moc"
