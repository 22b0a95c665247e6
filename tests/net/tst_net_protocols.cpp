// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_protocols — the stream transport and the protocol callbacks
// (createConnection, createUnixConnection, connectAcceptedSocket), and
// servers (createServer, createUnixServer, Server). Ported in spirit from
// CPython's test_events.py (network parts), test_selector_events.py
// (transport behaviour), test_server.py and test_buffered_proto.py; on real
// loopback sockets.
#include "qaio_net_test.h"

#include <qaio/qaio.h>

#include <QtCore/QFileInfo>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <vector>

using namespace qaio;

namespace {

class MyError : public std::runtime_error
{
public:
    explicit MyError(const char *what = "MyError") : std::runtime_error(what) {}
};

// A protocol that records what happens to it; hooks let a test act.
class Recorder : public Protocol
{
public:
    QStringList events;
    QByteArray data;
    std::shared_ptr<Transport> transport; // set in connectionMade, reset in connectionLost
    std::weak_ptr<Transport> weakTransport;
    std::exception_ptr error;
    bool made = false;
    bool eof = false;
    bool lost = false;
    int pauses = 0;
    int resumes = 0;
    bool keepOpenOnEof = false;
    std::function<void(Recorder &)> onMade;
    std::function<void(Recorder &, const QByteArray &)> onData;
    std::function<void(Recorder &)> onEof;
    std::function<void(Recorder &)> onPause;
    std::function<void(Recorder &)> onResume;

    void connectionMade(BaseTransport *t) override
    {
        events << QStringLiteral("made");
        made = true;
        transport = std::dynamic_pointer_cast<Transport>(t->sharedSelf());
        weakTransport = transport;
        if (onMade)
            onMade(*this);
    }
    void dataReceived(const QByteArray &chunk) override
    {
        if (events.isEmpty() || events.last() != QLatin1String("data"))
            events << QStringLiteral("data");
        data += chunk;
        if (onData)
            onData(*this, chunk);
    }
    bool eofReceived() override
    {
        events << QStringLiteral("eof");
        eof = true;
        if (onEof)
            onEof(*this);
        return keepOpenOnEof;
    }
    void connectionLost(std::exception_ptr e) override
    {
        events << QStringLiteral("lost");
        lost = true;
        error = e;
        transport.reset();
    }
    void pauseWriting() override
    {
        ++pauses;
        events << QStringLiteral("pause");
        if (onPause)
            onPause(*this);
    }
    void resumeWriting() override
    {
        ++resumes;
        events << QStringLiteral("resume");
        if (onResume)
            onResume(*this);
    }
};

using Recorders = std::vector<std::shared_ptr<Recorder>>;

// A factory that records every protocol it makes in `sink`.
ProtocolFactory recorderFactory(Recorders &sink, std::function<void(Recorder &)> configure = {})
{
    return [&sink, configure]() -> std::shared_ptr<BaseProtocol> {
        auto protocol = std::make_shared<Recorder>();
        if (configure)
            configure(*protocol);
        sink.push_back(protocol);
        return protocol;
    };
}

// Echoes everything back; closes at EOF.
class Echo : public Protocol
{
public:
    void connectionMade(BaseTransport *t) override { transport = std::dynamic_pointer_cast<Transport>(t->sharedSelf()); }
    void dataReceived(const QByteArray &chunk) override { transport->write(chunk); }
    void connectionLost(std::exception_ptr) override { transport.reset(); }
    std::shared_ptr<Transport> transport;
};

ProtocolFactory echoFactory()
{
    return [] { return std::make_shared<Echo>(); };
}

quint16 portOf(const std::shared_ptr<Server> &server)
{
    return server->sockets().front().port();
}

// Connects a Recorder to 127.0.0.1:port; returns it once connectionMade ran.
Coro<std::shared_ptr<Recorder>> connectRecorder(Loop &loop, quint16 port, std::function<void(Recorder &)> configure = {},
                                                QString host = QStringLiteral("127.0.0.1"))
{
    auto protocol = std::make_shared<Recorder>();
    if (configure)
        configure(*protocol);
    // Named, not a temporary: GCC 12 destroys a lambda temporary of a co_await
    // full-expression twice (over-releasing what it captured).
    const ProtocolFactory factory = [protocol] { return protocol; };
    auto [transport, unused] = co_await createConnection(loop, factory, host, port);
    Q_UNUSED(unused);
    co_return protocol;
}

Coro<bool> waitLost(const std::shared_ptr<Recorder> &r, double limit = 10.0)
{
    Recorder *raw = r.get(); // a lambda capturing the shared_ptr would hit the GCC 12 bug above
    co_return co_await qaiotest::until([raw] { return raw->lost; }, limit);
}

// A raw client: connect, send, read up to n bytes (or EOF).
Coro<QByteArray> rawExchange(Loop &loop, SocketAddress address, QByteArray message, qsizetype n)
{
    Socket sock(address.family(), SOCK_STREAM);
    sock.setBlocking(false);
    co_await sockConnect(loop, sock, address);
    co_await sockSendall(loop, sock, message);
    QByteArray got;
    while (got.size() < n) {
        QByteArray chunk = co_await sockRecv(loop, sock, n - got.size());
        if (chunk.isEmpty())
            break;
        got += chunk;
    }
    co_return got;
}

void setResetOnClose(int fd)
{
    linger value{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, sizeof value);
}

// Restores RLIMIT_NOFILE and closes the filler fds, whatever happens.
struct FdLimitGuard
{
    rlimit saved{};
    bool active = false;
    std::vector<int> fillers;
    FdLimitGuard() { ::getrlimit(RLIMIT_NOFILE, &saved); }
    ~FdLimitGuard() { release(); }
    void release()
    {
        for (int fd : fillers)
            ::close(fd);
        fillers.clear();
        if (active) {
            ::setrlimit(RLIMIT_NOFILE, &saved);
            active = false;
        }
    }
};

int highestOpenFd()
{
    int highest = 0;
    const QStringList entries = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &entry : entries)
        highest = std::max(highest, entry.toInt());
    return highest;
}

} // namespace

class TestNetProtocols : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- protocol callbacks ----
    void connectionMadeBeforeDataReceived();
    void eofReceivedTrueKeepsHalfOpen();
    void eofReceivedFalseCloses();
    void connectionLostNullAfterClose();
    void closeSendsQueuedDataBeforeFin();
    void abortDropsQueuedData();
    void writeEofHalfCloseBothWays();
    void writeEofAfterPendingData();
    void writeAfterWriteEofIsRuntimeError();
    void writelinesSendsInOrder();
    void writeAfterConnectionLostIsIgnored();
    void pauseResumeWritingAtWaterMarks();
    void slowReaderKeepsWriteBufferBounded();
    void setWriteBufferLimitsValidation();
    void pauseReadingResumeReading();
    void getExtraInfo();
    void peerResetMidWrite();
    void writeToClosedPeerIsBrokenPipe();
    void bufferedProtocol();
    void bufferedProtocolGetBufferThrows();
    void dataReceivedThrowsIsFatal();
    void setProtocolSwitchesProtocols();

    // ---- making connections ----
    void createConnectionRefused();
    void createConnectionResolvesLocalhost();
    void createConnectionWithLocalAddress();
    void createConnectionOnConnectedSocket();
    void connectAcceptedSocket();
    void unixConnectionAndServer();
    void badProtocolFactories();

    // ---- servers ----
    void serverServesSeveralConnections();
    void closeClients();
    void abortClients();
    void waitClosedWaitsForClients();
    void waitClosedRace();
    void serveForeverCancelledClosesServer();
    void startServingLater();
    void ipv4AndIpv6Hosts();
    void allInterfacesShareOnePort();
    void unixServerCleansUpItsSocket();
    void unixServerRemovesStaleSocket();
    void unixServerCleanupPrevented();
    void unixServerCleanupReplaced();
    void unixServerCleanupGone();
    void emfileServerKeepsServing();
    void acceptFlood200();
    void noFdLeaks();
    void bindAddressInUse();
    void reusePortTwoServers();
    void serverOnExistingSockets();
    void factoryFailureIsReportedAndServingGoesOn();
    void droppingTheServerClosesIt();
    void keepAliveOption();
};

