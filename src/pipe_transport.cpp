// pipe_transport.cpp — asyncio's _UnixReadPipeTransport and
// _UnixWritePipeTransport (unix_events.py) on the loop's addReader/addWriter.
#include "loop_p.h"
#include "os_errors.h"
#include "read_buffer.h"
#include "transport_util.h"

#include <qaio/pipes.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace qaio {

namespace detail {

namespace {

mode_t fileMode(int fd)
{
    struct stat st
    {
    };
    if (::fstat(fd, &st) < 0)
        throw std::system_error(errno, std::generic_category(), "fstat");
    return st.st_mode;
}

void setNonBlocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        throw std::system_error(errno, std::generic_category(), "fcntl(O_NONBLOCK)");
}

// What both pipe transports share: the fd they own, the protocol, the loop.
class PipeBase : public virtual BaseTransport
{
protected:
    PipeBase(Loop &loop, int fd, std::shared_ptr<BaseProtocol> protocol)
        : m_loop(detail::sharedImpl(loop)), m_fd(fd), m_protocol(std::move(protocol))
    {
        m_extra.insert(QStringLiteral("pipe"), fd);
    }
    ~PipeBase() override
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    Loop &loop() const { return m_loop->openOwner(); }

    void reportFatal(std::exception_ptr error, const QString &message, const char *kind)
    {
        // OS errors (the other end went away) are part of life; others are bugs.
        if (isOsError(error))
            return;
        ExceptionContext context;
        context.message = message;
        context.exception = error;
        context.extra.insert(QStringLiteral("transport"), QStringLiteral("<%1 fd=%2>").arg(QLatin1StringView(kind)).arg(m_fd));
        m_loop->callExceptionHandler(context);
    }

    void callConnectionLost(std::exception_ptr error)
    {
        auto protocol = std::move(m_protocol);
        struct Finally
        {
            int &fd;
            ~Finally()
            {
                if (fd >= 0)
                    ::close(fd);
                fd = -1;
            }
        } finally{m_fd};
        if (protocol)
            protocol->connectionLost(error);
    }

public:
    QVariant getExtraInfo(const QString &name, const QVariant &defaultValue) const override
    {
        return m_extra.value(name, defaultValue);
    }
    bool isClosing() const override { return m_closing; }
    std::shared_ptr<BaseProtocol> getProtocol() const override { return m_protocol; }

protected:
    std::shared_ptr<LoopImpl> m_loop;
    int m_fd;
    std::shared_ptr<BaseProtocol> m_protocol;
    QVariantMap m_extra;
    bool m_closing = false;
};

// write(2) without SIGPIPE: a reader that went away must be an EPIPE error,
// not the end of the process (Python ignores SIGPIPE; a C++ program may not).
// Sockets have MSG_NOSIGNAL; for pipes and ttys SIGPIPE is blocked for the
// call and a SIGPIPE it raised is consumed before unblocking.
ssize_t writeNoSignal(int fd, bool isSocket, const char *data, size_t size)
{
    if (isSocket)
        return ::send(fd, data, size, MSG_NOSIGNAL);
    sigset_t pipeSet;
    sigset_t old;
    sigemptyset(&pipeSet);
    sigaddset(&pipeSet, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    const bool wasPending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeSet, &old);
    const ssize_t n = ::write(fd, data, size);
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

} // namespace

class ReadPipeTransport final : public ReadTransport, public PipeBase,
                                public std::enable_shared_from_this<ReadPipeTransport>
{
public:
    ReadPipeTransport(Loop &loop, int fd, std::shared_ptr<BaseProtocol> protocol)
        : PipeBase(loop, fd, nullptr)
    {
        setProtocol(std::move(protocol));
    }

    void start(Future<void> waiter)
    {
        auto self = shared_from_this();
        loop().callSoon([self] {
            if (self->m_protocol)
                self->m_protocol->connectionMade(self.get());
        });
        // Reading starts only after connectionMade() ran.
        loop().callSoon([self] {
            if (self->isReading())
                self->loop().addReader(self->m_fd, [self] { self->readReady(); });
        });
        loop().callSoon([waiter]() mutable {
            if (!waiter.done())
                waiter.setResult();
        });
    }

    void setProtocol(std::shared_ptr<BaseProtocol> protocol) override
    {
        m_protocol = std::move(protocol);
        m_streamProtocol = dynamic_cast<Protocol *>(m_protocol.get());
    }
    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }
    bool isReading() const override { return !m_paused && !m_closing; }
    void pauseReading() override
    {
        if (!isReading())
            return;
        m_paused = true;
        loop().removeReader(m_fd);
    }
    void resumeReading() override
    {
        if (m_closing || !m_paused)
            return;
        m_paused = false;
        auto self = shared_from_this();
        loop().addReader(m_fd, [self] { self->readReady(); });
    }
    void close() override
    {
        if (!m_closing)
            closeWith(nullptr);
    }

private:
    void readReady()
    {
        char *buffer = threadReadBuffer(); // shared by the thread's transports (read_buffer.h)
        const ssize_t n = ::read(m_fd, buffer, size_t(kMaxReadSize));
        if (n < 0) {
            if (!wouldBlock(errno))
                fatalError(errnoError(errno, "read"), QStringLiteral("Fatal read error on pipe transport"));
            return;
        }
        if (n > 0) {
            try {
                if (m_streamProtocol)
                    m_streamProtocol->dataReceived(QByteArray(buffer, n));
            } catch (...) {
                fatalError(std::current_exception(), QStringLiteral("Fatal error: protocol.dataReceived() call failed."));
            }
            return;
        }
        // The writer closed its end: eofReceived(), then connectionLost(nullptr).
        m_closing = true;
        loop().removeReader(m_fd);
        auto self = shared_from_this();
        loop().callSoon([self] {
            try {
                if (self->m_streamProtocol)
                    self->m_streamProtocol->eofReceived();
            } catch (...) {
                ExceptionContext context;
                context.message = QStringLiteral("Exception in callback protocol.eofReceived()");
                context.exception = std::current_exception();
                self->m_loop->callExceptionHandler(context);
            }
        });
        loop().callSoon([self] { self->lost(nullptr); });
    }

