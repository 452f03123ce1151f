"""Lab 2 — address spaces, flexpages, map/grant/unmap.  Handout: labs/lab2-spaces/README.md.

Holes: the transfer of map and grant items (kernel/map.c) and the mapping
database with recursive unmap (kernel/mapdb.c).  Every test boots
user/tests/lab2_map.c two or three times, as boot modules in address spaces
of their own: role a drives the test, roles b and c serve it.  The program
checks what it sees itself; the grader checks its final line, and every
fault the kernel reports against the faults the test expects: which access,
at which (randomized) address, and why ("no page is mapped there" or "the
page is mapped, but not for this access").

Forged output does not pass (docs/grading.md, "What the grader defends
against"): a's final line carries a digest of the values it found through
the mappings, which the grader works out here from the seed (DIGESTS); GDB
reads the same digest from a's memory when a stops the machine, counts the
messages with map items in the given items_valid (kernel/ipc_syscall.c), and
the faults in the given user_fault (kernel/trap.c).
"""

import re

import faults as faults_lib
from faults import NOMAP, PROT
from gradelib import Test, Bench, Watch, digest, xorshift32

LAB = 2
TITLE = "Address spaces, flexpages, map, grant and unmap"

PAGE = 0x1000

# lab2_map's announcement of a fault it expects.
ANNOUNCE_RE = re.compile(r"^lab2 \S+: expecting a fault: ([abc]) (reads|writes) 0x([0-9a-f]{8}) \((.*)\)$",
                         re.M)


def off(v):
    """The byte offset lab2_map uses: word-aligned, inside the page."""
    return v["off"] & 0xFFC


def page(v, name):
    return v[name] * PAGE


def announced(res, values, i):
    """The address of the i-th fault the program announced (a's own
    addresses, which the grader cannot know)."""
    found = ANNOUNCE_RE.findall(res.output)
    return int(found[i][2], 16) if i < len(found) else None


def expect_faults(*faults):
    """A check: the kernel reports exactly these page faults, in this order.
    Each fault is (who, access, address, reason); address is a function of
    the run's values, or an int i: the address of the i-th announced fault."""

    def check(res, values):
        said = ANNOUNCE_RE.findall(res.output)
        wanted = []
        for i, (who, access, address, reason) in enumerate(faults):
            if i < len(said) and (said[i][0], said[i][1]) != (who, access + "s"):
                wanted.append("test bug: fault %d should be %s's %s, but lab2_map announced "
                              "'%s %s'" % (i + 1, who, access, said[i][0], said[i][1]))
                break
            addr = announced(res, values, address) if isinstance(address, int) else address(values)
            want = "%s's %s at 0x%08x reported as a page fault (%s)" % (
                who, access, addr if addr is not None else 0, reason)
            if addr is None:
                wanted.append("expected %s, but the program did not announce it" % want)
                break
            wanted.append(faults_lib.Expected(want, access, addr, reason, None, None))
        return faults_lib.match(res.output, "lab2_map", wanted)

    return check


M = 0xFFFFFFFF


def draws(v, n):
    """The first n values of a's rng (lab2_map's value(), seeded with SEED | 1)."""
    rng = xorshift32(v["seed"] | 1)
    return [next(rng) for _ in range(n)]


def chain_holder(k):
    """Who holds hop k of the long chain: b the odd hops, c the even ones."""
    return "b" if k & 1 else "c"


def longchain_values(v):
    """lab2_map.c's test_longchain: the values it folds, in order."""
    v1, v2 = draws(v, 2)
    n, m = v["depth"], v["mid"]

    def hops(who, lo, hi):
        first = lo + (chain_holder(lo) != who)
        return (hi - first) // 2 + 1 if first <= hi else 0

    def sums(lo, hi):
        return [hops(who, lo, hi) * v2 & M for who in "bc" if hops(who, lo, hi)]

    def gone(lo, hi):
        return [hops(who, lo, hi) for who in "bc" if hops(who, lo, hi)]

    return ([v1, v2] + sums(1, n) + [v2] + gone(m + 1, n) + sums(1, m) + gone(1, m) +
            [v2, v2])


def bigpage_values(v):
    last, *pages = draws(v, 1 + 1024)
    return [sum(pages) & M, last]


