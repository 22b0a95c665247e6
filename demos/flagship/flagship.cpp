// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
#include "flagship.h"

#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtGui/QKeyEvent>
#include <QtGui/QMouseEvent>
#include <QtQml/QQmlApplicationEngine>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickWindow>

namespace flagship {

QString Report::format() const
{
    QString s;
    s += QStringLiteral("chat:     %1 clients, %2 lines sent, %3 lines received by \"you\"\n")
             .arg(chatClients).arg(chatSent).arg(chatReceived);
    s += QStringLiteral("process:  %1 lines streamed from /bin/sh\n").arg(processLines);
    s += QStringLiteral("executor: %1 prime jobs completed, %2 cancelled, %3 chunks, %4 primes found\n")
             .arg(primeJobsCompleted).arg(primeJobsCancelled).arg(primeChunks).arg(primesFound);
    s += QStringLiteral("search:   %1 lookups, %2 cancelled by a newer keystroke, %3 completed; shown: %4\n")
             .arg(lookupsStarted).arg(lookupsCancelled).arg(lookupsCompleted)
             .arg(searchResults.mid(0, 5).join(QStringLiteral(" ")));
    s += QStringLiteral("frames:   lateness p50 %1 ms, p99 %2 ms, max %3 ms over %4 ticks of a 60 Hz timer; %5 frames swapped\n")
             .arg(lateness.p50, 0, 'f', 2).arg(lateness.p99, 0, 'f', 2).arg(lateness.max, 0, 'f', 2)
             .arg(lateness.samples).arg(frames);
    if (render.samples)
        s += QStringLiteral("render:   %1 frames rendered on the GUI thread, p50 %2 ms, p99 %3 ms, max %4 ms each\n")
                 .arg(render.samples).arg(render.p50, 0, 'f', 2).arg(render.p99, 0, 'f', 2).arg(render.max, 0, 'f', 2);
    return s;
}

Flagship::Flagship(qaio::Loop &loop, Options options, QObject *parent)
    : QObject(parent),
      m_loop(loop),
      m_options(options),
      m_chat(new ChatService(loop, options.bots, this)),
      m_process(new ProcessService(loop, this)),
      m_primes(new PrimeService(loop, this)),
      m_search(new SearchService(loop, options.searchLatency, this)),
      m_frames(new FrameMonitor(this))
{
}

Flagship::~Flagship()
{
    m_engine.reset(); // the window goes before the services it shows
}

bool Flagship::load()
{
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_engine->setInitialProperties({
        {QStringLiteral("chat"), QVariant::fromValue<QObject *>(m_chat)},
        {QStringLiteral("proc"), QVariant::fromValue<QObject *>(m_process)},
        {QStringLiteral("primes"), QVariant::fromValue<QObject *>(m_primes)},
        {QStringLiteral("search"), QVariant::fromValue<QObject *>(m_search)},
        {QStringLiteral("frames"), QVariant::fromValue<QObject *>(m_frames)},
        {QStringLiteral("primeLimit"), QVariant::fromValue(m_options.primeLimit)},
    });
    m_engine->load(QUrl(QStringLiteral("qrc:/flagship/qml/Main.qml")));
    const auto roots = m_engine->rootObjects();
    m_window = roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(roots.first());
    if (!m_window) {
        qWarning("flagship: the QML window failed to load");
        return false;
    }
    m_frames->attach(m_window);
    return true;
}

namespace {
QQuickItem *findItem(QQuickItem *root, const QString &objectName)
{
    if (root->objectName() == objectName)
        return root;
    for (QQuickItem *child : root->childItems())
        if (QQuickItem *found = findItem(child, objectName))
            return found;
    return nullptr;
}
} // namespace

QQuickItem *Flagship::item(const QString &objectName) const
{
    return m_window ? findItem(m_window->contentItem(), objectName) : nullptr;
}

void Flagship::start()
{
    if (m_started)
        return;
    m_started = true;
    m_frames->start();
    if (!m_options.without.contains(QStringLiteral("chat")))
        m_chat->start();
    if (!m_options.without.contains(QStringLiteral("process")))
        m_process->start();
    if (!m_options.without.contains(QStringLiteral("search")))
        m_search->start();
}

qaio::Coro<void> Flagship::stop()
{
    m_frames->stop();
    co_await m_primes->stop();
    co_await m_search->stop();
    co_await m_process->stop();
    co_await m_chat->stop();
}

namespace {
int keyFor(QChar c)
{
    if (c.isLetter())
        return Qt::Key_A + (c.toUpper().unicode() - 'A');
    if (c.isDigit())
        return Qt::Key_0 + (c.unicode() - '0');
    if (c == QLatin1Char(' '))
        return Qt::Key_Space;
    if (c == QLatin1Char('\n'))
        return Qt::Key_Return;
    if (c == QLatin1Char('\b'))
        return Qt::Key_Backspace;
    return Qt::Key_unknown;
}
} // namespace

qaio::Coro<void> Flagship::typeText(QQuickWindow *window, QQuickItem *item, QString text, double interval)
{
    item->forceActiveFocus(Qt::OtherFocusReason);
    for (QChar c : text) {
        const int key = keyFor(c);
        const QString printable = (c == QLatin1Char('\n') || c == QLatin1Char('\b')) ? QString() : QString(c);
        QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, printable);
        QGuiApplication::sendEvent(window, &press);
        QKeyEvent release(QEvent::KeyRelease, key, Qt::NoModifier, printable);
        QGuiApplication::sendEvent(window, &release);
        co_await qaio::sleep(interval);
    }
}

