// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// transport_base.h — private: what the library's fd transports share
// (socket, pipe and datagram): asyncio's _SelectorTransport with its
// _FlowControlMixin, and one write queue flushed with one vectored write per
// call, as libuv's stream write engine (src/unix/stream.c).
//
// A transport keeps only what is its own: how it reads, what its write()
// checks first, and what it closes at the end (releaseResources()).
#pragma once

#include "loop_ref.h"
#include "transport_util.h"

#include <qaio/future.h>
#include <qaio/socket.h>
#include <qaio/transports.h>

#include <QtCore/qvariant.h>

#include <sys/types.h>
#include <sys/uio.h>

#include <deque>
#include <exception>
#include <memory>
#include <optional>

namespace qaio::detail {

// A stream's queued writes; the first is sent from m_sentOfFirst.
class WriteQueue
{
public:
    // writev(2) or sendmsg(2) on `fd`: the bytes written, or -1 with errno set.
    using Writev = ssize_t (*)(int fd, const iovec *vectors, int count);

    bool empty() const { return m_chunks.empty(); }
    qsizetype size() const { return m_size; }
    // Queues what `data` holds past its first `alreadySent` bytes.
    void push(const QByteArray &data, qsizetype alreadySent = 0);
    void clear();
    // Writes until the queue is empty or `fd` is full: 0, or the errno of
    // the write that failed (the queue is left as it was then).
    int flush(int fd, Writev writev);
    // For a writer that takes one buffer at a time (TLS's SSL_write): the
    // unsent part of the first buffer, and dropping what was written of it.
    QByteArrayView front() const { return QByteArrayView(m_chunks.front()).sliced(m_sentOfFirst); }
    void dropSent(qsizetype sent);

private:

    std::deque<QByteArray> m_chunks;
    qsizetype m_sentOfFirst = 0;
    qsizetype m_size = 0;
};

// The vectored writes a stream transport flushes with.
ssize_t sendmsgNoSignal(int fd, const iovec *vectors, int count); // sockets: MSG_NOSIGNAL
ssize_t writevNoSignal(int fd, const iovec *vectors, int count);  // pipes and ttys: SIGPIPE blocked

class TransportBase : public virtual BaseTransport
{
public:
    // BaseTransport
    QVariant getExtraInfo(const QString &name, const QVariant &defaultValue = {}) const override;
    bool isClosing() const override { return m_closing; }
    // Stops reading; connectionLost(nullptr) follows once the write buffer is sent.
    void close() override;
    void setProtocol(std::shared_ptr<BaseProtocol> protocol) override;
    std::shared_ptr<BaseProtocol> getProtocol() const override { return m_protocol; }

    int fileno() const { return m_fd; }
    // From the loop: the protocol's connectionMade(), then startReading(),
    // then `waiter` (if valid) is resolved.
    void start(Future<void> waiter = {});
    // asyncio's _force_close: drops the write buffer, stops reading;
    // connectionLost(error) follows from the loop.
    void forceClose(std::exception_ptr error);

protected:
    // `name`: how the loop's exception handler names the transport.
    TransportBase(Loop &loop, int fd, const char *name);
    ~TransportBase() override;

    Loop &loop() const { return m_loop.openLoop(); }
    // Watch the fd for reading (or, for a write pipe, for its reader going away).
    virtual void startReading() {}
    // The "socket", "sockname" and "peername" extra info; false when there is no peer.
    bool addSocketExtra(const Socket &sock);
    // sharedSelf() as this class, for the callbacks that keep the transport alive.
    std::shared_ptr<TransportBase> sharedBase();

    // ---- flow control (asyncio's _FlowControlMixin) ----
    // The bytes waiting to be written (the datagram transport counts its own).
    virtual qsizetype bufferedBytes() const { return m_writeQueue.size(); }
    void setWriteLimits(std::optional<qsizetype> high, std::optional<qsizetype> low);
    void maybePauseProtocol() { m_flow.maybePause(bufferedBytes(), m_protocol.get(), m_loop); }
    void maybeResumeProtocol() { m_flow.maybeResume(bufferedBytes(), m_protocol.get(), m_loop); }

    // ---- writing ----
    // write(): straight to the fd while nothing is queued; what it does not
    // take is queued and sent when the fd is writable.
    void sendOrQueue(const QByteArray &data);
    // writelines(): everything queued, then one vectored flush.
    void queueAndFlush(const QList<QByteArray> &data);
    // The fd is writable: flush the queue (the datagram transport sends its own).
    virtual void writeReady();
    // After a flush: resumeWriting() below the low-water mark; once the
    // buffer is empty, stop watching writability and finish a pending close.
    void afterFlush();
    // The buffer emptied while not closing (the socket's writeEof shuts down then).
    virtual void writeDrained() {}
    // Watches writability to flush the queue; false (the connection is lost
    // with the error) if the OS refuses.
    bool startWriter();
    void stopWriter();
    // The stream write path's system call, its name, and the message a
    // failed write is reported with.
    void setWritev(WriteQueue::Writev writev, const char *call, const char *failure)
    {
        m_writev = writev;
        m_writevCall = call;
        m_writeFailure = failure;
    }

    // ---- teardown (asyncio's _SelectorTransport) ----
    // Reports `error` to the loop's handler unless it is an OS error, then forceClose(error).
    void fatalError(std::exception_ptr error, const QString &message);
    // connectionLost(error) from the loop, once.
    void scheduleConnectionLost(std::exception_ptr error);
    void callConnectionLost(std::exception_ptr error);
    // The protocol was replaced (or dropped): refresh what is derived from it.
    virtual void protocolChanged() {}
    // The write buffer is dropped (forceClose).
    virtual void clearWriteBuffer() { m_writeQueue.clear(); }
    // After connectionLost(): close the fd (and whatever else is the transport's).
    virtual void releaseResources() = 0;

    LoopRef m_loop;
    int m_fd;
    std::shared_ptr<BaseProtocol> m_protocol;
    QVariantMap m_extra;
    WriteQueue m_writeQueue;
    WriteFlowControl m_flow;
    int m_connLost = 0; // counts the writes after the connection was lost, as asyncio
    bool m_closing = false;

private:
    const char *m_name;
    WriteQueue::Writev m_writev = nullptr;
    const char *m_writevCall = "write";
    const char *m_writeFailure = "Fatal write error on transport";
    bool m_writerActive = false;
    bool m_lost = false; // connectionLost() was called
};

// Starts `transport` and returns once its protocol's connectionMade() has
// run; closes the transport if that wait fails (a cancelled connect).
Coro<void> startTransport(Loop &loop, std::shared_ptr<TransportBase> transport);

} // namespace qaio::detail
