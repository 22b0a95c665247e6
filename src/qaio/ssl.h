// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/ssl.h — TLS for transports and streams (asyncio's sslproto).
///
///     QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
///     auto [reader, writer] = co_await qaio::openConnection(
///         QStringLiteral("example.org"), 443, qaio::kDefaultStreamLimit, {.ssl = tls});
///
/// TLS is configured with Qt Network's QSslConfiguration (certificates, key,
/// CA certificates, peer verification mode, protocol range, ALPN); the TLS
/// itself is OpenSSL over memory BIOs, between the socket transport and the
/// application protocol, as asyncio's SSLProtocol does: no extra socket
/// notifier, no extra thread. See docs/networking.md, "TLS".
#pragma once

#include <qaio/global.h>
#include <qaio/task.h>
#include <qaio/transports.h>

#include <QtCore/qstring.h>
#include <QtNetwork/qsslconfiguration.h>

#include <memory>
#include <string>
#include <system_error>

namespace qaio {

class Loop;

/// Python's ssl.SSLError (an OSError): the TLS layer failed — a protocol
/// error, an alert from the peer, a handshake that cannot agree. The code is
/// std::errc::protocol_error; what() reads like Python's:
/// "[SSL: WRONG_VERSION_NUMBER] wrong version number".
class QAIO_EXPORT SSLError : public std::system_error
{
public:
    /// A TLS failure: OpenSSL's `reason` ("CERTIFICATE_VERIFY_FAILED", ...) and the full `message`.
    SSLError(const QString &reason, const QString &message)
        : std::system_error(std::make_error_code(std::errc::protocol_error))
        , m_reason(reason)
        , m_message((QStringLiteral("[SSL: %1] ").arg(reason) + message).toStdString())
    {
    }
    /// The full message.
    const char *what() const noexcept override { return m_message.c_str(); }
    /// OpenSSL's reason as Python names it ("CERTIFICATE_VERIFY_FAILED", ...).
    QString reason() const { return m_reason; }

private:
    QString m_reason;
    std::string m_message;
};

/// Python's ssl.SSLCertVerificationError: the peer's certificate was not
/// trusted or did not match the server hostname.
class QAIO_EXPORT SSLCertVerificationError : public SSLError
{
public:
    /// The peer's certificate failed verification with X509 `verifyCode`.
    SSLCertVerificationError(long verifyCode, const QString &verifyMessage)
        : SSLError(QStringLiteral("CERTIFICATE_VERIFY_FAILED"),
                   QStringLiteral("certificate verify failed: ") + verifyMessage)
        , verifyCode(verifyCode)
        , verifyMessage(verifyMessage)
    {
    }
    long verifyCode;       ///< OpenSSL's X509_V_ERR_* (62: hostname mismatch)
    QString verifyMessage; ///< "self-signed certificate", "Hostname mismatch, ..."
};

/// Options of startTls() and StreamWriter::startTls().
struct StartTlsOptions
{
    bool serverSide = false; ///< true to take the server's side of the handshake
    /// Client side: the name sent as SNI and checked against the certificate
    /// (when the configuration verifies the peer). An IP address is checked
    /// against the certificate's IP addresses and sent as no SNI.
    QString serverHostname{};
    double sslHandshakeTimeout = 60; ///< seconds; then ConnectionAbortedError (ECONNABORTED)
    double sslShutdownTimeout = 30;  ///< seconds; then the connection is aborted with TimeoutError
};

/// asyncio's loop.start_tls: upgrades a live connection to TLS (STARTTLS).
/// Performs the handshake on `transport` (a socket transport) and returns the
/// new transport; `protocol` now receives plaintext from it (its
/// connectionMade() is not called again). The old transport must not be used
/// any more. On failure the connection is closed and the error thrown.
QAIO_EXPORT Coro<std::shared_ptr<Transport>> startTls(Loop &loop, std::shared_ptr<Transport> transport,
                                                      std::shared_ptr<BaseProtocol> protocol,
                                                      QSslConfiguration sslConfig, StartTlsOptions options = {});

} // namespace qaio
