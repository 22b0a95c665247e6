// framemonitor.h — how late the GUI thread serves a 60 Hz frame tick.
//
// A precise Qt timer is armed for each frame deadline (t0 + k/60 s); when it
// fires, lateness = now - deadline. If the loop's work (tasks, I/O, results
// from the executor) kept the thread busy, the tick comes late: that is the
// jank a user would see. Also counts the window's frameSwapped().
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
    // Over the last few seconds (what the readout shows).
    double p50() const { return m_recent.p50; }
    double p99() const { return m_recent.p99; }
    double max() const { return m_recent.max; }
    int ticks() const { return int(m_all.size()); }
    int frames() const { return m_frames; }
    double fps() const { return m_fps; }

    static LatenessStats statsOf(std::vector<double> samples);

Q_SIGNALS:
    void updated();

private:
    void arm();
    void tick();
    void publish();

    QElapsedTimer m_clock;
    QTimer m_timer;
    QTimer m_publish;
    qint64 m_nextNs = 0;
    std::vector<double> m_all;
    LatenessStats m_recent;
    int m_frames = 0;
    int m_framesAtPublish = 0;
    qint64 m_publishedAtNs = 0;
    double m_fps = 0;
};

} // namespace flagship
