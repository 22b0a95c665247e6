# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""Extract the public names that qaio's headers declare.

A deliberately small scanner, not a C++ parser.  It strips comments, string
literals and preprocessor lines, then walks the text keeping a stack of
scopes (namespace, class with its current access, or a skipped block such as
a function body or an initializer).  At namespace scope and in the public
part of a class it reads each declaration (text up to ';' or '{' outside
parentheses) and records:

  * classes, structs and unions that are defined (``Loop``, ``Loop::Nested``),
  * enums and their enumerators (``LoopBackend``, ``LoopBackend::Epoll``),
  * functions and methods (``createServer``, ``Loop::callSoon``); constructors,
    destructors, operators, friends and ``= delete`` functions are skipped,
  * ``using`` aliases, concepts and namespace-scope variables (data members,
    such as the fields of options structs, are not listed).

Excluded: anything inside a namespace called ``detail``, the headers under
src/qaio/impl/ (read only for the members a public class inherits from a
mixin there), and the private and protected parts of classes.  Macros
(all-caps identifiers, with their argument list) are ignored.  Names are
returned without the ``qaio::`` prefix.
"""

import pathlib
import re

_KEYWORDS = {
    "decltype", "noexcept", "requires", "sizeof", "alignof", "alignas",
    "static_assert", "explicit", "if", "return", "template", "typename",
    "void", "auto", "const", "static_cast", "reinterpret_cast",
}
_MACRO = re.compile(r"\b[A-Z][A-Z0-9_]{2,}\b(\s*\((?:[^()]|\([^()]*\))*\))?")
_LABEL = re.compile(r"\b(public|protected|private|Q_SIGNALS|signals)\b(\s+(Q_SLOTS|slots))?\s*$")
_TYPE = re.compile(r"^(?:(class|struct|union)|enum(?:\s+(?:class|struct))?)\s+(?:\[\[[^\]]*\]\]\s*)?(\w+)")


def _strip(text):
    text = re.sub(r"//[^\n]*|/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"' + r"|'(?:\\.|[^'\\])*'", '""', text)
    return "\n".join("" if line.lstrip().startswith("#") else line for line in text.split("\n"))


def _drop_templates(text):
    """Removes template<...> heads and other balanced <...> groups."""
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"<[^<>;{}]*>", " ", text)
    return text


def _declaration(text):
    """Returns (kind, name) for one declaration at namespace or public class scope."""
    text = _MACRO.sub(" ", text)
    text = re.sub(r"\[\[[^\]]*\]\]", " ", text)
    text = " ".join(_drop_templates(text).split())
    text = re.sub(r"^(template\s*)+", "", text).strip()
    if not text or re.match(r"(friend|static_assert|typedef)\b", text) or "operator" in text:
        return None
    m = _TYPE.match(re.sub(r"^(inline|export)\s+", "", text))
    if m:
        return ("enum" if not m.group(1) else "class", m.group(2))
    m = re.match(r"using\s+(\w+)\s*=", text) or re.match(r"concept\s+(\w+)", text)
    if m:
        return ("alias", m.group(1))
    if re.match(r"(using|namespace)\b", text) or re.search(r"=\s*delete\b", text):
        return None
    head = text.split("=", 1)[0] if "(" not in text.split("=", 1)[0] else text
    for m in re.finditer(r"((?:\w+\s*::\s*)*)(~?\b[A-Za-z_]\w*)\s*\(", head):
        if m.group(2) not in _KEYWORDS:
            # Loop::callSoon(...) { ... } outside the class defines, not declares.
            return None if m.group(1) else ("function", m.group(2))
    if "=" in text:
        m = re.search(r"(\w+)\s*(\[[^\]]*\])?\s*$", text.split("=", 1)[0])
        return ("variable", m.group(1)) if m else None
    return ("field", None)


def scan_text(text):
    """Returns the set of public names declared in one header's text."""
    text = _strip(text)
    names = set()
    hidden = set()  # public members of classes in namespace detail (mixins)
    bases = {}  # class -> names of its base classes
    # scope: (kind, qualified-name, access) kind in namespace/class/enum/skip
    stack = [("namespace", "", "public")]
    buf = []
    paren = 0
    i = 0
    n = len(text)

    def public():
        return all(k != "skip" and (k != "class" or a == "public") for k, _, a in stack)

    def in_detail():
        return any(k == "namespace" and "detail" in q.split("::") for k, q, _ in stack)

    def visible():
        return public() and not in_detail()

    def record(name):
        if public():
            (hidden if in_detail() else names).add(name)

    def prefix():
        top = stack[-1]
        return top[1] + "::" if top[0] == "class" and top[1] else ""

    while i < n:
        c = text[i]
        if c == "(":
            paren += 1
        elif c == ")":
            paren -= 1
        elif paren == 0 and c == ":" and text[i + 1 : i + 2] != ":" and text[i - 1 : i] != ":" \
                and stack[-1][0] == "class":
            current = "".join(buf)
            m = _LABEL.search(current)
            if m and not _MACRO.sub(" ", current[: m.start()]).strip():
                kind, qname, _ = stack[-1]
                stack[-1] = (kind, qname, "public" if m.group(1) in ("public", "Q_SIGNALS", "signals") else "private")
                buf = []
                i += 1
                continue
        elif paren == 0 and c == ";":
            if stack[-1][0] in ("namespace", "class") and public():
                decl = _declaration("".join(buf))
                kinds = ("function", "alias") if stack[-1][0] == "class" else ("function", "alias", "variable")
                if decl and decl[0] in kinds and decl[1]:
                    owner = stack[-1][1].split("::")[-1] if stack[-1][0] == "class" else None
                    if decl[1] != owner and not decl[1].startswith("~"):
                        record(prefix() + decl[1])
            buf = []
            i += 1
            continue
        elif paren == 0 and c == "{":
            decl_text = "".join(buf)
            buf = []
            m = re.search(r"\bnamespace\s+([\w:]*)\s*$", _MACRO.sub(" ", decl_text))
            if m and stack[-1][0] == "namespace":
                outer = stack[-1][1]
                stack.append(("namespace", (outer + "::" if outer else "") + m.group(1), "public"))
            elif stack[-1][0] in ("namespace", "class"):
                decl = _declaration(decl_text)
                ok = public()
                if decl and decl[0] == "class":
                    qname = prefix() + decl[1]
                    if ok:
                        record(qname)
                    head = _drop_templates(_MACRO.sub(" ", decl_text))
                    if re.search(r"[^:]:[^:]", head):
                        base_list = re.split(r"(?<!:):(?!:)", head, maxsplit=1)[1]
                        bases[qname] = [re.sub(r"^.*::", "", b.split()[-1]) for b in base_list.split(",") if b.split()]
                    access = "private" if re.search(r"\bclass\s", _MACRO.sub(" ", decl_text)) else "public"
                    stack.append(("class", qname, access))
                elif decl and decl[0] == "enum":
                    qname = prefix() + decl[1]
                    if ok:
                        record(qname)
                    j = text.index("}", i)
                    if ok:
                        for item in text[i + 1 : j].split(","):
                            em = re.match(r"\s*(\w+)", item)
                            if em:
                                record(qname + "::" + em.group(1))
                    i = j + 1
                    buf = []
                    continue
                else:
                    if decl and decl[0] == "function" and ok:
                        owner = stack[-1][1].split("::")[-1] if stack[-1][0] == "class" else None
                        if decl[1] != owner and not decl[1].startswith("~"):
                            record(prefix() + decl[1])
                    stack.append(("skip", "", ""))
            else:
                stack.append(("skip", "", ""))
            i += 1
            continue
        elif paren == 0 and c == "}":
            if len(stack) > 1:
                stack.pop()
            buf = []
            i += 1
            continue
        buf.append(c)
        i += 1
    return names, hidden, bases


