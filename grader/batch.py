#!/usr/bin/env python3
"""Grade a folder of student submissions with a trusted copy of the tests.

    python3 grader/batch.py SUBMISSIONS [--lab N] [--tests-dir DIR] [--out DIR]
                            [--jobs N] [--build-timeout S] [--timeout S] [--no-sandbox]

SUBMISSIONS holds one folder per student (a copy of their work tree; the
folder's name names the student).  For each, the grader makes a fresh
grading tree in a temporary folder, outside this tree, from *this* one,
the instructor's trusted tree, and copies in from the submission only the
student's lab files: the paths that solutions/labK/ holds for each graded
lab K.  Test programs, the grader, the Makefile and every other file come
from the trusted tree, so a submission cannot change what is tested or how.
A lab file that is a symbolic link, lies under one, or is not a regular
file is refused, and the row says so.  Hidden tests: --tests-dir, as for
grade.py.

The build and the tests of each submission run in a sandbox (bubblewrap)
that sees the grading tree, the toolchain in /usr, and nothing else of
the machine: no instructor files, no solutions, no home folder, no
network.  The build has --build-timeout seconds, the tests --timeout.
Without bubblewrap the batch refuses to start; --no-sandbox grades
anyway, WITHOUT that isolation, and says so on every row.

Writes, in --out (default build/batch/; not inside SUBMISSIONS):
  grades.csv                       one row per student: score, maximum, one
                                   column per test, and the problems found
  students/STUDENT/results.json    Gradescope's format (score, tests with output)
  students/STUDENT/grade.json      the grader's own result file
  students/STUDENT/grade.log       the build's and the grader's output
and keeps the built trusted tree in build/batch-base/, for the next run to
copy while nothing it was built from has changed.
--jobs N grades N submissions at once (default: the number of cores), each
in its own copy of the tree with its own build folder, and gives each of
them its share of the cores; the grades do not depend on N.
"""

import argparse
import csv
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "grader"))
import qemu  # noqa: E402
from qemu import clean  # noqa: E402

# What of the trusted tree a grading copy holds: what `make all` and the
# grader need, and nothing else (no solutions/, no .git, no build/).
TREE = ["Makefile", "kernel", "user", "include", "lib", "grader", "tools"]
# The whole build takes about 10 s on the reference machine; a compiler
# that runs for minutes is being made to.
BUILD_TIMEOUT = 300
# Every test of every lab timing out takes about 7 minutes with 2 cores
# (their timeouts add up to 840 s); a loaded machine is slower.
RUN_TIMEOUT = 1800
MAX_LAB_FILE = 1 << 20          # bytes; the largest lab file is under 20 KB
MAX_OUTPUT = 4 << 20            # bytes of build or grader output kept
# Limits for everything run in the sandbox: no file larger than this (an
# assembler told to .skip 4 GB), no core dumps; and for the build, no
# process larger than this (a compiler made to read without end).
MAX_FILE_SIZE = 256 << 20
BUILD_MAX_MEMORY = 4 << 30
# Where the sandbox shows the grading tree, the result folder, the hidden tests.
SB_TREE, SB_RESULTS, SB_TESTS = "/l4lab", "/results", "/tests"
SANDBOX_PATH = "/usr/bin:/bin:/usr/local/bin"
UNSANDBOXED = "UNSANDBOXED (--no-sandbox): a submission could read any file of this machine"
CORES = os.cpu_count() or 2


def build_cmd(cores):
    """The build command for a grading given this many cores."""
    return ["make", "-s", "-j%d" % max(1, cores), "all"]


BUILD = build_cmd(CORES)


class Refused(Exception):
    """A problem with one submission: it goes on that student's row."""


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


def inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def read_lab_file(submission, rel):
    """The bytes of SUBMISSION/rel, None if it has none, or Refused: every
    component of the path must be a real folder or file of the submission,
    not a link (a `kernel` that links to another student's folder), and the
    file must be a regular file of reasonable size."""
    path = submission
    for part in rel.split("/"):
        path = os.path.join(path, part)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(st.st_mode):
            raise Refused("%s: %s is a symbolic link" % (rel, os.path.relpath(path, submission)))
    if not inside(path, submission):
        raise Refused("%s: the path leads out of the submission" % rel)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise Refused("%s: cannot be read (%s)" % (rel, e.strerror))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise Refused("%s: not a regular file" % rel)
        if st.st_size > MAX_LAB_FILE:
            raise Refused("%s: %d bytes, larger than %d" % (rel, st.st_size, MAX_LAB_FILE))
        return f.read(MAX_LAB_FILE + 1)[:MAX_LAB_FILE]


