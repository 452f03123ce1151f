#!/usr/bin/env python3
"""The l4lab grader: make grade [LAB=n] [SOLUTION=s], make bench [LAB=n].

Builds the tree, boots QEMU once per test with the test's programs, and
judges each run (gradelib.judge).  Prints one line per test, the reason and
the relevant log lines for each failure, the score, and writes every result
and benchmark figure to a JSON file.  Exit status 0 only if every test passed.
docs/grading.md explains how tests are declared, run and scored.
"""

import argparse
import json
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402
import gradelib  # noqa: E402
import native  # noqa: E402
import qemu  # noqa: E402


def select_tests(labs, lab):
    """(graded tests, regression tests) for `make grade LAB=lab` (lab None: all)."""
    graded, regress = [], []
    for n, ns in labs.items():
        if lab is None or n == lab:
            graded += ns.get("TESTS", [])
        elif n < lab:
            regress += ns.get("TESTS", [])
    return graded, regress


def pick_tests(labs, lab, names):
    """The tests named in `make grade TEST=a,b` (of lab, or of any lab if lab
    is None), without regressions; exits with the names there are if one is
    unknown.  A name may be written labN/name."""
    pool = [t for n, ns in labs.items() if lab is None or n == lab for t in ns.get("TESTS", [])]
    picked = []
    for name in [x for x in names.split(",") if x]:
        found = [t for t in pool if name in (t.name, "lab%d/%s" % (t.lab, t.name))]
        if not found:
            sys.exit("grade: no test '%s'%s; the tests are: %s" % (
                name, " in lab %d" % lab if lab is not None else "",
                " ".join("lab%d/%s" % (t.lab, t.name) for t in pool)))
        picked += [t for t in found if t not in picked]
    return picked, []


def progress(done, total, name):
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K[%d/%d] %s" % (done, total, name))
        sys.stderr.flush()


def run_all(tests, build, jobs, also=None, scale=None):
    """Runs tests in parallel (gradelib.run_tests; also: variants judged on
    the same boots), showing progress on a terminal; returns outcomes in the
    order of tests."""
    done = []

    def show(o):
        done.append(o)
        progress(len(done), len(tests), "lab%d/%s" % (o.test.lab, o.test.name))
    outcomes = gradelib.run_tests(tests, build, jobs, show, also, scale)
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    return outcomes


def print_outcome(o, verbose=False):
    t = o.test
    print("  %s  lab%d/%-24s %3d/%-3d %5.1fs" % ("PASS" if o.passed else "FAIL", t.lab, t.name,
                                                o.score, t.points, o.seconds))
    if not o.passed:
        # The reason and the log quote the kernel's output: clean() again,
        # whatever path they came by, so that nothing the kernel printed
        # can move this terminal's cursor.
        print("        why: " + qemu.clean(o.reason, one_line=True))
        lines = gradelib.relevant_lines(o.output)
        if lines:
            print("        log (relevant lines):")
            for line in lines:
                print("        | " + qemu.clean(line, one_line=True))


def build_or_report(solution, built=None):
    """Builds the tree and says so if that failed.  built ("yes" or "no")
    means the caller (grader/batch.py, in a sandbox of its own) has already
    tried, and its log holds the compiler's output."""
    if built:
        if built == "no":
            print("BUILD FAILED: no test can run (the build's output is above).")
        return built == "yes", ""
    ok, log = gradelib.build(solution)
    if not ok:
        print("BUILD FAILED (make%s): no test can run.  The compiler said:" %
              (" SOLUTION=%s" % solution if solution else ""))
        for line in qemu.clean(log).rstrip().splitlines()[-25:]:
            print("  | " + qemu.clean(line, one_line=True))
    return ok, log


