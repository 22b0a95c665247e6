// transport_util.h — private: what the library's transports share.
#pragma once

#include "loop_p.h"

#include <qaio/connection.h>
#include <qaio/protocols.h>

#include <memory>
#include <optional>
#include <utility>

namespace qaio::detail {

// factory(), checked as asyncio checks it: ValueError for an empty factory,
// TypeError when it returns no protocol (connection.cpp).
std::shared_ptr<BaseProtocol> makeProtocol(const ProtocolFactory &factory);

// asyncio's _FlowControlMixin: a write buffer's water marks, and the
// protocol's pauseWriting()/resumeWriting() when the buffer crosses them.
class WriteFlowControl
{
public:
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
        std::tie(m_high, m_low) = limits(high, low);
    }
    // (low, high), as getWriteBufferLimits() returns them.
    std::pair<qsizetype, qsizetype> get() const { return {m_low, m_high}; }

    // pauseWriting() once the buffer holds more than the high-water mark...
    void maybePause(qsizetype bufferSize, BaseProtocol *protocol, LoopImpl &loop)
    {
        if (bufferSize <= m_high || m_paused)
            return;
        m_paused = true;
        call(protocol, &BaseProtocol::pauseWriting, "protocol.pauseWriting() failed", loop);
    }
    // ... and resumeWriting() once it is down to the low-water mark.
    void maybeResume(qsizetype bufferSize, BaseProtocol *protocol, LoopImpl &loop)
    {
        if (!m_paused || bufferSize > m_low)
            return;
        m_paused = false;
        call(protocol, &BaseProtocol::resumeWriting, "protocol.resumeWriting() failed", loop);
    }

private:
    // A protocol's exception goes to the loop's handler, not to the writer.
    static void call(BaseProtocol *protocol, void (BaseProtocol::*hook)(), const char *failure, LoopImpl &loop)
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

    qsizetype m_high = 64 * 1024;
    qsizetype m_low = 16 * 1024;
    bool m_paused = false;
};

} // namespace qaio::detail
