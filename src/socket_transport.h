// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// socket_transport.h — the stream transport over a non-blocking socket
// (asyncio's _SelectorSocketTransport), on the loop's addReader/addWriter.
// Its loop, protocol, write queue, flow control and teardown are
// TransportBase's (transport_base.h); reading is its own.
#pragma once

#include "transport_base.h"

#include <qaio/future.h>
#include <qaio/loop.h>
#include <qaio/transports.h>

#include <functional>
#include <memory>

namespace qaio::detail {

class SocketTransport final : public Transport,
                              public TransportBase,
                              public std::enable_shared_from_this<SocketTransport>
{
public:
    // Takes the connected, non-blocking socket. Call start() right after.
    SocketTransport(Loop &loop, Socket sock, std::shared_ptr<BaseProtocol> protocol);
    ~SocketTransport() override;

    // Called once connectionLost() ran (a Server uses it to count its clients).
    std::function<void()> onDetached;

    // BaseTransport
    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }
    // ReadTransport
    bool isReading() const override { return !m_closing && !m_paused; }
    void pauseReading() override;
    void resumeReading() override;
    // WriteTransport
    void write(const QByteArray &data) override;
    void writelines(const QList<QByteArray> &data) override;
    void writeEof() override;
    bool canWriteEof() const override { return true; }
    void abort() override { forceClose(nullptr); }
    void setWriteBufferLimits(std::optional<qsizetype> high = std::nullopt,
                              std::optional<qsizetype> low = std::nullopt) override
    {
        setWriteLimits(high, low);
    }
    std::pair<qsizetype, qsizetype> getWriteBufferLimits() const override { return m_flow.get(); }
    qsizetype getWriteBufferSize() const override { return m_writeQueue.size(); }

private:
    void protocolChanged() override;
    void writeDrained() override;
    void releaseResources() override;
    void startReading() override;
    void readReady();
    void readIntoBuffer();
    // recv into `buffer`: the bytes read, or 0 when there were none (would
    // block), or the end of the stream or an error was handled.
    qsizetype receive(char *buffer, size_t size);
    void onEof();

    Socket m_sock;
    Protocol *m_streamProtocol = nullptr;           // m_protocol as a Protocol, if it is one
    BufferedProtocol *m_bufferedProtocol = nullptr; // or as a BufferedProtocol
    bool m_paused = false; // reading paused by pauseReading()
    bool m_eof = false;    // writeEof() called
};

} // namespace qaio::detail
