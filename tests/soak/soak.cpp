// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// soak — everything at once for a while: echo over the protocol API, streams
// and TLS (random sizes, half-closes, clients that reset mid-transfer),
// subprocess churn, timer storms and executor jobs. Samples RSS and open fds
// after every round; fails on a lost or corrupt byte, a late or missing timer,
// a wrong executor result, or RSS/fd growth after the warm-up (scripts/soak.sh).
//
// Usage: soak [seconds]   (default 60)
#include "../common/qaio_tls_test.h"

#include <qaio/qaio.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qrandom.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace qaio;

namespace {

struct Totals
{
    qint64 bytes = 0;     // echoed and verified
    int transfers = 0;
    int resets = 0;       // clients that aborted on purpose
    int children = 0;
    int timers = 0;
    int jobs = 0;
    QStringList failures; // anything wrong
};
Totals g_totals;

void fail(const QString &what)
{
    if (g_totals.failures.size() < 20)
        g_totals.failures << what;
}

QString describe(const std::exception_ptr &error)
{
    try {
        std::rethrow_exception(error);
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("<not a std::exception>");
    }
}

class EchoProtocol final : public Protocol
{
public:
    void connectionMade(BaseTransport *transport) override { m_transport = dynamic_cast<Transport *>(transport); }
    void dataReceived(const QByteArray &data) override { m_transport->write(data); }
    bool eofReceived() override { return false; }

private:
    Transport *m_transport = nullptr;
};

Coro<void> streamEcho(StreamReader reader, StreamWriter writer)
{
    try {
        for (;;) {
            const QByteArray chunk = co_await reader.read(65536);
            if (chunk.isEmpty())
                break;
            writer.write(chunk);
            co_await writer.drain();
        }
    } catch (const std::system_error &) {
        // a client that reset on purpose
    }
    writer.close();
}

QByteArray randomBytes(QRandomGenerator &random, int maxSize)
{
    QByteArray data(random.bounded(1, maxSize), Qt::Uninitialized);
    for (char &c : data)
        c = char(random.bounded(256));
    return data;
}

// Sends, half-closes and reads the echo back to EOF; or, when `reset`, aborts
// halfway through (the server must shrug that off).
Coro<void> echoClient(int port, QByteArray sent, ConnectionOptions options, bool reset)
{
    auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), port, kDefaultStreamLimit, options);
    if (reset) {
        writer.write(sent.left(sent.size() / 2));
        co_await reader.read(1);
        writer.transport()->abort();
        ++g_totals.resets;
        co_return;
    }
    writer.write(sent);
    co_await writer.drain();
    if (!options.ssl) // TLS has no half-close
        writer.writeEof();
    QByteArray got;
    while (got.size() < sent.size()) {
        const QByteArray chunk = co_await reader.read(65536);
        if (chunk.isEmpty())
            break;
        got += chunk;
    }
    writer.close();
    co_await writer.waitClosed();
    if (got != sent)
        fail(QStringLiteral("echo on port %1: sent %2 bytes, got %3%4")
                 .arg(port)
                 .arg(sent.size())
                 .arg(got.size())
                 .arg(sent.startsWith(got) ? QStringLiteral(" (a prefix)") : QStringLiteral(" (corrupt)")));
    g_totals.bytes += got.size();
    ++g_totals.transfers;
}

Coro<void> catChild(QByteArray sent)
{
    SubprocessOptions options;
    options.stdIn = Redirect::Pipe;
    options.stdOut = Redirect::Pipe;
    Process child = co_await createSubprocessExec(QStringLiteral("cat"), {}, options);
    auto [out, err] = co_await child.communicate(sent);
    if (out != sent)
        fail(QStringLiteral("cat: sent %1 bytes, got %2").arg(sent.size()).arg(out.size()));
    if (co_await child.wait() != 0)
        fail(QStringLiteral("cat exited with %1").arg(*child.returncode()));
    ++g_totals.children;
}

// A storm of timers with random delays: each fires once, never early.
Coro<void> timerStorm(QRandomGenerator &random)
{
    Loop &loop = getRunningLoop();
    const int count = 500;
    auto fired = std::make_shared<int>(0);
    auto done = loop.createFuture<void>();
    std::vector<TimerHandle> handles;
    for (int i = 0; i < count; ++i) {
        const double delay = random.bounded(50) / 1000.0;
        const double due = loop.time() + delay;
        handles.push_back(loop.callLater(delay, [&loop, due, fired, done]() mutable {
            if (loop.time() < due)
                fail(QStringLiteral("a timer fired %1 s early").arg(due - loop.time()));
            if (++*fired == count && !done.done())
                done.setResult();
        }));
    }
    co_await waitFor(done, 10.0);
    g_totals.timers += *fired;
}

Coro<void> executorJobs()
{
    Loop &loop = getRunningLoop();
    std::vector<Future<qint64>> jobs;
    for (int i = 1; i <= 16; ++i) {
        jobs.push_back(runInExecutor(loop, nullptr, [i] {
            qint64 sum = 0;
            for (int k = 1; k <= i * 1000; ++k)
                sum += k;
            return sum;
        }));
    }
    for (int i = 1; i <= 16; ++i) {
        const qint64 n = i * 1000;
        if (co_await jobs[size_t(i - 1)] != n * (n + 1) / 2)
            fail(QStringLiteral("executor job %1: wrong result").arg(i));
        ++g_totals.jobs;
    }
}

