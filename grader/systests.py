"""System tests of the foundation: the kernel boots, runs user programs,
survives their faults and bad system-call arguments, panics properly, takes
timer interrupts, and can be debugged with GDB.

These test what the student tree is given (they pass on the skeleton); the
graded lab tests live with the grader.  They are declared like the labs'
tests (gradelib.Test: programs, patterns, checks; points=0), and run by the
same runner (gradelib.run_tests).  A test that drives QEMU or GDB itself
gives run=: a function of the build directory that returns if the test
passed, or raises gradelib.Failure with a reason (gradelib.Skip where the
tree lacks what it needs).
"""

import os
import random
import re
import shutil
import stat
import subprocess
import tempfile
import threading
import time

import gradelib
import nativetests
import qemu
import tooltests
from gradelib import Failure, Skip, Test

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def need_solution(top, lab, why):
    """Skips the calling test unless this tree has solutions/lab0..labN."""
    missing = gradelib.missing_solution(lab, top)
    if missing is not None:
        raise Skip("needs solutions/lab%d (%s), which this tree does not have" % (missing, why))


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


def first_line_is_banner(res, values):
    first = next((l for l in res.lines() if l.strip()), "")
    if not first.startswith("l4lab"):
        return "the first line printed should start with 'l4lab', got %r" % first
    return None


def both_hellos_exit(res, values):
    if res.output.count("exited with status 0") != 2:
        return "expected both hello threads to exit with status 0"
    return None


# Each kind of fault the fault program can do, and what the report must say.
# The eip is inside the fault program: 0x014xxxxx, its slot in USER_LAYOUT.
FAULTS = {
    "null":   (r"page fault \(vector 14\)", r"read at address 0x00000000 .*no page is mapped"),
    "kread":  (r"page fault \(vector 14\)", r"read at address 0xc0100000 .*kernel memory"),
    "kwrite": (r"page fault \(vector 14\)", r"write at address 0xc0100000 .*kernel memory"),
    "ud":     (r"invalid opcode \(vector 6\)", None),
    "div":    (r"divide error \(vector 0\)", None),
    "priv":   (r"general protection \(vector 13\)", None),
    "int3":   (r"breakpoint \(vector 3\)", None),
}


