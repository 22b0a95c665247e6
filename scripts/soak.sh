#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# The soak stage: tests/soak/soak runs echo (protocol, streams, TLS) with
# random sizes, half-closes and resets, `cat` children, timer storms and
# executor jobs at once for [minutes] (default 1), sampling RSS and fds after
# every round. It fails on a lost or corrupt byte, a timer early or missing,
# or growth of RSS or fds after the first quarter (the warm-up).
# Uses the main stage's build (scripts/test.sh) when present.
#   scripts/soak.sh [minutes]          QAIO_SOAK_SEED=n for another schedule
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/ci-common.sh
build=${QAIO_BUILD_DIR:-build}
minutes=${1:-1}
configure_main_build "$build"
cmake --build "$build" --parallel "$(nproc)" --target soak
seconds=$(awk "BEGIN { print $minutes * 60 }")
for backend in epoll qt; do
  echo "== soak: $backend backend, $minutes min"
  QT_QPA_PLATFORM=offscreen QAIO_BACKEND=$backend timeout $(( ${seconds%.*} + 120 )) \
    "$build/tests/soak/soak" "$(awk "BEGIN { print $seconds / 2 }")"
done
