// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// dns.cpp — name resolution on the default executor.
#include "port.h"

#include <qaio/dns.h>
#include <qaio/executor.h>

#include <netdb.h>

namespace qaio {

namespace {
class GaiCategory final : public std::error_category
{
public:
    const char *name() const noexcept override { return "getaddrinfo"; }
    std::string message(int code) const override { return gai_strerror(code); }
};

QList<AddrInfo> resolve(const QByteArray &host, const QByteArray &port, AddrInfoOptions options)
{
    addrinfo hints{};
    hints.ai_family = options.family;
    hints.ai_socktype = options.type;
    hints.ai_protocol = options.protocol;
    hints.ai_flags = options.flags;
    addrinfo *list = nullptr;
    const int rc = ::getaddrinfo(host.isEmpty() ? nullptr : host.constData(),
                                 port.isEmpty() ? nullptr : port.constData(), &hints, &list);
    if (rc == EAI_SYSTEM)
        throw std::system_error(errno, std::generic_category(), "getaddrinfo");
    if (rc != 0)
        throw std::system_error(rc, gaiCategory(), "getaddrinfo " + host.toStdString());
    QList<AddrInfo> result;
    for (addrinfo *ai = list; ai; ai = ai->ai_next) {
        result.append({ai->ai_family, ai->ai_socktype, ai->ai_protocol,
                       ai->ai_canonname ? QString::fromUtf8(ai->ai_canonname) : QString(),
                       SocketAddress(ai->ai_addr, ai->ai_addrlen)});
    }
    ::freeaddrinfo(list);
    return result;
}
} // namespace

const std::error_category &gaiCategory() noexcept
{
    static const GaiCategory category;
    return category;
}

Future<QList<AddrInfo>> getaddrinfo(Loop &loop, const QString &host, const QString &port,
                                    AddrInfoOptions options)
{
    const QByteArray hostBytes = host.toUtf8();
    const QByteArray portBytes = port.toUtf8();
    // A numeric host needs no resolver: answer on the loop thread, as asyncio's
    // _ipaddr_info shortcut does.
    QHostAddress numeric;
    if (!host.isEmpty() && numeric.setAddress(host)) {
        Future<QList<AddrInfo>> future(loop);
        try {
            AddrInfoOptions numericOptions = options;
            numericOptions.flags |= AI_NUMERICHOST;
            future.setResult(resolve(hostBytes, portBytes, numericOptions));
        } catch (...) {
            future.setException(std::current_exception());
        }
        return future;
    }
    return runInExecutor(loop, nullptr, [hostBytes, portBytes, options] {
        return resolve(hostBytes, portBytes, options);
    });
}

Future<QList<AddrInfo>> getaddrinfo(Loop &loop, const QString &host, int port, AddrInfoOptions options)
{
    return getaddrinfo(loop, host, QString::number(detail::checkedPort(port, "getaddrinfo()")), options);
}

Future<std::pair<QString, QString>> getnameinfo(Loop &loop, const SocketAddress &address, int flags)
{
    if (!address.isValid())
        throw ValueError("getnameinfo(): invalid address");
    return runInExecutor(loop, nullptr, [address, flags] {
        char host[NI_MAXHOST];
        char service[NI_MAXSERV];
        const int rc = ::getnameinfo(address.data(), address.size(), host, sizeof host, service,
                                     sizeof service, flags);
        if (rc != 0)
            throw std::system_error(rc, gaiCategory(), "getnameinfo");
        return std::pair<QString, QString>(QString::fromUtf8(host), QString::fromUtf8(service));
    });
}

} // namespace qaio
