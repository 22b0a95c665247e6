// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// echo_server_qaio.cpp — a TCP echo server on qaio, through one of three APIs.
//
//   echo_server_qaio [--port 0] [--api protocol|streams|raw] [--backend epoll|qt]
//
//   protocol  asyncio's Protocol: createServer + dataReceived → transport->write
//             (what uvloop's and asyncio's protocol servers do);
//   streams   startServer, one task per client: co_await reader.read(64 KiB),
//             writer.write, co_await writer.drain();
//   raw       addReader/addWriter on non-blocking sockets (qaio's file-descriptor
//             API: what a hand-written server on the loop does).
// Every server uses cubic congestion control on loopback (see bench/net.h).
// Prints {"port": N}, then serves until killed.
#include "net.h"

#include <qaio/loop.h>
#include <qaio/runner.h>
#include <qaio/server.h>
#include <qaio/streams.h>
#include <qaio/task.h>
#include <qaio/transports.h>

#include <QtCore/qcoreapplication.h>

#include <unordered_map>

namespace {

// ---- protocol API ----
class EchoProtocol : public qaio::Protocol
{
public:
    void connectionMade(qaio::BaseTransport *transport) override
    {
        m_transport = dynamic_cast<qaio::Transport *>(transport);
    }
    void dataReceived(const QByteArray &data) override { m_transport->write(data); }

private:
    qaio::Transport *m_transport = nullptr;
};

// ---- streams API ----
qaio::Coro<void> echoClient(qaio::StreamReader reader, qaio::StreamWriter writer)
{
    // startServer made the listener: match the other servers' congestion control.
    bench::tuneSocket(writer.getExtraInfo(QStringLiteral("socket")).toInt());
    try {
        for (;;) {
            QByteArray data = co_await reader.read(64 * 1024);
            if (data.isEmpty())
                break;
            writer.write(data);
            co_await writer.drain();
        }
    } catch (const std::system_error &) {
        // the load generator reset the connection when it finished
    }
    writer.close();
}

qaio::Coro<void> serve(qaio::Loop &loop, int port, bool streams)
{
    std::shared_ptr<qaio::Server> server;
    const qaio::ServerOptions options{.backlog = 1024};
    if (streams) {
        server = co_await qaio::startServer(echoClient, QStringLiteral("127.0.0.1"), quint16(port),
                                            qaio::kDefaultStreamLimit, options);
        bench::Json().add("port", double(server->sockets().value(0).port())).print();
    } else {
        // The listener from bench::listenLoopback (prints the port), as asyncio's sock=.
        std::vector<qaio::Socket> sockets;
        sockets.emplace_back(bench::listenLoopback(port));
        auto factory = [] { return std::make_shared<EchoProtocol>(); };
        server = co_await qaio::createServer(loop, factory, std::move(sockets), options);
    }
    co_await server->serveForever();
}

// ---- raw file-descriptor API ----
class RawEchoServer
{
public:
    RawEchoServer(qaio::Loop &loop, int listenFd) : m_loop(loop)
    {
        m_loop.addReader(listenFd, [this, listenFd] {
            for (int fd; (fd = bench::acceptOne(listenFd)) >= 0;)
                m_loop.addReader(fd, &RawEchoServer::onReadable, this, fd);
        });
    }

private:
    void onReadable(int fd)
    {
        std::string &pending = m_pending[fd];
        if (!bench::echoOnce(fd, pending))
            return closeConnection(fd);
        if (!pending.empty()) {
            m_loop.removeReader(fd);
            m_loop.addWriter(fd, &RawEchoServer::onWritable, this, fd);
        }
    }

    void onWritable(int fd)
    {
        std::string &pending = m_pending[fd];
        if (!bench::flushPending(fd, pending))
            return closeConnection(fd);
        if (pending.empty()) {
            m_loop.removeWriter(fd);
            m_loop.addReader(fd, &RawEchoServer::onReadable, this, fd);
        }
    }

    void closeConnection(int fd)
    {
        m_loop.removeReader(fd);
        m_loop.removeWriter(fd);
        m_pending.erase(fd);
        ::close(fd);
    }

    qaio::Loop &m_loop;
    std::unordered_map<int, std::string> m_pending; // reply bytes not sent yet, per socket
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bench::Args args(argc, argv);
    bench::raiseFileLimit();
    const bool qtBackend = args.str("backend", "epoll") == "qt";
    const std::string api = args.str("api", "raw");
    qaio::Loop loop(qaio::LoopOptions{.backend = qtBackend ? qaio::LoopBackend::Qt
                                                           : qaio::LoopBackend::Epoll});
    const int port = int(args.num("port", 0));
    if (api == "raw") {
        RawEchoServer server(loop, bench::listenLoopback(port));
        loop.runForever();
        return 0;
    }
    bench::require(api == "protocol" || api == "streams", "--api is protocol, streams or raw");
    loop.runUntilComplete(serve(loop, port, api == "streams"));
    return 0;
}
