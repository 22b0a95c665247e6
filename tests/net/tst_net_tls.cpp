// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_tls — TLS on real loopback connections: createConnection /
// createServer / openConnection / startServer with ssl, startTls on both
// sides, and the transport semantics over TLS. Ported in spirit from CPython's
// test_sslproto.py (handshake and shutdown timeouts, start_tls client and
// server, buffered protocols, close/abort) and the TLS parts of test_ssl.py,
// test_streams.py and test_events.py (hostname and trust checks, large
// transfers); socat (OpenSSL, nobody here wrote it) talks to the echo demo.
#include "net_util.h"
#include "tls_util.h"

#include <qaio/qaio.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <memory>
#include <system_error>

using namespace qaio;

namespace {

quint16 portOf(const std::shared_ptr<Server> &server)
{
    return server->sockets().front().port();
}

// Records what a transport tells it; optionally echoes.
struct Recorder : Protocol
{
    std::shared_ptr<Transport> transport;
    QByteArray data;
    int made = 0, eofs = 0, lost = 0, pauses = 0, resumes = 0;
    std::exception_ptr error;
    bool echo = false;
    bool keepOpen = false;
    bool pauseOnMade = false;

    void connectionMade(BaseTransport *t) override
    {
        ++made;
        transport = std::dynamic_pointer_cast<Transport>(t->sharedSelf());
        if (pauseOnMade)
            transport->pauseReading();
    }
    void dataReceived(const QByteArray &d) override
    {
        data += d;
        if (echo)
            transport->write(d);
    }
    bool eofReceived() override
    {
        ++eofs;
        return keepOpen;
    }
    void connectionLost(std::exception_ptr e) override
    {
        ++lost;
        error = e;
    }
    void pauseWriting() override { ++pauses; }
    void resumeWriting() override { ++resumes; }
};

// Receives into a small buffer of its own (asyncio's BufferedProtocol).
struct Buffered : BufferedProtocol
{
    char buffer[1000];
    QByteArray data;
    int eofs = 0, lost = 0;
    std::span<char> getBuffer(qsizetype) override { return {buffer, sizeof buffer}; }
    void bufferUpdated(qsizetype n) override { data.append(buffer, n); }
    bool eofReceived() override
    {
        ++eofs;
        return false;
    }
    void connectionLost(std::exception_ptr) override { ++lost; }
};

template<class P>
struct Factory
{
    std::vector<std::shared_ptr<P>> made;
    std::function<void(P &)> setup;
    ProtocolFactory get()
    {
        return [this] {
            auto p = std::make_shared<P>();
            if (setup)
                setup(*p);
            made.push_back(p);
            return std::shared_ptr<BaseProtocol>(p);
        };
    }
};

Coro<std::shared_ptr<Server>> tlsServer(Loop &loop, ProtocolFactory factory, ServerOptions options)
{
    if (!options.ssl)
        options.ssl = nt::pki().server();
    const QString host = QStringLiteral("127.0.0.1");
    co_return co_await createServer(loop, std::move(factory), host, 0, options);
}

ConnectionOptions clientOptions(QSslConfiguration config = nt::pki().client(), QString hostname = QStringLiteral("localhost"))
{
    ConnectionOptions options;
    options.ssl = config;
    options.serverHostname = hostname;
    return options;
}

Coro<TransportAndProtocol> tlsConnect(Loop &loop, ProtocolFactory factory, quint16 port, ConnectionOptions options)
{
    const QString host = QStringLiteral("127.0.0.1");
    co_return co_await createConnection(loop, std::move(factory), host, port, options);
}

// The defaults are filled in here, not as default arguments: GCC 12 destroys
// an aggregate temporary of a co_await full-expression twice.
Coro<std::shared_ptr<Server>> tlsServer(Loop &loop, ProtocolFactory factory)
{
    ServerOptions options;
    return tlsServer(loop, std::move(factory), options);
}

Coro<TransportAndProtocol> tlsConnect(Loop &loop, ProtocolFactory factory, quint16 port)
{
    ConnectionOptions options = clientOptions();
    return tlsConnect(loop, std::move(factory), port, options);
}

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

} // namespace

class TestNetTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void handshakeEchoAndExtraInfo();
    void serverHostnameIsAnIpAddress();
    void happyEyeballsConnectionSpeaksTls();
    void streamsEcho();
    void transfer16MiB();
    void wrongHostnameRejected();
    void untrustedCertificateRejected();
    void insecureClientAcceptsAnything();
    void badArguments();
    void handshakeTimeoutClient();
    void handshakeTimeoutServer();
    void shutdownTimeout();
    void closeFlushesThenCloseNotify();
    void abortDropsBuffer();
    void flowControl();
    void pauseAndResumeReading();
    void eofReceivedOverTls();
    void bufferedProtocol();
    void startTlsStreams();
    void startTlsBothSidesLowLevel();
    void connectedAndAcceptedSocketsWithSsl();
    void startTlsUntrustedFailsAndCloses();
    void clientCertificates();
    void alpn();
    void plaintextPeerIsSslError();
    void noFdLeaks();
    void socatTalksToEchoDemo();
};

void TestNetTls::initTestCase()
{
    QVERIFY(!nt::pki().cert.isNull());
    QVERIFY(!nt::pki().key.isNull());
}

