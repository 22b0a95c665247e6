// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio_test.h — the helpers every test suite shares: running a loop with a
// safety net, exceptions as values, checks that work inside coroutines,
// recorders for the exception handler and for Qt's log, POSIX signal
// dispositions. Test-only: not part of qaio.
#pragma once

#include <qaio/qaio.h>

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qvariant.h>
#include <QtTest/qtest.h>

#include <csignal>
#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace qaiotest {

// Thrown by the CO_* checks once QTest has recorded the failure: unwinds the
// test coroutine (QVERIFY's `return` cannot be used inside a coroutine).
struct Abort
{
};

// ---- exceptions as values ------------------------------------------------

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

// Awaits a Coro, Future or Task and returns what it threw (null if it
// succeeded): asyncio's `with self.assertRaises(...): await x`.
template<class A>
qaio::Coro<std::exception_ptr> coErrorOf(A awaitable)
{
    std::exception_ptr error;
    try {
        co_await std::move(awaitable);
    } catch (...) {
        error = std::current_exception();
    }
    co_return error;
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

// what() of the exception in `error` (empty for none).
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

// "type|what()" of an exception, for comparisons and failure messages.
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

// The CancelledError message held by `error`, or a marker if it is not one.
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

// A user-defined error, like CPython's tests' MyExc.
class MyExc : public std::runtime_error
{
public:
    explicit MyExc(const char *what = "MyExc") : std::runtime_error(what) {}
};

// Python's ZeroDivisionError stand-in.
class ZeroDivision : public std::runtime_error
{
public:
    ZeroDivision() : std::runtime_error("division by zero") {}
};

// ---- running the loop ----------------------------------------------------

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

// Runs the loop until `done()` holds (checked every two milliseconds, by a
// callback: no task is created) or `timeout` seconds pass. Returns done().
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

// asyncio's test_utils.run_briefly: lets the loop run a couple of iterations.
inline void runBriefly(qaio::Loop &loop)
{
    loop.runUntilComplete(qaio::sleep(0));
}

// Inside a coroutine: polls pred() every millisecond until it holds or
// `limit` seconds pass. Returns whether it holds.
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

// Inside a coroutine: asyncio.sleep(0), n times.
inline qaio::Coro<void> yieldN(int n)
{
    for (int i = 0; i < n; ++i)
        co_await qaio::sleep(0);
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

// ---- recorders -----------------------------------------------------------

// Records what reaches the loop's exception handler (on the loop's thread).
struct ErrorLog
{
    struct Entry
    {
        QString message;
        std::exception_ptr exception;
        QVariantMap extra;
        bool hasFuture = false;
        QString future;
    };
    QList<Entry> entries;

    void install(qaio::Loop &loop)
    {
        loop.setExceptionHandler([this](qaio::Loop &, const qaio::ExceptionContext &c) {
            entries.append({c.message, c.exception, c.extra, c.future.isValid(),
                            c.future.isValid() ? c.future.toString() : QString()});
        });
    }
    QStringList messages() const
    {
        QStringList list;
        for (const Entry &e : entries)
            list << e.message;
        return list;
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

// Collects the messages that reach the loop's exception handler, from any
// thread; safe to destroy before the loop (the handler keeps the storage).
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
    // Warnings and worse as "[category] message" (debug and info are left out).
    QStringList problems() const
    {
        QStringList found;
        for (const LogEntry &e : entries()) {
            if (e.type != QtDebugMsg && e.type != QtInfoMsg)
                found << QStringLiteral("[%1] %2").arg(e.category, e.message);
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

// ---- checks recorded inside coroutines (the sync suites) ------------------

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

// The failures recorded by CHECK and CHECK_EQ inside a test coroutine that
// runTest() runs; the test function verifies afterwards that there are none.
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

// A vector of futures, built without an initializer_list: GCC 12 cannot keep
// an initializer_list's array alive across a co_await in the same expression.
template<class F, class... Rest>
std::vector<F> vecOf(F first, Rest... rest)
{
    std::vector<F> v;
    v.reserve(1 + sizeof...(Rest));
    v.push_back(std::move(first));
    (v.push_back(std::move(rest)), ...);
    return v;
}

// Far more than any test needs (they take milliseconds).
inline constexpr double watchdogSeconds = 10.0;

// Runs makeCoro(ck) as the main task of a fresh loop (asyncio's
// IsolatedAsyncioTestCase); returns the failures. Every test awaits the
// tasks it creates: a task still pending at the end may refer to the test's
// dead locals, so it is reported and its loop leaked (never run again)
// rather than cancelled.
template<class F>
QString runTest(F makeCoro)
{
    Checks ck;
    auto loop = std::make_unique<qaio::Loop>();
    try {
        // A watchdog: a test that hangs fails instead of blocking the run.
        loop->runUntilComplete(qaio::waitFor(makeCoro(ck), watchdogSeconds));
    } catch (...) {
        ck.failures << QStringLiteral("the test coroutine threw: ") + describe(std::current_exception());
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
        ck.failures << QStringLiteral("the coroutine threw: ") + describe(std::current_exception());
    }
}

// A coroutine that is not a qaio Coro: starts at once, never part of a task
// (asyncio's test_utils.await_without_task).
struct Foreign
{
    struct promise_type
    {
        Foreign get_return_object() noexcept { return {}; }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };
};

// ---- POSIX signal dispositions ---------------------------------------------

// The handler function installed for `sig` (SIG_DFL, SIG_IGN or a function).
inline void *disposition(int sig)
{
    struct sigaction current = {};
    ::sigaction(sig, nullptr, &current);
    if (current.sa_flags & SA_SIGINFO)
        return reinterpret_cast<void *>(current.sa_sigaction);
    return reinterpret_cast<void *>(current.sa_handler);
}

inline bool isDefault(int sig)
{
    return disposition(sig) == reinterpret_cast<void *>(SIG_DFL);
}

inline void setDisposition(int sig, void (*handler)(int))
{
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    ::sigaction(sig, &action, nullptr);
}

} // namespace qaiotest

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
    QAIO_VERIFY_CONTAINS(qaiotest::whatOf<Exception>([&] { __VA_ARGS__; }), phrase)

// Checks for test coroutines. The condition is evaluated into a local first:
// GCC 12 miscompiles a co_await used directly inside an if condition (see
// docs/tasks.md).
#define CO_VERIFY(cond)                                                                           \
    do {                                                                                          \
        const bool qaioOk_ = static_cast<bool>(cond);                                             \
        if (!QTest::qVerify(qaioOk_, #cond, "", __FILE__, __LINE__))                              \
            throw qaiotest::Abort{};                                                              \
    } while (false)

#define CO_VERIFY2(cond, message)                                                                 \
    do {                                                                                          \
        const bool qaioOk_ = static_cast<bool>(cond);                                             \
        if (!QTest::qVerify(qaioOk_, #cond, (message), __FILE__, __LINE__))                       \
            throw qaiotest::Abort{};                                                              \
    } while (false)

#define CO_COMPARE(actual, expected)                                                              \
    do {                                                                                          \
        const auto qaioActual_ = (actual);                                                        \
        const auto qaioExpected_ = (expected);                                                    \
        if (!QTest::qCompare(qaioActual_, qaioExpected_, #actual, #expected, __FILE__, __LINE__)) \
            throw qaiotest::Abort{};                                                              \
    } while (false)

#define CO_FAIL(message)                                                                          \
    do {                                                                                          \
        QTest::qFail((message), __FILE__, __LINE__);                                              \
        throw qaiotest::Abort{};                                                                  \
    } while (false)

// Runs a test coroutine on `loop` with a deadline; returns from the test
// function when it failed.
#define CO_RUN_TIMEOUT(loop, coro, seconds)                                                       \
    do {                                                                                          \
        if (!qaiotest::runCoro((loop), (coro), (seconds), __FILE__, __LINE__))                    \
            return;                                                                               \
    } while (false)
#define CO_RUN(loop, coro) CO_RUN_TIMEOUT(loop, coro, 60.0)

// CHECK/CHECK_EQ record into the `ck` (qaiotest::Checks) of the test coroutine.
#define CHECK(expr) ck.check(static_cast<bool>(expr), #expr, __LINE__)
#define CHECK_EQ(a, b) ck.equal((a), (b), #a, #b, __LINE__)

// Runs the test coroutine `fn` (a function taking qaiotest::Checks&).
#define RUN_SYNC_TEST(fn)                                                                  \
    do {                                                                                   \
        const QString failures_ = qaiotest::runTest([](qaiotest::Checks &c) { return fn(c); }); \
        QVERIFY2(failures_.isEmpty(), qPrintable(failures_));                              \
    } while (false)
