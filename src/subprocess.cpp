// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// subprocess.cpp — asyncio's base_subprocess.py and subprocess.py on QProcess.
//
// One QProcess per child, owned by a QProcessTransport that lives on the loop's
// thread. QProcess's signals never call user code directly: each one only
// schedules a loop callback (callSoon), so protocol callbacks run from the
// loop as asyncio's do, and nothing can destroy the QProcess while it emits.
#include <qaio/subprocess.h>

#include "loop_ref.h"
#include "os_errors.h"
#include "transport_util.h"

#include <qaio/gather.h>

#include <QtCore/qdir.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qstandardpaths.h>
#include <QtCore/qtimer.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

#include <sys/types.h>
#include <unistd.h>

namespace qaio {

void SubprocessProtocol::pipeDataReceived(int, const QByteArray &) {}
void SubprocessProtocol::pipeConnectionLost(int, std::exception_ptr) {}
void SubprocessProtocol::processExited() {}

namespace detail {

namespace {

// QProcess reports a failed exec as text ("execve: No such file or
// directory"); turn it back into the errno it came from.
int errnoFromQProcessMessage(const QString &message)
{
    static const int candidates[] = {ENOENT, EACCES, ENOEXEC, ENOTDIR, E2BIG,  ENOMEM,
                                     ELOOP,  ENAMETOOLONG, ETXTBSY, EPERM, EISDIR, EMFILE};
    for (int candidate : candidates) {
        if (message.contains(QString::fromLocal8Bit(std::strerror(candidate))))
            return candidate;
    }
    return EIO;
}

} // namespace

class QProcessTransport;

// One of the child's pipes: fd 0 is written (QProcess's write buffer gives
// the flow control), fd 1 and 2 are read (QProcess's read buffers hold what
// a paused pipe has not delivered yet).
class SubprocessPipeTransport final : public Transport, public std::enable_shared_from_this<SubprocessPipeTransport>
{
public:
    SubprocessPipeTransport(std::weak_ptr<QProcessTransport> owner, int fd) : m_owner(std::move(owner)), m_fd(fd) {}

    QVariant getExtraInfo(const QString &name, const QVariant &defaultValue) const override
    {
        if (name == QLatin1String("pipe"))
            return m_fd;
        return defaultValue;
    }
    bool isClosing() const override { return m_closing || m_lost; }
    void close() override;
    void setProtocol(std::shared_ptr<BaseProtocol>) override
    {
        throw RuntimeError("a subprocess pipe transport reports to the subprocess protocol; it cannot be replaced");
    }
    std::shared_ptr<BaseProtocol> getProtocol() const override;
    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }

    // ---- read side (fd 1, 2) ----
    bool isReading() const override { return m_fd != 0 && !m_paused && !m_lost && !m_closing; }
    void pauseReading() override;
    void resumeReading() override;

    // ---- write side (fd 0) ----
    void write(const QByteArray &data) override;
    void writeEof() override { close(); }
    bool canWriteEof() const override { return m_fd == 0; }
    void abort() override;
    void setWriteBufferLimits(std::optional<qsizetype> high, std::optional<qsizetype> low) override;
    std::pair<qsizetype, qsizetype> getWriteBufferLimits() const override { return m_flow.get(); }
    qsizetype getWriteBufferSize() const override;

    int fd() const { return m_fd; }
    bool lost() const { return m_lost; }
    bool paused() const { return m_paused; }

    // Called by the owner.
    void bytesWritten();
    void markLost(std::exception_ptr error); // calls pipeConnectionLost once
    bool eofPending = false;                  // the child is gone; deliver EOF on resume

private:
    void requireWritePipe(const char *what) const;
    void maybePauseProtocol();

    std::weak_ptr<QProcessTransport> m_owner;
    int m_fd;
    bool m_closing = false;
    bool m_lost = false;
    bool m_paused = false;
    int m_writesAfterClose = 0;
    WriteFlowControl m_flow; // QProcess's write buffer against the water marks
};

class QProcessTransport final : public SubprocessTransport, public std::enable_shared_from_this<QProcessTransport>
{
public:
    QProcessTransport(Loop &loop, std::shared_ptr<SubprocessProtocol> protocol)
        : m_loop(loop), m_protocol(std::move(protocol)), m_process(new QProcess)
    {
    }
    ~QProcessTransport() override
    {
        QObject::disconnect(m_process, nullptr, nullptr, nullptr);
        if (m_process->state() != QProcess::NotRunning) {
            // Only when the loop went away with the child still running:
            // kill and reap it, so that no zombie is left.
            m_process->kill();
            m_process->waitForFinished(2000);
        }
        delete m_process;
    }

