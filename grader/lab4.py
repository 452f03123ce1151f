"""Lab 4 — interrupts and exceptions as IPC, user-level drivers, priority scheduling.
Handout: labs/lab4-irq-exc-sched/README.md.

Holes: the exception-to-IPC path (kernel/exception.c), the interrupt-to-IPC
path (kernel/irq.c) and the priority pick of the scheduler (kernel/prio.c).
The tests of each part are declared in a module of their own, which this
file gathers (the grader loads only files named labN.py):
  grader/lab4_exc.py    exceptions as IPC (user/tests/lab4_exc.c), exc.rtt
  grader/lab4_irq.py    interrupts as IPC and the COM1 driver (user/tests/lab4_irq.c,
                        user/serial_drv.c), irq.user_latency
  grader/lab4_sched.py  priorities and time slices (user/tests/lab4_sched.c)
"""

import lab4_exc
import lab4_irq
import lab4_sched

LAB = 4
TITLE = "Interrupts and exceptions as IPC, user-level drivers, priority scheduling"

TESTS = lab4_exc.TESTS + lab4_irq.TESTS + lab4_sched.TESTS
BENCHES = lab4_exc.BENCHES + lab4_irq.BENCHES + getattr(lab4_sched, "BENCHES", [])

assert sum(t.points for t in TESTS) == 100, "Lab 4's points must add up to 100"
