// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_sendfile — qaio::sendfile over transports (asyncio's loop.sendfile)
// on real loopback connections, regular files and pipes. Ported from
// CPython's test_sendfile.py (SendfileMixin) and test_base_events.py's
// sendfile argument checks.
#include "net_util.h"

#include <qaio/qaio.h>

#include <QtCore/QTemporaryFile>
#include <QtTest/QtTest>

#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <system_error>
#include <thread>

using namespace qaio;

namespace {

// Small kernel buffers, so that the transport's own buffer is what fills up.
void smallBuffers(BaseTransport *t)
{
    const int fd = t->getExtraInfo(QStringLiteral("socket")).toInt();
    const int size = 16 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

// The receiving side: collects everything; may close after `closeAfter` bytes.
class Collector : public Protocol
{
public:
    QByteArray data;
    std::shared_ptr<Transport> transport;
    bool lost = false;
    qsizetype closeAfter = -1;
    bool slow = false; // read a chunk, pause for a millisecond

    void connectionMade(BaseTransport *t) override
    {
        transport = std::dynamic_pointer_cast<Transport>(t->sharedSelf());
        if (slow)
            smallBuffers(t);
    }
    void dataReceived(const QByteArray &chunk) override
    {
        data += chunk;
        if (closeAfter >= 0 && data.size() >= closeAfter && !transport->isClosing())
            transport->abort();
        if (slow && !transport->isClosing()) {
            transport->pauseReading();
            auto t = transport;
            getRunningLoop().callLater(0.001, [t] { t->resumeReading(); });
        }
    }
    void connectionLost(std::exception_ptr) override
    {
        lost = true;
        transport.reset();
    }
};

// The sending side: records what reaches the real protocol during a sendfile.
class Sender : public Protocol
{
public:
    QByteArray data;
    bool lost = false;
    std::exception_ptr lostError;
    int resumes = 0;
    void dataReceived(const QByteArray &chunk) override { data += chunk; }
    void resumeWriting() override { ++resumes; }
    void connectionLost(std::exception_ptr error) override
    {
        lost = true;
        lostError = error;
    }
};

struct Connection
{
    std::shared_ptr<Server> server;
    std::shared_ptr<Collector> collector;
    std::shared_ptr<Transport> transport;
    std::shared_ptr<Sender> sender;
};

Coro<Connection> connectPair(Loop &loop, std::function<void(Collector &)> configure = {})
{
    Connection c;
    c.collector = std::make_shared<Collector>();
    if (configure)
        configure(*c.collector);
    auto collector = c.collector;
    const ProtocolFactory serverFactory = [collector] { return collector; };
    c.server = co_await createServer(loop, serverFactory, QStringLiteral("127.0.0.1"), 0);
    c.sender = std::make_shared<Sender>();
    auto sender = c.sender;
    const ProtocolFactory clientFactory = [sender] { return sender; };
    auto [transport, unused] = co_await createConnection(loop, clientFactory, QStringLiteral("127.0.0.1"),
                                                         c.server->sockets().front().port());
    Q_UNUSED(unused);
    c.transport = transport;
    smallBuffers(transport.get());
    co_return c;
}

// A temporary regular file holding `data`, open for reading (position 0).
struct DataFile
{
    QTemporaryFile file;
    int fd = -1;
    explicit DataFile(const QByteArray &data)
    {
        file.open();
        file.write(data);
        file.flush();
        fd = ::open(QFile::encodeName(file.fileName()).constData(), O_RDONLY | O_CLOEXEC);
    }
    ~DataFile()
    {
        if (fd >= 0)
            ::close(fd);
    }
    qint64 tell() const { return ::lseek(fd, 0, SEEK_CUR); }
};

// A pipe fed with `data` by a thread, then closed: a file sendfile(2) cannot send.
struct FedPipe
{
    int read = -1;
    std::thread writer;
    explicit FedPipe(QByteArray data)
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            return;
        read = fds[0];
        const int w = fds[1];
        writer = std::thread([w, data] {
            qsizetype at = 0;
            while (at < data.size()) {
                const ssize_t n = ::write(w, data.constData() + at, size_t(data.size() - at));
                if (n <= 0)
                    break;
                at += n;
            }
            ::close(w);
        });
    }
    ~FedPipe()
    {
        if (read >= 0)
            ::close(read); // unblocks the writer (EPIPE) if the test stopped early
        if (writer.joinable())
            writer.join();
    }
};

const QByteArray kData = nt::pattern(160 * 1024 + 17, 9); // test_sendfile.py's DATA is 160 KiB

} // namespace

class TestNetSendfile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { ::signal(SIGPIPE, SIG_IGN); } // the FedPipe writer thread may hit a closed pipe
    void sendfileNative();
    void sendfileZeroSize();
    void sendfilePartial();
    void sendfileMixWithRegularSendAndPositionUpdated();
    void sendfilePreAndPostDataPreserved();
    void sendfileForceFallbackOnPipe();
    void fallbackDisabledIsSendfileNotAvailable();
    void fallbackKeepsWriteBufferBounded();
    void readingPausedAndRestored();
    void closingTransportIsRuntimeError();
    void unsupportedTransportIsRuntimeError();
    void badArgumentsAreValueError();
    void peerClosesAfterReceiving();
    void peerClosesInTheMiddle();
    void fallbackPeerClosesInTheMiddle();
};

