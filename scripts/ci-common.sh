# Sourced by the test scripts: what every one of them configures the same way.
#   cmake_launcher   -DCMAKE_*_COMPILER_LAUNCHER=ccache when ccache is installed,
#                    so that CI reruns and the other stages reuse compiled objects.
cmake_launcher=()
if command -v ccache >/dev/null 2>&1; then
  cmake_launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
