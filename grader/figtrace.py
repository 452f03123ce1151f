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
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradelib  # noqa: E402
import qemu  # noqa: E402

# A system call's entry: int $0x30, or sysenter (Lab 6's, which libl4's
# l4_ipc uses): either returns to the instruction after it.
ENTRY = r"(int\s+\$0x30|sysenter)\b"

# Each trace: the lab whose reference it runs (SOLUTION=lab), the boot
# modules, the programs whose symbols GDB loads, where counting starts and
# where it ends, the stops to skip first and the calls to count.  A place is
# ("int", program, function, k): the int $0x30 or sysenter (ENTRY) of the
# k-th pair of rdtsc in that function with one such entry between them (it
# ends at the instruction after it); ("rdtsc", program, regex[, function]):
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
                ["bench_map"], ("rdtsc", "bench_map", ENTRY, "map_rpc"), None, 2, 3),
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
            ints = [j for j, (_, text) in enumerate(between) if re.match(ENTRY, text)]
            if kind == "int" and len(ints) == 1:
                if singles == spec[3]:
                    return between[ints[0]][0], insns[a + 2 + ints[0]][0]
                singles += 1
            if kind == "rdtsc" and any(re.search(spec[2], text) for _, text in between):
                return insns[a][0], insns[b][0]
    raise SystemExit("figtrace: found no place %r in build %s" % (spec, build))


# Instructions that may leave a straight run of code.
JUMP = re.compile(r"^(j\w+|call|ret|int|sysenter|syscall|iret|ud2|loop\w*)\b")


def empty_pair(build, program, function):
    """The instructions from the first rdtsc of the first pair of rdtsc in
    a function with only straight-line code between them up to the second:
    what a benchmark's empty sample (two rdtsc, nothing measured) counts
    under -icount, and subtracts from each sample."""
    insns = listing(build, program, function)
    ts = [i for i, (_, text) in enumerate(insns) if text.startswith("rdtsc")]
    for a, b in zip(ts, ts[1:]):
        if not any(JUMP.match(text) for _, text in insns[a + 1:b]):
            return b - a
    raise SystemExit("figtrace: no empty rdtsc pair in %s of %s (build %s)"
                     % (function, program, build))


def sample_pair(build, program, function, between):
    """(first, second) rdtsc of a benchmark's measured sample: the first
    pair of rdtsc in the function, in the listing's order, with an
    instruction matching the regex between and no jmp or ret (code from
    elsewhere in the function, laid out in between, is not the sample)."""
    insns = listing(build, program, function)
    ts = [i for i, (_, text) in enumerate(insns) if text.startswith("rdtsc")]
    for a, b in zip(ts, ts[1:]):
        texts = [text for _, text in insns[a + 1:b]]
        if any(re.search(between, t) for t in texts) and \
                not any(re.match(r"(jmp|ret)\b", t) for t in texts):
            return insns[a][0], insns[b][0]
    raise SystemExit("figtrace: no rdtsc pair around /%s/ in %s of %s (build %s)"
                     % (between, function, program, build))