// ------------------------------------------------------------------ protocol callbacks

void TestNetProtocols::connectionMadeBeforeDataReceived()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        std::function<void(Recorder &)> configure = [](Recorder &r) {
            r.onMade = [](Recorder &self) { self.transport->write("hello"); };
        };
        auto client = co_await connectRecorder(loop, portOf(server), configure);
        CO_VERIFY(client->made);
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->data == "hello"; }));
        auto peer = accepted[0];
        CO_COMPARE(peer->events, QStringList({QStringLiteral("made"), QStringLiteral("data")}));
        CO_COMPARE(client->events, QStringList({QStringLiteral("made")}));

        client->transport->close();
        CO_VERIFY(co_await waitLost(peer));
        CO_VERIFY(co_await waitLost(client));
        CO_COMPARE(peer->events, QStringList({QStringLiteral("made"), QStringLiteral("data"), QStringLiteral("eof"),
                                              QStringLiteral("lost")}));
        CO_COMPARE(client->events, QStringList({QStringLiteral("made"), QStringLiteral("lost")}));
        CO_VERIFY(!peer->error);
        CO_VERIFY(!client->error);
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, body());
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetProtocols::eofReceivedTrueKeepsHalfOpen()
{
    Loop loop;
    Recorders accepted;
    bool closingAtEof = true;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [&](Recorder &r) {
            r.keepOpenOnEof = true;
            r.onEof = [&](Recorder &self) {
                closingAtEof = self.transport->isClosing();
                // Half-open: the peer is done sending, we can still write.
                loop.callLater(0.01, [t = self.transport] {
                    t->write("bye");
                    t->close();
                });
            };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        client->transport->write("x");
        client->transport->writeEof();
        CO_VERIFY(co_await waitLost(client));
        CO_COMPARE(client->data, QByteArrayLiteral("bye"));
        CO_VERIFY(client->eof);
        CO_VERIFY(!client->error);
        auto peer = accepted.at(0);
        CO_VERIFY(co_await waitLost(peer));
        CO_COMPARE(peer->data, QByteArrayLiteral("x"));
        CO_VERIFY(!peer->error);
        CO_COMPARE(peer->events, QStringList({QStringLiteral("made"), QStringLiteral("data"), QStringLiteral("eof"),
                                              QStringLiteral("lost")}));
        server->close();
    };
    CO_RUN(loop, body());
    QVERIFY(!closingAtEof);
}