def _members(cls, declared, bases, seen=()):
    """Public member names of cls and, transitively, of its bases."""
    own = {n.split("::")[-1] for n in declared if n.startswith(cls + "::") and n.count("::") == cls.count("::") + 1}
    for base in bases.get(cls, []):
        if base not in seen:
            own |= _members(base, declared, bases, seen + (cls,))
    return own


def scan(root):
    """Scans src/qaio/*.h.  Returns (required, accepted):

    required  maps each public qaio name to its headers: names declared in a
              public scope, plus members a public class gets from a base class
              in namespace detail (a mixin such as Task's getName()), since
              these are documented nowhere else;
    accepted  every spelling a mapping row may use: the required names and
              any public member inherited from a public base (Task::cancel
              from FutureBase::cancel).
    """
    required, declared, bases, hidden_all = {}, set(), {}, set()
    per_header = []
    for header in sorted((pathlib.Path(root) / "src" / "qaio").glob("*.h")):
        names, hidden, header_bases = scan_text(header.read_text(encoding="utf-8"))
        per_header.append((header.name, names))
        declared |= names
        hidden_all |= hidden
        bases.update(header_bases)
    # Headers under impl/ are not API, but a public class may inherit public
    # members from a mixin defined there (as from namespace detail).
    for header in sorted((pathlib.Path(root) / "src" / "qaio" / "impl").glob("*.h")):
        names, hidden, header_bases = scan_text(header.read_text(encoding="utf-8"))
        hidden_all |= names | hidden
        for cls, cls_bases in header_bases.items():
            bases.setdefault(cls, cls_bases)
    for header, names in per_header:
        for name in names:
            required.setdefault(name, set()).add(header)
    everything = declared | hidden_all
    accepted = set(required)
    visible_classes = {n for n in declared if n in bases or any(m.startswith(n + "::") for m in declared)}
    for cls in visible_classes:
        for base in bases.get(cls, []):
            for member in _members(base, everything, bases):
                name = f"{cls}::{member}"
                accepted.add(name)
                if base not in declared and name not in required:
                    required[name] = set(required.get(cls, {"(inherited)"}))
    return required, accepted


def public_names(root):
    """Maps each public qaio name that the mapping must list to its headers."""
    return scan(root)[0]


if __name__ == "__main__":
    import sys

    for name, headers in sorted(public_names(sys.argv[1] if len(sys.argv) > 1 else ".").items()):
        print(f"{name}\t{' '.join(sorted(headers))}")
