// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_sockets — the loop's low-level socket operations (sockRecv,
// sockRecvInto, sockRecvfrom, sockRecvfromInto, sockSendall, sockSendto,
// sockConnect, sockAccept, sockSendfile), Socket and SocketAddress, and the
// non-blocking resolver (getaddrinfo, getnameinfo). Ported in spirit from
// CPython's test_sock_lowlevel.py and the socket parts of test_events.py; all
// on real loopback sockets.
#include "net_util.h"

#include <qaio/qaio.h>

#include <QtCore/QTemporaryDir>
#include <QtCore/QTemporaryFile>
#include <QtTest/QtTest>

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

using namespace qaio;

namespace {

// Reads from `sock` until EOF.
Coro<QByteArray> recvAll(Loop &loop, Socket &sock)
{
    QByteArray all;
    for (;;) {
        QByteArray chunk = co_await sockRecv(loop, sock, 256 * 1024);
        if (chunk.isEmpty())
            break;
        all += chunk;
    }
    co_return all;
}

// Reads exactly n bytes (or up to EOF).
Coro<QByteArray> recvExactly(Loop &loop, Socket &sock, qsizetype n)
{
    QByteArray all;
    while (all.size() < n) {
        QByteArray chunk = co_await sockRecv(loop, sock, n - all.size());
        if (chunk.isEmpty())
            break;
        all += chunk;
    }
    co_return all;
}

QStringList &capturedMessages()
{
    static QStringList messages;
    return messages;
}

void captureMessage(QtMsgType, const QMessageLogContext &, const QString &message)
{
    capturedMessages() << message;
}

void resetOnClose(Socket &sock)
{
    linger value{1, 0};
    QVERIFY(::setsockopt(sock.fileno(), SOL_SOCKET, SO_LINGER, &value, sizeof value) == 0);
}

} // namespace

class TestNetSockets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- stream sockets ----
    void connectSendallRecv();
    void acceptGivesPeerAddressAndNonBlockingSocket();
    void recvWaitsForData();
    void recvReturnsEmptyAtEof();
    void recvInto();
    void fullDuplexOnOneSocket();
    void sendallLarge16MiB();
    void connectIPv6();
    void unixSocketConnectAccept();
    void socketPairAndShutdown();

    // ---- datagrams ----
    void udpSendtoRecvfrom();
    void udpRecvfromInto();

    // ---- sendfile ----
    void sendfileRegularFile();
    void sendfileOffsetAndCount();
    void sendfileFallbackOnPipe();
    void sendfileWithoutFallbackOnPipeThrows();
    void sendfileBadArguments();

    // ---- cancellation ----
    void cancelPendingRecvRemovesReader();
    void cancelPendingRecvThenAddReaderAtOnce();
    void cancelPendingAcceptThenAcceptAgain();
    void cancelPendingSendallRemovesWriter();
    void watcherRemovedInItsCallbackStaysOff();

    // ---- errors ----
    void blockingSocketIsValueError();
    void closedSocketIsEbadf();
    void connectionRefused();
    void recvAfterPeerResetIsConnectionReset();
    void sendallToClosedPeerFails();
    void negativeSizesAreValueError();
    void socketAddressBasics();

    // ---- the resolver ----
    void getaddrinfoNumericIsAnsweredAtOnce();
    void getaddrinfoNumericIPv6();
    void getaddrinfoLocalhost();
    void getaddrinfoUnknownHostIsGaiError();
    void getaddrinfoNumericHostFlagRejectsNames();
    void getaddrinfoPassiveWildcard();
    void getaddrinfoServiceName();
    void getnameinfoNumeric();
    void getnameinfoLocalhost();
    void getnameinfoInvalidAddressIsValueError();
};

// ------------------------------------------------------------------ stream sockets

void TestNetSockets::connectSendallRecv()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket listening = nt::listener();
        const SocketAddress address = listening.localAddress();
        Socket client(AF_INET, SOCK_STREAM);
        client.setBlocking(false);
        co_await sockConnect(loop, client, address);
        auto [server, peer] = co_await sockAccept(loop, listening);
        CO_VERIFY(peer == client.localAddress());

        co_await sockSendall(loop, client, QByteArrayLiteral("hello"));
        CO_COMPARE(co_await recvExactly(loop, server, 5), QByteArrayLiteral("hello"));
        co_await sockSendall(loop, server, QByteArrayLiteral("HELLO back"));
        CO_COMPARE(co_await recvExactly(loop, client, 10), QByteArrayLiteral("HELLO back"));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::acceptGivesPeerAddressAndNonBlockingSocket()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket listening = nt::listener();
        const SocketAddress address = listening.localAddress();
        // Accept first: it must wait for the connection.
        auto accepted = sockAccept(loop, listening);
        co_await nt::yieldN(2);
        CO_VERIFY(!accepted.done());

        Socket client(AF_INET, SOCK_STREAM);
        client.setBlocking(false);
        co_await sockConnect(loop, client, address);
        auto [server, peer] = co_await accepted;
        CO_VERIFY(server.isValid());
        CO_VERIFY(!server.isBlocking());
        CO_COMPARE(peer.family(), AF_INET);
        CO_COMPARE(peer.host(), QHostAddress(QHostAddress::LocalHost));
        CO_COMPARE(peer.port(), client.localAddress().port());
        CO_VERIFY(server.peerAddress() == client.localAddress());
        CO_VERIFY(server.localAddress() == address);
        // Close-on-exec, like every socket qaio makes.
        CO_VERIFY(::fcntl(server.fileno(), F_GETFD) & FD_CLOEXEC);
    };
    NT_RUN(loop, body());
}

