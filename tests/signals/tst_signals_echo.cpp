// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_signals_echo — the echo demo's graceful shutdown, on a real process:
// several clients load qaio-echo-server with requests (lines) continuously,
// the test sends SIGTERM (or SIGINT) in the middle, and checks that every
// request the server accepted got its full reply, that nothing was reset,
// and that the server exited 0 within its grace period.
#include "signals_util.h"

#include <QtCore/QProcess>
#include <QtTest/QtTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace qaio;

namespace {

struct ClientResult
{
    qint64 sent = 0;
    qint64 replies = 0;     // full replies, each equal to the request sent
    qint64 mismatches = 0;  // a reply that is not the next request sent
    QByteArray trailing;    // bytes after the last full reply (a cut reply)
    QString error;          // the connection failed (reset, ...)
    bool gotEof = false;
};

struct EchoProcess
{
    QProcess process;
    quint16 port = 0;
    QByteArray out;

    bool start(const QStringList &extra)
    {
        process.start(QStringLiteral(ECHO_SERVER), QStringList{QStringLiteral("--port"), QStringLiteral("0")} + extra);
        if (!process.waitForStarted(5000))
            return false;
        QElapsedTimer timer;
        timer.start();
        while (!out.contains('\n') && timer.elapsed() < 5000) {
            process.waitForReadyRead(100);
            out += process.readAllStandardOutput();
        }
        const int colon = out.indexOf(':');
        const int end = out.indexOf('\n');
        if (colon < 0 || end < 0)
            return false;
        port = quint16(out.mid(colon + 1, end - colon - 1).toUInt());
        return port != 0;
    }
    // "served N requests", once the process has finished.
    qint64 served()
    {
        out += process.readAllStandardOutput();
        const int at = out.indexOf("served ");
        return at < 0 ? -1 : out.mid(at + 7).split(' ').value(0).toLongLong();
    }
};

// Sends numbered lines as fast as the server takes them, until told to stop.
Coro<void> sendRequests(StreamWriter writer, std::shared_ptr<ClientResult> result, std::shared_ptr<bool> stop,
                        int client)
{
    try {
        const QByteArray padding(64, 'x');
        while (!*stop) {
            writer.write("client " + QByteArray::number(client) + " request " + QByteArray::number(result->sent)
                         + ' ' + padding + '\n');
            ++result->sent;
            co_await writer.drain();
            if (result->sent % 8 == 0)
                co_await qaio::sleep(0); // let the reader run too
        }
    } catch (const std::exception &e) {
        if (result->error.isEmpty())
            result->error = QStringLiteral("send: ") + QString::fromUtf8(e.what());
    }
}

// Reads replies until EOF; checks each is the next request that was sent.
Coro<void> readReplies(StreamReader reader, std::shared_ptr<ClientResult> result, int client)
{
    const QByteArray padding(64, 'x');
    try {
        for (;;) {
            const QByteArray line = co_await reader.readline();
            if (line.isEmpty()) {
                result->gotEof = true;
                break;
            }
            if (!line.endsWith('\n')) {
                result->trailing = line;
                result->gotEof = true;
                break;
            }
            const QByteArray expected = "client " + QByteArray::number(client) + " request "
                + QByteArray::number(result->replies) + ' ' + padding + '\n';
            if (line == expected)
                ++result->replies;
            else
                ++result->mismatches;
        }
    } catch (const std::exception &e) {
        result->error = QStringLiteral("read: ") + QString::fromUtf8(e.what());
    }
}

Coro<void> runClient(quint16 port, std::shared_ptr<ClientResult> result, int client)
{
    auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), port);
    auto stop = std::make_shared<bool>(false);
    auto sender = createTask(sendRequests(writer, result, stop, client));
    co_await readReplies(reader, result, client);
    *stop = true; // the server closed: stop sending, then close our side
    co_await sender;
    writer.close();
    try {
        co_await writer.waitClosed();
    } catch (const std::exception &) {
    }
}

// An idle client and one that sent half a request: neither is a request the
// server accepted; both must see a clean EOF.
Coro<void> runQuietClient(quint16 port, std::shared_ptr<ClientResult> result, QByteArray send)
{
    auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), port);
    if (!send.isEmpty()) {
        writer.write(send);
        co_await writer.drain();
    }
    co_await readReplies(reader, result, -1);
    writer.close();
}

} // namespace

class TestSignalsEcho : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gracefulShutdownUnderLoad_data();
    void gracefulShutdownUnderLoad();
    void graceDeadlineBoundsTheShutdown();
    void invalidGraceIsRefused();
};

