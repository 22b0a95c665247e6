#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# Builds qaio and the loop and task tests with AddressSanitizer (LeakSanitizer
# included) and UndefinedBehaviorSanitizer, and runs them: a loop destroyed
# with suspended tasks must free every coroutine frame.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${QAIO_ASAN_BUILD_DIR:-build-asan}
# -O1 -g1, as the sanitizer docs suggest: half the compile time of -O2 -g
# under ASan, and reports keep file:line.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQAIO_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DQAIO_SANITIZE=address,undefined -DQAIO_BUILD_BENCH=OFF -DQAIO_BUILD_DEMOS=OFF >/dev/null
targets=$(cd "$build" && ninja -t targets all | grep -oE '^tst_(loop|tasks|interop|sync|executor|qt|qml)[a-z_]*:' | tr -d ':' | sort -u)
cmake --build "$build" --parallel "$(nproc)" --target $targets
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
ctest --output-on-failure --timeout 300 -R '^tst_(loop|tasks|interop|sync|executor|qt|qml)[a-z_]*$' "$@"
