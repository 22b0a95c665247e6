#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# Builds qaio with warnings as errors and runs the whole test suite under CTest:
# every test runs on Qt's glib dispatcher, on its unix dispatcher (QT_NO_GLIB=1)
# and on qaio's portable Qt backend (QAIO_BACKEND=qt).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/ci-common.sh
build=${QAIO_BUILD_DIR:-build}
# -g1 (line tables only): backtraces keep file:line, the build is a fifth faster.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQAIO_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" "${cmake_launcher[@]}" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
cd "$build"
ctest --output-on-failure --parallel "$(nproc)" --timeout 120 "$@"
