// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_net_flow_control — a protocol whose pauseWriting() and resumeWriting()
// throw, on every kind of transport (socket, pipe, datagram, subprocess pipe,
// TLS): write() does not throw, the loop's exception handler gets each error
// with its message (asyncio's "protocol.pause_writing() failed"), and the
// transport goes on working: everything written, before and after, arrives.
#include "qaio_net_test.h"
#include "qaio_tls_test.h"

#include <qaio/qaio.h>

#include <QtTest/qtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>

using namespace qaio;

namespace {

const QString kPauseFailed = QStringLiteral("protocol.pauseWriting() failed");
const QString kResumeFailed = QStringLiteral("protocol.resumeWriting() failed");

// The flow-control hooks every writer below shares: counted, then thrown.
struct ThrowingHooks
{
    int pauses = 0;
    int resumes = 0;
    void pause()
    {
        ++pauses;
        throw std::runtime_error("pauseWriting boom");
    }
    void resume()
    {
        ++resumes;
        throw std::runtime_error("resumeWriting boom");
    }
};

class ThrowingWriter : public Protocol, public ThrowingHooks
{
public:
    void pauseWriting() override { pause(); }
    void resumeWriting() override { resume(); }
};

class ThrowingDatagramWriter : public DatagramProtocol, public ThrowingHooks
{
public:
    void pauseWriting() override { pause(); }
    void resumeWriting() override { resume(); }
};

class ThrowingSubprocess : public SubprocessProtocol, public ThrowingHooks
{
public:
    QByteArray out;
    bool lost = false;
    void pipeDataReceived(int fd, const QByteArray &data) override
    {
        if (fd == 1)
            out += data;
    }
    void connectionLost(std::exception_ptr) override { lost = true; }
    void pauseWriting() override { pause(); }
    void resumeWriting() override { resume(); }
};

// The reading end: keeps what arrives.
class Collector : public Protocol
{
public:
    QByteArray data;
    void dataReceived(const QByteArray &chunk) override { data += chunk; }
};

class DatagramCollector : public DatagramProtocol
{
public:
    int count = 0;
    QByteArray last;
    void datagramReceived(const QByteArray &data, const SocketAddress &) override
    {
        ++count;
        last = data;
    }
};

template<class P>
ProtocolFactory factoryFor(const std::shared_ptr<P> &protocol)
{
    return [protocol] { return protocol; };
}

// Writes `payload` (more than the fd takes) and then "after" through a stream
// transport whose protocol's hooks throw: write() does not throw, the
// protocol is paused and resumed once, and everything arrives in order.
Coro<void> writeThroughThrowingHooks(std::shared_ptr<WriteTransport> t, const ThrowingHooks &writer,
                                     const Collector &reader, QByteArray payload)
{
    const auto error = qaiotest::errorOf([&] { t->write(payload); });
    CO_VERIFY2(!error, qPrintable(qaiotest::describe(error)));
    CO_COMPARE(writer.pauses, 1);
    CO_VERIFY(t->getWriteBufferSize() > 0);
    CO_VERIFY(co_await qaiotest::until([&] { return writer.resumes == 1; }));
    t->write("after");
    CO_VERIFY(co_await qaiotest::until([&] { return reader.data.size() == payload.size() + 5; }));
    CO_VERIFY(reader.data == payload + "after");
    CO_VERIFY(!t->isClosing());
    t->close();
}

// One report for each hook, carrying the hook's own exception.
void checkReported(const qaiotest::ErrorLog &log)
{
    QCOMPARE(log.count(kPauseFailed), 1);
    QCOMPARE(log.count(kResumeFailed), 1);
    QCOMPARE(log.entries.size(), 2);
    for (const auto &entry : log.entries) {
        const bool pause = entry.message == kPauseFailed;
        QCOMPARE(qaiotest::whatOf(entry.exception),
                 pause ? QStringLiteral("pauseWriting boom") : QStringLiteral("resumeWriting boom"));
    }
}

} // namespace

class TestNetFlowControl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void socketTransport();
    void pipeTransport();
    void datagramTransport();
    void subprocessPipeTransport();
    void tlsTransport();
};

void TestNetFlowControl::socketTransport()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    const QByteArray payload = qaiotest::pattern(4 * 1024 * 1024, 3);
    auto body = [&]() -> Coro<void> {
        auto [mine, theirs] = Socket::pair(SOCK_STREAM);
        auto writer = std::make_shared<ThrowingWriter>();
        auto reader = std::make_shared<Collector>();
        auto [t, p] = co_await createConnection(loop, factoryFor(writer), std::move(mine));
        auto [rt, rp] = co_await createConnection(loop, factoryFor(reader), std::move(theirs));
        // More than the socket takes at once: queued past the high-water mark.
        co_await writeThroughThrowingHooks(t, *writer, *reader, payload);
        rt->close();
    };
    CO_RUN(loop, body());
    checkReported(log);
}

