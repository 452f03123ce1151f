#!/usr/bin/env python3
"""make figures: re-measure the reference figures and rewrite grader/figures.json.

The handouts quote the reference's benchmark figures, and `make bench` prints
them in its "reference" column.  Both read them from grader/figures.json, so
that a handout tree without solutions/ still shows them, and so that a figure
that moves without its handouts following makes `make test` fail
(grader/docscheck.py).  This is the maintainer's command that measures them:
for each lab N, the benchmarks that lab N declares, on SOLUTION=N, which is
what each handout tells its students to run (`make bench LAB=N SOLUTION=N`),
and the GDB single-step counts per function that the handouts break those
figures down with (grader/figtrace.py).

  python3 grader/figures.py [--lab N]    (make figures [LAB=N])

With --lab only that lab's figures are measured again; the others are kept.
After it, run `python3 grader/docscheck.py`: it names every quoted figure that
no longer matches, handout and line.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figtrace  # noqa: E402
import gradelib  # noqa: E402
import native  # noqa: E402

PATH = os.path.join(gradelib.TOP, "grader", "figures.json")


def load(path=PATH):
    """The committed figures ({} if there is no file, as in a damaged tree)."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def provenance(data):
    """One line saying where the reference figures come from."""
    m = data.get("measured")
    if not m:
        return "reference: no grader/figures.json here, so no reference figures"
    return ("reference: grader/figures.json, measured by 'make figures' on %s "
            "(lab N's benchmarks on SOLUTION=N) at %s" % (m.get("date", "?"), m.get("commit", "?")))


def commit():
    """The tree's commit, marked -dirty if it has changes (unknown without git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=gradelib.TOP,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=gradelib.TOP, capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"


def measure(lab_numbers, missing):
    """Benchmark name -> figure, for the benchmarks of the given labs, each
    on its own lab's reference; the names of those that could not be
    measured are appended to missing."""
    import grade  # here: grade.py imports this module for make bench
    labs = {n: gradelib.load_lab(p) for n, p in gradelib.lab_files().items()}
    found = {}
    for n in lab_numbers:
        solution = str(n)
        ok, log = gradelib.build(solution)
        if not ok:
            sys.exit("make figures: make SOLUTION=%s failed:\n%s" % (solution, log))
        for b in labs[n].get("BENCHES", []):
            fig, why = grade.run_bench(b, gradelib.build_dir(solution))
            if not fig:
                # A benchmark whose program needs a part not built yet (Lab 5's
                # pipes, say) has no figure; the others are still measured.
                print("  %-22s not measured (SOLUTION=%s): %s" % (b.name, solution, why),
                      flush=True)
                missing.append(b.name)
                continue
            print("  %-22s %10d %s (SOLUTION=%s)" % (b.name, fig["value"], fig["unit"], solution),
                  flush=True)
            found[b.name] = dict(value=fig["value"], unit=fig["unit"], runs=fig["runs"],
                                 lab=n, solution=solution)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lab", type=int, help="measure only this lab's benchmarks")
    a = ap.parse_args()
    labs = list(gradelib.lab_files())
    if a.lab is not None and a.lab not in labs:
        sys.exit("make figures: there is no lab %d" % a.lab)
    if not os.path.isdir(os.path.join(gradelib.TOP, "solutions")):
        sys.exit("make figures: needs the reference solutions (solutions/), which this tree lacks")
    # Every figure is measured on the default build, the one a student's
    # make bench measures: Labs 0..5's reference builds have the fast path's
    # stub (kernel/fastpath.c, Lab 6's hole), which always says "not taken",
    # so their figures are the slow path's that their handouts break down;
    # Lab 6's has the fast path.  FASTPATH=0 in the environment would
    # measure kernels that never call it: not these figures.
    os.environ.pop("FASTPATH", None)
    data = load()
    benches = data.get("benchmarks", {})
    chosen = [a.lab] if a.lab is not None else labs
    missing = []
    benches.update(measure(chosen, missing))
    traces = data.get("traces", {})
    for name, spec in figtrace.TRACES.items():
        if spec[0] in chosen:
            print("  GDB count %s (SOLUTION=%d)" % (name, spec[0]), flush=True)
            traces = {k: v for k, v in traces.items() if k != name and not k.startswith(name + ".")}
            traces.update(figtrace.trace(name))
    old_native = data.get("native")
    data = {
        "about": "Reference figures quoted by the handouts and shown by make bench; "
                 "rewritten by make figures (grader/figures.py), checked by grader/docscheck.py.",
        "measured": {"date": datetime.date.today().isoformat(), "commit": commit(),
                     "how": "QEMU -icount shift=0; lab N's benchmarks on SOLUTION=N, "
                            "the default build (FASTPATH=1)"},
        "benchmarks": dict(sorted(benches.items(), key=lambda kv: kv[1]["lab"])),
        "traces_about": "GDB single-step counts the handouts break figures down with "
                        "(grader/figtrace.py): NAME is a stretch's total, NAME.FUNCTION its part in "
                        "one function; quoted as trace.NAME",
        "traces": dict(sorted(traces.items())),
    }
    # The native figures (make bench-native) are copied from
    # build/native-bench.json when it exists, else kept as they were.
    if native.figures_entry(old_native):
        data["native"] = native.figures_entry(old_native)
    with open(PATH, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    print("Wrote %s.  Now: python3 grader/docscheck.py (it names each quote that moved)."
          % os.path.relpath(PATH))
    if missing:
        sys.exit("make figures: not measured: %s (%s)" % (", ".join(missing), "; ".join(
            "%s keeps its old figure" % m if m in benches else "%s has none" % m
            for m in missing)))


if __name__ == "__main__":
    main()
