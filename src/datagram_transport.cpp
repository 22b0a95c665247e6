// datagram_transport.cpp — asyncio's _SelectorDatagramTransport and
// base_events.create_datagram_endpoint on the loop's addReader/addWriter.
#include "loop_p.h"
#include "os_errors.h"
#include "read_buffer.h"
#include "transport_util.h"

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
                                      public std::enable_shared_from_this<DatagramSocketTransport>
{
public:
    static constexpr qsizetype kHeaderSize = 8;       // counted per queued datagram, as asyncio

    // `address`: the default destination (the connected peer, or the
    // broadcast remoteAddr that was not connected).
    DatagramSocketTransport(Loop &loop, Socket sock, std::shared_ptr<BaseProtocol> protocol, SocketAddress address)
        : m_loop(detail::sharedImpl(loop)), m_sock(std::move(sock)), m_fd(m_sock.fileno()), m_address(address)
    {
        setProtocol(std::move(protocol));
        m_extra.insert(QStringLiteral("socket"), m_fd);
        try {
            m_extra.insert(QStringLiteral("sockname"), QVariant::fromValue(m_sock.localAddress()));
        } catch (const std::system_error &) {
        }
        try {
            m_extra.insert(QStringLiteral("peername"), QVariant::fromValue(m_sock.peerAddress()));
            m_connected = true;
            if (!m_address.isValid())
                m_address = m_sock.peerAddress();
        } catch (const std::system_error &) {
        }
    }

    void start(Future<void> waiter)
    {
        auto self = shared_from_this();
        loop().callSoon([self] {
            if (self->m_protocol)
                self->m_protocol->connectionMade(self.get());
        });
        loop().callSoon([self] {
            if (!self->m_closing)
                self->loop().addReader(self->m_fd, [self] { self->readReady(); });
        });
        loop().callSoon([waiter]() mutable {
            if (!waiter.done())
                waiter.setResult();
        });
    }

    QVariant getExtraInfo(const QString &name, const QVariant &defaultValue) const override
    {
        return m_extra.value(name, defaultValue);
    }
    bool isClosing() const override { return m_closing; }
    void setProtocol(std::shared_ptr<BaseProtocol> protocol) override
    {
        m_protocol = std::move(protocol);
        m_datagramProtocol = dynamic_cast<DatagramProtocol *>(m_protocol.get());
    }
    std::shared_ptr<BaseProtocol> getProtocol() const override { return m_protocol; }
    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }
    qsizetype getWriteBufferSize() const override { return m_bufferSize; }
    std::pair<qsizetype, qsizetype> getWriteBufferLimits() const override { return {m_low, m_high}; }

    void setWriteBufferLimits(std::optional<qsizetype> high, std::optional<qsizetype> low) override
    {
        const qsizetype h = high ? *high : (low ? 4 * *low : 64 * 1024);
        const qsizetype l = low ? *low : h / 4;
        if (!(h >= l && l >= 0))
            throw ValueError(QStringLiteral("high (%1) must be >= low (%2) must be >= 0").arg(h).arg(l));
        m_high = h;
        m_low = l;
        maybePauseProtocol();
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
            auto self = shared_from_this();
            loop().addWriter(m_fd, [self] { self->sendtoReady(); });
        }
        m_buffer.emplace_back(data, destination);
        m_bufferSize += data.size() + kHeaderSize;
        maybePauseProtocol();
    }

    void close() override
    {
        if (m_closing)
            return;
        m_closing = true;
        if (!m_loop->isClosed())
            loop().removeReader(m_fd);
        if (m_buffer.empty()) {
            ++m_connLost;
            loop().removeWriter(m_fd);
            auto self = shared_from_this();
            loop().callSoon([self] { self->callConnectionLost(nullptr); });
        }
        // Otherwise sendtoReady() finishes once the queue is sent.
    }

    void abort() override { forceClose(nullptr); }

private:
    Loop &loop() const { return m_loop->openOwner(); }

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

    void sendtoReady()
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
        maybeResumeProtocol(); // may queue more
        if (m_buffer.empty()) {
            loop().removeWriter(m_fd);
            if (m_closing)
                callConnectionLost(nullptr);
        }
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

    void fatalError(std::exception_ptr error, const QString &message)
    {
        if (!isOsError(error)) {
            ExceptionContext context;
            context.message = message;
            context.exception = error;
            context.extra.insert(QStringLiteral("transport"),
                                 QStringLiteral("<DatagramTransport fd=%1>").arg(m_fd));
            m_loop->callExceptionHandler(context);
        }
        forceClose(error);
    }

    void forceClose(std::exception_ptr error)
    {
        if (m_connLost)
            return;
        if (!m_buffer.empty()) {
            m_buffer.clear();
            m_bufferSize = 0;
            loop().removeWriter(m_fd);
        }
        if (!m_closing) {
            m_closing = true;
            loop().removeReader(m_fd);
        }
        ++m_connLost;
        auto self = shared_from_this();
        loop().callSoon([self, error] { self->callConnectionLost(error); });
    }

    void callConnectionLost(std::exception_ptr error)
    {
        auto protocol = std::move(m_protocol);
        m_datagramProtocol = nullptr;
        struct Finally
        {
            Socket &sock;
            ~Finally() { sock.close(); }
        } finally{m_sock};
        if (protocol)
            protocol->connectionLost(error);
    }

    void maybePauseProtocol()
    {
        if (m_bufferSize <= m_high || m_protocolPaused)
            return;
        m_protocolPaused = true;
        callFlowControl(&BaseProtocol::pauseWriting, "protocol.pauseWriting() failed");
    }

    void maybeResumeProtocol()
    {
        if (!m_protocolPaused || m_bufferSize > m_low)
            return;
        m_protocolPaused = false;
        callFlowControl(&BaseProtocol::resumeWriting, "protocol.resumeWriting() failed");
    }

    void callFlowControl(void (BaseProtocol::*hook)(), const char *failure)
    {
        try {
            if (m_protocol)
                (m_protocol.get()->*hook)();
        } catch (...) {
            ExceptionContext context;
            context.message = QString::fromLatin1(failure);
            context.exception = std::current_exception();
            m_loop->callExceptionHandler(context);
        }
    }

    std::shared_ptr<LoopImpl> m_loop;
    Socket m_sock;
    int m_fd;
    SocketAddress m_address;
    bool m_connected = false;
    std::shared_ptr<BaseProtocol> m_protocol;
    DatagramProtocol *m_datagramProtocol = nullptr;
    QVariantMap m_extra;
    std::deque<std::pair<QByteArray, SocketAddress>> m_buffer;
    qsizetype m_bufferSize = 0;
    qsizetype m_high = 64 * 1024;
    qsizetype m_low = 16 * 1024;
    int m_connLost = 0;
    bool m_closing = false;
    bool m_protocolPaused = false;
};

} // namespace detail

namespace {

Coro<DatagramTransportAndProtocol> runOnSocket(Loop &loop, ProtocolFactory factory, Socket sock,
                                                SocketAddress remote)
{
    auto protocol = detail::makeProtocol(factory);
    auto waiter = loop.createFuture<void>();
    auto transport = std::make_shared<detail::DatagramSocketTransport>(loop, std::move(sock), protocol, remote);
    transport->start(waiter);
    try {
        co_await waiter; // connectionMade() has run
    } catch (...) {
        transport->close();
        throw;
    }
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
