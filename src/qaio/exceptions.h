// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/exceptions.h — asyncio's exceptions, as C++ exception types.
///
/// Each keeps its asyncio name and derives from a std exception that says what
/// kind of failure it is, so `catch (const std::exception&)` sees them all.
#pragma once

#include <qaio/global.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

#include <cstddef>
#include <exception>
#include <vector>
#include <stdexcept>
#include <string>

namespace qaio {

/// asyncio's RuntimeError: the loop was misused (run twice, closed, wrong thread).
class QAIO_EXPORT RuntimeError : public std::runtime_error
{
public:
    /// Constructs the error with `message` (also what()).
    explicit RuntimeError(const QString &message) : std::runtime_error(message.toStdString()) {}
    /// Constructs the error with `message` (also what()).
    explicit RuntimeError(const char *message) : std::runtime_error(message) {}
};

/// Python's ValueError: an argument has the right type but a bad value.
class QAIO_EXPORT ValueError : public std::invalid_argument
{
public:
    /// Constructs the error with `message` (also what()).
    explicit ValueError(const QString &message) : std::invalid_argument(message.toStdString()) {}
    /// Constructs the error with `message` (also what()).
    explicit ValueError(const char *message) : std::invalid_argument(message) {}
};

/// Python's TypeError: an argument of a kind the call cannot take.
class QAIO_EXPORT TypeError : public std::invalid_argument
{
public:
    /// Constructs the error with `message` (also what()).
    explicit TypeError(const QString &message) : std::invalid_argument(message.toStdString()) {}
    /// Constructs the error with `message` (also what()).
    explicit TypeError(const char *message) : std::invalid_argument(message) {}
};

/// Python's KeyboardInterrupt: Runner::run() throws it when Ctrl+C (SIGINT)
/// cancelled the main task and the task has finished cancelling. Like Python's
/// BaseException it is not a std::runtime_error. A program that ends because of
/// it exits with status 130 (128 + SIGINT), as shells expect: see qaio::runMain.
class QAIO_EXPORT KeyboardInterrupt : public std::exception
{
public:
    /// The exit status of a process ended by Ctrl+C (128 + SIGINT).
    static constexpr int exitStatus = 130;
    /// "KeyboardInterrupt".
    const char *what() const noexcept override { return "KeyboardInterrupt"; }
};

/// The operation was cancelled. Deliberately not a std::runtime_error, so that a
/// `catch (const std::runtime_error&)` written for real failures lets it pass.
class QAIO_EXPORT CancelledError : public std::exception
{
public:
    CancelledError() = default;
    /// A cancellation carrying the message given to cancel().
    explicit CancelledError(const QString &message) : m_message(message.toStdString()) {}
    /// The cancel message, or "CancelledError" when there is none.
    const char *what() const noexcept override
    {
        return m_message.empty() ? "CancelledError" : m_message.c_str();
    }
    /// The message given to cancel(msg); empty when none was given.
    QString message() const { return QString::fromStdString(m_message); }

private:
    std::string m_message;
};

/// A Future or Task was asked for something its state does not allow.
class QAIO_EXPORT InvalidStateError : public std::logic_error
{
public:
    /// Constructs the error with `message` (also what()).
    explicit InvalidStateError(const QString &message) : std::logic_error(message.toStdString()) {}
    /// Constructs the error with `message` (also what()).
    explicit InvalidStateError(const char *message) : std::logic_error(message) {}
};

/// The operation exceeded its deadline (waitFor, timeout, ...).
class QAIO_EXPORT TimeoutError : public std::runtime_error
{
public:
    TimeoutError() : std::runtime_error("TimeoutError") {}
    /// Constructs the error with `message` (also what()).
    explicit TimeoutError(const QString &message) : std::runtime_error(message.toStdString()) {}
};

/// Python's EOFError, base of IncompleteReadError.
class QAIO_EXPORT EOFError : public std::runtime_error
{
public:
    /// Constructs the error with `message` (also what()).
    explicit EOFError(const QString &message) : std::runtime_error(message.toStdString()) {}
};

/// StreamReader::readexactly / readuntil reached EOF first.
class QAIO_EXPORT IncompleteReadError : public EOFError
{
public:
    /// The stream ended after `partialBytes` of `expectedBytes` (-1: unknown) bytes.
    IncompleteReadError(QByteArray partialBytes, qsizetype expectedBytes)
        : EOFError(QStringLiteral("%1 bytes read on a total of %2 expected bytes")
                       .arg(partialBytes.size())
                       .arg(expectedBytes < 0 ? QStringLiteral("undefined")
                                              : QString::number(expectedBytes)))
        , partial(std::move(partialBytes))
        , expected(expectedBytes)
    {
    }
    /// The bytes read before the end of the stream.
    QByteArray partial;
    qsizetype expected; ///< -1 when unknown (asyncio's None)
};

/// StreamReader found no separator within its buffer limit.
class QAIO_EXPORT LimitOverrunError : public std::runtime_error
{
public:
    /// A separator was not found within the limit; `consumedBytes` are left to consume.
    LimitOverrunError(const QString &message, qsizetype consumedBytes)
        : std::runtime_error(message.toStdString()), consumed(consumedBytes)
    {
    }
    /// How many bytes to consume before the limit (as asyncio's `consumed`).
    qsizetype consumed;
};

/// A Barrier was reset or aborted while tasks waited on it.
class QAIO_EXPORT BrokenBarrierError : public RuntimeError
{
public:
    BrokenBarrierError() : RuntimeError("Barrier aborted") {}
    /// Constructs the error with `message` (also what()).
    explicit BrokenBarrierError(const QString &message) : RuntimeError(message) {}
};

/// Queue::getNowait() on an empty queue (asyncio.QueueEmpty).
class QAIO_EXPORT QueueEmpty : public std::runtime_error
{
public:
    QueueEmpty() : std::runtime_error("QueueEmpty") {}
};

/// Queue::putNowait() on a full queue (asyncio.QueueFull).
class QAIO_EXPORT QueueFull : public std::runtime_error
{
public:
    QueueFull() : std::runtime_error("QueueFull") {}
};

/// A put, or a get on an empty queue, after Queue::shutdown() (asyncio.QueueShutDown).
class QAIO_EXPORT QueueShutDown : public std::runtime_error
{
public:
    QueueShutDown() : std::runtime_error("QueueShutDown") {}
};

/// sendfile() cannot be used on this transport or file; the caller may fall back.
class QAIO_EXPORT SendfileNotAvailableError : public RuntimeError
{
public:
    /// Constructs the error with `message` (also what()).
    explicit SendfileNotAvailableError(const QString &message) : RuntimeError(message) {}
};

/// Several errors at once (Python's ExceptionGroup): what a TaskGroup raises
/// when its children (and possibly its body) failed.
class QAIO_EXPORT ExceptionGroup : public std::exception
{
public:
    /// A group of `errors` under `message` (Python's ExceptionGroup).
    ExceptionGroup(const QString &message, std::vector<std::exception_ptr> errors)
        : m_what(QStringLiteral("%1 (%2 sub-exception%3)")
                     .arg(message)
                     .arg(errors.size())
                     .arg(errors.size() == 1 ? "" : "s")
                     .toStdString())
        , m_message(message)
        , m_exceptions(std::move(errors))
    {
    }
    /// The message followed by the number of sub-exceptions, as Python prints it.
    const char *what() const noexcept override { return m_what.c_str(); }
    /// The message given to the constructor.
    QString message() const { return m_message; }
    /// The grouped exceptions, in order.
    const std::vector<std::exception_ptr> &exceptions() const noexcept { return m_exceptions; }

private:
    std::string m_what;
    QString m_message;
    std::vector<std::exception_ptr> m_exceptions;
};

} // namespace qaio
