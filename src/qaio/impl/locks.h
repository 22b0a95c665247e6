// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/impl/locks.h — the machinery behind qaio/locks.h; not part of the API.
//
// Included by qaio/locks.h only, at the place it needs it. Do not include it
// yourself or use what it declares: it may change in any release.
#pragma once

namespace qaio {

namespace detail {
// asyncio's _LoopBoundMixin: binds to the running loop on first use.
class QAIO_EXPORT LoopBinding
{
public:
    Loop &get(const char *what);

private:
    Loop *m_loop = nullptr;
};

// Removes one future from a waiter queue (it may already be gone).
QAIO_EXPORT void eraseWaiter(std::deque<Future<void>> &waiters, const Future<void> &waiter);
} // namespace detail

} // namespace qaio
