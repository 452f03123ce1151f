"""Lab 4, exceptions as IPC: the tests and the benchmark of kernel/exception.c.

Not a lab file of its own (the grader loads only files named labN.py):
grader/lab4.py imports TESTS and BENCHES from here, beside the interrupt
and scheduling tests.

Every test boots user/tests/lab4_exc.c alone (a root task: no sigma0, no
pager).  The program's exception handler is a thread of its own that logs
each message and answers as the test plans; the faulting threads run one
small assembly routine per instruction with random registers, so the
program itself checks the message and the registers the thread resumes
with.  The grader checks the success line with the run's nonce, and the
kernel's reports: none at all where every exception must be resolved, and
in the robust test exactly the ones the program announces, in order, each
with the vector, the eip, the random registers of the thread (so the
kernel must put back what the message overwrote), and the line about the
handler that the grader's own list expects.

Forged output does not pass (docs/grading.md, "What the grader defends
against"): the success line carries a digest of the exception messages
the program's handlers took (vector and error code of each), which the
grader works out here (MESSAGES); GDB reads the same digest from the
program's memory when it stops the machine (the given sys_kdb_exit),
counts the exceptions that reach the given exception() (kernel/
exception.c, before the hole), and the handlers' resume replies (IPC with
the exception reply's tag, in the given sys_ipc): a reply only comes for a
message the handler received.
"""

import re

import faults
from gradelib import Bench, Test, Watch, digest

PROGRAM = "lab4_exc"

# "lab4 robust: expecting a report: vector V at 0xEIP, handler H|none (why); regs R1 .. R7"
ANNOUNCE_RE = (r"^lab4 robust: expecting a report: vector (\d+) at 0x([0-9a-f]{8}), "
               r"handler (\d+|none) \((.*)\); regs((?: [0-9a-f]{8}){7})$")

# What lab4_exc robust provokes, in order: (vector, the start of the
# handler line's explanation, or None: the thread has no handler, so the
# report has no handler line).
NOT_RESUME = "its reply was not a resume message"
ROBUST_REPORTS = [(6, None),
                  (0, NOT_RESUME),                  # a reply with a bad label
                  (13, NOT_RESUME),                 # a short reply (to a cli)
                  (6, NOT_RESUME),                  # a reply with typed words
                  (3, "it ended before it replied"),
                  (6, "the thread is its own exception handler"),
                  (6, "no such thread (it has ended)")]
REGS = ("eax", "ebx", "ecx", "edx", "esi", "edi", "ebp")


def no_reports(res, values):
    """Every exception of the test is resolved: the kernel reports none."""
    m = re.search(r"^user fault: .*$", res.output, re.M)
    if m:
        return "the kernel stopped a thread whose exception its handler resolved: '%s'" % m.group(0)
    return None


def describe(vector, eip, handler, why):
    return "a report of vector %d at eip 0x%08x %s" % (
        vector, eip, "with no handler line (the thread has no handler)" if why is None else
        "whose handler line names thread %s and says '%s...'" % (handler, why))


def robust_reports(res, values):
    """The kernel reports each exception lab4_exc robust announces, in
    order, and no other: vector, eip, registers, handler line."""
    said = re.findall(ANNOUNCE_RE, res.output, re.M)
    got = faults.exception_reports(res.output)
    for i, (vector, why) in enumerate(ROBUST_REPORTS):
        if i >= len(said):
            return "expected report %d (vector %d), but lab4_exc did not announce it" % (i + 1, vector)
        a_vector, a_eip, a_handler, _, a_regs = said[i]
        eip, regs = int(a_eip, 16), [int(r, 16) for r in a_regs.split()]
        if int(a_vector) != vector or (a_handler == "none") != (why is None):
            return "test bug: report %d should be vector %d %s, but lab4_exc announced '%s'" % (
                i + 1, vector, "without a handler" if why is None else "with a handler",
                said[i][3])
        want = describe(vector, eip, a_handler, why)
        if i >= len(got):
            return "expected %s, but the kernel reported %s" % (
                want, "%d such report(s) only" % len(got) if got else "none")
        r = got[i]
        if r.program != PROGRAM or r.vector != vector or r.eip != eip:
            return "expected %s, but the kernel reported: '%s'" % (want, r.lines[0])
        line = [l.strip() for l in r.lines if "its exception handler" in l]
        if why is None and line:
            return "expected %s, but the report says: '%s'" % (want, line[0])
        if why is not None and (r.handler != int(a_handler) or not r.handler_why.startswith(why)):
            return "expected %s, but the report says: '%s'" % (
                want, line[0] if line else "(no line about the exception handler)")
        for name, have, had in zip(REGS, r.regs, regs):
            if have != had:
                return "expected %s with %s 0x%08x, the thread's own, but the report shows " \
                       "0x%08x (what the exception IPC overwrites must be put back when it " \
                       "fails)" % (want, name, had, have)
    reported = len(re.findall(r"^user fault: ", res.output, re.M))
    if reported != len(ROBUST_REPORTS):
        return "the kernel reported %d user faults, expected %d" % (reported, len(ROBUST_REPORTS))
    return None


