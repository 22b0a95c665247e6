// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// signals_util.h — helpers for the signal tests: the current disposition of a
// signal, running the loop until a condition holds, errors as values.
#pragma once

#include <qaio/qaio.h>

#include <QtCore/qstring.h>

#include <csignal>
#include <exception>
#include <utility>

namespace st {

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

// Runs the loop until pred() holds or `limit` seconds passed; returns pred().
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

template<class E>
bool holds(const std::exception_ptr &error)
{
    try {
        if (error)
            std::rethrow_exception(error);
    } catch (const E &) {
        return true;
    } catch (...) {
    }
    return false;
}

inline QString whatOf(const std::exception_ptr &error)
{
    try {
        if (error)
            std::rethrow_exception(error);
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
    }
    return QStringLiteral("<none>");
}

} // namespace st
