// qaio/qtsignal.h — await a Qt signal as a cancellable Future.
//
//     QString text = co_await qaio::signal(edit, &QLineEdit::textEdited);
//     auto [code, status] = co_await qaio::signal(proc, &QProcess::finished, 5s);
//     co_await qaio::signal(button, &QPushButton::clicked);      // Future<void>
//
// signal() connects at once and returns a Future that receives the arguments
// of the next emission: nothing for a signal without arguments (Future<void>),
// the value itself for one, a std::tuple for several (decayed: a
// `const QString &` argument becomes a QString). Everything is Qt Core.
//   - With a timeout, the Future fails with TimeoutError when no emission
//     came in time (a timeout of 0 or less fails at once, as waitFor does).
//   - If the sender is destroyed first, the Future fails with RuntimeError
//     ("signal(): the sender was destroyed before it emitted ...").
//   - Cancelling the Future (or the task that awaits it) disconnects.
// The connection always ends once the Future is done. The receiving end lives
// in the calling thread, so a sender in another thread is fine: the emission
// arrives as a queued call. Call it in the loop's thread.
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
#include <tuple>
#include <type_traits>
#include <utility>

namespace qaio {

namespace detail {

// The loop a Qt-side helper works with: the running one, else this thread's.
inline Loop &qtLoop()
{
    if (Loop *running = runningLoopOrNull())
        return *running;
    return getEventLoop();
}

template<class... Args>
struct SignalResult
{
    using type = std::tuple<std::decay_t<Args>...>;
};
template<>
struct SignalResult<>
{
    using type = void;
};
template<class A>
struct SignalResult<A>
{
    using type = std::decay_t<A>;
};

// What one pending signal() keeps: the receiving object, both connections and
// the timer. Owned by the Future's done-callback, so it goes away (and
// disconnects) once the Future is done, whichever way.
struct SignalWait
{
    QObject receiver; // lives in the awaiting thread: cross-thread emissions are queued
    QMetaObject::Connection emitted;
    QMetaObject::Connection destroyed;
    TimerHandle timer;

    ~SignalWait()
    {
        QObject::disconnect(emitted);
        QObject::disconnect(destroyed);
        timer.cancel();
    }
};

template<class R, class Sender, class Signal, class... Args>
Future<R> awaitSignal(Loop &loop, Sender *sender, Signal sig, std::optional<double> timeout)
{
    if (!sender)
        throw ValueError("signal(): the sender is null");
    if (timeout && std::isnan(*timeout))
        throw ValueError("signal(): the timeout is NaN");
    Future<R> future(loop);
    if (timeout && *timeout <= 0) {
        future.setException(TimeoutError(QStringLiteral("signal(): timed out")));
        return future;
    }
    auto wait = std::make_shared<SignalWait>();
    std::weak_ptr<SignalWait> weak = wait;
    // A slot may run after the Future is already done (another emission in
    // the same batch): each checks done() first.
    wait->emitted = QObject::connect(
        sender, sig, &wait->receiver, [future](const std::decay_t<Args> &...args) mutable {
            if (future.done())
                return;
            if constexpr (std::is_void_v<R>)
                future.setResult();
            else if constexpr (sizeof...(Args) == 1)
                future.setResult(args...);
            else
                future.setResult(R(args...));
        });
    wait->destroyed = QObject::connect(sender, &QObject::destroyed, &wait->receiver, [future]() mutable {
        if (!future.done())
            future.setException(RuntimeError(
                "signal(): the sender was destroyed before it emitted the awaited signal"));
    });
    if (timeout && !std::isinf(*timeout)) {
        wait->timer = loop.callLater(*timeout, [future]() mutable {
            if (!future.done())
                future.setException(TimeoutError(QStringLiteral("signal(): timed out")));
        });
    }
    future.addDoneCallback([wait](const FutureBase &) mutable { wait.reset(); });
    return future;
}

} // namespace detail

// The next emission of `sig` by `sender`, on the running loop (else this thread's).
template<class Sender, class Class, class... Args>
    requires std::derived_from<Sender, QObject> && std::derived_from<Sender, Class>
auto signal(Sender *sender, void (Class::*sig)(Args...), std::optional<double> timeoutSeconds = {})
    -> Future<typename detail::SignalResult<Args...>::type>
{
    using R = typename detail::SignalResult<Args...>::type;
    return detail::awaitSignal<R, Sender, decltype(sig), Args...>(detail::qtLoop(), sender, sig,
                                                                   timeoutSeconds);
}

template<class Sender, class Class, class... Args, class Rep, class Period>
    requires std::derived_from<Sender, QObject> && std::derived_from<Sender, Class>
auto signal(Sender *sender, void (Class::*sig)(Args...), std::chrono::duration<Rep, Period> timeout)
    -> Future<typename detail::SignalResult<Args...>::type>
{
    return signal(sender, sig, std::optional<double>(std::chrono::duration<double>(timeout).count()));
}

} // namespace qaio
