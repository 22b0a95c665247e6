#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# Adds the SPDX licence and copyright header to every source file tracked by
# git that lacks one: `//` comments for C, C++, QML and JavaScript, `#` for
# CMake, shell, Python, pkg-config, Doxygen and sanitizer files (after a `#!`
# line, if there is one). Idempotent: a file that names an
# SPDX-License-Identifier in its first lines is left alone.
#   bash scripts/spdx.sh          # add the headers
#   bash scripts/spdx.sh --check  # list files without one; exit 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."
# The whole script is one compound command, parsed before it runs: it may add
# a header to this very file, and bash reads a script as it goes.
{

license="SPDX-License-Identifier: MIT"
copyright="SPDX-FileCopyrightText: 2026 The qaio authors"
check=false
[ "${1:-}" = "--check" ] && check=true

style_of() { # prints "//", "#" or nothing (not a source file)
  case "${1##*/}" in
    *.cpp | *.h | *.c | *.qml | *.js | *.h.in) echo "//" ;;
    CMakeLists.txt | *.cmake | *.cmake.in | *.sh | *.py | *.pc.in | Doxyfile.in | *.supp) echo "#" ;;
    *.*) ;;
    *) head -n 1 "$1" | grep -Eq '^#!.*(sh|bash|python3?)( |$)' && echo "#" ;;
  esac
  return 0
}

missing=0
while IFS= read -r -d '' file; do
  [ -f "$file" ] || continue
  style=$(style_of "$file")
  [ -n "$style" ] || continue
  head -n 5 "$file" | grep -q "SPDX-License-Identifier" && continue
  missing=$((missing + 1))
  if $check; then
    echo "no SPDX header: $file"
    continue
  fi
  header="$style $license"$'\n'"$style $copyright"
  tmp=$(mktemp)
  if head -n 1 "$file" | grep -q '^#!'; then
    { head -n 1 "$file"; printf '%s\n' "$header"; tail -n +2 "$file"; } >"$tmp"
  else
    { printf '%s\n' "$header"; cat "$file"; } >"$tmp"
  fi
  cat "$tmp" >"$file" # keeps the file's mode (scripts stay executable)
  rm -f "$tmp"
done < <(git ls-files -z)

if $check; then
  [ "$missing" -eq 0 ] || { echo "spdx: $missing file(s) without a header"; exit 1; }
else
  echo "spdx: added a header to $missing file(s)"
fi
exit
}
