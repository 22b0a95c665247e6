// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// ssl_context.h — an OpenSSL SSL_CTX made from a QSslConfiguration, so that
// Qt users configure TLS the way they know while the TLS runs on memory BIOs.
#pragma once

#include <QtCore/qbytearray.h>
#include <QtNetwork/qsslconfiguration.h>

#include <openssl/ssl.h>

#include <exception>
#include <memory>

namespace qaio::detail {

class SslContext
{
public:
    // A context for one side; contexts are cached per thread (the last few
    // configurations), so that a server or a client making many connections
    // converts its configuration once. ValueError for a configuration
    // OpenSSL rejects (a key that does not match the certificate, ...).
    static std::shared_ptr<SslContext> get(const QSslConfiguration &config, bool serverSide);

    SslContext(const QSslConfiguration &config, bool serverSide);
    ~SslContext();
    SslContext(const SslContext &) = delete;
    SslContext &operator=(const SslContext &) = delete;

    SSL_CTX *ctx() const { return m_ctx; }
    const QSslConfiguration &configuration() const { return m_config; }
    bool serverSide() const { return m_serverSide; }
    // The peer's certificate is verified (then the hostname is checked too).
    bool verifiesPeer() const { return m_verifyPeer; }

private:
    static int selectAlpn(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                          unsigned int inlen, void *arg);

    SSL_CTX *m_ctx = nullptr;
    QSslConfiguration m_config;
    QByteArray m_alpn; // ALPN protocols in wire format
    bool m_serverSide;
    bool m_verifyPeer = false;
};

// The error of the last failed SSL_* call (`ret` its return value), as an
// SSLError or SSLCertVerificationError; clears OpenSSL's error queue.
std::exception_ptr sslErrorFrom(SSL *ssl, int ret, const QString &serverHostname = {});

} // namespace qaio::detail
