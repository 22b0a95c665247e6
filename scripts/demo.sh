#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# Builds qaio and runs the flagship demo (demos/flagship): a Qt Quick window
# whose GUI thread runs one qaio loop with a TLS chat server and its clients,
# a child process streaming its output, prime counting on the executor and a
# search-as-you-type field, with a frame-lateness readout.
#
# With a display it opens the window (close it or press Ctrl+C to quit).
# Without one ($DISPLAY and $WAYLAND_DISPLAY unset, or CI=true) it runs on
# Qt's offscreen platform, drives every part by itself for a few seconds,
# prints what happened, saves a screenshot to <build>/flagship.png, exits 0.
# Extra arguments go to qaio-flagship (e.g. --measure 10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${QAIO_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target qaio-flagship
if [ "${CI:-}" = "true" ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
  export QT_QPA_PLATFORM=offscreen
  if [ $# -eq 0 ]; then
    set -- --demo 5 --screenshot "$build/flagship.png"
  fi
fi
exec "$build/demos/qaio-flagship" "$@"