# The values a folds into its digest, in order (lab2_map.c: must_read,
# a_expects and a few test-specific results), from the run's values.
DIGESTS = {
    "share": lambda v: [draws(v, 5)[i] for i in (0, 1, 2, 3, 4, 2, 4)],
    "readonly": lambda v: [draws(v, 2)[i] for i in (0, 0, 0, 1, 1)],
    "grant": lambda v: [draws(v, 2)[i] for i in (0, 0, 1, 1)],
    "window": lambda v: [draws(v, 2)[v["half"] & 1]],
    "chain": lambda v: [draws(v, 3)[i] for i in (0, 1, 0, 1, 2, 2, 0, 0, 1, 0, 0, 1, 2, 2)],
    "rights": lambda v: [draws(v, 3)[i] for i in (1,) * 6 + (2,) * 3],
    "recheck": lambda v: [0, page(v, "w") | (12 << 4) | 6],
    "refused": lambda v: draws(v, 1),
    "bigpage": bigpage_values,
    "task": lambda v: [(v["secret"] * 3 + 7) & M],
    "isolation": lambda v: [0] + [draws(v, 1)[0]] * 2,
    "longchain": longchain_values,
}


class NodesFreed(Watch):
    """longchain's count of b's mapping-database nodes (struct space's
    mapnodes, kept by the given mapdb_alloc and mapdb_free), read by GDB at
    b's two announced faults: after the unmap in the middle b still holds
    its hops above it, after a's unmap none.  The difference is the number
    of nodes a's unmap freed in b, which the grader knows from the
    parameters.  (Two stops in all: counting each of the thousands of map
    messages in items_valid, as the other tests do, would cost a GDB stop
    each, about 10 ms.)"""

    def __init__(self):
        super().__init__("user_fault", cond="tf->trapno == 14", key="current->space->mapnodes",
                         mode="at_least", expect="2",
                         what="b's mapping-database nodes at its two faults")

    def judge(self, keys, values):
        reason = super().judge(keys, values)
        if reason:
            return reason
        want = (values["mid"] + 1) // 2         # b's hops 1, 3, ... up to mid
        freed = keys[0] - keys[-1]
        if freed != want:
            return ("GDB counted %d mapping-database nodes in b at its first fault and %d at its "
                    "last (current->space->mapnodes at user_fault): a's unmap freed %d of b's, "
                    "expected %d" % (keys[0], keys[-1], freed, want))
        return None


def lab2_test(name, points, doc, roles, args, params, at, maps, faults=(),
              extra_watches=()):
    """A lab2_map test: roles "ab" or "abc", a's arguments (a format string
    over the params), the address a's success line names (at=...), the
    number of messages with map or grant items the test sends at least
    (maps; None: not counted), the faults the kernel must report, and more
    watches if need be."""
    programs = ["lab2_map %s {nonce} a %s {seed}" % (name, args)]
    programs += ["lab2_map %s {nonce} %s" % (name, r) for r in roles[1:]]
    params = dict(params, seed=(1, 2**31 - 1))
    fault_check = expect_faults(*faults)

    def check(res, values):
        m = re.search(r"^lab2 %s: nonce=%s at=(0x[0-9a-f]{8}) digest=[0-9a-f]{8} ok$"
                      % (name, values["nonce"]), res.output, re.M)
        if int(m.group(1), 16) != at(values):
            return "the success line names 0x%08x, expected 0x%08x" % (int(m.group(1), 16), at(values))
        return fault_check(res, values)

    # What GDB sees: a's digest in a's memory when a stops the machine, the
    # map messages (sys_ipc checks each one's items in items_valid, which
    # it calls for nothing else: few stops), and the faults the given
    # user_fault reports.  All three are given code (kernel/ipc_syscall.c,
    # kernel/syscall.c, kernel/trap.c).  A test with thousands of map
    # messages (maps=None) counts something cheaper instead (NodesFreed).
    watches = [Watch("sys_kdb_exit", cond="tf->ebx == 0", key="test_digest", mode="equals",
                     expect="{digest}", symbols=["lab2_map"],
                     what="lab2_map's digest in a's own memory when a stopped the machine"),
               Watch("items_valid", mode="at_least", expect=str(maps),
                     what="messages with map or grant items (checked in items_valid)")]
    watches = watches[:1] if maps is None else watches
    if faults:
        watches.append(Watch("user_fault", cond="tf->trapno == 14", mode="at_least",
                             expect=str(len(faults)), what="page faults (user_fault)"))
    watches += list(extra_watches)
    return Test(name, points=points, doc=doc, programs=programs, params=params,
                derive=lambda v: {"digest": digest(DIGESTS[name](v), v["seed"])},
                watches=watches,
                expect=[(r"^lab2 %s: nonce={nonce} at=0x[0-9a-f]{{8}} digest={digest:08x} ok$"
                         % name, "the '%s' test's success line" % name)],
                check=check, timeout=20)


