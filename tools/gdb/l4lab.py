"""GDB commands that show l4lab's kernel state: threads, IPC, spaces, mappings.

Loaded by `make gdb` (the generated gdbinit sources this file); in a GDB of
your own, `source tools/gdb/l4lab.py` after `file build/.../kernel.elf`.
`help l4` lists the commands; docs/gdb.md shows a session.

Everything is read from the kernel's own variables and structures through
GDB's view of the kernel's debugging information: field names come from the
struct types, so a field that moves does not break a command.  Only given
(non-hole) structures are read, so the commands work on the skeleton too.
Physical pages (page tables, mapped frames) are read through the kernel's
direct map, P2V(pa) = pa + KERNBASE, which every address space shares, so
the answers do not depend on which space's %cr3 is loaded.

A command used where a structure is not consistent (a TCB whose magic is
wrong, the middle of a context switch, a missing symbol in an older kernel,
memory GDB cannot read) prints one line saying so, never a traceback.
"""

import re
import struct

import gdb

# Constants of the kernel's headers.  They are macros, which -g does not
# put into the debugging information, so they are repeated here.
KERNBASE = 0xC0000000           # kernel/arch/i386/mmu.h
PHYS_MAP_LIMIT = 0x30000000     # kernel/arch/i386/mmu.h: the direct map's reach
PAGE = 4096
KSTACK_SIZE = 4096              # kernel/thread.h: TCB and kernel stack share a frame
THREAD_MAGIC = 0x7EADB10C       # kernel/thread.h
PTE_P, PTE_W, PTE_PS = 0x1, 0x2, 0x80
TID_VERSION_BITS = 14           # include/l4/abi.h
NILTHREAD, ANYTHREAD = 0, 0xFFFFFFFF
IRQ_TID_BASE, IRQ_LINES = 0x3FF00, 16
ITEM_TYPES = {0x8: "map", 0xA: "grant"}
LABELS = {0xFFE0: "page fault", 0xFFD0: "exception", 0xFFF0: "interrupt"}
USER_TOP = 0xC0000000
UTCB_AREA, UTCB_AREA_END = 0xBF000000, 0xBF008000   # include/l4/abi.h
MAX_SHOWN = 8                   # untyped words l4 thread prints


class L4Error(Exception):
    """A state the command cannot show; the message says why."""


# --- reading the kernel ---------------------------------------------------

def var(*names):
    """The first of the given kernel variables that exists."""
    for name in names:
        try:
            return gdb.parse_and_eval(name)
        except gdb.error:
            continue
    raise L4Error("the kernel has no variable %s (an older kernel, or not the kernel's "
                  "symbols: 'file build/.../kernel.elf')" % names[0])


