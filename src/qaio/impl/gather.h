// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/gather.h — the machinery behind qaio/gather.h; not part of the API.
//
// Included by qaio/gather.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

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

} // namespace qaio
