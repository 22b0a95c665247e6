// demofuture.h — the future object the flagship's services hand to QML.
//
// Stand-in until the qtqml branch's QML future type lands: a QObject with
// pending/done/cancelled/result/error, then(onResult, onError) and cancel(),
// wrapping one qaio::Future. QML owns it (no parent); the qaio task it
// watches runs on regardless of whether QML keeps the object.
#pragma once

#include <qaio/qaio.h>

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QVariant>
#include <QtQml/QJSValue>

namespace flagship {

class DemoFuture : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool pending READ pending NOTIFY finished)
    Q_PROPERTY(bool done READ done NOTIFY finished)
    Q_PROPERTY(bool cancelled READ cancelled NOTIFY finished)
    Q_PROPERTY(QVariant result READ result NOTIFY finished)
    Q_PROPERTY(QString error READ error NOTIFY finished)

public:
    // Watches `future`; a T result becomes a QVariant.
    template<class T>
    static DemoFuture *watch(qaio::Future<T> future)
    {
        auto *self = new DemoFuture(future);
        QPointer<DemoFuture> guard(self);
        future.addDoneCallback([guard](const qaio::Future<T> &f) {
            if (!guard)
                return;
            if (f.cancelled()) {
                guard->settle({}, QStringLiteral("cancelled"), true);
                return;
            }
            try {
                if constexpr (std::is_void_v<T>) {
                    f.result();
                    guard->settle({}, {}, false);
                } else {
                    guard->settle(QVariant::fromValue(f.result()), {}, false);
                }
            } catch (const std::exception &e) {
                guard->settle({}, QString::fromUtf8(e.what()), false);
            }
        });
        return self;
    }

    bool pending() const { return !m_done; }
    bool done() const { return m_done; }
    bool cancelled() const { return m_cancelled; }
    QVariant result() const { return m_result; }
    QString error() const { return m_error; }

    // Calls onResult(result) or onError(message) once done (later, never
    // synchronously); returns this future for chaining.
    Q_INVOKABLE flagship::DemoFuture *then(const QJSValue &onResult, const QJSValue &onError = {});
    // Cancels the qaio future (the task gets CancelledError at its co_await).
    Q_INVOKABLE bool cancel();

Q_SIGNALS:
    void finished();

private:
    explicit DemoFuture(qaio::FutureBase future) : m_future(std::move(future)) {}
    void settle(QVariant result, QString error, bool cancelled);
    void fire();

    qaio::FutureBase m_future;
    QVariant m_result;
    QString m_error;
    bool m_done = false;
    bool m_cancelled = false;
    QList<std::pair<QJSValue, QJSValue>> m_callbacks;
};

} // namespace flagship
