#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""Checks docs/asyncio-mapping.md against the public names of src/qaio/*.h.

Usage: check_asyncio_mapping.py [SOURCE_DIR]

Fails (exit 1) and lists the names when
  (b) a public qaio name (see qaio_header_names.py for what counts) appears
      in no row of the mapping: neither in the qaio column of a table whose
      first column is "asyncio", nor in the first column of the
      "qaio-only names" table (first column "qaio");
  (c) a row names a qaio spelling that the headers do not declare.
Names are written in backquotes, without "qaio::"; anything that is not a
plain (possibly ::-qualified) identifier, such as `createTask(loop, coro)`,
is prose and not checked.
"""

import pathlib
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean when CTest runs this
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from qaio_header_names import scan  # noqa: E402

_NAME = re.compile(r"^[A-Za-z_]\w*(::[A-Za-z_]\w*)*$")


def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def mapped_names(doc_text):
    """Returns {qaio name: [line numbers]} from the mapping tables."""
    names = {}
    column = None
    for number, line in enumerate(doc_text.splitlines(), 1):
        if not line.lstrip().startswith("|"):
            column = None
            continue
        cells = _cells(line)
        if column is None:  # a table's header row
            column = {"asyncio": 1, "qaio": 0}.get(cells[0].lower(), -1)
            continue
        if column < 0 or set(cells[0]) <= set("-: ") or column >= len(cells):
            continue
        for token in re.findall(r"`([^`]+)`", cells[column]):
            token = token.removeprefix("qaio::")
            if _NAME.match(token):
                names.setdefault(token, []).append(number)
    return names


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    doc = root / "docs" / "asyncio-mapping.md"
    required, accepted = scan(root)
    mapped = mapped_names(doc.read_text(encoding="utf-8"))
    unmapped = sorted(set(required) - set(mapped))
    stale = sorted(set(mapped) - accepted)
    for name in unmapped:
        print(f"{doc}: public qaio name `{name}` ({', '.join(sorted(required[name]))}) is in no row")
    for name in stale:
        lines = ", ".join(str(n) for n in mapped[name])
        print(f"{doc}:{lines}: `{name}` is not declared in src/qaio/*.h")
    print(f"asyncio mapping: {len(required)} public qaio names, {len(mapped)} names in the mapping, "
          f"{len(unmapped)} unmapped, {len(stale)} stale")
    return 1 if unmapped or stale else 0


if __name__ == "__main__":
    sys.exit(main())
