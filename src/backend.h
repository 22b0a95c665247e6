// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// backend.h — how a Loop waits: the internal interface behind LoopBackend.
//
// A backend watches file descriptors and one deadline for its loop, and calls
// LoopImpl::runOnce() from the thread's Qt event dispatcher whenever there is
// something to do. It never blocks: Qt's dispatcher does the waiting.
#pragma once

#include <memory>
#include <vector>

namespace qaio::detail {

class LoopImpl;

class Backend
{
public:
    static constexpr unsigned Read = 1;
    static constexpr unsigned Write = 2;
    struct Event
    {
        int fd;
        unsigned events; // Read | Write (errors and hang-ups count as both)
    };

    virtual ~Backend() = default;

    // Changes what `fd` is watched for, from `before` to `after` (0 = not watched).
    // Throws std::system_error if the OS refuses (EBADF, EPERM for regular files).
    virtual void modify(int fd, unsigned before, unsigned after) = 0;
    // Appends the descriptors that are ready now, without waiting.
    virtual void poll(std::vector<Event> &out) = 0;
    // Makes the dispatcher call runOnce() again soon (there are ready callbacks).
    virtual void requestIteration() = 0;
    // Withdraws requestIteration() and any pending cross-thread wake-up.
    virtual void cancelIterationRequest() = 0;
    // From any thread: have runOnce() called as soon as possible.
    virtual void wakeUpThreadsafe() = 0;
    // Have runOnce() called once time() reaches `when`; +infinity for never.
    virtual void setDeadline(double when) = 0;
    virtual const char *name() const = 0;
    // How many Qt timers the backend holds now (a test hook: never more than one).
    virtual int qtTimerCount() const = 0;
};

std::unique_ptr<Backend> makeEpollBackend(LoopImpl &loop); // nullptr where epoll is missing
std::unique_ptr<Backend> makeQtBackend(LoopImpl &loop);

} // namespace qaio::detail
