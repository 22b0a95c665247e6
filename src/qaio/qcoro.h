// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/qcoro.h — QCoro interop, both ways (opt-in: needs QCoro 0.8+).
///
/// Not part of <qaio/qaio.h>: include it yourself and link QCoro, e.g.
///     find_package(QCoro6 REQUIRED COMPONENTS Core Network)
///     target_link_libraries(app PRIVATE qaio::qaio QCoro6::Core QCoro6::Network)
/// (QCoro6::Network only if you await network types such as QNetworkReply*).
///
/// Inside a qaio::Coro running in a Task, `co_await` accepts:
///   - a QCoro::Task<T> (and so `qCoro(obj, &Class::signal)`, which in QCoro
///     0.8 returns a QCoro::Task of the signal's arguments: the argument itself
///     for one, a std::tuple for several or none; with a timeout it returns a
///     QCoro::Task<std::optional<...>>), and `qCoro(process).waitForFinished()`
///     and every other QCoro::Task-returning QCoro call;
///   - everything QCoro's awaiter_type<T> trait knows how to await: a
///     QNetworkReply* (result: the reply, once finished — with or without an
///     error), a QTimer* (the next timeout of an active timer), a QIODevice* (readAll once
///     readable), QDBusPendingCall, ... (include the QCoro header that
///     declares the awaiter, e.g. `<QCoroNetworkReply>`, `<QCoroTimer>`; this
///     header includes the Core and Network ones). Pass QObjects by pointer.
///   - a QFuture<T>, through qaio::wrapFuture (<qaio/qfuture.h>, included here),
///     not through QCoro, so that cancelling the task cancels the QFuture.
/// The QCoro operation runs in a detached helper coroutine that reports to a
/// qaio Future; the task awaits that Future. So Task::cancel() resumes the task
/// with CancelledError at once even though the QCoro operation itself cannot be
/// cancelled; when it completes later its result (or exception) is dropped:
/// nothing is resumed and nothing is reported. (If it never completes — a
/// signal that is never emitted — the helper frame is never freed; that is
/// QCoro's model: an awaiter cannot be abandoned.) Mind what the operation
/// refers to: a cancelled task unwinds its frame while the operation goes on,
/// so a QCoro::Task of your own must not keep references to the awaiting
/// coroutine's locals. QCoro's member coroutines (qCoro(obj).readAll(), ...)
/// are safe: they copy the object pointer before they suspend.
///
/// Inside a QCoro::Task, `co_await` accepts a qaio Future<T> or Task<T> (through
/// qaio's free operator co_await: the coroutine is resumed from a callback of
/// the future's loop, which must be running — QCoreApplication::exec() is
/// enough) and a qaio Coro<T> (it runs inline, outside any task; a foreign
/// awaitable it awaits needs a running qaio loop). A cancelled Future or Task
/// makes the co_await throw qaio::CancelledError.
#pragma once

#include <qaio/coro.h>
#include <qaio/future.h>
#include <qaio/qfuture.h>
#include <qaio/task.h>

#include <QCoroAbstractSocket>
#include <QCoroIODevice>
#include <QCoroLocalSocket>
#include <QCoroNetworkReply>
#include <QCoroProcess>
#include <QCoroSignal>
#include <QCoroTask>
#include <QCoroTcpServer>
#include <QCoroTimer>

#include <type_traits>

namespace qaio::detail {

// Types QCoro's promise can await through its awaiter_type trait.
template<class A>
concept QCoroAwaiterType = requires { typename QCoro::detail::awaiter_type<A>::type; };

// Everything QCoro knows how to await, built with QCoro's own awaiter. A more
// specialised AwaitableTraits (QFuture<T>, in qaio/qfuture.h) wins over this.
template<class A>
    requires(QCoroAwaiterType<A> && !IsCoro<A>)
struct AwaitableTraits<A>
{
    using awaiter = typename QCoro::detail::awaiter_type<A>::type;
};

// co_await coro inside a QCoro::Task: QCoro's promise builds its awaiter from
// an lvalue, and Coro's own operator co_await takes an rvalue.
template<class T>
class QCoroCoroAwaiter : public CoroAwaiter<T>
{
public:
    explicit QCoroCoroAwaiter(Coro<T> &coro) : CoroAwaiter<T>(coro.handle(), nullptr) {}
};

} // namespace qaio::detail

namespace QCoro::detail {

template<class T>
    requires(!QCoro::Awaitable<qaio::Coro<T>>)
struct awaiter_type<qaio::Coro<T>>
{
    using type = qaio::detail::QCoroCoroAwaiter<T>;
};

} // namespace QCoro::detail
