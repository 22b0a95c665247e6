// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// handle.cpp — cancelling handles and naming their callbacks for logs.
#include "loop_p.h"

#include <qaio/handle.h>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace qaio {

namespace detail {

void HandleNode::cancel() noexcept
{
    if (cancelled)
        return;
    cancelled = true;
    // asyncio drops the callback's references on cancel; a running callback
    // is released by the loop once it returns.
    if (!running)
        releaseCallback();
}

void TimerNode::cancel() noexcept
{
    if (cancelled)
        return;
    if (heap)
        heap->timerCancelled();
    HandleNode::cancel();
}

QString demangle(const std::type_info &type)
{
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> name(
        abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
    return QString::fromUtf8(status == 0 && name ? name.get() : type.name());
}

} // namespace detail

QString Handle::callbackName() const
{
    return d ? detail::demangle(d->callbackType()) : QString();
}

QString Handle::toString() const
{
    if (!d)
        return QStringLiteral("<Handle null>");
    return QStringLiteral("<Handle %1%2>")
        .arg(d->cancelled ? QStringLiteral("cancelled ") : QString(), callbackName());
}

QString TimerHandle::toString() const
{
    if (!d)
        return QStringLiteral("<TimerHandle null>");
    return QStringLiteral("<TimerHandle %1when=%2 %3>")
        .arg(d->cancelled ? QStringLiteral("cancelled ") : QString())
        .arg(when(), 0, 'f', 6)
        .arg(callbackName());
}

} // namespace qaio
