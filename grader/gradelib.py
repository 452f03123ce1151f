"""The grader's machinery: declaring tests, building a tree, running one
test under QEMU (optionally watched by GDB), and judging the result.

A lab's tests are declared in grader/labN.py (see docs/grading.md):

    Test("null_syscall", points=40,
         programs=["lab0_null {nonce} {calls}"],
         params={"calls": (20, 60)},
         expect=[(r"^lab0_null: nonce={nonce} calls={calls} ok$", "the program's success line")],
         watches=[Watch("syscall", cond="tf->eax == 3", key="tf->ebx", expect="{calls}",
                        what="null system calls")])

Every run gets a fresh random nonce and fresh random parameters; the
patterns and the programs' command lines are filled in with them, so a
kernel that prints what a test expects without running its program
cannot match, and a hard-coded answer meets different parameters next time.
"""

import concurrent.futures
import importlib.util
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import qemu

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A line naming an unfinished hole, printed by the stubs ("LAB 0: ... not implemented").
HOLE_RE = re.compile(r"^LAB (\d+): .*$", re.M)
PANIC_RE = re.compile(r"^kernel panic.*$", re.M)
BENCH_RE = re.compile(r"^BENCH (\S+) value=(\d+) unit=(instructions|cycles) runs=(\d+)$", re.M)
# The kernel's boot chatter (banner, memory map, "physical memory:" and
# "boot: thread" lines), left out of the log excerpt under a failure.
BOOT_RE = re.compile(r"^(l4lab: an L4-style |memory map \(|  \[[0-9a-f]{8}-[0-9a-f]{8}\] "
                     r"|physical memory: |boot: thread )")


class Test:
    """One test: a graded test of a lab (grader/labN.py), a system test of
    the foundation (grader/systests.py) or a test of the GDB commands
    (grader/gdbtests.py).  See the module docstring and docs/grading.md.

    name      short name, unique within its list
    points    what it is worth (0: not graded)
    programs  boot modules, "program args"; {nonce} and {param} are filled in
    params    name -> (low, high): a random integer for each run
    expect    (regex, description) pairs that must appear in the serial output, in order
    reject    (regex, description) pairs that must not appear
    watches   GDB breakpoints that count what the kernel does (Watch objects)
    watch_apart  boot twice: once with GDB, judged without check, and once
              without GDB, judged without watches (for programs that measure
              themselves: under -icount every GDB stop adds to the count)
    icount    run under -icount shift=0 (deterministic instruction counts)
    timeout   seconds on a reference machine; scaled by the measured speed factor
    check     extra judge: check(result, values) -> None or a reason string
    exit_rc   the QEMU exit code the run must end with (default: clean shutdown)
    feed      (regex, text) pairs: when the regex first appears in the output,
              the text is typed into COM1 (QEMU's serial input); both are
              filled in with the run's values, like expect
    derive    derive(values) -> dict of further values, worked out by the
              grader from the drawn ones (the digest a test program must
              report, say); they fill in like the drawn ones
    append    the kernel's command line ("panic-test", say)
    solution  run on this reference (make SOLUTION=...) instead of the
              build the runner is given; the test is skipped (never
              passed) if the tree lacks solutions/lab0..needs
    needs     the highest lab whose solution it needs (default: solution)
    run       run(build): a test that drives QEMU (or GDB) itself instead of
              booting programs and matching patterns; it returns if the
              test passed, else raises Failure (or Skip)
    stop_at_hole  end a boot at the first line of an unfinished hole, which
              fails the test whatever follows: for the matrix, which only
              needs to see a test fail on the skeleton (default False: a
              student sees the whole log)
    """

    def __init__(self, name, points=0, programs=(), expect=(), reject=(), params=None,
                 watches=(), watch_apart=False, icount=False, timeout=20, check=None,
                 exit_rc=qemu.EXIT_SHUTDOWN, feed=(), derive=None, doc="", append=None,
                 solution=None, needs=None, run=None, stop_at_hole=False):
        self.name, self.points, self.programs = name, points, list(programs)
        self.expect, self.reject = list(expect), list(reject)
        self.params = dict(params or {})
        self.watches, self.watch_apart = list(watches), watch_apart
        self.icount, self.timeout, self.check = icount, timeout, check
        self.exit_rc, self.doc = exit_rc, doc
        self.feed = list(feed)
        self.derive = derive
        self.append, self.solution, self.run = append, solution, run
        self.stop_at_hole = stop_at_hole
        self.needs = int(solution) if needs is None and solution not in (None, "all") else needs
        self.lab = None             # set by load_lab()


