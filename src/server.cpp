// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// server.cpp — createServer and Server, following asyncio's base_events.Server
// and selector_events' _accept_connection.
#include "port.h"
#include "socket_transport.h"
#include "sslproto.h"
#include "transport_util.h"

#include "loop_ref.h"

#include <qaio/dns.h>
#include <qaio/server.h>

#include <QtCore/qfile.h>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_set>

namespace qaio {

struct Server::Private
{
    explicit Private(Loop &l) : loop(l) {}

    detail::LoopRef loop;
    ProtocolFactory factory;
    ServerOptions options;
    std::vector<Socket> sockets; // listening; empty once closed
    bool closed = false;
    bool serving = false;
    std::unordered_set<detail::SocketTransport *> clients;
    std::vector<std::weak_ptr<detail::SocketTransport>> clientRefs;
    std::vector<Future<void>> closeWaiters;
    Future<void> servingForever;
    QString unixPathToRemove;
    // The socket file's identity when bound: close() removes only that file,
    // not one someone else put at the same path since (as asyncio).
    dev_t unixDev = 0;
    ino_t unixIno = 0;
    std::weak_ptr<Server> self;

    void startServing();
    void accept(int listeningFd);
    // Watches the listening fd again in a second; retries while the OS refuses.
    void resumeAcceptingLater(int listeningFd);
    void wakeUpWaiters()
    {
        for (Future<void> &waiter : closeWaiters) {
            if (!waiter.done())
                waiter.setResult();
        }
        closeWaiters.clear();
    }
};

void Server::Private::startServing()
{
    if (serving || closed)
        return;
    serving = true;
    for (Socket &sock : sockets) {
        sock.listen(options.backlog);
        const int fd = sock.fileno();
        Private *p = this;
        loop.openLoop().addReader(fd, [p, fd] { p->accept(fd); });
    }
}

void Server::Private::accept(int listeningFd)
{
    // Up to `backlog` connections per readiness, as asyncio.
    for (int i = 0; i < options.backlog; ++i) {
        SocketAddress peer;
        *peer.sizePtr() = SocketAddress::capacity();
        const int conn = ::accept4(listeningFd, peer.data(), peer.sizePtr(), SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0) {
            const int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR || error == ECONNABORTED)
                return;
            if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
                // Out of descriptors: stop accepting for a second, then try again,
                // so the server keeps serving once they free up.
                ExceptionContext context;
                context.message = QStringLiteral("socket.accept() out of system resource");
                context.exception = std::make_exception_ptr(std::system_error(error, std::generic_category(), "accept"));
                context.extra.insert(QStringLiteral("socket"), listeningFd);
                loop.callExceptionHandler(context);
                loop.openLoop().removeReader(listeningFd);
                resumeAcceptingLater(listeningFd);
                return;
            }
            ExceptionContext context;
            context.message = QStringLiteral("Error on accept()");
            context.exception = std::make_exception_ptr(std::system_error(error, std::generic_category(), "accept"));
            loop.callExceptionHandler(context);
            return;
        }
        Socket sock(conn);
        try {
            if (options.keepAlive)
                sock.setOption(SOL_SOCKET, SO_KEEPALIVE, 1);
            auto protocol = detail::makeProtocol(factory);
            protocol = detail::serverTlsProtocol(loop.openLoop(), std::move(protocol), options); // TLS: SSLProtocol wraps it
            auto transport = std::make_shared<detail::SocketTransport>(loop.openLoop(), std::move(sock), std::move(protocol));
            detail::SocketTransport *raw = transport.get();
            clients.insert(raw);
            if (clientRefs.size() > 2 * clients.size() + 16)
                std::erase_if(clientRefs, [](const auto &w) { return w.expired(); });
            clientRefs.push_back(transport);
            std::weak_ptr<Server> weak = self;
            transport->onDetached = [weak, raw] {
                auto server = weak.lock();
                if (!server)
                    return;
                Private *p = server->d.get();
                p->clients.erase(raw);
                if (p->clients.empty() && p->closed)
                    p->wakeUpWaiters();
            };
            transport->start();
        } catch (...) {
            ExceptionContext context;
            context.message = QStringLiteral("Error on transport creation for incoming connection");
            context.exception = std::current_exception();
            loop.callExceptionHandler(context);
        }
    }
}

