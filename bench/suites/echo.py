#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""echo.py — workloads 1 (echo, the vmbench method) and 2 (idle scaling).

Every echo server runs on CPU 0 and bench/loadgen on CPU 1 (taskset). N
connections each keep one request in flight; after a warm-up the load
generator counts requests for a fixed time and reports requests/s, latency
p50/p99 and the server's CPU time per request (/proc/PID/schedstat). The
servers alternate (A B C ... A B C ...) and every number is the median of the
repetitions. Idle scaling: 10 busy connections plus 0, 1,000 and 10,000 idle
ones that each echoed one byte and then stay silent.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (PEERS, PY, Clock, Foreign, Server, args, fmt, fx, krps, med, pins,  # noqa: E402
                      raise_file_limit, ratio, run_json, write)
import shutil  # noqa: E402
import subprocess  # noqa: E402

# key, label, command (relative to the build's bench/ dir, or absolute), needs
SERVERS = [
    ("floor", "bare epoll, C++ (floor)", ["@echo_server_epoll"]),
    ("qaio-protocol", "**qaio** protocol API", ["@echo_server_qaio", "--api", "protocol"]),
    ("qaio-streams", "**qaio** streams API", ["@echo_server_qaio", "--api", "streams"]),
    ("asio", "Boost.Asio, C++20 coroutines", ["@asio_echo"]),
    ("libuv", "libuv, C", ["@libuv_echo"]),
    ("node", "Node.js net", ["node", str(PEERS / "node_echo.js")]),
    ("uvloop-protocol", "uvloop protocol", [PY, str(PEERS / "asyncio_echo.py"), "--loop", "uvloop",
                                            "--api", "protocol"]),
    ("uvloop-streams", "uvloop streams", [PY, str(PEERS / "asyncio_echo.py"), "--loop", "uvloop",
                                          "--api", "streams"]),
    ("asyncio-protocol", "asyncio protocol", [PY, str(PEERS / "asyncio_echo.py"), "--loop", "asyncio",
                                              "--api", "protocol"]),
    ("asyncio-streams", "asyncio streams", [PY, str(PEERS / "asyncio_echo.py"), "--loop", "asyncio",
                                            "--api", "streams"]),
    ("qt-qcoro", "QTcpServer/QTcpSocket + QCoro", ["@qt_echo", "--mode", "qcoro"]),
    ("qt-signals", "QTcpServer/QTcpSocket, readyRead slot", ["@qt_echo", "--mode", "signals"]),
    # idle scaling only: qaio's raw fd API, its portable Qt backend, one QSocketNotifier per socket
    ("qaio-raw", "**qaio** addReader (raw fd API)", ["@echo_server_qaio", "--api", "raw"]),
    ("qaio-qtbackend", "**qaio** protocol API, Qt backend", ["@echo_server_qaio", "--api", "protocol",
                                                             "--backend", "qt"]),
    ("qsn", "QSocketNotifier per socket (plain Qt)", ["@echo_server_qsn"]),
]
LABEL = {k: label for k, label, _ in SERVERS}
ECHO_SERVERS = [k for k, _, _ in SERVERS][:12]
IDLE_SERVERS = ["floor", "qaio-protocol", "qaio-streams", "qaio-qtbackend", "asio", "uvloop-protocol",
                "qsn"]

FULL = dict(sizes=[1024, 10240, 102400], ns=[10, 100, 1000], reps={1024: 3, 10240: 1, 102400: 1},
            warmup=0.25, duration=0.9, idle=[0, 1000, 10000], idle_reps=2,
            idle_servers=IDLE_SERVERS)
QUICK = dict(sizes=[1024], ns=[10, 1000], reps={1024: 1},
             warmup=0.2, duration=0.4, idle=[0, 10000], idle_reps=1,
             idle_servers=["floor", "qaio-protocol"])
QUICK_ECHO = ["floor", "qaio-protocol", "qaio-streams", "asio", "libuv", "uvloop-protocol",
              "uvloop-streams", "qt-signals"]


