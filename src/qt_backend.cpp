// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qt_backend.cpp — the portable backend: plain Qt primitives, no epoll.
//
// One QSocketNotifier per watched fd and direction, one precise QTimer for the
// nearest deadline, and posted events for wake-ups. Qt's dispatchers poll every
// notifier on each pass, so this costs O(watched): it is the fallback for
// platforms without epoll, and CI runs the whole suite on it too.
#include "backend.h"
#include "loop_p.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qcoreevent.h>
#include <QtCore/qobject.h>
#include <QtCore/qsocketnotifier.h>
#include <QtCore/qtimer.h>

#include <cerrno>
#include <cmath>
#include <fcntl.h>
#include <limits>
#include <system_error>
#include <unordered_map>

namespace qaio::detail {

namespace {
const QEvent::Type IterationEvent = static_cast<QEvent::Type>(QEvent::registerEventType());

class QtBackend final : public QObject, public Backend
{
public:
    explicit QtBackend(LoopImpl &loop) : m_loop(loop)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            m_deadline = std::numeric_limits<double>::quiet_NaN();
            m_loop.runOnce();
        });
    }

    const char *name() const override { return "qt"; }
    int qtTimerCount() const override { return m_timer.isActive() ? 1 : 0; }

    void modify(int fd, unsigned before, unsigned after) override
    {
        Q_UNUSED(before);
        if (after != 0 && ::fcntl(fd, F_GETFD) < 0)
            throw std::system_error(errno, std::generic_category(), "watching fd");
        Watch &w = m_watches[fd];
        update(w.read, fd, QSocketNotifier::Read, after & Read);
        update(w.write, fd, QSocketNotifier::Write, after & Write);
        if (!w.read && !w.write)
            m_watches.erase(fd);
    }

    void poll(std::vector<Event> &out) override
    {
        out.insert(out.end(), m_pending.begin(), m_pending.end());
        m_pending.clear();
    }

    void requestIteration() override
    {
        if (m_requested)
            return;
        m_requested = true;
        QCoreApplication::postEvent(this, new QEvent(IterationEvent));
    }

    // A posted event cannot be withdrawn cheaply; an extra iteration is harmless.
    void cancelIterationRequest() override {}

    void wakeUpThreadsafe() override { QCoreApplication::postEvent(this, new QEvent(IterationEvent)); }

    void setDeadline(double when) override
    {
        if (when == m_deadline)
            return;
        m_deadline = when;
        if (!std::isfinite(when)) {
            m_timer.stop();
            return;
        }
        // Qt timers count whole milliseconds: round up so they never fire early.
        const double ms = std::ceil((when - m_loop.time()) * 1000.0);
        m_timer.start(ms <= 0 ? 0 : int(std::min(ms, double(std::numeric_limits<int>::max()))));
    }

protected:
    bool event(QEvent *e) override
    {
        if (e->type() != IterationEvent)
            return QObject::event(e);
        m_requested = false;
        m_loop.runOnce();
        return true;
    }

private:
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
    };

    void update(QSocketNotifier *&notifier, int fd, QSocketNotifier::Type type, bool wanted)
    {
        if (!wanted) {
            // Possibly inside its own activated(): disable now, delete later.
            if (QSocketNotifier *old = std::exchange(notifier, nullptr)) {
                old->setEnabled(false);
                old->deleteLater();
            }
            return;
        }
        if (notifier)
            return;
        notifier = new QSocketNotifier(fd, type, this);
        const unsigned which = type == QSocketNotifier::Read ? Read : Write;
        QSocketNotifier *self = notifier;
        QObject::connect(notifier, &QSocketNotifier::activated, this, [this, fd, which, self] {
            // Level-triggered: mute the notifier until the loop has run the callback.
            self->setEnabled(false);
            m_pending.push_back({fd, which});
            QPointer<QSocketNotifier> guard(self);
            m_loop.runOnce();
            // Unmute only if the callback did not stop watching meanwhile: a removed
            // notifier (deleted later) must stay disabled, or it polls a closed fd
            // ("Invalid socket") or one reused by another watcher.
            if (guard && isCurrent(self, fd, which))
                guard->setEnabled(true);
        });
    }

    bool isCurrent(const QSocketNotifier *notifier, int fd, unsigned which) const
    {
        const auto it = m_watches.find(fd);
        if (it == m_watches.end())
            return false;
        return (which == Read ? it->second.read : it->second.write) == notifier;
    }

    LoopImpl &m_loop;
    std::unordered_map<int, Watch> m_watches;
    std::vector<Event> m_pending;
    QTimer m_timer;
    double m_deadline = std::numeric_limits<double>::infinity();
    bool m_requested = false;
};
} // namespace

std::unique_ptr<Backend> makeQtBackend(LoopImpl &loop)
{
    return std::make_unique<QtBackend>(loop);
}

} // namespace qaio::detail
