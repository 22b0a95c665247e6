// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/server.h — createServer and Server: accept connections into protocols.
///
///     auto server = co_await qaio::createServer(loop, [] { return std::make_shared<Echo>(); },
///                                               {"127.0.0.1"}, 8888);
///     co_await server->serveForever();
///
/// As asyncio's loop.create_server and Server. A Server is shared; destroying
/// the last reference closes it (asyncio's `async with server:` also awaits
/// waitClosed(), which a destructor cannot: call it yourself to wait for the
/// clients to be gone).
#pragma once

#include <qaio/connection.h>

#include <QtCore/qstringlist.h>

#include <memory>
#include <vector>

namespace qaio {

/// Options of startServer() and createServer() (asyncio's keyword arguments).
struct ServerOptions
{
    int family = 0; ///< AF_UNSPEC: every family the hosts resolve to
    int flags = 0;  ///< getaddrinfo flags (AI_PASSIVE is added)
    int backlog = 100; ///< listen() backlog
    bool reuseAddress = true; ///< SO_REUSEADDR, asyncio's default on POSIX
    bool reusePort = false;   ///< SO_REUSEPORT
    bool keepAlive = false;   ///< SO_KEEPALIVE on accepted connections
    bool startServing = true; ///< start accepting at once
    /// TLS (asyncio's ssl=, see <qaio/ssl.h>): the configuration must hold the
    /// server's certificate (chain) and private key.
    std::optional<QSslConfiguration> ssl{};
    double sslHandshakeTimeout = 60; ///< seconds the TLS handshake may take
    double sslShutdownTimeout = 30; ///< seconds the TLS shutdown may take
};

/// A listening server (asyncio.Server), from startServer() or createServer().
class QAIO_EXPORT Server : public std::enable_shared_from_this<Server>
{
public:
    ~Server();
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    /// Stops listening (connected clients stay; see closeClients/abortClients).
    void close();
    /// Closes the connections it accepted (asyncio's close_clients).
    void closeClients();
    /// Aborts the connections it accepted (asyncio's abort_clients).
    void abortClients();
    /// True while it accepts connections.
    bool isServing() const;
    /// Starts accepting (if not yet), then yields once so that it takes effect.
    Coro<void> startServing();
    /// Accepts until cancelled; then closes the server and waits until closed.
    Coro<void> serveForever();
    /// Waits until the server is closed and every client connection is gone.
    Coro<void> waitClosed();
    /// The listening sockets (empty once closed).
    QList<SocketAddress> sockets() const;
    /// The loop it runs on.
    Loop &getLoop() const;

    struct Private;
    /// Internal: qaio's factories create servers.
    explicit Server(std::unique_ptr<Private> d);

private:
    std::unique_ptr<Private> d;
};

/// Listens on each of `hosts` (empty list or "": every interface) at `port`
/// (0: a free port, the same one for all hosts where possible).
QAIO_EXPORT Coro<std::shared_ptr<Server>> createServer(Loop &loop, ProtocolFactory factory,
                                                       QStringList hosts, int port,
                                                       ServerOptions options = {});
/// One host ("" for every interface). Also spares GCC 12 a braced list inside
/// a co_await expression, which it fails to compile ("array used as initializer").
QAIO_EXPORT Coro<std::shared_ptr<Server>> createServer(Loop &loop, ProtocolFactory factory,
                                                       QString host, int port,
                                                       ServerOptions options = {});
/// Serves on listening sockets made elsewhere (asyncio's sock= argument).
QAIO_EXPORT Coro<std::shared_ptr<Server>> createServer(Loop &loop, ProtocolFactory factory,
                                                       std::vector<Socket> sockets,
                                                       ServerOptions options = {});
/// A Unix domain socket server at `path`; with cleanupSocket, a stale socket
/// file there is removed first and the file is removed when the server closes.
QAIO_EXPORT Coro<std::shared_ptr<Server>> createUnixServer(Loop &loop, ProtocolFactory factory,
                                                           QString path, ServerOptions options = {},
                                                           bool cleanupSocket = true);

} // namespace qaio
