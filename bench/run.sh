#!/usr/bin/env bash
# bench/run.sh [--quick] — builds the core-loop benchmarks, runs them side by side
# against their peers, and writes docs/benchmarks.md and bench/results/core.json.
#
#   --quick   one repetition and smaller N (under ~2 minutes); default: 3 repetitions
#   QAIO_BENCH_BUILD_DIR   build directory (default build-bench: optimized, no tests)
# Extra arguments go to bench/run.py (e.g. --only callsoon timers).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${QAIO_BENCH_BUILD_DIR:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQAIO_WERROR=ON \
  -DQAIO_BUILD_BENCH=ON -DQAIO_BUILD_TESTS=OFF -DQAIO_BUILD_DEMOS=OFF >/dev/null
cmake --build "$build" --target qaio_bench_core
# Debian's python3 is the one with uvloop (a pyenv python on PATH may lack it).
exec /usr/bin/python3 bench/run.py --build "$build" --command "bench/run.sh${*:+ $*}" "$@"