    void fatalError(std::exception_ptr error, const QString &message)
    {
        reportFatal(error, message, "ReadPipeTransport");
        closeWith(error);
    }

    void closeWith(std::exception_ptr error)
    {
        m_closing = true;
        loop().removeReader(m_fd);
        auto self = shared_from_this();
        loop().callSoon([self, error] { self->lost(error); });
    }

    void lost(std::exception_ptr error)
    {
        if (m_lost)
            return;
        m_lost = true;
        m_streamProtocol = nullptr;
        callConnectionLost(error);
    }

    Protocol *m_streamProtocol = nullptr;
    bool m_paused = false;
    bool m_lost = false;
};

class WritePipeTransport final : public WriteTransport, public PipeBase,
                                 public std::enable_shared_from_this<WritePipeTransport>
{
public:
    WritePipeTransport(Loop &loop, int fd, std::shared_ptr<BaseProtocol> protocol, bool watchReader, bool isSocket)
        : PipeBase(loop, fd, std::move(protocol)), m_watchReader(watchReader), m_isSocket(isSocket)
    {
    }

    void start(Future<void> waiter)
    {
        auto self = shared_from_this();
        loop().callSoon([self] {
            if (self->m_protocol)
                self->m_protocol->connectionMade(self.get());
        });
        if (m_watchReader) {
            // A pipe's or socket's write end turns readable (EPOLLERR/HUP)
            // when the reader closes: that is how we learn about it.
            loop().callSoon([self] {
                if (!self->m_closing)
                    self->loop().addReader(self->m_fd, [self] { self->readReady(); });
            });
        }
        loop().callSoon([waiter]() mutable {
            if (!waiter.done())
                waiter.setResult();
        });
    }

    void setProtocol(std::shared_ptr<BaseProtocol> protocol) override { m_protocol = std::move(protocol); }
    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }
    qsizetype getWriteBufferSize() const override { return m_buffer.size(); }
    std::pair<qsizetype, qsizetype> getWriteBufferLimits() const override { return {m_low, m_high}; }
    bool canWriteEof() const override { return true; }

    void write(const QByteArray &data) override
    {
        if (data.isEmpty())
            return;
        if (m_connLost || m_closing) {
            ++m_connLost; // asyncio ignores (and counts) writes after the pipe closed
            return;
        }
        qsizetype sent = 0;
        if (m_buffer.isEmpty()) {
            // Try to write at once; queue only what the pipe did not take.
            const ssize_t n = writeNoSignal(m_fd, m_isSocket, data.constData(), size_t(data.size()));
            if (n < 0 && !wouldBlock(errno)) {
                ++m_connLost;
                fatalError(errnoError(errno, "write"), QStringLiteral("Fatal write error on pipe transport"));
                return;
            }
            sent = n < 0 ? 0 : n;
            if (sent == data.size())
                return;
            auto self = shared_from_this();
            loop().addWriter(m_fd, [self] { self->writeReady(); });
        }
        m_buffer.append(data.constData() + sent, data.size() - sent);
        maybePauseProtocol();
    }

    void writeEof() override
    {
        if (m_closing)
            return;
        m_closing = true;
        if (m_buffer.isEmpty()) {
            loop().removeReader(m_fd);
            auto self = shared_from_this();
            loop().callSoon([self] { self->lost(nullptr); });
        }
        // Otherwise writeReady() closes once the buffer is written.
    }

    void close() override
    {
        if (m_fd >= 0 && !m_closing)
            writeEof(); // all a write pipe needs to close
    }

    void abort() override { closeWith(nullptr); }

    void setWriteBufferLimits(std::optional<qsizetype> high, std::optional<qsizetype> low) override
    {
        const qsizetype h = high ? *high : (low ? 4 * *low : 64 * 1024);
        const qsizetype l = low ? *low : h / 4;
        if (!(h >= l && l >= 0))
            throw ValueError(QStringLiteral("high (%1) must be >= low (%2) must be >= 0").arg(h).arg(l));
        m_high = h;
        m_low = l;
        maybePauseProtocol();
    }

