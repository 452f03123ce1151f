"""Lab 4, interrupts as IPC: the graded tests and the irq.user_latency
benchmark.  grader/lab4.py takes TESTS and BENCHES from here (the grader
loads only files named labN.py, so this one is a plain module).

Holes: irq_deliver and irq_receive in kernel/irq.c (mask, deliver or keep
pending, acknowledge and unmask).  The tests boot user/tests/lab4_irq.c,
alone or after the COM1 driver user/serial_drv.c; they use the RTC (line
8) as a source of interrupts whose count the device itself keeps
(register C), and COM1's input, which the grader types into QEMU's serial.
"""

from gradelib import Test, Bench

PROGRAM = "lab4_irq"


def ok_line(name, rest=""):
    return (r"^lab4 %s: nonce={nonce}%s ok$" % (name, rest), "lab4_irq %s's success line" % name)


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
                  "order")]),
    Test("irq_busy", points=13,
         doc="The RTC interrupts periodically; its handler takes ROUNDS interrupts, each "
             "confirmed by the RTC's register C: nothing is delivered before the handler "
             "acknowledges (the line stays masked), an interrupt that comes while the handler "
             "is busy is kept pending and delivered once, at its next receive.",
         programs=[PROGRAM + " busy {nonce} {rounds} {rate}"],
         params={"rounds": (6, 12), "rate": (6, 8)},
         expect=[ok_line("busy", " rounds={rounds}")]),
    Test("irq_control", points=10,
         doc="Lines 0, 2 and 16 give -L4_EINVAL, a line with a handler -L4_EBUSY, a task that "
             "is not a root task -L4_EPERM (for I/O access too); only a line's handler may "
             "receive from its ID; a detached line delivers nothing; a handler that ends "
             "frees its line.",
         programs=[PROGRAM + " control {nonce} {line}"],
         params={"line": (9, 15)},
         expect=[ok_line("control", " line={line}")]),
]

BENCHES = [
    Bench("irq.user_latency", program="bench_irq 200 {unit} {nonce}",
          paper="the paper gives no figure for interrupt latency; compare trap.rtt (Lab 0) and "
                "half of ipc.rtt.same_space (Lab 1): an interrupt to a user handler is a kernel "
                "entry, a one-way message and a switch to the handler"),
]
