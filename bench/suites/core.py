#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""core.py — the core-loop suite: callSoon, callLater and timer lateness against the peers.

Run by bench/run.sh (see bench/suites/benchlib.py for the suite convention).
Every benchmark program prints one JSON line; this suite runs them in
alternation (A B C A B C ...), repeats, takes medians, and writes its section
of docs/benchmarks.md and its records. (The echo and idle-connection runs that
used to live here are in the echo suite now.) Python standard library only.
"""
import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PEERS = ROOT / "bench" / "peers"
PY = "/usr/bin/python3"  # Debian's python: the one with uvloop

# Echo throughput is the noisiest measure (wake-ups across two virtual CPUs): more, shorter runs.
FULL = dict(reps=2, callsoon_n=1_000_000, chain_n=1_000_000, timer_ns=[100_000, 1_000_000],
            qtimer_max_n=20_000, lateness_samples=200)
QUICK = dict(reps=1, callsoon_n=100_000, chain_n=100_000, timer_ns=[20_000],
             qtimer_max_n=5_000, lateness_samples=30)


# ---------------------------------------------------------------- running

HZ = os.sysconf("SC_CLK_TCK")
CLEAN = 0.2  # a run is "disturbed" if other work used more than this many cores meanwhile


def busy_seconds():
    """CPU seconds spent so far by everything on the machine (user, nice, system, steal)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[7]) / HZ


