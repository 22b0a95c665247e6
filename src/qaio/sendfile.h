// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/sendfile.h — sendfile over a transport, as asyncio's loop.sendfile.
///
///     int fd = ::open("big.iso", O_RDONLY | O_CLOEXEC);
///     qint64 sent = co_await qaio::sendfile(loop, *transport, fd);
///
/// On a socket transport the kernel's sendfile(2) is used once the write
/// buffer has been flushed (reading is paused meanwhile); elsewhere, or where
/// sendfile(2) cannot be used (a pipe as the file, say), the file is read
/// and written through the transport with its flow control, unless
/// `fallback` is false (then SendfileNotAvailableError or RuntimeError, as
/// asyncio). Returns the bytes sent; the file position ends at offset + sent
/// (for a seekable file). Don't write() to the transport until it returns.
#pragma once

#include <qaio/loop.h>
#include <qaio/task.h>
#include <qaio/transports.h>

#include <optional>

namespace qaio {

/// `count` bytes (all up to the end when nullopt) of the open file `fileFd`
/// from `offset`. ValueError for a negative offset or a count <= 0;
/// RuntimeError for a closing transport or one that cannot send files.
QAIO_EXPORT Coro<qint64> sendfile(Loop &loop, WriteTransport &transport, int fileFd, qint64 offset = 0,
                                  std::optional<qint64> count = std::nullopt, bool fallback = true);

} // namespace qaio
