// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/futurewatcher.h — FutureWatcher: a Future or Task seen as Qt signals.
///
///     auto *watcher = new qaio::FutureWatcher(qaio::createTask(download(url)), this);
///     connect(watcher, &qaio::FutureWatcher::failed, this, &Window::showError);
///     connect(watcher, &qaio::FutureWatcher::finished, watcher, &QObject::deleteLater);
///     connect(cancelButton, &QPushButton::clicked, watcher, &qaio::FutureWatcher::cancel);
///
/// Like QFutureWatcher for qaio futures. When the watched future is done it
/// emits, from a loop callback (never from inside setFuture or cancel):
///   succeeded()         it finished with a result (read it from future());
///   failed(message)     it finished with an exception: "TypeName: what()";
///   cancelled()         it was cancelled;
/// and then finished(), whatever the outcome (as QFutureWatcher::finished).
/// Watching counts as retrieving the exception: no "exception was never
/// retrieved" log for a future whose failure a watcher reported. The
/// properties (pending, done, isCancelled, errorString) suit bindings and
/// change together (stateChanged). A watcher destroyed first emits nothing.
#pragma once

#include <qaio/future.h>
#include <qaio/global.h>

#include <QtCore/qobject.h>
#include <QtCore/qstring.h>

namespace qaio {

/// QFutureWatcher for a qaio Future or Task: signals and properties for its outcome.
class QAIO_EXPORT FutureWatcher : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool pending READ isPending NOTIFY stateChanged)
    Q_PROPERTY(bool done READ isDone NOTIFY stateChanged)
    Q_PROPERTY(bool cancelled READ isCancelled NOTIFY stateChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY stateChanged)

public:
    /// A watcher with no future yet (see setFuture).
    explicit FutureWatcher(QObject *parent = nullptr);
    /// Watches `future`.
    explicit FutureWatcher(FutureBase future, QObject *parent = nullptr);
    ~FutureWatcher() override;

    /// Watches `future` (a null FutureBase stops watching). A future that is
    /// already done is reported in the next loop iteration.
    void setFuture(FutureBase future);
    /// The watched future.
    FutureBase future() const { return m_future; }

    /// True while a future is watched and its outcome was not reported yet.
    bool isPending() const;
    /// True once the outcome was reported.
    bool isDone() const { return m_reported; }
    /// True if the future was cancelled.
    bool isCancelled() const { return m_cancelled; }
    /// "<exception class>: <what()>" when the future failed, else empty.
    QString errorString() const { return m_error; }

public Q_SLOTS:
    /// Cancels the watched future; true if it was pending.
    bool cancel();

Q_SIGNALS:
    /// The future finished with a result.
    void succeeded();
    /// The future failed; `message` is as errorString().
    void failed(const QString &message);
    /// The future was cancelled.
    void cancelled();
    /// Emitted after succeeded(), failed() or cancelled().
    void finished();
    /// pending, done, cancelled or errorString changed.
    void stateChanged();

private:
    void report(const FutureBase &future);

    FutureBase m_future;
    quint64 m_callback = 0;
    QString m_error;
    bool m_reported = false;
    bool m_cancelled = false;
};

/// "TypeName: what()" for an exception (the loop's log uses the same form).
QAIO_EXPORT QString describeException(const std::exception_ptr &error);

} // namespace qaio
