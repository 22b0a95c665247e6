// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/transports.h — asyncio's transport interfaces: what a protocol calls.
///
/// Transports are created by the loop (createConnection, createServer,
/// connectAcceptedSocket, createDatagramEndpoint, ...) and handed to the
/// protocol in connectionMade(). They are shared: the loop keeps a transport
/// alive until connectionLost() has run, and callers may hold a
/// std::shared_ptr<Transport> for longer.
#pragma once

#include <qaio/exceptions.h>
#include <qaio/global.h>
#include <qaio/protocols.h>
#include <qaio/socket.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtCore/qvariant.h>

#include <memory>
#include <optional>
#include <utility>

namespace qaio {

class Loop;

/// The base of every transport (asyncio.BaseTransport).
class QAIO_EXPORT BaseTransport
{
public:
    virtual ~BaseTransport();
    /// asyncio's get_extra_info: "peername", "sockname" (SocketAddress in the
    /// QVariant), "socket" (the fd, int), "sslcontext", "peercert", ...
    virtual QVariant getExtraInfo(const QString &name, const QVariant &defaultValue = {}) const = 0;
    /// True once close() was called or the connection was lost.
    virtual bool isClosing() const = 0;
    /// Closes after the buffered data is sent; connectionLost(nullptr) follows.
    virtual void close() = 0;
    /// Replaces the protocol that receives the callbacks.
    virtual void setProtocol(std::shared_ptr<BaseProtocol> protocol) = 0;
    /// The protocol that receives the callbacks.
    virtual std::shared_ptr<BaseProtocol> getProtocol() const = 0;
    /// The owning pointer to this transport (for protocols that keep it).
    virtual std::shared_ptr<BaseTransport> sharedSelf() = 0;
};

/// A transport that receives (asyncio.ReadTransport).
class QAIO_EXPORT ReadTransport : public virtual BaseTransport
{
public:
    /// True unless reading is paused.
    virtual bool isReading() const = 0;
    /// Stops dataReceived() calls until resumeReading().
    virtual void pauseReading() = 0;
    /// Resumes dataReceived() calls.
    virtual void resumeReading() = 0;
};

/// A transport that sends (asyncio.WriteTransport).
class QAIO_EXPORT WriteTransport : public virtual BaseTransport
{
public:
    /// Buffers `data` and sends it as soon as possible; never blocks.
    virtual void write(const QByteArray &data) = 0;
    /// Writes each of `data` in order.
    virtual void writelines(const QList<QByteArray> &data);
    /// Closes the write side after the buffered data (half-close).
    virtual void writeEof() = 0;
    /// True if writeEof() is supported.
    virtual bool canWriteEof() const = 0;
    /// Closes at once, dropping buffered data; connectionLost(nullptr) follows.
    virtual void abort() = 0;
    /// Flow control: pauseWriting() above `high`, resumeWriting() at `low`.
    /// Defaults 64 KiB and 16 KiB. ValueError unless high >= low >= 0.
    virtual void setWriteBufferLimits(std::optional<qsizetype> high = std::nullopt,
                                      std::optional<qsizetype> low = std::nullopt) = 0;
    /// (low, high), as asyncio.
    virtual std::pair<qsizetype, qsizetype> getWriteBufferLimits() const = 0;
    /// The number of bytes queued for sending.
    virtual qsizetype getWriteBufferSize() const = 0;
};

class QAIO_EXPORT Transport : public ReadTransport, public WriteTransport
{
};

/// A datagram transport (asyncio.DatagramTransport).
class QAIO_EXPORT DatagramTransport : public virtual BaseTransport
{
public:
    /// Sends one datagram (to the connected peer when `to` is invalid).
    virtual void sendto(const QByteArray &data, const SocketAddress &to = {}) = 0;
    /// Closes at once, dropping queued datagrams.
    virtual void abort() = 0;
    /// Queued datagrams count their size plus 8 bytes of header, as asyncio.
    virtual qsizetype getWriteBufferSize() const = 0;
    /// Flow control as WriteTransport's (pauseWriting() above `high`).
    virtual void setWriteBufferLimits(std::optional<qsizetype> high = std::nullopt,
                                      std::optional<qsizetype> low = std::nullopt) = 0;
    /// The (high, low) write-buffer limits.
    virtual std::pair<qsizetype, qsizetype> getWriteBufferLimits() const = 0;
};

} // namespace qaio

Q_DECLARE_METATYPE(qaio::SocketAddress)
