#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# Installs every Debian 12 package qaio needs to build, test and benchmark.
# Idempotent: does nothing when all of them are already installed.
set -euo pipefail

packages=(
  # build (ccache: every test script uses it when present)
  cmake ninja-build g++ pkg-config git ccache
  # the Clang stages: sanitizers (ASan, UBSan, TSan) and libFuzzer
  clang-16 libclang-rt-16-dev
  # Qt 6 and QCoro
  libssl-dev
  qt6-base-dev qt6-base-dev-tools qt6-declarative-dev qcoro-qt6-dev libgl-dev
  # QML runtime modules used by the QML module, its tests and the demos
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-window qml6-module-qttest qml6-module-qtqml-workerscript
  qml6-module-qtquick-templates
  # the demos render text offscreen
  fonts-dejavu-core
  # packaging (.deb tests: dpkg-deb, dpkg-shlibdeps) and the API reference
  dpkg-dev doxygen
  # tests: real peers and tools
  socat openssl procps
  # benchmarks: the peers we compare against
  libboost-dev libuv1-dev nodejs python3 python3-uvloop gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
