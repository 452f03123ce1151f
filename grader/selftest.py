"""Tests of the grader itself: kernels built to cheat or to misbehave
(grader/selftest/evil.asm) must get a FAIL with the right reason, within
the timeout, and the grader must go on to the next test.

Each evil kernel is booted with the genuine user programs of the reference
tree, exactly as a student's kernel would be.
"""

import copy
import json
import os
import shutil
import subprocess

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
    from matrix import run_failing
    ok, log = gradelib.build("all")
    if not ok:
        say(False, "selftest: the reference tree builds", log.strip().splitlines()[-1])
        return 0, 1
    labs = gradelib.load_labs()
    every = [t for ns in labs.values() for t in ns.get("TESTS", [])]
    # A kernel that hangs, floods or resets does so whatever the test, so
    # one test per lab shows the grader copes (and keeps make test short);
    # forged output must fail every test.
    one_per_lab = [ns["TESTS"][0] for ns in labs.values() if ns.get("TESTS")]
    passed = failed = 0
    for mode, must_say in CASES.items():
        # Short timeouts for 'hang', which hangs on purpose; the others end
        # by themselves, and 'flood' must reach the output limit before the
        # timeout even on a loaded host (4 s was not always enough).
        scale = 0.2 if mode == "hang" else None
        build = make_evil_build(mode, gradelib.build_dir("all"))
        # The forged output fails each test already without GDB, judged
        # then on everything but the watches (matrix.run_failing boots
        # again with GDB what passes there); the other modes keep GDB, so
        # that the grader is seen to cope with GDB attached to a kernel
        # that hangs, floods or resets.
        runner = run_failing if mode == "forge" else run_all
        for o in runner(every if mode == "forge" else one_per_lab, build, jobs, scale=scale):
            good = not o.passed and must_say in o.reason
            name = "grader: a '%s' kernel fails lab%d/%s" % (mode, o.test.lab, o.test.name)
            why = "" if good else ("it PASSED" if o.passed else
                                   "reason should say '%s': %s" % (must_say, o.reason))
            say(good, name, why, o.seconds)
            passed, failed = passed + good, failed + (not good)
    return passed, failed


FORGE_SRC = os.path.join(gradelib.TOP, "grader", "selftest", "forge")


def make_forged_build(lab, kind="forge"):
    """build/selftest/forge-labN/: the reference solutions of every lab, except
    that the files under grader/selftest/forge/labN/ replace the reference's
    (a hole file that forges lab N's results instead of doing the work).
    kind="mutants": build/selftest/mutants-labN/, from grader/selftest/mutants/labN/.
    Returns (build dir, None) or (None, the build's last error line)."""
    d = os.path.join(SELFTEST, "%s-lab%d" % (kind, lab))
    src = os.path.join(d, "src")
    # Labs 0..5's holes are built on Labs 0..5's references, as SOLUTION=5
    # is: Lab 6's fast paths (IPC and exceptions) would otherwise carry the
    # common cases with the reference's own code, around the forged hole.
    upto = "5" if lab <= 5 else "all"
    subprocess.run(["tools/overlay", upto, src], cwd=gradelib.TOP, check=True)
    root = os.path.join(os.path.dirname(FORGE_SRC), kind, "lab%d" % lab)
    replaced = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            os.remove(os.path.join(src, rel))
            os.symlink(os.path.join(dirpath, name), os.path.join(src, rel))
            replaced.append(rel)
    # A tree whose replaced files are all in kernel/ has the reference's user
    # programs: only its kernel is built, and user/ is build/solall's.
    target = "all"
    if all(rel.startswith("kernel/") for rel in replaced):
        ok, log = gradelib.build("all")
        if not ok:
            return None, (log.strip().splitlines() or ["make SOLUTION=all failed"])[-1]
        user = os.path.join(d, "user")
        if not os.path.islink(user):
            shutil.rmtree(user, ignore_errors=True)
            os.symlink(os.path.join(gradelib.build_dir("all"), "user"), user)
        target = os.path.join(os.path.relpath(d, gradelib.TOP), "kernel.elf")
    # The Makefile's B and SRC, given on the command line, win over its own.
    p = subprocess.run(["make", "-s", "-j%d" % (os.cpu_count() or 2), target, "SOLUTION=",
                        "B=" + os.path.relpath(d, gradelib.TOP),
                        "SRC=" + os.path.relpath(src, gradelib.TOP)],
                       cwd=gradelib.TOP, capture_output=True, text=True)
    if p.returncode != 0:
        return None, ((p.stdout + p.stderr).strip().splitlines() or ["make failed"])[-1]
    return d, None


def digest_blind(test):
    """A copy of test that takes any digest in the success line: what a forger
    that re-created the digest would face.  GDB's observations alone must
    then fail it."""
    blind = copy.copy(test)
    blind.expect = [(p.replace("{digest:08x}", "[0-9a-f]{{8}}"), what) for p, what in test.expect]
    return blind


