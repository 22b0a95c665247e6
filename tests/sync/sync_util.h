// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// sync_util.h — helpers for the tests ported from CPython's
// Lib/test/test_asyncio/test_locks.py and test_queues.py (3.13).
//
// Each test is a coroutine `Coro<void> name(Checks &ck)` run as the main task
// of a fresh Loop (asyncio's IsolatedAsyncioTestCase). A coroutine cannot use
// QCOMPARE (it returns), so CHECK/CHECK_EQ record failures in `ck`, and the
// test function verifies after the loop is done that none were recorded.
#pragma once

#include <qaio/qaio.h>

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>
#include <QtTest/qtest.h>

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace st {

template<class T>
QString toText(const T &value)
{
    if constexpr (std::is_same_v<T, bool>) {
        return value ? QStringLiteral("true") : QStringLiteral("false");
    } else if constexpr (std::is_arithmetic_v<T>) {
        return QString::number(value);
    } else if constexpr (std::is_convertible_v<const T &, QString>) {
        return QString(value);
    } else if constexpr (requires { value.begin(); value.end(); }) {
        QStringList parts;
        for (const auto &item : value)
            parts << toText(item);
        return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
    } else {
        return QStringLiteral("<value>");
    }
}

template<class A, class B>
bool same(const A &a, const B &b)
{
    if constexpr (std::is_integral_v<A> && std::is_integral_v<B> && !std::is_same_v<A, bool>
                  && !std::is_same_v<B, bool>)
        return std::cmp_equal(a, b);
    else
        return a == b;
}

// The failures recorded by CHECK and CHECK_EQ inside coroutines.
class Checks
{
public:
    void check(bool ok, const char *expr, int line)
    {
        if (!ok)
            failures << QStringLiteral("line %1: CHECK(%2) failed").arg(line).arg(QLatin1StringView(expr));
    }
    template<class A, class B>
    void equal(const A &a, const B &b, const char *ea, const char *eb, int line)
    {
        if (!same(a, b)) {
            failures << QStringLiteral("line %1: CHECK_EQ(%2, %3) failed: %4 != %5")
                            .arg(line)
                            .arg(QLatin1StringView(ea), QLatin1StringView(eb), toText(a), toText(b));
        }
    }
    void fail(const QString &message, int line)
    {
        failures << QStringLiteral("line %1: %2").arg(line).arg(message);
    }

    QStringList failures;
};

#define CHECK(expr) ck.check(static_cast<bool>(expr), #expr, __LINE__)
#define CHECK_EQ(a, b) ck.equal((a), (b), #a, #b, __LINE__)

// ints(1, 2, 3): a QList<int> that needs no braces inside a macro argument.
template<class... I>
QList<int> ints(I... values)
{
    return QList<int>{int(values)...};
}

inline QStringList strs(std::initializer_list<const char *> values)
{
    QStringList list;
    for (const char *v : values)
        list << QString::fromUtf8(v);
    return list;
}

// True if `error` holds an exception of type E (or derived).
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

// what() of the exception in `error`.
inline QString whatOf(const std::exception_ptr &error)
{
    if (!error)
        return QStringLiteral("<none>");
    try {
        std::rethrow_exception(error);
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("<unknown>");
    }
}

// The message of the CancelledError in `error` (a marker if it is not one).
inline QString cancelMessageOf(const std::exception_ptr &error)
{
    try {
        std::rethrow_exception(error);
    } catch (const qaio::CancelledError &e) {
        return e.message();
    } catch (...) {
        return QStringLiteral("<not a CancelledError>");
    }
}

// Runs f() and returns what it threw (null if nothing).
template<class F>
std::exception_ptr errorOfCall(F &&f)
{
    try {
        std::forward<F>(f)();
    } catch (...) {
        return std::current_exception();
    }
    return nullptr;
}

// Awaits `awaitable` (a Coro, Future or Task) and returns what it threw (null
// if it succeeded): asyncio's `with self.assertRaises(...): await x`.
template<class A>
qaio::Coro<std::exception_ptr> errorOf(A awaitable)
{
    std::exception_ptr error;
    try {
        co_await std::move(awaitable);
    } catch (...) {
        error = std::current_exception();
    }
    co_return error;
}

// asyncio.sleep(0), n times.
inline qaio::Coro<void> yieldTimes(int n)
{
    for (int i = 0; i < n; ++i)
        co_await qaio::sleep(0);
}

// Far more than any test needs (they take milliseconds).
inline constexpr double watchdogSeconds = 10.0;

// Runs makeCoro(ck) as the main task of a fresh loop; returns the failures.
// Every test awaits the tasks it creates: a task still pending at the end
// may refer to the test's dead locals, so it is reported and its loop leaked
// (never run again) rather than cancelled.
template<class F>
QString runTest(F makeCoro)
{
    Checks ck;
    auto loop = std::make_unique<qaio::Loop>();
    try {
        // A watchdog: a test that hangs fails instead of blocking the run.
        loop->runUntilComplete(qaio::waitFor(makeCoro(ck), watchdogSeconds));
    } catch (...) {
        ck.failures << QStringLiteral("the test coroutine threw: ") + whatOf(std::current_exception());
    }
    const auto pending = qaio::allTasks(*loop);
    if (!pending.isEmpty()) {
        ck.failures << QStringLiteral("%1 task(s) left pending").arg(pending.size());
        (void)loop.release();
    }
    return ck.failures.join(QLatin1Char('\n'));
}

// Runs `coro` on `loop`, recording an escaping exception in `ck` (for the
// tests that need two loops).
template<class T>
void runOn(qaio::Loop &loop, qaio::Coro<T> coro, Checks &ck)
{
    try {
        loop.runUntilComplete(qaio::waitFor(std::move(coro), watchdogSeconds));
    } catch (...) {
        ck.failures << QStringLiteral("the coroutine threw: ") + whatOf(std::current_exception());
    }
}

} // namespace st

// Runs the test coroutine `fn` (a function taking st::Checks&).
#define RUN_SYNC_TEST(fn)                                                                  \
    do {                                                                                   \
        const QString failures_ = st::runTest([](st::Checks &c) { return fn(c); });        \
        QVERIFY2(failures_.isEmpty(), qPrintable(failures_));                              \
    } while (false)