void TestNetSendfile::sendfileNative()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(kData);
        Connection c = co_await connectPair(loop);
        const qint64 sent = co_await sendfile(loop, *c.transport, file.fd);
        CO_COMPARE(sent, qint64(kData.size()));
        CO_COMPARE(file.tell(), qint64(kData.size()));
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }));
        CO_VERIFY(c.collector->data == kData);
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::sendfileZeroSize()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(QByteArray{});
        Connection c = co_await connectPair(loop);
        const qint64 sent = co_await sendfile(loop, *c.transport, file.fd);
        CO_COMPARE(sent, qint64(0));
        CO_COMPARE(file.tell(), qint64(0));
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }));
        CO_VERIFY(c.collector->data.isEmpty());
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::sendfilePartial()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(kData);
        Connection c = co_await connectPair(loop);
        const qint64 sent = co_await sendfile(loop, *c.transport, file.fd, 1000, 100);
        CO_COMPARE(sent, qint64(100));
        CO_COMPARE(file.tell(), qint64(1100));
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }));
        CO_VERIFY(c.collector->data == kData.mid(1000, 100));
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::sendfileMixWithRegularSendAndPositionUpdated()
{
    // Data written before the sendfile (even if still queued) goes first.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(kData);
        Connection c = co_await connectPair(loop);
        const QByteArray before(256 * 1024, 'b'); // more than the socket takes at once
        c.transport->write(before);
        CO_VERIFY(c.transport->getWriteBufferSize() > 0);
        const qint64 sent = co_await sendfile(loop, *c.transport, file.fd);
        CO_COMPARE(c.transport->getWriteBufferSize(), qsizetype(0));
        c.transport->write("after");
        CO_COMPARE(sent, qint64(kData.size()));
        CO_COMPARE(file.tell(), qint64(kData.size()));
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }));
        CO_VERIFY(c.collector->data == before + kData + "after");
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::sendfilePreAndPostDataPreserved()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(kData);
        Connection c = co_await connectPair(loop);
        c.transport->write("PREFIX__");
        const qint64 sent = co_await sendfile(loop, *c.transport, file.fd);
        c.transport->write("POSTFIX");
        CO_COMPARE(sent, qint64(kData.size()));
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }));
        CO_VERIFY(c.collector->data == "PREFIX__" + kData + "POSTFIX");
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::sendfileForceFallbackOnPipe()
{
    // A pipe cannot be sent with sendfile(2): read + write through the transport.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        FedPipe pipe(kData);
        Connection c = co_await connectPair(loop);
        const qint64 sent = co_await sendfile(loop, *c.transport, pipe.read);
        CO_COMPARE(sent, qint64(kData.size()));
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }));
        CO_VERIFY(c.collector->data == kData);
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::fallbackDisabledIsSendfileNotAvailable()
{
    // test_sendfile_force_unsupported_native: nothing is sent, nothing lost.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        FedPipe pipe(QByteArray("pipe data"));
        Connection c = co_await connectPair(loop);
        auto error = co_await nt::coErrorOf(sendfile(loop, *c.transport, pipe.read, 0, std::nullopt, false));
        CO_VERIFY2(nt::holds<SendfileNotAvailableError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(!c.transport->isClosing());
        CO_VERIFY(c.transport->isReading());
        CO_VERIFY(c.transport->getProtocol() == c.sender); // the protocol is back
        c.transport->write("still works");
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }));
        CO_COMPARE(c.collector->data, QByteArray("still works"));
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::fallbackKeepsWriteBufferBounded()
{
    // 1 MiB from a pipe to a slow reader: the fallback waits at the transport's
    // high-water mark, so its buffer stays below high + one block (64 KiB).
    Loop loop;
    qsizetype peak = 0;
    auto body = [&]() -> Coro<void> {
        const QByteArray payload = nt::pattern(1024 * 1024, 10);
        FedPipe pipe(payload);
        std::function<void(Collector &)> slow = [](Collector &col) { col.slow = true; };
        Connection c = co_await connectPair(loop, slow);
        c.transport->setWriteBufferLimits(32 * 1024);
        bool running = true;
        std::function<void()> sample;
        sample = [&] {
            peak = std::max(peak, c.transport->getWriteBufferSize());
            if (running)
                loop.callLater(0.0005, sample);
        };
        sample();
        const qint64 sent = co_await sendfile(loop, *c.transport, pipe.read);
        running = false;
        CO_COMPARE(sent, qint64(payload.size()));
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }, 30));
        CO_VERIFY(c.collector->data == payload);
        c.server->close();
    };
    NT_RUN(loop, body());
    qInfo("fallback sendfile: peak write buffer %lld bytes (high-water mark 32768, block 65536)", qint64(peak));
    QVERIFY2(peak <= 32 * 1024 + 64 * 1024, qPrintable(QString::number(peak)));
    QVERIFY(peak > 0);
}