# The last base built, kept for the next batch run: build/batch-base/tree
# and, in build/batch-base/key, the digest of everything it was built from.
BASE_CACHE = os.path.join(TOP, "build", "batch-base")


def base_key(sandbox):
    """A digest of what the base is built from: every file of TREE (path,
    mode, contents or link target), the toolchain's versions and whether
    the build ran in the sandbox.  The same digest means the same base."""
    h = hashlib.sha256(b"sandbox" if sandbox.enabled else b"no sandbox")
    for tool in (["gcc", "--version"], ["ld", "--version"], ["nasm", "-v"]):
        try:
            h.update(subprocess.run(tool, capture_output=True).stdout)
        except OSError:
            h.update(b"no " + tool[0].encode())
    for name in TREE:
        for root, dirs, files in os.walk(os.path.join(TOP, name)):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", ".git"))
            for f in sorted(files) if os.path.isdir(root) else []:
                path = os.path.join(root, f)
                st = os.lstat(path)
                h.update(("%s %o\n" % (os.path.relpath(path, TOP), st.st_mode)).encode())
                if stat.S_ISLNK(st.st_mode):
                    h.update(os.readlink(path).encode())
                elif stat.S_ISREG(st.st_mode):
                    with open(path, "rb") as fh:
                        h.update(hashlib.sha256(fh.read()).digest())
        if os.path.isfile(os.path.join(TOP, name)):
            with open(os.path.join(TOP, name), "rb") as fh:
                h.update(name.encode() + hashlib.sha256(fh.read()).digest())
    return h.hexdigest()


# What a new base takes from this tree's build/ (seed_base): the objects of
# the student tree's files (build/obj/, where every tree of this folder
# compiles each file once, by its path; not the solutions'), the stamp that
# has kernel objects compiled again once, the flags they were compiled with
# (the Makefile's FLAGS_STAMP: a new one would be newer than every object),
# the Linux programs and the stamp of tools/deps, which every object depends on.
SEED = [os.path.join("obj", kind, sub) for kind in ("k", "u") for sub in ("kernel", "lib", "user")] \
    + [os.path.join("obj", "k", ".fastpath-default"), os.path.join("obj", ".flags"),
       "linux-progs", ".deps-ok"]


def seed_base(base):
    """Copies SEED, with the files' times, from this tree's build/ into a new
    base's: make then compiles there only what it would compile here (a
    file newer than its object), and the base's build is mostly links (in a
    fresh clone's make test, about 20 s of CPU less).  The objects are this
    tree's own, from the same files as the base's, built by its make."""
    for rel in SEED:
        src, dst = os.path.join(TOP, "build", rel), os.path.join(base, "build", rel)
        if os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True)
        elif os.path.isfile(src):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)


