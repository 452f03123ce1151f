#!/usr/bin/env python3
"""Checks that the reference solutions hold only what a student writes.

solutions/labN/PATH replaces the student's PATH in SOLUTION=N builds, so it
must hold the holes of PATH, implemented, and nothing else: given code
copied into it would exist twice, and a fix to the student tree's copy
would silently miss the reference (docs/grading.md, "SOLUTION=N: the
overlay").  For every C file under solutions/ this reads the function
definitions (name and body; comments, preprocessor lines and whitespace do
not count) and fails, naming the file and the function,

  - if the body of a function in the solution also exists, unchanged, in
    any .c or .h file of the student tree (kernel/, user/, lib/, include/);
  - if the solution defines a function that its student file (the same
    PATH) neither declares nor defines: a solution fills holes, it does not
    add given code.  The one exception is a static helper of the
    solution's own, whose name no function of the student tree has: it is
    part of filling a hole, as a student's own helper would be;
  - if the solution has no student file at the same path.

    python3 grader/solcheck.py          (make test runs it)

prints one line per problem and exits 1 if there is any.
"""

import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDENT_DIRS = ["kernel", "user", "lib", "include"]

# Comments, string and character literals, preprocessor lines (with their
# continuations), identifiers, numbers, and any other single character.
TOKEN = re.compile(r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<pre>^[ \t]*\#(?:\\\n|[^\n])*)
  | (?P<tok>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|[A-Za-z_]\w*|\d[\w.]*|\S)
""", re.S | re.M | re.X)
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "__attribute__",
            "__typeof__", "typeof", "__builtin_offsetof", "asm", "__asm__"}


def tokens(text):
    return [m.group("tok") for m in TOKEN.finditer(text) if m.group("tok")]


def matching(toks, i, open_, close):
    """The index of the token that closes toks[i] (an open_)."""
    depth = 0
    for j in range(i, len(toks)):
        depth += toks[j] == open_
        depth -= toks[j] == close
        if depth == 0:
            return j
    return len(toks) - 1


def function_name(toks, start, end):
    """The name of the function whose header is toks[start:end] (ending at
    its parameter list's ')'), or None if it is not a function's."""
    j, depth = end, 0
    while j >= start:                   # back to the '(' of the parameter list
        depth += toks[j] == ")"
        depth -= toks[j] == "("
        if depth == 0:
            break
        j -= 1
    name = toks[j - 1] if j - 1 >= start else ""
    if re.match(r"^[A-Za-z_]\w*$", name) and name not in KEYWORDS:
        return name
    return None


def parse(text):
    """({name: (is static, normalised body)} of the definitions,
    set of the names declared or defined) of a C file's top level."""
    toks = tokens(text)
    defined, declared = {}, set()
    start = i = 0                       # start: the first token of this declaration
    while i < len(toks):
        t = toks[i]
        if t == "{":
            close = matching(toks, i, "{", "}")
            header = toks[start:i]
            # A function's body follows its parameter list (or attributes after it).
            k = i - 1
            while k >= start and toks[k] != ")":
                k -= 1
            name = function_name(toks, start, k) if k >= start and toks[i - 1] == ")" else None
            if name and "=" not in header:
                defined[name] = ("static" in header, " ".join(toks[i:close + 1]))
                declared.add(name)
                start = i = close + 1
                continue
            i = close + 1               # a struct, union, enum or initializer: go on
            continue
        if t == "(":
            i = matching(toks, i, "(", ")") + 1
            continue
        if t == ";":
            if i > start and "(" in toks[start:i]:
                k = i - 1
                while k > start and toks[k] != ")":
                    k -= 1
                name = function_name(toks, start, k) if toks[k] == ")" else None
                if name:
                    declared.add(name)
            start = i + 1
        i += 1
    return defined, declared


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def student_files(top):
    for d in STUDENT_DIRS:
        for root, _, files in os.walk(os.path.join(top, d)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(root, f), top)


def solution_files(top):
    sol = os.path.join(top, "solutions")
    for lab in sorted(os.listdir(sol)) if os.path.isdir(sol) else []:
        for root, _, files in os.walk(os.path.join(sol, lab)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    path = os.path.join(root, f)
                    yield (os.path.relpath(path, top),
                           os.path.relpath(path, os.path.join(sol, lab)))


def run(top=TOP):
    """(ok, output lines); make test calls it."""
    bodies, names = {}, set()           # body -> where; every function name of the tree
    for rel in student_files(top):
        defined, _ = parse(read(os.path.join(top, rel)))
        names |= set(defined)
        for name, (_, body) in defined.items():
            bodies.setdefault(body, (rel, name))
    out, checked = [], 0
    for rel, student in solution_files(top):
        checked += 1
        if not os.path.isfile(os.path.join(top, student)):
            out.append("%s: there is no %s in the student tree for it to replace" % (rel, student))
            continue
        _, allowed = parse(read(os.path.join(top, student)))
        defined, _ = parse(read(os.path.join(top, rel)))
        for name, (static, body) in sorted(defined.items()):
            if body in bodies:
                where, given = bodies[body]
                out.append("%s: %s() is given code, unchanged from %s%s: keep it in the student "
                           "tree only" % (rel, name, where, "" if given == name else
                                          " (as %s())" % given))
            elif name not in allowed and not (static and name not in names):
                out.append("%s: defines %s(), which %s neither declares nor defines: a "
                           "solution holds only the holes of its student file" % (rel, name, student))
    if not checked:
        out.append("no solution files under solutions/ (nothing to check)")
        return True, out
    return not out, out


def main():
    ok, out = run()
    for line in out:
        print(line)
    if ok:
        print("solcheck: every solution file holds only its holes")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
