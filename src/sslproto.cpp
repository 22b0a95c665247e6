// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// sslproto.cpp — asyncio's SSLProtocol (Python 3.11+ sslproto.py) step by
// step: the state machine UNWRAPPED -> DO_HANDSHAKE -> WRAPPED -> FLUSHING ->
// SHUTDOWN, the handshake and shutdown timeouts, flow control in both
// directions, and startTls.
#include "sslproto.h"
#include "error_util.h"
#include "os_errors.h"
#include "transport_util.h"
#include "read_buffer.h"

#include "loop_p.h"

#include <qaio/ssl.h>

#include <QtNetwork/qhostaddress.h>
#include <QtNetwork/qsslcertificate.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <system_error>

namespace qaio::detail {

namespace {

const char *stateName(SSLProtocol::State state)
{
    switch (state) {
    case SSLProtocol::State::Unwrapped:
        return "UNWRAPPED";
    case SSLProtocol::State::DoHandshake:
        return "DO_HANDSHAKE";
    case SSLProtocol::State::Wrapped:
        return "WRAPPED";
    case SSLProtocol::State::Flushing:
        return "FLUSHING";
    case SSLProtocol::State::Shutdown:
        return "SHUTDOWN";
    }
    return "?";
}

QSslCertificate fromX509(X509 *x509)
{
    const int length = i2d_X509(x509, nullptr);
    if (length <= 0)
        return QSslCertificate();
    QByteArray der(length, Qt::Uninitialized);
    unsigned char *p = reinterpret_cast<unsigned char *>(der.data());
    i2d_X509(x509, &p);
    return QSslCertificate(der, QSsl::Der);
}

} // namespace

void SSLProtocol::checkTimeouts(double handshakeTimeout, double shutdownTimeout)
{
    if (!(handshakeTimeout > 0) || !std::isfinite(handshakeTimeout))
        throw ValueError(QStringLiteral("ssl_handshake_timeout should be a positive number, got %1").arg(handshakeTimeout));
    if (!(shutdownTimeout > 0) || !std::isfinite(shutdownTimeout))
        throw ValueError(QStringLiteral("ssl_shutdown_timeout should be a positive number, got %1").arg(shutdownTimeout));
}

SSLProtocol::SSLProtocol(Loop &loop, std::shared_ptr<BaseProtocol> appProtocol, std::shared_ptr<SslContext> context,
                         Future<void> waiter, Options options)
    : m_loop(loop), m_context(std::move(context)), m_options(std::move(options)),
      m_waiter(std::move(waiter))
{
    checkTimeouts(m_options.handshakeTimeout, m_options.shutdownTimeout);
    if (!m_options.serverSide && m_options.serverHostname.isEmpty() && m_context->verifiesPeer())
        throw ValueError("check_hostname requires server_hostname: a TLS client that verifies its peer needs serverHostname");
    setAppProtocol(std::move(appProtocol));
    m_appState = m_options.callConnectionMade ? AppState::Init : AppState::ConMade;

    m_ssl = SSL_new(m_context->ctx());
    if (!m_ssl)
        throw RuntimeError("ssl: SSL_new failed");
    m_incoming = BIO_new(BIO_s_mem());
    m_outgoing = BIO_new(BIO_s_mem());
    // An empty memory BIO means "try again", not EOF (Python's MemoryBIO).
    BIO_ctrl(m_incoming, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, nullptr); // BIO_set_mem_eof_return
    BIO_ctrl(m_outgoing, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, nullptr);
    SSL_set_bio(m_ssl, m_incoming, m_outgoing);
    if (m_options.serverSide) {
        SSL_set_accept_state(m_ssl);
    } else {
        SSL_set_connect_state(m_ssl);
        const QString &host = m_options.serverHostname;
        const bool isAddress = !QHostAddress(host).isNull();
        const QByteArray name = host.toUtf8();
        if (!host.isEmpty() && !isAddress)
            SSL_ctrl(m_ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char *>(name.constData())); // SNI: names only, never addresses
        if (!host.isEmpty() && m_context->verifiesPeer()) {
            X509_VERIFY_PARAM *param = SSL_get0_param(m_ssl);
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            const int ok = isAddress ? X509_VERIFY_PARAM_set1_ip_asc(param, name.constData())
                                     : X509_VERIFY_PARAM_set1_host(param, name.constData(), size_t(name.size()));
            if (ok != 1) {
                SSL_free(m_ssl);
                throw ValueError(QStringLiteral("invalid server_hostname '%1'").arg(host));
            }
        }
    }
    m_extra.insert(QStringLiteral("sslcontext"), QVariant::fromValue(m_context->configuration()));
}

SSLProtocol::~SSLProtocol()
{
    if (m_ssl)
        SSL_free(m_ssl); // frees both BIOs
}

std::shared_ptr<SslTransport> SSLProtocol::appTransport()
{
    if (!m_appTransport)
        m_appTransport = std::make_shared<SslTransport>(shared_from_this());
    return m_appTransport;
}

void SSLProtocol::setAppProtocol(std::shared_ptr<BaseProtocol> protocol)
{
    m_app = std::move(protocol);
    m_appBuffered = dynamic_cast<BufferedProtocol *>(m_app.get());
    m_appStream = m_appBuffered ? nullptr : dynamic_cast<Protocol *>(m_app.get());
}

QVariant SSLProtocol::extraInfo(const QString &name, const QVariant &defaultValue) const
{
    auto it = m_extra.constFind(name);
    if (it != m_extra.constEnd())
        return *it;
    if (m_transport)
        return m_transport->getExtraInfo(name, defaultValue);
    return defaultValue;
}

void SSLProtocol::setState(State state)
{
    bool allowed = state == State::Unwrapped || (m_state == State::Unwrapped && state == State::DoHandshake)
                   || (m_state == State::DoHandshake && state == State::Wrapped)
                   || (m_state == State::Wrapped && state == State::Flushing)
                   || (m_state == State::Flushing && state == State::Shutdown);
    if (!allowed)
        throw RuntimeError(QStringLiteral("cannot switch state from %1 to %2")
                               .arg(QLatin1StringView(stateName(m_state)), QLatin1StringView(stateName(state))));
    m_state = state;
}

// ---------------------------------------------------------------- the socket side

void SSLProtocol::connectionMade(BaseTransport *transport)
{
    m_transport = std::dynamic_pointer_cast<SocketTransport>(transport->sharedSelf());
    if (!m_transport)
        throw TypeError("SSLProtocol needs a socket transport");
    startHandshake();
}

void SSLProtocol::connectionLost(std::exception_ptr error)
{
    m_writeBacklog.clear();
    BIO_ctrl(m_outgoing, BIO_CTRL_RESET, 0, nullptr);
    ++m_connLost;
    auto self = shared_from_this(); // we may be the last owner's last reference
    if (m_appTransport)
        m_appTransport->m_closed = true;
    if (m_state != State::DoHandshake && (m_appState == AppState::ConMade || m_appState == AppState::Eof)) {
        m_appState = AppState::ConLost;
        auto app = m_app;
        m_loop.openLoop().callSoon([app, error] { app->connectionLost(error); });
    }
    m_state = State::Unwrapped;
    m_transport.reset();
    m_appTransport.reset(); // the app transport keeps us; we no longer keep it
    m_app.reset();
    m_appStream = nullptr;
    m_appBuffered = nullptr;
    wakeUpWaiter(error ? error
                       : std::make_exception_ptr(std::system_error(
                           std::make_error_code(std::errc::connection_reset),
                           "Connection lost during the TLS handshake")));
    m_handshakeTimeout.cancel();
    m_shutdownTimeout.cancel();
}

std::span<char> SSLProtocol::getBuffer(qsizetype)
{
    // The ciphertext goes into the thread's shared buffer (read_buffer.h) and
    // straight on into the BIO: an idle TLS connection keeps no read buffer.
    return {threadReadBuffer(), size_t(kMaxReadSize)};
}

void SSLProtocol::bufferUpdated(qsizetype nbytes)
{
    BIO_write(m_incoming, threadReadBuffer(), int(nbytes));
    continueByState();
}

void SSLProtocol::continueByState()
{
    switch (m_state) {
    case State::DoHandshake:
        doHandshake();
        break;
    case State::Wrapped:
        doRead();
        break;
    case State::Flushing:
        doFlush();
        break;
    case State::Shutdown:
        doShutdown();
        break;
    case State::Unwrapped:
        break;
    }
}

bool SSLProtocol::eofReceived()
{
    m_eofReceived = true;
    try {
        if (m_state == State::DoHandshake) {
            onHandshakeComplete(std::make_exception_ptr(std::system_error(
                std::make_error_code(std::errc::connection_reset), "Connection reset by peer during the TLS handshake")));
        } else if (m_state == State::Wrapped) {
            setState(State::Flushing);
            if (m_appReadingPaused)
                return true; // resumeReading() finishes the flush
            doFlush();
        } else if (m_state == State::Flushing) {
            doWrite();
            setState(State::Shutdown);
            doShutdown();
        } else if (m_state == State::Shutdown) {
            doShutdown();
        }
    } catch (...) {
        if (m_transport)
            m_transport->close();
        throw;
    }
    return false;
}

void SSLProtocol::pauseWriting()
{
    m_sslWritingPaused = true;
}

void SSLProtocol::resumeWriting()
{
    m_sslWritingPaused = false;
    processOutgoing();
}

// ---------------------------------------------------------------- handshake

TimerHandle SSLProtocol::callLaterWhileAlive(double delay, void (SSLProtocol::*method)())
{
    std::weak_ptr<SSLProtocol> weak = shared_from_this();
    return m_loop.openLoop().callLater(delay, [weak, method] {
        if (auto self = weak.lock())
            (self.get()->*method)();
    });
}

void SSLProtocol::startHandshake()
{
    setState(State::DoHandshake);
    m_handshakeTimeout = callLaterWhileAlive(m_options.handshakeTimeout, &SSLProtocol::checkHandshakeTimeout);
    doHandshake();
}

void SSLProtocol::checkHandshakeTimeout()
{
    if (m_state != State::DoHandshake)
        return;
    const std::string message = QStringLiteral("SSL handshake is taking longer than %1 seconds: aborting the connection")
                                    .arg(m_options.handshakeTimeout)
                                    .toStdString();
    fatalError(std::make_exception_ptr(
        std::system_error(std::make_error_code(std::errc::connection_aborted), message)));
}

void SSLProtocol::doHandshake()
{
    ERR_clear_error();
    const int ret = SSL_do_handshake(m_ssl);
    if (ret == 1) {
        onHandshakeComplete(nullptr);
        return;
    }
    const int kind = SSL_get_error(m_ssl, ret);
    if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) {
        processOutgoing();
        return;
    }
    onHandshakeComplete(sslErrorFrom(m_ssl, ret, m_options.serverHostname));
}

