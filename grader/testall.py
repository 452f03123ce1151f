#!/usr/bin/env python3
"""make test: everything CI checks, ending with the line "N passed, N failed".

  1. host unit tests (make check, the Check framework), counted per test;
  2. the foundation's system tests under QEMU (grader/systests.py);
  3. the grading matrix: every lab's tests fail on the skeleton and pass on
     the reference solution (grader/matrix.py);
  4. the grader's own tests: cheating and broken kernels score nothing,
     forged lab holes fail every test of their lab, mutants of the reference
     (a recursive mapdb_revoke) lose the points they should, batch grading and the
     handout export work, hostile submissions get nothing (grader/selftest.py,
     grader/selftest_batch.py);
  5. every figure the handouts quote equals grader/figures.json's
     (grader/docscheck.py), every handout's title and test table the
     grader's declarations (grader/tablecheck.py), and every console
     transcript what its command prints now (grader/transcripts.py);
  6. every solution file holds only the holes of its student file, no copy
     of given code (grader/solcheck.py).

A check that cannot run in this tree (a handout without the solutions it
needs) is reported SKIP with the reason, and the last line then ends
", N skipped".  Exit status 0 only if nothing failed.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docscheck  # noqa: E402
import gdbtests  # noqa: E402
import gradelib  # noqa: E402
import matrix  # noqa: E402
import qemu  # noqa: E402
import selftest  # noqa: E402
import selftest_batch  # noqa: E402
import solcheck  # noqa: E402
import systests  # noqa: E402
import tablecheck  # noqa: E402
import transcripts  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Checks that cannot run in this tree (a student handout lacks the solutions
# of labs not yet released): reported SKIP with the reason, counted apart.
skipped = 0


def report(ok, name, seconds, reason="", output=""):
    """ok: True (PASS), False (FAIL) or None (SKIP: reason says why)."""
    global skipped
    skipped += ok is None
    gradelib.say(ok, name, "" if ok else reason, seconds, output)


def unit_tests():
    """Runs the Check suite; returns (passed, failed)."""
    start = time.monotonic()
    p = subprocess.run(["make", "-s", "check"], cwd=TOP, capture_output=True, text=True)
    out = p.stdout + p.stderr
    m = re.search(r"(\d+)%: Checks: (\d+), Failures: (\d+), Errors: (\d+)", out)
    if not m:
        report(False, "unit tests (make check)", time.monotonic() - start,
               "the unit tests did not build or run", out)
        return 0, 1
    total, failures, errors = int(m.group(2)), int(m.group(3)), int(m.group(4))
    bad = failures + errors
    for line in out.splitlines():
        if re.search(r":[EF]:", line):
            report(False, "unit: " + line, 0.0)
    report(bad == 0 and p.returncode == 0, "unit tests (Check): %d of %d passed" %
           (total - bad, total), time.monotonic() - start)
    if bad == 0 and p.returncode != 0:
        return total, 1
    return total - bad, bad


def document_check(name, run):
    """One of the checks of documents and sources: run() -> (ok, lines) or
    (ok, lines, skips); the first line is the reason, the rest follow it.
    Returns (passed, failed)."""
    t = time.time()
    ok, lines, *rest = run()
    report(ok, name, time.time() - t, "" if ok else lines[0])
    for line in ([] if ok else lines[1:]):
        print("     " + line)
    for line in (rest[0] if rest else []):
        report(None, name, 0.0, line)
    return (1, 0) if ok else (0, 1)


# What make test checks in the documents and the sources, without QEMU
# (transcripts.py boots the commands the handouts show).
DOCUMENT_CHECKS = [
    ("handouts quote the reference figures (docscheck.py)", docscheck.run),
    ("handouts state the grader's titles, tests and points (tablecheck.py)", tablecheck.run),
    ("handouts quote what the commands print (transcripts.py)", transcripts.run),
    ("solutions hold only the holes, no given code (solcheck.py)", solcheck.run),
]


def document_part(name, run, say):
    """document_check for a part run by side_by_side: its lines go to say."""
    t = time.time()
    ok, lines, *rest = run()
    say(ok, name, "" if ok else lines[0] + "".join("\n     " + l for l in lines[1:]),
        time.time() - t)
    for line in (rest[0] if rest else []):
        say(None, name, line)
    return (1, 0) if ok else (0, 1)


def batch_part(say):
    """The batch self-test grades in a sandbox of its own (processes the
    slots cannot see): it holds one slot all along."""
    with qemu.slot():
        return selftest_batch.run(say)


def side_by_side(parts, ended):
    """Runs each part(say) -> (passed, failed) in a thread of its own; prints
    each part's lines when it has ended, in the order of parts; yields the
    counts in that order.  ended[i]: the seconds part i took."""
    logs = [[] for _ in parts]
    start = time.monotonic()

    def run(i):
        def say(*args, **kw):
            logs[i].append((args, kw))
        try:
            return parts[i](say)
        except Exception as e:      # a broken part must not stop the others
            say(False, "make test part %d" % i, "test error: %r" % e)
            return 0, 1
        finally:
            ended[i] = time.monotonic() - start
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(parts)) as pool:
        futures = [pool.submit(run, i) for i in range(len(parts))]
        for i, fut in enumerate(futures):
            counts = fut.result()
            for args, kw in logs[i]:
                say_line(*args, **kw)
            yield counts


def say_line(ok, name, reason="", seconds=0.0, output=""):
    report(ok, name, seconds, reason, output)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build/student")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", metavar="REGEX",
                    help="run only the system tests whose names match (a quick check while you work)")
    ap.add_argument("--pending", action="store_true",
                    help="with --only: also the Linux tests still pending (systests.LINUX_PENDING)")
    a = ap.parse_args()

    say = say_line
    if a.only:
        pool = systests.TESTS + (systests.LINUX_PENDING if a.pending else [])
        tests = [t for t in pool if re.search(a.only, t.name)]
        p, f = gradelib.say_outcomes(gradelib.run_tests(tests, a.build, a.jobs), "system", say)
        print("%d passed, %d failed" % (p, f))
        sys.exit(1 if f or not tests else 0)
    began = time.monotonic()
    passed, failed = unit_tests()
    for name, check in DOCUMENT_CHECKS:
        if check is not transcripts.run:
            p, f = document_check(name, check)
            passed, failed = passed + p, failed + f
    # The parts that boot QEMU run side by side, with at most --jobs + 1
    # boots at once between them all (qemu.limit_boots): one part's idle
    # moments (a build, a timeout it waits out) are another's boots, and
    # the one boot more fills the time a slot's holder spends not computing
    # (a kernel that hangs on purpose, GDB connecting, a transcript typing).
    # Each part's lines are printed when it ends, in this order, so the log
    # reads as before.
    qemu.limit_boots(a.jobs + 1)
    parts = [
        ("transcripts", lambda say: document_part(DOCUMENT_CHECKS[2][0], transcripts.run, say)),
        ("system", lambda say: gradelib.say_outcomes(
            gradelib.run_tests(systests.TESTS, a.build, a.jobs), "system", say)),
        ("gdb", lambda say: gdbtests.run(a.jobs, say)),
        ("matrix", lambda say: matrix.run(a.jobs, say)),
        ("evil kernels", lambda say: selftest.run(a.jobs, say)),
        ("forgers", lambda say: selftest.forge_run(a.jobs, say)),
        ("grade TEST=", lambda say: tuple(map(sum, zip(selftest.load_race_run(say),
                                                        selftest.one_test_run(say))))),
        ("mutant", lambda say: selftest.mutant_run(a.jobs, say)),
        ("batch", batch_part),
    ]
    ended = {}
    for p, f in side_by_side([run for _, run in parts], ended):
        passed, failed = passed + p, failed + f
    # Where the time went, for whoever makes make test faster (docs/grading.md).
    print("make test's parts, side by side: " + ", ".join(
        "%s %.0f s" % (name, ended[i]) for i, (name, _) in enumerate(parts)) +
        "; all %.0f s" % (time.monotonic() - began))
    print("%d passed, %d failed%s" % (passed, failed,
                                      ", %d skipped" % skipped if skipped else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
