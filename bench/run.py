#!/usr/bin/env python3
"""run.py — runs qaio's core-loop benchmarks side by side and writes the report.

Called by bench/run.sh after the build. Every benchmark program prints one JSON
line; this script runs them in alternation (A B C A B C ...), repeats, takes
medians, and writes docs/benchmarks.md and bench/results/core.json.
Python standard library only.
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

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
PY = "/usr/bin/python3"  # Debian's python: the one with uvloop

# Echo throughput is the noisiest measure (wake-ups across two virtual CPUs): more, shorter runs.
FULL = dict(reps=3, callsoon_n=1_000_000, chain_n=1_000_000, timer_ns=[100_000, 1_000_000],
            qtimer_max_n=100_000, lateness_samples=200, echo_reps=5, echo_warmup=1.0,
            echo_duration=2.0, idle=[0, 1000, 10000])
QUICK = dict(reps=1, callsoon_n=1_000_000, chain_n=200_000, timer_ns=[100_000],
             qtimer_max_n=20_000, lateness_samples=100, echo_reps=1, echo_warmup=1.0,
             echo_duration=1.0, idle=[0, 1000, 10000])


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
        self.records = []
        self.failures = []

    def measure(self, key, rep, fn, disturbed=lambda rec: False):
        """Runs fn() -> record, again if other work disturbed it (or `disturbed` says so)."""
        best = None
        for attempt in range(1, self.attempts + 1):
            t0 = time.monotonic()
            wait_quiet(min(self.max_wait, max(self.patience, 0)))
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
            if (foreign < CLEAN and not disturbed(rec)) or self.patience <= 0:
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

    def echo(self, key, server_cmd, idle, cfg, rep):
        """An echo server on CPU 0 and the load generator on CPU 1; records the latter's line."""
        # A server that used well under its core was waiting on wake-ups, not working.
        return self.measure(key, rep, lambda: self.echo_once(key, server_cmd, idle, cfg),
                            disturbed=lambda rec: server_load(rec) < 0.7)

    def echo_once(self, key, server_cmd, idle, cfg):
        pin_server, pin_load = pins()
        with open(self.bin / "echo_servers.log", "a") as log:  # the servers' stderr
            srv = subprocess.Popen(pin_server + server_cmd, stdout=subprocess.PIPE, text=True,
                                   stderr=log)
        try:
            port = json.loads(srv.stdout.readline())["port"]
            load = pin_load + [str(self.bin / "loadgen"), "--port", str(port),
                               "--server-pid", str(srv.pid), "--busy", "10", "--idle", str(idle),
                               "--warmup", str(cfg["echo_warmup"]),
                               "--duration", str(cfg["echo_duration"])]
            return self.execute(key, load, timeout=120)
        except ValueError as e:
            self.failures.append({"key": key, "cmd": server_cmd, "error": str(e)})
            return None
        finally:  # reaped here, so its CPU time counts as the benchmark's own
            srv.terminate()
            try:
                srv.wait(5)
            except subprocess.TimeoutExpired:
                srv.kill()
                srv.wait()


def server_load(rec):
    """Share of its core the echo server used during the measurement."""
    return rec["requests_per_second"] * rec.get("server_cpu_us_per_request", 0) / 1e6


