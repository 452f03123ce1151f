"""System tests of the foundation: the kernel boots, runs user programs,
survives their faults and bad system-call arguments, panics properly, takes
timer interrupts, and can be debugged with GDB.

These test what the student tree is given (they pass on the skeleton); the
graded lab tests live with the grader.  Each test function takes the build
directory and returns None on success or raises Failure with a reason.
"""

import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import time

import gradelib
import qemu

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Skip(Exception):
    """The test cannot run in this tree (a student handout lacks a solution
    it builds on): reported SKIP with the reason, never PASS."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def need_solution(top, lab, why):
    """Skips the calling test unless this tree has solutions/lab0..labN."""
    missing = gradelib.missing_solution(lab, top)
    if missing is not None:
        raise Skip("needs solutions/lab%d (%s), which this tree does not have" % (missing, why))


class Failure(Exception):
    def __init__(self, reason, output=""):
        super().__init__(reason)
        self.reason, self.output = reason, output


def nonce():
    return "n%08x" % random.getrandbits(32)


def expect(res, pattern, what):
    """The output must match the regular expression pattern."""
    if not re.search(pattern, res.output, re.M):
        raise Failure("expected %s (/%s/); the run ended: %s" % (what, pattern, res.verdict()),
                      res.output)


def expect_exit(res, rc, what):
    if res.rc != rc:
        raise Failure("expected %s, but %s" % (what, res.verdict()), res.output)


def test_boot(build):
    """Boot banner first, then a user program runs, echoes its argument, and stops the machine."""
    n = nonce()
    res = qemu.run(build, ["hello %s exit" % n])
    first = next((l for l in res.lines() if l.strip()), "")
    if not first.startswith("l4lab"):
        raise Failure("the first line printed should start with 'l4lab', got %r" % first, res.output)
    expect(res, r"^hello from user mode: hello\.elf, 2 argument\(s\)$", "the hello greeting")
    expect(res, r"^  argv\[1\] = %s$" % n, "hello echoing its argument %s" % n)
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown (QEMU exit code 1)")


def test_shutdown_when_idle(build):
    """When the last user thread ends, the kernel says so and shuts down cleanly."""
    res = qemu.run(build, ["hello", "hello"])
    if res.output.count("exited with status 0") != 2:
        raise Failure("expected both hello threads to exit with status 0", res.output)
    expect(res, r"no user thread left to run; shutting down", "the shutdown message")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def test_no_modules(build):
    """Without user programs the kernel explains that there is nothing to run."""
    res = qemu.run(build, [])
    expect(res, r"no user programs given", "a message that no program was given")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


# Each kind of fault the fault program can do, and what the report must say.
FAULTS = {
    "null":   (r"page fault \(vector 14\)", r"read at address 0x00000000 .*no page is mapped"),
    "kread":  (r"page fault \(vector 14\)", r"read at address 0xc0100000 .*kernel memory"),
    "kwrite": (r"page fault \(vector 14\)", r"write at address 0xc0100000 .*kernel memory"),
    "ud":     (r"invalid opcode \(vector 6\)", None),
    "div":    (r"divide error \(vector 0\)", None),
    "priv":   (r"general protection \(vector 13\)", None),
    "int3":   (r"breakpoint \(vector 3\)", None),
}


def make_fault_test(kind):
    what, detail = FAULTS[kind]

    def test(build):
        n = nonce()
        res = qemu.run(build, ["fault " + kind, "hello %s exit" % n])
        expect(res, r"^user fault: thread \d+ \(fault\): %s at eip 0x014[0-9a-f]{5}$" % what,
               "a user-fault report naming %s and an eip inside the fault program" % what)
        if detail:
            expect(res, r"^  " + detail, "the fault's address and access")
        expect(res, r"exited with status -1", "the faulting thread to be ended")
        expect(res, r"^  argv\[1\] = %s$" % n, "the next program to run after the fault")
        expect_exit(res, qemu.EXIT_SHUTDOWN, "the kernel to survive and shut down cleanly")
    test.__name__ = "test_fault_" + kind
    test.__doc__ = "A user fault (%s) is reported and the kernel keeps running." % kind
    return test


def test_bad_pointers(build):
    """System calls given kernel, NULL or unmapped pointers return -L4_EFAULT."""
    res = qemu.run(build, ["fault badptr", "hello x exit"])
    expect(res, r"^fault badptr: kernel returned -1 -1 -1$", "-L4_EFAULT (-1) for all three")
    expect(res, r"fault\) exited with status 0", "the caller to run on normally")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def test_bad_syscall_number(build):
    """An unknown system-call number returns -L4_ENOSYS."""
    res = qemu.run(build, ["fault badsys", "hello x exit"])
    expect(res, r"^fault badsys: kernel returned -3 -3$", "-L4_ENOSYS (-3) twice")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def test_bad_module(build):
    """A boot module that is not an executable is reported and skipped."""
    with tempfile.TemporaryDirectory(dir=os.path.join(build, "user")) as tmp:
        junk_build = os.path.join(tmp, "b")
        os.makedirs(os.path.join(junk_build, "user"))
        os.symlink(os.path.abspath(os.path.join(build, "kernel.elf")),
                   os.path.join(junk_build, "kernel.elf"))
        shutil.copy(os.path.join(build, "user", "hello.elf"), os.path.join(junk_build, "user"))
        with open(os.path.join(junk_build, "user", "junk.elf"), "wb") as f:
            f.write(b"\x7fELF" + bytes(random.getrandbits(8) for _ in range(4000)))
        res = qemu.run(junk_build, ["junk", "hello x exit"])
    expect(res, r"^loader: not a usable program: ", "the loader's complaint")
    expect(res, r"^  argv\[1\] = x$", "the next program to run")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def test_fuzz(build):
    """The fuzzer (user/fuzz.c, user/fuzz/) with a fresh seed survives twice: on this
    build with the foundation's calls only ("base": a lab hole left open must not be
    reached), and on the reference (build/solall) with several threads and tasks that
    call, map, grant, unmap, fault and raise exceptions, up to the highest lab whose
    solution this tree has.  `make fuzz` runs a long one."""
    seed = random.getrandbits(31)
    runs = [(build, "base", "this build")]
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lab = gradelib.highest_solution(top)
    if lab >= 1:
        ok, log = gradelib.build("all")
        if not ok:
            raise Failure("the reference tree does not build (make SOLUTION=all)", log)
        runs.append((gradelib.build_dir("all"), str(lab), "the reference, labs 0..%d" % lab))
    for where, labarg, what in runs:
        res = qemu.run(where, ["fuzz %d 3000 %s df" % (seed, labarg)], timeout=60)
        which = "%s, seed %d: make fuzz SEED=%d CALLS=3000" % (what, seed, seed)
        if "kernel panic" in res.output:
            raise Failure("the kernel panicked under the fuzzer (%s)" % which, res.output)
        hole = re.search(r"^LAB \d.*$", res.output, re.M)
        if hole:
            raise Failure("the fuzzer reached a lab hole (%s): %s" % (which, hole.group(0)),
                          res.output)
        expect(res, r"^fuzz: \d+ calls, \d+ errors; the kernel is still here \(seed %d\)$" % seed,
               "the fuzzer to finish (%s)" % which)
        expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown (%s)" % which)


def test_panic(build):
    """panic() prints its message and a symbolised backtrace, and QEMU exits with 255."""
    res = qemu.run(build, ["hello"], append="panic-test")
    expect(res, r"^kernel panic at kernel/main\.c:\d+: panic-test", "the panic message with file and line")
    expect(res, r"^  0xc01[0-9a-f]{5}  kernel_main\+0x[0-9a-f]+$", "kernel_main in the backtrace")
    expect_exit(res, qemu.EXIT_PANIC, "QEMU exit code 255")


def test_preemption(build):
    """The timer preempts a thread that never makes a system call."""
    res = qemu.run(build, ["spin A 6 20000000 exit", "spin B 1 20000000"], timeout=60)
    lines = res.lines()
    if "spin A: round 6" not in lines:
        raise Failure("spin A should finish its 6 rounds; the run ended: " + res.verdict(),
                      res.output)
    if "spin B: round 1" not in lines[:lines.index("spin A: round 6")]:
        raise Failure("spin B never ran while spin A was spinning: no preemption", res.output)
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def test_quota(build):
    """One task can use up only its own share of kernel memory: page tables and shadow
    tables are charged to the space they map (user/sec_quota.c).  Mapping is Lab 2's
    hole, so this runs on the Lab 2 reference (build/sol2), whose vm.c and the given
    part of mapdb.c, where the quota is kept, are the student's; a handout that has no
    solutions/lab2 yet skips it."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    need_solution(top, 2, "mapping is Lab 2's hole")
    ok, log = gradelib.build("2")
    if not ok:
        raise Failure("make SOLUTION=2 failed", log)
    n = nonce()
    res = qemu.run(os.path.join(top, "build", "sol2"), ["sec_quota %s" % n], timeout=60)
    expect(res, r"^sec_quota: nonce=%s ok$" % n, "sec_quota's success line")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean stop (status 0)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gdb(build):
    """GDB connects to a halted QEMU, stops at kernel_main, shows a backtrace,
    and sees a timer interrupt arrive."""
    port = free_port()
    cmd = qemu.qemu_command(build, ["spin A 1000 1000000"], gdb_port=port)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(0.3)
        gdb = subprocess.run(
            ["gdb", "-nx", "-batch", "-ex", "set confirm off", "-ex", "set architecture i386",
             "-ex", "file " + os.path.join(build, "kernel.elf"),
             "-ex", "target remote 127.0.0.1:%d" % port,
             "-ex", "break kernel_main", "-ex", "continue", "-ex", "bt",
             "-ex", "delete", "-ex", "break sched_tick", "-ex", "continue", "-ex", "bt",
             "-ex", "kill"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    finally:
        proc.kill()
        proc.wait()
    out = gdb.stdout + gdb.stderr
    for pattern, what in [(r"Breakpoint 1, kernel_main \(", "the breakpoint at kernel_main to be hit"),
                          (r"#0  kernel_main \(", "a backtrace starting in kernel_main"),
                          (r"Breakpoint 2, sched_tick \(", "a timer tick to reach sched_tick"),
                          (r"#1  0x[0-9a-f]+ in irq \(", "sched_tick called from irq()")]:
        if not re.search(pattern, out):
            raise Failure("GDB: expected %s" % what, out)


# sec_entry (user/sec_entry.c): attacks on the kernel's entry and exit paths.
SEC_GP = r"^user fault: thread \d+ \(sec_entry\): general protection \(vector 13\) at eip 0x078[0-9a-f]{5}$"


def sec_faults(res):
    """The user-fault reports of a sec_entry run: (all, those that are #GP in sec_entry)."""
    reports = [l for l in res.lines() if l.startswith("user fault:")]
    return reports, [l for l in reports if re.match(SEC_GP, l)]


def test_sec_ldt(build):
    """An LDT call gate, data and code descriptor built in user memory below 64 KiB
    all fault (#GP): the LDT is null, and user code never runs in ring 0."""
    n = nonce()
    res = qemu.run(build, ["sec_entry ldt " + n], timeout=60)
    if "RING0 PAYLOAD RAN" in res.output:
        raise Failure("user code ran in ring 0 through a call gate in the LDT "
                      "(load a null LDT: kernel/arch/i386/gdt.c)", res.output)
    expect(res, r"^sec_entry ldt: nonce=%s ok" % n, "sec_entry's success line")
    reports, gp = sec_faults(res)
    if len(gp) != 3 or len(reports) != 3:
        raise Failure("expected 3 general-protection reports, one per LDT selector; got: %s"
                      % (reports or "none"), res.output)
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def test_sec_df(build):
    """System calls made with the direction flag set work, and a thread created then
    starts with clean registers: the kernel clears DF on entry."""
    n = nonce()
    res = qemu.run(build, ["sec_entry df " + n], timeout=60)
    if "kernel panic" in res.output:
        raise Failure("the kernel panicked after a system call with DF set", res.output)
    expect(res, r"^sec_entry df: kdb_puts with DF set: nonce=%s$" % n, "the text of kdb_puts")
    expect(res, r"^sec_entry df: nonce=%s ok" % n, "sec_entry's success line")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def test_sec_df_ipc(build):
    """The same with IPC (20 words and a map item), its reply and an unmap, all
    with DF set, on the reference of Labs 1 and 2 (build/sol2)."""
    need_solution(TOP, 2, "IPC and mapping are Labs 1 and 2's holes")
    ok, log = gradelib.build("2")
    if not ok:
        raise Failure("make SOLUTION=2 failed", log)
    n = nonce()
    res = qemu.run(gradelib.build_dir("2"), ["sec_entry df %s ipc" % n], timeout=60)
    if "kernel panic" in res.output:
        raise Failure("the kernel panicked after a system call with DF set", res.output)
    expect(res, r"^sec_entry df: a 20-word IPC with a map item, its reply and an unmap, all "
           r"with DF set, worked$", "the IPC with DF set to work")
    expect(res, r"^sec_entry df: nonce=%s ok" % n, "sec_entry's success line")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


HOSTILE_RESUME = """
    /* Hostile (grader/systests.py, test_sec_exc_reply): trusts the reply
       with every flag, and with the kernel's code segment when asked. */
    tf->eflags = r[L4_EXC_EFLAGS];
    if (r[L4_EXC_EDX] == 0x5EC0C0DEu)
        tf->cs = 0x08;
"""


def hostile_exc_tree(top, dest):
    """dest/: a copy of top's tree with the reference of Labs 0..4, except an
    exception_ipc that copies the whole of a reply's eflags, and the kernel's
    %cs when the reply asks, into the thread's frame; built.  Returns
    (build directory, None) or (None, the build's log)."""
    shutil.rmtree(dest, ignore_errors=True)
    for d in ["kernel", "user", "include", "lib", "tools", "grader"]:
        shutil.copytree(os.path.join(top, d), os.path.join(dest, d),
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(os.path.join(top, "Makefile"), dest)
    for lab in range(5):
        shutil.copytree(os.path.join(top, "solutions", "lab%d" % lab), dest, dirs_exist_ok=True)
    path = os.path.join(dest, "kernel", "exception.c")
    with open(path) as f:
        text = f.read()
    anchor = "    tf->ebp = r[L4_EXC_EBP];\n"
    if anchor not in text:
        return None, "solutions/lab4/kernel/exception.c no longer has %r" % anchor
    with open(path, "w") as f:
        f.write(text.replace(anchor, anchor + HOSTILE_RESUME, 1))
    os.makedirs(os.path.join(dest, "build"), exist_ok=True)
    open(os.path.join(dest, "build", ".deps-ok"), "w").close()
    p = subprocess.run(["make", "-s", "all"], cwd=dest, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stdout + p.stderr
    return os.path.join(dest, "build", "student"), None


def test_sec_exc_reply(build):
    """Even an exception_ipc (the Lab 4 hole) that copies IOPL, NT, AC and the
    kernel's %cs from a reply into the frame cannot make the kernel iret to
    ring 0 or with privileged flags: exception() puts them back."""
    need_solution(TOP, 4, "the test builds on the reference of Labs 0..4")
    hostile, log = hostile_exc_tree(TOP, os.path.join(TOP, "build", "sec-hostile"))
    if not hostile:
        raise Failure("the tree with a hostile exception_ipc did not build", log)
    n = nonce()
    res = qemu.run(hostile, ["sec_entry exc " + n], timeout=60)
    if "kernel panic" in res.output:
        raise Failure("the kernel panicked: the thread came back in ring 0?", res.output)
    expect(res, r"^sec_entry exc: nonce=%s ok" % n, "sec_entry's success line")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def test_sec_fpu(build):
    """Threads of two tasks keep their own x87 and SSE registers across switches,
    and a new thread finds a clean FPU."""
    n = nonce()
    res = qemu.run(build, ["sec_entry fpu %s 1" % n, "sec_entry fpu %s 2" % n], timeout=90)
    for task in (1, 2):
        expect(res, r"^sec_entry fpu: nonce=%s ok: task %d," % (n, task),
               "the success line of task %d" % task)
    reports, _ = sec_faults(res)
    if reports:
        raise Failure("no thread may fault: " + reports[0], res.output)
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def test_sec_segs(build):
    """Every user selector survives system calls and switches in %ds/%es/%fs/%gs;
    every other value (kernel, TSS, LDT, random) faults with #GP in user mode."""
    n, seed = nonce(), random.getrandbits(31) | 1
    res = qemu.run(build, ["sec_entry segs %s %d" % (n, seed)], timeout=90)
    expect(res, r"^sec_entry segs: nonce=%s ok: \d+ selectors kept, \d+ faulted$" % n,
           "sec_entry's success line (seed %d)" % seed)
    want = int(re.search(r"ok: \d+ selectors kept, (\d+) faulted", res.output).group(1))
    reports, gp = sec_faults(res)
    if len(gp) != want or len(reports) != want:
        other = [l for l in reports if l not in gp]
        raise Failure("expected %d general-protection reports inside sec_entry, got %d of %d%s"
                      " (seed %d)" % (want, len(gp), len(reports),
                                      ", e.g. " + other[0] if other else "", seed), res.output)
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown (seed %d)" % seed)


def test_sec_tls(build):
    """SYS_THREAD_TLS (Lab 5's TLS segment) checks its arguments, and two threads
    that each have a TLS segment see their own word through it across system
    calls and switches."""
    n = nonce()
    res = qemu.run(build, ["sec_entry tls " + n], timeout=60)
    expect(res, r"^sec_entry tls: nonce=%s ok: two threads saw their own TLS words" % n,
           "sec_entry's success line")
    reports, _ = sec_faults(res)
    if reports:
        raise Failure("no thread may fault: " + reports[0], res.output)
    expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown")


def linux_run(cmd, timeout=90):
    """Boots the complete reference kernel, sigma0, the Linux server running
    cmd ("/bin/prog args") and the root file system; returns the result."""
    need_solution(TOP, 4, "the Linux server needs the reference pager and exception IPC")
    ok, log = gradelib.build("all")
    if not ok:
        raise Failure("make SOLUTION=all failed", log)
    return qemu.run(gradelib.build_dir("all"), ["sigma0", "linux " + cmd, "rootfs.cpio"],
                    timeout=timeout)


def test_linux_hello(build):
    """Lab 5's first slice: an unmodified static glibc program (gcc -m32 -static)
    runs under the Linux server, prints through printf and exits with status 0,
    which stops the machine."""
    res = linux_run("/bin/hello")
    expect(res, r"^hello, world$", "hello's line")
    expect(res, r"^linux: /bin/hello exited with status 0$", "the server's report of its exit")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "the machine stopped with status 0")


def test_linux_nosys(build):
    """An unknown Linux system call, from a -nostdlib program's raw int $0x80,
    returns exactly -ENOSYS (-38)."""
    n = nonce()
    res = linux_run("/bin/nosys " + n)
    expect(res, r"^nosys: nonce=%s ok: 5 unknown system calls returned -ENOSYS$" % n,
           "nosys's success line")
    expect(res, r"^linux: /bin/nosys exited with status 0$", "the server's report of its exit")
    expect_exit(res, qemu.EXIT_SHUTDOWN, "the machine stopped with status 0")


def test_linux_status(build):
    """A Linux program's exit status (from main's return, through glibc's exit)
    stops the machine with that status."""
    n = random.randint(2, 120)
    res = linux_run("/bin/status %d" % n)
    expect(res, r"^status: exiting with %d$" % n, "the program's line")
    expect(res, r"^linux: /bin/status exited with status %d$" % n, "the server's report")
    expect_exit(res, 2 * n + 1, "the machine stopped with status %d (QEMU exit code %d)"
                % (n, 2 * n + 1))


TESTS = [test_boot, test_shutdown_when_idle, test_no_modules] + \
        [make_fault_test(k) for k in FAULTS] + \
        [test_bad_pointers, test_bad_syscall_number, test_bad_module, test_fuzz, test_panic,
         test_preemption, test_gdb,
         test_sec_ldt, test_sec_df, test_sec_df_ipc, test_sec_exc_reply,
         test_sec_fpu, test_sec_segs, test_quota, test_sec_tls, test_linux_hello,
         test_linux_nosys, test_linux_status]

