#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# bench/run.sh [--quick] [suite ...] — builds every benchmark, runs every suite, writes the report.
# Naming suites re-runs only those; the report keeps the other suites' last results.
#
#   1. configures build-bench (RelWithDebInfo, -DQAIO_BUILD_BENCH=ON, warnings as errors)
#      and builds every benchmark program (target qaio_bench);
#   2. runs each bench/suites/<name>.py (all of them, or the ones named) with
#      /usr/bin/python3 --build build-bench [--quick] --json … --md …, each within
#      a time budget (QAIO_BENCH_BUDGET, seconds);
#   3. bench/report.py merges their results into bench/results/results.json,
#      writes docs/benchmarks.md (machine facts, how to run, the goal table, then
#      each suite's section, then bench/analysis.md) and draws docs/bench/*.png
#      with gnuplot.
#
#   --quick   about 2 minutes of measuring (the build excluded); default: under 15 minutes
#   QAIO_BENCH_BUILD_DIR   build directory (default build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=""
suites=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick="--quick" ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) suites+=("$arg") ;;
  esac
done
build=${QAIO_BENCH_BUILD_DIR:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQAIO_WERROR=ON \
  -DQAIO_BUILD_BENCH=ON -DQAIO_BUILD_TESTS=OFF -DQAIO_BUILD_DEMOS=ON >/dev/null
cmake --build "$build" --target qaio_bench qaio-flagship # the flagship suite measures the demo

out="$build/bench/results"
if [ ${#suites[@]} -eq 0 ]; then
  rm -rf "$out" # a whole run: start afresh (naming suites re-runs them and keeps the others' results)
  for f in bench/suites/*.py; do
    name=$(basename "$f" .py)
    [ "$name" = benchlib ] || suites+=("$name")
  done
fi
# Seconds per suite: quick mode shares ~100 s among them; the full run ~840 s, the
# echo suite (the issue's main workloads) getting the most.
budget() {
  local total weight
  if [ -n "$quick" ]; then total=110; else total=840; fi
  case "$1" in
    echo) weight=50 ;; core) weight=15 ;; tasks_sync) weight=8 ;; gui) weight=8 ;;
    memory) weight=5 ;; *) weight=4 ;; # tls, processes, flagship
  esac
  echo $(( total * weight / 100 ))
}
mkdir -p "$out"
start=$(date +%s)
status=0
for name in "${suites[@]}"; do
  t0=$(date +%s)
  echo "== suite $name (budget $(budget "$name") s)"
  # Debian's python3 is the one with uvloop (a pyenv python on PATH may lack it).
  if ! QAIO_BENCH_BUDGET=$(budget "$name") /usr/bin/python3 "bench/suites/$name.py" --build "$build" \
       $quick --json "$out/$name.json" --md "$out/$name.md"; then
    echo "suite $name FAILED" >&2
    status=1
  fi
  echo "== suite $name took $(( $(date +%s) - t0 )) s"
done
elapsed=$(( $(date +%s) - start ))
/usr/bin/python3 bench/report.py --build "$build" --results "$out" $quick --elapsed "$elapsed" \
  --command "bench/run.sh${*:+ $*}"
exit $status