void SSLProtocol::onHandshakeComplete(std::exception_ptr error)
{
    m_handshakeTimeout.cancel();
    if (!error) {
        setState(State::Wrapped);
    } else {
        m_state = State::Unwrapped;
        // Let the peer hear why (the alert is in the outgoing BIO), if the
        // socket takes it at once; then drop the connection.
        const int pending = int(BIO_ctrl_pending(m_outgoing));
        if (pending > 0 && m_transport && !m_transport->isClosing() && m_transport->getWriteBufferSize() == 0) {
            QByteArray alert(pending, Qt::Uninitialized);
            BIO_read(m_outgoing, alert.data(), pending);
            m_transport->write(alert);
        }
        bool certificate = false;
        try {
            std::rethrow_exception(error);
        } catch (const SSLCertVerificationError &) {
            certificate = true;
        } catch (...) {
        }
        fatalError(error, certificate ? QStringLiteral("SSL handshake failed on verifying the certificate")
                                      : QStringLiteral("SSL handshake failed"));
        wakeUpWaiter(error);
        return;
    }
    // What became known with the handshake.
    if (X509 *peer = SSL_get1_peer_certificate(m_ssl)) {
        m_extra.insert(QStringLiteral("peercert"), QVariant::fromValue(fromX509(peer)));
        X509_free(peer);
    }
    if (const SSL_CIPHER *cipher = SSL_get_current_cipher(m_ssl)) {
        // As Python's SSLObject.cipher(): (name, protocol version, secret bits).
        m_extra.insert(QStringLiteral("cipher"),
                       QVariantList{QString::fromLatin1(SSL_CIPHER_get_name(cipher)),
                                    QString::fromLatin1(SSL_get_version(m_ssl)),
                                    SSL_CIPHER_get_bits(cipher, nullptr)});
    }
    const unsigned char *alpn = nullptr;
    unsigned int alpnLength = 0;
    SSL_get0_alpn_selected(m_ssl, &alpn, &alpnLength);
    if (alpnLength > 0)
        m_extra.insert(QStringLiteral("alpn_protocol"), QByteArray(reinterpret_cast<const char *>(alpn), alpnLength));
    m_extra.insert(QStringLiteral("ssl_object"), QVariant::fromValue(static_cast<void *>(m_ssl)));

    if (m_appState == AppState::Init) {
        m_appState = AppState::ConMade;
        auto keep = shared_from_this();
        auto transport = appTransport();
        try {
            m_app->connectionMade(transport.get());
        } catch (...) {
            fatalError(std::current_exception(), QStringLiteral("Fatal error: protocol.connectionMade() call failed."));
            wakeUpWaiter(std::current_exception());
            return;
        }
    }
    wakeUpWaiter();
    doRead();
}

