"""The grader's machinery: declaring tests, building a tree, running one
test under QEMU (optionally watched by GDB), and judging the result.

A lab's tests are declared in grader/labN.py (see docs/grading.md):

    Test("null_syscall", points=40,
         programs=["lab0_null {nonce} {calls}"],
         params={"calls": (20, 60)},
         expect=[(r"^lab0_null: nonce={nonce} calls={calls} ok$", "the program's success line")],
         gdb_count={"sys_null": "{calls}"})

Every run gets a fresh random nonce and fresh random parameters; the
patterns and the programs' command lines are filled in with them, so a
kernel that prints what a test expects without running its program
cannot match, and a hard-coded answer meets different parameters next time.
"""

import os
import random
import re
import socket
import subprocess
import threading
import time

import qemu

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A line naming an unfinished hole, printed by the stubs ("LAB 0: ... not implemented").
HOLE_RE = re.compile(r"^LAB (\d+): .*$", re.M)
PANIC_RE = re.compile(r"^kernel panic.*$", re.M)
BENCH_RE = re.compile(r"^BENCH (\S+) value=(\d+) unit=(instructions|cycles) runs=(\d+)$", re.M)


class Test:
    """One graded test.  See the module docstring and docs/grading.md.

    name      short name, unique within the lab
    points    what it is worth
    programs  boot modules, "program args"; {nonce} and {param} are filled in
    params    name -> (low, high): a random integer for each run
    expect    (regex, description) pairs that must appear in the serial output, in order
    reject    (regex, description) pairs that must not appear
    gdb_count symbol -> expected number of times a breakpoint there is hit (a format string)
    icount    run under -icount shift=0 (deterministic instruction counts)
    timeout   seconds on a reference machine; scaled by the measured speed factor
    check     extra judge: check(result, values) -> None or a reason string
    exit_rc   the QEMU exit code the run must end with (default: clean shutdown)
    """

    def __init__(self, name, points, programs, expect=(), reject=(), params=None,
                 gdb_count=None, icount=False, timeout=20, check=None,
                 exit_rc=qemu.EXIT_SHUTDOWN, doc=""):
        self.name, self.points, self.programs = name, points, list(programs)
        self.expect, self.reject = list(expect), list(reject)
        self.params = dict(params or {})
        self.gdb_count = dict(gdb_count or {})
        self.icount, self.timeout, self.check = icount, timeout, check
        self.exit_rc, self.doc = exit_rc, doc
        self.lab = None             # set by load_lab()


class Bench:
    """A benchmark for make bench: a program that prints one BENCH line.
    {unit} becomes "instructions" under -icount (or "cycles" under KVM)."""

    def __init__(self, name, program, paper=""):
        self.name, self.program, self.paper = name, program, paper
        self.lab = None


class Outcome:
    def __init__(self, test, passed, reason, seconds, output="", benches=()):
        self.test, self.passed, self.reason = test, passed, reason
        self.seconds, self.output, self.benches = seconds, output, list(benches)

    @property
    def score(self):
        return self.test.points if self.passed else 0


def new_values(test, rng):
    values = {"nonce": "%016x" % rng.getrandbits(64)}
    for name, (lo, hi) in test.params.items():
        values[name] = rng.randint(lo, hi)
    return values


