// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
#include "democert.h"

#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslSocket>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace flagship {

namespace {

template<class Write>
QByteArray pem(Write write)
{
    BIO *bio = BIO_new(BIO_s_mem());
    write(bio);
    char *data = nullptr;
    const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data); // BIO_get_mem_data
    QByteArray result(data, int(n));
    BIO_free(bio);
    return result;
}

void addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext)
        throw std::runtime_error("X509V3_EXT_conf_nid failed");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

X509 *makeCertificate(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuerKey, long serial)
{
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("qaio flagship demo"),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>(cn), -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509 *signer = issuer ? issuer : cert;
    addExtension(cert, signer, NID_subject_key_identifier, "hash");
    if (!issuer) {
        addExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        addExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        addExtension(cert, signer, NID_authority_key_identifier, "keyid:always");
        addExtension(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        addExtension(cert, signer, NID_key_usage, "critical,digitalSignature");
        addExtension(cert, signer, NID_ext_key_usage, "serverAuth");
        addExtension(cert, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    }
    X509_sign(cert, issuerKey ? issuerKey : key, EVP_sha256());
    return cert;
}

} // namespace

DemoTls DemoTls::make()
{
    EVP_PKEY *caKey = EVP_EC_gen("P-256");
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *ca = makeCertificate(caKey, "qaio flagship demo CA", nullptr, nullptr, 1);
    X509 *cert = makeCertificate(key, "localhost", ca, caKey, 2);
    const QByteArray caPem = pem([&](BIO *b) { PEM_write_bio_X509(b, ca); });
    const QByteArray certPem = pem([&](BIO *b) { PEM_write_bio_X509(b, cert); });
    const QByteArray keyPem = pem([&](BIO *b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
    X509_free(ca);
    X509_free(cert);
    EVP_PKEY_free(caKey);
    EVP_PKEY_free(key);

    DemoTls tls;
    tls.server.setLocalCertificate(QSslCertificate(certPem, QSsl::Pem));
    tls.server.setPrivateKey(QSslKey(keyPem, QSsl::Ec, QSsl::Pem));
    tls.client.setCaCertificates({QSslCertificate(caPem, QSsl::Pem)});
    tls.client.setPeerVerifyMode(QSslSocket::VerifyPeer);
    return tls;
}

} // namespace flagship
