// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// sockets.cpp — asyncio's sock_* operations on addReader/addWriter, following
// selector_events.py: try now; if it would block, watch the fd until it is
// ready; stop watching once the future is done (or cancelled).
#include "file_chunks.h"
#include "os_errors.h"
#include <qaio/executor.h>
#include <qaio/sockets.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <system_error>

namespace qaio {

using detail::errnoError;
using detail::wouldBlock;

namespace {

enum class Direction { Read, Write };
// Try the operation at once, or first wait until the fd is ready (a connect
// in progress reports nothing useful before the socket turns writable).
enum class Start { Now, WhenReady };

void requireNonBlocking(const Socket &sock, const char *what)
{
    if (!sock.isValid())
        throw std::system_error(EBADF, std::generic_category(),
                                std::string(what) + ": the socket is closed");
    if (sock.isBlocking())
        throw ValueError(QStringLiteral("%1: the socket must be non-blocking").arg(QLatin1StringView(what)));
}

// Runs attempt(future) now (or, with Start::WhenReady, once the fd is first
// ready) and, while it reports "would block" (false), again each time the fd
// is ready in `direction`. attempt settles the future itself.
template<class R, class Attempt>
Future<R> ioOperation(Loop &loop, int fd, Direction direction, Attempt attempt, Start start = Start::Now)
{
    Future<R> future(loop);
    if (start == Start::Now && attempt(future))
        return future;
    auto retry = [future, attempt]() mutable {
        if (!future.done())
            attempt(future);
    };
    Handle handle = direction == Direction::Read ? loop.addReader(fd, std::move(retry))
                                                 : loop.addWriter(fd, std::move(retry));
    future.addDoneCallback([fd, handle, direction](const FutureBase &done) {
        // Another addReader on this fd replaced (and cancelled) ours: leave it.
        if (handle.cancelled())
            return;
        if (direction == Direction::Read)
            done.getLoop().removeReader(fd);
        else
            done.getLoop().removeWriter(fd);
    });
    return future;
}

} // namespace

Future<QByteArray> sockRecv(Loop &loop, Socket &sock, qsizetype n)
{
    requireNonBlocking(sock, "sockRecv()");
    if (n < 0)
        throw ValueError(QStringLiteral("sockRecv(): negative size %1").arg(n));
    const int fd = sock.fileno();
    return ioOperation<QByteArray>(loop, fd, Direction::Read, [fd, n](Future<QByteArray> &f) {
        QByteArray buffer(n, Qt::Uninitialized);
        const ssize_t r = ::recv(fd, buffer.data(), size_t(n), 0);
        if (r < 0) {
            if (wouldBlock(errno))
                return false;
            f.setException(errnoError(errno, "recv"));
            return true;
        }
        buffer.truncate(r);
        f.setResult(std::move(buffer));
        return true;
    });
}

Future<qsizetype> sockRecvInto(Loop &loop, Socket &sock, char *buffer, qsizetype size)
{
    requireNonBlocking(sock, "sockRecvInto()");
    if (size < 0 || (size > 0 && !buffer))
        throw ValueError("sockRecvInto(): invalid buffer");
    const int fd = sock.fileno();
    return ioOperation<qsizetype>(loop, fd, Direction::Read, [fd, buffer, size](Future<qsizetype> &f) {
        const ssize_t r = ::recv(fd, buffer, size_t(size), 0);
        if (r < 0) {
            if (wouldBlock(errno))
                return false;
            f.setException(errnoError(errno, "recv"));
            return true;
        }
        f.setResult(qsizetype(r));
        return true;
    });
}

Future<std::pair<QByteArray, SocketAddress>> sockRecvfrom(Loop &loop, Socket &sock, qsizetype n)
{
    requireNonBlocking(sock, "sockRecvfrom()");
    if (n < 0)
        throw ValueError(QStringLiteral("sockRecvfrom(): negative size %1").arg(n));
    using R = std::pair<QByteArray, SocketAddress>;
    const int fd = sock.fileno();
    return ioOperation<R>(loop, fd, Direction::Read, [fd, n](Future<R> &f) {
        QByteArray buffer(n, Qt::Uninitialized);
        SocketAddress from;
        *from.sizePtr() = SocketAddress::capacity();
        const ssize_t r = ::recvfrom(fd, buffer.data(), size_t(n), 0, from.data(), from.sizePtr());
        if (r < 0) {
            if (wouldBlock(errno))
                return false;
            f.setException(errnoError(errno, "recvfrom"));
            return true;
        }
        buffer.truncate(r);
        f.setResult(R(std::move(buffer), from));
        return true;
    });
}

Future<std::pair<qsizetype, SocketAddress>> sockRecvfromInto(Loop &loop, Socket &sock, char *buffer,
                                                            qsizetype size)
{
    requireNonBlocking(sock, "sockRecvfromInto()");
    if (size < 0 || (size > 0 && !buffer))
        throw ValueError("sockRecvfromInto(): invalid buffer");
    using R = std::pair<qsizetype, SocketAddress>;
    const int fd = sock.fileno();
    return ioOperation<R>(loop, fd, Direction::Read, [fd, buffer, size](Future<R> &f) {
        SocketAddress from;
        *from.sizePtr() = SocketAddress::capacity();
        const ssize_t r = ::recvfrom(fd, buffer, size_t(size), 0, from.data(), from.sizePtr());
        if (r < 0) {
            if (wouldBlock(errno))
                return false;
            f.setException(errnoError(errno, "recvfrom"));
            return true;
        }
        f.setResult(R(qsizetype(r), from));
        return true;
    });
}

Future<void> sockSendall(Loop &loop, Socket &sock, QByteArray data)
{
    requireNonBlocking(sock, "sockSendall()");
    const int fd = sock.fileno();
    qsizetype sent = 0;
    return ioOperation<void>(loop, fd, Direction::Write, [fd, data, sent](Future<void> &f) mutable {
        while (sent < data.size()) {
            // MSG_NOSIGNAL: a closed peer is an EPIPE error, not a SIGPIPE.
            const ssize_t r = ::send(fd, data.constData() + sent, size_t(data.size() - sent), MSG_NOSIGNAL);
            if (r < 0) {
                if (wouldBlock(errno))
                    return false;
                f.setException(errnoError(errno, "send"));
                return true;
            }
            sent += r;
        }
        f.setResult();
        return true;
    });
}

Future<qsizetype> sockSendto(Loop &loop, Socket &sock, QByteArray data, const SocketAddress &address)
{
    requireNonBlocking(sock, "sockSendto()");
    if (!address.isValid())
        throw ValueError("sockSendto(): invalid address");
    const int fd = sock.fileno();
    return ioOperation<qsizetype>(loop, fd, Direction::Write, [fd, data, address](Future<qsizetype> &f) {
        const ssize_t r = ::sendto(fd, data.constData(), size_t(data.size()), MSG_NOSIGNAL,
                                   address.data(), address.size());
        if (r < 0) {
            if (wouldBlock(errno))
                return false;
            f.setException(errnoError(errno, "sendto"));
            return true;
        }
        f.setResult(qsizetype(r));
        return true;
    });
}

Future<void> sockConnect(Loop &loop, Socket &sock, const SocketAddress &address)
{
    requireNonBlocking(sock, "sockConnect()");
    if (!address.isValid())
        throw ValueError("sockConnect(): invalid address");
    const int fd = sock.fileno();
    Future<void> future(loop);
    if (::connect(fd, address.data(), address.size()) == 0) {
        future.setResult();
        return future;
    }
    if (errno != EINPROGRESS && errno != EINTR) {
        future.setException(std::system_error(errno, std::generic_category(),
                                              "Connect call failed " + address.toString().toStdString()));
        return future;
    }
    // In progress: writable means done; SO_ERROR says how it went. Not
    // before: while the handshake runs SO_ERROR is 0 too (asyncio's
    // _sock_connect_cb runs only once the socket is writable).
    return ioOperation<void>(loop, fd, Direction::Write, [fd, address](Future<void> &f) {
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0)
            error = errno;
        if (error == EINPROGRESS || error == EALREADY)
            return false;
        if (error != 0)
            f.setException(std::system_error(error, std::generic_category(),
                                             "Connect call failed " + address.toString().toStdString()));
        else
            f.setResult();
        return true;
    }, Start::WhenReady);
}

