// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/qobject.h — tasks bound to a QObject's lifetime, and coroutine slots.
///
///     qaio::connect(button, &QPushButton::clicked, this, [this]() -> qaio::Coro<void> {
///         co_await fetchAndShow();                  // one task per click
///     });
///     qaio::createTask(this, refreshLoop());      // cancelled when *this dies
///
/// createTask(context, coro) starts a task on the loop and registers it on
/// `context` (a hidden child object keeps the list). When `context` is
/// destroyed, every task still pending is cancelled: the co_await it is
/// suspended on — a sleep, a socket, a Future, a signal — throws CancelledError
/// in the next loop iteration, after the object is gone. So a coroutine must
/// not touch the object after catching CancelledError (let it propagate), and
/// must not resume into the object by any other route; nothing else does.
///
/// connect(sender, &S::sig, context, slot) connects `sig` to a coroutine slot:
/// each emission calls slot(args...) (or slot() if it takes no arguments), which
/// must return a qaio::Coro (a plain slot is QObject::connect's business), and
/// wraps the Coro it returns in a task bound to `context`, as above. The
/// signal's arguments are copied into the task, so `const QString &`
/// parameters stay valid across suspensions; the slot object itself is kept
/// alive by every task it started (its captures stay valid too). As with
/// QObject::connect and a context, the connection ends when either object is
/// destroyed, and the slot runs in the context's thread. Exceptions that leave
/// a slot task reach the loop's exception handler ("Task exception was never
/// retrieved"), as for any task nobody awaits. Returns the connection.
/// Spell it qaio::connect inside a QObject subclass: there, unqualified
/// `connect` is QObject::connect, which takes the lambda too and would drop
/// the Coro it returns without ever running it.
#pragma once

#include <qaio/coro.h>
#include <qaio/qtsignal.h>
#include <qaio/task.h>

#include <QtCore/qlist.h>
#include <QtCore/qobject.h>

#include <functional>
#include <memory>
#include <source_location>
#include <type_traits>
#include <utility>

namespace qaio {

namespace detail {
// Registers `task` on `context` (its thread must be the calling thread).
QAIO_EXPORT void bindTaskToObject(QObject *context, TaskBase task);
// The pending tasks bound to `context`.
QAIO_EXPORT QList<TaskBase> objectTasks(const QObject *context);

template<class Fn, class... A>
Coro<void> runSlot(std::shared_ptr<Fn> fn, A... args)
{
    if constexpr (std::is_invocable_v<Fn &, A &...>)
        co_await std::invoke(*fn, args...);
    else
        co_await std::invoke(*fn);
}
} // namespace detail

/// A task for `coro` on the running loop (else this thread's), cancelled when
/// `context` is destroyed.
template<class T>
Task<T> createTask(QObject *context, Coro<T> coro, const QString &name = {},
                   std::source_location where = std::source_location::current())
{
    if (!context)
        throw ValueError("createTask(): the context object is null");
    Task<T> task = createTask(detail::qtLoop(), std::move(coro), name, where);
    detail::bindTaskToObject(context, TaskBase(task));
    return task;
}

/// The tasks bound to `context` that are still pending.
inline QList<TaskBase> tasksOf(const QObject *context)
{
    return detail::objectTasks(context);
}

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

/// Connects `sig` to a coroutine slot (see the top of this file).
template<class Sender, class Class, class... Args, class Context, class F>
    requires std::derived_from<Sender, Class> && std::derived_from<Context, QObject>
    && (detail::InvocableWithArgs<std::decay_t<F>, typename detail::SignalArgs<Args...>::type>::value
        || detail::CoroutineSlotWithoutArgs<std::decay_t<F>>)
QMetaObject::Connection connect(Sender *sender, void (Class::*sig)(Args...), Context *context, F &&slot,
                                Qt::ConnectionType type = Qt::AutoConnection)
{
    if (!sender || !context)
        throw ValueError("connect(): the sender or the context object is null");
    using Fn = std::decay_t<F>;
    return detail::connectSlot(sender, sig, context, std::make_shared<Fn>(std::forward<F>(slot)), type,
                               typename detail::SignalArgs<Args...>::type());
}

} // namespace qaio
