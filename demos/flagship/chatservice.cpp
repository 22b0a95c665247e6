// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
#include "chatservice.h"
#include "democert.h"

#include <QtCore/QRandomGenerator>

namespace flagship {

namespace {
const char *const kPhrases[] = {
    "anyone seen the build?", "the loop is on the GUI thread, really", "ping", "pong",
    "primes are still coming", "typing in the search box cancels lookups", "60 frames a second here",
    "TLS on loopback, why not", "who closed the socket?", "coroutines all the way down",
};
constexpr int kMaxMessages = 200;
} // namespace

// The server side: every connected client's writer, to relay lines to all.
struct ChatService::Room
{
    std::shared_ptr<qaio::Server> server;
    std::vector<qaio::StreamWriter> writers;
    void broadcast(const QByteArray &line)
    {
        for (auto &w : writers)
            if (!w.isClosing())
                w.write(line);
    }
};

ChatService::ChatService(qaio::Loop &loop, int bots, QObject *parent)
    : QObject(parent),
      m_loop(loop),
      m_bots(bots),
      m_room(std::make_shared<Room>()),
      m_messages(new LineModel(kMaxMessages, this))
{
}

ChatService::~ChatService()
{
    if (m_room->server)
        m_room->server->close();
}

void ChatService::start()
{
    m_tasks.add(qaio::createTask(m_loop, run(this, m_room, m_bots), QStringLiteral("chat")));
}

qaio::Coro<void> ChatService::run(ChatService *self, std::shared_ptr<Room> room, int bots)
{
    auto handler = [self, room](qaio::StreamReader r, qaio::StreamWriter w) {
        return handleClient(&self->m_tasks, room, std::move(r), std::move(w));
    };
    // TLS with a certificate made at start-up; the clients verify it.
    const DemoTls tls = DemoTls::make();
    self->m_clientTls = tls.client;
    qaio::ServerOptions options;
    options.ssl = tls.server;
    options.sslHandshakeTimeout = 10;
    room->server = co_await qaio::startServer(handler, QStringLiteral("127.0.0.1"), 0, qaio::kDefaultStreamLimit,
                                              options);
    self->m_port = room->server->sockets().value(0).port();
    Q_EMIT self->clientsChanged();
    self->m_tasks.add(qaio::createTask(you(self, self->m_port), QStringLiteral("chat-you")));
    for (int i = 0; i < bots; ++i) {
        static const char *const names[] = {"ada", "bob", "cy", "dee", "eve", "fay"};
        self->m_tasks.add(qaio::createTask(bot(self, QString::fromLatin1(names[i % 6]), self->m_port, i),
                                           QStringLiteral("chat-bot")));
    }
}

qaio::Coro<void> ChatService::handleClient(TaskSet *tasks, std::shared_ptr<Room> room, qaio::StreamReader reader,
                                           qaio::StreamWriter writer)
{
    tasks->addCurrent(); // stop() cancels the server's client handlers too
    room->writers.push_back(writer);
    QByteArray name = "?";
    try {
        // The first line is the client's name; every later line is relayed.
        name = (co_await reader.readline()).trimmed();
        room->broadcast("* " + name + " joined\n");
        for (;;) {
            std::optional<QByteArray> line = co_await reader.nextLine();
            if (!line)
                break;
            room->broadcast(name + ": " + line->trimmed() + "\n");
        }
    } catch (const std::system_error &) {
        // the client vanished
    } catch (...) { // cancelled (shutdown)
        std::erase_if(room->writers, [&](const qaio::StreamWriter &w) { return w.transport() == writer.transport(); });
        writer.close();
        throw;
    }
    std::erase_if(room->writers, [&](const qaio::StreamWriter &w) { return w.transport() == writer.transport(); });
    room->broadcast("* " + name + " left\n");
    writer.close();
}

qaio::Coro<void> ChatService::bot(ChatService *self, QString name, quint16 port, int seed)
{
    const qaio::ConnectionOptions options = self->clientOptions();
    auto [reader, writer] = co_await qaio::openConnection(QStringLiteral("127.0.0.1"), port, qaio::kDefaultStreamLimit,
                                                          options);
    ++self->m_clients;
    Q_EMIT self->clientsChanged();
    QRandomGenerator rng(quint32(seed + 1));
    // A bot reads what the room relays too, so that its socket never fills up.
    auto drain = self->m_tasks.add(qaio::createTask(drainLines(reader), QStringLiteral("chat-bot-reader")));
    try {
        writer.write(name.toUtf8() + "\n");
        for (;;) {
            co_await qaio::sleep(0.25 + rng.bounded(0.6));
            const char *phrase = kPhrases[rng.bounded(int(std::size(kPhrases)))];
            writer.write(QByteArray(phrase) + "\n");
            co_await writer.drain();
            ++self->m_sent;
            Q_EMIT self->sentChanged();
        }
    } catch (...) {
        drain.cancel();
        --self->m_clients;
        Q_EMIT self->clientsChanged();
        writer.close();
        throw;
    }
}

qaio::Coro<void> ChatService::drainLines(qaio::StreamReader reader)
{
    for (;;) {
        QByteArray data = co_await reader.read(64 * 1024);
        if (data.isEmpty())
            break;
    }
}

qaio::Coro<void> ChatService::you(ChatService *self, quint16 port)
{
    const qaio::ConnectionOptions options = self->clientOptions();
    auto [reader, writer] = co_await qaio::openConnection(QStringLiteral("127.0.0.1"), port, qaio::kDefaultStreamLimit,
                                                          options);
    self->m_you = writer;
    ++self->m_clients;
    Q_EMIT self->clientsChanged();
    writer.write("you\n");
    try {
        for (;;) {
            std::optional<QByteArray> line = co_await reader.nextLine();
            if (!line)
                break;
            self->addMessage(QString::fromUtf8(line->trimmed()));
        }
    } catch (...) {
        self->m_you.reset();
        --self->m_clients;
        Q_EMIT self->clientsChanged();
        writer.close();
        throw;
    }
    self->m_you.reset();
}

qaio::ConnectionOptions ChatService::clientOptions() const
{
    qaio::ConnectionOptions options;
    options.ssl = m_clientTls;
    options.serverHostname = QStringLiteral("localhost"); // what the certificate names
    options.sslHandshakeTimeout = 10;
    return options;
}

void ChatService::addMessage(const QString &line)
{
    m_messages->append(line);
    ++m_received;
    Q_EMIT messagesChanged();
}

qaio::QmlFuture *ChatService::send(const QString &text)
{
    QByteArray line = text.simplified().toUtf8();
    return qaio::toQml(qaio::Future<void>(m_tasks.add(
        qaio::createTask(m_loop, sendAsYou(this, line + "\n"), QStringLiteral("chat-send")))));
}

qaio::Coro<void> ChatService::sendAsYou(ChatService *self, QByteArray line)
{
    if (line.trimmed().isEmpty())
        throw qaio::ValueError("send(): the message is empty");
    if (!self->m_you)
        throw qaio::RuntimeError("send(): not connected");
    qaio::StreamWriter writer = *self->m_you;
    writer.write(line);
    co_await writer.drain();
    ++self->m_sent;
    Q_EMIT self->sentChanged();
}

qaio::Coro<void> ChatService::stop()
{
    if (m_room->server)
        m_room->server->close(); // no new connections while the tasks wind down
    co_await m_tasks.cancelAndWait();
    if (auto server = m_room->server) {
        server->closeClients();
        co_await server->waitClosed();
    }
}

} // namespace flagship