void TestNetProtocols::eofReceivedFalseCloses()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        std::function<void(Recorder &)> configure = [](Recorder &r) { r.keepOpenOnEof = true; };
        auto client = co_await connectRecorder(loop, portOf(server), configure);
        client->transport->writeEof();
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->lost; }));
        auto peer = accepted[0];
        CO_VERIFY(peer->eof);
        CO_VERIFY(!peer->error);
        // The server side closed, so the client sees EOF; it keeps itself open.
        CO_VERIFY(co_await qaiotest::until([&] { return client->eof; }));
        CO_VERIFY(!client->lost);
        CO_VERIFY(!client->transport->isClosing());
        client->transport->close();
        CO_VERIFY(co_await waitLost(client));
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::connectionLostNullAfterClose()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        auto transport = client->transport;
        CO_VERIFY(!transport->isClosing());
        transport->close();
        CO_VERIFY(transport->isClosing());
        CO_VERIFY(!client->lost); // connectionLost comes later, never inside close()
        transport->close();       // twice is harmless
        CO_VERIFY(co_await waitLost(client));
        CO_VERIFY(!client->error);
        co_await qaiotest::yieldN(3);
        CO_COMPARE(client->events.count(QStringLiteral("lost")), qsizetype(1));
        CO_VERIFY(!transport->isReading());
        // The socket is closed once connectionLost ran.
        CO_VERIFY(transport->getProtocol() == nullptr);
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::closeSendsQueuedDataBeforeFin()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [](Recorder &r) {
            r.onMade = [](Recorder &self) { self.transport->pauseReading(); };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        auto peer = accepted[0];
        const QByteArray payload = qaiotest::pattern(16 * 1024 * 1024, 11);
        auto transport = client->transport;
        transport->write(payload);
        CO_VERIFY2(transport->getWriteBufferSize() > 0, "the socket took 16 MiB at once");
        transport->close();
        co_await qaiotest::yieldN(5);
        CO_VERIFY(!client->lost); // still sending
        peer->transport->resumeReading();
        CO_VERIFY(co_await waitLost(client, 30));
        CO_VERIFY(!client->error);
        CO_COMPARE(transport->getWriteBufferSize(), qsizetype(0));
        CO_VERIFY(co_await waitLost(peer, 30));
        CO_VERIFY(peer->eof); // every byte, then FIN
        CO_COMPARE(peer->data.size(), payload.size());
        CO_VERIFY(peer->data == payload);
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::abortDropsQueuedData()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [](Recorder &r) {
            r.onMade = [](Recorder &self) { self.transport->pauseReading(); };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        auto peer = accepted[0];
        const QByteArray payload = qaiotest::pattern(16 * 1024 * 1024, 12);
        auto transport = client->transport;
        transport->write(payload);
        CO_VERIFY(transport->getWriteBufferSize() > 0);
        transport->abort();
        CO_VERIFY(transport->isClosing());
        CO_COMPARE(transport->getWriteBufferSize(), qsizetype(0));
        CO_VERIFY(!client->lost);
        co_await qaiotest::yieldN(2);
        CO_VERIFY(client->lost); // at once, not after sending
        CO_VERIFY(!client->error);
        peer->transport->resumeReading();
        CO_VERIFY(co_await waitLost(peer, 30));
        CO_VERIFY(peer->data.size() < payload.size());
        CO_VERIFY(peer->data == payload.left(peer->data.size()));
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::writeEofHalfCloseBothWays()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [](Recorder &r) {
            r.keepOpenOnEof = true;
            r.onEof = [](Recorder &self) {
                self.transport->write("reply:" + self.data);
                self.transport->writeEof(); // now both directions are shut
            };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        std::function<void(Recorder &)> configure = [](Recorder &r) { r.keepOpenOnEof = true; };
        auto client = co_await connectRecorder(loop, portOf(server), configure);
        auto transport = client->transport;
        CO_VERIFY(transport->canWriteEof());
        transport->write("question");
        transport->writeEof();
        transport->writeEof(); // twice is harmless
        CO_VERIFY(!transport->isClosing());
        CO_VERIFY(co_await qaiotest::until([&] { return client->eof; }));
        CO_COMPARE(client->data, QByteArrayLiteral("reply:question"));
        CO_VERIFY(!client->lost);
        auto peer = accepted.at(0);
        CO_VERIFY(peer->eof);
        CO_VERIFY(!peer->lost);
        transport->close();
        peer->transport->close();
        CO_VERIFY(co_await waitLost(client));
        CO_VERIFY(co_await waitLost(peer));
        CO_VERIFY(!client->error);
        CO_VERIFY(!peer->error);
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::writeEofAfterPendingData()
{
    // writeEof with data still queued: the FIN goes out after the last byte,
    // and the reading side stays open.
    Loop loop;
    Recorders accepted;
    const QByteArray payload = qaiotest::pattern(16 * 1024 * 1024, 13);
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [](Recorder &r) {
            r.keepOpenOnEof = true;
            r.onMade = [](Recorder &self) { self.transport->pauseReading(); };
            r.onEof = [](Recorder &self) { self.transport->write("got " + QByteArray::number(self.data.size())); };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        std::function<void(Recorder &)> configure = [](Recorder &r) { r.keepOpenOnEof = true; };
        auto client = co_await connectRecorder(loop, portOf(server), configure);
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        auto peer = accepted[0];
        client->transport->write(payload);
        CO_VERIFY(client->transport->getWriteBufferSize() > 0);
        client->transport->writeEof();
        co_await qaiotest::yieldN(3);
        CO_VERIFY(!peer->eof);
        peer->transport->resumeReading();
        const QByteArray expected = "got " + QByteArray::number(payload.size());
        CO_VERIFY(co_await qaiotest::until([&] { return client->data == expected; }, 30));
        CO_VERIFY(peer->data == payload);
        client->transport->close();
        peer->transport->close();
        CO_VERIFY(co_await waitLost(client));
        CO_VERIFY(co_await waitLost(peer));
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::writeAfterWriteEofIsRuntimeError()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        client->transport->writeEof();
        auto error = qaiotest::errorOf([&] { client->transport->write("late"); });
        CO_VERIFY2(qaiotest::holds<RuntimeError>(error), qPrintable(qaiotest::describe(error)));
        CO_VERIFY(qaiotest::whatOf(error).contains(QLatin1String("writeEof")));
        QList<QByteArray> lines;
        lines << "a" << "b";
        error = qaiotest::errorOf([&] { client->transport->writelines(lines); });
        CO_VERIFY2(qaiotest::holds<RuntimeError>(error), qPrintable(qaiotest::describe(error)));
        client->transport->close();
        CO_VERIFY(co_await waitLost(client));
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::writelinesSendsInOrder()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        QList<QByteArray> lines;
        lines << "one " << "" << "two " << "three";
        client->transport->writelines(lines);
        // Behind a big queued write, writelines keeps the order too.
        const QByteArray big = qaiotest::pattern(8 * 1024 * 1024, 14);
        client->transport->write(big);
        QList<QByteArray> more;
        more << " four" << " five";
        client->transport->writelines(more);
        client->transport->close();
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->lost; }, 30));
        CO_VERIFY(accepted[0]->data == "one two three" + big + " four five");
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::writeAfterConnectionLostIsIgnored()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        auto transport = client->transport;
        transport->close();
        CO_VERIFY(co_await waitLost(client));
        for (int i = 0; i < 10; ++i)
            transport->write("into the void"); // no exception, no crash
        CO_COMPARE(transport->getWriteBufferSize(), qsizetype(0));
        server->close();
    };
    CO_RUN(loop, body());
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetProtocols::pauseResumeWritingAtWaterMarks()
{
    Loop loop;
    Recorders accepted;
    qsizetype sizeAtPause = -1;
    qsizetype sizeAtResume = -1;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [](Recorder &r) {
            r.onMade = [](Recorder &self) { self.transport->pauseReading(); };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        std::function<void(Recorder &)> configure = [&](Recorder &r) {
            r.onPause = [&](Recorder &self) { sizeAtPause = self.transport->getWriteBufferSize(); };
            r.onResume = [&](Recorder &self) { sizeAtResume = self.transport->getWriteBufferSize(); };
        };
        auto client = co_await connectRecorder(loop, portOf(server), configure);
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        auto peer = accepted[0];
        auto transport = client->transport;
        transport->setWriteBufferLimits(64 * 1024, 16 * 1024);
        CO_COMPARE(transport->getWriteBufferLimits(), (std::pair<qsizetype, qsizetype>(16 * 1024, 64 * 1024)));
        const QByteArray chunk = qaiotest::pattern(32 * 1024, 15);
        qsizetype written = 0;
        for (int i = 0; i < 4096 && client->pauses == 0; ++i) {
            transport->write(chunk);
            written += chunk.size();
            co_await qaiotest::yieldN(1);
        }
        CO_COMPARE(client->pauses, 1);
        CO_VERIFY(sizeAtPause > 64 * 1024);
        CO_VERIFY(transport->getWriteBufferSize() > 64 * 1024);
        // More writes while paused do not pause again.
        transport->write(chunk);
        written += chunk.size();
        CO_COMPARE(client->pauses, 1);
        CO_COMPARE(client->resumes, 0);
        // The reader catches up: resumeWriting at the low-water mark.
        peer->transport->resumeReading();
        CO_VERIFY(co_await qaiotest::until([&] { return client->resumes == 1; }, 30));
        CO_VERIFY2(sizeAtResume <= 16 * 1024, qPrintable(QString::number(sizeAtResume)));
        CO_VERIFY(co_await qaiotest::until([&] { return peer->data.size() == written; }, 30));
        CO_COMPARE(client->events.mid(1, 2), QStringList({QStringLiteral("pause"), QStringLiteral("resume")}));
        // Lowering the high-water mark below what is buffered pauses at once.
        peer->transport->pauseReading();
        for (int i = 0; i < 4096 && transport->getWriteBufferSize() == 0; ++i) {
            transport->write(chunk);
            co_await qaiotest::yieldN(1);
        }
        CO_VERIFY(transport->getWriteBufferSize() > 0);
        CO_COMPARE(client->pauses, 1);
        transport->setWriteBufferLimits(0);
        CO_COMPARE(client->pauses, 2);
        // Both ends lose their connection before the loop closes: each
        // transport and its protocol refer to each other until then.
        transport->abort();
        peer->transport->abort();
        server->close();
        CO_VERIFY(co_await qaiotest::until([&] { return client->lost && peer->lost; }));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::slowReaderKeepsWriteBufferBounded()
{
    // A producer that writes only while not paused, a reader that reads one
    // chunk per millisecond: the write buffer never grows past high + chunk.
    Loop loop;
    Recorders accepted;
    const qsizetype total = 8 * 1024 * 1024;
    const qsizetype chunkSize = 32 * 1024;
    const QByteArray payload = qaiotest::pattern(total, 16);
    qsizetype produced = 0;
    qsizetype maxBuffered = 0;
    bool paused = false;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [&](Recorder &r) {
            r.onData = [&loop](Recorder &self, const QByteArray &) {
                self.transport->pauseReading();
                loop.callLater(0.001, [t = self.transport] { t->resumeReading(); });
            };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        std::function<void(Recorder &)> produce = [&](Recorder &self) {
            while (!paused && produced < total) {
                self.transport->write(payload.mid(produced, chunkSize));
                produced += chunkSize;
                maxBuffered = std::max(maxBuffered, self.transport->getWriteBufferSize());
            }
            if (produced >= total && !self.transport->isClosing())
                self.transport->close();
        };
        std::function<void(Recorder &)> configure = [&](Recorder &r) {
            r.onPause = [&](Recorder &) { paused = true; };
            r.onResume = [&](Recorder &self) {
                paused = false;
                produce(self);
            };
        };
        auto client = co_await connectRecorder(loop, portOf(server), configure);
        produce(*client);
        CO_VERIFY(co_await waitLost(client, 60));
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->lost; }, 60));
        CO_VERIFY(accepted[0]->data == payload);
        CO_VERIFY(client->pauses >= 1);
        CO_COMPARE(client->pauses, client->resumes);
        server->close();
    };
    CO_RUN(loop, body());
    QVERIFY2(maxBuffered <= 64 * 1024 + chunkSize, qPrintable(QString::number(maxBuffered)));
}

