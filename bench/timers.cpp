// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// timers.cpp — cost of a timer: schedule it, maybe cancel it, fire it.
//
//   timers --impl qaio|qtimer [--n 100000]
//
// Schedules n timers with delays uniform in [0, 100 ms) (bench::randomDelays,
// the same sequence for every implementation), cancels every other one, and
// runs the loop until the other half fired. The cost is the process CPU time
// of all that divided by n (waiting for deadlines costs no CPU); wall time is
// reported too.
//   qaio    qaio::Loop::callLater, TimerHandle::cancel;
//   qtimer  QTimer::singleShot(ms, Qt::PreciseTimer, ctx, lambda) for the timers
//           that fire; a singleShot cannot be cancelled, so each cancelled timer is
//           a QTimer object that is started, then deleted (what Qt code does to
//           cancel). Qt timers count whole milliseconds: delays are rounded.
#include "common.h"

#include <qaio/loop.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qtimer.h>


namespace {

using bench::Cost;

Cost runQaio(const std::vector<double> &delays)
{
    qaio::Loop loop;
    const std::size_t toFire = delays.size() / 2;
    std::size_t fired = 0;
    std::vector<qaio::TimerHandle> handles;
    handles.reserve(delays.size());
    const bench::Stopwatch watch;
    for (double delay : delays) {
        handles.push_back(loop.callLater(delay, [&] {
            if (++fired == toFire)
                loop.stop();
        }));
    }
    for (std::size_t i = 0; i < handles.size(); i += 2)
        handles[i].cancel();
    loop.runForever();
    const Cost cost = watch.stop();
    bench::require(fired == toFire, "qaio fired every timer that was not cancelled");
    return cost;
}

Cost runQTimer(const std::vector<double> &delays)
{
    QEventLoop loop;
    QObject context;
    const std::size_t toFire = delays.size() / 2;
    std::size_t fired = 0;
    std::vector<QTimer *> toCancel;
    toCancel.reserve(delays.size() / 2 + 1);
    const bench::Stopwatch watch;
    for (std::size_t i = 0; i < delays.size(); ++i) {
        const int ms = int(std::lround(delays[i] * 1000));
        if (i % 2 == 0) {
            auto *timer = new QTimer;
            timer->setSingleShot(true);
            timer->setTimerType(Qt::PreciseTimer);
            QObject::connect(timer, &QTimer::timeout, &context, [&] { ++fired; });
            timer->start(ms);
            toCancel.push_back(timer);
        } else {
            QTimer::singleShot(ms, Qt::PreciseTimer, &context, [&] {
                if (++fired == toFire)
                    loop.quit();
            });
        }
    }
    for (QTimer *timer : toCancel)
        delete timer;
    loop.exec();
    const Cost cost = watch.stop();
    bench::require(fired == toFire, "QTimer fired every timer that was not cancelled");
    return cost;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bench::Args args(argc, argv);
    const std::string impl = args.str("impl", "qaio");
    const auto n = std::size_t(args.num("n", 1e5)) / 2 * 2; // even: half cancelled
    bench::require(n > 0 && (impl == "qaio" || impl == "qtimer"), "known --impl, --n >= 2");
    auto run = impl == "qaio" ? runQaio : runQTimer;

    const std::vector<double> delays = bench::randomDelays(n, 0.100);
    run(bench::randomDelays(std::max<std::size_t>(n / 10, 2) / 2 * 2, 0.010)); // warm-up
    const Cost cost = run(delays);
    bench::Json()
        .add("bench", "timers")
        .add("impl", impl)
        .add("n", double(n))
        .add("cpu_seconds", cost.cpu)
        .add("wall_seconds", cost.wall)
        .add("ns_per_timer", cost.cpu * 1e9 / double(n))
        .print();
    return 0;
}
