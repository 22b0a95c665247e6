// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// lateness.cpp — how late a timer fires after its deadline.
//
//   lateness --impl qaio|qtimer [--backend epoll|qt] [--delay 0.0005] [--samples 200]
//
// Sequential samples: a timer is armed for `delay`, its callback records
// (now - deadline) and arms the next one. Prints p50/p99/max in microseconds.
//   qaio    qaio::Loop::callLater on the chosen backend;
//   qtimer  QTimer::singleShot with Qt::PreciseTimer. QTimer counts whole
//           milliseconds, so the delay is rounded up (0.5 ms becomes 1 ms) and the
//           lateness is still measured against the requested delay.
#include "common.h"

#include <qaio/loop.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qtimer.h>

#include <functional>

namespace {

std::vector<double> runQaio(qaio::LoopBackend backend, double delay, std::size_t samples)
{
    qaio::Loop loop(qaio::LoopOptions{.backend = backend});
    std::vector<double> late;
    double deadline = 0;
    std::function<void()> arm = [&] {
        deadline = bench::wallNow() + delay;
        loop.callLater(delay, [&] {
            late.push_back(bench::wallNow() - deadline);
            if (late.size() == samples)
                loop.stop();
            else
                arm();
        });
    };
    arm();
    loop.runForever();
    return late;
}

std::vector<double> runQTimer(double delay, std::size_t samples)
{
    QEventLoop loop;
    std::vector<double> late;
    const int ms = int(std::ceil(delay * 1000));
    double deadline = 0;
    std::function<void()> arm = [&] {
        deadline = bench::wallNow() + delay;
        QTimer::singleShot(ms, Qt::PreciseTimer, &loop, [&] {
            late.push_back(bench::wallNow() - deadline);
            if (late.size() == samples)
                loop.quit();
            else
                arm();
        });
    };
    arm();
    loop.exec();
    return late;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bench::Args args(argc, argv);
    const std::string impl = args.str("impl", "qaio");
    const std::string backend = args.str("backend", "epoll");
    const double delay = args.num("delay", 0.0005);
    const auto samples = std::size_t(args.num("samples", 200));
    bench::require(impl == "qaio" || impl == "qtimer", "known --impl");

    std::vector<double> late;
    if (impl == "qaio")
        late = runQaio(backend == "qt" ? qaio::LoopBackend::Qt : qaio::LoopBackend::Epoll, delay,
                       samples);
    else
        late = runQTimer(delay, samples);
    bench::require(late.size() == samples, "every sample was taken");
    bench::Json()
        .add("bench", "lateness")
        .add("impl", impl == "qaio" ? "qaio-" + backend : impl)
        .add("delay", delay)
        .add("samples", double(samples))
        .add("p50_us", bench::percentile(late, 50) * 1e6)
        .add("p99_us", bench::percentile(late, 99) * 1e6)
        .add("max_us", bench::percentile(late, 100) * 1e6)
        .add("min_us", bench::percentile(late, 0) * 1e6)
        .print();
    return 0;
}
