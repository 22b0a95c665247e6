// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// runner.cpp — Runner: lazy loop creation and the shutdown sequence of asyncio.Runner.
#include "loop_p.h"

#include <qaio/executor.h>
#include <qaio/policy.h>
#include <qaio/runner.h>

#include <QtCore/qcoreapplication.h>

namespace qaio {

struct Runner::Private
{
    enum class Phase { Created, Initialized, Closed };
    RunnerOptions options;
    std::unique_ptr<QCoreApplication> app; // only if the program had none
    std::unique_ptr<Loop> loop;
    Phase phase = Phase::Created;
    bool setAsEventLoop = false;
};

namespace {
// asyncio.runners._cancel_all_tasks: cancel, wait, report what failed meanwhile.
void cancelAllTasks(Loop &loop)
{
    const QList<TaskBase> tasks = allTasks(loop);
    if (tasks.isEmpty())
        return;
    auto allDone = loop.createFuture<void>();
    auto remaining = std::make_shared<qsizetype>(tasks.size());
    for (TaskBase task : tasks) {
        task.cancel();
        task.addDoneCallback([allDone, remaining](const FutureBase &) mutable {
            if (--*remaining == 0 && !allDone.done())
                allDone.setResult();
        });
    }
    loop.runUntilComplete(allDone);
    for (const TaskBase &task : tasks) {
        if (task.cancelled() || !task.done())
            continue;
        if (auto error = task.exception()) {
            ExceptionContext context;
            context.message = QStringLiteral("unhandled exception during run() shutdown");
            context.exception = error;
            context.future = task;
            loop.callExceptionHandler(context);
        }
    }
}

int g_argc = 1;
char g_arg0[] = "qaio";
char *g_argv[] = {g_arg0, nullptr};
} // namespace

Runner::Runner(RunnerOptions options) : d(std::make_unique<Private>())
{
    d->options = std::move(options);
}

Runner::~Runner()
{
    close();
}

void Runner::checkCanRun() const
{
    if (runningLoopOrNull())
        throw RuntimeError("Runner::run() cannot be called from a running event loop");
}

Loop &Runner::getLoop()
{
    if (d->phase == Private::Phase::Closed)
        throw RuntimeError("Runner is closed");
    if (d->phase == Private::Phase::Initialized)
        return *d->loop;
    if (!QCoreApplication::instance())
        d->app = std::make_unique<QCoreApplication>(g_argc, g_argv);
    if (d->options.loopFactory) {
        d->loop = d->options.loopFactory();
        if (!d->loop)
            throw RuntimeError("Runner: the loop factory returned no loop");
    } else {
        d->loop = newEventLoop();
        setEventLoop(d->loop.get());
        d->setAsEventLoop = true;
    }
    if (d->options.debug)
        d->loop->setDebug(*d->options.debug);
    d->phase = Private::Phase::Initialized;
    return *d->loop;
}

void Runner::close()
{
    if (d->phase != Private::Phase::Initialized)
        return;
    struct Finally
    {
        Private *d;
        ~Finally()
        {
            if (d->setAsEventLoop)
                setEventLoop(nullptr);
            d->loop->close();
            d->loop.reset();
            d->app.reset();
            d->phase = Private::Phase::Closed;
        }
    } finally{d.get()};
    cancelAllTasks(*d->loop);
    // asyncio.Runner.close: shutdown_default_executor(THREAD_JOIN_TIMEOUT), so
    // that toThread() jobs finish before the program goes on. Only if the loop
    // made its executor; an error here is reported, not thrown from ~Runner.
    if (d->loop->impl()->ownExecutor && !d->loop->impl()->ownExecutor->isShutdown()) {
        try {
            d->loop->runUntilComplete(shutdownDefaultExecutor(*d->loop, 300.0));
        } catch (...) {
            ExceptionContext context;
            context.message = QStringLiteral("shutting the default executor down in Runner::close() failed");
            context.exception = std::current_exception();
            d->loop->callExceptionHandler(context);
        }
    }
}

} // namespace qaio
