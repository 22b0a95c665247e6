// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// loop_ref.h — private: how a transport holds its event loop.
#pragma once

#include "loop_p.h"

#include <memory>

namespace qaio::detail {

// Keeps the loop's state alive (a transport may outlive its Loop), and hands
// out the Loop only while it is open: every next step of a transport goes
// through openLoop(), which throws once the loop is closed or gone.
class LoopRef
{
public:
    explicit LoopRef(Loop &loop) : m_impl(LoopAccess::shared(loop)) {}

    // The Loop, for a transport's next step; RuntimeError once it is closed or gone.
    Loop &openLoop() const
    {
        if (isClosed())
            throw RuntimeError("the transport's event loop is closed");
        return *m_impl->owner;
    }
    // The Loop, open or closed (asyncio's Server.get_loop()); RuntimeError once it is gone.
    Loop &loop() const
    {
        if (!m_impl->owner)
            throw RuntimeError("the event loop is gone");
        return *m_impl->owner;
    }
    bool isClosed() const { return !m_impl->owner || m_impl->isClosed(); }
    // Works on a closed loop too: errors met while tearing down are still reported.
    void callExceptionHandler(const ExceptionContext &context) const { m_impl->callExceptionHandler(context); }

private:
    std::shared_ptr<LoopImpl> m_impl;
};

} // namespace qaio::detail
