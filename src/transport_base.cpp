// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// transport_base.cpp — the write queue and TransportBase (transport_base.h).
#include "transport_base.h"
#include "os_errors.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <system_error>

namespace qaio::detail {

// ---------------------------------------------------------------- WriteQueue

void WriteQueue::push(const QByteArray &data, qsizetype alreadySent)
{
    if (m_chunks.empty())
        m_sentOfFirst = alreadySent;
    else
        Q_ASSERT(alreadySent == 0);
    m_chunks.push_back(data);
    m_size += data.size() - alreadySent;
}

void WriteQueue::clear()
{
    m_chunks.clear();
    m_sentOfFirst = 0;
    m_size = 0;
}

int WriteQueue::flush(int fd, Writev writev)
{
    constexpr int kMaxVectors = 64; // well below IOV_MAX; more waits for the next call
    while (!m_chunks.empty()) {
        iovec vectors[kMaxVectors];
        int count = 0;
        for (auto it = m_chunks.begin(); it != m_chunks.end() && count < kMaxVectors; ++it, ++count) {
            const qsizetype skip = count == 0 ? m_sentOfFirst : 0;
            vectors[count].iov_base = const_cast<char *>(it->constData() + skip);
            vectors[count].iov_len = size_t(it->size() - skip);
        }
        const ssize_t n = writev(fd, vectors, count);
        if (n < 0)
            return wouldBlock(errno) ? 0 : errno;
        dropSent(n);
        if (!m_chunks.empty() && count < kMaxVectors)
            return 0; // the fd is full
        // Otherwise there was more than one call could take: go on.
    }
    return 0;
}

void WriteQueue::dropSent(qsizetype sent)
{
    m_size -= sent;
    while (sent > 0) {
        const qsizetype firstLeft = m_chunks.front().size() - m_sentOfFirst;
        if (sent < firstLeft) {
            m_sentOfFirst += sent;
            return;
        }
        sent -= firstLeft;
        m_chunks.pop_front();
        m_sentOfFirst = 0;
    }
}

ssize_t sendmsgNoSignal(int fd, const iovec *vectors, int count)
{
    msghdr message{};
    message.msg_iov = const_cast<iovec *>(vectors);
    message.msg_iovlen = size_t(count);
    return ::sendmsg(fd, &message, MSG_NOSIGNAL);
}

// A reader that went away must be an EPIPE error, not the end of the
// process (Python ignores SIGPIPE; a C++ program may not). Sockets have
// MSG_NOSIGNAL; for pipes and ttys SIGPIPE is blocked for the call and a
// SIGPIPE it raised is consumed before unblocking.
ssize_t writevNoSignal(int fd, const iovec *vectors, int count)
{
    sigset_t pipeSet;
    sigset_t old;
    sigemptyset(&pipeSet);
    sigaddset(&pipeSet, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    const bool wasPending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeSet, &old);
    const ssize_t n = ::writev(fd, vectors, count);
    const int error = errno;
    if (n < 0 && error == EPIPE && !wasPending) {
        const timespec zero{};
        while (sigtimedwait(&pipeSet, nullptr, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = error;
    return n;
}

// ---------------------------------------------------------------- TransportBase

TransportBase::TransportBase(Loop &loop, int fd, const char *name) : m_loop(loop), m_fd(fd), m_name(name) {}

TransportBase::~TransportBase() = default;

QVariant TransportBase::getExtraInfo(const QString &name, const QVariant &defaultValue) const
{
    return m_extra.value(name, defaultValue);
}

void TransportBase::start(Future<void> waiter)
{
    auto self = sharedBase();
    loop().callSoon([self] {
        if (self->m_protocol)
            self->m_protocol->connectionMade(self.get());
    });
    // The OS may refuse to watch the fd (epoll_ctl ENOMEM): that loses the
    // connection with the error, instead of leaving it open and never read.
    loop().callSoon([self] {
        try {
            self->startReading();
        } catch (...) {
            self->fatalError(std::current_exception(), QStringLiteral("Fatal error: cannot watch the file descriptor"));
        }
    });
    if (waiter.isValid()) {
        loop().callSoon([waiter]() mutable {
            if (!waiter.done())
                waiter.setResult();
        });
    }
}

bool TransportBase::addSocketExtra(const Socket &sock)
{
    m_extra.insert(QStringLiteral("socket"), sock.fileno());
    try {
        m_extra.insert(QStringLiteral("sockname"), QVariant::fromValue(sock.localAddress()));
    } catch (const std::system_error &) {
    }
    try {
        m_extra.insert(QStringLiteral("peername"), QVariant::fromValue(sock.peerAddress()));
        return true;
    } catch (const std::system_error &) {
        return false; // not connected (yet), or the peer is already gone
    }
}

void TransportBase::setProtocol(std::shared_ptr<BaseProtocol> protocol)
{
    m_protocol = std::move(protocol);
    protocolChanged();
}

std::shared_ptr<TransportBase> TransportBase::sharedBase()
{
    return std::shared_ptr<TransportBase>(sharedSelf(), this);
}

void TransportBase::setWriteLimits(std::optional<qsizetype> high, std::optional<qsizetype> low)
{
    m_flow.setLimits(high, low);
    maybePauseProtocol();
}

// ---- writing

void TransportBase::sendOrQueue(const QByteArray &data)
{
    if (m_writeQueue.empty()) {
        const iovec vector{const_cast<char *>(data.constData()), size_t(data.size())};
        const ssize_t n = m_writev(m_fd, &vector, 1);
        if (n < 0 && !wouldBlock(errno)) {
            fatalError(errnoError(errno, m_writevCall), QString::fromLatin1(m_writeFailure));
            return;
        }
        const qsizetype sent = n < 0 ? 0 : n;
        if (sent == data.size())
            return;
        m_writeQueue.push(data, sent);
    } else {
        m_writeQueue.push(data);
    }
    if (startWriter())
        maybePauseProtocol();
}

void TransportBase::queueAndFlush(const QList<QByteArray> &data)
{
    for (const QByteArray &chunk : data) {
        if (!chunk.isEmpty())
            m_writeQueue.push(chunk);
    }
    if (m_writeQueue.empty())
        return;
    if (const int error = m_writeQueue.flush(m_fd, m_writev)) {
        fatalError(errnoError(error, m_writevCall), QString::fromLatin1(m_writeFailure));
        return;
    }
    if (!m_writeQueue.empty() && !startWriter())
        return;
    maybePauseProtocol();
}

void TransportBase::writeReady()
{
    if (m_connLost)
        return;
    if (const int error = m_writeQueue.flush(m_fd, m_writev)) {
        fatalError(errnoError(error, m_writevCall), QString::fromLatin1(m_writeFailure));
        return;
    }
    afterFlush();
}

void TransportBase::afterFlush()
{
    maybeResumeProtocol(); // may write more
    if (bufferedBytes() != 0)
        return;
    stopWriter();
    if (m_closing) {
        ++m_connLost;
        callConnectionLost(nullptr);
    } else {
        writeDrained();
    }
}

bool TransportBase::startWriter()
{
    if (m_writerActive)
        return true;
    try {
        loop().addWriter(m_fd, [self = sharedBase()] { self->writeReady(); });
    } catch (...) {
        // The OS refused to watch the fd (epoll_ctl ENOMEM): lose the
        // connection with that error rather than hold a buffer nothing sends.
        fatalError(std::current_exception(), QStringLiteral("Fatal error: cannot watch the file descriptor"));
        return false;
    }
    m_writerActive = true;
    return true;
}

void TransportBase::stopWriter()
{
    if (!m_writerActive)
        return;
    m_writerActive = false;
    loop().removeWriter(m_fd);
}

// ---- teardown

void TransportBase::close()
{
    if (m_closing)
        return;
    m_closing = true;
    if (!m_loop.isClosed())
        loop().removeReader(m_fd);
    if (bufferedBytes() == 0) {
        stopWriter();
        scheduleConnectionLost(nullptr);
    }
    // Otherwise afterFlush() finishes the job once the buffer is sent.
}

void TransportBase::fatalError(std::exception_ptr error, const QString &message)
{
    // OS errors (a reset peer, EPIPE) are part of life; others are bugs to report.
    if (!isOsError(error)) {
        ExceptionContext context;
        context.message = message;
        context.exception = error;
        context.extra.insert(QStringLiteral("transport"),
                             QStringLiteral("<%1 fd=%2>").arg(QLatin1StringView(m_name)).arg(m_fd));
        m_loop.callExceptionHandler(context);
    }
    forceClose(error);
}

void TransportBase::forceClose(std::exception_ptr error)
{
    if (m_connLost)
        return;
    clearWriteBuffer();
    stopWriter();
    m_closing = true;
    loop().removeReader(m_fd);
    scheduleConnectionLost(error);
}

void TransportBase::scheduleConnectionLost(std::exception_ptr error)
{
    ++m_connLost;
    loop().callSoon([self = sharedBase(), error] { self->callConnectionLost(error); });
}

void TransportBase::callConnectionLost(std::exception_ptr error)
{
    if (m_lost)
        return;
    m_lost = true;
    auto protocol = std::move(m_protocol);
    protocolChanged();
    struct Finally
    {
        TransportBase *transport;
        ~Finally() { transport->releaseResources(); }
    } finally{this};
    if (protocol)
        protocol->connectionLost(error);
}

Coro<void> startTransport(Loop &loop, std::shared_ptr<TransportBase> transport)
{
    auto waiter = loop.createFuture<void>();
    transport->start(waiter);
    co_await awaitConnectionMade(waiter, transport->sharedSelf());
}

} // namespace qaio::detail