    void setup(const QString &program, const QStringList &arguments, const SubprocessOptions &options,
               Redirect in, Redirect out, Redirect err);
    Coro<void> start(std::shared_ptr<QProcessTransport> self);

    // ---- BaseTransport ----
    QVariant getExtraInfo(const QString &name, const QVariant &defaultValue) const override
    {
        if (name == QLatin1String("subprocess") || name == QLatin1String("pid"))
            return m_pid;
        return defaultValue;
    }
    bool isClosing() const override { return m_closed; }
    void close() override;
    void setProtocol(std::shared_ptr<BaseProtocol> protocol) override
    {
        auto typed = std::dynamic_pointer_cast<SubprocessProtocol>(protocol);
        if (!typed)
            throw TypeError("SubprocessTransport::setProtocol(): the protocol must be a SubprocessProtocol");
        m_protocol = std::move(typed);
    }
    std::shared_ptr<BaseProtocol> getProtocol() const override { return m_protocol; }
    std::shared_ptr<BaseTransport> sharedSelf() override { return shared_from_this(); }

    // ---- SubprocessTransport ----
    qint64 getPid() const override { return m_pid; }
    std::shared_ptr<BaseTransport> getPipeTransport(int fd) const override
    {
        if (fd < 0 || fd > 2)
            return nullptr;
        return m_pipes[fd];
    }
    std::optional<int> getReturncode() const override { return m_returncode; }
    void sendSignal(int signal) override;
    void terminate() override { sendSignal(SIGTERM); }
    void kill() override { sendSignal(SIGKILL); }
    Future<int> exited() override
    {
        Future<int> waiter = m_loop.openLoop().createFuture<int>();
        if (m_returncode)
            waiter.setResult(*m_returncode);
        else
            m_exitWaiters.push_back(waiter);
        return waiter;
    }

    // ---- for the pipes ----
    QProcess *process() const { return m_process; }
    const LoopRef &loopRef() const { return m_loop; }
    const std::shared_ptr<SubprocessProtocol> &protocol() const { return m_protocol; }
    void scheduleDelivery(int fd);
    void pipeLost(int fd, std::exception_ptr error);
    // pipeLost(fd, nullptr) from the loop, as asyncio's call_soon(_call_connection_lost).
    void schedulePipeLost(int fd)
    {
        auto self = shared_from_this();
        post([self, fd] { self->pipeLost(fd, nullptr); });
    }
    bool connected() const { return m_connected; }

    // callSoon, unless the loop was closed meanwhile (QProcess may still
    // emit then; the Loop may even be gone).
    template<class F>
    void post(F &&callback)
    {
        if (!m_loop.isClosed()) {
            m_loop.openLoop().callSoon(std::forward<F>(callback));
        } else if (m_exitSeen && m_self) {
            // The child exited after its loop closed: nothing will report it,
            // so drop the loop's reference, from a Qt timer rather than
            // inside QProcess's own signal.
            auto keep = std::exchange(m_self, nullptr);
            QTimer::singleShot(0, [keep] {});
        }
    }

private:
    void onReadyRead(int fd);
    void deliver(int fd);
    void onFinished();
    void abandon();
    void tryFinish();
    void checkProc(const char *what) const;

