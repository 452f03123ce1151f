/*
 * Lab 4: hardware interrupts as IPC, for user-level drivers.
 *
 * The kernel keeps no driver.  A thread of a root task attaches itself to
 * an interrupt line (SYS_IRQ_CONTROL); from then on, when the line fires,
 * the kernel masks it at the PIC and sends the thread a message from the
 * line's thread ID, l4_irq_tid(n), as if a thread of that number had
 * called ipc_send.  The handler talks to its device with in and out
 * (SYS_IO_ACCESS) and, when the device is quiet again, acknowledges with a
 * receive from exactly l4_irq_tid(n): that unmasks the line.  Between the
 * two the line is masked, so a device cannot flood its handler.
 *
 * The handler is not always waiting when its interrupt comes: it may be
 * busy with its device, or talking to a client.  Then the interrupt is
 * *pending*: one flag per line, set instead of the message, and its next
 * receive that accepts the line's ID (from that ID or from any thread)
 * gets the message at once, without blocking.  One flag is enough, because
 * the line is masked from the moment it fires until the handler
 * acknowledges, and the handler cannot acknowledge an interrupt it has
 * not received: a pending interrupt is one not yet received.  (Edges that
 * come while the line is masked wait in the PIC, see pic.c.)
 *
 * irq_deliver() and irq_receive() are yours (labs/lab4-irq-exc-sched/);
 * the lines, irq_interrupt, the system calls, the hooks and the message
 * are given, in kernel/irqctl.c (irq.h lists what you may use).
 */
#include "kernel.h"
#include "irq.h"
#include "ipc.h"
#include "arch/i386/arch.h"
#include "l4/abi.h"

/*
 * LAB 4: line `line`, which has a handler, has just interrupted (its
 * time stamp is in lines[line].stamp).
 *
 * Contract: when you return, the line is masked at the PIC, and it stays
 * masked until the handler acknowledges this interrupt (irq_receive): only
 * the driver can make its device take back the request, and until then a
 * level-triggered line would fire again at once.  If the handler
 * (lines[line].handler) is blocked in a receive that takes the line's
 * message (irq_accepted), it has the message (irq_message) and is woken as
 * by a successful IPC (ipc_wake, kernel/ipc.h); otherwise the interrupt is
 * pending, and irq_receive delivers it later.  Never lost, never twice.
 * Runs in the interrupt, on whatever thread was running: `current` is not
 * the handler, and you may neither block nor switch threads here.
 * Tested by: make grade LAB=4 (irq_serial, irq_busy, irq_control), and
 * measured by irq.user_latency.
 */
void irq_deliver(unsigned line)
{
    static int said;
    pic_mask((int)line);        /* given: so that the stub does not print for every interrupt */
    if (!said++)
        kprintf("LAB 4: irq_deliver not implemented (kernel/irq.c)\n");
}

/*
 * LAB 4: self, the handler of `line`, starts a receive phase from `from`
 * (a thread ID, or L4_ANYTHREAD).  Runs before the receive blocks.
 * Return 1 if you delivered the line's message (the receive is complete),
 * 0 to let the receive go on as usual (it may block).
 *
 * Contract:
 * - A receive that does not accept the line's ID (neither exactly
 *   l4_irq_tid(line) nor L4_ANYTHREAD) is none of this line's business.
 * - A receive that accepts it takes a pending interrupt, at once and only
 *   once (irq_message writes the message into self).  Taking it does not
 *   acknowledge it: the line stays masked.
 * - A receive from exactly l4_irq_tid(line) that finds nothing pending
 *   acknowledges the interrupt received last: the line is unmasked
 *   (pic_unmask).  A receive from any thread never acknowledges: a handler
 *   that serves clients too must not unmask its line by waiting for them.
 * Tested by: make grade LAB=4 (irq_serial, irq_busy, irq_control), and
 * measured by irq.user_latency.
 */
int irq_receive(struct thread *self, unsigned line, l4_tid_t from)
{
    static int said;
    (void)self, (void)line, (void)from;
    if (!said++)
        kprintf("LAB 4: irq_receive not implemented (kernel/irq.c)\n");
    return 0;
}
