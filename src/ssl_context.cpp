// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// ssl_context.cpp — QSslConfiguration to SSL_CTX: the local certificate
// chain and private key (through DER/PEM), the CA certificates (or the
// system's when none are set, as Qt loads them on demand), the peer
// verification mode and depth, the protocol range and ALPN.
#include "ssl_context.h"

#include <qaio/exceptions.h>
#include <qaio/ssl.h>

#include <QtNetwork/qsslcertificate.h>
#include <QtNetwork/qsslkey.h>
#include <QtNetwork/qsslsocket.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <vector>

namespace qaio::detail {

namespace {

// The last OpenSSL error as text, for configuration failures.
QString lastOpenSslError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (!code)
        return QStringLiteral("unknown error");
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return QString::fromLatin1(text);
}

X509 *toX509(const QSslCertificate &certificate)
{
    const QByteArray der = certificate.toDer();
    const unsigned char *p = reinterpret_cast<const unsigned char *>(der.constData());
    X509 *x509 = d2i_X509(nullptr, &p, long(der.size()));
    if (!x509)
        throw ValueError(QStringLiteral("ssl: cannot load a certificate (%1)").arg(lastOpenSslError()));
    return x509;
}

// "certificate verify failed" -> "CERTIFICATE_VERIFY_FAILED", the name Python uses.
QString reasonName(const char *reason)
{
    if (!reason)
        return QStringLiteral("UNKNOWN");
    QString name = QString::fromLatin1(reason).toUpper();
    name.replace(QLatin1Char(' '), QLatin1Char('_'));
    return name;
}

} // namespace

