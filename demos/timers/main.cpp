// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio-demo-timers — callbacks and timers on one loop shared with Qt.
//
// Schedules callbacks with callSoon, timers with callLater (one of them
// cancelled), a QTimer and a cross-thread call, runs the loop until a Future
// is resolved, and prints what happened and when.
#include <qaio/qaio.h>

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>
#include <thread>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qaio::Loop loop;
    const double start = loop.time();
    auto say = [&](const char *what) {
        std::printf("%8.3f ms  %s\n", (loop.time() - start) * 1000.0, what);
    };

    loop.callSoon(say, "callSoon #1");
    loop.callSoon([&] {
        say("callSoon #2 schedules #3 (it runs in the next iteration)");
        loop.callSoon(say, "callSoon #3");
    });
    loop.callLater(0.0005, say, "callLater 0.5 ms (sub-millisecond timers)");
    loop.callLater(0.020, say, "callLater 20 ms");
    auto cancelled = loop.callLater(0.010, say, "this timer was cancelled and never prints");
    cancelled.cancel();

    // Qt's own timers and qaio's run on the same dispatcher.
    QTimer::singleShot(5, &app, [&] { say("QTimer 5 ms (Qt's timer, same thread)"); });

    // Another thread hands work to the loop with the one thread-safe call.
    std::thread worker([&] {
        loop.callSoonThreadsafe(say, "callSoonThreadsafe from a worker thread");
    });

    auto done = loop.createFuture<QString>();
    loop.callLater(0.030, [&] { done.setResult(QStringLiteral("the future's result")); });
    done.addDoneCallback([&](const qaio::Future<QString> &f) {
        say(qPrintable(QStringLiteral("done-callback saw: %1").arg(f.result())));
    });

    const QString result = loop.runUntilComplete(done);
    worker.join();
    std::printf("runUntilComplete returned \"%s\" after %.1f ms\n", qPrintable(result),
                (loop.time() - start) * 1000.0);
    loop.close();
    return 0;
}
