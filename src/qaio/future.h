// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/future.h — Future<T>: a copyable handle to one result that is set later.
///
/// As asyncio.Future: pending, then finished (with a result or an exception) or
/// cancelled; done-callbacks are always scheduled with Loop::callSoon, never
/// called synchronously. Future<void> has no result value.
#pragma once

#include <qaio/exceptions.h>
#include <qaio/global.h>

#include <QtCore/qstring.h>

#include <concepts>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace qaio {

class Loop;
class FutureBase;

namespace detail {
class LoopImpl;
class TaskCore;

// The shared state behind every Future<T> (and, later, every Task<T>).
class QAIO_EXPORT FutureStateBase : public std::enable_shared_from_this<FutureStateBase>
{
public:
    enum class State : quint8 { Pending, Cancelled, Finished };
    using DoneCallback = std::function<void(const FutureBase &)>;

    explicit FutureStateBase(std::shared_ptr<LoopImpl> loop);
    FutureStateBase(const FutureStateBase &) = delete;
    FutureStateBase &operator=(const FutureStateBase &) = delete;
    // Reports "Future exception was never retrieved" when that is so.
    virtual ~FutureStateBase();

    bool done() const noexcept { return state != State::Pending; }

    // Future::cancel; a task overrides it to cancel what it awaits instead.
    virtual bool cancel(const QString &message) { return cancelFuture(message); }
    // Marks a pending future cancelled and schedules its callbacks.
    bool cancelFuture(const QString &message);
    virtual TaskCore *taskCore() noexcept { return nullptr; }
    void setException(std::exception_ptr error);
    // Throws InvalidStateError unless pending; `what` names the call for the message.
    void requirePending(const char *what) const;
    // Marks the future finished (the subclass stored the value) and schedules callbacks.
    void finish();
    // result()'s checks: throws CancelledError / InvalidStateError / the stored exception.
    void rethrowIfNotSuccessful();
    std::exception_ptr exceptionOrThrow();

    quint64 addDoneCallback(DoneCallback callback);
    qsizetype removeDoneCallback(quint64 id);
    void scheduleCallbacks();

    // asyncio's repr: "<Future pending>", "<Future finished result=...>", ...
    virtual QString describe() const;
    // The exception a cancelled future's result() throws.
    CancelledError makeCancelledError() const { return CancelledError(cancelMessage); }

    std::shared_ptr<LoopImpl> loop;
    std::vector<std::pair<quint64, DoneCallback>> callbacks;
    std::exception_ptr exception;
    QString cancelMessage;
    quint64 nextCallbackId = 1;
    State state = State::Pending;
    bool logTraceback = false; // an exception was set and nobody has looked at it yet
    const char *kind = "Future"; // "Task" for tasks, in messages
};

template<class T>
class FutureState : public FutureStateBase
{
public:
    using FutureStateBase::FutureStateBase;
    std::optional<T> value;
};

template<>
class FutureState<void> : public FutureStateBase
{
public:
    using FutureStateBase::FutureStateBase;
};

QAIO_EXPORT std::shared_ptr<LoopImpl> sharedImpl(Loop &loop);
} // namespace detail

/// The type-independent part of Future<T>: state, cancellation, exceptions,
/// callbacks. Useful to hold futures of different T together (wait, gather).
class QAIO_EXPORT FutureBase
{
public:
    FutureBase() noexcept = default; // a null handle: isValid() is false
    /// Internal: wraps existing shared state (qaio's own templates use it).
    explicit FutureBase(std::shared_ptr<detail::FutureStateBase> state) noexcept
        : d(std::move(state))
    {
    }

    /// False for a default-constructed (null) handle.
    bool isValid() const noexcept { return d != nullptr; }
    /// True once the future has a result, an exception, or was cancelled.
    bool done() const { return state().done(); }
    /// True if the future was cancelled.
    bool cancelled() const { return state().state == detail::FutureStateBase::State::Cancelled; }

    /// Cancels a pending future and schedules its callbacks; false if already done.
    /// As in asyncio, it also silences "exception was never retrieved".
    bool cancel(const QString &message = {})
    {
        auto &s = state();
        s.logTraceback = false;
        return s.cancel(message);
    }

