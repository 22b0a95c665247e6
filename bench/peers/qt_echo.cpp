// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qt_echo.cpp — TCP echo server on plain Qt: QTcpServer and QTcpSocket.
//
//   qt_echo [--mode qcoro|signals]
//
//   qcoro    one QCoro::Task per client: co_await qCoro(socket).readAll(), then
//            socket->write() (QCoro 0.8 over Qt's event loop);
//   signals  the classic: readyRead connected to a lambda that writes readAll() back.
// QTcpSocket buffers writes and flushes them from the event loop. Listens on
// 127.0.0.1 (a free port, cubic congestion control as every server in this
// suite), prints {"port": N}, serves until killed.
#include "../common.h"

#include <QCoroAbstractSocket>
#include <QCoroTask>

#include <QtCore/qcoreapplication.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

namespace {

QCoro::Task<void> echo(QTcpSocket *socket)
{
    while (socket->state() == QAbstractSocket::ConnectedState) {
        const QByteArray data = co_await qCoro(socket).readAll();
        if (data.isEmpty())
            break;
        socket->write(data);
    }
    socket->deleteLater();
}

void serveWithSignals(QTcpSocket *socket)
{
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->write(socket->readAll()); });
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
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
    const bool coro = args.str("mode", "qcoro") == "qcoro";

    QTcpServer server;
    server.setMaxPendingConnections(1024);
    bench::require(server.listen(QHostAddress::LocalHost, 0), "QTcpServer::listen");
    setsockopt(int(server.socketDescriptor()), IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, coro] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            if (coro)
                echo(socket);
            else
                serveWithSignals(socket);
        }
    });
    bench::Json().add("port", double(server.serverPort())).print();
    return app.exec();
}
