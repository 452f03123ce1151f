#!/usr/bin/env python3
"""Export the student handout: the committed tree without the reference
solutions, or with those of the labs already handed in.

    python3 grader/export.py OUT [--solutions-below K]

OUT receives the files of HEAD (git archive: nothing uncommitted, nothing
ignored) minus solutions/labN/ for every N >= K (default: all of them).
With --solutions-below 2, students get the reference of labs 0 and 1 and
can build lab 2 on it with SOLUTION=1.  Hidden tests never belong in the
tree: keep them in a folder of their own (grade.py --tests-dir).
"""

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def keep(path, below):
    m = re.match(r"^solutions/lab(\d+)(/|$)", path)
    return not m or int(m.group(1)) < below


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--solutions-below", type=int, default=0)
    args = ap.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit("export: %s exists and is not empty" % args.out)
    tar = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=TOP,
                         capture_output=True, check=True).stdout
    kept = dropped = 0
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        members = []
        for m in t.getmembers():
            if keep(m.name, args.solutions_below):
                members.append(m)
                kept += 1
            else:
                dropped += 1
        os.makedirs(args.out, exist_ok=True)
        t.extractall(args.out, members=members)
    if os.path.isdir(os.path.join(args.out, "solutions")) and \
            not os.listdir(os.path.join(args.out, "solutions")):
        shutil.rmtree(os.path.join(args.out, "solutions"))
    print("export: %d files to %s (%d solution files left out)" % (kept, args.out, dropped))


if __name__ == "__main__":
    main()