    LoopRef m_loop;
    std::shared_ptr<SubprocessProtocol> m_protocol;
    QProcess *m_process;
    std::shared_ptr<SubprocessPipeTransport> m_pipes[3];
    std::shared_ptr<QProcessTransport> m_self; // the loop's reference until connectionLost
    std::vector<Future<int>> m_exitWaiters;
    Future<void> m_startWaiter;
    std::optional<int> m_returncode;
    int m_exitCode = 0;
    qint64 m_pid = 0;
    bool m_connected = false;
    bool m_exitSeen = false;      // QProcess said finished
    bool m_finished = false;      // connectionLost ran
    bool m_closed = false;
    bool m_abandoned = false;     // subprocessExec was cancelled while starting
    bool m_deliveryScheduled[3] = {false, false, false};
};

// ---------------------------------------------------------------- SubprocessPipeTransport

std::shared_ptr<BaseProtocol> SubprocessPipeTransport::getProtocol() const
{
    auto owner = m_owner.lock();
    return owner ? owner->getProtocol() : nullptr;
}

void SubprocessPipeTransport::requireWritePipe(const char *what) const
{
    if (m_fd != 0)
        throw RuntimeError(QStringLiteral("%1: the child's fd %2 is a read pipe").arg(QLatin1String(what)).arg(m_fd));
}

void SubprocessPipeTransport::close()
{
    if (m_closing || m_lost)
        return;
    m_closing = true;
    auto owner = m_owner.lock();
    if (!owner) {
        m_lost = true;
        return;
    }
    QProcess *process = owner->process();
    if (m_fd == 0) {
        // Flushes QProcess's buffer, then closes the pipe (asyncio's write_eof).
        process->closeWriteChannel();
        if (process->bytesToWrite() == 0)
            owner->schedulePipeLost(0);
    } else {
        process->closeReadChannel(m_fd == 1 ? QProcess::StandardOutput : QProcess::StandardError);
        owner->schedulePipeLost(m_fd);
    }
}

void SubprocessPipeTransport::abort()
{
    requireWritePipe("abort()");
    if (m_lost)
        return;
    auto owner = m_owner.lock();
    m_closing = true;
    if (!owner) {
        m_lost = true;
        return;
    }
    // QProcess cannot drop its write buffer; closing the channel at once is
    // the nearest thing (what is buffered may still be flushed by QProcess).
    owner->process()->closeWriteChannel();
    owner->schedulePipeLost(0);
}

void SubprocessPipeTransport::pauseReading()
{
    if (m_fd == 0)
        throw RuntimeError("pauseReading(): the child's stdin is a write pipe");
    if (m_closing || m_lost || m_paused)
        return;
    m_paused = true;
}

void SubprocessPipeTransport::resumeReading()
{
    if (m_fd == 0)
        throw RuntimeError("resumeReading(): the child's stdin is a write pipe");
    if (m_closing || m_lost || !m_paused)
        return;
    m_paused = false;
    // Data that arrived meanwhile is in QProcess's buffer: no new readyRead
    // will announce it, so deliver it now (from the loop).
    if (auto owner = m_owner.lock())
        owner->scheduleDelivery(m_fd);
}

void SubprocessPipeTransport::write(const QByteArray &data)
{
    requireWritePipe("write()");
    if (data.isEmpty())
        return;
    auto owner = m_owner.lock();
    if (!owner || m_closing || m_lost) {
        // As asyncio's pipe transport: dropped, with a warning now and then.
        if (++m_writesAfterClose == 5)
            qCWarning(lcQaio, "subprocess stdin: write() after the pipe was closed (data dropped)");
        return;
    }
    owner->process()->write(data);
    maybePauseProtocol();
}

qsizetype SubprocessPipeTransport::getWriteBufferSize() const
{
    if (m_fd != 0 || m_lost)
        return 0;
    auto owner = m_owner.lock();
    return owner ? qsizetype(owner->process()->bytesToWrite()) : 0;
}

void SubprocessPipeTransport::setWriteBufferLimits(std::optional<qsizetype> high, std::optional<qsizetype> low)
{
    requireWritePipe("setWriteBufferLimits()");
    m_flow.setLimits(high, low);
    maybePauseProtocol();
}

void SubprocessPipeTransport::maybePauseProtocol()
{
    if (auto owner = m_owner.lock())
        m_flow.maybePause(getWriteBufferSize(), owner->protocol().get(), owner->loopRef());
}

void SubprocessPipeTransport::bytesWritten()
{
    auto owner = m_owner.lock();
    if (!owner || m_lost)
        return;
    const qsizetype pending = owner->process()->bytesToWrite();
    m_flow.maybeResume(pending, owner->protocol().get(), owner->loopRef());
    if (m_closing && pending == 0)
        owner->pipeLost(0, nullptr);
}

void SubprocessPipeTransport::markLost(std::exception_ptr error)
{
    if (m_lost)
        return;
    m_lost = true;
    m_closing = true;
    auto owner = m_owner.lock();
    if (owner && owner->protocol())
        owner->protocol()->pipeConnectionLost(m_fd, error);
}

// ---------------------------------------------------------------- QProcessTransport

void QProcessTransport::setup(const QString &program, const QStringList &arguments, const SubprocessOptions &options,
                             Redirect in, Redirect out, Redirect err)
{
    QProcess *p = m_process;
    p->setProgram(program);
    p->setArguments(arguments);
    if (in == Redirect::DevNull)
        p->setStandardInputFile(QProcess::nullDevice());
    else if (in == Redirect::Inherit)
        p->setInputChannelMode(QProcess::ForwardedInputChannel);
    const bool outForwarded = out == Redirect::Inherit;
    const bool errForwarded = err == Redirect::Inherit || (err == Redirect::Stdout && outForwarded);
    if (err == Redirect::Stdout && !outForwarded)
        p->setProcessChannelMode(QProcess::MergedChannels);
    else if (outForwarded && errForwarded)
        p->setProcessChannelMode(QProcess::ForwardedChannels);
    else if (outForwarded)
        p->setProcessChannelMode(QProcess::ForwardedOutputChannel);
    else if (errForwarded)
        p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    if (out == Redirect::DevNull)
        p->setStandardOutputFile(QProcess::nullDevice());
    if (err == Redirect::DevNull)
        p->setStandardErrorFile(QProcess::nullDevice());
    const bool mergeIntoInherited = err == Redirect::Stdout && outForwarded;
    const bool newSession = options.startNewSession;
    if (mergeIntoInherited || newSession) {
        // Runs in the child between fork and exec (async-signal-safe calls only).
        p->setChildProcessModifier([mergeIntoInherited, newSession] {
            if (mergeIntoInherited)
                ::dup2(1, 2);
            if (newSession)
                ::setsid();
        });
    }
    if (const auto *environment = std::get_if<QProcessEnvironment>(&options.env)) {
        p->setProcessEnvironment(*environment);
    } else if (const auto *map = std::get_if<QMap<QString, QString>>(&options.env)) {
        QProcessEnvironment replaced; // Popen's env= replaces the whole environment
        for (auto it = map->cbegin(); it != map->cend(); ++it)
            replaced.insert(it.key(), it.value());
        p->setProcessEnvironment(replaced);
    }
    if (!options.cwd.isEmpty())
        p->setWorkingDirectory(options.cwd);

    if (in == Redirect::Pipe)
        m_pipes[0] = std::make_shared<SubprocessPipeTransport>(weak_from_this(), 0);
    if (out == Redirect::Pipe)
        m_pipes[1] = std::make_shared<SubprocessPipeTransport>(weak_from_this(), 1);
    if (err == Redirect::Pipe)
        m_pipes[2] = std::make_shared<SubprocessPipeTransport>(weak_from_this(), 2);

    // Every signal only schedules work on the loop (see the file comment).
    m_startWaiter = m_loop.openLoop().createFuture<void>();
    QObject::connect(p, &QProcess::started, [this] {
        m_pid = m_process->processId();
        if (!m_startWaiter.done())
            m_startWaiter.setResult();
    });
    QObject::connect(p, &QProcess::errorOccurred, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && m_abandoned) {
            auto self = shared_from_this();
            post([self] { self->abandon(); });
        } else if (error == QProcess::FailedToStart && !m_startWaiter.done()) {
            const QString message = m_process->errorString();
            m_startWaiter.setException(errnoError(errnoFromQProcessMessage(message),
                                                  QStringLiteral("%1: %2").arg(m_process->program(), message)));
        } else if (error == QProcess::WriteError && m_pipes[0] && !m_pipes[0]->lost()) {
            // The child closed its stdin: asyncio's BrokenPipeError.
            auto self = shared_from_this();
            post([self] {
                self->pipeLost(0, errnoError(EPIPE, QStringLiteral("subprocess stdin: the child closed the pipe")));
            });
        }
    });
    QObject::connect(p, &QProcess::readyReadStandardOutput, [this] { onReadyRead(1); });
    QObject::connect(p, &QProcess::readyReadStandardError, [this] { onReadyRead(2); });
    QObject::connect(p, &QProcess::bytesWritten, [this](qint64) {
        auto self = shared_from_this();
        post([self] {
            if (self->m_pipes[0])
                self->m_pipes[0]->bytesWritten();
        });
    });
    QObject::connect(p, &QProcess::finished, [this](int exitCode, QProcess::ExitStatus status) {
        if (m_exitSeen)
            return;
        m_exitSeen = true;
        // asyncio's returncode: -N for death by signal N (set from the loop, in onFinished).
        m_exitCode = status == QProcess::CrashExit ? -exitCode : exitCode;
        auto self = shared_from_this();
        post([self] { self->onFinished(); });
    });
}

