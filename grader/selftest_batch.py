"""Tests of the instructor tools against hostile submissions (issue 11).

One batch run (grader/batch.py --lab 0) grades, besides the skeleton and
the reference, one submission per known attack, written afresh into
build/selftest/batch-subs/; each check then reads that student's row and
files.  The attacks:

  6a-include-solution  lab files that only #include the reference solution
                       (by the path the old grading copy had in this tree,
                       and by its absolute path)
  6b-symlink           kernel/ is a symbolic link to another student's kernel/
  6c-incbin-host-file  .incbin "/etc/os-release", printed by the kernel
  7b-include-stdin     #include "/dev/stdin" (the batch's stdin never ends)
  7c-not-utf8          a #warning that is not UTF-8, and a grade.json of
                       100/100 left from an "earlier run"
  7d-escapes           ANSI escape sequences and a 250 KB line from the kernel
  grades.csv           the skeleton, in a folder named like an output file (7a)

The batch runs with --jobs 2 (make grade-batch JOBS=2): two submissions
at once, each in its own tree, with the same expected grades as one at a
time, and a progress line per student with an eta.

A second, short batch run with a 5 s build timeout grades a lab file whose
preprocessing never ends.  A tiny kernel checks that `make grade` escapes
what a kernel prints; `make grade TESTS_DIR=grader/examples/hidden` runs
the example hidden test; the handout export is checked, with its GitHub
Classroom workflow; and last, Gradescope's autograder for lab 1 is built,
unpacked as Gradescope lays out /autograder, and run on three submissions,
after the Classroom workflow's steps have run in the same tree.
"""

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time

import batch
import classroom
import gradelib
import gradescope as gs

TOP = gradelib.TOP
SELFTEST = os.path.join(TOP, "build", "selftest")
SUBS = os.path.join(SELFTEST, "batch-subs")
OUT = os.path.join(SELFTEST, "batch-out")
BATCH = os.path.join(TOP, "grader", "batch.py")
# The whole run, every student built and tested, normally takes about a
# minute; past this, the batch counts as stuck.
BATCH_LIMIT = 600

KERNEL_HEAD = '#include "kernel.h"\n#include "syscall.h"\n#include "l4/abi.h"\n\n'
SKELETON_NULL = KERNEL_HEAD + """int32_t sys_null(struct trapframe *tf)
{
    (void)tf;
    kprintf("LAB 0: sys_null not implemented (kernel/sysnull.c)\\n");
    return -L4_ENOSYS;
}
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)


def include_solution(rel, old_out):
    """A lab file that is only the reference, reached from where the old
    batch put its grading copy (OUT/.work/NAME/, inside this tree) or by
    the absolute path; if neither can be read, the build fails."""
    depth = len(os.path.relpath(old_out, TOP).split(os.sep)) + 2 + rel.count("/")
    relative = "../" * depth + "solutions/lab0/" + rel
    absolute = os.path.join(TOP, "solutions", "lab0", rel)
    return ('#if __has_include("%s")\n#include "%s"\n#elif __has_include("%s")\n'
            '#include "%s"\n#else\n#error "the solution is out of reach"\n#endif\n'
            % (relative, relative, absolute, absolute))


def make_submissions():
    """The hostile submissions, the skeleton and the reference."""
    shutil.rmtree(SUBS, ignore_errors=True)
    sol = os.path.join(TOP, "solutions", "lab0")
    ref = os.path.join(SUBS, "reference")
    shutil.copytree(sol, ref)
    # A tampered test program: batch grading must use the trusted one.
    write(os.path.join(ref, "user", "tests", "lab0_null.c"),
          '#include "ulib.h"\nint main(void) { printf("forged\\n"); return 0; }\n')
    os.makedirs(os.path.join(SUBS, "grades.csv"))

    for rel in ("kernel/sysnull.c", "user/bench/bench_trap.c"):
        write(os.path.join(SUBS, "6a-include-solution", rel), include_solution(rel, OUT))

    d = os.path.join(SUBS, "6b-symlink")
    os.makedirs(d)
    os.symlink(os.path.join("..", "reference", "kernel"), os.path.join(d, "kernel"))

    write(os.path.join(SUBS, "6c-incbin-host-file", "kernel", "sysnull.c"), KERNEL_HEAD + r"""
