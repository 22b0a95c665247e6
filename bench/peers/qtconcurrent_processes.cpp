// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qtconcurrent_processes.cpp — the plain-Qt peer of bench/processes.cpp:
// QProcess driven by its signals, and QtConcurrent::run + QFutureWatcher.
//
//   qtconcurrent_processes [--procs 200] [--rtt-n 2000] [--tput-n 20000]
//
// spawn_seq: start `cat`, write "hello\n", closeWriteChannel, on finished()
// check the echo and start the next; spawn_conc: all `procs` at once.
// exec_rtt: QtConcurrent::run(job) with a QFutureWatcher whose finished()
// starts the next one (p50/p99). exec_tput: tput-n runs with a watcher each,
// until every finished() arrived. All on QCoreApplication's event loop.
#include "../common.h"

#include <QtConcurrent/qtconcurrentrun.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qfuturewatcher.h>
#include <QtCore/qprocess.h>

#include <functional>
#include <memory>
#include <vector>

namespace {

const QByteArray kHello("hello\n");

// Starts one cat; calls done() once it exited and its output was checked.
void oneProcess(std::function<void()> done)
{
    auto *proc = new QProcess;
    QObject::connect(proc, &QProcess::finished, proc, [proc, done](int code, QProcess::ExitStatus status) {
        const QByteArray out = proc->readAllStandardOutput();
        bench::require(out == kHello && code == 0 && status == QProcess::NormalExit, "cat echoes its input");
        proc->deleteLater();
        done();
    });
    QObject::connect(proc, &QProcess::started, proc, [proc] {
        proc->write(kHello);
        proc->closeWriteChannel();
    });
    proc->start(QStringLiteral("cat"), {});
}

double spawnSeq(int n)
{
    QEventLoop loop;
    const double t0 = bench::wallNow();
    auto remaining = std::make_shared<int>(n);
    std::function<void()> next;
    next = [&] {
        if ((*remaining)-- == 0) {
            loop.quit();
            return;
        }
        oneProcess(next);
    };
    next();
    loop.exec();
    return bench::wallNow() - t0;
}

double spawnConc(int n)
{
    QEventLoop loop;
    const double t0 = bench::wallNow();
    int remaining = n;
    for (int i = 0; i < n; ++i) {
        oneProcess([&] {
            if (--remaining == 0)
                loop.quit();
        });
    }
    loop.exec();
    return bench::wallNow() - t0;
}

int job(int x)
{
    return x + 1;
}

std::vector<double> execRtt(int n)
{
    QEventLoop loop;
    std::vector<double> samples;
    samples.reserve(std::size_t(n));
    QFutureWatcher<int> watcher;
    int i = 0;
    double t0 = 0;
    auto start = [&] {
        t0 = bench::wallNow();
        watcher.setFuture(QtConcurrent::run(job, i));
    };
    QObject::connect(&watcher, &QFutureWatcher<int>::finished, &loop, [&] {
        samples.push_back(bench::wallNow() - t0);
        bench::require(watcher.result() == i + 1, "QtConcurrent result");
        if (++i == n)
            loop.quit();
        else
            start();
    });
    start();
    loop.exec();
    return samples;
}

double execTput(int n)
{
    QEventLoop loop;
    const double t0 = bench::wallNow();
    std::vector<std::unique_ptr<QFutureWatcher<int>>> watchers;
    watchers.reserve(std::size_t(n));
    int remaining = n;
    for (int i = 0; i < n; ++i) {
        auto watcher = std::make_unique<QFutureWatcher<int>>();
        QObject::connect(watcher.get(), &QFutureWatcher<int>::finished, &loop, [&loop, &remaining] {
            if (--remaining == 0)
                loop.quit();
        });
        watcher->setFuture(QtConcurrent::run(job, i));
        watchers.push_back(std::move(watcher));
    }
    loop.exec();
    const double took = bench::wallNow() - t0;
    bench::require(watchers.back()->result() == n, "QtConcurrent results");
    return took;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    bench::Args args(argc, argv);
    const int procs = int(args.num("procs", 200));
    const int rttN = int(args.num("rtt-n", 2000));
    const int tputN = int(args.num("tput-n", 20000));

    spawnSeq(10); // warm-up
    const double seq = spawnSeq(procs);
    const double conc = spawnConc(procs);
    execRtt(rttN / 10);
    const std::vector<double> rtt = execRtt(rttN);
    execTput(tputN / 10);
    const double tput = execTput(tputN);

    bench::Json()
        .add("impl", "qtconcurrent")
        .add("procs", procs)
        .add("spawn_seq_ms_per_proc", seq / procs * 1e3)
        .add("spawn_conc_ms_total", conc * 1e3)
        .add("exec_rtt_us_p50", bench::percentile(rtt, 50) * 1e6)
        .add("exec_rtt_us_p99", bench::percentile(rtt, 99) * 1e6)
        .add("exec_tput_jobs_per_s", tputN / tput)
        .print();
    return 0;
}
