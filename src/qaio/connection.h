// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/connection.h — createConnection and friends: a protocol on a connected socket.
///
///     auto [transport, protocol] = co_await qaio::createConnection(
///         loop, [] { return std::make_shared<MyProtocol>(); }, "example.org", 80);
///
/// As asyncio's loop.create_connection: resolves the host without blocking,
/// tries each address in turn, and returns once the protocol's connectionMade()
/// has run. Connection errors are std::system_error (std::errc::connection_refused, ...).
#pragma once

#include <qaio/protocols.h>
#include <qaio/socket.h>
#include <qaio/task.h>
#include <qaio/transports.h>

#include <QtNetwork/qsslconfiguration.h>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace qaio {

/// Creates the protocol for a new connection (asyncio's protocol_factory).
using ProtocolFactory = std::function<std::shared_ptr<BaseProtocol>()>;
/// A connection's transport and its protocol, as createConnection() returns them.
using TransportAndProtocol = std::pair<std::shared_ptr<Transport>, std::shared_ptr<BaseProtocol>>;

/// Options of openConnection() and createConnection() (asyncio's keyword arguments).
struct ConnectionOptions
{
    int family = 0;   ///< AF_UNSPEC: whatever the host resolves to
    int protocol = 0; ///< IPPROTO_* for getaddrinfo (0: any)
    int flags = 0;    ///< getaddrinfo flags
    std::optional<SocketAddress> localAddr{}; ///< bind here before connecting
    /// Throw an ExceptionGroup of every attempt's error instead of one error.
    bool allErrors = false;
    /// RFC 8305 happy eyeballs: start the next address's attempt this many
    /// seconds after the previous one (or as soon as it failed) and keep the
    /// first connection (asyncio recommends 0.25). Unset: one after the other.
    std::optional<double> happyEyeballsDelay{};
    /// Reorder the addresses to alternate families (1 when happyEyeballsDelay is set).
    int interleave = 0;
    /// TLS (asyncio's ssl=, see <qaio/ssl.h>): set to speak TLS with this
    /// configuration. serverHostname (default: host) is sent as SNI and checked
    /// against the certificate; the timeouts are in seconds.
    std::optional<QSslConfiguration> ssl{};
    QString serverHostname{}; ///< the name sent as SNI and checked against the certificate (default: host)
    double sslHandshakeTimeout = 60; ///< seconds the TLS handshake may take
    double sslShutdownTimeout = 30; ///< seconds the TLS shutdown may take
};

/// Connects to host:port and runs a protocol from `factory` on the connection.
QAIO_EXPORT Coro<TransportAndProtocol> createConnection(Loop &loop, ProtocolFactory factory,
                                                        QString host, int port,
                                                        ConnectionOptions options = {});
/// The same over a socket that is already connected (asyncio's sock= argument).
QAIO_EXPORT Coro<TransportAndProtocol> createConnection(Loop &loop, ProtocolFactory factory,
                                                        Socket sock, ConnectionOptions options = {});
/// A Unix domain socket connection to `path`.
QAIO_EXPORT Coro<TransportAndProtocol> createUnixConnection(Loop &loop, ProtocolFactory factory,
                                                            QString path);
/// asyncio's connect_accepted_socket keywords: TLS as the server side.
struct AcceptedSocketOptions
{
    std::optional<QSslConfiguration> ssl{}; ///< our certificate and key
    double sslHandshakeTimeout = 60; ///< seconds the TLS handshake may take
    double sslShutdownTimeout = 30; ///< seconds the TLS shutdown may take
};

/// Wraps a socket accepted elsewhere (asyncio's connect_accepted_socket); with
/// ssl, returns once the TLS handshake is done.
QAIO_EXPORT Coro<TransportAndProtocol> connectAcceptedSocket(Loop &loop, ProtocolFactory factory,
                                                             Socket sock, AcceptedSocketOptions options = {});

namespace detail {
// Makes the stream transport for a connected socket and starts it.
QAIO_EXPORT std::shared_ptr<Transport> makeSocketTransport(Loop &loop, Socket sock,
                                                           std::shared_ptr<BaseProtocol> protocol,
                                                           Future<void> waiter = {});
} // namespace detail

} // namespace qaio
