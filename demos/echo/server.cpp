// qaio-echo-server — a line echo server on qaio's streams.
//
//     qaio-echo-server --host 127.0.0.1 --port 8888 [--tls --cert cert.pem --key key.pem]
//
// Each client runs as its own task: every line it sends comes back. Prints
// the address it listens on (port 0 picks a free one) and serves until
// killed. With --tls it speaks TLS only. Signal-driven graceful shutdown
// comes with the processes issue.
#include <qaio/qaio.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

#include <cstdio>

namespace {

qaio::Coro<void> handleClient(qaio::StreamReader reader, qaio::StreamWriter writer)
{
    // Raw chunks rather than lines: an echo needs no framing, and a line
    // longer than the stream limit would otherwise end the connection.
    for (;;) {
        QByteArray data = co_await reader.read(64 * 1024);
        if (data.isEmpty())
            break;
        writer.write(data);
        co_await writer.drain();
    }
    writer.close();
    co_await writer.waitClosed();
}

qaio::Coro<int> serve(QString host, quint16 port, qaio::ServerOptions options)
{
    auto server = co_await qaio::startServer(handleClient, host, port, qaio::kDefaultStreamLimit, options);
    for (const qaio::SocketAddress &address : server->sockets())
        std::printf("listening on %s\n", qPrintable(address.toString()));
    std::fflush(stdout);
    co_await server->serveForever();
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
    try {
        return qaio::run(serve(parser.value(QStringLiteral("host")), quint16(port), options));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "qaio-echo-server: %s\n", e.what());
        return 1;
    }
}
