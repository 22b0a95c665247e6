// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// signals_child — programs that tst_signals_runner starts as real processes
// and signals. Every line goes straight to stdout (unbuffered).
//
//   signals_child runner          qaio::runMain; Ctrl+C must give 130 after cleanup
//   signals_child stubborn        the main task's cleanup hangs: a second Ctrl+C kills
//   signals_child quit            app.exec() with tasks pending; a QTimer quits
//   signals_child quit-from-task  a task calls QCoreApplication::exit(0) itself
#include <qaio/qaio.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace {

void say(const char *line)
{
    std::printf("%s\n", line);
}

struct SaysOnDestruction
{
    const char *line;
    ~SaysOnDestruction() { say(line); }
};

qaio::Coro<void> background()
{
    SaysOnDestruction guard{"background destructor"};
    try {
        co_await qaio::sleep(30);
    } catch (const qaio::CancelledError &) {
        say("background cancelled");
        throw;
    }
}

qaio::Coro<int> runnerMain()
{
    auto bg = qaio::createTask(background());
    SaysOnDestruction guard{"main destructor"};
    say("ready");
    try {
        co_await qaio::sleep(30);
    } catch (const qaio::CancelledError &) {
        say("main cancelled");
        throw;
    }
    co_return 0;
}

qaio::Coro<int> stubbornMain()
{
    bool cancelled = false;
    say("ready");
    try {
        co_await qaio::sleep(30);
    } catch (const qaio::CancelledError &) {
        cancelled = true;
    }
    if (cancelled) {
        say("cleanup started");
        co_await qaio::sleep(30); // a cleanup that takes too long
        say("cleanup finished");
    }
    co_return 0;
}

qaio::Coro<void> sleeper(const char *name)
{
    try {
        co_await qaio::sleep(30);
    } catch (const qaio::CancelledError &) {
        std::printf("%s cancelled\n", name);
        throw;
    }
}

qaio::Coro<void> quitter()
{
    co_await qaio::sleep(0.05);
    say("quitting");
    QCoreApplication::exit(0); // emits aboutToQuit at once, inside this task's step
    try {
        co_await qaio::sleep(30);
    } catch (const qaio::CancelledError &) {
        say("quitter cancelled");
        throw;
    }
}

int runQuit(bool fromTask)
{
    qaio::Loop &loop = qaio::getEventLoop();
    int errors = 0;
    loop.setExceptionHandler([&](qaio::Loop &l, const qaio::ExceptionContext &context) {
        ++errors;
        l.defaultExceptionHandler(context);
    });
    auto a = loop.createTask(sleeper("task a"));
    auto b = loop.createTask(sleeper("task b"));
    qaio::Task<void> q;
    if (fromTask)
        q = loop.createTask(quitter());
    else
        QTimer::singleShot(50, QCoreApplication::instance(), [] {
            say("quitting");
            QCoreApplication::quit();
        });
    const int status = QCoreApplication::exec();
    std::printf("exec returned %d; a %s, b %s\n", status, a.cancelled() ? "cancelled" : "not cancelled",
                b.cancelled() ? "cancelled" : "not cancelled");
    loop.close();
    if (fromTask)
        std::printf("quitter task: %s\n", q.cancelled() ? "cancelled" : "not cancelled");
    std::printf("errors %d\n", errors);
    return status;
}

} // namespace

int main(int argc, char **argv)
{
    std::setvbuf(stdout, nullptr, _IONBF, 0);
    // A child started with SIGINT ignored (a background job of a shell
    // without job control) would keep ignoring it; the tests want Ctrl+C.
    std::signal(SIGINT, SIG_DFL);
    QCoreApplication app(argc, argv);
    const char *mode = argc > 1 ? argv[1] : "";
    if (std::strcmp(mode, "runner") == 0) {
        const int status = qaio::runMain(runnerMain());
        std::printf("exit status %d\n", status);
        return status;
    }
    if (std::strcmp(mode, "stubborn") == 0)
        return qaio::runMain(stubbornMain());
    if (std::strcmp(mode, "quit") == 0)
        return runQuit(false);
    if (std::strcmp(mode, "quit-from-task") == 0)
        return runQuit(true);
    std::fprintf(stderr, "usage: signals_child runner|stubborn|quit|quit-from-task\n");
    return 2;
}
