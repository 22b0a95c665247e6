// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/gather.h — gather(): run awaitables concurrently and collect the results.
///
/// As asyncio.gather. Coros are wrapped in tasks. The variadic form returns a
/// Future of a std::tuple (std::monostate stands for void), the range form a
/// Future of a std::vector. Without returnExceptions the first failure (or
/// cancellation) of a child fails the gather at once, and the other children
/// keep running. With returnExceptions every child's Outcome is collected.
/// Cancelling the gather future cancels every child that is not done yet.
#pragma once

#include <qaio/outcome.h>
#include <qaio/task.h>

#include <functional>
#include <tuple>
#include <variant>
#include <vector>

namespace qaio {

/// The tag that selects asyncio's return_exceptions=True (see returnExceptions).
struct ReturnExceptions
{
};
/// Pass to gather() to collect exceptions as results (asyncio's return_exceptions=True).
inline constexpr ReturnExceptions returnExceptions{};

} // namespace qaio

#include <qaio/impl/gather.h>

namespace qaio {

template<class A>
concept Gatherable = detail::IsCoro<A> || detail::IsFuture<A>;

} // namespace qaio

#include <qaio/impl/gather_collect.h>

namespace qaio {

/// gather(a, b, c): a Future of std::tuple<A, B, C>.
template<class... As>
    requires(sizeof...(As) > 0 && (Gatherable<As> && ...))
auto gather(As &&...awaitables)
{
    return detail::gatherTuple<detail::CollectValues>(std::forward<As>(awaitables)...);
}

/// gather(returnExceptions, a, b, c): a Future of std::tuple<Outcome<A>, ...>.
template<class... As>
    requires(sizeof...(As) > 0 && (Gatherable<As> && ...))
auto gather(ReturnExceptions, As &&...awaitables)
{
    return detail::gatherTuple<detail::CollectOutcomes>(std::forward<As>(awaitables)...);
}

/// gather(range): a Future of std::vector<T> (std::monostate for void), in the
/// order of the range. The range holds Future<T>, Task<T> or Coro<T>.
template<class Range>
    requires(!Gatherable<Range>) && requires(Range &r) { r.begin(); r.end(); }
auto gather(Range &&awaitables)
{
    return detail::gatherRange<detail::CollectValues>(std::forward<Range>(awaitables));
}

/// gather(returnExceptions, range): a Future of std::vector<Outcome<T>>.
template<class Range>
    requires(!Gatherable<Range>) && requires(Range &r) { r.begin(); r.end(); }
auto gather(ReturnExceptions, Range &&awaitables)
{
    return detail::gatherRange<detail::CollectOutcomes>(std::forward<Range>(awaitables));
}

} // namespace qaio
