// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/protocols.h — asyncio's protocol interfaces: what a transport calls.
///
/// Subclass Protocol (or BufferedProtocol, DatagramProtocol) and override the
/// callbacks you need; every callback has a do-nothing default. A transport
/// calls connectionMade() first, then dataReceived()/eofReceived() as data
/// arrives, pauseWriting()/resumeWriting() as its write buffer crosses the
/// water marks, and connectionLost() last. Callbacks run on the loop's thread;
/// an exception thrown from one is a fatal error for the connection.
#pragma once

#include <qaio/global.h>
#include <qaio/socket.h>

#include <QtCore/qbytearray.h>

#include <exception>
#include <span>

namespace qaio {

class BaseTransport;
class Transport;
class DatagramTransport;

/// Callbacks of a transport's user (asyncio.BaseProtocol).
class QAIO_EXPORT BaseProtocol
{
public:
    virtual ~BaseProtocol();
    /// The transport is valid until connectionLost() returns.
    virtual void connectionMade(BaseTransport *transport);
    /// null: a regular close or EOF; otherwise the error that ended it.
    virtual void connectionLost(std::exception_ptr error);
    /// The transport's write buffer went above its high-water mark...
    virtual void pauseWriting();
    /// ... and back down to its low-water mark.
    virtual void resumeWriting();
};

/// A stream protocol (asyncio.Protocol): receives data as it arrives.
class QAIO_EXPORT Protocol : public BaseProtocol
{
public:
    /// Called with each chunk of received data.
    virtual void dataReceived(const QByteArray &data);
    /// The peer closed its side. Return true to keep the connection half-open
    /// (the protocol may still write); false closes the transport.
    virtual bool eofReceived();
};

/// Receives straight into a buffer of the protocol's own: no extra copy.
class QAIO_EXPORT BufferedProtocol : public BaseProtocol
{
public:
    /// A buffer to receive into (at least 1 byte; sizeHint -1 means "any").
    virtual std::span<char> getBuffer(qsizetype sizeHint) = 0;
    /// The first nbytes of the last getBuffer() were filled.
    virtual void bufferUpdated(qsizetype nbytes) = 0;
    /// The peer ended its writing; return true to keep the transport open for writing.
    virtual bool eofReceived();
};

/// A datagram protocol (asyncio.DatagramProtocol).
class QAIO_EXPORT DatagramProtocol : public BaseProtocol
{
public:
    /// Called with each datagram and its sender.
    virtual void datagramReceived(const QByteArray &data, const SocketAddress &from);
    /// A send or receive failed (e.g. ICMP port unreachable): the endpoint stays open.
    virtual void errorReceived(std::exception_ptr error);
};

} // namespace qaio