Future<std::pair<Socket, SocketAddress>> sockAccept(Loop &loop, Socket &sock)
{
    requireNonBlocking(sock, "sockAccept()");
    using R = std::pair<Socket, SocketAddress>;
    const int fd = sock.fileno();
    return ioOperation<R>(loop, fd, Direction::Read, [fd](Future<R> &f) {
        SocketAddress peer;
        *peer.sizePtr() = SocketAddress::capacity();
        const int conn = ::accept4(fd, peer.data(), peer.sizePtr(), SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0) {
            if (wouldBlock(errno) || errno == ECONNABORTED)
                return false;
            f.setException(errnoError(errno, "accept"));
            return true;
        }
        f.setResult(R(Socket(conn), peer));
        return true;
    });
}

Coro<QByteArray> detail::readFileChunk(Loop &loop, int fd, bool regular, qint64 position, qsizetype size)
{
    if (regular) {
        QByteArray chunk(size, Qt::Uninitialized);
        const ssize_t r = ::pread(fd, chunk.data(), size_t(size), off_t(position));
        if (r < 0)
            throw std::system_error(errno, std::generic_category(), "pread");
        chunk.truncate(r);
        co_return chunk;
    }
    auto readChunk = [fd, size] {
        QByteArray chunk(size, Qt::Uninitialized);
        for (;;) {
            const ssize_t r = ::read(fd, chunk.data(), size_t(size));
            if (r >= 0) {
                chunk.truncate(r);
                return chunk;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                pollfd ready{fd, POLLIN, 0}; // a non-blocking pipe: wait here, on the executor's thread
                ::poll(&ready, 1, -1);
            } else if (errno != EINTR) {
                throw std::system_error(errno, std::generic_category(), "read");
            }
        }
    };
    co_return co_await runInExecutor(loop, nullptr, readChunk);
}

