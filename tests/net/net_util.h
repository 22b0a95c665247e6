// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// net_util.h — helpers shared by the networking tests (tests/net): checks
// that work inside coroutines, running a test coroutine with a deadline,
// loopback socket pairs, recorders for the exception handler, fd counting.
#pragma once

#include <qaio/qaio.h>

#include <QtCore/qdir.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>
#include <QtTest/qtest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <exception>
#include <functional>
#include <system_error>
#include <typeinfo>
#include <utility>

namespace nt {

// Thrown by the CO_* checks once QTest has recorded the failure: unwinds the
// test coroutine (QVERIFY's `return` cannot be used inside a coroutine).
struct Abort
{
};

} // namespace nt

// The condition is evaluated into a local first: GCC 12 miscompiles a co_await
// used directly inside an if condition (see docs/tasks.md).
#define CO_VERIFY(cond)                                                                           \
    do {                                                                                          \
        const bool ntOk_ = static_cast<bool>(cond);                                               \
        if (!QTest::qVerify(ntOk_, #cond, "", __FILE__, __LINE__))                                \
            throw nt::Abort{};                                                                    \
    } while (false)

#define CO_VERIFY2(cond, message)                                                                 \
    do {                                                                                          \
        const bool ntOk_ = static_cast<bool>(cond);                                               \
        if (!QTest::qVerify(ntOk_, #cond, (message), __FILE__, __LINE__))                         \
            throw nt::Abort{};                                                                    \
    } while (false)

#define CO_COMPARE(actual, expected)                                                              \
    do {                                                                                          \
        const auto ntActual_ = (actual);                                                          \
        const auto ntExpected_ = (expected);                                                      \
        if (!QTest::qCompare(ntActual_, ntExpected_, #actual, #expected, __FILE__, __LINE__))     \
            throw nt::Abort{};                                                                    \
    } while (false)

#define CO_FAIL(message)                                                                          \
    do {                                                                                          \
        QTest::qFail((message), __FILE__, __LINE__);                                              \
        throw nt::Abort{};                                                                        \
    } while (false)

namespace nt {

// "type|what()" of an exception, for failure messages.
inline QString describe(const std::exception_ptr &error)
{
    if (!error)
        return QStringLiteral("<no exception>");
    try {
        std::rethrow_exception(error);
    } catch (const Abort &) {
        return QStringLiteral("<check failed>");
    } catch (const std::exception &e) {
        return QString::fromUtf8(typeid(e).name()) + QLatin1Char('|') + QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("<unknown exception>");
    }
}

template<class E>
bool holds(const std::exception_ptr &error)
{
    if (!error)
        return false;
    try {
        std::rethrow_exception(error);
    } catch (const E &) {
        return true;
    } catch (...) {
        return false;
    }
}

// The error code of a std::system_error (empty for anything else).
inline std::error_code codeOf(const std::exception_ptr &error)
{
    if (!error)
        return {};
    try {
        std::rethrow_exception(error);
    } catch (const std::system_error &e) {
        return e.code();
    } catch (...) {
        return {};
    }
}

inline QString whatOf(const std::exception_ptr &error)
{
    if (!error)
        return {};
    try {
        std::rethrow_exception(error);
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("<unknown>");
    }
}

// Calls f() and returns what it threw (null if nothing).
template<class F>
std::exception_ptr errorOf(F &&f)
{
    try {
        std::forward<F>(f)();
    } catch (...) {
        return std::current_exception();
    }
    return nullptr;
}

// Awaits a Future or Coro and returns what it threw (null if nothing).
template<class A>
qaio::Coro<std::exception_ptr> coErrorOf(A awaitable)
{
    try {
        co_await std::move(awaitable);
    } catch (...) {
        co_return std::current_exception();
    }
    co_return nullptr;
}

// Runs the test coroutine with a deadline; records a failure for a timeout or
// an unexpected exception. Afterwards lets the loop run a few iterations, so
// that connectionLost() callbacks and the like run before the loop goes away.
template<class T>
bool runCoro(qaio::Loop &loop, qaio::Coro<T> coro, double timeout, const char *file, int line)
{
    bool ok = false;
    try {
        loop.runUntilComplete(qaio::waitFor(std::move(coro), timeout));
        ok = true;
    } catch (const Abort &) {
    } catch (const qaio::TimeoutError &) {
        QTest::qFail(qPrintable(QStringLiteral("the test coroutine did not finish within %1 s").arg(timeout)),
                     file, line);
    } catch (...) {
        QTest::qFail(qPrintable(QStringLiteral("unexpected exception: ") + describe(std::current_exception())),
                     file, line);
    }
    try {
        for (int i = 0; i < 5; ++i)
            loop.runUntilComplete(qaio::sleep(0));
    } catch (...) {
    }
    return ok;
}

} // namespace nt

#define NT_RUN_TIMEOUT(loop, coro, seconds)                                                       \
    do {                                                                                          \
        if (!nt::runCoro((loop), (coro), (seconds), __FILE__, __LINE__))                          \
            return;                                                                               \
    } while (false)
#define NT_RUN(loop, coro) NT_RUN_TIMEOUT(loop, coro, 60.0)

namespace nt {

// Polls pred() every millisecond until it holds or `limit` seconds pass.
template<class Pred>
qaio::Coro<bool> until(Pred pred, double limit = 10.0)
{
    qaio::Loop &loop = qaio::getRunningLoop();
    const double end = loop.time() + limit;
    while (!pred()) {
        if (loop.time() > end)
            co_return false;
        co_await qaio::sleep(0.001);
    }
    co_return true;
}

// Lets the loop run n iterations.
inline qaio::Coro<void> yieldN(int n)
{
    for (int i = 0; i < n; ++i)
        co_await qaio::sleep(0);
}

// Records what reaches the loop's exception handler.
struct ErrorLog
{
    struct Entry
    {
        QString message;
        std::exception_ptr exception;
        QVariantMap extra;
    };
    QList<Entry> entries;

    void install(qaio::Loop &loop)
    {
        loop.setExceptionHandler([this](qaio::Loop &, const qaio::ExceptionContext &c) {
            entries.append({c.message, c.exception, c.extra});
        });
    }
    int count(const QString &phrase) const
    {
        int n = 0;
        for (const Entry &e : entries)
            n += e.message.contains(phrase) ? 1 : 0;
        return n;
    }
    QString dump() const
    {
        QStringList lines;
        for (const Entry &e : entries)
            lines << e.message + QStringLiteral(" / ") + describe(e.exception);
        return lines.join(QLatin1Char('\n'));
    }
};

// A listening, non-blocking TCP socket on host:0.
inline qaio::Socket listener(const QString &host = QStringLiteral("127.0.0.1"), int backlog = 128)
{
    const auto address = qaio::SocketAddress::fromString(host, 0);
    qaio::Socket sock(address.family(), SOCK_STREAM);
    sock.bind(address);
    sock.listen(backlog);
    sock.setBlocking(false);
    return sock;
}

// A connected, non-blocking TCP pair over loopback: (client, server side).
inline qaio::Coro<std::pair<qaio::Socket, qaio::Socket>> tcpPair(QString host = QStringLiteral("127.0.0.1"))
{
    qaio::Loop &loop = qaio::getRunningLoop();
    qaio::Socket listening = listener(host);
    const qaio::SocketAddress address = listening.localAddress();
    qaio::Socket client(address.family(), SOCK_STREAM);
    client.setBlocking(false);
    auto accepted = qaio::sockAccept(loop, listening);
    co_await qaio::sockConnect(loop, client, address);
    auto [server, peer] = co_await accepted;
    Q_UNUSED(peer);
    co_return std::pair<qaio::Socket, qaio::Socket>(std::move(client), std::move(server));
}

// True if a socket can be bound to ::1.
inline bool ipv6Available()
{
    try {
        qaio::Socket sock(AF_INET6, SOCK_STREAM);
        sock.bind(qaio::SocketAddress::fromString(QStringLiteral("::1"), 0));
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

// The number of open file descriptors of this process.
inline int openFdCount()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size());
}

// n bytes of a reproducible pseudo-random pattern.
inline QByteArray pattern(qsizetype n, quint32 seed = 1)
{
    QByteArray data(n, Qt::Uninitialized);
    quint32 x = seed ? seed : 1;
    for (qsizetype i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = char(x & 0xff);
    }
    return data;
}

} // namespace nt
