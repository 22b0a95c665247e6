#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# The fuzzing stage: builds the libFuzzer targets in fuzz/ with Clang 16
# (ASan + UBSan, the library instrumented for coverage) and runs each for a
# bounded time from its committed seed corpus (fuzz/corpus/<target>). New
# inputs go to a scratch directory, never into the repository.
#   scripts/test-fuzz.sh [seconds per target]   (default 25)
# For a long run: scripts/test-fuzz.sh 14400 (four hours per target), or run
# one target by hand: build-fuzz/fuzz/fuzz_stream_reader -max_total_time=3600 \
#   -jobs=2 /tmp/corpus fuzz/corpus/fuzz_stream_reader
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/ci-common.sh
build=${QAIO_FUZZ_BUILD_DIR:-build-fuzz}
seconds=${1:-25}
targets=(fuzz_stream_reader)
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQAIO_WERROR=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DQAIO_SANITIZE=address,undefined -DQAIO_BUILD_FUZZ=ON -DQAIO_BUILD_TESTS=OFF \
  -DQAIO_BUILD_BENCH=OFF -DQAIO_BUILD_DEMOS=OFF -DQAIO_BUILD_QML=OFF "${cmake_launcher[@]}" >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}"
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 # the target keeps one loop for the whole run
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target"
  echo "== $target: $seconds s"
  QT_QPA_PLATFORM=offscreen "$build/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 \
    "$scratch/$target" "fuzz/corpus/$target"
done
