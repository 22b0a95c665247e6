#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# The Debug stage: GCC at -O0 with assertions on, the whole suite (demos
# included) on Qt's default glib dispatcher. Catches what optimisation hides:
# unbounded recursion the optimiser turned into loops, Q_ASSERTs, and code
# that only works because of inlining.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/ci-common.sh
build=${QAIO_DEBUG_BUILD_DIR:-build-debug}
# -g1 (line tables only): a quarter less compile and link time than -g, and
# backtraces keep file:line.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DQAIO_WERROR=ON \
  -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DQAIO_BUILD_BENCH=OFF -DQAIO_BUILD_DEMOS=ON \
  "${cmake_launcher[@]}" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
cd "$build"
# The :unix and :qt-backend variants run the same code paths at -O0; the main
# stage already runs them optimised, and the packaging tests (install, .debs).
ctest --output-on-failure --parallel "$(nproc)" --timeout 300 -E ':(unix|qt-backend)$|^(install|deb)-' "$@"
