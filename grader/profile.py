#!/usr/bin/env python3
"""make profile BENCH=name [LAB=n] [SOLUTION=s]: where one benchmark's
instructions go, function by function.

    python3 grader/profile.py NAME [--lab N] [--solution S] [--skip K] [--calls C] [--listing]

A benchmark brackets one operation with two rdtsc; under -icount shift=0
rdtsc counts guest instructions, so the figure is exactly the instructions
from the first rdtsc up to the second, less those of an empty sample (two
rdtsc with nothing between, which the program measures and subtracts).
This tool boots the benchmark as `make bench` does, halted for GDB, lets
it run to the measured pair, and single-steps one sample from the first
rdtsc to the second (grader/figtrace.py does the stepping), kernel and
user alike, and counts the steps per function (GDB's `info symbol`:
inlined code counts in its caller).  The first samples take other paths
(the partner is not waiting yet), so it skips some and counts two more,
which must agree: that is the steady state the benchmark reports.

It then runs the benchmark itself and compares: the total of the table,
less the empty sample, must equal the figure `make bench` prints.  When
it does not, it says so and why it may differ (a benchmark whose figure is
a mean over samples that are not all alike, or code that changed between
the two runs).

The table knows only where each benchmark's measured pair is (its
program, function, and an instruction between the two rdtsc), never the
kernel's function names, so it keeps working while the kernel changes.
"""

import argparse
import collections
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figtrace  # noqa: E402
import gradelib  # noqa: E402

# An instruction that enters the kernel for a system call: int $0x30, or a
# sysenter (Lab 6), inline or in a function the sample calls.
SYSCALL = r"^(int\s+\$0x30|sysenter|call)\b"
LINUX_CALL = r"^int\s+\$0x80"
# bench_map's main holds the round trip twice: through sysenter (l4_call)
# and through int $0x30 (ipc.fast.inter_space.int).
SYSENTER = r"^sysenter\b"

# Benchmark -> (program holding the measured pair, the function it is in,
# an instruction that lies between the pair's two rdtsc, the function
# holding the empty sample).  A Linux program is named by its path in the
# build (rootfs/bin/...), any other by its name in user/Makefrag.
PROFILES = {
    "trap.rtt": ("bench_trap", "measure_trap_rtt", SYSCALL, "measure_trap_rtt"),
    "ipc.rtt.same_space": ("bench_ipc", "main", SYSCALL, "main"),
    "ipc.rtt.inter_space": ("bench_map", "main", SYSENTER, "main"),
    "ipc.fast.inter_space": ("bench_map", "main", SYSENTER, "main"),
    "ipc.fast.inter_space.int": ("bench_map", "main", r"^int\s+\$0x30", "main"),
    "ipc.map.1page": ("bench_map", "map_rpc", SYSCALL, "main"),
    "exc.rtt": ("bench_exc", "main", r"^ud2", "main"),
    "lx.getpid": ("rootfs/bin/lxbench", "bench_getpid", LINUX_CALL, "main"),
    "lx.write_null": ("rootfs/bin/lxbench", "bench_write_null", LINUX_CALL, "main"),
    "lx.pipe_rtt": ("rootfs/bin/lxbench", "bench_pipe_rtt", LINUX_CALL, "main"),
}
# Lab 6's names for the same programs on the fast paths.
PROFILES.update({"exc.fast.rtt": PROFILES["exc.rtt"], "lx.fast.getpid": PROFILES["lx.getpid"],
                 "lx.fast.pipe_rtt": PROFILES["lx.pipe_rtt"]})


def find_bench(name, lab):
    """(lab number, Bench) of the benchmark called name, among labs 0..lab."""
    for n, ns in sorted(gradelib.load_labs().items()):
        if lab is not None and n > lab:
            continue
        for b in ns.get("BENCHES", []):
            if b.name == name:
                return n, b
    return None, None


def programs_with_symbols(build, modules, program):
    """The programs whose symbols GDB loads: every boot module that is one
    of our programs (its first word), and the measured one."""
    found = [m.split()[0] for m in modules
             if os.path.exists(figtrace.symbols(build, m.split()[0]))]
    return list(dict.fromkeys(found + [program]))


def function_files(per_pc, where):
    """Function -> the source file most of its steps come from (inlined
    helpers from headers count in their caller's file), or its binary when
    it has no line table (a Linux program's C library)."""
    votes = collections.defaultdict(collections.Counter)
    for pc, n in per_pc.items():
        name, binary, source = where[pc]
        votes[name][source or binary] += n
    return {name: v.most_common(1)[0][0] for name, v in votes.items()}


