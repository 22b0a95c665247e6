// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/outcome.h — the machinery behind qaio/outcome.h; not part of the API.
//
// Included by qaio/outcome.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

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
