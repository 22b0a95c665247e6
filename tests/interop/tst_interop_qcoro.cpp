// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_interop_qcoro — QCoro and qaio, both ways: a qaio task awaits QCoro
// tasks, Qt signals (qCoro(obj, &signal)), QTimer*, QTcpSocket* and
// QNetworkReply* (against a real HTTP server on 127.0.0.1), and stays
// cancellable on every one of them; a QCoro::Task awaits qaio Futures, Tasks
// and Coros.
#include "interoputil.h"

#include <qaio/qcoro.h>
#include <qaio/qaio.h>

#include <QCoroFuture>

#include <QtCore/QElapsedTimer>
#include <QtCore/QPromise>
#include <QtCore/QEventLoop>
#include <QtCore/QPointer>
#include <QtCore/QProcess>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <tuple>

using namespace qaio;
using namespace std::chrono_literals;

namespace {

class Emitter : public QObject
{
    Q_OBJECT
Q_SIGNALS:
    void fired(int value);
    void pair(int number, const QString &text);
    void ping();
};

// A minimal HTTP/1.1 server: answers each request with `status` and `body`,
// at once or only when release() is called.
class HttpServer : public QObject
{
public:
    QByteArray status = "200 OK";
    QByteArray body = "hello from 127.0.0.1";
    bool holdResponses = false;
    int requests = 0;

    bool start()
    {
        connect(&m_server, &QTcpServer::newConnection, this, &HttpServer::accept);
        return m_server.listen(QHostAddress(QHostAddress::LocalHost), 0);
    }
    QUrl url(const QString &path = QStringLiteral("/")) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
    }
    quint16 port() const { return m_server.serverPort(); }
    // Answers the requests held back so far.
    void release()
    {
        holdResponses = false;
        const auto held = m_held;
        m_held.clear();
        for (const QPointer<QTcpSocket> &socket : held)
            if (socket)
                respond(socket);
    }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                QByteArray &buffer = m_buffers[socket];
                buffer += socket->readAll();
                if (!buffer.contains("\r\n\r\n"))
                    return;
                buffer.clear();
                ++requests;
                if (holdResponses)
                    m_held.append(socket);
                else
                    respond(socket);
            });
        }
    }
    void respond(QTcpSocket *socket)
    {
        QByteArray response = "HTTP/1.1 " + status + "\r\n";
        response += "Content-Type: text/plain\r\n";
        response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        response += "Connection: close\r\n\r\n";
        response += body;
        socket->write(response);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QPointer<QTcpSocket>> m_held;
};

// What a coroutine under test saw.
struct Probe
{
    bool started = false;
    bool resumed = false;   // the co_await returned (or threw something other than CancelledError)
    bool cancelled = false; // the co_await threw CancelledError
    int value = 0;
    QString error;
};

// ---- QCoro coroutines ----

QCoro::Task<int> qcoroValueAfter(int ms, int value, bool *completed = nullptr)
{
    co_await QCoro::sleepFor(std::chrono::milliseconds(ms));
    if (completed)
        *completed = true;
    co_return value;
}

QCoro::Task<void> qcoroVoidAfter(int ms, bool *completed)
{
    co_await QCoro::sleepFor(std::chrono::milliseconds(ms));
    *completed = true;
}

QCoro::Task<int> qcoroThrowAfter(int ms, const char *message, bool *completed = nullptr)
{
    co_await QCoro::sleepFor(std::chrono::milliseconds(ms));
    if (completed)
        *completed = true;
    throw std::runtime_error(message);
}

// ---- qaio coroutines awaiting QCoro awaitables ----

template<class A>
Coro<int> awaitInt(A awaitable, Probe *probe)
{
    probe->started = true;
    try {
        probe->value = co_await std::move(awaitable);
        probe->resumed = true;
    } catch (const CancelledError &) {
        probe->cancelled = true;
        throw;
    } catch (const std::exception &e) {
        probe->resumed = true;
        probe->error = QString::fromUtf8(e.what());
        throw;
    }
    co_return probe->value;
}

Coro<void> awaitVoid(QCoro::Task<void> task, Probe *probe)
{
    probe->started = true;
    try {
        co_await std::move(task);
        probe->resumed = true;
    } catch (const CancelledError &) {
        probe->cancelled = true;
        throw;
    }
}

