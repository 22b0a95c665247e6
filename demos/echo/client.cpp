// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio-echo-client — sends lines to an echo server and checks the replies.
//
//     qaio-echo-client --host 127.0.0.1 --port 8888 --count 1000 [--tls [--cafile ca.pem] [--insecure]]
//
// Sends --count numbered lines through one connection while reading the
// echoes concurrently (two tasks on one loop), then reports how long it took.
#include <qaio/qaio.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSslCertificate>

#include <cstdio>

namespace {

qaio::Coro<void> sendLines(qaio::StreamWriter writer, int count)
{
    for (int i = 0; i < count; ++i) {
        writer.write(QByteArrayLiteral("line ") + QByteArray::number(i) + '\n');
        co_await writer.drain();
    }
    if (writer.canWriteEof()) // TLS has no half-close: then run() closes once all came back
        writer.writeEof();   // half-close: the server sees EOF once it has everything
}

qaio::Coro<int> receiveLines(qaio::StreamReader reader, int count)
{
    int good = 0;
    for (int i = 0; i < count; ++i) {
        const QByteArray line = co_await reader.readline();
        if (line == QByteArrayLiteral("line ") + QByteArray::number(i) + '\n')
            ++good;
    }
    co_return good;
}

qaio::Coro<int> run(QString host, quint16 port, int count, qaio::ConnectionOptions options)
{
    qaio::Loop &loop = qaio::getRunningLoop();
    const double start = loop.time();
    auto [reader, writer] = co_await qaio::openConnection(host, port, qaio::kDefaultStreamLimit, options);
    auto [sent, good] = co_await qaio::gather(sendLines(writer, count), receiveLines(reader, count));
    (void)sent;
    writer.close();
    co_await writer.waitClosed();
    std::printf("%d of %d lines echoed correctly in %.1f ms\n", good, count, (loop.time() - start) * 1000.0);
    co_return good == count ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Echo client on qaio streams"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("host"), QStringLiteral("Server address."), QStringLiteral("host"),
                      QStringLiteral("127.0.0.1")});
    parser.addOption({QStringLiteral("port"), QStringLiteral("Server port."), QStringLiteral("port"),
                      QStringLiteral("8888")});
    parser.addOption({QStringLiteral("count"), QStringLiteral("Lines to send."), QStringLiteral("count"),
                      QStringLiteral("1000")});
    parser.addOption({QStringLiteral("tls"), QStringLiteral("Speak TLS (the server certificate is verified).")});
    parser.addOption({QStringLiteral("cafile"), QStringLiteral("Trust these CA certificates (PEM) instead of the system's."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("insecure"), QStringLiteral("With --tls: do not verify the server.")});
    parser.process(app);
    qaio::ConnectionOptions options;
    if (parser.isSet(QStringLiteral("tls"))) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        if (parser.isSet(QStringLiteral("cafile")))
            tls.setCaCertificates(QSslCertificate::fromPath(parser.value(QStringLiteral("cafile"))));
        if (parser.isSet(QStringLiteral("insecure")))
            tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        options.ssl = tls;
    }
    try {
        return qaio::run(::run(parser.value(QStringLiteral("host")),
                               quint16(parser.value(QStringLiteral("port")).toUInt()),
                               parser.value(QStringLiteral("count")).toInt(), options));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "qaio-echo-client: %s\n", e.what());
        return 1;
    }
}
