// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio_tls_test.h — certificates for the TLS tests, made at test time with
// OpenSSL's API: a CA, a server certificate it signed (for localhost,
// 127.0.0.1 and ::1, usable as a client certificate too), and a second CA
// that trusts nothing of ours. EC P-256 keys: generating them takes a millisecond.
#pragma once

#include <QtCore/qbytearray.h>
#include <QtCore/qfile.h>
#include <QtCore/qstring.h>
#include <QtNetwork/qsslcertificate.h>
#include <QtNetwork/qsslconfiguration.h>
#include <QtNetwork/qsslkey.h>
#include <QtNetwork/qsslsocket.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace qaiotest {

struct Pki
{
    QByteArray caPem, certPem, keyPem, otherCaPem;
    QSslCertificate ca, cert, otherCa;
    QSslKey key;

    // The server's configuration: our certificate and key.
    QSslConfiguration server() const
    {
        QSslConfiguration c;
        c.setLocalCertificate(cert);
        c.setPrivateKey(key);
        return c;
    }
    // A client that trusts our CA (and verifies the server: Qt's default).
    QSslConfiguration client() const
    {
        QSslConfiguration c;
        c.setCaCertificates({ca});
        return c;
    }
    // A client that trusts a CA that did not sign our server's certificate.
    QSslConfiguration untrustingClient() const
    {
        QSslConfiguration c;
        c.setCaCertificates({otherCa});
        return c;
    }
    // A client that checks nothing (--insecure).
    QSslConfiguration insecureClient() const
    {
        QSslConfiguration c;
        c.setPeerVerifyMode(QSslSocket::VerifyNone);
        return c;
    }
    bool write(const QString &dir) const
    {
        auto put = [&](const char *name, const QByteArray &data) {
            QFile f(dir + QLatin1Char('/') + QLatin1String(name));
            return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
        };
        return put("ca.pem", caPem) && put("cert.pem", certPem) && put("key.pem", keyPem);
    }
};

namespace detail {

inline QByteArray pemOf(X509 *x509)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, x509);
    char *data = nullptr;
    const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data); // BIO_get_mem_data
    QByteArray pem(data, n);
    BIO_free(bio);
    return pem;
}

inline QByteArray pemOf(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data); // BIO_get_mem_data
    QByteArray pem(data, n);
    BIO_free(bio);
    return pem;
}

inline void addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext)
        throw std::runtime_error("X509V3_EXT_conf_nid failed");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// A certificate for `key` named `cn`, signed by issuer/issuerKey (itself when null).
inline X509 *makeCertificate(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuerKey, bool ca, long serial)
{
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3650L * 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("qaio tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>(cn), -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509 *signer = issuer ? issuer : cert;
    addExtension(cert, signer, NID_subject_key_identifier, "hash");
    if (ca) {
        addExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        addExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        addExtension(cert, signer, NID_authority_key_identifier, "keyid:always");
        addExtension(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        addExtension(cert, signer, NID_key_usage, "critical,digitalSignature");
        addExtension(cert, signer, NID_ext_key_usage, "serverAuth,clientAuth");
        addExtension(cert, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
    }
    X509_sign(cert, issuerKey ? issuerKey : key, EVP_sha256());
    return cert;
}

} // namespace detail

// Made once per process.
inline const Pki &pki()
{
    static const Pki result = [] {
        Pki p;
        EVP_PKEY *caKey = EVP_EC_gen("P-256");
        EVP_PKEY *key = EVP_EC_gen("P-256");
        EVP_PKEY *otherKey = EVP_EC_gen("P-256");
        X509 *ca = detail::makeCertificate(caKey, "qaio test CA", nullptr, nullptr, true, 1);
        X509 *cert = detail::makeCertificate(key, "localhost", ca, caKey, false, 2);
        X509 *other = detail::makeCertificate(otherKey, "qaio other CA", nullptr, nullptr, true, 3);
        p.caPem = detail::pemOf(ca);
        p.certPem = detail::pemOf(cert);
        p.otherCaPem = detail::pemOf(other);
        p.keyPem = detail::pemOf(key);
        X509_free(ca);
        X509_free(cert);
        X509_free(other);
        EVP_PKEY_free(caKey);
        EVP_PKEY_free(key);
        EVP_PKEY_free(otherKey);
        p.ca = QSslCertificate(p.caPem, QSsl::Pem);
        p.cert = QSslCertificate(p.certPem, QSsl::Pem);
        p.otherCa = QSslCertificate(p.otherCaPem, QSsl::Pem);
        p.key = QSslKey(p.keyPem, QSsl::Ec, QSsl::Pem);
        return p;
    }();
    return result;
}

} // namespace qaiotest