void TestNetSockets::recvWaitsForData()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        auto received = sockRecv(loop, server, 100);
        co_await nt::yieldN(3);
        CO_VERIFY(!received.done());
        loop.callLater(0.02, [&] { QCOMPARE(::send(client.fileno(), "ping", 4, 0), ssize_t(4)); });
        CO_COMPARE(co_await received, QByteArrayLiteral("ping"));
        // The reader is gone once the operation is done.
        co_await nt::yieldN(1);
        CO_VERIFY(!loop.removeReader(server.fileno()));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::recvReturnsEmptyAtEof()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        co_await sockSendall(loop, client, QByteArrayLiteral("last words"));
        client.close();
        CO_COMPARE(co_await recvAll(loop, server), QByteArrayLiteral("last words"));
        // EOF again and again.
        CO_COMPARE(co_await sockRecv(loop, server, 10), QByteArray());
        // recv(0) is answered at once.
        CO_COMPARE(co_await sockRecv(loop, server, 0), QByteArray());
    };
    NT_RUN(loop, body());
}

void TestNetSockets::recvInto()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        char buffer[64] = {};
        auto received = sockRecvInto(loop, server, buffer, qsizetype(sizeof buffer));
        co_await nt::yieldN(2);
        CO_VERIFY(!received.done());
        co_await sockSendall(loop, client, QByteArrayLiteral("into the buffer"));
        const qsizetype n = co_await received;
        CO_COMPARE(n, qsizetype(15));
        CO_COMPARE(QByteArray(buffer, n), QByteArrayLiteral("into the buffer"));

        // A smaller buffer takes only what fits; the rest stays for later.
        co_await sockSendall(loop, client, QByteArrayLiteral("0123456789"));
        char small[4];
        CO_COMPARE(co_await sockRecvInto(loop, server, small, 4), qsizetype(4));
        CO_COMPARE(QByteArray(small, 4), QByteArrayLiteral("0123"));
        char rest[16];
        qsizetype got = 0;
        while (got < 6)
            got += co_await sockRecvInto(loop, server, rest + got, 16 - got);
        CO_COMPARE(QByteArray(rest, got), QByteArrayLiteral("456789"));

        client.close();
        CO_COMPARE(co_await sockRecvInto(loop, server, buffer, qsizetype(sizeof buffer)), qsizetype(0));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::fullDuplexOnOneSocket()
{
    // A pending recv (reader) and a pending sendall (writer) on one socket.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [a, b] = co_await nt::tcpPair();
        // Small kernel buffers: loopback autotuning could otherwise absorb all 4 MiB.
        a.setOption(SOL_SOCKET, SO_SNDBUF, 64 * 1024);
        b.setOption(SOL_SOCKET, SO_RCVBUF, 64 * 1024);
        const QByteArray big = nt::pattern(4 * 1024 * 1024, 7);
        auto receivedOnA = sockRecv(loop, a, 100);
        auto sending = sockSendall(loop, a, big); // more than the socket buffers hold
        co_await nt::yieldN(2);
        CO_VERIFY(!receivedOnA.done());
        CO_VERIFY(!sending.done());
        co_await sockSendall(loop, b, QByteArrayLiteral("reply"));
        CO_COMPARE(co_await receivedOnA, QByteArrayLiteral("reply"));
        CO_VERIFY(!sending.done()); // nobody read b yet
        const QByteArray got = co_await recvExactly(loop, b, big.size());
        co_await sending;
        CO_VERIFY(got == big);
    };
    NT_RUN(loop, body());
}

void TestNetSockets::sendallLarge16MiB()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        const QByteArray data = nt::pattern(16 * 1024 * 1024, 42);
        auto reader = [&]() -> Coro<QByteArray> { co_return co_await recvAll(loop, server); };
        Task<QByteArray> receiving = createTask(reader());
        co_await sockSendall(loop, client, data);
        client.shutdown(SHUT_WR);
        const QByteArray got = co_await receiving;
        CO_COMPARE(got.size(), data.size());
        CO_VERIFY(got == data);
    };
    NT_RUN(loop, body());
}