void TestNetProtocols::setWriteBufferLimitsValidation()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        auto t = client->transport;
        using Limits = std::pair<qsizetype, qsizetype>;
        CO_COMPARE(t->getWriteBufferLimits(), Limits(16 * 1024, 64 * 1024)); // asyncio's defaults
        auto error = qaiotest::errorOf([&] { t->setWriteBufferLimits(10, 20); });
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
        CO_VERIFY(qaiotest::whatOf(error).contains(QLatin1String("high")));
        CO_COMPARE(t->getWriteBufferLimits(), Limits(16 * 1024, 64 * 1024)); // unchanged
        CO_VERIFY(qaiotest::holds<ValueError>(qaiotest::errorOf([&] { t->setWriteBufferLimits(10, -1); })));
        t->setWriteBufferLimits(100);
        CO_COMPARE(t->getWriteBufferLimits(), Limits(25, 100));
        t->setWriteBufferLimits(std::nullopt, 10);
        CO_COMPARE(t->getWriteBufferLimits(), Limits(10, 40));
        t->setWriteBufferLimits(0, 0);
        CO_COMPARE(t->getWriteBufferLimits(), Limits(0, 0));
        t->setWriteBufferLimits();
        CO_COMPARE(t->getWriteBufferLimits(), Limits(16 * 1024, 64 * 1024));
        t->close();
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::pauseReadingResumeReading()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        auto peer = accepted[0];
        auto t = peer->transport;
        CO_VERIFY(t->isReading());
        t->pauseReading();
        CO_VERIFY(!t->isReading());
        t->pauseReading(); // idempotent
        client->transport->write("while paused");
        co_await qaio::sleep(0.05);
        CO_COMPARE(peer->data, QByteArray());
        t->resumeReading();
        CO_VERIFY(t->isReading());
        t->resumeReading(); // idempotent
        CO_VERIFY(co_await qaiotest::until([&] { return peer->data == "while paused"; }));
        CO_COMPARE(peer->events.count(QStringLiteral("data")), qsizetype(1));
        // EOF also waits while paused.
        t->pauseReading();
        client->transport->close();
        co_await qaio::sleep(0.05);
        CO_VERIFY(!peer->eof);
        t->resumeReading();
        CO_VERIFY(co_await waitLost(peer));
        CO_VERIFY(peer->eof);
        CO_VERIFY(!t->isReading()); // closed
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::getExtraInfo()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        auto c = client->transport;
        auto s = accepted[0]->transport;
        const auto clientSock = c->getExtraInfo(QStringLiteral("sockname")).value<SocketAddress>();
        const auto clientPeer = c->getExtraInfo(QStringLiteral("peername")).value<SocketAddress>();
        const auto serverSock = s->getExtraInfo(QStringLiteral("sockname")).value<SocketAddress>();
        const auto serverPeer = s->getExtraInfo(QStringLiteral("peername")).value<SocketAddress>();
        CO_VERIFY(clientSock.isValid());
        CO_VERIFY(clientPeer == server->sockets().front());
        CO_VERIFY(serverSock == server->sockets().front());
        CO_VERIFY(serverPeer == clientSock);
        // "socket" is the fd.
        bool ok = false;
        const int fd = c->getExtraInfo(QStringLiteral("socket")).toInt(&ok);
        CO_VERIFY(ok);
        SocketAddress viaFd;
        *viaFd.sizePtr() = SocketAddress::capacity();
        CO_COMPARE(::getsockname(fd, viaFd.data(), viaFd.sizePtr()), 0);
        CO_VERIFY(viaFd == clientSock);
        // Unknown keys give the default.
        CO_COMPARE(c->getExtraInfo(QStringLiteral("sslcontext"), QStringLiteral("none")).toString(), QStringLiteral("none"));
        CO_VERIFY(!c->getExtraInfo(QStringLiteral("nonsense")).isValid());
        c->close();
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::peerResetMidWrite()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [](Recorder &r) {
            r.onMade = [](Recorder &self) { self.transport->pauseReading(); };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        auto peer = accepted[0];
        client->transport->write(qaiotest::pattern(16 * 1024 * 1024, 17));
        CO_VERIFY(client->transport->getWriteBufferSize() > 0);
        co_await qaiotest::yieldN(2);
        // The peer goes away with a reset while we are still writing.
        setResetOnClose(peer->transport->getExtraInfo(QStringLiteral("socket")).toInt());
        peer->transport->abort();
        CO_VERIFY(co_await waitLost(client));
        const std::error_code code = qaiotest::codeOf(client->error);
        CO_VERIFY2(code == std::errc::connection_reset || code == std::errc::broken_pipe,
                   qPrintable(qaiotest::describe(client->error)));
        CO_VERIFY(!client->transport); // released in connectionLost
        server->close();
    };
    CO_RUN(loop, body());
    // OS errors end the connection; they are not reported as bugs.
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetProtocols::writeToClosedPeerIsBrokenPipe()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [](Recorder &r) {
            r.onMade = [](Recorder &self) { self.transport->close(); };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        std::function<void(Recorder &)> configure = [](Recorder &r) { r.keepOpenOnEof = true; };
        auto client = co_await connectRecorder(loop, portOf(server), configure);
        CO_VERIFY(co_await qaiotest::until([&] { return client->eof; }));
        auto transport = client->transport;
        // Half-open: writing is allowed, and fails once the peer resets (no SIGPIPE).
        for (int i = 0; i < 1000 && !client->lost; ++i) {
            transport->write("are you there?");
            co_await qaio::sleep(0.001);
        }
        CO_VERIFY(client->lost);
        const std::error_code code = qaiotest::codeOf(client->error);
        CO_VERIFY2(code == std::errc::broken_pipe || code == std::errc::connection_reset,
                   qPrintable(qaiotest::describe(client->error)));
        server->close();
    };
    CO_RUN(loop, body());
}

namespace {
class Collector : public BufferedProtocol
{
public:
    std::array<char, 100> buffer{};
    QByteArray data;
    int getBufferCalls = 0;
    qsizetype lastHint = 0;
    qsizetype largestUpdate = 0;
    bool eof = false;
    bool lost = false;
    std::exception_ptr error;
    bool throwInGetBuffer = false;
    bool emptyBuffer = false;
    QStringList events;

    void connectionMade(BaseTransport *) override { events << QStringLiteral("made"); }
    std::span<char> getBuffer(qsizetype sizeHint) override
    {
        ++getBufferCalls;
        lastHint = sizeHint;
        if (throwInGetBuffer)
            throw MyError("no buffer for you");
        if (emptyBuffer)
            return {};
        return std::span<char>(buffer.data(), buffer.size());
    }
    void bufferUpdated(qsizetype n) override
    {
        largestUpdate = std::max(largestUpdate, n);
        data.append(buffer.data(), n);
    }
    bool eofReceived() override
    {
        events << QStringLiteral("eof");
        eof = true;
        return false;
    }
    void connectionLost(std::exception_ptr e) override
    {
        events << QStringLiteral("lost");
        lost = true;
        error = e;
    }
};
} // namespace

