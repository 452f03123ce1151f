"""Lab 1 — threads and synchronous IPC.  Handout: labs/lab1-ipc/README.md.

Holes: ipc_transfer, ipc_send, ipc_receive, ipc_timeout (kernel/ipc.c).
Every test boots user/tests/lab1_ipc.c with a test name, a fresh nonce and
random parameters, a seed always last; the program checks the kernel's
answers itself and the grader checks its final line (and, for timeouts, the
measured ticks).

Forged output does not pass (docs/grading.md, "What the grader defends
against"): the final line carries a digest of what the program received,
which the grader works out here from the parameters alone (DIGESTS); GDB
reads the same digest from the program's memory when it stops the machine,
and counts its IPC system calls in the given sys_ipc (kernel/ipc_syscall.c).
"""

import re

from gradelib import Test, Bench, Watch, digest, xorshift32

LAB = 1
TITLE = "Threads and synchronous IPC"

M = 0xFFFFFFFF
ETIMEOUT, ENOPARTNER, ECANCELED, EMSGLEN, EINVAL, ERECV = 5, 6, 7, 8, 2, 0x100


def seeded(seed, n):
    """lab1_ipc's seeded(n): the n-th payload word made from the seed."""
    x = (seed ^ (n * 0x9E3779B9)) & M
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & M
    return x ^ (x >> 13)


def pingpong_words(v):
    """The replies of the reverse server: label + 1, length, the words reversed."""
    rng, out = xorshift32(v["seed"] | 1), []
    for _ in range(v["rounds"]):
        u, label = next(rng) % 64, next(rng) & 0x7FFF
        words = [next(rng) for _ in range(u)]
        out += [label + 1, u] + words[::-1]
    return out


def many_clients_total(v):
    """The sum of every answer (v * 3 + 1) the clients received."""
    total = 0
    for idx in range(v["clients"]):
        first = seeded(v["seed"], 200 + idx)
        total += sum(((first + i * 12345) * 3 + 1) & M for i in range(v["calls"]))
    return [total & M]


# What each test folds into its digest, after the seed (lab1_ipc.c, fold()).
DIGESTS = {
    "pingpong": pingpong_words,
    "receive_any": lambda v: [seeded(v["seed"], 100 + k) for k in range(v["senders"])],
    "many_clients": many_clients_total,
    "call_atomic": lambda v: [0x11, seeded(v["seed"], 1), 0x5E, seeded(v["seed"], 2),
                              0x1D, seeded(v["seed"], 3)],
    "zero_timeout": lambda v: [-ETIMEOUT, -(ETIMEOUT | ERECV), 0],
    "timeouts": lambda v: [-(ETIMEOUT | ERECV), -ETIMEOUT, -(ETIMEOUT | ERECV),
                           -(ETIMEOUT | ERECV)],
    "bad_tid": lambda v: [-ENOPARTNER, -(ENOPARTNER | ERECV), -ECANCELED,
                          -(ENOPARTNER | ERECV), seeded(v["seed"], 4)],
    "msg_len": lambda v: [-EMSGLEN, -EINVAL, 63,
                          sum(seeded(v["seed"], 10 + i) * i for i in range(1, 64)) & M],
    "fairness": lambda v: [1],
}


def derive(name):
    return lambda v: {"digest": digest(DIGESTS[name](v), v["seed"])}


def watches(name, ipcs=None):
    """GDB's view of a test: lab1_ipc's own digest in its memory when it stops
    the machine (the given sys_kdb_exit, kernel/syscall.c), and, unless the
    test makes too many to stop at each, at least `ipcs` entries into the
    given sys_ipc (a function of the run's values)."""
    found = [Watch("sys_kdb_exit", cond="tf->ebx == 0", key="test_digest", mode="equals",
                   expect="{digest}", symbols=["lab1_ipc"],
                   what="lab1_ipc's digest in its own memory when it stopped the machine")]
    if ipcs:
        found.append(Watch("sys_ipc", expect=ipcs, mode="at_least",
                           what="IPC system calls (entries into sys_ipc)"))
    return found


