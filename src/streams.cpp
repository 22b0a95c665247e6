// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// streams.cpp — asyncio/streams.py: StreamReader, StreamReaderProtocol,
// StreamWriter, openConnection and startServer.
#include <qaio/streams.h>

#include <algorithm>
#include <system_error>

namespace qaio {

namespace detail {

void StreamReaderState::wakeUpWaiter()
{
    if (waiter.isValid()) {
        Future<void> w = std::exchange(waiter, Future<void>());
        if (!w.done())
            w.setResult();
    }
}

void StreamReaderState::maybeResumeTransport()
{
    if (paused && buffer.size() <= limit) {
        paused = false;
        if (transport)
            transport->resumeReading();
    }
}

Coro<void> StreamReaderState::waitForData(const char *function)
{
    if (waiter.isValid())
        throw RuntimeError(QStringLiteral("%1() called while another coroutine is already waiting for incoming data")
                               .arg(QLatin1StringView(function)));
    // Waiting while paused would deadlock (readexactly(n) with n > limit).
    if (paused) {
        paused = false;
        if (transport)
            transport->resumeReading();
    }
    waiter = loop->createFuture<void>();
    Future<void> mine = waiter;
    struct Clear
    {
        StreamReaderState *self;
        Future<void> &mine;
        ~Clear()
        {
            if (self->waiter == mine)
                self->waiter = Future<void>();
        }
    } clear{this, mine};
    co_await mine;
}

} // namespace detail

// ---------------------------------------------------------------- StreamReader

namespace {
using State = std::shared_ptr<detail::StreamReaderState>;

Coro<QByteArray> readuntilImpl(State s, QList<QByteArray> separators)
{
    std::sort(separators.begin(), separators.end(),
              [](const QByteArray &a, const QByteArray &b) { return a.size() < b.size(); });
    if (separators.isEmpty())
        throw ValueError("readuntil(): the separator list is empty");
    const qsizetype minLength = separators.front().size();
    const qsizetype maxLength = separators.back().size();
    if (minLength == 0)
        throw ValueError("readuntil(): the separator must be at least one byte");
    if (s->error)
        std::rethrow_exception(s->error);
    qsizetype offset = 0;
    qsizetype matchStart = -1;
    qsizetype matchEnd = -1;
    for (;;) {
        const qsizetype length = s->buffer.size();
        if (length - offset >= minLength) {
            for (const QByteArray &separator : separators) {
                const qsizetype at = s->buffer.indexOf(separator, offset);
                if (at >= 0 && (matchEnd < 0 || at + separator.size() < matchEnd)) {
                    matchStart = at;
                    matchEnd = at + separator.size();
                }
            }
            if (matchEnd >= 0)
                break;
            // Resume the search where a separator could start in new data.
            offset = std::max<qsizetype>(0, length + 1 - maxLength);
            if (offset > s->limit)
                throw LimitOverrunError(QStringLiteral("Separator is not found, and chunk exceed the limit"), offset);
        }
        if (s->eof) {
            QByteArray partial = std::exchange(s->buffer, QByteArray());
            throw IncompleteReadError(partial, -1);
        }
        co_await s->waitForData("readuntil");
    }
    if (matchStart > s->limit)
        throw LimitOverrunError(QStringLiteral("Separator is found, but chunk is longer than limit"), matchStart);
    QByteArray chunk = s->buffer.left(matchEnd);
    s->buffer.remove(0, matchEnd);
    s->maybeResumeTransport();
    co_return chunk;
}

// Up to n buffered bytes (asyncio's read() once data or EOF is there).
QByteArray takeBuffered(detail::StreamReaderState &s, qsizetype n)
{
    QByteArray data = s.buffer.left(n);
    s.buffer.remove(0, data.size());
    s.maybeResumeTransport();
    return data;
}

Coro<QByteArray> readImpl(State s, qsizetype n)
{
    if (s->error)
        std::rethrow_exception(s->error);
    if (n == 0)
        co_return QByteArray();
    if (n < 0) {
        // Everything until EOF, limit-sized block by block, as asyncio's
        // read(-1) does; a loop here, not an await per block.
        QByteArray all;
        for (;;) {
            if (s->error)
                std::rethrow_exception(s->error);
            if (s->buffer.isEmpty() && !s->eof)
                co_await s->waitForData("read");
            QByteArray block = takeBuffered(*s, s->limit);
            if (block.isEmpty())
                break;
            all += block;
        }
        co_return all;
    }
    if (s->buffer.isEmpty() && !s->eof)
        co_await s->waitForData("read");
    co_return takeBuffered(*s, n);
}

Coro<QByteArray> readexactlyImpl(State s, qsizetype n)
{
    if (n < 0)
        throw ValueError("readexactly size can not be less than zero");
    if (s->error)
        std::rethrow_exception(s->error);
    if (n == 0)
        co_return QByteArray();
    while (s->buffer.size() < n) {
        if (s->eof) {
            QByteArray partial = std::exchange(s->buffer, QByteArray());
            throw IncompleteReadError(partial, n);
        }
        co_await s->waitForData("readexactly");
    }
    QByteArray data;
    if (s->buffer.size() == n) {
        data = std::exchange(s->buffer, QByteArray());
    } else {
        data = s->buffer.left(n);
        s->buffer.remove(0, n);
    }
    s->maybeResumeTransport();
    co_return data;
}

Coro<QByteArray> readlineImpl(State s)
{
    const QByteArray separator("\n");
    std::optional<QByteArray> partial;
    std::optional<qsizetype> overrunAt;
    QString overrunMessage;
    try {
        co_return co_await readuntilImpl(s, QList<QByteArray>(1, separator));
    } catch (const IncompleteReadError &e) {
        partial = e.partial;
    } catch (const LimitOverrunError &e) {
        overrunAt = e.consumed;
        overrunMessage = QString::fromUtf8(e.what());
    }
    if (partial)
        co_return *partial;
    // Over the limit: drop the line (up to its end, if it is there) and say so.
    if (s->buffer.mid(*overrunAt).startsWith(separator))
        s->buffer.remove(0, *overrunAt + separator.size());
    else
        s->buffer.clear();
    s->maybeResumeTransport();
    throw ValueError(overrunMessage);
}

Coro<std::optional<QByteArray>> nextLineImpl(State s)
{
    QByteArray line = co_await readlineImpl(s);
    if (line.isEmpty())
        co_return std::nullopt;
    co_return line;
}
} // namespace

StreamReader::StreamReader(qsizetype limit) : StreamReader(getRunningLoop(), limit) {}

StreamReader::StreamReader(Loop &loop, qsizetype limit) : d(std::make_shared<detail::StreamReaderState>())
{
    if (limit <= 0)
        throw ValueError(QStringLiteral("StreamReader: the limit must be > 0, not %1").arg(limit));
    d->loop = &loop;
    d->limit = limit;
}

Coro<QByteArray> StreamReader::read(qsizetype n)
{
    return readImpl(d, n);
}

Coro<QByteArray> StreamReader::readline()
{
    return readlineImpl(d);
}

Coro<QByteArray> StreamReader::readexactly(qsizetype n)
{
    return readexactlyImpl(d, n);
}

Coro<QByteArray> StreamReader::readuntil(QByteArray separator)
{
    return readuntilImpl(d, QList<QByteArray>{separator});
}

Coro<QByteArray> StreamReader::readuntil(QList<QByteArray> separators)
{
    return readuntilImpl(d, std::move(separators));
}

Coro<std::optional<QByteArray>> StreamReader::nextLine()
{
    return nextLineImpl(d);
}

bool StreamReader::atEof() const
{
    return d->eof && d->buffer.isEmpty();
}

qsizetype StreamReader::limit() const
{
    return d->limit;
}

std::exception_ptr StreamReader::exception() const
{
    return d->error;
}

void StreamReader::feedData(const QByteArray &data)
{
    if (d->eof)
        throw RuntimeError("feedData() after feedEof()");
    if (data.isEmpty())
        return;
    d->buffer += data;
    d->wakeUpWaiter();
    // Pause the transport while more than twice the limit is buffered.
    if (d->transport && !d->paused && d->buffer.size() > 2 * d->limit) {
        d->transport->pauseReading();
        d->paused = true;
    }
}

void StreamReader::feedEof()
{
    d->eof = true;
    d->wakeUpWaiter();
}

void StreamReader::setException(std::exception_ptr error)
{
    d->error = error;
    if (d->waiter.isValid()) {
        Future<void> w = std::exchange(d->waiter, Future<void>());
        if (!w.cancelled())
            w.setException(error);
    }
}

void StreamReader::setTransport(std::shared_ptr<ReadTransport> transport)
{
    if (d->transport)
        throw RuntimeError("StreamReader: the transport is already set");
    d->transport = std::move(transport);
}

// ---------------------------------------------------------------- StreamReaderProtocol

namespace detail {

StreamReaderProtocol::StreamReaderProtocol(Loop &loop, std::optional<StreamReader> reader,
                                           ClientConnected clientConnected)
    : m_loop(&loop), m_reader(std::move(reader)), m_clientConnected(std::move(clientConnected)),
      m_closed(loop.createFuture<void>())
{
}

void StreamReaderProtocol::connectionMade(BaseTransport *transport)
{
    auto shared = std::dynamic_pointer_cast<Transport>(transport->sharedSelf());
    m_transport = shared;
    if (m_reader)
        m_reader->setTransport(shared);
    if (m_clientConnected) {
        StreamWriter writer(shared, shared_from_this(), m_reader);
        Task<void> task = createTask(*m_loop, m_clientConnected(*m_reader, writer));
        // The client's handler failing (or being cancelled) closes the connection.
        task.addDoneCallback([shared, loop = m_loop](const Future<void> &t) {
            if (t.cancelled()) {
                shared->close();
                return;
            }
            if (auto error = t.exception()) {
                ExceptionContext context;
                context.message = QStringLiteral("Unhandled exception in client_connected_cb");
                context.exception = error;
                loop->callExceptionHandler(context);
                shared->close();
            }
        });
    }
}

void StreamReaderProtocol::connectionLost(std::exception_ptr error)
{
    if (m_reader) {
        if (error)
            m_reader->setException(error);
        else
            m_reader->feedEof();
    }
    if (!m_closed.done()) {
        if (error) {
            m_closed.setException(error);
            m_closed.exception(); // retrieved: waitClosed() may never be called
        } else {
            m_closed.setResult();
        }
    }
    m_connectionLost = true;
    if (m_paused) {
        for (Future<void> &waiter : m_drainWaiters) {
            if (!waiter.done()) {
                if (error)
                    waiter.setException(error);
                else
                    waiter.setResult();
            }
        }
    }
    m_transport.reset(); // breaks the transport -> protocol -> transport cycle
}

void StreamReaderProtocol::dataReceived(const QByteArray &data)
{
    if (m_reader)
        m_reader->feedData(data);
}

bool StreamReaderProtocol::eofReceived()
{
    if (m_reader)
        m_reader->feedEof();
    return true; // keep the write side open (over TLS there is no half-close: ignored)
}

void StreamReaderProtocol::pauseWriting()
{
    m_paused = true;
}

void StreamReaderProtocol::resumeWriting()
{
    m_paused = false;
    for (Future<void> &waiter : m_drainWaiters) {
        if (!waiter.done())
            waiter.setResult();
    }
}

Coro<void> StreamReaderProtocol::drainHelper()
{
    auto keep = shared_from_this();
    if (m_connectionLost)
        throw std::system_error(std::make_error_code(std::errc::connection_reset), "Connection lost");
    if (!m_paused)
        co_return;
    auto waiter = m_loop->createFuture<void>();
    m_drainWaiters.push_back(waiter);
    struct Remove
    {
        std::vector<Future<void>> &waiters;
        Future<void> &waiter;
        ~Remove() { std::erase(waiters, waiter); }
    } remove{m_drainWaiters, waiter};
    co_await waiter;
}

} // namespace detail

// ---------------------------------------------------------------- StreamWriter

StreamWriter::StreamWriter(std::shared_ptr<Transport> transport,
                           std::shared_ptr<detail::StreamReaderProtocol> protocol, std::optional<StreamReader> reader)
    : m_transport(std::make_shared<std::shared_ptr<Transport>>(std::move(transport))),
      m_protocol(std::move(protocol)), m_reader(std::move(reader))
{
}

void StreamWriter::write(const QByteArray &data)
{
    (*m_transport)->write(data);
}

void StreamWriter::writelines(const QList<QByteArray> &data)
{
    (*m_transport)->writelines(data);
}

void StreamWriter::writeEof()
{
    (*m_transport)->writeEof();
}

bool StreamWriter::canWriteEof() const
{
    return (*m_transport)->canWriteEof();
}

void StreamWriter::close()
{
    (*m_transport)->close();
}

bool StreamWriter::isClosing() const
{
    return (*m_transport)->isClosing();
}

namespace {
Coro<void> drainImpl(std::shared_ptr<Transport> transport, std::shared_ptr<detail::StreamReaderProtocol> protocol,
                     std::optional<StreamReader> reader)
{
    if (reader) {
        if (auto error = reader->exception())
            std::rethrow_exception(error);
    }
    if (transport->isClosing()) {
        // Let connectionLost() run, so that a write-drain loop sees the error.
        co_await sleep(0);
    }
    co_await protocol->drainHelper();
}

Coro<void> waitClosedImpl(Future<void> closed)
{
    co_await closed;
}
} // namespace

Coro<void> StreamWriter::drain()
{
    return drainImpl(*m_transport, m_protocol, m_reader);
}

namespace {
Coro<void> startTlsImpl(std::shared_ptr<std::shared_ptr<Transport>> holder,
                        std::shared_ptr<detail::StreamReaderProtocol> protocol, std::optional<StreamReader> reader,
                        QSslConfiguration sslConfig, StartTlsOptions options)
{
    co_await drainImpl(*holder, protocol, reader);
    options.serverSide = protocol->serverSide();
    Loop &loop = getRunningLoop();
    std::shared_ptr<Transport> old = *holder;
    std::shared_ptr<BaseProtocol> base = protocol;
    std::shared_ptr<Transport> upgraded = co_await startTls(loop, std::move(old), std::move(base), sslConfig, options);
    *holder = upgraded;
    protocol->attach(upgraded);
    if (reader)
        reader->state()->transport = upgraded; // pauseReading() now pauses the TLS layer
}
} // namespace

Coro<void> StreamWriter::startTls(QSslConfiguration sslConfig, StartTlsOptions options)
{
    return startTlsImpl(m_transport, m_protocol, m_reader, std::move(sslConfig), std::move(options));
}

Coro<void> StreamWriter::waitClosed()
{
    return waitClosedImpl(m_protocol->closed());
}

QVariant StreamWriter::getExtraInfo(const QString &name, const QVariant &defaultValue) const
{
    return (*m_transport)->getExtraInfo(name, defaultValue);
}

// ---------------------------------------------------------------- entry points

namespace {
StreamPair makePair(Loop &loop, const std::shared_ptr<Transport> &transport,
                    const std::shared_ptr<detail::StreamReaderProtocol> &protocol, const StreamReader &reader)
{
    Q_UNUSED(loop);
    protocol->attach(transport);
    return StreamPair(reader, StreamWriter(transport, protocol, reader));
}

ProtocolFactory serverFactory(Loop &loop, ClientConnected clientConnected, qsizetype limit)
{
    if (!clientConnected)
        throw ValueError("startServer(): the client callback is empty");
    if (limit <= 0)
        throw ValueError(QStringLiteral("startServer(): the limit must be > 0, not %1").arg(limit));
    return [&loop, clientConnected, limit]() -> std::shared_ptr<BaseProtocol> {
        return std::make_shared<detail::StreamReaderProtocol>(loop, StreamReader(loop, limit), clientConnected);
    };
}
} // namespace

Coro<StreamPair> openConnection(QString host, int port, qsizetype limit, ConnectionOptions options)
{
    Loop &loop = getRunningLoop();
    StreamReader reader(loop, limit);
    auto protocol = std::make_shared<detail::StreamReaderProtocol>(loop, reader);
    // Named, not a temporary: GCC 12 destroys a lambda (or aggregate) temporary of
    // a co_await full-expression twice, which over-releases the captured protocol.
    const ProtocolFactory factory = [protocol] { return protocol; };
    auto [transport, unused] = co_await createConnection(loop, factory, host, port, options);
    co_return makePair(loop, transport, protocol, reader);
}

Coro<StreamPair> openUnixConnection(QString path, qsizetype limit)
{
    Loop &loop = getRunningLoop();
    StreamReader reader(loop, limit);
    auto protocol = std::make_shared<detail::StreamReaderProtocol>(loop, reader);
    const ProtocolFactory factory = [protocol] { return protocol; }; // not a temporary: see openConnection
    auto [transport, unused] = co_await createUnixConnection(loop, factory, path);
    co_return makePair(loop, transport, protocol, reader);
}

Coro<std::shared_ptr<Server>> startServer(ClientConnected clientConnected, QString host, int port,
                                          qsizetype limit, ServerOptions options)
{
    Loop &loop = getRunningLoop();
    co_return co_await createServer(loop, serverFactory(loop, std::move(clientConnected), limit), host, port,
                                    options);
}

Coro<std::shared_ptr<Server>> startUnixServer(ClientConnected clientConnected, QString path, qsizetype limit,
                                              ServerOptions options)
{
    Loop &loop = getRunningLoop();
    co_return co_await createUnixServer(loop, serverFactory(loop, std::move(clientConnected), limit), path,
                                        options);
}

} // namespace qaio
