// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio-widgets-demo — a Widgets window on one qaio loop (see demowindow.h).
//
//     qaio-widgets-demo          # click the buttons; close the window to quit
//     qaio-widgets-demo --demo   # opens both dialogs by itself, prints, exits
#include "demowindow.h"

#include <QtWidgets/QApplication>
#include <QtWidgets/QDialog>
#include <QtWidgets/QLabel>

#include <cstdio>

namespace {

qaio::Coro<int> demo(widgetsdemo::DemoWindow *window)
{
    co_await qaio::sleep(0.2);
    // A timer task closes the blocking dialog after 0.5 s: the task in
    // exec() cannot, but every other task runs meanwhile.
    qaio::Task<int> blocking = window->openBlocking();
    co_await qaio::sleep(0.05);
    const int ticksAtOpen = window->ticks();
    auto closer = [](widgetsdemo::DemoWindow *w) -> qaio::Coro<int> {
        co_await qaio::sleep(0.5);
        const int ticks = w->ticks();
        if (w->dialog())
            w->dialog()->accept();
        co_return ticks;
    };
    qaio::Task<int> closing = qaio::createTask(closer(window));
    const int execResult = co_await blocking;
    const int ticksAtClose = co_await closing;
    std::printf("blocking dialog: exec() returned %d; the clock ticked %d times while it was open\n", execResult,
                ticksAtClose - ticksAtOpen);
    qaio::Task<int> modal = window->openWindowModal();
    co_await qaio::sleep(0.3);
    if (window->dialog())
        window->dialog()->reject();
    const int modalResult = co_await modal;
    std::printf("window-modal dialog: %s\n", qPrintable(window->status()->text()));
    Q_UNUSED(modalResult);
    co_return ticksAtClose > ticksAtOpen ? 0 : 1;
}

qaio::Coro<int> interactive(qaio::Future<int> quit)
{
    co_return co_await quit;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    app.setQuitOnLastWindowClosed(false);
    const bool demoMode = app.arguments().contains(QStringLiteral("--demo"));
    qaio::Loop loop;
    widgetsdemo::DemoWindow window(loop);
    window.show();
    window.start();
    auto quit = loop.createFuture<int>();
    QObject::connect(&app, &QApplication::lastWindowClosed, &app, [quit]() mutable {
        if (!quit.done())
            quit.setResult(0);
    });
    auto body = [&]() -> qaio::Coro<int> {
        int rc = 0;
        if (demoMode)
            rc = co_await demo(&window);
        else
            rc = co_await interactive(quit);
        co_await window.stop();
        co_return rc;
    };
    return loop.runUntilComplete(body());
}
