// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// pipe_transport.cpp — asyncio's _UnixReadPipeTransport and
// _UnixWritePipeTransport (unix_events.py) on the loop's addReader/addWriter.
#include "os_errors.h"
#include "read_buffer.h"
#include "transport_base.h"

#include <qaio/pipes.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace qaio {

namespace detail {

namespace {

// fd's file type; ValueError (`error`) unless it is a pipe, socket or character device.
mode_t pipeMode(int fd, const char *error)
{
    struct stat st
    {
    };
    if (::fstat(fd, &st) < 0)
        throw std::system_error(errno, std::generic_category(), "fstat");
    if (!(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode)))
        throw ValueError(error);
    return st.st_mode;
}

void setNonBlocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        throw std::system_error(errno, std::generic_category(), "fcntl(O_NONBLOCK)");
}

// What both pipe transports share beyond TransportBase: the fd is theirs to close.
class PipeTransportBase : public TransportBase
{
protected:
    PipeTransportBase(Loop &loop, int fd, const char *name) : TransportBase(loop, fd, name)
    {
        m_extra.insert(QStringLiteral("pipe"), fd);
    }
    ~PipeTransportBase() override { releaseResources(); }

    void releaseResources() override
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }
};

} // namespace

class ReadPipeTransport final : public ReadTransport, public PipeTransportBase,
                                public std::enable_shared_from_this<ReadPipeTransport>
{
public:
    ReadPipeTransport(Loop &loop, int fd, std::shared_ptr<BaseProtocol> protocol)
        : PipeTransportBase(loop, fd, "ReadPipeTransport")
    {
        setProtocol(std::move(protocol));
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
        startReading();
    }

private:
    void startReading() override
    {
        if (isReading())
            loop().addReader(m_fd, [self = shared_from_this()] { self->readReady(); });
    }
    void protocolChanged() override { m_streamProtocol = dynamic_cast<Protocol *>(m_protocol.get()); }

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
                self->m_loop.callExceptionHandler(context);
            }
        });
        scheduleConnectionLost(nullptr);
    }

    Protocol *m_streamProtocol = nullptr;
    bool m_paused = false;
};

class WritePipeTransport final : public WriteTransport, public PipeTransportBase,
                                 public std::enable_shared_from_this<WritePipeTransport>
{
public:
    WritePipeTransport(Loop &loop, int fd, std::shared_ptr<BaseProtocol> protocol, bool watchReader, bool isSocket)
        : PipeTransportBase(loop, fd, "WritePipeTransport"), m_watchReader(watchReader)
    {
        setWritev(isSocket ? sendmsgNoSignal : writevNoSignal, "write", "Fatal write error on pipe transport");
        setProtocol(std::move(protocol));
    }

    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }
    qsizetype getWriteBufferSize() const override { return m_writeQueue.size(); }
    std::pair<qsizetype, qsizetype> getWriteBufferLimits() const override { return m_flow.get(); }
    void setWriteBufferLimits(std::optional<qsizetype> high, std::optional<qsizetype> low) override
    {
        setWriteLimits(high, low);
    }
    bool canWriteEof() const override { return true; }

    void write(const QByteArray &data) override
    {
        if (data.isEmpty())
            return;
        if (m_connLost || m_closing) {
            ++m_connLost; // asyncio ignores (and counts) writes after the pipe closed
            return;
        }
        sendOrQueue(data);
    }

    // All a write pipe needs to close: what is buffered is written first.
    void writeEof() override { close(); }
    void abort() override { forceClose(nullptr); }

private:
    // A pipe's or socket's write end turns readable (EPOLLERR/HUP) when the
    // reader closes: that is how we learn about it.
    void startReading() override
    {
        if (m_watchReader && !m_closing)
            loop().addReader(m_fd, [self = shared_from_this()] { self->readerClosed(); });
    }

    void readerClosed()
    {
        forceClose(m_writeQueue.empty() ? nullptr : errnoError(EPIPE, "the pipe was closed by the reader"));
    }

    bool m_watchReader;
};

} // namespace detail

Coro<ReadPipeTransportAndProtocol> connectReadPipe(Loop &loop, ProtocolFactory factory, int fd)
{
    detail::pipeMode(fd, "Pipe transport is for pipes/sockets only.");
    auto protocol = detail::makeProtocol(factory);
    detail::setNonBlocking(fd);
    auto transport = std::make_shared<detail::ReadPipeTransport>(loop, fd, protocol);
    co_await detail::startTransport(loop, transport);
    co_return ReadPipeTransportAndProtocol(transport, protocol);
}

Coro<WritePipeTransportAndProtocol> connectWritePipe(Loop &loop, ProtocolFactory factory, int fd)
{
    const mode_t mode = detail::pipeMode(fd, "Pipe transport is only for pipes, sockets and character devices");
    auto protocol = detail::makeProtocol(factory);
    detail::setNonBlocking(fd);
    auto transport = std::make_shared<detail::WritePipeTransport>(loop, fd, protocol,
                                                                  S_ISSOCK(mode) || S_ISFIFO(mode), S_ISSOCK(mode));
    co_await detail::startTransport(loop, transport);
    co_return WritePipeTransportAndProtocol(transport, protocol);
}

} // namespace qaio