Coro<void> QProcessTransport::start(std::shared_ptr<QProcessTransport> self)
{
    m_self = self;
    m_process->start(QIODevice::ReadWrite);
    Future<void> waiter = m_startWaiter;
    try {
        co_await waiter;
    } catch (const CancelledError &) {
        // Cancelled while starting: kill the child; it is reaped when it
        // exits (or fails to exec), and then abandon() drops m_self.
        m_abandoned = true;
        close();
        if (m_exitSeen || m_process->state() == QProcess::NotRunning)
            abandon();
        throw;
    } catch (...) {
        // Failed to start: QProcess has reaped the child already.
        m_self.reset();
        m_finished = true;
        throw;
    }
    m_connected = true;
    if (m_protocol)
        m_protocol->connectionMade(this);
    // What arrived before connectionMade is in QProcess's buffers.
    for (int fd = 1; fd <= 2; ++fd)
        scheduleDelivery(fd);
    if (m_exitSeen) {
        post([self] { self->onFinished(); });
    }
}

void QProcessTransport::onReadyRead(int fd)
{
    scheduleDelivery(fd);
}

void QProcessTransport::scheduleDelivery(int fd)
{
    if (m_deliveryScheduled[fd] || !m_connected)
        return;
    m_deliveryScheduled[fd] = true;
    auto self = shared_from_this();
    post([self, fd] {
        self->m_deliveryScheduled[fd] = false;
        self->deliver(fd);
    });
}