void TestSignalsEcho::gracefulShutdownUnderLoad_data()
{
    QTest::addColumn<int>("sig");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void TestSignalsEcho::gracefulShutdownUnderLoad()
{
    QFETCH(int, sig);
    EchoProcess server;
    QVERIFY(server.start({QStringLiteral("--grace"), QStringLiteral("5")}));

    Loop loop;
    constexpr int kClients = 6;
    std::vector<std::shared_ptr<ClientResult>> results;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < kClients; ++i) {
        results.push_back(std::make_shared<ClientResult>());
        tasks.push_back(loop.createTask(runClient(server.port, results.back(), i)));
    }
    auto idle = std::make_shared<ClientResult>();
    auto partial = std::make_shared<ClientResult>();
    tasks.push_back(loop.createTask(runQuietClient(server.port, idle, {})));
    tasks.push_back(loop.createTask(runQuietClient(server.port, partial, "half a requ")));

    // Load for a while, then signal the server in the middle of it.
    st::runUntil(loop, [] { return false; }, 0.3);
    qint64 before = 0;
    for (auto &r : results)
        before += r->replies;
    QVERIFY2(before > 100, qPrintable(QString::number(before)));
    QElapsedTimer shutdown;
    shutdown.start();
    ::kill(server.process.processId(), sig);

    auto allDone = [&] {
        for (auto &t : tasks) {
            if (!t.done())
                return false;
        }
        return true;
    };
    QVERIFY(st::runUntil(loop, allDone, 8.0));
    QVERIFY(server.process.state() == QProcess::NotRunning || server.process.waitForFinished(8000));
    const qint64 took = shutdown.elapsed();
    QCOMPARE(server.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.process.exitCode(), 0);
    QVERIFY2(took < 5000, qPrintable(QString::number(took)));

    qint64 replies = 0;
    for (int i = 0; i < kClients; ++i) {
        const ClientResult &r = *results[i];
        QVERIFY2(r.error.isEmpty(), qPrintable(QStringLiteral("client %1: %2").arg(i).arg(r.error)));
        QVERIFY(r.gotEof);
        QCOMPARE(r.mismatches, 0);
        QVERIFY2(r.trailing.isEmpty(), r.trailing.constData()); // no reply was cut
        QVERIFY(r.replies <= r.sent);
        replies += r.replies;
    }
    QVERIFY(replies > before);
    qInfo("%lld replies before the signal, %lld in all; the server exited %lld ms after it", before, replies,
          took);
    // Every request the server accepted got its full reply: the server's count
    // of replies sent equals what the clients received, all in order.
    QCOMPARE(server.served(), replies);
    for (const auto &quiet : {idle, partial}) {
        QVERIFY2(quiet->error.isEmpty(), qPrintable(quiet->error));
        QVERIFY(quiet->gotEof);
        QCOMPARE(quiet->replies, 0);
        QVERIFY(quiet->trailing.isEmpty());
    }
    QVERIFY(server.out.contains(QByteArray("signal ") + QByteArray::number(sig) + ": shutting down"));
    loop.close();
}

void TestSignalsEcho::graceDeadlineBoundsTheShutdown()
{
    // A client that sends requests but never reads the replies keeps its
    // handler blocked in drain(): the grace period ends it.
    EchoProcess server;
    QVERIFY(server.start({QStringLiteral("--grace"), QStringLiteral("0.5")}));
    Loop loop;
    auto stalled = [&]() -> Coro<void> {
        auto [reader, writer] = co_await openConnection(QStringLiteral("127.0.0.1"), server.port);
        const QByteArray line = QByteArray(1000, 'y') + '\n';
        for (int i = 0; i < 20000; ++i) // 20 MB: more than the socket buffers hold
            writer.write(line);
        co_await qaio::sleep(0.3);
        ::kill(server.process.processId(), SIGTERM);
        co_await qaio::sleep(3);
        writer.transport()->abort();
    };
    auto task = loop.createTask(stalled());
    QElapsedTimer timer;
    timer.start();
    st::runUntil(loop, [&] { return server.process.state() == QProcess::NotRunning; }, 4.0);
    QVERIFY(server.process.waitForFinished(100) || server.process.state() == QProcess::NotRunning);
    QVERIFY2(timer.elapsed() < 2500, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(server.process.exitCode(), 0);
    QVERIFY(server.served() >= 0);
    task.cancel();
    st::runUntil(loop, [&] { return task.done(); }, 1.0);
    loop.close();
}

void TestSignalsEcho::invalidGraceIsRefused()
{
    QProcess process;
    process.start(QStringLiteral(ECHO_SERVER), {QStringLiteral("--grace"), QStringLiteral("-1")});
    QVERIFY(process.waitForFinished(5000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("invalid grace period"));
}

QTEST_GUILESS_MAIN(TestSignalsEcho)
#include "tst_signals_echo.moc"
