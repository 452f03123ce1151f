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
 * Reference solution of irq_deliver() and irq_receive(); their contracts
 * are in the student's kernel/irq.c, the given part in kernel/irqctl.c
 * (labs/lab4-irq-exc-sched/).
 */
#include "kernel.h"
#include "irq.h"
#include "ipc.h"
#include "arch/i386/arch.h"
#include "l4/abi.h"

void irq_deliver(unsigned line)
{
    struct irq_line *l = &lines[line];
    pic_mask((int)line);
    if (irq_accepted(l->handler, line)) {
        irq_message(l->handler, line);
        ipc_wake(l->handler, 0);
    } else {
        l->pending = 1;
    }
}

int irq_receive(struct thread *self, unsigned line, l4_tid_t from)
{
    struct irq_line *l = &lines[line];
    if (from != l4_irq_tid(line) && from != L4_ANYTHREAD)
        return 0;
    if (l->pending) {
        l->pending = 0;
        irq_message(self, line);
        return 1;
    }
    if (from == l4_irq_tid(line))
        pic_unmask((int)line);
    return 0;
}
