// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/qmlqaio.h — the `Qaio` QML singleton: loop services for JavaScript.
///
///     import Qaio
///     Qaio.sleep(500).then(() => label.text = "later")
///     const t0 = Qaio.time()          // the loop's monotonic clock, in seconds
///
/// sleep(ms) returns a QaioFuture that becomes done after `ms` milliseconds
/// (a task on the GUI thread's loop; cancel() cancels it). A negative or NaN
/// delay throws a RangeError naming the problem; Infinity sleeps until
/// cancelled.
#pragma once

#include <qaio/qmlfuture.h>

#include <QtCore/qobject.h>
#include <QtQml/qqmlregistration.h>

namespace qaio {

/// The `Qaio` QML singleton: sleep(ms) and time() on the GUI thread's loop.
class QmlQaio : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Qaio)
    QML_SINGLETON

public:
    /// Created by the QML engine.
    explicit QmlQaio(QObject *parent = nullptr);

    /// A QaioFuture done after `ms` milliseconds; RangeError for a negative or NaN delay.
    Q_INVOKABLE qaio::QmlFuture *sleep(double ms);
    /// The loop's monotonic clock, in seconds.
    Q_INVOKABLE double time() const;
};

} // namespace qaio
