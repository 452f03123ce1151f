"""Lab 4's scheduler tests (kernel/sched.c, the hole in kernel/prio.c):
fixed priorities, preemption, round robin among equals, time slices per
thread, SYS_SCHEDULE's checks, and IPC across priorities.

Each test boots user/tests/lab4_sched.c alone; the program measures in
timer ticks and judges itself, and its success line repeats the figures
that the grader checks once more against the parameters it chose.  This
is a plain module: grader/lab4.py puts TESTS into Lab 4's list.
"""

import re

from gradelib import Test

PROGRAM = "lab4_sched"


def sched_test(name, points, doc, args="", params=None, ok="", check=None):
    """A test `name` that boots lab4_sched NAME NONCE SEED ARGS and expects
    its success line, "lab4 NAME: nonce=NONCE OK ok"."""
    return Test(name, points=points, doc=doc,
                programs=["%s %s {nonce} {seed} %s" % (PROGRAM, name, args)],
                params=dict(params or {}, seed=(1, 2**31 - 1)),
                expect=[(r"^lab4 %s: nonce={nonce} %sok$" % (name, ok),
                         "lab4_sched's success line")],
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
