// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// sslproto.h — asyncio's sslproto.py: SSLProtocol sits on a socket transport
// as its (buffered) protocol, runs OpenSSL over two memory BIOs, and offers
// the application an SslTransport that reads and writes plaintext.
//
//   socket <-> SocketTransport <-> SSLProtocol (SSL*, rbio, wbio) <-> SslTransport <-> app protocol
#pragma once

#include "loop_ref.h"
#include "socket_transport.h"
#include "transport_base.h"
#include "ssl_context.h"

#include <qaio/connection.h>
#include <qaio/future.h>
#include <qaio/handle.h>
#include <qaio/loop.h>
#include <qaio/protocols.h>
#include <qaio/server.h>
#include <qaio/transports.h>

#include <QtCore/qvariant.h>

#include <deque>
#include <memory>
#include <optional>

namespace qaio::detail {

class SslTransport;

class SSLProtocol final : public BufferedProtocol, public std::enable_shared_from_this<SSLProtocol>
{
public:
    enum class State { Unwrapped, DoHandshake, Wrapped, Flushing, Shutdown };
    enum class AppState { Init, ConMade, Eof, ConLost };

    struct Options
    {
        bool serverSide = false;
        QString serverHostname;
        bool callConnectionMade = true; // false for startTls: the app protocol is already connected
        double handshakeTimeout = 60;
        double shutdownTimeout = 30;
    };

    // `waiter` (optional) resolves when the handshake is done and the app
    // protocol's connectionMade() ran, or fails with the handshake's error.
    SSLProtocol(Loop &loop, std::shared_ptr<BaseProtocol> appProtocol, std::shared_ptr<SslContext> context,
                Future<void> waiter, Options options);
    ~SSLProtocol() override;

    // The application's transport (made on first use, then the same one).
    std::shared_ptr<SslTransport> appTransport();

    // BufferedProtocol, called by the socket transport
    void connectionMade(BaseTransport *transport) override;
    void connectionLost(std::exception_ptr error) override;
    std::span<char> getBuffer(qsizetype sizeHint) override;
    void bufferUpdated(qsizetype nbytes) override;
    bool eofReceived() override;
    void pauseWriting() override;
    void resumeWriting() override;

    // Checks the timeouts as asyncio does (ValueError unless > 0).
    static void checkTimeouts(double handshakeTimeout, double shutdownTimeout);

private:
    friend class SslTransport;

    void setAppProtocol(std::shared_ptr<BaseProtocol> protocol);
    QVariant extraInfo(const QString &name, const QVariant &defaultValue) const;
    void setState(State state);
    // `method` after `delay` seconds, unless this protocol is gone by then (the timeouts).
    TimerHandle callLaterWhileAlive(double delay, void (SSLProtocol::*method)());
    void startHandshake();
    void checkHandshakeTimeout();
    void doHandshake();
    void onHandshakeComplete(std::exception_ptr error);
    void startShutdown();
    void checkShutdownTimeout();
    void doFlush();
    void doShutdown();
    void onShutdownComplete(std::exception_ptr error);
    void abort(std::exception_ptr error);
    void writeAppdata(const QList<QByteArray> &data);
    void doWrite();
    void processOutgoing();
    void doRead();
    void doReadBuffered();
    void doReadCopied();
    // After SSL_read() returned `result` <= 0: true at the peer's close_notify,
    // false when it wants more data; throws the SSL error otherwise.
    bool readEnded(int result);
    void callEofReceived();
    void controlAppWriting();
    qsizetype writeBufferSize() const;
    void pauseAppReading();
    void resumeAppReading();
    void controlSslReading();
    void fatalError(std::exception_ptr error, const QString &message = QStringLiteral("Fatal error on transport"));
    void wakeUpWaiter(std::exception_ptr error = nullptr);
    void continueByState();

