"""Lab 5 — a Linux server: unmodified static i386 Linux programs as L4 tasks.
Handout: labs/lab5-linux/README.md.

Holes, all in the server (user/linux/): the system-call entry
(lab5_entry.c, lx_exception: exception message -> Linux call -> resume
reply), fork (lab5_fork.c: mm_fork, a copy-on-write copy of the memory,
and lx_fork, a child started by its handler), and a program's image and
initial stack (lab5_exec.c: load_elf, build_stack).  Every test boots
sigma0, the server running one Linux program, and the root file system
(boot()), and the program checks itself: `/bin/lxtest NAME NONCE`
(user/linux-progs/lxtest.c, an ordinary gcc -m32 -static glibc program)
prints `lxtest NAME: nonce=NONCE ok` only when every check of test NAME
held.  The grader also wants the server's own report of the program's end
(`linux: /bin/lxtest exited with status N`) and the machine stopped with
that status.

Forged output does not pass (docs/grading.md, "What the grader defends
against"): the server prints everything a process writes, so a student's
server could print the success line itself.  GDB therefore counts, in the
kernel's given code, work that only a running program and a working server
cause: the Linux system calls that reached the given exception()
(kernel/excroute.c) as the #GP of `int $0x80` (error code 0x80 << 3 | 2);
every glibc program makes a dozen before main, and a server that prints
at the first call has seen one.  Tests that fork count the tasks started
by their handler (SYS_TASK_CREATE with L4_ENTRY_BY_HANDLER, the given
sys_task_create), tests that end processes count SYS_TASK_DELETE (the
given sys_task_delete), the exec test counts new images (tasks created
with a stack at the top of a Linux process's memory), and the segv test
counts the CPU's own divide error and invalid opcode reaching exception().
Faking those means making the kernel do the work, which is the lab.  A
server that prints the expected lines at the first call and stops the
machine (grader/selftest/forge/lab5/, run by make test) fails every test
on GDB's counts alone.

"""

import os

import gradelib
from gradelib import Test, Bench, Watch

LAB = 5
TITLE = "A Linux server: unmodified Linux programs as L4 tasks"


def boot(command):
    """The boot modules of every Lab 5 run, as make linux boots them: sigma0
    (the server's memory), the serial driver (the console's input), the
    server running command ("/bin/prog args"), and the root file system."""
    return ["sigma0", "serial_drv", "linux " + command, "rootfs.cpio"]


# ---- What GDB counts (all in given kernel code) ----

INT80 = 0x80 << 3 | 2           # the #GP error code of `int $0x80` (closed IDT gate)
BY_HANDLER = 0xFFFFFFFF         # L4_ENTRY_BY_HANDLER (include/l4/abi.h)
# A Linux process's stack ends at LX_STACK_TOP (user/linux/linux.h) and is
# 8 MiB: a new image's task starts with esp in it.
STACK_LO, STACK_TOP = 0xBE800000, 0xBF000000


def syscalls(n):
    """At least n Linux system calls reached the kernel's exception()."""
    return Watch("exception", cond="tf->trapno == 13 && tf->err == %#x" % INT80,
                 mode="at_least", expect=str(n),
                 what="Linux system calls (int $0x80: #GP with error code 0x402) that reached "
                      "the given exception() (kernel/excroute.c)")


def forks(n):
    """At least n tasks were started by their handler (fork children)."""
    return Watch("sys_task_create", cond="tf->ebx == %#x" % BY_HANDLER, mode="at_least",
                 expect=str(n),
                 what="tasks started by their handler (SYS_TASK_CREATE with "
                      "L4_ENTRY_BY_HANDLER: fork children)")


def images(n):
    """At least n program images were started (the first process, execve)."""
    return Watch("sys_task_create",
                 cond="tf->ebx != %#x && tf->ecx > %#x && tf->ecx <= %#x"
                      % (BY_HANDLER, STACK_LO, STACK_TOP),
                 mode="at_least", expect=str(n),
                 what="program images started (SYS_TASK_CREATE with a Linux initial stack: "
                      "the first process and each execve)")


def ends(n):
    """At least n tasks were ended by the server (SYS_TASK_DELETE)."""
    return Watch("sys_task_delete", mode="at_least", expect=str(n),
                 what="tasks ended by the server (SYS_TASK_DELETE)")


def traps(vector, name):
    """The CPU raised exception vector in a process at least once."""
    return Watch("exception", cond="tf->trapno == %d" % vector, mode="at_least", expect="1",
                 what="%s exceptions (vector %d) that reached the given exception()"
                      % (name, vector))


def lxtest(name, points, doc, status=0, args="", calls=12, watches=(), timeout=30):
    """`/bin/lxtest NAME NONCE ARGS`: its success line, the server's report
    of its exit with status, the machine stopped with that status; GDB
    sees at least `calls` system calls and the watches' counts."""
    return Test(name, points=points, doc=doc,
                programs=boot("/bin/lxtest %s {nonce}%s" % (name, args)),
                expect=[(r"^lxtest %s: nonce={nonce} ok" % name, "lxtest %s's success line" % name),
                        (r"^linux: /bin/lxtest exited with status %d$" % status,
                         "the server's report that /bin/lxtest exited with status %d" % status)],
                watches=[syscalls(calls)] + list(watches),
                exit_rc=2 * status + 1, timeout=timeout)


