#!/usr/bin/env python3
"""Gradescope's autograder for one lab: the zip, and what runs inside it.

    python3 grader/gradescope.py build --lab N [--tests-dir DIR] [--out DIR]
    python3 grader/gradescope.py run [--root DIR]

`build` (make gradescope LAB=N) writes OUT/labN-autograder.zip (default
OUT: build/gradescope/).  Gradescope unpacks it into /autograder/source/:

  setup.sh         run once when Gradescope builds the image: installs the
                   Debian packages (tools/deps) and builds the trusted tree,
                   so that each submission compiles only its own files
  run_autograder   run once per submission (Gradescope copies it to
                   /autograder/run_autograder)
  tree/            the trusted tree, as `make handout RELEASED=N` exports
                   it: the tests, the grader, the solutions of labs < N only
  lab-files.txt    the paths a student writes for labs 0..N (the handout
                   has no solutions/labN/ to read them from)
  hidden/          the hidden tests (--tests-dir), if any, outside the tree
                   (the tree also carries the GitHub Classroom workflow, as a
                   handout does: grader/classroom.py)
  config.json      the lab, and whether there are hidden tests

`run` grades /autograder/submission/ as `make grade-batch` grades one
student (grader/batch.py's grade_one): a fresh copy of tree/ with only the
student's lab files taken from the submission, built and tested in the
bubblewrap sandbox where it can run (a container without user namespaces
cannot: then Gradescope's container per submission is the isolation, and
the output says so), and writes /autograder/results/results.json: every
test with its score, the failure reason as its output, and its visibility
(hidden tests after the grades are published); the earlier labs' tests as
regressions worth 0; the benchmark figures, beside the reference's, in
the output and as the leaderboard (fewer instructions rank higher).  AUTOGRADER_ROOT (or --root) moves /autograder, for testing.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "grader"))
import batch  # noqa: E402
from qemu import clean  # noqa: E402

SETUP_SH = """#!/bin/sh
# Gradescope runs this once, as root, when it builds the autograder's image
# (grader/gradescope.py wrote it).  It installs the Debian packages l4lab
# needs and builds the trusted tree, so that grading a submission compiles
# only the student's files.
set -e
cd "$(dirname "$0")/tree"
sh tools/deps
make -s all
"""

RUN_AUTOGRADER = """#!/bin/sh
# Gradescope runs this once per submission (grader/gradescope.py wrote it).
# AUTOGRADER_ROOT moves /autograder, for a test outside Gradescope.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
exec python3 "$ROOT/source/tree/grader/gradescope.py" run --root "$ROOT"
"""


def build(args):
    """Writes the autograder zip for args.lab; returns its path."""
    lab = args.lab
    if not os.path.isdir(os.path.join(TOP, "solutions", "lab%d" % lab)):
        sys.exit("gradescope: this tree has no solutions/lab%d/, so it cannot tell which "
                 "files are the student's for lab %d (run it in the instructor's tree)"
                 % (lab, lab))
    if args.tests_dir and not os.path.isdir(args.tests_dir):
        sys.exit("gradescope: --tests-dir %s is not a folder" % args.tests_dir)
    os.makedirs(args.out, exist_ok=True)
    stage = tempfile.mkdtemp(prefix="lab%d-" % lab, dir=args.out)
    try:
        p = subprocess.run([sys.executable, os.path.join(TOP, "grader", "export.py"),
                            os.path.join(stage, "tree"), "--solutions-below", str(lab)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("gradescope: the export failed:\n" + p.stdout + p.stderr)
        with open(os.path.join(stage, "lab-files.txt"), "w") as f:
            f.write("".join(rel + "\n" for rel in batch.lab_files(lab)))
        if args.tests_dir:
            shutil.copytree(args.tests_dir, os.path.join(stage, "hidden"),
                            ignore=shutil.ignore_patterns("__pycache__"))
        with open(os.path.join(stage, "config.json"), "w") as f:
            json.dump({"lab": lab, "hidden": bool(args.tests_dir)}, f)
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            with open(os.path.join(stage, name), "w") as f:
                f.write(text)
            os.chmod(os.path.join(stage, name), 0o755)
        path = os.path.join(args.out, "lab%d-autograder.zip" % lab)
        write_zip(stage, path + ".new")
        os.replace(path + ".new", path)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    print("gradescope: %s (lab %d%s): upload it as the assignment's autograder "
          "(Ubuntu base image)" % (os.path.relpath(path) if batch.inside(path, os.getcwd())
                                   else path, lab,
                                   ", with hidden tests" if args.tests_dir else ""))
    return path


def write_zip(folder, path):
    """Zips folder's contents (not the folder itself: Gradescope wants setup.sh
    at the top), keeping the execute bits of scripts and tools."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(root, name)
                info = zipfile.ZipInfo.from_file(full, os.path.relpath(full, folder))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(full, "rb") as f:
                    z.writestr(info, f.read())


