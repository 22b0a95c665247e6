// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// searchservice.h — search as you type. A local lookup server answers a
// query line with the matching words after a simulated latency; every call
// of search() cancels the lookup still in flight, so only the last
// keystroke's answer arrives.
#pragma once

#include <qaio/qmlfuture.h>
#include "taskset.h"

#include <QtCore/QObject>
#include <QtCore/QStringList>

#include <memory>

namespace flagship {

class SearchService : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QStringList results READ results NOTIFY resultsChanged)
    Q_PROPERTY(int matches READ matches NOTIFY resultsChanged)
    Q_PROPERTY(QString query READ query NOTIFY resultsChanged)
    Q_PROPERTY(int started READ started NOTIFY countsChanged)
    Q_PROPERTY(int cancelled READ cancelled NOTIFY countsChanged)
    Q_PROPERTY(int completed READ completed NOTIFY countsChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY countsChanged)
    Q_PROPERTY(double latency READ latency CONSTANT)
    Q_PROPERTY(int words READ words CONSTANT)

public:
    // `latency`: seconds the server takes per query.
    SearchService(qaio::Loop &loop, double latency, QObject *parent = nullptr);
    ~SearchService() override;

    void start();
    qaio::Coro<void> stop();

    // Looks `text` up (cancelling the previous lookup). The future's result is
    // a map {query, matches, words}; a superseded lookup's future is cancelled.
    Q_INVOKABLE qaio::QmlFuture *search(const QString &text);

    QStringList results() const { return m_results; }
    int matches() const { return m_matches; }
    QString query() const { return m_query; }
    int started() const { return m_started; }
    int cancelled() const { return m_cancelled; }
    int completed() const { return m_completed; }
    bool busy() const { return m_current.isValid() && !m_current.done(); }
    double latency() const { return m_latency; }
    int words() const { return int(m_words->size()); }

    // The word list (deterministic, generated from syllables) and the lookup.
    static QStringList makeWords();
    static QVariantMap lookupLocally(const QStringList &words, const QString &query, int max = 30);

Q_SIGNALS:
    void resultsChanged();
    void countsChanged();

private:
    static qaio::Coro<void> serveQuery(TaskSet *tasks, std::shared_ptr<const QStringList> words, double latency,
                                       qaio::StreamReader reader, qaio::StreamWriter writer);
    static qaio::Coro<QVariantMap> lookup(SearchService *self, QString text);

    qaio::Loop &m_loop;
    double m_latency;
    std::shared_ptr<const QStringList> m_words;
    std::shared_ptr<qaio::Server> m_server;
    qaio::Future<void> m_ready;
    quint16 m_port = 0;
    TaskSet m_tasks;
    qaio::Task<QVariantMap> m_current;
    QStringList m_results;
    int m_matches = 0;
    QString m_query;
    int m_started = 0;
    int m_cancelled = 0;
    int m_completed = 0;
};

} // namespace flagship
