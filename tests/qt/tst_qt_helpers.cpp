// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// Qt helpers: awaiting signals, coroutine slots and tasks bound to a QObject's
// lifetime, FutureWatcher, and window-modal dialogs without a nested loop.
#include <qaio/qaio.h>

#include "../loop/testutil.h"

#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QApplication>
#include <QtWidgets/QDialog>
#include <QtWidgets/QWidget>

#include <memory>
#include <thread>

using namespace qaio;
using namespace std::chrono_literals;

class Emitter : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    int oneReceivers() const { return receivers(SIGNAL(one(QString))); }
    int noneReceivers() const { return receivers(SIGNAL(none())); }
Q_SIGNALS:
    void none();
    void one(const QString &text);
    void two(int number, const QString &text);
};

namespace {

// Runs `coro` to completion on `loop` with a 10 s safety net.
template<class T>
decltype(auto) run(Loop &loop, Coro<T> coro)
{
    auto guard = loop.callLater(10.0, [&loop] { loop.stop(); });
    struct Cancel
    {
        TimerHandle &h;
        ~Cancel() { h.cancel(); }
    } cancel{guard};
    return loop.runUntilComplete(std::move(coro));
}

// Records what the loop's exception handler receives.
struct HandlerLog
{
    explicit HandlerLog(Loop &loop)
    {
        loop.setExceptionHandler([this](Loop &, const ExceptionContext &c) {
            messages << c.message + QStringLiteral(" | ") + testutil::describe(c.exception);
        });
    }
    QStringList messages;
};

} // namespace

class TestQtHelpers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void signalValues();
    void signalTimeout();
    void signalSenderDestroyed();
    void signalCancelDisconnects();
    void signalFromAnotherThread();
    void signalBadInput();
    void connectStartsTaskPerEmission();
    void connectSlotExceptionReachesHandler();
    void destroyingContextCancelsItsTasks();
    void futureWatcherSignals();
    void openDialogResult();
    void openDialogCancelRejects();
};

void TestQtHelpers::signalValues()
{
    Loop loop;
    Emitter e;
    auto body = [&]() -> Coro<QString> {
        loop.callSoon([&] { Q_EMIT e.none(); });
        co_await signal(&e, &Emitter::none);
        loop.callSoon([&] { Q_EMIT e.one(QStringLiteral("hello")); });
        QString text = co_await signal(&e, &Emitter::one);
        loop.callSoon([&] { Q_EMIT e.two(7, QStringLiteral("seven")); });
        std::tuple<int, QString> both = co_await signal(&e, &Emitter::two);
        // A private signal (QTimer::timeout(QPrivateSignal)) awaits as Future<void>.
        QTimer timer;
        timer.start(5);
        Future<void> tick = signal(&timer, &QTimer::timeout);
        co_await tick;
        co_return text + QLatin1Char(' ') + QString::number(std::get<0>(both)) + QLatin1Char(' ')
            + std::get<1>(both);
    };
    QCOMPARE(run(loop, body()), QStringLiteral("hello 7 seven"));
    // Every connection is gone once its future is done.
    QCOMPARE(e.oneReceivers(), 0);
    QCOMPARE(e.noneReceivers(), 0);
}

void TestQtHelpers::signalTimeout()
{
    Loop loop;
    Emitter e;
    auto body = [&]() -> Coro<QStringList> {
        QStringList seen;
        const double t0 = loop.time();
        try {
            co_await signal(&e, &Emitter::one, 50ms);
            seen << QStringLiteral("no timeout");
        } catch (const TimeoutError &) {
            seen << QStringLiteral("timeout after>=0.04:%1").arg(loop.time() - t0 >= 0.04 ? QStringLiteral("true") : QStringLiteral("false"));
        }
        try {
            co_await signal(&e, &Emitter::none, 0.0);
        } catch (const TimeoutError &) {
            seen << QStringLiteral("timeout 0");
        }
        // Emitted in time: the value wins and the timer is cancelled.
        loop.callLater(0.01, [&] { Q_EMIT e.one(QStringLiteral("in time")); });
        QString v = co_await signal(&e, &Emitter::one, 2.0);
        seen << v;
        co_return seen;
    };
    QCOMPARE(run(loop, body()), (QStringList{QStringLiteral("timeout after>=0.04:true"),
                                            QStringLiteral("timeout 0"), QStringLiteral("in time")}));
    QCOMPARE(e.oneReceivers(), 0);
}

void TestQtHelpers::signalSenderDestroyed()
{
    Loop loop;
    auto *e = new Emitter;
    auto body = [&]() -> Coro<QString> {
        loop.callSoon([e] { delete e; });
        try {
            co_await signal(e, &Emitter::one);
        } catch (const RuntimeError &error) {
            co_return QString::fromUtf8(error.what());
        }
        co_return QStringLiteral("no error");
    };
    QCOMPARE(run(loop, body()),
             QStringLiteral("signal(): the sender was destroyed before it emitted the awaited signal"));
}