def fill(template, values):
    """Fills {name} in template; a pattern's own regex braces must be doubled."""
    return template.format(**values)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GdbWatch:
    """Counts breakpoint hits on kernel symbols while a test runs.  GDB
    attaches to the halted QEMU, sets a breakpoint on each symbol with a
    huge ignore count (so the kernel never really stops), lets it run, and
    reads the hit counts after QEMU has exited."""

    def __init__(self, build, port, symbols):
        cmds = ["set confirm off", "set pagination off", "set architecture i386",
                "file " + os.path.join(build, "kernel.elf"),
                "target remote 127.0.0.1:%d" % port]
        for sym in symbols:
            cmds += ["break " + sym, "ignore $bpnum 100000000"]
        cmds += ["continue", "info breakpoints"]
        args = ["gdb", "-nx", "-batch"]
        for c in cmds:
            args += ["-ex", c]
        self.symbols = list(symbols)
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self.output = ""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        self.output = self.proc.stdout.read()

    def counts(self, timeout=10):
        """symbol -> hit count (0 if never hit, None if the symbol is missing)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=5)
        counts = {}
        blocks = re.split(r"\n(?=\d+\s+breakpoint)", self.output)
        for sym in self.symbols:
            counts[sym] = None
            for b in blocks:
                if re.search(r"\bin %s at " % re.escape(sym), b):
                    m = re.search(r"already hit (\d+) time", b)
                    counts[sym] = int(m.group(1)) if m else 0
        return counts

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def relevant_lines(output, limit=8):
    """What a student should look at: hole messages, panics, faults, and the end of the log."""
    lines = output.rstrip("\n").splitlines()
    keep = [l for l in lines if HOLE_RE.match(l) or PANIC_RE.match(l) or l.startswith("user fault")]
    tail = lines[-limit:]
    return keep[:5] + [l for l in tail if l not in keep[:5]]


def judge(test, res, values, counts):
    """Returns None if the run passed, else the reason it failed."""
    out = res.output
    holes = HOLE_RE.findall(out)
    hole_line = HOLE_RE.search(out)
    prefix = ("unfinished: '%s'. " % hole_line.group(0)) if holes else ""

    panic = PANIC_RE.search(out)
    if panic:
        return prefix + panic.group(0)
    if holes:
        return "unfinished: '%s' (a stub ran; implement it)" % hole_line.group(0)
    if res.reason != "exit" and res.reason != "marker":
        return prefix + res.verdict()
    ended_badly = res.reason == "exit" and res.rc != test.exit_rc
    pos = 0
    for pattern, what in test.expect:
        regex = re.compile(fill(pattern, values), re.M)
        m = regex.search(out, pos)
        if m:
            pos = m.end()
            continue
        if regex.search(out):
            missing = "expected %s, but in a different order" % what
        else:
            missing = "expected %s (/%s/), but it did not appear" % (what, regex.pattern)
        if ended_badly:
            return prefix + "%s; %s before that" % (res.verdict(), missing)
        return prefix + missing
    for pattern, what in test.reject:
        m = re.compile(fill(pattern, values), re.M).search(out)
        if m:
            return prefix + "unexpected %s: '%s'" % (what, m.group(0))
    for sym, want in test.gdb_count.items():
        want = int(fill(want, values))
        got = counts.get(sym)
        if got is None:
            return prefix + "GDB could not set a breakpoint on %s (is it in the kernel?)" % sym
        if got != want:
            return prefix + "the kernel ran %s %d time(s), expected %d" % (sym, got, want)
    if test.check:
        reason = test.check(res, values)
        if reason:
            return prefix + reason
    if ended_badly:
        return prefix + "the run should end with %s, but %s" % (
            qemu.describe_exit(test.exit_rc), res.verdict())
    return None


def run_test(test, build, scale=1.0, rng=None):
    """Runs one test on a built tree; never raises for anything the kernel does."""
    rng = rng or random.SystemRandom()
    values = new_values(test, rng)
    start = time.monotonic()
    try:
        programs = [fill(p, values) for p in test.programs]
        port = free_port() if test.gdb_count else None
        watch = None
        if port:
            launcher = _start_with_gdb(build, port, test)
            res, watch = launcher(programs, test.timeout * scale)
        else:
            res = qemu.run(build, programs, timeout=test.timeout * scale, icount=test.icount)
        counts = watch.counts() if watch else {}
        reason = judge(test, res, values, counts)
    except (OSError, ValueError, KeyError) as e:
        return Outcome(test, False, "grader could not run the test: %s" % e,
                       time.monotonic() - start)
    benches = [dict(name=m.group(1), value=int(m.group(2)), unit=m.group(3), runs=int(m.group(4)))
               for m in BENCH_RE.finditer(res.output)] if reason is None else []
    return Outcome(test, reason is None, reason or "", time.monotonic() - start,
                   res.output, benches)


def _start_with_gdb(build, port, test):
    def launch(programs, timeout):
        holder = {}

        def attach_gdb():
            time.sleep(0.2)
            holder["watch"] = GdbWatch(build, port, test.gdb_count.keys())

        t = threading.Thread(target=attach_gdb)
        t.start()
        res = qemu.run(build, programs, timeout=timeout, gdb_port=port, icount=test.icount)
        t.join()
        watch = holder.get("watch")
        if res.reason != "exit" and watch:
            watch.kill()
        return res, watch
    return launch


def load_lab(path):
    """Reads grader/labN.py (or an instructor's copy) and returns its namespace."""
    ns = {"__file__": path, "__name__": "lab_tests", "re": re}
    with open(path) as f:
        exec(compile(f.read(), path, "exec"), ns)
    lab = ns["LAB"]
    for t in ns.get("TESTS", []) + ns.get("BENCHES", []):
        t.lab = lab
    return ns


def lab_files(tests_dir=None):
    """lab number -> path of its test file, from grader/ or an instructor's folder."""
    d = tests_dir or os.path.join(TOP, "grader")
    found = {}
    for name in os.listdir(d):
        m = re.match(r"^lab(\d+)\.py$", name)
        if m:
            found[int(m.group(1))] = os.path.join(d, name)
    return dict(sorted(found.items()))


def build_dir(solution):
    return os.path.join(TOP, "build", "student" if solution in (None, "") else "sol%s" % solution)


def build(solution):
    """Builds the tree; returns (ok, log)."""
    cmd = ["make", "-s", "all"]
    if solution not in (None, ""):
        cmd.append("SOLUTION=%s" % solution)
    p = subprocess.run(cmd, cwd=TOP, capture_output=True, text=True)
    return p.returncode == 0, p.stdout + p.stderr


_scale = None


def timeout_scale(build):
    """How much slower than the reference machine this one is (>= 1).
    GRADE_TIMEOUT_SCALE overrides the measurement."""
    global _scale
    env = os.environ.get("GRADE_TIMEOUT_SCALE")
    if env:
        return float(env)
    if _scale is None:
        try:
            res = qemu.run(build, ["hello calibrate exit"], timeout=60)
            # A boot of hello takes about 0.25 s on the 2-core machines we test on.
            _scale = max(1.0, res.seconds / 0.25) if res.reason == "exit" else 3.0
        except (OSError, ValueError):
            _scale = 3.0
    return _scale
