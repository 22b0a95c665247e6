// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// fault_workload — echo (protocol and streams) and subprocess work for the
// fault-injection stage (scripts/test-faults.sh runs it under faultshim.so).
//
// Usage: fault_workload [rounds]. One unarmed warm-up round, then `rounds`
// rounds with faults armed. Exits 0 when nothing hung, nothing came back
// corrupted, every short echo is matched by a reported error, every error was
// a std::exception with a message (or a connectionLost), and the process holds
// no more fds after the rounds than after the warm-up. Prints a summary either way.
#include <qaio/qaio.h>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdir.h>
#include <QtCore/qmap.h>
#include <QtCore/qrandom.h>

#include <dlfcn.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <typeinfo>

using namespace qaio;

namespace {

struct Stats
{
    int complete = 0;       // echoed back in full
    int short_ = 0;         // came back shorter than sent (must be explained by an error)
    int corrupt = 0;        // came back different from a prefix of what was sent
    int errors = 0;         // clear errors seen by a client, a server handler or a protocol
    int unclear = 0;        // errors without a message, or not std::exceptions
    int hung = 0;           // timed out
    QMap<QString, int> kinds;
};

Stats g_stats;

void recordError(const std::exception_ptr &error, const char *where)
{
    ++g_stats.errors;
    const QString at = QLatin1String(where) + QLatin1String(": ");
    try {
        std::rethrow_exception(error);
    } catch (const TimeoutError &) {
        ++g_stats.hung;
        g_stats.kinds[at + QStringLiteral("hang (TimeoutError)")]++;
    } catch (const std::system_error &e) {
        g_stats.kinds[at + QString::fromStdString(e.code().message())]++;
    } catch (const std::exception &e) {
        if (!*e.what())
            ++g_stats.unclear;
        g_stats.kinds[at + QString::fromUtf8(typeid(e).name()) + QLatin1String(" ") + QString::fromUtf8(e.what())]++;
    } catch (...) {
        ++g_stats.unclear;
        g_stats.kinds[at + QStringLiteral("not a std::exception")]++;
    }
}

void check(const QByteArray &sent, const QByteArray &got)
{
    if (got == sent)
        ++g_stats.complete;
    else if (sent.startsWith(got))
        ++g_stats.short_;
    else
        ++g_stats.corrupt;
}

// The protocol echo server: writes back what it receives, closes on EOF.
class EchoProtocol final : public Protocol
{
public:
    void connectionMade(BaseTransport *transport) override { m_transport = dynamic_cast<Transport *>(transport); }
    void dataReceived(const QByteArray &data) override { m_transport->write(data); }
    bool eofReceived() override { return false; }
    void connectionLost(std::exception_ptr error) override
    {
        if (error)
            recordError(error, "protocol server");
    }

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
    } catch (...) {
        recordError(std::current_exception(), "stream server");
    }
    writer.close();
}

QByteArray payload(QRandomGenerator &random)
{
    QByteArray data(random.bounded(1, 300000), Qt::Uninitialized);
    for (char &c : data)
        c = char(random.bounded(256));
    return data;
}

Coro<void> echoClient(int port, QByteArray sent)
{
    QByteArray got;
    try {
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), port);
        writer.write(sent);
        co_await writer.drain();
        writer.writeEof();
        for (;;) {
            const QByteArray chunk = co_await reader.read(65536);
            if (chunk.isEmpty())
                break;
            got += chunk;
        }
        writer.close();
        co_await writer.waitClosed();
    } catch (...) {
        recordError(std::current_exception(), "echo client");
    }
    check(sent, got);
}

Coro<void> catChild(QByteArray sent)
{
    try {
        SubprocessOptions options;
        options.stdIn = Redirect::Pipe;
        options.stdOut = Redirect::Pipe;
        Process child = co_await createSubprocessExec(QStringLiteral("cat"), {}, options);
        auto [out, err] = co_await child.communicate(sent);
        check(sent, out);
    } catch (...) {
        recordError(std::current_exception(), "cat child");
        check(sent, {});
    }
}

