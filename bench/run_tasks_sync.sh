#!/usr/bin/env bash
# bench/run_tasks_sync.sh [--reps N] — builds the tasks and sync benchmarks (qaio and
# their Asio and QCoro peers), runs them in alternation with the asyncio/uvloop peers
# (qaio, asyncio, uvloop, asio, qcoro, qaio, ...), and writes docs/benchmarks-tasks.md
# and bench/results/tasks_sync.json (medians of the repetitions; default 3).
#
#   QAIO_BENCH2_BUILD_DIR   build directory (default build-bench2: optimized, no tests)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${QAIO_BENCH2_BUILD_DIR:-build-bench2}
cmake -S . -B "$build" -G Ninja -DQAIO_WERROR=ON -DQAIO_BUILD_BENCH=ON \
  -DQAIO_BUILD_TESTS=OFF -DQAIO_BUILD_DEMOS=OFF >/dev/null
targets=(bench_tasks bench_sync)
for t in asio_tasks asio_sync qcoro_tasks; do
  # Optional peers: built only if CMake found Boost / QCoro.
  if ninja -C "$build" -t targets all 2>/dev/null | grep -q "^$t:"; then targets+=("$t"); fi
done
ninja -C "$build" "${targets[@]}"
# Debian's python3 is the one with uvloop (a pyenv python on PATH may lack it).
exec /usr/bin/python3 bench/run_tasks_sync.py --build "$build" --command "bench/run_tasks_sync.sh $*" "$@"
