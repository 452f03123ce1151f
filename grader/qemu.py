#!/usr/bin/env python3
"""Boot l4lab under QEMU: for people (make qemu) and for tests (the grader).

Every way of starting QEMU goes through qemu_command(), so the Makefile,
the tests and the grader boot exactly the same machine:

    qemu-system-i386 -machine pc -nodefaults -m 128M -no-reboot
        -device isa-debug-exit,iobase=0xf4,iosize=0x04
        -kernel BUILD/kernel.elf -initrd "BUILD/user/a.elf args,BUILD/user/b.elf"

A test run (run()) reads the serial console until QEMU exits, a marker
appears, the output limit is reached or the time runs out; whatever the
kernel does, run() returns a Result and leaves no QEMU process behind.
A test may also type into the serial console (feed): QEMU's stdin is the
input of COM1.

Command line (used by the Makefile):
    qemu.py --build DIR [--interactive] [--gdb PORT] [--kvm] [--icount]
            [--append ARGS] -- 'prog args' 'prog2' ...
"""

import argparse
import os
import re
import selectors
import shutil
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU = "qemu-system-i386"

# QEMU's exit status under isa-debug-exit is (status << 1) | 1 (include/l4/abi.h).
EXIT_SHUTDOWN = 1          # the kernel shut down cleanly (status 0)
EXIT_PANIC = 255           # L4_EXIT_PANIC
EXIT_RESET = 0             # triple fault or reset, with -no-reboot
EXIT_DEADLOCK = 251        # L4_EXIT_DEADLOCK: every thread blocked in IPC for good

# What a kernel or a build prints is the student's text: it reaches a
# terminal, a log or a JSON file only through clean().  A control character
# (an ANSI escape sequence could move the cursor and draw PASS over a
# FAIL) or a bidirectional override is shown as \xNN or \uNNNN, and a line
# longer than LINE_LIMIT characters is cut.
LINE_LIMIT = 500
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# The QEMUs that run() has started and not yet reaped, for stop_all().
_running = set()

# At most this many boots at once in this process (limit_boots), so that
# make test can run its parts side by side on a 2-core machine without
# running 8 QEMUs at once.  A thread that holds a slot may boot again
# inside it (a test that starts GDB, then QEMU, takes the slot once, before
# GDB, whose connection must not wait for a slot).
_slots = None
_held = threading.local()


def limit_boots(n):
    """From now on, at most n boots run at once (slot())."""
    global _slots
    _slots = threading.BoundedSemaphore(max(1, n))


class slot:
    """`with qemu.slot():` one boot's worth of the machine: waits while the
    limit's boots run (no limit unless limit_boots was called)."""

    def __enter__(self):
        depth = getattr(_held, "depth", 0)
        if depth == 0 and _slots is not None:
            _slots.acquire()
        _held.depth = depth + 1
        return self

    def __exit__(self, *exc):
        _held.depth -= 1
        if _held.depth == 0 and _slots is not None:
            _slots.release()
        return False


def describe_exit(rc):
    """A sentence for QEMU's exit status."""
    if rc == EXIT_SHUTDOWN:
        return "the kernel shut down cleanly"
    if rc == EXIT_PANIC:
        return "kernel panic"
    if rc == EXIT_RESET:
        return "the machine reset (a triple fault? see the last lines of the log)"
    if rc == EXIT_DEADLOCK:
        return "deadlock: every thread was blocked in IPC with no timeout (see the log)"
    if rc is not None and rc > 0 and rc % 2 == 1:
        return "the machine was stopped with status %d" % ((rc - 1) // 2)
    return "QEMU ended with exit code %s" % rc


def module_arg(build, module):
    """'prog args' -> 'BUILD/user/prog.elf args' (QEMU separates modules by commas).
    A name with an extension names a data file there as it is ('rootfs.cpio')."""
    if "," in module:
        raise ValueError("a module command line cannot contain a comma: %r" % module)
    name, _, args = module.strip().partition(" ")
    path = os.path.join(build, "user", name if "." in name else name + ".elf")
    if not os.path.exists(path):
        raise FileNotFoundError("no user program %s (is '%s' in USER_LAYOUT of user/Makefrag?)"
                                % (path, name))
    return (path + " " + args).strip()


def kvm_works(build):
    """Probe once whether KVM runs this 32-bit kernel; the answer is cached in build/."""
    cache = os.path.join(TOP, "build", "kvm-probe")
    if os.path.exists(cache):
        return open(cache).read().strip() == "yes"
    ok = False
    if os.access("/dev/kvm", os.R_OK | os.W_OK):
        try:
            res = run(build, ["hello probe exit"], timeout=20, kvm=True)
            ok = res.rc == EXIT_SHUTDOWN and "hello from user mode" in res.output
        except (OSError, ValueError):
            ok = False
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache, "w") as f:
        f.write("yes\n" if ok else "no\n")
    return ok


