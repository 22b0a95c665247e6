// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// interoputil.h — helpers shared by the interop tests.
#pragma once

#include <qaio/loop.h>

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>
#include <QtTest/qtest.h>

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <typeinfo>

namespace interop {

// Runs loop.runForever() until something stops it, or a qaio timer does after
// `timeout` seconds. Returns false when the safety net fired.
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

// Runs the loop until `done()` holds (checked every few milliseconds) or the
// timeout passes. Returns done().
inline bool runUntil(qaio::Loop &loop, const std::function<bool()> &done, double timeout = 10.0)
{
    QElapsedTimer clock;
    clock.start();
    std::function<void()> check = [&] {
        if (done() || clock.elapsed() > timeout * 1000)
            loop.stop();
        else
            loop.callLater(0.002, check);
    };
    loop.callSoon(check);
    loop.runForever();
    return done();
}

// Runs the loop for `seconds`, whatever happens.
inline void runFor(qaio::Loop &loop, double seconds)
{
    loop.callLater(seconds, [&] { loop.stop(); });
    loop.runForever();
}

// Collects what reaches the loop's exception handler (safe to destroy before
// the loop: the handler keeps the storage alive).
class Reports
{
public:
    explicit Reports(qaio::Loop &loop) : m_state(std::make_shared<State>())
    {
        loop.setExceptionHandler(
            [state = m_state](qaio::Loop &, const qaio::ExceptionContext &context) {
                std::lock_guard lock(state->mutex);
                state->messages << context.message;
            });
    }
    QStringList messages() const
    {
        std::lock_guard lock(m_state->mutex);
        return m_state->messages;
    }

private:
    struct State
    {
        std::mutex mutex;
        QStringList messages;
    };
    std::shared_ptr<State> m_state;
};

// Captures every message logged while it exists, from any thread.
class LogCapture
{
public:
    LogCapture()
    {
        std::lock_guard lock(mutex());
        current() = this;
        m_previous = qInstallMessageHandler(&LogCapture::handler);
    }
    ~LogCapture()
    {
        qInstallMessageHandler(m_previous);
        std::lock_guard lock(mutex());
        current() = nullptr;
    }
    LogCapture(const LogCapture &) = delete;
    LogCapture &operator=(const LogCapture &) = delete;

    // Warnings and worse (debug and info messages are ignored).
    QStringList problems() const
    {
        std::lock_guard lock(mutex());
        return m_problems;
    }

private:
    static std::mutex &mutex()
    {
        static std::mutex m;
        return m;
    }
    static LogCapture *&current()
    {
        static LogCapture *c = nullptr;
        return c;
    }
    static void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        std::lock_guard lock(mutex());
        LogCapture *self = current();
        if (self && type != QtDebugMsg && type != QtInfoMsg)
            self->m_problems << QStringLiteral("[%1] %2").arg(
                QString::fromUtf8(context.category ? context.category : ""), message);
    }

    QtMessageHandler m_previous = nullptr;
    QStringList m_problems;
};

// "type|what()" of an exception, for comparisons.
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

} // namespace interop

// QVERIFY that the statement(s) throw Exception whose what() contains phrase.
#define INTEROP_VERIFY_THROWS(Exception, phrase, ...)                                             \
    do {                                                                                          \
        QString interopWhat_ = QStringLiteral("<no exception thrown>");                           \
        try {                                                                                     \
            __VA_ARGS__;                                                                          \
        } catch (const Exception &interopError_) {                                                \
            interopWhat_ = QString::fromUtf8(interopError_.what());                               \
        }                                                                                         \
        QVERIFY2(interopWhat_.contains(QLatin1StringView(phrase)), qPrintable(interopWhat_));     \
    } while (false)
