"""Lab 4, interrupts as IPC: the graded tests and the irq.user_latency
benchmark.  grader/lab4.py takes TESTS and BENCHES from here (the grader
loads only files named labN.py, so this one is a plain module).

Holes: irq_deliver and irq_receive in kernel/irq.c (mask, deliver or keep
pending, acknowledge and unmask).  The tests boot user/tests/lab4_irq.c,
alone or after the COM1 driver user/serial_drv.c; they use the RTC (line
8) as a source of interrupts whose count the device itself keeps
(register C), and COM1's input, which the grader types into QEMU's serial.

Forged output does not pass (docs/grading.md, "What the grader defends
against"): the success line carries a digest of what the program checked
(each result, the number of each interrupt it took, each byte it read),
which the grader works out here (DIGESTS); GDB reads the same digest from
the program's memory when it stops the machine (the given sys_kdb_exit),
and counts the interrupts of the line that reach the given irq_interrupt()
(kernel/irq.c, before the holes).
"""

from gradelib import Test, Bench, Watch, digest

PROGRAM = "lab4_irq"

# The errors lab4_irq expects (include/l4/abi.h), negated as the calls return them.
EINVAL, EPERM, EBUSY = -2, -9, -10
TIMED_OUT, NO_PARTNER = -(5 | 0x100), -(6 | 0x100)     # in the receive phase


def busy_words(v):
    """lab4_irq busy: io_access and the attach, each interrupt n taken, the
    receive that must time out before each acknowledgement, the zero-timeout
    acknowledgement of the even ones, and the detach at the end."""
    out = [0, 0, 1]
    for n in range(2, v["rounds"] + 1):
        out += [TIMED_OUT] + ([n] if n % 2 else [TIMED_OUT, n])
    return out + [TIMED_OUT, 0]


# lab4_irq control's results, in order (test_control, rival, check_outsider),
# with the one interrupt it takes on line 8 (the 1).
CONTROL = [0, EINVAL, EINVAL, EINVAL, NO_PARTNER, 0, 0, TIMED_OUT, 0, EBUSY, EINVAL,
           NO_PARTNER, 0, 0, EPERM, EPERM, 0, 1, 0, TIMED_OUT, NO_PARTNER, 0, EINVAL]

# What lab4_irq folds into its digest after its first parameter (0 for serial).
DIGESTS = {
    "serial": lambda v: (0, [ord(c) for c in "%s-%s%s-%s-%s" % (v["nonce"], v["a"], v["b"],
                                                                  v["nonce"], v["c"])]),
    "busy": lambda v: (v["rounds"], busy_words(v)),
    "control": lambda v: (v["line"], CONTROL),
}


def derive(name):
    def values(v):
        first, words = DIGESTS[name](v)
        return {"digest": digest(words, first)}
    return values


def watches(name, line, interrupts):
    """lab4_irq's digest in its memory when it stops the machine (the given
    sys_kdb_exit), and at least `interrupts` (a function of the run's
    values) interrupts of `line` in the given irq_interrupt."""
    return [Watch("sys_kdb_exit", cond="tf->ebx == 0", key="test_digest", mode="equals",
                  expect="{digest}", symbols=[PROGRAM],
                  what="lab4_irq's digest in its own memory when it stopped the machine"),
            Watch("irq_interrupt", cond="line == %d" % line, mode="at_least", expect=interrupts,
                  what="interrupts of line %d (entries into irq_interrupt)" % line)]


def ok_line(name, rest=""):
    return (r"^lab4 %s: nonce={nonce}%s digest={digest:08x} ok$" % (name, rest),
            "lab4_irq %s's success line" % name)


TESTS = [
    Test("irq_serial", points=12,
         doc="Text the grader types on COM1 (random, with the nonce, longer than the UART's "
             "FIFO) reaches serial_drv's client complete and in order, in two parts: the "
             "second typed only after the first has arrived, while the driver waits: its "
             "interrupts become IPC, each one acknowledged, none lost.",
         programs=["serial_drv", PROGRAM + " serial {nonce}"],
         params={"a": (10**6, 10**9), "b": (10**6, 10**9), "c": (10**6, 10**9)},
         feed=[(r"^serial_drv: ready on COM1", "{nonce}-{a}."),
               (r"^lab4 serial: nonce={nonce} part 1 received=", "{b}-{nonce}-{c}.")],
         expect=[(r"^serial_drv: ready on COM1", "serial_drv's line saying it is ready"),
                 (r"^lab4 serial: nonce={nonce} part 1 received={nonce}-{a}$",
                  "the client's line with the first text the grader typed, complete and in order"),
                 (r"^lab4 serial: nonce={nonce} part 2 received={b}-{nonce}-{c}$",
                  "the client's line with the second text the grader typed, complete and in "
                  "order"),
                 ok_line("serial")],
         # Two parts typed at different times: at least two interrupts.
         derive=derive("serial"), watches=watches("serial", 4, "2")),
    Test("irq_busy", points=13,
         doc="The RTC interrupts periodically; its handler takes ROUNDS interrupts, each "
             "confirmed by the RTC's register C: nothing is delivered before the handler "
             "acknowledges (the line stays masked), an interrupt that comes while the handler "
             "is busy is kept pending and delivered once, at its next receive.",
         programs=[PROGRAM + " busy {nonce} {rounds} {rate}"],
         params={"rounds": (6, 12), "rate": (6, 8)},
         derive=derive("busy"), watches=watches("busy", 8, "{rounds}"),
         expect=[ok_line("busy", " rounds={rounds}")]),
    Test("irq_control", points=10,
         doc="Lines 0, 2 and 16 give -L4_EINVAL, a line with a handler -L4_EBUSY, a task that "
             "is not a root task -L4_EPERM (for I/O access too); only a line's handler may "
             "receive from its ID; a detached line delivers nothing; a handler that ends "
             "frees its line.",
         programs=[PROGRAM + " control {nonce} {line}"],
         params={"line": (9, 15)},
         derive=derive("control"), watches=watches("control", 8, "1"),
         expect=[ok_line("control", " line={line}")]),
]

BENCHES = [
    Bench("irq.user_latency", program="bench_irq 200 {unit} {nonce}",
          paper="the paper gives no figure for interrupt latency; compare trap.rtt (Lab 0) and "
                "half of ipc.rtt.same_space (Lab 1): an interrupt to a user handler is a kernel "
                "entry, a one-way message and a switch to the handler"),
]
