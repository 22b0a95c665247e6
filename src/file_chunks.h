// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// file_chunks.h — private: reading a file for the sendfile fallbacks
// (sockSendfile in sockets.cpp, the transport sendfile in transport_sendfile.cpp).
#pragma once

#include <qaio/loop.h>
#include <qaio/task.h>

#include <QtCore/qbytearray.h>

namespace qaio::detail {

// Up to `size` bytes of `fd`: at `position` with pread for a regular file;
// for a pipe or other stream, from where it is, on the default executor,
// since such a read may block (asyncio's run_in_executor(None, file.readinto)).
// Empty at the end of the file.
Coro<QByteArray> readFileChunk(Loop &loop, int fd, bool regular, qint64 position, qsizetype size);

} // namespace qaio::detail
