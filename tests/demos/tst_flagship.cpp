// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_flagship — the flagship demo driven like a user on the offscreen
// platform: typing into the search field (earlier lookups are cancelled, the
// last one's words are shown), the executor job's Cancel button, the chat
// field, the child process view, the window's rendering, and the graceful
// shutdown.
#include "demotestutil.h"
#include "flagship.h"

#include <QtGui/QImage>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickWindow>
#include <QtTest/QtTest>

#include <csignal>
#include <set>

using namespace flagship;

class TestFlagship : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void searchAsYouTypeCancelsEarlierLookups();
    void cancelButtonStopsTheExecutorJob();
    void chatAndProcessStreamIntoTheirViews();
    void windowRendersNonBlank();
    void shutdownCancelsTasksAndClosesServers();
    void signalShutsTheProgramDownCleanly_data();
    void signalShutsTheProgramDownCleanly();
};

namespace {
QStringList viewTexts(QQuickItem *view)
{
    // The delegates' texts (ListView's contentItem holds the delegates).
    QStringList texts;
    auto *content = qvariant_cast<QQuickItem *>(view->property("contentItem"));
    for (QQuickItem *child : content->childItems())
        if (child->property("text").isValid())
            texts << child->property("text").toString();
    return texts;
}
} // namespace

void TestFlagship::searchAsYouTypeCancelsEarlierLookups()
{
    qaio::Loop loop;
    Flagship demo(loop, {.bots = 1, .searchLatency = 0.15});
    QVERIFY(demo.load());
    QQuickItem *field = demo.item(QStringLiteral("searchField"));
    QQuickItem *results = demo.item(QStringLiteral("searchResults"));
    QQuickItem *status = demo.item(QStringLiteral("searchStatus"));
    QVERIFY(field && results && status);
    bool settled = false;
    auto body = [&]() -> qaio::Coro<void> {
        demo.start();
        // Keystrokes 20 ms apart, the server takes 150 ms: each one supersedes the last.
        co_await Flagship::typeText(demo.window(), field, QStringLiteral("mira"), 0.02);
        settled = co_await demotest::waitUntil([&] { return !demo.search()->busy(); });
        co_await qaio::sleep(0.05); // let QML apply the future's result
        co_await demo.stop();
    };
    loop.runUntilComplete(body());
    QVERIFY(settled);
    QCOMPARE(field->property("text").toString(), QStringLiteral("mira"));
    SearchService *s = demo.search();
    QCOMPARE(s->started(), 4);       // "m", "mi", "mir", "mira"
    QCOMPARE(s->cancelled(), 3);     // all but the last
    QCOMPARE(s->completed(), 1);
    QCOMPARE(s->query(), QStringLiteral("mira"));
    const QVariantMap expected = SearchService::lookupLocally(SearchService::makeWords(), QStringLiteral("mira"));
    QCOMPARE(s->matches(), expected.value(QStringLiteral("matches")).toInt());
    QVERIFY(s->matches() > 0);
    QCOMPARE(s->results(), expected.value(QStringLiteral("words")).toStringList());
    // The QML view shows what the future delivered, and the counts.
    QCOMPARE(results->property("count").toInt(), int(s->results().size()));
    const QStringList shown = viewTexts(results);
    QVERIFY(!shown.isEmpty());
    for (const QString &w : shown)
        QVERIFY2(w.contains(QStringLiteral("mira")), qPrintable(w));
    QVERIFY2(status->property("text").toString().contains(QStringLiteral("3 cancelled")),
             qPrintable(status->property("text").toString()));
}

void TestFlagship::cancelButtonStopsTheExecutorJob()
{
    qaio::Loop loop;
    Flagship demo(loop, {.bots = 1, .primeLimit = 3'000'000});
    QVERIFY(demo.load());
    QQuickItem *start = demo.item(QStringLiteral("primesStart"));
    QQuickItem *cancel = demo.item(QStringLiteral("primesCancel"));
    QVERIFY(start && cancel);
    PrimeService *p = demo.primes();
    bool progressed = false, stopped = false;
    double progressAtCancel = 0;
    int chunksAfterCancel = 0, chunksLater = 0;
    auto body = [&]() -> qaio::Coro<void> {
        demo.start();
        co_await qaio::sleep(0.05);
        Flagship::click(demo.window(), start);
        progressed = co_await demotest::waitUntil([&] { return p->chunks() >= 3; });
        Flagship::click(demo.window(), cancel);
        progressAtCancel = p->progress();
        stopped = co_await demotest::waitUntil([&] { return !p->running(); }, 1.0);
        chunksAfterCancel = p->chunks();
        co_await qaio::sleep(0.3); // no chunk result arrives after the cancel
        chunksLater = p->chunks();
        co_await demo.stop();
    };
    loop.runUntilComplete(body());
    QVERIFY(progressed);
    QVERIFY(stopped);
    QCOMPARE(p->cancelled(), 1);
    QCOMPARE(p->completed(), 0);
    QVERIFY(progressAtCancel > 0 && progressAtCancel < 1);
    QVERIFY(p->progress() < 1);
    QCOMPARE(chunksLater, chunksAfterCancel);
    QVERIFY(!cancel->isEnabled()); // the button follows `running`
}

