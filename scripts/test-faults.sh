#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# The fault-injection stage: runs tests/faults/fault_workload (echo over the
# protocol and streams APIs, `cat` children) under faultshim.so, which makes
# qaio's recv/send/accept/connect/socket/epoll_ctl/timerfd_settime/eventfd/
# pipe2/fork calls fail at random with EINTR, EAGAIN, ENOMEM, EMFILE,
# ECONNRESET... The workload fails on a crash, a hang, a corrupted or
# unexplained short transfer, an error without a message, or a leaked fd.
# Uses the main stage's build (scripts/test.sh) when present.
#   scripts/test-faults.sh [seeds] [rate] [rounds]   (defaults: 6 0.03 15)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/ci-common.sh
build=${QAIO_BUILD_DIR:-build}
seeds=${1:-6}
rate=${2:-0.03}
rounds=${3:-15}
configure_main_build "$build"
cmake --build "$build" --parallel "$(nproc)" --target qaio_faultshim fault_workload
shim=$PWD/$build/tests/faults/faultshim.so
workload=$PWD/$build/tests/faults/fault_workload
failed=0
for seed in $(seq 1 "$seeds"); do
  for backend in epoll qt; do
    echo "== seed $seed, rate $rate, backend $backend"
    if ! QT_QPA_PLATFORM=offscreen QAIO_BACKEND=$backend QAIO_FAULT_SEED=$seed QAIO_FAULT_RATE=$rate \
        LD_PRELOAD=$shim timeout 120 "$workload" "$rounds"; then
      echo "FAILED: seed $seed backend $backend (rerun: QAIO_FAULT_SEED=$seed QAIO_FAULT_RATE=$rate" \
           "QAIO_BACKEND=$backend LD_PRELOAD=$shim $workload $rounds)"
      failed=1
    fi
  done
done
exit $failed