void TestNetProtocols::bufferedProtocol()
{
    Loop loop;
    std::vector<std::shared_ptr<Collector>> accepted;
    const QByteArray payload = qaiotest::pattern(100 * 1000, 18);
    auto body = [&]() -> Coro<void> {
        auto factory = [&]() -> std::shared_ptr<BaseProtocol> {
            auto c = std::make_shared<Collector>();
            accepted.push_back(c);
            return c;
        };
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        co_await rawExchange(loop, server->sockets().front(), payload, 0);
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->lost; }));
        auto c = accepted[0];
        CO_VERIFY(c->data == payload);
        CO_VERIFY(c->getBufferCalls >= 1000); // 100 bytes at a time
        CO_VERIFY(c->largestUpdate <= 100);
        CO_COMPARE(c->lastHint, qsizetype(-1));
        CO_VERIFY(c->eof);
        CO_VERIFY(!c->error);
        CO_COMPARE(c->events, QStringList({QStringLiteral("made"), QStringLiteral("eof"), QStringLiteral("lost")}));
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::bufferedProtocolGetBufferThrows()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    std::vector<std::shared_ptr<Collector>> accepted;
    bool empty = false;
    auto body = [&]() -> Coro<void> {
        auto factory = [&]() -> std::shared_ptr<BaseProtocol> {
            auto c = std::make_shared<Collector>();
            c->throwInGetBuffer = !empty;
            c->emptyBuffer = empty;
            accepted.push_back(c);
            return c;
        };
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        co_await rawExchange(loop, server->sockets().front(), "data", 0);
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->lost; }));
        CO_VERIFY2(qaiotest::holds<MyError>(accepted[0]->error), qPrintable(qaiotest::describe(accepted[0]->error)));
        // An empty buffer is a bug of the protocol too.
        empty = true;
        co_await rawExchange(loop, server->sockets().front(), "data", 0);
        CO_VERIFY(co_await qaiotest::until([&] { return accepted.size() == 2 && accepted[1]->lost; }));
        CO_VERIFY2(qaiotest::holds<RuntimeError>(accepted[1]->error), qPrintable(qaiotest::describe(accepted[1]->error)));
        server->close();
    };
    CO_RUN(loop, body());
    QCOMPARE(log.count(QStringLiteral("getBuffer")), 2);
    QVERIFY(qaiotest::holds<MyError>(log.entries.at(0).exception));
}

void TestNetProtocols::dataReceivedThrowsIsFatal()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [](Recorder &r) {
            r.onData = [](Recorder &, const QByteArray &) { throw MyError("bad data"); };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        client->transport->write("poison");
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->lost; }));
        CO_VERIFY2(qaiotest::holds<MyError>(accepted[0]->error), qPrintable(qaiotest::describe(accepted[0]->error)));
        // The connection is gone for the client too.
        CO_VERIFY(co_await waitLost(client));
        server->close();
    };
    CO_RUN(loop, body());
    QCOMPARE(log.count(QStringLiteral("protocol.dataReceived() call failed")), 1);
    QVERIFY(qaiotest::holds<MyError>(log.entries.at(0).exception));
    QVERIFY(log.entries.at(0).extra.contains(QStringLiteral("transport")));
}

void TestNetProtocols::setProtocolSwitchesProtocols()
{
    Loop loop;
    Recorders accepted;
    auto second = std::make_shared<Recorder>();
    auto body = [&]() -> Coro<void> {
        ProtocolFactory factory = recorderFactory(accepted, [&](Recorder &r) {
            r.onData = [&](Recorder &self, const QByteArray &) {
                auto t = self.transport;
                t->setProtocol(second);
                second->transport = t; // the new protocol gets no connectionMade
            };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server));
        client->transport->write("first");
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->data == "first"; }));
        CO_VERIFY(accepted[0]->transport->getProtocol() == second);
        client->transport->write("second");
        client->transport->close();
        CO_VERIFY(co_await waitLost(second));
        CO_COMPARE(second->data, QByteArrayLiteral("second"));
        CO_VERIFY(second->eof);
        CO_VERIFY(!accepted[0]->lost); // the old protocol hears no more
        CO_COMPARE(accepted[0]->data, QByteArrayLiteral("first"));
        server->close();
    };
    CO_RUN(loop, body());
}

// ------------------------------------------------------------------ making connections

void TestNetProtocols::createConnectionRefused()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket bound(AF_INET, SOCK_STREAM);
        bound.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
        Recorders made;
        auto error = co_await qaiotest::coErrorOf(createConnection(loop, recorderFactory(made), QStringLiteral("127.0.0.1"),
                                                             bound.localAddress().port()));
        CO_COMPARE(qaiotest::codeOf(error), std::make_error_code(std::errc::connection_refused));
        CO_VERIFY(made.empty()); // no protocol for a failed connection
        // allErrors: an ExceptionGroup of every attempt.
        ConnectionOptions options;
        options.allErrors = true;
        auto group = co_await qaiotest::coErrorOf(createConnection(loop, recorderFactory(made), QStringLiteral("127.0.0.1"),
                                                             bound.localAddress().port(), options));
        CO_VERIFY2(qaiotest::holds<ExceptionGroup>(group), qPrintable(qaiotest::describe(group)));
        // An empty host is a ValueError.
        auto noHost = co_await qaiotest::coErrorOf(createConnection(loop, recorderFactory(made), QString(), 80));
        CO_VERIFY(qaiotest::holds<ValueError>(noHost));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::createConnectionResolvesLocalhost()
{
    // "localhost" goes through the resolver; every address is tried in turn.
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        auto client = co_await connectRecorder(loop, portOf(server), {}, QStringLiteral("localhost"));
        client->transport->write("via name");
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->data == "via name"; }));
        client->transport->close();
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::createConnectionWithLocalAddress()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        // A free local port to bind to.
        quint16 localPort = 0;
        {
            Socket probe(AF_INET, SOCK_STREAM);
            probe.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
            localPort = probe.localAddress().port();
        }
        ConnectionOptions options;
        options.localAddr = SocketAddress::fromString(QStringLiteral("127.0.0.1"), localPort);
        Recorders mine;
        auto [transport, protocol] = co_await createConnection(loop, recorderFactory(mine), QStringLiteral("127.0.0.1"),
                                                               portOf(server), options);
        CO_COMPARE(transport->getExtraInfo(QStringLiteral("sockname")).value<SocketAddress>().port(), localPort);
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        CO_COMPARE(accepted[0]->transport->getExtraInfo(QStringLiteral("peername")).value<SocketAddress>().port(),
                   localPort);
        CO_VERIFY(protocol == mine.at(0));
        transport->close();
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::createConnectionOnConnectedSocket()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        Socket sock(AF_INET, SOCK_STREAM);
        sock.setBlocking(false);
        co_await sockConnect(loop, sock, server->sockets().front());
        Recorders mine;
        auto [transport, protocol] = co_await createConnection(loop, recorderFactory(mine), std::move(sock));
        CO_VERIFY(!sock.isValid()); // the transport owns it now
        transport->write("over sock=");
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->data == "over sock="; }));
        transport->close();

        // Only stream sockets will do.
        Socket udp(AF_INET, SOCK_DGRAM);
        auto error = co_await qaiotest::coErrorOf(createConnection(loop, recorderFactory(mine), std::move(udp)));
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
        auto closed = co_await qaiotest::coErrorOf(createConnection(loop, recorderFactory(mine), Socket()));
        CO_VERIFY2(qaiotest::holds<ValueError>(closed), qPrintable(qaiotest::describe(closed)));
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::connectAcceptedSocket()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket listening = qaiotest::listener();
        Socket client(AF_INET, SOCK_STREAM);
        client.setBlocking(false);
        auto accepting = sockAccept(loop, listening);
        co_await sockConnect(loop, client, listening.localAddress());
        auto [accepted, peer] = co_await accepting;
        Recorders made;
        auto [transport, protocol] = co_await qaio::connectAcceptedSocket(loop, recorderFactory(made), std::move(accepted));
        auto recorder = made.at(0);
        CO_VERIFY(recorder->made);
        co_await sockSendall(loop, client, QByteArrayLiteral("accepted elsewhere"));
        transport->write("hi there");
        QByteArray got;
        while (got.size() < 8)
            got += co_await sockRecv(loop, client, 100);
        CO_COMPARE(got, QByteArrayLiteral("hi there"));
        client.close();
        CO_VERIFY(co_await waitLost(recorder));
        CO_COMPARE(recorder->data, QByteArrayLiteral("accepted elsewhere"));
        CO_VERIFY(recorder->eof);
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::unixConnectionAndServer()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("echo.sock"));
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createUnixServer(loop, echoFactory(), path);
        CO_COMPARE(server->sockets().size(), qsizetype(1));
        CO_COMPARE(server->sockets().front().path(), path);
        Recorders mine;
        auto [transport, protocol] = co_await createUnixConnection(loop, recorderFactory(mine), path);
        CO_COMPARE(transport->getExtraInfo(QStringLiteral("peername")).value<SocketAddress>().path(), path);
        transport->write("unix echo");
        CO_VERIFY(co_await qaiotest::until([&] { return mine.at(0)->data == "unix echo"; }));
        transport->close();
        CO_VERIFY(co_await waitLost(mine.at(0)));
        server->close();
        co_await server->waitClosed();
        // Nobody listens any more.
        auto error = co_await qaiotest::coErrorOf(createUnixConnection(loop, recorderFactory(mine), path));
        const std::error_code code = qaiotest::codeOf(error);
        CO_VERIFY2(code == std::errc::no_such_file_or_directory || code == std::errc::connection_refused,
                   qPrintable(qaiotest::describe(error)));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::badProtocolFactories()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0);
        auto nullFactory = []() -> std::shared_ptr<BaseProtocol> { return nullptr; };
        auto error = co_await qaiotest::coErrorOf(createConnection(loop, nullFactory, QStringLiteral("127.0.0.1"), portOf(server)));
        CO_VERIFY2(qaiotest::holds<TypeError>(error), qPrintable(qaiotest::describe(error)));
        error = co_await qaiotest::coErrorOf(createConnection(loop, ProtocolFactory(), QStringLiteral("127.0.0.1"), portOf(server)));
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
        error = co_await qaiotest::coErrorOf(createServer(loop, ProtocolFactory(), QStringLiteral("127.0.0.1"), 0));
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
        ServerOptions options;
        options.backlog = -1;
        error = co_await qaiotest::coErrorOf(createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0, options));
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
        server->close();
    };
    CO_RUN(loop, body());
}

