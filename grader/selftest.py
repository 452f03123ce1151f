"""Tests of the grader itself: kernels built to cheat or to misbehave
(grader/selftest/evil.asm) must get a FAIL with the right reason, within
the timeout, and the grader must go on to the next test.

Each evil kernel is booted with the genuine user programs of the reference
tree, exactly as a student's kernel would be.
"""

import json
import os
import shutil
import subprocess
import sys

import gradelib

SELFTEST = os.path.join(gradelib.TOP, "build", "selftest")
EVIL_SRC = os.path.join(gradelib.TOP, "grader", "selftest", "evil.asm")

# mode -> what the failure reason must say
CASES = {
    "hang": "timed out",
    "flood": "printed too much",
    "reset": "machine reset",
    "forge": "",        # any failure will do: it must simply not pass
}


def make_evil_build(mode, programs_from):
    """build/selftest/MODE/ with the evil kernel and the real user programs."""
    d = os.path.join(SELFTEST, mode)
    os.makedirs(d, exist_ok=True)
    subprocess.run(["nasm", "-f", "bin", "-DMODE=MODE_" + mode.upper(), "-o",
                    os.path.join(d, "kernel.elf"), EVIL_SRC], check=True)
    user = os.path.join(d, "user")
    if os.path.islink(user) or os.path.exists(user):
        os.remove(user) if os.path.islink(user) else shutil.rmtree(user)
    os.symlink(os.path.abspath(os.path.join(programs_from, "user")), user)
    return d


def run(jobs, say):
    """Grades the labs' tests against each evil kernel; returns (passed, failed)."""
    from grade import run_all
    ok, log = gradelib.build("all")
    if not ok:
        say(False, "selftest: the reference tree builds", log.strip().splitlines()[-1])
        return 0, 1
    labs = {n: gradelib.load_lab(p) for n, p in gradelib.lab_files().items()}
    every = [t for ns in labs.values() for t in ns.get("TESTS", [])]
    # A kernel that hangs, floods or resets does so whatever the test, so
    # one test per lab shows the grader copes (and keeps make test short);
    # forged output must fail every test.
    one_per_lab = [ns["TESTS"][0] for ns in labs.values() if ns.get("TESTS")]
    # Short timeouts: these kernels hang on purpose.
    os.environ["GRADE_TIMEOUT_SCALE"] = "0.2"
    passed = failed = 0
    try:
        for mode, must_say in CASES.items():
            build = make_evil_build(mode, gradelib.build_dir("all"))
            for o in run_all(every if mode == "forge" else one_per_lab, build, jobs):
                good = not o.passed and must_say in o.reason
                name = "grader: a '%s' kernel fails lab%d/%s" % (mode, o.test.lab, o.test.name)
                why = "" if good else ("it PASSED" if o.passed else
                                       "reason should say '%s': %s" % (must_say, o.reason))
                say(good, name, why, o.seconds)
                passed, failed = passed + good, failed + (not good)
    finally:
        del os.environ["GRADE_TIMEOUT_SCALE"]
    return passed, failed

