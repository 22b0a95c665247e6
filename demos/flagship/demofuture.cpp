#include "demofuture.h"

#include <QtQml/QJSEngine>

namespace flagship {

DemoFuture *DemoFuture::then(const QJSValue &onResult, const QJSValue &onError)
{
    m_callbacks.append({onResult, onError});
    if (m_done)
        QMetaObject::invokeMethod(this, &DemoFuture::fire, Qt::QueuedConnection);
    return this;
}

bool DemoFuture::cancel()
{
    return !m_future.done() && m_future.cancel();
}

void DemoFuture::settle(QVariant result, QString error, bool cancelled)
{
    m_result = std::move(result);
    m_error = std::move(error);
    m_cancelled = cancelled;
    m_done = true;
    Q_EMIT finished();
    fire();
}

void DemoFuture::fire()
{
    const auto callbacks = std::exchange(m_callbacks, {});
    for (const auto &[onResult, onError] : callbacks) {
        QJSValue fn = m_error.isEmpty() ? onResult : onError;
        if (!fn.isCallable())
            continue;
        QJSEngine *engine = qjsEngine(this);
        QJSValue arg = m_error.isEmpty() ? (engine ? engine->toScriptValue(m_result) : QJSValue())
                                         : QJSValue(m_error);
        QJSValue ret = fn.call({arg});
        if (ret.isError())
            qWarning("DemoFuture: callback failed: %s", qPrintable(ret.toString()));
    }
}

} // namespace flagship