def forge_run(jobs, say, only=None):
    """Hole files that forge a lab's results (grader/selftest/forge/labN/: they
    find the test program's command line in RAM and print its success line,
    fault reports included, then stop the machine cleanly) must fail every
    test of that lab, in a tree that is otherwise the reference.  Each test
    is judged twice on the same boots: as it is, and blind to the digest,
    where what GDB sees must fail it on its own.  only: a list of labs, to
    run those forgers alone (none: every lab's)."""
    from grade import run_all
    passed = failed = 0
    labs = gradelib.load_labs()
    for lab in sorted(int(n[3:]) for n in os.listdir(FORGE_SRC) if n.startswith("lab")):
        if only is not None and lab not in only:
            continue
        missing = gradelib.missing_solution(lab)
        if missing is not None:
            say(None, "grader: forged lab-%d holes" % lab,
                "the forger is built on the reference, and solutions/lab%d is not in this tree"
                % missing)
            continue
        build, err = make_forged_build(lab)
        if not build:
            say(False, "grader: the lab-%d forger builds" % lab, err)
            failed += 1
            continue
        # The blind variant is judged on the same boots as the test itself
        # (a forger does what it does whatever the judge): half the boots.
        outcomes = run_all(labs[lab].get("TESTS", []), build, jobs,
                           also=lambda t: [digest_blind(t)])
        for o, is_blind in [(o, False) for o in outcomes] + \
                [(b, True) for o in outcomes for b in o.also]:
            good = not o.passed and (not is_blind or o.reason.startswith("GDB"))
            name = "grader: a forged lab-%d hole fails lab%d/%s%s" % (
                lab, lab, o.test.name, " (GDB alone)" if is_blind else "")
            why = "" if good else ("it PASSED: the grader believed forged output" if o.passed
                                   else "the reason should come from GDB: " + o.reason)
            say(good, name, why, o.seconds)
            passed, failed = passed + good, failed + (not good)
    return passed, failed


def load_race_run(say, threads=4, rounds=5):
    """The lab files load from several threads at once, as make test's parts
    load them: each load must see the lab files it imports whole (without
    gradelib's lock, lab6.py found lab5 half loaded, about one run in ten)."""
    import threading
    import time
    start, errors = time.monotonic(), []

    def load():
        try:
            for _ in range(rounds):
                gradelib.load_labs()
        except Exception as e:      # what a half-loaded module raises
            errors.append(e)
    pool = [threading.Thread(target=load) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    ok = not errors
    say(ok, "grader: the lab files load from %d threads at once" % threads,
        "" if ok else "%d loads failed, the first: %r" % (len(errors), errors[0]),
        time.monotonic() - start)
    return int(ok), int(not ok)


def one_test_run(say):
    """`make grade LAB=1 TEST=pingpong` runs that one test and nothing else."""
    import time
    start = time.monotonic()
    if gradelib.missing_solution(1) is not None:
        say(None, "grader: make grade TEST=name", "it runs lab1/pingpong on the reference, "
            "and solutions/lab1 is not in this tree")
        return 0, 0
    out = os.path.join(SELFTEST, "one-test.json")
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run(["python3", os.path.join(gradelib.TOP, "grader", "grade.py"), "--lab", "1",
                        "--solution", "all", "--test", "pingpong", "--json", out],
                       capture_output=True, text=True, errors="replace")
    try:
        with open(out) as f:
            tests = [(t["lab"], t["name"], t["passed"]) for t in json.load(f)["tests"]]
    except (OSError, ValueError, KeyError):
        tests = None
    ok = tests == [(1, "pingpong", True)]
    say(ok, "grader: make grade LAB=1 TEST=pingpong runs that test alone",
        "" if ok else "results: %s; grade.py said: %s" % (tests, p.stdout[-300:] + p.stderr[-300:]),
        time.monotonic() - start)
    return int(ok), int(not ok)



# Mutants of the reference (grader/selftest/mutants/labN/): a student's
# plausible mistake that the grade must catch.  test -> whether it passes.
MUTANTS = {
    # A recursive mapdb_revoke overflows the kernel stack on a long chain;
    # on chain's short ones it works.
    2: {"longchain": False, "chain": True},
}


def mutant_run(jobs, say):
    """Each mutant loses the points of the tests named in MUTANTS, and keeps
    the others named there (so that it is the mistake, not a broken build
    of it, that the test catches)."""
    from grade import run_all
    passed = failed = 0
    for lab, want in sorted(MUTANTS.items()):
        missing = gradelib.missing_solution(lab)
        if missing is not None:
            say(None, "grader: the lab-%d mutant" % lab,
                "it is built on the reference, and solutions/lab%d is not in this tree" % missing)
            continue
        build, err = make_forged_build(lab, "mutants")
        if not build:
            say(False, "grader: the lab-%d mutant builds" % lab, err)
            failed += 1
            continue
        tests = [t for t in gradelib.load_labs()[lab].get("TESTS", [])
                 if t.name in want]
        for o in run_all(tests, build, jobs):
            good = o.passed == want[o.test.name]
            name = "grader: the lab-%d mutant (grader/selftest/mutants/lab%d/) %s lab%d/%s" % (
                lab, lab, "passes" if want[o.test.name] else "fails", lab, o.test.name)
            say(good, name, "" if good else (o.reason or "it PASSED"), o.seconds)
            passed, failed = passed + good, failed + (not good)
    return passed, failed
