// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/streams.h — asyncio's streams: StreamReader, StreamWriter,
/// openConnection and startServer.
///
///     auto [reader, writer] = co_await qaio::openConnection(QStringLiteral("127.0.0.1"), 8888);
///     writer.write("hello\n");
///     co_await writer.drain();
///     QByteArray line = co_await reader.readline();
///     writer.close();
///     co_await writer.waitClosed();
///
/// StreamReader and StreamWriter are handles: copies share one stream.
#pragma once

#include <qaio/connection.h>
#include <qaio/server.h>
#include <qaio/ssl.h>
#include <qaio/task.h>
#include <qaio/transports.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace qaio {

inline constexpr qsizetype kDefaultStreamLimit = 64 * 1024; ///< asyncio's _DEFAULT_LIMIT

namespace detail {
struct StreamReaderState;
class StreamReaderProtocol;
} // namespace detail

/// The reading half of a stream connection (asyncio.StreamReader): awaitable reads.
class QAIO_EXPORT StreamReader
{
public:
    /// ValueError if limit <= 0. Must be created while a loop runs (or be given one).
    explicit StreamReader(qsizetype limit = kDefaultStreamLimit);
    /// A reader on `loop`, buffering at most about `limit` bytes.
    StreamReader(Loop &loop, qsizetype limit);

    /// Up to n bytes (n < 0: everything until EOF); empty at EOF.
    Coro<QByteArray> read(qsizetype n = -1);
    /// One line including its "\n" (the rest of the data at EOF, possibly empty).
    /// ValueError when no line end is found within the limit (the data is dropped).
    Coro<QByteArray> readline();
    /// Exactly n bytes; IncompleteReadError (with the partial data) at an early EOF.
    Coro<QByteArray> readexactly(qsizetype n);
    /// Data up to and including `separator`; IncompleteReadError at EOF,
    /// LimitOverrunError if the limit is reached first (the data stays buffered).
    Coro<QByteArray> readuntil(QByteArray separator = QByteArrayLiteral("\n"));
    /// The same with several separators (Python 3.13): the earliest match wins.
    Coro<QByteArray> readuntil(QList<QByteArray> separators);
    /// Line by line (asyncio's `async for line in reader`): nullopt at EOF.
    Coro<std::optional<QByteArray>> nextLine();

    /// True once the stream ended and its buffer is empty.
    bool atEof() const;
    /// The buffer limit in bytes.
    qsizetype limit() const;
    /// The exception set with setException (null if none).
    std::exception_ptr exception() const;

    /// What a protocol calls (asyncio's feed_data & co).
    void feedData(const QByteArray &data);
    /// Marks the end of the stream.
    void feedEof();
    /// Fails pending and later reads with `error`.
    void setException(std::exception_ptr error);
    /// The transport it pauses and resumes as the buffer fills and empties.
    void setTransport(std::shared_ptr<ReadTransport> transport);

    /// Internal: the shared state.
    const std::shared_ptr<detail::StreamReaderState> &state() const { return d; }

private:
    std::shared_ptr<detail::StreamReaderState> d;
};

/// The writing half of a stream connection (asyncio.StreamWriter).
class QAIO_EXPORT StreamWriter
{
public:
    /// Internal: openConnection() and startServer() create writers.
    StreamWriter(std::shared_ptr<Transport> transport, std::shared_ptr<detail::StreamReaderProtocol> protocol,
                 std::optional<StreamReader> reader);

    /// Queues `data` for sending (await drain() to respect flow control).
    void write(const QByteArray &data);
    /// Queues each of `data` in order.
    void writelines(const QList<QByteArray> &data);
    /// Ends the sending direction after the queued data (half-close).
    void writeEof();
    /// True if the transport supports writeEof().
    bool canWriteEof() const;
    /// Closes the transport after the queued data is sent.
    void close();
    /// True once close() was called or the connection was lost.
    bool isClosing() const;
    /// Waits until the transport's buffer is below its low-water mark; raises
    /// the connection's error (ConnectionResetError-like std::system_error) if it is gone.
    Coro<void> drain();
    /// Waits until the connection is closed (connectionLost has run).
    Coro<void> waitClosed();
    /// The transport's extra info `name` ("peername", "sockname", "sslcontext", ...), or `defaultValue`.
    QVariant getExtraInfo(const QString &name, const QVariant &defaultValue = {}) const;
    /// asyncio's StreamWriter.start_tls: drains, then upgrades the connection to
    /// TLS (STARTTLS); reader and writer (and their copies) go on in plaintext
    /// over the TLS transport. The side is the stream's own (startServer's
    /// streams are the server side); options.serverSide is ignored.
    Coro<void> startTls(QSslConfiguration sslConfig, StartTlsOptions options = {});
    /// The underlying transport.
    const std::shared_ptr<Transport> &transport() const { return *m_transport; }

private:
    // Shared by the copies of this writer, so that startTls() switches them all.
    std::shared_ptr<std::shared_ptr<Transport>> m_transport;
    std::shared_ptr<detail::StreamReaderProtocol> m_protocol;
    std::optional<StreamReader> m_reader;
};

/// A connection's reader and writer, as openConnection() returns them.
using StreamPair = std::pair<StreamReader, StreamWriter>;
/// What startServer calls for each client; runs as a task.
using ClientConnected = std::function<Coro<void>(StreamReader, StreamWriter)>;

/// Connects to host:port over TCP (optionally TLS) and returns a reader and writer (asyncio.open_connection).
QAIO_EXPORT Coro<StreamPair> openConnection(QString host, int port, qsizetype limit = kDefaultStreamLimit,
                                            ConnectionOptions options = {});
/// Connects to a Unix-domain socket at `path` (asyncio.open_unix_connection).
QAIO_EXPORT Coro<StreamPair> openUnixConnection(QString path, qsizetype limit = kDefaultStreamLimit);
/// Listens on host:port and runs `clientConnected` as a task for each client (asyncio.start_server).
QAIO_EXPORT Coro<std::shared_ptr<Server>> startServer(ClientConnected clientConnected, QString host, int port,
                                                      qsizetype limit = kDefaultStreamLimit,
                                                      ServerOptions options = {});
/// Listens on a Unix-domain socket at `path` (asyncio.start_unix_server).
QAIO_EXPORT Coro<std::shared_ptr<Server>> startUnixServer(ClientConnected clientConnected, QString path,
                                                          qsizetype limit = kDefaultStreamLimit,
                                                          ServerOptions options = {});

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
