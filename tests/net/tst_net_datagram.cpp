// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_datagram — createDatagramEndpoint and the datagram transport, on
// real UDP and Unix datagram sockets. Ported from CPython's test_events.py
// (test_create_datagram_endpoint*), test_base_events.py
// (create_datagram_endpoint argument handling) and test_selector_events.py
// (SelectorDatagramTransport: sendto buffering, errors, close/abort).
#include "net_util.h"

#include <qaio/qaio.h>

#include <QtCore/QFileInfo>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

// Records what happens; optional hooks let a test act.
class DgramRecorder : public DatagramProtocol
{
public:
    std::shared_ptr<DatagramTransport> transport;
    QList<QByteArray> datagrams;
    QList<SocketAddress> senders;
    QList<std::exception_ptr> errors;
    QStringList events;
    bool lost = false;
    std::exception_ptr lostError;
    int pauses = 0;
    int resumes = 0;
    bool echo = false;
    bool throwOnData = false;

    void connectionMade(BaseTransport *t) override
    {
        events << QStringLiteral("made");
        transport = std::dynamic_pointer_cast<DatagramTransport>(t->sharedSelf());
    }
    void datagramReceived(const QByteArray &data, const SocketAddress &from) override
    {
        events << QStringLiteral("datagram");
        if (throwOnData)
            throw MyError();
        datagrams << data;
        senders << from;
        if (echo)
            transport->sendto("resp:" + data, from);
    }
    void errorReceived(std::exception_ptr error) override
    {
        events << QStringLiteral("error");
        errors << error;
    }
    void connectionLost(std::exception_ptr error) override
    {
        events << QStringLiteral("lost");
        lost = true;
        lostError = error;
        transport.reset();
    }
    void pauseWriting() override { ++pauses; }
    void resumeWriting() override { ++resumes; }
};

// A factory handing out one protocol made beforehand (named: see the GCC 12 note in net_util.h).
ProtocolFactory factoryFor(const std::shared_ptr<DgramRecorder> &p)
{
    return [p] { return p; };
}

SocketAddress sockname(const std::shared_ptr<DatagramTransport> &t)
{
    return t->getExtraInfo(QStringLiteral("sockname")).value<SocketAddress>();
}

Coro<bool> waitFor(std::function<bool()> pred, double limit = 5.0)
{
    co_return co_await nt::until(std::move(pred), limit);
}

} // namespace

class TestNetDatagram : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void echoServerAndConnectedClient();
    void echoIPv6();
    void unconnectedSendtoSeveralPeers();
    void existingSocket();
    void existingSocketMustBeDatagram();
    void familyOnlyMakesAnUnboundSocket();
    void noAddressNoFamilyIsValueError();
    void noMatchingFamilyIsValueError();
    void bindAddressInUseIsSystemError();
    void reusePortTwoEndpoints();
    void allowBroadcastDoesNotConnect();
    void connectErrorIsRaised();
    void connectedRefusedGoesToErrorReceived();
    void sendtoAddressChecks();
    void sendtoAfterCloseIsIgnoredOrRuntimeError();
    void sendtoQueuesWhenFullWithFlowControl();
    void closeSendsQueuedDatagramsFirst();
    void abortDropsQueuedDatagrams();
    void datagramReceivedThrowsIsFatal();
    void unixDatagramRemovesStaleSocket();
    void emptyDatagram();
    void noFdLeaks();
};

