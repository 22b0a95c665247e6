// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tasks_util.h — helpers shared by the tests ported from CPython's
// Lib/test/test_asyncio (test_tasks, test_futures, test_timeouts,
// test_taskgroups, test_waitfor, test_runners).
#pragma once

#include <qaio/qaio.h>

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>
#include <QtTest/qtest.h>

#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <typeinfo>
#include <utility>
#include <vector>

namespace tt {

// asyncio's test_utils.run_briefly: lets the loop run a couple of iterations.
inline void runBriefly(qaio::Loop &loop)
{
    loop.runUntilComplete(qaio::sleep(0));
}

// Runs the loop until pred() holds, polling every millisecond (at most
// `limit` seconds). Returns pred().
template<class Pred>
bool runUntil(qaio::Loop &loop, Pred pred, double limit = 5.0)
{
    const double end = loop.time() + limit;
    auto poll = [&]() -> qaio::Coro<void> {
        while (!pred() && loop.time() < end)
            co_await qaio::sleep(0.001);
    };
    loop.runUntilComplete(poll());
    return pred();
}

// Runs the loop for `seconds`.
inline void runFor(qaio::Loop &loop, double seconds)
{
    loop.runUntilComplete(qaio::sleep(seconds));
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
        return QStringLiteral("<null>");
    try {
        std::rethrow_exception(error);
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("<unknown>");
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

// Runs f() and returns the exception it threw (null if none).
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

// Records what reaches the loop's exception handler.
struct ErrorLog
{
    struct Entry
    {
        QString message;
        std::exception_ptr exception;
        bool hasFuture = false;
        QString future;
    };
    QList<Entry> entries;

    void install(qaio::Loop &loop)
    {
        loop.setExceptionHandler([this](qaio::Loop &, const qaio::ExceptionContext &c) {
            entries.append({c.message, c.exception, c.future.isValid(),
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
};

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

// A user-defined error, like the tests' MyExc.
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

} // namespace tt