def qemu_command(build, modules, gdb_port=None, kvm=False, icount=False,
                 append=None, interactive=False):
    # -nodefaults: no VGA card, network card, floppy or CD-ROM, which
    # nothing here uses (the console is the serial port): about a quarter of
    # the CPU time of a test's boot is QEMU's start and SeaBIOS.
    cmd = [QEMU, "-machine", "pc", "-nodefaults", "-m", "128M", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", os.path.join(build, "kernel.elf")]
    if modules:
        cmd += ["-initrd", ",".join(module_arg(build, m) for m in modules)]
    if append:
        cmd += ["-append", append]
    cmd += ["-display", "none"]
    if interactive:
        cmd += ["-serial", "mon:stdio"]     # serial and monitor on the terminal: Ctrl-a x quits
    else:
        cmd += ["-serial", "stdio", "-monitor", "none"]
    if kvm:
        cmd += ["-accel", "kvm", "-cpu", "host"]
    else:
        cmd += ["-accel", "tcg"]
        if icount:
            cmd += ["-icount", "shift=0"]  # rdtsc then counts guest instructions
    if gdb_port:
        cmd += ["-S", "-gdb", "tcp:127.0.0.1:%d" % gdb_port]
    return cmd


class Result:
    """What a test boot produced.  reason is one of: 'exit' (QEMU ended by
    itself; see rc), 'marker' (a wanted line appeared), 'timeout',
    'output-limit'."""

    def __init__(self, output, rc, reason, seconds):
        self.output, self.rc, self.reason, self.seconds = output, rc, reason, seconds

    def lines(self):
        return self.output.splitlines()

    def verdict(self):
        # QEMU itself failed (bad option, port in use): it says why on stderr.
        err = next((l for l in self.lines() if l.startswith(QEMU + ":")), None)
        if self.reason == "exit" and err and "l4lab" not in self.output:
            return "QEMU could not start: " + err
        if self.reason == "timeout":
            return "timed out after %.0f s (the kernel hangs or is too slow)" % self.seconds
        if self.reason == "output-limit":
            return "stopped: the kernel printed too much (an endless loop?)"
        if self.reason == "marker":
            return "the end marker appeared"
        return describe_exit(self.rc)


def run(build, modules, timeout=30.0, max_output=256 * 1024, until=None,
        gdb_port=None, kvm=False, icount=False, append=None, feed=None):
    """Boots QEMU, collects its serial output, and always cleans up.
    until(output) -> bool may end the run early (reason 'marker').
    feed is a list of (regex, bytes): when the regex (a string or a
    compiled pattern) first matches the output, the bytes are written to
    QEMU's stdin, which is COM1's input (-serial stdio); each is written
    once, in the order their patterns appear.  Without feed, stdin is empty."""
    with slot():
        return _run(build, modules, timeout, max_output, until, gdb_port, kvm, icount,
                    append, feed)


def _run(build, modules, timeout, max_output, until, gdb_port, kvm, icount, append, feed):
    cmd = qemu_command(build, modules, gdb_port=gdb_port, kvm=kvm, icount=icount,
                       append=append)
    feed = [(re.compile(p, re.M) if isinstance(p, str) else p, data) for p, data in feed or ()]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    _running.add(proc)

    def watch(chunks):
        if until and until(_decode(chunks)):
            return True
        if feed:
            _feed(proc, feed, _decode(chunks))
        return False

    chunks = []
    try:
        reason = read_output(proc, start + timeout, max_output, chunks, watch)
    finally:
        if proc.poll() is None:
            proc.kill()
        rc = proc.wait()
        _running.discard(proc)
        proc.stdout.close()
        if proc.stdin:
            try:
                proc.stdin.close()
            except OSError:
                pass            # QEMU is gone; what it did not read does not matter
    return Result(clean(_decode(chunks)), rc if reason == "exit" else None, reason,
                  time.monotonic() - start)


def read_output(proc, deadline, max_output, chunks, watch=None):
    """Reads proc's stdout into chunks (a list of bytes) as it comes, until
    it ends ("exit"), the time.monotonic() deadline passes ("timeout"), more
    than max_output bytes came ("output-limit"), or watch(chunks) says so
    ("marker").  Returns that reason; stopping proc is the caller's part.
    One loop for QEMU's serial output and for a batch grading's commands."""
    size = 0
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            if not sel.select(min(left, 0.5)):
                continue
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                return "exit"
            chunks.append(data)
            size += len(data)
            if size > max_output:
                return "output-limit"
            if watch and watch(chunks):
                return "marker"


def stop_all():
    """Kills every QEMU run() has started: for a grader that is being stopped
    (each QEMU has a session of its own, so it would outlive the grader)."""
    for proc in list(_running):
        try:
            proc.kill()
        except OSError:
            pass


def _feed(proc, feed, output):
    """Writes the bytes of every feed entry whose pattern has appeared, and
    drops it from the list.  A QEMU that has stopped reading (it ended)
    is no error here: run() reports how it ended."""
    for entry in [e for e in feed if e[0].search(output)]:
        feed.remove(entry)
        try:
            proc.stdin.write(entry[1])
            proc.stdin.flush()
        except OSError:
            pass


def _escape(m):
    c = ord(m.group())
    return "\\x%02x" % c if c < 0x100 else "\\u%04x" % c


def _cut(line, limit):
    """line, or its start with a note of how much was cut: at most limit
    characters either way, so that cleaning twice changes nothing."""
    if len(line) <= limit:
        return line
    keep = limit - 40
    return line[:keep] + " [... %d more characters cut]" % (len(line) - keep)


def clean(text, limit=LINE_LIMIT, one_line=False):
    """text (str, or bytes decoded as UTF-8 with replacement) made safe to
    print and store: control characters other than newline and tab are
    escaped (all of them if one_line), and lines are cut to limit characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = (_UNSAFE_LINE if one_line else _UNSAFE).sub(_escape, text)
    if limit and len(text) > limit:
        text = "\n".join(_cut(line, limit) for line in text.split("\n"))
    return text


def _decode(chunks):
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--interactive", action="store_true")
    ap.add_argument("--gdb", type=int)
    ap.add_argument("--kvm", action="store_true")
    ap.add_argument("--icount", action="store_true")
    ap.add_argument("--append")
    ap.add_argument("--status", action="store_true",
                    help="exit with the status the guest stopped the machine with "
                         "(SYS_KDB_EXIT), as `make linux` does with a program's exit status")
    ap.add_argument("modules", nargs="*")
    a = ap.parse_args()

    if not shutil.which(QEMU):
        sys.exit("%s is not installed: run tools/deps" % QEMU)
    kvm = False
    if a.kvm:
        kvm = kvm_works(a.build)
        if not kvm:
            print("KVM=1: KVM cannot run a 32-bit protected-mode guest here "
                  "(or /dev/kvm is missing); using TCG instead.", file=sys.stderr)
    try:
        cmd = qemu_command(a.build, a.modules, gdb_port=a.gdb, kvm=kvm, icount=a.icount,
                           append=a.append, interactive=True)
    except (ValueError, FileNotFoundError) as e:
        sys.exit("qemu.py: %s" % e)
    print("+ " + " ".join("'%s'" % c if " " in c else c for c in cmd), file=sys.stderr)
    # QEMU's own complaints come on stderr: pass them on, and remember them.
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    complaints = []
    for line in proc.stderr:
        sys.stderr.write(line)
        complaints.append(line.strip())
    rc = proc.wait()
    if rc == 1 and any(l.startswith(QEMU + ":") for l in complaints):
        print("qemu: QEMU could not start (see its message above)", file=sys.stderr)
        sys.exit(1)
    if rc == EXIT_RESET:
        # Interactive QEMU also exits with 0 on Ctrl-a x and on GDB's kill.
        print("qemu: QEMU exit code 0: you quit (Ctrl-a x, or GDB's kill), or the machine "
              "reset (a triple fault: see the last lines above)", file=sys.stderr)
        sys.exit(0)
    print("qemu: %s (QEMU exit code %d)" % (describe_exit(rc), rc), file=sys.stderr)
    if a.status and rc is not None and rc > 0 and rc % 2 == 1 and rc < EXIT_DEADLOCK:
        sys.exit((rc - 1) // 2)
    sys.exit(0 if rc == EXIT_SHUTDOWN else 1)


if __name__ == "__main__":
    main()
