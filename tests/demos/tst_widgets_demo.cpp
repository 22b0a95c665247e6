// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_widgets_demo — the Widgets demo driven like a user: the blocking modal
// dialog (a task in QDialog::exec()) is closed with its OK button while the
// clock task keeps updating the window; the window-modal dialog awaited with
// openDialog blocks nothing and reports the button pressed; cancelling the
// awaiting task closes the dialog.
#include "demotestutil.h"
#include "demowindow.h"

#include <QtTest/QtTest>
#include <QtWidgets/QApplication>
#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>

using namespace widgetsdemo;

class TestWidgetsDemo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void blockingDialogKeepsTheClockTicking();
    void windowModalDialogIsAwaited();
    void cancellingTheAwaitingTaskClosesTheDialog();
};

namespace {
QPushButton *dialogButton(QDialog *dialog, QDialogButtonBox::StandardButton which)
{
    auto *box = dialog->findChild<QDialogButtonBox *>();
    return box ? box->button(which) : nullptr;
}
} // namespace

void TestWidgetsDemo::blockingDialogKeepsTheClockTicking()
{
    qaio::Loop loop;
    DemoWindow window(loop);
    window.show();
    window.start();
    // The task in exec() blocks its own step; the test's checks run as
    // timers, which the dialog's nested loop runs.
    int ticksAtOpen = -1, ticksAtClose = -1;
    QString clockAtOpen, clockAtClose;
    bool modal = false, clicked = false;
    std::function<void()> whenOpen = [&] {
        QDialog *d = window.dialog();
        if (!d || !d->isVisible()) {
            loop.callLater(0.01, whenOpen);
            return;
        }
        modal = QApplication::activeModalWidget() == d && d->isModal();
        ticksAtOpen = window.ticks();
        clockAtOpen = window.clock()->text();
        loop.callLater(0.4, [&] {
            QDialog *dialog = window.dialog();
            ticksAtClose = window.ticks();
            clockAtClose = window.clock()->text();
            if (QPushButton *ok = dialog ? dialogButton(dialog, QDialogButtonBox::Ok) : nullptr) {
                QTest::mouseClick(ok, Qt::LeftButton);
                clicked = true;
            }
        });
    };
    int result = -1;
    auto drive = [&]() -> qaio::Coro<void> {
        co_await qaio::sleep(0.05);
        loop.callSoon(whenOpen);
        QTest::mouseClick(window.execButton(), Qt::LeftButton); // starts the exec() task
        const bool finished = co_await demotest::waitUntil(
            [&] { return window.status()->text().startsWith(QStringLiteral("exec()")); });
        result = finished ? window.lastResult() : -1;
        co_await window.stop();
    };
    loop.runUntilComplete(drive());
    QVERIFY(clicked);
    QVERIFY(modal);
    QCOMPARE(result, int(QDialog::Accepted));
    // The clock advanced while the dialog was open, and the label showed it.
    QVERIFY2(ticksAtClose - ticksAtOpen >= 3, qPrintable(QStringLiteral("%1 -> %2").arg(ticksAtOpen).arg(ticksAtClose)));
    QVERIFY(clockAtClose != clockAtOpen);
    QVERIFY(window.status()->text().startsWith(QStringLiteral("exec() returned 1")));
}

void TestWidgetsDemo::windowModalDialogIsAwaited()
{
    qaio::Loop loop;
    DemoWindow window(loop);
    window.show();
    window.start();
    int result = -1, ticksOpen = -1, ticksLater = -1;
    bool windowModal = false, taskPendingWhileOpen = false;
    auto drive = [&]() -> qaio::Coro<void> {
        co_await qaio::sleep(0.05);
        QTest::mouseClick(window.openButton(), Qt::LeftButton);
        co_await demotest::waitUntil([&] { return window.dialog() && window.dialog()->isVisible(); });
        QDialog *dialog = window.dialog();
        windowModal = dialog->windowModality() == Qt::WindowModal;
        ticksOpen = window.ticks();
        co_await qaio::sleep(0.3); // this task too runs while the dialog is open
        ticksLater = window.ticks();
        taskPendingWhileOpen = dialog->isVisible();
        QTest::mouseClick(dialogButton(dialog, QDialogButtonBox::Cancel), Qt::LeftButton);
        co_await demotest::waitUntil([&] { return window.status()->text().startsWith(QStringLiteral("openDialog")); });
        co_await window.stop();
    };
    loop.runUntilComplete(drive());
    QVERIFY(windowModal);
    QVERIFY(taskPendingWhileOpen);
    QVERIFY(ticksLater - ticksOpen >= 3);
    QVERIFY2(window.status()->text().startsWith(QStringLiteral("openDialog returned 0")),
             qPrintable(window.status()->text()));
    result = window.lastResult();
    QCOMPARE(result, int(QDialog::Rejected));
}

void TestWidgetsDemo::cancellingTheAwaitingTaskClosesTheDialog()
{
    qaio::Loop loop;
    DemoWindow window(loop);
    window.show();
    window.start();
    bool cancelled = false, closed = false;
    auto drive = [&]() -> qaio::Coro<void> {
        qaio::Task<int> task = window.openWindowModal();
        co_await demotest::waitUntil([&] { return window.dialog() && window.dialog()->isVisible(); });
        QPointer<QDialog> dialog = window.dialog();
        task.cancel();
        try {
            co_await task;
        } catch (const qaio::CancelledError &) {
            cancelled = true;
        }
        closed = !dialog || !dialog->isVisible();
        co_await window.stop();
    };
    loop.runUntilComplete(drive());
    QVERIFY(cancelled);
    QVERIFY(closed);
    QCOMPARE(window.status()->text(), QStringLiteral("no dialog yet"));
}

QTEST_MAIN(TestWidgetsDemo)
#include "tst_widgets_demo.moc"