void Flagship::click(QQuickWindow *window, QQuickItem *item)
{
    const QPointF p = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    const QPointF global = window->mapToGlobal(p);
    QMouseEvent press(QEvent::MouseButtonPress, p, p, global, Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QGuiApplication::sendEvent(window, &press);
    QMouseEvent release(QEvent::MouseButtonRelease, p, p, global, Qt::LeftButton, Qt::NoButton, Qt::NoModifier);
    QGuiApplication::sendEvent(window, &release);
}

qaio::Coro<Report> Flagship::exercise(double seconds)
{
    qaio::Loop &loop = qaio::getRunningLoop();
    const double end = loop.time() + seconds;
    QQuickItem *searchField = item(QStringLiteral("searchField"));
    QQuickItem *chatField = item(QStringLiteral("chatField"));
    QQuickItem *primesStart = item(QStringLiteral("primesStart"));
    QQuickItem *primesCancel = item(QStringLiteral("primesCancel"));
    if (!searchField || !chatField || !primesStart || !primesCancel)
        throw qaio::RuntimeError("exercise(): the window lacks its controls");
    const bool primes = !m_options.without.contains(QStringLiteral("primes"));
    const bool search = !m_options.without.contains(QStringLiteral("search"));
    const bool chat = !m_options.without.contains(QStringLiteral("chat"));
    // A first prime job, cancelled after a moment; then one that runs.
    if (primes) {
        click(m_window, primesStart);
        co_await qaio::sleep(0.3);
        click(m_window, primesCancel);
        co_await qaio::sleep(0.05);
        click(m_window, primesStart);
    }
    // Type faster than the lookup server answers: each keystroke cancels the
    // lookup still in flight; only the pause at the end lets one finish.
    static const char *const queries[] = {"kalo", "mira", "sute", "vepo"};
    int round = 0;
    while (loop.time() < end - 0.5) {
        // Backspace over the previous query, then type the next one.
        QString text = QString::fromLatin1(queries[round % 4]);
        text.prepend(QString(searchField->property("text").toString().size(), QLatin1Char('\b')));
        if (search)
            co_await typeText(m_window, searchField, text, 0.04);
        // Pause: the last keystroke's lookup is not superseded and completes.
        const double until = loop.time() + 2.0;
        do
            co_await qaio::sleep(m_options.searchLatency);
        while (m_search->busy() && loop.time() < until);
        if (chat && round % 2 == 0)
            co_await typeText(m_window, chatField, QStringLiteral("hello from the keyboard %1\n").arg(round), 0.01);
        ++round;
    }
    co_await qaio::sleep(std::max(0.0, end - loop.time()));
    co_return report();
}

Report Flagship::report() const
{
    Report r;
    r.chatReceived = m_chat->received();
    r.chatSent = m_chat->sent();
    r.chatClients = m_chat->clients();
    r.processLines = m_process->lineCount();
    r.primeJobsCompleted = m_primes->completed();
    r.primeJobsCancelled = m_primes->cancelled();
    r.primeChunks = m_primes->chunks();
    r.primesFound = m_primes->found();
    r.lookupsStarted = m_search->started();
    r.lookupsCancelled = m_search->cancelled();
    r.lookupsCompleted = m_search->completed();
    r.searchResults = m_search->results();
    r.lateness = m_frames->total();
    r.render = m_frames->renderTimes();
    r.frames = m_frames->frames();
    return r;
}

bool Flagship::saveScreenshot(const QString &path) const
{
    return m_window && m_window->grabWindow().save(path);
}

} // namespace flagship
