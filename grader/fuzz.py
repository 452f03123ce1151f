#!/usr/bin/env python3
"""make fuzz: boots the fuzzer (user/fuzz.c, user/fuzz/) alone and judges the run.

    fuzz.py --build DIR [--calls N] [--seed S] [--lab L] [--df]   (make fuzz passes --df unless DF=0)

The fuzzer makes about N system calls from several threads and tasks of
its own, well-formed most of the time and mutated now and then, through
int $0x30 and through sysenter (user/fuzz/sysenter.c: odd flags and segment
registers, any %eip and %esp to return to, each return checked against
docs/abi.md), and prints per kind of call how many it made and how many
returned an error.  The run
passes if the fuzzer's last line appears and the machine shuts down
cleanly: no panic, no hang (nothing printed for a long time, or far too
slow), no reset, no "LAB n:" line of a hole the fuzzer reached, no
"fuzz: FAIL" line (a check of the fuzzer's own: a leak of registers, a
sysenter that came back wrong, the kernel unusable after the run).  The
kernel's reports of the threads it stopped (user faults) are expected by
the hundreds: they are counted, not shown.  The seed is printed first and
last; a run is repeatable only up to the timing of interrupts, so a
failure is worth trying with the same seed a few times.
"""

import argparse
import os
import random
import re
import selectors
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

QUIET_LIMIT = 120          # seconds without a byte of output: a hang
TAIL = 40                  # lines of the log shown after a failure


def run(build, calls, seed, lab, df, out=sys.stdout):
    """Runs one fuzz; returns (passed, reason, log lines kept)."""
    args = "fuzz %d %d %s%s" % (seed, calls, lab, " df" if df else "")
    cmd = qemu.qemu_command(build, [args])
    limit = 60 + calls / 500.0         # about ten times what the reference needs
    start = last = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    tail, partial, faults, reason = [], b"", 0, None
    seen = {"done": False, "panic": False, "hole": False, "fail": False}
    try:
        while True:
            now = time.monotonic()
            if now - start > limit:
                reason = "timed out after %.0f s: the kernel hangs or is far too slow" % (now - start)
                break
            if now - last > QUIET_LIMIT:
                reason = "nothing printed for %d s: the kernel hangs" % QUIET_LIMIT
                break
            if not sel.select(1.0):
                continue
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            last = time.monotonic()
            lines = (partial + data).split(b"\n")
            partial = lines.pop()
            for raw in lines:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                # Escape what a terminal would act on: the guest's bytes are not ours.
                line = "".join(c if c.isprintable() else "\\x%02x" % ord(c) for c in line)
                tail = (tail + [line])[-TAIL:]
                if line.startswith("user fault:"):
                    faults += 1
                if line.startswith("fuzz:") or "panic" in line or re.match(r"^LAB \d", line):
                    print(line, file=out, flush=True)
                seen["done"] |= "the kernel is still here" in line
                seen["panic"] |= line.startswith("kernel panic")
                seen["hole"] |= bool(re.match(r"^LAB \d", line))
                if line.startswith("fuzz: FAIL") and not seen["fail"]:
                    seen["fail"] = line[len("fuzz: FAIL: "):]
    finally:
        sel.close()
        if proc.poll() is None:
            proc.kill()
        rc = proc.wait()
        proc.stdout.close()
    seconds = time.monotonic() - start
    print("fuzz: %d threads stopped by the kernel with a report (expected: the fuzzer provokes "
          "them); %.1f s" % (faults, seconds), file=out)
    if reason is None:
        if seen["panic"]:
            reason = "the kernel panicked"
        elif seen["hole"]:
            reason = "the fuzzer reached a lab hole (a 'LAB n:' line): give a lower --lab"
        elif seen["fail"]:
            reason = seen["fail"]
        elif not seen["done"]:
            reason = "the fuzzer did not finish: " + qemu.describe_exit(rc)
        elif rc != qemu.EXIT_SHUTDOWN:
            reason = qemu.describe_exit(rc)
    return reason is None, reason, tail


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--calls", type=int, default=100000)
    ap.add_argument("--seed", type=int, help="default: a fresh random one")
    ap.add_argument("--lab", default="4",
                    help="the highest lab whose kernel parts the fuzzer may use (base = none)")
    ap.add_argument("--df", action="store_true", help="enter the kernel with DF set now and then")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.getrandbits(31)
    print("fuzz: %s, seed %d, %d calls, labs up to %s" % (a.build, seed, a.calls, a.lab))
    ok, reason, tail = run(a.build, a.calls, seed, a.lab, a.df)
    if ok:
        print("fuzz: PASS (seed %d)" % seed)
        return 0
    print("fuzz: FAIL (seed %d): %s" % (seed, reason))
    print("     last lines of the log:")
    for line in tail:
        print("     | " + line)
    print("     again: make fuzz SEED=%d CALLS=%d%s" % (seed, a.calls,
                                                       "" if a.lab == "4" else " LAB=" + a.lab))
    return 1


if __name__ == "__main__":
    sys.exit(main())
