// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tls_echo_qsslsocket.cpp — the alternative design for qaio's TLS: accept on
// qaio's loop (addReader on the listening socket, as qaio's server does) and
// hand each accepted descriptor to a QSslSocket (Qt's own TLS: a
// QSocketNotifier pair per connection, its own buffering), echoing on readyRead.
//
//   tls_echo_qsslsocket --cert cert.pem --key key.pem [--port 0]
//
// Prints {"port": N}, then serves until killed.
#include "net.h"

#include <qaio/loop.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qfile.h>
#include <QtNetwork/qsslconfiguration.h>
#include <QtNetwork/qsslkey.h>
#include <QtNetwork/qsslsocket.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bench::Args args(argc, argv);
    bench::raiseFileLimit();
    const auto chain = QSslCertificate::fromPath(QString::fromStdString(args.str("cert", "")));
    QFile keyFile(QString::fromStdString(args.str("key", "")));
    bench::require(keyFile.open(QIODevice::ReadOnly), "--key: a readable PEM file");
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Ec);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Rsa);
    bench::require(!chain.isEmpty() && !key.isNull(), "--cert and --key: a PEM certificate and key");
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);

    qaio::Loop loop;
    const int listenFd = bench::listenLoopback(int(args.num("port", 0)));
    loop.addReader(listenFd, [&] {
        for (int fd; (fd = bench::acceptOne(listenFd)) >= 0;) {
            auto *socket = new QSslSocket(&app);
            socket->setSslConfiguration(tls);
            if (!socket->setSocketDescriptor(fd)) {
                ::close(fd);
                delete socket;
                continue;
            }
            QObject::connect(socket, &QSslSocket::readyRead, socket, [socket] { socket->write(socket->readAll()); });
            QObject::connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
            socket->startServerEncryption();
        }
    });
    loop.runForever();
    return 0;
}
