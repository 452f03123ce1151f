#!/usr/bin/env python3
"""Tests of the l4 GDB commands (tools/gdb/l4lab.py), part of `make test`.

Each test boots a small scenario under QEMU halted for GDB, runs GDB with
the extension loaded, stops at chosen points and checks what the commands
print against the kernel state known at that point, read independently
with plain GDB expressions where it can be: the thread a breakpoint's
arguments name, its trapframe and UTCB, a page-table entry.  The scenarios
run on the complete reference (build/solall), where every path is
implemented; one runs on the skeleton (build/student), where the holes are
stubs, because the commands must read only the given structures.

    python3 grader/gdbtests.py          # these tests alone
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradelib  # noqa: E402
import qemu  # noqa: E402
from gradelib import Failure, Test  # noqa: E402

TOP = gradelib.TOP
EXTENSION = os.path.join(TOP, "tools", "gdb", "l4lab.py")


class Session:
    """The output of one GDB run over a scenario: out[i] is what step i printed."""

    def __init__(self, build, programs, steps, symbols=()):
        self.steps = steps
        self.mark = "L4TEST-%d-" % os.getpid()
        with qemu.slot():
            self._run(build, programs, steps, symbols)

    def _run(self, build, programs, steps, symbols):
        port = gradelib.free_port()
        cmd = qemu.qemu_command(build, programs, gdb_port=port)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        lines = ["set confirm off", "set pagination off", "set width 0",
                 "set architecture i386", "file " + os.path.join(build, "kernel.elf")]
        lines += ["add-symbol-file " + os.path.join(build, "user", p + ".elf") for p in symbols]
        lines += ["source " + EXTENSION, "target remote 127.0.0.1:%d" % port]
        # -ex rather than a script: an error in one step (a breakpoint that
        # does not resolve) must not skip the others.
        args = ["gdb", "-nx", "-batch"]
        for line in lines:
            args += ["-ex", line]
        for i, step in enumerate(steps):
            args += ["-ex", "echo \\n%s%d\\n" % (self.mark, i), "-ex", step]
        args += ["-ex", "kill"]
        try:
            p = subprocess.run(args, cwd=TOP, stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, errors="replace", timeout=90)
            self.output = p.stdout + p.stderr
        except subprocess.TimeoutExpired as e:
            self.output = (e.stdout or b"").decode(errors="replace") if isinstance(
                e.stdout, bytes) else (e.stdout or "")
            raise Failure("GDB did not finish within 90 s", self.output)
        finally:
            proc.kill()
            proc.wait()
        self.out = [""] * len(steps)
        parts = re.split(r"^%s(\d+)$" % re.escape(self.mark), self.output, flags=re.M)
        for i in range(1, len(parts) - 1, 2):
            self.out[int(parts[i])] = parts[i + 1].strip("\n")
        for bad in ("Traceback", "Python Exception", "internal error"):
            if bad in self.output:
                raise Failure("a command failed with '%s' instead of a message" % bad,
                              self.output)

    def __getitem__(self, step):
        """What the last step with this text printed."""
        return self.out[len(self.steps) - 1 - self.steps[::-1].index(step)]

    def value(self, step):
        """The value GDB's print gave: '$1 = 0x4001' -> 0x4001."""
        m = re.search(r"^\$\d+ = (?:\([^)]*\) )?(0x[0-9a-f]+|\d+)", self[step], re.M)
        if not m:
            raise Failure("GDB's '%s' printed no number" % step, self.output)
        return int(m.group(1), 0)

    def need(self, step, pattern, what):
        m = re.search(pattern, self[step], re.M)
        if not m:
            raise Failure("'%s' should show %s (/%s/)" % (step, what, pattern), self.output)
        return m


def tid_str(tid):
    return "%d.%d" % (tid >> 14, tid & 0x3FFF)


def thread_lines(text):
    """The rows of `l4 threads`: {id: (current?, name, space, state)}."""
    rows = {}
    for m in re.finditer(r"^([* ]) (\S+)\s+(\S+)\s+(\S+)\s+(.*?)\s+\d+\s+\d+/\d+\s+\S.*$",
                         text, re.M):
        if m.group(2) != "ID":
            rows[m.group(2)] = (m.group(1) == "*", m.group(3), m.group(4), m.group(5))
    return rows


def tf_expr(ptr, reg):
    """A trapframe register read by hand, as docs/gdb.md's `tf` does."""
    return "p/x (((struct trapframe *)((char *)(%s) + 4096)) - 1)->%s" % (ptr, reg)


