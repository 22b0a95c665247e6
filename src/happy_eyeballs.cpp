// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// happy_eyeballs.cpp — the staggered race of connection attempts (RFC 8305),
// after asyncio's staggered.py: attempt i+1 starts when attempt i failed or
// `delay` seconds after attempt i started; the first success wins. With an
// infinite delay it is asyncio's plain one-address-after-the-other loop.
#include "happy_eyeballs.h"

#include <qaio/sockets.h>

#include <sys/socket.h>

#include <cmath>
#include <memory>
#include <system_error>

namespace qaio::detail {

QList<AddrInfo> interleaveAddrinfos(const QList<AddrInfo> &infos, int firstFamilyCount)
{
    QList<QList<AddrInfo>> byFamily;
    QList<int> families;
    for (const AddrInfo &info : infos) {
        const qsizetype i = families.indexOf(info.family);
        if (i < 0) {
            families.append(info.family);
            byFamily.append({info});
        } else {
            byFamily[i].append(info);
        }
    }
    QList<AddrInfo> result;
    if (byFamily.isEmpty())
        return result;
    for (int i = 1; i < firstFamilyCount && !byFamily[0].isEmpty(); ++i)
        result.append(byFamily[0].takeFirst());
    for (bool any = true; any;) {
        any = false;
        for (auto &list : byFamily) {
            if (!list.isEmpty()) {
                result.append(list.takeFirst());
                any = true;
            }
        }
    }
    return result;
}

namespace {

// The race's shared state: attempts, the stagger timer, and `done`, resolved
// once there is a winner or every attempt failed.
struct Race : std::enable_shared_from_this<Race>
{
    struct Attempt
    {
        Socket sock;
        Future<void> connect;
        bool pending = false;
    };

    Race(Loop &l, QList<AddrInfo> i, std::optional<SocketAddress> local, double d)
        : loop(l), infos(std::move(i)), localAddr(std::move(local)), delay(d), attempts(size_t(infos.size())),
          errors(size_t(infos.size())), done(l)
    {
    }

    Loop &loop;
    QList<AddrInfo> infos;
    std::optional<SocketAddress> localAddr;
    double delay;
    std::vector<Attempt> attempts;
    std::vector<std::exception_ptr> errors;
    qsizetype next = 0; // the next attempt to start
    int running = 0;
    int winner = -1;
    bool finished = false;
    TimerHandle timer;
    bool timerArmed = false;
    Future<void> done;

    void cancelTimer()
    {
        if (timerArmed) {
            timer.cancel();
            timerArmed = false;
        }
    }

    void startNext()
    {
        cancelTimer();
        if (finished)
            return;
        while (next < infos.size()) {
            const qsizetype i = next++;
            Attempt &attempt = attempts[size_t(i)];
            const AddrInfo &info = infos[i];
            try {
                attempt.sock = Socket(info.family, info.type ? info.type : SOCK_STREAM, info.protocol);
                attempt.sock.setBlocking(false);
                if (localAddr)
                    attempt.sock.bind(*localAddr);
                attempt.connect = sockConnect(loop, attempt.sock, info.address);
            } catch (const std::system_error &) {
                // Failed at once: the next attempt starts now.
                errors[size_t(i)] = std::current_exception();
                attempt.sock.close();
                continue;
            }
            attempt.pending = true;
            ++running;
            std::weak_ptr<Race> weak = weak_from_this();
            attempt.connect.addDoneCallback([weak, i](const FutureBase &) {
                if (auto self = weak.lock())
                    self->attemptDone(i);
            });
            if (next < infos.size() && std::isfinite(delay)) { // infinite: only a failure starts the next
                timer = loop.callLater(delay, [weak] {
                    if (auto self = weak.lock()) {
                        self->timerArmed = false;
                        self->startNext();
                    }
                });
                timerArmed = true;
            }
            return;
        }
        if (running == 0)
            finish();
    }

    void attemptDone(qsizetype i)
    {
        Attempt &attempt = attempts[size_t(i)];
        if (!attempt.pending || finished)
            return;
        attempt.pending = false;
        --running;
        try {
            attempt.connect.result();
        } catch (...) {
            errors[size_t(i)] = std::current_exception();
            attempt.sock.close();
            if (i == next - 1)
                startNext(); // the latest attempt failed: don't wait for the timer
            else if (next >= infos.size() && running == 0)
                finish();
            return;
        }
        winner = int(i);
        finish();
    }

    // Stops the race: closes every attempt still connecting (and resolves `done`).
    void finish()
    {
        if (finished)
            return;
        finished = true;
        cancelTimer();
        for (Attempt &attempt : attempts) {
            if (!attempt.pending)
                continue;
            attempt.pending = false;
            // Unwatch before closing: the fd number may be reused at once.
            loop.removeWriter(attempt.sock.fileno());
            attempt.connect.cancel();
            attempt.sock.close();
        }
        running = 0;
        if (!done.done())
            done.setResult();
    }
};

} // namespace

Coro<RaceResult> happyEyeballsConnect(Loop &loop, QList<AddrInfo> infos, std::optional<SocketAddress> localAddr,
                                      double delay)
{
    if (std::isnan(delay) || delay < 0)
        throw ValueError(QStringLiteral("happyEyeballsDelay must be a number >= 0, not %1").arg(delay));
    auto race = std::make_shared<Race>(loop, std::move(infos), std::move(localAddr), delay);
    race->startNext();
    Future<void> done = race->done;
    try {
        co_await done;
    } catch (...) {
        race->finish(); // cancelled: close every attempt still connecting
        throw;
    }
    RaceResult result;
    if (race->winner >= 0) {
        result.winner = race->winner;
        result.sock = std::move(race->attempts[size_t(race->winner)].sock);
    }
    for (auto &error : race->errors) {
        if (error)
            result.errors.push_back(std::move(error));
    }
    co_return result;
}

} // namespace qaio::detail
