// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio-echo-server — a line echo server on qaio's streams.
//
//     qaio-echo-server --host 127.0.0.1 --port 8888 --grace 5 [--tls --cert cert.pem --key key.pem]
//
// Each client runs as its own task: every line it sends comes back. Prints
// the address it listens on (port 0 picks a free one) and serves until
// SIGTERM or SIGINT, then shuts down gracefully (see docs/signals.md): it stops
// accepting, lets every request it has read get its full reply (waiting at
// most --grace seconds), closes the connections, waits until they are closed,
// shuts the executor down, prints how many requests it served and exits 0.
// With --tls it speaks TLS only.
#include <qaio/qaio.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

#include <csignal>
#include <cstdio>
#include <map>
#include <vector>
#include <memory>

namespace {

// The connections in progress, for the graceful shutdown.
struct Clients
{
    struct Client
    {
        qaio::TaskBase task;
        bool idle = false; // waiting for a request: the shutdown may cancel it
    };
    std::map<quint64, Client> active;
    quint64 nextId = 0;
    bool stopping = false;
    bool expired = false; // the grace period is over
    qint64 served = 0; // requests whose reply was written in full
};

// Lingering close: send FIN after the last reply, then drop what the client
// still sends until it closes. Closing with unread requests in the socket
// would make the kernel reset the connection and discard replies not yet
// delivered.
qaio::Coro<void> closeGracefully(qaio::StreamReader reader, qaio::StreamWriter writer)
{
    try {
        if (writer.canWriteEof())
            writer.writeEof();
        for (;;) {
            const QByteArray ignored = co_await reader.read(64 * 1024);
            if (ignored.isEmpty())
                break;
        }
    } catch (const std::exception &) {
        // reset by the peer, or cancelled when the grace period ended
    }
}

qaio::Coro<void> handleClient(std::shared_ptr<Clients> clients, qaio::StreamReader reader,
                              qaio::StreamWriter writer)
{
    const quint64 id = clients->nextId++;
    clients->active[id] = {qaio::currentTask(), false};
    bool failed = false;
    try {
        // One request is one line. While idle (waiting for a line) the
        // shutdown cancels the task; a request already read is finished.
        while (!clients->stopping) {
            clients->active[id].idle = true;
            const QByteArray line = co_await reader.readline();
            clients->active[id].idle = false;
            if (line.isEmpty())
                break; // EOF
            writer.write(line);
            co_await writer.drain();
            ++clients->served;
        }
    } catch (const qaio::CancelledError &) {
        // shutting down while idle
    } catch (const std::exception &e) {
        std::fprintf(stderr, "client %llu: %s\n", static_cast<unsigned long long>(id), e.what());
        failed = true;
    }
    clients->active[id].idle = false;
    if (!failed && !clients->expired)
        co_await closeGracefully(reader, writer);
    if (clients->expired)
        writer.transport()->abort(); // past the grace period: drop unsent replies
    else
        writer.close();
    clients->active.erase(id);
}

// Stop accepting; wait up to `grace` seconds for the requests in progress;
// cancel what is left; wait until every connection is closed.
qaio::Coro<void> shutDown(std::shared_ptr<qaio::Server> server, std::shared_ptr<Clients> clients, double grace)
{
    server->close();
    clients->stopping = true;
    std::vector<qaio::TaskBase> tasks;
    for (auto &[id, client] : clients->active) {
        tasks.push_back(client.task);
        if (client.idle)
            client.task.cancel();
    }
    if (!tasks.empty()) {
        const qaio::WaitOptions withinGrace{.timeout = grace}; // (GCC 12: no braces inside co_await)
        auto [done, pending] = co_await qaio::wait(tasks, withinGrace);
        clients->expired = true;
        for (qaio::TaskBase &task : pending)
            task.cancel(); // past the deadline
        if (!pending.empty())
            co_await qaio::wait(pending);
    }
    co_await server->waitClosed();
}

qaio::Coro<int> serve(QString host, quint16 port, double grace, qaio::ServerOptions options)
{
    qaio::Loop &loop = qaio::getRunningLoop();
    auto clients = std::make_shared<Clients>();
    qaio::ClientConnected onClient = [clients](qaio::StreamReader reader, qaio::StreamWriter writer) {
        return handleClient(clients, std::move(reader), std::move(writer));
    };
    auto server = co_await qaio::startServer(onClient, host, port, 1024 * 1024, options);
    for (const qaio::SocketAddress &address : server->sockets())
        std::printf("listening on %s\n", qPrintable(address.toString()));
    std::fflush(stdout);

    // SIGTERM and SIGINT end serving; the handlers run as loop callbacks.
    auto stop = loop.createFuture<int>();
    for (const int sig : {SIGTERM, SIGINT}) {
        loop.addSignalHandler(sig, [stop, sig]() mutable {
            if (!stop.done())
                stop.setResult(sig);
        });
    }
    const int sig = co_await stop;
    std::printf("signal %d: shutting down (grace %.1f s)\n", sig, grace);
    std::fflush(stdout);

    co_await shutDown(server, clients, grace);
    co_await loop.shutdownDefaultExecutor();
    std::printf("served %lld requests\n", static_cast<long long>(clients->served));
    std::fflush(stdout);
    co_return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Echo server on qaio streams"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("host"), QStringLiteral("Address to listen on."), QStringLiteral("host"),
                      QStringLiteral("127.0.0.1")});
    parser.addOption({QStringLiteral("port"), QStringLiteral("Port (0: any free port)."), QStringLiteral("port"),
                      QStringLiteral("8888")});
    parser.addOption({QStringLiteral("grace"),
                      QStringLiteral("Seconds the requests in progress get to finish on SIGTERM/SIGINT."),
                      QStringLiteral("seconds"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("tls"), QStringLiteral("Speak TLS (needs --cert and --key).")});
    parser.addOption({QStringLiteral("cert"), QStringLiteral("TLS certificate (chain), PEM."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("key"), QStringLiteral("TLS private key, PEM."), QStringLiteral("file")});
    parser.process(app);
    qaio::ServerOptions options;
    if (parser.isSet(QStringLiteral("tls"))) {
        // TLS is configured the Qt way: a QSslConfiguration with our certificate and key.
        const auto chain = QSslCertificate::fromPath(parser.value(QStringLiteral("cert")));
        QFile keyFile(parser.value(QStringLiteral("key")));
        const QByteArray pem = keyFile.open(QIODevice::ReadOnly) ? keyFile.readAll() : QByteArray();
        QSslKey key(pem, QSsl::Rsa);
        if (key.isNull())
            key = QSslKey(pem, QSsl::Ec);
        if (chain.isEmpty() || key.isNull()) {
            std::fprintf(stderr, "--tls needs a PEM certificate (--cert) and private key (--key)\n");
            return 2;
        }
        QSslConfiguration tls;
        tls.setLocalCertificateChain(chain);
        tls.setPrivateKey(key);
        options.ssl = tls;
    }
    bool ok = false;
    const uint port = parser.value(QStringLiteral("port")).toUInt(&ok);
    if (!ok || port > 65535) {
        std::fprintf(stderr, "invalid port: %s\n", qPrintable(parser.value(QStringLiteral("port"))));
        return 2;
    }
    const double grace = parser.value(QStringLiteral("grace")).toDouble(&ok);
    if (!ok || grace < 0) {
        std::fprintf(stderr, "invalid grace period: %s\n", qPrintable(parser.value(QStringLiteral("grace"))));
        return 2;
    }
    try {
        return qaio::runMain(serve(parser.value(QStringLiteral("host")), quint16(port), grace, options));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "qaio-echo-server: %s\n", e.what());
        return 1;
    }
}
