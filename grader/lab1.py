"""Lab 1 — threads and synchronous IPC.  Handout: labs/lab1-ipc/README.md.

Holes: ipc_transfer, ipc_send, ipc_receive, ipc_timeout (kernel/ipc.c).
Every test boots user/tests/lab1_ipc.c with a test name, a fresh nonce and
random parameters; the program checks the kernel's answers itself and the
grader checks its final line (and, for timeouts, the measured ticks).
"""

import re

from gradelib import Test, Bench

LAB = 1
TITLE = "Threads and synchronous IPC"


def ok_line(name, extra=""):
    return [(r"^lab1 %s: nonce={nonce} %sok$" % (name, extra), "the '%s' test's success line" % name)]


def timeouts_in_range(res, values):
    """A timeout of T ticks must not end before T ticks, nor long after."""
    m = re.search(r"receive_ticks=(\d+) send_ticks=(\d+)", res.output)
    t = values["ticks"]
    for what, got in (("receive", int(m.group(1))), ("send", int(m.group(2)))):
        if not t <= got <= t + 3:
            return "a %s timeout of %d ticks took %d ticks (expected %d..%d)" % (
                what, t, got, t, t + 3)
    return None


TESTS = [
    Test("pingpong", points=15,
         doc="Calls with 0..63 random words; the server's reversed reply arrives intact.",
         programs=["lab1_ipc pingpong {nonce} {rounds} {seed}"],
         params={"rounds": (10, 30), "seed": (1, 2**31 - 1)},
         expect=ok_line("pingpong", "rounds={rounds} ")),
    Test("receive_any", points=10,
         doc="A receive from any thread reports the true sender of each message.",
         programs=["lab1_ipc receive_any {nonce} {senders}"],
         params={"senders": (3, 7)},
         expect=ok_line("receive_any", "senders={senders} ")),
    Test("many_clients", points=10,
         doc="Several clients call one reply-and-wait server; each gets its own answer.",
         programs=["lab1_ipc many_clients {nonce} {clients} {calls}"],
         params={"clients": (3, 7), "calls": (5, 20)},
         expect=ok_line("many_clients", "clients={clients} calls={calls} ")),
    Test("call_atomic", points=15,
         doc="A caller already waits for the reply when the server takes its message "
             "(an immediate zero-timeout reply arrives), and the reply reaches it although "
             "another thread is sending to it.",
         programs=["lab1_ipc call_atomic {nonce}"],
         expect=ok_line("call_atomic")),
    Test("zero_timeout", points=10,
         doc="Zero timeouts fail at once without a waiting partner and succeed with one.",
         programs=["lab1_ipc zero_timeout {nonce}"],
         expect=ok_line("zero_timeout")),
    Test("timeouts", points=15,
         doc="Finite send, receive and call timeouts expire after the right number of ticks "
             "(ERECV for the call's receive phase), and a timed-out sender leaves the queue.",
         programs=["lab1_ipc timeouts {nonce} {ticks}"],
         params={"ticks": (5, 20)},
         expect=ok_line("timeouts", r"timeout={ticks} receive_ticks=\d+ send_ticks=\d+ "),
         check=timeouts_in_range),
    Test("bad_tid", points=10,
         doc="Nil, any, unknown, stale (also after the number is reused) and dying partners "
             "give errors, never a hang.",
         programs=["lab1_ipc bad_tid {nonce} {tid}"],
         params={"tid": (100 << 14, 900 << 14)},
         expect=ok_line("bad_tid")),
    Test("msg_len", points=10,
         doc="Oversized or malformed tags are refused; a 63-word message arrives intact.",
         programs=["lab1_ipc msg_len {nonce}"],
         expect=ok_line("msg_len")),
    Test("fairness", points=5,
         doc="Two threads calling each other without pause do not keep a busy third thread "
             "off the processor.",
         programs=["lab1_ipc fairness {nonce} {loops}"],
         params={"loops": (20000000, 30000000)},
         expect=ok_line("fairness", r"ticks=\d+ ")),
]

BENCHES = [
    Bench("ipc.rtt.same_space", program="bench_ipc 1000 {unit} {nonce}",
          paper="2 x 121 cycles: one-way L4 IPC on a Pentium (1997); synchronous L4 RPC: "
                "5 us on a Pentium 133 (Table 4)"),
]
