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
 * irq_interrupt, the system calls, the hooks and the message are given;
 * irq_deliver() and irq_receive() are yours (labs/lab4-irq-exc-sched/).
 *
 * IOPL and cli.  SYS_IO_ACCESS sets IOPL 3 in the thread's saved eflags,
 * which lets it use in and out on every port, and also cli, sti and popf
 * on the interrupt flag.  The kernel never runs with a user's IF: every
 * trap enters through an interrupt gate (IF = 0), the kernel runs with
 * IF = 0 throughout, and iret restores the eflags of the thread it returns
 * to, so a thread's cli lasts only while that thread runs; the idle thread
 * sets IF itself (sti; hlt).  So the kernel cannot hang on its own account.
 * But a thread that executes cli and then loops keeps the timer out, and
 * with it every other thread, until it traps: a denial of service the
 * kernel cannot end.  That is why only root tasks, which are trusted
 * anyway (they may create tasks and take any line), get I/O access.
 */
#include "kernel.h"
#include "irq.h"
#include "ipc.h"
#include "sched.h"
#include "vm.h"
#include "arch/i386/arch.h"
#include "arch/i386/x86.h"
#include "l4/abi.h"

struct irq_line {
    struct thread *handler;     /* the attached thread, or NULL */
    int pending;                /* fired while the handler could not take it: not yet received */
    uint32_t stamp;             /* TSC (low word) when the kernel took the last interrupt */
};

/* Indexed by line; lines 0 (timer) and 2 (cascade) never have a handler. */
static struct irq_line lines[L4_IRQ_LINES];
static unsigned attached;       /* lines with a handler */

static int line_usable(uint32_t n)
{
    return n > IRQ_TIMER && n < L4_IRQ_LINES && n != IRQ_CASCADE;
}

int irq_any_attached(void)
{
    return attached > 0;
}

static void detach(unsigned n)
{
    struct irq_line *l = &lines[n];
    pic_mask((int)n);
    l->handler->irq_lines &= (uint16_t)~(1u << n);
    l->handler = NULL;
    l->pending = 0;
    attached--;
}

/* SYS_IRQ_CONTROL(line, attach): attach = 1 attaches the caller (again:
   no change), 0 detaches it.  The line is unmasked at once: an interrupt
   that comes before the handler first waits is pending. */
int32_t sys_irq_control(struct trapframe *tf)
{
    uint32_t n = tf->ebx, attach = tf->ecx;
    struct thread *self = current;

    if (!self->space->privileged)
        return -L4_EPERM;
    if (!line_usable(n) || attach > 1)
        return -L4_EINVAL;
    struct irq_line *l = &lines[n];
    if (!attach) {
        if (l->handler != self)
            return -L4_EINVAL;          /* not the caller's line */
        detach(n);
        return 0;
    }
    if (l->handler == self)
        return 0;
    if (l->handler)
        return -L4_EBUSY;
    l->handler = self;
    l->pending = 0;
    self->irq_lines |= (uint16_t)(1u << n);
    attached++;
    pic_unmask((int)n);
    return 0;
}

/* SYS_IO_ACCESS(): in, out, cli and sti for the calling thread (see the
   top of this file for what cli means here).  The thread's saved eflags
   come back into the CPU with its iret. */
int32_t sys_io_access(struct trapframe *tf)
{
    if (!current->space->privileged)
        return -L4_EPERM;
    tf->eflags |= EFLAGS_IOPL;
    return 0;
}

void irq_release(struct thread *t)
{
    for (unsigned n = 0; t->irq_lines && n < L4_IRQ_LINES; n++)
        if (lines[n].handler == t)
            detach(n);
}

/*
 * The message from line `line` to t, written straight into t's registers
 * as ipc_transfer would (l4/abi.h): MR0 = the tag (label L4_LABEL_IRQ, one
 * word), MR1 = the time stamp, the sender (%ecx) = l4_irq_tid(line).
 * (This and irq_accepted are for the holes below, hence "unused" until
 * they are written.)
 */
static __attribute__((unused)) void irq_message(struct thread *t, unsigned line)
{
    ipc_set_mr(t, 0, l4_tag_make(L4_LABEL_IRQ, 1, 0));
    ipc_set_mr(t, 1, lines[line].stamp);
    thread_tf(t)->ecx = l4_irq_tid(line);
    t->ipc_received = 1;
}

/* Whether t is blocked in a receive that takes line's message. */
static __attribute__((unused)) int irq_accepted(const struct thread *t, unsigned line)
{
    return t->state == TS_RECEIVING &&
           (t->ipc_from == L4_ANYTHREAD || t->ipc_from == l4_irq_tid(line));
}

void irq_interrupt(unsigned line)
{
    struct irq_line *l = &lines[line];
    l->stamp = (uint32_t)rdtsc();
    if (!l->handler) {
        pic_mask((int)line);    /* detached while its interrupt was on its way */
        return;
    }
    struct thread *h = l->handler;
    int waiting = h->state == TS_RECEIVING;
    irq_deliver(line);
    /* A handler woken by its interrupt runs now, not when the interrupted
       thread's slice ends, unless the interrupted thread outranks it: one of
       equal priority goes to the back of its queue, as if its slice had
       ended (a higher handler preempts through sched_switch_due anyway).
       (The idle thread schedules by itself.) */
    if (waiting && h->state == TS_READY && current->space && h->prio >= current->prio)
        schedule();
}

int irq_ipc_receive(struct thread *self, l4_tid_t from)
{
    for (unsigned n = 0; n < L4_IRQ_LINES; n++)
        if ((self->irq_lines >> n & 1) && irq_receive(self, n, from))
            return 1;
    return 0;
}

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
