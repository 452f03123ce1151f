#!/usr/bin/env python3
"""Grade a folder of student submissions with a trusted copy of the tests.

    python3 grader/batch.py SUBMISSIONS [--lab N] [--tests-dir DIR] [--out DIR]

SUBMISSIONS holds one folder per student (a copy of their work tree; the
folder's name names the student).  For each, the grader builds a fresh
tree from *this* one, the instructor's trusted tree, and copies in from the
submission only the student's lab files: the paths that solutions/labK/
holds for each graded lab K.  Test programs, the grader, the Makefile and
every other file come from the trusted tree, so a submission cannot change
what is tested or how.  Hidden tests: --tests-dir, as for grade.py.

Writes, in --out (default build/batch/):
  grades.csv              one row per student: score, maximum, one column per test
  STUDENT/results.json    Gradescope's format (score, tests with output)
  STUDENT/grade.json      the grader's own result file;  STUDENT/grade.log  its output
Submissions are graded one after another; each grading uses every core.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What of the trusted tree a grading copy does not need.
SKIP = {".git", "build", "solutions"}


def lab_files(lab):
    """Paths (relative to the tree) a student writes for labs 0..lab (all if None)."""
    paths = []
    sol = os.path.join(TOP, "solutions")
    for name in sorted(os.listdir(sol)) if os.path.isdir(sol) else []:
        if not name.startswith("lab") or (lab is not None and int(name[3:]) > lab):
            continue
        for root, _, files in os.walk(os.path.join(sol, name)):
            for f in files:
                paths.append(os.path.relpath(os.path.join(root, f), os.path.join(sol, name)))
    return sorted(set(paths))


def make_work_tree(submission, work, lab):
    """A trusted tree with the submission's lab files in place; returns what was taken."""
    if os.path.exists(work):
        shutil.rmtree(work)
    shutil.copytree(TOP, work, symlinks=True,
                    ignore=lambda d, names: [n for n in names if d == TOP and n in SKIP])
    taken = []
    for rel in lab_files(lab):
        src = os.path.join(submission, rel)
        if os.path.isfile(src) and not os.path.islink(src):
            shutil.copyfile(src, os.path.join(work, rel))
            taken.append(rel)
    return taken


def gradescope(grade):
    return {
        "score": grade["score"],
        "max_score": grade["max_score"],
        "tests": [dict(name="lab%d/%s" % (t["lab"], t["name"]), score=t["points"],
                       max_score=t["max"], output=t["reason"] or "passed",
                       visibility="visible") for t in grade["tests"] if not t["regression"]],
    }


def grade_one(name, submission, args):
    out = os.path.join(args.out, name)
    os.makedirs(out, exist_ok=True)
    work = os.path.join(args.out, ".work", name)
    taken = make_work_tree(submission, work, args.lab)
    cmd = [sys.executable, os.path.join(work, "grader", "grade.py"),
           "--json", os.path.join(out, "grade.json")]
    if args.lab is not None:
        cmd += ["--lab", str(args.lab)]
    if args.tests_dir:
        cmd += ["--tests-dir", os.path.abspath(args.tests_dir)]
    with open(os.path.join(out, "grade.log"), "w") as log:
        log.write("files taken from the submission: %s\n" % (" ".join(taken) or "none"))
        log.flush()
        subprocess.run(cmd, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    try:
        with open(os.path.join(out, "grade.json")) as f:
            grade = json.load(f)
    except (OSError, ValueError):
        grade = {"score": 0, "max_score": 0, "tests": []}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(gradescope(grade), f, indent=2)
    shutil.rmtree(work, ignore_errors=True)
    return grade


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("submissions")
    ap.add_argument("--lab", type=int)
    ap.add_argument("--tests-dir")
    ap.add_argument("--out", default=os.path.join(TOP, "build", "batch"))
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)

    names = sorted(n for n in os.listdir(args.submissions)
                   if os.path.isdir(os.path.join(args.submissions, n)))
    if not names:
        sys.exit("batch: no submission folders in %s" % args.submissions)
    rows, columns = [], []
    for i, name in enumerate(names, 1):
        grade = grade_one(name, os.path.abspath(os.path.join(args.submissions, name)), args)
        tests = {"lab%d/%s" % (t["lab"], t["name"]): t["points"] for t in grade["tests"]
                 if not t["regression"]}
        columns += [c for c in tests if c not in columns]
        rows.append((name, grade["score"], grade["max_score"], tests))
        print("[%d/%d] %-24s %3d/%d" % (i, len(names), name, grade["score"], grade["max_score"]),
              flush=True)
    with open(os.path.join(args.out, "grades.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "score", "max_score"] + columns)
        for name, score, max_score, tests in rows:
            w.writerow([name, score, max_score] + [tests.get(c, 0) for c in columns])
    print("grades: %s" % os.path.relpath(os.path.join(args.out, "grades.csv")))


if __name__ == "__main__":
    main()