SslContext::SslContext(const QSslConfiguration &config, bool serverSide)
    : m_config(config), m_serverSide(serverSide)
{
    m_ctx = SSL_CTX_new(TLS_method());
    if (!m_ctx)
        throw RuntimeError(QStringLiteral("ssl: SSL_CTX_new failed (%1)").arg(lastOpenSslError()));
    // A write may continue from a moved buffer; idle connections give their
    // record buffers back (matters with thousands of idle connections).
    SSL_CTX_set_mode(m_ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(m_ctx, SSL_OP_NO_COMPRESSION);
    if (serverSide)
        SSL_CTX_set_session_id_context(m_ctx, reinterpret_cast<const unsigned char *>("qaio"), 4);

    // Protocol range. SecureProtocols/AnyProtocol keep OpenSSL's default
    // (TLS 1.2 and 1.3 on Debian); the deprecated pre-1.2 values do too.
    const QSsl::SslProtocol protocol = config.protocol();
    if (protocol == QSsl::TlsV1_2) {
        SSL_CTX_set_min_proto_version(m_ctx, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(m_ctx, TLS1_2_VERSION);
    } else if (protocol == QSsl::TlsV1_2OrLater) {
        SSL_CTX_set_min_proto_version(m_ctx, TLS1_2_VERSION);
    } else if (protocol == QSsl::TlsV1_3) {
        SSL_CTX_set_min_proto_version(m_ctx, TLS1_3_VERSION);
        SSL_CTX_set_max_proto_version(m_ctx, TLS1_3_VERSION);
    } else if (protocol == QSsl::TlsV1_3OrLater) {
        SSL_CTX_set_min_proto_version(m_ctx, TLS1_3_VERSION);
    }

    try {
        // Our certificate chain: the leaf first, then the intermediates.
        QList<QSslCertificate> chain = config.localCertificateChain();
        if (chain.isEmpty() && !config.localCertificate().isNull())
            chain.append(config.localCertificate());
        if (!chain.isEmpty()) {
            X509 *leaf = toX509(chain.front());
            const int ok = SSL_CTX_use_certificate(m_ctx, leaf);
            X509_free(leaf);
            if (ok != 1)
                throw ValueError(QStringLiteral("ssl: the local certificate was rejected (%1)").arg(lastOpenSslError()));
            for (qsizetype i = 1; i < chain.size(); ++i) {
                X509 *intermediate = toX509(chain.at(i));
                SSL_CTX_ctrl(m_ctx, SSL_CTRL_CHAIN_CERT, 0, intermediate); // add0: takes ownership
            }
        }
        const QSslKey key = config.privateKey();
        if (!key.isNull()) {
            const QByteArray pem = key.toPem();
            BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
            EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
            BIO_free(bio);
            if (!pkey)
                throw ValueError(QStringLiteral("ssl: cannot load the private key (%1)").arg(lastOpenSslError()));
            const int ok = SSL_CTX_use_PrivateKey(m_ctx, pkey);
            EVP_PKEY_free(pkey);
            if (ok != 1) // with a certificate set, OpenSSL checks that they belong together
                throw ValueError(QStringLiteral("ssl: the private key was rejected: it does not match the certificate? (%1)")
                                     .arg(lastOpenSslError()));
            if (!chain.isEmpty() && SSL_CTX_check_private_key(m_ctx) != 1)
                throw ValueError(QStringLiteral("ssl: the private key does not match the certificate (%1)")
                                     .arg(lastOpenSslError()));
        }
        if (serverSide && chain.isEmpty())
            throw ValueError("ssl: a server needs a local certificate and private key in its QSslConfiguration");

        // Trust: the configuration's CA certificates; none set means the
        // system's, which Qt itself loads on demand for the default configuration.
        const QList<QSslCertificate> cas = config.caCertificates();
        if (cas.isEmpty()) {
            SSL_CTX_set_default_verify_paths(m_ctx);
        } else {
            X509_STORE *store = SSL_CTX_get_cert_store(m_ctx);
            for (const QSslCertificate &ca : cas) {
                X509 *x509 = toX509(ca);
                X509_STORE_add_cert(store, x509);
                X509_free(x509);
            }
        }

        // Peer verification. AutoVerifyPeer is Qt's default: verify a
        // server, and (unlike Qt's QueryPeer, like asyncio) ask nothing of a client.
        QSslSocket::PeerVerifyMode mode = config.peerVerifyMode();
        if (mode == QSslSocket::AutoVerifyPeer)
            mode = serverSide ? QSslSocket::VerifyNone : QSslSocket::VerifyPeer;
        if (mode == QSslSocket::VerifyPeer) {
            m_verifyPeer = true;
            SSL_CTX_set_verify(m_ctx, SSL_VERIFY_PEER | (serverSide ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), nullptr);
        } else if (mode == QSslSocket::QueryPeer) {
            // Ask for the certificate, accept whatever comes.
            SSL_CTX_set_verify(m_ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX *) { return 1; });
        } else {
            SSL_CTX_set_verify(m_ctx, SSL_VERIFY_NONE, nullptr);
        }
        if (config.peerVerifyDepth() > 0)
            SSL_CTX_set_verify_depth(m_ctx, config.peerVerifyDepth());

        // ALPN (QSslConfiguration::setAllowedNextProtocols).
        for (const QByteArray &name : config.allowedNextProtocols()) {
            if (name.isEmpty() || name.size() > 255)
                throw ValueError(QStringLiteral("ssl: invalid ALPN protocol name '%1'").arg(QString::fromLatin1(name)));
            m_alpn.append(char(name.size()));
            m_alpn.append(name);
        }
        if (!m_alpn.isEmpty()) {
            if (serverSide) {
                SSL_CTX_set_alpn_select_cb(m_ctx, &SslContext::selectAlpn, this);
            } else if (SSL_CTX_set_alpn_protos(m_ctx, reinterpret_cast<const unsigned char *>(m_alpn.constData()),
                                               unsigned(m_alpn.size()))
                       != 0) {
                throw ValueError(QStringLiteral("ssl: ALPN setup failed (%1)").arg(lastOpenSslError()));
            }
        }
    } catch (...) {
        SSL_CTX_free(m_ctx);
        m_ctx = nullptr;
        throw;
    }
}

SslContext::~SslContext()
{
    if (m_ctx)
        SSL_CTX_free(m_ctx);
}

int SslContext::selectAlpn(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                           unsigned int inlen, void *arg)
{
    // The server's preference wins among what the client offers.
    auto *self = static_cast<SslContext *>(arg);
    unsigned char *selected = nullptr;
    const int result = SSL_select_next_proto(&selected, outlen,
                                             reinterpret_cast<const unsigned char *>(self->m_alpn.constData()),
                                             unsigned(self->m_alpn.size()), in, inlen);
    if (result != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

std::shared_ptr<SslContext> SslContext::get(const QSslConfiguration &config, bool serverSide)
{
    // Most recently used first; QSslConfiguration compares shared data first, so
    // the common case (the same configuration object again) is cheap.
    thread_local std::vector<std::shared_ptr<SslContext>> cache;
    for (auto it = cache.begin(); it != cache.end(); ++it) {
        if ((*it)->m_serverSide == serverSide && (*it)->m_config == config) {
            auto found = *it;
            if (it != cache.begin()) {
                cache.erase(it);
                cache.insert(cache.begin(), found);
            }
            return found;
        }
    }
    auto context = std::make_shared<SslContext>(config, serverSide);
    cache.insert(cache.begin(), context);
    if (cache.size() > 8)
        cache.pop_back();
    return context;
}

std::exception_ptr sslErrorFrom(SSL *ssl, int ret, const QString &serverHostname)
{
    const int kind = SSL_get_error(ssl, ret);
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code && ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        const long result = SSL_get_verify_result(ssl);
        QString message = QString::fromLatin1(X509_verify_cert_error_string(result));
        if (result == X509_V_ERR_HOSTNAME_MISMATCH)
            message = QStringLiteral("Hostname mismatch, certificate is not valid for '%1'.").arg(serverHostname);
        else if (result == X509_V_ERR_IP_ADDRESS_MISMATCH)
            message = QStringLiteral("IP address mismatch, certificate is not valid for '%1'.").arg(serverHostname);
        return std::make_exception_ptr(SSLCertVerificationError(result, message));
    }
    if (code) {
        const char *reason = ERR_reason_error_string(code);
        return std::make_exception_ptr(SSLError(reasonName(reason), QString::fromLatin1(reason ? reason : "unknown error")));
    }
    if (kind == SSL_ERROR_SYSCALL)
        return std::make_exception_ptr(SSLError(QStringLiteral("SYSCALL"), QStringLiteral("EOF occurred in violation of protocol")));
    return std::make_exception_ptr(SSLError(QStringLiteral("UNKNOWN"), QStringLiteral("unexpected TLS error %1").arg(kind)));
}

} // namespace qaio::detail
