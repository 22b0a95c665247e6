#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""report.py — merges the suites' results into one report (called by bench/run.sh).

Reads <results>/<suite>.json and <suite>.md for every suite that ran, and writes
  bench/results/results.json   everything, machine-readable
  docs/benchmarks.md           machine facts, how to run, the goal table, each
                               suite's section, then bench/analysis.md
  docs/bench/<chart>.png       one clustered bar chart per chart a suite asked for
                               (gnuplot; skipped with a note if gnuplot is missing)
Python standard library only.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = "/usr/bin/python3"
ORDER = ["echo", "gui", "memory", "core", "tasks_sync"]  # then any other suite, alphabetically


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def pkg(name):
    return sh(["dpkg-query", "-W", "-f=${Version}", name]) or "missing"


def machine(build):
    facts = {"cpu": "unknown", "cores": os.cpu_count(), "kernel": platform.release()}
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            facts["cpu"] = line.split(":", 1)[1].strip()
            break
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            facts["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    cache = {}
    try:
        for line in open(Path(build) / "CMakeCache.txt"):
            if ":" in line and "=" in line and not line.startswith(("//", "#")):
                k, v = line.split("=", 1)
                cache[k.split(":")[0]] = v.strip()
    except OSError:
        pass
    facts["compiler"] = (sh([cache.get("CMAKE_CXX_COMPILER", "c++"), "--version"]).splitlines() or ["?"])[0]
    facts["build_type"] = cache.get("CMAKE_BUILD_TYPE", "")
    facts["qt"] = pkg("qt6-base-dev")
    facts["qcoro"] = pkg("qcoro-qt6-dev")
    facts["boost"] = pkg("libboost-dev")
    facts["libuv"] = pkg("libuv1-dev")
    facts["python"] = sh([PY, "-c", "import sys;print(sys.version.split()[0])"])
    facts["uvloop"] = sh([PY, "-c", "import uvloop;print(uvloop.__version__)"]) or "missing"
    facts["node"] = sh(["node", "--version"]) or "missing"
    try:
        facts["tcp_congestion_control_default"] = open("/proc/sys/net/ipv4/tcp_congestion_control").read().strip()
    except OSError:
        pass
    facts["loadavg_at_end"] = " ".join(open("/proc/loadavg").read().split()[:3])
    rev = sh(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = sh(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "bench"])
    facts["git"] = rev + (" (+ uncommitted changes)" if dirty else "")
    facts["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return facts


def chart(spec, out_dir):
    """A clustered bar chart with gnuplot; returns the PNG's path relative to docs/, or None."""
    rows = [r for r in spec["rows"] if any(v is not None for v in r[1:])]
    if not rows or not shutil.which("gnuplot"):
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    dat = out_dir / f"{spec['name']}.dat"
    png = out_dir / f"{spec['name']}.png"
    with open(dat, "w") as f:
        f.write("label\t" + "\t".join(f'"{c}"' for c in spec["columns"]) + "\n")
        for r in rows:
            f.write(f'"{r[0]}"\t' + "\t".join("NaN" if v is None else f"{v:.6g}" for v in r[1:]) + "\n")
    ncol = len(spec["columns"])
    width = max(900, 60 * len(rows) * max(ncol, 1) // 2 + 300)
    script = [
        f"set terminal pngcairo size {width},520 font 'sans,10'",
        f"set output '{png}'",
        f"set title \"{spec['title']}\"",
        f"set ylabel \"{spec.get('ylabel', '')}\"",
        "set style data histograms", "set style histogram clustered gap 1",
        "set style fill solid 0.85 border -1", "set boxwidth 0.9",
        "set xtics rotate by 30 right noenhanced", "set key top left noenhanced",
        "set grid ytics", "set datafile missing 'NaN'", "set yrange [0:*]",
        "set bmargin 10", "set lmargin 12",
    ]
    if spec.get("log"):
        script[-4] = "set logscale y; set yrange [*:*]"
    plots = [f"'{dat}' using {i + 2}:xtic(1) title columnheader({i + 2})" for i in range(ncol)]
    script.append("plot " + ", ".join(plots))
    res = subprocess.run(["gnuplot"], input="\n".join(script) + "\n", capture_output=True, text=True)
    dat.unlink(missing_ok=True)
    if res.returncode != 0 or not png.exists():
        print(f"gnuplot failed for {spec['name']}: {res.stderr.strip()[:300]}")
        return None
    return f"bench/{png.name}"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=str(ROOT / "build-bench"))
    ap.add_argument("--results", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--elapsed", type=float, default=0)
    ap.add_argument("--command", default="bench/run.sh")
    a = ap.parse_args()
    res = Path(a.results)
    names = [p.stem for p in res.glob("*.json")]
    names = [n for n in ORDER if n in names] + sorted(n for n in names if n not in ORDER)
    suites = {n: json.loads((res / f"{n}.json").read_text()) for n in names}
    facts = machine(a.build)

    docs = ROOT / "docs"
    charts_dir = docs / "bench"
    for old in charts_dir.glob("*.png") if charts_dir.exists() else []:
        old.unlink()
    images = {}
    for n in names:
        for spec in suites[n].get("charts", []):
            path = chart(spec, charts_dir)
            if path:
                images.setdefault(n, []).append((spec["title"], path))

    md = ["# qaio benchmarks", "",
          f"Generated by `{a.command}` ({'quick mode' if a.quick else 'full run'}, "
          f"{a.elapsed / 60:.1f} minutes of measuring) on {facts['date']}; do not edit by hand — "
          "the profile notes at the end come from `bench/analysis.md`. Machine-readable results: "
          "`bench/results/results.json`; charts: `docs/bench/*.png`.", "",
          "## How to run", "",
          "```sh",
          "scripts/install-deps.sh       # Debian 12: Qt, Boost, libuv, python3-uvloop, gnuplot, …",
          "bench/run.sh --quick          # ~2 minutes of measuring (plus the first build)",
          "bench/run.sh                  # the full run, under 15 minutes",
          "bench/run.sh echo gui         # re-run some suites (bench/suites/<name>.py), keep the rest",
          "```", "",
          "`bench/run.sh` configures `build-bench` (RelWithDebInfo, `-DQAIO_BUILD_BENCH=ON`, warnings as "
          "errors), builds every benchmark program (`--target qaio_bench`), runs every "
          "`bench/suites/*.py` within a time budget each, and writes this page, "
          "`bench/results/results.json` and the PNG charts (gnuplot). CI builds the benchmarks but "
          "does not run them. Peers whose package is missing are skipped and named in their section. "
          "A new suite is a `bench/suites/<name>.py` following the convention in "
          "`bench/suites/benchlib.py` (arguments `--build DIR [--quick] --json OUT --md OUT`, optional "
          "`goals` and `charts` in its JSON); the driver picks it up.", "",
          "## Machine", "",
          "| | |", "|---|---|",
          f"| CPU | {facts['cpu']}, {facts['cores']} cores, {facts.get('memory_gib', '?')} GiB |",
          f"| kernel | Linux {facts['kernel']} (default TCP congestion control: "
          f"{facts.get('tcp_congestion_control_default', '?')}) |",
          f"| compiler | {facts['compiler']}, {facts['build_type']} |",
          f"| Qt / QCoro | {facts['qt']} / {facts['qcoro']} |",
          f"| Boost / libuv | {facts['boost']} / {facts['libuv']} |",
          f"| Python / uvloop / Node.js | {facts['python']} / {facts['uvloop']} / {facts['node']} |",
          f"| qaio | {facts['git']} |",
          f"| load average at the end | {facts['loadavg_at_end']} |", "",
          "**A shared, noisy machine.** Two virtual CPUs shared with other work (other agents compiling "
          "and testing while this ran): every run records the cores that other work used meanwhile "
          "(`foreign_cores` in the results). CPU time per operation (server µs per request, ns per "
          "callback) suffers least; requests/s and lateness suffer most. Servers and peers alternate "
          "(A B A B …) and the tables give medians; treat differences under ~15% as noise.", ""]

    # The goal table.
    md += ["## Goals", "",
           "From issue #7 (and the earlier core-loop, task and sync issues). *reference* rows are the "
           "issue's expectations for the peers, for context: they check the method, not qaio.", "",
           "| goal | measured | met? |", "|---|---:|---|"]
    all_goals = []
    for n in names:
        for g in suites[n].get("goals", []):
            all_goals.append(dict(g, suite=n))
            if "reference" in g:
                verdict = "in range" if g["reference"] else "outside"
            else:
                verdict = {True: "yes", False: "**no**", None: "not measured"}[g.get("met")]
            md.append(f"| {g['goal']} | {g['value']} | {verdict} |")
    md.append("")

    for n in names:
        section = (res / f"{n}.md").read_text().rstrip() if (res / f"{n}.md").exists() else f"## {n}\n\n(no report)"
        md.append(section)
        md.append("")
        for title, path in images.get(n, []):
            md += [f"![{title}]({path})", ""]
    notes = ROOT / "bench" / "analysis.md"
    if notes.exists():
        md += [notes.read_text().rstrip(), ""]
    (docs / "benchmarks.md").write_text("\n".join(md))

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "results.json").write_text(json.dumps(
        {"command": a.command, "quick": a.quick, "elapsed_seconds": a.elapsed, "machine": facts,
         "goals": all_goals, "suites": suites}, indent=1, default=str) + "\n")
    for g in all_goals:
        mark = "ref " if "reference" in g else {True: "met ", False: "MISS", None: "n/a "}[g.get("met")]
        print(f"  {mark} {g['goal']}: {g['value']}")
    print(f"wrote docs/benchmarks.md, bench/results/results.json and "
          f"{sum(len(v) for v in images.values())} charts in docs/bench/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