def test_call(build):
    """Two threads in a call (lab1_ipc many_clients): at the server's reply,
    the client waits for it in its receive phase, the server runs; `l4 thread`
    shows the registers and the message tag of the trapframe.  (The stop is
    sys_ipc's entry for a reply-and-wait, which every IPC passes, fast path
    or not: kernel/fastpath.c does the common case without ipc_transfer.)"""
    steps = ["break sys_ipc if tf->ebx != 0 && tf->ecx == 0xffffffff", "continue", "continue",
             "p/x current->tid", "p/x tf->ebx", "p/x current->tid",
             "l4 threads", "l4 thread current", tf_expr("current", "eip"),
             tf_expr("current", "esi"), "l4 ready"]
    s = Session(build, ["lab1_ipc many_clients 42 3 2"], steps)
    snd, rcv, cur = (tid_str(s.value(x)) for x in steps[3:6])
    rows = thread_lines(s["l4 threads"])
    if len(rows) != 6 or snd not in rows or rcv not in rows:
        raise Failure("l4 threads should list 5 lab1_ipc threads and idle, with the sender "
                      "%s and the receiver %s of the stop" % (snd, rcv), s.output)
    if rows[cur][0] is not True or [r for r in rows if rows[r][0]] != [cur]:
        raise Failure("l4 threads should mark exactly the current thread %s with *" % cur,
                      s.output)
    if rows[rcv][3] != "receiving from %s (lab1_ipc)" % snd:
        raise Failure("the caller %s should be 'receiving from %s (lab1_ipc)' (its call's "
                      "receive phase), not '%s'" % (rcv, snd, rows[rcv][3]), s.output)
    if rows[snd][1] != "lab1_ipc" or rows["idle"][3] != "idle":
        raise Failure("names or the idle thread's state are wrong", s.output)
    eip, tag = s.value(steps[8]), s.value(steps[9])
    s.need("l4 thread current", r"^thread %s \(lab1_ipc\) at 0x[0-9a-f]+, space 0: running$"
           % re.escape(snd), "the sender, running")
    s.need("l4 thread current", r"eip %08x" % eip, "the trapframe's eip 0x%x" % eip)
    s.need("l4 thread current", r"^  MR0 tag %08x: label 0x%04x, %d untyped, %d typed$" % (
        tag, tag >> 16, tag & 0x3F, (tag >> 6) & 0x3F), "the decoded tag of esi 0x%x" % tag)
    s.need("l4 ready", r"^running: %s \(lab1_ipc\), prio 100$" % re.escape(cur),
           "the running thread")
    s.need("l4 ready", r"^  prio 100: (\S+ \(lab1_ipc\)(, )?)+$", "the ready queue at 100")