// ---------------------------------------------------------------- shutdown

void SSLProtocol::startShutdown()
{
    if (m_state == State::Flushing || m_state == State::Shutdown || m_state == State::Unwrapped)
        return;
    if (m_appTransport)
        m_appTransport->m_closed = true;
    if (m_state == State::DoHandshake) {
        abort(nullptr);
        return;
    }
    setState(State::Flushing);
    m_shutdownTimeout = callLaterWhileAlive(m_options.shutdownTimeout, &SSLProtocol::checkShutdownTimeout);
    doFlush();
}

void SSLProtocol::checkShutdownTimeout()
{
    if ((m_state == State::Flushing || m_state == State::Shutdown) && m_transport)
        m_transport->forceClose(std::make_exception_ptr(TimeoutError(QStringLiteral("SSL shutdown timed out"))));
}

void SSLProtocol::doFlush()
{
    doRead();
    setState(State::Shutdown);
    doShutdown();
}

void SSLProtocol::doShutdown()
{
    if (!m_eofReceived) {
        // SSL_shutdown: 0 = our close_notify is out, call again to wait for the
        // peer's; 1 = both done; < 0 with WANT_READ = the peer's has not come yet.
        ERR_clear_error();
        int ret = SSL_shutdown(m_ssl);
        if (ret == 0) {
            ERR_clear_error();
            ret = SSL_shutdown(m_ssl);
        }
        if (ret < 0) {
            const int kind = SSL_get_error(m_ssl, ret);
            if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) {
                processOutgoing();
                return;
            }
            onShutdownComplete(sslErrorFrom(m_ssl, ret));
            return;
        }
        if (ret == 0) {
            processOutgoing();
            return;
        }
    }
    processOutgoing();
    callEofReceived();
    onShutdownComplete(nullptr);
}

