// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// datagram_transport.cpp — asyncio's _SelectorDatagramTransport and
// base_events.create_datagram_endpoint on the loop's addReader/addWriter.
#include "os_errors.h"
#include "read_buffer.h"
#include "transport_base.h"

#include <qaio/datagram.h>
#include <qaio/dns.h>
#include <qaio/sockets.h>

#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QtCore/qloggingcategory.h>

#include <cerrno>
#include <deque>
#include <system_error>

namespace qaio {

namespace detail {

class DatagramSocketTransport final : public DatagramTransport,
                                      public TransportBase,
                                      public std::enable_shared_from_this<DatagramSocketTransport>
{
public:
    static constexpr qsizetype kHeaderSize = 8;       // counted per queued datagram, as asyncio

    // `address`: the default destination (the connected peer, or the
    // broadcast remoteAddr that was not connected).
    DatagramSocketTransport(Loop &loop, Socket sock, std::shared_ptr<BaseProtocol> protocol, SocketAddress address)
        : TransportBase(loop, sock.fileno(), "DatagramTransport"), m_sock(std::move(sock)), m_address(address)
    {
        setProtocol(std::move(protocol));
        m_connected = addSocketExtra(m_sock);
        if (m_connected && !m_address.isValid())
            m_address = m_sock.peerAddress();
    }

    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }
    qsizetype getWriteBufferSize() const override { return m_bufferSize; }
    std::pair<qsizetype, qsizetype> getWriteBufferLimits() const override { return m_flow.get(); }
    void setWriteBufferLimits(std::optional<qsizetype> high, std::optional<qsizetype> low) override
    {
        setWriteLimits(high, low);
    }

    void sendto(const QByteArray &data, const SocketAddress &to) override
    {
        SocketAddress destination = to;
        if (m_address.isValid()) {
            if (to.isValid() && !(to == m_address))
                throw ValueError(QStringLiteral("Invalid address: must be empty or %1").arg(m_address.toString()));
            destination = m_address;
        } else if (!to.isValid()) {
            throw ValueError("sendto(): no address given and the endpoint has no remote address");
        }
        if (m_connLost && m_address.isValid()) {
            ++m_connLost; // asyncio counts (and ignores) sends after the connection was lost
            return;
        }
        if (m_connLost) // asyncio's sendto() on the closed socket fails with EBADF
            throw RuntimeError("sendto() on a closed datagram transport");
        if (m_buffer.empty()) {
            // Try to send at once; queue only if the socket is full.
            const int error = sendOne(data, destination);
            if (error == 0)
                return;
            if (!wouldBlock(error)) {
                errorReceived(errnoError(error, m_connected ? "send" : "sendto"));
                return;
            }
            if (!startWriter())
                return;
        }
        m_buffer.emplace_back(data, destination);
        m_bufferSize += data.size() + kHeaderSize;
        maybePauseProtocol();
    }

    void abort() override { forceClose(nullptr); }

private:
    // The datagrams keep their boundaries and destinations: their own queue.
    qsizetype bufferedBytes() const override { return m_bufferSize; }
    void clearWriteBuffer() override
    {
        m_buffer.clear();
        m_bufferSize = 0;
    }
    void startReading() override
    {
        if (!m_closing)
            loop().addReader(m_fd, [self = shared_from_this()] { self->readReady(); });
    }
    void protocolChanged() override { m_datagramProtocol = dynamic_cast<DatagramProtocol *>(m_protocol.get()); }
    void releaseResources() override { m_sock.close(); }

    // 0 when sent, else the errno.
    int sendOne(const QByteArray &data, const SocketAddress &to)
    {
        const ssize_t n = m_connected ? ::send(m_fd, data.constData(), size_t(data.size()), MSG_NOSIGNAL)
                                      : ::sendto(m_fd, data.constData(), size_t(data.size()), MSG_NOSIGNAL,
                                                 to.data(), to.size());
        return n < 0 ? errno : 0;
    }

    void readReady()
    {
        if (m_connLost)
            return;
        char *buffer = threadReadBuffer(); // shared by the thread's transports (read_buffer.h)
        SocketAddress from;
        *from.sizePtr() = SocketAddress::capacity();
        const ssize_t n = ::recvfrom(m_fd, buffer, size_t(kMaxReadSize), 0, from.data(),
                                     from.sizePtr());
        if (n < 0) {
            if (!wouldBlock(errno))
                errorReceived(errnoError(errno, "recvfrom")); // e.g. ECONNREFUSED: the endpoint stays open
            return;
        }
        if (m_connected && !from.isValid())
            from = m_address;
        const QByteArray data(buffer, n);
        try {
            if (m_datagramProtocol)
                m_datagramProtocol->datagramReceived(data, from);
        } catch (...) {
            fatalError(std::current_exception(), QStringLiteral("Fatal error: protocol.datagramReceived() call failed."));
        }
    }

    // The socket is writable: send the queue, one datagram at a time.
    void writeReady() override
    {
        while (!m_buffer.empty()) {
            auto &[data, to] = m_buffer.front();
            const int error = sendOne(data, to);
            if (error != 0 && wouldBlock(error))
                break; // try again when writable
            m_bufferSize -= data.size() + kHeaderSize;
            m_buffer.pop_front();
            if (error != 0) {
                errorReceived(errnoError(error, m_connected ? "send" : "sendto"));
                return;
            }
        }
        afterFlush();
    }