Coro<void> guarded(Coro<void> body, QString what)
{
    try {
        co_await waitFor(std::move(body), 30.0);
    } catch (...) {
        fail(what + QStringLiteral(": ") + describe(std::current_exception()));
    }
}

qint64 rssKiB()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * (sysconf(_SC_PAGESIZE) / 1024) : 0;
}

int openFds()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System).size());
}

Coro<void> soak(double seconds)
{
    Loop &loop = getRunningLoop();
    QRandomGenerator random(quint32(qEnvironmentVariableIntValue("QAIO_SOAK_SEED") + 1));
    const ProtocolFactory echo = [] { return std::make_shared<EchoProtocol>(); };
    ServerOptions tlsServer;
    tlsServer.ssl = qaiotest::pki().server();
    auto protocolServer = co_await createServer(loop, echo, QStringLiteral("127.0.0.1"), 0);
    auto tlsProtocolServer = co_await createServer(loop, echo, QStringLiteral("127.0.0.1"), 0, tlsServer);
    auto streamServer = co_await startServer(streamEcho, QStringLiteral("127.0.0.1"), 0);
    const int ports[] = {protocolServer->sockets().front().port(), streamServer->sockets().front().port(),
                         tlsProtocolServer->sockets().front().port()};
    ConnectionOptions plain;
    ConnectionOptions tls;
    tls.ssl = qaiotest::pki().client();
    tls.serverHostname = QStringLiteral("localhost");

    const double start = loop.time();
    const double warmUpEnd = start + seconds / 4;
    qint64 rssAfterWarmUp = 0;
    int fdsAfterWarmUp = -1;
    qint64 rssMax = 0;
    int fdsMax = 0;
    int rounds = 0;
    std::printf("%8s %8s %10s %6s %12s\n", "seconds", "rounds", "RSS KiB", "fds", "bytes");
    while (loop.time() - start < seconds) {
        std::vector<Task<void>> tasks;
        for (int i = 0; i < 6; ++i) {
            const int which = random.bounded(3);
            const bool reset = random.bounded(8) == 0;
            tasks.push_back(loop.createTask(guarded(
                echoClient(ports[which], randomBytes(random, which == 2 ? 100000 : 400000), which == 2 ? tls : plain,
                           reset),
                QStringLiteral("echo client"))));
        }
        tasks.push_back(loop.createTask(guarded(catChild(randomBytes(random, 100000)), QStringLiteral("cat"))));
        tasks.push_back(loop.createTask(guarded(timerStorm(random), QStringLiteral("timers"))));
        tasks.push_back(loop.createTask(guarded(executorJobs(), QStringLiteral("executor"))));
        for (auto &task : tasks)
            co_await task;
        co_await sleep(0.01); // let closing transports finish
        ++rounds;
        const qint64 rss = rssKiB();
        const int fds = openFds();
        if (loop.time() < warmUpEnd) {
            rssAfterWarmUp = std::max(rssAfterWarmUp, rss);
            fdsAfterWarmUp = std::max(fdsAfterWarmUp, fds);
        } else {
            rssMax = std::max(rssMax, rss);
            fdsMax = std::max(fdsMax, fds);
        }
        if (rounds % 20 == 0)
            std::printf("%8.0f %8d %10lld %6d %12lld\n", loop.time() - start, rounds, rss, fds, g_totals.bytes);
    }
    protocolServer->close();
    tlsProtocolServer->close();
    streamServer->close();
    co_await protocolServer->waitClosed();
    co_await tlsProtocolServer->waitClosed();
    co_await streamServer->waitClosed();
    std::printf("soak: %d rounds in %.0f s: %d transfers (%lld bytes verified), %d resets, %d children, "
                "%d timers, %d executor jobs\n",
                rounds, loop.time() - start, g_totals.transfers, g_totals.bytes, g_totals.resets, g_totals.children,
                g_totals.timers, g_totals.jobs);
    std::printf("soak: RSS after warm-up %lld KiB, max after %lld KiB; fds after warm-up %d, max after %d\n",
                rssAfterWarmUp, rssMax, fdsAfterWarmUp, fdsMax);
    // Allocators keep some slack: growth beyond 25% and 16 MiB is a leak.
    if (rssMax > rssAfterWarmUp * 5 / 4 && rssMax - rssAfterWarmUp > 16 * 1024)
        fail(QStringLiteral("RSS grew from %1 to %2 KiB after the warm-up").arg(rssAfterWarmUp).arg(rssMax));
    if (fdsMax > fdsAfterWarmUp)
        fail(QStringLiteral("open fds grew from %1 to %2 after the warm-up").arg(fdsAfterWarmUp).arg(fdsMax));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const double seconds = argc > 1 ? std::atof(argv[1]) : 60;
    {
        Loop loop;
        loop.setExceptionHandler([](Loop &, const ExceptionContext &context) {
            fail(QStringLiteral("exception handler: ") + context.message);
        });
        try {
            loop.runUntilComplete(soak(seconds));
        } catch (...) {
            fail(QStringLiteral("soak: ") + describe(std::current_exception()));
        }
        loop.close();
    }
    for (const QString &failure : g_totals.failures)
        std::printf("FAIL: %s\n", qPrintable(failure));
    std::printf("soak: %s\n", g_totals.failures.isEmpty() ? "PASS" : "FAIL");
    return g_totals.failures.isEmpty() ? 0 : 1;
}
