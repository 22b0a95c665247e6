// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/handle.h — Handle and TimerHandle: a scheduled callback that can be cancelled.
///
/// Loop::callSoon, callLater, callAt, addReader and addWriter return these. A
/// handle is a cheap, copyable reference to one scheduled callback; dropping it
/// does not cancel anything.
#pragma once

#include <qaio/global.h>

#include <QtCore/qstring.h>

#include <atomic>
#include <functional>
#include <optional>
#include <tuple>
#include <typeinfo>
#include <utility>

namespace qaio {

namespace detail {
class LoopImpl;

// The reference-counted node behind a Handle. The loop's ready queue, its timer
// heap, its reader/writer table and every Handle each hold one reference.
class QAIO_EXPORT HandleNode
{
public:
    HandleNode() = default;
    HandleNode(const HandleNode &) = delete;
    HandleNode &operator=(const HandleNode &) = delete;
    virtual ~HandleNode() = default;

    void ref() noexcept { m_refs.fetch_add(1, std::memory_order_relaxed); }
    void deref() noexcept
    {
        if (m_refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    // Runs the callback; exceptions propagate to the loop, which reports them.
    virtual void invoke() = 0;
    // Destroys the callback and what it captured (after cancel, or on close).
    virtual void releaseCallback() noexcept = 0;
    // The type of the user's callable, demangled into log messages.
    virtual const std::type_info &callbackType() const noexcept = 0;
    virtual void cancel() noexcept;

    bool cancelled = false;
    bool running = false; // invoke() in progress: cancel() must not free the callable

private:
    std::atomic<int> m_refs{1};
};

// A node ordered in the loop's timer heap by (when, seq).
class QAIO_EXPORT TimerNode : public HandleNode
{
public:
    void cancel() noexcept override;

    double when = 0;
    quint64 seq = 0;         // ties on `when` fire in scheduling order
    LoopImpl *heap = nullptr; // the loop whose heap holds this node, while it does
};

template<class Base, class Fn, class Named>
class CallbackNode final : public Base
{
public:
    template<class G>
    explicit CallbackNode(G &&g) : m_fn(std::in_place, std::forward<G>(g))
    {
    }
    void invoke() override { (*m_fn)(); }
    void releaseCallback() noexcept override { m_fn.reset(); }
    const std::type_info &callbackType() const noexcept override { return typeid(Named); }

private:
    std::optional<Fn> m_fn;
};

// Wraps callback(args...) into a node of kind Base (HandleNode or TimerNode).
template<class Base, class F, class... Args>
Base *makeCallbackNode(F &&f, Args &&...args)
{
    using Named = std::decay_t<F>;
    if constexpr (sizeof...(Args) == 0 && std::is_invocable_v<Named &>) {
        return new CallbackNode<Base, Named, Named>(std::forward<F>(f));
    } else {
        auto bound = [fn = std::forward<F>(f),
                      tuple = std::make_tuple(std::forward<Args>(args)...)]() mutable {
            std::apply([&fn](auto &...a) { std::invoke(fn, a...); }, tuple);
        };
        return new CallbackNode<Base, decltype(bound), Named>(std::move(bound));
    }
}

QAIO_EXPORT QString demangle(const std::type_info &type);
} // namespace detail

/// A scheduled callback (asyncio.Handle): cancel() stops it from running. Copies refer to the same callback.
class QAIO_EXPORT Handle
{
public:
    Handle() noexcept = default;
    /// Adopts one reference to `node`.
    explicit Handle(detail::HandleNode *node) noexcept : d(node) {}
    /// Another reference to the same callback.
    Handle(const Handle &other) noexcept : d(other.d)
    {
        if (d)
            d->ref();
    }
    /// Takes over `other`'s reference; `other` becomes null.
    Handle(Handle &&other) noexcept : d(std::exchange(other.d, nullptr)) {}
    /// Refers to `other`'s callback.
    Handle &operator=(Handle other) noexcept
    {
        std::swap(d, other.d);
        return *this;
    }
    ~Handle()
    {
        if (d)
            d->deref();
    }

    /// Cancels the callback: it will not run, and what it captured is released.
    /// Cancelling twice, or after the callback ran, does nothing.
    void cancel() noexcept
    {
        if (d)
            d->cancel();
    }
    /// True if cancel() was called.
    bool cancelled() const noexcept { return d && d->cancelled; }
    /// True for a default-constructed handle.
    bool isNull() const noexcept { return d == nullptr; }

    /// The demangled type of the callback (for a lambda, the function that defined it).
    QString callbackName() const;
    /// asyncio's repr: "<Handle name>" or "<Handle cancelled>".
    QString toString() const;

    /// True if both refer to the same callback.
    bool operator==(const Handle &other) const noexcept { return d == other.d; }
    /// Internal: the loop's node for this callback.
    detail::HandleNode *node() const noexcept { return d; }

protected:
    /// The loop's node for this callback (null for a null handle).
    detail::HandleNode *d = nullptr;
};

/// A callback scheduled for a time (asyncio.TimerHandle), from Loop::callLater and Loop::callAt.
class QAIO_EXPORT TimerHandle : public Handle
{
public:
    TimerHandle() noexcept = default;
    /// Internal: refers to the loop's timer node.
    explicit TimerHandle(detail::TimerNode *node) noexcept : Handle(node) {}

    /// The absolute time, on Loop::time()'s clock, at which the callback is due.
    double when() const noexcept { return d ? static_cast<detail::TimerNode *>(d)->when : 0.0; }
    /// asyncio's repr, with the time it is due.
    QString toString() const;
};

} // namespace qaio
