// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/future.h — the machinery behind qaio/future.h; not part of the API.
//
// Included by qaio/future.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

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

} // namespace qaio
