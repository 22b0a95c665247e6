// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/sockets.h — the loop's low-level socket operations (asyncio's sock_*).
///
///     qaio::Socket sock(AF_INET, SOCK_STREAM);
///     sock.setBlocking(false);
///     co_await qaio::sockConnect(loop, sock, qaio::SocketAddress::fromString("127.0.0.1", port));
///     co_await qaio::sockSendall(loop, sock, "hello");
///     QByteArray reply = co_await qaio::sockRecv(loop, sock, 4096);
///
/// Each call tries the operation at once and, if it would block, waits with
/// addReader/addWriter until the socket is ready. Cancelling the returned
/// future stops watching the socket. The socket must be non-blocking
/// (ValueError otherwise) and must outlive the operation.
#pragma once

#include <qaio/future.h>
#include <qaio/loop.h>
#include <qaio/socket.h>
#include <qaio/task.h>

#include <QtCore/qbytearray.h>

#include <optional>
#include <utility>

namespace qaio {

/// recv(n): up to n bytes; an empty result means the peer closed its side.
QAIO_EXPORT Future<QByteArray> sockRecv(Loop &loop, Socket &sock, qsizetype n);
/// recv_into: fills buffer[0..size) (which must stay valid until done); the byte count.
QAIO_EXPORT Future<qsizetype> sockRecvInto(Loop &loop, Socket &sock, char *buffer, qsizetype size);
/// recvfrom(n): up to n bytes and the sender's address.
QAIO_EXPORT Future<std::pair<QByteArray, SocketAddress>> sockRecvfrom(Loop &loop, Socket &sock, qsizetype n);
/// recvfrom_into: fills buffer[0..size); the byte count and the sender's address.
QAIO_EXPORT Future<std::pair<qsizetype, SocketAddress>> sockRecvfromInto(Loop &loop, Socket &sock,
                                                                        char *buffer, qsizetype size);
/// Sends all of `data` (waiting for room as needed).
QAIO_EXPORT Future<void> sockSendall(Loop &loop, Socket &sock, QByteArray data);
/// One datagram; the number of bytes sent.
QAIO_EXPORT Future<qsizetype> sockSendto(Loop &loop, Socket &sock, QByteArray data,
                                          const SocketAddress &address);
/// Connects; std::system_error (e.g. std::errc::connection_refused) on failure.
QAIO_EXPORT Future<void> sockConnect(Loop &loop, Socket &sock, const SocketAddress &address);
/// Accepts one connection: the new (non-blocking) socket and the peer's address.
QAIO_EXPORT Future<std::pair<Socket, SocketAddress>> sockAccept(Loop &loop, Socket &sock);
/// Sends `count` bytes (all to the end when nullopt) of the open file `fileFd`
/// from `offset` with sendfile(2); with `fallback`, where sendfile cannot be
/// used, reads and sends instead, else SendfileNotAvailableError. The bytes sent.
QAIO_EXPORT Coro<qint64> sockSendfile(Loop &loop, Socket &sock, int fileFd, qint64 offset = 0,
                                      std::optional<qint64> count = std::nullopt, bool fallback = true);

} // namespace qaio
