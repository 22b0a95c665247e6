// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// streams_p.h — private: the state behind StreamReader and asyncio's
// StreamReaderProtocol, which the stream functions and subprocess pipes use.
#pragma once

#include <qaio/future.h>
#include <qaio/protocols.h>
#include <qaio/streams.h>
#include <qaio/transports.h>

#include <QtCore/qbytearray.h>

#include <exception>
#include <memory>
#include <optional>
#include <vector>

namespace qaio {

namespace detail {

struct StreamReaderState
{
    Loop *loop = nullptr;
    qsizetype limit = kDefaultStreamLimit;
    QByteArray buffer;
    bool eof = false;
    bool paused = false;
    std::exception_ptr error;
    Future<void> waiter;
    std::shared_ptr<ReadTransport> transport;

    void wakeUpWaiter();
    void maybeResumeTransport();
    Coro<void> waitForData(const char *function);
};

// asyncio's StreamReaderProtocol (with FlowControlMixin): feeds a StreamReader
// and lets StreamWriter::drain() wait for the transport's write buffer.
class QAIO_EXPORT StreamReaderProtocol : public Protocol, public std::enable_shared_from_this<StreamReaderProtocol>
{
public:
    StreamReaderProtocol(Loop &loop, std::optional<StreamReader> reader, ClientConnected clientConnected = {});

    void connectionMade(BaseTransport *transport) override;
    void connectionLost(std::exception_ptr error) override;
    void dataReceived(const QByteArray &data) override;
    bool eofReceived() override;
    void pauseWriting() override;
    void resumeWriting() override;

    Coro<void> drainHelper();
    Future<void> closed() const { return m_closed; }
    // The transport the loop made for us; set by the stream functions.
    void attach(std::shared_ptr<Transport> transport) { m_transport = std::move(transport); }
    // A server's stream (made by startServer) rather than a client's.
    bool serverSide() const { return bool(m_clientConnected); }

private:
    Loop *m_loop;
    std::optional<StreamReader> m_reader;
    ClientConnected m_clientConnected;
    std::shared_ptr<Transport> m_transport;
    Future<void> m_closed;
    std::vector<Future<void>> m_drainWaiters;
    bool m_paused = false;
    bool m_connectionLost = false;
};

} // namespace detail

} // namespace qaio