void SSLProtocol::onShutdownComplete(std::exception_ptr error)
{
    m_shutdownTimeout.cancel();
    if (error) {
        fatalError(error);
    } else if (m_transport) {
        auto transport = m_transport;
        m_loop.openLoop().callSoon([transport] { transport->close(); });
    }
}

void SSLProtocol::abort(std::exception_ptr error)
{
    m_state = State::Unwrapped;
    if (m_transport)
        m_transport->forceClose(error);
}

// ---------------------------------------------------------------- outgoing

void SSLProtocol::writeAppdata(const QList<QByteArray> &data)
{
    if (m_state == State::Flushing || m_state == State::Shutdown || m_state == State::Unwrapped) {
        if (m_connLost >= 5 && m_connLost % 5 == 0)
            qCWarning(lcQaio, "SSL connection is closed");
        ++m_connLost;
        return;
    }
    for (const QByteArray &chunk : data) {
        if (chunk.isEmpty())
            continue;
        m_writeBacklog.push(chunk);
    }
    try {
        if (m_state == State::Wrapped)
            doWrite();
        else
            controlAppWriting(); // queued during the handshake: counts for flow control
    } catch (...) {
        fatalError(std::current_exception(), QStringLiteral("Fatal error on SSL protocol"));
    }
}

void SSLProtocol::doWrite()
{
    while (!m_writeBacklog.empty()) {
        const QByteArrayView first = m_writeBacklog.front();
        ERR_clear_error();
        const int n = SSL_write(m_ssl, first.data(), int(std::min<qsizetype>(first.size(), INT_MAX)));
        if (n <= 0) {
            const int kind = SSL_get_error(m_ssl, n);
            if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE)
                break;
            std::rethrow_exception(sslErrorFrom(m_ssl, n));
        }
        m_writeBacklog.dropSent(n);
    }
    processOutgoing();
}