void TestNetSockets::connectIPv6()
{
    if (!nt::ipv6Available())
        QSKIP("::1 is not available here");
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair(QStringLiteral("::1"));
        CO_COMPARE(client.family(), AF_INET6);
        CO_COMPARE(client.peerAddress().host(), QHostAddress(QHostAddress::LocalHostIPv6));
        CO_VERIFY(client.peerAddress().toString().startsWith(QLatin1String("[::1]:")));
        co_await sockSendall(loop, client, QByteArrayLiteral("six"));
        CO_COMPARE(co_await recvExactly(loop, server, 3), QByteArrayLiteral("six"));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::unixSocketConnectAccept()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("s.sock"));
    Loop loop;
    auto body = [&]() -> Coro<void> {
        const SocketAddress address = SocketAddress::unixPath(path);
        CO_COMPARE(address.family(), AF_UNIX);
        CO_COMPARE(address.path(), path);
        CO_COMPARE(address.toString(), path);
        Socket listening(AF_UNIX, SOCK_STREAM);
        listening.bind(address);
        listening.listen();
        listening.setBlocking(false);
        Socket client(AF_UNIX, SOCK_STREAM);
        client.setBlocking(false);
        auto accepted = sockAccept(loop, listening);
        co_await sockConnect(loop, client, address);
        auto [server, peer] = co_await accepted;
        CO_COMPARE(peer.family(), AF_UNIX);
        CO_COMPARE(server.localAddress().path(), path);
        co_await sockSendall(loop, client, QByteArrayLiteral("unix"));
        CO_COMPARE(co_await recvExactly(loop, server, 4), QByteArrayLiteral("unix"));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::socketPairAndShutdown()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [a, b] = Socket::pair();
        a.setBlocking(false);
        b.setBlocking(false);
        CO_COMPARE(a.type(), int(SOCK_STREAM));
        co_await sockSendall(loop, a, QByteArrayLiteral("half"));
        a.shutdown(SHUT_WR);
        CO_COMPARE(co_await recvAll(loop, b), QByteArrayLiteral("half"));
        // The other direction still works.
        co_await sockSendall(loop, b, QByteArrayLiteral("still open"));
        CO_COMPARE(co_await recvExactly(loop, a, 10), QByteArrayLiteral("still open"));
        // detach() gives the fd away.
        const int fd = a.detach();
        CO_VERIFY(!a.isValid());
        CO_VERIFY(fd >= 0);
        ::close(fd);
    };
    NT_RUN(loop, body());
}

// ------------------------------------------------------------------ datagrams

void TestNetSockets::udpSendtoRecvfrom()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket a(AF_INET, SOCK_DGRAM);
        Socket b(AF_INET, SOCK_DGRAM);
        a.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
        b.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
        a.setBlocking(false);
        b.setBlocking(false);

        auto received = sockRecvfrom(loop, b, 1024);
        co_await nt::yieldN(2);
        CO_VERIFY(!received.done());
        const qsizetype sent = co_await sockSendto(loop, a, QByteArrayLiteral("datagram"), b.localAddress());
        CO_COMPARE(sent, qsizetype(8));
        auto [data, from] = co_await received;
        CO_COMPARE(data, QByteArrayLiteral("datagram"));
        CO_VERIFY(from == a.localAddress());

        // Datagram boundaries are kept; a short buffer truncates one datagram.
        co_await sockSendto(loop, a, QByteArrayLiteral("one"), b.localAddress());
        co_await sockSendto(loop, a, QByteArrayLiteral("two-two"), b.localAddress());
        auto first = co_await sockRecvfrom(loop, b, 1024);
        auto second = co_await sockRecvfrom(loop, b, 3);
        CO_COMPARE(first.first, QByteArrayLiteral("one"));
        CO_COMPARE(second.first, QByteArrayLiteral("two"));

        // An empty datagram is a datagram.
        co_await sockSendto(loop, b, QByteArray(), a.localAddress());
        auto empty = co_await sockRecvfrom(loop, a, 10);
        CO_COMPARE(empty.first, QByteArray());
        CO_VERIFY(empty.second == b.localAddress());
    };
    NT_RUN(loop, body());
}

void TestNetSockets::udpRecvfromInto()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket a(AF_INET, SOCK_DGRAM);
        Socket b(AF_INET, SOCK_DGRAM);
        a.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
        b.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
        a.setBlocking(false);
        b.setBlocking(false);
        char buffer[32];
        auto received = sockRecvfromInto(loop, b, buffer, qsizetype(sizeof buffer));
        co_await nt::yieldN(1);
        CO_VERIFY(!received.done());
        co_await sockSendto(loop, a, QByteArrayLiteral("into"), b.localAddress());
        auto [n, from] = co_await received;
        CO_COMPARE(n, qsizetype(4));
        CO_COMPARE(QByteArray(buffer, n), QByteArrayLiteral("into"));
        CO_VERIFY(from == a.localAddress());
    };
    NT_RUN(loop, body());
}

// ------------------------------------------------------------------ sendfile

void TestNetSockets::sendfileRegularFile()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    const QByteArray data = nt::pattern(3 * 1024 * 1024 + 17, 3);
    QCOMPARE(file.write(data), qint64(data.size()));
    QVERIFY(file.flush());
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        auto reader = [&]() -> Coro<QByteArray> { co_return co_await recvAll(loop, server); };
        Task<QByteArray> receiving = createTask(reader());
        const qint64 sent = co_await sockSendfile(loop, client, file.handle());
        CO_COMPARE(sent, qint64(data.size()));
        client.shutdown(SHUT_WR);
        const QByteArray got = co_await receiving;
        CO_COMPARE(got.size(), data.size());
        CO_VERIFY(got == data);
    };
    NT_RUN(loop, body());
}

