// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// future.cpp — the type-independent half of Future<T>.
#include "loop_p.h"

#include <qaio/future.h>

namespace qaio {

namespace detail {

FutureStateBase::FutureStateBase(std::shared_ptr<LoopImpl> loop) : loop(std::move(loop)) {}

FutureStateBase::~FutureStateBase()
{
    if (!logTraceback)
        return;
    ExceptionContext context;
    context.message = QStringLiteral("%1 exception was never retrieved").arg(QLatin1StringView(kind));
    context.exception = exception;
    try {
        loop->callExceptionHandler(context);
    } catch (...) {
        // A destructor must not throw; the default handler only logs.
    }
}

void FutureStateBase::requirePending(const char *what) const
{
    if (state != State::Pending)
        throw InvalidStateError(QStringLiteral("%1 called on a future that is already done: %2")
                                    .arg(QLatin1StringView(what), describe()));
}

bool FutureStateBase::cancelFuture(const QString &message)
{
    if (state != State::Pending)
        return false;
    state = State::Cancelled;
    cancelMessage = message;
    scheduleCallbacks();
    return true;
}

void FutureStateBase::setException(std::exception_ptr error)
{
    if (!error)
        throw TypeError("setException(): the exception is null");
    requirePending("setException()");
    exception = std::move(error);
    logTraceback = true;
    finish();
}

void FutureStateBase::finish()
{
    state = State::Finished;
    scheduleCallbacks();
}

void FutureStateBase::rethrowIfNotSuccessful()
{
    if (state == State::Cancelled)
        throw makeCancelledError();
    if (state == State::Pending)
        throw InvalidStateError("Result is not ready.");
    logTraceback = false;
    if (exception)
        std::rethrow_exception(exception);
}

std::exception_ptr FutureStateBase::exceptionOrThrow()
{
    if (state == State::Cancelled)
        throw makeCancelledError();
    if (state == State::Pending)
        throw InvalidStateError("Exception is not set.");
    logTraceback = false;
    return exception;
}

quint64 FutureStateBase::addDoneCallback(DoneCallback callback)
{
    const quint64 id = nextCallbackId++;
    if (state != State::Pending) {
        LoopImpl &l = *loop;
        l.scheduleSoon(Handle(makeCallbackNode<HandleNode>(
                                  [self = shared_from_this(), cb = std::move(callback)]() mutable {
                                      cb(FutureBase(self));
                                  }))
                           .node());
    } else {
        callbacks.emplace_back(id, std::move(callback));
    }
    return id;
}

qsizetype FutureStateBase::removeDoneCallback(quint64 id)
{
    return std::erase_if(callbacks, [id](const auto &entry) { return entry.first == id; });
}

void FutureStateBase::scheduleCallbacks()
{
    if (callbacks.empty())
        return;
    auto pending = std::move(callbacks);
    callbacks.clear();
    auto self = shared_from_this();
    for (auto &entry : pending) {
        Handle handle(makeCallbackNode<HandleNode>([self, cb = std::move(entry.second)]() mutable {
            cb(FutureBase(self));
        }));
        loop->scheduleSoon(handle.node());
    }
}

QString FutureStateBase::describe() const
{
    switch (state) {
    case State::Pending:
        return QStringLiteral("<Future pending>");
    case State::Cancelled:
        return QStringLiteral("<Future cancelled>");
    case State::Finished:
        break;
    }
    if (!exception)
        return QStringLiteral("<Future finished>");
    try {
        std::rethrow_exception(exception);
    } catch (const std::exception &e) {
        return QStringLiteral("<Future finished exception=%1(%2)>")
            .arg(demangle(typeid(e)), QString::fromUtf8(e.what()));
    } catch (...) {
        return QStringLiteral("<Future finished exception=unknown>");
    }
}

} // namespace detail

detail::FutureStateBase &FutureBase::state() const
{
    if (!d)
        throw InvalidStateError("operation on a null Future (default-constructed or moved from)");
    return *d;
}

Loop &FutureBase::getLoop() const
{
    Loop *owner = state().loop->owner;
    if (!owner)
        throw RuntimeError("the future's event loop has been destroyed");
    return *owner;
}

} // namespace qaio