    /// The exception the future finished with, or null. Throws CancelledError if
    /// cancelled and InvalidStateError if still pending, as asyncio does.
    std::exception_ptr exception() const { return state().exceptionOrThrow(); }
    /// RuntimeError on a Task: only its coroutine settles it (as asyncio).
    void setException(std::exception_ptr error)
    {
        auto &s = state();
        if (s.taskCore())
            throw RuntimeError("Task does not support setException()");
        s.setException(std::move(error));
    }
    /// Finishes the future with exception `error` (any std::exception); InvalidStateError unless pending.
    template<class E>
        requires std::derived_from<std::decay_t<E>, std::exception>
    void setException(E &&error)
    {
        setException(std::make_exception_ptr(std::forward<E>(error)));
    }

    /// Calls callback(future) through callSoon once the future is done (at once
    /// if it already is). Returns an id for removeDoneCallback.
    template<class F>
        requires std::invocable<F &, const FutureBase &>
    quint64 addDoneCallback(F &&callback)
    {
        return state().addDoneCallback(std::forward<F>(callback));
    }
    /// Removes every registration with this id; returns how many were removed.
    qsizetype removeDoneCallback(quint64 id) { return state().removeDoneCallback(id); }

    /// The loop the future belongs to; RuntimeError if that loop was destroyed.
    Loop &getLoop() const;

    /// asyncio's repr: "<Future pending>", "<Future finished result=...>", ...
    QString toString() const { return d ? d->describe() : QStringLiteral("<Future null>"); }
    /// True if both handles refer to the same future.
    bool operator==(const FutureBase &other) const noexcept { return d == other.d; }

    /// Internal: the shared state (for qaio's own templates).
    const std::shared_ptr<detail::FutureStateBase> &statePtr() const noexcept { return d; }

protected:
    /// The shared state; throws on a null handle.
    detail::FutureStateBase &state() const;

    /// The shared state (null for a null handle).
    std::shared_ptr<detail::FutureStateBase> d;
};

/// A copyable handle to one result of type T that is set later: asyncio.Future (see future.h).
template<class T>
class Future : public FutureBase
{
public:
    /// The result type.
    using value_type = T;
    /// The shared state type (internal).
    using State = detail::FutureState<T>;

    Future() noexcept = default;
    /// A new pending future on `loop`.
    explicit Future(Loop &loop) : FutureBase(std::make_shared<State>(detail::sharedImpl(loop))) {}
    /// Internal: wraps existing shared state.
    explicit Future(std::shared_ptr<State> state) noexcept : FutureBase(std::move(state)) {}

    /// The result. Throws CancelledError if cancelled, InvalidStateError while
    /// pending, and rethrows the exception the future finished with.
    decltype(auto) result() const
    {
        typedState().rethrowIfNotSuccessful();
        if constexpr (!std::is_void_v<T>)
            return static_cast<const T &>(*typedState().value);
    }

    /// Moves the result out (for move-only T); the future keeps a moved-from value.
    T takeResult()
        requires(!std::is_void_v<T>)
    {
        typedState().rethrowIfNotSuccessful();
        return std::move(*typedState().value);
    }

    /// Finishes the future with `value`; InvalidStateError unless pending.
    template<class U = T>
        requires(!std::is_void_v<T> && std::constructible_from<T, U &&>)
    void setResult(U &&value)
    {
        auto &s = typedState();
        if (s.taskCore())
            throw RuntimeError("Task does not support setResult()");
        s.requirePending("setResult()");
        s.value.emplace(std::forward<U>(value));
        s.finish();
    }
    /// Finishes a Future<void>; InvalidStateError unless pending.
    void setResult()
        requires std::is_void_v<T>
    {
        auto &s = typedState();
        if (s.taskCore())
            throw RuntimeError("Task does not support setResult()");
        s.requirePending("setResult()");
        s.finish();
    }

    /// As FutureBase::addDoneCallback, with the callback given this Future<T>.
    template<class F>
        requires std::invocable<F &, const Future<T> &> || std::invocable<F &, const FutureBase &>
    quint64 addDoneCallback(F &&callback)
    {
        if constexpr (std::invocable<F &, const Future<T> &>) {
            return state().addDoneCallback(
                [cb = std::forward<F>(callback)](const FutureBase &f) mutable {
                    cb(Future<T>(std::static_pointer_cast<State>(f.statePtr())));
                });
        } else {
            return state().addDoneCallback(std::forward<F>(callback));
        }
    }

private:
    State &typedState() const { return static_cast<State &>(state()); }
};

} // namespace qaio
