// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// processservice.h — a child process whose output streams live into a view:
// /bin/sh prints a numbered tick line every 100 ms; a task reads its stdout
// line by line (qaio::createSubprocessExec, a StreamReader on the pipe).
#pragma once

#include "linemodel.h"
#include "taskset.h"

#include <QtCore/QObject>
#include <QtCore/QStringList>

namespace flagship {

class ProcessService : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QAbstractItemModel *lines READ lines CONSTANT)
    Q_PROPERTY(int lineCount READ lineCount NOTIFY linesChanged)
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    Q_PROPERTY(qint64 pid READ pid NOTIFY runningChanged)

public:
    explicit ProcessService(qaio::Loop &loop, QObject *parent = nullptr);
    ~ProcessService() override;

    void start();
    // Cancels the reader, which terminates the child and waits for it to exit.
    qaio::Coro<void> stop();

    QAbstractItemModel *lines() const { return m_lines; }
    QStringList linesList() const { return m_lines->stringList(); }
    int lineCount() const { return m_lineCount; }
    bool running() const { return m_running; }
    qint64 pid() const { return m_pid; }

    // The shell loop the child runs.
    static QString script();

Q_SIGNALS:
    void linesChanged();
    void runningChanged();

private:
    static qaio::Coro<void> run(ProcessService *self);
    void addLine(const QString &line);

    qaio::Loop &m_loop;
    TaskSet m_tasks;
    LineModel *m_lines;
    int m_lineCount = 0;
    bool m_running = false;
    qint64 m_pid = 0;
};

} // namespace flagship