# Where the peers' windows go: 0x40000000..0x7fffffff, where lab2_map has nothing.
WIN = (0x40000, 0x7FFFF)        # a page number
OFF = (0, 0xFFF)                # a byte offset, word-aligned by the program

TESTS = [
    lab2_test("share", maps=2, points=10, roles="ab",
              doc="A page a maps into b's 64 KiB window lands where the send base says; writes "
                  "by either task are seen by the other; a second map to the same place replaces "
                  "the first.",
              args="0x{win:04x}0000 {slot} {off}",
              params={"win": (0x4000, 0x7FFF), "slot": (0, 15), "off": OFF},
              at=lambda v: (v["win"] << 16) + v["slot"] * PAGE),
    lab2_test("readonly", maps=2, points=10, roles="abc",
              doc="A read-only map cannot be written: b's write faults, and so does c's, who "
                  "asked b for RW (rights only shrink); reads work.",
              args="0x{wb:05x}000 0x{wc:05x}000 {off}",
              params={"wb": WIN, "wc": WIN, "off": OFF},
              at=lambda v: page(v, "wb"),
              faults=[("b", "write", lambda v: page(v, "wb") + off(v), PROT),
                      ("c", "write", lambda v: page(v, "wc") + off(v), PROT)]),
    lab2_test("grant", maps=3, points=10, roles="abc",
              doc="The granter loses the page (its read faults, a second grant lands nothing), "
                  "the grantee keeps the data, and a mapping a made before now derives from the "
                  "grantee's (b's unmap takes it from c).",
              args="0x{wb:05x}000 0x{wc:05x}000 {off}",
              params={"wb": WIN, "wc": WIN, "off": OFF},
              at=lambda v: page(v, "wb"),
              faults=[("a", "read", 0, NOMAP),
                      ("c", "read", lambda v: page(v, "wc") + off(v), NOMAP)]),
    lab2_test("window", maps=2, points=10, roles="ab",
              doc="Without a receive window nothing lands (L4_NILPAGE); an 8 KiB fpage into a "
                  "4 KiB window maps the half the send base selects, and the pages beside the "
                  "window fault.",
              args="0x{win:05x}000 {off} {half}",
              params={"win": (0x40001, 0x7FFFE), "off": OFF, "half": (0, 1)},
              at=lambda v: page(v, "win"),
              faults=[("b", "read", lambda v: page(v, "win") + PAGE + off(v), NOMAP),
                      ("b", "read", lambda v: page(v, "win") - PAGE + off(v), NOMAP)]),
    lab2_test("chain", maps=6, points=10, roles="abc",
              doc="Map a -> b -> c of two pages: b's unmap of the second removes it from c only; "
                  "a's unmap of the first removes it from b and c, and a keeps its own; a page "
                  "a mapped to both b and c leaves both when a unmaps it.",
              args="0x{wb:05x}000 0x{wc:05x}000 {off}",
              params={"wb": WIN, "wc": WIN, "off": OFF},
              at=lambda v: page(v, "wb") & ~0x3FFF,
              faults=[("c", "read", lambda v: (page(v, "wc") & ~0x3FFF) + PAGE + off(v), NOMAP),
                      ("b", "read", lambda v: (page(v, "wb") & ~0x3FFF) + off(v), NOMAP),
                      ("c", "read", lambda v: (page(v, "wc") & ~0x3FFF) + off(v), NOMAP),
                      ("b", "read", lambda v: (page(v, "wb") & ~0x3FFF) + 2 * PAGE + off(v), NOMAP),
                      ("c", "read", lambda v: (page(v, "wc") & ~0x3FFF) + 2 * PAGE + off(v), NOMAP)]),
    lab2_test("rights", maps=3, points=10, roles="abc",
              doc="Unmap with W only: the page a mapped to b, b to c, and a to c again stays "
                  "readable in all three mappings, a's writes show, their writes fault; with "
                  "L4_UNMAP_SELF a's own write faults too.",
              args="0x{wb:05x}000 0x{wc:05x}000 {off}",
              params={"wb": WIN, "wc": WIN, "off": OFF},
              at=lambda v: page(v, "wb"),
              faults=[("b", "write", lambda v: page(v, "wb") + off(v), PROT),
                      ("c", "write", lambda v: (page(v, "wc") & ~0x1FFF) + off(v), PROT),
                      ("c", "write", lambda v: (page(v, "wc") & ~0x1FFF) + PAGE + off(v), PROT),
                      ("a", "write", 3, PROT)]),
    lab2_test("recheck", maps=2, points=5, roles="a",
              doc="An item that another thread of the sender rewrites to name kernel memory "
                  "while the sender waits lands nothing (the kernel checks the copied words "
                  "again, and does not panic).",
              args="0x{w:05x}000",
              params={"w": WIN},
              at=lambda v: page(v, "w")),
    lab2_test("refused", maps=9, points=5, roles="ab",
              doc="Map and grant items naming kernel memory, a misaligned or too small fpage, "
                  "or an unknown type fail with -L4_EINVAL and reach nobody; unowned memory and "
                  "the UTCB area land nothing; unmap refuses invalid fpages.",
              args="0x{win:03x}00000 0x{kpage:05x}000 0x{upage:05x}000 0x{mpage:05x}000",
              params={"win": (0x400, 0x7FF), "kpage": (0xC0000, 0xFFFFF),
                      "upage": (0x20000, 0x2FFFF), "mpage": (0x20000, 0x2FFFF)},
              at=lambda v: (v["win"] << 20) & ~0x3FFFFF),
    lab2_test("bigpage", maps=1, points=10, roles="ab",
              doc="A 4 MiB flexpage maps 1024 pages: b reads a word from each and their sum "
                  "matches a's; b's write to the last page reaches a.",
              args="0x{win:03x}00000 {off}",
              params={"win": (0x400, 0x7FF), "off": OFF},
              at=lambda v: (v["win"] << 20) & ~0x3FFFFF),
    lab2_test("task", maps=1, points=5, roles="a",
              doc="A root task creates a new address space and fills it by mapping its code "
                  "and data; the new task runs, computes from a's data and answers; it may not "
                  "create tasks itself.",
              args="0x{secret:08x}",
              params={"secret": (0x10000000, 0x7FFFFFFF)},
              at=lambda v: v["secret"]),
    lab2_test("isolation", maps=1, points=5, roles="abc",
              doc="Without a mapping a task cannot see another's memory: b's page at the "
                  "address of a's is b's own, and what a maps to c cannot be read by b (nor by "
                  "a) at that address.",
              args="0x{wc:05x}000 {off}",
              params={"wc": WIN, "off": OFF},
              at=lambda v: page(v, "wc"),
              faults=[("b", "read", lambda v: page(v, "wc") + off(v), NOMAP),
                      ("a", "read", lambda v: page(v, "wc") + off(v), NOMAP)]),
    lab2_test("longchain", maps=None, points=10, roles="abc", extra_watches=[NodesFreed()],
              doc="A page mapped on from task to task, a -> b -> c -> b ..., 1200 to 2000 hops "
                  "deep: the unmap of a hop in the middle takes every hop below it, a's unmap "
                  "takes the rest, and the kernel lives on.  A revoke that recurses once per "
                  "hop overflows its 4 KiB kernel stack here.",
              args="0x{win:02x}000000 {depth} {mid} {off}",
              params={"win": (0x40, 0x7F), "depth": (1200, 2000), "mid": (500, 700),
                      "off": OFF},
              at=lambda v: v["win"] << 24,
              faults=[("b", "read",
                       lambda v: (v["win"] << 24) + (v["depth"] - 1 + v["depth"] % 2) * PAGE
                       + off(v), NOMAP),
                      ("b", "read", lambda v: (v["win"] << 24) + PAGE + off(v), NOMAP)]),
]


def spaces_bench(name, runs, modules, paper):
    """A bench_map benchmark between `modules` tasks (module 0 measures)."""
    return Bench(name, program=["bench_map %s %d {unit} {nonce}" % (name, runs)] +
                 ["bench_map server"] * (modules - 1), paper=paper)


BENCHES = [
    spaces_bench("ipc.rtt.inter_space", 1000, 2,
                 paper="synchronous L4 RPC: 5 us on a Pentium 133 (Table 4); 2 x 121 cycles "
                       "one-way IPC (1997), plus the TLB refills an address-space switch costs"),
    spaces_bench("ipc.map.1page", 1000, 2,
                 paper="synchronous mapping RPC: 12 us on a Pentium 133 (Table 4)"),
    spaces_bench("ipc.map.1024pages", 50, 2,
                 paper="no latency in the paper; synchronous mapping RPC bandwidth: "
                       "2470-2900 MB/s (Table 4)"),
    spaces_bench("unmap.chain", 500, 3,
                 paper="no figure in the paper"),
]
