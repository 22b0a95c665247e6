// echo_server_qaio.cpp — a TCP echo server on qaio's raw file-descriptor API.
//
//   echo_server_qaio [--port 0] [--backend epoll|qt]
//
// Non-blocking sockets: addReader on the listening socket accepts, addReader on
// each connection echoes. If a reply does not fit into the socket, the reader
// is swapped for a writer until the rest is out. Prints {"port": N}, then
// serves until killed.
#include "net.h"

#include <qaio/loop.h>

#include <QtCore/qcoreapplication.h>

#include <unordered_map>

namespace {

class EchoServer
{
public:
    EchoServer(qaio::Loop &loop, int listenFd) : m_loop(loop)
    {
        m_loop.addReader(listenFd, [this, listenFd] {
            for (int fd; (fd = bench::acceptOne(listenFd)) >= 0;)
                m_loop.addReader(fd, &EchoServer::onReadable, this, fd);
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
            m_loop.addWriter(fd, &EchoServer::onWritable, this, fd);
        }
    }

    void onWritable(int fd)
    {
        std::string &pending = m_pending[fd];
        if (!bench::flushPending(fd, pending))
            return closeConnection(fd);
        if (pending.empty()) {
            m_loop.removeWriter(fd);
            m_loop.addReader(fd, &EchoServer::onReadable, this, fd);
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
    qaio::Loop loop(qaio::LoopOptions{.backend = qtBackend ? qaio::LoopBackend::Qt
                                                           : qaio::LoopBackend::Epoll});
    EchoServer server(loop, bench::listenLoopback(int(args.num("port", 0))));
    loop.runForever();
    return 0;
}