void TestNetDatagram::echoServerAndConnectedClient()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = std::make_shared<DgramRecorder>();
        server->echo = true;
        DatagramEndpointOptions serverOptions{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
        auto [st, sp] = co_await createDatagramEndpoint(loop, factoryFor(server), serverOptions);
        const SocketAddress serverAddress = sockname(st);
        CO_COMPARE(serverAddress.host(), QHostAddress(QStringLiteral("127.0.0.1")));
        CO_VERIFY(serverAddress.port() != 0);
        CO_VERIFY(!st->getExtraInfo(QStringLiteral("peername")).isValid());
        CO_VERIFY(st->getExtraInfo(QStringLiteral("socket")).toInt() >= 0);
        CO_VERIFY(server->events.startsWith(QStringLiteral("made")));

        auto client = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions clientOptions{.remoteAddr = HostPort{QStringLiteral("127.0.0.1"), serverAddress.port()}};
        auto [ct, cp] = co_await createDatagramEndpoint(loop, factoryFor(client), clientOptions);
        CO_VERIFY(cp == client);
        CO_COMPARE(ct->getExtraInfo(QStringLiteral("peername")).value<SocketAddress>(), serverAddress);
        ct->sendto("xxx");
        CO_VERIFY(co_await waitFor([&] { return client->datagrams.size() == 1; }));
        CO_COMPARE(server->datagrams, QList<QByteArray>{"xxx"});
        CO_COMPARE(server->senders.front(), sockname(ct));
        CO_COMPARE(client->datagrams.front(), QByteArray("resp:xxx"));
        CO_COMPARE(client->senders.front(), serverAddress);
        CO_COMPARE(ct->getWriteBufferSize(), qsizetype(0));

        ct->close();
        CO_VERIFY(ct->isClosing());
        CO_VERIFY(co_await waitFor([&] { return client->lost; }));
        CO_VERIFY(!client->lostError);
        CO_COMPARE(client->events.last(), QStringLiteral("lost"));
        st->close();
        CO_VERIFY(co_await waitFor([&] { return server->lost; }));
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::echoIPv6()
{
    if (!nt::ipv6Available())
        QSKIP("no IPv6 loopback");
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = std::make_shared<DgramRecorder>();
        server->echo = true;
        DatagramEndpointOptions serverOptions{.localAddr = HostPort{QStringLiteral("::1"), 0}};
        auto [st, sp] = co_await createDatagramEndpoint(loop, factoryFor(server), serverOptions);
        CO_COMPARE(sockname(st).family(), AF_INET6);
        auto client = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions clientOptions{.remoteAddr = HostPort{QStringLiteral("::1"), sockname(st).port()}};
        auto [ct, cp] = co_await createDatagramEndpoint(loop, factoryFor(client), clientOptions);
        ct->sendto("six");
        CO_VERIFY(co_await waitFor([&] { return client->datagrams.size() == 1; }));
        CO_COMPARE(client->datagrams.front(), QByteArray("resp:six"));
        ct->close();
        st->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::unconnectedSendtoSeveralPeers()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto a = std::make_shared<DgramRecorder>();
        auto b = std::make_shared<DgramRecorder>();
        auto hub = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions local{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
        auto [at, ap] = co_await createDatagramEndpoint(loop, factoryFor(a), local);
        auto [bt, bp] = co_await createDatagramEndpoint(loop, factoryFor(b), local);
        auto [ht, hp] = co_await createDatagramEndpoint(loop, factoryFor(hub), local);
        ht->sendto("to a", sockname(at));
        ht->sendto("to b", sockname(bt));
        CO_VERIFY(co_await waitFor([&] { return a->datagrams.size() == 1 && b->datagrams.size() == 1; }));
        CO_COMPARE(a->datagrams.front(), QByteArray("to a"));
        CO_COMPARE(b->datagrams.front(), QByteArray("to b"));
        CO_COMPARE(a->senders.front(), sockname(ht));
        // Replies reach the hub with their senders' addresses.
        at->sendto("from a", sockname(ht));
        bt->sendto("from b", sockname(ht));
        CO_VERIFY(co_await waitFor([&] { return hub->datagrams.size() == 2; }));
        CO_VERIFY(hub->senders.contains(sockname(at)) && hub->senders.contains(sockname(bt)));
        at->close();
        bt->close();
        ht->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::existingSocket()
{
    // test_create_datagram_endpoint_sock: a bound socket made elsewhere.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket sock(AF_INET, SOCK_DGRAM);
        sock.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
        const SocketAddress address = sock.localAddress();
        CO_VERIFY(sock.isBlocking());
        auto p = std::make_shared<DgramRecorder>();
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), std::move(sock));
        Q_UNUSED(unused);
        CO_COMPARE(sockname(t), address);
        const int fd = t->getExtraInfo(QStringLiteral("socket")).toInt();
        CO_VERIFY(::fcntl(fd, F_GETFL) & O_NONBLOCK); // made non-blocking
        Socket sender(AF_INET, SOCK_DGRAM);
        sender.setBlocking(false);
        co_await sockSendto(loop, sender, "hi", address);
        CO_VERIFY(co_await waitFor([&] { return p->datagrams.size() == 1; }));
        t->close();
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::existingSocketMustBeDatagram()
{
    // test_create_datagram_endpoint_wrong_sock
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket stream(AF_INET, SOCK_STREAM);
        auto p = std::make_shared<DgramRecorder>();
        auto error = co_await nt::coErrorOf(createDatagramEndpoint(loop, factoryFor(p), std::move(stream)));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("datagram socket was expected")));
        Socket closed;
        error = co_await nt::coErrorOf(createDatagramEndpoint(loop, factoryFor(p), std::move(closed)));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(p->events.isEmpty());
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::familyOnlyMakesAnUnboundSocket()
{
    // test_create_datagram_endpoint_noaddr_family: no address, a family.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto receiver = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions local{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
        auto [rt, rp] = co_await createDatagramEndpoint(loop, factoryFor(receiver), local);
        auto p = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions familyOnly{.family = AF_INET};
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), familyOnly);
        Q_UNUSED(unused);
        t->sendto("anon", sockname(rt)); // binds implicitly
        CO_VERIFY(co_await waitFor([&] { return receiver->datagrams.size() == 1; }));
        CO_COMPARE(receiver->datagrams.front(), QByteArray("anon"));
        t->close();
        rt->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::noAddressNoFamilyIsValueError()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto p = std::make_shared<DgramRecorder>();
        auto error = co_await nt::coErrorOf(createDatagramEndpoint(loop, factoryFor(p), DatagramEndpointOptions{}));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("unexpected address family")));
        // An empty factory is ValueError too; the loop keeps running.
        DatagramEndpointOptions familyOnly{.family = AF_INET};
        error = co_await nt::coErrorOf(createDatagramEndpoint(loop, ProtocolFactory(), familyOnly));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        co_await qaio::sleep(0);
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::noMatchingFamilyIsValueError()
{
    // test_create_datagram_endpoint_no_matching_family: local IPv4, remote IPv6.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto p = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions options{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0},
                                        .remoteAddr = HostPort{QStringLiteral("::1"), 9}};
        auto error = co_await nt::coErrorOf(createDatagramEndpoint(loop, factoryFor(p), options));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("can not get address information")));
        // An unresolvable name is the resolver's error.
        DatagramEndpointOptions bad{.remoteAddr = HostPort{QStringLiteral("no-such-host.invalid"), 9}};
        error = co_await nt::coErrorOf(createDatagramEndpoint(loop, factoryFor(p), bad));
        CO_VERIFY2(nt::codeOf(error).category() == gaiCategory(), qPrintable(nt::describe(error)));
        CO_VERIFY(p->events.isEmpty());
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::bindAddressInUseIsSystemError()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto first = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions local{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(first), local);
        Q_UNUSED(unused);
        auto second = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions same{.localAddr = HostPort{QStringLiteral("127.0.0.1"), sockname(t).port()}};
        auto error = co_await nt::coErrorOf(createDatagramEndpoint(loop, factoryFor(second), same));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::address_in_use));
        // Again, counting fds (the first failure may open lazily loaded runtime files under ASan).
        const int before = nt::openFdCount();
        error = co_await nt::coErrorOf(createDatagramEndpoint(loop, factoryFor(second), same));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::address_in_use));
        // The failed socket was closed: no more fds than before (the runtime may
        // close one of its own meanwhile, so not necessarily exactly as many).
        const int after = nt::openFdCount();
        CO_VERIFY2(after <= before, qPrintable(QStringLiteral("%1 fds before, %2 after").arg(before).arg(after)));
        t->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::reusePortTwoEndpoints()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto a = std::make_shared<DgramRecorder>();
        auto b = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions first{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}, .reusePort = true};
        auto [at, ap] = co_await createDatagramEndpoint(loop, factoryFor(a), first);
        const int fd = at->getExtraInfo(QStringLiteral("socket")).toInt();
        int value = 0;
        socklen_t length = sizeof value;
        ::getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &value, &length);
        CO_VERIFY(value != 0);
        DatagramEndpointOptions second{.localAddr = HostPort{QStringLiteral("127.0.0.1"), sockname(at).port()},
                                       .reusePort = true};
        auto [bt, bp] = co_await createDatagramEndpoint(loop, factoryFor(b), second);
        CO_COMPARE(sockname(bt).port(), sockname(at).port());
        at->close();
        bt->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::allowBroadcastDoesNotConnect()
{
    // With allowBroadcast, remoteAddr is the default destination but the
    // socket is not connected (asyncio does not connect a broadcast socket).
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto receiver = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions local{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
        auto [rt, rp] = co_await createDatagramEndpoint(loop, factoryFor(receiver), local);
        auto p = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions options{.remoteAddr = HostPort{QStringLiteral("127.0.0.1"), sockname(rt).port()},
                                        .allowBroadcast = true};
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), options);
        Q_UNUSED(unused);
        const int fd = t->getExtraInfo(QStringLiteral("socket")).toInt();
        int value = 0;
        socklen_t length = sizeof value;
        ::getsockopt(fd, SOL_SOCKET, SO_BROADCAST, &value, &length);
        CO_VERIFY(value != 0);
        CO_VERIFY(!t->getExtraInfo(QStringLiteral("peername")).isValid());
        t->sendto("bcast");
        CO_VERIFY(co_await waitFor([&] { return receiver->datagrams.size() == 1; }));
        // Another destination than remoteAddr is refused.
        auto error = nt::errorOf([&] { t->sendto("x", SocketAddress::fromString(QStringLiteral("127.0.0.1"), 9)); });
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        t->close();
        rt->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::connectErrorIsRaised()
{
    // test_create_datagram_endpoint_connect_err: connect() failing is the
    // endpoint's error. Connecting to the broadcast address needs SO_BROADCAST
    // (EACCES without it); with allowBroadcast nothing is connected.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto p = std::make_shared<DgramRecorder>();
        const int before = nt::openFdCount();
        DatagramEndpointOptions options{.remoteAddr = HostPort{QStringLiteral("255.255.255.255"), 9}};
        auto error = co_await nt::coErrorOf(createDatagramEndpoint(loop, factoryFor(p), options));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::permission_denied));
        CO_VERIFY(nt::openFdCount() <= before); // no fd leaked
        CO_VERIFY(p->events.isEmpty());
        options.allowBroadcast = true;
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), options);
        Q_UNUSED(unused);
        CO_VERIFY(!t->getExtraInfo(QStringLiteral("peername")).isValid());
        t->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::connectedRefusedGoesToErrorReceived()
{
    // A connected UDP socket learns of ICMP port unreachable as ECONNREFUSED:
    // errorReceived(), and the endpoint stays open.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        quint16 deadPort = 0;
        {
            Socket probe(AF_INET, SOCK_DGRAM);
            probe.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
            deadPort = probe.localAddress().port();
        }
        auto p = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions options{.remoteAddr = HostPort{QStringLiteral("127.0.0.1"), deadPort}};
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), options);
        Q_UNUSED(unused);
        for (int i = 0; i < 50 && p->errors.isEmpty(); ++i) {
            t->sendto("anyone?");
            co_await qaio::sleep(0.01);
        }
        CO_VERIFY(!p->errors.isEmpty());
        CO_COMPARE(nt::codeOf(p->errors.front()), std::make_error_code(std::errc::connection_refused));
        CO_VERIFY(!t->isClosing());
        CO_VERIFY(!p->lost);
        t->close();
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(!p->lostError);
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::sendtoAddressChecks()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto p = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions local{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), local);
        Q_UNUSED(unused);
        // Not connected: an address is required.
        auto error = nt::errorOf([&] { t->sendto("x"); });
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("no address")));

        auto c = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions remote{.remoteAddr = HostPort{QStringLiteral("127.0.0.1"), sockname(t).port()}};
        auto [ct, cp] = co_await createDatagramEndpoint(loop, factoryFor(c), remote);
        // Connected: only the peer's address (or none) is accepted.
        error = nt::errorOf([&] { ct->sendto("x", SocketAddress::fromString(QStringLiteral("127.0.0.1"), 9)); });
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("Invalid address")));
        ct->sendto("ok", sockname(t));
        CO_VERIFY(co_await waitFor([&] { return p->datagrams.size() == 1; }));
        CO_VERIFY(!p->lost && !c->lost);
        t->close();
        ct->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::sendtoAfterCloseIsIgnoredOrRuntimeError()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto p = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions local{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), local);
        Q_UNUSED(unused);
        const SocketAddress self = sockname(t);
        auto c = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions remote{.remoteAddr = HostPort{QStringLiteral("127.0.0.1"), self.port()}};
        auto [ct, cp] = co_await createDatagramEndpoint(loop, factoryFor(c), remote);
        t->close();
        ct->close();
        CO_VERIFY(co_await waitFor([&] { return p->lost && c->lost; }));
        // Connected: asyncio silently counts sends after the connection was lost.
        ct->sendto("late");
        CO_VERIFY(c->errors.isEmpty());
        // Unconnected: the socket is gone, RuntimeError naming the problem.
        auto error = nt::errorOf([&] { t->sendto("late", self); });
        CO_VERIFY2(nt::holds<RuntimeError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("closed")));
        // close() and abort() again are harmless.
        t->close();
        t->abort();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::sendtoQueuesWhenFullWithFlowControl()
{
    // A Unix datagram pair whose reader does not read: sendto() meets EAGAIN,
    // queues (8 bytes of header per datagram counted), pauses the protocol
    // above the high-water mark, and resumes once the reader catches up.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [mine, theirs] = Socket::pair(SOCK_DGRAM);
        theirs.setBlocking(false);
        auto p = std::make_shared<DgramRecorder>();
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), std::move(mine));
        Q_UNUSED(unused);
        t->setWriteBufferLimits(4096, 1024);
        CO_COMPARE(t->getWriteBufferLimits(), (std::pair<qsizetype, qsizetype>(1024, 4096)));
        const QByteArray datagram(1000, 'd');
        int sent = 0;
        while (t->getWriteBufferSize() == 0 && sent < 100000)
            t->sendto(datagram + QByteArray::number(sent++));
        CO_VERIFY(t->getWriteBufferSize() > 0);
        const qsizetype first = t->getWriteBufferSize();
        CO_COMPARE(first, datagram.size() + QByteArray::number(sent - 1).size() + 8);
        while (p->pauses == 0)
            t->sendto(datagram + QByteArray::number(sent++));
        CO_VERIFY(t->getWriteBufferSize() > 4096);
        CO_COMPARE(p->resumes, 0);
        // The reader drains everything: in order, none lost.
        int received = 0;
        while (received < sent) {
            auto [data, from] = co_await sockRecvfrom(loop, theirs, 65536);
            Q_UNUSED(from);
            CO_COMPARE(data, datagram + QByteArray::number(received));
            ++received;
        }
        CO_COMPARE(p->resumes, 1);
        CO_COMPARE(t->getWriteBufferSize(), qsizetype(0));
        CO_VERIFY(p->errors.isEmpty());
        // Bad limits are ValueError.
        auto error = nt::errorOf([&] { t->setWriteBufferLimits(10, 20); });
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        t->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::closeSendsQueuedDatagramsFirst()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [mine, theirs] = Socket::pair(SOCK_DGRAM);
        theirs.setBlocking(false);
        auto p = std::make_shared<DgramRecorder>();
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), std::move(mine));
        Q_UNUSED(unused);
        int sent = 0;
        while (t->getWriteBufferSize() == 0)
            t->sendto(QByteArray::number(sent++));
        for (int i = 0; i < 5; ++i)
            t->sendto(QByteArray::number(sent++));
        t->close();
        CO_VERIFY(t->isClosing());
        co_await nt::yieldN(3);
        CO_VERIFY(!p->lost); // waits for the queue
        for (int received = 0; received < sent; ++received) {
            auto [data, from] = co_await sockRecvfrom(loop, theirs, 100);
            Q_UNUSED(from);
            CO_COMPARE(data, QByteArray::number(received));
        }
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(!p->lostError);
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::abortDropsQueuedDatagrams()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto [mine, theirs] = Socket::pair(SOCK_DGRAM);
        theirs.setBlocking(false);
        auto p = std::make_shared<DgramRecorder>();
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), std::move(mine));
        Q_UNUSED(unused);
        int sent = 0;
        while (t->getWriteBufferSize() == 0)
            t->sendto(QByteArray::number(sent++));
        const int delivered = sent - 1; // the last one was queued
        for (int i = 0; i < 5; ++i)
            t->sendto(QByteArray::number(sent++));
        t->abort();
        CO_COMPARE(t->getWriteBufferSize(), qsizetype(0));
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        int received = 0;
        for (;;) {
            char buffer[100];
            const ssize_t n = ::recv(theirs.fileno(), buffer, sizeof buffer, 0);
            if (n < 0)
                break;
            ++received;
        }
        CO_COMPARE(received, delivered);
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::datagramReceivedThrowsIsFatal()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        auto p = std::make_shared<DgramRecorder>();
        p->throwOnData = true;
        DatagramEndpointOptions local{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), local);
        Q_UNUSED(unused);
        Socket sender(AF_INET, SOCK_DGRAM);
        sender.setBlocking(false);
        co_await sockSendto(loop, sender, "boom", sockname(t));
        CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        CO_VERIFY(nt::holds<MyError>(p->lostError));
        CO_COMPARE(log.count(QStringLiteral("datagramReceived")), 1);
        co_await qaio::sleep(0); // the loop keeps running
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::unixDatagramRemovesStaleSocket()
{
    Loop loop;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("dgram.sock"));
    auto body = [&]() -> Coro<void> {
        {
            // A stale socket file left by an earlier run.
            Socket stale(AF_UNIX, SOCK_DGRAM);
            stale.bind(SocketAddress::unixPath(path));
        }
        CO_VERIFY(QFileInfo::exists(path));
        auto server = std::make_shared<DgramRecorder>();
        server->echo = true;
        DatagramEndpointOptions serverOptions{.localAddr = HostPort{path, 0}, .family = AF_UNIX};
        auto [st, sp] = co_await createDatagramEndpoint(loop, factoryFor(server), serverOptions);
        CO_COMPARE(sockname(st).path(), path);
        auto client = std::make_shared<DgramRecorder>();
        const QString clientPath = dir.filePath(QStringLiteral("client.sock"));
        DatagramEndpointOptions clientOptions{.localAddr = HostPort{clientPath, 0}, .remoteAddr = HostPort{path, 0},
                                              .family = AF_UNIX};
        auto [ct, cp] = co_await createDatagramEndpoint(loop, factoryFor(client), clientOptions);
        ct->sendto("unix");
        CO_VERIFY(co_await waitFor([&] { return client->datagrams.size() == 1; }));
        CO_COMPARE(client->datagrams.front(), QByteArray("resp:unix"));
        CO_COMPARE(server->senders.front().path(), clientPath);
        ct->close();
        st->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::emptyDatagram()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto p = std::make_shared<DgramRecorder>();
        DatagramEndpointOptions local{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
        auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), local);
        Q_UNUSED(unused);
        t->sendto(QByteArray(), sockname(t)); // to itself
        CO_VERIFY(co_await waitFor([&] { return p->datagrams.size() == 1; }));
        CO_VERIFY(p->datagrams.front().isEmpty());
        t->close();
    };
    NT_RUN(loop, body());
}

void TestNetDatagram::noFdLeaks()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        co_await qaio::sleep(0);
        const int before = nt::openFdCount();
        for (int i = 0; i < 50; ++i) {
            auto p = std::make_shared<DgramRecorder>();
            DatagramEndpointOptions local{.localAddr = HostPort{QStringLiteral("127.0.0.1"), 0}};
            auto [t, unused] = co_await createDatagramEndpoint(loop, factoryFor(p), local);
            Q_UNUSED(unused);
            if (i % 2)
                t->close();
            else
                t->abort();
            CO_VERIFY(co_await waitFor([&] { return p->lost; }));
        }
        co_await nt::yieldN(3);
        CO_VERIFY(nt::openFdCount() <= before); // no fd leaked
    };
    NT_RUN(loop, body());
}

QTEST_GUILESS_MAIN(TestNetDatagram)
#include "tst_net_datagram.moc"
