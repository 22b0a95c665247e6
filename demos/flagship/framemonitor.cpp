// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
#include "framemonitor.h"

#include <QtCore/QThread>
#include <QtQuick/QQuickWindow>

#include <algorithm>
#include <cmath>

namespace flagship {

namespace {
constexpr qint64 kFrameNs = 1'000'000'000 / 60;
constexpr std::size_t kRecent = 180; // three seconds of ticks
} // namespace

FrameMonitor::FrameMonitor(QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &FrameMonitor::tick);
    m_publish.setInterval(250);
    connect(&m_publish, &QTimer::timeout, this, &FrameMonitor::publish);
}

void FrameMonitor::start()
{
    m_clock.start();
    m_nextNs = kFrameNs;
    m_all.clear();
    m_all.reserve(60 * 60);
    arm();
    m_publish.start();
}

void FrameMonitor::stop()
{
    m_timer.stop();
    m_publish.stop();
}

void FrameMonitor::reset()
{
    m_all.clear();
    m_render.clear();
}

void FrameMonitor::attach(QQuickWindow *window)
{
    // Direct connections: with the threaded render loop these run on the
    // render thread; only the GUI-thread (basic/software) case is recorded.
    connect(window, &QQuickWindow::beforeSynchronizing, this, [this] {
        if (QThread::currentThread() == thread())
            m_syncStartNs = m_clock.isValid() ? m_clock.nsecsElapsed() : -1;
    }, Qt::DirectConnection);
    connect(window, &QQuickWindow::frameSwapped, this, [this] {
        if (QThread::currentThread() != thread())
            return;
        ++m_frames;
        if (m_syncStartNs >= 0)
            m_render.push_back(double(m_clock.nsecsElapsed() - m_syncStartNs) / 1e6);
        m_syncStartNs = -1;
    }, Qt::DirectConnection);
}

void FrameMonitor::arm()
{
    const qint64 now = m_clock.nsecsElapsed();
    // Milliseconds, rounded up: the timer must not fire before the deadline.
    const qint64 ms = std::max<qint64>(0, (m_nextNs - now + 999'999) / 1'000'000);
    m_dueNs = now + ms * 1'000'000;
    m_timer.start(int(ms));
}

void FrameMonitor::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    if (now < m_nextNs) { // woke up early (ms rounding of the dispatcher): wait the rest
        arm();
        return;
    }
    // Lateness against when the timer was due: Qt timers count whole
    // milliseconds, and that rounding is not the loop's doing.
    m_all.push_back(double(std::max<qint64>(0, now - std::max(m_nextNs, m_dueNs))) / 1e6);
    // The next frame deadline after now (a late tick skips the frames it missed).
    m_nextNs += kFrameNs * ((now - m_nextNs) / kFrameNs + 1);
    arm();
    ++m_frame;
    Q_EMIT ticked();
}

void FrameMonitor::publish()
{
    const std::size_t n = std::min(kRecent, m_all.size());
    m_recent = statsOf(std::vector<double>(m_all.end() - qsizetype(n), m_all.end()));
    const qint64 now = m_clock.nsecsElapsed();
    if (now > m_publishedAtNs)
        m_fps = double(m_frames - m_framesAtPublish) * 1e9 / double(now - m_publishedAtNs);
    m_framesAtPublish = m_frames;
    m_publishedAtNs = now;
    Q_EMIT updated();
}

LatenessStats FrameMonitor::total() const
{
    return statsOf(m_all);
}

LatenessStats FrameMonitor::statsOf(std::vector<double> samples)
{
    LatenessStats s;
    s.samples = qsizetype(samples.size());
    if (samples.empty())
        return s;
    std::sort(samples.begin(), samples.end());
    auto at = [&](double q) {
        const auto i = std::size_t(std::ceil(q * double(samples.size()))) - 1;
        return samples[std::min(i, samples.size() - 1)];
    };
    s.p50 = at(0.50);
    s.p99 = at(0.99);
    s.max = samples.back();
    return s;
}

} // namespace flagship