// One round: a batch of concurrent echo clients on both servers and children.
Coro<void> round(QRandomGenerator &random, int protocolPort, int streamPort)
{
    std::vector<Task<void>> tasks;
    Loop &loop = getRunningLoop();
    for (int i = 0; i < 6; ++i) {
        tasks.push_back(loop.createTask(waitFor(echoClient(i % 2 ? protocolPort : streamPort, payload(random)), 20.0)));
    }
    for (int i = 0; i < 2; ++i)
        tasks.push_back(loop.createTask(waitFor(catChild(payload(random)), 20.0)));
    for (auto &task : tasks) {
        try {
            co_await task;
        } catch (...) {
            recordError(std::current_exception(), "round");
        }
    }
}

int openFds()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System).size());
}

void arm(bool on)
{
    using Arm = void (*)(int);
    if (auto fn = reinterpret_cast<Arm>(dlsym(RTLD_DEFAULT, "qaio_faults_arm")))
        fn(on ? 1 : 0);
}

long injected()
{
    using Count = long (*)();
    auto fn = reinterpret_cast<Count>(dlsym(RTLD_DEFAULT, "qaio_faults_injected"));
    return fn ? fn() : 0;
}

// Servers survive injected accept/listen errors only while they exist: they
// are made unarmed, and closed unarmed, so each round starts from the same state.
Coro<void> workload(int rounds, int &fdsAfterWarmUp, int &fdsAfterRounds)
{
    Loop &loop = getRunningLoop();
    QRandomGenerator random(quint32(qEnvironmentVariableIntValue("QAIO_FAULT_SEED")));
    const ProtocolFactory echo = [] { return std::make_shared<EchoProtocol>(); };
    auto protocolServer = co_await createServer(loop, echo, QStringLiteral("127.0.0.1"), 0);
    auto streamServer = co_await startServer(streamEcho, QStringLiteral("127.0.0.1"), 0);
    const int protocolPort = protocolServer->sockets().front().port();
    const int streamPort = streamServer->sockets().front().port();
    co_await round(random, protocolPort, streamPort); // warm-up: Qt's lazily made fds
    if (g_stats.complete != 8 || g_stats.errors != 0) {
        std::fprintf(stderr, "fault_workload: the unarmed warm-up round failed\n");
        g_stats.corrupt++;
    }
    fdsAfterWarmUp = openFds();
    arm(true);
    for (int i = 0; i < rounds; ++i)
        co_await round(random, protocolPort, streamPort);
    arm(false);
    co_await sleep(0.1); // let closing transports finish
    fdsAfterRounds = openFds(); // the same servers and loop as after the warm-up
    protocolServer->close();
    streamServer->close();
    co_await protocolServer->waitClosed();
    co_await streamServer->waitClosed();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
    int fdsAfterWarmUp = 0;
    int fdsAfterRounds = 0;
    int handlerCalls = 0;
    {
        Loop loop;
        loop.setExceptionHandler([&](Loop &, const ExceptionContext &context) {
            ++handlerCalls;
            if (context.message.isEmpty())
                ++g_stats.unclear;
            std::fprintf(stderr, "fault_workload: exception handler: %s\n", qPrintable(context.message));
        });
        try {
            loop.runUntilComplete(workload(rounds, fdsAfterWarmUp, fdsAfterRounds));
        } catch (...) {
            recordError(std::current_exception(), "workload");
            ++g_stats.corrupt; // the workload itself must not fail
        }
        loop.close();
    }
    std::printf("fault_workload: %d rounds, %ld faults injected\n", rounds, injected());
    std::printf("  transfers complete %d, short %d, corrupt %d; errors %d (unclear %d, hung %d); "
                "exception handler calls %d; fds after warm-up %d, after the rounds %d\n",
                g_stats.complete, g_stats.short_, g_stats.corrupt, g_stats.errors, g_stats.unclear, g_stats.hung,
                handlerCalls, fdsAfterWarmUp, fdsAfterRounds);
    for (auto it = g_stats.kinds.cbegin(); it != g_stats.kinds.cend(); ++it)
        std::printf("  %5d  %s\n", it.value(), qPrintable(it.key()));
    const bool ok = g_stats.corrupt == 0 && g_stats.unclear == 0 && g_stats.hung == 0
                    && g_stats.short_ <= g_stats.errors + handlerCalls && fdsAfterRounds <= fdsAfterWarmUp;
    std::printf("fault_workload: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
