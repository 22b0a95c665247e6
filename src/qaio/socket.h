// qaio/socket.h — Socket and SocketAddress: the thin RAII layer under networking.
//
// Socket owns a file descriptor (closed on destruction, move-only), as
// Python's socket.socket does. SocketAddress holds an already-resolved
// address: IPv4, IPv6 or a Unix path. Failures throw std::system_error with
// the errno (connection refused is std::errc::connection_refused).
#pragma once

#include <qaio/global.h>

#include <QtCore/qstring.h>
#include <QtNetwork/qhostaddress.h>

#include <sys/socket.h>

#include <utility>

namespace qaio {

class QAIO_EXPORT SocketAddress
{
public:
    SocketAddress() = default; // invalid (family AF_UNSPEC)
    SocketAddress(const sockaddr *address, socklen_t length);
    // IPv4 or IPv6, from a QHostAddress (Any / AnyIPv4 / AnyIPv6 included).
    SocketAddress(const QHostAddress &host, int port);
    // A numeric host ("127.0.0.1", "::1"); ValueError if it is not numeric.
    static SocketAddress fromString(const QString &host, int port);
    static SocketAddress unixPath(const QString &path);

    bool isValid() const noexcept { return family() != AF_UNSPEC; }
    int family() const noexcept { return m_storage.ss_family; }
    QHostAddress host() const;     // IPv4/IPv6 only
    quint16 port() const;          // IPv4/IPv6 only
    QString path() const;          // Unix only
    QString toString() const;      // "127.0.0.1:80", "[::1]:80", "/tmp/sock"

    const sockaddr *data() const noexcept { return reinterpret_cast<const sockaddr *>(&m_storage); }
    sockaddr *data() noexcept { return reinterpret_cast<sockaddr *>(&m_storage); }
    socklen_t size() const noexcept { return m_length; }
    socklen_t *sizePtr() noexcept { return &m_length; }
    static constexpr socklen_t capacity() { return sizeof(sockaddr_storage); }

    bool operator==(const SocketAddress &other) const;

private:
    sockaddr_storage m_storage{};
    socklen_t m_length = 0;
};

class QAIO_EXPORT Socket
{
public:
    Socket() noexcept = default;
    // Takes ownership of `fd`.
    explicit Socket(int fd) noexcept : m_fd(fd) {}
    // A new socket (close-on-exec; blocking, as Python's, until setBlocking(false)).
    Socket(int family, int type, int protocol = 0);
    Socket(Socket &&other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Socket &operator=(Socket &&other) noexcept;
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    ~Socket();

    bool isValid() const noexcept { return m_fd >= 0; }
    int fileno() const noexcept { return m_fd; }
    // Gives up ownership: the caller closes the fd.
    int detach() noexcept { return std::exchange(m_fd, -1); }
    void close() noexcept;

    void setBlocking(bool blocking);
    bool isBlocking() const;
    int family() const;
    int type() const; // SOCK_STREAM, SOCK_DGRAM, ...

    void bind(const SocketAddress &address);
    void listen(int backlog = 128);
    SocketAddress localAddress() const;  // getsockname
    SocketAddress peerAddress() const;   // getpeername
    void setOption(int level, int option, int value);
    int option(int level, int option) const;
    // The pending error (SO_ERROR), cleared by reading it; 0 if none.
    int takeError();
    void shutdown(int how); // SHUT_RD, SHUT_WR, SHUT_RDWR

    // A connected pair (AF_UNIX by default), as socket.socketpair().
    static std::pair<Socket, Socket> pair(int type = SOCK_STREAM);

private:
    void requireValid(const char *what) const;
    int m_fd = -1;
};

} // namespace qaio
