#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""memory.py — workload 4: resident bytes per idle connection, per pending timer
and per suspended task, qaio and the peers.

Idle connections: an echo server starts, bench/loadgen --hold opens 1,000
connections that each echo one byte (so the server has accepted and watches
them); the growth of the server's RSS (/proc/PID/statm) from before the first
to after the last, divided by the count. 1,000 more are opened first as a
warm-up so the allocators' arenas exist. Kernel socket buffers are not part of
any process's RSS and are the same for every server.
Timers: bench/mem_timers (qaio callLater, QTimer), peers/asio_mem_timers,
peers/asyncio_mem_timers.py: n timers one hour ahead, RSS growth / n.
Tasks: the tasks benchmark's memory part (bench_tasks, asio_tasks, qcoro_tasks,
asyncio_tasks.py): n tasks each suspended on its own future, RSS growth / n.
"""
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (PEERS, PY, Clock, Server, args, fmt, med, raise_file_limit, rss_bytes,  # noqa: E402
                      run_json, write)
import echo  # noqa: E402  (the echo servers and their labels)

QUICK_CONN = ["floor", "qaio-protocol", "asio", "uvloop-protocol"]
CONN_SERVERS = ["floor", "qaio-protocol", "qaio-streams", "qaio-raw", "asio", "libuv", "node",
                "uvloop-protocol", "uvloop-streams", "asyncio-protocol", "asyncio-streams", "qt-qcoro",
                "qt-signals"]


def hold(a, port, n):
    """Opens n echoed idle connections; returns the process (close its stdin to release them)."""
    p = subprocess.Popen([str(a.bin / "loadgen"), "--port", str(port), "--idle", str(n), "--hold", "1"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line:
        raise RuntimeError("loadgen --hold failed")
    return p


def per_connection(a, key, n, log):
    srv = Server(echo.command(key, a.bin), log, pin=False)
    holders = []
    try:
        holders.append(hold(a, srv.port, n))  # warm-up
        time.sleep(0.2)
        before = rss_bytes(srv.pid)
        holders.append(hold(a, srv.port, n))
        time.sleep(0.2)
        after = rss_bytes(srv.pid)
        return (after - before) / n
    finally:
        for h in holders:
            h.stdin.close()
            h.wait()
        srv.stop()


TIMER_IMPLS = [("qaio", "**qaio** callLater", ["@mem_timers", "--impl", "qaio"]),
               ("qtimer", "QTimer object per timer", ["@mem_timers", "--impl", "qtimer"]),
               ("asio", "Boost.Asio steady_timer + async_wait", ["@asio_mem_timers"]),
               ("asyncio", "asyncio call_later", [PY, str(PEERS / "asyncio_mem_timers.py"), "--loop", "asyncio"]),
               ("uvloop", "uvloop call_later", [PY, str(PEERS / "asyncio_mem_timers.py"), "--loop", "uvloop"])]
TASK_IMPLS = [("qaio", "**qaio** Task awaiting a Future", ["@bench_tasks"]),
              ("asio", "Boost.Asio co_spawn awaiting a steady_timer", ["@asio_tasks"]),
              ("qcoro", "QCoro::Task awaiting a signal", ["@qcoro_tasks"]),
              ("asyncio", "asyncio Task awaiting a future", [PY, str(PEERS / "asyncio_tasks.py"), "--loop", "asyncio"]),
              ("uvloop", "uvloop Task awaiting a future", [PY, str(PEERS / "asyncio_tasks.py"), "--loop", "uvloop"])]


def resolve(a, cmd):
    return [str(a.bin / c[1:]) if c.startswith("@") else c for c in cmd]


def main():
    a = args(__doc__)
    raise_file_limit()
    clock = Clock(a.budget)
    reps = 1
    conn_n = 500 if a.quick else 1000
    timer_n = 20_000 if a.quick else 100_000
    task_n = 20_000 if a.quick else 100_000
    results = {"connection": {}, "timer": {}, "task": {}}
    failures = []
    servers = [k for k in (QUICK_CONN if a.quick else CONN_SERVERS) if echo.available(k, a.bin)]
    with open(a.bin / "memory_servers.log", "w") as log:
        for rep in range(reps):
            for key in servers:
                if clock.over(0.6):
                    break
                try:
                    results["connection"].setdefault(key, []).append(per_connection(a, key, conn_n, log))
                except (RuntimeError, OSError, ValueError) as e:
                    failures.append(f"connection {key}: {e}")
            print(f"[{clock.elapsed():6.1f}s] memory: connections rep {rep + 1}", flush=True)
    for rep in range(reps):
        for key, _, cmd in TIMER_IMPLS:
            cmd = resolve(a, cmd)
            if not (Path(cmd[0]).exists() or cmd[0] == PY) or clock.over(0.8):
                continue
            try:
                rec = run_json(cmd + ["--n", str(timer_n)], timeout=120)
                results["timer"].setdefault(key, []).append(rec["bytes_per_timer"])
            except (subprocess.SubprocessError, ValueError, KeyError) as e:
                failures.append(f"timer {key}: {e}")
        for key, _, cmd in TASK_IMPLS:
            cmd = resolve(a, cmd)
            if not (Path(cmd[0]).exists() or cmd[0] == PY) or clock.over(0.95):
                continue
            small = (["--n", "1000", "--inline_n", "1000", "--yield_n", "100", "--mem_n", str(task_n)]
                     if cmd[0] == PY else
                     ["--n", "1000", "--inline-n", "1000", "--yield-n", "100", "--mem-n", str(task_n)])
            try:
                rec = run_json(cmd + small, timeout=120)
                results["task"].setdefault(key, []).append(rec["bytes_per_task"])
            except (subprocess.SubprocessError, ValueError, KeyError) as e:
                failures.append(f"task {key}: {e}")
        print(f"[{clock.elapsed():6.1f}s] memory: timers and tasks rep {rep + 1}", flush=True)

    summary = {kind: {k: med(v) for k, v in d.items()} for kind, d in results.items()}
    md = ["## Memory (workload 4)", "",
          "`bench/suites/memory.py`. Resident bytes (RSS) per item, medians of "
          f"{reps} run(s). **Idle connection**: the echo server's RSS growth while "
          f"bench/loadgen opens {conn_n:,} connections that each echo one byte and stay open "
          f"(after a warm-up of {conn_n:,} more); kernel socket memory is not in any RSS. "
          f"**Pending timer**: {timer_n:,} timers one hour ahead. **Suspended task**: {task_n:,} "
          "tasks each suspended on its own future (the tasks benchmark's memory part). "
          "*× qaio* is the peer's bytes divided by qaio's (above 1: qaio is smaller).", ""]
    q = summary["connection"].get("qaio-protocol")
    md += ["| per idle connection | bytes | × qaio protocol |", "|---|---:|---:|"]
    for key in servers:
        v = summary["connection"].get(key)
        md.append(f"| {echo.LABEL[key]} | {fmt(v)} | {'—' if not v or not q else f'{v / q:.2f}×'} |")
    md.append("")
    for kind, impls, head in (("timer", TIMER_IMPLS, "per pending timer"), ("task", TASK_IMPLS, "per suspended task")):
        q = summary[kind].get("qaio")
        md += [f"| {head} | bytes | × qaio |", "|---|---:|---:|"]
        for key, label, _ in impls:
            v = summary[kind].get(key)
            if v is not None:
                md.append(f"| {label} | {fmt(v)} | {'—' if not q else f'{v / q:.2f}×'} |")
        md.append("")
    if failures:
        md += ["Failed: " + "; ".join(failures), ""]
    charts = [{"name": "memory", "title": "Resident bytes per idle connection / pending timer / suspended task (log scale)", "log": True,
               "ylabel": "bytes", "columns": ["per connection", "per timer", "per task"],
               "rows": [[label, summary["connection"].get(ck), summary["timer"].get(tk), summary["task"].get(sk)]
                        for label, ck, tk, sk in (
                            ("qaio", "qaio-protocol", "qaio", "qaio"),
                            ("Boost.Asio", "asio", "asio", "asio"),
                            ("uvloop", "uvloop-protocol", "uvloop", "uvloop"),
                            ("asyncio", "asyncio-protocol", "asyncio", "asyncio"),
                            ("Qt / QCoro", "qt-qcoro", "qtimer", "qcoro"),
                            ("libuv (C)", "libuv", None, None),
                            ("bare epoll", "floor", None, None))]}]
    write(a, {"suite": "memory", "summary": summary, "runs": results, "failures": failures,
              "charts": charts, "elapsed_seconds": round(clock.elapsed(), 1)}, "\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