def command(key, bin_dir):
    cmd = next(c for k, _, c in SERVERS if k == key)
    return [str(bin_dir / c[1:]) if c.startswith("@") else c for c in cmd]


def available(key, bin_dir):
    cmd = command(key, bin_dir)
    if cmd[0] == PY:
        if "uvloop" in cmd:
            return subprocess.run([PY, "-c", "import uvloop"], capture_output=True).returncode == 0
        return True
    return Path(cmd[0]).exists() or shutil.which(cmd[0]) is not None


def run_echo(a, key, size, busy, idle, cfg, log):
    """One measured run; returns the load generator's record (or None on failure)."""
    foreign = Foreign()
    try:
        srv = Server(command(key, a.bin), log)
    except (RuntimeError, ValueError) as e:
        print(f"  FAILED {key}: {e}", flush=True)
        return None
    try:
        rec = run_json(pins()[1] + [str(a.bin / "loadgen"), "--port", str(srv.port),
                                    "--server-pid", str(srv.pid), "--busy", str(busy),
                                    "--idle", str(idle), "--size", str(size),
                                    "--warmup", str(cfg["warmup"]), "--duration", str(cfg["duration"])],
                       timeout=180)
    except (subprocess.SubprocessError, ValueError) as e:
        print(f"  FAILED {key} size={size} busy={busy} idle={idle}: {e}", flush=True)
        return None
    finally:
        srv.stop()
    rec.update(server=key, foreign_cores=foreign.cores())
    return rec


def summarize(records, fields=("requests_per_second", "server_cpu_us_per_request", "p50_us",
                               "p99_us", "server_load", "foreign_cores")):
    groups = {}
    for r in records:
        groups.setdefault((r["server"], int(r["size"]), int(r["busy"]), int(r["idle"])), []).append(r)
    return {k: dict({f: med([r.get(f) for r in v]) for f in fields}, runs=len(v),
                    rps_runs=[round(r["requests_per_second"]) for r in v])
            for k, v in groups.items()}


def main():
    a = args(__doc__)
    cfg = dict(QUICK if a.quick else FULL)
    limit = raise_file_limit()
    cfg["idle"] = [i for i in cfg["idle"] if i + 1100 <= limit]
    clock = Clock(a.budget)
    echo_servers = [k for k in (QUICK_ECHO if a.quick else ECHO_SERVERS) if available(k, a.bin)]
    idle_servers = [k for k in cfg["idle_servers"] if available(k, a.bin)]
    missing = [k for k in ECHO_SERVERS + IDLE_SERVERS if not available(k, a.bin)]
    records, skipped = [], []
    with open(a.bin / "echo_servers.log", "w") as log:
        def echo_cells(size):
            # Workload 1: one size, every N, servers alternating within each repetition.
            for busy in cfg["ns"]:
                for rep in range(cfg["reps"][size]):
                    if clock.over(0.8):
                        skipped.append(f"echo {size} B, N={busy}, rep {rep + 1}")
                        continue
                    order = echo_servers[rep % len(echo_servers):] + echo_servers[:rep % len(echo_servers)]
                    for key in order:
                        rec = run_echo(a, key, size, busy, 0, cfg, log)
                        if rec:
                            rec.update(workload="echo", rep=rep)
                            records.append(rec)
                    print(f"[{clock.elapsed():6.1f}s] echo size={size} N={busy} rep {rep + 1}", flush=True)

        def idle_rep(rep, limit):
            # Workload 2: idle scaling, 1 KiB, 10 busy connections.
            for idle in cfg["idle"]:
                if clock.over(limit):
                    skipped.append(f"idle {idle}, rep {rep + 1}")
                    continue
                for key in idle_servers:
                    rec = run_echo(a, key, 1024, 10, idle, cfg, log)
                    if rec:
                        rec.update(workload="idle", rep=rep)
                        records.append(rec)
                print(f"[{clock.elapsed():6.1f}s] idle={idle} rep {rep + 1}", flush=True)

        # The goals' workloads first (1 KiB, one idle-scaling repetition), then the
        # larger messages, then the other idle-scaling repetitions, within the budget.
        echo_cells(cfg["sizes"][0])
        idle_rep(0, 0.95)
        for size in cfg["sizes"][1:]:
            echo_cells(size)
        for rep in range(1, cfg["idle_reps"]):
            idle_rep(rep, 0.9)

    echo = summarize([r for r in records if r["workload"] == "echo"])
    idle = summarize([r for r in records if r["workload"] == "idle"])
    md, goals, charts = report(cfg, echo, idle, echo_servers, idle_servers, missing, skipped)
    data = {"suite": "echo", "config": cfg, "goals": goals, "charts": charts,
            "summary": {"echo": {"/".join(map(str, k)): v for k, v in echo.items()},
                        "idle": {"/".join(map(str, k)): v for k, v in idle.items()}},
            "runs": records, "skipped": skipped, "missing_peers": missing,
            "elapsed_seconds": round(clock.elapsed(), 1)}
    write(a, data, md)
    return 0


