#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# The sanitizer stage, which is also the Clang stage: Clang 16 with warnings as
# errors, AddressSanitizer (LeakSanitizer included) and UndefinedBehaviorSanitizer,
# over every test (networking, TLS, datagrams, pipes, subprocesses, signals,
# demos, QML) on Qt's default glib dispatcher.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/ci-common.sh
build=${QAIO_ASAN_BUILD_DIR:-build-asan}
# -O1 -g1, as the sanitizer docs suggest: half the compile time of -O2 -g
# under ASan, and reports keep file:line.
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQAIO_WERROR=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DQAIO_SANITIZE=address,undefined -DQAIO_BUILD_BENCH=OFF -DQAIO_BUILD_DEMOS=ON \
  "${cmake_launcher[@]}" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
supp=$PWD/tests
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export LSAN_OPTIONS=suppressions=$supp/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=suppressions=$supp/ubsan.supp:print_stacktrace=1:halt_on_error=1
cd "$build"
# Sanitized tests run 2-5x slower: a longer timeout. The packaging tests
# (install, .debs, consumers built against them) are the main stage's.
ctest --output-on-failure --parallel "$(nproc)" --timeout 300 -E ':(unix|qt-backend)$|^(install|deb)-' "$@"
