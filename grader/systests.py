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

import qemu


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
    import gradelib
    seed = random.getrandbits(31)
    runs = [(build, "base", "this build")]
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lab = -1
    while os.path.isdir(os.path.join(top, "solutions", "lab%d" % (lab + 1))):
        lab += 1
    if lab >= 1:
        ok, log = gradelib.build("all")
        if not ok:
            raise Failure("the reference tree does not build (make SOLUTION=all)", log)
        runs.append((gradelib.build_dir("all"), str(lab), "the reference, labs 0..%d" % lab))
    for where, labarg, what in runs:
        res = qemu.run(where, ["fuzz %d 3000 %s" % (seed, labarg)], timeout=60)
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


TESTS = [test_boot, test_shutdown_when_idle, test_no_modules] + \
        [make_fault_test(k) for k in FAULTS] + \
        [test_bad_pointers, test_bad_syscall_number, test_bad_module, test_fuzz, test_panic,
         test_preemption, test_gdb]