// ------------------------------------------------------------------ servers

void TestNetProtocols::serverServesSeveralConnections()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0);
        CO_VERIFY(server->isServing());
        CO_VERIFY(&server->getLoop() == &loop);
        std::vector<Coro<QByteArray>> clients;
        for (int i = 0; i < 20; ++i) {
            const QByteArray message = "client " + QByteArray::number(i) + " " + qaiotest::pattern(1000 * i, quint32(i + 1));
            clients.push_back(rawExchange(loop, server->sockets().front(), message, message.size()));
        }
        const std::vector<QByteArray> replies = co_await gather(clients);
        for (int i = 0; i < 20; ++i)
            CO_VERIFY(replies[size_t(i)] == "client " + QByteArray::number(i) + " " + qaiotest::pattern(1000 * i, quint32(i + 1)));
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::closeClients()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        Recorders clients;
        for (int i = 0; i < 3; ++i)
            clients.push_back(co_await connectRecorder(loop, portOf(server)));
        CO_VERIFY(co_await qaiotest::until([&] { return accepted.size() == 3; }));
        Task<void> waiting = createTask(server->waitClosed());
        co_await qaiotest::yieldN(2);
        CO_VERIFY(!waiting.done());
        server->close();
        co_await qaiotest::yieldN(2);
        CO_VERIFY(!waiting.done()); // clients are still connected
        CO_VERIFY(!server->isServing());
        CO_VERIFY(server->sockets().isEmpty());
        server->closeClients();
        co_await qaiotest::yieldN(4);
        CO_VERIFY(waiting.done());
        for (auto &c : clients)
            CO_VERIFY(co_await waitLost(c));
        for (auto &a : accepted)
            CO_VERIFY(!a->error);
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::abortClients()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        std::function<void(Recorder &)> configure = [](Recorder &r) {
            r.onMade = [](Recorder &self) { self.transport->pauseReading(); };
        };
        auto client = co_await connectRecorder(loop, portOf(server), configure);
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        auto peer = accepted[0];
        // The server side has data it cannot send: close() would wait for it.
        peer->transport->write(qaiotest::pattern(16 * 1024 * 1024, 19));
        CO_VERIFY(peer->transport->getWriteBufferSize() > 0);
        Task<void> waiting = createTask(server->waitClosed());
        co_await qaiotest::yieldN(1);
        CO_VERIFY(!waiting.done());
        server->close();
        server->abortClients();
        co_await qaiotest::yieldN(4);
        CO_VERIFY(waiting.done());
        CO_VERIFY(peer->lost);
        client->transport->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::waitClosedWaitsForClients()
{
    // test_server.py's test_wait_closed_basic.
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0);
        // Not closed, no clients: blocks.
        Task<void> task1 = createTask(server->waitClosed());
        co_await qaiotest::yieldN(1);
        CO_VERIFY(!task1.done());
        // Not closed, one client: blocks.
        auto client = co_await connectRecorder(loop, portOf(server));
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        Task<void> task2 = createTask(server->waitClosed());
        co_await qaiotest::yieldN(1);
        CO_VERIFY(!task1.done());
        CO_VERIFY(!task2.done());
        // Closed, one client: blocks.
        server->close();
        co_await qaiotest::yieldN(1);
        Task<void> task3 = createTask(server->waitClosed());
        co_await qaiotest::yieldN(1);
        CO_VERIFY(!task1.done());
        CO_VERIFY(!task2.done());
        CO_VERIFY(!task3.done());
        // Closed, no clients: all return.
        client->transport->close();
        co_await task1;
        co_await task2;
        co_await task3;
        co_await server->waitClosed(); // at once
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::waitClosedRace()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0);
        Task<void> task = createTask(server->waitClosed());
        co_await qaiotest::yieldN(1);
        CO_VERIFY(!task.done());
        auto client = co_await connectRecorder(loop, portOf(server));
        loop.callSoon([server] { server->close(); });
        loop.callSoon([client] { client->transport->close(); });
        co_await server->waitClosed();
        co_await task;
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::serveForeverCancelledClosesServer()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0);
        const SocketAddress address = server->sockets().front();
        Task<void> serving = createTask(server->serveForever());
        co_await qaiotest::yieldN(2);
        CO_VERIFY(!serving.done());
        CO_VERIFY(server->isServing());
        // Only one serveForever at a time.
        auto second = co_await qaiotest::coErrorOf(server->serveForever());
        CO_VERIFY2(qaiotest::holds<RuntimeError>(second), qPrintable(qaiotest::describe(second)));
        // It serves.
        CO_COMPARE(co_await rawExchange(loop, address, "ping", 4), QByteArrayLiteral("ping"));
        serving.cancel();
        auto error = co_await qaiotest::coErrorOf(serving);
        CO_VERIFY2(qaiotest::holds<CancelledError>(error), qPrintable(qaiotest::describe(error)));
        CO_VERIFY(!server->isServing());
        CO_VERIFY(server->sockets().isEmpty());
        auto again = co_await qaiotest::coErrorOf(server->serveForever());
        CO_VERIFY2(qaiotest::holds<RuntimeError>(again), qPrintable(qaiotest::describe(again)));
        CO_VERIFY(qaiotest::whatOf(again).contains(QLatin1String("closed")));
        // Nobody listens any more.
        Socket sock(AF_INET, SOCK_STREAM);
        sock.setBlocking(false);
        auto refused = co_await qaiotest::coErrorOf(sockConnect(loop, sock, address));
        CO_COMPARE(qaiotest::codeOf(refused), std::make_error_code(std::errc::connection_refused));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::startServingLater()
{
    // test_server.py's test_start_server_1: startServing=false, then serveForever,
    // a handler that cancels the serving task.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        ServerOptions options;
        options.startServing = false;
        auto server = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0, options);
        CO_VERIFY(!server->isServing());
        const SocketAddress address = server->sockets().front();
        // Bound but not listening yet.
        {
            Socket sock(AF_INET, SOCK_STREAM);
            sock.setBlocking(false);
            auto refused = co_await qaiotest::coErrorOf(sockConnect(loop, sock, address));
            CO_COMPARE(qaiotest::codeOf(refused), std::make_error_code(std::errc::connection_refused));
        }
        co_await server->startServing();
        CO_VERIFY(server->isServing());
        co_await server->startServing(); // again: nothing changes
        CO_VERIFY(server->isServing());
        CO_COMPARE(co_await rawExchange(loop, address, "now", 3), QByteArrayLiteral("now"));

        // serveForever on a server that is serving already.
        Task<void> serving = createTask(server->serveForever());
        co_await qaiotest::yieldN(1);
        CO_COMPARE(co_await rawExchange(loop, address, "more", 4), QByteArrayLiteral("more"));
        serving.cancel();
        co_await qaiotest::coErrorOf(serving);
        CO_VERIFY(serving.cancelled());
        CO_VERIFY(!server->isServing());
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::ipv4AndIpv6Hosts()
{
    if (!qaiotest::ipv6Available())
        QSKIP("::1 is not available here");
    Loop loop;
    auto body = [&]() -> Coro<void> {
        QStringList hosts;
        hosts << QStringLiteral("127.0.0.1") << QStringLiteral("::1");
        auto server = co_await createServer(loop, echoFactory(), hosts, 0);
        const QList<SocketAddress> sockets = server->sockets();
        CO_COMPARE(sockets.size(), qsizetype(2));
        CO_COMPARE(sockets[0].family(), AF_INET);
        CO_COMPARE(sockets[1].family(), AF_INET6);
        CO_VERIFY(sockets[0].port() != 0);
        CO_COMPARE(sockets[0].port(), sockets[1].port()); // port 0: one port for all
        CO_COMPARE(co_await rawExchange(loop, sockets[0], "four", 4), QByteArrayLiteral("four"));
        CO_COMPARE(co_await rawExchange(loop, sockets[1], "six", 3), QByteArrayLiteral("six"));
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::allInterfacesShareOnePort()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, echoFactory(), QString(), 0);
        const QList<SocketAddress> sockets = server->sockets();
        CO_VERIFY(!sockets.isEmpty());
        const quint16 port = sockets.front().port();
        CO_VERIFY(port != 0);
        for (const SocketAddress &address : sockets) {
            CO_COMPARE(address.port(), port);
            CO_VERIFY(address.host() == QHostAddress(QHostAddress::AnyIPv4)
                      || address.host() == QHostAddress(QHostAddress::AnyIPv6));
        }
        CO_COMPARE(co_await rawExchange(loop, SocketAddress::fromString(QStringLiteral("127.0.0.1"), port), "any", 3),
                   QByteArrayLiteral("any"));
        server->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::unixServerCleansUpItsSocket()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("srv.sock"));
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createUnixServer(loop, echoFactory(), path);
        CO_VERIFY(QFileInfo::exists(path));
        CO_COMPARE(co_await rawExchange(loop, SocketAddress::unixPath(path), "u", 1), QByteArrayLiteral("u"));
        server->close();
        CO_VERIFY(!QFileInfo::exists(path));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::unixServerRemovesStaleSocket()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("stale.sock"));
    {
        // A socket file left behind by a process that is gone.
        Socket old(AF_UNIX, SOCK_STREAM);
        old.bind(SocketAddress::unixPath(path));
    }
    QVERIFY(QFileInfo::exists(path));
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createUnixServer(loop, echoFactory(), path);
        CO_COMPARE(co_await rawExchange(loop, SocketAddress::unixPath(path), "fresh", 5), QByteArrayLiteral("fresh"));
        server->close();
        // A regular file is not a socket: it is left alone, and bind fails.
        QFile file(path);
        CO_VERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        auto error = co_await qaiotest::coErrorOf(createUnixServer(loop, echoFactory(), path));
        CO_COMPARE(qaiotest::codeOf(error), std::make_error_code(std::errc::address_in_use));
        CO_VERIFY(QFileInfo::exists(path));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::unixServerCleanupPrevented()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("kept.sock"));
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createUnixServer(loop, echoFactory(), path, {}, false);
        server->close();
        CO_VERIFY(QFileInfo::exists(path));
        // Without clean-up the stale file is in the way.
        auto error = co_await qaiotest::coErrorOf(createUnixServer(loop, echoFactory(), path, {}, false));
        CO_COMPARE(qaiotest::codeOf(error), std::make_error_code(std::errc::address_in_use));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::unixServerCleanupReplaced()
{
    // Someone else replaced the socket file with their own: close() leaves it.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("replaced.sock"));
    Loop loop;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createUnixServer(loop, echoFactory(), path);
        CO_VERIFY(::unlink(QFile::encodeName(path).constData()) == 0);
        Socket other(AF_UNIX, SOCK_STREAM);
        other.bind(SocketAddress::unixPath(path));
        server->close();
        CO_VERIFY(QFileInfo::exists(path));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::unixServerCleanupGone()
{
    // Someone else already removed the socket file: close() does not mind.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("gone.sock"));
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        auto server = co_await createUnixServer(loop, echoFactory(), path);
        CO_VERIFY(::unlink(QFile::encodeName(path).constData()) == 0);
        server->close();
        co_await server->waitClosed();
        CO_VERIFY(!QFileInfo::exists(path));
    };
    CO_RUN(loop, body());
    QVERIFY(log.entries.isEmpty());
}

