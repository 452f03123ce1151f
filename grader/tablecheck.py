#!/usr/bin/env python3
"""Checks what each lab handout says about its tests against the grader.

    python3 grader/tablecheck.py

The grader's declarations (grader/labN.py: LAB, TITLE, TESTS) are the one
source of truth; a handout states them and this script compares:

  - the handout's first line is "# Lab N: TITLE";
  - its test table (a Markdown table whose header starts "| test | points |",
    one row "| `name` | points | ... |" per test) or its test list (lines
    "- **`name`** (N points): ...") names every test of the lab, in the
    grader's order, each with the grader's points, and no other.

Each mismatch is one line naming the handout and the line, for example
"labs/lab1-ipc/README.md:449: many_clients has 15 points here, 10 in the
grader".  `make test` runs it (grader/testall.py).  Exit status 0 if all agree.
"""

import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradelib  # noqa: E402

TOP = gradelib.TOP
HEADER_RE = re.compile(r"^\|\s*test\s*\|\s*points\s*\|")
ROW_RE = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*(\d+)\s*\|")
BULLET_RE = re.compile(r"^- \*\*`([^`]+)`\*\* \((\d+) points?\)")


def handout(lab, top=TOP):
    """The path of lab N's handout, or None."""
    found = sorted(glob.glob(os.path.join(top, "labs", "lab%d-*" % lab, "README.md")))
    return found[0] if found else None


def stated_tests(lines):
    """(line number, name, points) for every test the handout lists."""
    found, in_table = [], False
    for i, line in enumerate(lines, 1):
        if HEADER_RE.match(line):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            in_table = False
        m = ROW_RE.match(line) if in_table else BULLET_RE.match(line)
        if m:
            found.append((i, m.group(1), int(m.group(2))))
    return found


def check_lab(lab, ns, top=TOP):
    """Returns the mismatches of one lab's handout, one line each."""
    path = handout(lab, top)
    if not path:
        return ["labs/lab%d-*/README.md: lab %d has tests but no handout" % (lab, lab)]
    rel = os.path.relpath(path, top)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    bad = []
    want_title = "# Lab %d: %s" % (lab, ns.get("TITLE", ""))
    if not lines or lines[0].strip() != want_title:
        bad.append("%s:1: the title is %r, the grader's (TITLE in grader/lab%d.py) is %r" % (
            rel, lines[0] if lines else "", lab, want_title))
    tests = [(t.name, t.points) for t in ns.get("TESTS", [])]
    stated = stated_tests(lines)
    if not stated:
        return bad + ["%s: no test table ('| test | points | ...') or list ('- **`name`** "
                      "(N points)') found" % rel]
    points = dict(tests)
    seen = set()
    for lineno, name, pts in stated:
        if name not in points:
            bad.append("%s:%d: lists a test %s, which lab %d does not have" % (rel, lineno, name, lab))
        elif pts != points[name]:
            bad.append("%s:%d: %s has %d points here, %d in the grader" % (
                rel, lineno, name, pts, points[name]))
        seen.add(name)
    for name, pts in tests:
        if name not in seen:
            bad.append("%s:%d: the test table leaves out %s (%d points)" % (
                rel, stated[-1][0], name, pts))
    order = [n for _, n, _ in stated if n in points]
    if not bad and order != [n for n, _ in tests]:
        bad.append("%s:%d: the tests are listed in another order than the grader's: %s" % (
            rel, stated[0][0], " ".join(n for n, _ in tests)))
    return bad


def run(top=TOP):
    """(ok, lines): every lab's mismatches."""
    bad = []
    for lab, path in gradelib.lab_files().items():
        bad += check_lab(lab, gradelib.load_lab(path), top)
    return not bad, bad


def main():
    ok, lines = run()
    for line in lines:
        print(line)
    if ok:
        print("tablecheck: every handout's title and tests match the grader")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