void TestFlagship::chatAndProcessStreamIntoTheirViews()
{
    qaio::Loop loop;
    Flagship demo(loop, {.bots = 2});
    QVERIFY(demo.load());
    QQuickItem *chatField = demo.item(QStringLiteral("chatField"));
    QQuickItem *chatView = demo.item(QStringLiteral("chatView"));
    QQuickItem *processView = demo.item(QStringLiteral("processView"));
    QVERIFY(chatField && chatView && processView);
    bool flowing = false, echoed = false;
    auto body = [&]() -> qaio::Coro<void> {
        demo.start();
        flowing = co_await demotest::waitUntil(
            [&] { return demo.chat()->clients() == 3 && demo.process()->lineCount() >= 5; });
        co_await Flagship::typeText(demo.window(), chatField, QStringLiteral("hello room\n"), 0.005);
        echoed = co_await demotest::waitUntil(
            [&] { return demo.chat()->messagesList().contains(QStringLiteral("you: hello room")); });
        co_await demo.stop();
    };
    loop.runUntilComplete(body());
    QVERIFY(flowing);
    QVERIFY(echoed);
    QCOMPARE(chatField->property("text").toString(), QString()); // the field was cleared on Enter
    // The server relayed the join lines and the bots' chatter to "you".
    const QStringList messages = demo.chat()->messagesList();
    QVERIFY(messages.contains(QStringLiteral("* you joined")));
    QVERIFY(demo.chat()->sent() >= 1);
    QCOMPARE(chatView->property("count").toInt(), int(messages.size()));
    // The child's lines arrive in order: "tick 1", "tick 2", ...
    const QStringList lines = demo.process()->linesList();
    QVERIFY(lines.size() >= 5);
    for (int i = 0; i < 5; ++i)
        QVERIFY2(lines[i].startsWith(QStringLiteral("tick %1 ").arg(i + 1)), qPrintable(lines[i]));
    QCOMPARE(processView->property("count").toInt(), int(lines.size()));
}

void TestFlagship::windowRendersNonBlank()
{
    qaio::Loop loop;
    Flagship demo(loop, {.bots = 2});
    QVERIFY(demo.load());
    QImage image;
    auto body = [&]() -> qaio::Coro<void> {
        demo.start();
        co_await demotest::waitUntil([&] { return demo.process()->lineCount() >= 3; });
        image = demo.window()->grabWindow();
        co_await demo.stop();
    };
    loop.runUntilComplete(body());
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), demo.window()->size() * demo.window()->devicePixelRatio());
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4)
            colours.insert(image.pixel(x, y) & 0xffffff);
    QVERIFY2(colours.size() >= 20, qPrintable(QString::number(colours.size())));
    // The four panes' accents are there.
    for (QRgb accent : {0x7aa2f7u, 0x9ece6au, 0xe0af68u, 0xf7768eu})
        QVERIFY2(colours.count(accent), qPrintable(QString::number(accent, 16)));
    if (qEnvironmentVariableIsSet("QAIO_DEMO_SCREENSHOT"))
        image.save(qEnvironmentVariable("QAIO_DEMO_SCREENSHOT"));
}

void TestFlagship::shutdownCancelsTasksAndClosesServers()
{
    qaio::Loop loop;
    Flagship demo(loop, {.bots = 3});
    QVERIFY(demo.load());
    quint16 chatPort = 0;
    bool up = false;
    int pendingAfter = -1;
    bool refused = false;
    auto body = [&]() -> qaio::Coro<void> {
        demo.start();
        auto *start = demo.item(QStringLiteral("primesStart"));
        Flagship::click(demo.window(), start);
        demo.search()->search(QStringLiteral("ka"));
        up = co_await demotest::waitUntil(
            [&] { return demo.chat()->clients() == 4 && demo.process()->running() && demo.primes()->running(); });
        chatPort = demo.chat()->port();
        co_await demo.stop();
        pendingAfter = int(qaio::allTasks(loop).size()) - 1; // minus this task
        try {
            auto conn = co_await qaio::openConnection(QStringLiteral("127.0.0.1"), chatPort);
            conn.second.close();
        } catch (const std::system_error &e) {
            refused = e.code() == std::errc::connection_refused;
        }
    };
    loop.runUntilComplete(body());
    QVERIFY(up);
    QCOMPARE(pendingAfter, 0);
    QVERIFY(refused);
    QVERIFY(!demo.process()->running());
    QVERIFY(!demo.primes()->running());
    QCOMPARE(demo.chat()->clients(), 0);
}

void TestFlagship::signalShutsTheProgramDownCleanly_data()
{
    QTest::addColumn<int>("sig");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT (Ctrl+C)") << int(SIGINT);
}

// The real executable, interactive mode: once everything runs, a signal
// cancels the tasks, waits for them, closes the servers, and it exits 0.
void TestFlagship::signalShutsTheProgramDownCleanly()
{
    QFETCH(int, sig);
    QProcess demo;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    demo.setProcessEnvironment(env);
    demo.setProcessChannelMode(QProcess::SeparateChannels);
    demo.start(QStringLiteral(QAIO_FLAGSHIP_BIN), {});
    QVERIFY(demo.waitForStarted());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += demo.readAllStandardOutput()).contains("qaio-flagship on"), 10000);
    QTest::qWait(500); // the services are up
    ::kill(pid_t(demo.processId()), sig);
    QVERIFY(demo.waitForFinished(10000));
    out += demo.readAllStandardOutput();
    QCOMPARE(demo.exitStatus(), QProcess::NormalExit);
    QCOMPARE(demo.exitCode(), 0);
    QVERIFY2(out.contains("shutting down") && out.contains("clean exit"), out.constData());
    const QByteArray err = demo.readAllStandardError();
    QVERIFY2(!err.contains("Task was destroyed but it is pending"), err.constData());
    QVERIFY2(!err.contains("never retrieved"), err.constData());
}

QTEST_MAIN(TestFlagship)
#include "tst_flagship.moc"
