// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/qtsignal.h — the machinery behind qaio/qtsignal.h; not part of the API.
//
// Included by qaio/qtsignal.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

namespace detail {

// The loop a Qt-side helper works with: the running one, else this thread's.
inline Loop &qtLoop()
{
    if (Loop *running = runningLoopOrNull())
        return *running;
    return getEventLoop();
}

template<class... Args>
struct ArgList
{
};

// Qt marks some signals private with a trailing argument of the private type
// Class::QPrivateSignal; it is not a value. The type cannot be named from
// outside the class, so it is recognised by its name.
template<class T>
constexpr bool isPrivateSignalTag()
{
    constexpr std::string_view name = __PRETTY_FUNCTION__; // "... [with T = QTimer::QPrivateSignal]"
    constexpr std::string_view tag = "::QPrivateSignal";
    constexpr auto at = name.rfind(tag);
    return at != std::string_view::npos && at + tag.size() < name.size()
        && (name[at + tag.size()] == ']' || name[at + tag.size()] == ';');
}
template<class T>
concept PrivateSignalTag = std::is_class_v<T> && std::is_empty_v<T> && isPrivateSignalTag<T>();

template<class Tuple, std::size_t... I>
ArgList<std::tuple_element_t<I, Tuple>...> firstArgs(std::index_sequence<I...>);

// The signal's arguments without a trailing QPrivateSignal, as an ArgList.
template<class... Args>
struct SignalArgs
{
    using type = ArgList<Args...>;
};
template<class First, class... Rest>
struct SignalArgs<First, Rest...>
{
    using All = std::tuple<First, Rest...>;
    using Last = std::decay_t<std::tuple_element_t<sizeof...(Rest), All>>;
    using type = std::conditional_t<PrivateSignalTag<Last>,
                                    decltype(firstArgs<All>(std::make_index_sequence<sizeof...(Rest)>())),
                                    ArgList<First, Rest...>>;
};

template<class L>
struct SignalResultOf;
template<>
struct SignalResultOf<ArgList<>>
{
    using type = void;
};
template<class A>
struct SignalResultOf<ArgList<A>>
{
    using type = std::decay_t<A>;
};
template<class... Args>
struct SignalResultOf<ArgList<Args...>>
{
    using type = std::tuple<std::decay_t<Args>...>;
};
template<class... Args>
using SignalResult = typename SignalResultOf<typename SignalArgs<Args...>::type>::type;

// What one pending signal() keeps: the receiving object, both connections and
// the timer. Owned by the Future's done-callback, so it goes away (and
// disconnects) once the Future is done, whichever way.
struct SignalWait
{
    QObject receiver; // lives in the awaiting thread: cross-thread emissions are queued
    QMetaObject::Connection emitted;
    QMetaObject::Connection destroyed;
    TimerHandle timer;

    ~SignalWait()
    {
        QObject::disconnect(emitted);
        QObject::disconnect(destroyed);
        timer.cancel();
    }
};

template<class Sender, class Signal, class... Args>
auto awaitSignal(Loop &loop, Sender *sender, Signal sig, std::optional<double> timeout, ArgList<Args...>)
    -> Future<typename SignalResultOf<ArgList<Args...>>::type>
{
    using R = typename SignalResultOf<ArgList<Args...>>::type;
    if (!sender)
        throw ValueError("signal(): the sender is null");
    if (timeout && std::isnan(*timeout))
        throw ValueError("signal(): the timeout is NaN");
    Future<R> future(loop);
    if (timeout && *timeout <= 0) {
        future.setException(TimeoutError(QStringLiteral("signal(): timed out")));
        return future;
    }
    auto wait = std::make_shared<SignalWait>();
    // The slots hold the future weakly: the future owns `wait`, which owns
    // the connections, and a strong reference back would keep a future that
    // nobody awaits any more alive (and connected) for ever.
    std::weak_ptr<FutureStateBase> weak = future.statePtr();
    auto pending = [weak]() -> std::optional<Future<R>> {
        auto state = weak.lock();
        if (!state || state->done())
            return std::nullopt; // gone, or done already (another emission in the same batch)
        return Future<R>(std::static_pointer_cast<FutureState<R>>(std::move(state)));
    };
    wait->emitted = QObject::connect(
        sender, sig, &wait->receiver, [pending](const std::decay_t<Args> &...args) {
            std::optional<Future<R>> f = pending();
            if (!f)
                return;
            if constexpr (std::is_void_v<R>)
                f->setResult();
            else if constexpr (sizeof...(Args) == 1)
                f->setResult(args...);
            else
                f->setResult(R(args...));
        });
    wait->destroyed = QObject::connect(sender, &QObject::destroyed, &wait->receiver, [pending]() {
        if (std::optional<Future<R>> f = pending())
            f->setException(RuntimeError(
                "signal(): the sender was destroyed before it emitted the awaited signal"));
    });
    if (timeout && !std::isinf(*timeout)) {
        wait->timer = loop.callLater(*timeout, [pending]() {
            if (std::optional<Future<R>> f = pending())
                f->setException(TimeoutError(QStringLiteral("signal(): timed out")));
        });
    }
    future.addDoneCallback([wait](const FutureBase &) mutable { wait.reset(); });
    return future;
}

} // namespace detail

} // namespace qaio
