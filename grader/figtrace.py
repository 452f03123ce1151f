#!/usr/bin/env python3
"""The GDB counts the handouts quote, measured again (make figures runs it).

The handouts break a benchmark's figure down with GDB: boot the benchmark
halted, break where the measured stretch starts, single-step to where it ends,
and count the steps per function (`info symbol $pc`).  This does exactly that
for each trace below, on the lab's reference build (SOLUTION=N), and returns
flat counts for grader/figures.json's "traces": NAME (the total) and
NAME.FUNCTION (the steps in that function; inlined code counts in its caller).

A step that reports the same $pc twice in a row is QEMU's, not the
program's (the handouts say so), and is not counted.  The first measured
call takes other paths (the partner is not yet waiting), so each trace skips
some stops and then counts several calls; they must agree.
"""

import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradelib  # noqa: E402
import qemu  # noqa: E402

# Each trace: the lab whose reference it runs (SOLUTION=lab), the boot
# modules, the programs whose symbols GDB loads, where counting starts and
# where it ends, the stops to skip first and the calls to count.  A place is
# ("int", program, function, k): the int $0x30 of the k-th pair of rdtsc
# in that function with one int between them (it ends at the instruction
# after it); ("rdtsc", program, regex[, function]):
# the first rdtsc of the first pair with such an instruction between them
# (in that function; it ends at the second); ("sym", symbol); ("first", listing, function,
# regex): the first such instruction of a function ("kernel" for the kernel);
# ("one", program, function, regex): that instruction, up to the next one
# (a faulting access: through the fault until it has completed).
TRACES = {
    "trap": (0, ["bench_trap 10 instructions x"], ["bench_trap"],
             ("int", "bench_trap", "measure_trap_rtt", 0), None, 1, 3),
    "ipc.same_space": (1, ["bench_ipc 10 instructions x"], ["bench_ipc"],
                       ("int", "bench_ipc", "main", 1), None, 2, 3),
    "ipc.inter_space": (2, ["bench_map ipc.rtt.inter_space 10 instructions x", "bench_map server"],
                        ["bench_map"], ("int", "bench_map", "main", 0), None, 2, 3),
    "map.1page": (2, ["bench_map ipc.map.1page 10 instructions x", "bench_map server"],
                  ["bench_map"], ("int", "bench_map", "map_rpc", 0), None, 2, 3),
    "map_rpc": (2, ["bench_map ipc.map.1page 10 instructions x", "bench_map server"],
                ["bench_map"], ("rdtsc", "bench_map", r"int\s+\$0x30"), None, 2, 3),
    "pf": (3, ["sigma0", "bench_pf 10 instructions x"], ["bench_pf", "sigma0"],
           ("rdtsc", "bench_pf", r"0x20000000\("), None, 0, 3),
    "zero": (3, ["sigma0", "bench_pf 10 instructions x"], ["bench_pf", "sigma0"],
             ("one", "bench_pf", "measure", r"^mov\s+\(%e"), None, 2, 2),
    "exc": (4, ["bench_exc 5 instructions x"], ["bench_exc"],
            ("rdtsc", "bench_exc", r"^ud2"), None, 1, 3),
    "irq": (4, ["bench_irq 5 instructions x"], ["bench_irq"],
            ("sym", "vector40"), ("first", "bench_irq", None, r"^rdtsc"), 2, 2),
    "timer": (4, ["spin a 100 100000000"], [],
              ("sym", "vector32"), ("first", "kernel", "trap_return", r"^iret"), 2, 3),
    # Lab 5: a Linux program (named by its path in the build, rootfs/bin/...)
    # whose getpid is an exception IPC to the Linux server and its reply.
    "getpid": (5, ["sigma0", "linux /bin/lxbench getpid 10 instructions", "rootfs.cpio"],
               ["rootfs/bin/lxbench", "linux"],
               ("rdtsc", "rootfs/bin/lxbench", r"^int\s+\$0x80", "bench_getpid"), None, 1, 3),
}

ASM_LINE = re.compile(r"^ ?([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(.*)$")
FUNC_LINE = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")


def listing(build, program, function=None):
    """[(address, instruction text)] of a listing (of one function)."""
    if program.startswith("rootfs/"):
        # A Linux program has no listing of ours: objdump's has the same lines.
        lines = subprocess.run(["objdump", "-d", os.path.join(build, program)],
                               capture_output=True, text=True, check=True).stdout.splitlines()
    else:
        with open(os.path.join(build, "kernel.asm" if program == "kernel" else
                               os.path.join("user", program + ".asm"))) as f:
            lines = f.read().splitlines()
    out, inside = [], function is None
    for line in lines:
        fn = FUNC_LINE.match(line)
        if fn and function is not None:
            inside = fn.group(2) == function
        m = ASM_LINE.match(line)
        if m and inside:
            out.append((int(m.group(1), 16), m.group(2).strip()))
    return out