void TestNetTls::handshakeEchoAndExtraInfo()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.echo = true; };
    auto client = std::make_shared<Recorder>();
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [client] { return client; };
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server));
        CO_COMPARE(client->made, 1); // connectionMade ran before createConnection returned
        CO_VERIFY(protocol == client);
        CO_VERIFY(transport.get() == client->transport.get());
        // Extra info: TLS's own, and the socket's through it.
        CO_VERIFY(transport->getExtraInfo(QStringLiteral("sslcontext")).value<QSslConfiguration>() == nt::pki().client());
        CO_COMPARE(transport->getExtraInfo(QStringLiteral("peercert")).value<QSslCertificate>(), nt::pki().cert);
        const QVariantList cipher = transport->getExtraInfo(QStringLiteral("cipher")).toList();
        CO_COMPARE(cipher.size(), 3);
        CO_COMPARE(cipher.at(1).toString(), QStringLiteral("TLSv1.3"));
        CO_VERIFY(cipher.at(2).toInt() >= 128);
        CO_VERIFY(transport->getExtraInfo(QStringLiteral("ssl_object")).value<void *>() != nullptr);
        CO_COMPARE(transport->getExtraInfo(QStringLiteral("peername")).value<SocketAddress>().port(), portOf(server));
        CO_VERIFY(transport->getExtraInfo(QStringLiteral("socket")).toInt() > 0);
        CO_VERIFY(!transport->getExtraInfo(QStringLiteral("nonexistent")).isValid());
        CO_VERIFY(!transport->canWriteEof());
        CO_VERIFY(nt::holds<RuntimeError>(nt::errorOf([&] { transport->writeEof(); })));

        transport->write("hello ");
        transport->writelines({QByteArrayLiteral("TLS "), QByteArrayLiteral("world")});
        CO_VERIFY(co_await nt::until([&] { return client->data.size() >= 15; }));
        CO_COMPARE(client->data, QByteArrayLiteral("hello TLS world"));
        CO_COMPARE(servers.made.size(), size_t(1));
        auto serverSide = servers.made.front();
        CO_VERIFY(!serverSide->transport->getExtraInfo(QStringLiteral("peercert")).isValid()); // no client cert

        transport->close();
        CO_VERIFY(transport->isClosing());
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1 && serverSide->lost == 1; }));
        CO_VERIFY2(!client->error, qPrintable(nt::describe(client->error)));
        CO_VERIFY2(!serverSide->error, qPrintable(nt::describe(serverSide->error)));
        CO_COMPARE(serverSide->eofs, 1); // the close_notify
        CO_COMPARE(client->eofs, 1);     // the server's close_notify answering ours
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::serverHostnameIsAnIpAddress()
{
    // No serverHostname: the host (an address) is checked against the
    // certificate's IP addresses, and a wrong address is rejected.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [] { return std::make_shared<Recorder>(); };
        auto byAddress = clientOptions(nt::pki().client(), QString());
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server), byAddress);
        transport->close();
        auto options = clientOptions(nt::pki().client(), QStringLiteral("127.0.0.2"));
        auto error = co_await nt::coErrorOf(tlsConnect(loop, factory, portOf(server), options));
        CO_VERIFY2(nt::holds<SSLCertVerificationError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY2(nt::whatOf(error).contains(QStringLiteral("IP address mismatch")), qPrintable(nt::whatOf(error)));
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::happyEyeballsConnectionSpeaksTls()
{
    // The connection won by the staggered race (happyEyeballsDelay, and a
    // host name that may resolve to ::1 too) is wrapped in TLS like any other.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.echo = true; };
    auto client = std::make_shared<Recorder>();
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [client] { return client; };
        ConnectionOptions options = clientOptions();
        options.happyEyeballsDelay = 0.05;
        auto [transport, protocol] =
            co_await createConnection(loop, factory, QStringLiteral("localhost"), portOf(server), options);
        Q_UNUSED(protocol);
        CO_COMPARE(transport->getExtraInfo(QStringLiteral("peercert")).value<QSslCertificate>(), nt::pki().cert);
        CO_COMPARE(transport->getExtraInfo(QStringLiteral("cipher")).toList().size(), 3);
        transport->write("over TLS");
        CO_VERIFY(co_await nt::until([&] { return client->data.size() >= 8; }));
        CO_COMPARE(client->data, QByteArrayLiteral("over TLS"));
        transport->close();
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1; }));
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::streamsEcho()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        ServerOptions serverOptions;
        serverOptions.ssl = nt::pki().server();
        const ClientConnected handler = echoAll;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0, kDefaultStreamLimit, serverOptions);
        auto options = clientOptions();
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server), kDefaultStreamLimit, options);
        CO_COMPARE(writer.getExtraInfo(QStringLiteral("peercert")).value<QSslCertificate>(), nt::pki().cert);
        for (int i = 0; i < 100; ++i) {
            writer.write("line " + QByteArray::number(i) + '\n');
            co_await writer.drain();
            const QByteArray line = co_await reader.readline();
            CO_COMPARE(line, "line " + QByteArray::number(i) + '\n');
        }
        writer.close();
        co_await writer.waitClosed();
        const QByteArray rest = co_await reader.read();
        CO_COMPARE(rest, QByteArray());
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::transfer16MiB()
{
    // 16 MiB each way at once through TLS echo streams, byte-identical.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    const QByteArray payload = nt::pattern(16 * 1024 * 1024, 7);
    QByteArray received;
    auto body = [&]() -> Coro<void> {
        ServerOptions serverOptions;
        serverOptions.ssl = nt::pki().server();
        const ClientConnected handler = echoAll;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0, kDefaultStreamLimit, serverOptions);
        auto options = clientOptions();
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server), kDefaultStreamLimit, options);
        auto send = [](StreamWriter w, QByteArray data) -> Coro<void> {
            for (qsizetype i = 0; i < data.size(); i += 100000) {
                w.write(data.mid(i, 100000));
                co_await w.drain();
            }
        };
        auto sending = createTask(loop, send(writer, payload));
        while (received.size() < payload.size()) {
            const QByteArray chunk = co_await reader.read(1 << 20);
            if (chunk.isEmpty())
                break;
            received += chunk;
        }
        co_await sending;
        writer.close();
        co_await writer.waitClosed();
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 60);
    QCOMPARE(received.size(), payload.size());
    QVERIFY(received == payload);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::wrongHostnameRejected()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.echo = true; };
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        auto client = std::make_shared<Recorder>();
        const ProtocolFactory factory = [client] { return client; };
        auto options = clientOptions(nt::pki().client(), QStringLiteral("wrong.example"));
        const int fds = nt::openFdCount();
        auto error = co_await nt::coErrorOf(tlsConnect(loop, factory, portOf(server), options));
        CO_VERIFY2(nt::holds<SSLCertVerificationError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::holds<SSLError>(error));
        CO_VERIFY(nt::holds<std::system_error>(error)); // an OSError, as in Python
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::protocol_error));
        CO_VERIFY2(nt::whatOf(error).contains(QStringLiteral("Hostname mismatch, certificate is not valid for 'wrong.example'")),
                   qPrintable(nt::whatOf(error)));
        CO_VERIFY(nt::whatOf(error).startsWith(QStringLiteral("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")));
        try {
            std::rethrow_exception(error);
        } catch (const SSLCertVerificationError &e) {
            CO_COMPARE(e.verifyCode, 62L); // X509_V_ERR_HOSTNAME_MISMATCH
            CO_COMPARE(e.reason(), QStringLiteral("CERTIFICATE_VERIFY_FAILED"));
        }
        CO_COMPARE(client->made, 0);
        CO_VERIFY(co_await nt::until([&] { return nt::openFdCount() <= fds; }));
        // The server saw the alert, dropped that client and keeps serving.
        CO_VERIFY(co_await nt::until([&] { return servers.made.size() == 1 && servers.made[0]->made == 0; }));
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server));
        transport->write("ok");
        CO_VERIFY(co_await nt::until([&] { return client->data == "ok"; }));
        transport->close();
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1; }));
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::untrustedCertificateRejected()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [] { return std::make_shared<Recorder>(); };
        // A CA that did not sign it, then the system's CAs (the default configuration).
        const QList<QSslConfiguration> configs{nt::pki().untrustingClient(), QSslConfiguration::defaultConfiguration()};
        for (const QSslConfiguration &config : configs) {
            auto options = clientOptions(config);
            auto error = co_await nt::coErrorOf(tlsConnect(loop, factory, portOf(server), options));
            CO_VERIFY2(nt::holds<SSLCertVerificationError>(error), qPrintable(nt::describe(error)));
            CO_VERIFY2(nt::whatOf(error).contains(QStringLiteral("unable to get local issuer certificate")),
                       qPrintable(nt::whatOf(error)));
        }
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::insecureClientAcceptsAnything()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.echo = true; };
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        auto client = std::make_shared<Recorder>();
        const ProtocolFactory factory = [client] { return client; };
        auto options = clientOptions(nt::pki().insecureClient(), QStringLiteral("wrong.example"));
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server), options);
        CO_COMPARE(transport->getExtraInfo(QStringLiteral("peercert")).value<QSslCertificate>(), nt::pki().cert);
        transport->write("x");
        CO_VERIFY(co_await nt::until([&] { return client->data == "x"; }));
        transport->close();
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1; }));
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::badArguments()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        const ProtocolFactory factory = [] { return std::make_shared<Recorder>(); };
        // A server without a certificate.
        ServerOptions noCert;
        noCert.ssl = QSslConfiguration();
        auto error = co_await nt::coErrorOf(createServer(loop, factory, QStringLiteral("127.0.0.1"), 0, noCert));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("certificate")));
        // A key that is not the certificate's.
        ServerOptions wrongKey;
        QSslConfiguration config = nt::pki().server();
        config.setLocalCertificate(nt::pki().ca);
        wrongKey.ssl = config;
        error = co_await nt::coErrorOf(createServer(loop, factory, QStringLiteral("127.0.0.1"), 0, wrongKey));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("does not match")));
        // Timeouts must be positive.
        ServerOptions badTimeout;
        badTimeout.ssl = nt::pki().server();
        badTimeout.sslHandshakeTimeout = -1;
        error = co_await nt::coErrorOf(createServer(loop, factory, QStringLiteral("127.0.0.1"), 0, badTimeout));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("ssl_handshake_timeout should be a positive number")));
        auto options = clientOptions();
        options.sslShutdownTimeout = 0;
        error = co_await nt::coErrorOf(tlsConnect(loop, factory, 1, options));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("ssl_shutdown_timeout should be a positive number")));
        // serverHostname without ssl.
        ConnectionOptions plain;
        plain.serverHostname = QStringLiteral("localhost");
        error = co_await nt::coErrorOf(createConnection(loop, factory, QStringLiteral("127.0.0.1"), 1, plain));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("server_hostname is only meaningful with ssl")));
        // ssl over a socket without a serverHostname.
        ConnectionOptions noName;
        noName.ssl = nt::pki().client();
        Socket unconnected(AF_INET, SOCK_STREAM);
        error = co_await nt::coErrorOf(createConnection(loop, factory, std::move(unconnected), noName));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("You must set server_hostname when using ssl without a host")));
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
}

