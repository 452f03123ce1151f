"""Lab 0 — tools, boot and the cost of a trap.  Handout: labs/lab0-boot/README.md.

Holes: sys_null (kernel/sysnull.c) and measure_trap_rtt (user/bench/bench_trap.c).
"""

import re

from gradelib import Test, Bench

LAB = 0
TITLE = "Tools, boot and the cost of a trap"


def plausible_trap(res, values):
    """A kernel entry and exit cannot take fewer than a few dozen instructions
    (int, the pushes of the trap frame, the pops, iret), and ours takes well
    under a thousand."""
    m = re.search(r"^BENCH trap\.rtt value=(\d+)", res.output, re.M)
    value = int(m.group(1))
    if not 20 <= value <= 2000:
        return "trap.rtt = %d instructions is not plausible for one null system call " \
               "(expected 20..2000): is the measuring loop right?" % value
    return None


TESTS = [
    Test("null_syscall", points=40,
         doc="SYS_NULL returns 0 and preserves every register; the kernel's sys_null "
             "runs exactly once per call (counted with a GDB breakpoint).",
         programs=["lab0_null {nonce} {calls}"],
         params={"calls": (20, 60)},
         expect=[(r"^lab0_null: nonce={nonce} calls={calls} ok$", "lab0_null's success line")],
         gdb_count={"sys_null": "{calls}"}),

    Test("trap_rtt", points=60,
         doc="bench_trap measures the null system call's round trip in instructions "
             "(under -icount) and prints a plausible BENCH line.",
         programs=["bench_trap {runs} instructions {nonce}"],
         params={"runs": (200, 1000)},
         icount=True,
         expect=[(r"^bench_trap: nonce={nonce} runs={runs}$", "bench_trap's start line"),
                 (r"^BENCH trap\.rtt value=\d+ unit=instructions runs={runs}$",
                  "the BENCH trap.rtt line")],
         check=plausible_trap),
]

BENCHES = [
    Bench("trap.rtt", program="bench_trap 1000 {unit} {nonce}",
          paper="82 cycles: native Linux kernel entry + exit (Pentium 133 MHz, Table 2); "
                "Liedtke 1993: 107 of 127 cycles of a minimal IPC"),
]
