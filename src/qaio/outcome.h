// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/outcome.h — Outcome<T>: a value or the exception that replaced it.
#pragma once

#include <qaio/coro.h>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace qaio {

/// A result or the exception that replaced it (CancelledError for a cancelled
/// child): what gather(returnExceptions, ...) collects.
template<class T>
class Outcome
{
public:
    /// A failed outcome.
    explicit Outcome(std::exception_ptr error) : m_error(std::move(error)) {}
    /// A successful outcome holding `value`.
    template<class U>
        requires(!std::is_void_v<T>)
    explicit Outcome(std::in_place_t, U &&value) : m_value(std::forward<U>(value))
    {
    }
    Outcome()
        requires std::is_void_v<T>
    {
    }
    /// True if it holds a value.
    bool hasValue() const noexcept { return !m_error; }
    /// The exception (null if it holds a value).
    std::exception_ptr exception() const noexcept { return m_error; }
    /// The value; rethrows the exception if there is one.
    decltype(auto) value() const
    {
        if (m_error)
            std::rethrow_exception(m_error);
        if constexpr (!std::is_void_v<T>)
            return static_cast<const T &>(*m_value);
    }
    /// Moves the value out (move-only T); rethrows the exception if there is one.
    T take()
    {
        if (m_error)
            std::rethrow_exception(m_error);
        if constexpr (!std::is_void_v<T>)
            return std::move(*m_value);
    }

private:
    std::exception_ptr m_error;
    std::conditional_t<std::is_void_v<T>, std::monostate, std::optional<T>> m_value;
};

namespace detail {
// Runs `body` inline and captures how it ended, for the `async with` blocks
// (Timeout::run, TaskGroup::run) that must act before the exception moves on.
template<class T>
Coro<Outcome<T>> capture(Coro<T> body)
{
    try {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(body);
            co_return Outcome<T>();
        } else {
            co_return Outcome<T>(std::in_place, co_await std::move(body));
        }
    } catch (...) {
        co_return Outcome<T>(std::current_exception());
    }
}
} // namespace detail

} // namespace qaio
