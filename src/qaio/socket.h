// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/socket.h — Socket and SocketAddress: the thin RAII layer under networking.
///
/// Socket owns a file descriptor (closed on destruction, move-only), as
/// Python's socket.socket does. SocketAddress holds an already-resolved
/// address: IPv4, IPv6 or a Unix path. Failures throw std::system_error with
/// the errno (connection refused is std::errc::connection_refused).
#pragma once

#include <qaio/global.h>

#include <QtCore/qstring.h>
#include <QtNetwork/qhostaddress.h>

#include <sys/socket.h>

#include <utility>

namespace qaio {

/// A socket address (sockaddr_storage): IPv4, IPv6 or a Unix path.
class QAIO_EXPORT SocketAddress
{
public:
    SocketAddress() = default; // invalid (family AF_UNSPEC)
    /// A copy of `length` bytes of `address`.
    SocketAddress(const sockaddr *address, socklen_t length);
    /// IPv4 or IPv6, from a QHostAddress (Any / AnyIPv4 / AnyIPv6 included).
    SocketAddress(const QHostAddress &host, int port);
    /// A numeric host ("127.0.0.1", "::1"); ValueError if it is not numeric.
    static SocketAddress fromString(const QString &host, int port);
    /// A Unix-domain socket address for `path`.
    static SocketAddress unixPath(const QString &path);

    /// False for the default (AF_UNSPEC) address.
    bool isValid() const noexcept { return family() != AF_UNSPEC; }
    /// AF_INET, AF_INET6, AF_UNIX or AF_UNSPEC.
    int family() const noexcept { return m_storage.ss_family; }
    QHostAddress host() const;     ///< IPv4/IPv6 only
    quint16 port() const;          ///< IPv4/IPv6 only
    QString path() const;          ///< Unix only
    QString toString() const;      ///< "127.0.0.1:80", "[::1]:80", "/tmp/sock"

    /// The address, for system calls.
    const sockaddr *data() const noexcept { return reinterpret_cast<const sockaddr *>(&m_storage); }
    /// The address, for system calls that fill it in.
    sockaddr *data() noexcept { return reinterpret_cast<sockaddr *>(&m_storage); }
    /// Its length in bytes.
    socklen_t size() const noexcept { return m_length; }
    /// Its length, for system calls that set it.
    socklen_t *sizePtr() noexcept { return &m_length; }
    /// The largest address length (sizeof(sockaddr_storage)).
    static constexpr socklen_t capacity() { return sizeof(sockaddr_storage); }

    /// True for the same family and bytes.
    bool operator==(const SocketAddress &other) const;

private:
    sockaddr_storage m_storage{};
    socklen_t m_length = 0;
};

/// An owned, non-blocking-capable socket file descriptor (Python's socket.socket, in part); closed when destroyed.
class QAIO_EXPORT Socket
{
public:
    Socket() noexcept = default;
    /// Takes ownership of `fd`.
    explicit Socket(int fd) noexcept : m_fd(fd) {}
    /// A new socket (close-on-exec; blocking, as Python's, until setBlocking(false)).
    Socket(int family, int type, int protocol = 0);
    /// Takes over `other`'s descriptor.
    Socket(Socket &&other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    /// Closes its descriptor and takes over `other`'s.
    Socket &operator=(Socket &&other) noexcept;
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    ~Socket();

    /// True while it owns a descriptor.
    bool isValid() const noexcept { return m_fd >= 0; }
    /// The descriptor (-1 when none).
    int fileno() const noexcept { return m_fd; }
    /// Gives up ownership: the caller closes the fd.
    int detach() noexcept { return std::exchange(m_fd, -1); }
    /// Closes the descriptor, if any.
    void close() noexcept;

    /// Sets O_NONBLOCK off (true) or on (false), as Python's setblocking.
    void setBlocking(bool blocking);
    /// True unless O_NONBLOCK is set.
    bool isBlocking() const;
    /// AF_INET, AF_INET6, AF_UNIX, ...
    int family() const;
    int type() const; ///< SOCK_STREAM, SOCK_DGRAM, ...

    /// bind(2); OSError on failure.
    void bind(const SocketAddress &address);
    /// listen(2); OSError on failure.
    void listen(int backlog = 128);
    SocketAddress localAddress() const;  ///< getsockname
    SocketAddress peerAddress() const;   ///< getpeername
    /// setsockopt(2) with an int value.
    void setOption(int level, int option, int value);
    /// getsockopt(2) for an int value.
    int option(int level, int option) const;
    /// The pending error (SO_ERROR), cleared by reading it; 0 if none.
    int takeError();
    void shutdown(int how); ///< SHUT_RD, SHUT_WR, SHUT_RDWR

    /// A connected pair (AF_UNIX by default), as socket.socketpair().
    static std::pair<Socket, Socket> pair(int type = SOCK_STREAM);

private:
    void requireValid(const char *what) const;
    int m_fd = -1;
};

} // namespace qaio