// ---- QCoro coroutines awaiting qaio ----

QCoro::Task<int> qcoroAwaitFuture(Future<int> future)
{
    const int value = co_await future;
    co_return value * 2;
}

QCoro::Task<void> qcoroAwaitVoidFuture(Future<void> future, bool *done)
{
    co_await future;
    *done = true;
}

QCoro::Task<int> qcoroAwaitTask(Task<int> task)
{
    const int value = co_await task;
    co_return value + 1;
}

QCoro::Task<QString> qcoroCatch(Task<int> task)
{
    try {
        co_await task;
    } catch (const CancelledError &) {
        co_return QStringLiteral("CancelledError");
    } catch (const std::exception &e) {
        co_return QString::fromUtf8(e.what());
    }
    co_return QStringLiteral("no exception");
}

Coro<int> qaioValueAfter(double delay, int value)
{
    co_await qaio::sleep(delay);
    co_return value;
}

Coro<int> qaioThrowAfter(double delay)
{
    co_await qaio::sleep(delay);
    throw std::runtime_error("qaio failed");
}

// A Coro that awaits a qaio sleep, a Future and a QCoro task: awaited from a
// QCoro::Task it runs outside any task.
Coro<int> qaioMixed(Future<int> future)
{
    co_await qaio::sleep(0.005);
    const int a = co_await future;
    const int b = co_await qcoroValueAfter(5, 100);
    co_return a + b;
}

QCoro::Task<int> qcoroAwaitCoro(Future<int> future)
{
    const int value = co_await qaioMixed(future);
    co_return value;
}

QCoro::Task<int> qcoroAwaitThrowingCoro()
{
    try {
        co_await qaioThrowAfter(0.005);
    } catch (const std::runtime_error &) {
        co_return -1;
    }
    co_return 0;
}

Coro<int> awaitQCoroValue()
{
    co_return co_await qcoroValueAfter(5, 20);
}

// qaio task -> QCoro task -> qaio task -> QCoro task.
QCoro::Task<int> qcoroInner()
{
    Task<int> t = createTask(awaitQCoroValue());
    co_return co_await t;
}

} // namespace

class TestInteropQCoro : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // qaio awaiting QCoro::Task
    void qcoroTaskResult();
    void qcoroTaskVoid();
    void qcoroTaskException();
    void qcoroTaskAlreadyFinished();
    void qcoroTaskCancelWhileSuspended();
    void qcoroTaskCancelThenLateException();
    void lateCompletionAfterLoopClosed();
    // qaio awaiting signals, timers, sockets, replies
    void signalOneArgument();
    void signalSeveralArguments();
    void signalNoArguments();
    void signalTimeout();
    void signalCancelWhileSuspended();
    void timerPointer();
    void timerCancelWhileSuspended();
    void tcpSocketReadAll();
    void networkReplyResult();
    void networkReplyHttpError();
    void networkReplyConnectionRefused();
    void networkReplyCancelWhileSuspended();
    void processViaQCoro();
    void processCancelWhileSuspended();
    // QCoro awaiting qaio
    void qcoroAwaitsFuture();
    void qcoroAwaitsVoidFuture();
    void qcoroAwaitsFutureException();
    void qcoroAwaitsCancelledFuture();
    void qcoroAwaitsTask();
    void qcoroAwaitsCancelledTask();
    void qcoroAwaitsCoro();
    void qcoroAwaitsThrowingCoro();
    void qcoroAwaitsFutureUnderQEventLoop();
    void roundTrip();
    void qfutureGoesThroughWrapFuture();
};

// ---- qaio awaiting QCoro::Task ----