void TestNetSendfile::readingPausedAndRestored()
{
    // Data arriving during the sendfile waits; afterwards the real protocol gets it.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(kData);
        Connection c = co_await connectPair(loop);
        CO_VERIFY(co_await nt::until([&] { return bool(c.collector->transport); }));
        c.collector->transport->write("hello from the server");
        const qint64 sent = co_await sendfile(loop, *c.transport, file.fd);
        CO_COMPARE(sent, qint64(kData.size()));
        CO_VERIFY(c.transport->isReading());
        CO_VERIFY(co_await nt::until([&] { return c.sender->data == "hello from the server"; }));
        c.transport->close();
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::closingTransportIsRuntimeError()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(kData);
        Connection c = co_await connectPair(loop);
        c.transport->close();
        auto error = co_await nt::coErrorOf(sendfile(loop, *c.transport, file.fd));
        CO_VERIFY2(nt::holds<RuntimeError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("closing")));
        CO_COMPARE(file.tell(), qint64(0));
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::unsupportedTransportIsRuntimeError()
{
    // A write pipe transport is not a stream transport (test_sendfile_not_supported).
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(kData);
        int fds[2];
        CO_COMPARE(::pipe2(fds, O_CLOEXEC), 0);
        const ProtocolFactory factory = [] { return std::make_shared<BaseProtocol>(); };
        auto [t, unused] = co_await connectWritePipe(loop, factory, fds[1]);
        Q_UNUSED(unused);
        auto error = co_await nt::coErrorOf(sendfile(loop, *t, file.fd));
        CO_VERIFY2(nt::holds<RuntimeError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("not supported")));
        t->close();
        ::close(fds[0]);
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::badArgumentsAreValueError()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(kData);
        Connection c = co_await connectPair(loop);
        auto error = co_await nt::coErrorOf(sendfile(loop, *c.transport, file.fd, -1));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("offset must be a non-negative integer (got -1)")));
        error = co_await nt::coErrorOf(sendfile(loop, *c.transport, file.fd, 0, 0));
        CO_VERIFY2(nt::holds<ValueError>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(nt::whatOf(error).contains(QStringLiteral("count must be a positive integer (got 0)")));
        error = co_await nt::coErrorOf(sendfile(loop, *c.transport, -1));
        CO_COMPARE(nt::codeOf(error), std::make_error_code(std::errc::bad_file_descriptor));
        // The connection is untouched.
        CO_VERIFY(c.transport->isReading());
        c.transport->write("ok");
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }));
        CO_COMPARE(c.collector->data, QByteArray("ok"));
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::peerClosesAfterReceiving()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(kData);
        std::function<void(Collector &)> closing = [](Collector &col) { col.closeAfter = kData.size(); };
        Connection c = co_await connectPair(loop, closing);
        const qint64 sent = co_await sendfile(loop, *c.transport, file.fd);
        CO_COMPARE(sent, qint64(kData.size()));
        CO_VERIFY(co_await nt::until([&] { return c.collector->lost; }));
        CO_VERIFY(c.collector->data == kData);
        c.transport->close();
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::peerClosesInTheMiddle()
{
    // The reader resets the connection after 1 KiB of 8 MiB: the sendfile
    // fails with an OS error (asyncio's ConnectionError) and the real
    // protocol learns that the connection is gone.
    Loop loop;
    auto body = [&]() -> Coro<void> {
        DataFile file(nt::pattern(8 * 1024 * 1024, 11));
        std::function<void(Collector &)> closing = [](Collector &col) { col.closeAfter = 1024; };
        Connection c = co_await connectPair(loop, closing);
        auto error = co_await nt::coErrorOf(sendfile(loop, *c.transport, file.fd));
        CO_VERIFY2(nt::holds<std::system_error>(error), qPrintable(nt::describe(error)));
        CO_VERIFY(file.tell() < 8 * 1024 * 1024);
        c.transport->close();
        CO_VERIFY(co_await nt::until([&] { return c.sender->lost; }));
        c.server->close();
    };
    NT_RUN(loop, body());
}

void TestNetSendfile::fallbackPeerClosesInTheMiddle()
{
    Loop loop;
    auto body = [&]() -> Coro<void> {
        FedPipe pipe(nt::pattern(4 * 1024 * 1024, 12));
        std::function<void(Collector &)> closing = [](Collector &col) { col.closeAfter = 1024; };
        Connection c = co_await connectPair(loop, closing);
        auto error = co_await nt::coErrorOf(sendfile(loop, *c.transport, pipe.read));
        CO_VERIFY2(nt::holds<std::system_error>(error), qPrintable(nt::describe(error)));
        // The transport ended: its real protocol got connectionLost().
        CO_VERIFY(co_await nt::until([&] { return c.sender->lost; }));
        CO_VERIFY(c.sender->lostError);
        c.server->close();
    };
    NT_RUN(loop, body());
}

QTEST_GUILESS_MAIN(TestNetSendfile)
#include "tst_net_sendfile.moc"
