// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// demotestutil.h — helpers for the demo tests: wait for a condition while the
// loop (and so Qt's events) runs.
#pragma once

#include <qaio/qaio.h>

#include <functional>

namespace demotest {

// Polls `condition` every 10 ms for up to `seconds`; true once it holds.
inline qaio::Coro<bool> waitUntil(std::function<bool()> condition, double seconds = 5.0)
{
    qaio::Loop &loop = qaio::getRunningLoop();
    const double end = loop.time() + seconds;
    while (!condition()) {
        if (loop.time() > end)
            co_return false;
        co_await qaio::sleep(0.01);
    }
    co_return true;
}

} // namespace demotest
