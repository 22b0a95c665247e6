// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// taskset.h — the tasks one service started, so that shutdown can cancel
// them and wait until every one has finished (asyncio: keep the tasks in a
// set, cancel them, then `await asyncio.wait(tasks)`).
#pragma once

#include <qaio/qaio.h>

#include <vector>

namespace flagship {

class TaskSet
{
public:
    template<class T>
    qaio::Task<T> add(qaio::Task<T> task)
    {
        std::erase_if(m_tasks, [](const qaio::TaskBase &t) { return t.done(); });
        m_tasks.push_back(qaio::TaskBase(task));
        return task;
    }
    // The running task itself (e.g. a server's client handler, which
    // startServer wraps in a task we did not create).
    void addCurrent()
    {
        std::erase_if(m_tasks, [](const qaio::TaskBase &t) { return t.done(); });
        if (qaio::TaskBase current = qaio::currentTask(); current.isValid())
            m_tasks.push_back(current);
    }
    std::size_t pending() const
    {
        return std::count_if(m_tasks.begin(), m_tasks.end(), [](const qaio::TaskBase &t) { return !t.done(); });
    }
    // Cancels every pending task and waits until all of them are done.
    static qaio::Coro<void> cancelAndWait(std::vector<qaio::TaskBase> tasks)
    {
        std::erase_if(tasks, [](const qaio::TaskBase &t) { return t.done(); });
        if (tasks.empty())
            co_return;
        for (auto &t : tasks)
            t.cancel(QStringLiteral("shutting down"));
        co_await qaio::wait(std::move(tasks));
    }
    qaio::Coro<void> cancelAndWait() { return cancelAndWait(std::exchange(m_tasks, {})); }

private:
    std::vector<qaio::TaskBase> m_tasks;
};

} // namespace flagship
