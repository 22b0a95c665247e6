// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// framemonitor.h — how late the GUI thread serves a 60 Hz frame tick.
//
// A precise Qt timer is armed for each frame deadline (t0 + k/60 s); when it
// fires, lateness = now - deadline. If the loop's work (tasks, I/O, results
// from the executor) kept the thread busy, the tick comes late: that is the
// jank a user would see. Also counts the window's frameSwapped(). The
// window animates from this tick (not from a free-running animation), so
// that the offscreen platform, which has no vsync, renders 60 frames a
// second as a screen would instead of as many as the CPU allows.
#pragma once

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <vector>

QT_BEGIN_NAMESPACE
class QQuickWindow;
QT_END_NAMESPACE

namespace flagship {

struct LatenessStats
{
    qsizetype samples = 0;
    double p50 = 0, p99 = 0, max = 0; // milliseconds
};

class FrameMonitor : public QObject
{
    Q_OBJECT
    Q_PROPERTY(double p50 READ p50 NOTIFY updated)
    Q_PROPERTY(double p99 READ p99 NOTIFY updated)
    Q_PROPERTY(double max READ max NOTIFY updated)
    Q_PROPERTY(int ticks READ ticks NOTIFY updated)
    Q_PROPERTY(int frames READ frames NOTIFY updated)
    Q_PROPERTY(double fps READ fps NOTIFY updated)
    // Increments on every tick: the window's spinner is bound to it, so the
    // scene changes (and renders) at 60 Hz at most, and a late tick shows.
    Q_PROPERTY(int frame READ frame NOTIFY ticked)

public:
    explicit FrameMonitor(QObject *parent = nullptr);

    void start();
    void stop();
    // Counts this window's frameSwapped().
    void attach(QQuickWindow *window);
    // Forgets the samples so far (e.g. after start-up).
    void reset();

    // Over every sample since start()/reset().
    LatenessStats total() const;
    // How long each frame took to synchronize and render (beforeSynchronizing
    // to frameSwapped) — on the GUI thread with the software/basic render loop.
    LatenessStats renderTimes() const { return statsOf(m_render); }
    // Over the last few seconds (what the readout shows).
    double p50() const { return m_recent.p50; }
    double p99() const { return m_recent.p99; }
    double max() const { return m_recent.max; }
    int ticks() const { return int(m_all.size()); }
    int frames() const { return m_frames; }
    double fps() const { return m_fps; }
    int frame() const { return m_frame; }

    static LatenessStats statsOf(std::vector<double> samples);

Q_SIGNALS:
    void updated();
    void ticked();

private:
    void arm();
    void tick();
    void publish();

    QElapsedTimer m_clock;
    QTimer m_timer;
    QTimer m_publish;
    qint64 m_nextNs = 0;
    qint64 m_dueNs = 0; // when the armed timer is due (the deadline rounded up to a millisecond)
    std::vector<double> m_all;
    std::vector<double> m_render;
    qint64 m_syncStartNs = -1;
    LatenessStats m_recent;
    int m_frames = 0;
    int m_framesAtPublish = 0;
    qint64 m_publishedAtNs = 0;
    double m_fps = 0;
    int m_frame = 0;
};

} // namespace flagship