void TestNetFlowControl::pipeTransport()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    const QByteArray payload = qaiotest::pattern(1024 * 1024, 5);
    auto body = [&]() -> Coro<void> {
        int fds[2];
        CO_VERIFY(::pipe2(fds, O_CLOEXEC) == 0);
        auto writer = std::make_shared<ThrowingWriter>();
        auto reader = std::make_shared<Collector>();
        auto [t, p] = co_await connectWritePipe(loop, factoryFor(writer), fds[1]);
        auto [rt, rp] = co_await connectReadPipe(loop, factoryFor(reader), fds[0]);
        // More than the pipe holds (64 KiB): queued past the high-water mark.
        co_await writeThroughThrowingHooks(t, *writer, *reader, payload);
        rt->close();
    };
    CO_RUN(loop, body());
    checkReported(log);
}

void TestNetFlowControl::datagramTransport()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    auto body = [&]() -> Coro<void> {
        auto [mine, theirs] = Socket::pair(SOCK_DGRAM);
        auto writer = std::make_shared<ThrowingDatagramWriter>();
        auto reader = std::make_shared<DatagramCollector>();
        auto [t, p] = co_await createDatagramEndpoint(loop, factoryFor(writer), std::move(mine));
        auto [rt, rp] = co_await createDatagramEndpoint(loop, factoryFor(reader), std::move(theirs));
        t->setWriteBufferLimits(4096, 1024);
        // The reader does not run meanwhile: the socket fills, then the queue.
        const QByteArray datagram(1000, 'd');
        int sent = 0;
        while (writer->pauses == 0 && sent < 100000) {
            const auto error = qaiotest::errorOf([&] { t->sendto(datagram); });
            CO_VERIFY2(!error, qPrintable(qaiotest::describe(error)));
            ++sent;
        }
        CO_COMPARE(writer->pauses, 1);
        CO_VERIFY(t->getWriteBufferSize() > 4096);
        CO_VERIFY(co_await qaiotest::until([&] { return writer->resumes == 1; }));
        t->sendto("after");
        CO_VERIFY(co_await qaiotest::until([&] { return reader->count == sent + 1; }));
        CO_COMPARE(reader->last, QByteArray("after"));
        CO_VERIFY(!t->isClosing());
        t->close();
        rt->close();
    };
    CO_RUN(loop, body());
    checkReported(log);
}

void TestNetFlowControl::subprocessPipeTransport()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    const QByteArray payload = qaiotest::pattern(1024 * 1024, 7);
    auto body = [&]() -> Coro<void> {
        auto writer = std::make_shared<ThrowingSubprocess>();
        const SubprocessProtocolFactory factory = [writer] { return writer; };
        const SubprocessOptions options{.stdErr = Redirect::DevNull};
        auto [transport, protocol] = co_await subprocessExec(loop, factory, QStringLiteral("cat"), {}, options);
        auto in = std::dynamic_pointer_cast<WriteTransport>(transport->getPipeTransport(0));
        CO_VERIFY(in != nullptr);
        // QProcess buffers it all: far past the high-water mark.
        const auto error = qaiotest::errorOf([&] { in->write(payload); });
        CO_VERIFY2(!error, qPrintable(qaiotest::describe(error)));
        CO_COMPARE(writer->pauses, 1);
        CO_VERIFY(co_await qaiotest::until([&] { return writer->resumes == 1; }));
        in->write("after");
        in->close();
        CO_VERIFY(co_await qaiotest::until([&] { return writer->lost; }));
        CO_VERIFY(writer->out == payload + "after");
        CO_COMPARE(transport->getReturncode(), std::optional<int>(0));
    };
    CO_RUN(loop, body());
    checkReported(log);
}

void TestNetFlowControl::tlsTransport()
{
    Loop loop;
    qaiotest::ErrorLog log;
    log.install(loop);
    const QByteArray payload = qaiotest::pattern(16 * 1024 * 1024, 9);
    auto reader = std::make_shared<Collector>();
    auto body = [&]() -> Coro<void> {
        ServerOptions serverOptions;
        serverOptions.ssl = qaiotest::pki().server();
        auto server = co_await createServer(loop, factoryFor(reader), QStringLiteral("127.0.0.1"), 0, serverOptions);
        ConnectionOptions options;
        options.ssl = qaiotest::pki().client();
        options.serverHostname = QStringLiteral("localhost");
        auto writer = std::make_shared<ThrowingWriter>();
        auto [t, p] = co_await createConnection(loop, factoryFor(writer), QStringLiteral("127.0.0.1"),
                                                server->sockets().front().port(), options);
        t->setWriteBufferLimits(64 * 1024);
        // Once the socket transport is full, TLS buffers what the app writes.
        qsizetype offset = 0;
        while (writer->pauses == 0 && offset < payload.size()) {
            const auto error = qaiotest::errorOf([&] { t->write(payload.mid(offset, 16 * 1024)); });
            CO_VERIFY2(!error, qPrintable(qaiotest::describe(error)));
            offset += 16 * 1024;
        }
        CO_COMPARE(writer->pauses, 1);
        CO_VERIFY(co_await qaiotest::until([&] { return writer->resumes == 1; }));
        t->write("after");
        CO_VERIFY(co_await qaiotest::until([&] { return reader->data.size() == offset + 5; }));
        CO_VERIFY(reader->data == payload.first(offset) + "after");
        CO_VERIFY(!t->isClosing());
        t->close();
        server->close();
        co_await server->waitClosed();
    };
    CO_RUN(loop, body());
    checkReported(log);
}

QTEST_GUILESS_MAIN(TestNetFlowControl)
#include "tst_net_flow_control.moc"
