// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/qmlqaio.h — the `Qaio` QML singleton: loop services for JavaScript.
//
//     import Qaio
//     Qaio.sleep(500).then(() => label.text = "later")
//     const t0 = Qaio.time()          // the loop's monotonic clock, in seconds
//
// sleep(ms) returns a QaioFuture that becomes done after `ms` milliseconds
// (a task on the GUI thread's loop; cancel() cancels it). A negative or NaN
// delay throws a RangeError naming the problem; Infinity sleeps until
// cancelled.
#pragma once

#include <qaio/qmlfuture.h>

#include <QtCore/qobject.h>
#include <QtQml/qqmlregistration.h>

namespace qaio {

class QmlQaio : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Qaio)
    QML_SINGLETON

public:
    explicit QmlQaio(QObject *parent = nullptr);

    Q_INVOKABLE qaio::QmlFuture *sleep(double ms);
    Q_INVOKABLE double time() const;
};

} // namespace qaio
