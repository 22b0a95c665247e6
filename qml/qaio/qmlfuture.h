// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/qmlfuture.h — QmlFuture: a qaio Future or Task handed to QML (`QaioFuture`).
//
// A C++ service returns one from a Q_INVOKABLE:
//
//     Q_INVOKABLE qaio::QmlFuture *fetch(const QString &url)
//     {
//         return qaio::toQml(qaio::createTask(this, download(url)));   // Task<QString>
//     }
//
// and QML uses it with callbacks, bindings, or (where the engine supports it)
// await:
//
//     property var job: null
//     Button { onClicked: job = service.fetch(url) }
//     BusyIndicator { running: job !== null && job.pending }
//     Label { text: job && job.done ? (job.error || job.result) : "" }
//     service.fetch(url).then(text => show(text), err => console.warn(err.message))
//
// Properties (all change together; NOTIFY stateChanged): pending, done,
// cancelled, result (the value as a QVariant; undefined for void), error
// (the exception's message, "" when none), errorName (its class: "TimeoutError",
// "ValueError", ..., "CancelledError" when cancelled). cancel() cancels the
// underlying future or task.
//
// then(onResult, onError) calls onResult(result) or onError(error) once the
// future is done, always later, from the loop (never inside then()); error is
// a JavaScript Error whose message is the C++ exception's what() and whose
// name is the exception's class name; a cancelled future calls onError with a
// CancelledError. So the object is a thenable and `await future` works in an
// async function. then() returns nothing (no chaining). A future with pending
// then() callbacks stays alive even if nothing else refers to it.
//
// Nothing fails silently: if the future fails (not: is cancelled) and no
// then() gave an onError by then, the error goes to the loop's exception
// handler ("QaioFuture exception was not handled: ..."), whose default logs it
// through the qaio logging category; so does an exception thrown by a callback.
//
// toQml(future) converts the result with QVariant::fromValue(T); pass a
// converter for other types. Ownership: without a parent, QML owns the object
// once it is returned to it (garbage collected); it does not cancel the
// future when collected.
#pragma once

#include <qaio/future.h>

#include <QtCore/qobject.h>
#include <QtCore/qvariant.h>
#include <QtQml/qjsvalue.h>
#include <QtQml/qqmlregistration.h>

#include <functional>
#include <utility>
#include <vector>

namespace qaio {

class QmlFuture : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(QaioFuture)
    QML_UNCREATABLE("QaioFuture objects come from C++ (qaio::toQml) or the Qaio singleton")
    Q_PROPERTY(bool pending READ isPending NOTIFY stateChanged)
    Q_PROPERTY(bool done READ isDone NOTIFY stateChanged)
    Q_PROPERTY(bool cancelled READ isCancelled NOTIFY stateChanged)
    Q_PROPERTY(QVariant result READ result NOTIFY stateChanged)
    Q_PROPERTY(QString error READ error NOTIFY stateChanged)
    Q_PROPERTY(QString errorName READ errorName NOTIFY stateChanged)

public:
    using Converter = std::function<QVariant(const FutureBase &)>;

    // Watches `future`; `convert` turns its result into a QVariant (called once).
    QmlFuture(FutureBase future, Converter convert, QObject *parent = nullptr);
    ~QmlFuture() override;

    bool isPending() const { return !m_done; }
    bool isDone() const { return m_done; }
    bool isCancelled() const { return m_cancelled; }
    QVariant result() const { return m_result; }
    QString error() const { return m_error; }
    QString errorName() const { return m_errorName; }
    FutureBase future() const { return m_future; }

    Q_INVOKABLE void then(const QJSValue &onResult, const QJSValue &onError = QJSValue());
    // Cancels the future; true if it was pending.
    Q_INVOKABLE bool cancel();
    Q_INVOKABLE QString toString() const;

Q_SIGNALS:
    void stateChanged();

private:
    struct Callbacks
    {
        QJSValue onResult;
        QJSValue onError;
    };
    void settle(const FutureBase &future);
    void dispatch(const Callbacks &callbacks);
    void call(QJSValue function, const QJSValue &argument);
    void reportUnhandled(const QString &message);

    FutureBase m_future;
    Converter m_convert;
    std::vector<Callbacks> m_callbacks;
    QJSValue m_self; // keeps the JavaScript wrapper (and so this) alive while callbacks wait
    QVariant m_result;
    QString m_error;
    QString m_errorName;
    bool m_done = false;
    bool m_cancelled = false;
    bool m_errorHandled = false;
};

// A QmlFuture for `future` (a Future<T> or Task<T>); T → QVariant::fromValue.
template<class T>
QmlFuture *toQml(const Future<T> &future, QObject *parent = nullptr)
{
    return new QmlFuture(
        future,
        [](const FutureBase &f) -> QVariant {
            Future<T> typed(std::static_pointer_cast<detail::FutureState<T>>(f.statePtr()));
            if constexpr (std::is_void_v<T>) {
                typed.result();
                return {};
            } else if constexpr (std::is_same_v<T, QVariant>) {
                return typed.result();
            } else {
                return QVariant::fromValue(typed.result());
            }
        },
        parent);
}

// The same with your own conversion: convert(const T &) → QVariant.
template<class T, class F>
    requires std::is_invocable_r_v<QVariant, F &, const T &>
QmlFuture *toQml(const Future<T> &future, F convert, QObject *parent = nullptr)
{
    return new QmlFuture(
        future,
        [convert = std::move(convert)](const FutureBase &f) mutable -> QVariant {
            Future<T> typed(std::static_pointer_cast<detail::FutureState<T>>(f.statePtr()));
            return convert(typed.result());
        },
        parent);
}

} // namespace qaio
