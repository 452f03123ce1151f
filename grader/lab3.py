"""Lab 3 — pagers: page faults as IPC, sigma0, demand paging and copy-on-write.
Handout: labs/lab3-pagers/README.md.

Holes: the kernel's conversion of a page fault into a message to the
thread's pager and back (kernel/pagefault.c), and in the pager library the
fault handler of demand-zero regions and the copy-on-write logic
(user/pager/).  Most tests boot sigma0 and user/tests/lab3_pager.c, whose
driver thread starts the pager and spawns child tasks that the pager pages;
fault_ipc and fault_robust boot user/tests/lab3_kernel.c instead, which
tests the kernel's part alone with a small pager of its own.
The program checks what the children see and what the pager counted; the
grader checks its final line, every fault the kernel reports against the
faults the test expects (access, randomized address, reason, and whether
the report says that the thread's pager did not resolve it), and, with
GDB, how many faults the kernel took in a demand-zero region.

Forged output does not pass (docs/grading.md, "What the grader defends
against"): the success line carries a digest of what the program read
through its pages, which the grader works out here from the seed
(DIGESTS: the programs' random choices, repeated); GDB reads the same
digest from the program's memory when it stops the machine (the given
sys_kdb_exit, kernel/syscall.c), and counts the page faults that reach the
given pagefault() (kernel/pfroute.c), before the hole.  A forger in
user/pager/ could write the digest into the program's memory; it could not
make the kernel take the faults.
"""

import re

import faults
from faults import NOMAP, PROT
from gradelib import Test, Bench, Watch, digest, xorshift32

LAB = 3
TITLE = "Pagers: page faults as IPC, sigma0, demand paging and copy-on-write"

PAGE = 0x1000
PROGRAM = "lab3_pager"

# The line naming the pager thread, and an announcement of a fault the
# program expects: "[thread N ]reads|writes ADDRESS (why)" (without the
# thread, the report may name any thread of the program).
PAGER_RE = r"^lab3 %s: the pager is thread (\d+)$"
ANNOUNCE_RE = r"^lab3 %s: expecting a fault: (?:thread (\d+) )?(reads|writes) 0x([0-9a-f]{8}) \((.*)\)$"

# The children's regions are in 0x10000000..0x2fffffff (lab3_pager.c).
REGION = "addr >= 0x10000000 && addr < 0x30000000"


def expect_faults(name, *expected):
    """A check: the kernel reports exactly these page faults, in this order,
    each by the thread the program announced for it.  Each fault is (access,
    address, reason, paged): address is a function of the run's values, or
    None: the address the program announced; paged says whether the thread
    had a pager (the report must name it) or not (no pager line)."""

    def check(res, values):
        pager = re.search(PAGER_RE % name, res.output, re.M)
        said = re.findall(ANNOUNCE_RE % name, res.output, re.M)
        wanted = []
        for i, (access, address, reason, paged) in enumerate(expected):
            if i >= len(said):
                wanted.append("expected fault %d (a %s), but the program did not announce it"
                              % (i + 1, access))
                break
            thread, verb, at = int(said[i][0]) if said[i][0] else None, said[i][1], int(said[i][2], 16)
            if verb != access + "s" or (address and address(values) != at):
                wanted.append("test bug: fault %d should be a %s at 0x%08x, but %s announced "
                              "'%s 0x%08x'" % (i + 1, access, address(values) if address else at,
                                              PROGRAM, verb, at))
                break
            if paged and not pager:
                wanted.append("the program did not say which thread is the pager")
                break
            want = "%s's %s at 0x%08x reported as a page fault (%s)%s" % (
                "thread %d" % thread if thread else PROGRAM, access, at, reason,
                " that its pager, thread %s, did not resolve" % pager.group(1) if paged
                else " with no pager line (the thread had no pager)")
            wanted.append(faults.Expected(want, access, at, reason, thread,
                                          int(pager.group(1)) if paged else False))
        return faults.match(res.output, PROGRAM, wanted)

    return check


M = 0xFFFFFFFF
RW_LO, RW_PAGES = 0x10000000, 0x20000     # lab3_pager's REGION_LO, its pages up to REGION_HI