// The sanitizers' runtimes need fds of their own (ASan's stack unwinder opens
// /proc/self/maps, UBSan's vptr check probes memory through a pipe): with the
// fd table full they report their own failures, not qaio's.
#if defined(__SANITIZE_ADDRESS__)
#  define QAIO_FD_EXHAUSTION_BREAKS_RUNTIME 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define QAIO_FD_EXHAUSTION_BREAKS_RUNTIME 1
#  endif
#endif

void TestNetProtocols::emfileServerKeepsServing()
{
#ifdef QAIO_FD_EXHAUSTION_BREAKS_RUNTIME
    QSKIP("fd exhaustion starves the sanitizer runtime itself (it opens files and pipes to report)");
#endif
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    FdLimitGuard guard;
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0);
        const SocketAddress address = server->sockets().front();
        // The client socket is made while there are fds to spare.
        Socket client(AF_INET, SOCK_STREAM);
        client.setBlocking(false);

        rlimit lowered = guard.saved;
        lowered.rlim_cur = rlim_t(highestOpenFd() + 16);
        CO_VERIFY(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
        guard.active = true;
        for (;;) {
            const int fd = ::dup(client.fileno());
            if (fd < 0) {
                CO_COMPARE(errno, EMFILE);
                break;
            }
            guard.fillers.push_back(fd);
        }
        CO_VERIFY(!guard.fillers.empty());

        // The kernel completes the connection; the server cannot accept it.
        co_await sockConnect(loop, client, address);
        CO_VERIFY(co_await qaiotest::until([&] { return log.count(QStringLiteral("out of system resource")) > 0; }));
        const auto &entry = log.entries.front();
        CO_COMPARE(qaiotest::codeOf(entry.exception), std::make_error_code(std::errc::too_many_files_open));
        CO_VERIFY(server->isServing());

        // Free the fds: the server picks the connection up again.
        guard.release();
        co_await sockSendall(loop, client, QByteArrayLiteral("still there?"));
        QByteArray got;
        while (got.size() < 12) {
            QByteArray chunk = co_await sockRecv(loop, client, 100);
            CO_VERIFY(!chunk.isEmpty());
            got += chunk;
        }
        CO_COMPARE(got, QByteArrayLiteral("still there?"));
        CO_COMPARE(co_await rawExchange(loop, address, "and new ones", 12), QByteArrayLiteral("and new ones"));
        server->close();
    };
    CO_RUN(loop, body());
    guard.release();
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    QCOMPARE(now.rlim_cur, guard.saved.rlim_cur);
}