__asm__(".section .rodata\n.globl host_file\nhost_file:\n"
        ".incbin \"/etc/os-release\"\n.byte 0\n.previous\n");
extern const char host_file[];

int32_t sys_null(struct trapframe *tf)
{
    (void)tf;
    kprintf("LAB 0: %s\n", host_file);
    return -L4_ENOSYS;
}
""")
    write(os.path.join(SUBS, "7b-include-stdin", "kernel", "sysnull.c"),
          '#include "/dev/stdin"\n' + SKELETON_NULL)
    write(os.path.join(SUBS, "7c-not-utf8", "kernel", "sysnull.c"),
          b'#warning "not UTF-8: \xff\xfe\xc3"\n#error "and no build"\n' + SKELETON_NULL.encode())
    write(os.path.join(SUBS, "7d-escapes", "kernel", "sysnull.c"), KERNEL_HEAD + r"""
int32_t sys_null(struct trapframe *tf)
{
    static int shown;

    (void)tf;
    if (!shown) {
        shown = 1;
        kprintf("\033[1A\033[2K\r  PASS  lab0/null_syscall  40/40\n");
        for (int i = 0; i < 250000; i++)
            kprintf("A");
        kprintf("\nLAB 0: \033[2K\r\033[32mPASS\033[0m \xe2\x80\xae\n");
    }
    return -L4_ENOSYS;
}
""")


def seed_stale_results():
    """A grade.json of 100/100 for 7c-not-utf8, as an earlier run might have
    left it, wherever a batch run keeps one (the old layout: OUT/NAME/)."""
    stale = {"score": 100, "max_score": 100, "stale": True,
             "tests": [dict(name=n, lab=0, points=p, max=p, passed=True, reason="",
                            regression=False, duration=0)
                       for n, p in (("null_syscall", 40), ("trap_rtt", 60))]}
    for d in (os.path.join(OUT, "7c-not-utf8"), os.path.join(OUT, "students", "7c-not-utf8")):
        write(os.path.join(d, "grade.json"), json.dumps(stale))


def run_batch(subs, out, extra=(), limit=None):
    """Runs batch.py on subs with a stdin that never ends (as an instructor's
    terminal); returns (exit status or None if stuck, output, seconds)."""
    start = time.monotonic()
    never_ends, keep_open = os.pipe()
    try:
        p = subprocess.Popen([sys.executable, BATCH, subs, "--lab", "0", "--out", out] +
                             list(extra), stdin=never_ends, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
        try:
            out_bytes, _ = p.communicate(timeout=limit or BATCH_LIMIT)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            out_bytes, _ = p.communicate()
            rc = None
    finally:
        os.close(never_ends)
        os.close(keep_open)
    return rc, out_bytes.decode("utf-8", "replace"), time.monotonic() - start


def read_rows(out):
    try:
        with open(os.path.join(out, "grades.csv"), newline="") as f:
            return {r["student"]: r for r in csv.DictReader(f)}
    except (OSError, ValueError, KeyError):
        return {}


def student_files(out, name):
    """The files a run wrote for one student (students/NAME/, or NAME/ as
    the batch of old wrote them)."""
    for d in (os.path.join(out, "students", name), os.path.join(out, name)):
        if os.path.isdir(d):
            return {f: open(os.path.join(d, f), "rb").read() for f in os.listdir(d)}
    return {}


def json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_strings(v)


def unsafe_text(files, stdout, where="the batch's output"):
    """What in a student's files or the batch's output could redraw a
    terminal or swamp a log: None if nothing."""
    texts = [(where, stdout)]
    for name, data in files.items():
        text = data.decode("utf-8", "replace")
        if name.endswith(".json"):
            try:
                texts += [(name, s) for s in json_strings(json.loads(text))]
            except ValueError:
                return "%s is not JSON" % name
        else:
            texts.append((name, text))
    for where, text in texts:
        m = re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", text)
        if m:
            return "a raw control character %r in %s" % (m.group(), where)
        longest = max((len(l) for l in text.split("\n")), default=0)
        if longest > 1000:
            return "a line of %d characters in %s" % (longest, where)
    return None


def score(rows, name):
    r = rows.get(name)
    return (int(r["score"]), int(r["max_score"])) if r else None


def run(say, only=None):
    """Runs the batch self-test; returns (passed, failed).  only: a set of
    check keys (see CHECKS) to run alone, for trying one attack on an old
    batch.py."""
    results = []

    def check(key, name, ok, why, start):
        results.append(bool(ok))
        say(bool(ok), "grader: " + name, "" if ok else why, time.monotonic() - start)

    start = time.monotonic()
    make_submissions()
    if only:
        # The reference stays: it is graded after the others, and 6b links to it.
        keep = {"reference"} | ({"grades.csv"} if only & {"base", "7a"} else set())
        for name in os.listdir(SUBS):
            if name.split("-")[0] not in only and name not in keep:
                shutil.rmtree(os.path.join(SUBS, name))
    shutil.rmtree(OUT, ignore_errors=True)
    seed_stale_results()
    rc, stdout, seconds = run_batch(SUBS, OUT, ["--jobs", "2"])
    rows = read_rows(OUT)
    said = "exit status %s, grades.csv: %s; the batch said: %s" % (
        rc, {k: (v["score"], v.get("problems", "")) for k, v in rows.items()},
        stdout.strip()[-400:])
    want = lambda key: not only or key in only  # noqa: E731

    ref, skel = score(rows, "reference"), score(rows, "grades.csv")
    if want("jobs"):
        n = len(rows)
        lines = re.findall(r"(?m)^\[(\d+)/(\d+)\] (.*)$", stdout)
        done = sorted(int(a) for a, b, _ in lines if int(b) == n)
        check("jobs", "batch grades 2 submissions at a time (JOBS=2), a progress line each "
              "with an eta", n > 2 and done == list(range(1, n + 1)) and
              "2 at a time" in stdout and all(" eta " in l for a, _, l in lines if int(a) < n),
              said, start)
    if want("base"):
        check("base", "batch scores the skeleton 0, the reference full (tampered test ignored)",
              skel and skel[0] == 0 and ref and ref[0] == ref[1] > 0, said, start)
    if want("6a"):
        s = score(rows, "6a-include-solution")
        check("6a", "batch 6a: a lab file that #includes the solution scores 0",
              s is not None and s[0] == 0, said, start)
    if want("6b"):
        s = score(rows, "6b-symlink")
        row = rows.get("6b-symlink", {})
        check("6b", "batch 6b: a kernel/ linked to another student's is refused",
              s is not None and s[0] == 0 and "symbolic link" in row.get("problems", ""),
              said, start)
    if want("6c"):
        try:
            secret = open("/etc/os-release").readline().strip()
        except OSError:
            secret = None
        files = student_files(OUT, "6c-incbin-host-file")
        leaked = [f for f, data in files.items() if secret and secret.encode() in data]
        leaked += ["the batch's output"] if secret and secret in stdout else []
        check("6c", "batch 6c: .incbin of a host file leaks nothing into the feedback",
              files and not leaked and score(rows, "6c-incbin-host-file") == (0, 100),
              "/etc/os-release (%r) appears in: %s; %s" % (secret, ", ".join(leaked), said)
              if leaked else said, start)
    if want("7a"):
        check("7a", "batch 7a: a student folder named grades.csv is graded like any other",
              rc == 0 and skel == (0, 100), said, start)
    if want("7b"):
        s = score(rows, "7b-include-stdin")
        check("7b", "batch 7b: #include \"/dev/stdin\" neither blocks nor stops the batch",
              rc is not None and s == (0, 100) and ref is not None, said, start)
    if want("7c"):
        files = student_files(OUT, "7c-not-utf8")
        fresh = b'"stale"' not in files.get("grade.json", b'"stale"')
        check("7c", "batch 7c: a non-UTF-8 build message is no crash, a stale grade.json no score",
              score(rows, "7c-not-utf8") == (0, 100) and fresh,
              ("its grade.json is the stale one; " if not fresh else "") + said, start)
    if want("7d"):
        files = student_files(OUT, "7d-escapes")
        bad = unsafe_text(files, stdout) if files else "no files for 7d-escapes"
        check("7d", "batch 7d: a kernel's escape sequences and 250 KB line are escaped and cut",
              bad is None and score(rows, "7d-escapes") == (0, 100), (bad or "") + "; " + said,
              start)
    if want("timeout"):
        build_timeout(check)
    if want("grade"):
        grade_escapes(check)
    if want("hidden"):
        hidden_tests(check, say)
    if want("export"):
        export(check)
    if want("gradescope"):
        gradescope(check, say)
    return sum(results), len(results) - sum(results)


def build_timeout(check):
    """A lab file that includes itself twice at every level: the
    preprocessor would run for ever.  The build must be stopped at its
    timeout and the row must say so."""
    start = time.monotonic()
    subs, out = os.path.join(SELFTEST, "batch-subs-bomb"), os.path.join(SELFTEST, "batch-out-bomb")
    shutil.rmtree(subs, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    write(os.path.join(subs, "include-bomb", "kernel", "sysnull.c"),
          "#if __INCLUDE_LEVEL__ < 40\n#include \"sysnull.c\"\n#include \"sysnull.c\"\n#endif\n")
    rc, stdout, seconds = run_batch(subs, out, ["--build-timeout", "5"], limit=120)
    row = read_rows(out).get("include-bomb", {})
    check("timeout", "batch stops a build that never ends at the build timeout",
          rc == 0 and row.get("score") == "0" and "longer than 5 s" in row.get("problems", ""),
          "exit status %s after %.0f s, row %s; the batch said: %s" % (
              rc, seconds, row, stdout.strip()[-300:]), start)


EVIL_ESCAPES = """; A kernel that prints escape sequences and a 250 KB line (selftest_batch.py)
        bits 32
        org 0x100000
