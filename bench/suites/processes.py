#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""processes.py — the processes/executor suite, side by side.

    /usr/bin/python3 bench/suites/processes.py --build DIR [--quick] --json OUT --md OUT

Runs bench_processes (qaio), processes_asyncio.py (asyncio and uvloop, with
/usr/bin/python3) and qtconcurrent_processes (QProcess + QtConcurrent::run +
QFutureWatcher) in alternating order, 3 rounds; reports the median of each
metric per implementation, as JSON and as a markdown section with ratios
against qaio. --quick: 1 round and smaller workloads (a smoke test).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"

# metric -> (label, unit, higher is better)
METRICS = {
    "spawn_seq_ms_per_proc": ("spawn + communicate, one after another", "ms/process", False),
    "spawn_conc_ms_total": ("spawn + communicate, all at once", "ms total", False),
    "exec_rtt_us_p50": ("executor round trip p50", "µs", False),
    "exec_rtt_us_p99": ("executor round trip p99", "µs", False),
    "exec_tput_jobs_per_s": ("executor throughput", "jobs/s", True),
}
ORDER = ["qaio", "asyncio", "uvloop", "qtconcurrent"]


def commands(build, sizes):
    bench_dir = os.path.join(build, "bench")
    cpp = ["--procs", str(sizes["procs"]), "--rtt-n", str(sizes["rtt"]), "--tput-n", str(sizes["tput"])]
    py = ["--procs", str(sizes["procs"]), "--rtt_n", str(sizes["rtt"]), "--tput_n", str(sizes["tput"])]
    peer = os.path.join(BENCH, "peers", "processes_asyncio.py")
    cmds = {
        "qaio": [os.path.join(bench_dir, "bench_processes")] + cpp,
        "asyncio": [PYTHON, peer, "--loop", "asyncio"] + py,
        "uvloop": [PYTHON, peer, "--loop", "uvloop"] + py,
        "qtconcurrent": [os.path.join(bench_dir, "qtconcurrent_processes")] + cpp,
    }
    missing = [name for name, cmd in cmds.items() if cmd[0] != PYTHON and not os.path.exists(cmd[0])]
    for name in missing:
        print(f"processes suite: {cmds[name][0]} is not built, skipping {name}", file=sys.stderr)
        del cmds[name]
    return cmds


def run_one(cmd):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, timeout=600).stdout
    return json.loads(out.strip().splitlines()[-1])


def fmt(value):
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def markdown(medians, meta):
    impls = [i for i in ORDER if i in medians]
    lines = ["## Processes and executors", "",
             f"{meta['procs']} short `cat` children (spawn, communicate(\"hello\\n\"), wait), "
             f"{meta['rtt']} executor round trips one at a time, {meta['tput']} executor jobs at once. "
             f"Median of {meta['rounds']} alternating rounds; {meta['host']}.", "",
             "| workload | unit | " + " | ".join(impls) + " |",
             "|---|---|" + "---|" * len(impls)]
    for key, (label, unit, _) in METRICS.items():
        cells = [fmt(medians[i][key]) if key in medians[i] else "–" for i in impls]
        lines.append(f"| {label} | {unit} | " + " | ".join(cells) + " |")
    lines += ["", "Ratios against qaio (> 1: qaio is better by that factor):", "",
              "| workload | " + " | ".join(i for i in impls if i != "qaio") + " |",
              "|---|" + "---|" * (len(impls) - 1)]
    if "qaio" in medians:
        for key, (label, _, higher) in METRICS.items():
            q = medians["qaio"].get(key)
            cells = []
            for i in impls:
                if i == "qaio":
                    continue
                v = medians[i].get(key)
                if not q or not v:
                    cells.append("–")
                else:
                    cells.append(f"{(q / v) if higher else (v / q):.2f}×")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Reproduce: `/usr/bin/python3 bench/suites/processes.py --build build "
              "--json processes.json --md processes.md` (build with -DQAIO_BUILD_BENCH=ON, "
              "targets bench_processes and qtconcurrent_processes).", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", required=True)
    ap.add_argument("--md", required=True)
    args = ap.parse_args()
    sizes = {"procs": 40, "rtt": 300, "tput": 2000} if args.quick else {"procs": 200, "rtt": 2000, "tput": 20000}
    rounds = 1 if args.quick else 3
    cmds = commands(os.path.abspath(args.build), sizes)
    samples = {name: [] for name in cmds}
    for r in range(rounds):
        names = list(cmds)
        if r % 2:
            names.reverse()  # alternate the order between rounds
        for name in names:
            result = run_one(cmds[name])
            samples[name].append(result)
            print(f"round {r + 1} {name}: {json.dumps(result)}", file=sys.stderr)
    medians = {name: {key: statistics.median(s[key] for s in runs) for key in METRICS if key in runs[0]}
               for name, runs in samples.items()}
    meta = {"procs": sizes["procs"], "rtt": sizes["rtt"], "tput": sizes["tput"], "rounds": rounds,
            "host": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs",
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(args.json, "w") as f:
        json.dump({"suite": "processes", "meta": meta, "medians": medians, "runs": samples}, f, indent=1)
    with open(args.md, "w") as f:
        f.write(markdown(medians, meta))
    print(markdown(medians, meta))


if __name__ == "__main__":
    main()