def pins():
    """taskset prefixes for the echo server and the load generator (other core)."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", "0"], ["taskset", "-c", "1"]
    return [], []


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
            for loop in peers["python"]:
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


ECHO_SERVERS = [
    ("qaio (epoll backend)", "echo_server_qaio", ["--backend", "epoll"]),
    ("qaio (Qt backend)", "echo_server_qaio", ["--backend", "qt"]),
    ("QSocketNotifier per socket", "echo_server_qsn", []),
    ("bare epoll (floor)", "echo_server_epoll", []),
]


def bench_echo(r, cfg):
    for rep in range(cfg["echo_reps"]):
        for idle in cfg["idle"]:
            for name, exe, extra in ECHO_SERVERS:
                r.echo(("echo", idle, name), [str(r.bin / exe)] + extra, idle, cfg, rep)


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
    s = {"callsoon": {}, "timers": {}, "lateness": {}, "echo": {}}
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
        elif kind == "echo":
            s["echo"].setdefault(key[2], {})[key[1]] = {
                "requests_per_second": med(recs, "requests_per_second"),
                "server_cpu_us_per_request": med(recs, "server_cpu_us_per_request"),
                "runs": [x["requests_per_second"] for x in recs],
                # share of its core the server used: well below 1, it was not the bottleneck
                "server_load": [round(server_load(x), 2) for x in recs],
                "foreign_cores": [x.get("foreign_cores", 0) for x in recs]}
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
                out.append({"goal": f"callSoon ({mode}) rate >= {need}x the {peer} rate",
                            "value": round(v, 3), "met": v >= need})
    for n, impls in s["timers"].items():
        q = impls.get("qaio", {}).get("ns_per_timer")
        a = impls.get("asio", {}).get("ns_per_timer")
        v = ratio(a, q)
        if v is not None:
            out.append({"goal": f"timers ({n:,}) at least as fast as Boost.Asio (rate ratio >= 1)",
                        "value": round(v, 3), "met": v >= 1.0})
    e = s["echo"].get(ECHO_SERVERS[0][0], {})
    base, most = e.get(0, {}), e.get(max(e) if e else 0, {})
    v = ratio(most.get("requests_per_second"), base.get("requests_per_second"))
    if v is not None and max(e) > 0:
        out.append({"goal": f"echo with {max(e):,} idle connections >= 0.9x the 0-idle rate "
                            "(qaio, measured req/s)", "value": round(v, 3), "met": v >= 0.9})
    # The same from the server's CPU time per request, which other load disturbs far less.
    v = ratio(base.get("server_cpu_us_per_request"), most.get("server_cpu_us_per_request"))
    if v is not None and max(e) > 0:
        out.append({"goal": f"echo with {max(e):,} idle connections >= 0.9x the 0-idle rate "
                            "(qaio, per server CPU time)", "value": round(v, 3), "met": v >= 0.9})
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


def report(s, facts, cfg, command, records, failures, goal_list):
    reps = cfg["reps"]
    echo_reps = cfg.get("echo_reps", reps)
    md = ["# qaio core-loop benchmarks", "",
          "Generated by `bench/run.py`; do not edit by hand (the profile notes at the end come "
          "from `bench/analysis.md`).", "",
          f"Command: `{command}` — {reps} repetition(s) ({echo_reps} for the echo servers), "
          "runs alternate between implementations, every number is the median over "
          "repetitions.", "",
          "| machine | |", "|---|---|",
          f"| CPU | {facts['cpu']} ({facts['cores']} cores) |",
          f"| kernel | {facts['kernel']} |",
          f"| Qt | {next((x['qt'] for x in records if 'qt' in x), '?')} (glib dispatcher) |",
          f"| compiler | {facts['compiler']}, {facts['build_type']} |",
          f"| Boost | {next((x['boost'] for x in records if 'boost' in x), 'missing')} |",
          f"| Python / uvloop | {facts['python']} / {facts['uvloop']} |",
          f"| qaio | {facts['git']} |",
          f"| date | {facts['date']} |", ""]
    busy = sum(1 for x in records if x.get("foreign_cores", 0) >= CLEAN)
    if busy:
        md += [f"**Caution:** other work on the machine used more than {CLEAN} of a core during "
               f"{busy} of {len(records)} runs. The driver waits for a quiet machine, repeats "
               "disturbed runs (keeping the least disturbed attempt), within a time budget. "
               "CPU-time figures (callSoon, timers, server µs/request) suffer little; "
               "lateness and echo throughput suffer most. `bench/results/core.json` has "
               "`foreign_cores` for every run.", ""]

    md += ["## Goals", "", "| goal | measured | met? |", "|---|---|---|"]
    for g in goal_list:
        md.append(f"| {g['goal']} | {g['value']:.2f}x | {'yes' if g['met'] else '**no**'} |")
    md.append("")

    # callSoon
    cs = s["callsoon"]
    md += ["## callSoon: cost per callback", "",
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
    md += ["## callLater: cost per timer", "",
           "`bench/timers.cpp`, `bench/peers/asio_timers.cpp`, `bench/peers/asyncio_timers.py`. "
           "N timers with delays uniform in [0, 100 ms), every other one cancelled, run until "
           "the rest fired. Process CPU time / N (waiting for deadlines is free). "
           f"QTimer only up to {cfg['qtimer_max_n']:,} timers: Qt keeps pending timers in a "
           "sorted list (O(n) insert), so it is quadratic — at 1,000,000 it would take hours.", ""]
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
    md += ["## Timer lateness", "",
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

    # echo
    ec = s["echo"]
    md += ["## Idle connections: echo throughput", "",
           "`bench/echo_server_*.cpp`, `bench/loadgen.cpp`. The server runs on CPU 0, the load "
           "generator on CPU 1 (taskset). 10 busy connections each keep one 1 KiB request in "
           "flight; the idle connections each echoed one byte (so the server watches them) and "
           f"then stay silent. Warm-up {cfg['echo_warmup']:g} s, then requests counted for "
           f"{cfg['echo_duration']:g} s. *vs 0 idle* is the throughput relative to the same "
           "server with no idle connections.", ""]
    idles = sorted({i for srv in ec.values() for i in srv})
    md += ["| server |" + "".join(f" {i:,} idle: req/s | vs 0 idle |" for i in idles),
           "|---|" + "---:|---:|" * len(idles)]
    for name, _, _ in ECHO_SERVERS:
        if name not in ec:
            continue
        row = f"| {name} |"
        base = ec[name].get(0, {}).get("requests_per_second")
        for i in idles:
            v = ec[name].get(i, {}).get("requests_per_second")
            row += f" {krps(v)} | {fmt_ratio(ratio(v, base))} |"
        md.append(row)
    md += ["", "The same runs seen from the server's side: its CPU time per request (µs), and "
           "the rate that implies for one saturated core (1 / CPU per request). Throughput "
           "also depends on how fast the other process and an idle virtual CPU wake up; CPU "
           "per request does not, so it stays meaningful on a busy machine.", "",
           "| server |" + "".join(f" {i:,} idle: µs/req | capacity | vs 0 idle |"
                                  for i in idles),
           "|---|" + "---:|---:|---:|" * len(idles)]
    for name, _, _ in ECHO_SERVERS:
        if name not in ec:
            continue
        row = f"| {name} |"
        base = ec[name].get(0, {}).get("server_cpu_us_per_request")
        for i in idles:
            us = ec[name].get(i, {}).get("server_cpu_us_per_request")
            row += (f" {fmt(us, 1)} | {krps(1e6 / us) if us else '—'} |"
                    f" {fmt_ratio(ratio(base, us))} |")
        md.append(row)
    md += ["", "Every run, to show the spread: req/s (share of its core the server used — well "
           "below 1.0 means something else, not the server, set the pace; cores used by other "
           "work meanwhile):", ""]
    for name, _, _ in ECHO_SERVERS:
        for i in idles:
            x = ec.get(name, {}).get(i, {})
            if x.get("runs"):
                md.append(f"- {name}, {i:,} idle: " + ", ".join(
                    f"{krps(v)} ({load:.2f}; {foreign:.2f})" for v, load, foreign
                    in zip(x["runs"], x["server_load"], x["foreign_cores"])))
    md.append("")

    if failures:
        md += ["## Failed runs", ""] + [f"- `{f['key']}`: {f['error'][:200]}" for f in failures]
        md.append("")

    notes = ROOT / "bench" / "analysis.md"
    if notes.exists():
        md += [notes.read_text().rstrip(), ""]
    return "\n".join(md)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="1 repetition, smaller N (< 2 min)")
    ap.add_argument("--build", default=str(ROOT / "build-bench"))
    ap.add_argument("--command", default="bench/run.sh")
    ap.add_argument("--only", nargs="*", choices=["callsoon", "timers", "lateness", "echo"])
    ap.add_argument("--max-wait", type=float, default=None,
                    help="seconds to wait for a quiet machine before each run")
    ap.add_argument("--patience", type=float, default=None,
                    help="seconds spent in all waiting for quiet and repeating disturbed runs")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite docs/benchmarks.md from bench/results/core.json, run nothing")
    a = ap.parse_args()
    if a.report_only:
        data = json.loads((ROOT / "bench" / "results" / "core.json").read_text())
        s = summarize(data["runs"])
        (ROOT / "docs" / "benchmarks.md").write_text(
            report(s, data["machine"], data["config"], data["command"], data["runs"],
                   data["failures"], goals(s)))
        print("wrote docs/benchmarks.md")
        return 0
    cfg = dict(QUICK if a.quick else FULL)
    max_wait = a.max_wait if a.max_wait is not None else (5 if a.quick else 20)
    patience = a.patience if a.patience is not None else (20 if a.quick else 300)

    # 10,000 idle connections need more open files than the usual 1024 (both processes).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for want in (30000, hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
            break
        except (ValueError, OSError):
            continue
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    cfg["idle"] = [i for i in cfg["idle"] if i + 200 <= limit]

    peers = {"python": ["asyncio"] + (["uvloop"] if have_uvloop() else [])}
    if (Path(a.build) / "bench" / "asio_callsoon").exists():
        peers["asio"] = True
    facts = machine(a.build)  # before running: the commit that was built
    r = Runner(a.build, max_wait, patience, attempts=2 if a.quick else 3)
    only = set(a.only or ["callsoon", "timers", "lateness", "echo"])
    start = time.monotonic()
    steps = [("callsoon", lambda: bench_callsoon(r, cfg, peers)),
             ("timers", lambda: bench_timers(r, cfg, peers)),
             ("lateness", lambda: bench_lateness(r, cfg, peers)),
             ("echo", lambda: bench_echo(r, cfg))]
    for name, step in steps:
        if name in only:
            print(f"[{time.monotonic() - start:6.1f}s] {name}", flush=True)
            step()
    print(f"[{time.monotonic() - start:6.1f}s] done", flush=True)

    # --only re-runs some benchmarks: keep the other ones' runs from the last report.
    records, command = r.records, a.command
    previous = ROOT / "bench" / "results" / "core.json"
    if a.only and previous.exists():
        old = json.loads(previous.read_text())
        records = [x for x in old["runs"] if x["key"][0] not in only] + records
        command = f"{old['command']}, then {a.command}"
    s = summarize(records)
    goal_list = goals(s)
    md = report(s, facts, cfg, command, records, r.failures, goal_list)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text(md)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    data = {"command": command, "machine": facts, "config": cfg, "goals": goal_list,
            "summary": {k: {str(kk): vv for kk, vv in v.items()} for k, v in s.items()},
            "runs": records, "failures": r.failures,
            "elapsed_seconds": round(time.monotonic() - start, 1)}
    (results / "core.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    for g in goal_list:
        print(f"  {'met   ' if g['met'] else 'MISSED'} {g['goal']}: {g['value']:.2f}x")
    print(f"wrote docs/benchmarks.md and bench/results/core.json "
          f"({time.monotonic() - start:.0f} s)")
    return 1 if r.failures else 0


if __name__ == "__main__":
    sys.exit(main())