header: dd 0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000)
        dd header, header, 0, 0, start
start:  cli
        mov esp, 0x90000
        mov esi, text
        call puts
        mov ecx, 250000
.long:  mov al, 'A'
        call putc
        loop .long
        mov esi, tail
        call puts
        mov dx, 0xf4
        xor eax, eax
        out dx, eax
.halt:  hlt
        jmp .halt
puts:   lodsb
        test al, al
        jz .done
        call putc
        jmp puts
.done:  ret
putc:   mov bl, al
        mov dx, 0x3FD
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov al, bl
        mov dx, 0x3F8
        out dx, al
        ret
text:   db "LAB 0: ", 27, "[2K", 13, 27, "[32mPASS", 27, "[0m", 10, 0
tail:   db 10, 27, "[1A", 27, "[2K", 13, "  PASS  lab0/null_syscall", 10, 0
"""


def grade_escapes(check):
    """`make grade` (grade.py, gradelib, qemu.py) must escape and cut what
    a kernel prints, as batch grading does."""
    start = time.monotonic()
    d = os.path.join(SELFTEST, "escapes")
    write(os.path.join(d, "escapes.asm"), EVIL_ESCAPES)
    bad = None
    try:
        subprocess.run(["nasm", "-f", "bin", "-o", os.path.join(d, "kernel.elf"),
                        os.path.join(d, "escapes.asm")], check=True, capture_output=True)
        import grade
        test = gradelib.Test("escapes", 1, programs=[], expect=[(r"^never$", "a line")])
        test.lab = 0
        outcome = gradelib.run_test(test, d)
        shown = io.StringIO()
        with contextlib.redirect_stdout(shown):
            grade.print_outcome(outcome)
        bad = unsafe_text({"the reason": outcome.reason.encode()},
                          shown.getvalue(), "grade.py's report")
        if bad is None and "LAB 0" not in shown.getvalue():
            bad = "the kernel's output is not in the report: %r" % shown.getvalue()[:300]
    except (OSError, subprocess.CalledProcessError) as e:
        bad = "could not run the test: %s" % e
    check("grade", "make grade escapes a kernel's escape sequences and cuts its lines",
          bad is None, bad, start)


def export(check):
    """The handout export leaves out the solutions not yet released."""
    start = time.monotonic()
    handout = os.path.join(SELFTEST, "handout")
    shutil.rmtree(handout, ignore_errors=True)
    p = subprocess.run([sys.executable, os.path.join(TOP, "grader", "export.py"),
                        handout, "--solutions-below", "1"], capture_output=True, text=True)
    labs = sorted(os.listdir(os.path.join(handout, "solutions"))) \
        if os.path.isdir(os.path.join(handout, "solutions")) else []
    ok = p.returncode == 0 and labs == ["lab0"] and \
        os.path.isfile(os.path.join(handout, "kernel", "ipc.c")) and \
        not os.path.exists(os.path.join(handout, ".git"))
    check("export", "the handout export keeps only released solutions", ok,
          "solutions in the export: %s; %s" % (labs, p.stderr.strip()), start)
    start = time.monotonic()
    try:
        with open(os.path.join(handout, ".github", "workflows", "classroom.yml")) as f:
            wf = classroom.load(f.read())
        steps = wf["jobs"]["run-autograding-tests"]["steps"]
        why = None if any("make grade LAB=1 " in s.get("run", "") for s in steps) else \
            "no step runs make grade LAB=1: %s" % steps
    except (OSError, classroom.YamlError, KeyError, TypeError) as e:
        why = "%s: %s" % (type(e).__name__, e)
    check("export", "the handout (RELEASED=1) carries a Classroom workflow for lab 1 that parses",
          why is None, why, start)


def hidden_tests(check, say):
    """make grade TESTS_DIR=... reads the example hidden tests: their extra
    test runs and passes on the reference."""
    name = "make grade TESTS_DIR=grader/examples/hidden runs the hidden test"
    if gradelib.missing_solution(0) is not None:
        say(None, "grader: " + name, "no solutions/lab0 in this tree", 0.0)
        return
    start = time.monotonic()
    if os.path.exists(os.path.join(TOP, "build", "grade.json")):
        os.unlink(os.path.join(TOP, "build", "grade.json"))
    p = subprocess.run(["make", "-s", "grade", "LAB=0", "SOLUTION=0", "TEST=null_syscall_many",
                        "TESTS_DIR=grader/examples/hidden"],
                       cwd=TOP, capture_output=True, text=True)
    try:
        with open(os.path.join(TOP, "build", "grade.json")) as f:
            tests = [(t["name"], t["passed"]) for t in json.load(f)["tests"]]
    except (OSError, ValueError, KeyError, TypeError):
        tests = None
    check("hidden", name, p.returncode == 0 and tests == [("null_syscall_many", True)],
          "exit status %d, tests %s: %s" % (p.returncode, tests,
                                            (p.stdout + p.stderr).strip()[-400:]), start)


# A tampered submission: the handout's lab files, and a grader and a test
# program that would pass anything.  Gradescope's tree must ignore both.
FORGED_LAB1 = """from gradelib import Test
LAB = 1
TITLE = "forged"
TESTS = [Test("pingpong", points=100, programs=[], expect=[])]
"""
FORGED_TEST = '#include "ulib.h"\nint main(void) { printf("lab1_ipc: ok\\n"); return 0; }\n'


def gradescope(check, say):
    """make gradescope LAB=1's zip, unpacked as Gradescope does into a scratch
    /autograder (AUTOGRADER_ROOT): the Classroom workflow's run: steps grade
    lab 1 in its tree (the skeleton: 0 of 100); setup.sh runs;
    run_autograder gives the skeleton, submitted with a grader and a test
    program forged to pass, 0, and the reference (zipped from GitHub, in
    one folder) 100, with its benchmark figures.

    To keep make test short, the tree's build is seeded from build/student
    (the same committed files, built by make test's `all`) and the unpacked
    sources are dated before it, so setup.sh's and the workflow's make
    have nothing to do; a real Gradescope image builds it in setup.sh."""
    name = "gradescope: the lab 1 autograder grades the skeleton with a forged grader 0, " \
           "the reference 100; the Classroom workflow's steps grade lab 1"
    if gradelib.missing_solution(1) is not None:
        say(None, "grader: " + name, "no solutions/lab1 in this tree", 0.0)
        return
    start = time.monotonic()
    d = os.path.join(SELFTEST, "gradescope")
    shutil.rmtree(d, ignore_errors=True)
    root = os.path.join(d, "autograder")
    source, tree = os.path.join(root, "source"), os.path.join(root, "source", "tree")
    problems = []
    p = subprocess.run([sys.executable, os.path.join(TOP, "grader", "gradescope.py"), "build",
                        "--lab", "1", "--out", d], capture_output=True, text=True)
    if p.returncode != 0:
        check("gradescope", name, False, "make gradescope failed: " + p.stdout + p.stderr, start)
        return
    gs.unzip(os.path.join(d, "lab1-autograder.zip"), source)
    seed_build(tree)

    problem, r = classroom.local(tree)
    if problem or r["max_score"] != 100 or sum(t["score"] for t in r["tests"]) != 0:
        problems.append("Classroom workflow: %s" % (problem or "reported %d/%d, not 0/100" % (
            sum(t["score"] for t in r["tests"]), r["max_score"])))
    p = subprocess.run(["sh", os.path.join(source, "setup.sh")], capture_output=True, text=True)
    if p.returncode != 0:
        problems.append("setup.sh: exit status %d: %s" % (p.returncode, p.stderr[-300:]))

    files = [l.strip() for l in open(os.path.join(source, "lab-files.txt")) if l.strip()]
    subs = {"skeleton": {rel: os.path.join(tree, rel) for rel in files},
            "reference": {"l4lab-main/" + rel: os.path.join(TOP, "solutions", lab, rel)
                          for lab in ("lab0", "lab1") for rel in files
                          if os.path.exists(os.path.join(TOP, "solutions", lab, rel))}}
    # The skeleton's submission also carries a forged grader and test
    # program: graded with them it would score 100, with the handout's
    # files and the trusted copies it must score 0.
    for name_, want in (("skeleton", 0), ("reference", 100)):
        sub = os.path.join(root, "submission")
        shutil.rmtree(sub, ignore_errors=True)
        shutil.rmtree(os.path.join(root, "results"), ignore_errors=True)
        for rel, src in subs[name_].items():
            os.makedirs(os.path.dirname(os.path.join(sub, rel)), exist_ok=True)
            shutil.copy(src, os.path.join(sub, rel))
        if name_ == "skeleton":
            write(os.path.join(sub, "grader", "lab1.py"), FORGED_LAB1)
            write(os.path.join(sub, "user", "tests", "lab1_ipc.c"), FORGED_TEST)
        p = subprocess.run([os.path.join(source, "run_autograder")], capture_output=True,
                           text=True, env=dict(os.environ, AUTOGRADER_ROOT=root))
        try:
            with open(os.path.join(root, "results", "results.json")) as f:
                res = json.load(f)
            graded = [t for t in res["tests"] if t["max_score"]]
            got = (res["score"], sum(t["max_score"] for t in graded), len(graded))
        except (OSError, ValueError, KeyError, TypeError) as e:
            problems.append("%s: no results.json (%s): %s" % (name_, e, (p.stdout + p.stderr)[-300:]))
            continue
        if got[:2] != (want, 100) or got[2] != 9:
            problems.append("%s scored %d/%d over %d tests, expected %d/100 over lab 1's 9" %
                            (name_, got[0], got[1], got[2], want))
        if name_ == "reference" and not any(e["name"].startswith("ipc.rtt")
                                            for e in res.get("leaderboard", [])):
            problems.append("the reference's results have no ipc.rtt leaderboard figure: %s"
                            % res.get("leaderboard"))
    check("gradescope", name, not problems, "; ".join(problems), start)


def seed_build(tree):
    """Gives an unpacked tree this tree's build (see gradescope())."""
    old = time.time() - 10 * 365 * 86400
    for base, _, files in os.walk(tree):
        for f in files:
            os.utime(os.path.join(base, f), (old, old))
    if os.path.isdir(os.path.join(TOP, "build", "student")):
        shutil.copytree(os.path.join(TOP, "build", "student"), os.path.join(tree, "build", "student"),
                        symlinks=True)
    # The objects (build/obj/: without them each run_autograder's grading
    # copy compiled the whole tree again), the Linux programs and the stamp
    # of tools/deps, which every object depends on, as a batch's base takes them.
    batch.seed_base(tree)