void QProcessTransport::deliver(int fd)
{
    const auto &pipe = m_pipes[fd];
    if (!pipe || pipe->lost() || pipe->paused() || pipe->isClosing())
        return;
    const QByteArray data = fd == 1 ? m_process->readAllStandardOutput() : m_process->readAllStandardError();
    if (!data.isEmpty() && m_protocol)
        m_protocol->pipeDataReceived(fd, data);
    if (pipe->eofPending && !pipe->paused() && !pipe->lost()) {
        pipe->eofPending = false;
        pipeLost(fd, nullptr);
    }
}

void QProcessTransport::onFinished()
{
    if (m_abandoned) {
        abandon();
        return;
    }
    if (!m_connected || m_finished)
        return; // start() calls us again once connectionMade ran
    m_returncode = m_exitCode;
    // QProcess drained and closed the pipes when the child died: deliver what
    // is left, then EOF (a paused pipe keeps both until it is resumed).
    for (int fd = 1; fd <= 2; ++fd) {
        auto pipe = m_pipes[fd];
        if (!pipe || pipe->lost())
            continue;
        pipe->eofPending = true;
        if (!pipe->paused())
            deliver(fd);
    }
    if (m_pipes[0] && !m_pipes[0]->lost()) {
        // Unsent input means the child exited without reading it.
        const bool unsent = m_process->bytesToWrite() > 0;
        pipeLost(0, unsent ? errnoError(EPIPE, QStringLiteral("subprocess stdin: the child exited")) : nullptr);
    }
    tryFinish();
}

void QProcessTransport::abandon()
{
    // subprocessExec was cancelled before connectionMade: no protocol
    // callbacks, only the bookkeeping (no one can hold this transport).
    if (m_finished)
        return;
    m_finished = true;
    if (m_exitSeen)
        m_returncode = m_exitCode;
    m_protocol.reset();
    m_self.reset();
}

void QProcessTransport::pipeLost(int fd, std::exception_ptr error)
{
    auto pipe = m_pipes[fd];
    if (!pipe || pipe->lost())
        return;
    pipe->markLost(error);
    tryFinish();
}

void QProcessTransport::tryFinish()
{
    if (m_finished || !m_returncode || !m_connected)
        return;
    for (const auto &pipe : m_pipes) {
        if (pipe && !pipe->lost())
            return;
    }
    m_finished = true;
    auto keep = shared_from_this();
    auto protocol = m_protocol;
    if (protocol) {
        protocol->processExited();
        protocol->connectionLost(nullptr);
    }
    for (Future<int> &waiter : m_exitWaiters) {
        if (!waiter.done())
            waiter.setResult(*m_returncode);
    }
    m_exitWaiters.clear();
    m_protocol.reset(); // as asyncio: breaks the protocol <-> transport cycle
    m_self.reset();
}

void QProcessTransport::close()
{
    if (m_closed)
        return;
    m_closed = true;
    for (const auto &pipe : m_pipes) {
        if (pipe)
            pipe->close();
    }
    // A child still running is killed (asyncio's close); it is reaped as usual.
    if (!m_exitSeen && m_process->state() != QProcess::NotRunning)
        m_process->kill();
}