class Choices:
    """lab3_pager's random choices (rng(), value(), offset(), shuffle(),
    region_base()), from SEED | 1, in the order the program makes them."""

    def __init__(self, seed):
        self.gen = xorshift32(seed | 1)

    def rng(self):
        return next(self.gen)

    def value(self):
        v = self.rng()
        while v == 0:
            v = self.rng()
        return v

    def offset(self):
        return self.rng() & 0xFFC

    def shuffle(self, n):
        order = list(range(n))
        for i in range(n, 1, -1):
            j = self.rng() % i
            order[i - 1], order[j] = order[j], order[i - 1]
        return order

    def region_base(self, pages):
        return RW_LO + self.rng() % (RW_PAGES - pages) * PAGE

    def touch(self, write):
        """A touch() draws a value for each register it loads: 7 for a
        write, 8 for a read."""
        for _ in range(7 if write else 8):
            self.value()


def region(c, n):
    """The region the test draws for n pages (n to 2n pages, shuffled):
    (its base, the order the pages are touched in)."""
    size = n + c.rng() % (n + 1)
    base = c.region_base(size)
    return base, c.shuffle(size)


def demand_zero_words(v):
    c, n = Choices(v["seed"]), v["n"]
    base, order = region(c, n)
    out = []
    for i in range(n):
        addr = base + order[i] * PAGE + c.offset()
        val = c.value()
        if c.rng() & 1:
            c.touch(False)
        c.touch(True)
        c.touch(False)
        out += [addr, val]
    return out


def readonly_words(v):
    c, n = Choices(v["seed"]), v["n"]
    base, order = region(c, n)
    out = []
    for i in range(n):
        out.append(base + order[i] * PAGE + c.offset())
        c.touch(False)
    return out


def cow_words(v):
    """What each child reads at the end: its own write, else A's data if
    the page was in S, else 0."""
    c, n = Choices(v["seed"]), v["n"]
    c.region_base(n)
    while True:
        s, wa, wb = ([c.rng() & 1 for _ in range(n)] for _ in range(3))
        if any(s[i] and wa[i] and wb[i] for i in range(n)) and \
           any(s[i] and wa[i] and not wb[i] for i in range(n)) and \
           any(s[i] and not wa[i] and wb[i] for i in range(n)) and \
           any(s[i] and not wa[i] and not wb[i] for i in range(n)) and not all(s):
            break
    data, wval = [], ([], [])
    for i in range(n):
        c.offset()
        data.append(c.value())
        wval[0].append(c.value())
        wval[1].append(c.value())
    out = []
    for k in range(2 * n):
        i, who = k % n, k // n
        mine = (wa, wb)[who][i]
        out.append(wval[who][i] if mine else data[i] if s[i] else 0)
    return out


def unmapped_words(v):
    c = Choices(v["seed"])
    size = 2 + c.rng() % 8
    base = c.region_base(size)
    first = base + c.offset()
    return [first, c.value()]


def sigma0_words(v):
    """pattern(who, i) of lab3_pager: each child's word in each of its pages."""
    def pattern(who, i):
        x = ((v["seed"] | 1) ^ (who * 0x9E3779B9 & M) ^ (i * 0x85EBCA6B & M)) | 1
        return next(xorshift32(x))
    return [pattern(who, i) for who in (1, 2) for i in range(v["n"])]


def area_addrs(c, k):
    """lab3_kernel's area_addr(), k times."""
    out = []
    for _ in range(k):
        page = c.rng() % (0x10000 - 0x1000)
        out.append(0x50000000 + page * PAGE + (c.rng() % PAGE & ~3))
    return out