void TestQtHelpers::signalCancelDisconnects()
{
    Loop loop;
    Emitter e;
    int resumed = 0;
    auto waiter = [&]() -> Coro<void> {
        co_await signal(&e, &Emitter::one);
        ++resumed;
    };
    auto body = [&]() -> Coro<QString> {
        Task<void> task = createTask(waiter());
        co_await sleep(0);
        if (e.oneReceivers() != 1)
            co_return QStringLiteral("not connected");
        task.cancel();
        QString outcome;
        try {
            co_await task;
        } catch (const CancelledError &) {
            outcome = QStringLiteral("cancelled");
        }
        co_await sleep(0); // the done-callback disconnects
        Q_EMIT e.one(QStringLiteral("late"));
        co_await sleep(0);
        co_return outcome + QStringLiteral(" receivers=%1").arg(e.oneReceivers());
    };
    QCOMPARE(run(loop, body()), QStringLiteral("cancelled receivers=0"));
    QCOMPARE(resumed, 0);
    // A future nobody keeps disconnects at once.
    loop.callSoon([&] {
        (void)signal(&e, &Emitter::one);
        resumed = e.oneReceivers();
        loop.stop();
    });
    loop.runForever();
    QCOMPARE(resumed, 0);
    // A task still waiting on a signal when its loop is closed: the loop frees
    // the task, the future and the connection (clean under LSan).
    {
        Loop closing;
        Task<void> stuck = closing.createTask(waiter());
        closing.runUntilComplete(closing.createTask(sleep(0.01)));
        QCOMPARE(e.oneReceivers(), 1);
        closing.setExceptionHandler([](Loop &, const ExceptionContext &) {}); // "destroyed but pending"
        closing.close();
    }
    QCOMPARE(e.oneReceivers(), 0);
}

void TestQtHelpers::signalFromAnotherThread()
{
    Loop loop;
    Emitter e;
    std::thread emitter;
    auto body = [&]() -> Coro<bool> {
        Future<QString> f = signal(&e, &Emitter::one);
        emitter = std::thread([&e] { Q_EMIT e.one(QStringLiteral("from a thread")); });
        QString v = co_await f;
        co_return v == QStringLiteral("from a thread") && QThread::currentThread() == loop.thread();
    };
    const bool ok = run(loop, body());
    emitter.join();
    QVERIFY(ok);
}

void TestQtHelpers::signalBadInput()
{
    Loop loop;
    Emitter *none = nullptr;
    auto body = [&]() -> Coro<QStringList> {
        QStringList seen;
        seen << testutil::whatOf<ValueError>([&] { (void)signal(none, &Emitter::one); });
        Emitter e;
        seen << testutil::whatOf<ValueError>([&] { (void)signal(&e, &Emitter::one, std::nan("")); });
        co_return seen;
    };
    QCOMPARE(run(loop, body()), (QStringList{QStringLiteral("signal(): the sender is null"),
                                            QStringLiteral("signal(): the timeout is NaN")}));
}

void TestQtHelpers::connectStartsTaskPerEmission()
{
    Loop loop;
    Emitter sender;
    QObject context;
    QStringList log;
    int running = 0;
    // const QString & parameter: the argument is copied into the task.
    qaio::connect(&sender, &Emitter::one, &context, [&](const QString &text) -> Coro<void> {
        ++running;
        co_await sleep(0.01);
        log << text;
        --running;
    });
    // A coroutine slot on a private signal.
    QTimer timer;
    timer.setSingleShot(true);
    qaio::connect(&timer, &QTimer::timeout, &context, [&]() -> Coro<void> {
        co_await sleep(0);
        log << QStringLiteral("timer");
    });
    timer.start(0);
    auto body = [&]() -> Coro<int> {
        Q_EMIT sender.one(QStringLiteral("a"));
        Q_EMIT sender.one(QStringLiteral("b"));
        const int bound = int(tasksOf(&context).size());
        co_await sleep(0);
        const int concurrently = running;
        co_await sleep(0.05);
        co_return bound * 10 + concurrently;
    };
    QCOMPARE(run(loop, body()), 22); // two tasks bound, both running at once
    log.sort();
    QCOMPARE(log, (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("timer")}));
    QCOMPARE(tasksOf(&context).size(), 0);
}