void QProcessTransport::checkProc(const char *what) const
{
    if (m_finished || (m_closed && m_returncode))
        throw std::system_error(ESRCH, std::generic_category(),
                                QStringLiteral("%1: the process has exited and its transport is closed (ProcessLookupError)")
                                    .arg(QLatin1String(what))
                                    .toStdString());
}

void QProcessTransport::sendSignal(int signal)
{
    checkProc("sendSignal()");
    if (m_returncode || m_exitSeen || m_process->state() == QProcess::NotRunning || m_pid <= 0)
        return; // exited but not reported yet: as Popen.send_signal, nothing to do
    if (::kill(pid_t(m_pid), signal) != 0)
        throw std::system_error(errno, std::generic_category(),
                                QStringLiteral("sendSignal(%1)").arg(signal).toStdString());
}

// ---------------------------------------------------------------- starting

namespace {

Redirect checkedRedirect(std::optional<Redirect> value, Redirect fallback, const char *name, bool stdoutAllowed)
{
    const Redirect r = value.value_or(fallback);
    if (r == Redirect::Stdout && !stdoutAllowed)
        throw ValueError(QStringLiteral("%1 cannot be Redirect::Stdout (only stderr can be merged into stdout)")
                             .arg(QLatin1String(name)));
    return r;
}

// What Popen would find before forking: a missing program, a directory, a
// file that is not executable, a missing working directory. Checking here
// means no child is forked for them (and so none can be left behind).
void precheck(const QString &program, const SubprocessOptions &options)
{
    if (!options.cwd.isEmpty() && !QFileInfo(options.cwd).isDir())
        throw std::system_error(ENOENT, std::generic_category(),
                                QStringLiteral("cwd %1: no such directory").arg(options.cwd).toStdString());
    QString path = program;
    if (!program.contains(QLatin1Char('/'))) {
        QStringList dirs;
        QString pathVariable = qEnvironmentVariable("PATH");
        if (const auto *environment = std::get_if<QProcessEnvironment>(&options.env)) {
            if (environment->contains(QStringLiteral("PATH")))
                pathVariable = environment->value(QStringLiteral("PATH"));
        } else if (const auto *map = std::get_if<QMap<QString, QString>>(&options.env)) {
            if (map->contains(QStringLiteral("PATH")))
                pathVariable = map->value(QStringLiteral("PATH"));
        }
        dirs = pathVariable.split(QLatin1Char(':'), Qt::SkipEmptyParts);
        path = QStandardPaths::findExecutable(program, dirs);
        if (path.isEmpty())
            throw std::system_error(ENOENT, std::generic_category(),
                                    QStringLiteral("%1: no such program in PATH").arg(program).toStdString());
        return;
    }
    const QFileInfo info(QDir(options.cwd.isEmpty() ? QDir::currentPath() : options.cwd), path);
    if (!info.exists())
        throw std::system_error(ENOENT, std::generic_category(),
                                QStringLiteral("%1: no such file").arg(program).toStdString());
    if (info.isDir() || !info.isExecutable())
        throw std::system_error(EACCES, std::generic_category(),
                                QStringLiteral("%1: not an executable file").arg(program).toStdString());
}

} // namespace

} // namespace detail

Coro<SubprocessTransportAndProtocol> subprocessExec(Loop &loop, SubprocessProtocolFactory factory, QString program,
                                                    QStringList arguments, SubprocessOptions options)
{
    if (!factory)
        throw ValueError("subprocessExec(): the protocol factory is empty");
    if (program.isEmpty())
        throw ValueError("subprocessExec(): the program name is empty");
    if (program.contains(QChar(0)))
        throw ValueError("subprocessExec(): the program name contains a NUL character");
    if (options.limit <= 0)
        throw ValueError(QStringLiteral("subprocessExec(): the limit must be > 0, not %1").arg(options.limit));
    if (loop.isClosed())
        throw RuntimeError("Event loop is closed");
    const Redirect in = detail::checkedRedirect(options.stdIn, Redirect::Pipe, "stdin", false);
    const Redirect out = detail::checkedRedirect(options.stdOut, Redirect::Pipe, "stdout", false);
    const Redirect err = detail::checkedRedirect(options.stdErr, Redirect::Pipe, "stderr", true);
    detail::precheck(program, options);

    std::shared_ptr<SubprocessProtocol> protocol = factory();
    if (!protocol)
        throw ValueError("subprocessExec(): the protocol factory returned null");
    auto transport = std::make_shared<detail::QProcessTransport>(loop, protocol);
    transport->setup(program, arguments, options, in, out, err);
    co_await transport->start(transport);
    co_return SubprocessTransportAndProtocol(transport, protocol);
}