void TestInteropQCoro::qcoroTaskResult()
{
    Loop loop;
    interop::Reports reports(loop);
    Probe probe;
    QCOMPARE(loop.runUntilComplete(awaitInt(qcoroValueAfter(10, 42), &probe)), 42);
    QVERIFY(probe.resumed);
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQCoro::qcoroTaskVoid()
{
    Loop loop;
    Probe probe;
    bool completed = false;
    loop.runUntilComplete(awaitVoid(qcoroVoidAfter(10, &completed), &probe));
    QVERIFY(completed);
    QVERIFY(probe.resumed);
}

void TestInteropQCoro::qcoroTaskException()
{
    Loop loop;
    interop::Reports reports(loop);
    Probe probe;
    auto task = loop.createTask(awaitInt(qcoroThrowAfter(10, "qcoro failed"), &probe));
    try {
        loop.runUntilComplete(Future<int>(task));
        QFAIL("no exception");
    } catch (const std::runtime_error &e) {
        QCOMPARE(QString::fromUtf8(e.what()), QStringLiteral("qcoro failed"));
    }
    QCOMPARE(probe.error, QStringLiteral("qcoro failed"));
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQCoro::qcoroTaskAlreadyFinished()
{
    Loop loop;
    Probe probe;
    // Finished before anyone awaits it: the co_await does not suspend.
    auto ready = []() -> QCoro::Task<int> { co_return 7; };
    QCOMPARE(loop.runUntilComplete(awaitInt(ready(), &probe)), 7);
}

void TestInteropQCoro::qcoroTaskCancelWhileSuspended()
{
    Loop loop;
    interop::Reports reports(loop);
    interop::LogCapture log;
    Probe probe;
    bool completed = false;
    QElapsedTimer clock;
    clock.start();
    auto task = loop.createTask(awaitInt(qcoroValueAfter(400, 1, &completed), &probe));
    loop.callLater(0.02, [&] { task.cancel(QStringLiteral("stop")); });
    QVERIFY(interop::runUntil(loop, [&] { return task.done(); }));
    const qint64 cancelledAfter = clock.elapsed();
    QVERIFY(task.cancelled());
    QVERIFY(probe.cancelled);
    QVERIFY2(!completed, qPrintable(QStringLiteral("took %1 ms").arg(cancelledAfter)));
    QVERIFY(cancelledAfter < 400);
    // The QCoro task completes later: harmless.
    QVERIFY(interop::runUntil(loop, [&] { return completed; }));
    interop::runFor(loop, 0.02);
    QVERIFY(!probe.resumed);
    QVERIFY(task.cancelled());
    QCOMPARE(reports.messages(), QStringList());
    QCOMPARE(log.problems(), QStringList());
}

void TestInteropQCoro::qcoroTaskCancelThenLateException()
{
    Loop loop;
    interop::Reports reports(loop);
    interop::LogCapture log;
    Probe probe;
    bool completed = false;
    auto task = loop.createTask(awaitInt(qcoroThrowAfter(300, "late", &completed), &probe));
    loop.callLater(0.01, [&] { task.cancel(); });
    QVERIFY(interop::runUntil(loop, [&] { return task.done(); }));
    QVERIFY(task.cancelled());
    QVERIFY(!completed);
    QVERIFY(interop::runUntil(loop, [&] { return completed; }));
    interop::runFor(loop, 0.02);
    QVERIFY(!probe.resumed);
    QCOMPARE(reports.messages(), QStringList());
    QCOMPARE(log.problems(), QStringList());
}

void TestInteropQCoro::lateCompletionAfterLoopClosed()
{
    bool completed = false;
    Probe probe;
    QStringList reported;
    {
        Loop loop;
        interop::Reports reports(loop);
        auto task = loop.createTask(awaitInt(qcoroValueAfter(300, 5, &completed), &probe));
        interop::runFor(loop, 0.01);
        QVERIFY(probe.started);
        loop.close(); // the task is still pending: abandoned
        reported = reports.messages();
    }
    // The QCoro task finishes after the loop is gone.
    QTRY_VERIFY_WITH_TIMEOUT(completed, 5000);
    QTest::qWait(10);
    QVERIFY(!probe.resumed);
    QCOMPARE(reported, QStringList{QStringLiteral("Task was destroyed but it is pending!")});
}

// ---- signals, timers, sockets, replies ----

void TestInteropQCoro::signalOneArgument()
{
    Loop loop;
    Emitter emitter;
    Probe probe;
    auto task = loop.createTask(awaitInt(qCoro(&emitter, &Emitter::fired), &probe));
    loop.callLater(0.01, [&] { Q_EMIT emitter.fired(42); });
    QCOMPARE(loop.runUntilComplete(Future<int>(task)), 42);
}

void TestInteropQCoro::signalSeveralArguments()
{
    Loop loop;
    Emitter emitter;
    auto coro = [](Emitter *e) -> Coro<std::tuple<int, QString>> {
        auto args = co_await qCoro(e, &Emitter::pair);
        co_return args;
    };
    auto task = loop.createTask(coro(&emitter));
    loop.callLater(0.01, [&] { Q_EMIT emitter.pair(3, QStringLiteral("three")); });
    const auto [number, text] = loop.runUntilComplete(Future<std::tuple<int, QString>>(task));
    QCOMPARE(number, 3);
    QCOMPARE(text, QStringLiteral("three"));
}

void TestInteropQCoro::signalNoArguments()
{
    Loop loop;
    Emitter emitter;
    auto coro = [](Emitter *e) -> Coro<int> {
        std::tuple<> nothing = co_await qCoro(e, &Emitter::ping);
        Q_UNUSED(nothing);
        co_return 1;
    };
    auto task = loop.createTask(coro(&emitter));
    loop.callLater(0.01, [&] { Q_EMIT emitter.ping(); });
    QCOMPARE(loop.runUntilComplete(Future<int>(task)), 1);
}

void TestInteropQCoro::signalTimeout()
{
    Loop loop;
    Emitter emitter;
    auto coro = [](Emitter *e) -> Coro<int> {
        std::optional<int> value = co_await qCoro(e, &Emitter::fired, 20ms);
        co_return value.has_value() ? *value : -1;
    };
    QCOMPARE(loop.runUntilComplete(coro(&emitter)), -1);
}

void TestInteropQCoro::signalCancelWhileSuspended()
{
    Loop loop;
    interop::Reports reports(loop);
    interop::LogCapture log;
    Emitter emitter;
    Probe probe;
    auto task = loop.createTask(awaitInt(qCoro(&emitter, &Emitter::fired), &probe));
    loop.callLater(0.01, [&] { task.cancel(); });
    QVERIFY(interop::runUntil(loop, [&] { return task.done(); }));
    QVERIFY(task.cancelled());
    QVERIFY(probe.cancelled);
    // The signal comes after all: nobody is resumed.
    Q_EMIT emitter.fired(9);
    interop::runFor(loop, 0.02);
    QVERIFY(!probe.resumed);
    QCOMPARE(probe.value, 0);
    QCOMPARE(reports.messages(), QStringList());
    QCOMPARE(log.problems(), QStringList());
}

void TestInteropQCoro::timerPointer()
{
    Loop loop;
    QTimer timer;
    timer.setSingleShot(true);
    auto coro = [](QTimer *t) -> Coro<int> {
        t->start(10);
        co_await t; // QCoro's awaiter_type<QTimer *>
        co_return 1;
    };
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(loop.runUntilComplete(coro(&timer)), 1);
    QVERIFY(clock.elapsed() >= 9);
}

void TestInteropQCoro::timerCancelWhileSuspended()
{
    Loop loop;
    interop::Reports reports(loop);
    QTimer timer;
    timer.setSingleShot(true);
    bool timedOut = false;
    connect(&timer, &QTimer::timeout, [&] { timedOut = true; });
    bool resumed = false;
    auto coro = [](QTimer *t, bool *after) -> Coro<void> {
        t->start(300);
        co_await t;
        *after = true;
    };
    auto task = loop.createTask(coro(&timer, &resumed));
    loop.callLater(0.01, [&] { task.cancel(); });
    QVERIFY(interop::runUntil(loop, [&] { return task.done(); }));
    QVERIFY(task.cancelled());
    QVERIFY(!timedOut);
    QVERIFY(interop::runUntil(loop, [&] { return timedOut; }));
    interop::runFor(loop, 0.02);
    QVERIFY(!resumed);
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQCoro::tcpSocketReadAll()
{
    Loop loop;
    HttpServer server;
    QVERIFY(server.start());
    QTcpSocket socket;
    auto coro = [](QTcpSocket *s, quint16 port) -> Coro<QByteArray> {
        s->connectToHost(QHostAddress(QHostAddress::LocalHost), port);
        const bool connected = co_await qCoro(s).waitForConnected();
        if (!connected)
            throw std::runtime_error("not connected");
        s->write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QByteArray data = co_await s; // QCoro's awaiter_type<QIODevice subclass *>: readAll
        co_return data;
    };
    const QByteArray data = loop.runUntilComplete(coro(&socket, server.port()));
    QVERIFY2(data.startsWith("HTTP/1.1 200 OK"), data.constData());
}

void TestInteropQCoro::networkReplyResult()
{
    Loop loop;
    interop::Reports reports(loop);
    HttpServer server;
    QVERIFY(server.start());
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    auto coro = [](QNetworkAccessManager *n, QUrl url) -> Coro<QByteArray> {
        QNetworkReply *reply = co_await n->get(QNetworkRequest(url));
        std::unique_ptr<QNetworkReply, void (*)(QNetworkReply *)> owner(
            reply, [](QNetworkReply *r) { r->deleteLater(); });
        if (reply->error() != QNetworkReply::NoError)
            throw std::runtime_error(reply->errorString().toStdString());
        co_return QByteArray::number(
            reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt())
            + ' ' + reply->readAll();
    };
    QCOMPARE(loop.runUntilComplete(coro(&nam, server.url(QStringLiteral("/hello")))),
             QByteArray("200 hello from 127.0.0.1"));
    QCOMPARE(server.requests, 1);
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQCoro::networkReplyHttpError()
{
    Loop loop;
    HttpServer server;
    server.status = "404 Not Found";
    server.body = "no such thing";
    QVERIFY(server.start());
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    auto coro = [](QNetworkAccessManager *n, QUrl url) -> Coro<int> {
        QNetworkReply *reply = co_await n->get(QNetworkRequest(url));
        reply->deleteLater();
        co_return int(reply->error());
    };
    QCOMPARE(loop.runUntilComplete(coro(&nam, server.url(QStringLiteral("/missing")))),
             int(QNetworkReply::ContentNotFoundError));
}

void TestInteropQCoro::networkReplyConnectionRefused()
{
    Loop loop;
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress(QHostAddress::LocalHost), 0));
        closedPort = probe.serverPort();
    }
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    auto coro = [](QNetworkAccessManager *n, QUrl url) -> Coro<int> {
        QNetworkReply *reply = co_await n->get(QNetworkRequest(url));
        reply->deleteLater();
        co_return int(reply->error());
    };
    QCOMPARE(loop.runUntilComplete(
                 coro(&nam, QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(closedPort)))),
             int(QNetworkReply::ConnectionRefusedError));
}