def grade(args):
    labs = gradelib.load_labs(args.tests_dir)
    if args.lab is not None and args.lab not in labs:
        sys.exit("grade: there is no lab %d (labs with tests: %s)" %
                 (args.lab, ", ".join(map(str, labs))))
    if args.test:
        graded, regress = pick_tests(labs, args.lab, args.test)
    else:
        graded, regress = select_tests(labs, args.lab)
    build = gradelib.build_dir(args.solution)
    tree = "SOLUTION=%s" % args.solution if args.solution else "your tree"
    what = "lab %d" % args.lab if args.lab is not None else "all labs"
    if args.test:
        what = "only " + ", ".join("lab%d/%s" % (t.lab, t.name) for t in graded)
    print("l4lab grader: %s, %s" % (what, tree))

    start = time.monotonic()
    ok, _ = build_or_report(args.solution, args.built)
    if ok:
        outcomes = run_all(graded + regress, build, args.jobs)
    else:
        outcomes = [gradelib.Outcome(t, False, "the tree does not build", 0.0)
                    for t in graded + regress]
    graded_out, regress_out = outcomes[:len(graded)], outcomes[len(graded):]

    for n, ns in labs.items():
        mine = [o for o in graded_out if o.test.lab == n]
        if mine:
            print("Lab %d: %s" % (n, ns.get("TITLE", "")))
            for o in mine:
                print_outcome(o)
    if regress_out:
        print("Regressions (earlier labs' tests, not counted in this lab's score):")
        for o in regress_out:
            print_outcome(o)

    score = sum(o.score for o in graded_out)
    total = sum(o.test.points for o in graded_out)
    print("Score: %d/%d" % (score, total), end="")
    if regress_out:
        print("   regressions: %d of %d tests pass" % (sum(o.passed for o in regress_out),
                                                      len(regress_out)), end="")
    print("   (%.0f s)" % (time.monotonic() - start))
    if args.test:
        print("(TEST=%s: the chosen tests only, not a lab's grade)" % args.test)
    write_json(args.json, args, outcomes, graded_out, score, total)
    return all(o.passed for o in outcomes)


def write_json(path, args, outcomes, graded_out, score, total):
    graded_ids = {id(o) for o in graded_out}
    data = {
        "tree": args.solution or "student",
        "lab": args.lab,
        "score": score,
        "max_score": total,
        "tests": [dict(name=o.test.name, lab=o.test.lab, points=o.score, max=o.test.points,
                       passed=o.passed, reason=qemu.clean(o.reason, one_line=True),
                       duration=round(o.seconds, 2), regression=id(o) not in graded_ids)
                  for o in outcomes],
        "benchmarks": [dict(b, lab=o.test.lab, test=o.test.name)
                       for o in outcomes for b in o.benches],
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, indent=2)
    print("Results: " + os.path.relpath(path))


def run_bench(bench, build, kvm=False):
    """Boots a benchmark under -icount (or KVM: cycles); returns its BENCH
    figure or a reason."""
    values = {"nonce": "%08x" % random.getrandbits(32),
              "unit": "cycles" if kvm else "instructions"}
    res = qemu.run(build, [gradelib.fill(p, values) for p in bench.programs],
                   icount=not kvm, kvm=kvm,
                   timeout=60 * gradelib.timeout_scale())
    for m in gradelib.BENCH_RE.finditer(res.output):
        if m.group(1) == bench.name:
            return dict(name=bench.name, value=int(m.group(2)), unit=m.group(3),
                        runs=int(m.group(4))), None
    hole = gradelib.HOLE_RE.search(res.output)
    if hole:
        return None, hole.group(0)
    # The program's own complaint, if it made one, says what is missing.
    said = [l for l in gradelib.relevant_lines(res.output, 4)
            if not l.startswith(("l4lab:", "qemu:", "linux: "))]
    return None, "no BENCH %s line (%s)%s" % (bench.name, res.verdict(),
                                              "; it said: '%s'" % said[-1] if said else "")


def native_column(benches, kvm):
    """Lab 5's lx.* benchmarks also run on native Linux (make bench-native,
    grader/native.py): their figures from build/native-bench.json, printed
    with the line that says where they come from, or None (and, for a
    table with lx.* rows, a line that says how to get them)."""
    if not any(b.name.startswith("lx.") for b in benches):
        return None
    data = native.load()
    if not data:
        print("native: no figures yet: `make bench-native` boots Debian's Linux kernel under "
              "the same QEMU and writes build/native-bench.json")
        return None
    k = data["kernel"]
    print("native: Linux %s (Debian %s), the same lxbench binary, also guest instructions "
          "under -icount shift=0 (build/native-bench.json, make bench-native)%s" % (
              k["release"], k["version"], "; no ratio to cycles" if kvm else ""))
    return data["benchmarks"]


def slow_column(args, benches, kvm):
    """make bench LAB=6 (or later) also measures every benchmark on the same
    tree built without the IPC fast path (FASTPATH=0, build/*-slow), so that
    each figure has the slow path's beside it: [(result, why)] per
    benchmark, or None when there is no such column (an earlier lab, a
    tree that is the slow one already, KVM, or a build made by the caller)."""
    if args.lab is None or args.lab < 6 or not gradelib.with_fastpath() or kvm or args.built:
        return None
    solution = args.solution or None
    ok, log = gradelib.build(solution, fast=False)
    if not ok:
        print("FASTPATH=0: the tree without the fast path did not build; no column for it")
        return None
    build = gradelib.build_dir(solution, fast=False)
    return [run_bench(b, build, kvm) for b in benches]


