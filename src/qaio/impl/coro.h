// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/coro.h — the machinery behind qaio/coro.h; not part of the API.
//
// Included by qaio/coro.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

namespace detail {

class TaskCore;

// ---- the promise shared by all Coro<T> ----

class PromiseBase
{
public:
    // GCC evaluates the default argument in the coroutine itself, so this names
    // the coroutine function and where it is defined (for getStack and logs).
    explicit PromiseBase(std::source_location where = std::source_location::current()) noexcept
        : where(where)
    {
    }

    // The task whose step runs this coroutine; nullptr when a foreign coroutine
    // (e.g. a QCoro::Task) awaits the Coro directly.
    TaskCore *task = nullptr;
    std::coroutine_handle<> continuation; // the awaiting coroutine; null at the top
    PromiseBase *child = nullptr;          // the Coro this one awaits inline (getStack)
    std::coroutine_handle<> childFrame;
    std::exception_ptr exception;
    bool started = false; // awaited once already: a coroutine runs only once
    // True while CoroAwaiter::await_suspend is still inside its call to start
    // this coroutine: finishing then returns to that call instead of resuming
    // the awaiter from this frame.
    bool startedByCall = false;
    std::source_location where;

    struct InitialAwaiter
    {
        PromiseBase &promise;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<>) const noexcept {}
        // A task cancelled before its first step throws at the coroutine's start.
        QAIO_EXPORT void await_resume() const;
    };
    struct FinalAwaiter
    {
        bool await_ready() const noexcept { return false; }
        template<class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept
        {
            PromiseBase &promise = h.promise();
            // Finished within CoroAwaiter's call: that call resumes the awaiter.
            if (promise.startedByCall || !promise.continuation)
                return std::noop_coroutine();
            // Finished after suspending (resumed by the loop): resume the
            // awaiter, one frame deeper than the loop at most.
            return promise.continuation;
        }
        void await_resume() const noexcept {}
    };

    InitialAwaiter initial_suspend() noexcept { return {*this}; }
    FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { exception = std::current_exception(); }

    template<class A>
    decltype(auto) await_transform(A &&awaitable);
};

template<class T>
class CoroPromise : public PromiseBase
{
public:
    explicit CoroPromise(std::source_location where = std::source_location::current()) noexcept
        : PromiseBase(where)
    {
    }
    Coro<T> get_return_object() noexcept;
    template<class U = T>
        requires std::constructible_from<T, U &&>
    void return_value(U &&value)
    {
        m_value.emplace(std::forward<U>(value));
    }
    T takeValue()
    {
        if (exception)
            std::rethrow_exception(exception);
        return std::move(*m_value);
    }

private:
    std::optional<T> m_value;
};

template<>
class CoroPromise<void> : public PromiseBase
{
public:
    explicit CoroPromise(std::source_location where = std::source_location::current()) noexcept
        : PromiseBase(where)
    {
    }
    Coro<void> get_return_object() noexcept;
    void return_void() noexcept {}
    void takeValue()
    {
        if (exception)
            std::rethrow_exception(exception);
    }
};

// ---- the awaiters that await_transform produces ----

// co_await coro: runs the child inline, in the same task. The child starts with
// a plain call; if it finishes before suspending, await_suspend returns false
// and the awaiter goes on without being suspended, so a loop of awaits that
// complete at once keeps a constant stack depth at any optimisation level.
template<class T>
class CoroAwaiter
{
public:
    CoroAwaiter(std::coroutine_handle<CoroPromise<T>> child, PromiseBase *parent)
        : m_child(child), m_parent(parent)
    {
    }
    bool await_ready() const
    {
        if (!m_child || m_child.promise().started)
            throw RuntimeError("cannot await a coroutine that was already awaited");
        return false;
    }
    bool await_suspend(std::coroutine_handle<> awaiting) noexcept
    {
        auto &p = m_child.promise();
        p.started = true;
        p.continuation = awaiting;
        p.task = m_parent ? m_parent->task : nullptr;
        if (m_parent) {
            m_parent->child = &p;
            m_parent->childFrame = m_child;
        }
        p.startedByCall = true;
        m_child.resume();
        p.startedByCall = false;
        // Done already: do not suspend the awaiter (await_resume runs now).
        return !m_child.done();
    }
    T await_resume()
    {
        if (m_parent) {
            m_parent->child = nullptr;
            m_parent->childFrame = nullptr;
        }
        return m_child.promise().takeValue();
    }

private:
    std::coroutine_handle<CoroPromise<T>> m_child;
    PromiseBase *m_parent;
};

// The part of awaiting a future that does not depend on T.
class QAIO_EXPORT FutureAwaiterBase
{
public:
    FutureAwaiterBase(FutureBase future, TaskCore *task) noexcept
        : m_future(std::move(future)), m_task(task)
    {
    }
    bool await_ready() const { return m_future.done(); }
    void await_suspend(std::coroutine_handle<> awaiting);

protected:
    // Clears the task's waiter; throws CancelledError if the task must cancel.
    void resumed();

    FutureBase m_future;
    TaskCore *m_task;
    bool m_suspended = false;
};

template<class T>
class FutureAwaiter : public FutureAwaiterBase
{
public:
    FutureAwaiter(Future<T> future, TaskCore *task) noexcept
        : FutureAwaiterBase(std::move(future), task)
    {
    }
    decltype(auto) await_resume()
    {
        resumed();
        auto &state = static_cast<FutureState<T> &>(*m_future.statePtr());
        state.rethrowIfNotSuccessful();
        if constexpr (!std::is_void_v<T>) {
            if constexpr (std::is_copy_constructible_v<T>)
                return T(*state.value);
            else
                return T(std::move(*state.value));
        }
    }
};

