// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio_net_test.h — helpers for the tests that use sockets: loopback
// listeners and connected pairs, whether IPv6 works, open-fd counting,
// reproducible payloads. Test-only: not part of qaio.
#pragma once

#include "qaio_test.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qdir.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <utility>

namespace qaiotest {

// A listening, non-blocking TCP socket on host:0.
inline qaio::Socket listener(const QString &host = QStringLiteral("127.0.0.1"), int backlog = 128)
{
    const auto address = qaio::SocketAddress::fromString(host, 0);
    qaio::Socket sock(address.family(), SOCK_STREAM);
    sock.bind(address);
    sock.listen(backlog);
    sock.setBlocking(false);
    return sock;
}

// A connected, non-blocking TCP pair over loopback: (client, server side).
inline qaio::Coro<std::pair<qaio::Socket, qaio::Socket>> tcpPair(QString host = QStringLiteral("127.0.0.1"))
{
    qaio::Loop &loop = qaio::getRunningLoop();
    qaio::Socket listening = listener(host);
    const qaio::SocketAddress address = listening.localAddress();
    qaio::Socket client(address.family(), SOCK_STREAM);
    client.setBlocking(false);
    auto accepted = qaio::sockAccept(loop, listening);
    co_await qaio::sockConnect(loop, client, address);
    auto [server, peer] = co_await accepted;
    Q_UNUSED(peer);
    co_return std::pair<qaio::Socket, qaio::Socket>(std::move(client), std::move(server));
}

// True if a socket can be bound to ::1.
inline bool ipv6Available()
{
    try {
        qaio::Socket sock(AF_INET6, SOCK_STREAM);
        sock.bind(qaio::SocketAddress::fromString(QStringLiteral("::1"), 0));
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

// The number of open file descriptors of this process.
inline int openFdCount()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size());
}

// n bytes of a reproducible pseudo-random pattern.
inline QByteArray pattern(qsizetype n, quint32 seed = 1)
{
    QByteArray data(n, Qt::Uninitialized);
    quint32 x = seed ? seed : 1;
    for (qsizetype i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = char(x & 0xff);
    }
    return data;
}

} // namespace qaiotest