void TestInteropQCoro::networkReplyCancelWhileSuspended()
{
    Loop loop;
    interop::Reports reports(loop);
    interop::LogCapture log;
    HttpServer server;
    server.holdResponses = true;
    QVERIFY(server.start());
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    QPointer<QNetworkReply> reply = nam.get(QNetworkRequest(server.url()));
    bool resumed = false;
    bool cancelled = false;
    auto coro = [](QNetworkReply *r, bool *after, bool *sawCancel) -> Coro<void> {
        try {
            co_await r;
            *after = true;
        } catch (const CancelledError &) {
            *sawCancel = true;
            throw;
        }
    };
    auto task = loop.createTask(coro(reply.data(), &resumed, &cancelled));
    // Cancel once the server holds the request: the reply cannot finish before.
    QVERIFY(interop::runUntil(loop, [&] { return server.requests == 1; }));
    task.cancel();
    QVERIFY(interop::runUntil(loop, [&] { return task.done(); }));
    QVERIFY(task.cancelled());
    QVERIFY(cancelled);
    QVERIFY(reply && !reply->isFinished());
    // Now the response arrives: harmless.
    server.release();
    QVERIFY(interop::runUntil(loop, [&] { return reply && reply->isFinished(); }));
    interop::runFor(loop, 0.02);
    QVERIFY(!resumed);
    QCOMPARE(reply->readAll(), QByteArray("hello from 127.0.0.1"));
    QCOMPARE(reports.messages(), QStringList());
    QCOMPARE(log.problems(), QStringList());
}

