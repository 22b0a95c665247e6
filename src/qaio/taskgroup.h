// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/taskgroup.h — TaskGroup: structured concurrency, as asyncio.TaskGroup (3.11+).
///
/// asyncio's
///     async with asyncio.TaskGroup() as tg:
///         tg.create_task(a()); tg.create_task(b())
/// becomes
///     qaio::TaskGroup tg;
///     co_await tg.run([&]() -> qaio::Coro<> { tg.createTask(a()); tg.createTask(b()); co_return; }());
/// run() returns once every task of the group is done. The first task that
/// fails cancels the others and the body; all errors (the body's too) surface
/// together as one qaio::ExceptionGroup. A TaskGroup is a handle: copies share it.
#pragma once

#include <qaio/outcome.h>
#include <qaio/task.h>

#include <memory>

namespace qaio {

/// Runs tasks and waits for them all, cancelling the rest when one fails (asyncio.TaskGroup).
class QAIO_EXPORT TaskGroup
{
public:
    TaskGroup();

    /// A task that belongs to the group (only while run() is active).
    template<class T>
    Task<T> createTask(Coro<T> coro, const QString &name = {},
                       std::source_location where = std::source_location::current())
    {
        checkCanCreate();
        Task<T> task = qaio::createTask(loop(), std::move(coro), name, where);
        adopt(task);
        return task;
    }

    /// Runs `body` as the group's `async with` block, then waits for its tasks.
    /// Not a coroutine itself: the lazily started frame must not refer to *this.
    template<class T>
    Coro<T> run(Coro<T> body)
    {
        return runWith(*this, std::move(body));
    }

    /// asyncio's repr.
    QString toString() const;

private:
    template<class T>
    static Coro<T> runWith(TaskGroup self, Coro<T> body)
    {
        self.enter();
        Outcome<T> outcome = co_await detail::capture(std::move(body));
        co_await self.exit(outcome.exception()); // throws ExceptionGroup & co
        co_return outcome.take();
    }

    struct State;
    void enter();
    Coro<void> exit(std::exception_ptr error);
    void checkCanCreate() const;
    Loop &loop() const;
    void adopt(TaskBase task);
    std::shared_ptr<State> d;
};

} // namespace qaio