def protocol_words(v):
    c = Choices(v["seed"])
    a1, = area_addrs(c, 1)
    a2, = area_addrs(c, 1)
    while a2 & ~0xFFF == a1 & ~0xFFF:
        a2, = area_addrs(c, 1)
    for _ in range(7):                  # touch(): 5 registers, MR2, the window
        c.rng()
    a1w = (a1 & ~0xFFF) + ((a1 + 4 * (1 + c.rng() % 64)) % PAGE)
    word = (((a1 & ~0xFFF) ^ 0x9E3779B9) + (a1 % PAGE) // 4 * 2654435761) & M
    return [a1, a2, word, a1w, -8]      # the long reply: -L4_EMSGLEN


def robust_words(v):
    c = Choices(v["seed"])
    page = c.rng() % 0x30000
    out = [0xC0000000 + page * PAGE + (c.rng() % PAGE & ~3)]
    for _ in range(3):
        for _ in range(7):              # the worker's touch() before its fault
            c.rng()
        out += area_addrs(c, 1)
    return out + [63]


# What each program folds into its digest, after SEED | 1 (lab3_pager.c,
# lab3_kernel.c: fold()), from the run's values.
DIGESTS = {
    "demand_zero": demand_zero_words,
    "readonly": readonly_words,
    "cow": cow_words,
    "unmapped": unmapped_words,
    "sigma0": sigma0_words,
    "protocol": protocol_words,
    "robust": robust_words,
}


def derive(which):
    return lambda v: {"digest": digest(DIGESTS[which](v), v["seed"] | 1)}


def exit_watch(program):
    """GDB reads the program's digest in its own memory when it stops the
    machine with status 0 (the given sys_kdb_exit, kernel/syscall.c)."""
    return Watch("sys_kdb_exit", cond="tf->ebx == 0", key="test_digest", mode="equals",
                 expect="{digest}", symbols=[program],
                 what="%s's digest in its own memory when it stopped the machine" % program)


def faults_in(lo, hi, at_least):
    """At least this many page faults at lo..hi reach the given pagefault()
    (kernel/pfroute.c) before the hole: a function of the run's values."""
    return Watch("pagefault", cond="addr >= 0x%08x && addr < 0x%08x" % (lo, hi),
                 mode="at_least", expect=at_least,
                 what="page faults at 0x%08x..0x%08x (entries into pagefault)" % (lo, hi - 1))


def lab3_test(name, points, doc, args, params, ok, expected=(), watches=(), timeout=20):
    """A lab3_pager test: sigma0 and the program with its arguments (a
    format string over the params; SEED is added), the success line's
    fields after the nonce, and the faults the kernel must report."""
    return Test(name, points=points, doc=doc,
                programs=["sigma0", "%s %s {nonce} %s {seed}" % (PROGRAM, name, args)],
                params=dict(params, seed=(1, 2**31 - 1)),
                derive=derive(name),
                expect=[(PAGER_RE % name, "the line naming the pager thread"),
                        (r"^lab3 %s: nonce={nonce} %s digest={digest:08x} ok$" % (name, ok),
                         "the '%s' test's success line" % name)],
                watches=[exit_watch(PROGRAM)] + list(watches),
                check=expect_faults(name, *expected), timeout=timeout)


# lab3_kernel's robust test provokes these faults, in this order: (access,
# reason, the start of the pager line's explanation, or None: no pager line).
# Its kernel address lies in the kernel's direct map, which is mapped, but
# not for user code.
ROBUST_FAULTS = [("read", PROT, None),
                 ("write", NOMAP, "its reply mapped no page there"),
                 ("write", NOMAP, "it ended before it answered"),
                 ("read", NOMAP, "the thread is its own pager")]


def robust_reports(res, values):
    """The kernel reports each fault lab3_kernel robust announces, the first
    without a pager line, the others saying why the pager did not help."""
    said = re.findall(ANNOUNCE_RE % "robust", res.output, re.M)
    wanted = []
    for i, (access, reason, why) in enumerate(ROBUST_FAULTS):
        if i >= len(said):
            wanted.append("expected fault %d (a %s), but lab3_kernel did not announce it"
                          % (i + 1, access))
            break
        at = int(said[i][2], 16)
        wanted.append(faults.Expected(
            "the %s at 0x%08x reported as a page fault (%s)%s" % (
                access, at, reason, " with no pager line (the pager is never asked about kernel "
                "memory)" if why is None else " whose pager line says '%s...'" % why),
            access, at, reason, None, False if why is None else None))
    err = faults.match(res.output, "lab3_kernel", wanted)
    if err:
        return err
    for r, (access, reason, why) in zip(faults.reports(res.output), ROBUST_FAULTS):
        if why and not (r.pager_why or "").startswith(why):
            return "expected the report of the %s at 0x%08x to say that its pager did not " \
                   "resolve it: '%s...', but it says: '%s'" % (
                       access, r.address, why, (r.lines[2] if len(r.lines) > 2 else
                                                "(no line about the pager)").strip())
    return None


def kernel_test(name, which, points, doc, faults, check=None):
    """A test `name` that boots sigma0 and lab3_kernel WHICH NONCE SEED; at
    least `faults` page faults in its AREA reach the given pagefault()."""
    return Test(name, points=points, doc=doc,
                programs=["sigma0", "lab3_kernel %s {nonce} {seed}" % which],
                params={"seed": (1, 2**31 - 1)},
                derive=derive(which),
                expect=[(r"^lab3 %s: nonce={nonce} digest={digest:08x} ok$" % which,
                         "lab3_kernel's success line")],
                watches=[exit_watch("lab3_kernel"),
                         faults_in(0x50000000, 0x60000000, str(faults))],
                check=check, timeout=20)


TESTS = [
    kernel_test("fault_ipc", "protocol", 15,
                doc="With a pager of the test's own: each fault message has the right label, "
                    "access, address and eip; the reply's page lands on the fault address and "
                    "the thread runs on with its registers, MR2 and receive window as they were; "
                    "a read-only page written faults again as a write; a reply longer than a map "
                    "item fails with -L4_EMSGLEN.",
                faults=3),
    kernel_test("fault_robust", "robust", 10,
                doc="A fault on kernel memory is not sent to the pager; a pager that answers "
                    "without a page, a pager that ends without answering, and a thread that is "
                    "its own pager get the thread stopped and reported, and the kernel runs on; "
                    "bad pager arguments fail with -L4_ENOPARTNER; a new task with a pager starts "
                    "at once with its creator in %ecx and faults in its code and stack.",
                faults=5, check=robust_reports),
    lab3_test("demand_zero", 20,
              doc="A child touches N pages of a demand-zero region in random order, reading or "
                  "writing first: each page reads zero until written and keeps what was written; "
                  "the kernel takes exactly N faults there and the pager counts N faults and N "
                  "zero-filled pages; a fault leaves the thread's registers, MR2, MR3 and "
                  "receive window as they were.",
              args="{n}", params={"n": (8, 40)},
              ok="pages={n} faults={n} zero_fills={n}",
              watches=[Watch("pagefault", cond=REGION, key="addr >> 12", expect="{n}",
                             what="pages of the region the kernel took a page fault on")]),
    lab3_test("readonly", 10,
              doc="N pages of a read-only region read zero; a write to one of them is refused: "
                  "the kernel reports it (write, that address, the page is mapped but not for "
                  "this access, its pager did not resolve it) and stops the child; the pager "
                  "counts one refusal.",
              args="{n}", params={"n": (4, 24)},
              ok="pages={n} refused=1",
              expected=[("write", None, PROT, True)],
              watches=[faults_in(0x10000000, 0x30000000, lambda v: v["n"] + 1)]),
    lab3_test("cow", 25,
              doc="A's region is copied into B copy-on-write: both read A's data; after writes "
                  "on both sides in random order each sees its own writes and not the other's; "
                  "the pager copied each written page of A's data once, for its first writer, "
                  "and the pages nobody wrote stay shared.",
              args="{n}", params={"n": (6, 24)},
              ok=r"pages={n} copied=\d+ shared=\d+ copies=\d+\+\d+",
              watches=[faults_in(0x10000000, 0x30000000, lambda v: 2 * v["n"])]),
    lab3_test("unmapped", 10,
              doc="A read where the child has no region is refused, reported with its address, "
                  "and stops the child; the kernel and the pager go on (a new child works); a "
                  "child may not change its own pager, and without a pager its next fault is "
                  "a plain user fault.",
              args="0x{page:05x}{off:03x}", params={"page": (0x70000, 0x7FFFF), "off": (0, 0xFFF)},
              ok=r"at=0x{page:05x}[0-9a-f]{{3}}",
              expected=[("read", lambda v: v["page"] * PAGE + (v["off"] & 0xFFC), NOMAP, True),
                        ("read", None, NOMAP, False)],
              watches=[faults_in(0x10000000, 0x30000000, "3")]),
    lab3_test("sigma0", 10,
              doc="Two children touch N pages each while the driver takes N frames from sigma0 "
                  "itself, then a free one by its address and one more: all frames distinct, "
                  "sigma0 refuses a frame it gave out already (-L4_EPERM) and one of the kernel "
                  "image (-L4_EINVAL), and every page keeps its owner's data.",
              args="{n}", params={"n": (8, 32)},
              ok=r"pages={n} frames={n}\+2",
              watches=[faults_in(0x10000000, 0x30000000, lambda v: 2 * v["n"])]),
]

BENCHES = [
    Bench("pf.user_pager", program=["sigma0", "bench_pf 200 {unit} {nonce}"],
          paper="page fault resolved by a user-level pager: 6.2 us on a Pentium 133 (Table 5); "
                "compare ipc.rtt.inter_space: a fault costs about one IPC round trip plus the "
                "mapping"),
]
