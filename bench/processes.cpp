// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// processes.cpp — child processes and executor round trips in qaio.
//
//   bench_processes [--procs 200] [--rtt-n 2000] [--tput-n 20000]
//
// Workloads (wall-clock time; each preceded by a short warm-up):
//   spawn_seq    spawn `cat` with stdin/stdout pipes, communicate("hello\n"),
//                check the echo, wait — `procs` times one after the other;
//   spawn_conc   the same `procs` children all at once (gather);
//   exec_rtt     runInExecutor(default executor, trivial job) awaited one at a
//                time: round-trip latency, p50 and p99;
//   exec_tput    tput-n trivial jobs submitted at once, then gathered: jobs/s.
// Peers: bench/peers/processes_asyncio.py (asyncio, uvloop) and
// bench/peers/qtconcurrent_processes.cpp (QProcess, QtConcurrent::run + QFutureWatcher).
// bench/suites/processes.py runs them side by side.
#include "common.h"

#include <qaio/executor.h>
#include <qaio/gather.h>
#include <qaio/runner.h>
#include <qaio/subprocess.h>
#include <qaio/task.h>

#include <QtCore/qcoreapplication.h>

namespace {

const QByteArray kHello("hello\n");

qaio::Coro<void> oneProcess()
{
    const qaio::SubprocessOptions options{.stdIn = qaio::Redirect::Pipe, .stdOut = qaio::Redirect::Pipe};
    qaio::Process proc = co_await qaio::createSubprocessExec(QStringLiteral("cat"), {}, options);
    auto [out, err] = co_await proc.communicate(kHello);
    const int code = co_await proc.wait();
    bench::require(out == kHello && code == 0, "cat echoes its input");
}

qaio::Coro<double> spawnSeq(int n)
{
    const double t0 = bench::wallNow();
    for (int i = 0; i < n; ++i)
        co_await oneProcess();
    co_return bench::wallNow() - t0;
}

qaio::Coro<double> spawnConc(int n)
{
    const double t0 = bench::wallNow();
    std::vector<qaio::Task<void>> tasks;
    for (int i = 0; i < n; ++i)
        tasks.push_back(qaio::createTask(oneProcess()));
    co_await qaio::gather(tasks);
    co_return bench::wallNow() - t0;
}

int job(int x)
{
    return x + 1;
}

qaio::Coro<std::vector<double>> execRtt(int n)
{
    qaio::Loop &loop = qaio::getRunningLoop();
    std::vector<double> samples;
    samples.reserve(std::size_t(n));
    for (int i = 0; i < n; ++i) {
        const double t0 = bench::wallNow();
        const int r = co_await qaio::runInExecutor(loop, nullptr, job, i);
        samples.push_back(bench::wallNow() - t0);
        bench::require(r == i + 1, "executor result");
    }
    co_return samples;
}

qaio::Coro<double> execTput(int n)
{
    qaio::Loop &loop = qaio::getRunningLoop();
    const double t0 = bench::wallNow();
    std::vector<qaio::Future<int>> futures;
    futures.reserve(std::size_t(n));
    for (int i = 0; i < n; ++i)
        futures.push_back(qaio::runInExecutor(loop, nullptr, job, i));
    auto results = co_await qaio::gather(futures);
    const double took = bench::wallNow() - t0;
    bench::require(results.size() == std::size_t(n) && results.back() == n, "executor results");
    co_return took;
}

qaio::Coro<void> all(bench::Args args)
{
    const int procs = int(args.num("procs", 200));
    const int rttN = int(args.num("rtt-n", 2000));
    const int tputN = int(args.num("tput-n", 20000));

    co_await spawnSeq(10); // warm-up: PATH lookup, page cache, thread pool
    const double seq = co_await spawnSeq(procs);
    const double conc = co_await spawnConc(procs);
    co_await execRtt(rttN / 10);
    const std::vector<double> rtt = co_await execRtt(rttN);
    co_await execTput(tputN / 10);
    const double tput = co_await execTput(tputN);

    bench::Json()
        .add("impl", "qaio")
        .add("procs", procs)
        .add("spawn_seq_ms_per_proc", seq / procs * 1e3)
        .add("spawn_conc_ms_total", conc * 1e3)
        .add("exec_rtt_us_p50", bench::percentile(rtt, 50) * 1e6)
        .add("exec_rtt_us_p99", bench::percentile(rtt, 99) * 1e6)
        .add("exec_tput_jobs_per_s", tputN / tput)
        .print();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    bench::Args args(argc, argv);
    qaio::run(all(args));
    return 0;
}