class Watch:
    """A GDB breakpoint that counts what the kernel does while a test runs.

    location  where GDB breaks in the kernel: a function, or file:line
    cond      a GDB condition; only stops where it holds are counted (None: all)
    key       an unsigned integer expression that GDB prints at each stop
    expect    the expected count, a format string like "{calls}", or a
              function of the run's values that returns it
    mode      "distinct": the number of distinct keys must equal expect.
              Give every counted event its own key: QEMU's GDB stub
              sometimes reports one stop twice, and a repeated key counts once.
              "at_least": the number of stops must be at least expect;
              a stop reported twice does no harm, and key may be None.
              "equals": GDB must stop at least once, and the key must
              equal expect at every stop (a value GDB reads, such as a test
              program's own result in its memory when it ends).
    what      what is counted (or read), in words, for the failure message
    symbols   user programs (names in USER_PROGS) whose symbols GDB loads,
              so that cond and key may name their variables
    """

    MODES = ("distinct", "at_least", "equals")

    def __init__(self, location, expect, cond=None, key=None, mode="distinct", what=None,
                 symbols=()):
        if mode not in self.MODES:
            raise ValueError("Watch mode must be one of %s, not %r" % (self.MODES, mode))
        if mode in ("distinct", "equals") and not key:
            raise ValueError("a '%s' Watch needs a key" % mode)
        self.location, self.expect, self.cond, self.key = location, expect, cond, key
        self.mode, self.what = mode, what or "stops"
        self.symbols = list(symbols)

    def describe(self):
        """The breakpoint as GDB's break command takes it."""
        return self.location + (" if " + self.cond if self.cond else "")

    def judge(self, keys, values):
        """None if the keys GDB printed meet the expectation, else the reason."""
        want = int(self.expect(values) if callable(self.expect) else fill(self.expect, values))
        if self.mode == "equals":
            wrong = [k for k in keys if k != want]
            if not keys:
                return "GDB never stopped at %s, where it reads %s (%s); expected 0x%08x" % (
                    self.describe(), self.what, self.key, want)
            if wrong:
                return "GDB read %s (%s at %s) as 0x%08x, expected 0x%08x" % (
                    self.what, self.key, self.describe(), wrong[0], want)
        elif self.mode == "distinct":
            got = len(set(keys))
            if got != want:
                return "GDB counted %d %s (distinct %s at %s), expected %d" % (
                    got, self.what, self.key, self.describe(), want)
        elif len(keys) < want:
            return "GDB counted %d %s (stops at %s), expected at least %d" % (
                len(keys), self.what, self.describe(), want)
        return None


class Bench:
    """A benchmark for make bench: a program that prints one BENCH line.
    {unit} becomes "instructions" under -icount (or "cycles" under KVM).
    program is one boot module ("prog args"), or a list of them for a
    benchmark between several tasks (the first one prints the line)."""

    def __init__(self, name, program, paper=""):
        self.name, self.paper = name, paper
        self.programs = [program] if isinstance(program, str) else list(program)
        self.lab = None


class Outcome:
    """What a run of a test came to: passed is True, False or None (skipped:
    the tree lacks what the test needs; reason says what)."""

    def __init__(self, test, passed, reason, seconds, output="", benches=()):
        self.test, self.passed, self.reason = test, passed, reason
        self.seconds, self.output, self.benches = seconds, output, list(benches)
        self.also = []          # the Outcomes of variants judged on the same boots

    @property
    def score(self):
        return self.test.points if self.passed else 0


LOG_TAIL = 15


def say(ok, name, reason="", seconds=0.0, output=""):
    """The one line every check of make test prints: PASS, FAIL or (ok None)
    SKIP, the check's name, its time, and the reason where there is one;
    under a FAIL, the last lines of output (a log) if it is given."""
    word = "SKIP" if ok is None else "PASS" if ok else "FAIL"
    print("%s %-56s %5.1fs%s" % (word, name, seconds, "  " + reason if reason else ""),
          flush=True)
    if ok is False and output:
        print("     last lines of the log:")
        for line in output.rstrip("\n").splitlines()[-LOG_TAIL:]:
            print("     | " + line)


