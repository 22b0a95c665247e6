#!/usr/bin/env bash
# Builds qaio with warnings as errors and runs the whole test suite under CTest:
# every test runs on Qt's glib dispatcher, on its unix dispatcher (QT_NO_GLIB=1)
# and on qaio's portable Qt backend (QAIO_BACKEND=qt).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${QAIO_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQAIO_WERROR=ON >/dev/null
cmake --build "$build" --parallel "$(nproc)"
cd "$build"
ctest --output-on-failure --parallel "$(nproc)" --timeout 120 "$@"
