#include "processservice.h"

#include <QtCore/QProcess>

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

// Stand-in until qaio's createSubprocessExec lands: a QProcess whose
// readyRead feeds a qaio queue the task reads line by line.
qaio::Coro<void> ProcessService::run(ProcessService *self)
{
    auto process = std::make_shared<QProcess>();
    auto lines = std::make_shared<qaio::Queue<QByteArray>>();
    QObject::connect(process.get(), &QProcess::readyReadStandardOutput, process.get(), [p = process.get(), lines] {
        while (p->canReadLine())
            lines->putNowait(p->readLine());
    });
    QObject::connect(process.get(), &QProcess::finished, process.get(), [lines] { lines->shutdown(); });
    process->start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script()});
    self->m_pid = process->processId();
    self->m_running = true;
    Q_EMIT self->runningChanged();
    try {
        for (;;) {
            QByteArray line = co_await lines->get();
            self->addLine(QString::fromUtf8(line.trimmed()));
        }
    } catch (const qaio::QueueShutDown &) {
    } catch (...) {
        process->disconnect();
        process->terminate();
        process->waitForFinished(1000);
        self->m_running = false;
        Q_EMIT self->runningChanged();
        throw;
    }
    self->m_running = false;
    Q_EMIT self->runningChanged();
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
