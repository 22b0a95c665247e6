// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/gather_collect.h — the machinery behind qaio/gather.h; not part of the API.
//
// Included by qaio/gather.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

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

} // namespace qaio
