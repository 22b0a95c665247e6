// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qmlfuture.cpp — QmlFuture (qaio/qmlfuture.h).
#include <qaio/qmlfuture.h>

#include <qaio/exceptions.h>
#include <qaio/handle.h>
#include <qaio/loop.h>

#include <QtCore/qpointer.h>
#include <QtQml/qjsengine.h>

#include <typeinfo>

namespace qaio {

namespace {
// "qaio::TimeoutError" → "TimeoutError": the name a JavaScript Error carries.
QString shortName(const std::type_info &type)
{
    QString name = detail::demangle(type);
    const qsizetype colon = name.lastIndexOf(QLatin1String("::"));
    return colon >= 0 ? name.mid(colon + 2) : name;
}
} // namespace

QmlFuture::QmlFuture(FutureBase future, Converter convert, QObject *parent)
    : QObject(parent), m_future(std::move(future)), m_convert(std::move(convert))
{
    if (!m_future.isValid())
        throw ValueError("QmlFuture: the future is null");
    QPointer<QmlFuture> self(this);
    m_future.addDoneCallback([self](const FutureBase &f) {
        if (self)
            self->settle(f);
    });
}

QmlFuture::~QmlFuture() = default;

void QmlFuture::settle(const FutureBase &future)
{
    m_done = true;
    if (future.cancelled()) {
        m_cancelled = true;
        m_errorName = QStringLiteral("CancelledError");
        try {
            future.exception();
        } catch (const CancelledError &e) {
            m_error = QString::fromUtf8(e.what());
        }
        if (m_error.isEmpty())
            m_error = QStringLiteral("cancelled");
    } else {
        std::exception_ptr error = future.exception();
        if (!error) {
            try {
                m_result = m_convert(future);
            } catch (...) {
                error = std::current_exception();
            }
        }
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception &e) {
                m_error = QString::fromUtf8(e.what());
                m_errorName = shortName(typeid(e));
            } catch (...) {
                m_error = QStringLiteral("unknown exception");
                m_errorName = QStringLiteral("Error");
            }
            if (m_error.isEmpty())
                m_error = m_errorName;
        }
    }
    m_convert = nullptr;
    QPointer<QmlFuture> self(this);
    Q_EMIT stateChanged();
    if (!self)
        return;
    const std::vector<Callbacks> callbacks = std::exchange(m_callbacks, {});
    for (const Callbacks &c : callbacks) {
        dispatch(c);
        if (!self)
            return;
    }
    if (!m_error.isEmpty() && !m_cancelled && !m_errorHandled)
        reportUnhandled(QStringLiteral("QaioFuture exception was not handled (no then() with onError): %1: %2")
                            .arg(m_errorName, m_error));
    m_self = QJSValue(); // from now on only QML's own references keep it alive
}

void QmlFuture::dispatch(const Callbacks &callbacks)
{
    QJSEngine *engine = qjsEngine(this);
    if (!engine)
        return;
    if (m_error.isEmpty()) {
        call(callbacks.onResult, engine->toScriptValue(m_result));
    } else {
        // QML freezes Error.prototype, so plain assignment (and
        // QJSValue::setProperty) cannot shadow its read-only `name`.
        QJSValue make = engine->evaluate(QStringLiteral(
            "(function (name, message) { const e = new Error(message);"
            " Object.defineProperty(e, 'name', {value: name, writable: true, configurable: true});"
            " return e; })"));
        QJSValue error = make.call({QJSValue(m_errorName), QJSValue(m_error)});
        if (!error.isError())
            error = engine->newErrorObject(QJSValue::GenericError, m_error);
        call(callbacks.onError, error);
    }
}

void QmlFuture::call(QJSValue function, const QJSValue &argument)
{
    if (!function.isCallable())
        return;
    const QJSValue returned = function.call({argument});
    if (returned.isError())
        reportUnhandled(QStringLiteral("Exception in a QaioFuture then() callback: %1")
                            .arg(returned.toString()));
}

void QmlFuture::reportUnhandled(const QString &message)
{
    try {
        Loop &loop = m_future.getLoop();
        ExceptionContext context;
        context.message = message;
        context.future = m_future;
        if (!m_future.cancelled())
            context.exception = m_future.exception();
        loop.callExceptionHandler(context);
    } catch (...) {
        qCWarning(lcQaio).noquote() << message;
    }
}

void QmlFuture::then(const QJSValue &onResult, const QJSValue &onError)
{
    QJSEngine *engine = qjsEngine(this);
    if (!engine)
        return;
    if (!onResult.isUndefined() && !onResult.isNull() && !onResult.isCallable()) {
        engine->throwError(QJSValue::TypeError, QStringLiteral("QaioFuture.then(): onResult is not a function"));
        return;
    }
    if (!onError.isUndefined() && !onError.isNull() && !onError.isCallable()) {
        engine->throwError(QJSValue::TypeError, QStringLiteral("QaioFuture.then(): onError is not a function"));
        return;
    }
    if (onError.isCallable())
        m_errorHandled = true;
    Callbacks callbacks{onResult, onError};
    if (!m_done) {
        m_callbacks.push_back(std::move(callbacks));
        if (m_self.isUndefined())
            m_self = engine->newQObject(this);
        return;
    }
    // Already done: still call back later, as a promise does. The wrapper in
    // the closure keeps this object alive until then.
    QPointer<QmlFuture> self(this);
    QJSValue keep = engine->newQObject(this);
    try {
        m_future.getLoop().callSoon([self, keep, callbacks] {
            if (self)
                self->dispatch(callbacks);
        });
    } catch (const std::exception &e) {
        engine->throwError(QJSValue::GenericError,
                           QStringLiteral("QaioFuture.then(): %1").arg(QString::fromUtf8(e.what())));
    }
}

bool QmlFuture::cancel()
{
    try {
        return m_future.cancel(QStringLiteral("cancelled from QML"));
    } catch (const std::exception &e) {
        if (QJSEngine *engine = qjsEngine(this))
            engine->throwError(QJSValue::GenericError, QString::fromUtf8(e.what()));
        return false;
    }
}

QString QmlFuture::toString() const
{
    if (!m_done)
        return QStringLiteral("QaioFuture(pending)");
    if (m_cancelled)
        return QStringLiteral("QaioFuture(cancelled)");
    if (!m_error.isEmpty())
        return QStringLiteral("QaioFuture(error=%1: %2)").arg(m_errorName, m_error);
    return QStringLiteral("QaioFuture(result=%1)").arg(m_result.toString());
}

} // namespace qaio
