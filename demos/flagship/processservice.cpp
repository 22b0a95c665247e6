// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
#include "processservice.h"


namespace flagship {

namespace {
constexpr int kMaxLines = 200;
}

ProcessService::ProcessService(qaio::Loop &loop, QObject *parent)
    : QObject(parent), m_loop(loop), m_lines(new LineModel(kMaxLines, this))
{
}

ProcessService::~ProcessService() = default;

QString ProcessService::script()
{
    return QStringLiteral("i=0; while :; do i=$((i+1)); echo \"tick $i  pid $$  $(date +%H:%M:%S)\"; sleep 0.1; done");
}

void ProcessService::start()
{
    m_tasks.add(qaio::createTask(m_loop, run(this), QStringLiteral("process")));
}

// asyncio's
//     proc = await create_subprocess_exec("/bin/sh", "-c", script, stdout=PIPE)
//     async for line in proc.stdout: ...
// On cancellation (shutdown) the child is terminated and reaped.
qaio::Coro<void> ProcessService::run(ProcessService *self)
{
    qaio::SubprocessOptions options;
    options.stdOut = qaio::Redirect::Pipe;
    const QStringList arguments = {QStringLiteral("-c"), script()};
    qaio::Process process = co_await qaio::createSubprocessExec(QStringLiteral("/bin/sh"), arguments, options);
    self->m_pid = process.pid();
    self->m_running = true;
    Q_EMIT self->runningChanged();
    qaio::StreamReader out = *process.stdOut();
    std::exception_ptr error;
    try {
        for (;;) {
            std::optional<QByteArray> line = co_await out.nextLine();
            if (!line)
                break;
            self->addLine(QString::fromUtf8(line->trimmed()));
        }
        co_await process.wait();
    } catch (...) {
        error = std::current_exception();
    }
    if (error && !process.returncode()) {
        // Cancelled (or the pipe failed): SIGTERM, and reap the child.
        process.terminate();
        try {
            co_await qaio::waitFor(process.wait(), 2.0);
        } catch (const qaio::TimeoutError &) {
            process.kill();
        }
    }
    self->m_running = false;
    Q_EMIT self->runningChanged();
    if (error)
        std::rethrow_exception(error);
}

void ProcessService::addLine(const QString &line)
{
    m_lines->append(line);
    ++m_lineCount;
    Q_EMIT linesChanged();
}

qaio::Coro<void> ProcessService::stop()
{
    co_await m_tasks.cancelAndWait();
}

} // namespace flagship