private:
    void readReady()
    {
        // The pipe was closed by the reader.
        if (!m_buffer.isEmpty())
            closeWith(errnoError(EPIPE, "the pipe was closed by the reader"));
        else
            closeWith(nullptr);
    }

    void writeReady()
    {
        const ssize_t n = writeNoSignal(m_fd, m_isSocket, m_buffer.constData(), size_t(m_buffer.size()));
        if (n < 0) {
            if (wouldBlock(errno))
                return;
            const int error = errno;
            m_buffer.clear();
            ++m_connLost;
            loop().removeWriter(m_fd);
            fatalError(errnoError(error, "write"), QStringLiteral("Fatal write error on pipe transport"));
            return;
        }
        if (n == m_buffer.size()) {
            m_buffer.clear();
            loop().removeWriter(m_fd);
            maybeResumeProtocol(); // may write more
            if (m_closing && m_buffer.isEmpty()) {
                loop().removeReader(m_fd);
                lost(nullptr);
            }
            return;
        }
        m_buffer.remove(0, n);
    }

    void fatalError(std::exception_ptr error, const QString &message)
    {
        reportFatal(error, message, "WritePipeTransport");
        closeWith(error);
    }

    void closeWith(std::exception_ptr error)
    {
        if (m_lost || m_closeScheduled)
            return;
        m_closing = true;
        m_closeScheduled = true;
        if (!m_buffer.isEmpty())
            loop().removeWriter(m_fd);
        m_buffer.clear();
        loop().removeReader(m_fd);
        auto self = shared_from_this();
        loop().callSoon([self, error] { self->lost(error); });
    }

    void lost(std::exception_ptr error)
    {
        if (m_lost)
            return;
        m_lost = true;
        callConnectionLost(error);
    }

    void maybePauseProtocol()
    {
        if (m_buffer.size() <= m_high || m_protocolPaused)
            return;
        m_protocolPaused = true;
        callFlowControl(&BaseProtocol::pauseWriting, "protocol.pauseWriting() failed");
    }

    void maybeResumeProtocol()
    {
        if (!m_protocolPaused || m_buffer.size() > m_low)
            return;
        m_protocolPaused = false;
        callFlowControl(&BaseProtocol::resumeWriting, "protocol.resumeWriting() failed");
    }

    void callFlowControl(void (BaseProtocol::*hook)(), const char *failure)
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

    QByteArray m_buffer;
    qsizetype m_high = 64 * 1024;
    qsizetype m_low = 16 * 1024;
    int m_connLost = 0;
    bool m_watchReader;
    bool m_isSocket;
    bool m_protocolPaused = false;
    bool m_closeScheduled = false;
    bool m_lost = false;
};

} // namespace detail

Coro<ReadPipeTransportAndProtocol> connectReadPipe(Loop &loop, ProtocolFactory factory, int fd)
{
    const mode_t mode = detail::fileMode(fd);
    if (!(S_ISFIFO(mode) || S_ISSOCK(mode) || S_ISCHR(mode)))
        throw ValueError("Pipe transport is for pipes/sockets only.");
    auto protocol = detail::makeProtocol(factory);
    detail::setNonBlocking(fd);
    auto waiter = loop.createFuture<void>();
    auto transport = std::make_shared<detail::ReadPipeTransport>(loop, fd, protocol);
    transport->start(waiter);
    try {
        co_await waiter; // connectionMade() has run
    } catch (...) {
        transport->close();
        throw;
    }
    co_return ReadPipeTransportAndProtocol(transport, protocol);
}

Coro<WritePipeTransportAndProtocol> connectWritePipe(Loop &loop, ProtocolFactory factory, int fd)
{
    const mode_t mode = detail::fileMode(fd);
    if (!(S_ISFIFO(mode) || S_ISSOCK(mode) || S_ISCHR(mode)))
        throw ValueError("Pipe transport is only for pipes, sockets and character devices");
    auto protocol = detail::makeProtocol(factory);
    detail::setNonBlocking(fd);
    auto waiter = loop.createFuture<void>();
    auto transport = std::make_shared<detail::WritePipeTransport>(loop, fd, protocol,
                                                                  S_ISSOCK(mode) || S_ISFIFO(mode), S_ISSOCK(mode));
    transport->start(waiter);
    try {
        co_await waiter;
    } catch (...) {
        transport->close();
        throw;
    }
    co_return WritePipeTransportAndProtocol(transport, protocol);
}

} // namespace qaio
