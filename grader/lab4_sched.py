"""Lab 4's scheduler tests (kernel/sched.c, the hole in kernel/prio.c):
fixed priorities, preemption, round robin among equals, time slices per
thread, SYS_SCHEDULE's checks, and IPC across priorities.

Each test boots user/tests/lab4_sched.c alone; the program measures in
timer ticks and judges itself, and its success line repeats the figures
that the grader checks once more against the parameters it chose.  This
is a plain module: grader/lab4.py puts TESTS into Lab 4's list.

Forged output does not pass (docs/grading.md, "What the grader defends
against"): the success line carries a digest of what the program's
threads received and the figures it chose from the seed, which the grader
works out here (DIGESTS); GDB stops once, when the program stops the
machine (the given sys_kdb_exit): it reads the same digest from the
program's memory and checks that the machine has counted at least the
ticks the test must take (the given timer's `ticks`, kernel/trap.c).  One
stop only, at the end, so that nothing disturbs the measurements.
"""

import re

from gradelib import Test, Watch, digest, xorshift32

PROGRAM = "lab4_sched"

EINVAL, ENOPARTNER, EPERM = -2, -6, -9


def picks(v, n):
    """lab4_sched's first n pick(lo, hi) draws, as (lo, hi) -> value functions."""
    rng = xorshift32(v["seed"] or 1)
    return [lambda lo, hi, x=next(rng): lo + x % (hi - lo + 1) for _ in range(n)]


def preempt_words(v):
    """The words the high thread and the low spinner received: the third
    and fourth draws, after the two priorities."""
    rng = xorshift32(v["seed"] or 1)
    draws = [next(rng) for _ in range(4)]
    return draws[2:]


def round_robin_words(v):
    p = picks(v, 2)
    return [v["k"], v["slice"], v["k"] * v["slice"] * p[1](3, 6)]


def ipc_prio_words(v):
    p = picks(v, 5)
    return [0, p[3](4, 10), p[4](3, 6)]


# What lab4_sched folds into its digest after SEED, from the run's values.
DIGESTS = {
    "preempt": preempt_words,
    "round_robin": round_robin_words,
    "slice": lambda v: [v["a"], v["b"], 5 * (v["a"] + v["b"]) + v["a"]],
    "sched_perm": lambda v: [EINVAL] * 3 + [ENOPARTNER] * 2 + [0, 0, EPERM, EPERM, 0, 0, 0],
    "ipc_prio": ipc_prio_words,
}

# The fewest timer ticks each test takes (its shortest sleeps and
# measurements with the smallest parameters): a kernel that stops the
# machine sooner did not run it.
MIN_TICKS = {"preempt": 3, "round_robin": 12, "slice": 77, "sched_perm": 2, "ipc_prio": 11}


def sched_test(name, points, doc, args="", params=None, ok="", check=None):
    """A test `name` that boots lab4_sched NAME NONCE SEED ARGS and expects
    its success line, "lab4 NAME: nonce=NONCE OK digest=DIGEST ok"."""
    return Test(name, points=points, doc=doc,
                programs=["%s %s {nonce} {seed} %s" % (PROGRAM, name, args)],
                params=dict(params or {}, seed=(1, 2**31 - 1)),
                derive=lambda v: {"digest": digest(DIGESTS[name](v), v["seed"] or 1)},
                expect=[(r"^lab4 %s: nonce={nonce} %sdigest={digest:08x} ok$" % (name, ok),
                         "lab4_sched's success line")],
                watches=[Watch("sys_kdb_exit", cond="tf->ebx == 0", key="test_digest",
                               mode="equals", expect="{digest}", symbols=[PROGRAM],
                               what="lab4_sched's digest in its own memory when it stopped "
                                    "the machine"),
                         Watch("sys_kdb_exit", cond="tf->ebx == 0 && ticks >= %d"
                               % MIN_TICKS[name], mode="at_least", expect="1",
                               what="stops of the machine after at least %d timer ticks (the given "
                                    "ticks, kernel/trap.c)"
                               % MIN_TICKS[name])],
                check=check, timeout=20)


def woke_in_time(res, values):
    """preempt: the sleeper ran again within two ticks of its sleep."""
    m = re.search(r"^lab4 preempt: nonce=\S+ sleep=(\d+) woke_after=(\d+) ok$", res.output, re.M)
    if m and not int(m.group(1)) <= int(m.group(2)) <= values["sleep"] + 2:
        return "the high thread slept %s ticks and ran %s ticks later: expected %d..%d" % (
            m.group(1), m.group(2), values["sleep"], values["sleep"] + 2)
    return None


def runs_match(res, values):
    """slice: each thread's typical run is its own slice, within a tick."""
    m = re.search(r"^lab4 slice: nonce=\S+ runs=(\d+),(\d+) ok$", res.output, re.M)
    if m:
        for got, want in zip((int(m.group(1)), int(m.group(2))), (values["a"], values["b"])):
            if abs(got - want) > 1:
                return "a thread with a slice of %d ticks ran %d ticks at a time" % (want, got)
    return None


TESTS = [
    sched_test("preempt", 8,
               doc="A high-priority thread whose sleep ends preempts a spinning low-priority "
                   "thread at once (not when the spinner's long slice ends); a high thread "
                   "woken by a low one's message runs before the sender's IPC returns.",
               args="{sleep}", params={"sleep": (3, 12)},
               ok=r"sleep={sleep} woke_after=\d+ ", check=woke_in_time),
    sched_test("round_robin", 6,
               doc="K spinners of one priority share the CPU in turns, each about 1/K of the "
                   "ticks; a thread of a lower priority gets nothing while they are ready.",
               args="{k} {slice}", params={"k": (2, 4), "slice": (2, 5)},
               ok=r"spinners={k} slice={slice} ticks=\d+ "),
    sched_test("slice", 6,
               doc="Two spinners of one priority with different slices each run their own "
                   "slice's ticks before the other gets the CPU (measured with l4_clock).",
               args="{a} {b}", params={"a": (2, 6), "b": (13, 20)},
               ok=r"runs=\d+,\d+ ", check=runs_match),
    sched_test("sched_perm", 5,
               doc="SYS_SCHEDULE refuses a bad priority or slice (-L4_EINVAL), a thread that "
                   "ended (-L4_ENOPARTNER) and any caller outside a root task (-L4_EPERM); a "
                   "good call takes effect at once."),
    sched_test("ipc_prio", 5,
               doc="A low client calls a high server over and over: a middle thread that wakes "
                   "runs ahead of the client (the reply does not let the client jump the "
                   "queue), and the client carries on when the middle thread sleeps again."),
]