def fault_test(kind):
    what, detail = FAULTS[kind]
    expect = [(r"^user fault: thread \d+ \(fault\): %s at eip 0x014[0-9a-f]{{5}}$" % what,
               "a user-fault report naming %s and an eip inside the fault program" % what)]
    if detail:
        expect.append((r"^  " + detail, "the fault's address and access"))
    expect += [(r"exited with status -1", "the faulting thread to be ended"),
               (r"^  argv\[1\] = {nonce}$", "the next program to run after the fault")]
    return Test("fault_" + kind, timeout=30,
                doc="A user fault (%s) is reported and the kernel keeps running." % kind,
                programs=["fault " + kind, "hello {nonce} exit"], expect=expect)


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
    solution this tree has.  Both enter through int $0x30 and through sysenter, with odd
    flags and segment registers and with any return %eip and %esp, and check what comes
    back against docs/abi.md (user/fuzz/sysenter.c).  `make fuzz` runs a long one."""
    seed = random.getrandbits(31)
    runs = [(build, "base", "this build", " LAB=base SOLUTION=")]
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lab = gradelib.highest_solution(top)
    if lab >= 1:
        ok, log = gradelib.build("all")
        if not ok:
            raise Failure("the reference tree does not build (make SOLUTION=all)", log)
        runs.append((gradelib.build_dir("all"), str(lab), "the reference, labs 0..%d" % lab,
                     " LAB=%d" % lab))
    for where, labarg, what, again in runs:
        res = qemu.run(where, ["fuzz %d 3000 %s df" % (seed, labarg)], timeout=60)
        which = "%s, seed %d: make fuzz SEED=%d CALLS=3000%s" % (what, seed, seed, again)
        if "kernel panic" in res.output:
            raise Failure("the kernel panicked under the fuzzer (%s)" % which, res.output)
        hole = re.search(r"^LAB \d.*$", res.output, re.M)
        if hole:
            raise Failure("the fuzzer reached a lab hole (%s): %s" % (which, hole.group(0)),
                          res.output)
        expect(res, r"^fuzz: \d+ calls, \d+ errors; the kernel is still here \(seed %d\)$" % seed,
               "the fuzzer to finish (%s)" % which)
        expect_exit(res, qemu.EXIT_SHUTDOWN, "a clean shutdown (%s)" % which)


def spin_b_ran_first(res, values):
    lines = res.lines()
    if "spin A: round 6" not in lines:
        return "spin A should finish its 6 rounds; the run ended: " + res.verdict()
    if "spin B: round 1" not in lines[:lines.index("spin A: round 6")]:
        return "spin B never ran while spin A was spinning: no preemption"
    return None


def test_gdb(build):
    """GDB connects to a halted QEMU, stops at kernel_main, shows a backtrace,
    and sees a timer interrupt arrive."""
    with qemu.slot():
        gdb_session(build)


def gdb_session(build):
    port = gradelib.free_port()
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
# Its eips are 0x078xxxxx, its slot in USER_LAYOUT.
SEC_GP = r"^user fault: thread \d+ \(sec_entry\): general protection \(vector 13\) at eip 0x078[0-9a-f]{5}$"


def sec_faults(res):
    """The user-fault reports of a sec_entry run: (all, those that are #GP in sec_entry)."""
    reports = [l for l in res.lines() if l.startswith("user fault:")]
    return reports, [l for l in reports if re.match(SEC_GP, l)]


def three_ldt_faults(res, values):
    reports, gp = sec_faults(res)
    if len(gp) != 3 or len(reports) != 3:
        return "expected 3 general-protection reports, one per LDT selector; got: %s" % (
            reports or "none")
    return None


def no_faults(res, values):
    reports, _ = sec_faults(res)
    return "no thread may fault: " + reports[0] if reports else None


def faults_as_counted(res, values):
    """As many #GP reports inside sec_entry as it says selectors faulted."""
    want = int(re.search(r"ok: \d+ selectors kept, (\d+) faulted", res.output).group(1))
    reports, gp = sec_faults(res)
    if len(gp) != want or len(reports) != want:
        other = [l for l in reports if l not in gp]
        return "expected %d general-protection reports inside sec_entry, got %d of %d%s (seed %d)" \
            % (want, len(gp), len(reports), ", e.g. " + other[0] if other else "", values["seed"])
    return None


SYSENTER_FAULTS = [
    r"^user fault: thread \d+ \(sec_entry\): debug \(vector 1\) at eip 0x078[0-9a-f]{5}$",
    r"^user fault: thread \d+ \(sec_entry\): page fault \(vector 14\) at eip 0xc0100000$",
    r"^user fault: thread \d+ \(sec_entry\): page fault \(vector 14\) at eip 0x078[0-9a-f]{5}$"]


def sysenter_faults(res, values):
    """sec_entry sysenter's three children fault in user mode, in order: the
    single step after a sysenter with TF set, the return to a kernel %eip,
    the first push on a kernel %esp."""
    reports, _ = sec_faults(res)
    if len(reports) != 3 or not all(re.match(p, l) for p, l in zip(SYSENTER_FAULTS, reports)):
        return ("expected three user faults: a debug trap (TF) and two page faults (kernel "
                "%%eip, kernel %%esp) in sec_entry; got: %s" % (reports or "none"))
    return None


HOSTILE_RESUME = """
    /* Hostile (grader/systests.py, test_sec_exc_reply): trusts the reply
       with every flag, and with the kernel's code segment when asked. */
    tf->eflags = r[L4_EXC_EFLAGS];
    if (r[L4_EXC_EDX] == 0x5EC0C0DEu)
        tf->cs = 0x08;
"""


def hostile_exc_tree(top, dest):
    """dest/: the reference of Labs 0..4 (build/sol4), except a kernel whose
    exception_ipc copies the whole of a reply's eflags, and the kernel's %cs
    when the reply asks, into the thread's frame.  Only the kernel is built
    (the user programs are build/sol4's), and only what changed since the
    last time.  Returns (build directory, None) or (None, the build's log)."""
    ok, log = gradelib.build("4")
    if not ok:
        return None, log
    src = os.path.join(dest, "src")
    subprocess.run(["tools/overlay", "4", src], cwd=top, check=True)
    with open(os.path.join(top, "solutions", "lab4", "kernel", "exception.c")) as f:
        text = f.read()
    anchor = "    tf->ebp = r[L4_EXC_EBP];\n"
    if anchor not in text:
        return None, "solutions/lab4/kernel/exception.c no longer has %r" % anchor
    # Written only when it changes, and linked into the mirror, so that make
    # recompiles it only then.
    hostile = text.replace(anchor, anchor + HOSTILE_RESUME, 1)
    path = os.path.join(dest, "exception.c")
    if not os.path.exists(path) or open(path).read() != hostile:
        with open(path, "w") as f:
            f.write(hostile)
    os.remove(os.path.join(src, "kernel", "exception.c"))
    os.symlink(path, os.path.join(src, "kernel", "exception.c"))
    user = os.path.join(dest, "user")
    if not os.path.islink(user):
        if os.path.isdir(user):
            shutil.rmtree(user)     # a tree an older version of this test built in full
        os.symlink(os.path.join(gradelib.build_dir("4"), "user"), user)
    p = subprocess.run(["make", "-s", "-j%d" % (os.cpu_count() or 2), "SOLUTION=",
                        "B=" + os.path.relpath(dest, top), "SRC=" + os.path.relpath(src, top),
                        os.path.relpath(dest, top) + "/kernel.elf"],
                       cwd=top, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stdout + p.stderr
    return dest, None


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


RING0 = ("a line saying user code ran in ring 0 through a call gate in the LDT (load a null "
         "LDT: kernel/arch/i386/gdt.c)")


# The Linux server's boot line, as `make linux` has it: the serial driver
# (the console's input) is the module just before the server, and the root
# file system right after it.
LINUX_BOOT = ["sigma0", "serial_drv", "linux {cmd}", "rootfs.cpio"]


def linux_boot(cmd):
    return [m.replace("{cmd}", cmd) for m in LINUX_BOOT]


def linux_run(cmd, timeout=90, feed=None):
    """Boots the complete reference kernel, sigma0, the serial driver, the
    Linux server running cmd ("/bin/prog args") and the root file system;
    returns the result.  feed: as qemu.run's (text typed on the console)."""
    need_solution(TOP, 4, "the Linux server needs the reference pager and exception IPC")
    ok, log = gradelib.build("all")
    if not ok:
        raise Failure("make SOLUTION=all failed", log)
    return qemu.run(gradelib.build_dir("all"), linux_boot(cmd), timeout=timeout, feed=feed)


def test_linux_status(build):
    """A Linux program's exit status (from main's return, through glibc's exit)
    stops the machine with that status."""
    n = random.randint(2, 120)
    res = linux_run("/bin/status %d" % n)
    expect(res, r"^status: exiting with %d$" % n, "the program's line")
    expect(res, r"^linux: /bin/status exited with status %d$" % n, "the server's report")
    expect_exit(res, 2 * n + 1, "the machine stopped with status %d (QEMU exit code %d)"
                % (n, 2 * n + 1))


def lxtest(name, needs, args="", status=0, timeout=90, test=None):
    """A system test running `/bin/lxtest NAME NONCE ARGS` (user/linux-progs/
    lxtest.c, one of Lab 5's graded Linux tests) under the Linux server:
    the program's success line with the nonce, the server's report of its
    exit with status, and the machine stopped with that status.  needs says
    what the server must have for it (the tests of LINUX_PENDING wait for it).
    NAME may be A+B+C: one boot runs those tests, each as a child; the test
    is then named linux_lx_TEST."""
    def run(build):
        n = nonce()
        cmd = "/bin/lxtest %s %s%s" % (name, n, args)
        res = linux_run(cmd, timeout=timeout)
        for part in name.split("+") if "+" in name else []:
            expect(res, r"^lxtest %s: nonce=%s ok" % (part, n), "lxtest %s's success line" % part)
        expect(res, r"^lxtest %s: nonce=%s ok" % (re.escape(name), n),
               "lxtest %s's success line" % name)
        expect(res, r"^linux: /bin/lxtest exited with status %d$" % status,
               "the server's report of its exit with status %d" % status)
        expect_exit(res, 2 * status + 1 if status else qemu.EXIT_SHUTDOWN,
                    "the machine stopped with status %d" % status)
    run.__doc__ = "lxtest %s (needs %s)" % (name, needs)
    return Test("linux_lx_" + (test or name), doc="`lxtest %s`: see user/linux-progs/lxtest.c; needs %s."
                % (name, needs), run=run)


def test_linux_sh_script(build):
    """/bin/sh runs /etc/shtest.sh (user/linux-progs/etc/): pipelines, redirections,
    quoting, variables, $?, && and ||, a death by signal, an unknown command, cd, and the
    utilities (sh.c, utils.c); the script says ok only if every check held, and names
    each one that did not."""
    n = nonce()
    res = linux_run("/bin/sh /etc/shtest.sh %s" % n, timeout=180)
    expect(res, r"^shtest: nonce=%s ok$" % n, "shtest.sh's success line")
    expect(res, r"^linux: /bin/sh exited with status 0$", "the server's report of the shell's exit")


def test_linux_sh_console(build):
    """make linux's promise (issue 14): at /bin/init's prompt on the console, a program
    runs with arguments, a pipeline of two programs works, and so does a redirection to a
    file read back; `exit 5` ends init, and the machine stops with status 5."""
    n = nonce()
    # Each line is typed as soon as the output before it appears, so the
    # shell's prompt may come out after the echo of the typed line, and
    # stand at the start of the next output line: the patterns allow it.
    after = r"(?:^|\$ )"
    feed = [(r"^l4lab: a Linux shell", b"lxtest args %s one two three\r" % n.encode()),
            (after + r"lxtest args: nonce=%s ok" % n, b"echo alpha beta %s | wc -w\r" % n.encode()),
            (after + r"3\s*$", b"echo redirected %s > /tmp/r; cat /tmp/r\r" % n.encode()),
            (after + r"redirected %s\s*$" % n, b"exit 5\r")]
    res = linux_run("/bin/init", timeout=60, feed=feed)
    expect(res, after + r"lxtest args: nonce=%s ok" % n, "a program run with arguments")
    expect(res, after + r"3\s*$", "echo alpha beta NONCE | wc -w: 3")
    expect(res, after + r"redirected %s\s*$" % n, "the file written by a redirection, read back by cat")
    expect(res, after + r"linux: /bin/init exited with status 5$", "init's exit with status 5")
    expect_exit(res, 2 * 5 + 1, "the machine stopped with status 5")


# Busybox (issue 15): Debian's busybox-static for i386, a program nobody
# here wrote, fetched by `make busybox` into build/busybox/ (tools/busybox).
# One boot of make linux's busybox shell, where /etc/bbtest.sh NONCE
# (user/linux-progs/etc/) is typed, runs every case with busybox's sh and
# applets (rootfs-busybox.cpio); each case is its own test line,
# judged on that one boot's output: the lines between the case's two marker
# lines, which carry the nonce, the second one its status.
BUSYBOX_DIR = os.path.join(TOP, "build", "busybox")
_busybox_boot = {}
_busybox_lock = threading.Lock()


def busybox_boot():
    """(nonce, result) of the one busybox boot; Skip without busybox."""
    if not os.path.isfile(os.path.join(BUSYBOX_DIR, "bin", "busybox")):
        raise Skip("no build/busybox/bin/busybox: `make busybox` fetches Debian's busybox-static "
                   "(it needs Debian's archive)")
    if not os.path.isfile(os.path.join(BUSYBOX_DIR, "applets")):
        raise Skip("no build/busybox/applets: `make busybox` did not finish (run it again)")
    need_solution(TOP, 5, "busybox runs under the complete Linux server")
    with _busybox_lock:     # the first caller boots; the others wait for its result
        if "result" not in _busybox_boot:
            ok, log = gradelib.build("all")
            if not ok:
                _busybox_boot["result"] = Failure("make SOLUTION=all failed", log)
            else:
                # make linux's busybox shell (a login shell: /etc/profile's greeting
                # and prompt), where the script is typed, then `exit 5`.
                n = nonce()
                feed = [(r"l4lab\$ ", b"sh /etc/bbtest.sh %s\r" % n.encode()),
                        (r"^bbtest done %s$" % n, b"exit 5\r")]
                _busybox_boot["result"] = (n, qemu.run(
                    gradelib.build_dir("all"),
                    linux_boot("/bin/sh -l")[:-1] + ["rootfs-busybox.cpio"],
                    timeout=120, feed=feed))
    if isinstance(_busybox_boot["result"], Failure):
        raise _busybox_boot["result"]
    return _busybox_boot["result"]


def busybox_ls_bin():
    """What busybox's `ls -l /bin` prints for the /bin of rootfs-busybox.cpio,
    read from the tree it was packed from: busybox's columns, times in UTC
    (the guest has no time zone), and the total of st_blocks as the server
    counts them (whole pages of data, symbolic links' targets included)."""
    d = os.path.join(gradelib.build_dir("all"), "rootfs-busybox", "bin")
    now, lines, blocks = time.time(), [], 0
    for name in sorted(os.listdir(d)):
        st = os.lstat(os.path.join(d, name))
        size, suffix = st.st_size, ""
        if os.path.islink(os.path.join(d, name)):
            target = os.readlink(os.path.join(d, name))
            size, suffix = len(target), " -> " + target
        blocks += (size + 4095) // 4096 * 8
        t = time.asctime(time.gmtime(st.st_mtime))
        recent = -15 * 60 < now - st.st_mtime < 3600 * 24 * 365 / 2
        when = t[4:16] if recent else t[4:11] + " " + t[20:24]
        lines.append("%-10s %4u %-8.8s %-8.8s %9u %s %s%s" % (
            stat.filemode(st.st_mode), 1, "root", "root", size, when, name, suffix))
    return ["total %d" % ((1 + blocks) >> 1)] + lines


def busybox_console():
    n, res = busybox_boot()
    expect(res, r"^BusyBox v1\.\S+ .*built-in shell \(ash\)", "busybox's sh greeting")
    expect(res, r"^l4lab: a Linux shell", "the greeting of /etc/profile, which a login shell reads")
    expect(res, r"^bbtest done %s$" % n, "the end of /etc/bbtest.sh, typed at the prompt")
    expect(res, r"linux: /bin/sh exited with status 5$", "the shell's exit with status 5 (`exit 5`)")
    expect_exit(res, 2 * 5 + 1, "the machine stopped with status 5")


def busybox_log_once():
    n, res = busybox_boot()
    said = [l for l in res.output.splitlines() if l.startswith("linux: system call 386 ")]
    if len(said) != 1 or not said[0].startswith("linux: system call 386 (rseq) is not served"):
        raise Failure("expected one line 'linux: system call 386 (rseq) is not served...' for "
                      "all the processes that asked, got %d: %r" % (len(said), said[:3]),
                      res.output)


def busybox_etc_lines(name, word):
    """The lines of the root file system's /etc/NAME that contain word."""
    with open(os.path.join(TOP, "user", "linux-progs", "etc", name), encoding="utf-8") as f:
        return [l for l in f.read().splitlines() if word in l]


def busybox_case(name, command, expected, status=0, doc=""):
    """A test of one case of /etc/bbtest.sh: its output lines (the server's
    own lines left out) must be expected (a list, or a function of the
    nonce), and its status status."""
    def run(build):
        n, res = busybox_boot()
        lines = res.output.splitlines()
        begin, end = "bbtest %s %s {" % (name, n), re.compile(r"bbtest %s %s \} status=(\d+)$"
                                                              % (name, n))
        if begin not in lines:
            raise Failure("bbtest.sh never began the case %s (%r): the run ended: %s"
                          % (name, command, res.verdict()), res.output)
        i = lines.index(begin)
        j = next((k for k in range(i + 1, len(lines)) if end.match(lines[k])), None)
        if j is None:
            raise Failure("the case %s (%r) never ended: the run ended: %s (a system call the "
                          "server logged as not served?)" % (name, command, res.verdict()),
                          res.output)
        got = [l for l in lines[i + 1:j] if not l.startswith("linux: ")]
        want = expected(n) if callable(expected) else expected
        if got != want:
            diff = next((k for k in range(max(len(got), len(want)))
                         if k >= len(got) or k >= len(want) or got[k] != want[k]))
            raise Failure("%r printed %d lines, expected %d; line %d is %r, expected %r"
                          % (command, len(got), len(want), diff + 1,
                             got[diff] if diff < len(got) else "(none)",
                             want[diff] if diff < len(want) else "(none)"), res.output)
        st = int(end.match(lines[j]).group(1))
        if st != status:
            raise Failure("%r ended with status %d, expected %d" % (command, st, status),
                          res.output)
    run.__doc__ = doc or "Busybox's sh runs `%s` under the Linux server and prints exactly " \
                         "what Linux would." % command
    return Test("linux_busybox_" + name, run=run, doc=run.__doc__)


BUSYBOX_TESTS = [
    busybox_case("pipe", "sh -c 'echo a | cat'", ["a"]),
    busybox_case("ls", "ls -l /bin", lambda n: busybox_ls_bin(),
                 doc="Busybox's `ls -l /bin` lists every applet link and program of the root "
                     "file system with its mode, size, time and target, exactly (computed from "
                     "the tree rootfs-busybox.cpio was packed from)."),
    busybox_case("grep", "cat /etc/passwd | grep root", lambda n: busybox_etc_lines("passwd", "root")),
    busybox_case("sort", "seq 1 50 | sort -rn | head -3", ["50", "49", "48"]),
    busybox_case("for", "for i in 1 2 3; do echo $i; done | wc -l", ["3"]),
    busybox_case("exit", "sh -c 'exit 7'", [], status=7),
    busybox_case("redirect", "echo \"written $N\" > /tmp/bb.$N; cat /tmp/bb.$N",
                 lambda n: ["written " + n]),
    busybox_case("testd", "test -d /tmp && echo yes", ["yes"]),
    Test("linux_busybox_console", run=lambda build: busybox_console(),
         doc="make linux after make busybox: busybox's sh as a login shell on the console reads "
             "/etc/profile, runs what is typed at its prompt (/etc/bbtest.sh, whose cases are "
             "the linux_busybox_* tests), and `exit 5` stops the machine with status 5."),
    Test("linux_busybox_log", run=lambda build: busybox_log_once(),
         doc="The server logs a call it does not serve once, by number and name, however many "
             "processes ask: every busybox process's glibc asks for rseq, and one line says so."),
    busybox_case("reexec", "sh -c 'PATH=/nonexistent; echo b | cat'", ["b"],
                 doc="A busybox started through /proc/self/exe starts the next applet the same "
                     "way, with no PATH to fall back on: /proc/self/exe still names busybox "
                     "(execve of it keeps the program's name; it used to point at itself)."),
]


# lxtest's tests that the server does not pass yet: each says what it
# needs (`python3 grader/testall.py --pending --only linux_lx_NAME` runs
# one).  The others are Lab 5's graded tests (grader/lab5.py), or below.
LINUX_PENDING = [
    # None now.  `lxtest all` runs every test as a child: a long check for a
    # change to the server (it is not in make test: its parts are).
    lxtest("all", "every part", " one two three", timeout=300),
]


def test_linux_fs_ram(build):
    """The root file system lives in RAM: a file one boot writes into /tmp is
    gone at the next boot, where /tmp is there and empty of it."""
    n = nonce()
    res = linux_run("/bin/fstest ram-write %s" % n)
    expect(res, r"^fstest ram-write: nonce=%s ok$" % n, "fstest's line: /tmp/ram-file written")
    n = nonce()
    res = linux_run("/bin/fstest ram-absent %s" % n)
    expect(res, r"^fstest ram-absent: nonce=%s ok$" % n,
           "fstest's line after a reboot: /tmp/ram-file is not there (user/linux/fs.c)")
    expect_exit(res, 1, "a clean shutdown with status 0")


def linux_fs_test(tests, doc):
    """A system test running /bin/fstest TESTS (user/linux-progs/fstest.c)."""
    return Test("linux_fs_" + tests.split("+")[0], timeout=90, solution="all", needs=4, doc=doc,
                programs=["sigma0", "linux /bin/fstest %s {nonce}" % tests, "rootfs.cpio"],
                expect=[(r"^fstest %s: nonce={nonce} ok$" % re.escape(tests),
                         "fstest's success line (a failed check names its line in "
                         "user/linux-progs/fstest.c)"),
                        (r"^linux: /bin/fstest exited with status 0$", "the server's report")])


TESTS = [
    Test("boot", timeout=30,
         doc="Boot banner first, then a user program runs, echoes its argument, and stops the "
             "machine.",
         programs=["hello {nonce} exit"],
         expect=[(r"^hello from user mode: hello\.elf, 2 argument\(s\)$", "the hello greeting"),
                 (r"^  argv\[1\] = {nonce}$", "hello echoing its argument")],
         check=first_line_is_banner),
    Test("shutdown_when_idle", timeout=30,
         doc="When the last user thread ends, the kernel says so and shuts down cleanly.",
         programs=["hello", "hello"],
         expect=[(r"no user thread left to run; shutting down", "the shutdown message")],
         check=both_hellos_exit),
    Test("no_modules", timeout=30,
         doc="Without user programs the kernel explains that there is nothing to run.",
         programs=[],
         expect=[(r"no user programs given", "a message that no program was given")]),
] + [fault_test(k) for k in FAULTS] + [
    Test("bad_pointers", timeout=30,
         doc="System calls given kernel, NULL or unmapped pointers return -L4_EFAULT.",
         programs=["fault badptr", "hello x exit"],
         expect=[(r"^fault badptr: kernel returned -1 -1 -1$", "-L4_EFAULT (-1) for all three"),
                 (r"fault\) exited with status 0", "the caller to run on normally")]),
    Test("bad_syscall_number", timeout=30,
         doc="An unknown system-call number returns -L4_ENOSYS.",
         programs=["fault badsys", "hello x exit"],
         expect=[(r"^fault badsys: kernel returned -3 -3$", "-L4_ENOSYS (-3) twice")]),
    Test("bad_module", doc=test_bad_module.__doc__, run=test_bad_module),
    Test("fuzz", doc=test_fuzz.__doc__, run=test_fuzz),
    Test("panic", timeout=30, append="panic-test", exit_rc=qemu.EXIT_PANIC,
         doc="panic() prints its message and a symbolised backtrace, and QEMU exits with 255.",
         programs=["hello"],
         expect=[(r"^kernel panic at kernel/main\.c:\d+: panic-test",
                  "the panic message with file and line"),
                 (r"^  0xc01[0-9a-f]{{5}}  kernel_main\+0x[0-9a-f]+$", "kernel_main in the backtrace")]),
    Test("preemption", timeout=60,
         doc="The timer preempts a thread that never makes a system call.",
         programs=["spin A 6 20000000 exit", "spin B 1 20000000"],
         check=spin_b_ran_first),
    Test("gdb", doc=test_gdb.__doc__, run=test_gdb),
    Test("sec_ldt", timeout=60,
         doc="An LDT call gate, data and code descriptor built in user memory below 64 KiB all "
             "fault (#GP): the LDT is null, and user code never runs in ring 0.",
         programs=["sec_entry ldt {nonce}"],
         reject=[(r"RING0 PAYLOAD RAN", RING0)],
         expect=[(r"^sec_entry ldt: nonce={nonce} ok", "sec_entry's success line")],
         check=three_ldt_faults),
    Test("sec_df", timeout=60,
         doc="System calls made with the direction flag set work, and a thread created then "
             "starts with clean registers: the kernel clears DF on entry.",
         programs=["sec_entry df {nonce}"],
         expect=[(r"^sec_entry df: kdb_puts with DF set: nonce={nonce}$", "the text of kdb_puts"),
                 (r"^sec_entry df: nonce={nonce} ok", "sec_entry's success line")]),
    Test("sec_df_ipc", timeout=60, solution="2",
         doc="The same with IPC (20 words and a map item), its reply and an unmap, all with DF "
             "set, on the reference of Labs 1 and 2 (build/sol2).",
         programs=["sec_entry df {nonce} ipc"],
         expect=[(r"^sec_entry df: a 20-word IPC with a map item, its reply and an unmap, all "
                  r"with DF set, worked$", "the IPC with DF set to work"),
                 (r"^sec_entry df: nonce={nonce} ok", "sec_entry's success line")]),
    Test("sec_exc_reply", doc=test_sec_exc_reply.__doc__, run=test_sec_exc_reply),
    Test("sec_fpu", timeout=90,
         doc="Threads of two tasks keep their own x87 and SSE registers across switches, and a "
             "new thread finds a clean FPU.",
         programs=["sec_entry fpu {nonce} 1", "sec_entry fpu {nonce} 2"],
         expect=[(r"^sec_entry fpu: nonce={nonce} ok: task 1,", "the success line of task 1"),
                 (r"^sec_entry fpu: nonce={nonce} ok: task 2,", "the success line of task 2")],
         check=no_faults),
    Test("sec_segs", timeout=90,
         doc="Every user selector survives system calls and switches in %ds/%es/%fs/%gs; every "
             "other value (kernel, TSS, LDT, random) faults with #GP in user mode.",
         programs=["sec_entry segs {nonce} {seed}"],
         params={"seed": (1, 2 ** 31 - 1)},
         expect=[(r"^sec_entry segs: nonce={nonce} ok: \d+ selectors kept, \d+ faulted$",
                  "sec_entry's success line")],
         check=faults_as_counted),
    Test("sec_sysenter", timeout=60,
         doc="The sysenter entry (kernel/arch/i386/sysenter.asm) survives a user's TF (the #DB "
             "on its first instruction), NT, AC and DF, and timer interrupts; a kernel address "
             "as the %eip or %esp to return to faults in user mode.",
         programs=["sec_entry sysenter {nonce}"],
         expect=[(r"^sec_entry sysenter: nonce={nonce} ok: \d+ IPCs", "sec_entry's success line")],
         check=sysenter_faults),
    Test("quota", timeout=60, solution="2",
         doc="One task can use up only its own share of kernel memory: page tables and shadow "
             "tables are charged to the space they map (user/sec_quota.c).  Mapping is Lab 2's "
             "hole, so this runs on the Lab 2 reference (build/sol2), whose vm.c and the given "
             "part of mapdb.c, where the quota is kept, are the student's; a handout that has no "
             "solutions/lab2 yet skips it.",
         programs=["sec_quota {nonce}"],
         expect=[(r"^sec_quota: nonce={nonce} ok$", "sec_quota's success line")]),
    Test("sec_tls", timeout=60,
         doc="SYS_THREAD_TLS (Lab 5's TLS segment) checks its arguments, and two threads that "
             "each have a TLS segment see their own word through it across system calls and "
             "switches.",
         programs=["sec_entry tls {nonce}"],
         expect=[(r"^sec_entry tls: nonce={nonce} ok: two threads saw their own TLS words",
                  "sec_entry's success line")],
         check=no_faults),
    Test("sec_task", timeout=60, solution="all", needs=4,
         doc="Lab 5's kernel calls: a task started by its exception handler gets every register "
             "from the handler's reply; a page its pager maps and takes back before it ran is asked "
             "for again, not a failure; SYS_TASK_DELETE ends a task whose thread waits for its "
             "handler, spins, or waits for its pager, its ID goes stale, 300 tasks made and "
             "ended do not run the kernel out of memory; both calls refuse what they must.",
         programs=["sec_task {nonce}"],
         expect=[(r"^sec_task: nonce={nonce} ok: registers from the start reply",
                  "sec_task's success line")]),
    Test("linux_hello", timeout=90, solution="all", needs=4,
         doc="Lab 5's first slice: an unmodified static glibc program (gcc -m32 -static) runs "
             "under the Linux server (sigma0, the server, the cpio root file system), prints "
             "through printf and exits with status 0, which stops the machine.",
         programs=["sigma0", "linux /bin/hello", "rootfs.cpio"],
         expect=[(r"^hello, world$", "hello's line"),
                 (r"^linux: /bin/hello exited with status 0$", "the server's report of its exit")]),
    Test("linux_nosys", timeout=90, solution="all", needs=4,
         doc="An unknown Linux system call, from a -nostdlib program's raw int $0x80, returns "
             "exactly -ENOSYS (-38), and the server logs it by number and name (numbers beyond "
             "its table: the first one only).",
         programs=["sigma0", "linux /bin/nosys {nonce}", "rootfs.cpio"],
         expect=[(r"^linux: system call 17 \(break\) is not served: -ENOSYS to pid 1 \(/bin/nosys\)$",
                  "the server's log of the unknown call 17 by number and name (user/linux/sys.c)"),
                 (r"^linux: system call 222 \(not a Linux call\) is not served",
                  "the server's log of 222, a number Linux never gave out"),
                 (r"^linux: system call 9999 \(not a Linux call\) is not served.* not said again$",
                  "the server's one log line for numbers beyond its table"),
                 (r"^nosys: nonce={nonce} ok: 5 unknown system calls returned -ENOSYS$",
                  "nosys's success line"),
                 (r"^linux: /bin/nosys exited with status 0$", "the server's report of its exit")],
         reject=[(r"system call (2147483647|4294967295|-1) ",
                  "a second number beyond the table logged (they are said once in all)")]),
    Test("linux_status", doc=test_linux_status.__doc__, run=test_linux_status),
    # lxtest's tests beyond Lab 5's graded ones (grader/lab5.py), in one boot.
    lxtest("mmapshared+mmapfile+signals+sighandler+busycalls", "MAP_SHARED areas kept shared "
           "across fork, private file mappings, kill's default actions and SIG_IGN across execve, "
           "handlers (a blocked signal runs when unblocked), and what busybox asks for: prctl's "
           "name, sysinfo, getgroups32, sched_getaffinity, execve of /proc/self/exe from an "
           "image it started", test="more"),
    Test("linux_sh_script", doc=test_linux_sh_script.__doc__, run=test_linux_sh_script),
    Test("linux_sh_console", doc=test_linux_sh_console.__doc__, run=test_linux_sh_console),
] + BUSYBOX_TESTS + [
    linux_fs_test("files+devs",
                  "Linux files in the RAM file system: create, write, seek, read, stat, unlink, "
                  "rename, O_APPEND, O_TRUNC, O_EXCL, pread/pwrite, truncate, a file over many "
                  "pages, an archive file changed; /dev/null, zero, full, urandom, tty."),
    linux_fs_test("dirs+links",
                  "Linux directories and symbolic links: mkdir, chdir, getcwd, relative paths, "
                  "openat, getdents, rmdir of a non-empty directory (ENOTEMPTY), rename of a "
                  "directory (into itself: EINVAL); symlinks followed and lstat'ed, readlink, "
                  "ELOOP, /proc/self/exe."),
    linux_fs_test("errors+calls",
                  "The file calls' errors: EFAULT for bad path pointers and buffers, EBADF, "
                  "ENOENT, ENOTDIR, EISDIR, EEXIST, ENAMETOOLONG, EINVAL; and the *at calls, "
                  "the old getdents, fsync, umask, chmod, utimensat, statfs64."),
    Test("linux_fs_ram", doc=test_linux_fs_ram.__doc__, run=test_linux_fs_ram),
    Test("linux_pipe", timeout=90, solution="all", needs=4,
         doc="Pipes in one process (user/linux/pipe.c): bytes come out in order, end of file "
             "once the write end is closed, O_NONBLOCK gives EAGAIN on an empty and on a full "
             "pipe (a write of at most PIPE_BUF is all or nothing), pipe2's flags, fstat says "
             "FIFO, bad pointers EFAULT; poll and select see which end is ready, and wait "
             "out their timeouts.",
         programs=linux_boot("/bin/pipetest basic {nonce}"),
         expect=[(r"^pipetest basic: nonce={nonce} ok$", "pipetest's success line"),
                 (r"^linux: /bin/pipetest exited with status 0$",
                  "the server's report of its exit")]),
    Test("linux_pipe_epipe", timeout=90, solution="all", needs=4,
         doc="A write to a pipe whose read end is closed sends SIGPIPE, which ends the "
             "process: the server reports the death by signal 13, and the machine stops with "
             "status 128 + 13 (shown as 124, the highest).",
         programs=linux_boot("/bin/pipetest epipe {nonce}"),
         expect=[(r"^pipetest epipe: nonce={nonce} writing to a pipe without a reader$",
                  "pipetest's line before the write"),
                 (r"^linux: /bin/pipetest was killed by signal 13$",
                  "the server's report of the death by SIGPIPE")],
         reject=[(r"FAIL", "a failed check: the write returned")],
         exit_rc=2 * 124 + 1),
    Test("linux_pipe_fork", timeout=90, solution="all", needs=4,
         doc="Pipes between processes: 18000 bytes go through the 4096-byte ring in order "
             "while writer and reader wait for each other; reads wait in both directions "
             "(ping, pong); end of file reaches a waiting reader when the last write end "
             "closes; a child waiting in a pipe read is killed by SIGTERM, and one writing "
             "without a reader dies of SIGPIPE, as waitpid reports.",
         programs=linux_boot("/bin/pipetest fork {nonce}"),
         expect=[(r"^pipetest fork: nonce={nonce} ok$", "pipetest's success line"),
                 (r"^linux: /bin/pipetest exited with status 0$",
                  "the server's report of its exit")]),
    Test("linux_time", timeout=90, solution="all", needs=4,
         doc="Clocks and sleeping (user/linux/time.c): nanosleep and clock_nanosleep (relative "
             "and TIMER_ABSTIME) take at least the time asked for on CLOCK_MONOTONIC and return "
             "0; the time of day is a date after 2020 and time, gettimeofday and "
             "CLOCK_REALTIME agree; bad pointers EFAULT, bad clocks and times EINVAL; "
             "getrandom gives bytes.",
         programs=linux_boot("/bin/timetest {nonce}"),
         expect=[(r"^timetest: nonce={nonce} ok$", "timetest's success line"),
                 (r"^linux: /bin/timetest exited with status 0$",
                  "the server's report of its exit")]),
    Test("linux_console", timeout=90, solution="all", needs=4,
         doc="The grader types on COM1, through serial_drv and the server's reader thread, "
             "into a program's stdin (user/linux/console.c): a line with ^U, ^C and DEL edits "
             "arrives as edited, is echoed, and comes back in capitals; poll waits for the next "
             "line; ^D at a line's start is "
             "end of file; in raw mode (TCSETS without ICANON and ECHO) bytes come without a "
             "newline and without echo; ^C ends a child waiting in a read with SIGINT, but not "
             "the first process.  TCGETS, TIOCGWINSZ and TIOCSPGRP work.",
         programs=linux_boot("/bin/ttytest {nonce}"),
         derive=lambda v: {"NONCE": v["nonce"].upper()},
         feed=[(r"^ttytest: ready for line 1$", "junk\x15ab\x03abcX\x7fdef {nonce}\n"),
               (r"^ttytest: ready for line 2$", "echo me {nonce}\n"),
               (r"^ttytest: ready for end of file$", "\x04"),
               (r"^ttytest: ready for raw input$", "{nonce}"),
               (r"^ttytest: child ready for \^C$", "\x03")],
         expect=[(r"^ttytest: ready for line 1$", "the program's first prompt"),
                 (r"^junk(\\x08 \\x08)+ab\^CabcX\\x08 \\x08def {nonce}$",
                  "the first line's echo, with the kill, ^C and erase characters at work"),
                 (r"^ttytest: line 1 in capitals: ABCDEF {NONCE}$",
                  "the first line as the program read it (abcdef NONCE), in capitals"),
                 (r"^echo me {nonce}$", "the second line's echo"),
                 (r"^ttytest: ready for raw input\r?\nttytest: raw input read$",
                  "raw input read with no echo before the program's next line"),
                 (r"^\^Cttytest: the child died of signal 2$",
                  "^C echoed, and the child (not the first process) ended by SIGINT"),
                 (r"^ttytest: nonce={nonce} ok$", "ttytest's success line"),
                 (r"^linux: /bin/ttytest exited with status 0$",
                  "the server's report of its exit")],
         reject=[(r"^ttytest: FAIL", "a failed check")]),
]

# make profile, make compile_commands.json and .vscode/ (grader/tooltests.py).
TESTS += tooltests.TESTS
# The native comparison's tests (make bench-native; issue 15).
TESTS += nativetests.TESTS