void SSLProtocol::processOutgoing()
{
    if (!m_sslWritingPaused && m_transport) {
        const int pending = int(BIO_ctrl_pending(m_outgoing));
        if (pending > 0) {
            QByteArray data(pending, Qt::Uninitialized);
            BIO_read(m_outgoing, data.data(), pending);
            m_transport->write(data);
        }
    }
    controlAppWriting();
}

// ---------------------------------------------------------------- incoming

void SSLProtocol::doRead()
{
    if (m_state != State::Wrapped && m_state != State::Flushing)
        return;
    try {
        if (!m_appReadingPaused) {
            if (m_appBuffered)
                doReadBuffered();
            else
                doReadCopied();
            if (m_state != State::Wrapped && m_state != State::Flushing && m_state != State::Shutdown)
                return; // the app aborted in a callback
            if (!m_writeBacklog.empty())
                doWrite();
            else
                processOutgoing();
        }
        controlSslReading();
    } catch (...) {
        fatalError(std::current_exception(), QStringLiteral("Fatal error on SSL protocol"));
    }
}

void SSLProtocol::doReadBuffered()
{
    std::span<char> buffer = m_appBuffered->getBuffer(qsizetype(BIO_ctrl_pending(m_incoming)));
    if (buffer.empty())
        throw RuntimeError("getBuffer() returned an empty buffer");
    const qsizetype wants = qsizetype(buffer.size());
    qsizetype offset = 0;
    bool closeNotify = false;
    bool full = false;
    for (;;) {
        ERR_clear_error();
        const int n = SSL_read(m_ssl, buffer.data() + offset, int(std::min<qsizetype>(wants - offset, INT_MAX)));
        if (n > 0) {
            offset += n;
            if (offset == wants) {
                full = true;
                break;
            }
            continue;
        }
        closeNotify = readEnded(n);
        break;
    }
    if (full) {
        // The buffer is full: there may be more; continue in the next iteration.
        std::weak_ptr<SSLProtocol> weak = shared_from_this();
        m_loop.openLoop().callSoon([weak] {
            if (auto self = weak.lock())
                self->doRead();
        });
    }
    if (offset > 0)
        m_appBuffered->bufferUpdated(offset);
    if (closeNotify) {
        callEofReceived();
        startShutdown();
    }
}

bool SSLProtocol::readEnded(int result)
{
    const int kind = SSL_get_error(m_ssl, result);
    if (kind == SSL_ERROR_ZERO_RETURN)
        return true;
    if (kind != SSL_ERROR_WANT_READ && kind != SSL_ERROR_WANT_WRITE)
        std::rethrow_exception(sslErrorFrom(m_ssl, result));
    return false;
}

void SSLProtocol::doReadCopied()
{
    char *buffer = threadReadBuffer(ReadBuffer::Plaintext);
    qsizetype offset = 0;
    QByteArray more; // beyond what the shared buffer holds
    bool closeNotify = false;
    for (;;) {
        if (offset == kMaxReadSize) {
            more.append(buffer, offset);
            offset = 0;
        }
        ERR_clear_error();
        const int n = SSL_read(m_ssl, buffer + offset, int(kMaxReadSize - offset));
        if (n > 0) {
            offset += n;
            continue;
        }
        closeNotify = readEnded(n);
        break;
    }
    if (!more.isEmpty() || offset > 0) {
        const QByteArray data = more.isEmpty() ? QByteArray(buffer, offset) : more.append(buffer, offset);
        if (m_appStream)
            m_appStream->dataReceived(data);
    }
    if (closeNotify) {
        callEofReceived();
        startShutdown();
    }
}

void SSLProtocol::callEofReceived()
{
    if (m_appState != AppState::ConMade)
        return;
    m_appState = AppState::Eof;
    try {
        // Returning true has no effect over TLS (no half-close): the shutdown follows.
        if (m_appStream)
            (void)m_appStream->eofReceived();
        else if (m_appBuffered)
            (void)m_appBuffered->eofReceived();
    } catch (...) {
        fatalError(std::current_exception(), QStringLiteral("Error calling eof_received()"));
    }
}

// ---------------------------------------------------------------- flow control

void SSLProtocol::controlAppWriting()
{
    m_appFlow.control(writeBufferSize(), m_app.get(), m_loop);
}

qsizetype SSLProtocol::writeBufferSize() const
{
    return qsizetype(BIO_ctrl_pending(m_outgoing)) + m_writeBacklog.size();
}

void SSLProtocol::pauseAppReading()
{
    m_appReadingPaused = true;
}

