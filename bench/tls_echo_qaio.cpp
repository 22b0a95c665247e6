// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tls_echo_qaio.cpp — a TLS echo server on qaio: createServer with ssl
// (asyncio's SSLProtocol design: OpenSSL memory BIOs under qaio's socket
// transport, one addReader per connection, no QSocketNotifier).
//
//   tls_echo_qaio --cert cert.pem --key key.pem [--port 0] [--backend epoll|qt]
//
// Prints {"port": N}, then serves until killed.
#include "common.h"

#include <qaio/qaio.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qfile.h>
#include <QtNetwork/qsslcertificate.h>
#include <QtNetwork/qsslkey.h>

#include <sys/resource.h>

namespace {

class Echo : public qaio::Protocol
{
public:
    void connectionMade(qaio::BaseTransport *transport) override
    {
        m_transport = dynamic_cast<qaio::Transport *>(transport);
    }
    void dataReceived(const QByteArray &data) override { m_transport->write(data); }

private:
    qaio::Transport *m_transport = nullptr; // valid until connectionLost()
};

QSslConfiguration loadTls(const bench::Args &args)
{
    const auto chain = QSslCertificate::fromPath(QString::fromStdString(args.str("cert", "")));
    QFile keyFile(QString::fromStdString(args.str("key", "")));
    bench::require(keyFile.open(QIODevice::ReadOnly), "--key: a readable PEM file");
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Ec);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Rsa);
    bench::require(!chain.isEmpty() && !key.isNull(), "--cert and --key: a PEM certificate and key");
    QSslConfiguration tls;
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    return tls;
}

qaio::Coro<void> serve(qaio::Loop &loop, QSslConfiguration tls, quint16 port)
{
    qaio::ServerOptions options;
    options.ssl = tls;
    options.backlog = 4096;
    const qaio::ProtocolFactory factory = [] { return std::make_shared<Echo>(); };
    auto server = co_await qaio::createServer(loop, factory, QStringLiteral("127.0.0.1"), port, options);
    bench::Json().add("port", double(server->sockets().front().port())).print();
    co_await server->serveForever();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bench::Args args(argc, argv);
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    const bool qtBackend = args.str("backend", "epoll") == "qt";
    qaio::Loop loop(qaio::LoopOptions{.backend = qtBackend ? qaio::LoopBackend::Qt : qaio::LoopBackend::Epoll});
    loop.runUntilComplete(serve(loop, loadTls(args), quint16(args.num("port", 0))));
    return 0;
}
