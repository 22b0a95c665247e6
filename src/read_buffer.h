// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// read_buffer.h — private: the read buffers a thread's transports share.
//
// Every read is synchronous: recv/read into the buffer, then an exact-size
// copy (or, for TLS, the ciphertext into OpenSSL's memory BIO) before any
// protocol callback runs. So all the connections of a thread (a loop is one
// thread's) can share one buffer, even when a callback runs a nested loop
// iteration that reads another connection: 10,000 idle connections do not
// each keep 256 KiB mapped.
#pragma once

#include <QtCore/qglobal.h>

#include <memory>

namespace qaio::detail {

// asyncio's max_size: the most one read takes.
inline constexpr qsizetype kMaxReadSize = 256 * 1024;

enum class ReadBuffer {
    Transport, // what socket, datagram and pipe transports read into (and TLS's ciphertext)
    Plaintext, // what SSLProtocol decrypts into while the ciphertext is still in use
};

// This thread's buffer of kMaxReadSize bytes, allocated on first use.
inline char *threadReadBuffer(ReadBuffer which = ReadBuffer::Transport)
{
    thread_local std::unique_ptr<char[]> buffers[2];
    std::unique_ptr<char[]> &buffer = buffers[static_cast<int>(which)];
    if (!buffer)
        buffer.reset(new char[kMaxReadSize]);
    return buffer.get();
}

} // namespace qaio::detail
