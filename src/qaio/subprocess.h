// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/subprocess.h — child processes on QProcess: asyncio's subprocess_exec /
/// subprocess_shell (SubprocessProtocol, SubprocessTransport) and the
/// high-level createSubprocessExec / createSubprocessShell (Process).
///
///     const qaio::SubprocessOptions options{.stdIn = qaio::Redirect::Pipe, .stdOut = qaio::Redirect::Pipe};
///     auto proc = co_await qaio::createSubprocessExec(QStringLiteral("cat"), {}, options);
///     auto [out, err] = co_await proc.communicate(QByteArray("hello"));
///     int code = co_await proc.wait(); // 0
///
/// (Options are a named local, not a braced temporary inside the co_await:
/// GCC 12 destroys such a temporary twice, and `env`/`cwd` then double-free.)
///
/// Each child is a QProcess owned by its transport, living on the loop's
/// thread: its pipes and its exit are seen by the thread's Qt event dispatcher,
/// like every other qaio I/O. See docs/subprocess.md.
#pragma once

#include <qaio/protocols.h>
#include <qaio/streams.h>
#include <qaio/task.h>
#include <qaio/transports.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qmap.h>
#include <QtCore/qprocess.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

namespace qaio {

/// asyncio's subprocess.PIPE / DEVNULL / None / STDOUT.
enum class Redirect {
    Pipe,    // a pipe to the parent (a pipe transport, a stream)
    DevNull, // /dev/null
    Inherit, // the parent's own stdin/stdout/stderr (asyncio's None)
    Stdout,  // stderr only: into the same pipe (or file) as stdout
};

/// Options of createSubprocessExec() and createSubprocessShell() (asyncio's keyword arguments).
struct SubprocessOptions
{
    /// Unset: Pipe for subprocessExec/subprocessShell (as loop.subprocess_exec),
    /// Inherit for createSubprocessExec/createSubprocessShell (as asyncio).
    std::optional<Redirect> stdIn{};
    std::optional<Redirect> stdOut{}; ///< where the child's standard output goes (unset: inherited)
    std::optional<Redirect> stdErr{}; ///< where the child's standard error goes (unset: inherited)
    /// monostate: the parent's environment. A map replaces it entirely (as
    /// Popen's env=), so add PATH yourself if the child needs it.
    std::variant<std::monostate, QProcessEnvironment, QMap<QString, QString>> env{};
    /// The child's working directory (empty: the parent's).
    QString cwd{};
    /// The child calls setsid() before exec (asyncio's start_new_session).
    bool startNewSession = false;
    /// createSubprocess*: the StreamReaders' buffer limit.
    qsizetype limit = kDefaultStreamLimit;
};

class SubprocessTransport;

/// Callbacks of a child process's user (asyncio.SubprocessProtocol).
class QAIO_EXPORT SubprocessProtocol : public BaseProtocol
{
public:
    /// connectionMade(transport) receives the SubprocessTransport.
    /// Data from the child's stdout (fd 1) or stderr (fd 2).
    virtual void pipeDataReceived(int fd, const QByteArray &data);
    /// One of the child's pipes closed (null: EOF; stdin: the write failed).
    virtual void pipeConnectionLost(int fd, std::exception_ptr error);
    /// The child exited; runs after every pipe's pipeConnectionLost.
    virtual void processExited();
};

/// A child process as a transport (asyncio.SubprocessTransport).
class QAIO_EXPORT SubprocessTransport : public virtual BaseTransport
{
public:
    /// The child's process id (kept after it exited, as Popen.pid).
    virtual qint64 getPid() const = 0;
    /// The pipe transport for fd 0 (a WriteTransport; also a Transport whose
    /// read side is inert), 1 or 2 (ReadTransport); nullptr if not a pipe.
    virtual std::shared_ptr<BaseTransport> getPipeTransport(int fd) const = 0;
    /// nullopt while running; the exit status, or -N after death by signal N.
    virtual std::optional<int> getReturncode() const = 0;
    /// Sends `signal` to the child. Once the child has exited and its
    /// connectionLost() ran: asyncio's ProcessLookupError, here
    /// std::system_error(ESRCH); exited but not reported yet: nothing happens.
    virtual void sendSignal(int signal) = 0;
    virtual void terminate() = 0; ///< SIGTERM
    virtual void kill() = 0;      ///< SIGKILL
    /// The returncode once the child has exited (any number of waiters).
    virtual Future<int> exited() = 0;
};

/// Creates the protocol for a child process (asyncio's protocol_factory).
using SubprocessProtocolFactory = std::function<std::shared_ptr<SubprocessProtocol>()>;
/// A child's transport and protocol, as subprocessExec() returns them.
using SubprocessTransportAndProtocol =
    std::pair<std::shared_ptr<SubprocessTransport>, std::shared_ptr<SubprocessProtocol>>;

/// asyncio's loop.subprocess_exec: starts `program` with `arguments` and
/// returns once it runs and the protocol's connectionMade() has been called.
/// A program that cannot be started: std::system_error with its errno
/// (std::errc::no_such_file_or_directory, permission_denied); bad options: ValueError.
QAIO_EXPORT Coro<SubprocessTransportAndProtocol> subprocessExec(Loop &loop, SubprocessProtocolFactory factory,
                                                                QString program, QStringList arguments = {},
                                                                SubprocessOptions options = {});
/// asyncio's loop.subprocess_shell: `/bin/sh -c command`.
QAIO_EXPORT Coro<SubprocessTransportAndProtocol> subprocessShell(Loop &loop, SubprocessProtocolFactory factory,
                                                                 QString command, SubprocessOptions options = {});

namespace detail {
struct ProcessState;
}

/// asyncio.subprocess.Process: a handle (copies share one child).
class QAIO_EXPORT Process
{
public:
    /// Internal: createSubprocessExec() and createSubprocessShell() create processes.
    explicit Process(std::shared_ptr<detail::ProcessState> state);

    /// Present when the matching option was Redirect::Pipe.
    /// (asyncio's proc.stdin / stdout / stderr: those names are C macros.)
    std::optional<StreamWriter> stdIn() const;
    /// The child's standard output, if it was a pipe.
    std::optional<StreamReader> stdOut() const;
    /// The child's standard error, if it was a pipe.
    std::optional<StreamReader> stdErr() const;
    /// The child's process id.
    qint64 pid() const;
    /// The exit status once the child exited (negative: the signal that killed it).
    std::optional<int> returncode() const;

    /// Waits for the child to exit; the returncode (again on every call).
    Coro<int> wait();
    /// Writes `input` to stdin (then closes it), reads stdout and stderr to
    /// EOF, waits for the exit. A child that stops reading its stdin early
    /// is not an error (the rest of the input is dropped), as asyncio.
    Coro<std::pair<QByteArray, QByteArray>> communicate(std::optional<QByteArray> input = std::nullopt);
    /// Sends `signal` to the child.
    void sendSignal(int signal);
    /// Sends SIGTERM.
    void terminate();
    /// Sends SIGKILL.
    void kill();
    /// The underlying transport.
    const std::shared_ptr<SubprocessTransport> &transport() const;

private:
    std::shared_ptr<detail::ProcessState> d;
};

/// Starts `program` with `arguments` (asyncio.create_subprocess_exec).
QAIO_EXPORT Coro<Process> createSubprocessExec(QString program, QStringList arguments = {},
                                               SubprocessOptions options = {});
/// Starts `command` through /bin/sh (asyncio.create_subprocess_shell).
QAIO_EXPORT Coro<Process> createSubprocessShell(QString command, SubprocessOptions options = {});

} // namespace qaio