// Awaiters that already cooperate with tasks pass through await_transform,
// which tells them their task (nullptr outside any task).
template<class A>
concept TaskAwareAwaiter = requires(std::remove_cvref_t<A> &a) {
    typename std::remove_cvref_t<A>::QaioTaskAware;
    a.task = static_cast<TaskCore *>(nullptr);
};

template<class A>
concept IsFuture = std::derived_from<std::remove_cvref_t<A>, FutureBase>
    && requires { typename std::remove_cvref_t<A>::value_type; };

template<class A>
struct IsCoroT : std::false_type
{
};
template<class T>
struct IsCoroT<Coro<T>> : std::true_type
{
};
template<class A>
concept IsCoro = IsCoroT<std::remove_cvref_t<A>>::value;

// Gets the awaiter of any awaitable: operator co_await (member or free) or itself.
template<class A>
decltype(auto) getAwaiter(A &&a)
{
    if constexpr (requires { std::forward<A>(a).operator co_await(); })
        return std::forward<A>(a).operator co_await();
    else if constexpr (requires { operator co_await(std::forward<A>(a)); })
        return operator co_await(std::forward<A>(a));
    else
        return std::forward<A>(a);
}

// Customisation point: how to await a type that has no co_await of its own
// (qaio/qcoro.h specialises it for everything QCoro knows how to await).
template<class A>
struct AwaitableTraits
{
};

template<class A>
concept HasAwaitableTraits = requires { typename AwaitableTraits<std::remove_cvref_t<A>>::awaiter; };

// An AwaitableTraits awaiter that cooperates with tasks (qaio/qfuture.h's
// QFuture awaiter): await_transform uses it directly and tells it the task.
template<class A>
concept HasTaskAwareTraits = HasAwaitableTraits<A>
    && TaskAwareAwaiter<typename AwaitableTraits<std::remove_cvref_t<A>>::awaiter>;

template<class A>
decltype(auto) toAwaiter(A &&a)
{
    if constexpr (HasAwaitableTraits<A>)
        return typename AwaitableTraits<std::remove_cvref_t<A>>::awaiter(std::forward<A>(a));
    else
        return getAwaiter(std::forward<A>(a));
}

template<class A>
using AwaitResultT = decltype(std::declval<decltype(toAwaiter(std::declval<A>()))>().await_resume());

// A fire-and-forget coroutine that starts at once and frees itself at the end.
struct Detached
{
    struct promise_type
    {
        Detached get_return_object() noexcept { return {}; }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept {}
    };
};

// Awaits a foreign awaitable in a detached coroutine and reports it through a
// Future, so the awaiting task can be cancelled while it is pending. A late
// completion after cancellation is dropped.
template<class R, class A>
Detached settleFromAwaitable(A awaitable, Future<R> future)
{
    try {
        if constexpr (std::is_void_v<R>) {
            co_await toAwaiter(std::move(awaitable));
            if (!future.done() && !future.getLoop().isClosed())
                future.setResult();
        } else {
            R value = co_await toAwaiter(std::move(awaitable));
            if (!future.done() && !future.getLoop().isClosed())
                future.setResult(std::move(value));
        }
    } catch (...) {
        try {
            if (!future.done() && !future.getLoop().isClosed())
                future.setException(std::current_exception());
        } catch (...) {
            // The loop is gone: nobody is left to tell.
        }
    }
}

template<class A>
auto adaptAwaitable(A &&awaitable, Loop &loop)
{
    using R = std::remove_cvref_t<AwaitResultT<A>>;
    Future<R> future(loop);
    settleFromAwaitable<R>(std::decay_t<A>(std::forward<A>(awaitable)), future);
    return future;
}

QAIO_EXPORT Loop &taskLoop(TaskCore *task);

template<class A>
decltype(auto) PromiseBase::await_transform(A &&awaitable)
{
    if constexpr (IsCoro<A>) {
        return CoroAwaiter<typename std::remove_cvref_t<A>::value_type>(
            std::forward<A>(awaitable).handle(), this);
    } else if constexpr (IsFuture<A>) {
        using T = typename std::remove_cvref_t<A>::value_type;
        return FutureAwaiter<T>(Future<T>(std::static_pointer_cast<FutureState<T>>(awaitable.statePtr())),
                                task);
    } else if constexpr (TaskAwareAwaiter<A>) {
        std::remove_cvref_t<A> awaiter(std::forward<A>(awaitable));
        awaiter.task = task;
        return awaiter;
    } else if constexpr (HasTaskAwareTraits<A>) {
        auto awaiter = toAwaiter(std::forward<A>(awaitable));
        awaiter.task = task;
        return awaiter;
    } else {
        // Both branches must yield one awaiter type. Not in a task (a foreign
        // coroutine awaits this Coro): adapt on the running loop and resume
        // from its done-callback.
        Loop &loop = task ? taskLoop(task) : getRunningLoop();
        auto future = adaptAwaitable(std::forward<A>(awaitable), loop);
        using T = typename decltype(future)::value_type;
        return FutureAwaiter<T>(std::move(future), task);
    }
}

} // namespace detail

} // namespace qaio
