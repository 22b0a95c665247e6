// socket_transport.h — the stream transport over a non-blocking socket
// (asyncio's _SelectorSocketTransport), on the loop's addReader/addWriter.
#pragma once

#include <qaio/future.h>
#include <qaio/loop.h>
#include <qaio/transports.h>

#include <QtCore/qvariant.h>

#include <deque>
#include <memory>

namespace qaio::detail {

// Makes the stream transport for a connected socket and starts it (connection.cpp).
std::shared_ptr<Transport> makeSocketTransport(Loop &loop, Socket sock, std::shared_ptr<BaseProtocol> protocol,
                                               Future<void> waiter = {});

class SocketTransport final : public Transport, public std::enable_shared_from_this<SocketTransport>
{
public:
    // Takes the connected, non-blocking socket. Call start() right after.
    SocketTransport(Loop &loop, Socket sock, std::shared_ptr<BaseProtocol> protocol);
    ~SocketTransport() override;

    // Schedules connectionMade() and then reading; `waiter` (if valid) is
    // resolved once connectionMade() has run.
    void start(Future<void> waiter = {});
    // Called once connectionLost() ran (a Server uses it to count its clients).
    std::function<void()> onDetached;

    // BaseTransport
    QVariant getExtraInfo(const QString &name, const QVariant &defaultValue = {}) const override;
    bool isClosing() const override { return m_closing; }
    void close() override;
    void setProtocol(std::shared_ptr<BaseProtocol> protocol) override;
    std::shared_ptr<BaseProtocol> getProtocol() const override { return m_protocol; }
    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }
    // ReadTransport
    bool isReading() const override { return !m_closing && !m_paused; }
    void pauseReading() override;
    void resumeReading() override;
    // WriteTransport
    void write(const QByteArray &data) override;
    void writelines(const QList<QByteArray> &data) override;
    void writeEof() override;
    bool canWriteEof() const override { return true; }
    void abort() override;
    void setWriteBufferLimits(std::optional<qsizetype> high = std::nullopt,
                              std::optional<qsizetype> low = std::nullopt) override;
    std::pair<qsizetype, qsizetype> getWriteBufferLimits() const override { return {m_low, m_high}; }
    qsizetype getWriteBufferSize() const override { return m_bufferSize; }

    int fileno() const { return m_fd; }
    // asyncio's _force_close: drops the buffer; connectionLost(error) follows.
    void forceClose(std::exception_ptr error);

private:
    void addReader();
    void readReady();
    void readIntoBuffer();
    void onEof();
    void writeReady();
    // Sends as much of the buffer as the socket takes; false on a fatal error.
    bool flush();
    void fatalError(std::exception_ptr error, const QString &message);
    void callConnectionLost(std::exception_ptr error);
    void maybePauseProtocol();
    void maybeResumeProtocol();
    // pauseWriting()/resumeWriting(); a throwing protocol is reported, not fatal.
    void callFlowControl(void (BaseProtocol::*hook)(), const char *failure);
    Loop &loop() const;

    std::shared_ptr<LoopImpl> m_loop;
    Socket m_sock;
    int m_fd;
    std::shared_ptr<BaseProtocol> m_protocol;
    Protocol *m_streamProtocol = nullptr;       // m_protocol as a Protocol, if it is one
    BufferedProtocol *m_bufferedProtocol = nullptr; // or as a BufferedProtocol
    QVariantMap m_extra;

    std::deque<QByteArray> m_buffer; // queued writes; the first is sent from m_sentOfFirst
    qsizetype m_sentOfFirst = 0;
    qsizetype m_bufferSize = 0;
    qsizetype m_high = 64 * 1024;
    qsizetype m_low = 16 * 1024;
    int m_connLost = 0;
    bool m_closing = false;
    bool m_paused = false;      // reading paused by pauseReading()
    bool m_eof = false;         // writeEof() called
    bool m_protocolPaused = false;
    bool m_writerActive = false;
};

} // namespace qaio::detail
