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
    : m_loop(detail::sharedImpl(loop)), m_sock(std::move(sock)), m_fd(m_sock.fileno())
{
    setProtocol(std::move(protocol));
    m_extra.insert(QStringLiteral("socket"), m_fd);
    try {
        m_extra.insert(QStringLiteral("sockname"), QVariant::fromValue(m_sock.localAddress()));
    } catch (const std::system_error &) {
    }
    try {
        m_extra.insert(QStringLiteral("peername"), QVariant::fromValue(m_sock.peerAddress()));
    } catch (const std::system_error &) {
        // Not connected (yet), or the peer is already gone.
    }
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

Loop &SocketTransport::loop() const
{
    return m_loop->openOwner();
}

void SocketTransport::start(Future<void> waiter)
{
    auto self = shared_from_this();
    // connectionMade first; reading starts only after it ran.
    loop().callSoon([self] {
        if (self->m_protocol)
            self->m_protocol->connectionMade(self.get());
    });
    loop().callSoon([self] { self->addReader(); });
    if (waiter.isValid()) {
        loop().callSoon([waiter]() mutable {
            if (!waiter.done())
                waiter.setResult();
        });
    }
}

void SocketTransport::setProtocol(std::shared_ptr<BaseProtocol> protocol)
{
    m_protocol = std::move(protocol);
    m_bufferedProtocol = dynamic_cast<BufferedProtocol *>(m_protocol.get());
    m_streamProtocol = m_bufferedProtocol ? nullptr : dynamic_cast<Protocol *>(m_protocol.get());
}

QVariant SocketTransport::getExtraInfo(const QString &name, const QVariant &defaultValue) const
{
    return m_extra.value(name, defaultValue);
}

void SocketTransport::addReader()
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
    addReader();
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
    const ssize_t n = ::recv(m_fd, buffer, size_t(kMaxReadSize), 0);
    if (n < 0) {
        if (!wouldBlock(errno))
            fatalError(errnoError(errno, "recv"), QStringLiteral("Fatal read error on socket transport"));
        return;
    }
    if (n == 0) {
        onEof();
        return;
    }
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
    const ssize_t n = ::recv(m_fd, buffer.data(), buffer.size(), 0);
    if (n < 0) {
        if (!wouldBlock(errno))
            fatalError(errnoError(errno, "recv"), QStringLiteral("Fatal read error on socket transport"));
        return;
    }
    if (n == 0) {
        onEof();
        return;
    }
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
    if (m_buffer.empty()) {
        // Try to send at once; queue only what the socket did not take.
        const ssize_t n = ::send(m_fd, data.constData(), size_t(data.size()), MSG_NOSIGNAL);
        if (n < 0 && !wouldBlock(errno)) {
            fatalError(errnoError(errno, "send"), QStringLiteral("Fatal write error on socket transport"));
            return;
        }
        const qsizetype sent = n < 0 ? 0 : n;
        if (sent == data.size())
            return;
        m_buffer.push_back(data);
        m_sentOfFirst = sent;
        m_bufferSize = data.size() - sent;
    } else {
        m_buffer.push_back(data);
        m_bufferSize += data.size();
    }
    if (!m_writerActive) {
        m_writerActive = true;
        auto self = shared_from_this();
        loop().addWriter(m_fd, [self] { self->writeReady(); });
    }
    maybePauseProtocol();
}

void SocketTransport::writelines(const QList<QByteArray> &data)
{
    if (m_eof)
        throw RuntimeError("Cannot call writelines() after writeEof()");
    if (m_connLost) {
        ++m_connLost;
        return;
    }
    for (const QByteArray &chunk : data) {
        if (!chunk.isEmpty()) {
            m_buffer.push_back(chunk);
            m_bufferSize += chunk.size();
        }
    }
    if (m_buffer.empty())
        return;
    if (!flush())
        return;
    if (!m_buffer.empty() && !m_writerActive) {
        m_writerActive = true;
        auto self = shared_from_this();
        loop().addWriter(m_fd, [self] { self->writeReady(); });
    }
    maybePauseProtocol();
}

bool SocketTransport::flush()
{
    while (!m_buffer.empty()) {
        iovec vectors[64];
        int count = 0;
        for (auto it = m_buffer.begin(); it != m_buffer.end() && count < 64; ++it, ++count) {
            const qsizetype skip = count == 0 ? m_sentOfFirst : 0;
            vectors[count].iov_base = const_cast<char *>(it->constData() + skip);
            vectors[count].iov_len = size_t(it->size() - skip);
        }
        msghdr message{};
        message.msg_iov = vectors;
        message.msg_iovlen = size_t(count);
        const ssize_t n = ::sendmsg(m_fd, &message, MSG_NOSIGNAL);
        if (n < 0) {
            if (wouldBlock(errno))
                return true;
            const int error = errno;
            if (m_writerActive) {
                m_writerActive = false;
                loop().removeWriter(m_fd);
            }
            m_buffer.clear();
            m_sentOfFirst = 0;
            m_bufferSize = 0;
            fatalError(errnoError(error, "sendmsg"), QStringLiteral("Fatal write error on socket transport"));
            return false;
        }
        // Drop what was sent from the front of the queue.
        qsizetype left = n;
        m_bufferSize -= n;
        while (left > 0) {
            const qsizetype firstLeft = m_buffer.front().size() - m_sentOfFirst;
            if (left >= firstLeft) {
                left -= firstLeft;
                m_buffer.pop_front();
                m_sentOfFirst = 0;
            } else {
                m_sentOfFirst += left;
                left = 0;
            }
        }
        if (count == 64 && !m_buffer.empty())
            continue; // there was more than one sendmsg could take
        if (!m_buffer.empty())
            return true; // the socket is full
    }
    return true;
}

