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

} // namespace qaio

#include <qaio/impl/handle.h>

namespace qaio {

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
