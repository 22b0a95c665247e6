// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// echo_server_qsn.cpp — the same TCP echo server on plain Qt: one QSocketNotifier per socket.
//
//   echo_server_qsn [--port 0]
//
// What Qt code without qaio does: every connection gets its own read notifier
// (and a write notifier while a reply is pending). Qt's dispatcher polls every
// enabled notifier on each pass, so each pass costs O(connections).
// Prints {"port": N}, then serves until killed.
#include "net.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qsocketnotifier.h>

namespace {

class Connection : public QObject
{
public:
    explicit Connection(int fd) : m_fd(fd), m_read(fd, QSocketNotifier::Read, this),
                                  m_write(fd, QSocketNotifier::Write, this)
    {
        m_write.setEnabled(false);
        connect(&m_read, &QSocketNotifier::activated, this, &Connection::onReadable);
        connect(&m_write, &QSocketNotifier::activated, this, &Connection::onWritable);
    }

private:
    void onReadable()
    {
        if (!bench::echoOnce(m_fd, m_pending))
            return closeConnection();
        if (!m_pending.empty()) {
            m_read.setEnabled(false);
            m_write.setEnabled(true);
        }
    }

    void onWritable()
    {
        if (!bench::flushPending(m_fd, m_pending))
            return closeConnection();
        if (m_pending.empty()) {
            m_write.setEnabled(false);
            m_read.setEnabled(true);
        }
    }

    void closeConnection()
    {
        // Called from a notifier's activated(): disable now, delete later.
        m_read.setEnabled(false);
        m_write.setEnabled(false);
        ::close(m_fd);
        deleteLater();
    }

    int m_fd;
    std::string m_pending; // reply bytes not sent yet
    QSocketNotifier m_read;
    QSocketNotifier m_write;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bench::Args args(argc, argv);
    bench::raiseFileLimit();
    const int listenFd = bench::listenLoopback(int(args.num("port", 0)));
    QSocketNotifier acceptor(listenFd, QSocketNotifier::Read);
    QObject::connect(&acceptor, &QSocketNotifier::activated, [listenFd] {
        for (int fd; (fd = bench::acceptOne(listenFd)) >= 0;)
            new Connection(fd);
    });
    return app.exec();
}