void SSLProtocol::resumeAppReading()
{
    if (!m_appReadingPaused)
        return;
    m_appReadingPaused = false;
    std::weak_ptr<SSLProtocol> weak = shared_from_this();
    m_loop.openLoop().callSoon([weak] {
        auto self = weak.lock();
        if (!self)
            return;
        if (self->m_state == State::Wrapped)
            self->doRead();
        else if (self->m_state == State::Flushing)
            self->doFlush();
        else if (self->m_state == State::Shutdown)
            self->doShutdown();
    });
}

void SSLProtocol::controlSslReading()
{
    if (!m_transport)
        return;
    const qsizetype size = qsizetype(BIO_ctrl_pending(m_incoming));
    if (size >= m_incomingHigh && !m_sslReadingPaused) {
        m_sslReadingPaused = true;
        m_transport->pauseReading();
    } else if (size <= m_incomingLow && m_sslReadingPaused) {
        m_sslReadingPaused = false;
        m_transport->resumeReading();
    }
}

void SSLProtocol::fatalError(std::exception_ptr error, const QString &message)
{
    if (m_transport)
        m_transport->forceClose(error);
    m_state = State::Unwrapped;
    // OS errors (a reset, a TLS failure: SSLError is one) are part of life.
    if (!isOsError(error) && !isCancelledError(error)) {
        ExceptionContext context;
        context.message = message;
        context.exception = error;
        context.extra.insert(QStringLiteral("protocol"), QStringLiteral("<SSLProtocol>"));
        m_loop.callExceptionHandler(context);
    }
}

void SSLProtocol::wakeUpWaiter(std::exception_ptr error)
{
    if (!m_waiter.isValid())
        return;
    Future<void> waiter = std::exchange(m_waiter, Future<void>());
    if (waiter.done())
        return;
    if (error)
        waiter.setException(error);
    else
        waiter.setResult();
}

// ---------------------------------------------------------------- SslTransport

QVariant SslTransport::getExtraInfo(const QString &name, const QVariant &defaultValue) const
{
    return m_ssl->extraInfo(name, defaultValue);
}

void SslTransport::close()
{
    if (m_closed)
        return;
    m_closed = true;
    m_ssl->startShutdown();
}

void SslTransport::setProtocol(std::shared_ptr<BaseProtocol> protocol)
{
    m_ssl->setAppProtocol(std::move(protocol));
}

std::shared_ptr<BaseProtocol> SslTransport::getProtocol() const
{
    return m_ssl->m_app;
}

bool SslTransport::isReading() const
{
    return !m_ssl->m_appReadingPaused;
}

void SslTransport::pauseReading()
{
    m_ssl->pauseAppReading();
}

void SslTransport::resumeReading()
{
    m_ssl->resumeAppReading();
}

void SslTransport::write(const QByteArray &data)
{
    if (data.isEmpty())
        return;
    m_ssl->writeAppdata(QList<QByteArray>{data});
}

void SslTransport::writelines(const QList<QByteArray> &data)
{
    m_ssl->writeAppdata(data);
}

void SslTransport::writeEof()
{
    throw RuntimeError("writeEof() is not supported over TLS (asyncio raises NotImplementedError): use close()");
}

void SslTransport::abort()
{
    m_closed = true;
    m_ssl->abort(nullptr);
}

void SslTransport::setWriteBufferLimits(std::optional<qsizetype> high, std::optional<qsizetype> low)
{
    m_ssl->m_appFlow.setLimits(high, low);
    m_ssl->controlAppWriting();
}

std::pair<qsizetype, qsizetype> SslTransport::getWriteBufferLimits() const
{
    return m_ssl->m_appFlow.get();
}

qsizetype SslTransport::getWriteBufferSize() const
{
    return m_ssl->writeBufferSize();
}

} // namespace qaio::detail

// ---------------------------------------------------------------- startTls