    void errorReceived(std::exception_ptr error)
    {
        try {
            if (m_datagramProtocol)
                m_datagramProtocol->errorReceived(error);
        } catch (...) {
            fatalError(std::current_exception(), QStringLiteral("Fatal error: protocol.errorReceived() call failed."));
        }
    }

    Socket m_sock;
    SocketAddress m_address;
    bool m_connected = false;
    DatagramProtocol *m_datagramProtocol = nullptr;
    std::deque<std::pair<QByteArray, SocketAddress>> m_buffer;
    qsizetype m_bufferSize = 0;
};

} // namespace detail

namespace {

Coro<DatagramTransportAndProtocol> runOnSocket(Loop &loop, ProtocolFactory factory, Socket sock,
                                                SocketAddress remote)
{
    auto protocol = detail::makeProtocol(factory);
    auto transport = std::make_shared<detail::DatagramSocketTransport>(loop, std::move(sock), protocol, remote);
    co_await detail::startTransport(loop, transport);
    co_return DatagramTransportAndProtocol(transport, protocol);
}

struct Candidate
{
    int family = 0;
    int protocol = 0;
    std::optional<SocketAddress> local;
    std::optional<SocketAddress> remote;
};

} // namespace

Coro<DatagramTransportAndProtocol> createDatagramEndpoint(Loop &loop, ProtocolFactory factory, Socket sock)
{
    if (!sock.isValid())
        throw ValueError("the socket is closed");
    if (sock.type() == SOCK_STREAM)
        throw ValueError(QStringLiteral("A datagram socket was expected, got a socket of type %1").arg(sock.type()));
    sock.setBlocking(false);
    co_return co_await runOnSocket(loop, std::move(factory), std::move(sock), SocketAddress());
}

Coro<DatagramTransportAndProtocol> createDatagramEndpoint(Loop &loop, ProtocolFactory factory,
                                                          DatagramEndpointOptions options)
{
    if (!factory)
        throw ValueError("the protocol factory is empty");
    QList<Candidate> candidates;
    if (!options.localAddr && !options.remoteAddr) {
        if (options.family == 0)
            throw ValueError("unexpected address family");
        candidates.append({options.family, options.proto, {}, {}});
    } else if (options.family == AF_UNIX) {
        Candidate unix{AF_UNIX, options.proto, {}, {}};
        if (options.localAddr) {
            const QString path = options.localAddr->host;
            // A stale socket file from an earlier run is removed, as asyncio does.
            struct stat st
            {
            };
            const QByteArray native = path.toLocal8Bit();
            if (!path.isEmpty() && !path.startsWith(QLatin1Char('\0')) && ::stat(native.constData(), &st) == 0
                && S_ISSOCK(st.st_mode))
                ::unlink(native.constData());
            unix.local = SocketAddress::unixPath(path);
        }
        if (options.remoteAddr)
            unix.remote = SocketAddress::unixPath(options.remoteAddr->host);
        candidates.append(unix);
    } else {
        // Resolve both and pair them by (family, proto), keeping the order.
        const AddrInfoOptions hints{.family = options.family, .type = SOCK_DGRAM, .protocol = options.proto,
                                    .flags = options.flags};
        for (int index = 0; index < 2; ++index) {
            const std::optional<HostPort> &addr = index == 0 ? options.localAddr : options.remoteAddr;
            if (!addr)
                continue;
            QList<AddrInfo> infos = co_await getaddrinfo(loop, addr->host, addr->port, hints);
            if (infos.isEmpty())
                throw std::system_error(EAI_NONAME, gaiCategory(), "getaddrinfo() returned empty list");
            for (const AddrInfo &info : infos) {
                auto it = std::find_if(candidates.begin(), candidates.end(), [&](const Candidate &c) {
                    return c.family == info.family && c.protocol == info.protocol;
                });
                if (it == candidates.end()) {
                    candidates.append({info.family, info.protocol, {}, {}});
                    it = candidates.end() - 1;
                }
                std::optional<SocketAddress> &slot = index == 0 ? it->local : it->remote;
                if (!slot)
                    slot = info.address;
            }
        }
        // Each candidate needs every address that was asked for.
        candidates.removeIf([&](const Candidate &c) {
            return (options.localAddr && !c.local) || (options.remoteAddr && !c.remote);
        });
        if (candidates.isEmpty())
            throw ValueError("can not get address information");
    }

    std::exception_ptr firstError;
    for (const Candidate &candidate : candidates) {
        Socket sock;
        SocketAddress remote;
        try {
            sock = Socket(candidate.family, SOCK_DGRAM, candidate.protocol);
            if (options.reusePort)
                sock.setOption(SOL_SOCKET, SO_REUSEPORT, 1);
            if (options.allowBroadcast)
                sock.setOption(SOL_SOCKET, SO_BROADCAST, 1);
            sock.setBlocking(false);
            if (candidate.local)
                sock.bind(*candidate.local);
            if (candidate.remote) {
                if (!options.allowBroadcast)
                    co_await sockConnect(loop, sock, *candidate.remote);
                remote = *candidate.remote;
            }
        } catch (const std::system_error &) {
            if (!firstError)
                firstError = std::current_exception();
            continue;
        }
        co_return co_await runOnSocket(loop, std::move(factory), std::move(sock), remote);
    }
    std::rethrow_exception(firstError);
}

} // namespace qaio
