// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// connection.cpp — asyncio's create_connection family on the sock* operations.
#include "happy_eyeballs.h"
#include "port.h"
#include "socket_transport.h"
#include "sslproto.h"
#include "transport_util.h"

#include <qaio/connection.h>
#include <qaio/dns.h>
#include <qaio/sockets.h>

#include <QtCore/qstringlist.h>

#include <netdb.h>
#include <sys/socket.h>

#include <limits>
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

std::shared_ptr<BaseProtocol> makeProtocol(const ProtocolFactory &factory)
{
    if (!factory)
        throw ValueError("the protocol factory is empty");
    auto protocol = factory();
    if (!protocol)
        throw TypeError("the protocol factory returned no protocol");
    return protocol;
}

Coro<void> awaitConnectionMade(Future<void> waiter, std::shared_ptr<BaseTransport> transport)
{
    try {
        co_await waiter;
    } catch (...) {
        transport->close();
        throw;
    }
}

} // namespace detail

namespace {

// The protocol from `factory` on a connected socket, over TLS if `tls` is set.
Coro<TransportAndProtocol> runOnSocket(Loop &loop, ProtocolFactory factory, Socket sock,
                                       std::optional<detail::TlsSetup> tls = {})
{
    if (!sock.isValid())
        throw ValueError("the socket is closed");
    if (sock.type() != SOCK_STREAM)
        throw ValueError(QStringLiteral("A Stream Socket was expected, got a socket of type %1").arg(sock.type()));
    sock.setBlocking(false);
    auto protocol = detail::makeProtocol(factory);
    if (tls) // TLS between the socket transport and the protocol
        co_return co_await detail::runTls(loop, std::move(sock), protocol, std::move(*tls));
    auto transport = std::make_shared<detail::SocketTransport>(loop, std::move(sock), protocol);
    co_await detail::startTransport(loop, transport);
    co_return TransportAndProtocol(transport, protocol);
}

} // namespace

Coro<TransportAndProtocol> createConnection(Loop &loop, ProtocolFactory factory, QString host, int port,
                                            ConnectionOptions options)
{
    if (host.isEmpty())
        throw ValueError("createConnection(): host and port were not specified");
    detail::checkedPort(port, "createConnection()");
    const std::optional<detail::TlsSetup> tls = detail::clientTls(options, host);
    QList<AddrInfo> infos = co_await getaddrinfo(
        loop, host, port, {.family = options.family, .type = SOCK_STREAM, .protocol = options.protocol, .flags = options.flags});
    if (infos.isEmpty())
        throw std::system_error(EAI_NONAME, gaiCategory(), "getaddrinfo() returned empty list");
    if (options.happyEyeballsDelay && options.interleave == 0)
        options.interleave = 1;
    if (options.interleave > 0)
        infos = detail::interleaveAddrinfos(infos, options.interleave);

    // RFC 8305's staggered race (happy_eyeballs.cpp). Without
    // happyEyeballsDelay the stagger is infinite: each attempt starts when the
    // previous one failed, asyncio's one-after-the-other loop.
    const double stagger = options.happyEyeballsDelay.value_or(std::numeric_limits<double>::infinity());
    detail::RaceResult race = co_await detail::happyEyeballsConnect(loop, infos, options.localAddr, stagger);
    if (race.sock.isValid())
        co_return co_await runOnSocket(loop, factory, std::move(race.sock), tls);
    std::vector<std::exception_ptr> errors = std::move(race.errors);
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
    auto tls = detail::clientTls(options, QString()); // a coroutine: bad options throw when awaited
    co_return co_await runOnSocket(loop, std::move(factory), std::move(sock), std::move(tls));
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
    auto tls = detail::serverTls(options.ssl, options.sslHandshakeTimeout, options.sslShutdownTimeout);
    co_return co_await runOnSocket(loop, std::move(factory), std::move(sock), std::move(tls));
}

} // namespace qaio
