#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""Checks tests/CONFORMANCE.md against the Qt Test sources.

Usage: check_conformance.py [SOURCE_DIR]

Every port named in the manifest as `tests/<dir>/tst_x.cpp::slot` must be a
private slot (a test function) of that file; otherwise this fails (exit 1)
and lists the bad references.  It also prints the number of CPython tests
per status (ported / n/a / not yet) and checks the rows' statuses.
"""

import collections
import pathlib
import re
import sys

_PORT = re.compile(r"`(tests/[\w/.-]+\.cpp)::(\w+)`")
_STATUSES = ("ported", "n/a", "not yet")


def private_slots(text):
    """Names of the private slots of the test classes in one tst_*.cpp file.

    Reads each `private Q_SLOTS:` (or `private slots:`) section at its own
    brace depth, up to the next access label or the end of the class, and
    collects `void name()` declarations and inline definitions.
    """
    text = re.sub(r"//[^\n]*|/\*.*?\*/", " ", text, flags=re.S)
    slots = set()
    for label in re.finditer(r"private\s+(?:Q_SLOTS|slots)\s*:", text):
        depth, section = 0, []
        for c in text[label.end():]:
            if c == "{":
                depth += 1
            elif c == "}":
                if depth == 0:
                    break  # the end of the class
                depth -= 1
            elif depth == 0:
                section.append(c)
                if c == ":" and re.search(r"\b(public|protected|private|Q_SIGNALS|signals)\b[\w\s]*:$",
                                          "".join(section[-40:])):
                    break
        slots.update(re.findall(r"\bvoid\s+(\w+)\s*\(\s*\)", "".join(section)))
    return slots


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    manifest = root / "tests" / "CONFORMANCE.md"
    cache = {}
    errors = []
    counts = collections.Counter()
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.match(r"\w+\.test\w*$", cells[0]):
            continue
        status, what = cells[1], cells[2]
        if status not in _STATUSES:
            errors.append(f"{manifest}:{number}: unknown status '{status}'")
            continue
        counts[status] += 1
        ports = _PORT.findall(what)
        if status == "ported" and not ports:
            errors.append(f"{manifest}:{number}: 'ported' names no tests/...cpp::slot")
        for path, slot in ports:
            if path not in cache:
                source = root / path
                cache[path] = private_slots(source.read_text(encoding="utf-8")) if source.is_file() else None
            if cache[path] is None:
                errors.append(f"{manifest}:{number}: {path} does not exist")
            elif slot not in cache[path]:
                errors.append(f"{manifest}:{number}: {path} has no test function (private slot) '{slot}'")
    for error in errors:
        print(error)
    total = sum(counts.values())
    print(f"conformance: {total} CPython tests: {counts['ported']} ported, {counts['n/a']} n/a, "
          f"{counts['not yet']} not yet ported; {len(errors)} errors")
    return 1 if errors or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