def children_seconds():
    """CPU seconds used by this driver's finished children (the benchmark programs)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def wait_quiet(max_wait):
    """Waits (up to max_wait s) until the machine is idle; True if it is."""
    deadline = time.monotonic() + max_wait
    while True:
        b0 = busy_seconds()
        time.sleep(0.3)
        if (busy_seconds() - b0) / 0.3 < CLEAN:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.7)


class Runner:
    """Runs benchmark programs and keeps their JSON records.

    Every run also measures the *foreign* CPU load: what the whole machine used
    meanwhile minus what the benchmark's own processes used, in cores. A run
    disturbed by other work (other builds on a shared machine) is repeated,
    while the patience budget lasts, and the least disturbed attempt is kept."""

    def __init__(self, build, max_wait, patience, attempts):
        self.bin = Path(build) / "bench"
        self.max_wait = max_wait  # per wait for a quiet machine
        self.patience = patience  # seconds of waiting and retrying in all
        self.attempts = attempts  # per run
        self.deadline = None  # monotonic time after which only first repetitions run
        self.skipped = 0
        self.records = []
        self.failures = []

    def measure(self, key, rep, fn, disturbed=lambda rec: False):
        """Runs fn() -> record, again if other work disturbed it (or `disturbed` says so)."""
        if self.deadline is not None and time.monotonic() > self.deadline and rep > 0:
            self.skipped += 1  # over the suite's time budget: first repetitions only
            return None
        best = None
        for attempt in range(1, self.attempts + 1):
            t0 = time.monotonic()
            if self.patience > 0:
                wait_quiet(min(self.max_wait, self.patience))
            self.patience -= time.monotonic() - t0
            b0, c0, t1 = busy_seconds(), children_seconds(), time.monotonic()
            rec = fn()
            if rec is None:
                return None
            took = time.monotonic() - t1
            foreign = ((busy_seconds() - b0) - (children_seconds() - c0)) / max(took, 0.01)
            rec.update(key=key, rep=rep, attempt=attempt, foreign_cores=round(max(foreign, 0), 2))
            if best is None or rec["foreign_cores"] < best["foreign_cores"]:
                best = rec
            over = self.deadline is not None and time.monotonic() > self.deadline
            if (foreign < CLEAN and not disturbed(rec)) or self.patience <= 0 or over:
                break
            self.patience -= took
        self.records.append(best)
        return best

    def execute(self, key, cmd, env=None, timeout=300):
        """Runs one program; returns its last stdout line as JSON, or None (a failure)."""
        try:
            out = subprocess.run(cmd, capture_output=True, text=True,
                                 env=dict(os.environ, **(env or {})), timeout=timeout,
                                 check=True).stdout
            return json.loads(out.strip().splitlines()[-1])
        except (subprocess.SubprocessError, ValueError, IndexError) as e:
            err = getattr(e, "stderr", "") or ""
            self.failures.append({"key": key, "cmd": cmd, "error": f"{e} {err}".strip()})
            print(f"  FAILED {key}: {e} {err.strip()[:300]}", flush=True)
            return None

    def run(self, key, cmd, env=None, timeout=300, rep=0):
        """Runs one benchmark program and records its JSON line under `key`."""
        return self.measure(key, rep, lambda: self.execute(key, cmd, env, timeout))


def have_uvloop():
    return subprocess.run([PY, "-c", "import uvloop"], capture_output=True).returncode == 0


# ---------------------------------------------------------------- the benchmarks

def bench_callsoon(r, cfg, peers):
    for rep in range(cfg["reps"]):
        for mode in ("batch", "chain"):
            n = str(cfg["callsoon_n"] if mode == "batch" else cfg["chain_n"])
            for impl in ("floor", "qaio", "invoke"):
                r.run(("callsoon", mode, impl),
                      [str(r.bin / "bench_callsoon"), "--impl", impl, "--mode", mode, "--n", n],
                      rep=rep)
            if "asio" in peers:
                r.run(("callsoon", mode, "asio"),
                      [str(r.bin / "asio_callsoon"), "--mode", mode, "--n", n], rep=rep)
            for loop in peers["python"]:
                r.run(("callsoon", mode, loop),
                      [PY, str(PEERS / "asyncio_callsoon.py"), "--loop", loop, "--mode", mode,
                       "--n", n], rep=rep)


def bench_timers(r, cfg, peers):
    # QTimer is quadratic in the number of pending timers: only up to qtimer_max_n,
    # and the others run at that size too, for a like-for-like row.
    qn = min(cfg["qtimer_max_n"], max(cfg["timer_ns"]))
    for rep in range(cfg["reps"]):
        for n in sorted(set(cfg["timer_ns"]) | {qn}):
            r.run(("timers", n, "qaio"), [str(r.bin / "bench_timers"), "--impl", "qaio",
                                          "--n", str(n)], rep=rep)
            if "asio" in peers:
                r.run(("timers", n, "asio"), [str(r.bin / "asio_timers"), "--n", str(n)], rep=rep)
            for loop in peers["python"] if n <= 100_000 else []:  # 1,000,000: minutes under load
                r.run(("timers", n, loop), [PY, str(PEERS / "asyncio_timers.py"), "--loop", loop,
                                            "--n", str(n)], timeout=600, rep=rep)
        r.run(("timers", qn, "qtimer"), [str(r.bin / "bench_timers"), "--impl", "qtimer",
                                         "--n", str(qn)], timeout=900, rep=rep)


def bench_lateness(r, cfg, peers):
    samples = str(cfg["lateness_samples"])
    for rep in range(cfg["reps"]):
        for delay in (0.0005, 0.010):
            d = ["--delay", str(delay), "--samples", samples]
            for backend in ("epoll", "qt"):
                r.run(("lateness", delay, "qaio-" + backend),
                      [str(r.bin / "bench_lateness"), "--impl", "qaio", "--backend", backend] + d,
                      rep=rep)
            r.run(("lateness", delay, "qtimer"),
                  [str(r.bin / "bench_lateness"), "--impl", "qtimer"] + d, rep=rep)
            if "asio" in peers:
                r.run(("lateness", delay, "asio"), [str(r.bin / "asio_lateness")] + d, rep=rep)
            for loop in peers["python"]:
                r.run(("lateness", delay, loop),
                      [PY, str(PEERS / "asyncio_lateness.py"), "--loop", loop] + d, rep=rep)


# ---------------------------------------------------------------- aggregation

def med(records, field):
    vals = [x[field] for x in records if field in x]
    return statistics.median(vals) if vals else None


def group(records):
    out = {}
    for rec in records:
        out.setdefault(tuple(rec["key"]), []).append(rec)
    return out


def summarize(records):
    g = group(records)
    s = {"callsoon": {}, "timers": {}, "lateness": {}}
    for key, recs in g.items():
        kind = key[0]
        if kind == "callsoon":
            s["callsoon"].setdefault(key[1], {})[key[2]] = {
                "ns_per_callback": med(recs, "ns_per_callback"), "n": recs[0]["n"],
                "wall_ns_per_callback": med(recs, "wall_ns_per_callback"),
                "runs": [x["ns_per_callback"] for x in recs]}
        elif kind == "timers":
            s["timers"].setdefault(key[1], {})[key[2]] = {
                "ns_per_timer": med(recs, "ns_per_timer"), "wall_seconds": med(recs, "wall_seconds"),
                "runs": [x["ns_per_timer"] for x in recs]}
        elif kind == "lateness":
            s["lateness"].setdefault(key[1], {})[key[2]] = {
                f: med(recs, f) for f in ("p50_us", "p99_us", "min_us", "max_us")}
            s["lateness"][key[1]][key[2]]["samples"] = recs[0]["samples"]
    return s


def ratio(a, b):
    return a / b if a and b else None


def goals(s):
    """The issue's goals, each with the measured value and a verdict."""
    out = []
    for mode, impls in s["callsoon"].items():
        q = impls.get("qaio", {}).get("ns_per_callback")
        for peer, need in (("floor", 0.3), ("invoke", 5.0)):
            p = impls.get(peer, {}).get("ns_per_callback")
            v = ratio(p, q)
            if v is not None:
                out.append({"goal": f"callSoon ({mode}) rate ≥ {need}× the {LABELS[peer]} rate",
                            "value": f"{v:.2f}×", "met": v >= need})
    for n, impls in s["timers"].items():
        q = impls.get("qaio", {}).get("ns_per_timer")
        a = impls.get("asio", {}).get("ns_per_timer")
        v = ratio(a, q)
        if v is not None:
            out.append({"goal": f"callLater ({n:,} timers) at least as fast as Boost.Asio",
                        "value": f"{v:.2f}×", "met": v >= 1.0})
    return out