def unzip(path, folder):
    """Unpacks an autograder zip as Gradescope does, execute bits and
    times included (ZipFile.extractall drops both)."""
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            dest = z.extract(info, folder)
            mode = info.external_attr >> 16
            if mode:
                os.chmod(dest, mode & 0o777)
            if not info.is_dir():
                when = time.mktime(info.date_time + (0, 0, -1))
                os.utime(dest, (when, when))


def submission_folder(submission, files):
    """Where the student's files are: the submission itself, or the one
    folder in it (a zip of the whole work tree, as GitHub makes it, unpacks
    into l4lab-main/)."""
    def has_any(d):
        return any(os.path.lexists(os.path.join(d, rel.split("/")[0])) for rel in files)
    if not os.path.isdir(submission) or has_any(submission):
        return submission       # grade_one refuses what is not a folder
    inner = [e for e in os.listdir(submission) if not e.startswith(".")]
    if len(inner) == 1 and os.path.isdir(os.path.join(submission, inner[0])) and \
            not os.path.islink(os.path.join(submission, inner[0])):
        return os.path.join(submission, inner[0])
    return submission


def public_names(tree):
    """labN/name of every test the handout's own lab files declare."""
    import gradelib
    names = set()
    for ns in gradelib.load_labs(os.path.join(tree, "grader")).values():
        names |= {"lab%d/%s" % (ns["LAB"], t.name) for t in ns.get("TESTS", [])}
    return names


def results(grade, notes, details, public, sandboxed):
    """Gradescope's results.json from a grade (batch.read_grade's form)."""
    tests = []
    for t in grade["tests"]:
        name = "lab%d/%s" % (t["lab"], t["name"])
        hidden = public is not None and name not in public
        entry = dict(name=("regression (not counted): " if t["regression"] else "") + name,
                     score=0 if t["regression"] else t["points"],
                     max_score=0 if t["regression"] else t["max"],
                     status="passed" if t["passed"] else "failed",
                     output=t["reason"] or "passed",
                     visibility="after_published" if hidden else "visible")
        tests.append(entry)
    lines = list(notes)
    if not sandboxed:
        lines.append("Graded without the bubblewrap sandbox (this container cannot run it); "
                     "the container of this submission is the isolation.")
    figures = grade.get("bench", [])
    if figures:
        lines.append("Benchmarks (make bench LAB=%s: guest instructions under QEMU -icount; "
                     "fewer is faster):" % grade.get("lab", ""))
        lines += ["  %-24s %8d %s%s" % (name, value, unit,
                                        "   (reference %d)" % ref if ref is not None else "")
                  for name, value, unit, ref in figures]
    if details:
        lines.append(details)
    out = dict(score=grade["score"], tests=tests, stdout_visibility="visible",
               output="\n".join(lines) or "Graded lab %s." % grade.get("lab", ""))
    if figures:
        out["leaderboard"] = [dict(name="%s (%s)" % (name, unit), value=value, order="asc")
                              for name, value, unit, _ in figures]
    return out


def run(args):
    root = os.path.abspath(args.root)
    source = os.path.join(root, "source")
    tree = os.path.join(source, "tree")
    with open(os.path.join(source, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(source, "lab-files.txt")) as f:
        files = [l.strip() for l in f if l.strip()]
    hidden = os.path.join(source, "hidden") if config.get("hidden") else None
    results_dir = os.path.join(root, "results")
    os.makedirs(results_dir, exist_ok=True)
    submission = submission_folder(os.path.join(root, "submission"), files)

    sandbox = batch.Sandbox(True)
    why = batch.sandbox_works(sandbox)
    if why:
        print("gradescope: no sandbox (%s): grading in this container without it" % why)
        sandbox = batch.Sandbox(False)
    opts = argparse.Namespace(lab=config["lab"], tests_dir=hidden, lab_files=files,
                              build_timeout=batch.BUILD_TIMEOUT, timeout=batch.RUN_TIMEOUT,
                              cores=batch.CORES, bench=True)
    with open(os.path.join(results_dir, "grade.log"), "w", encoding="utf-8") as log:
        try:
            grade, notes, details = batch.grade_one(submission, opts, sandbox, tree, log)
        except OSError as e:
            grade = {"score": 0, "max_score": 0, "tests": [], "benchmarks": []}
            notes, details = ["the grader could not grade this submission: %s"
                              % clean(str(e), 200, True)], ""
    grade["lab"] = config["lab"]
    out = results(grade, notes, details, public_names(tree) if hidden else None,
                  sandbox.enabled)
    with open(os.path.join(results_dir, "results.json"), "w") as f:
        json.dump(out, f, indent=2)
    print("gradescope: lab %d: %d/%d%s" % (config["lab"], grade["score"], grade["max_score"],
                                           "; " + "; ".join(notes) if notes else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the autograder zip for one lab")
    b.add_argument("--lab", type=int, required=True)
    b.add_argument("--tests-dir", help="hidden tests, as grade.py --tests-dir")
    b.add_argument("--out", default=os.path.join(TOP, "build", "gradescope"))
    r = sub.add_parser("run", help="grade /autograder/submission (Gradescope runs this)")
    r.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    args = ap.parse_args()
    if args.command == "build":
        build(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
