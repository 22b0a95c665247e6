#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# The ThreadSanitizer stage: Clang 16 -fsanitize=thread over every test that
# crosses threads (callSoonThreadsafe, runCoroutineThreadsafe, QFuture interop,
# executors and the resolver, worker-thread loops, signal handlers, sendfile's
# thread fallback). Qt and libstdc++ are not instrumented: tests/tsan.supp names
# the frames of theirs TSan cannot see synchronise; a report with qaio frames
# on both sides fails the stage (halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/ci-common.sh
build=${QAIO_TSAN_BUILD_DIR:-build-tsan}
tests=(tst_loop_threads tst_loop_errors tst_loop_lifecycle tst_loop_qt tst_executor
       tst_interop_qfuture tst_interop_reentrancy tst_qt_helpers tst_tasks_wait
       tst_signals_handlers tst_signals_runner tst_net_sockets tst_net_sendfile)
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQAIO_WERROR=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DQAIO_SANITIZE=thread -DQAIO_BUILD_BENCH=OFF -DQAIO_BUILD_DEMOS=OFF -DQAIO_BUILD_QML=OFF \
  "${cmake_launcher[@]}" >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target "${tests[@]}" signals_child
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp:halt_on_error=1:second_deadlock_stack=1:history_size=4"
cd "$build"
pattern="^($(IFS='|'; echo "${tests[*]}"))\$"
ctest --output-on-failure --parallel "$(nproc)" --timeout 300 -R "$pattern" "$@"