# The (vector, error code) of each exception message lab4_exc's handlers
# take, in order; the program folds them into its digest after SEED | 1.
# robust: a divide, a cli and a ud2 whose replies are bad, the ud2 of the
# reply too long, the ud2 and cli around the reply with IOPL 3, the int3
# whose handler ends, and the last divide error.  The exceptions without
# a usable handler send no message.
MESSAGES = {
    "resume": [(6, 0)] * 3,
    "divide": [(0, 0)],
    "traps": [(3, 0), (13, 0x80 << 3 | 2), (13, 0)],
    "robust": [(0, 0), (13, 0), (6, 0), (6, 0), (6, 0), (13, 0), (3, 0), (0, 0)],
}

# How many exceptions reach the given exception() (robust: the seven
# reports' and the four resolved ones), and how many of them the handler
# resolves with a proper reply.
EXCEPTIONS = {"resume": (3, 3), "divide": (1, 1), "traps": (3, 3), "robust": (11, 4)}

# MR0 of a resume reply: label 0, L4_EXC_WORDS (12) untyped words, no typed ones.
RESUME_TAG = 12


def exc_test(name, which, points, doc, check=no_reports):
    """A test `name` that boots lab4_exc WHICH NONCE SEED."""
    exceptions, resumed = EXCEPTIONS[which]
    words = [w for m in MESSAGES[which] for w in m]
    return Test(name, points=points, doc=doc,
                programs=["%s %s {nonce} {seed}" % (PROGRAM, which)],
                params={"seed": (1, 2**31 - 1)},
                derive=lambda v: {"digest": digest(words, v["seed"] | 1)},
                expect=[(r"^lab4 %s: nonce={nonce} digest={digest:08x} ok$" % which,
                         "lab4_exc's success line")],
                watches=[Watch("sys_kdb_exit", cond="tf->ebx == 0", key="test_digest",
                               mode="equals", expect="{digest}", symbols=[PROGRAM],
                               what="lab4_exc's digest in its own memory when it stopped the "
                                    "machine"),
                         Watch("exception", mode="at_least", expect=str(exceptions),
                               what="exceptions (entries into exception)"),
                         Watch("sys_ipc", cond="tf->esi == %d" % RESUME_TAG, mode="at_least",
                               expect=str(resumed),
                               what="resume replies of the exception handler (sys_ipc with "
                                    "tag %d)" % RESUME_TAG)],
                check=check, timeout=20)


TESTS = [
    exc_test("exc_resume", "resume", 10,
             doc="A ud2, three times, with random registers and flags: the handler's message has "
                 "the exception tag, vector 6, error code 0, the ud2's eip, esp, eflags and every "
                 "register; the reply's eip (past the ud2), esp, arithmetic flags and a random "
                 "subset of registers show up in the thread, the other registers and the "
                 "thread's MR2..MR15 and receive window are as they were."),
    exc_test("exc_divide", "divide", 7,
             doc="A divide error reaches the handler with vector 0, error code 0, the divide's "
                 "eip and the thread's registers; the reply resumes the thread after the divide "
                 "with the eax and edx it gives."),
    exc_test("exc_traps", "traps", 8,
             doc="int3 arrives as vector 3 with the eip after it; int $0x80 as a general "
                 "protection fault with error code 0x402 (0x80 << 3 | 2), whose reply emulates a "
                 "system call (eax, eip + 2), as Lab 5's Linux server will; cli as a general "
                 "protection fault with error code 0."),
    exc_test("exc_robust", "robust", 10,
             doc="A thread without a handler, one whose handler replies with a bad label, too "
                 "few words or typed words, one whose handler ends, one that is its own handler "
                 "and one whose handler has ended are stopped and reported (vector, eip, their "
                 "own registers, why); a reply too long fails with -L4_EMSGLEN; a reply cannot "
                 "set IOPL, NT or clear IF (the next cli faults again); l4_set_handler fails "
                 "with -L4_EPERM outside a root task and -L4_ENOPARTNER for ended threads, as "
                 "do the creation calls; afterwards exceptions are still handled.",
             check=robust_reports),
]

BENCHES = [
    Bench("exc.rtt", program="bench_exc 200 {unit} {nonce}",
          paper="an exception reflected to a user-level handler and back: 3.4 us on L4 vs 12 us "
                "on Linux, Pentium 133 (Table 5).  In L4Linux an unmodified binary's system call "
                "takes this path (getpid by trampoline 753 cycles vs 526 by direct IPC, Table 2): "
                "compare ipc.rtt.same_space and trap.rtt"),
]