def place(build, spec):
    """(start, end) of a stretch given by spec; end None for a single place."""
    kind = spec[0]
    if kind == "sym":
        with open(os.path.join(build, "kernel.asm")) as f:
            for line in f:
                fn = FUNC_LINE.match(line)
                if fn and fn.group(2) == spec[1]:
                    return int(fn.group(1), 16), None
    elif kind == "one":
        insns = listing(build, spec[1], spec[2])
        for j, (addr, text) in enumerate(insns):
            if re.search(spec[3], text):
                return addr, insns[j + 1][0]
    elif kind == "first":
        for addr, text in listing(build, spec[1], spec[2]):
            if re.search(spec[3], text):
                return addr, None
    else:
        insns = listing(build, spec[1], spec[2] if kind == "int" else
                        spec[3] if len(spec) > 3 else None)
        ts = [i for i, (_, text) in enumerate(insns) if text.startswith("rdtsc")]
        singles = 0
        for a, b in zip(ts, ts[1:]):
            between = insns[a + 1:b]
            ints = [j for j, (_, text) in enumerate(between) if re.match(r"int\s+\$0x30", text)]
            if kind == "int" and len(ints) == 1:
                if singles == spec[3]:
                    return between[ints[0]][0], insns[a + 2 + ints[0]][0]
                singles += 1
            if kind == "rdtsc" and any(re.search(spec[2], text) for _, text in between):
                return insns[a][0], insns[b][0]
    raise SystemExit("figtrace: found no place %r in build %s" % (spec, build))


GDB_PY = r'''
import collections, json
def count_calls(start, end, skip, calls):
    gdb.execute("break *%d" % start)
    for _ in range(skip + 1):
        gdb.execute("continue", to_string=True)
    result = []
    for c in range(calls):
        if c:
            gdb.execute("continue", to_string=True)
        count, last = collections.Counter(), None
        pc = int(gdb.parse_and_eval("$pc")) & 0xffffffff
        while pc != end:
            if pc != last:
                sym = gdb.execute("info symbol %d" % pc, to_string=True).split()
                count[sym[0] if sym and sym[0] != "No" else "?"] += 1
            last = pc
            gdb.execute("stepi", to_string=True)
            pc = int(gdb.parse_and_eval("$pc")) & 0xffffffff
        result.append(dict(count))
    print("FIGTRACE " + json.dumps(result))
'''


def symbols(build, program):
    """The file with a program's symbols: a Linux program by its path in
    the build (rootfs/bin/...), any other by its name in USER_PROGS."""
    if program.startswith("rootfs/"):
        return os.path.join(build, program)
    return os.path.join(build, "user", program + ".elf")


def trace(name):
    lab, modules, programs, start_at, end_at, skip, calls = TRACES[name]
    build = gradelib.build_dir(str(lab))
    start, end = place(build, start_at)
    if end_at:
        end = place(build, end_at)[0]
    port = gradelib.free_port()
    fd, script = tempfile.mkstemp(suffix=".py")
    with os.fdopen(fd, "w") as f:
        f.write(GDB_PY + "\ncount_calls(%d, %d, %d, %d)\n" % (start, end, skip, calls))
    cmd = qemu.qemu_command(build, modules, gdb_port=port, icount=True)
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        g = subprocess.run(["gdb", "-nx", "-batch", "-ex", "set architecture i386",
                            "-ex", "file " + os.path.join(build, "kernel.elf"),
                            ] + [a for p in programs for a in
                                 ("-ex", "add-symbol-file " + symbols(build, p))] +
                           ["-ex", "target remote 127.0.0.1:%d" % port, "-x", script],
                           capture_output=True, text=True, timeout=600)
    finally:
        q.kill()
        q.wait()
        os.remove(script)
    m = re.search(r"^FIGTRACE (.*)$", g.stdout, re.M)
    if not m:
        raise SystemExit("figtrace %s: GDB said:\n%s%s" % (name, g.stdout[-2000:], g.stderr[-2000:]))
    import json
    per_call = json.loads(m.group(1))
    totals = [sum(c.values()) for c in per_call]
    if len(set(totals)) != 1:
        raise SystemExit("figtrace %s: the calls differ: %s" % (name, totals))
    flat = {name: totals[0]}
    flat.update({"%s.%s" % (name, fn): n for fn, n in sorted(per_call[-1].items())})
    return flat


def main():
    names = sys.argv[1:] or list(TRACES)
    for name in names:
        for k, v in trace(name).items():
            print("%-40s %6d" % (k, v))


if __name__ == "__main__":
    main()