Coro<SubprocessTransportAndProtocol> subprocessShell(Loop &loop, SubprocessProtocolFactory factory, QString command,
                                                     SubprocessOptions options)
{
    if (command.isEmpty())
        throw ValueError("subprocessShell(): the command is empty");
    QStringList arguments{QStringLiteral("-c"), command};
    co_return co_await subprocessExec(loop, std::move(factory), QStringLiteral("/bin/sh"), std::move(arguments),
                                      std::move(options));
}

// ---------------------------------------------------------------- Process

namespace detail {

// asyncio's SubprocessStreamProtocol: feeds the stdout/stderr StreamReaders
// and gives stdin's StreamWriter its flow control (drain).
class SubprocessStreamProtocol final : public SubprocessProtocol
{
public:
    SubprocessStreamProtocol(Loop &loop, qsizetype limit)
        : m_loop(&loop), m_limit(limit), m_stdinFlow(std::make_shared<StreamReaderProtocol>(loop, std::nullopt))
    {
    }

    void connectionMade(BaseTransport *transport) override
    {
        auto shared = std::dynamic_pointer_cast<SubprocessTransport>(transport->sharedSelf());
        m_transport = shared;
        if (auto pipe = std::dynamic_pointer_cast<ReadTransport>(shared->getPipeTransport(1))) {
            stdoutReader.emplace(*m_loop, m_limit);
            stdoutReader->setTransport(pipe);
            m_pipeFds.push_back(1);
        }
        if (auto pipe = std::dynamic_pointer_cast<ReadTransport>(shared->getPipeTransport(2))) {
            stderrReader.emplace(*m_loop, m_limit);
            stderrReader->setTransport(pipe);
            m_pipeFds.push_back(2);
        }
        if (auto pipe = std::dynamic_pointer_cast<Transport>(shared->getPipeTransport(0))) {
            m_stdinFlow->attach(pipe);
            stdinWriter.emplace(pipe, m_stdinFlow, std::nullopt);
        }
    }
    void pipeDataReceived(int fd, const QByteArray &data) override
    {
        if (fd == 1 && stdoutReader)
            stdoutReader->feedData(data);
        else if (fd == 2 && stderrReader)
            stderrReader->feedData(data);
    }
    void pipeConnectionLost(int fd, std::exception_ptr error) override
    {
        if (fd == 0) {
            if (stdinWriter)
                stdinWriter->close();
            m_stdinFlow->connectionLost(error);
            return;
        }
        std::optional<StreamReader> &reader = fd == 1 ? stdoutReader : stderrReader;
        if (reader) {
            if (error)
                reader->setException(error);
            else
                reader->feedEof();
        }
        std::erase(m_pipeFds, fd);
        maybeCloseTransport();
    }
    void processExited() override
    {
        m_processExited = true;
        maybeCloseTransport();
    }
    void pauseWriting() override { m_stdinFlow->pauseWriting(); }
    void resumeWriting() override { m_stdinFlow->resumeWriting(); }

    std::optional<StreamWriter> stdinWriter;
    std::optional<StreamReader> stdoutReader;
    std::optional<StreamReader> stderrReader;

private:
    void maybeCloseTransport()
    {
        if (m_pipeFds.empty() && m_processExited) {
            if (auto transport = std::exchange(m_transport, nullptr))
                transport->close();
        }
    }

    Loop *m_loop;
    qsizetype m_limit;
    std::shared_ptr<StreamReaderProtocol> m_stdinFlow;
    std::shared_ptr<SubprocessTransport> m_transport;
    std::vector<int> m_pipeFds;
    bool m_processExited = false;
};

struct ProcessState
{
    Loop *loop = nullptr;
    std::shared_ptr<SubprocessTransport> transport;
    std::shared_ptr<SubprocessStreamProtocol> protocol;
    qint64 pid = 0;
};

} // namespace detail

Process::Process(std::shared_ptr<detail::ProcessState> state) : d(std::move(state)) {}

std::optional<StreamWriter> Process::stdIn() const
{
    return d->protocol->stdinWriter;
}

