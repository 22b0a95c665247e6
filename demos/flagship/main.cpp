// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio-flagship — the flagship demo (see demos/flagship/flagship.h).
//
//     qaio-flagship                 # the window; close it (or Ctrl+C) to quit
//     qaio-flagship --demo 5 --screenshot build/flagship.png
//                                   # drives itself for 5 s, prints what happened
//     qaio-flagship --measure 10    # all workloads for 10 s, prints frame lateness
//     qaio-flagship --measure 10 --baseline   # the same window without the workloads
//
// With no display ($DISPLAY, $WAYLAND_DISPLAY unset) it uses the offscreen platform.
#include "flagship.h"

#include <QtCore/QCommandLineParser>
#include <QtGui/QGuiApplication>
#include <QtQuick/QQuickWindow>

#include <csignal>
#include <cstdio>

namespace {

struct Mode
{
    double demo = 0;    // seconds of unattended driving (0: interactive)
    double measure = 0; // seconds of measurement
    bool baseline = false; // --measure without the workloads (the window and its animation only)
    QString screenshot;
};

// Ctrl+C and SIGTERM end the program like closing the window: the handlers
// run as ordinary loop callbacks (Loop::addSignalHandler).
void installSignalHandlers(qaio::Loop &loop, qaio::Future<int> quit)
{
    for (const int sig : {SIGINT, SIGTERM}) {
        loop.addSignalHandler(sig, [quit, sig]() mutable {
            std::printf("signal %d: shutting down\n", sig);
            std::fflush(stdout);
            if (!quit.done())
                quit.setResult(0);
        });
    }
}

// The unattended run (--demo/--measure), or waiting for the window to close.
qaio::Coro<int> drive(flagship::Flagship *app, Mode mode, qaio::Future<int> quit)
{
    if (mode.demo <= 0 && mode.measure <= 0)
        co_return co_await quit;
    if (mode.measure > 0) {
        co_await qaio::sleep(0.5); // start-up (QML compilation, first frames) is not measured
        app->frames()->reset();
    }
    const double seconds = mode.measure > 0 ? mode.measure : mode.demo;
    flagship::Report report;
    if (mode.baseline) {
        co_await qaio::sleep(seconds);
        report = app->report();
    } else {
        report = co_await app->exercise(seconds);
    }
    std::printf("%s", qPrintable(report.format()));
    if (mode.screenshot.isEmpty())
        co_return 0;
    const bool saved = app->saveScreenshot(mode.screenshot);
    std::printf("screenshot: %s%s\n", qPrintable(mode.screenshot), saved ? "" : " (FAILED)");
    co_return saved ? 0 : 1;
}

qaio::Coro<int> runDemo(flagship::Flagship *app, Mode mode, qaio::Future<int> quit)
{
    if (mode.baseline)
        app->frames()->start();
    else
        app->start();
    int rc = 1;
    std::exception_ptr error;
    try {
        rc = co_await drive(app, mode, quit);
    } catch (...) {
        error = std::current_exception();
    }
    // Whatever happened: cancel every task, wait for them, close the servers.
    std::printf("shutting down: cancelling tasks, closing servers\n");
    std::fflush(stdout);
    co_await app->stop();
    if (error)
        std::rethrow_exception(error);
    std::printf("clean exit\n");
    co_return rc;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    app.setQuitOnLastWindowClosed(false); // the loop decides when to exit
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("qaio flagship demo"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("demo"), QStringLiteral("Drive the window for <seconds>, print, exit."),
                      QStringLiteral("seconds")});
    parser.addOption({QStringLiteral("measure"),
                      QStringLiteral("Run every workload for <seconds> and print frame lateness."),
                      QStringLiteral("seconds")});
    parser.addOption({QStringLiteral("baseline"),
                      QStringLiteral("With --measure: the window alone, no workloads (for comparison).")});
    parser.addOption({QStringLiteral("without"),
                      QStringLiteral("Workloads not to run, comma-separated: chat,process,primes,search."),
                      QStringLiteral("list")});
    parser.addOption({QStringLiteral("screenshot"), QStringLiteral("Save the window to <png> at the end."),
                      QStringLiteral("png")});
    parser.process(app);
    Mode mode;
    mode.demo = parser.value(QStringLiteral("demo")).toDouble();
    mode.measure = parser.value(QStringLiteral("measure")).toDouble();
    mode.screenshot = parser.value(QStringLiteral("screenshot"));
    mode.baseline = parser.isSet(QStringLiteral("baseline"));
    if (mode.demo < 0 || mode.measure < 0) {
        std::fprintf(stderr, "qaio-flagship: seconds must be positive\n");
        return 2;
    }

    flagship::Options options;
    options.without = parser.value(QStringLiteral("without")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    qaio::Loop loop;
    flagship::Flagship demo(loop, options);
    if (!demo.load())
        return 1;
    std::printf("qaio-flagship on the \"%s\" platform\n", qPrintable(QGuiApplication::platformName()));
    std::fflush(stdout);
    auto quit = loop.createFuture<int>();
    installSignalHandlers(loop, quit);
    QObject::connect(&app, &QGuiApplication::lastWindowClosed, &app, [quit]() mutable {
        if (!quit.done())
            quit.setResult(0);
    });
    int rc = 1;
    try {
        rc = loop.runUntilComplete(runDemo(&demo, mode, quit));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "qaio-flagship: %s\n", e.what());
    }
    loop.removeSignalHandler(SIGINT);
    loop.removeSignalHandler(SIGTERM);
    return rc;
}
