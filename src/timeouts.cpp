// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// timeouts.cpp — Timeout's state machine, as asyncio.timeouts.Timeout.
#include <qaio/timeouts.h>

namespace qaio {

struct Timeout::State
{
    enum class Phase { Created, Entered, Expiring, Expired, Exited };
    std::optional<double> when;
    Phase phase = Phase::Created;
    Handle timer; // a TimerHandle, or a Handle when the deadline had already passed
    TaskBase task;
    int cancellingAtEnter = 0;
};

namespace {
const char *phaseName(int phase)
{
    static const char *names[] = {"created", "active", "expiring", "expired", "finished"};
    return names[phase];
}
} // namespace

Timeout::Timeout(std::optional<double> when) : d(std::make_shared<State>())
{
    if (when && std::isnan(*when))
        throw ValueError("Timeout: the deadline is NaN");
    d->when = when;
}

std::optional<double> Timeout::when() const
{
    return d->when;
}

bool Timeout::expired() const
{
    return d->phase == State::Phase::Expiring || d->phase == State::Phase::Expired;
}

void Timeout::reschedule(std::optional<double> when)
{
    if (d->phase != State::Phase::Entered) {
        if (d->phase == State::Phase::Created)
            throw RuntimeError("Timeout has not been entered");
        throw RuntimeError(QStringLiteral("Cannot change state of %1 Timeout")
                               .arg(QLatin1StringView(phaseName(int(d->phase)))));
    }
    if (when && std::isnan(*when))
        throw ValueError("Timeout::reschedule(): the deadline is NaN");
    d->when = when;
    d->timer.cancel();
    d->timer = TimerHandle();
    if (!when || std::isinf(*when))
        return;
    Loop &loop = getRunningLoop();
    std::weak_ptr<State> weak = d;
    auto onTimeout = [weak] {
        auto state = weak.lock();
        if (!state || state->phase != State::Phase::Entered)
            return;
        state->task.cancel();
        state->phase = State::Phase::Expiring;
    };
    // A deadline already past fires with callSoon, as in asyncio: before a step
    // the task schedules afterwards (e.g. sleep(0)'s).
    if (*when <= loop.time())
        d->timer = loop.callSoon(onTimeout);
    else
        d->timer = loop.callAt(*when, onTimeout);
}

void Timeout::enter()
{
    if (d->phase != State::Phase::Created)
        throw RuntimeError("Timeout has already been entered");
    TaskBase task = currentTask();
    if (!task.isValid())
        throw RuntimeError("Timeout should be used inside a task");
    d->phase = State::Phase::Entered;
    d->task = task;
    d->cancellingAtEnter = task.cancelling();
    reschedule(d->when);
}

void Timeout::exit(const std::exception_ptr &error)
{
    d->timer.cancel();
    d->timer = TimerHandle();
    if (d->phase == State::Phase::Expiring) {
        d->phase = State::Phase::Expired;
        // Our cancel() is withdrawn; if no other cancel() is outstanding, the
        // CancelledError it caused becomes TimeoutError.
        if (d->task.uncancel() <= d->cancellingAtEnter && error) {
            try {
                std::rethrow_exception(error);
            } catch (const CancelledError &) {
                throw TimeoutError(QStringLiteral("timed out"));
            } catch (...) {
            }
        }
    } else if (d->phase == State::Phase::Entered) {
        d->phase = State::Phase::Exited;
    }
    d->task = TaskBase();
}

QString Timeout::toString() const
{
    QString text = QStringLiteral("<Timeout [%1]").arg(QLatin1StringView(phaseName(int(d->phase))));
    if (d->phase == State::Phase::Entered)
        text += d->when ? QStringLiteral(" when=%1").arg(*d->when, 0, 'f', 3) : QStringLiteral(" when=None");
    return text + QLatin1Char('>');
}

Timeout timeout(std::optional<double> delay)
{
    if (!delay)
        return Timeout(std::nullopt);
    return Timeout(getRunningLoop().time() + *delay);
}

Timeout timeoutAt(std::optional<double> when)
{
    return Timeout(when);
}

} // namespace qaio
