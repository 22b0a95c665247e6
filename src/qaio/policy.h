// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/policy.h — the event loop policy: which loop is "current" in each thread.
///
/// As asyncio's policy functions: getEventLoop() returns the running loop, else
/// the loop set for this thread with setEventLoop(), else (in the main thread
/// only, and only if setEventLoop was never called there) a loop it creates
/// and owns. newEventLoop() makes a loop the caller owns.
#pragma once

#include <qaio/global.h>
#include <qaio/loop.h>

#include <memory>

namespace qaio {

/// Creates and tracks each thread's loop (asyncio's event loop policy).
class QAIO_EXPORT EventLoopPolicy
{
public:
    virtual ~EventLoopPolicy();
    /// The running loop, else the thread's set loop, else (main thread) one it creates; else RuntimeError.
    virtual Loop &getEventLoop() = 0;
    /// nullptr unsets the thread's loop. The policy does not own a loop set here.
    virtual void setEventLoop(Loop *loop) = 0;
    /// A new loop (not set as current).
    virtual std::unique_ptr<Loop> newEventLoop() = 0;
};

/// asyncio's DefaultEventLoopPolicy.
class QAIO_EXPORT DefaultEventLoopPolicy : public EventLoopPolicy
{
public:
    DefaultEventLoopPolicy();
    ~DefaultEventLoopPolicy() override;
    /// The running loop, else the thread's set loop, else (main thread) one it creates; else RuntimeError.
    Loop &getEventLoop() override;
    void setEventLoop(Loop *loop) override;
    /// A new loop (not set as current).
    std::unique_ptr<Loop> newEventLoop() override;

    /// Called by ~Loop so that no thread keeps a dangling current loop.
    void forget(Loop *loop);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// The event loop policy (DefaultEventLoopPolicy unless setEventLoopPolicy was called).
QAIO_EXPORT EventLoopPolicy &getEventLoopPolicy();
/// nullptr restores a fresh DefaultEventLoopPolicy.
QAIO_EXPORT void setEventLoopPolicy(std::unique_ptr<EventLoopPolicy> policy);

/// The current thread's loop (asyncio.get_event_loop): the running one, else the one set, else (main thread) one it creates; else RuntimeError.
QAIO_EXPORT Loop &getEventLoop();
/// Sets the current thread's loop (nullptr: none); the caller keeps ownership.
QAIO_EXPORT void setEventLoop(Loop *loop);
/// A new loop from the policy (asyncio.new_event_loop).
QAIO_EXPORT std::unique_ptr<Loop> newEventLoop();

} // namespace qaio