void TestNetSockets::sendfileOffsetAndCount()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    const QByteArray data = nt::pattern(100 * 1000, 5);
    QCOMPARE(file.write(data), qint64(data.size()));
    QVERIFY(file.flush());
    Loop loop;
    auto body = [&]() -> Coro<void> {
        {
            auto [client, server] = co_await nt::tcpPair();
            CO_COMPARE(co_await sockSendfile(loop, client, file.handle(), 1000, qint64(5000)), qint64(5000));
            client.shutdown(SHUT_WR);
            CO_VERIFY(co_await recvAll(loop, server) == data.mid(1000, 5000));
        }
        {
            // An offset alone: to the end of the file.
            auto [client, server] = co_await nt::tcpPair();
            CO_COMPARE(co_await sockSendfile(loop, client, file.handle(), 99000), qint64(1000));
            client.shutdown(SHUT_WR);
            CO_VERIFY(co_await recvAll(loop, server) == data.mid(99000));
        }
        {
            // A count past the end: what the file has.
            auto [client, server] = co_await nt::tcpPair();
            CO_COMPARE(co_await sockSendfile(loop, client, file.handle(), 90000, qint64(50000)), qint64(10000));
            client.shutdown(SHUT_WR);
            CO_VERIFY(co_await recvAll(loop, server) == data.mid(90000));
        }
    };
    NT_RUN(loop, body());
}

void TestNetSockets::sendfileFallbackOnPipe()
{
    // A pipe is no regular file: sendfile(2) is not used, the data is read and sent.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        const QByteArray data = nt::pattern(50000, 9);
        {
            int fds[2];
            CO_VERIFY(::pipe2(fds, O_CLOEXEC) == 0);
            CO_COMPARE(::write(fds[1], data.constData(), size_t(data.size())), ssize_t(data.size()));
            ::close(fds[1]);
            auto [client, server] = co_await nt::tcpPair();
            const qint64 sent = co_await sockSendfile(loop, client, fds[0]);
            ::close(fds[0]);
            CO_COMPARE(sent, qint64(data.size()));
            client.shutdown(SHUT_WR);
            CO_VERIFY(co_await recvAll(loop, server) == data);
        }
        {
            // With a count: just that many bytes.
            int fds[2];
            CO_VERIFY(::pipe2(fds, O_CLOEXEC) == 0);
            CO_COMPARE(::write(fds[1], data.constData(), size_t(data.size())), ssize_t(data.size()));
            ::close(fds[1]);
            auto [client, server] = co_await nt::tcpPair();
            const qint64 sent = co_await sockSendfile(loop, client, fds[0], 0, qint64(1234));
            ::close(fds[0]);
            CO_COMPARE(sent, qint64(1234));
            client.shutdown(SHUT_WR);
            CO_VERIFY(co_await recvAll(loop, server) == data.left(1234));
        }
        {
            // A pipe cannot seek: an offset is an error (ESPIPE), as asyncio's seek().
            int fds[2];
            CO_VERIFY(::pipe2(fds, O_CLOEXEC) == 0);
            auto [client, server] = co_await nt::tcpPair();
            auto error = co_await nt::coErrorOf(sockSendfile(loop, client, fds[0], 10));
            ::close(fds[0]);
            ::close(fds[1]);
            CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::invalid_seek));
        }
    };
    NT_RUN(loop, body());
}

void TestNetSockets::sendfileWithoutFallbackOnPipeThrows()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        int fds[2];
        CO_VERIFY(::pipe2(fds, O_CLOEXEC) == 0);
        auto [client, server] = co_await nt::tcpPair();
        auto error = co_await nt::coErrorOf(sockSendfile(loop, client, fds[0], 0, std::nullopt, false));
        ::close(fds[0]);
        ::close(fds[1]);
        CO_VERIFY2(nt::holds<SendfileNotAvailableError>(error), qPrintable(nt::describe(error)));
        // It is a RuntimeError, as in asyncio.
        CO_VERIFY(nt::holds<RuntimeError>(error));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::sendfileBadArguments()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    QCOMPARE(file.write("abc"), qint64(3));
    QVERIFY(file.flush());
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        auto negativeOffset = co_await nt::coErrorOf(sockSendfile(loop, client, file.handle(), -1));
        CO_VERIFY2(nt::holds<ValueError>(negativeOffset), qPrintable(nt::describe(negativeOffset)));
        CO_VERIFY(nt::whatOf(negativeOffset).contains(QLatin1String("offset")));
        auto zeroCount = co_await nt::coErrorOf(sockSendfile(loop, client, file.handle(), 0, qint64(0)));
        CO_VERIFY2(nt::holds<ValueError>(zeroCount), qPrintable(nt::describe(zeroCount)));
        CO_VERIFY(nt::whatOf(zeroCount).contains(QLatin1String("count")));

        Socket udp(AF_INET, SOCK_DGRAM);
        udp.setBlocking(false);
        auto notStream = co_await nt::coErrorOf(sockSendfile(loop, udp, file.handle()));
        CO_VERIFY2(nt::holds<ValueError>(notStream), qPrintable(nt::describe(notStream)));

        auto badFile = co_await nt::coErrorOf(sockSendfile(loop, client, -1));
        CO_COMPARE(nt::codeOf(badFile), std::make_error_code(std::errc::bad_file_descriptor));
    };
    NT_RUN(loop, body());
}