    LoopRef m_loop;
    std::shared_ptr<SslContext> m_context;
    Options m_options;
    SSL *m_ssl = nullptr;
    BIO *m_incoming = nullptr; // owned by m_ssl
    BIO *m_outgoing = nullptr; // owned by m_ssl
    Future<void> m_waiter;
    std::shared_ptr<BaseProtocol> m_app;
    Protocol *m_appStream = nullptr;
    BufferedProtocol *m_appBuffered = nullptr;
    std::shared_ptr<SslTransport> m_appTransport;
    std::shared_ptr<SocketTransport> m_transport;
    QVariantMap m_extra;
    State m_state = State::Unwrapped;
    AppState m_appState = AppState::Init;
    int m_connLost = 0;
    TimerHandle m_handshakeTimeout;
    TimerHandle m_shutdownTimeout;

    WriteQueue m_writeBacklog; // the app's writes, not yet taken by SSL_write

    bool m_sslWritingPaused = false; // the socket transport's buffer is full
    bool m_appReadingPaused = false; // the app called pauseReading()
    bool m_sslReadingPaused = false; // we paused the socket transport (rbio too full)
    bool m_eofReceived = false;
    qsizetype m_incomingHigh = 256 * 1024; // asyncio's FLOW_CONTROL_HIGH_WATER_SSL_READ
    qsizetype m_incomingLow = 64 * 1024;
    WriteFlowControl m_appFlow{512 * 1024}; // FLOW_CONTROL_HIGH_WATER_SSL_WRITE
};

// asyncio's _SSLProtocolTransport: the plaintext side the application uses.
class SslTransport final : public Transport, public std::enable_shared_from_this<SslTransport>
{
public:
    explicit SslTransport(std::shared_ptr<SSLProtocol> ssl) : m_ssl(std::move(ssl)) {}

    QVariant getExtraInfo(const QString &name, const QVariant &defaultValue = {}) const override;
    bool isClosing() const override { return m_closed; }
    // Sends what is buffered, then close_notify, waits (up to the shutdown
    // timeout) for the peer's close_notify, then closes the socket.
    void close() override;
    void setProtocol(std::shared_ptr<BaseProtocol> protocol) override;
    std::shared_ptr<BaseProtocol> getProtocol() const override;
    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }
    bool isReading() const override;
    void pauseReading() override;
    void resumeReading() override;
    void write(const QByteArray &data) override;
    void writelines(const QList<QByteArray> &data) override;
    // TLS has no half-close: RuntimeError (asyncio raises NotImplementedError).
    void writeEof() override;
    bool canWriteEof() const override { return false; }
    void abort() override;
    void setWriteBufferLimits(std::optional<qsizetype> high = std::nullopt,
                              std::optional<qsizetype> low = std::nullopt) override;
    std::pair<qsizetype, qsizetype> getWriteBufferLimits() const override;
    qsizetype getWriteBufferSize() const override;

private:
    friend class SSLProtocol;
    std::shared_ptr<SSLProtocol> m_ssl;
    bool m_closed = false;
};

} // namespace qaio::detail

namespace qaio::detail {

// What TLS on a new connection needs: the configuration and the SSLProtocol's options.
struct TlsSetup
{
    QSslConfiguration config;
    SSLProtocol::Options options;
};
// createConnection's TLS options, checked as asyncio does (serverHostname
// defaults to `host`; ValueError for what makes no sense); nullopt without ssl.
std::optional<TlsSetup> clientTls(const ConnectionOptions &options, const QString &host);
// The server side's (connectAcceptedSocket, createServer); nullopt without ssl.
std::optional<TlsSetup> serverTls(const std::optional<QSslConfiguration> &ssl, double handshakeTimeout,
                                  double shutdownTimeout);
// Runs `protocol` over TLS on a connected socket: returns once the handshake
// is done and the protocol's connectionMade() ran.
Coro<TransportAndProtocol> runTls(Loop &loop, Socket sock, std::shared_ptr<BaseProtocol> protocol, TlsSetup tls);
// createServer's: the protocol a server puts on an accepted socket (`app` itself without TLS).
std::shared_ptr<BaseProtocol> serverTlsProtocol(Loop &loop, std::shared_ptr<BaseProtocol> app,
                                                const ServerOptions &options);
// Checks ServerOptions' TLS part before the server starts.
void checkServerTls(const ServerOptions &options);

} // namespace qaio::detail
