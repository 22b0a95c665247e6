// qaio/handle.h — Handle and TimerHandle: a scheduled callback that can be cancelled.
//
// Loop::callSoon, callLater, callAt, addReader and addWriter return these. A
// handle is a cheap, copyable reference to one scheduled callback; dropping it
// does not cancel anything.
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

class QAIO_EXPORT Handle
{
public:
    Handle() noexcept = default;
    // Adopts one reference to `node`.
    explicit Handle(detail::HandleNode *node) noexcept : d(node) {}
    Handle(const Handle &other) noexcept : d(other.d)
    {
        if (d)
            d->ref();
    }
    Handle(Handle &&other) noexcept : d(std::exchange(other.d, nullptr)) {}
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

    // Cancels the callback: it will not run, and what it captured is released.
    // Cancelling twice, or after the callback ran, does nothing.
    void cancel() noexcept
    {
        if (d)
            d->cancel();
    }
    bool cancelled() const noexcept { return d && d->cancelled; }
    bool isNull() const noexcept { return d == nullptr; }

    // The demangled type of the callback (for a lambda, the function that defined it).
    QString callbackName() const;
    // asyncio's repr: "<Handle name>" or "<Handle cancelled>".
    QString toString() const;

    bool operator==(const Handle &other) const noexcept { return d == other.d; }
    detail::HandleNode *node() const noexcept { return d; }

protected:
    detail::HandleNode *d = nullptr;
};

class QAIO_EXPORT TimerHandle : public Handle
{
public:
    TimerHandle() noexcept = default;
    explicit TimerHandle(detail::TimerNode *node) noexcept : Handle(node) {}

    // The absolute time, on Loop::time()'s clock, at which the callback is due.
    double when() const noexcept { return d ? static_cast<detail::TimerNode *>(d)->when : 0.0; }
    QString toString() const;
};

} // namespace qaio
