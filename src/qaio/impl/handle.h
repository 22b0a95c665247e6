// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/handle.h — the machinery behind qaio/handle.h; not part of the API.
//
// Included by qaio/handle.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

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

} // namespace qaio