std::optional<StreamReader> Process::stdOut() const
{
    return d->protocol->stdoutReader;
}

std::optional<StreamReader> Process::stdErr() const
{
    return d->protocol->stderrReader;
}

qint64 Process::pid() const
{
    return d->pid;
}

std::optional<int> Process::returncode() const
{
    return d->transport->getReturncode();
}

const std::shared_ptr<SubprocessTransport> &Process::transport() const
{
    return d->transport;
}

void Process::sendSignal(int signal)
{
    d->transport->sendSignal(signal);
}

void Process::terminate()
{
    d->transport->terminate();
}

void Process::kill()
{
    d->transport->kill();
}

namespace {

Coro<int> waitImpl(std::shared_ptr<detail::ProcessState> d)
{
    co_return co_await d->transport->exited();
}

Coro<void> feedStdin(StreamWriter writer, std::optional<QByteArray> input)
{
    try {
        if (input)
            writer.write(*input);
        co_await writer.drain();
    } catch (const std::system_error &e) {
        // communicate() ignores a child that stopped reading (asyncio's
        // BrokenPipeError / ConnectionResetError).
        if (e.code() != std::errc::broken_pipe && e.code() != std::errc::connection_reset)
            throw;
    }
    writer.close();
}

Coro<QByteArray> readStream(std::shared_ptr<SubprocessTransport> transport, int fd, std::optional<StreamReader> reader)
{
    if (!reader)
        co_return QByteArray();
    QByteArray output = co_await reader->read();
    if (auto pipe = transport->getPipeTransport(fd))
        pipe->close();
    co_return output;
}

Coro<std::pair<QByteArray, QByteArray>> communicateImpl(std::shared_ptr<detail::ProcessState> d,
                                                        std::optional<QByteArray> input)
{
    Coro<void> stdinPart = d->protocol->stdinWriter ? feedStdin(*d->protocol->stdinWriter, std::move(input))
                                                    : sleep(0);
    Coro<QByteArray> stdoutPart = readStream(d->transport, 1, d->protocol->stdoutReader);
    Coro<QByteArray> stderrPart = readStream(d->transport, 2, d->protocol->stderrReader);
    auto gathered = gather(std::move(stdinPart), std::move(stdoutPart), std::move(stderrPart));
    auto results = co_await gathered;
    co_await d->transport->exited();
    co_return std::pair<QByteArray, QByteArray>(std::move(std::get<1>(results)), std::move(std::get<2>(results)));
}

Coro<Process> createImpl(QString program, QStringList arguments, SubprocessOptions options)
{
    Loop &loop = getRunningLoop();
    if (options.limit <= 0)
        throw ValueError(QStringLiteral("createSubprocessExec(): the limit must be > 0, not %1").arg(options.limit));
    options.stdIn = options.stdIn.value_or(Redirect::Inherit);
    options.stdOut = options.stdOut.value_or(Redirect::Inherit);
    options.stdErr = options.stdErr.value_or(Redirect::Inherit);
    auto protocol = std::make_shared<detail::SubprocessStreamProtocol>(loop, options.limit);
    const SubprocessProtocolFactory factory = [protocol] { return protocol; }; // named: GCC 12 (see streams.cpp)
    auto [transport, unused] = co_await subprocessExec(loop, factory, program, arguments, options);
    auto state = std::make_shared<detail::ProcessState>();
    state->loop = &loop;
    state->transport = transport;
    state->protocol = protocol;
    state->pid = transport->getPid();
    co_return Process(std::move(state));
}

} // namespace

Coro<int> Process::wait()
{
    return waitImpl(d);
}

Coro<std::pair<QByteArray, QByteArray>> Process::communicate(std::optional<QByteArray> input)
{
    return communicateImpl(d, std::move(input));
}

Coro<Process> createSubprocessExec(QString program, QStringList arguments, SubprocessOptions options)
{
    return createImpl(std::move(program), std::move(arguments), std::move(options));
}

namespace {
Coro<Process> createShellImpl(QString command, SubprocessOptions options)
{
    if (command.isEmpty())
        throw ValueError("createSubprocessShell(): the command is empty");
    QStringList arguments{QStringLiteral("-c"), command};
    co_return co_await createImpl(QStringLiteral("/bin/sh"), std::move(arguments), std::move(options));
}
} // namespace

Coro<Process> createSubprocessShell(QString command, SubprocessOptions options)
{
    return createShellImpl(std::move(command), std::move(options));
}

} // namespace qaio
