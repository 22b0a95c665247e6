# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""benchlib.py — what the benchmark suites share (Python standard library only).

A suite is bench/suites/<name>.py, run by bench/run.sh as
    /usr/bin/python3 bench/suites/<name>.py --build DIR [--quick] --json OUT.json --md OUT.md
It writes its records and summary to OUT.json and its section of
docs/benchmarks.md (markdown starting at a `## ` heading) to OUT.md. Optional
keys of OUT.json the driver understands:
  "goals":  [{"goal": str, "value": str, "met": true|false|null}]   -> the goal table
  "charts": [{"name": str, "title": str, "ylabel": str, "columns": [str],
              "rows": [[label, number|null, ...]], "log": bool}]   -> docs/bench/<name>.png
The environment variable QAIO_BENCH_BUDGET (seconds) is the suite's time budget.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PEERS = ROOT / "bench" / "peers"
PY = "/usr/bin/python3"  # Debian's python: the one with uvloop
HZ = os.sysconf("SC_CLK_TCK")


def args(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--build", default=str(ROOT / "build-bench"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", required=True)
    ap.add_argument("--md", required=True)
    a = ap.parse_args()
    a.bin = Path(a.build) / "bench"
    a.budget = float(os.environ.get("QAIO_BENCH_BUDGET", "0") or 0)
    return a


def write(a, data, md):
    Path(a.json).write_text(json.dumps(data, indent=1, default=str) + "\n")
    Path(a.md).write_text(md.rstrip() + "\n")


def raise_file_limit():
    """10,000 idle connections need more open files than the usual 1024 (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def busy_seconds():
    """CPU seconds used so far by everything on the machine (user, nice, system, steal)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[7]) / HZ


def children_seconds():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class Foreign:
    """Measures the cores other work used while a benchmark ran (the machine is shared)."""

    def __init__(self):
        self.b0, self.c0, self.t0 = busy_seconds(), children_seconds(), time.monotonic()

    def cores(self, own_extra=0.0):
        took = max(time.monotonic() - self.t0, 0.01)
        used = busy_seconds() - self.b0 - (children_seconds() - self.c0) - own_extra
        return round(max(used / took, 0.0), 2)


def pins():
    """taskset prefixes: the server on CPU 0, the load generator on CPU 1."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", "0"], ["taskset", "-c", "1"]
    return [], []


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def run_json(cmd, timeout=300, env=None):
    """Runs a program that prints one JSON line last; returns it (raises on failure)."""
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True,
                         env=dict(os.environ, **(env or {})))
    return last_json(out.stdout)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    return a / b if a and b else None


def fmt(v, digits=0):
    return "—" if v is None else f"{v:,.{digits}f}"


def fx(v):
    return "—" if v is None else f"{v:.2f}×"


def krps(v):
    return "—" if v is None else (f"{v / 1000:.1f}k" if v >= 1000 else f"{v:.0f}")


def rss_bytes(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Server:
    """An echo server process pinned to CPU 0; reads {"port": N} from its stdout."""

    def __init__(self, cmd, log, pin=True, env=None):
        prefix = pins()[0] if pin else []
        self.proc = subprocess.Popen(prefix + cmd, stdout=subprocess.PIPE, text=True, stderr=log,
                                     env=dict(os.environ, **(env or {})))
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(f"{cmd[0]} printed no port")
        self.port = json.loads(line)["port"]
        self.pid = self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Clock:
    """The suite's time budget: `over()` once it is spent (never with budget 0)."""

    def __init__(self, budget):
        self.budget, self.t0 = budget, time.monotonic()

    def elapsed(self):
        return time.monotonic() - self.t0

    def over(self, fraction=1.0):
        return self.budget > 0 and self.elapsed() > self.budget * fraction