def make_base(sandbox, timeout):
    """The trusted tree with the handout's lab files, built once in the
    sandbox, in a temporary folder of its own.  Each submission is graded
    on a copy of it: make then compiles only what the student's files
    change, since they are newer than every object built here.  A base
    built from the very same files (base_key) by an earlier run is copied
    from BASE_CACHE instead of built again."""
    base = tempfile.mkdtemp(prefix="l4lab-batch-base-")
    key = base_key(sandbox)
    try:
        with open(os.path.join(BASE_CACHE, "key")) as f:
            cached = f.read().strip() == key
    except OSError:
        cached = False
    if cached:
        shutil.rmtree(base)
        shutil.copytree(os.path.join(BASE_CACHE, "tree"), base, symlinks=True)
        return base
    for name in TREE:
        src = os.path.join(TOP, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(base, name), symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", ".git"))
        else:
            shutil.copy2(src, os.path.join(base, name))
    seed_base(base)
    rc, out, problem = sandbox.run(BUILD, base, timeout, writable_tree=True,
                                   max_memory=BUILD_MAX_MEMORY)
    if rc != 0:
        shutil.rmtree(base, ignore_errors=True)
        tail = clean(out).rstrip().splitlines()[-20:]
        sys.exit("batch: this tree (the handout's files) does not build in the sandbox: %s\n%s"
                 % (problem or "exit status %s" % rc, "\n".join("  | " + l for l in tail)))
    # The key is written last: a cache cut short by a crash has none.
    shutil.rmtree(BASE_CACHE, ignore_errors=True)
    shutil.copytree(base, os.path.join(BASE_CACHE, "tree"), symlinks=True)
    with open(os.path.join(BASE_CACHE, "key"), "w") as f:
        f.write(key + "\n")
    return base


def take_lab_files(submission, tree, lab, files=None):
    """Puts the submission's lab files (files, or lab_files(lab)) into the
    grading tree; returns (files taken, reasons for the files refused)."""
    taken, refused = [], []
    for rel in files if files is not None else lab_files(lab):
        try:
            data = read_lab_file(submission, rel)
        except Refused as e:
            refused.append(str(e))
            continue
        if data is not None:
            dest = os.path.join(tree, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(data)
            taken.append(rel)
    return taken, refused


class Sandbox:
    """Runs a command on a grading tree, in bubblewrap unless disabled.

    The sandbox sees /usr (and the /bin, /lib... that point into it)
    read-only; of /etc only the dynamic linker's cache and the alternatives
    links; of /dev only /dev/null; an empty private /tmp; the grading tree
    at /l4lab; for the tests, a result folder at /results and the hidden
    tests at /tests.  No /proc, /sys, /home, /root, no instructor tree, no
    network (its own loopback only, for QEMU's GDB stub), no capabilities,
    a user namespace of its own, and it dies with the grader."""

    def __init__(self, enabled):
        self.enabled = enabled

    def command(self, argv, tree, writable_tree, results=None, tests=None):
        if not self.enabled:
            return argv
        cmd = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns",
               "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
               "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]
        for d in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(d):
                cmd += ["--symlink", os.readlink(d), d]
            elif os.path.isdir(d):
                cmd += ["--ro-bind", d, d]
        for f in ("/etc/ld.so.cache", "/etc/alternatives"):
            if os.path.exists(f):
                cmd += ["--ro-bind", f, f]
        cmd += ["--dev-bind", "/dev/null", "/dev/null",
                "--size", str(256 << 20), "--tmpfs", "/tmp",
                "--bind" if writable_tree else "--ro-bind", tree, SB_TREE]
        if results:
            cmd += ["--bind", results, SB_RESULTS]
        if tests:
            cmd += ["--ro-bind", tests, SB_TESTS]
        return cmd + ["--chdir", SB_TREE, "--"] + argv

    def path(self, host, inner):
        """How the command names a host path: inner in the sandbox."""
        return inner if self.enabled else host

    def run(self, argv, tree, timeout, writable_tree=False, results=None, tests=None,
            max_memory=None):
        """Runs argv in the tree; returns (exit status or None, output bytes,
        problem or None).  The output is read as it comes, up to MAX_OUTPUT;
        on the timeout, or past MAX_OUTPUT, everything the command started is
        stopped."""
        env = {"PATH": SANDBOX_PATH if self.enabled else os.environ.get("PATH", SANDBOX_PATH),
               "HOME": "/tmp", "LANG": "C.UTF-8"}
        if "GRADE_TIMEOUT_SCALE" in os.environ:
            env["GRADE_TIMEOUT_SCALE"] = os.environ["GRADE_TIMEOUT_SCALE"]

        # The limits are set by a shell that then runs the command, not by a
        # preexec_fn, which is unsafe in a process with threads (--jobs).
        # sh counts -f in 512-byte blocks and -v in KiB.
        limits = "ulimit -c 0 && ulimit -f %d" % (MAX_FILE_SIZE // 512)
        if max_memory:
            limits += " && ulimit -v %d" % (max_memory // 1024)
        argv = ["/bin/sh", "-c", limits + ' && exec "$@"', "limits"] + \
            self.command(argv, tree, writable_tree, results, tests)
        proc = subprocess.Popen(argv, cwd=tree, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        chunks, problem = [], None
        deadline = time.monotonic() + timeout
        ended = qemu.read_output(proc, deadline, MAX_OUTPUT, chunks)
        if ended == "timeout":
            problem = "took longer than %d s and was stopped" % timeout
        elif ended == "output-limit":
            problem = "printed more than %d bytes and was stopped" % MAX_OUTPUT
        if not problem:
            # The output has ended; the command itself must end too.
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 1.0))
            except subprocess.TimeoutExpired:
                problem = "took longer than %d s and was stopped" % timeout
        if problem:
            stop(proc)
        rc = proc.wait()
        proc.stdout.close()
        return (None if problem else rc), b"".join(chunks), problem


def stop(proc):
    """Stops a command and all it started: SIGTERM to its process group (the
    grader then stops its QEMUs; bubblewrap's death ends its whole sandbox),
    SIGKILL if it is still there after 5 s."""
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            pass


def sandbox_works(sandbox):
    """None if the sandbox can run a command here, else why not."""
    if not shutil.which("bwrap"):
        return "bwrap is not installed (Debian package bubblewrap; tools/deps installs it)"
    tmp = tempfile.mkdtemp(prefix="l4lab-batch-probe-")
    try:
        rc, out, problem = sandbox.run(["true"], tmp, timeout=30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if rc != 0:
        return "bwrap cannot start a sandbox here: %s" % (
            problem or clean(out, one_line=True).strip() or "exit status %s" % rc)
    return None


def gradescope(grade, notes, details):
    out = {
        "score": grade["score"],
        "max_score": grade["max_score"],
        "tests": [dict(name="lab%d/%s" % (t["lab"], t["name"]), score=t["points"],
                       max_score=t["max"], output=t["reason"] or "passed",
                       visibility="visible") for t in grade["tests"] if not t["regression"]],
    }
    if notes or details:
        out["output"] = "\n".join(notes + ([details] if details else []))
    return out


def read_grade(path):
    """grade.py's result file, checked and cleaned (it is written where the
    student's code ran), or None if it is missing or malformed."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            g = json.load(f)
        tests = [dict(name=clean(str(t["name"]), 100, True), lab=int(t["lab"]),
                      points=int(t["points"]), max=int(t["max"]), passed=bool(t["passed"]),
                      reason=clean(str(t["reason"] or ""), one_line=True),
                      regression=bool(t["regression"])) for t in g["tests"]]
        for t in tests:
            t["points"] = max(0, min(t["points"], t["max"]))
        graded = [t for t in tests if not t["regression"]]
        return dict(score=sum(t["points"] for t in graded),
                    max_score=sum(t["max"] for t in graded), tests=tests,
                    benchmarks=g.get("benchmarks", []) if isinstance(g.get("benchmarks"), list)
                    else [])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def grade_one(submission, args, sandbox, base, log):
    """Builds and tests one submission; returns (grade, notes, details):
    notes are one-line problems for the student's row, details the end of
    the build's output if it failed.  Whatever the submission does, its
    problems are notes, never an exception."""
    notes, details = [], ""
    empty = {"score": 0, "max_score": 0, "tests": [], "benchmarks": []}
    if os.path.islink(submission) or not os.path.isdir(submission):
        return empty, ["refused: the submission folder is a symbolic link or not a folder"], ""
    work = tempfile.mkdtemp(prefix="l4lab-batch-")
    try:
        tree, results = os.path.join(work, "tree"), os.path.join(work, "results")
        os.makedirs(results)
        shutil.copytree(base, tree, symlinks=True)
        taken, refused = take_lab_files(submission, tree, args.lab,
                                        getattr(args, "lab_files", None))
        log.write("files taken from the submission: %s\n" % (" ".join(taken) or "none"))
        for r in refused:
            notes.append("refused " + clean(r, 200, True))
            log.write("refused %s (the handout's file is used instead)\n" % clean(r, 0, True))

        build = build_cmd(args.cores)
        rc, out, problem = sandbox.run(build, tree, args.build_timeout,
                                       writable_tree=True, max_memory=BUILD_MAX_MEMORY)
        built = rc == 0
        log.write("== build (%s): %s\n" % (" ".join(build), "ok" if built else
                                           problem or "failed, exit status %s" % rc))
        log.write(clean(out))
        if problem:
            notes.append("the build " + problem)
        elif not built:
            notes.append("the build failed (its output is in grade.log)")
        if not built:
            details = "The end of the build's output:\n" + \
                "\n".join(clean(out).rstrip().splitlines()[-20:])
        log.flush()

        cmd = ["python3" if sandbox.enabled else sys.executable, "grader/grade.py",
               "--built", "yes" if built else "no", "--jobs", str(args.cores),
               "--json", os.path.join(sandbox.path(results, SB_RESULTS), "grade.json")]
        cmd += lab_and_tests(args, sandbox)
        rc, out, problem = sandbox.run(cmd, tree, args.timeout, results=results,
                                       tests=args.tests_dir)
        log.write("== tests\n" + clean(out))
        if problem:
            notes.append("the grading " + problem)
        grade = read_grade(os.path.join(results, "grade.json"))
        if grade is None:
            notes.append("no result: the grader wrote no readable grade.json "
                         "(exit status %s; see grade.log)" % rc)
            grade = empty
        elif problem:
            grade = empty       # a partial result is no result
        if getattr(args, "bench", False) and built and not problem:
            grade["bench"] = run_bench(cmd[0], tree, results, args, sandbox, log)
        return grade, notes, details
    finally:
        shutil.rmtree(work, ignore_errors=True)


def lab_and_tests(args, sandbox):
    """grade.py's --lab and --tests-dir for this batch (the tests folder as
    the sandbox shows it)."""
    extra = ["--lab", str(args.lab)] if args.lab is not None else []
    if args.tests_dir:
        extra += ["--tests-dir", sandbox.path(args.tests_dir, SB_TESTS)]
    return extra


def run_bench(python, tree, results, args, sandbox, log):
    """make bench LAB=n on the graded tree, in the sandbox (for Gradescope's
    leaderboard); returns the figures measured, checked, as a list of
    (name, value, unit, reference or None)."""
    bench_cmd = [python, "grader/grade.py", "--bench", "--built", "yes",
                 "--json", os.path.join(sandbox.path(results, SB_RESULTS), "bench.json")]
    bench_cmd += lab_and_tests(args, sandbox)
    rc, out, problem = sandbox.run(bench_cmd, tree, args.timeout, results=results,
                                   tests=args.tests_dir)
    log.write("== benchmarks\n" + clean(out))
    figures = []
    try:
        with open(os.path.join(results, "bench.json"), encoding="utf-8",
                  errors="replace") as f:
            for b in json.load(f)["benchmarks"]:
                if b.get("value") is None:
                    continue
                ref = b.get("reference")
                figures.append((clean(str(b["name"]), 60, True), int(b["value"]),
                                clean(str(b["unit"]), 20, True),
                                int(ref) if isinstance(ref, int) else None))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        log.write("no readable bench.json (%s)\n" % (problem or "exit status %s" % rc))
    return figures


def write_student(out, grade, notes, details):
    with open(os.path.join(out, "grade.json"), "w") as f:
        json.dump(dict(grade, notes=notes), f, indent=2)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(gradescope(grade, notes, details), f, indent=2)


def csv_safe(text):
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = clean(text, 200, one_line=True)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def check_folders(args):
    subs, out = os.path.realpath(args.submissions), os.path.realpath(args.out)
    if not os.path.isdir(subs):
        sys.exit("batch: %s is not a folder" % args.submissions)
    if inside(out, subs) or inside(subs, out):
        sys.exit("batch: --out (%s) and SUBMISSIONS (%s) must not contain each other"
                 % (args.out, args.submissions))
    if args.tests_dir and not os.path.isdir(args.tests_dir):
        sys.exit("batch: --tests-dir %s is not a folder" % args.tests_dir)
    if inside(tempfile.gettempdir(), TOP):
        sys.exit("batch: the temporary folder %s is inside this tree; set TMPDIR elsewhere"
                 % tempfile.gettempdir())


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("submissions")
    ap.add_argument("--lab", type=int)
    ap.add_argument("--tests-dir")
    ap.add_argument("--out", default=os.path.join(TOP, "build", "batch"))
    ap.add_argument("--jobs", type=int, default=CORES,
                    help="submissions graded at once (default: the number of cores, %(default)s)")
    ap.add_argument("--build-timeout", type=float, default=BUILD_TIMEOUT,
                    help="seconds for one submission's build (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=RUN_TIMEOUT,
                    help="seconds for one submission's tests (default %(default)s)")
    ap.add_argument("--no-sandbox", action="store_true",
                    help="grade WITHOUT the sandbox: a submission can then read every file "
                         "this user can (the solutions included)")
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)
    if args.tests_dir:
        args.tests_dir = os.path.realpath(args.tests_dir)
    if args.jobs < 1:
        sys.exit("batch: --jobs must be at least 1 (JOBS=%d)" % args.jobs)
    check_folders(args)

    sandbox = Sandbox(not args.no_sandbox)
    if sandbox.enabled:
        why = sandbox_works(sandbox)
        if why:
            sys.exit("batch: %s.\nbatch: refusing to grade without a sandbox; --no-sandbox "
                     "grades anyway, and a submission can then read the solutions." % why)
    else:
        print("WARNING: " + UNSANDBOXED, flush=True)

    names = sorted(n for n in os.listdir(args.submissions)
                   if os.path.isdir(os.path.join(args.submissions, n)))
    if not names:
        sys.exit("batch: no submission folders in %s" % args.submissions)
    jobs = min(args.jobs, len(names))
    # Each grading gets its share of the cores, for its build (make -j) and
    # its tests (grade.py --jobs): n gradings of one core each on n cores
    # keep the machine as busy as one grading of n, and overlap what each
    # does alone (linking, QEMU's start, GDB's waits).
    args.cores = max(1, CORES // jobs)
    base = make_base(sandbox, max(args.build_timeout, BUILD_TIMEOUT))
    progress = Progress(len(names))
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rows = list(pool.map(lambda n: grade_student(n, args, sandbox, base, progress),
                                 names))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    write_csv(os.path.join(args.out, "grades.csv"), rows)
    csv_path = os.path.join(args.out, "grades.csv")
    print("grades: %s (%d submissions in %.0f s, %d at a time)" % (
        os.path.relpath(csv_path) if inside(csv_path, os.getcwd()) else csv_path, len(names),
        time.monotonic() - progress.start, jobs))
    if not sandbox.enabled:
        print("WARNING: " + UNSANDBOXED)


def minutes(seconds):
    return "%d s" % seconds if seconds < 90 else "%.0f min" % (seconds / 60)


class Progress:
    """Prints one line per graded submission, in the order they finish:
    how many are done, the student, the score, the first problem, and
    when the batch should end, from the mean time per submission so far."""

    def __init__(self, total):
        self.total, self.done, self.start = total, 0, time.monotonic()
        self.lock = threading.Lock()

    def report(self, name, score, max_score, note):
        with self.lock:
            self.done += 1
            elapsed = time.monotonic() - self.start
            left = self.total - self.done
            eta = "  eta %s" % minutes(elapsed / self.done * left) if left else ""
            print("[%d/%d] %-24s %3d/%d%s%s" % (self.done, self.total, clean(name, 100, True),
                                                score, max_score, eta,
                                                "  " + note if note else ""), flush=True)


def grade_student(name, args, sandbox, base, progress):
    """Grades one student, writes its files in OUT/students/NAME/, prints its
    progress line; returns (name, score, max_score, {test: points}, notes)."""
    out = os.path.join(args.out, "students", name)
    # Results of an earlier run must never stand in for this one's.
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    with open(os.path.join(out, "grade.log"), "w", encoding="utf-8") as log:
        if not sandbox.enabled:
            log.write(UNSANDBOXED + "\n")
        try:
            grade, notes, details = grade_one(os.path.join(args.submissions, name), args,
                                              sandbox, base, log)
        except OSError as e:
            grade = {"score": 0, "max_score": 0, "tests": [], "benchmarks": []}
            notes, details = ["the grader could not grade this submission: %s"
                              % clean(str(e), 200, True)], ""
        if not sandbox.enabled:
            notes.append(UNSANDBOXED)
        for n in notes:
            log.write("problem: %s\n" % n)
    write_student(out, grade, notes, details)
    tests = {"lab%d/%s" % (t["lab"], t["name"]): t["points"] for t in grade["tests"]
             if not t["regression"]}
    progress.report(name, grade["score"], grade["max_score"], notes[0] if notes else "")
    return name, grade["score"], grade["max_score"], tests, notes


def write_csv(path, rows):
    columns = []
    for row in rows:
        columns += [c for c in row[3] if c not in columns]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "score", "max_score"] + columns + ["problems"])
        for name, score, max_score, tests, notes in rows:
            w.writerow([csv_safe(name), score, max_score] + [tests.get(c, 0) for c in columns] +
                       [csv_safe("; ".join(notes))])

if __name__ == "__main__":
    main()
