"""Lab 0 — tools, boot and the cost of a trap.  Handout: labs/lab0-boot/README.md.

Holes: sys_null (kernel/sysnull.c) and measure_trap_rtt (user/bench/bench_trap.c).
"""

import re

from gradelib import Test, Bench, Watch

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


# The kernel's syscall() (kernel/syscall.c, given code) entered for SYS_NULL
# (3, include/l4/abi.h).  lab0_null puts a different value in %ebx for each
# call, so the number of distinct tf->ebx is exactly the number of calls,
# even if QEMU's GDB stub reports a stop twice.
NULL_CALLS_DISTINCT = Watch("syscall", cond="tf->eax == 3", key="tf->ebx", expect="{calls}",
                            what="null system calls")
# bench_trap's calls all look alike, so only a lower bound can be checked:
# the null system call was really made RUNS times, not just a figure printed.
NULL_CALLS_AT_LEAST = Watch("syscall", cond="tf->eax == 3", expect="{runs}", mode="at_least",
                            what="null system calls")

TESTS = [
    Test("null_syscall", points=40,
         doc="SYS_NULL returns 0 and preserves every register; the kernel handles "
             "exactly one null system call per call (counted with a GDB breakpoint).",
         programs=["lab0_null {nonce} {calls}"],
         params={"calls": (20, 60)},
         expect=[(r"^lab0_null: nonce={nonce} calls={calls} ok$", "lab0_null's success line")],
         watches=[NULL_CALLS_DISTINCT]),

    Test("trap_rtt", points=60,
         doc="bench_trap measures the null system call's round trip in instructions "
             "(under -icount) and prints a plausible BENCH line, having made at least "
             "RUNS null system calls (counted with a GDB breakpoint).",
         programs=["bench_trap {runs} instructions {nonce}"],
         params={"runs": (100, 300)},
         icount=True,
         expect=[(r"^bench_trap: nonce={nonce} runs={runs}$", "bench_trap's start line"),
                 (r"^BENCH trap\.rtt value=\d+ unit=instructions runs={runs}$",
                  "the BENCH trap.rtt line")],
         watches=[NULL_CALLS_AT_LEAST],
         watch_apart=True,      # GDB's stops would count in the measured figure
         check=plausible_trap),
]

BENCHES = [
    Bench("trap.rtt", program="bench_trap 1000 {unit} {nonce}",
          paper="82 cycles: native Linux kernel entry + exit (Pentium 133 MHz, Table 2); "
                "Liedtke 1993: 107 of 127 cycles of a minimal IPC"),
]
