// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// queues.cpp — the non-template part of the queues.
#include <qaio/queues.h>

namespace qaio::detail {

void wakeUpNext(std::deque<Future<void>> &waiters)
{
    while (!waiters.empty()) {
        Future<void> waiter = waiters.front();
        waiters.pop_front();
        if (!waiter.done()) {
            waiter.setResult();
            break;
        }
    }
}

} // namespace qaio::detail
