// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// demowindow.h — the Widgets demo: a window whose clock keeps ticking (a qaio
// task) while another task sits in a blocking modal QDialog::exec(), and a
// window-modal dialog awaited with openDialog, which blocks nothing.
#pragma once

#include <qaio/qaio.h>

#include <QtCore/QPointer>
#include <QtWidgets/QDialog>
#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE

class QLabel;
class QPushButton;
QT_END_NAMESPACE

namespace widgetsdemo {

class DemoWindow : public QWidget
{
    Q_OBJECT

public:
    explicit DemoWindow(qaio::Loop &loop, QWidget *parent = nullptr);
    ~DemoWindow() override;

    // Starts the clock task.
    void start();
    // Cancels every task (an open dialog is rejected) and waits for them.
    qaio::Coro<void> stop();

    // What the clicks start; the result is the dialog's result code.
    qaio::Task<int> openBlocking();
    qaio::Task<int> openWindowModal();

    int ticks() const { return m_ticks; }
    int lastResult() const { return m_lastResult; } // the last dialog's result code (-1: none yet)
    QDialog *dialog() const { return m_dialog; } // the one open now, if any
    QLabel *clock() const { return m_clock; }
    QLabel *status() const { return m_status; }
    QPushButton *execButton() const { return m_execButton; }
    QPushButton *openButton() const { return m_openButton; }

private:
    static qaio::Coro<void> tick(DemoWindow *self);
    static qaio::Coro<int> blocking(DemoWindow *self);
    static qaio::Coro<int> windowModal(DemoWindow *self);
    QDialog *makeDialog(const QString &text);
    template<class T>
    qaio::Task<T> track(qaio::Task<T> task)
    {
        std::erase_if(m_tasks, [](const qaio::TaskBase &t) { return t.done(); });
        m_tasks.push_back(qaio::TaskBase(task));
        return task;
    }

    qaio::Loop &m_loop;
    QLabel *m_clock;
    QLabel *m_status;
    QPushButton *m_execButton;
    QPushButton *m_openButton;
    QPointer<QDialog> m_dialog;
    std::vector<qaio::TaskBase> m_tasks;
    int m_ticks = 0;
    int m_lastResult = -1;
};

} // namespace widgetsdemo
