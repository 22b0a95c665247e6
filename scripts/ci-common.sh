# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# shellcheck shell=bash
# Sourced by the test scripts: what every one of them configures the same way.
#   cmake_launcher        -DCMAKE_*_COMPILER_LAUNCHER=ccache when ccache is installed,
#                         so that CI reruns and the other stages reuse compiled objects.
#   configure_main_build  configures $1 as scripts/test.sh does, unless it already is.
cmake_launcher=()
if command -v ccache >/dev/null 2>&1; then
  cmake_launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  # Paths below the checkout count as relative, so a clone elsewhere reuses the cache.
  export CCACHE_BASEDIR="$PWD"
fi

configure_main_build() {
  [ -f "$1/CMakeCache.txt" ] && return 0
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQAIO_WERROR=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" "${cmake_launcher[@]}" >/dev/null
}