def bench(args):
    """Measures the benchmarks of labs 0..LAB on one tree; the reference
    column comes from grader/figures.json (make figures), so that a handout
    tree without solutions/ shows it too, and no reference is built."""
    labs = gradelib.load_labs(args.tests_dir)
    benches = [b for n, ns in labs.items() if args.lab is None or n <= args.lab
               for b in ns.get("BENCHES", [])]
    label = "yours" if not args.solution else "SOLUTION=" + args.solution
    known = figures.load()
    reference = known.get("benchmarks", {})
    if not build_or_report(args.solution or None, args.built)[0]:
        return False
    build = gradelib.build_dir(args.solution or None)
    kvm = args.kvm and qemu.kvm_works(build)
    if args.kvm and not kvm:
        print("KVM=1: KVM cannot run a 32-bit protected-mode guest here (probe cached "
              "in build/kvm-probe; delete it to probe again): measuring under -icount.")
    results = [run_bench(b, build, kvm) for b in benches]
    slow = slow_column(args, benches, kvm)

    if kvm:
        print("Benchmarks under KVM: real CPU cycles of this machine (they vary from run to run).")
    else:
        print("Benchmarks under QEMU -icount shift=0: one unit = one guest instruction.")
    print(figures.provenance(known) + ("; its figures are instructions, not cycles" if kvm else ""))
    native_figs = native_column(benches, kvm)
    head = "%-22s %12s  %-12s %10s   " % ("name", label, "unit", "reference")
    if slow is not None:
        head = head[:-3] + " %10s   " % "FASTPATH=0"
    print(head + ("%10s  %11s   " % ("native", "ours/native") if native_figs else "") + "paper")
    table = []
    for i, b in enumerate(benches):
        mine, why = results[i]
        ref = reference.get(b.name)
        row = dict(name=b.name, lab=b.lab, value=mine and mine["value"],
                   unit=mine and mine["unit"], runs=mine and mine["runs"],
                   reference=ref and ref["value"], paper=b.paper)
        line = "%-22s %12s  %-12s %10s   " % (
            b.name, mine["value"] if mine else "-", mine["unit"] if mine else "",
            ref["value"] if ref else "-")
        if slow is not None:
            theirs = slow[i][0]
            row.update(slow=theirs and theirs["value"])
            line = line[:-3] + " %10s   " % (theirs["value"] if theirs else "-")
        if native_figs:
            nat = native_figs.get(b.name)
            ratio = mine and nat and not kvm and round(mine["value"] / nat["value"], 2)
            row.update(native=nat and nat["value"], ratio=ratio or None)
            line += "%10s  %11s   " % (nat["value"] if nat else "", "%.2f" % ratio if ratio else
                                       "-" if nat else "")
        print(line + b.paper)
        if not mine:
            print("%22s   not measured: %s" % ("", why))
        table.append(row)
    path = args.json
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"tree": label, "benchmarks": table}, f, indent=2)
    return all(mine for mine, _ in results)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lab", type=int, help="grade this lab (and earlier labs as regressions)")
    ap.add_argument("--solution", default="", help="N or all: use reference files of labs 0..N")
    ap.add_argument("--test", help="only these tests, by name (a,b or labN/name), no regressions")
    ap.add_argument("--tests-dir", help="read labN.py from here (an instructor's trusted copy)")
    ap.add_argument("--json", help="where to write the results (default: build/grade.json)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--bench", action="store_true", help="run the benchmarks instead")
    ap.add_argument("--kvm", action="store_true", help="benchmarks under KVM, if it works here")
    ap.add_argument("--built", choices=("yes", "no"),
                    help="do not run make: the caller built the tree (yes) or failed to (no)")
    args = ap.parse_args()
    # grader/batch.py stops a grading that takes too long with SIGTERM:
    # the QEMUs of the tests still running go too.
    signal.signal(signal.SIGTERM, lambda *_: (qemu.stop_all(), os._exit(3)))
    if not args.json:
        args.json = os.path.join(gradelib.TOP, "build",
                                 "bench.json" if args.bench else "grade.json")
    ok = bench(args) if args.bench else grade(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
