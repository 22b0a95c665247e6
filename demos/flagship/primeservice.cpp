// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
#include "primeservice.h"

#include <QtCore/QThread>

namespace flagship {

namespace {
constexpr qint64 kChunk = 20000;
}

PrimeService::PrimeService(qaio::Loop &loop, QObject *parent)
    : QObject(parent),
      m_loop(loop),
      m_executor(std::make_unique<qaio::ThreadPoolExecutor>(std::max(1, QThread::idealThreadCount() - 1)))
{
}

qint64 PrimeService::countPrimes(qint64 lo, qint64 hi)
{
    qint64 count = 0;
    for (qint64 n = std::max<qint64>(lo, 2); n < hi; ++n) {
        bool prime = n == 2 || n % 2 != 0;
        for (qint64 d = 3; prime && d * d <= n; d += 2)
            prime = n % d != 0;
        count += prime;
    }
    return count;
}

qaio::QmlFuture *PrimeService::start(qint64 limit)
{
    if (limit < 2 || limit > qint64(1) << 40)
        throw qaio::ValueError("PrimeService::start(): limit must be in [2, 2^40]");
    cancel();
    m_job = m_tasks.add(qaio::createTask(m_loop, run(this, limit), QStringLiteral("primes")));
    return qaio::toQml(qaio::Future<qint64>(m_job));
}

void PrimeService::cancel()
{
    if (m_job.isValid() && !m_job.done())
        m_job.cancel(QStringLiteral("cancelled by the user"));
}

qaio::Coro<qint64> PrimeService::run(PrimeService *self, qint64 limit)
{
    self->m_limit = limit;
    self->m_found = 0;
    self->m_progress = 0;
    self->m_chunks = 0;
    self->m_running = true;
    Q_EMIT self->runningChanged();
    Q_EMIT self->progressChanged();
    qint64 found = 0;
    try {
        // One chunk per worker in flight, plus one queued so that no worker
        // idles while the loop collects a result.
        qaio::ThreadPoolExecutor *executor = self->m_executor.get();
        const std::size_t depth = std::size_t(executor->maxWorkers()) + 1;
        qaio::Loop &loop = qaio::getRunningLoop();
        qint64 next = 0, covered = 0;
        struct Chunk
        {
            qaio::Future<qint64> count;
            qint64 size;
        };
        auto submit = [&] {
            const qint64 lo = next, hi = std::min(limit, next + kChunk);
            next = hi;
            return Chunk{loop.runInExecutor(executor, &PrimeService::countPrimes, lo, hi), hi - lo};
        };
        std::vector<Chunk> inFlight;
        while (next < limit && inFlight.size() < depth)
            inFlight.push_back(submit());
        while (!inFlight.empty()) {
            Chunk first = inFlight.front();
            inFlight.erase(inFlight.begin());
            try {
                found += co_await first.count;
            } catch (...) {
                for (auto &c : inFlight)
                    c.count.cancel();
                throw;
            }
            if (next < limit)
                inFlight.push_back(submit());
            covered += first.size;
            self->m_found = found;
            ++self->m_chunks;
            self->m_progress = double(covered) / double(limit);
            Q_EMIT self->progressChanged();
        }
    } catch (const qaio::CancelledError &) {
        ++self->m_cancelled;
        self->m_running = false;
        Q_EMIT self->runningChanged();
        throw;
    }
    self->m_progress = 1.0;
    ++self->m_completed;
    self->m_running = false;
    Q_EMIT self->progressChanged();
    Q_EMIT self->runningChanged();
    co_return found;
}

qaio::Coro<void> PrimeService::stop()
{
    co_await m_tasks.cancelAndWait();
}

} // namespace flagship
