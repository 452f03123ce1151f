/*
 * Interrupt lines for user-level drivers (Lab 4): the given half of
 * interrupts as IPC.  kernel/irq.c explains the mechanism and holds the
 * holes, irq_deliver() and irq_receive(); this file keeps the lines
 * (lines[], irq.h), attaches and detaches handlers (SYS_IRQ_CONTROL),
 * grants I/O access (SYS_IO_ACCESS), takes the interrupt from trap.c
 * (irq_interrupt), and writes the message the holes deliver.
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

/* Indexed by line; lines 0 (timer) and 2 (cascade) never have a handler.
   Not static: the holes in irq.c read and write it (irq.h). */
struct irq_line lines[L4_IRQ_LINES];
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
 * For the holes in irq.c, like irq_accepted (irq.h).
 */
void irq_message(struct thread *t, unsigned line)
{
    ipc_set_mr(t, 0, l4_tag_make(L4_LABEL_IRQ, 1, 0));
    ipc_set_mr(t, 1, lines[line].stamp);
    thread_tf(t)->ecx = l4_irq_tid(line);
    t->ipc_received = 1;
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
    /* A handler woken by its interrupt runs when this trap ends, not when
       the interrupted thread's slice ends, unless the interrupted thread
       outranks it: one of equal priority goes to the back of its queue, as
       if its slice had ended (a higher handler preempts it anyway).
       (The idle thread schedules by itself.) */
    if (waiting && h->state == TS_READY && current->space && h->prio >= current->prio)
        sched_yield();
}

int irq_ipc_receive(struct thread *self, l4_tid_t from)
{
    for (unsigned n = 0; n < L4_IRQ_LINES; n++)
        if ((self->irq_lines >> n & 1) && irq_receive(self, n, from))
            return 1;
    return 0;
}
