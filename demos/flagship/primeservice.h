// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// primeservice.h — CPU-bound work in the executor: counting primes below a
// limit in chunks, each chunk on a ThreadPoolExecutor (runInExecutor), while
// the GUI thread only collects the counts. The pool has one thread fewer
// than the machine has cores, so that the GUI thread always has a core.
#pragma once

#include <qaio/qmlfuture.h>
#include "taskset.h"

#include <QtCore/QObject>

namespace flagship {

class PrimeService : public QObject
{
    Q_OBJECT
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    Q_PROPERTY(qint64 found READ found NOTIFY progressChanged)
    Q_PROPERTY(qint64 limit READ limit NOTIFY runningChanged)
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    Q_PROPERTY(int completed READ completed NOTIFY runningChanged)
    Q_PROPERTY(int cancelled READ cancelled NOTIFY runningChanged)
    Q_PROPERTY(int chunks READ chunks NOTIFY progressChanged)

public:
    explicit PrimeService(qaio::Loop &loop, QObject *parent = nullptr);

    // Counts the primes below `limit` (one job at a time: a running job is
    // cancelled first). The future's result is the count.
    Q_INVOKABLE qaio::QmlFuture *start(qint64 limit);
    // Cancels the running job: the chunk in flight finishes on its thread and
    // its result is dropped; no further chunk starts.
    Q_INVOKABLE void cancel();

    qaio::Coro<void> stop();

    double progress() const { return m_progress; }
    qint64 found() const { return m_found; }
    qint64 limit() const { return m_limit; }
    bool running() const { return m_running; }
    int completed() const { return m_completed; }
    int cancelled() const { return m_cancelled; }
    int chunks() const { return m_chunks; }

    // The worker function: primes in [lo, hi), by trial division (slow on
    // purpose: it is the CPU-bound load).
    static qint64 countPrimes(qint64 lo, qint64 hi);

Q_SIGNALS:
    void progressChanged();
    void runningChanged();

private:
    static qaio::Coro<qint64> run(PrimeService *self, qint64 limit);

    qaio::Loop &m_loop;
    std::unique_ptr<qaio::ThreadPoolExecutor> m_executor;
    TaskSet m_tasks;
    qaio::Task<qint64> m_job;
    double m_progress = 0;
    qint64 m_found = 0;
    qint64 m_limit = 0;
    bool m_running = false;
    int m_completed = 0;
    int m_cancelled = 0;
    int m_chunks = 0;
};

} // namespace flagship
