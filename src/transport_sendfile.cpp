// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// transport_sendfile.cpp — asyncio's loop.sendfile: selector_events'
// _sendfile_native (flush the transport, then sock_sendfile on its socket)
// and base_events' _sendfile_fallback (read + transport.write with flow
// control, through a temporary protocol as _SendfileFallbackProtocol).
#include "file_chunks.h"
#include "socket_transport.h"

#include <qaio/sendfile.h>
#include <qaio/sockets.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <system_error>

namespace qaio {

namespace {

// Stands in for the transport's protocol while a file is sent: it turns
// resumeWriting() into a future to wait on and remembers what the real
// protocol must still be told (a pending resumeWriting, connectionLost).
class SendfileProtocol final : public Protocol
{
public:
    std::shared_ptr<BaseProtocol> original;
    Future<void> writable; // valid while waiting for resumeWriting()
    bool paused = false;
    bool shouldResumeWriting = false; // the original was paused when we took over
    bool lost = false;
    std::exception_ptr lostError;

    void pauseWriting() override { paused = true; }
    void resumeWriting() override
    {
        if (!paused)
            shouldResumeWriting = true;
        paused = false;
        if (writable.isValid() && !writable.done())
            writable.setResult();
    }
    void connectionLost(std::exception_ptr error) override
    {
        lost = true;
        lostError = error;
        if (writable.isValid() && !writable.done())
            writable.setException(closedError());
    }
    std::exception_ptr closedError() const
    {
        return lostError ? lostError
                         : std::make_exception_ptr(std::system_error(
                               std::make_error_code(std::errc::connection_reset), "Connection closed by peer"));
    }
};

// Swaps the protocol in and pauses reading; restore() undoes both.
struct ProtocolSwap
{
    WriteTransport &transport;
    ReadTransport *reader;
    std::shared_ptr<SendfileProtocol> proto;
    bool resumeReading = false;
    bool restored = false;

    ProtocolSwap(WriteTransport &t) : transport(t), reader(dynamic_cast<ReadTransport *>(&t))
    {
        proto = std::make_shared<SendfileProtocol>();
        proto->original = transport.getProtocol();
        if (reader) {
            resumeReading = reader->isReading();
            reader->pauseReading();
        }
        transport.setProtocol(proto);
    }
    void restore()
    {
        if (restored)
            return;
        restored = true;
        transport.setProtocol(proto->original);
        if (proto->writable.isValid() && !proto->writable.done())
            proto->writable.cancel();
        auto original = proto->original;
        if (proto->lost) {
            // The connection ended meanwhile: the real protocol hears of it.
            if (original)
                original->connectionLost(proto->lostError);
            return;
        }
        if (resumeReading && reader)
            reader->resumeReading();
        if (proto->shouldResumeWriting && original)
            original->resumeWriting();
    }
    ~ProtocolSwap() { restore(); }
};

// Waits for resumeWriting() (the buffer went down to the low-water mark).
Coro<void> waitWritable(Loop &loop, std::shared_ptr<SendfileProtocol> proto)
{
    if (proto->lost)
        std::rethrow_exception(proto->closedError());
    proto->writable = loop.createFuture<void>();
    Future<void> writable = proto->writable;
    co_await writable;
}

// A Socket that borrows the transport's fd for sockSendfile (never closes it).
struct BorrowedSocket
{
    Socket sock;
    explicit BorrowedSocket(int fd) : sock(fd) {}
    ~BorrowedSocket() { sock.detach(); }
};

Coro<qint64> sendNative(Loop &loop, detail::SocketTransport &transport, ProtocolSwap &swap, int fileFd,
                        qint64 offset, std::optional<qint64> count)
{
    // Flush first: with limits (0, 0) resumeWriting() comes once the buffer is empty.
    if (transport.getWriteBufferSize() > 0) {
        const auto [low, high] = transport.getWriteBufferLimits();
        transport.setWriteBufferLimits(0, 0);
        try {
            co_await waitWritable(loop, swap.proto);
        } catch (...) {
            transport.setWriteBufferLimits(high, low);
            throw;
        }
        transport.setWriteBufferLimits(high, low);
    }
    if (swap.proto->lost)
        std::rethrow_exception(swap.proto->closedError());
    BorrowedSocket borrowed(transport.fileno());
    co_return co_await sockSendfile(loop, borrowed.sock, fileFd, offset, count, false);
}

Coro<qint64> sendFallback(Loop &loop, WriteTransport &transport, ProtocolSwap &swap, int fileFd, bool regular,
                          qint64 offset, std::optional<qint64> count, qint64 &sent)
{
    if (!regular && offset > 0 && ::lseek(fileFd, off_t(offset), SEEK_SET) < 0)
        throw std::system_error(errno, std::generic_category(), "lseek"); // ESPIPE for a pipe, as file.seek()
    const qsizetype blockSize = qsizetype(std::min<qint64>(count ? *count : 65536, 65536));
    for (;;) {
        const qint64 want = count ? std::min<qint64>(*count - sent, blockSize) : blockSize;
        if (want <= 0)
            break;
        const QByteArray chunk = co_await detail::readFileChunk(loop, fileFd, regular, offset + sent, qsizetype(want));
        if (chunk.isEmpty())
            break;
        // drain(): wait while the transport's buffer is above its high-water mark.
        while (transport.getWriteBufferSize() > transport.getWriteBufferLimits().second)
            co_await waitWritable(loop, swap.proto);
        if (swap.proto->lost)
            std::rethrow_exception(swap.proto->closedError());
        transport.write(chunk);
        sent += chunk.size();
    }
    co_return sent;
}

} // namespace

Coro<qint64> sendfile(Loop &loop, WriteTransport &transport, int fileFd, qint64 offset, std::optional<qint64> count,
                      bool fallback)
{
    if (offset < 0)
        throw ValueError(QStringLiteral("offset must be a non-negative integer (got %1)").arg(offset));
    if (count && *count <= 0)
        throw ValueError(QStringLiteral("count must be a positive integer (got %1)").arg(*count));
    if (transport.isClosing())
        throw RuntimeError("Transport is closing");
    auto *socketTransport = dynamic_cast<detail::SocketTransport *>(&transport);
    if (!socketTransport && !dynamic_cast<Transport *>(&transport))
        throw RuntimeError("sendfile is not supported for this transport (not a stream transport)");
    if (!socketTransport && !fallback)
        throw RuntimeError("fallback is disabled and native sendfile is not supported for this transport");
    struct stat st
    {
    };
    if (::fstat(fileFd, &st) < 0)
        throw std::system_error(errno, std::generic_category(), "fstat");
    const bool regular = S_ISREG(st.st_mode);

    std::shared_ptr<BaseTransport> keepAlive = transport.sharedSelf();
    ProtocolSwap swap(transport);
    qint64 sent = 0;
    try {
        bool native = socketTransport != nullptr;
        if (native) {
            try {
                sent = co_await sendNative(loop, *socketTransport, swap, fileFd, offset, count);
            } catch (const SendfileNotAvailableError &) {
                if (!fallback)
                    throw;
                native = false;
            }
        }
        if (!native)
            co_await sendFallback(loop, transport, swap, fileFd, regular, offset, count, sent);
    } catch (...) {
        if (regular && sent > 0)
            ::lseek(fileFd, off_t(offset + sent), SEEK_SET);
        swap.restore();
        throw;
    }
    if (regular && sent > 0)
        ::lseek(fileFd, off_t(offset + sent), SEEK_SET);
    swap.restore();
    co_return sent;
}

} // namespace qaio