def ok_line(name, extra=""):
    return [(r"^lab1 %s: nonce={nonce} %sdigest={digest:08x} ok$" % (name, extra),
             "the '%s' test's success line" % name)]


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
         derive=derive("pingpong"), watches=watches("pingpong", lambda v: 2 * v["rounds"]),
         expect=ok_line("pingpong", "rounds={rounds} ")),
    Test("receive_any", points=10,
         doc="A receive from any thread reports the true sender of each message.",
         programs=["lab1_ipc receive_any {nonce} {senders} {seed}"],
         params={"senders": (3, 7), "seed": (1, 2**31 - 1)},
         derive=derive("receive_any"),
         watches=watches("receive_any") + [
             Watch("sys_ipc", cond="tf->esi == 0x70002", key="tf->edi", expect="{senders}",
                   what="senders' messages (sys_ipc with tag 0x70002, distinct words)")],
         expect=ok_line("receive_any", "senders={senders} ")),
    Test("many_clients", points=10,
         doc="Several clients call one reply-and-wait server; each gets its own answer.",
         programs=["lab1_ipc many_clients {nonce} {clients} {calls} {seed}"],
         params={"clients": (3, 7), "calls": (5, 20), "seed": (1, 2**31 - 1)},
         # No count of sys_ipc: up to 300 calls, each a GDB stop of a few
         # milliseconds; the digest covers every answer.
         derive=derive("many_clients"), watches=watches("many_clients"),
         expect=ok_line("many_clients", "clients={clients} calls={calls} ")),
    Test("call_atomic", points=15,
         doc="A caller already waits for the reply when the server takes its message "
             "(an immediate zero-timeout reply arrives), and the reply reaches it although "
             "another thread is sending to it.",
         programs=["lab1_ipc call_atomic {nonce} {seed}"],
         params={"seed": (1, 2**31 - 1)},
         derive=derive("call_atomic"), watches=watches("call_atomic", lambda v: 8),
         expect=ok_line("call_atomic")),
    Test("zero_timeout", points=10,
         doc="Zero timeouts fail at once without a waiting partner and succeed with one.",
         programs=["lab1_ipc zero_timeout {nonce} {seed}"],
         params={"seed": (1, 2**31 - 1)},
         # No count of sys_ipc in the tests that measure ticks: the fewer
         # GDB stops, the less a loaded host can disturb the timing.
         derive=derive("zero_timeout"), watches=watches("zero_timeout"),
         expect=ok_line("zero_timeout")),
    Test("timeouts", points=15,
         doc="Finite send, receive and call timeouts expire after the right number of ticks "
             "(ERECV for the call's receive phase), and a timed-out sender leaves the queue.",
         programs=["lab1_ipc timeouts {nonce} {ticks} {seed}"],
         params={"ticks": (5, 20), "seed": (1, 2**31 - 1)},
         derive=derive("timeouts"), watches=watches("timeouts"),
         expect=ok_line("timeouts", r"timeout={ticks} receive_ticks=\d+ send_ticks=\d+ "),
         check=timeouts_in_range),
    Test("bad_tid", points=10,
         doc="Nil, any, unknown, stale (also after the number is reused) and dying partners "
             "give errors, never a hang.",
         programs=["lab1_ipc bad_tid {nonce} {tid} {seed}"],
         params={"tid": (100 << 14, 900 << 14), "seed": (1, 2**31 - 1)},
         derive=derive("bad_tid"), watches=watches("bad_tid", lambda v: 10),
         expect=ok_line("bad_tid")),
    Test("msg_len", points=10,
         doc="Oversized or malformed tags are refused; a 63-word message arrives intact.",
         programs=["lab1_ipc msg_len {nonce} {seed}"],
         params={"seed": (1, 2**31 - 1)},
         derive=derive("msg_len"), watches=watches("msg_len", lambda v: 5),
         expect=ok_line("msg_len")),
    Test("fairness", points=5,
         doc="Two threads calling each other without pause do not keep a busy third thread "
             "off the processor.",
         programs=["lab1_ipc fairness {nonce} {loops} {seed}"],
         params={"loops": (20000000, 30000000), "seed": (1, 2**31 - 1)},
         # No count of sys_ipc here: the ping-pong makes thousands of calls,
         # and every GDB stop costs milliseconds.
         derive=derive("fairness"), watches=watches("fairness"),
         expect=ok_line("fairness", r"ticks=\d+ ")),
]

BENCHES = [
    Bench("ipc.rtt.same_space", program="bench_ipc 1000 {unit} {nonce}",
          paper="2 x 121 cycles: one-way L4 IPC on a Pentium (1997); synchronous L4 RPC: "
                "5 us on a Pentium 133 (Table 4)"),
]
