"""Lab 6 — a fast path for IPC.  Handout: labs/lab6-fastpath/README.md.

Holes: fastpath_ipc and fastpath_call (kernel/fastpath.c).  The given stub
says "not taken" to every IPC, so the slow path does them all and every
answer is already right: what these tests grade is which path carried
which IPC, and that the answers stay the slow path's.

GDB counts both paths in given code: the end of the fast paths' switch
(fastpath_exit, kernel/arch/i386/sysenter.asm, where current is already
the partner: a condition on the current thread's registers reads the
message just delivered) and the slow path's entry (ipc_slow,
kernel/ipc_syscall.c).  The "checks" test's program (user/tests/lab6_fast.c)
gives each of its calls its own label, so GDB's conditions tell the calls
apart; its digest folds, in order, what each of its threads received, and
the grader works it out from the seed alone (expected_words) and reads it
from the program's memory when the program stops the machine.  A kernel
that prints the success line, or skips the IPC, cannot make GDB see the
switches or the program's memory hold the digest.
"""

import lab1
import lab5
from gradelib import Test, Bench, Watch, digest

LAB = 6
TITLE = "A fast path for IPC"

M = 0xFFFFFFFF
ETIMEOUT, ERECV = 5, 0x100
LABEL = 0x6A0                   # lab6_fast's scenario n has label LABEL + 2n
ITEM_MAP = 0x8                  # L4_ITEM_MAP
H_RAN = 0x4848

# The current thread's saved user registers, as thread_tf() finds them
# (kernel/thread.h: the trapframe ends the thread's 4 KiB kernel stack).
CURRENT_TF = "(((struct trapframe *)((char *)current + 4096)) - 1)"


def expected_words(v):
    """What lab6_fast folds after its seed, in the order its threads fold it
    (user/tests/lab6_fast.c): the server S's view of each message (label,
    MR1, untyped and typed counts, the typed words), the caller's result
    and reply, and the helper's mark, which comes before S's view of the
    last call because the helper outranks S."""
    m = [lab1.seeded(v["seed"], n) for n in range(5)]

    def server(n, typed=()):
        return [LABEL + 2 * n, m[n], 1, len(typed)] + list(typed)

    def reply(n):
        return [0, LABEL + 2 * n + 1, ~m[n] & M]

    return (server(0) + reply(0) +
            server(1, [ITEM_MAP, 0]) + reply(1) +            # nil window: nothing lands
            [-ETIMEOUT] +                                    # 2: the receiver waits for S
            [-(ETIMEOUT | ERECV)] + server(3) + [-ETIMEOUT] +  # 3: S's reply finds nobody
            [H_RAN] + server(4) + reply(4))


# At fastpath_exit, a real switch: %eax holds the saved stack of the thread
# just made current (its TCB and kernel stack share one 4 KiB page), and
# %esp is still on another thread's stack.  A ring-0 forger that jumps to
# fastpath_exit without switching threads is not counted (the grader's
# self-test found one that was).
SWITCHED = ("((unsigned)$eax & ~0xFFF) == (unsigned)current && "
            "((unsigned)$sp & ~0xFFF) != (unsigned)current")
# At ipc_slow or exception_ipc, the current thread's own system call or
# exception: not a trapframe made up elsewhere to be counted.
OWN_TF = "tf == %s" % CURRENT_TF


def switched(cond=None):
    """A GDB condition at fastpath_exit: a real switch, and cond."""
    return SWITCHED if cond is None else "%s && %s" % (SWITCHED, cond)


def slow_labels(first, last):
    """A GDB condition at ipc_slow: the call's label is one of lab6_fast's
    scenarios first..last."""
    return "(tf->esi >> 16) >= %#x && (tf->esi >> 16) <= %#x && !((tf->esi >> 16) & 1)" % (
        LABEL + 2 * first, LABEL + 2 * last)


FAST_RUN = Test(
    "fast_taken", points=30,
    doc="bench_ipc's calls to a server thread that waits for them, and the server's replies, "
        "switch directly (the fast path), and every answer is right.",
    programs=["bench_ipc 100 instructions {nonce}"],
    watches=[Watch("fastpath_exit", cond=switched(), mode="at_least", expect="150",
                   what="direct switches of the IPC fast path")],
    expect=[(r"^bench_ipc: nonce={nonce} runs=100$", "bench_ipc's first line"),
            (r"^BENCH ipc\.rtt\.same_space value=\d+ ", "bench_ipc's result line")])

CHECKS = Test(
    "checks", points=40,
    doc="A common-case call takes the fast path; a map item, a receiver waiting for another "
        "thread, a zero receive timeout and a ready thread above the receiver each leave the "
        "call to the slow path, with the slow path's results.",
    programs=["lab6_fast {nonce} {seed}"],
    params={"seed": (1, 2**31 - 1)},
    derive=lambda v: {"digest": digest(expected_words(v), v["seed"])},
    watches=[
        Watch("sys_kdb_exit", cond="tf->ebx == 0", key="test_digest", mode="equals",
              expect="{digest}", symbols=["lab6_fast"],
              what="lab6_fast's digest in its own memory when it stopped the machine"),
        Watch("fastpath_exit", cond=switched("(%s->esi >> 16) == %#x" % (CURRENT_TF, LABEL)),
              mode="at_least", expect="1",
              what="direct switches of the common-case call (label %#x)" % LABEL),
        Watch("ipc_slow", cond=slow_labels(0, 0), key="tf->esi >> 16", expect="0",
              what="slow-path entries of the common-case call (label %#x)" % LABEL),
        Watch("ipc_slow", cond="%s && %s" % (OWN_TF, slow_labels(1, 4)), key="tf->esi >> 16",
              expect="4",
              what="slow-path entries of the four calls the fast path must refuse "
                   "(labels %#x..%#x)" % (LABEL + 2, LABEL + 8)),
    ],
    expect=[(r"^lab6 checks: nonce={nonce} digest={digest:08x} ok$",
             "lab6_fast's success line")])

