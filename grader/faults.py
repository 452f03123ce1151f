"""The kernel's reports of user faults, as the lab tests check them.

When a user thread faults and nothing resolves the fault, the kernel
(kernel/trap.c; since Lab 3 with kernel/pfroute.c) prints a report and
stops the thread.  A page fault's report begins like this:

    user fault: thread 5 (lab3_pager): page fault (vector 14) at eip 0x05000a1c
      write at address 0x1234f3a8: the page is mapped, but not for this access
      its pager, thread 3, did not resolve it: ...

The third line is there only when the thread had a pager (Lab 3).  A test
that makes faults on purpose says which ones it expects (who, which access,
at which randomized address, why), and match() compares them, in order,
with what the kernel reported; an unexpected report fails the test too.

Other exceptions (Lab 4, kernel/excroute.c) are reported like this, the
error code only if the CPU pushed one that is not 0, the handler line only
if the thread had an exception handler:

    user fault: thread 5 (lab4_exc): general protection (vector 13) at eip 0x0600021a
      error code 0x00000402
      its exception handler, thread 2, did not resume it: ...
      eax 0x... ebx 0x... ecx 0x... edx 0x... esi 0x... edi 0x... ebp 0x... esp 0x...

exception_reports() reads them.
"""

import collections
import re

NOMAP = "no page is mapped there"
PROT = "the page is mapped, but not for this access"

REPORT_RE = re.compile(r"^user fault: thread (\d+) \(([^)]*)\): (.*) \(vector (\d+)\) at eip 0x[0-9a-f]+"
                       r"(?:\n  (read|write) at address (0x[0-9a-f]+)(?: \([^)]*\))?: (.*)"
                       r"(?:\n  its pager, thread (\d+), did not resolve it: (.*))?)?$", re.M)

# One report.  access, address and reason are None for faults other than
# page faults; pager is the pager's thread number, or None without a pager line.
Report = collections.namedtuple("Report", "thread program kind vector access address reason "
                                          "pager pager_why lines")

# One fault a test expects.  want describes it for the failure messages.
# thread: the thread number the report must name (None: any).  pager: None
# (not checked), False (no pager line), or the pager's thread number.
Expected = collections.namedtuple("Expected", "want access address reason thread pager")

EXC_REPORT_RE = re.compile(r"^user fault: thread (\d+) \(([^)]*)\): (.*) \(vector (\d+)\) at eip (0x[0-9a-f]+)\n"
                           r"(?:  error code (0x[0-9a-f]+)\n)?"
                           r"(?:  its exception handler, thread (\d+), did not resume it: (.*)\n)?"
                           r"  eax (0x\S+) ebx (0x\S+) ecx (0x\S+) edx (0x\S+) esi (0x\S+) edi (0x\S+)"
                           r" ebp (0x\S+) esp 0x\S+$", re.M)

# One report of an exception other than a page fault.  handler is the
# handler's thread number, or None without a handler line; regs are eax ..
# ebp as numbers.
ExcReport = collections.namedtuple("ExcReport", "thread program kind vector eip error handler "
                                                "handler_why regs lines")


def reports(output):
    """Every user-fault report in the serial output, in order."""
    found = []
    for m in REPORT_RE.finditer(output):
        g = m.groups()
        found.append(Report(int(g[0]), g[1], g[2], int(g[3]), g[4],
                            int(g[5], 16) if g[5] else None, g[6],
                            int(g[7]) if g[7] else None, g[8], m.group(0).split("\n")))
    return found


def exception_reports(output):
    """Every report of an exception other than a page fault, in order."""
    found = []
    for m in EXC_REPORT_RE.finditer(output):
        g = m.groups()
        found.append(ExcReport(int(g[0]), g[1], g[2], int(g[3]), int(g[4], 16),
                               int(g[5], 16) if g[5] else 0, int(g[6]) if g[6] else None, g[7],
                               [int(r, 16) for r in g[8:15]], m.group(0).split("\n")))
    return found


def match(output, program, wanted):
    """None if the kernel reported exactly the page faults `wanted` (Expected
    tuples), in order, by threads of `program`; else the reason.  An entry
    of `wanted` may instead be a string: the reason to give if every fault
    before it matched (a test's own error found while working out what to
    expect, such as an announcement that is missing)."""
    got = reports(output)
    for i, w in enumerate(wanted):
        if isinstance(w, str):
            return w
        if i >= len(got):
            return "expected %s, but the kernel reported %s" % (
                w.want, "%d fault(s) only" % len(got) if got else "no fault")
        r = got[i]
        if (r.vector != 14 or r.program != program or not r.access
                or (w.thread is not None and r.thread != w.thread)):
            return "expected %s, but the kernel reported: '%s'" % (w.want, r.lines[0])
        if (r.access, r.address, r.reason) != (w.access, w.address, w.reason):
            return "expected %s, but the kernel reported: '%s'" % (w.want, r.lines[1].strip())
        if w.pager is False and r.pager is not None:
            return "expected %s, but the kernel reported: '%s'" % (w.want, r.lines[2].strip())
        if w.pager not in (None, False) and r.pager is None:
            return "expected %s, but the report has no line '  its pager, thread %d, did not " \
                   "resolve it: ...'" % (w.want, w.pager)
        if w.pager not in (None, False) and r.pager != w.pager:
            return "expected %s, but the kernel reported: '%s'" % (w.want, r.lines[2].strip())
    if len(got) > len(wanted):
        extra = "\n".join(got[len(wanted)].lines).replace("\n", " /").replace("  ", " ")
        return "unexpected fault (the test expects %d): '%s'" % (len(wanted), extra)
    return None
