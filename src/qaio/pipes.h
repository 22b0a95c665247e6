// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/pipes.h — connectReadPipe / connectWritePipe: protocols on pipes,
/// FIFOs, character devices (ttys) and sockets, as asyncio's
/// loop.connect_read_pipe / connect_write_pipe (unix_events' pipe transports).
///
///     int fds[2];
///     ::pipe2(fds, O_CLOEXEC);
///     auto [reader, rp] = co_await qaio::connectReadPipe(loop, [] { return std::make_shared<Lines>(); }, fds[0]);
///     auto [writer, wp] = co_await qaio::connectWritePipe(loop, [] { return std::make_shared<qaio::BaseProtocol>(); }, fds[1]);
///     writer->write("hello\n");
///     writer->close(); // the reader gets eofReceived() and connectionLost(nullptr)
///
/// The transport takes ownership of the fd (closes it after connectionLost()),
/// as asyncio's transports own the pipe object. The fd is switched to
/// non-blocking mode. A regular file is ValueError (it cannot be watched).
#pragma once

#include <qaio/connection.h>
#include <qaio/protocols.h>
#include <qaio/task.h>
#include <qaio/transports.h>

#include <memory>
#include <utility>

namespace qaio {

/// A read pipe's transport and protocol, as connectReadPipe() returns them.
using ReadPipeTransportAndProtocol = std::pair<std::shared_ptr<ReadTransport>, std::shared_ptr<BaseProtocol>>;
/// A write pipe's transport and protocol, as connectWritePipe() returns them.
using WritePipeTransportAndProtocol = std::pair<std::shared_ptr<WriteTransport>, std::shared_ptr<BaseProtocol>>;

/// Reads `fd` into a Protocol: dataReceived() per read; when the writer side
/// closes, eofReceived() and then connectionLost(nullptr). extra info: "pipe" (the fd).
QAIO_EXPORT Coro<ReadPipeTransportAndProtocol> connectReadPipe(Loop &loop, ProtocolFactory factory, int fd);
/// Writes to `fd`: write() never blocks, with pauseWriting()/resumeWriting()
/// flow control; close()/writeEof() close the fd once the buffer is written.
/// The reader going away ends the transport with connectionLost(nullptr), or
/// with BrokenPipe (std::errc::broken_pipe) if data was still queued.
QAIO_EXPORT Coro<WritePipeTransportAndProtocol> connectWritePipe(Loop &loop, ProtocolFactory factory, int fd);

} // namespace qaio
