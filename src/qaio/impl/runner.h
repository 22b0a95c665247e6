// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/runner.h — the machinery behind qaio/runner.h; not part of the API.
//
// Included by qaio/runner.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

namespace detail {
// Runner::run's Ctrl+C handling (asyncio.Runner._on_sigint; unix_signals.cpp).
// In the main thread, while SIGINT has its default disposition, the first
// SIGINT cancels the main task and the second kills the process at once.
class QAIO_EXPORT SigintGuard
{
public:
    SigintGuard(Loop &loop, const TaskBase &mainTask);
    ~SigintGuard();
    SigintGuard(const SigintGuard &) = delete;
    SigintGuard &operator=(const SigintGuard &) = delete;
    // The main task ended cancelled: KeyboardInterrupt if SIGINT did it and
    // the task did not swallow the cancellation (asyncio: uncancel() == 0).
    void raiseIfInterrupted();

private:
    struct Private;
    std::unique_ptr<Private> d;
};
} // namespace detail

} // namespace qaio
