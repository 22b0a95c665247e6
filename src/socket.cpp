// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// socket.cpp — Socket and SocketAddress over the POSIX socket API.
#include "port.h"

#include <qaio/exceptions.h>
#include <qaio/socket.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace qaio {

namespace {
[[noreturn]] void throwErrno(const char *what)
{
    throw std::system_error(errno, std::generic_category(), what);
}
} // namespace

// ---------------------------------------------------------------- SocketAddress

SocketAddress::SocketAddress(const sockaddr *address, socklen_t length)
{
    if (length > socklen_t(sizeof m_storage))
        throw ValueError("SocketAddress: address too long");
    std::memcpy(&m_storage, address, length);
    m_length = length;
}

SocketAddress::SocketAddress(const QHostAddress &host, int portNumber)
{
    const quint16 port = detail::checkedPort(portNumber, "SocketAddress");
    switch (host.protocol()) {
    case QAbstractSocket::IPv4Protocol: {
        auto *in = reinterpret_cast<sockaddr_in *>(&m_storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(host.toIPv4Address());
        m_length = sizeof(sockaddr_in);
        return;
    }
    case QAbstractSocket::IPv6Protocol:
    case QAbstractSocket::AnyIPProtocol: { // QHostAddress::Any: the dual-stack "::"
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&m_storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR a = host.toIPv6Address();
        std::memcpy(&in6->sin6_addr, a.c, 16);
        in6->sin6_scope_id = host.scopeId().toUInt();
        m_length = sizeof(sockaddr_in6);
        return;
    }
    default:
        throw ValueError(QStringLiteral("SocketAddress: not an IP address: '%1'").arg(host.toString()));
    }
}

SocketAddress SocketAddress::fromString(const QString &host, int port)
{
    QHostAddress address;
    if (!address.setAddress(host))
        throw ValueError(QStringLiteral("SocketAddress: '%1' is not a numeric host address").arg(host));
    return SocketAddress(address, port);
}

SocketAddress SocketAddress::unixPath(const QString &path)
{
    SocketAddress result;
    auto *un = reinterpret_cast<sockaddr_un *>(&result.m_storage);
    const QByteArray bytes = path.toLocal8Bit();
    if (bytes.isEmpty() || bytes.size() >= qsizetype(sizeof un->sun_path))
        throw ValueError(QStringLiteral("Unix socket path must be 1..%1 bytes: '%2'")
                             .arg(sizeof un->sun_path - 1)
                             .arg(path));
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, bytes.constData(), bytes.size());
    result.m_length = socklen_t(offsetof(sockaddr_un, sun_path) + bytes.size() + 1);
    return result;
}

QHostAddress SocketAddress::host() const
{
    if (family() == AF_INET || family() == AF_INET6)
        return QHostAddress(data());
    return {};
}

quint16 SocketAddress::port() const
{
    if (family() == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(&m_storage)->sin_port);
    if (family() == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&m_storage)->sin6_port);
    return 0;
}

QString SocketAddress::path() const
{
    if (family() != AF_UNIX || m_length <= socklen_t(offsetof(sockaddr_un, sun_path)))
        return {};
    const auto *un = reinterpret_cast<const sockaddr_un *>(&m_storage);
    const qsizetype n = qsizetype(m_length - offsetof(sockaddr_un, sun_path));
    return QString::fromLocal8Bit(un->sun_path, qstrnlen(un->sun_path, n));
}

QString SocketAddress::toString() const
{
    switch (family()) {
    case AF_INET:
        return QStringLiteral("%1:%2").arg(host().toString()).arg(port());
    case AF_INET6:
        return QStringLiteral("[%1]:%2").arg(host().toString()).arg(port());
    case AF_UNIX:
        return path();
    default:
        return QStringLiteral("<invalid address>");
    }
}

bool SocketAddress::operator==(const SocketAddress &other) const
{
    return m_length == other.m_length && std::memcmp(&m_storage, &other.m_storage, m_length) == 0;
}

// ---------------------------------------------------------------- Socket

Socket::Socket(int family, int type, int protocol)
{
    m_fd = ::socket(family, type | SOCK_CLOEXEC, protocol);
    if (m_fd < 0)
        throwErrno("socket");
}

Socket &Socket::operator=(Socket &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

Socket::~Socket()
{
    close();
}

void Socket::close() noexcept
{
    if (m_fd >= 0)
        ::close(std::exchange(m_fd, -1));
}

void Socket::requireValid(const char *what) const
{
    if (m_fd < 0)
        throw std::system_error(EBADF, std::generic_category(),
                                std::string(what) + ": the socket is closed");
}

void Socket::setBlocking(bool blocking)
{
    requireValid("setBlocking");
    const int flags = ::fcntl(m_fd, F_GETFL);
    if (flags < 0 || ::fcntl(m_fd, F_SETFL, blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK) < 0)
        throwErrno("fcntl");
}

bool Socket::isBlocking() const
{
    requireValid("isBlocking");
    const int flags = ::fcntl(m_fd, F_GETFL);
    if (flags < 0)
        throwErrno("fcntl");
    return !(flags & O_NONBLOCK);
}

int Socket::family() const
{
    return localAddress().family();
}

int Socket::type() const
{
    return option(SOL_SOCKET, SO_TYPE);
}

void Socket::bind(const SocketAddress &address)
{
    requireValid("bind");
    if (::bind(m_fd, address.data(), address.size()) < 0)
        throw std::system_error(errno, std::generic_category(),
                                "bind " + address.toString().toStdString());
}

void Socket::listen(int backlog)
{
    requireValid("listen");
    if (::listen(m_fd, backlog) < 0)
        throwErrno("listen");
}

SocketAddress Socket::localAddress() const
{
    requireValid("getsockname");
    SocketAddress address;
    *address.sizePtr() = SocketAddress::capacity();
    if (::getsockname(m_fd, address.data(), address.sizePtr()) < 0)
        throwErrno("getsockname");
    return address;
}

SocketAddress Socket::peerAddress() const
{
    requireValid("getpeername");
    SocketAddress address;
    *address.sizePtr() = SocketAddress::capacity();
    if (::getpeername(m_fd, address.data(), address.sizePtr()) < 0)
        throwErrno("getpeername");
    return address;
}

void Socket::setOption(int level, int name, int value)
{
    requireValid("setsockopt");
    if (::setsockopt(m_fd, level, name, &value, sizeof value) < 0)
        throwErrno("setsockopt");
}

int Socket::option(int level, int name) const
{
    requireValid("getsockopt");
    int value = 0;
    socklen_t length = sizeof value;
    if (::getsockopt(m_fd, level, name, &value, &length) < 0)
        throwErrno("getsockopt");
    return value;
}

int Socket::takeError()
{
    return option(SOL_SOCKET, SO_ERROR);
}

void Socket::shutdown(int how)
{
    requireValid("shutdown");
    if (::shutdown(m_fd, how) < 0)
        throwErrno("shutdown");
}

std::pair<Socket, Socket> Socket::pair(int type)
{
    int fds[2];
    if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) < 0)
        throwErrno("socketpair");
    return {Socket(fds[0]), Socket(fds[1])};
}

} // namespace qaio
