// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// futurewatcher.cpp — FutureWatcher (qaio/futurewatcher.h).
#include <qaio/futurewatcher.h>

#include <QtCore/qpointer.h>

#include <qaio/handle.h>

#include <typeinfo>

namespace qaio {


QString describeException(const std::exception_ptr &error)
{
    if (!error)
        return {};
    try {
        std::rethrow_exception(error);
    } catch (const std::exception &e) {
        return detail::demangle(typeid(e)) + QStringLiteral(": ") + QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("unknown exception (not derived from std::exception)");
    }
}

FutureWatcher::FutureWatcher(QObject *parent) : QObject(parent) {}

FutureWatcher::FutureWatcher(FutureBase future, QObject *parent) : QObject(parent)
{
    setFuture(std::move(future));
}

FutureWatcher::~FutureWatcher()
{
    setFuture({});
}

void FutureWatcher::setFuture(FutureBase future)
{
    if (m_future.isValid() && m_callback && !m_reported) {
        try {
            m_future.removeDoneCallback(m_callback);
        } catch (...) {
        }
    }
    const bool changed = m_reported || m_cancelled || !m_error.isEmpty() || m_future != future;
    m_future = std::move(future);
    m_callback = 0;
    m_reported = false;
    m_cancelled = false;
    m_error.clear();
    if (m_future.isValid()) {
        QPointer<FutureWatcher> self(this);
        m_callback = m_future.addDoneCallback([self](const FutureBase &f) {
            if (self && self->m_future == f)
                self->report(f);
        });
    }
    if (changed && !signalsBlocked())
        Q_EMIT stateChanged();
}

bool FutureWatcher::isPending() const
{
    return m_future.isValid() && !m_reported;
}

bool FutureWatcher::cancel()
{
    return m_future.isValid() && m_future.cancel();
}

void FutureWatcher::report(const FutureBase &future)
{
    m_reported = true;
    if (future.cancelled()) {
        m_cancelled = true;
        Q_EMIT stateChanged();
        Q_EMIT cancelled();
    } else if (std::exception_ptr error = future.exception()) {
        m_error = describeException(error);
        Q_EMIT stateChanged();
        Q_EMIT failed(m_error);
    } else {
        Q_EMIT stateChanged();
        Q_EMIT succeeded();
    }
    Q_EMIT finished();
}

} // namespace qaio