namespace {
// Waits until the fd is writable, once (for sendfile's retries).
Future<void> writable(Loop &loop, int fd)
{
    return ioOperation<void>(loop, fd, Direction::Write, [](Future<void> &f) {
        f.setResult();
        return true;
    }, Start::WhenReady);
}
} // namespace

Coro<qint64> sockSendfile(Loop &loop, Socket &sock, int fileFd, qint64 offset, std::optional<qint64> count,
                          bool fallback)
{
    requireNonBlocking(sock, "sockSendfile()");
    if (offset < 0)
        throw ValueError(QStringLiteral("sockSendfile(): offset must be >= 0, not %1").arg(offset));
    if (count && *count <= 0)
        throw ValueError(QStringLiteral("sockSendfile(): count must be > 0, not %1").arg(*count));
    if (sock.type() != SOCK_STREAM)
        throw ValueError("sockSendfile(): only SOCK_STREAM sockets are supported");
    struct stat st
    {
    };
    if (::fstat(fileFd, &st) < 0)
        throw std::system_error(errno, std::generic_category(), "fstat");
    const bool regular = S_ISREG(st.st_mode);
    // A pipe or other stream has no size: without a count, send until its EOF.
    const qint64 end = count ? offset + *count
                             : (regular ? qint64(st.st_size) : std::numeric_limits<qint64>::max());
    qint64 position = offset;
    bool useSendfile = regular;
    if (!useSendfile && !fallback)
        throw SendfileNotAvailableError("sockSendfile(): the file is not a regular file");
    if (!regular && offset > 0 && ::lseek(fileFd, off_t(offset), SEEK_SET) < 0)
        throw std::system_error(errno, std::generic_category(), "lseek"); // ESPIPE for a pipe, as asyncio's seek()

    while (useSendfile && position < end) {
        off_t off = position;
        const ssize_t r = ::sendfile(sock.fileno(), fileFd, &off, size_t(std::min<qint64>(end - position, 1 << 30)));
        if (r < 0) {
            if (wouldBlock(errno)) {
                co_await writable(loop, sock.fileno());
                continue;
            }
            if ((errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) && position == offset) {
                if (!fallback)
                    throw SendfileNotAvailableError("sockSendfile(): os.sendfile() is not available here");
                useSendfile = false; // nothing sent yet: fall back to read + send
                break;
            }
            throw std::system_error(errno, std::generic_category(), "sendfile");
        }
        if (r == 0)
            break; // the file is shorter than expected
        position += r;
    }
    // Fallback: read chunks (pread for a regular file; read on the default
    // executor for a pipe or other stream, which may block, as asyncio's
    // run_in_executor(None, file.readinto)) and send them.
    while (!useSendfile && position < end) {
        const qsizetype size = qsizetype(std::min<qint64>(end - position, 256 * 1024));
        const QByteArray chunk = co_await detail::readFileChunk(loop, fileFd, regular, position, size);
        if (chunk.isEmpty())
            break;
        co_await sockSendall(loop, sock, chunk);
        position += chunk.size();
    }
    co_return position - offset;
}

} // namespace qaio
