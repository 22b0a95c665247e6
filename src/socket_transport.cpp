// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// socket_transport.cpp — asyncio's _SelectorSocketTransport, step by step:
// read with recv (or into a BufferedProtocol's buffer), write at once when
// the buffer is empty, else queue and flush with sendmsg when writable.
#include "socket_transport.h"
#include "os_errors.h"
#include "read_buffer.h"

#include "loop_p.h"

#include <qaio/protocols.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <climits>
#include <memory>
#include <system_error>

namespace qaio {

// ---- the interfaces' out-of-line parts ----

BaseProtocol::~BaseProtocol() = default;
void BaseProtocol::connectionMade(BaseTransport *) {}
void BaseProtocol::connectionLost(std::exception_ptr) {}
void BaseProtocol::pauseWriting() {}
void BaseProtocol::resumeWriting() {}
void Protocol::dataReceived(const QByteArray &) {}
bool Protocol::eofReceived()
{
    return false;
}
bool BufferedProtocol::eofReceived()
{
    return false;
}
void DatagramProtocol::datagramReceived(const QByteArray &, const SocketAddress &) {}
void DatagramProtocol::errorReceived(std::exception_ptr) {}
BaseTransport::~BaseTransport() = default;

void WriteTransport::writelines(const QList<QByteArray> &data)
{
    for (const QByteArray &chunk : data)
        write(chunk);
}

namespace detail {

SocketTransport::SocketTransport(Loop &loop, Socket sock, std::shared_ptr<BaseProtocol> protocol)
    : TransportBase(loop, sock.fileno(), "SocketTransport"), m_sock(std::move(sock))
{
    setWritev(sendmsgNoSignal, "sendmsg", "Fatal write error on socket transport");
    setProtocol(std::move(protocol));
    addSocketExtra(m_sock);
    const int family = m_sock.localAddress().family();
    if (family == AF_INET || family == AF_INET6) {
        // As asyncio: small writes go out at once.
        try {
            m_sock.setOption(IPPROTO_TCP, TCP_NODELAY, 1);
        } catch (const std::system_error &) {
        }
    }
}

SocketTransport::~SocketTransport() = default;

void SocketTransport::protocolChanged()
{
    m_bufferedProtocol = dynamic_cast<BufferedProtocol *>(m_protocol.get());
    m_streamProtocol = m_bufferedProtocol ? nullptr : dynamic_cast<Protocol *>(m_protocol.get());
}

void SocketTransport::startReading()
{
    if (!isReading())
        return;
    auto self = shared_from_this();
    loop().addReader(m_fd, [self] { self->readReady(); });
}

void SocketTransport::pauseReading()
{
    if (!isReading())
        return;
    m_paused = true;
    loop().removeReader(m_fd);
}

void SocketTransport::resumeReading()
{
    if (m_closing || !m_paused)
        return;
    m_paused = false;
    startReading();
}

qsizetype SocketTransport::receive(char *buffer, size_t size)
{
    const ssize_t n = ::recv(m_fd, buffer, size, 0);
    if (n < 0) {
        if (!wouldBlock(errno))
            fatalError(errnoError(errno, "recv"), QStringLiteral("Fatal read error on socket transport"));
        return 0;
    }
    if (n == 0)
        onEof();
    return n;
}

void SocketTransport::readReady()
{
    if (m_connLost)
        return;
    if (m_bufferedProtocol) {
        readIntoBuffer();
        return;
    }
    char *buffer = threadReadBuffer(); // shared by the thread's transports (read_buffer.h)
    const qsizetype n = receive(buffer, size_t(kMaxReadSize));
    if (n == 0)
        return;
    const QByteArray data(buffer, n); // an exact-size copy: the buffer is reused by the next read
    try {
        if (m_streamProtocol)
            m_streamProtocol->dataReceived(data);
    } catch (...) {
        fatalError(std::current_exception(), QStringLiteral("Fatal error: protocol.dataReceived() call failed."));
    }
}

void SocketTransport::readIntoBuffer()
{
    std::span<char> buffer;
    try {
        buffer = m_bufferedProtocol->getBuffer(-1);
        if (buffer.empty())
            throw RuntimeError("getBuffer() returned an empty buffer");
    } catch (...) {
        fatalError(std::current_exception(), QStringLiteral("Fatal error: protocol.getBuffer() call failed."));
        return;
    }
    const qsizetype n = receive(buffer.data(), buffer.size());
    if (n == 0)
        return;
    try {
        m_bufferedProtocol->bufferUpdated(n);
    } catch (...) {
        fatalError(std::current_exception(), QStringLiteral("Fatal error: protocol.bufferUpdated() call failed."));
    }
}

void SocketTransport::onEof()
{
    bool keepOpen = false;
    try {
        if (m_streamProtocol)
            keepOpen = m_streamProtocol->eofReceived();
        else if (m_bufferedProtocol)
            keepOpen = m_bufferedProtocol->eofReceived();
    } catch (...) {
        fatalError(std::current_exception(), QStringLiteral("Fatal error: protocol.eofReceived() call failed."));
        return;
    }
    if (keepOpen) {
        // Half-open: the protocol may still write, but nothing more arrives.
        loop().removeReader(m_fd);
    } else {
        close();
    }
}

void SocketTransport::write(const QByteArray &data)
{
    if (m_eof)
        throw RuntimeError("Cannot call write() after writeEof()");
    if (data.isEmpty())
        return;
    if (m_connLost) {
        ++m_connLost; // asyncio counts writes after the connection was lost
        return;
    }
    sendOrQueue(data);
}

void SocketTransport::writelines(const QList<QByteArray> &data)
{
    if (m_eof)
        throw RuntimeError("Cannot call writelines() after writeEof()");
    if (m_connLost) {
        ++m_connLost;
        return;
    }
    queueAndFlush(data);
}

void SocketTransport::writeEof()
{
    if (m_closing || m_eof)
        return;
    m_eof = true;
    if (m_writeQueue.empty())
        ::shutdown(m_fd, SHUT_WR);
}

void SocketTransport::writeDrained()
{
    if (m_eof)
        ::shutdown(m_fd, SHUT_WR);
}

void SocketTransport::releaseResources()
{
    m_sock.close();
    if (auto detached = std::move(onDetached))
        detached();
}

} // namespace detail
} // namespace qaio