class Failure(Exception):
    """A check failed: reason says why, output is the log to show under it."""

    def __init__(self, reason, output=""):
        super().__init__(reason)
        self.reason, self.output = reason, output


class Skip(Exception):
    """The check cannot run in this tree (a student handout lacks a solution
    it builds on): reported SKIP with the reason, never PASS."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def run_check(fn, *args):
    """Runs a test's run function (Test.run).  Returns (ok, reason, output,
    seconds), ok being True, False or None (skipped); never raises."""
    start = time.monotonic()
    try:
        fn(*args)
        return True, "", "", time.monotonic() - start
    except Skip as sk:
        return None, sk.reason, "", time.monotonic() - start
    except Failure as f:
        return False, f.reason, f.output, time.monotonic() - start
    except Exception as e:      # a broken test must not stop the others
        return False, "test error: %r" % e, "", time.monotonic() - start


def run_tests(tests, build, jobs, done=None, also=None, scale=None):
    """The runner: runs tests in parallel on a built tree (run_test) and
    returns their Outcomes in the order of tests.  done(outcome), if given,
    is called as each one ends.  A plain function test_NAME(build) in the
    list is taken as Test("NAME", run=test_NAME).  also(test), if given,
    returns variants of a test judged on the same boots (run_test); their
    Outcomes are in each Outcome's also.  scale: the timeouts' factor
    (default timeout_scale()); the grader's own tests give their hanging
    kernels 0.2 this way, never through the environment, which the other
    parts of make test running beside them would read too."""
    tests = [t if isinstance(t, Test) else
             Test(t.__name__[len("test_"):] if t.__name__.startswith("test_") else t.__name__,
                  doc=t.__doc__ or "", run=t) for t in tests]
    scale = timeout_scale() if scale is None else scale
    rng = random.SystemRandom()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futs = {pool.submit(run_test, t, build, scale, rng, also(t) if also else ()): t
                for t in tests}
        for fut in concurrent.futures.as_completed(futs):
            results[id(futs[fut])] = fut.result()
            if done:
                done(results[id(futs[fut])])
    return [results[id(t)] for t in tests]


def say_outcomes(outcomes, prefix, say):
    """Says each outcome as "PREFIX: NAME"; returns (passed, failed), a
    skipped test counting as neither."""
    passed = failed = 0
    for o in outcomes:
        say(o.passed, "%s: %s" % (prefix, o.test.name), o.reason, o.seconds,
            o.output if o.passed is False else "")
        passed, failed = passed + (o.passed is True), failed + (o.passed is False)
    return passed, failed


def new_values(test, rng):
    values = {"nonce": "%016x" % rng.getrandbits(64)}
    for name, (lo, hi) in test.params.items():
        values[name] = rng.randint(lo, hi)
    if test.derive:
        values.update(test.derive(dict(values)))
    return values


FNV_BASIS, FNV_PRIME = 0x811C9DC5, 16777619


def digest(words, seed):
    """The digest test programs report of what they received: 32-bit FNV-1a
    over the little-endian bytes of seed and then of each word, in order.
    A program computes it as it checks each word (test_fold in
    user/lib/ulib.c, into test_digest); the grader recomputes it from the
    run's parameters, so a kernel that prints a success line without the
    program's work must also re-create everything the program would have
    received."""
    h = FNV_BASIS
    for w in [seed] + list(words):
        w &= 0xFFFFFFFF
        for _ in range(4):
            h = ((h ^ (w & 0xFF)) * FNV_PRIME) & 0xFFFFFFFF
            w >>= 8
    return h


def xorshift32(state):
    """user/lib/ulib.c's xorshift32: yields the sequence from state (not 0)."""
    x = state & 0xFFFFFFFF
    while True:
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        yield x