// ------------------------------------------------------------------ cancellation

void TestNetSockets::cancelPendingRecvRemovesReader()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        auto received = sockRecv(loop, server, 100);
        co_await nt::yieldN(2);
        CO_VERIFY(!received.done());
        CO_VERIFY(received.cancel());
        co_await nt::yieldN(2);
        CO_VERIFY(received.cancelled());
        // The cancelled operation stopped watching the fd...
        CO_VERIFY(!loop.removeReader(server.fileno()));
        // ... so a reader added later works, and the data is still there.
        bool fired = false;
        loop.addReader(server.fileno(), [&] {
            fired = true;
            loop.removeReader(server.fileno());
        });
        co_await sockSendall(loop, client, QByteArrayLiteral("after"));
        CO_VERIFY(co_await nt::until([&] { return fired; }));
        CO_COMPARE(co_await sockRecv(loop, server, 100), QByteArrayLiteral("after"));
        // And a new sockRecv works too.
        auto again = sockRecv(loop, server, 100);
        co_await sockSendall(loop, client, QByteArrayLiteral("again"));
        CO_COMPARE(co_await again, QByteArrayLiteral("again"));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::cancelPendingRecvThenAddReaderAtOnce()
{
    // The reader added right after cancel() (before the cancelled operation's
    // clean-up runs) must survive that clean-up.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        auto received = sockRecv(loop, server, 100);
        co_await nt::yieldN(1);
        received.cancel();
        int fired = 0;
        loop.addReader(server.fileno(), [&] {
            ++fired;
            loop.removeReader(server.fileno());
        });
        co_await nt::yieldN(3);
        co_await sockSendall(loop, client, QByteArrayLiteral("x"));
        CO_VERIFY(co_await nt::until([&] { return fired > 0; }));
        CO_COMPARE(fired, 1);
    };
    NT_RUN(loop, body());
}

void TestNetSockets::cancelPendingAcceptThenAcceptAgain()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket listening = nt::listener();
        auto first = sockAccept(loop, listening);
        co_await nt::yieldN(1);
        first.cancel();
        co_await nt::yieldN(1);
        CO_VERIFY(first.cancelled());
        CO_VERIFY(!loop.removeReader(listening.fileno()));

        Socket client(AF_INET, SOCK_STREAM);
        client.setBlocking(false);
        auto second = sockAccept(loop, listening);
        co_await sockConnect(loop, client, listening.localAddress());
        auto [server, peer] = co_await second;
        CO_VERIFY(server.isValid());
        CO_VERIFY(peer == client.localAddress());
    };
    NT_RUN(loop, body());
}

void TestNetSockets::cancelPendingSendallRemovesWriter()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        auto sending = sockSendall(loop, client, nt::pattern(8 * 1024 * 1024, 1));
        co_await nt::yieldN(2);
        CO_VERIFY(!sending.done()); // the socket buffers are full
        sending.cancel();
        co_await nt::yieldN(2);
        CO_VERIFY(sending.cancelled());
        CO_VERIFY(!loop.removeWriter(client.fileno()));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::watcherRemovedInItsCallbackStaysOff()
{
    // A reader that removes itself in its callback, its fd closed right after
    // (what a transport does at EOF): no backend may keep watching the closed
    // fd (Qt's "QSocketNotifier: Invalid socket" warning), nor call anyone for it.
    Loop loop;
    capturedMessages().clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureMessage);
    int fired = 0;
    auto body = [&]() -> Coro<void> {
        for (int round = 0; round < 5; ++round) {
            auto [a, b] = Socket::pair();
            a.setBlocking(false);
            const int fd = a.fileno();
            loop.addReader(fd, [&loop, &a, &fired, fd] {
                ++fired;
                loop.removeReader(fd);
                loop.callSoon([&a] { a.close(); });
            });
            CO_COMPARE(::send(b.fileno(), "x", 1, 0), ssize_t(1));
            CO_VERIFY(co_await nt::until([&] { return !a.isValid(); }));
            co_await qaio::sleep(0.02);
        }
    };
    const bool ok = nt::runCoro(loop, body(), 30.0, __FILE__, __LINE__);
    qInstallMessageHandler(previous);
    QVERIFY(ok);
    QCOMPARE(fired, 5);
    for (const QString &message : capturedMessages())
        QVERIFY2(!message.contains(QLatin1String("Invalid socket")), qPrintable(message));
}

// ------------------------------------------------------------------ errors