void Server::Private::resumeAcceptingLater(int listeningFd)
{
    std::weak_ptr<Server> weak = self;
    loop.openLoop().callLater(1.0, [weak, listeningFd] {
        auto server = weak.lock();
        if (!server || server->d->closed)
            return;
        Private *p = server->d.get();
        try {
            p->loop.openLoop().addReader(listeningFd, [p, listeningFd] { p->accept(listeningFd); });
        } catch (...) {
            // epoll_ctl refused (ENOMEM): say so, and try again rather than stop serving.
            ExceptionContext context;
            context.message = QStringLiteral("Cannot watch the listening socket; retrying");
            context.exception = std::current_exception();
            context.extra.insert(QStringLiteral("socket"), listeningFd);
            p->loop.callExceptionHandler(context);
            p->resumeAcceptingLater(listeningFd);
        }
    });
}

Server::Server(std::unique_ptr<Private> p) : d(std::move(p)) {}

Server::~Server()
{
    if (!d->loop.isClosed())
        close();
}

void Server::close()
{
    if (d->closed)
        return;
    d->closed = true;
    for (Socket &sock : d->sockets) {
        if (d->serving && !d->loop.isClosed())
            d->loop.openLoop().removeReader(sock.fileno());
        sock.close();
    }
    d->sockets.clear();
    d->serving = false;
    if (!d->unixPathToRemove.isEmpty()) {
        const QByteArray path = QFile::encodeName(d->unixPathToRemove);
        struct stat st{};
        if (::stat(path.constData(), &st) == 0 && st.st_dev == d->unixDev && st.st_ino == d->unixIno)
            ::unlink(path.constData());
    }
    if (d->servingForever.isValid() && !d->servingForever.done())
        d->servingForever.cancel();
    if (d->clients.empty())
        d->wakeUpWaiters();
}

namespace {
std::vector<std::shared_ptr<detail::SocketTransport>> liveClients(Server::Private &d)
{
    std::vector<std::shared_ptr<detail::SocketTransport>> result;
    for (auto &weak : d.clientRefs) {
        if (auto t = weak.lock(); t && d.clients.count(t.get()))
            result.push_back(t);
    }
    d.clientRefs.clear();
    for (auto &t : result)
        d.clientRefs.push_back(t);
    return result;
}
} // namespace

void Server::closeClients()
{
    for (auto &transport : liveClients(*d))
        transport->close();
}

void Server::abortClients()
{
    for (auto &transport : liveClients(*d))
        transport->abort();
}

bool Server::isServing() const
{
    return d->serving;
}

Coro<void> Server::startServing()
{
    auto keep = shared_from_this();
    d->startServing();
    co_await sleep(0); // one iteration, so that the readers are in place
}

Coro<void> Server::serveForever()
{
    auto keep = shared_from_this();
    if (d->servingForever.isValid())
        throw RuntimeError("the server is already being awaited on serveForever()");
    if (d->closed)
        throw RuntimeError("the server is closed");
    d->startServing();
    d->servingForever = d->loop.openLoop().createFuture<void>();
    bool cancelled = false;
    try {
        co_await d->servingForever;
    } catch (const CancelledError &) {
        cancelled = true;
    }
    d->servingForever = Future<void>();
    if (cancelled) {
        close();
        co_await waitClosed();
        throw CancelledError();
    }
}

Coro<void> Server::waitClosed()
{
    auto keep = shared_from_this();
    if (d->closed && d->clients.empty())
        co_return;
    auto waiter = d->loop.openLoop().createFuture<void>();
    d->closeWaiters.push_back(waiter);
    co_await waiter;
}

QList<SocketAddress> Server::sockets() const
{
    QList<SocketAddress> result;
    for (const Socket &sock : d->sockets)
        result.append(sock.localAddress());
    return result;
}

Loop &Server::getLoop() const
{
    return d->loop.loop();
}

