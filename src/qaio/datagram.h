// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/datagram.h — createDatagramEndpoint: a DatagramProtocol on a UDP (or
/// Unix datagram) socket, as asyncio's loop.create_datagram_endpoint.
///
///     struct Echo : qaio::DatagramProtocol {
///         qaio::DatagramTransport *transport = nullptr;
///         void connectionMade(qaio::BaseTransport *t) override { transport = dynamic_cast<qaio::DatagramTransport *>(t); }
///         void datagramReceived(const QByteArray &data, const qaio::SocketAddress &from) override
///         { transport->sendto(data, from); }
///     };
///     qaio::DatagramEndpointOptions options{.localAddr = qaio::HostPort{"127.0.0.1", 9999}};
///     auto [transport, protocol] = co_await qaio::createDatagramEndpoint(
///         loop, [] { return std::make_shared<Echo>(); }, options);
///
/// sendto() never blocks: it sends at once, or queues the datagram while the
/// socket is full (pauseWriting()/resumeWriting() at the water marks). Errors
/// of single datagrams (ICMP port unreachable on a connected endpoint: ECONNREFUSED)
/// reach errorReceived() and the endpoint stays open.
#pragma once

#include <qaio/connection.h>
#include <qaio/protocols.h>
#include <qaio/socket.h>
#include <qaio/task.h>
#include <qaio/transports.h>

#include <QtCore/qstring.h>

#include <memory>
#include <optional>
#include <utility>

namespace qaio {

/// asyncio's (host, port) tuple; for family AF_UNIX `host` is the socket path.
struct HostPort
{
    QString host; ///< host name or address
    int port = 0; ///< port number, 0-65535: anything else is a ValueError
};

/// Options of createDatagramEndpoint() (asyncio's keyword arguments).
struct DatagramEndpointOptions
{
    std::optional<HostPort> localAddr = std::nullopt;  ///< bind here
    std::optional<HostPort> remoteAddr = std::nullopt; ///< connect here (sendto's default destination)
    int family = 0; ///< AF_UNSPEC: whatever the addresses resolve to
    int proto = 0; ///< IPPROTO_* for getaddrinfo (0: any)
    int flags = 0;  ///< getaddrinfo flags
    bool reusePort = false;      ///< SO_REUSEPORT
    bool allowBroadcast = false; ///< SO_BROADCAST; remoteAddr is then not connected
};

/// A datagram endpoint's transport and protocol, as createDatagramEndpoint() returns them.
using DatagramTransportAndProtocol =
    std::pair<std::shared_ptr<DatagramTransport>, std::shared_ptr<BaseProtocol>>;

/// Creates the socket (the first (family, proto) for which binding/connecting
/// works), runs a protocol from `factory` on it, and returns once the
/// protocol's connectionMade() has run. ValueError without any address and
/// without a family; the OS error of the first attempt if none works.
QAIO_EXPORT Coro<DatagramTransportAndProtocol> createDatagramEndpoint(Loop &loop, ProtocolFactory factory,
                                                                     DatagramEndpointOptions options = {});
/// The same on a datagram socket made elsewhere (asyncio's sock= argument).
QAIO_EXPORT Coro<DatagramTransportAndProtocol> createDatagramEndpoint(Loop &loop, ProtocolFactory factory,
                                                                     Socket sock);

} // namespace qaio