void TestInteropQCoro::processViaQCoro()
{
    Loop loop;
    QProcess process;
    auto coro = [](QProcess *p) -> Coro<QByteArray> {
        p->start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("echo qaio")});
        // Assigned first: GCC 12 miscompiles `if (co_await ...)` (see docs/tasks.md).
        const bool started = co_await qCoro(p).waitForStarted();
        if (!started)
            throw std::runtime_error("the process did not start");
        // false if it had already finished (QCoro follows QProcess::waitForFinished).
        const bool waited = co_await qCoro(p).waitForFinished();
        if (!waited && p->state() != QProcess::NotRunning)
            throw std::runtime_error("the process did not finish");
        co_return p->readAllStandardOutput();
    };
    QCOMPARE(loop.runUntilComplete(coro(&process)), QByteArray("qaio\n"));
    QCOMPARE(process.exitCode(), 0);
}

void TestInteropQCoro::processCancelWhileSuspended()
{
    Loop loop;
    interop::Reports reports(loop);
    interop::LogCapture log;
    QProcess process;
    bool resumed = false;
    auto coro = [](QProcess *p, bool *after) -> Coro<void> {
        p->start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("sleep 0.3")});
        co_await qCoro(p).waitForFinished();
        *after = true;
    };
    auto task = loop.createTask(coro(&process, &resumed));
    QVERIFY(interop::runUntil(loop, [&] { return process.state() == QProcess::Running; }));
    task.cancel();
    QVERIFY(interop::runUntil(loop, [&] { return task.done(); }));
    QVERIFY(task.cancelled());
    QCOMPARE(process.state(), QProcess::Running);
    // The process exits later: harmless.
    QVERIFY(interop::runUntil(loop, [&] { return process.state() == QProcess::NotRunning; }));
    interop::runFor(loop, 0.02);
    QVERIFY(!resumed);
    QCOMPARE(reports.messages(), QStringList());
    QCOMPARE(log.problems(), QStringList());
}