# ---------------------------------------------------------------- machine facts

def machine(build):
    facts = {"cpu": "unknown", "cores": os.cpu_count(), "kernel": platform.release()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                facts["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cache = {}
    try:
        for line in open(Path(build) / "CMakeCache.txt"):
            if ":" in line and "=" in line and not line.startswith(("//", "#")):
                k, v = line.split("=", 1)
                cache[k.split(":")[0]] = v.strip()
    except OSError:
        pass
    cxx = cache.get("CMAKE_CXX_COMPILER", "c++")
    try:
        facts["compiler"] = subprocess.run([cxx, "--version"], capture_output=True,
                                           text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        facts["compiler"] = cxx
    facts["build_type"] = cache.get("CMAKE_BUILD_TYPE", "")
    facts["python"] = subprocess.run([PY, "-c", "import sys;print(sys.version.split()[0])"],
                                     capture_output=True, text=True).stdout.strip()
    facts["uvloop"] = subprocess.run([PY, "-c", "import uvloop;print(uvloop.__version__)"],
                                     capture_output=True, text=True).stdout.strip() or "missing"
    try:
        facts["tcp_congestion_control"] = open(
            "/proc/sys/net/ipv4/tcp_congestion_control").read().strip()
    except OSError:
        pass
    git = ["git", "-C", str(ROOT)]
    rev = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(git + ["status", "--porcelain", "--", "src"], capture_output=True,
                           text=True).stdout.strip()
    facts["git"] = rev.stdout.strip() + (" (src/ modified)" if dirty else "")
    facts["date"] = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return facts


# ---------------------------------------------------------------- report

def fmt(v, digits=0):
    if v is None:
        return "—"
    return f"{v:,.{digits}f}"


def fmt_ratio(v):
    return "—" if v is None else f"{v:.2f}x"


def krps(v):
    return "—" if v is None else f"{v / 1000:.1f}k"


LABELS = {"floor": "std::deque<std::function> (floor)", "qaio": "**qaio** callSoon / callLater",
          "invoke": "QMetaObject::invokeMethod, queued", "asio": "Boost.Asio post / steady_timer",
          "asyncio": "CPython asyncio", "uvloop": "uvloop",
          "qtimer": "QTimer (singleShot + QTimer::stop)",
          "qaio-epoll": "**qaio** (epoll backend)", "qaio-qt": "**qaio** (QAIO_BACKEND=qt)"}


def charts(s):
    cs, tm = s["callsoon"], s["timers"]
    modes = [m for m in ("batch", "chain") if m in cs]
    impls = [i for i in ("floor", "qaio", "asio", "invoke", "uvloop", "asyncio") if any(i in cs[m] for m in modes)]
    out = [{"name": "core_callsoon", "title": "callSoon: CPU ns per callback (log scale, lower is better)",
            "ylabel": "ns", "log": True, "columns": modes,
            "rows": [[LABELS[i].replace("**", ""), *[cs[m].get(i, {}).get("ns_per_callback") for m in modes]]
                     for i in impls]}]
    ns = sorted(tm)
    timpls = [i for i in ("qaio", "asio", "qtimer", "uvloop", "asyncio") if any(i in tm[n] for n in ns)]
    out.append({"name": "core_timers", "title": "callLater: CPU ns per timer (log scale, lower is better)",
                "ylabel": "ns", "log": True, "columns": [f"{n:,} timers" for n in ns],
                "rows": [[LABELS[i].replace("**", ""), *[tm[n].get(i, {}).get("ns_per_timer") for n in ns]]
                         for i in timpls]})
    return out


def report(s, facts, cfg, command, records, failures, goal_list):
    reps = cfg["reps"]
    # callSoon
    cs = s["callsoon"]
    md = ["## Core loop: callSoon, cost per callback", "",
          f"Core-loop programs: {reps} repetition(s), alternating between implementations, "
          "medians; this suite waits briefly for a quiet machine and repeats runs that other "
          "work disturbed (`foreign_cores` in the results).", "",
           "`bench/callsoon.cpp`, `bench/peers/asio_callsoon.cpp`, "
           "`bench/peers/asyncio_callsoon.py`. **batch**: schedule N callbacks from one place, "
           "then run the loop until all ran. **chain**: each callback schedules the next, so "
           "every callback is one loop iteration. Process CPU time / N (the wall time, "
           "which other load disturbs more, is in core.json), after a warm-up run with N/10. "
           "*qaio ÷ it* is qaio's rate divided by that implementation's rate (above 1: qaio is "
           "faster).", ""]
    modes = [m for m in ("batch", "chain") if m in cs]
    head = "| implementation |" + "".join(
        f" {m} (N={int(next(iter(cs[m].values()))['n']):,}): ns/callback | qaio ÷ it |"
        for m in modes)
    md += [head, "|---|" + "---:|---:|" * len(modes)]
    for impl in ("floor", "qaio", "invoke", "asio", "asyncio", "uvloop"):
        if not any(impl in cs[m] for m in modes):
            continue
        row = f"| {LABELS[impl]} |"
        for m in modes:
            v = cs[m].get(impl, {}).get("ns_per_callback")
            q = cs[m].get("qaio", {}).get("ns_per_callback")
            row += f" {fmt(v, 1)} | {fmt_ratio(ratio(v, q))} |"
        md.append(row)
    md.append("")

    # timers
    tm = s["timers"]
    ns = sorted(tm)
    md += ["## Core loop: callLater, cost per timer", "",
           "`bench/timers.cpp`, `bench/peers/asio_timers.cpp`, `bench/peers/asyncio_timers.py`. "
           "N timers with delays uniform in [0, 100 ms), every other one cancelled, run until "
           "the rest fired. Process CPU time / N (waiting for deadlines is free). "
           f"QTimer only up to {cfg['qtimer_max_n']:,} timers: Qt keeps pending timers in a "
           "sorted list (O(n) insert), so it is quadratic — at 1,000,000 it would take hours. "
           "asyncio and uvloop only up to 100,000 (at 1,000,000 they take minutes on a loaded machine).", ""]
    md += ["| implementation |" + "".join(f" {n:,}: ns/timer | qaio ÷ it |" for n in ns),
           "|---|" + "---:|---:|" * len(ns)]
    for impl in ("qaio", "asio", "qtimer", "asyncio", "uvloop"):
        if not any(impl in tm[n] for n in ns):
            continue
        row = f"| {LABELS[impl]} |"
        for n in ns:
            v = tm[n].get(impl, {}).get("ns_per_timer")
            q = tm[n].get("qaio", {}).get("ns_per_timer")
            row += f" {fmt(v, 0)} | {fmt_ratio(ratio(v, q))} |"
        md.append(row)
    md.append("")

    # lateness
    lt = s["lateness"]
    delays = sorted(lt)
    md += ["## Core loop: timer lateness", "",
           "`bench/lateness.cpp`, `bench/peers/asio_lateness.cpp`, "
           "`bench/peers/asyncio_lateness.py`. Sequential timers: arm, record "
           "(fire time − deadline) on CLOCK_MONOTONIC, arm again; microseconds. Negative means "
           "the timer fired **early**. QTimer and qaio's Qt backend count whole milliseconds "
           "(0.5 ms is rounded up to 1 ms); uvloop rounds delays to libuv's millisecond clock "
           "and fires early.", ""]
    md += ["| implementation |" + "".join(
        f" {d * 1000:g} ms: p50 | p99 | min |" for d in delays),
        "|---|" + "---:|---:|---:|" * len(delays)]
    for impl in ("qaio-epoll", "qaio-qt", "qtimer", "asio", "asyncio", "uvloop"):
        if not any(impl in lt[d] for d in delays):
            continue
        row = f"| {LABELS[impl]} |"
        for d in delays:
            x = lt[d].get(impl, {})
            row += f" {fmt(x.get('p50_us'))} | {fmt(x.get('p99_us'))} | {fmt(x.get('min_us'))} |"
        md.append(row)
    md.append(f"\n{cfg['lateness_samples']} samples per delay and run.\n")

    if failures:
        md += ["## Failed runs", ""] + [f"- `{f['key']}`: {f['error'][:200]}" for f in failures]
        md.append("")

    return "\n".join(md)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="1 repetition, smaller N")
    ap.add_argument("--build", default=str(ROOT / "build-bench"))
    ap.add_argument("--json", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--only", nargs="*", choices=["callsoon", "timers", "lateness"])
    a = ap.parse_args()
    cfg = dict(QUICK if a.quick else FULL)
    budget = float(os.environ.get("QAIO_BENCH_BUDGET", "0") or 0)
    # Waiting for a quiet machine: a little in quick mode, within a tenth of the budget otherwise.
    max_wait = 0 if a.quick else 5
    patience = 0 if a.quick else (budget * 0.1 if budget else 60)

    peers = {"python": ["asyncio"] + (["uvloop"] if have_uvloop() else [])}
    if (Path(a.build) / "bench" / "asio_callsoon").exists():
        peers["asio"] = True
    facts = machine(a.build)
    r = Runner(a.build, max_wait, patience, attempts=1 if a.quick else 2)
    if budget:
        r.deadline = time.monotonic() + budget * 0.8
    only = set(a.only or ["callsoon", "timers", "lateness"])
    start = time.monotonic()
    steps = [("callsoon", lambda: bench_callsoon(r, cfg, peers)),
             ("timers", lambda: bench_timers(r, cfg, peers)),
             ("lateness", lambda: bench_lateness(r, cfg, peers))]
    for name, step in steps:
        if name in only:
            print(f"[{time.monotonic() - start:6.1f}s] core: {name}", flush=True)
            step()
    s = summarize(r.records)
    goal_list = goals(s)
    md = report(s, facts, cfg, "bench/run.sh", r.records, r.failures, goal_list)
    if r.skipped:
        md += f"\nOver this suite's time budget, {r.skipped} runs of later repetitions were skipped.\n"
    data = {"suite": "core", "machine": facts, "config": cfg, "goals": goal_list, "charts": charts(s),
            "summary": {k: {str(kk): vv for kk, vv in v.items()} for k, v in s.items()},
            "runs": r.records, "failures": r.failures,
            "elapsed_seconds": round(time.monotonic() - start, 1)}
    Path(a.json).write_text(json.dumps(data, indent=1, default=str) + "\n")
    Path(a.md).write_text(md.rstrip() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
