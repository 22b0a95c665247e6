// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/qtsignal.h — await a Qt signal as a cancellable Future.
///
///     QString text = co_await qaio::signal(edit, &QLineEdit::textEdited);
///     auto [code, status] = co_await qaio::signal(proc, &QProcess::finished, 5s);
///     co_await qaio::signal(button, &QPushButton::clicked);      // Future<void>
///
/// signal() connects at once and returns a Future that receives the arguments
/// of the next emission: nothing for a signal without arguments (Future<void>),
/// the value itself for one, a std::tuple for several (decayed: a
/// `const QString &` argument becomes a QString). Everything is Qt Core.
///   - With a timeout, the Future fails with TimeoutError when no emission
///     came in time (a timeout of 0 or less fails at once, as waitFor does).
///   - If the sender is destroyed first, the Future fails with RuntimeError
///     ("signal(): the sender was destroyed before it emitted ...").
///   - Cancelling the Future (or the task that awaits it) disconnects.
/// The connection always ends once the Future is done. The receiving end lives
/// in the calling thread, so a sender in another thread is fine: the emission
/// arrives as a queued call. Call it in the loop's thread. A private signal's
/// QPrivateSignal tag (QTimer::timeout, QThread::finished) is not a value:
/// `co_await qaio::signal(timer, &QTimer::timeout)` is a Future<void>.
#pragma once

#include <qaio/exceptions.h>
#include <qaio/future.h>
#include <qaio/handle.h>
#include <qaio/loop.h>
#include <qaio/policy.h>

#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace qaio {

} // namespace qaio

#include <qaio/impl/qtsignal.h>

namespace qaio {

/// The next emission of `sig` by `sender`, on the running loop (else this thread's).
template<class Sender, class Class, class... Args>
    requires std::derived_from<Sender, QObject> && std::derived_from<Sender, Class>
auto signal(Sender *sender, void (Class::*sig)(Args...), std::optional<double> timeoutSeconds = {})
    -> Future<detail::SignalResult<Args...>>
{
    return detail::awaitSignal(detail::qtLoop(), sender, sig, timeoutSeconds,
                               typename detail::SignalArgs<Args...>::type());
}

/// signal() with the timeout as a std::chrono duration.
template<class Sender, class Class, class... Args, class Rep, class Period>
    requires std::derived_from<Sender, QObject> && std::derived_from<Sender, Class>
auto signal(Sender *sender, void (Class::*sig)(Args...), std::chrono::duration<Rep, Period> timeout)
    -> Future<detail::SignalResult<Args...>>
{
    return signal(sender, sig, std::optional<double>(std::chrono::duration<double>(timeout).count()));
}

} // namespace qaio