def ktype(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error:
        raise L4Error("the kernel's symbols have no type '%s' (load kernel.elf)" % name)


def u32(v):
    return int(v) & 0xFFFFFFFF


def read(addr, n):
    try:
        return bytes(gdb.selected_inferior().read_memory(addr, n))
    except gdb.MemoryError:
        raise L4Error("cannot read %d bytes at 0x%08x (paging not on yet, or a bad pointer)"
                      % (n, addr))


def read_words(addr, n):
    return struct.unpack("<%dI" % n, read(addr, 4 * n))


def phys_words(pa, n=1024):
    """n words of physical memory at pa, through the kernel's direct map."""
    if pa + 4 * n > PHYS_MAP_LIMIT:
        raise L4Error("physical address 0x%08x is beyond the kernel's direct map" % pa)
    return read_words(KERNBASE + pa, n)


def field(v, name):
    try:
        return v[name]
    except gdb.error:
        raise L4Error("struct %s has no field '%s' (a kernel older than these commands?)"
                      % (v.type.strip_typedefs().tag, name))


def tid_str(tid):
    tid = u32(tid)
    if tid == NILTHREAD:
        return "nil"
    if tid == ANYTHREAD:
        return "any"
    n = tid >> TID_VERSION_BITS
    if IRQ_TID_BASE <= n < IRQ_TID_BASE + IRQ_LINES:
        return "irq%d" % (n - IRQ_TID_BASE)
    return "%d.%d" % (n, tid & ((1 << TID_VERSION_BITS) - 1))


def thread_table():
    """The kernel's thread table (kernel/thread.c): a GDB array value."""
    return var("'thread.c'::table", "table")


def checked(t):
    """t, a struct thread * that must point at a live TCB."""
    if u32(t) == 0:
        raise L4Error("a NULL thread pointer")
    magic = u32(field(t.dereference(), "magic"))
    if magic != THREAD_MAGIC:
        raise L4Error("the TCB at 0x%08x has magic 0x%08x, not 0x%08x: not a thread, "
                      "or its kernel stack overflowed into it" % (u32(t), magic, THREAD_MAGIC))
    return t


def name_of(t):
    try:
        name = field(t.dereference(), "name")
        length = name.type.range()[1] + 1
        return name.string(length=length).split("\0")[0] or "-"
    except (gdb.error, UnicodeDecodeError):
        return "?"


def idle_thread():
    try:
        return var("'sched.c'::idle")
    except L4Error:
        return None


# What one command has read already: the thread list is needed for every
# name it prints, and reading the table costs a round trip to QEMU.
_cache = {}


def all_threads():
    """Every thread the kernel knows (struct thread * values): the thread
    table in number order, then the idle thread and the ended threads that
    are not freed yet."""
    if "threads" in _cache:
        return _cache["threads"]
    table = thread_table()
    lo, hi = table.type.range()
    tp = ktype("struct thread").pointer()
    words = read_words(u32(table[0].address), hi + 1)   # the whole table in one read
    out = [gdb.Value(w).cast(tp) for w in words[max(lo, 1):] if w]
    idle = idle_thread()
    if idle is not None and u32(idle):
        out.append(idle)
    try:
        d, seen = var("'sched.c'::dead"), 0
        while u32(d) and seen < 1024:
            out.append(d)
            d, seen = d["next"], seen + 1
    except L4Error:
        pass
    _cache["threads"] = out
    return out


def tid_label(t):
    tid = u32(field(t.dereference(), "tid"))
    return tid_str(tid) if tid else ("idle" if is_idle(t) else "boot")


def is_idle(t):
    idle = idle_thread()
    return idle is not None and u32(idle) == u32(t)


def lookup_tid(tid):
    """The live thread with ID tid, or None (kernel/thread.c thread_lookup)."""
    tid = u32(tid)
    n = tid >> TID_VERSION_BITS
    if tid in (NILTHREAD, ANYTHREAD):
        return None
    for t in all_threads():
        if u32(t["tid"]) == tid and str(t["state"]) != "TS_DEAD":
            return t
    return None


def who(tid):
    """A thread ID with the name of its thread: '2.1 (pinger)'."""
    s = tid_str(tid)
    t = lookup_tid(tid)
    if t is not None:
        return "%s (%s)" % (s, name_of(t))
    if u32(tid) not in (NILTHREAD, ANYTHREAD) and not s.startswith("irq"):
        return s + " (no such thread)"
    return s


def space_index(s):
    if u32(s) == 0:
        return "-"
    spaces = var("'vm.c'::spaces")
    size = ktype("struct space").sizeof
    i = (u32(s) - u32(spaces[0].address)) // size
    return str(i) if 0 <= i <= spaces.type.range()[1] else "0x%08x" % u32(s)


def state_of(t):
    """What the thread is doing, in words."""
    d = t.dereference()
    st = str(field(d, "state"))
    cur = u32(var("current"))
    if st == "TS_READY":
        if u32(t) == cur:
            return "running"
        return "idle" if is_idle(t) else "ready"
    if st == "TS_NEW":
        if is_idle(t):
            return "idle"
        if not u32(d["tid"]) and not u32(d["space"]):
            return "booting (no thread runs yet)"
        return "new (not started)"
    if st == "TS_DEAD":
        return "dead"
    pf, exc = int(field(d, "in_pagefault")), int(field(d, "in_exception"))
    if st == "TS_SENDING":
        to = d["ipc_partner"]
        if not u32(to):
            return "sending (its receiver is taking the message)"
        dest = who(to["tid"])
        if pf:
            return "waiting for its pager %s (fault sent)" % dest
        if exc:
            return "waiting for its exception handler %s (sending)" % dest
        return "sending to %s" % dest
    if st == "TS_RECEIVING":
        frm = u32(d["ipc_from"])
        if pf:
            return "waiting for its pager %s (reply)" % who(frm)
        if exc:
            return "waiting for its exception handler %s (reply)" % who(frm)
        if frm == ANYTHREAD:
            return "receiving from any"
        return "receiving from %s" % who(frm)
    return st


def timeout_str(t):
    d = t.dereference()
    if not int(field(d, "timeout_armed")):
        return "-"
    at = u32(d["timeout_at"])
    now = u32(var("ticks"))
    return "tick %d (in %d)" % (at, at - now)


def find_thread(arg):
    """A thread named by the user: a number (3), an ID (3.1 or 0xc001), a
    name (pinger), or any expression of type struct thread *."""
    arg = arg.strip()
    if not arg:
        raise L4Error("which thread? give a number (3), an ID (3.1), a name, or a pointer")
    threads = all_threads()
    m = re.fullmatch(r"(\d+)(?:\.(\d+))?", arg)
    if m:
        for t in threads:
            tid = u32(t["tid"])
            if tid >> TID_VERSION_BITS == int(m.group(1)) and tid and (
                    m.group(2) is None or tid & ((1 << TID_VERSION_BITS) - 1) == int(m.group(2))):
                return checked(t)
        raise L4Error("no thread has number %s (l4 threads lists them)" % arg)
    named = [t for t in threads if name_of(t) == arg]
    if len(named) == 1:
        return checked(named[0])
    if len(named) > 1:
        raise L4Error("%d threads are called %s: give a number (%s)" % (
            len(named), arg, ", ".join(tid_label(t) for t in named)))
    try:
        v = gdb.parse_and_eval(arg)
    except gdb.error as e:
        raise L4Error("no thread called '%s', and not an expression: %s" % (arg, e))
    if v.type.strip_typedefs().code == gdb.TYPE_CODE_PTR or u32(v) >= KERNBASE:
        return checked(v.cast(ktype("struct thread").pointer()))
    t = lookup_tid(int(v))
    if t is None:
        raise L4Error("no live thread has ID %s" % tid_str(int(v)))
    return checked(t)


def check_not_switching():
    """Refuses a CPU without paging (the kernel's addresses mean nothing yet)
    and the middle of arch_switch, where %esp belongs to neither thread."""
    if not gdb.selected_inferior().pid:
        raise L4Error("GDB is not connected to a running kernel ('make qemu-gdb', then "
                      "'make gdb'; without it GDB would show the ELF file's initial values)")
    try:
        cr0 = int(gdb.parse_and_eval("$cr0"))
    except gdb.error:
        cr0 = None
    if cr0 is not None and not cr0 & 0x80000000:
        raise L4Error("paging is off (the CPU is in the BIOS or the boot code): the kernel's "
                      "structures are not reachable yet; break at kernel_main or later")
    try:
        fn = gdb.selected_frame().name()
    except gdb.error:
        return
    if fn == "arch_switch":
        raise L4Error("stopped inside arch_switch: the kernel is between two threads' "
                      "stacks (current is the next thread, %esp still the last one's); "
                      "stop outside it (break schedule, or on the IPC path)")


# --- the user registers and message registers ---------------------------

def trapframe(t):
    tft = ktype("struct trapframe")
    return gdb.Value(u32(t) + KSTACK_SIZE - tft.sizeof).cast(tft.pointer()).dereference()


def mr_values(t, tf, count):
    """MR0..MR(count-1): MR0 and MR1 in %esi and %edi, the rest in the UTCB."""
    mrs = [u32(tf["esi"]), u32(tf["edi"])][:count]
    if count > 2:
        utcb = field(t.dereference(), "utcb")
        if u32(utcb) == 0:
            raise L4Error("thread has no UTCB")
        arr = field(utcb.dereference(), "mr")
        mrs += [u32(arr[i]) for i in range(2, count)]
    return mrs


def fpage_str(f):
    if f == 0:
        return "nilpage"
    size = (f >> 4) & 0x3F
    rights = "".join(c if f & b else "-" for c, b in (("r", 4), ("w", 2), ("x", 1)))
    sz = ("%d KiB" % (1 << size - 10)) if 10 <= size < 20 else (
        "%d MiB" % (1 << size - 20) if 20 <= size < 32 else "2^%d" % size)
    return "fpage 0x%08x, %s (2^%d), %s" % (f & ~0xFFF, sz, size, rights)


def describe_tag(tag):
    label, t, u = tag >> 16, (tag >> 6) & 0x3F, tag & 0x3F
    name = LABELS.get(label, "")
    if (label & 0xFFF0) == 0xFFE0:
        name = "page fault, %s" % ("write" if label & 2 else "read")
    return "label 0x%04x%s, %d untyped, %d typed%s" % (
        label, " (%s)" % name if name else "", u, t,
        ", flags 0x%x" % ((tag >> 12) & 0xF) if (tag >> 12) & 0xF else "")


# --- address spaces -----------------------------------------------------

def space_of(arg):
    """A space named by the user: a thread (as find_thread), or 'space N'."""
    m = re.fullmatch(r"\s*space\s+(\d+)\s*", arg)
    if m:
        spaces = var("'vm.c'::spaces")
        i = int(m.group(1))
        if i > spaces.type.range()[1] or not int(spaces[i]["in_use"]):
            raise L4Error("space %d is not in use" % i)
        return spaces[i].address
    if not arg.strip():
        t = checked(var("current"))
    else:
        t = find_thread(arg)
    s = field(t.dereference(), "space")
    if u32(s) == 0:
        raise L4Error("thread %s (%s) has no address space (the idle or boot thread)"
                      % (tid_label(t), name_of(t)))
    return s


def user_pages(s):
    """(va, pte) of every present user page of space s, in address order."""
    pgdir = u32(field(s.dereference(), "pgdir"))
    if pgdir < KERNBASE:
        raise L4Error("space 0x%08x has no page directory" % u32(s))
    pdes = read_words(pgdir, USER_TOP >> 22)
    for i, pde in enumerate(pdes):
        if not pde & PTE_P:
            continue
        if pde & PTE_PS:
            yield i << 22, pde, 1 << 22
            continue
        for j, pte in enumerate(phys_words(pde & ~0xFFF)):
            if pte & PTE_P:
                yield (i << 22) | (j << 12), pte, PAGE


def runs(s):
    """User mappings compressed into runs: (va, pa, size, writable)."""
    out = []
    for va, pte, size in user_pages(s):
        pa, w = pte & ~0xFFF, bool(pte & PTE_W)
        if out and out[-1][0] + out[-1][2] == va and out[-1][1] + out[-1][2] == pa \
                and out[-1][3] == w:
            out[-1][2] += size
        else:
            out.append([va, pa, size, w])
    return out


def pte_of(s, va):
    pgdir = u32(field(s.dereference(), "pgdir"))
    pde = read_words(pgdir + 4 * (va >> 22), 1)[0]
    if not pde & PTE_P:
        return 0
    if pde & PTE_PS:
        return pde
    return phys_words((pde & ~0xFFF) + 4 * ((va >> 12) & 0x3FF), 1)[0]


def node_of(s, va):
    """The mapping-database node of page va in s: s->shadow[PDX][PTX]."""
    shadow = field(s.dereference(), "shadow")
    table = shadow[va >> 22]
    if u32(table) == 0:
        return None
    n = table[(va >> 12) & 0x3FF]
    return n if u32(n) else None


def space_threads(s):
    names = {}
    for t in all_threads():
        if u32(t["space"]) == u32(s) and str(t["state"]) != "TS_DEAD":
            names.setdefault(name_of(t), []).append(tid_label(t))
    return ", ".join("%s %s" % (n, "/".join(ids)) for n, ids in names.items()) or "no threads"


# --- the commands -------------------------------------------------------

class L4Command(gdb.Command):
    """Base: runs body(arg) and turns any failure into one line."""

    def __init__(self, name, prefix=False):
        super().__init__(name, gdb.COMMAND_DATA, gdb.COMPLETE_NONE, prefix)
        self.cmd = name

    def invoke(self, arg, from_tty):
        _cache.clear()
        try:
            self.body(arg)
        except L4Error as e:
            print("%s: %s" % (self.cmd, e))
        except gdb.MemoryError as e:
            print("%s: cannot read kernel memory (%s): is paging on and the kernel past its "
                  "boot? (break at a later point)" % (self.cmd, e))
        except gdb.error as e:
            print("%s: %s" % (self.cmd, e))
        except Exception as e:      # a bug here must not hide the state with a traceback
            print("%s: internal error, please report: %r" % (self.cmd, e))


class L4Prefix(gdb.Command):
    """l4lab kernel state: l4 threads | thread T | space T | mapdb ADDR [T] | ready | irqs.

T is a thread: a number (3), an ID (3.1), a name (pinger) or a struct thread *
expression (current).  See docs/gdb.md, "Kernel state: the l4 commands"."""

    def __init__(self):
        super().__init__("l4", gdb.COMMAND_DATA, gdb.COMPLETE_COMMAND, True)


class Threads(L4Command):
    """l4 threads: every thread, its state, priority, slice and timeout; * marks current."""

    def body(self, arg):
        check_not_switching()
        cur = u32(var("current"))
        print("  %-7s %-15s %-5s %-46s %4s %9s  %s" % (
            "ID", "name", "space", "state", "prio", "slice", "timeout"))
        threads = all_threads()
        if cur and cur not in [u32(t) for t in threads]:
            threads.insert(0, var("current"))
        for t in threads:
            checked(t)
            d = t.dereference()
            print("%s %-7s %-15s %-5s %-46s %4d %4d/%-4d  %s" % (
                "*" if u32(t) == cur else " ", tid_label(t), name_of(t),
                space_index(d["space"]), state_of(t), int(d["prio"]),
                int(d["ticks_left"]), int(d["slice"]), timeout_str(t)))


class Thread(L4Command):
    """l4 thread T: one thread in full: state, registers, message (tag decoded), queues."""

    def body(self, arg):
        check_not_switching()
        t = find_thread(arg)
        d = t.dereference()
        print("thread %s (%s) at 0x%08x, space %s: %s" % (
            tid_label(t), name_of(t), u32(t), space_index(d["space"]), state_of(t)))
        print("  prio %d, slice %d/%d ticks, timeout %s" % (
            int(d["prio"]), int(d["ticks_left"]), int(d["slice"]), timeout_str(t)))
        print("  pager %s, exception handler %s" % (
            who(d["pager"]), who(d["exc_handler"])))
        if u32(d["space"]) == 0:
            print("  (a kernel thread: no user registers, no UTCB)")
            return
        tf = show_registers(t)
        show_message(t, tf)
        print("  receive window: %s" % fpage_str(u32(field(d["utcb"].dereference(),
                                                               "rcv_window"))))
        q, seen, s = [], 0, d["senders"]
        while u32(s) and seen < 1024:
            q.append("%s (%s)" % (tid_label(s), name_of(s)))
            s, seen = s["send_next"], seen + 1
        print("  send queue: %s" % (", ".join(q) if q else "empty"))


def show_registers(t):
    """Prints the user registers saved at the top of t's kernel stack; returns the trapframe."""
    if u32(t) == u32(var("current")) and str(gdb.selected_frame().name()) in (
            "trap_common", "trap_return"):
        print("  (current is entering or leaving the kernel: the trapframe may be partial)")
    tf = trapframe(t)
    cs = u32(tf["cs"])
    if cs & 3 != 3:
        raise L4Error("the trapframe at 0x%08x has cs 0x%x, not a user selector: "
                      "%s has not trapped from user mode yet" % (u32(tf.address), cs, tid_label(t)))
    names = [f.name for f in tf.type.strip_typedefs().fields()]
    regs = ["%s %08x" % (n, u32(tf[n])) for n in names
            if n in ("eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "eflags")]
    print("  user registers (trapframe at 0x%08x, vector %d):" % (
        u32(tf.address), int(tf["trapno"])))
    for i in range(0, len(regs), 5):
        print("    " + "  ".join(regs[i:i + 5]))
    return tf


def show_message(t, tf):
    """Prints t's message registers as its tag (MR0) describes them."""
    tag = u32(tf["esi"])
    u, ty = tag & 0x3F, (tag >> 6) & 0x3F
    print("  MR0 tag %08x: %s" % (tag, describe_tag(tag)))
    count = 1 + u + ty
    max_mrs = field(field(t.dereference(), "utcb").dereference(), "mr").type.range()[1] + 1
    if count > max_mrs:
        print("  (the tag names %d words; only %d message registers exist)" % (count, max_mrs))
        count = max_mrs
    mrs = mr_values(t, tf, count)
    shown = min(count, 1 + u, 1 + MAX_SHOWN)
    for i in range(1, shown):
        print("  MR%-2d %08x" % (i, mrs[i]))
    if shown < min(count, 1 + u):
        print("  ... MR%d..MR%d (p ((struct thread *)0x%08x)->utcb->mr)" % (shown, u, u32(t)))
    for i in range(1 + u, count - 1, 2):
        w0, w1 = mrs[i], mrs[i + 1]
        kind = ITEM_TYPES.get(w0 & 0xF, "type 0x%x?" % (w0 & 0xF))
        print("  MR%-2d %08x MR%-2d %08x: %s item, send base 0x%08x, %s" % (
            i, w0, i + 1, w1, kind, w0 & ~0xFFF, fpage_str(w1)))


class Space(L4Command):
    """l4 space [T | space N]: the user mappings of a space, as runs virtual -> physical."""

    def body(self, arg):
        check_not_switching()
        s = space_of(arg)
        d = s.dereference()
        print("space %s (%s): pgdir 0x%08x, %d mapdb nodes, %d table frames%s" % (
            space_index(s), space_threads(s), u32(d["pgdir"]), int(d["mapnodes"]),
            int(d["tables"]), ", privileged" if int(d["privileged"]) else ""))
        for va, pa, size, w in runs(s):
            print("  %08x-%08x -> %08x-%08x %s %6d KiB%s" % (
                va, va + size - 1, pa, pa + size - 1, "rw" if w else "r-", size // 1024,
                "  (UTCBs)" if UTCB_AREA <= va < UTCB_AREA_END else ""))


class Mapdb(L4Command):
    """l4 mapdb ADDR [T]: the mapping tree of the page at ADDR in T's space (default current)."""

    def body(self, arg):
        check_not_switching()
        parts = arg.split(None, 1)
        if not parts:
            raise L4Error("usage: l4 mapdb ADDR [T]: the page at ADDR in thread T's space")
        try:
            va = u32(gdb.parse_and_eval(parts[0])) & ~0xFFF
        except gdb.error as e:
            raise L4Error("bad address %s: %s" % (parts[0], e))
        s = space_of(parts[1] if len(parts) > 1 else "")
        n = node_of(s, va)
        if n is None:
            raise L4Error("space %s has no mapping-database node for page 0x%08x "
                          "(not mapped, or a kernel address)" % (space_index(s), va))
        root, depth = n, 0
        while u32(root["parent"]) and depth < 4096:
            root, depth = root["parent"], depth + 1
        print("page 0x%08x of space %s is at depth %d; its tree:" % (va, space_index(s), depth))
        # Pre-order walk with an explicit stack (trees may be deep).
        stack, count = [(root, 0)], 0
        while stack and count < 10000:
            node, level = stack.pop()
            count += 1
            self.show(node, level, u32(node) == u32(n))
            kids, c = [], node["child"]
            while u32(c) and len(kids) < 10000:
                kids.append(c)
                c = c["sibling"]
            stack += [(k, level + 1) for k in reversed(kids)]

    @staticmethod
    def show(node, level, here):
        s, va = node["space"], u32(node["va"])
        pte = pte_of(s, va) if u32(s) else 0
        where = ("-> %08x %s" % (pte & ~0xFFF, "rw" if pte & PTE_W else "r-")) \
            if pte & PTE_P else "-> (no page-table entry!)"
        print("  %s%sspace %s 0x%08x %s  [%s]%s" % (
            "  " * level, "`- " if level else "", space_index(s), va, where,
            space_threads(s) if u32(s) else "?", "   <== here" if here else ""))


class Ready(L4Command):
    """l4 ready: the ready queues by priority (running thread apart), and the timeout list."""

    def body(self, arg):
        check_not_switching()
        queues, bitmap = var("ready_queues"), var("ready_bitmap")
        cur = var("current")
        print("running: %s (%s), prio %d" % (tid_label(cur), name_of(cur), int(cur["prio"])))
        lo, hi = queues.type.range()
        empty = True
        for p in range(hi, lo - 1, -1):
            t, q, seen = queues[p]["head"], [], 0
            while u32(t) and seen < 1024:
                q.append("%s (%s)" % (tid_label(checked(t)), name_of(t)))
                t, seen = t["next"], seen + 1
            bit = (u32(bitmap[p // 32]) >> (p % 32)) & 1
            if q or bit:
                empty = False
                note = "" if bool(q) == bool(bit) else "   (bitmap bit %d disagrees!)" % bit
                print("  prio %3d: %s%s" % (p, ", ".join(q) or "empty", note))
        if empty:
            print("  no thread is waiting to run")
        t, seen, out = var("'sched.c'::timeouts"), 0, []
        now = u32(var("ticks"))
        while u32(t) and seen < 1024:
            checked(t)
            out.append("%s (%s) at tick %d" % (tid_label(t), name_of(t), u32(t["timeout_at"])))
            t, seen = t["timeout_next"], seen + 1
        print("timeouts (now tick %d): %s" % (now, "; ".join(out) if out else "none"))


def pic_masks():
    """The PICs' interrupt mask registers from QEMU's monitor ('info pic'),
    or None: the kernel keeps no copy, and GDB cannot read I/O ports."""
    try:
        text = gdb.execute("monitor info pic", to_string=True)
    except gdb.error:
        return None
    imr = dict(re.findall(r"^pic([01]):.*\bimr=([0-9a-f]+)", text, re.M))
    if len(imr) < 2:
        return None
    return int(imr["0"], 16) | int(imr["1"], 16) << 8


class Irqs(L4Command):
    """l4 irqs: interrupt lines with their handlers, pending flags and masks."""

    def body(self, arg):
        check_not_switching()
        lines = var("'irqctl.c'::lines", "'irq.c'::lines")
        masks = pic_masks()
        lo, hi = lines.type.range()
        rows = []
        for n in range(lo, hi + 1):
            line = lines[n]
            h = line["handler"]
            masked = "?" if masks is None else ("yes" if masks >> n & 1 else "no")
            if n == 0:
                hs = "(the kernel's timer)"
            elif n == 2:
                hs = "(cascade)"
            else:
                hs = "%s (%s)" % (tid_label(checked(h)), name_of(h)) if u32(h) else "-"
            rows.append("%4d  %-24s %-7s  %s" % (
                n, hs, "yes" if int(line["pending"]) else "no", masked))
        print("line  handler                  pending  masked")
        print("\n".join(rows))
        if masks is None:
            print("(masks unknown: QEMU's monitor did not answer 'monitor info pic')")


L4Prefix()
Threads("l4 threads")
Thread("l4 thread")
Space("l4 space")
Mapdb("l4 mapdb")
Ready("l4 ready")
Irqs("l4 irqs")