# The GDB side of a trace: it records the $pc of every step (not yet its
# symbol, which would cost a GDB command per step) and, once all calls are
# counted, looks up each address it saw once: its symbol as `info symbol`
# names it, the file it belongs to (the program's, from "of FILE" there; the
# kernel's has none), and the source file of the function it is in.
GDB_PY = r'''
import collections, json, os
def count_calls(start, end, skip, calls, limit):
    gdb.execute("break *%d" % start)
    for _ in range(skip + 1):
        gdb.execute("continue", to_string=True)
    result, seen = [], set()
    for c in range(calls):
        if c:
            gdb.execute("continue", to_string=True)
        count, last, last_ecx, steps = collections.Counter(), None, None, 0
        pc = int(gdb.parse_and_eval("$pc")) & 0xffffffff
        while pc != end:
            # A rep-prefixed string instruction stops once per repetition
            # at the same pc, and -icount counts each repetition: count
            # every stop there that moved %ecx on.
            ecx = int(gdb.parse_and_eval("$ecx")) & 0xffffffff
            if pc != last or (ecx != last_ecx and is_rep(pc)):
                count[pc] += 1
                if "%d" % pc not in ASM:
                    # Now, while the space that holds it is the current one.
                    ASM["%d" % pc] = gdb.selected_inferior().architecture().disassemble(pc)[0]["asm"]
            last, last_ecx = pc, ecx
            steps += 1
            if steps > limit:
                print("FIGTRACE-LIMIT %d" % limit)
                return
            try:
                gdb.execute("stepi", to_string=True)
            except gdb.error:
                # Raised before the step or after it, when GDB makes a
                # frame of where it stopped: step again only if it did not.
                if int(gdb.parse_and_eval("$pc")) & 0xffffffff == pc:
                    step_without_frame(pc)
            pc = int(gdb.parse_and_eval("$pc")) & 0xffffffff
        seen.update(count)
        result.append({"%d" % a: n for a, n in count.items()})
    where = {}
    for pc in sorted(seen):
        sym = gdb.execute("info symbol %d" % pc, to_string=True).split()
        name = sym[0] if sym and sym[0] != "No" else "?"
        binary = sym[sym.index("of") + 1] if "of" in sym else "kernel.elf"
        where["%d" % pc] = [name, os.path.basename(binary), source_file(pc)]
    print("FIGTRACE " + json.dumps({"calls": result, "where": where, "asm": ASM}))
ASM = {}
REP = {}
def is_rep(pc):
    if pc not in REP:
        insn = gdb.selected_inferior().architecture().disassemble(pc)[0]["asm"]
        REP[pc] = insn.startswith(("rep ", "repz ", "repnz ", "repe ", "repne "))
    return REP[pc]
def step_without_frame(pc):
    # GDB refuses to stepi where it cannot unwind the frame: in a user
    # stub that has moved %ebp (the sysenter stub passes `from` there) and
    # on sysenter's first kernel instructions.  Run to the next instruction
    # with a temporary breakpoint instead; after sysenter, that is the
    # kernel's entry, after sysexit the %eip in %edx.
    insn = gdb.selected_inferior().architecture().disassemble(pc)[0]
    if insn["asm"].startswith("sysenter"):
        nxt = int(gdb.parse_and_eval("(unsigned)&sysenter_entry"))
    elif insn["asm"].startswith("sysexit"):
        nxt = int(gdb.parse_and_eval("$edx")) & 0xffffffff
    else:
        nxt = pc + insn["length"]
    gdb.execute("tbreak *%d" % nxt, to_string=True)
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        pass
def source_file(pc):
    # The file of the function the pc is in: of the outermost function
    # block around it, since code inlined from a header counts in its
    # caller; without debugging information, the line table's, or None.
    try:
        block, func = gdb.block_for_pc(pc), None
        while block is not None and not block.is_static and not block.is_global:
            func = block.function or func
            block = block.superblock
        if func is not None and func.symtab is not None:
            return func.symtab.filename
    except RuntimeError:
        pass
    line = gdb.find_pc_line(pc)
    return line.symtab.filename if line.symtab else None
'''


def symbols(build, program):
    """The file with a program's symbols: a Linux program by its path in
    the build (rootfs/bin/...), any other by its name in USER_PROGS."""
    if program.startswith("rootfs/"):
        return os.path.join(build, program)
    return os.path.join(build, "user", program + ".elf")


def step_counts(build, modules, programs, start, end, skip, calls, limit=2000000, asm=None):
    """Boots the modules under -icount, halted for GDB with the kernel's and
    the programs' symbols; lets the machine run to the skip+1-th time it
    reaches start, and then single-steps from start to end, calls times.
    Returns (per_call, where): per_call is a list of {pc: steps} (a pc that
    the step before also reported is QEMU's, not counted), where maps each
    pc to (symbol, binary, source file or None).  limit caps the steps of
    one call, so that a stretch that never ends cannot hang the caller.
    asm, a dict, receives each pc's instruction as GDB disassembles it."""
    port = gradelib.free_port()
    fd, script = tempfile.mkstemp(suffix=".py")
    with os.fdopen(fd, "w") as f:
        f.write(GDB_PY + "\ncount_calls(%d, %d, %d, %d, %d)\n" % (start, end, skip, calls, limit))
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
    if re.search(r"^FIGTRACE-LIMIT", g.stdout, re.M):
        raise SystemExit("figtrace: more than %d steps from %#x without reaching %#x: the "
                         "stretch does not end where it should" % (limit, start, end))
    m = re.search(r"^FIGTRACE (.*)$", g.stdout, re.M)
    if not m:
        raise SystemExit("figtrace: GDB said:\n%s%s" % (g.stdout[-2000:], g.stderr[-2000:]))
    found = json.loads(m.group(1))
    per_call = [{int(a): n for a, n in c.items()} for c in found["calls"]]
    if asm is not None:
        asm.update({int(a): text for a, text in found.get("asm", {}).items()})
    top = gradelib.TOP + os.sep
    return per_call, {int(a): (name, binary, source[len(top):] if source and
                                source.startswith(top) else source)
                      for a, (name, binary, source) in found["where"].items()}


def by_symbol(counts, where):
    """{pc: steps} summed per symbol."""
    out = collections.Counter()
    for pc, n in counts.items():
        out[where[pc][0]] += n
    return dict(out)


def trace(name):
    lab, modules, programs, start_at, end_at, skip, calls = TRACES[name]
    build = gradelib.build_dir(str(lab))
    start, end = place(build, start_at)
    if end_at:
        end = place(build, end_at)[0]
    try:
        per_pc, where = step_counts(build, modules, programs, start, end, skip, calls)
    except SystemExit as e:
        raise SystemExit("figtrace %s: %s" % (name, str(e).replace("figtrace: ", "", 1)))
    per_call = [by_symbol(c, where) for c in per_pc]
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