def test_map_chain(build):
    """A page mapped a -> b -> c (lab2_map chain): `l4 mapdb` shows the tree
    with c's mapping at depth 2, the same frame everywhere, equal to c's
    page-table entry read by hand; `l4 space` shows the run; `l4 thread`
    decodes a map item as a flexpage."""
    wb, wc = 0x40000000, 0x50000000
    typed = "((%s >> 6) & 0x3f)" % tf_expr("snd", "esi")[4:]
    pte = "p/x ((unsigned *)(0xc0000000 + ('vm.c'::spaces[2].pgdir[%d] & ~0xfff)))[%d]" % (
        wc >> 22, (wc >> 12) & 0x3FF)
    steps = ["break ipc_transfer if %s != 0" % typed, "continue", tf_expr("snd", "esi"),
             "p/x snd->utcb->mr[1 + (%s & 0x3f)]" % tf_expr("snd", "esi")[4:],
             "p/x snd->utcb->mr[2 + (%s & 0x3f)]" % tf_expr("snd", "esi")[4:],
             "l4 thread snd", "delete", "break sys_unmap", "continue",
             "l4 threads", "l4 mapdb 0x%x 3" % wc, "l4 mapdb 0x%x 3.1" % (wc + 0x1000),
             "l4 space 3", pte, "l4 mapdb 0x1234"]
    s = Session(build, ["lab2_map chain 42 a 0x%x 0x%x 16 7" % (wb, wc),
                            "lab2_map chain 42 b", "lab2_map chain 42 c"], steps)
    tag, w0, w1 = s.value(steps[2]), s.value(steps[3]), s.value(steps[4])
    kind = {0x8: "map", 0xA: "grant"}[w0 & 0xF]
    s.need("l4 thread snd", r"^  MR%d\s+%08x MR%d\s+%08x: %s item, send base 0x%08x, fpage "
           r"0x%08x, .*\(2\^%d\), %s$" % (
               1 + (tag & 0x3F), w0, 2 + (tag & 0x3F), w1, kind, w0 & ~0xFFF, w1 & ~0xFFF,
               (w1 >> 4) & 0x3F, "".join(c if w1 & b else "-" for c, b in
                                         (("r", 4), ("w", 2), ("x", 1)))),
           "the map item of the UTCB decoded as a flexpage")
    rows = thread_lines(s["l4 threads"])
    if [rows.get(t, (0, 0, 0))[2] for t in ("1.1", "2.1", "3.1")] != ["0", "1", "2"]:
        raise Failure("l4 threads should show a, b, c (threads 1, 2, 3) in spaces 0, 1, 2",
                      s.output)
    pa = s.value(pte) & ~0xFFF
    for step, va in ((steps[10], wc), (steps[11], wc + 0x1000)):
        s.need(step, r"^page 0x%08x of space 2 is at depth 2; its tree:$" % va,
               "c's page at depth 2")
        tree = re.findall(r"^  ( *)(?:`- )?space (\d+) 0x([0-9a-f]+) -> ([0-9a-f]+) (\S+)",
                          s[step], re.M)
        if [(len(i) // 2, sp) for i, sp, _, _, _ in tree] != [(0, "0"), (1, "1"), (2, "2")]:
            raise Failure("the tree of 0x%x should be space 0 -> 1 -> 2, one level each" % va,
                          s.output)
        if len({f for _, _, _, f, _ in tree}) != 1:
            raise Failure("every mapping of one page should show the same frame", s.output)
        if va == wc and int(tree[2][3], 16) != pa:
            raise Failure("c's frame should be 0x%x, its page-table entry read by hand" % pa,
                          s.output)
        if int(tree[1][2], 16) != va - wc + wb or tree[2][4] != "rw":
            raise Failure("b's mapping should be at 0x%x, c's writable" % (va - wc + wb),
                          s.output)
    s.need("l4 space 3", r"^  %08x-%08x -> %08x-%08x rw" % (wc, wc + 0x2fff, pa, pa + 0x2fff),
           "the three pages at 0x%x as one run" % wc)
    s.need("l4 mapdb 0x1234", r"^l4 mapdb: space 1 has no mapping-database node for page "
           r"0x00001000", "a one-line message for an unmapped page")


def test_pager_wait(build):
    """A thread waiting for its pager (sigma0, lab3_pager demand_zero), and a
    thread blocked sending to it: stopped in the pager's handler, `l4 threads`
    and `l4 thread` show the wait, the fault message and the send queue."""
    steps = ["break pager_zero_fault", "continue", "p/x addr", "p/x current->tid",
             "l4 threads", "l4 thread 4", "l4 ready"]
    s = Session(build, ["sigma0", "lab3_pager demand_zero x 8 1"], steps,
                symbols=["lab3_pager"])
    addr, pager = s.value("p/x addr"), tid_str(s.value("p/x current->tid"))
    rows = thread_lines(s["l4 threads"])
    waiting = [t for t in rows if rows[t][3] == "waiting for its pager %s (lab3_pager) (reply)"
               % pager]
    if waiting != ["4.1"] or not rows[pager][0]:
        raise Failure("thread 4.1 should be waiting for its pager %s, the current thread"
                      % pager, s.output)
    senders = [t for t in rows if rows[t][3].startswith("sending to 4.1 (lab3_pager)")]
    if not senders:
        raise Failure("a thread should be blocked sending to 4.1 (the test's parent)",
                      s.output)
    s.need("l4 thread 4", r"^  pager %s \(lab3_pager\), exception handler nil$" %
           re.escape(pager), "the pager")
    s.need("l4 thread 4", r"^  MR0 tag ffe[246]0002: label 0xffe[246] "
           r"\(page fault, (read|write)\), 2 untyped, 0 typed$", "the page-fault message")
    s.need("l4 thread 4", r"^  MR1\s+%08x$" % addr, "the fault address 0x%x as MR1" % addr)
    s.need("l4 thread 4", r"^  send queue: %s \(lab3_pager\)$" % re.escape(senders[0]),
           "the blocked sender in 4.1's send queue")
    s.need("l4 ready", r"^timeouts \(now tick \d+\): .*%s \(lab3_pager\) at tick \d+" %
           re.escape(senders[0]), "the sender's timeout")


def test_exception(build):
    """A thread waiting for its exception handler (lab4_exc traps): at the
    handler's reply (sys_ipc's entry with the resume tag, on the fast path's
    way or not), the thread's state, and the exception message's vector in
    the handler's MR1 (it answers with it unchanged).  (The waiting thread's
    own MRs hold the message only on Lab 4's path: Lab 6's exception fast
    path moves it straight from the trapframe to the handler.)"""
    rcv = "'thread.c'::table[tf->ebx >> 14]"
    steps = ["break sys_ipc if tf->esi == 12 && tf->ebx != 0", "continue", "p/x current->tid",
             "p/x tf->ebx", tf_expr(rcv, "trapno"), "l4 threads", "l4 thread current"]
    s = Session(build, ["lab4_exc traps demo 7"], steps)
    handler, thread = tid_str(s.value(steps[2])), tid_str(s.value(steps[3]))
    rows = thread_lines(s["l4 threads"])
    if rows.get(thread, (0, 0, 0, ""))[3] != \
            "waiting for its exception handler %s (lab4_exc) (reply)" % handler:
        raise Failure("thread %s should wait for its exception handler %s" % (thread, handler),
                      s.output)
    s.need("l4 thread current", r"^  MR0 tag 0000000c: label 0x0000, 12 untyped, 0 typed$",
           "the handler's resume reply")
    s.need("l4 thread current", r"^  MR1\s+%08x$" % s.value(steps[4]),
           "the exception's vector as MR1, as the handler received it")


def test_irqs(build):
    """serial_drv attached to COM1's line 4 (lab4_irq serial): `l4 irqs` names
    it, with the line unmasked and the unused lines masked."""
    steps = ["break sys_irq_control", "continue", "finish", "p/x current->tid", "l4 irqs"]
    s = Session(build, ["serial_drv", "lab4_irq serial 42"], steps)
    drv = tid_str(s.value("p/x current->tid"))
    s.need("l4 irqs", r"^   4  %s \(serial_drv\)\s+no\s+no$" % re.escape(drv),
           "line 4 with serial_drv, not pending, unmasked")
    s.need("l4 irqs", r"^   0  \(the kernel's timer\)\s+no\s+no$", "the timer, unmasked")
    s.need("l4 irqs", r"^   3  -\s+no\s+yes$", "line 3 without handler, masked")


def test_skeleton(build):
    """On the skeleton, at a breakpoint in a Lab 1 hole: every command works
    (the holes are stubs, the given structures are all there).  Before paging
    and inside arch_switch, each command prints one line instead."""
    cmds = ["l4 threads", "l4 thread 1", "l4 space 1", "l4 mapdb 0xbf000000 1", "l4 ready",
            "l4 irqs"]
    n = len(cmds)
    steps = cmds + ["break arch_switch", "continue"] + cmds + \
        ["delete", "break ipc_send", "continue"] + cmds
    s = Session(build, ["lab1_ipc pingpong 42 3 7"], steps)
    for i, c in enumerate(cmds):
        for at, why in ((i, "paging is off"), (n + 2 + i, "stopped inside arch_switch")):
            out = s.out[at].strip().splitlines()
            name = " ".join(c.split()[:2])
            if len(out) != 1 or not out[0].startswith(name + ": " + why):
                raise Failure("'%s' where %s should print one line '%s: %s...'" % (
                    c, why, name, why), s.output)
    rows = thread_lines(s["l4 threads"])
    if sorted(rows) != ["1.1", "2.1", "idle"] or rows["1.1"][3] != "running":
        raise Failure("l4 threads on the skeleton should list 1.1 (running), 2.1 and idle",
                      s.output)
    s.need("l4 thread 1", r"^  MR0 tag [0-9a-f]{8}: label", "the message tag")
    s.need("l4 space 1", r"^  bf000000-bf000fff -> [0-9a-f]{8}-[0-9a-f]{8} rw\s+4 KiB  \(UTCBs\)",
           "the UTCB page")
    s.need("l4 mapdb 0xbf000000 1", r"^page 0xbf000000 of space 0 is at depth 0", "a root")
    s.need("l4 ready", r"^running: 1.1 \(lab1_ipc\)", "the running thread")
    s.need("l4 irqs", r"^  15  -", "line 15")


# Every scenario but the last runs on the complete reference (build/solall).
TESTS = [Test(fn.__name__[len("test_"):], solution="all", needs=4, doc=fn.__doc__, run=fn)
         for fn in (test_call, test_map_chain, test_pager_wait, test_exception, test_irqs)] + \
        [Test("skeleton", doc=test_skeleton.__doc__, run=test_skeleton)]


def run(jobs, say):
    """Runs the tests (the reference is built by the runner, the skeleton
    here); returns (passed, failed)."""
    ok, log = gradelib.build(None)
    if not ok:
        say(False, "gdb: build student", "the build failed")
        return 0, 1
    outcomes = gradelib.run_tests(TESTS, gradelib.build_dir(None), jobs)
    return gradelib.say_outcomes(outcomes, "gdb", say)


def main():
    start = time.monotonic()
    passed, failed = run(os.cpu_count() or 2, gradelib.say)
    print("%d passed, %d failed (%.1f s)" % (passed, failed, time.monotonic() - start))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
