// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
#include "searchservice.h"

#include <QtCore/QPointer>

namespace flagship {

SearchService::SearchService(qaio::Loop &loop, double latency, QObject *parent)
    : QObject(parent),
      m_loop(loop),
      m_latency(latency),
      m_words(std::make_shared<const QStringList>(makeWords())),
      m_ready(loop)
{
}

SearchService::~SearchService()
{
    if (m_server)
        m_server->close();
}

QStringList SearchService::makeWords()
{
    static const char *const syllables[] = {"ka", "lo", "mi", "ra", "te", "su", "an", "el", "or", "qu",
                                            "in", "ve", "po", "di", "sa", "ne", "tu", "ba", "co", "ri"};
    QStringList words;
    for (const char *a : syllables)
        for (const char *b : syllables)
            for (const char *c : syllables)
                words << QString::fromLatin1(a) + QLatin1String(b) + QLatin1String(c);
    return words;
}

QVariantMap SearchService::lookupLocally(const QStringList &words, const QString &query, int max)
{
    QStringList hits;
    int matches = 0;
    const QString q = query.trimmed().toLower();
    if (!q.isEmpty()) {
        for (const QString &w : words) {
            if (w.contains(q)) {
                if (hits.size() < max)
                    hits << w;
                ++matches;
            }
        }
    }
    return {{QStringLiteral("query"), query}, {QStringLiteral("matches"), matches}, {QStringLiteral("words"), hits}};
}

void SearchService::start()
{
    auto words = m_words;
    const double latency = m_latency;
    auto handler = [this, words, latency](qaio::StreamReader r, qaio::StreamWriter w) {
        return serveQuery(&m_tasks, words, latency, std::move(r), std::move(w));
    };
    auto starting = [](SearchService *self, qaio::ClientConnected h) -> qaio::Coro<void> {
        self->m_server = co_await qaio::startServer(std::move(h), QStringLiteral("127.0.0.1"), 0);
        self->m_port = self->m_server->sockets().value(0).port();
        self->m_ready.setResult();
    };
    m_tasks.add(qaio::createTask(m_loop, starting(this, handler), QStringLiteral("search-server")));
}

// One query per connection: "text\n" in, "matches\tword\tword...\n" out.
qaio::Coro<void> SearchService::serveQuery(TaskSet *tasks, std::shared_ptr<const QStringList> words,
                                           double latency, qaio::StreamReader reader, qaio::StreamWriter writer)
{
    tasks->addCurrent(); // so that stop() cancels a query the server is still working on
    try {
        const QString query = QString::fromUtf8((co_await reader.readline()).trimmed());
        co_await qaio::sleep(latency); // the simulated slow backend
        const QVariantMap found = lookupLocally(*words, query);
        QByteArray answer = QByteArray::number(found.value(QStringLiteral("matches")).toInt());
        for (const QString &w : found.value(QStringLiteral("words")).toStringList())
            answer += '\t' + w.toUtf8();
        writer.write(answer + '\n');
        co_await writer.drain();
    } catch (const std::system_error &) {
        // the client gave up (its lookup was cancelled) and closed the connection
    }
    writer.close();
}

qaio::QmlFuture *SearchService::search(const QString &text)
{
    if (m_current.isValid() && !m_current.done())
        m_current.cancel(QStringLiteral("superseded by a newer query"));
    ++m_started;
    m_current = m_tasks.add(qaio::createTask(m_loop, lookup(this, text), QStringLiteral("lookup")));
    // Counted when the task is done: a lookup cancelled before its first step
    // never enters its body.
    QPointer<SearchService> self(this);
    // (Also how `busy` learns that the lookup is over.)
    m_current.addDoneCallback([self](const qaio::FutureBase &f) {
        if (!self)
            return;
        if (f.cancelled())
            ++self->m_cancelled;
        Q_EMIT self->countsChanged();
    });
    Q_EMIT countsChanged();
    return qaio::toQml(qaio::Future<QVariantMap>(m_current));
}

qaio::Coro<QVariantMap> SearchService::lookup(SearchService *self, QString text)
{
    if (!self->m_ready.done())
        co_await self->m_ready;
    QVariantMap result;
    auto [reader, writer] = co_await qaio::openConnection(QStringLiteral("127.0.0.1"), self->m_port);
    try {
        writer.write(text.simplified().toUtf8() + '\n');
        const QList<QByteArray> fields = (co_await reader.readline()).trimmed().split('\t');
        QStringList words;
        for (qsizetype i = 1; i < fields.size(); ++i)
            words << QString::fromUtf8(fields[i]);
        result = {{QStringLiteral("query"), text},
                  {QStringLiteral("matches"), fields.value(0).toInt()},
                  {QStringLiteral("words"), words}};
    } catch (...) {
        writer.close(); // cancelled: the server sees the hang-up and drops the query
        throw;
    }
    writer.close();
    ++self->m_completed;
    self->m_query = text;
    self->m_matches = result.value(QStringLiteral("matches")).toInt();
    self->m_results = result.value(QStringLiteral("words")).toStringList();
    Q_EMIT self->countsChanged();
    Q_EMIT self->resultsChanged();
    co_return result;
}

qaio::Coro<void> SearchService::stop()
{
    if (m_server)
        m_server->close(); // no new connections while the tasks wind down
    co_await m_tasks.cancelAndWait();
    if (m_server) {
        m_server->closeClients();
        co_await m_server->waitClosed();
    }
}

} // namespace flagship