void TestNetSockets::blockingSocketIsValueError()
{
    Loop loop;
    Socket sock(AF_INET, SOCK_STREAM);
    QVERIFY(sock.isBlocking());
    char buffer[4];
    auto check = [](const std::exception_ptr &error) {
        return nt::holds<ValueError>(error) && nt::whatOf(error).contains(QLatin1String("non-blocking"));
    };
    QVERIFY(check(nt::errorOf([&] { sockRecv(loop, sock, 10); })));
    QVERIFY(check(nt::errorOf([&] { sockRecvInto(loop, sock, buffer, 4); })));
    QVERIFY(check(nt::errorOf([&] { sockRecvfrom(loop, sock, 10); })));
    QVERIFY(check(nt::errorOf([&] { sockRecvfromInto(loop, sock, buffer, 4); })));
    QVERIFY(check(nt::errorOf([&] { sockSendall(loop, sock, "x"); })));
    QVERIFY(check(nt::errorOf(
        [&] { sockSendto(loop, sock, "x", SocketAddress::fromString(QStringLiteral("127.0.0.1"), 9)); })));
    QVERIFY(check(nt::errorOf(
        [&] { sockConnect(loop, sock, SocketAddress::fromString(QStringLiteral("127.0.0.1"), 9)); })));
    QVERIFY(check(nt::errorOf([&] { sockAccept(loop, sock); })));
    std::exception_ptr sendfileError;
    auto body = [&]() -> Coro<void> { sendfileError = co_await nt::coErrorOf(sockSendfile(loop, sock, 0)); };
    NT_RUN(loop, body());
    QVERIFY2(check(sendfileError), qPrintable(nt::describe(sendfileError)));
}

void TestNetSockets::closedSocketIsEbadf()
{
    Loop loop;
    Socket never;
    Socket closed(AF_INET, SOCK_STREAM);
    closed.setBlocking(false);
    closed.close();
    QVERIFY(!closed.isValid());
    const auto ebadf = std::make_error_code(std::errc::bad_file_descriptor);
    char buffer[4];
    for (Socket *sock : {&never, &closed}) {
        QCOMPARE(nt::codeOf(nt::errorOf([&] { sockRecv(loop, *sock, 10); })), ebadf);
        QCOMPARE(nt::codeOf(nt::errorOf([&] { sockRecvInto(loop, *sock, buffer, 4); })), ebadf);
        QCOMPARE(nt::codeOf(nt::errorOf([&] { sockSendall(loop, *sock, "x"); })), ebadf);
        QCOMPARE(nt::codeOf(nt::errorOf([&] { sockAccept(loop, *sock); })), ebadf);
        QCOMPARE(nt::codeOf(nt::errorOf(
                     [&] { sockConnect(loop, *sock, SocketAddress::fromString(QStringLiteral("127.0.0.1"), 9)); })),
                 ebadf);
        // Socket's own calls too.
        QCOMPARE(nt::codeOf(nt::errorOf([&] { sock->setBlocking(false); })), ebadf);
        QCOMPARE(nt::codeOf(nt::errorOf([&] { sock->localAddress(); })), ebadf);
        QCOMPARE(nt::codeOf(nt::errorOf([&] { sock->listen(); })), ebadf);
    }
    // The error names the problem.
    QVERIFY(nt::whatOf(nt::errorOf([&] { sockRecv(loop, closed, 1); })).contains(QLatin1String("closed")));
}

void TestNetSockets::connectionRefused()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        // Bound but not listening: the port is ours and nobody accepts on it.
        Socket bound(AF_INET, SOCK_STREAM);
        bound.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
        Socket client(AF_INET, SOCK_STREAM);
        client.setBlocking(false);
        auto error = co_await nt::coErrorOf(sockConnect(loop, client, bound.localAddress()));
        CO_VERIFY2(nt::holds<std::system_error>(error), qPrintable(nt::describe(error)));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::connection_refused));
        CO_VERIFY(nt::codeOf(error) == std::errc::connection_refused);
        CO_VERIFY(nt::whatOf(error).contains(bound.localAddress().toString()));
        // The writer watching the connect is gone.
        co_await nt::yieldN(1);
        CO_VERIFY(!loop.removeWriter(client.fileno()));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::recvAfterPeerResetIsConnectionReset()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        auto received = sockRecv(loop, client, 100);
        co_await nt::yieldN(1);
        resetOnClose(server);
        server.close(); // RST
        auto error = co_await nt::coErrorOf(received);
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::connection_reset));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::sendallToClosedPeerFails()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [client, server] = co_await nt::tcpPair();
        server.close();
        // No SIGPIPE: the error comes back as EPIPE (or ECONNRESET).
        auto error = co_await nt::coErrorOf(sockSendall(loop, client, nt::pattern(16 * 1024 * 1024, 2)));
        const std::error_code code = nt::codeOf(error);
        CO_VERIFY2(code == std::errc::broken_pipe || code == std::errc::connection_reset,
                   qPrintable(nt::describe(error)));
        co_await nt::yieldN(1);
        CO_VERIFY(!loop.removeWriter(client.fileno()));
    };
    NT_RUN(loop, body());
}

void TestNetSockets::negativeSizesAreValueError()
{
    Loop loop;
    Socket sock(AF_INET, SOCK_STREAM);
    sock.setBlocking(false);
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { sockRecv(loop, sock, -1); })));
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { sockRecvfrom(loop, sock, -1); })));
    char buffer[1];
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { sockRecvInto(loop, sock, buffer, -1); })));
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { sockRecvInto(loop, sock, nullptr, 10); })));
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { sockRecvfromInto(loop, sock, nullptr, 10); })));
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { sockConnect(loop, sock, SocketAddress()); })));
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { sockSendto(loop, sock, "x", SocketAddress()); })));
}

