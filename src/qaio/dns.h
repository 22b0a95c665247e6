// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/dns.h — getaddrinfo and getnameinfo that never block the loop.
///
/// As asyncio's loop.getaddrinfo / loop.getnameinfo: the blocking libc calls
/// run on the loop's default executor; a numeric host is answered at once.
/// Lookup failures throw std::system_error in qaio::gaiCategory() (the
/// socket.gaierror of Python), e.g. EAI_NONAME for an unknown host.
#pragma once

#include <qaio/future.h>
#include <qaio/loop.h>
#include <qaio/socket.h>

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

#include <system_error>
#include <utility>

namespace qaio {

/// One result of getaddrinfo() (asyncio's 5-tuple).
struct AddrInfo
{
    int family = 0;   ///< AF_INET, AF_INET6, ...
    int type = 0;     ///< SOCK_STREAM, SOCK_DGRAM, ...
    int protocol = 0; ///< IPPROTO_TCP, IPPROTO_UDP, ...
    QString canonicalName; ///< only with AI_CANONNAME, on the first entry
    SocketAddress address; ///< the address to connect or bind to
};

/// The optional arguments of getaddrinfo().
struct AddrInfoOptions
{
    int family = 0; ///< AF_UNSPEC
    int type = 0; ///< SOCK_STREAM, SOCK_DGRAM, ... (0: any)
    int protocol = 0; ///< IPPROTO_* (0: any)
    int flags = 0;  ///< AI_PASSIVE, AI_CANONNAME, ...
};

/// The error category of getaddrinfo's EAI_* codes (messages from gai_strerror).
QAIO_EXPORT const std::error_category &gaiCategory() noexcept;

/// host may be empty (with AI_PASSIVE: the wildcard address); port may be a
/// number or a service name ("http"), or empty.
QAIO_EXPORT Future<QList<AddrInfo>> getaddrinfo(Loop &loop, const QString &host, const QString &port,
                                                AddrInfoOptions options = {});
/// getaddrinfo() with a numeric port.
QAIO_EXPORT Future<QList<AddrInfo>> getaddrinfo(Loop &loop, const QString &host, int port,
                                                AddrInfoOptions options = {});
/// (host, service) for an address; flags are NI_* (NI_NUMERICHOST, ...).
QAIO_EXPORT Future<std::pair<QString, QString>> getnameinfo(Loop &loop, const SocketAddress &address,
                                                           int flags = 0);

} // namespace qaio
