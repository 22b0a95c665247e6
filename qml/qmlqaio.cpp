// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qmlqaio.cpp — the Qaio QML singleton (qaio/qmlqaio.h).
#include <qaio/qmlqaio.h>

#include <qaio/qtsignal.h>
#include <qaio/task.h>

#include <QtQml/qjsengine.h>

#include <cmath>

namespace qaio {

QmlQaio::QmlQaio(QObject *parent) : QObject(parent) {}

QmlFuture *QmlQaio::sleep(double ms)
{
    QJSEngine *engine = qjsEngine(this);
    if (!(ms >= 0)) {
        if (engine)
            engine->throwError(QJSValue::RangeError,
                               QStringLiteral("Qaio.sleep(): ms must be a non-negative number, got %1")
                                   .arg(ms));
        return nullptr;
    }
    try {
        Task<void> task = qaio::createTask(detail::qtLoop(), qaio::sleep(ms / 1000.0));
        return toQml(Future<void>(task));
    } catch (const std::exception &e) {
        if (engine)
            engine->throwError(QJSValue::GenericError,
                               QStringLiteral("Qaio.sleep(): %1").arg(QString::fromUtf8(e.what())));
        return nullptr;
    }
}

double QmlQaio::time() const
{
    return detail::qtLoop().time();
}

} // namespace qaio