def report(name, label, per_pc, where, empty, figure, why_not):
    """Prints the table; returns True if its total equals the figure."""
    funcs = figtrace.by_symbol(per_pc, where)
    files = function_files(per_pc, where)
    binaries = {where[pc][0]: where[pc][1] for pc in per_pc}
    total = sum(funcs.values()) - empty
    print("make profile: %s on %s: one steady-state sample, instruction by instruction" %
          (name, label))
    print("%8s  %-28s %s" % ("instrs", "function", "file"))
    for fn, n in sorted(funcs.items(), key=lambda kv: (-kv[1], kv[0])):
        print("%8d  %-28s %s" % (n, fn, files[fn]))
    print("%8d  %-28s %s" % (-empty, "(empty sample)", "the two rdtsc the benchmark subtracts"))
    print("%8d  total" % total)
    print()
    print("By source file:")
    per_file = collections.Counter()
    for fn, n in funcs.items():
        per_file[files[fn]] += n
    for f, n in sorted(per_file.items(), key=lambda kv: (-kv[1], kv[0])):
        print("%8d  %s" % (n, f))
    kernel = sum(n for fn, n in funcs.items() if binaries[fn] == "kernel.elf")
    print("kernel %d, user %d (%d less the empty sample's %d), %d functions" %
          (kernel, total - kernel, total - kernel + empty, empty, len(funcs)))
    print()
    if figure is None:
        print("The benchmark itself did not give a figure (%s): nothing to compare with." % why_not)
        return False
    if figure == total:
        print("The total equals the benchmark's figure: make bench prints %s %d." % (name, figure))
        return True
    print("The total (%d) differs from the benchmark's figure (%d, by %+d).  The figure is\n"
          "the cheapest or the mean of all samples; this table is one steady-state sample.  A\n"
          "mean over samples that are not all alike, or a tree rebuilt between the two runs,\n"
          "makes them differ." % (total, figure, figure - total))
    return False


def listing(per_pc, where, asm):
    """Every instruction of the sample, function by function, in address order: how
    many times it ran, and the instruction as GDB disassembles it.  A `rep` string
    instruction counts once per repetition, as -icount counts it."""
    print("Instruction by instruction (make profile ... LISTING=1):")
    print("%6s  %-10s  %s" % ("times", "address", "instruction"))
    functions = {}
    for pc in sorted(per_pc):
        functions.setdefault(where[pc][0], []).append(pc)
    for fn, pcs in functions.items():
        print("%s (%s):" % (fn, where[pcs[0]][1]))
        for pc in pcs:
            print("%6d  0x%08x  %s" % (per_pc[pc], pc, asm.get(pc, "?")))
    print("%6d  instructions in all, the empty sample's included" % sum(per_pc.values()))


def profile(name, lab=None, solution=None, skip=2, calls=2, show_listing=False):
    """Profiles one benchmark on one build; returns True if the total equals
    its figure.  Exits with a message a student can act on otherwise."""
    import grade  # here: grade.py is the grader's front end, heavy to import
    n, bench = find_bench(name, lab)
    if bench is None or name not in PROFILES:
        known = ", ".join(sorted(PROFILES))
        where = " of labs 0..%d" % lab if lab is not None else ""
        sys.exit("make profile: %s is not a benchmark%s this tool can profile; it knows: %s "
                 "(grader/profile.py, PROFILES)" % (name, where, known))
    ok, log = gradelib.build(solution)
    if not ok:
        sys.exit("make profile: the build failed (make%s):\n%s" %
                 (" SOLUTION=" + solution if solution else "", log[-3000:]))
    build = gradelib.build_dir(solution)
    label = os.path.relpath(build, gradelib.TOP) + (" (SOLUTION=%s)" % solution if solution else "")
    program, function, between, empty_in = PROFILES[name]
    start, end = figtrace.sample_pair(build, program, function, between)
    empty = figtrace.empty_pair(build, program, empty_in)
    values = {"unit": "instructions", "nonce": "%08x" % random.getrandbits(32)}
    modules = [gradelib.fill(p, values) for p in bench.programs]
    fig, why_not = grade.run_bench(bench, build)
    if fig is None:
        sys.exit("make profile: %s does not run on %s (lab %d's benchmark): %s" %
                 (name, label, n, why_not))
    asm = {}
    per_call, where = figtrace.step_counts(build, modules,
                                           programs_with_symbols(build, modules, program),
                                           start, end, skip, calls, asm=asm)
    totals = [sum(c.values()) for c in per_call]
    if len(set(totals)) != 1:
        print("make profile: the %d samples traced differ (%s instructions from rdtsc to "
              "rdtsc): no steady state after %d samples; the last is shown" %
              (calls, ", ".join(map(str, totals)), skip))
    same = report(name, label, per_call[-1], where, empty, fig["value"], why_not)
    if show_listing:
        print()
        listing(per_call[-1], where, asm)
    return same


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", nargs="?", help="the benchmark (%s)" % ", ".join(sorted(PROFILES)))
    ap.add_argument("--lab", type=int, help="look among the benchmarks of labs 0..N only")
    ap.add_argument("--solution", help="profile SOLUTION=S's build (default: your tree)")
    ap.add_argument("--skip", type=int, default=2, help="samples to skip before counting")
    ap.add_argument("--calls", type=int, default=2, help="samples to count (they must agree)")
    ap.add_argument("--listing", action="store_true",
                    help="also print every instruction of the sample and how often it ran")
    a = ap.parse_args()
    if not a.bench:
        sys.exit("usage: make profile BENCH=name [LAB=n] [SOLUTION=s]; BENCH is one of: %s" %
                 ", ".join(sorted(PROFILES)))
    sys.exit(0 if profile(a.bench, a.lab, a.solution or None, a.skip, a.calls, a.listing) else 1)


if __name__ == "__main__":
    main()
