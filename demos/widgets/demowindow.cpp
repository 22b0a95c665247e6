// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
#include "demowindow.h"

#include <QtCore/QDateTime>
#include <QtWidgets/QDialog>
#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

namespace widgetsdemo {


DemoWindow::DemoWindow(qaio::Loop &loop, QWidget *parent) : QWidget(parent), m_loop(loop)
{
    setWindowTitle(QStringLiteral("qaio widgets demo"));
    m_clock = new QLabel(this);
    m_clock->setObjectName(QStringLiteral("clock"));
    m_clock->setStyleSheet(QStringLiteral("font: bold 20px monospace"));
    m_status = new QLabel(QStringLiteral("no dialog yet"), this);
    m_status->setObjectName(QStringLiteral("status"));
    m_execButton = new QPushButton(QStringLiteral("Blocking modal dialog (QDialog::exec in a task)"), this);
    m_execButton->setObjectName(QStringLiteral("execButton"));
    m_openButton = new QPushButton(QStringLiteral("Window-modal dialog (co_await openDialog)"), this);
    m_openButton->setObjectName(QStringLiteral("openButton"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_clock);
    layout->addWidget(m_execButton);
    layout->addWidget(m_openButton);
    layout->addWidget(m_status);
    connect(m_execButton, &QPushButton::clicked, this, [this] { openBlocking(); });
    connect(m_openButton, &QPushButton::clicked, this, [this] { openWindowModal(); });
    resize(480, 200);
}

DemoWindow::~DemoWindow()
{
    for (auto &t : m_tasks)
        if (!t.done())
            t.cancel();
}

void DemoWindow::start()
{
    track(qaio::createTask(m_loop, tick(this), QStringLiteral("clock")));
}

qaio::Coro<void> DemoWindow::tick(DemoWindow *self)
{
    for (;;) {
        ++self->m_ticks;
        self->m_clock->setText(QStringLiteral("tick %1   %2")
                                   .arg(self->m_ticks)
                                   .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz"))));
        co_await qaio::sleep(0.05);
    }
}

QDialog *DemoWindow::makeDialog(const QString &text)
{
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QStringLiteral("qaio dialog"));
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(new QLabel(text, dialog));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    m_dialog = dialog;
    return dialog;
}

qaio::Task<int> DemoWindow::openBlocking()
{
    return track(qaio::createTask(m_loop, blocking(this), QStringLiteral("exec-dialog")));
}

qaio::Task<int> DemoWindow::openWindowModal()
{
    return track(qaio::createTask(m_loop, windowModal(this), QStringLiteral("open-dialog")));
}

// QDialog::exec() blocks this task's step in a nested Qt loop; that nested
// loop runs qaio, so the clock task keeps ticking behind the dialog.
qaio::Coro<int> DemoWindow::blocking(DemoWindow *self)
{
    QPointer<QDialog> dialog = self->makeDialog(
        QStringLiteral("A blocking modal dialog: this task waits in QDialog::exec().\nThe clock keeps ticking."));
    const int ticksBefore = self->m_ticks;
    const int result = dialog->exec();
    self->m_lastResult = result;
    self->m_status->setText(QStringLiteral("exec() returned %1; the clock ticked %2 times meanwhile")
                                .arg(result)
                                .arg(self->m_ticks - ticksBefore));
    co_return result;
}

// open() shows a window-modal dialog and returns; the task awaits finished(int).
qaio::Coro<int> DemoWindow::windowModal(DemoWindow *self)
{
    QDialog *dialog = self->makeDialog(
        QStringLiteral("A window-modal dialog awaited with openDialog: nothing is blocked."));
    const int ticksBefore = self->m_ticks;
    const int result = co_await qaio::openDialog(dialog);
    self->m_lastResult = result;
    self->m_status->setText(QStringLiteral("openDialog returned %1; the clock ticked %2 times meanwhile")
                                .arg(result)
                                .arg(self->m_ticks - ticksBefore));
    co_return result;
}

qaio::Coro<void> DemoWindow::stop()
{
    if (m_dialog)
        m_dialog->reject(); // a task in exec() returns from it
    std::vector<qaio::TaskBase> tasks = std::exchange(m_tasks, {});
    std::erase_if(tasks, [](const qaio::TaskBase &t) { return t.done(); });
    for (auto &t : tasks)
        t.cancel(QStringLiteral("shutting down"));
    if (!tasks.empty())
        co_await qaio::wait(std::move(tasks));
}

} // namespace widgetsdemo