TESTS = [
    lxtest("hello", 4,
           doc="printf through glibc reaches the console: the program's writes are system "
               "calls the server answers.",
           watches=[images(1), ends(1)]),
    lxtest("args", 8, args=" one two three",
           doc="argv, envp and the auxiliary vector are where the i386 ABI puts them "
               "(AT_PHDR, AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM, AT_EXECFN, AT_UID...).",
           watches=[images(1)]),
    lxtest("malloc", 6,
           doc="500 blocks of random sizes from malloc (brk for small ones, mmap2 above "
               "128 KiB), filled, checked and freed.",
           calls=20),
    lxtest("tls", 6,
           doc="__thread variables (set_thread_area, %gs) in the process and in a fork "
               "child, which sees its own copy.",
           watches=[forks(1)]),
    lxtest("files", 8,
           doc="A file in /tmp created, written, sought, read, stat'ed, renamed, listed by "
               "getdents64 and unlinked; errors as Linux gives them.",
           calls=50),
    lxtest("fork", 8, calls=35,
           doc="fork and wait4: exit statuses, WNOHANG, ECHILD, a child killed by SIGKILL "
               "reported as such; five children, each started by its handler.",
           watches=[forks(5), ends(6)]),
    lxtest("forkpipe", 8, calls=100,
           doc="fork and pipes in both directions: blocking reads answered later, EOF when "
               "the last writer closes, EPIPE when the last reader is gone.",
           watches=[forks(3), ends(4)]),
    lxtest("exec", 8, calls=30,
           doc="execve with arguments and environment, close-on-exec, and ENOEXEC, ENOENT, "
               "EACCES for what cannot run.",
           watches=[forks(1), images(2)]),
    lxtest("dup2", 5,
           doc="dup2 redirects standard output into a file, which is then read back.",
           calls=24),
    lxtest("killblocked", 6, calls=24,
           doc="A child blocked reading an empty pipe (no reply yet) is killed; its parent "
               "learns of the signal and the server goes on.",
           watches=[forks(1), ends(2)]),
    lxtest("nosys", 3,
           doc="Unknown system calls (17, 9999, 0x7fffffff, -1) return exactly -ENOSYS.",
           calls=16),
    lxtest("efault", 6,
           doc="Bad pointers passed to read, write, open, stat64, pipe... return -EFAULT; "
               "the server survives them all.",
           calls=32),
    lxtest("forkbomb", 6, calls=120,
           doc="Forking until the process table is full gives EAGAIN; every child is "
               "reaped, and the server and the other processes go on.",
           watches=[forks(20), ends(21)], timeout=60),
    lxtest("segv", 6, calls=18,
           doc="Children that write through NULL, divide by zero, run ud2 and write their "
               "text die of SIGSEGV, SIGFPE, SIGILL and SIGSEGV, as wait4 reports.",
           watches=[forks(4), ends(5), traps(0, "divide-error"), traps(6, "invalid-opcode")]),
    lxtest("exit42", 3, status=42,
           doc="An exit status of 42 reaches the server's report and stops the machine "
               "with it (make linux CMD=... ends with it).",
           watches=[ends(1)]),
    lxtest("mmap", 5, calls=24,
           doc="Anonymous private mappings read zero, munmap leaves a hole that faults, "
               "MAP_FIXED and mprotect work, and a fork child gets a copy.",
           watches=[forks(3)]),
    lxtest("time", 4,
           doc="clock_gettime, gettimeofday, nanosleep and clock_nanosleep: time moves, "
               "and a sleep waits at least as long as asked.",
           calls=16),
]


# ---- Until /bin/lxtest is in the tree: the slice's programs ----


PAPER = "(133 MHz Pentium; Linux / L4Linux / L4Linux with trampoline)"

BENCHES = [
    Bench("lx.getpid", program=boot("/bin/lxbench getpid 200 {unit}"),
          paper="getpid: 223 / 526 / 753 cycles = 1.68 / 3.95 / 5.66 us (Table 2) " + PAPER),
    Bench("lx.write_null", program=boot("/bin/lxbench write_null 200 {unit}"),
          paper="write to /dev/null: 2.00 / 5.26 / 7.80 us (Table 3) " + PAPER),
    Bench("lx.pipe_rtt", program=boot("/bin/lxbench pipe_rtt 200 {unit}"),
          paper="pipe latency: 29.0 / 52.1 / 69.4 us (Table 3) " + PAPER),
    Bench("lx.fork_wait", program=boot("/bin/lxbench fork_wait 50 {unit}"),
          paper="null process (fork+exit): 973 / 2749 / 2765 us (Table 3) " + PAPER),
    Bench("lx.fault", program=boot("/bin/lxbench fault 200 {unit}"),
          paper="page fault resolved by a user-level pager: 6.2 us (L4, Table 5); "
                "mmap latency 52.2 / 64.3 / 69.4 us (Table 3)"),
]

assert sum(t.points for t in TESTS) == 100, "Lab 5's points must add up to 100"
