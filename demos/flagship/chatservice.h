// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// chatservice.h — a chat room: a local TLS server that relays every line to
// all clients, a few bot clients that talk on their own, and a "you" client
// whose received lines fill the chat view.
#pragma once

#include <qaio/qmlfuture.h>
#include "linemodel.h"
#include "taskset.h"

#include <QtCore/QObject>
#include <QtCore/QStringList>

#include <memory>

namespace flagship {

class ChatService : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QAbstractItemModel *messages READ messages CONSTANT)
    Q_PROPERTY(int received READ received NOTIFY messagesChanged)
    Q_PROPERTY(int sent READ sent NOTIFY sentChanged)
    Q_PROPERTY(int clients READ clients NOTIFY clientsChanged)
    Q_PROPERTY(bool tls READ tls CONSTANT)
    Q_PROPERTY(quint16 port READ port NOTIFY clientsChanged)

public:
    ChatService(qaio::Loop &loop, int bots, QObject *parent = nullptr);
    ~ChatService() override;

    // Starts the server and the clients (returns at once; they run as tasks).
    void start();
    // Cancels the clients, closes the server and waits until all are gone.
    qaio::Coro<void> stop();

    // Sends `text` as "you"; the future is done once it is written out.
    Q_INVOKABLE qaio::QmlFuture *send(const QString &text);

    QAbstractItemModel *messages() const { return m_messages; }
    QStringList messagesList() const { return m_messages->stringList(); }
    int received() const { return m_received; }
    int sent() const { return m_sent; }
    int clients() const { return m_clients; }
    bool tls() const { return m_tls; }
    quint16 port() const { return m_port; }

Q_SIGNALS:
    void messagesChanged();
    void sentChanged();
    void clientsChanged();

private:
    struct Room;
    static qaio::Coro<void> run(ChatService *self, std::shared_ptr<Room> room, int bots);
    static qaio::Coro<void> handleClient(TaskSet *tasks, std::shared_ptr<Room> room, qaio::StreamReader reader,
                                         qaio::StreamWriter writer);
    static qaio::Coro<void> bot(ChatService *self, QString name, quint16 port, int seed);
    static qaio::Coro<void> drainLines(qaio::StreamReader reader);
    static qaio::Coro<void> you(ChatService *self, quint16 port);
    static qaio::Coro<void> sendAsYou(ChatService *self, QByteArray line);
    void addMessage(const QString &line);
    qaio::ConnectionOptions clientOptions() const;

    qaio::Loop &m_loop;
    int m_bots;
    std::shared_ptr<Room> m_room;
    TaskSet m_tasks;
    std::optional<qaio::StreamWriter> m_you;
    LineModel *m_messages;
    int m_received = 0;
    int m_sent = 0;
    int m_clients = 0;
    bool m_tls = true;
    QSslConfiguration m_clientTls;
    quint16 m_port = 0;
};

} // namespace flagship