namespace qaio {

Coro<std::shared_ptr<Transport>> startTls(Loop &loop, std::shared_ptr<Transport> transport,
                                          std::shared_ptr<BaseProtocol> protocol, QSslConfiguration sslConfig,
                                          StartTlsOptions options)
{
    auto socketTransport = std::dynamic_pointer_cast<detail::SocketTransport>(transport);
    if (!socketTransport)
        throw TypeError("startTls(): the transport is not supported (a socket transport is needed)");
    if (!protocol)
        throw ValueError("startTls(): the protocol is null");
    if (transport->isClosing())
        throw RuntimeError("startTls(): the transport is closing");
    detail::SSLProtocol::checkTimeouts(options.sslHandshakeTimeout, options.sslShutdownTimeout);
    auto context = detail::SslContext::get(sslConfig, options.serverSide);
    auto waiter = loop.createFuture<void>();
    auto ssl = std::make_shared<detail::SSLProtocol>(
        loop, protocol, context, waiter,
        detail::SSLProtocol::Options{.serverSide = options.serverSide,
                                     .serverHostname = options.serverHostname,
                                     .callConnectionMade = false,
                                     .handshakeTimeout = options.sslHandshakeTimeout,
                                     .shutdownTimeout = options.sslShutdownTimeout});
    // Nothing may be read in plaintext from here on: pause, swap protocols,
    // then start the handshake and resume reading in the next iteration.
    socketTransport->pauseReading();
    socketTransport->setProtocol(ssl);
    auto conmade = loop.callSoon([ssl, socketTransport] { ssl->connectionMade(socketTransport.get()); });
    auto resume = loop.callSoon([socketTransport] { socketTransport->resumeReading(); });
    try {
        co_await waiter;
    } catch (...) {
        socketTransport->close();
        conmade.cancel();
        resume.cancel();
        throw;
    }
    co_return ssl->appTransport();
}

} // namespace qaio

// ---------------------------------------------------------------- createConnection / createServer

namespace qaio::detail {

std::optional<TlsSetup> clientTls(const ConnectionOptions &options, const QString &host)
{
    if (!options.ssl) {
        if (!options.serverHostname.isEmpty())
            throw ValueError("server_hostname is only meaningful with ssl");
        return std::nullopt;
    }
    QString serverHostname = options.serverHostname;
    if (serverHostname.isEmpty()) {
        if (host.isEmpty())
            throw ValueError("You must set server_hostname when using ssl without a host");
        serverHostname = host;
    }
    SSLProtocol::checkTimeouts(options.sslHandshakeTimeout, options.sslShutdownTimeout);
    return TlsSetup{*options.ssl, SSLProtocol::Options{.serverSide = false,
                                                       .serverHostname = serverHostname,
                                                       .callConnectionMade = true,
                                                       .handshakeTimeout = options.sslHandshakeTimeout,
                                                       .shutdownTimeout = options.sslShutdownTimeout}};
}

std::optional<TlsSetup> serverTls(const std::optional<QSslConfiguration> &ssl, double handshakeTimeout,
                                  double shutdownTimeout)
{
    if (!ssl)
        return std::nullopt;
    SSLProtocol::checkTimeouts(handshakeTimeout, shutdownTimeout);
    return TlsSetup{*ssl, SSLProtocol::Options{.serverSide = true,
                                               .serverHostname = {},
                                               .callConnectionMade = true,
                                               .handshakeTimeout = handshakeTimeout,
                                               .shutdownTimeout = shutdownTimeout}};
}

Coro<TransportAndProtocol> runTls(Loop &loop, Socket sock, std::shared_ptr<BaseProtocol> protocol, TlsSetup tls)
{
    auto context = SslContext::get(tls.config, tls.options.serverSide);
    auto waiter = loop.createFuture<void>();
    auto ssl = std::make_shared<SSLProtocol>(loop, protocol, context, waiter, std::move(tls.options));
    auto transport = makeSocketTransport(loop, std::move(sock), ssl);
    co_await awaitConnectionMade(waiter, transport); // the handshake is done and connectionMade() has run
    std::shared_ptr<Transport> appTransport = ssl->appTransport();
    co_return TransportAndProtocol(appTransport, protocol);
}

void checkServerTls(const ServerOptions &options)
{
    if (serverTls(options.ssl, options.sslHandshakeTimeout, options.sslShutdownTimeout))
        (void)SslContext::get(*options.ssl, true); // a bad certificate or key fails now, not per client
}

std::shared_ptr<BaseProtocol> serverTlsProtocol(Loop &loop, std::shared_ptr<BaseProtocol> app,
                                                const ServerOptions &options)
{
    std::optional<TlsSetup> tls = serverTls(options.ssl, options.sslHandshakeTimeout, options.sslShutdownTimeout);
    if (!tls)
        return app;
    return std::make_shared<SSLProtocol>(loop, std::move(app), SslContext::get(tls->config, true), Future<void>(),
                                         std::move(tls->options));
}

} // namespace qaio::detail