void TestQtHelpers::connectSlotExceptionReachesHandler()
{
    Loop loop;
    HandlerLog handler(loop);
    Emitter sender;
    QObject context;
    qaio::connect(&sender, &Emitter::none, &context, []() -> Coro<void> {
        co_await sleep(0);
        throw ValueError("bad click");
    });
    auto body = [&]() -> Coro<void> {
        Q_EMIT sender.none();
        co_await sleep(0.02);
    };
    run(loop, body());
    QCOMPARE(handler.messages.size(), 1);
    QVERIFY2(handler.messages[0].contains(QLatin1String("Task exception was never retrieved")),
             qPrintable(handler.messages[0]));
    QVERIFY2(handler.messages[0].contains(QLatin1String("bad click")), qPrintable(handler.messages[0]));
}

// The lifetime test: an object is destroyed while its tasks are suspended on a
// socket read, a timer, a signal and a Future; every task ends cancelled,
// nothing runs the code after those co_awaits, and (under ASan) nothing touches
// freed memory or leaks.
void TestQtHelpers::destroyingContextCancelsItsTasks()
{
    Loop loop;
    HandlerLog handler(loop);
    auto *window = new QObject;
    auto other = std::make_unique<Emitter>();
    QStringList resumedInto;   // code after a co_await that must never run
    QStringList cancelled;
    Future<int> never(loop);
    std::shared_ptr<Server> server;
    std::optional<StreamWriter> peerWriter;

    auto onSocket = [&](QString host, quint16 port) -> Coro<void> {
        auto [reader, writer] = co_await openConnection(host, port);
        try {
            QByteArray data = co_await reader.read(10);
            resumedInto << QStringLiteral("socket");
        } catch (const CancelledError &) {
            cancelled << QStringLiteral("socket");
            throw;
        }
    };
    auto onTimer = [&]() -> Coro<void> {
        try {
            co_await sleep(30);
            resumedInto << QStringLiteral("timer");
        } catch (const CancelledError &) {
            cancelled << QStringLiteral("timer");
            throw;
        }
    };
    auto onSignal = [&]() -> Coro<void> {
        try {
            co_await signal(other.get(), &Emitter::one);
            resumedInto << QStringLiteral("signal");
        } catch (const CancelledError &) {
            cancelled << QStringLiteral("signal");
            throw;
        }
    };
    auto onFuture = [&]() -> Coro<void> {
        try {
            co_await never;
            resumedInto << QStringLiteral("future");
        } catch (const CancelledError &) {
            cancelled << QStringLiteral("future");
            throw;
        }
    };
    // A coroutine slot suspended too.
    qaio::connect(other.get(), &Emitter::none, window, [&]() -> Coro<void> {
        try {
            co_await sleep(30);
            resumedInto << QStringLiteral("slot");
        } catch (const CancelledError &) {
            cancelled << QStringLiteral("slot");
            throw;
        }
    });

    auto body = [&]() -> Coro<QString> {
        ClientConnected silent = [&](StreamReader, StreamWriter w) -> Coro<void> {
            peerWriter = w; // keep the connection open, send nothing
            co_return;
        };
        server = co_await startServer(silent, QStringLiteral("127.0.0.1"), 0);
        const quint16 port = server->sockets().first().port();
        QList<TaskBase> tasks;
        tasks << TaskBase(createTask(window, onSocket(QStringLiteral("127.0.0.1"), port)));
        tasks << TaskBase(createTask(window, onTimer()));
        tasks << TaskBase(createTask(window, onSignal()));
        tasks << TaskBase(createTask(window, onFuture()));
        Q_EMIT other->none();
        co_await sleep(0.1); // all suspended now (the socket one connected)
        const auto bound = tasksOf(window).size();
        delete window;
        window = nullptr;
        // Whatever happens next must not resume into the window's code.
        Q_EMIT other->one(QStringLiteral("too late"));
        if (!never.done()) // the cancelled task cancelled it, as in asyncio
            never.setResult(1);
        co_await sleep(0.05);
        int cancelledCount = 0;
        for (TaskBase &t : tasks)
            cancelledCount += t.cancelled() ? 1 : 0;
        peerWriter->close(); // waitClosed() waits for the server's connections (3.12)
        server->close();
        co_await server->waitClosed();
        co_return QStringLiteral("bound=%1 cancelled=%2").arg(bound).arg(cancelledCount);
    };
    QCOMPARE(run(loop, body()), QStringLiteral("bound=5 cancelled=4"));
    cancelled.sort();
    QCOMPARE(cancelled, (QStringList{QStringLiteral("future"), QStringLiteral("signal"), QStringLiteral("slot"),
                                     QStringLiteral("socket"), QStringLiteral("timer")}));
    QCOMPARE(resumedInto, QStringList());
    QCOMPARE(other->oneReceivers(), 0);
    QCOMPARE(handler.messages, QStringList());
}

