#!/usr/bin/env python3
"""Export the student handout: the committed tree without the reference
solutions, or with those of the labs already handed in.

    python3 grader/export.py OUT [--solutions-below K] [--lab N] [--no-workflow]

OUT receives the files of HEAD (git archive: nothing uncommitted, nothing
ignored) minus solutions/labN/ for every N >= K (default: all of them) and
minus the developers' notes (DEV_ONLY).  In a tree that is not a git
repository (a handout exported before), the files as they are, without
build/, are exported instead.
With --solutions-below 2, students get the reference of labs 0 and 1 and
can build lab 2 on it with SOLUTION=1.  Hidden tests never belong in the
tree: keep them in a folder of their own (grade.py --tests-dir).
The export carries a GitHub Classroom workflow, .github/workflows/
classroom.yml (grader/classroom.py), that grades lab N (default: K, the
lab whose solution is the first one left out) on every push.
"""

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import classroom  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Files for the people who develop the labs, not for students.
DEV_ONLY = {"docs/roadmap.md"}
# What a tree without git leaves out: build products and caches.
NOT_SOURCE = {"build", ".git", "__pycache__"}


def keep(path, below):
    if path in DEV_ONLY:
        return False
    m = re.match(r"^solutions/lab(\d+)(/|$)", path)
    return not m or int(m.group(1)) < below


def from_git():
    """A tar archive of HEAD, or None if this tree is not a git repository."""
    if not os.path.exists(os.path.join(TOP, ".git")):
        return None
    p = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=TOP, capture_output=True)
    return p.stdout if p.returncode == 0 else None


def from_tree():
    """The tree's files as they are, relative to TOP, without build products."""
    for root, dirs, files in os.walk(TOP):
        dirs[:] = sorted(d for d in dirs if d not in NOT_SOURCE)
        for f in sorted(files):
            yield os.path.relpath(os.path.join(root, f), TOP)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--solutions-below", type=int, default=0)
    ap.add_argument("--lab", type=int, help="the lab the Classroom workflow grades "
                    "(default: --solutions-below)")
    ap.add_argument("--no-workflow", action="store_true",
                    help="leave out the GitHub Classroom workflow")
    args = ap.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit("export: %s exists and is not empty" % args.out)
    out = os.path.abspath(args.out)
    inside = out == TOP or out.startswith(TOP + os.sep)
    if inside and not out.startswith(os.path.join(TOP, "build") + os.sep):
        sys.exit("export: %s is inside the tree being exported (build/ is the one place "
                 "allowed there)" % args.out)
    kept = dropped = 0
    tar = from_git()
    os.makedirs(out, exist_ok=True)
    if tar is not None:
        with tarfile.open(fileobj=io.BytesIO(tar)) as t:
            members = []
            for m in t.getmembers():
                if keep(m.name, args.solutions_below):
                    members.append(m)
                    kept += m.isfile()
                else:
                    dropped += m.isfile()
            t.extractall(out, members=members)
    else:
        print("export: %s is not a git repository: exporting its files as they are" % TOP)
        for rel in from_tree():
            if not keep(rel, args.solutions_below):
                dropped += 1
                continue
            os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
            shutil.copy2(os.path.join(TOP, rel), os.path.join(out, rel), follow_symlinks=False)
            kept += 1
    if os.path.isdir(os.path.join(out, "solutions")) and \
            not os.listdir(os.path.join(out, "solutions")):
        shutil.rmtree(os.path.join(out, "solutions"))
    lab = args.solutions_below if args.lab is None else args.lab
    if not args.no_workflow:
        wf = os.path.join(out, ".github", "workflows", "classroom.yml")
        os.makedirs(os.path.dirname(wf), exist_ok=True)
        with open(wf, "w") as f:
            f.write(classroom.dump(classroom.workflow(lab), lab))
        kept += 1
    print("export: %d files to %s (%d left out: unreleased solutions, developers' notes)%s" %
          (kept, args.out, dropped, "" if args.no_workflow else
           "; .github/workflows/classroom.yml grades lab %d" % lab))


if __name__ == "__main__":
    main()