// ---- QCoro awaiting qaio ----

void TestInteropQCoro::qcoroAwaitsFuture()
{
    Loop loop;
    auto future = loop.createFuture<int>();
    loop.callLater(0.01, [future]() mutable { future.setResult(21); });
    Probe probe;
    QCOMPARE(loop.runUntilComplete(awaitInt(qcoroAwaitFuture(future), &probe)), 42);
}

void TestInteropQCoro::qcoroAwaitsVoidFuture()
{
    Loop loop;
    auto future = loop.createFuture<void>();
    bool done = false;
    // Started from a plain loop callback, not from a task.
    loop.callSoon([&] { qcoroAwaitVoidFuture(future, &done); });
    loop.callLater(0.01, [future]() mutable { future.setResult(); });
    QVERIFY(interop::runUntil(loop, [&] { return done; }));
}

void TestInteropQCoro::qcoroAwaitsFutureException()
{
    Loop loop;
    interop::Reports reports(loop);
    auto future = loop.createFuture<int>();
    loop.callLater(0.01, [future]() mutable { future.setException(TimeoutError("too slow")); });
    QString caught;
    auto coro = [](Future<int> f, QString *out) -> QCoro::Task<void> {
        try {
            co_await f;
        } catch (const TimeoutError &e) {
            *out = QStringLiteral("TimeoutError: ") + QString::fromUtf8(e.what());
        }
    };
    loop.callSoon([&] { coro(future, &caught); });
    QVERIFY(interop::runUntil(loop, [&] { return !caught.isEmpty(); }));
    QCOMPARE(caught, QStringLiteral("TimeoutError: too slow"));
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQCoro::qcoroAwaitsCancelledFuture()
{
    Loop loop;
    auto future = loop.createFuture<int>();
    QString caught;
    auto coro = [](Future<int> f, QString *out) -> QCoro::Task<void> {
        try {
            co_await f;
            *out = QStringLiteral("resumed");
        } catch (const CancelledError &e) {
            *out = QStringLiteral("CancelledError: ") + e.message();
        }
    };
    loop.callSoon([&] { coro(future, &caught); });
    loop.callLater(0.01, [future]() mutable { future.cancel(QStringLiteral("bye")); });
    QVERIFY(interop::runUntil(loop, [&] { return !caught.isEmpty(); }));
    QCOMPARE(caught, QStringLiteral("CancelledError: bye"));
}

void TestInteropQCoro::qcoroAwaitsTask()
{
    Loop loop;
    Probe probe;
    auto coro = [](Probe *p) -> Coro<int> {
        Task<int> inner = createTask(qaioValueAfter(0.01, 9));
        co_return co_await awaitInt(qcoroAwaitTask(inner), p);
    };
    QCOMPARE(loop.runUntilComplete(coro(&probe)), 10);
}

void TestInteropQCoro::qcoroAwaitsCancelledTask()
{
    Loop loop;
    interop::Reports reports(loop);
    Task<int> inner = loop.createTask(qaioValueAfter(10.0, 1));
    Task<QString> outer = loop.createTask([](Task<int> t) -> Coro<QString> {
        co_return co_await qcoroCatch(t);
    }(inner));
    loop.callLater(0.01, [&] { inner.cancel(); });
    QCOMPARE(loop.runUntilComplete(Future<QString>(outer)), QStringLiteral("CancelledError"));
    QVERIFY(inner.cancelled());
    // A failing task: the QCoro side sees the exception itself.
    Task<int> failing = loop.createTask(qaioThrowAfter(0.005));
    Task<QString> outer2 = loop.createTask([](Task<int> t) -> Coro<QString> {
        co_return co_await qcoroCatch(t);
    }(failing));
    QCOMPARE(loop.runUntilComplete(Future<QString>(outer2)), QStringLiteral("qaio failed"));
    QCOMPARE(reports.messages(), QStringList());
}

void TestInteropQCoro::qcoroAwaitsCoro()
{
    Loop loop;
    auto future = loop.createFuture<int>();
    loop.callLater(0.01, [future]() mutable { future.setResult(1); });
    // Started inside the loop: the Coro it awaits runs outside any task but
    // needs the running loop (for its sleep and the QCoro task it awaits).
    auto coro = [](Future<int> f) -> Coro<int> { co_return co_await qcoroAwaitCoro(f); };
    QCOMPARE(loop.runUntilComplete(coro(future)), 101);
}

void TestInteropQCoro::qcoroAwaitsThrowingCoro()
{
    Loop loop;
    auto coro = []() -> Coro<int> { co_return co_await qcoroAwaitThrowingCoro(); };
    QCOMPARE(loop.runUntilComplete(coro()), -1);
}

void TestInteropQCoro::qcoroAwaitsFutureUnderQEventLoop()
{
    // Qt drives: no runForever, only a QEventLoop; qaio callbacks still run.
    Loop loop;
    QEventLoop qtLoop;
    auto future = loop.createFuture<int>();
    int result = 0;
    auto coro = [](Future<int> f, int *out, QEventLoop *q) -> QCoro::Task<void> {
        *out = co_await qcoroAwaitFuture(f);
        q->quit();
    };
    QTimer::singleShot(0, &qtLoop, [&] { coro(future, &result, &qtLoop); });
    loop.callLater(0.01, [future]() mutable { future.setResult(5); });
    QTimer::singleShot(5000, &qtLoop, [&] { qtLoop.exit(1); });
    QCOMPARE(qtLoop.exec(), 0);
    QCOMPARE(result, 10);
}

void TestInteropQCoro::roundTrip()
{
    Loop loop;
    auto coro = []() -> Coro<int> { co_return co_await qcoroInner(); };
    QCOMPARE(loop.runUntilComplete(coro()), 20);
}

void TestInteropQCoro::qfutureGoesThroughWrapFuture()
{
    // With <QCoroFuture> included as well, a qaio task awaits a QFuture through
    // wrapFuture (cancelling the task cancels the QFuture), while a QCoro::Task
    // keeps awaiting it through QCoro's own awaiter.
    Loop loop;
    QPromise<int> pending;
    pending.start();
    auto coro = [](QFuture<int> f) -> Coro<int> { co_return co_await f; };
    auto task = loop.createTask(coro(pending.future()));
    interop::runFor(loop, 0.01);
    task.cancel();
    QVERIFY(interop::runUntil(loop, [&] { return task.done(); }));
    QVERIFY(task.cancelled());
    QVERIFY(interop::runUntil(loop, [&] { return pending.isCanceled(); }));

    QPromise<int> later;
    later.start();
    int value = 0;
    auto viaQCoro = [](QFuture<int> f, int *out) -> QCoro::Task<void> { *out = co_await f; };
    viaQCoro(later.future(), &value);
    loop.callLater(0.005, [&] {
        later.addResult(8);
        later.finish();
    });
    QVERIFY(interop::runUntil(loop, [&] { return value == 8; }));
}

QTEST_GUILESS_MAIN(TestInteropQCoro)
#include "tst_interop_qcoro.moc"