void SocketTransport::writeReady()
{
    if (m_connLost)
        return;
    if (!flush())
        return;
    maybeResumeProtocol(); // may write more
    if (!m_buffer.empty())
        return;
    if (m_writerActive) {
        m_writerActive = false;
        loop().removeWriter(m_fd);
    }
    if (m_closing) {
        callConnectionLost(nullptr);
    } else if (m_eof) {
        ::shutdown(m_fd, SHUT_WR);
    }
}

void SocketTransport::writeEof()
{
    if (m_closing || m_eof)
        return;
    m_eof = true;
    if (m_buffer.empty())
        ::shutdown(m_fd, SHUT_WR);
}

void SocketTransport::close()
{
    if (m_closing)
        return;
    m_closing = true;
    if (!m_loop->isClosed())
        loop().removeReader(m_fd);
    if (m_buffer.empty()) {
        ++m_connLost;
        if (m_writerActive) {
            m_writerActive = false;
            loop().removeWriter(m_fd);
        }
        auto self = shared_from_this();
        loop().callSoon([self] { self->callConnectionLost(nullptr); });
    }
    // Otherwise writeReady() finishes the job once the buffer is sent.
}

void SocketTransport::abort()
{
    forceClose(nullptr);
}

void SocketTransport::fatalError(std::exception_ptr error, const QString &message)
{
    // OS errors (a reset peer, EPIPE) are part of life; others are bugs to report.
    if (!isOsError(error)) {
        ExceptionContext context;
        context.message = message;
        context.exception = error;
        context.extra.insert(QStringLiteral("transport"), QStringLiteral("<SocketTransport fd=%1>").arg(m_fd));
        m_loop->callExceptionHandler(context);
    }
    forceClose(error);
}

void SocketTransport::forceClose(std::exception_ptr error)
{
    if (m_connLost)
        return;
    if (!m_buffer.empty()) {
        m_buffer.clear();
        m_sentOfFirst = 0;
        m_bufferSize = 0;
    }
    if (m_writerActive) {
        m_writerActive = false;
        loop().removeWriter(m_fd);
    }
    if (!m_closing) {
        m_closing = true;
        loop().removeReader(m_fd);
    }
    ++m_connLost;
    auto self = shared_from_this();
    loop().callSoon([self, error] { self->callConnectionLost(error); });
}

void SocketTransport::callConnectionLost(std::exception_ptr error)
{
    auto protocol = std::move(m_protocol);
    m_streamProtocol = nullptr;
    m_bufferedProtocol = nullptr;
    struct Finally
    {
        SocketTransport *self;
        ~Finally()
        {
            self->m_sock.close();
            if (auto detached = std::move(self->onDetached))
                detached();
        }
    } finally{this};
    if (protocol)
        protocol->connectionLost(error);
}

void SocketTransport::setWriteBufferLimits(std::optional<qsizetype> high, std::optional<qsizetype> low)
{
    qsizetype h = high ? *high : (low ? 4 * *low : 64 * 1024);
    qsizetype l = low ? *low : h / 4;
    if (!(h >= l && l >= 0))
        throw ValueError(QStringLiteral("high (%1) must be >= low (%2) must be >= 0").arg(h).arg(l));
    m_high = h;
    m_low = l;
    maybePauseProtocol();
}

void SocketTransport::maybePauseProtocol()
{
    if (m_bufferSize <= m_high || m_protocolPaused)
        return;
    m_protocolPaused = true;
    callFlowControl(&BaseProtocol::pauseWriting, "protocol.pauseWriting() failed");
}

void SocketTransport::maybeResumeProtocol()
{
    if (!m_protocolPaused || m_bufferSize > m_low)
        return;
    m_protocolPaused = false;
    callFlowControl(&BaseProtocol::resumeWriting, "protocol.resumeWriting() failed");
}

void SocketTransport::callFlowControl(void (BaseProtocol::*hook)(), const char *failure)
{
    try {
        if (m_protocol)
            (m_protocol.get()->*hook)();
    } catch (...) {
        ExceptionContext context;
        context.message = QString::fromLatin1(failure);
        context.exception = std::current_exception();
        m_loop->callExceptionHandler(context);
    }
}

} // namespace detail
} // namespace qaio