TESTS = [FAST_RUN, CHECKS]

# Lab 2's ipc.rtt.inter_space under a name of its own: the figures
# (grader/figures.json) are one per name, and Lab 2's is the slow path's.
BENCHES = [
    Bench("ipc.fast.inter_space",
          program=["bench_map ipc.fast.inter_space 1000 {unit} {nonce}", "bench_map server"],
          paper="2 x 121 cycles one-way IPC (1997); Liedtke's lower bound: about 20 kernel "
                "instructions one way; plus the TLB refills an address-space switch costs"),
    # The same round trip entered with int $0x30 on both sides (l4_ipc_int),
    # so that the handout can set sysenter's saving beside it.
    Bench("ipc.fast.inter_space.int",
          program=["bench_map ipc.fast.inter_space.int 1000 {unit} {nonce}",
                   "bench_map server int"],
          paper="compare ipc.fast.inter_space: the same round trip entered with sysenter"),
]

# --- The exception fast path (kernel/fastexc.c; issue 16, part B) ---
#
# GDB tells the two exception paths apart at their given ends: the fast
# path's switch ends at fastpath_exit with the handler current and the
# exception message in its registers (label L4_LABEL_EXCEPTION in its
# saved %esi, the faulting thread's %eax in MR6 of its UTCB), and the slow
# path enters Lab 4's exception_ipc.  fastpath_call alone (with
# exception_ipc's staging) also switches directly, so each test also
# counts exception_ipc's entries.

EXC_MARK = 0x6E0C0000           # bench_exc checks: scenario n's worker raises with eax = EXC_MARK + n
EXC_LABEL = 0xFFD0               # L4_LABEL_EXCEPTION (include/l4/abi.h)
EXC_EAX = 6                     # L4_EXC_EAX: the faulting thread's %eax in the message
# At fastpath_exit: the switch delivered an exception message to current.
EXC_DELIVERED = "(%s->esi >> 16) == %#x" % (CURRENT_TF, EXC_LABEL)
# exception_ipc entered although the handler waited for this thread (or anyone).
HANDLER_WAITING = ("handler->state == TS_RECEIVING && (handler->ipc_from == 0xFFFFFFFF || "
                   "handler->ipc_from == current->tid)")

EXC_FAST_RUN = Test(
    "exc_fast_taken", points=10,
    doc="bench_exc's exceptions, whose handler waits for them, go to the handler and back "
        "by the exception fast path (a direct switch, no exception_ipc), and every answer is "
        "right.",
    programs=["bench_exc 100 instructions {nonce}"],
    watches=[Watch("fastpath_exit", cond=switched(EXC_DELIVERED), mode="at_least", expect="95",
                   what="direct switches to a handler with an exception message (the exception "
                        "fast path)"),
             Watch("exception_ipc", cond=HANDLER_WAITING, key="tf->eax", expect="0",
                   what="exception_ipc entries for a handler that waited (the fast path's case)")],
    expect=[(r"^bench_exc: nonce={nonce} runs=100$", "bench_exc's first line"),
            (r"^BENCH exc\.rtt value=\d+ ", "bench_exc's result line")])

EXC_CHECKS = Test(
    "exc_fast_checks", points=20,
    doc="An exception whose handler waits for anyone takes the fast path; a handler that waits "
        "for another thread, one that is not waiting, and a ready thread above the handler each "
        "leave the exception to exception_ipc, and every thread resumes with the registers the "
        "handler's reply gives.",
    programs=["bench_exc checks {nonce}"],
    watches=[
        Watch("fastpath_exit", cond=switched("%s && current->utcb->mr[%d] == %#x" % (
            EXC_DELIVERED, EXC_EAX, EXC_MARK)),
              mode="at_least", expect="1",
              what="direct switches of the common-case exception (eax %#x)" % EXC_MARK),
        Watch("exception_ipc", cond="tf->eax == %#x" % EXC_MARK, key="tf->eax", expect="0",
              what="exception_ipc entries of the common-case exception (eax %#x)" % EXC_MARK),
        Watch("exception_ipc", cond="%s && tf->eax > %#x && tf->eax <= %#x" % (
            OWN_TF, EXC_MARK, EXC_MARK + 3),
              key="tf->eax", expect="3",
              what="exception_ipc entries of the three exceptions the fast path must refuse "
                   "(eax %#x..%#x)" % (EXC_MARK + 1, EXC_MARK + 3)),
    ],
    expect=[(r"^lab6 exc_checks: nonce={nonce} answered=4 ok$", "bench_exc checks' success line")])

TESTS += [EXC_FAST_RUN, EXC_CHECKS]

# Lab 4's and Lab 5's benchmarks on the exception fast path, under names of
# their own (figures are one per name): the same programs, the same samples.
BENCHES += [
    Bench("exc.fast.rtt", program="bench_exc 200 {unit} {nonce} exc.fast.rtt",
          paper="an exception reflected to a user-level handler and back: 3.4 us on L4 vs "
                "12 us on Linux, Pentium 133 (Table 5)"),
    Bench("lx.fast.getpid", program=lab5.boot("/bin/lxbench getpid 200 {unit} fast."),
          paper="getpid: 223 / 526 / 753 cycles (Table 2) " + lab5.PAPER),
    Bench("lx.fast.pipe_rtt", program=lab5.boot("/bin/lxbench pipe_rtt 200 {unit} fast."),
          paper="pipe latency: 29.0 / 52.1 / 69.4 us (Table 3) " + lab5.PAPER),
]
