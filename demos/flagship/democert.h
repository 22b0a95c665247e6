// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// democert.h — a throwaway certificate authority and a "localhost"
// certificate it signed, made at start-up with OpenSSL (EC P-256: a
// millisecond), so that the chat's TLS server needs no files and its clients
// verify it like any real server: they trust that CA and check the hostname.
#pragma once

#include <QtNetwork/QSslConfiguration>

namespace flagship {

struct DemoTls
{
    QSslConfiguration server; // certificate + key
    QSslConfiguration client; // trusts only the demo CA; verifies the peer
    static DemoTls make();
};

} // namespace flagship
