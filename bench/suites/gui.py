#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""gui.py — workload 3: GUI latency while the same loop serves echo at full load.

bench/gui_latency runs a QGuiApplication (offscreen platform) with a 60 Hz
QTimer frame tick and an 'input' event posted every millisecond, on the loop
that also serves 1 KiB echo to bench/loadgen (N connections, one request in
flight each, load generator on the other core). Reports frame and input
lateness p50/p99/max and the echo throughput reached meanwhile.
"""
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (Clock, Foreign, Server, args, fmt, krps, med, pins, raise_file_limit,  # noqa: E402
                      write)

CASES = [  # key, label, gui_latency arguments, with load?
    ("idle", "qaio loop, no echo load (baseline)", ["--server", "none"], False),
    ("qaio-protocol", "**qaio** protocol API echo", ["--server", "qaio-protocol"], True),
    ("qaio-streams", "**qaio** streams API echo", ["--server", "qaio-streams"], True),
    ("qaio-qtbackend", "**qaio** protocol API, Qt backend", ["--server", "qaio-protocol", "--backend", "qt"], True),
    ("qt", "plain Qt: QTcpServer/QTcpSocket echo on the same thread", ["--server", "qt"], True),
]
FULL = dict(busy=[100], reps=2, warmup=0.5, duration=5.0)
QUICK = dict(busy=[100], reps=1, warmup=0.3, duration=1.5)
FIELDS = ("frame_p50_us", "frame_p99_us", "frame_max_us", "input_p50_us", "input_p99_us", "input_max_us",
          "requests_per_second", "server_cpu_us_per_request", "foreign_cores")


def main():
    a = args(__doc__)
    cfg = dict(QUICK if a.quick else FULL)
    raise_file_limit()
    clock = Clock(a.budget)
    records = []
    with open(a.bin / "gui_servers.log", "w") as log:
        for rep in range(cfg["reps"]):
            for busy in cfg["busy"]:
                for key, _, extra, load in CASES:
                    if clock.over(0.9) or (not load and busy != cfg["busy"][0]):
                        continue
                    foreign = Foreign()
                    srv = Server([str(a.bin / "gui_latency"), "--warmup", str(cfg["warmup"]),
                                  "--duration", str(cfg["duration"])] + extra, log,
                                 env={"QT_QPA_PLATFORM": "offscreen"})
                    rec = {"case": key, "busy": busy if load else 0, "rep": rep}
                    try:
                        if load:
                            out = subprocess.run(
                                pins()[1] + [str(a.bin / "loadgen"), "--port", str(srv.port),
                                             "--server-pid", str(srv.pid), "--busy", str(busy),
                                             "--size", "1024", "--warmup", str(cfg["warmup"]),
                                             "--duration", str(cfg["duration"])],
                                capture_output=True, text=True, timeout=120, check=True).stdout
                            rec.update(json.loads(out.strip().splitlines()[-1]))
                        out = srv.proc.communicate(timeout=60)[0]
                        rec.update(json.loads(out.strip().splitlines()[-1]))
                        rec["foreign_cores"] = foreign.cores()
                        records.append(rec)
                    except (subprocess.SubprocessError, ValueError, IndexError) as e:
                        print(f"  FAILED gui {key} N={busy}: {e}", flush=True)
                    finally:
                        srv.stop()
                print(f"[{clock.elapsed():6.1f}s] gui N={busy} rep {rep + 1}", flush=True)

    summary = {}
    for r in records:
        summary.setdefault((r["case"], r["busy"]), []).append(r)
    summary = {k: {f: med([r.get(f) for r in v]) for f in FIELDS} for k, v in summary.items()}

    md = ["## GUI latency under echo load (workload 3)", "",
          "`bench/gui_latency.cpp`, `bench/suites/gui.py`. One thread, one qaio loop: a "
          "QGuiApplication on the offscreen platform, a 60 Hz frame tick (repeating `QTimer`, "
          "`Qt::PreciseTimer`, 16 ms: QTimer counts milliseconds) and an 'input' event posted to a "
          "QObject on that thread every millisecond by another thread (as input arrives), while the "
          "same loop serves 1 KiB echo to bench/loadgen at full load (N connections, one request in "
          f"flight each, the load generator on the other core). {cfg['duration']:g} s measured after "
          f"{cfg['warmup']:g} s, {cfg['reps']} repetition(s), medians. Frame lateness: fire time − due "
          "time; input lateness: handling time − posting time. Microseconds.", "",
          "| loop and load | N | frame p50 | p99 | max | input p50 | p99 | max | echo req/s | server µs/req |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, label, _, load in CASES:
        for busy in ([0] if not load else cfg["busy"]):
            x = summary.get((key, busy))
            if not x:
                continue
            md.append(f"| {label} | {busy or '—'} | {fmt(x['frame_p50_us'])} | {fmt(x['frame_p99_us'])} | "
                      f"{fmt(x['frame_max_us'])} | {fmt(x['input_p50_us'])} | {fmt(x['input_p99_us'])} | "
                      f"{fmt(x['input_max_us'])} | {krps(x['requests_per_second'])} | "
                      f"{fmt(x['server_cpu_us_per_request'], 1)} |")
    md.append("")

    goals = []
    for busy in cfg["busy"]:
        x = summary.get(("qaio-protocol", busy))
        if x:
            v = x["frame_p99_us"] / 1000
            goals.append({"goal": f"frame lateness p99 ≤ 4 ms at full echo load (protocol API, N={busy})",
                          "value": f"{v:.2f} ms", "met": v <= 4.0})
    charts = [{"name": "gui_latency", "title": "GUI lateness under full echo load (p99, µs)",
               "ylabel": "µs", "columns": ["frame p99", "input p99"],
               "rows": [[label.replace("**", "") + ("" if not load else f" N={busy}"),
                         summary.get((key, busy if load else 0), {}).get("frame_p99_us"),
                         summary.get((key, busy if load else 0), {}).get("input_p99_us")]
                        for key, label, _, load in CASES for busy in cfg["busy"][:1 if not load else None]
                        if (key, busy if load else 0) in summary]}]
    write(a, {"suite": "gui", "config": cfg, "goals": goals, "charts": charts,
              "summary": {f"{k[0]}/{k[1]}": v for k, v in summary.items()}, "runs": records,
              "elapsed_seconds": round(clock.elapsed(), 1)}, "\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