void TestQtHelpers::futureWatcherSignals()
{
    Loop loop;
    HandlerLog handler(loop);
    auto fails = []() -> Coro<int> {
        co_await sleep(0);
        throw TimeoutError(QStringLiteral("too slow"));
    };
    auto succeeds = []() -> Coro<int> {
        co_await sleep(0);
        co_return 5;
    };
    auto body = [&]() -> Coro<QStringList> {
        QStringList seen;
        FutureWatcher ok(createTask(succeeds()));
        FutureWatcher bad(createTask(fails()));
        FutureWatcher stopped(createTask(sleep(30)));
        for (FutureWatcher *w : {&ok, &bad, &stopped}) {
            const QString name = w == &ok ? QStringLiteral("ok") : w == &bad ? QStringLiteral("bad")
                                                                              : QStringLiteral("stopped");
            QObject::connect(w, &FutureWatcher::succeeded, w, [&seen, name] { seen << name + QStringLiteral(":succeeded"); });
            QObject::connect(w, &FutureWatcher::failed, w,
                             [&seen, name](const QString &m) { seen << name + QStringLiteral(":failed ") + m; });
            QObject::connect(w, &FutureWatcher::cancelled, w, [&seen, name] { seen << name + QStringLiteral(":cancelled"); });
            QObject::connect(w, &FutureWatcher::finished, w, [&seen, name] { seen << name + QStringLiteral(":finished"); });
        }
        QMetaObject::invokeMethod(&stopped, "cancel"); // a slot
        seen << QStringLiteral("pending=%1").arg(ok.isPending());
        co_await sleep(0.02);
        seen << QStringLiteral("done=%1 cancelled=%2 error=%3")
                    .arg(ok.isDone())
                    .arg(stopped.isCancelled())
                    .arg(bad.errorString());
        co_return seen;
    };
    QStringList seen = run(loop, body());
    QCOMPARE(seen.first(), QStringLiteral("pending=1"));
    QCOMPARE(seen.last(), QStringLiteral("done=1 cancelled=1 error=qaio::TimeoutError: too slow"));
    QVERIFY(seen.contains(QStringLiteral("ok:succeeded")));
    QVERIFY(seen.contains(QStringLiteral("bad:failed qaio::TimeoutError: too slow")));
    QVERIFY(seen.contains(QStringLiteral("stopped:cancelled")));
    QCOMPARE(seen.count(QStringLiteral("ok:finished")) + seen.count(QStringLiteral("bad:finished"))
                 + seen.count(QStringLiteral("stopped:finished")),
             3);
    // finished() comes after the specific signal.
    QVERIFY(seen.indexOf(QStringLiteral("bad:failed qaio::TimeoutError: too slow"))
            < seen.indexOf(QStringLiteral("bad:finished")));
    // The watcher retrieved the exception: nothing logged as never retrieved.
    QCOMPARE(handler.messages, QStringList());
}

void TestQtHelpers::openDialogResult()
{
    Loop loop;
    QWidget window;
    window.show();
    QDialog dialog(&window);
    int levelInside = -1;
    bool visibleInside = false;
    Qt::WindowModality modality = Qt::NonModal;
    auto body = [&]() -> Coro<int> {
        const int levelBefore = QThread::currentThread()->loopLevel();
        loop.callLater(0.02, [&] {
            // The loop runs on while the dialog is open, at the same level: no nested loop.
            levelInside = QThread::currentThread()->loopLevel() - levelBefore;
            visibleInside = dialog.isVisible();
            modality = dialog.windowModality();
            dialog.done(5);
        });
        int r = co_await openDialog(&dialog);
        co_return r;
    };
    QCOMPARE(run(loop, body()), 5);
    QCOMPARE(levelInside, 0);
    QVERIFY(visibleInside);
    QCOMPARE(modality, Qt::WindowModal);
    QVERIFY(!dialog.isVisible());
}

void TestQtHelpers::openDialogCancelRejects()
{
    Loop loop;
    QWidget window;
    window.show();
    QDialog dialog(&window);
    QSignalSpy rejected(&dialog, &QDialog::rejected);
    auto body = [&]() -> Coro<QString> {
        Task<int> task = createTask(openDialog(&dialog));
        co_await sleep(0.02);
        const bool wasVisible = dialog.isVisible();
        task.cancel();
        QString outcome;
        try {
            co_await task;
        } catch (const CancelledError &) {
            outcome = QStringLiteral("cancelled");
        }
        co_return outcome + QStringLiteral(" wasVisible=%1 visible=%2").arg(wasVisible).arg(dialog.isVisible());
    };
    QCOMPARE(run(loop, body()), QStringLiteral("cancelled wasVisible=1 visible=0"));
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
}

QTEST_MAIN(TestQtHelpers)
#include "tst_qt_helpers.moc"
