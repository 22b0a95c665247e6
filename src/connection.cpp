// connection.cpp — asyncio's create_connection family on the sock* operations.
#include "socket_transport.h"
#include "sslproto.h"

#include <qaio/connection.h>
#include <qaio/dns.h>
#include <qaio/sockets.h>

#include <QtCore/qstringlist.h>

#include <netdb.h>
#include <sys/socket.h>

#include <system_error>

namespace qaio {

namespace detail {

std::shared_ptr<Transport> makeSocketTransport(Loop &loop, Socket sock, std::shared_ptr<BaseProtocol> protocol,
                                               Future<void> waiter)
{
    auto transport = std::make_shared<SocketTransport>(loop, std::move(sock), std::move(protocol));
    transport->start(std::move(waiter));
    return transport;
}

} // namespace detail

namespace {

std::shared_ptr<BaseProtocol> makeProtocol(const ProtocolFactory &factory)
{
    if (!factory)
        throw ValueError("the protocol factory is empty");
    auto protocol = factory();
    if (!protocol)
        throw TypeError("the protocol factory returned no protocol");
    return protocol;
}

Coro<TransportAndProtocol> runOnSocket(Loop &loop, ProtocolFactory factory, Socket sock,
                                       ConnectionOptions tls = {})
{
    if (!sock.isValid())
        throw ValueError("the socket is closed");
    if (sock.type() != SOCK_STREAM)
        throw ValueError(QStringLiteral("A Stream Socket was expected, got a socket of type %1").arg(sock.type()));
    sock.setBlocking(false);
    auto protocol = makeProtocol(factory);
    if (tls.ssl) // wrap after connect: TLS between the socket transport and the protocol
        co_return co_await detail::runClientTls(loop, std::move(sock), protocol, std::move(tls));
    auto waiter = loop.createFuture<void>();
    auto transport = detail::makeSocketTransport(loop, std::move(sock), protocol, waiter);
    try {
        co_await waiter; // connectionMade() has run
    } catch (...) {
        transport->close();
        throw;
    }
    co_return TransportAndProtocol(transport, protocol);
}

// asyncio's _interleave_addrinfos: alternate families, starting with the first.
QList<AddrInfo> interleave(const QList<AddrInfo> &infos, int firstFamilyCount)
{
    QList<QList<AddrInfo>> byFamily;
    QList<int> families;
    for (const AddrInfo &info : infos) {
        const qsizetype i = families.indexOf(info.family);
        if (i < 0) {
            families.append(info.family);
            byFamily.append({info});
        } else {
            byFamily[i].append(info);
        }
    }
    QList<AddrInfo> result;
    if (byFamily.isEmpty())
        return result;
    // The first family gets firstFamilyCount - 1 extra places at the front.
    for (int i = 1; i < firstFamilyCount && !byFamily[0].isEmpty(); ++i)
        result.append(byFamily[0].takeFirst());
    for (bool any = true; any;) {
        any = false;
        for (auto &list : byFamily) {
            if (!list.isEmpty()) {
                result.append(list.takeFirst());
                any = true;
            }
        }
    }
    return result;
}

} // namespace

Coro<TransportAndProtocol> createConnection(Loop &loop, ProtocolFactory factory, QString host, quint16 port,
                                            ConnectionOptions options)
{
    if (host.isEmpty())
        throw ValueError("createConnection(): host and port were not specified");
    detail::checkClientTls(options, host);
    QList<AddrInfo> infos = co_await getaddrinfo(
        loop, host, port, {.family = options.family, .type = SOCK_STREAM, .protocol = options.protocol, .flags = options.flags});
    if (infos.isEmpty())
        throw std::system_error(EAI_NONAME, gaiCategory(), "getaddrinfo() returned empty list");
    if (options.happyEyeballsDelay && options.interleave == 0)
        options.interleave = 1;
    if (options.interleave > 0)
        infos = interleave(infos, options.interleave);

    std::vector<std::exception_ptr> errors;
    for (const AddrInfo &info : infos) {
        Socket sock;
        try {
            sock = Socket(info.family, info.type, info.protocol);
            sock.setBlocking(false);
            if (options.localAddr)
                sock.bind(*options.localAddr);
            co_await sockConnect(loop, sock, info.address);
        } catch (const std::system_error &) {
            errors.push_back(std::current_exception());
            continue;
        }
        co_return co_await runOnSocket(loop, factory, std::move(sock), options);
    }
    if (options.allErrors)
        throw ExceptionGroup(QStringLiteral("create_connection failed"), std::move(errors));
    if (errors.size() == 1)
        std::rethrow_exception(errors.front());
    // Several attempts failed: one error naming them all, with the errno if
    // they agree (e.g. connection refused on both ::1 and 127.0.0.1).
    QStringList messages;
    std::error_code common;
    bool same = true;
    for (const auto &error : errors) {
        try {
            std::rethrow_exception(error);
        } catch (const std::system_error &e) {
            messages << QString::fromUtf8(e.what());
            if (!common)
                common = e.code();
            else if (common != e.code())
                same = false;
        }
    }
    const std::string text = "Multiple exceptions: " + messages.join(QStringLiteral(", ")).toStdString();
    throw std::system_error(same ? common : std::make_error_code(std::errc::io_error), text);
}

Coro<TransportAndProtocol> createConnection(Loop &loop, ProtocolFactory factory, Socket sock,
                                            ConnectionOptions options)
{
    detail::checkClientTls(options, QString()); // a coroutine: bad options throw when awaited
    co_return co_await runOnSocket(loop, std::move(factory), std::move(sock), std::move(options));
}

Coro<TransportAndProtocol> createUnixConnection(Loop &loop, ProtocolFactory factory, QString path)
{
    const SocketAddress address = SocketAddress::unixPath(path);
    Socket sock(AF_UNIX, SOCK_STREAM);
    sock.setBlocking(false);
    co_await sockConnect(loop, sock, address);
    co_return co_await runOnSocket(loop, std::move(factory), std::move(sock));
}

Coro<TransportAndProtocol> connectAcceptedSocket(Loop &loop, ProtocolFactory factory, Socket sock,
                                                 AcceptedSocketOptions options)
{
    if (options.ssl)
        co_return co_await detail::runServerTls(loop, std::move(factory), std::move(sock), std::move(options));
    co_return co_await runOnSocket(loop, std::move(factory), std::move(sock));
}

} // namespace qaio