def fill(template, values):
    """Fills {name} in template; a pattern's own regex braces must be doubled."""
    return template.format(**values)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GdbSession:
    """GDB attached to a test's halted QEMU, reporting its watches' stops.

    GDB runs a script file, since a breakpoint's command list cannot be
    given with -ex.  The script connects, loads the kernel's symbols and
    sets a breakpoint at each watched location.  At each stop, the
    breakpoint's commands print "TAG INDEX KEY" for every watch there whose
    condition holds, and continue, so the kernel never waits for a person.
    The script prints "TAG connected" once it has reached QEMU's GDB server
    and "TAG ready" once every breakpoint is set, then lets the machine run
    until QEMU exits.  If that `continue` returns early, `detach` lets the
    machine go on: a QEMU killed by GDB exits with code 0 and would look
    like a reset.  TAG is random, so no text built into the kernel (a file
    name in its debugging information, say) can pose as a stop."""

    def __init__(self, build, port, watches, enough=None):
        self.watches = list(watches)
        self.tag = "GRADER-%016x" % random.getrandbits(64)
        lines = ["set confirm off", "set pagination off", "set breakpoint pending off",
                 "set architecture i386", "target remote 127.0.0.1:%d" % port,
                 "echo %s connected\\n" % self.tag, "file " + os.path.join(build, "kernel.elf")]
        # User programs are linked at addresses of their own (user/Makefrag),
        # so their symbols load beside the kernel's without an offset.
        for name in dict.fromkeys(p for w in self.watches for p in w.symbols):
            lines.append("add-symbol-file " + os.path.join(build, "user", name + ".elf"))
        # One breakpoint per location: when two breakpoints share an address,
        # the first one's `continue` would skip the other's commands.
        # enough[i], if given, is the count of stops that passes watch i
        # ("at_least"): once every watch at a location has that many, the
        # breakpoint is disabled, since more stops cannot change the verdict
        # and each costs QEMU and GDB a round trip (a Lab 5 test's glibc
        # program makes hundreds of system calls; 12 pass it).
        enough = list(enough) if enough else [None] * len(self.watches)
        for n, location in enumerate(dict.fromkeys(w.location for w in self.watches)):
            here = [i for i, w in enumerate(self.watches) if w.location == location]
            counted = all(enough[i] is not None for i in here)
            lines += ["break " + location]
            if counted:
                lines += ["set $l4_b%d = $bpnum" % n] + ["set $l4_c%d = 0" % i for i in here]
            lines += ["commands", "silent"]
            for i in here:
                w = self.watches[i]
                hit = ['printf "%s %d %%u\\n", %s' % (self.tag, i, w.key or "0")]
                hit += ["set $l4_c%d = $l4_c%d + 1" % (i, i)] if counted else []
                lines += ["if " + w.cond] + hit + ["end"] if w.cond else hit
            if counted:
                lines += ["if " + " && ".join("$l4_c%d >= %d" % (i, enough[i]) for i in here),
                          "disable $l4_b%d" % n, "end"]
            lines += ["continue", "end"]
        lines += ["echo %s ready\\n" % self.tag, "continue", "detach"]
        fd, self.script = tempfile.mkstemp(prefix="l4lab-grader-", suffix=".gdb")
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        # GDB retries the connection until QEMU listens (set tcp auto-retry, on by
        # default).  An error ends the script early; the -ex detach after it
        # still runs, so that then too GDB lets go of QEMU rather than kill it.
        self.proc = subprocess.Popen(["gdb", "-nx", "-batch", "-x", self.script, "-ex", "detach"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, errors="replace",
                                     start_new_session=True)
        self.output = ""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.connected = self.ready = False
        self.error, self.keys = None, [[] for _ in self.watches]

    def _read(self):
        self.output = self.proc.stdout.read()

    def finish(self, timeout=5):
        """Waits for GDB to end (it ends when QEMU does), then reads its output:
        ready, keys (one list per watch, a key per stop) and error (GDB's
        first complaint, or None)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=5)
        try:
            os.remove(self.script)
        except OSError:
            pass
        tag = re.escape(self.tag)
        self.connected = re.search(r"^%s connected$" % tag, self.output, re.M) is not None
        self.ready = re.search(r"^%s ready$" % tag, self.output, re.M) is not None
        for m in re.finditer(r"^%s (\d+) (\d+)$" % tag, self.output, re.M):
            self.keys[int(m.group(1))].append(int(m.group(2)))
        # "Remote connection closed" is how every run ends: QEMU exited.
        errors = [m.group(1).strip() for m in re.finditer(r"^.*Error in .*:\n(.*)$", self.output, re.M)
                  if m.group(1).strip() != "Remote connection closed"]
        self.error = errors[0] if errors else None


def relevant_lines(output, limit=8):
    """What a student should look at: hole messages, panics, faults, the
    pager's complaints (Lab 3), and the end of the log, leaving out the boot
    chatter unless nothing else is left."""
    lines = output.rstrip("\n").splitlines()
    keep = [l for l in lines if HOLE_RE.match(l) or PANIC_RE.match(l)
            or l.startswith("user fault") or l.startswith("pager: ")][:5]
    rest = [l for l in lines if not BOOT_RE.match(l)] or lines
    return keep + [l for l in rest[-limit:] if l not in keep]


def judge(test, res, values, gdb=None, check=True):
    """Returns None if the run passed, else the reason it failed.  gdb is the
    run's finished GdbSession if it was watched; check=False skips test.check."""
    out = res.output
    holes = HOLE_RE.findall(out)
    hole_line = HOLE_RE.search(out)
    prefix = ("unfinished: '%s'. " % hole_line.group(0)) if holes else ""

    panic = PANIC_RE.search(out)
    if panic and test.exit_rc != qemu.EXIT_PANIC:
        return prefix + panic.group(0)
    if holes:
        return "unfinished: '%s' (a stub ran; implement it)" % hole_line.group(0)
    if res.reason == "timeout" and gdb and not gdb.connected:
        return "QEMU waited for GDB, which never connected: %s" % (gdb.error or "no reason given")
    if res.reason != "exit" and res.reason != "marker":
        return prefix + res.verdict()
    ended_badly = res.reason == "exit" and res.rc != test.exit_rc
    if gdb and not gdb.ready:
        reason = "GDB could not set its breakpoints (%s): %s" % (
            "; ".join(w.describe() for w in test.watches), gdb.error or "it gave no reason")
        return prefix + reason + ("; then " + res.verdict() if ended_badly else "")
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
    for w, keys in zip(test.watches, gdb.keys if gdb else []):
        reason = w.judge(keys, values)
        if reason:
            if gdb.error:
                reason += " (GDB said: %s)" % gdb.error
            if not check and BENCH_RE.search(out):
                reason += " (in a boot under GDB, whose stops inflate the BENCH figure)"
            return prefix + reason
    if check and test.check:
        reason = test.check(res, values)
        if reason:
            return prefix + reason
    if ended_badly:
        return prefix + "the run should end with %s, but %s" % (
            qemu.describe_exit(test.exit_rc), res.verdict())
    return None


def run_test(test, tree, scale=1.0, rng=None, also=()):
    """Runs one test on a built tree (or on its own reference, Test.solution);
    never raises for anything the kernel does.  also: variants of the test
    (the same programs, params, watches and timeout, other patterns or
    checks) judged on the same boots, with the same values, instead of
    booting again for each; their Outcomes are in the returned one's also."""
    outcomes = _run_judged(test, tree, scale, rng, list(also))
    if len(outcomes) == 1 and also:
        # Not booted (skipped, not built, a run= test): the same for each variant.
        o = outcomes[0]
        outcomes += [Outcome(v, o.passed, o.reason, o.seconds, o.output) for v in also]
    outcomes[0].also = outcomes[1:]
    return outcomes[0]


def _run_judged(test, tree, scale, rng, also):
    """run_test's work: [the test's Outcome] + [an Outcome for each variant in
    also], or only [the test's Outcome] where nothing was booted."""
    start = time.monotonic()
    if test.solution is not None:
        missing = missing_solution(test.needs) if test.needs is not None else None
        if missing is not None:
            return [Outcome(test, None, "needs solutions/lab%d, which this tree does not have "
                            "(it runs on the reference of labs 0..%d)" % (missing, test.needs),
                            0.0)]
        ok, log = build(test.solution)
        if not ok:
            return [Outcome(test, False, "make SOLUTION=%s failed" % test.solution,
                            time.monotonic() - start, log)]
        tree = build_dir(test.solution)
    if test.run:
        ok, reason, output, seconds = run_check(test.run, tree)
        return [Outcome(test, ok, reason, time.monotonic() - start, output)]
    rng = rng or random.SystemRandom()
    values = new_values(test, rng)
    judged = [test] + list(also)
    try:
        if test.watches and test.watch_apart:
            # Every GDB stop would count in what the program measures, so the
            # watches get a boot of their own, and the figures are judged in
            # a second boot without GDB.  Both must pass: the second boot is
            # made only for what passed the first.
            res, reasons = _boot(judged, tree, scale, values, watch=True, check=False)
            again = [t for t, r in zip(judged, reasons) if r is None]
            if again:
                res2, reasons2 = _boot(again, tree, scale, values, watch=False, check=True)
                second = dict(zip(map(id, again), reasons2))
                reasons = [second.get(id(t), r) for t, r in zip(judged, reasons)]
                results = [res2 if id(t) in second else res for t in judged]
            else:
                results = [res] * len(judged)
        else:
            res, reasons = _boot(judged, tree, scale, values, watch=bool(test.watches),
                                 check=True)
            results = [res] * len(judged)
    except (OSError, ValueError, KeyError) as e:
        return [Outcome(test, False, "grader could not run the test: %s" % e,
                        time.monotonic() - start)]
    outcomes = []
    for t, res, reason in zip(judged, results, reasons):
        benches = [dict(name=m.group(1), value=int(m.group(2)), unit=m.group(3),
                        runs=int(m.group(4)))
                   for m in BENCH_RE.finditer(res.output)] if reason is None else []
        outcomes.append(Outcome(t, reason is None, reason or "", time.monotonic() - start,
                                res.output, benches))
    return outcomes


def enough(watch, values):
    """The count of stops that passes an "at_least" watch (Watch.judge), else
    None: GDB may stop watching once it has them (GdbSession)."""
    if watch.mode != "at_least":
        return None
    return int(watch.expect(values) if callable(watch.expect) else fill(watch.expect, values))


def _boot(tests, build, scale, values, watch, check):
    """Boots the programs of tests[0] once, with GDB and its watches if watch;
    returns (qemu.Result, [judge's verdict for each of tests])."""
    # The boot's slot (qemu.slot) is taken before GDB starts: GDB's
    # connection would time out while QEMU waited for one.
    with qemu.slot():
        return _boot_now(tests, build, scale, values, watch, check)


def _boot_now(tests, build, scale, values, watch, check):
    test = tests[0]
    programs = [fill(p, values) for p in test.programs]
    port = free_port() if watch else None
    gdb = GdbSession(build, port, test.watches, [enough(w, values) for w in test.watches]) \
        if watch else None
    res = None
    try:
        res = qemu.run(build, programs, timeout=test.timeout * scale, gdb_port=port,
                       icount=test.icount, append=test.append,
                       until=(lambda out: HOLE_RE.search(out)) if test.stop_at_hole else None,
                       feed=[(fill(p, values), fill(t, values).encode()) for p, t in test.feed])
    finally:
        if gdb:
            # QEMU has ended, so GDB ends at once; if QEMU never ran, stop GDB.
            gdb.finish(timeout=5 if res else 0)
    return res, [judge(t, res, values, gdb, check) for t in tests]


# make test's parts load the lab files from several threads at once: a
# module is in sys.modules before it has run, so without this lock a lab
# file that imports another (lab6.py uses lab5.boot) could find that one
# half loaded by another thread.
_LOAD_LOCK = threading.RLock()


def load_lab(path):
    """Imports grader/labN.py (or an instructor's copy) as the module labN
    and returns its namespace.  Its folder comes first on the import path
    while it loads, so that a lab file may import modules beside it (lab4.py
    gathers lab4_exc, lab4_irq and lab4_sched)."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    with _LOAD_LOCK:
        sys.modules[name] = module
        sys.path.insert(0, folder)
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(folder)
    ns = vars(module)
    lab = ns["LAB"]
    for t in ns.get("TESTS", []) + ns.get("BENCHES", []):
        t.lab = lab
    return ns


def load_labs(tests_dir=None):
    """lab number -> namespace of its test file (load_lab), for every lab."""
    return {n: load_lab(p) for n, p in lab_files(tests_dir).items()}


def lab_files(tests_dir=None):
    """lab number -> path of its test file, from grader/ or an instructor's folder."""
    d = tests_dir or os.path.join(TOP, "grader")
    found = {}
    for name in os.listdir(d):
        m = re.match(r"^lab(\d+)\.py$", name)
        if m:
            found[int(m.group(1))] = os.path.join(d, name)
    return dict(sorted(found.items()))


def missing_solution(lab, top=TOP):
    """The first of solutions/lab0..lab that the tree lacks (a student
    handout has only the released ones), or None if it has them all.
    Checks that build on a reference are SKIP (never PASS) without it."""
    for k in range(lab + 1):
        if not os.path.isdir(os.path.join(top, "solutions", "lab%d" % k)):
            return k
    return None


def highest_solution(top=TOP):
    """The highest N such that the tree has solutions/lab0..N, or -1."""
    n = -1
    while missing_solution(n + 1, top) is None:
        n += 1
    return n


def with_fastpath(fast=None):
    """Whether a build has the IPC fast path: fast if given, else what
    FASTPATH in the environment says (on unless it is 0)."""
    return os.environ.get("FASTPATH") != "0" if fast is None else fast


def build_dir(solution, fast=None):
    # Without the IPC fast path make builds the kernel into a directory of
    # its own (Makefile).
    fast = with_fastpath(fast)
    return os.path.join(TOP, "build", ("student" if solution in (None, "") else "sol%s" % solution)
                        + ("" if fast else "-slow"))


# One build at a time in this process: the Makefile already lets one make
# at a time build a tree (flock), and a second build, even of another tree,
# would only compete for the same cores.
_build_lock = threading.Lock()
# The trees this process has built: the tree does not change while the
# grader runs, so each is built once (make test asks for build/sol2 in a
# dozen places, and even a make with nothing to do costs a second).
_built = set()


def build(solution, fast=None):
    """Builds the tree (once per process); returns (ok, log).  fast: False
    builds without the IPC fast path (FASTPATH=0, build_dir's -slow tree);
    None: as FASTPATH in the environment says (with_fastpath)."""
    fast = with_fastpath(fast)
    key = (solution if solution not in (None, "") else None, fast)
    # -j with output kept per target, so that two compilers' messages never mix.
    cmd = ["make", "-s", "-j%d" % (os.cpu_count() or 2), "--output-sync=target", "all",
           "FASTPATH=%d" % fast]
    if key[0] is not None:
        cmd.append("SOLUTION=%s" % solution)
    # The compiler quotes the student's source: decoded with replacement
    # and cleaned (qemu.clean), like everything a kernel prints.
    with _build_lock:
        if key in _built:
            return True, ""
        p = subprocess.run(cmd, cwd=TOP, capture_output=True)
        if p.returncode == 0:
            _built.add(key)
    return p.returncode == 0, qemu.clean(p.stdout + p.stderr)


# The median time of calibration_workload() on the reference machine: a
# 2-core AMD EPYC virtual machine (Python 3.11), measured idle; the test
# timeouts are set for that machine.
REFERENCE_SECONDS = 0.015
_scale = None


def calibration_workload():
    """A fixed piece of pure-Python work, about 15 ms on the reference machine."""
    counts, h = {}, 0
    for _ in range(60000):
        h = (h * 1103515245 + 12345) & 0xffffffff
        counts[h & 1023] = counts.get(h & 1023, 0) + 1
    return h + sum(counts.values())


def timeout_scale():
    """How much slower than the reference machine this one is now, at least 1:
    the median of five timings of calibration_workload() over REFERENCE_SECONDS.
    It measures the host, its speed and its load, never the tree being graded.
    GRADE_TIMEOUT_SCALE, if set, is used instead, as given (run_tests'
    scale argument overrides both: the grader's own tests give 0.2 to
    their hanging kernels)."""
    global _scale
    env = os.environ.get("GRADE_TIMEOUT_SCALE")
    if env:
        return float(env)
    if _scale is None:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            calibration_workload()
            times.append(time.perf_counter() - start)
        _scale = max(1.0, statistics.median(times) / REFERENCE_SECONDS)
    return _scale
