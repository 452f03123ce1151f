#!/usr/bin/env python3
"""Checks what each lab handout says about its tests against the grader.

    python3 grader/tablecheck.py

The grader's declarations (grader/labN.py: LAB, TITLE, TESTS) are the one
source of truth; a handout states them and this script compares:

  - the handout's first line is "# Lab N: TITLE";
  - its test table (a Markdown table whose header starts "| test | points |",
    one row "| `name` | points | ... |" per test) or its test list (lines
    "- **`name`** (N points): ...") names every test of the lab, in the
    grader's order, each with the grader's points, and no other;
  - it has at most MAX_WORDS words (its hints and debugging notes live
    beside it, in hints.md and debugging.md);
  - quoted `make grade` output anywhere in the documents ("FAIL  lab0/x
    0/40" lines, "Lab N: TITLE" lines) names real tests with the grader's
    points and titles;
  - docs/abi.md's list of the Linux server's system calls (between
    <!--linux-calls--> markers) names exactly the calls of the server's
    call tables (the {LX_name, function} entries of user/linux/*.c).

Each mismatch is one line naming the handout and the line, for example
"labs/lab1-ipc/README.md:449: many_clients has 15 points here, 10 in the
grader".  `make test` runs it (grader/testall.py).  Exit status 0 if all agree.
"""

import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docscheck  # noqa: E402
import gradelib  # noqa: E402

TOP = gradelib.TOP
HEADER_RE = re.compile(r"^\|\s*test\s*\|\s*points\s*\|")
ROW_RE = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*(\d+)\s*\|")
BULLET_RE = re.compile(r"^- \*\*`([^`]+)`\*\* \((\d+) points?\)")
# A line of quoted `make grade` output: "  FAIL  lab0/null_syscall   0/40    0.6s".
GRADE_LINE_RE = re.compile(r"^\s*(?:PASS|FAIL|SKIP)\s+lab(\d+)/(\w+)\s+(\d+)/(\d+)\b")
GRADE_TITLE_RE = re.compile(r"^Lab (\d+): (.*)$")
# A handout says the lab's why and points to the rest (issue 13): at most
# this many words (wc -w) in labs/labN-*/README.md; hints and debugging
# notes live beside it.
MAX_WORDS = 4000


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
    # A lab whose tests wait for a program not yet in the tree (lab5.py)
    # grades a stand-in set meanwhile; its handout states the full one.
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


def check_grade_output(labs, top=TOP):
    """Quoted `make grade` output in every Markdown file: each PASS/FAIL
    line names a test of that lab with the grader's points, each "Lab N:"
    title line the grader's title."""
    bad = []
    for path in docscheck.documents(top):
        rel = os.path.relpath(path, top)
        in_block = False
        for i, line in enumerate(open(path, encoding="utf-8").read().splitlines(), 1):
            if line.startswith("```"):
                in_block = not in_block
                continue
            if not in_block:
                continue
            m = GRADE_LINE_RE.match(line)
            if m:
                lab, name, maximum = int(m.group(1)), m.group(2), int(m.group(4))
                ns = labs.get(lab, {})
                points = dict((t.name, t.points) for t in ns.get("TESTS", []))
                if name not in points:
                    bad.append("%s:%d: quotes a grade line for lab%d/%s, which lab %d does not have"
                               % (rel, i, lab, name, lab))
                elif points[name] != maximum:
                    bad.append("%s:%d: quotes lab%d/%s out of %d points, the grader gives %d"
                               % (rel, i, lab, name, maximum, points[name]))
            m = GRADE_TITLE_RE.match(line)
            if m and int(m.group(1)) in labs and m.group(2) != labs[int(m.group(1))].get("TITLE"):
                bad.append("%s:%d: quotes the title of lab %s as %r, the grader's is %r"
                           % (rel, i, m.group(1), m.group(2), labs[int(m.group(1))].get("TITLE")))
    return bad


def check_length(lab, top=TOP):
    path = handout(lab, top)
    if not path:
        return []
    words = len(open(path, encoding="utf-8").read().split())
    if words <= MAX_WORDS:
        return []
    return ["%s: %d words; a handout has at most %d (move hints to hints.md and testing and "
            "debugging notes to debugging.md beside it)" % (os.path.relpath(path, top), words, MAX_WORDS)]


CALL_ENTRY_RE = re.compile(r"\{LX_(\w+),\s*\w+\}")


def check_linux_calls(top=TOP):
    """docs/abi.md's list of the Linux server's calls against its call tables."""
    doc = os.path.join(top, "docs", "abi.md")
    text = open(doc, encoding="utf-8").read()
    m = re.search(r"<!--linux-calls-->(.*?)<!--/linux-calls-->", text, re.S)
    if not m:
        return ["docs/abi.md: no <!--linux-calls--> list of the Linux server's system calls"]
    listed = set(re.findall(r"`(\w+)`", m.group(1)))
    served = set()
    for path in glob.glob(os.path.join(top, "user", "linux", "*.c")):
        served |= set(CALL_ENTRY_RE.findall(open(path, encoding="utf-8").read()))
    bad = ["docs/abi.md: lists the Linux call %s, which the server does not have" % n
           for n in sorted(listed - served)]
    bad += ["docs/abi.md: the Linux server has the call %s, which its list does not name" % n
            for n in sorted(served - listed)]
    return bad


def run(top=TOP):
    """(ok, lines): every lab's mismatches."""
    bad, labs = [], {}
    for lab, path in gradelib.lab_files().items():
        labs[lab] = gradelib.load_lab(path)
        bad += check_lab(lab, labs[lab], top) + check_length(lab, top)
    bad += check_grade_output(labs, top)
    if os.path.isdir(os.path.join(top, "user", "linux")):
        bad += check_linux_calls(top)
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