void TestNetTls::handshakeTimeoutClient()
{
    // test_sslproto's test_handshake_timeout: a server that never answers.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        Socket listening = nt::listener();
        auto options = clientOptions();
        options.sslHandshakeTimeout = 0.2;
        const ProtocolFactory factory = [] { return std::make_shared<Recorder>(); };
        const double start = loop.time();
        const int fds = nt::openFdCount();
        auto error = co_await nt::coErrorOf(tlsConnect(loop, factory, listening.localAddress().port(), options));
        const double took = loop.time() - start;
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::connection_aborted));
        CO_VERIFY2(nt::whatOf(error).contains(QStringLiteral("SSL handshake is taking longer than 0.2 seconds: aborting the connection")),
                   qPrintable(nt::whatOf(error)));
        CO_VERIFY(took >= 0.19 && took < 2.0);
        co_await nt::yieldN(3);
        CO_VERIFY(nt::openFdCount() <= fds + 1); // the accepted-but-unaccepted one lives in the listener's queue
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::handshakeTimeoutServer()
{
    // A plain TCP client that never starts the handshake is dropped.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    auto body = [&]() -> Coro<void> {
        ServerOptions options;
        options.sslHandshakeTimeout = 0.2;
        auto server = co_await tlsServer(loop, servers.get(), options);
        Socket sock(AF_INET, SOCK_STREAM);
        sock.setBlocking(false);
        co_await sockConnect(loop, sock, server->sockets().front());
        const double start = loop.time();
        const QByteArray got = co_await sockRecv(loop, sock, 100);
        CO_COMPARE(got, QByteArray()); // EOF: the server gave up
        CO_VERIFY(loop.time() - start < 2.0);
        CO_COMPARE(servers.made.size(), size_t(1));
        CO_COMPARE(servers.made[0]->made, 0);
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::shutdownTimeout()
{
    // The server stops reading, so it never answers our close_notify: after
    // sslShutdownTimeout the client aborts with TimeoutError.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.pauseOnMade = true; };
    auto client = std::make_shared<Recorder>();
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [client] { return client; };
        auto options = clientOptions();
        options.sslShutdownTimeout = 0.3;
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server), options);
        CO_VERIFY(co_await nt::until([&] { return servers.made.size() == 1 && servers.made[0]->made == 1; }));
        CO_VERIFY(!servers.made[0]->transport->isReading());
        const double start = loop.time();
        transport->close();
        transport->write("dropped"); // after close(): ignored
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1; }, 5));
        CO_VERIFY(loop.time() - start >= 0.25);
        CO_VERIFY2(nt::holds<TimeoutError>(client->error), qPrintable(nt::describe(client->error)));
        CO_COMPARE(nt::whatOf(client->error), QStringLiteral("SSL shutdown timed out"));
        server->close();
        server->abortClients();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::closeFlushesThenCloseNotify()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    auto client = std::make_shared<Recorder>();
    const QByteArray payload = nt::pattern(4 * 1024 * 1024, 3);
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [client] { return client; };
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server));
        for (qsizetype i = 0; i < payload.size(); i += 65536)
            transport->write(payload.mid(i, 65536));
        transport->close(); // everything goes out first, then close_notify
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1; }));
        CO_VERIFY2(!client->error, qPrintable(nt::describe(client->error)));
        CO_VERIFY(co_await nt::until([&] { return servers.made.size() == 1 && servers.made[0]->lost == 1; }));
        CO_COMPARE(servers.made[0]->data.size(), payload.size());
        CO_VERIFY(servers.made[0]->data == payload);
        CO_COMPARE(servers.made[0]->eofs, 1);
        CO_VERIFY(!servers.made[0]->error);
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::abortDropsBuffer()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.pauseOnMade = true; };
    auto client = std::make_shared<Recorder>();
    const QByteArray payload = nt::pattern(16 * 1024 * 1024, 5);
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [client] { return client; };
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server));
        transport->write(payload); // most of it waits in the socket transport's buffer
        transport->abort();
        CO_VERIFY(transport->isClosing());
        transport->write("more"); // ignored, no exception
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1; }));
        CO_VERIFY(!client->error);
        CO_VERIFY(co_await nt::until([&] { return servers.made.size() == 1 && servers.made[0]->made == 1; }));
        servers.made[0]->transport->resumeReading();
        CO_VERIFY(co_await nt::until([&] { return servers.made[0]->lost == 1; }));
        CO_VERIFY(servers.made[0]->data.size() < payload.size());
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::flowControl()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.pauseOnMade = true; };
    auto client = std::make_shared<Recorder>();
    const QByteArray payload = nt::pattern(24 * 1024 * 1024, 11);
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [client] { return client; };
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server));
        // asyncio's SSL write defaults: 512 KiB high, a quarter of it low.
        CO_COMPARE(transport->getWriteBufferLimits(), std::make_pair(qsizetype(128 * 1024), qsizetype(512 * 1024)));
        CO_VERIFY(nt::holds<ValueError>(nt::errorOf([&] { transport->setWriteBufferLimits(100, 200); })));
        transport->setWriteBufferLimits(256 * 1024);
        CO_COMPARE(transport->getWriteBufferLimits(), std::make_pair(qsizetype(64 * 1024), qsizetype(256 * 1024)));
        // The server reads nothing: the socket fills, then our TLS buffer.
        qsizetype offset = 0;
        while (client->pauses == 0 && offset < payload.size()) {
            transport->write(payload.mid(offset, 65536));
            offset += 65536;
            if (offset % (1024 * 1024) == 0)
                co_await nt::yieldN(2);
        }
        CO_COMPARE(client->pauses, 1);
        CO_VERIFY(transport->getWriteBufferSize() >= 256 * 1024);
        CO_COMPARE(client->resumes, 0);
        // The server reads again: we are resumed once the buffer is low.
        CO_VERIFY(co_await nt::until([&] { return servers.made.size() == 1; }));
        servers.made[0]->transport->resumeReading();
        CO_VERIFY(co_await nt::until([&] { return client->resumes == 1; }));
        CO_VERIFY(transport->getWriteBufferSize() <= 64 * 1024);
        transport->write(payload.mid(offset));
        CO_VERIFY(co_await nt::until([&] { return servers.made[0]->data.size() == payload.size(); }));
        CO_VERIFY(servers.made[0]->data == payload);
        CO_COMPARE(transport->getWriteBufferSize(), qsizetype(0));
        transport->close();
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1; }));
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 30);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::pauseAndResumeReading()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.pauseOnMade = true; };
    const QByteArray payload = nt::pattern(100000, 13);
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [] { return std::make_shared<Recorder>(); };
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server));
        transport->write(payload);
        CO_VERIFY(co_await nt::until([&] { return servers.made.size() == 1 && servers.made[0]->made == 1; }));
        auto serverSide = servers.made[0];
        co_await sleep(0.1);
        CO_COMPARE(serverSide->data.size(), qsizetype(0));
        CO_VERIFY(!serverSide->transport->isReading());
        serverSide->transport->resumeReading();
        CO_VERIFY(serverSide->transport->isReading());
        CO_VERIFY(co_await nt::until([&] { return serverSide->data.size() == payload.size(); }));
        CO_VERIFY(serverSide->data == payload);
        serverSide->transport->pauseReading();
        transport->write("later");
        co_await sleep(0.05);
        CO_COMPARE(serverSide->data.size(), payload.size());
        serverSide->transport->resumeReading();
        CO_VERIFY(co_await nt::until([&] { return serverSide->data.endsWith("later"); }));
        transport->close();
        CO_VERIFY(co_await nt::until([&] { return serverSide->lost == 1; }));
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::eofReceivedOverTls()
{
    // asyncio: eof_received() over TLS is called once at the peer's
    // close_notify and its return value has no effect: the connection closes.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.keepOpen = true; };
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        auto client = std::make_shared<Recorder>();
        const ProtocolFactory factory = [client] { return client; };
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server));
        transport->write("bye");
        transport->close();
        CO_VERIFY(co_await nt::until([&] { return servers.made.size() == 1 && servers.made[0]->lost == 1; }));
        CO_COMPARE(servers.made[0]->eofs, 1);
        CO_COMPARE(servers.made[0]->data, QByteArrayLiteral("bye"));
        CO_VERIFY(servers.made[0]->transport->isClosing());
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1; }));
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::bufferedProtocol()
{
    // test_sslproto's buffered-protocol cases: a 1000-byte buffer receives 1 MiB.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Buffered> servers;
    const QByteArray payload = nt::pattern(1024 * 1024, 17);
    auto body = [&]() -> Coro<void> {
        auto server = co_await tlsServer(loop, servers.get());
        const ProtocolFactory factory = [] { return std::make_shared<Recorder>(); };
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server));
        transport->write(payload);
        transport->close();
        CO_VERIFY(co_await nt::until([&] { return servers.made.size() == 1 && servers.made[0]->lost == 1; }));
        CO_COMPARE(servers.made[0]->data.size(), payload.size());
        CO_VERIFY(servers.made[0]->data == payload);
        CO_COMPARE(servers.made[0]->eofs, 1);
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::startTlsStreams()
{
    // STARTTLS on streams (test_streams/test_sslproto start_tls cases): a line
    // in plaintext, the upgrade on both sides, then lines over TLS.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    QByteArray serverGot;
    auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<void> {
        const QByteArray command = co_await reader.readline();
        if (command != "STARTTLS\n")
            co_return;
        writer.write("GO\n");
        StreamWriter copy = writer; // copies follow the upgrade
        co_await writer.startTls(nt::pki().server());
        serverGot = co_await reader.readline();
        copy.write("over TLS: " + serverGot);
        co_await copy.drain();
        writer.close();
        co_await writer.waitClosed();
    };
    auto body = [&]() -> Coro<void> {
        const ClientConnected connected = handler;
        auto server = co_await startServer(connected, QStringLiteral("127.0.0.1"), 0);
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server));
        writer.write("STARTTLS\n");
        const QByteArray go = co_await reader.readline();
        CO_COMPARE(go, QByteArrayLiteral("GO\n"));
        CO_VERIFY(!writer.getExtraInfo(QStringLiteral("peercert")).isValid());
        StartTlsOptions options;
        options.serverHostname = QStringLiteral("localhost");
        co_await writer.startTls(nt::pki().client(), options);
        CO_COMPARE(writer.getExtraInfo(QStringLiteral("peercert")).value<QSslCertificate>(), nt::pki().cert);
        CO_VERIFY(!writer.canWriteEof());
        writer.write("secret\n");
        const QByteArray reply = co_await reader.readline();
        CO_COMPARE(reply, QByteArrayLiteral("over TLS: secret\n"));
        const QByteArray rest = co_await reader.read();
        CO_COMPARE(rest, QByteArray());
        writer.close();
        co_await writer.waitClosed();
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QCOMPARE(serverGot, QByteArrayLiteral("secret\n"));
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::startTlsBothSidesLowLevel()
{
    // loop.start_tls on both ends of a plain connection, with Protocols.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto clientProto = std::make_shared<Recorder>();
    auto serverProto = std::make_shared<Recorder>();
    serverProto->echo = true;
    auto body = [&]() -> Coro<void> {
        auto [clientSock, serverSock] = co_await nt::tcpPair();
        const ProtocolFactory cf = [clientProto] { return clientProto; };
        const ProtocolFactory sf = [serverProto] { return serverProto; };
        auto [ct, cp] = co_await createConnection(loop, cf, std::move(clientSock));
        auto [st, sp] = co_await connectAcceptedSocket(loop, sf, std::move(serverSock));
        serverProto->echo = false;
        ct->write("plain");
        CO_VERIFY(co_await nt::until([&] { return serverProto->data == "plain"; }));
        StartTlsOptions serverOptions;
        serverOptions.serverSide = true;
        StartTlsOptions clientOptionsTls;
        clientOptionsTls.serverHostname = QStringLiteral("localhost");
        auto serverUpgrade = createTask(loop, startTls(loop, st, sp, nt::pki().server(), serverOptions));
        std::shared_ptr<Transport> tlsClient = co_await startTls(loop, ct, cp, nt::pki().client(), clientOptionsTls);
        std::shared_ptr<Transport> tlsServer = co_await serverUpgrade;
        CO_VERIFY(tlsClient != ct);
        CO_COMPARE(clientProto->made, 1); // not called again
        CO_COMPARE(serverProto->made, 1);
        serverProto->transport = tlsServer;
        serverProto->echo = true;
        tlsClient->write("secret");
        CO_VERIFY(co_await nt::until([&] { return clientProto->data == "secret"; }));
        CO_COMPARE(serverProto->data, QByteArrayLiteral("plainsecret"));
        // TLS in TLS is not supported.
        StartTlsOptions again = clientOptionsTls;
        auto error = co_await nt::coErrorOf(startTls(loop, tlsClient, cp, nt::pki().client(), again));
        CO_VERIFY2(nt::holds<TypeError>(error), qPrintable(nt::describe(error)));
        tlsClient->close();
        CO_VERIFY(co_await nt::until([&] { return clientProto->lost == 1 && serverProto->lost == 1; }));
        CO_VERIFY(!clientProto->error);
        CO_VERIFY(!serverProto->error);
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::connectedAndAcceptedSocketsWithSsl()
{
    // asyncio's create_connection(sock=, ssl=) and connect_accepted_socket(ssl=).
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto clientProto = std::make_shared<Recorder>();
    auto serverProto = std::make_shared<Recorder>();
    serverProto->echo = true;
    auto body = [&]() -> Coro<void> {
        auto [clientSock, serverSock] = co_await nt::tcpPair();
        const ProtocolFactory cf = [clientProto] { return clientProto; };
        const ProtocolFactory sf = [serverProto] { return serverProto; };
        AcceptedSocketOptions serverOptions;
        serverOptions.ssl = nt::pki().server();
        auto accepting = createTask(loop, connectAcceptedSocket(loop, sf, std::move(serverSock), serverOptions));
        auto options = clientOptions();
        auto [ct, cp] = co_await createConnection(loop, cf, std::move(clientSock), options);
        auto [st, sp] = co_await accepting;
        CO_VERIFY(st->getExtraInfo(QStringLiteral("sslcontext")).isValid());
        CO_COMPARE(serverProto->made, 1);
        ct->write("over an accepted socket");
        CO_VERIFY(co_await nt::until([&] { return clientProto->data == "over an accepted socket"; }));
        ct->close();
        CO_VERIFY(co_await nt::until([&] { return clientProto->lost == 1 && serverProto->lost == 1; }));
        CO_VERIFY(!clientProto->error);
        // Bad timeouts are ValueError.
        AcceptedSocketOptions bad;
        bad.ssl = nt::pki().server();
        bad.sslHandshakeTimeout = 0;
        Socket unused(AF_INET, SOCK_STREAM);
        auto error = co_await nt::coErrorOf(connectAcceptedSocket(loop, sf, std::move(unused), bad));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::startTlsUntrustedFailsAndCloses()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto clientProto = std::make_shared<Recorder>();
    auto serverProto = std::make_shared<Recorder>();
    auto body = [&]() -> Coro<void> {
        auto [clientSock, serverSock] = co_await nt::tcpPair();
        const ProtocolFactory cf = [clientProto] { return clientProto; };
        const ProtocolFactory sf = [serverProto] { return serverProto; };
        auto [ct, cp] = co_await createConnection(loop, cf, std::move(clientSock));
        auto [st, sp] = co_await connectAcceptedSocket(loop, sf, std::move(serverSock));
        StartTlsOptions serverOptions;
        serverOptions.serverSide = true;
        StartTlsOptions clientOptionsTls;
        clientOptionsTls.serverHostname = QStringLiteral("localhost");
        auto serverUpgrade = createTask(loop, nt::coErrorOf(startTls(loop, st, sp, nt::pki().server(), serverOptions)));
        auto error = co_await nt::coErrorOf(startTls(loop, ct, cp, nt::pki().untrustingClient(), clientOptionsTls));
        CO_VERIFY2(nt::holds<SSLCertVerificationError>(error), qPrintable(nt::describe(error)));
        auto serverError = co_await serverUpgrade;
        CO_VERIFY2(nt::holds<SSLError>(serverError), qPrintable(nt::describe(serverError))); // the client's alert
        CO_VERIFY(nt::whatOf(serverError).contains(QStringLiteral("unknown ca")));
        CO_VERIFY(co_await nt::until([&] { return clientProto->lost == 1 && serverProto->lost == 1; }));
        CO_VERIFY(ct->isClosing());
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::clientCertificates()
{
    // A server that requires a client certificate (VerifyPeer on the server).
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.echo = true; };
    auto body = [&]() -> Coro<void> {
        ServerOptions options;
        QSslConfiguration config = nt::pki().server();
        config.setCaCertificates({nt::pki().ca});
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        options.ssl = config;
        auto server = co_await tlsServer(loop, servers.get(), options);
        // Without a certificate: the server refuses (TLS 1.3 tells the client
        // after its handshake, so the connection dies instead).
        auto anonymous = std::make_shared<Recorder>();
        const ProtocolFactory af = [anonymous] { return anonymous; };
        auto attempt = [&]() -> Coro<void> {
            auto [t, p] = co_await tlsConnect(loop, af, portOf(server));
            t->write("hello?");
            bool gone = co_await nt::until([&] { return anonymous->lost == 1; });
            if (!gone)
                throw RuntimeError("the connection stayed up");
            if (anonymous->error)
                std::rethrow_exception(anonymous->error);
        };
        auto error = co_await nt::coErrorOf(attempt());
        CO_VERIFY2(nt::holds<SSLError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(anonymous->data.isEmpty());
        // With our certificate.
        QSslConfiguration clientConfig = nt::pki().client();
        clientConfig.setLocalCertificate(nt::pki().cert);
        clientConfig.setPrivateKey(nt::pki().key);
        auto client = std::make_shared<Recorder>();
        const ProtocolFactory cf = [client] { return client; };
        auto withCert = clientOptions(clientConfig);
        auto [transport, protocol] = co_await tlsConnect(loop, cf, portOf(server), withCert);
        transport->write("hi");
        CO_VERIFY(co_await nt::until([&] { return client->data == "hi"; }));
        auto serverSide = servers.made.back();
        CO_COMPARE(serverSide->transport->getExtraInfo(QStringLiteral("peercert")).value<QSslCertificate>(), nt::pki().cert);
        transport->close();
        CO_VERIFY(co_await nt::until([&] { return client->lost == 1; }));
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::alpn()
{
    Loop loop;
    Factory<Recorder> servers;
    auto body = [&]() -> Coro<void> {
        ServerOptions options;
        QSslConfiguration config = nt::pki().server();
        config.setAllowedNextProtocols({QByteArrayLiteral("http/1.1"), QByteArrayLiteral("qaio/1")});
        options.ssl = config;
        auto server = co_await tlsServer(loop, servers.get(), options);
        QSslConfiguration clientConfig = nt::pki().client();
        clientConfig.setAllowedNextProtocols({QByteArrayLiteral("qaio/1"), QByteArrayLiteral("h2")});
        const ProtocolFactory factory = [] { return std::make_shared<Recorder>(); };
        auto alpnOptions = clientOptions(clientConfig);
        auto [transport, protocol] = co_await tlsConnect(loop, factory, portOf(server), alpnOptions);
        CO_COMPARE(transport->getExtraInfo(QStringLiteral("alpn_protocol")).toByteArray(), QByteArrayLiteral("qaio/1"));
        CO_VERIFY(co_await nt::until([&] { return servers.made.size() == 1 && servers.made[0]->made == 1; }));
        CO_COMPARE(servers.made[0]->transport->getExtraInfo(QStringLiteral("alpn_protocol")).toByteArray(),
                   QByteArrayLiteral("qaio/1"));
        transport->close();
        server->close();
        server->abortClients();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
}

void TestNetTls::plaintextPeerIsSslError()
{
    // test_start_tls_client_corrupted_ssl in spirit: the peer echoes our
    // ClientHello back in plaintext.
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    Factory<Recorder> servers;
    servers.setup = [](Recorder &r) { r.echo = true; };
    auto body = [&]() -> Coro<void> {
        auto server = co_await createServer(loop, servers.get(), QStringLiteral("127.0.0.1"), 0);
        const ProtocolFactory factory = [] { return std::make_shared<Recorder>(); };
        auto error = co_await nt::coErrorOf(tlsConnect(loop, factory, portOf(server)));
        CO_VERIFY2(nt::holds<SSLError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).startsWith(QStringLiteral("[SSL: ")));
        server->close();
        server->abortClients();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::noFdLeaks()
{
    Loop loop;
    nt::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        ServerOptions serverOptions;
        serverOptions.ssl = nt::pki().server();
        const ClientConnected handler = echoAll;
        auto server = co_await startServer(handler, QStringLiteral("127.0.0.1"), 0, kDefaultStreamLimit, serverOptions);
        auto options = clientOptions();
        // Warm up (the first connection loads OpenSSL's and Qt's state).
        {
            auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server), kDefaultStreamLimit, options);
            writer.close();
            co_await writer.waitClosed();
        }
        co_await nt::yieldN(5);
        const int fds = nt::openFdCount();
        for (int i = 0; i < 20; ++i) {
            auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), portOf(server), kDefaultStreamLimit, options);
            writer.write("x\n");
            const QByteArray line = co_await reader.readline();
            CO_COMPARE(line, QByteArrayLiteral("x\n"));
            if (i % 2)
                writer.close();
            else
                writer.transport()->abort();
            co_await writer.waitClosed();
        }
        CO_VERIFY(co_await nt::until([&] { return nt::openFdCount() <= fds; }));
        server->close();
        co_await server->waitClosed();
    };
    NT_RUN_TIMEOUT(loop, body(), 20);
    QVERIFY2(log.entries.isEmpty(), qPrintable(log.dump()));
}

void TestNetTls::socatTalksToEchoDemo()
{
    // Debian's socat (OpenSSL) against the echo demo with --tls: every byte
    // comes back, the certificate checks out (socat verifies by default).
#ifndef QAIO_ECHO_SERVER
    QSKIP("the demos are not built");
#else
    const QString socat = QStandardPaths::findExecutable(QStringLiteral("socat"));
    if (socat.isEmpty())
        QSKIP("socat is not installed (scripts/install-deps.sh installs it)");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(nt::pki().write(dir.path()));
    QProcess server;
    server.start(QStringLiteral(QAIO_ECHO_SERVER),
                 {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--tls"), QStringLiteral("--cert"),
                  dir.filePath(QStringLiteral("cert.pem")), QStringLiteral("--key"), dir.filePath(QStringLiteral("key.pem"))});
    QVERIFY(server.waitForStarted(5000));
    QVERIFY2(server.waitForReadyRead(10000), qPrintable(server.readAllStandardError()));
    const QByteArray banner = server.readLine();
    QVERIFY2(banner.startsWith("listening on 127.0.0.1:"), banner.constData());
    const QByteArray port = banner.trimmed().mid(banner.lastIndexOf(':') + 1);

    QByteArray input;
    for (int i = 0; i < 1000; ++i)
        input += "line " + QByteArray::number(i) + " of the socat TLS test\n";
    input += nt::pattern(1024 * 1024, 23);
    input += '\n'; // the demo echoes whole lines, and TLS has no half-close to flush a partial one
    QProcess client;
    client.start(socat, {QStringLiteral("-t"), QStringLiteral("5"), QStringLiteral("-"),
                         QStringLiteral("OPENSSL:localhost:%1,cafile=%2,verify=1")
                             .arg(QString::fromLatin1(port), dir.filePath(QStringLiteral("ca.pem")))});
    QVERIFY(client.waitForStarted(5000));
    client.write(input);
    // TLS has no half-close: keep our side open until everything came back.
    QByteArray output;
    QElapsedTimer timer;
    timer.start();
    while (output.size() < input.size() && timer.elapsed() < 30000 && client.state() == QProcess::Running) {
        client.waitForReadyRead(1000);
        output += client.readAllStandardOutput();
    }
    client.closeWriteChannel();
    QVERIFY(client.waitForFinished(10000));
    output += client.readAllStandardOutput();
    const QByteArray errors = client.readAllStandardError();
    server.kill();
    server.waitForFinished(5000);
    QCOMPARE(client.exitCode(), 0);
    QVERIFY2(!errors.contains("E "), errors.constData());
    QCOMPARE(output.size(), input.size());
    QVERIFY(output == input);
#endif
}

QTEST_GUILESS_MAIN(TestNetTls)
#include "tst_net_tls.moc"