void TestNetSockets::socketAddressBasics()
{
    const SocketAddress v4 = SocketAddress::fromString(QStringLiteral("127.0.0.1"), 8080);
    QCOMPARE(v4.family(), AF_INET);
    QCOMPARE(v4.port(), quint16(8080));
    QCOMPARE(v4.toString(), QStringLiteral("127.0.0.1:8080"));
    QCOMPARE(v4.size(), socklen_t(sizeof(sockaddr_in)));
    QVERIFY(v4 == SocketAddress(QHostAddress(QHostAddress::LocalHost), 8080));
    QVERIFY(!(v4 == SocketAddress::fromString(QStringLiteral("127.0.0.1"), 8081)));

    const SocketAddress v6 = SocketAddress::fromString(QStringLiteral("::1"), 443);
    QCOMPARE(v6.family(), AF_INET6);
    QCOMPARE(v6.toString(), QStringLiteral("[::1]:443"));
    QCOMPARE(v6.host(), QHostAddress(QHostAddress::LocalHostIPv6));

    QVERIFY(!SocketAddress().isValid());
    QCOMPARE(SocketAddress().toString(), QStringLiteral("<invalid address>"));
    QVERIFY(nt::holds<ValueError>(nt::errorOf([] { SocketAddress::fromString(QStringLiteral("localhost"), 1); })));
    QVERIFY(nt::holds<ValueError>(nt::errorOf([] { SocketAddress::unixPath(QString()); })));
    QVERIFY(nt::holds<ValueError>(nt::errorOf([] { SocketAddress::unixPath(QString(200, QLatin1Char('x'))); })));

    // QVariant round trip (transports hand addresses out that way).
    const QVariant variant = QVariant::fromValue(v4);
    QVERIFY(variant.value<SocketAddress>() == v4);

    // Socket basics: a move leaves the source empty; blocking by default.
    Socket sock(AF_INET, SOCK_DGRAM);
    QVERIFY(sock.isBlocking());
    QCOMPARE(sock.type(), int(SOCK_DGRAM));
    const int fd = sock.fileno();
    Socket moved(std::move(sock));
    QVERIFY(!sock.isValid()); // NOLINT(bugprone-use-after-move)
    QCOMPARE(moved.fileno(), fd);
    moved.setOption(SOL_SOCKET, SO_REUSEADDR, 1);
    QVERIFY(moved.option(SOL_SOCKET, SO_REUSEADDR) != 0);
    QCOMPARE(moved.takeError(), 0);
}

// ------------------------------------------------------------------ the resolver

void TestNetSockets::getaddrinfoNumericIsAnsweredAtOnce()
{
    Loop loop;
    auto future = getaddrinfo(loop, QStringLiteral("127.0.0.1"), quint16(80), {.type = SOCK_STREAM});
    // A numeric host needs no resolver thread: the answer is there at once.
    QVERIFY(future.done());
    const QList<AddrInfo> infos = future.result();
    QCOMPARE(infos.size(), qsizetype(1));
    QCOMPARE(infos[0].family, AF_INET);
    QCOMPARE(infos[0].type, int(SOCK_STREAM));
    QCOMPARE(infos[0].address.port(), quint16(80));
    QCOMPARE(infos[0].address.host(), QHostAddress(QHostAddress::LocalHost));

    // Without a type: one entry per socket type, all for the same address.
    auto all = getaddrinfo(loop, QStringLiteral("127.0.0.1"), QStringLiteral("8080"));
    QVERIFY(all.done());
    QVERIFY(all.result().size() >= 1);
    for (const AddrInfo &info : all.result())
        QCOMPARE(info.address.toString(), QStringLiteral("127.0.0.1:8080"));
}

void TestNetSockets::getaddrinfoNumericIPv6()
{
    Loop loop;
    auto future = getaddrinfo(loop, QStringLiteral("::1"), quint16(443), {.type = SOCK_STREAM});
    QVERIFY(future.done());
    const QList<AddrInfo> infos = future.result();
    QCOMPARE(infos.size(), qsizetype(1));
    QCOMPARE(infos[0].family, AF_INET6);
    QCOMPARE(infos[0].address.toString(), QStringLiteral("[::1]:443"));
}

void TestNetSockets::getaddrinfoLocalhost()
{
    Loop loop;
    QList<AddrInfo> infos;
    auto body = [&]() -> Coro<void> {
        auto future = getaddrinfo(loop, QStringLiteral("localhost"), quint16(80), {.type = SOCK_STREAM});
        infos = co_await future;
    };
    NT_RUN(loop, body());
    QVERIFY(!infos.isEmpty());
    for (const AddrInfo &info : infos) {
        QVERIFY(info.family == AF_INET || info.family == AF_INET6);
        QCOMPARE(info.family, info.address.family());
        QVERIFY2(info.address.host().isLoopback(), qPrintable(info.address.toString()));
        QCOMPARE(info.address.port(), quint16(80));
    }
    // With AI_CANONNAME the first entry carries the canonical name.
    QString canonical;
    auto canon = [&]() -> Coro<void> {
        const QList<AddrInfo> found = co_await getaddrinfo(loop, QStringLiteral("localhost"), QString(),
                                                           {.type = SOCK_STREAM, .flags = AI_CANONNAME});
        CO_VERIFY(!found.isEmpty());
        canonical = found.front().canonicalName;
    };
    NT_RUN(loop, canon());
    QVERIFY(!canonical.isEmpty());
}

