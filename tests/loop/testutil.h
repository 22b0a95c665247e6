// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// testutil.h — small helpers shared by the core loop tests.
#pragma once

#include <qaio/loop.h>

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>
#include <QtTest/qtest.h>

#include <exception>
#include <mutex>
#include <typeinfo>
#include <utility>

namespace testutil {

// Runs loop.runForever() with a safety net: if nothing stops the loop within
// `timeout` seconds a qaio timer does. Returns false when the safety net fired.
inline bool runWithTimeout(qaio::Loop &loop, double timeout = 10.0)
{
    bool timedOut = false;
    qaio::TimerHandle guard = loop.callLater(timeout, [&] {
        timedOut = true;
        loop.stop();
    });
    loop.runForever();
    guard.cancel();
    return !timedOut;
}

// Calls f() and returns the what() of the exception E it throws; a marker
// string when it throws nothing (another exception type propagates).
template<class E, class F>
QString whatOf(F &&f)
{
    try {
        std::forward<F>(f)();
    } catch (const E &e) {
        return QString::fromUtf8(e.what());
    }
    return QStringLiteral("<no exception thrown>");
}

// The type and what() of an exception_ptr, for comparisons.
inline QString describe(const std::exception_ptr &error)
{
    if (!error)
        return QStringLiteral("<null>");
    try {
        std::rethrow_exception(error);
    } catch (const std::exception &e) {
        return QString::fromUtf8(typeid(e).name()) + QLatin1Char('|') + QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("<unknown>");
    }
}

struct LogEntry
{
    QtMsgType type;
    QString category;
    QString message;
};

// Captures every message logged while it exists (from any thread).
class MessageCapture
{
public:
    MessageCapture()
    {
        std::lock_guard lock(mutex());
        current() = this;
        m_previous = qInstallMessageHandler(&MessageCapture::handler);
    }
    ~MessageCapture()
    {
        qInstallMessageHandler(m_previous);
        std::lock_guard lock(mutex());
        current() = nullptr;
    }
    MessageCapture(const MessageCapture &) = delete;
    MessageCapture &operator=(const MessageCapture &) = delete;

    QList<LogEntry> entries() const
    {
        std::lock_guard lock(mutex());
        return m_entries;
    }
    // Messages of `type` in the "qaio" category containing every phrase.
    QList<LogEntry> qaio(QtMsgType type, const QStringList &phrases = {}) const
    {
        QList<LogEntry> found;
        for (const LogEntry &e : entries()) {
            if (e.type != type || e.category != QLatin1StringView("qaio"))
                continue;
            bool all = true;
            for (const QString &p : phrases)
                all = all && e.message.contains(p);
            if (all)
                found.append(e);
        }
        return found;
    }
    QString dump() const
    {
        QStringList lines;
        for (const LogEntry &e : entries())
            lines << QStringLiteral("[%1:%2] %3").arg(e.category).arg(int(e.type)).arg(e.message);
        return lines.join(QLatin1Char('\n'));
    }

private:
    static std::mutex &mutex()
    {
        static std::mutex m;
        return m;
    }
    static MessageCapture *&current()
    {
        static MessageCapture *c = nullptr;
        return c;
    }
    static void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        std::lock_guard lock(mutex());
        if (MessageCapture *self = current())
            self->m_entries.append(
                {type, QString::fromUtf8(context.category ? context.category : ""), message});
    }

    QtMessageHandler m_previous = nullptr;
    QList<LogEntry> m_entries;
};

} // namespace testutil

// QVERIFY that `text` contains `phrase`, printing the text when it does not.
#define QAIO_VERIFY_CONTAINS(text, phrase)                                                        \
    do {                                                                                          \
        const QString qaioText_ = (text);                                                         \
        QVERIFY2(qaioText_.contains(QLatin1StringView(phrase)),                                   \
                 qPrintable(QStringLiteral("\"%1\" does not contain \"%2\"")                      \
                                .arg(qaioText_, QLatin1StringView(phrase))));                     \
    } while (false)

// QVERIFY that the statement(s) throw Exception whose what() contains phrase.
#define QAIO_VERIFY_THROWS(Exception, phrase, ...)                                                \
    QAIO_VERIFY_CONTAINS(testutil::whatOf<Exception>([&] { __VA_ARGS__; }), phrase)
