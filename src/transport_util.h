// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// transport_util.h — private: what the library's transports share.
#pragma once

#include "loop_ref.h"

#include <qaio/connection.h>
#include <qaio/coro.h>
#include <qaio/future.h>
#include <qaio/transports.h>
#include <qaio/protocols.h>

#include <memory>
#include <optional>
#include <utility>

namespace qaio::detail {

// factory(), checked as asyncio checks it: ValueError for an empty factory,
// TypeError when it returns no protocol (connection.cpp).
std::shared_ptr<BaseProtocol> makeProtocol(const ProtocolFactory &factory);

// Waits for `waiter` (the protocol's connectionMade() has run, or the TLS
// handshake is done); closes `transport` if that fails or is cancelled.
Coro<void> awaitConnectionMade(Future<void> waiter, std::shared_ptr<BaseTransport> transport);

// asyncio's _FlowControlMixin: a write buffer's water marks, and the
// protocol's pauseWriting()/resumeWriting() when the buffer crosses them.
class WriteFlowControl
{
public:
    // `defaultHigh`: the high-water mark when none is given (TLS has its own).
    explicit WriteFlowControl(qsizetype defaultHigh = 64 * 1024)
        : m_defaultHigh(defaultHigh), m_high(defaultHigh), m_low(defaultHigh / 4)
    {
    }

    // asyncio's _set_write_buffer_limits: high defaults to 4 x low (or to
    // `defaultHigh`), low to high / 4; ValueError unless high >= low >= 0.
    static std::pair<qsizetype, qsizetype> limits(std::optional<qsizetype> high, std::optional<qsizetype> low,
                                                  qsizetype defaultHigh = 64 * 1024)
    {
        const qsizetype h = high ? *high : (low ? 4 * *low : defaultHigh);
        const qsizetype l = low ? *low : h / 4;
        if (!(h >= l && l >= 0))
            throw ValueError(QStringLiteral("high (%1) must be >= low (%2) must be >= 0").arg(h).arg(l));
        return {h, l};
    }
    void setLimits(std::optional<qsizetype> high, std::optional<qsizetype> low)
    {
        std::tie(m_high, m_low) = limits(high, low, m_defaultHigh);
    }
    // (low, high), as getWriteBufferLimits() returns them.
    std::pair<qsizetype, qsizetype> get() const { return {m_low, m_high}; }

    // pauseWriting() once the buffer holds more than the high-water mark...
    void maybePause(qsizetype bufferSize, BaseProtocol *protocol, const LoopRef &loop)
    {
        if (bufferSize <= m_high || m_paused)
            return;
        m_paused = true;
        call(protocol, &BaseProtocol::pauseWriting, "protocol.pauseWriting() failed", loop);
    }
    // ... and resumeWriting() once it is down to the low-water mark.
    void maybeResume(qsizetype bufferSize, BaseProtocol *protocol, const LoopRef &loop)
    {
        if (!m_paused || bufferSize > m_low)
            return;
        m_paused = false;
        call(protocol, &BaseProtocol::resumeWriting, "protocol.resumeWriting() failed", loop);
    }

    // Either, as the buffer size now asks.
    void control(qsizetype bufferSize, BaseProtocol *protocol, const LoopRef &loop)
    {
        maybePause(bufferSize, protocol, loop);
        maybeResume(bufferSize, protocol, loop);
    }

private:
    // A protocol's exception goes to the loop's handler, not to the writer.
    static void call(BaseProtocol *protocol, void (BaseProtocol::*hook)(), const char *failure, const LoopRef &loop)
    {
        try {
            if (protocol)
                (protocol->*hook)();
        } catch (...) {
            ExceptionContext context;
            context.message = QString::fromLatin1(failure);
            context.exception = std::current_exception();
            loop.callExceptionHandler(context);
        }
    }

    qsizetype m_defaultHigh;
    qsizetype m_high;
    qsizetype m_low;
    bool m_paused = false;
};

} // namespace qaio::detail
