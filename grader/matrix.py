#!/usr/bin/env python3
"""The grading matrix (make check-labs), run by make test and CI.

For every lab N that has tests (grader/labN.py):
  - with SOLUTION=N-1 (for lab 0: the untouched student tree, which is the
    skeleton in a fresh clone) every lab-N test must FAIL and score 0:
    a test that passes on the skeleton tests nothing;
  - with SOLUTION=N every test of lab N must PASS, and with the last lab's
    SOLUTION every test of every lab (the earlier labs as regressions).
Each of these checks is one line, PASS or FAIL, and counts as one test.

make test runs this; `make check-labs` (--full) also runs every earlier
lab's tests on each SOLUTION=N, as `make grade LAB=N SOLUTION=N` does (about
a third of the full matrix's boots), rows which in practice fail only where the last lab's do
(a lab-1 test that broke on sol3 but not on sol5 would need lab 4 or 5's
reference to undo what lab 3's did).
"""

import copy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradelib  # noqa: E402
from grade import run_all  # noqa: E402


def variant(n):
    return None if n < 0 else str(n)


def run_failing(tests, build, jobs, scale=None):
    """Runs tests that must FAIL (the skeleton's rows, the grader's own
    kernels that must score nothing) as run_all does, returning the same
    verdicts for less: each is booted first without GDB, and only a test
    that passes there is booted again with its watches.  A watch only adds
    ways to fail (gradelib.judge: without GDB the same output is judged by
    everything but the watches), so a test that fails without GDB fails
    with it too; GDB's start and its stops were more than half of these
    boots' CPU (the skeleton's 61 rows: 41 s with GDB, 16 s now)."""
    bare = []
    for t in tests:
        b = copy.copy(t)
        b.watches, b.watch_apart = [], False
        bare.append(b)
    outcomes = run_all(bare, build, jobs, scale=scale)
    again = [t for t, o in zip(tests, outcomes) if t.watches and o.passed is not False]
    watched = dict(zip(map(id, again), run_all(again, build, jobs, scale=scale)))
    # Each outcome names the test as given (its watches included).
    result = []
    for t, o in zip(tests, outcomes):
        o = watched.get(id(t), o)
        o.test = t
        result.append(o)
    return result


def check_lab(n, labs, jobs, say, every):
    """Runs lab n's two rows of the matrix; returns (passed, failed).
    every: on SOLUTION=n, also the tests of labs 0..n-1."""
    passed = failed = 0
    mine = labs[n].get("TESTS", [])
    upto = [t for m, ns in labs.items() if m <= n and (every or m == n)
            for t in ns.get("TESTS", [])]
    # On the skeleton a test only has to fail: its boot may end at the first
    # line of an unfinished hole, which fails it whatever follows.
    stopping = [copy.copy(t) for t in mine]
    for t in stopping:
        t.stop_at_hole = True
    for solution, tests, want in [(variant(n - 1), stopping, False), (variant(n), upto, True)]:
        label = "SOLUTION=%s" % solution if solution is not None else "the skeleton"
        ok, log = gradelib.build(solution)
        if not ok:
            say(False, "matrix: lab%d builds with %s" % (n, label),
                "build failed: " + " / ".join(log.strip().splitlines()[-3:]))
            failed += 1
            continue
        runner = run_all if want else run_failing
        for o in runner(tests, gradelib.build_dir(solution), jobs):
            name = "matrix: lab%d/%s %s with %s" % (o.test.lab, o.test.name,
                                                   "passes" if want else "fails", label)
            good = o.passed == want
            detail = o.reason if want else "it passed on the skeleton: the test tests nothing"
            say(good, name, "" if good else detail, o.seconds)
            passed, failed = passed + good, failed + (not good)
    return passed, failed


def run(jobs, say, full=False):
    labs = gradelib.load_labs()
    passed = failed = 0
    # A student handout (grader/export.py) holds only the released
    # solutions: the matrix cannot be checked for the other labs.
    present = [n for n in labs if gradelib.missing_solution(n) is None]
    for n in labs:
        if n not in present:
            say(None, "matrix: lab%d" % n, "solutions/lab%d is not in this tree" % n)
            continue
        p, f = check_lab(n, labs, jobs, say, full or n == max(present))
        passed, failed = passed + p, failed + f
    return passed, failed


def main():
    full = "--full" in sys.argv[1:]
    passed, failed = run(os.cpu_count() or 2, gradelib.say, full)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