void TestNetSockets::getaddrinfoUnknownHostIsGaiError()
{
    Loop loop;
    std::exception_ptr error;
    auto body = [&]() -> Coro<void> {
        error = co_await nt::coErrorOf(getaddrinfo(loop, QStringLiteral("no-such-host.invalid"), quint16(80)));
    };
    NT_RUN(loop, body());
    QVERIFY2(nt::holds<std::system_error>(error), qPrintable(nt::describe(error)));
    const std::error_code code = nt::codeOf(error);
    QVERIFY2(code.category() == gaiCategory(), qPrintable(nt::describe(error)));
    // EAI_NONAME normally; a sandbox without DNS may say EAI_AGAIN or EAI_FAIL.
    QVERIFY2(code.value() == EAI_NONAME || code.value() == EAI_AGAIN || code.value() == EAI_FAIL,
             qPrintable(QString::number(code.value())));
    QCOMPARE(QString::fromUtf8(gaiCategory().name()), QStringLiteral("getaddrinfo"));
    QCOMPARE(QString::fromStdString(code.message()), QString::fromUtf8(gai_strerror(code.value())));
}

void TestNetSockets::getaddrinfoNumericHostFlagRejectsNames()
{
    Loop loop;
    std::exception_ptr error;
    auto body = [&]() -> Coro<void> {
        error = co_await nt::coErrorOf(
            getaddrinfo(loop, QStringLiteral("localhost"), quint16(80), {.flags = AI_NUMERICHOST}));
    };
    NT_RUN(loop, body());
    QCOMPARE(nt::codeOf(error), std::error_code(EAI_NONAME, gaiCategory()));
}

void TestNetSockets::getaddrinfoPassiveWildcard()
{
    Loop loop;
    QList<AddrInfo> infos;
    auto body = [&]() -> Coro<void> {
        infos = co_await getaddrinfo(loop, QString(), quint16(8000), {.type = SOCK_STREAM, .flags = AI_PASSIVE});
    };
    NT_RUN(loop, body());
    QVERIFY(!infos.isEmpty());
    for (const AddrInfo &info : infos) {
        QVERIFY2(info.address.host() == QHostAddress(QHostAddress::AnyIPv4)
                     || info.address.host() == QHostAddress(QHostAddress::AnyIPv6),
                 qPrintable(info.address.toString()));
        QCOMPARE(info.address.port(), quint16(8000));
    }
}

void TestNetSockets::getaddrinfoServiceName()
{
    Loop loop;
    QList<AddrInfo> infos;
    std::exception_ptr error;
    auto body = [&]() -> Coro<void> {
        try {
            infos = co_await getaddrinfo(loop, QStringLiteral("127.0.0.1"), QStringLiteral("http"),
                                         {.type = SOCK_STREAM});
        } catch (const std::system_error &) {
            error = std::current_exception();
        }
    };
    NT_RUN(loop, body());
    if (error)
        QSKIP("no services database here");
    QCOMPARE(infos.size(), qsizetype(1));
    QCOMPARE(infos[0].address.port(), quint16(80));
}

void TestNetSockets::getnameinfoNumeric()
{
    Loop loop;
    std::pair<QString, QString> result;
    auto body = [&]() -> Coro<void> {
        result = co_await getnameinfo(loop, SocketAddress::fromString(QStringLiteral("127.0.0.1"), 8080),
                                      NI_NUMERICHOST | NI_NUMERICSERV);
    };
    NT_RUN(loop, body());
    QCOMPARE(result.first, QStringLiteral("127.0.0.1"));
    QCOMPARE(result.second, QStringLiteral("8080"));

    auto six = [&]() -> Coro<void> {
        result = co_await getnameinfo(loop, SocketAddress::fromString(QStringLiteral("::1"), 22),
                                      NI_NUMERICHOST | NI_NUMERICSERV);
    };
    NT_RUN(loop, six());
    QCOMPARE(result.first, QStringLiteral("::1"));
    QCOMPARE(result.second, QStringLiteral("22"));
}

void TestNetSockets::getnameinfoLocalhost()
{
    Loop loop;
    std::pair<QString, QString> result;
    auto body = [&]() -> Coro<void> {
        result = co_await getnameinfo(loop, SocketAddress::fromString(QStringLiteral("127.0.0.1"), 80));
    };
    NT_RUN(loop, body());
    QVERIFY(!result.first.isEmpty());
    QVERIFY(!result.second.isEmpty()); // "http", or "80" without a services database
}

void TestNetSockets::getnameinfoInvalidAddressIsValueError()
{
    Loop loop;
    QVERIFY(nt::holds<ValueError>(nt::errorOf([&] { getnameinfo(loop, SocketAddress()); })));
}

QTEST_GUILESS_MAIN(TestNetSockets)
#include "tst_net_sockets.moc"
