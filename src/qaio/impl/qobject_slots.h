// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/qobject_slots.h — the machinery behind qaio/qobject.h; not part of the API.
//
// Included by qaio/qobject.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

namespace detail {
template<class Sender, class Signal, class Context, class Fn, class... A>
QMetaObject::Connection connectSlot(Sender *sender, Signal sig, Context *context, std::shared_ptr<Fn> fn,
                                    Qt::ConnectionType type, ArgList<A...>)
{
    QObject *ctx = context;
    return QObject::connect(
        sender, sig, context,
        [fn, ctx](const std::decay_t<A> &...args) {
            qaio::createTask(ctx, runSlot<Fn, std::decay_t<A>...>(fn, args...));
        },
        type);
}
template<class F, class L>
struct InvocableWithArgs;
template<class F, class... A>
struct InvocableWithArgs<F, ArgList<A...>>
{
    static constexpr bool value = [] {
        if constexpr (std::is_invocable_v<F &, std::decay_t<A> &...>)
            return IsCoro<std::invoke_result_t<F &, std::decay_t<A> &...>>;
        else
            return false;
    }();
};
template<class F>
concept CoroutineSlotWithoutArgs = std::is_invocable_v<F &> && IsCoro<std::invoke_result_t<F &>>;
} // namespace detail

} // namespace qaio
