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

namespace detail {

template<class T>
using GatherValueT = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template<class T>
GatherValueT<T> gatherValue(const Future<T> &f)
{
    if constexpr (std::is_void_v<T>)
        return std::monostate{};
    else
        return f.result();
}

template<class T>
Outcome<T> gatherOutcome(const Future<T> &f)
{
    if (f.cancelled())
        return Outcome<T>(std::make_exception_ptr(f.statePtr()->makeCancelledError()));
    if (auto error = f.exception())
        return Outcome<T>(error);
    if constexpr (std::is_void_v<T>)
        return Outcome<T>();
    else
        return Outcome<T>(std::in_place, f.result());
}

// The gathering future: asyncio's _GatheringFuture.
template<class R>
class GatherState final : public FutureState<R>
{
public:
    using FutureState<R>::FutureState;

    bool cancel(const QString &message) override
    {
        if (this->done())
            return false;
        bool any = false;
        for (FutureBase &child : children) {
            if (child.cancel(message))
                any = true;
        }
        if (any)
            cancelRequested = true; // the gather ends cancelled once the children are done
        return any;
    }

    void childDone(const FutureBase &child)
    {
        ++finished;
        if (this->done()) {
            if (!child.cancelled())
                child.exception(); // mark retrieved: the gather already failed
            return;
        }
        if (!returnExceptions) {
            if (child.cancelled()) {
                this->setException(std::make_exception_ptr(child.statePtr()->makeCancelledError()));
                return;
            }
            if (auto error = child.exception()) {
                this->setException(error);
                return;
            }
        }
        if (finished == children.size()) {
            if (cancelRequested) {
                this->setException(std::make_exception_ptr(CancelledError(cancelMessage())));
                return;
            }
            this->value.emplace(collect());
            this->finish();
        }
    }

    QString cancelMessage() const
    {
        for (const FutureBase &child : children) {
            if (child.cancelled())
                return child.statePtr()->cancelMessage;
        }
        return {};
    }

    std::vector<FutureBase> children;
    std::function<R()> collect;
    std::size_t finished = 0;
    bool returnExceptions = false;
    bool cancelRequested = false;
};

template<class R>
Future<R> startGather(Loop &loop, std::vector<FutureBase> children, std::function<R()> collect,
                      bool returnExceptions)
{
    auto state = std::make_shared<GatherState<R>>(sharedImpl(loop));
    state->children = std::move(children);
    state->collect = std::move(collect);
    state->returnExceptions = returnExceptions;
    Future<R> outer(std::static_pointer_cast<FutureState<R>>(state));
    if (state->children.empty()) {
        outer.setResult(state->collect());
        return outer;
    }
    for (FutureBase &child : state->children) {
        // The child's callback holds the gather alive until the child is done.
        child.addDoneCallback([state](const FutureBase &f) { state->childDone(f); });
    }
    return outer;
}

template<class... Fs>
Loop &gatherLoop(const Fs &...futures)
{
    Loop *loop = nullptr;
    ((loop = loop ? loop : &futures.getLoop()), ...);
    return loop ? *loop : getRunningLoop();
}

} // namespace detail

template<class A>
concept Gatherable = detail::IsCoro<A> || detail::IsFuture<A>;

namespace detail {

// What gather() collects from each child: its value (failing fast), or its Outcome.
struct CollectValues
{
    template<class T>
    using Item = GatherValueT<T>;
    static constexpr bool returnExceptions = false;
    template<class T>
    static Item<T> get(const Future<T> &f)
    {
        return gatherValue(f);
    }
};

struct CollectOutcomes
{
    template<class T>
    using Item = Outcome<T>;
    static constexpr bool returnExceptions = true;
    template<class T>
    static Item<T> get(const Future<T> &f)
    {
        return gatherOutcome(f);
    }
};

template<class Collect, class... As>
auto gatherTuple(As &&...awaitables)
{
    // Braces: the children are wrapped (and their tasks created) left to right.
    auto futures = std::tuple{toFuture(std::forward<As>(awaitables))...};
    using R = std::tuple<typename Collect::template Item<
        typename std::remove_cvref_t<decltype(toFuture(std::declval<As>()))>::value_type>...>;
    Loop &loop = std::apply([](auto &...f) -> Loop & { return gatherLoop(f...); }, futures);
    std::vector<FutureBase> children = std::apply([](auto &...f) { return std::vector<FutureBase>{f...}; }, futures);
    return startGather<R>(
        loop, std::move(children),
        [futures]() { return std::apply([](auto &...f) { return R(Collect::get(f)...); }, futures); },
        Collect::returnExceptions);
}

template<class Collect, class Range>
auto gatherRange(Range &&awaitables)
{
    using A = std::remove_cvref_t<decltype(*awaitables.begin())>;
    using T = typename A::value_type;
    using Item = typename Collect::template Item<T>;
    std::vector<Future<T>> futures;
    for (auto &&a : awaitables) {
        if constexpr (IsCoro<A>)
            futures.push_back(toFuture(std::move(a)));
        else
            futures.push_back(toFuture(a));
    }
    std::vector<FutureBase> children(futures.begin(), futures.end());
    Loop &loop = futures.empty() ? getRunningLoop() : futures.front().getLoop();
    return startGather<std::vector<Item>>(
        loop, std::move(children),
        [futures]() {
            std::vector<Item> results;
            results.reserve(futures.size());
            for (const auto &f : futures)
                results.push_back(Collect::get(f));
            return results;
        },
        Collect::returnExceptions);
}

} // namespace detail

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