namespace {
std::shared_ptr<Server> makeServer(Loop &loop, ProtocolFactory factory, std::vector<Socket> sockets,
                                   ServerOptions options, QString unixPathToRemove = {})
{
    if (!factory)
        throw ValueError("createServer(): the protocol factory is empty");
    detail::checkServerTls(options);
    auto p = std::make_unique<Server::Private>(loop);
    p->factory = std::move(factory);
    p->options = options;
    p->sockets = std::move(sockets);
    p->unixPathToRemove = std::move(unixPathToRemove);
    if (!p->unixPathToRemove.isEmpty()) {
        struct stat st{};
        if (::stat(QFile::encodeName(p->unixPathToRemove).constData(), &st) == 0) {
            p->unixDev = st.st_dev;
            p->unixIno = st.st_ino;
        } else {
            p->unixPathToRemove.clear(); // already gone: nothing of ours to remove
        }
    }
    for (Socket &sock : p->sockets)
        sock.setBlocking(false);
    Server::Private *raw = p.get();
    auto server = std::make_shared<Server>(std::move(p));
    raw->self = server;
    if (options.startServing)
        raw->startServing();
    return server;
}
} // namespace

Coro<std::shared_ptr<Server>> createServer(Loop &loop, ProtocolFactory factory, QStringList hosts, int port,
                                           ServerOptions options)
{
    if (options.backlog < 0)
        throw ValueError(QStringLiteral("createServer(): backlog must be >= 0, not %1").arg(options.backlog));
    detail::checkedPort(port, "createServer()");
    if (hosts.isEmpty() || (hosts.size() == 1 && hosts.front().isEmpty()))
        hosts = QStringList{QString()}; // every interface
    std::vector<AddrInfo> infos;
    for (const QString &host : hosts) {
        const QList<AddrInfo> found = co_await getaddrinfo(
            loop, host, port, {.family = options.family, .type = SOCK_STREAM, .flags = options.flags | AI_PASSIVE});
        for (const AddrInfo &info : found) {
            bool duplicate = false;
            for (const AddrInfo &seen : infos)
                duplicate = duplicate || seen.address == info.address;
            if (!duplicate)
                infos.push_back(info);
        }
    }
    if (infos.empty())
        throw std::system_error(EAI_NONAME, gaiCategory(), "getaddrinfo() returned empty list");
    std::vector<Socket> sockets;
    int chosenPort = port;
    for (AddrInfo info : infos) {
        Socket sock(info.family, info.type, info.protocol);
        if (options.reuseAddress)
            sock.setOption(SOL_SOCKET, SO_REUSEADDR, 1);
        if (options.reusePort)
            sock.setOption(SOL_SOCKET, SO_REUSEPORT, 1);
        if (info.family == AF_INET6)
            sock.setOption(IPPROTO_IPV6, IPV6_V6ONLY, 1); // IPv4 gets its own socket
        if (port == 0 && chosenPort != 0)
            info.address = SocketAddress(info.address.host(), chosenPort); // same port for all hosts
        try {
            sock.bind(info.address);
        } catch (const std::system_error &e) {
            throw std::system_error(e.code(), "error while attempting to bind on address "
                                                  + info.address.toString().toStdString());
        }
        if (chosenPort == 0)
            chosenPort = sock.localAddress().port();
        sockets.push_back(std::move(sock));
    }
    co_return makeServer(loop, std::move(factory), std::move(sockets), options);
}

Coro<std::shared_ptr<Server>> createServer(Loop &loop, ProtocolFactory factory, QString host, int port,
                                           ServerOptions options)
{
    return createServer(loop, std::move(factory), QStringList{host}, port, options);
}

Coro<std::shared_ptr<Server>> createServer(Loop &loop, ProtocolFactory factory, std::vector<Socket> sockets,
                                           ServerOptions options)
{
    for (const Socket &sock : sockets) {
        if (!sock.isValid() || sock.type() != SOCK_STREAM)
            throw ValueError("createServer(): a stream socket was expected");
    }
    co_return makeServer(loop, std::move(factory), std::move(sockets), options);
}

Coro<std::shared_ptr<Server>> createUnixServer(Loop &loop, ProtocolFactory factory, QString path,
                                               ServerOptions options, bool cleanupSocket)
{
    const SocketAddress address = SocketAddress::unixPath(path);
    if (cleanupSocket) {
        // A stale socket file from an earlier run would make bind() fail.
        struct stat st{};
        if (::stat(path.toLocal8Bit().constData(), &st) == 0 && S_ISSOCK(st.st_mode))
            ::unlink(path.toLocal8Bit().constData());
    }
    Socket sock(AF_UNIX, SOCK_STREAM);
    sock.bind(address);
    std::vector<Socket> sockets;
    sockets.push_back(std::move(sock));
    co_return makeServer(loop, std::move(factory), std::move(sockets), options,
                         cleanupSocket ? path : QString());
}

} // namespace qaio
