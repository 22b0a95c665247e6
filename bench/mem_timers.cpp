// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// mem_timers.cpp — resident memory per pending timer: qaio callLater and QTimer.
//
//   mem_timers --impl qaio|qtimer [--n 100000]
//
// Arms n timers one hour ahead (they never fire) and reports the growth of the
// resident set divided by n (RSS from /proc/self/statm; a warm-up of n/10
// timers is armed first so that the allocator's arenas exist).
//   qaio    loop.callLater(3600, callback), the TimerHandle kept (as asyncio code does);
//   qtimer  a QTimer object per timer, started (the usual Qt way: a QObject each).
#include "common.h"

#include <qaio/loop.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qtimer.h>

#include <fstream>
#include <memory>
#include <unistd.h>

namespace {

double rssBytes()
{
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bench::Args args(argc, argv);
    const auto n = std::size_t(args.num("n", 1e5));
    const std::string impl = args.str("impl", "qaio");
    qaio::Loop loop;
    std::vector<qaio::TimerHandle> handles;
    std::vector<std::unique_ptr<QTimer>> qtimers;
    handles.reserve(n + n / 10);
    qtimers.reserve(n + n / 10);
    int fired = 0;
    auto arm = [&](std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            if (impl == "qaio") {
                handles.push_back(loop.callLater(3600.0, [&fired] { ++fired; }));
            } else {
                auto t = std::make_unique<QTimer>();
                t->setSingleShot(true);
                QObject::connect(t.get(), &QTimer::timeout, [&fired] { ++fired; });
                t->start(3600 * 1000);
                qtimers.push_back(std::move(t));
            }
        }
    };
    arm(n / 10);
    const double before = rssBytes();
    arm(n);
    const double after = rssBytes();
    // One pass of the loop with all of them pending (and a check nothing fired).
    loop.callSoon([&loop] { loop.stop(); });
    loop.runForever();
    bench::require(fired == 0, "no timer fired");
    bench::Json().add("bench", "mem_timers").add("impl", impl).add("n", double(n))
        .add("bytes_per_timer", (after - before) / double(n)).print();
    std::_Exit(0);
}