# Expected ranges of the peers' CPU per request relative to the floor (1 KiB, N = 10).
REFERENCE = [("asio", 1.1, 1.3), ("uvloop-protocol", 1.0, 1.7), ("uvloop-streams", 1.3, 2.8),
             ("qt-signals", 1.3, 3.8), ("qt-qcoro", 1.3, 3.8)]


def report(cfg, echo, idle, echo_servers, idle_servers, missing, skipped):
    sizes, ns = cfg["sizes"], cfg["ns"]

    def get(key, size, n, field, table=echo, idle_n=0):
        return table.get((key, size, n, idle_n), {}).get(field)

    md = ["## Echo: CPU per request and requests/s (workload 1)", "",
          "`bench/suites/echo.py`, `bench/loadgen.cpp`, servers: `bench/echo_server_{epoll,qaio}.cpp`, "
          "`bench/peers/{asio_echo.cpp,libuv_echo.c,node_echo.js,asyncio_echo.py,qt_echo.cpp}`. "
          "The vmbench method: N connections, each with one request in flight (send it, wait for the "
          "whole echo, send the next). The server runs on CPU 0, the load generator on CPU 1. "
          f"Warm-up {cfg['warmup']:g} s, then {cfg['duration']:g} s measured; repetitions: "
          + ", ".join(f"{s // 1024} KiB ×{r}" for s, r in cfg["reps"].items())
          + " (servers alternate, medians). On loopback the kernel's TCP path is most of the work, so "
          "requests/s is bounded by the kernel on both sides and by wake-ups across the two "
          "virtual CPUs; **the server's CPU time per request** is what separates the loops.", "",
          "### Headline: qaio against the floor and the peers (1 KiB)", "",
          "CPU ratio: qaio's server CPU per request ÷ the other server's (below 1: qaio uses less); "
          "req/s ratio: qaio's requests/s ÷ the other's (above 1: qaio serves more).", "",
          "| comparison |" + "".join(f" N={n}: CPU | req/s |" for n in ns),
          "|---|" + "---:|---:|" * len(ns)]
    for ours, other in (("qaio-protocol", "floor"), ("qaio-protocol", "asio"),
                        ("qaio-protocol", "uvloop-protocol"), ("qaio-protocol", "libuv"),
                        ("qaio-protocol", "qt-signals"), ("qaio-streams", "floor"),
                        ("qaio-streams", "asio"), ("qaio-streams", "uvloop-streams")):
        if ours not in echo_servers or other not in echo_servers:
            continue
        md.append(f"| {LABEL[ours]} vs {LABEL[other]} |" + "".join(
            f" {fx(ratio(get(ours, 1024, n, 'server_cpu_us_per_request'), get(other, 1024, n, 'server_cpu_us_per_request')))} |"
            f" {fx(ratio(get(ours, 1024, n, 'requests_per_second'), get(other, 1024, n, 'requests_per_second')))} |"
            for n in ns))
    md += ["", "### Server CPU per request relative to the bare epoll server (lower is better)", "",
          "| server |" + "".join(f" {s // 1024} KiB N={n} |" for s in sizes for n in ns),
          "|---|" + "---:|" * (len(sizes) * len(ns))]
    for key in echo_servers:
        md.append(f"| {LABEL[key]} |" + "".join(
            f" {fx(ratio(get(key, s, n, 'server_cpu_us_per_request'), get('floor', s, n, 'server_cpu_us_per_request')))} |"
            for s in sizes for n in ns))
    md += ["", "### Requests/s relative to Boost.Asio (higher is better)", "",
           "| server |" + "".join(f" {s // 1024} KiB N={n} |" for s in sizes for n in ns),
           "|---|" + "---:|" * (len(sizes) * len(ns))]
    for key in echo_servers:
        md.append(f"| {LABEL[key]} |" + "".join(
            f" {fx(ratio(get(key, s, n, 'requests_per_second'), get('asio', s, n, 'requests_per_second')))} |"
            for s in sizes for n in ns))
    md += ["", "### Absolute numbers", "",
           "Per cell: requests/s · server CPU µs/request · latency p50/p99 in µs "
           "(a server load well below 1.0 core means the server was not the bottleneck).", ""]
    for s in sizes:
        md += [f"**{s // 1024} KiB**", "", "| server |" + "".join(f" N={n} |" for n in ns),
               "|---|" + "---|" * len(ns)]
        for key in echo_servers:
            cells = []
            for n in ns:
                x = echo.get((key, s, n, 0))
                cells.append("—" if not x else
                             f"{krps(x['requests_per_second'])} · {fmt(x['server_cpu_us_per_request'], 1)} µs · "
                             f"{fmt(x['p50_us'])}/{fmt(x['p99_us'])} · load {fmt(x['server_load'], 2)}")
            md.append(f"| {LABEL[key]} | " + " | ".join(cells) + " |")
        md.append("")
    spread = []
    for key in echo_servers:
        x = echo.get((key, 1024, ns[0], 0))
        if x and x["runs"] > 1:
            spread.append(f"{LABEL[key]}: " + ", ".join(krps(v) for v in x["rps_runs"]))
    if spread:
        md += [f"Spread of requests/s over the repetitions (1 KiB, N={ns[0]}): " + "; ".join(spread) + ".", ""]

    # Idle scaling.
    idles = cfg["idle"]
    md += ["## Idle scaling (workload 2)", "",
           "10 busy connections (1 KiB, one request in flight each) plus 0, 1,000 or 10,000 idle "
           "connections that each echoed one byte (so the server watches them) and then stay silent. "
           f"Up to {cfg['idle_reps']} repetition(s) (see the skipped runs below). *vs 0 idle* is the throughput relative to the same "
           "server without idle connections; *CPU vs 0* is the same from the server's CPU per request "
           "(0-idle CPU ÷ this CPU), which other load on the machine disturbs less.", "",
           "| server |" + "".join(f" {i:,} idle: req/s | vs 0 idle | CPU vs 0 |" for i in idles),
           "|---|" + "---:|---:|---:|" * len(idles)]
    for key in idle_servers:
        base = idle.get((key, 1024, 10, 0), {})
        row = f"| {LABEL[key]} |"
        for i in idles:
            x = idle.get((key, 1024, 10, i), {})
            row += (f" {krps(x.get('requests_per_second'))} |"
                    f" {fx(ratio(x.get('requests_per_second'), base.get('requests_per_second')))} |"
                    f" {fx(ratio(base.get('server_cpu_us_per_request'), x.get('server_cpu_us_per_request')))} |")
        md.append(row)
    md.append("")
    if missing:
        md += ["Peers not measured (their package is missing here): "
               + ", ".join(sorted(set(missing))) + ".", ""]
    if skipped:
        md += ["Skipped to stay within the time budget: " + "; ".join(skipped) + ".", ""]
    md += ["Node.js cannot choose a socket's congestion control, so its server uses the system default "
           "(`bbr` here); every other server uses `cubic` on loopback (BBR paces even loopback "
           "traffic). qasync (the Python asyncio-on-Qt loop) is not packaged in Debian 12 and has no "
           "peer here.", ""]

    # Goals.
    goals = []
    for n in ns:
        fl = get("floor", 1024, n, "server_cpu_us_per_request")
        for key, limit in (("qaio-protocol", 1.15), ("qaio-streams", 1.3)):
            v = ratio(get(key, 1024, n, "server_cpu_us_per_request"), fl)
            goals.append({"goal": f"1 KiB echo N={n}: {LABEL[key].replace('**', '')} CPU/request ≤ {limit}× floor",
                          "value": fx(v), "met": None if v is None else v <= limit})
        v = ratio(get("qaio-protocol", 1024, n, "requests_per_second"),
                  get("asio", 1024, n, "requests_per_second"))
        goals.append({"goal": f"1 KiB echo N={n}: qaio protocol API requests/s ≥ 1.0× Boost.Asio",
                      "value": fx(v), "met": None if v is None else v >= 1.0})
    if idles and idles[-1] > 0:
        b, m = idle.get(("qaio-protocol", 1024, 10, 0), {}), idle.get(("qaio-protocol", 1024, 10, idles[-1]), {})
        v = ratio(m.get("requests_per_second"), b.get("requests_per_second"))
        goals.append({"goal": f"idle scaling: qaio protocol API with {idles[-1]:,} idle ≥ 0.9× (req/s)",
                      "value": fx(v), "met": None if v is None else v >= 0.9})
        v = ratio(b.get("server_cpu_us_per_request"), m.get("server_cpu_us_per_request"))
        goals.append({"goal": f"idle scaling: the same by server CPU per request ≥ 0.9×",
                      "value": fx(v), "met": None if v is None else v >= 0.9})
    fl = get("floor", 1024, 10, "server_cpu_us_per_request")
    for key, lo, hi in REFERENCE:
        v = ratio(get(key, 1024, 10, "server_cpu_us_per_request"), fl)
        if v is not None:
            goals.append({"goal": f"reference: {LABEL[key]} CPU/request {lo}–{hi}× floor (1 KiB, N=10)",
                          "value": fx(v), "met": None, "reference": lo <= v <= hi})

    # Charts.
    charts = []
    for s in sizes:
        charts.append({"name": f"echo_cpu_{s // 1024}k",
                       "title": f"Echo {s // 1024} KiB: server CPU per request relative to bare epoll (lower is better)",
                       "ylabel": "× floor", "columns": [f"N={n}" for n in ns],
                       "rows": [[LABEL[k].replace("**", ""),
                                 *[ratio(get(k, s, n, "server_cpu_us_per_request"),
                                         get("floor", s, n, "server_cpu_us_per_request")) for n in ns]]
                                for k in echo_servers]})
    charts.append({"name": "echo_rps_1k", "title": "Echo 1 KiB: requests/s (higher is better)",
                   "ylabel": "requests/s", "columns": [f"N={n}" for n in ns],
                   "rows": [[LABEL[k].replace("**", ""), *[get(k, 1024, n, "requests_per_second") for n in ns]]
                            for k in echo_servers]})
    charts.append({"name": "idle_scaling", "title": "Idle scaling: requests/s relative to 0 idle connections",
                   "ylabel": "× (0 idle)", "columns": [f"{i:,} idle" for i in idles],
                   "rows": [[LABEL[k].replace("**", ""),
                             *[ratio(idle.get((k, 1024, 10, i), {}).get("requests_per_second"),
                                     idle.get((k, 1024, 10, 0), {}).get("requests_per_second")) for i in idles]]
                            for k in idle_servers]})
    return "\n".join(md), goals, charts


if __name__ == "__main__":
    sys.exit(main())