void TestNetProtocols::acceptFlood200()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    int connections = 0;
    auto body = [&]() -> Coro<void> {
        ProtocolFactory counting = [&]() -> std::shared_ptr<BaseProtocol> {
            ++connections;
            return std::make_shared<Echo>();
        };
        ServerOptions options;
        options.backlog = 256;
        auto server = co_await createServer(loop, counting, QStringLiteral("127.0.0.1"), 0, options);
        const SocketAddress address = server->sockets().front();
        std::vector<Coro<QByteArray>> clients;
        for (int i = 0; i < 200; ++i)
            clients.push_back(rawExchange(loop, address, "#" + QByteArray::number(i), 1 + QByteArray::number(i).size()));
        const std::vector<QByteArray> replies = co_await gather(clients);
        for (int i = 0; i < 200; ++i)
            CO_COMPARE(replies[size_t(i)], "#" + QByteArray::number(i));
        CO_COMPARE(connections, 200);
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, body());
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetProtocols::noFdLeaks()
{
    Loop loop;
    int before = 0;
    auto warmUp = [&]() -> Coro<void> {
        // One connection first, so that anything made lazily exists already.
        auto server = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0);
        co_await rawExchange(loop, server->sockets().front(), "warm", 4);
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, warmUp());
    before = qaiotest::openFdCount();
    auto body = [&]() -> Coro<void> {
        Recorders accepted;
        ProtocolFactory factory = recorderFactory(accepted, [](Recorder &r) {
            r.onData = [](Recorder &self, const QByteArray &chunk) { self.transport->write(chunk); };
        });
        auto server = co_await createServer(loop, factory, QStringLiteral("127.0.0.1"), 0);
        for (int round = 0; round < 10; ++round) {
            Recorders clients;
            for (int i = 0; i < 10; ++i)
                clients.push_back(co_await connectRecorder(loop, portOf(server)));
            for (auto &c : clients)
                c->transport->write("x");
            CO_VERIFY(co_await qaiotest::until([&] {
                return std::all_of(clients.begin(), clients.end(), [](const auto &c) { return c->data == "x"; });
            }));
            // Half closed by the client, half aborted by the server.
            for (int i = 0; i < 10; ++i) {
                if (i % 2)
                    clients[size_t(i)]->transport->close();
                else
                    accepted[size_t(round * 10 + i)]->transport->abort();
            }
            for (auto &c : clients)
                CO_VERIFY(co_await waitLost(c));
        }
        CO_COMPARE(accepted.size(), size_t(100));
        CO_VERIFY(co_await qaiotest::until([&] {
            return std::all_of(accepted.begin(), accepted.end(), [](const auto &a) { return a->lost; });
        }));
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, body());
    QCOMPARE(qaiotest::openFdCount(), before);
}

void TestNetProtocols::bindAddressInUse()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket taken = qaiotest::listener();
        const quint16 port = taken.localAddress().port();
        auto error = co_await qaiotest::coErrorOf(createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), port));
        CO_COMPARE(qaiotest::codeOf(error), std::make_error_code(std::errc::address_in_use));
        CO_VERIFY(qaiotest::whatOf(error).contains(QLatin1String("error while attempting to bind")));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::reusePortTwoServers()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        ServerOptions options;
        options.reusePort = true;
        auto first = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0, options);
        const quint16 port = portOf(first);
        auto second = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), port, options);
        CO_COMPARE(portOf(second), port);
        CO_COMPARE(co_await rawExchange(loop, first->sockets().front(), "shared", 6), QByteArrayLiteral("shared"));
        first->close();
        second->close();
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::serverOnExistingSockets()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        Socket sock(AF_INET, SOCK_STREAM);
        sock.bind(SocketAddress::fromString(QStringLiteral("127.0.0.1"), 0));
        const SocketAddress address = sock.localAddress();
        std::vector<Socket> sockets;
        sockets.push_back(std::move(sock));
        auto server = co_await createServer(loop, echoFactory(), std::move(sockets));
        CO_VERIFY(server->isServing());
        CO_VERIFY(server->sockets().front() == address);
        CO_COMPARE(co_await rawExchange(loop, address, "sock=", 5), QByteArrayLiteral("sock="));
        server->close();

        std::vector<Socket> datagram;
        datagram.emplace_back(AF_INET, SOCK_DGRAM);
        auto error = co_await qaiotest::coErrorOf(createServer(loop, echoFactory(), std::move(datagram)));
        CO_VERIFY2(qaiotest::holds<ValueError>(error), qPrintable(qaiotest::describe(error)));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::factoryFailureIsReportedAndServingGoesOn()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        int calls = 0;
        ProtocolFactory flaky = [&]() -> std::shared_ptr<BaseProtocol> {
            if (++calls == 1)
                throw MyError("factory failed");
            if (calls == 2)
                return nullptr;
            return std::make_shared<Echo>();
        };
        auto server = co_await createServer(loop, flaky, QStringLiteral("127.0.0.1"), 0);
        const SocketAddress address = server->sockets().front();
        // The first two connections are dropped: EOF for the client, or a
        // reset since the server closes with unread data.
        QList<QByteArray> messages;
        messages << "one" << "two";
        for (const QByteArray &message : messages) {
            auto dropped = rawExchange(loop, address, message, 3);
            QByteArray reply;
            try {
                reply = co_await std::move(dropped);
            } catch (const std::system_error &e) {
                CO_COMPARE(e.code(), std::make_error_code(std::errc::connection_reset));
            }
            CO_COMPARE(reply, QByteArray());
        }
        // ... the server goes on.
        CO_COMPARE(co_await rawExchange(loop, address, "three", 5), QByteArrayLiteral("three"));
        server->close();
    };
    CO_RUN(loop, body());
    QCOMPARE(log.count(QStringLiteral("Error on transport creation")), 2);
    QVERIFY(qaiotest::holds<MyError>(log.entries.at(0).exception));
    QVERIFY(qaiotest::holds<TypeError>(log.entries.at(1).exception));
}

void TestNetProtocols::droppingTheServerClosesIt()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        SocketAddress address;
        {
            auto server = co_await createServer(loop, echoFactory(), QStringLiteral("127.0.0.1"), 0);
            address = server->sockets().front();
        }
        Socket sock(AF_INET, SOCK_STREAM);
        sock.setBlocking(false);
        auto refused = co_await qaiotest::coErrorOf(sockConnect(loop, sock, address));
        CO_COMPARE(qaiotest::codeOf(refused), std::make_error_code(std::errc::connection_refused));
    };
    CO_RUN(loop, body());
}

void TestNetProtocols::keepAliveOption()
{
    Loop loop;
    Recorders accepted;
    auto body = [&]() -> Coro<void> {
        ServerOptions options;
        options.keepAlive = true;
        auto server = co_await createServer(loop, recorderFactory(accepted), QStringLiteral("127.0.0.1"), 0, options);
        auto client = co_await connectRecorder(loop, portOf(server));
        CO_VERIFY(co_await qaiotest::until([&] { return !accepted.empty() && accepted[0]->made; }));
        const int fd = accepted[0]->transport->getExtraInfo(QStringLiteral("socket")).toInt();
        int value = 0;
        socklen_t length = sizeof value;
        CO_COMPARE(::getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &value, &length), 0);
        CO_VERIFY(value != 0);
        client->transport->close();
        server->close();
    };
    CO_RUN(loop, body());
}

QTEST_GUILESS_MAIN(TestNetProtocols)
#include "tst_net_protocols.moc"
