/*
 * Hardware interrupts as IPC (Lab 4: the holes in kernel/irq.c, the given
 * part in kernel/irqctl.c).  A thread of a root task attaches itself to an
 * interrupt line; from then on each interrupt of that line is a message to
 * it from the line's thread ID, l4_irq_tid(n), which no thread has
 * (l4/abi.h).  The kernel masks the line when it fires and unmasks it when
 * the handler acknowledges with a receive from exactly l4_irq_tid(n).
 */
#ifndef IRQ_H
#define IRQ_H

#include <stdint.h>
#include "thread.h"
#include "arch/i386/trapframe.h"
#include "l4/abi.h"

/* SYS_IRQ_CONTROL(line, attach) and SYS_IO_ACCESS() (l4/syscalls.h). */
int32_t sys_irq_control(struct trapframe *tf);
int32_t sys_io_access(struct trapframe *tf);

/* Line `line` (not the timer) interrupted; called by trap.c after the EOI. */
void irq_interrupt(unsigned line);

/* t ends: every line it handles is detached and masked. */
void irq_release(struct thread *t);

/* Whether any line has a handler: an interrupt may still wake a thread
   (the scheduler's deadlock check). */
int irq_any_attached(void);

/* Whether `from` is the ID of a line that t handles, so that t may
   receive from it although no thread has that ID. */
static inline int irq_handled_by(const struct thread *t, l4_tid_t from)
{
    uint32_t n = l4_tid_number(from) - L4_IRQ_TID_BASE;
    return t->irq_lines && n < L4_IRQ_LINES && from == l4_irq_tid(n) &&
           (t->irq_lines >> n & 1);
}

/* The receive phase of self, a handler, is about to start (kernel/
   ipc_syscall.c): acknowledges a line if `from` is its ID, and delivers a
   pending interrupt that the receive accepts.  Returns 1 if it delivered
   one (the receive is complete), else 0 (go on and receive as usual). */
int irq_ipc_receive(struct thread *self, l4_tid_t from);

/* --- given (kernel/irqctl.c), for the holes --- */

struct irq_line {
    struct thread *handler;     /* the attached thread, or NULL */
    int pending;                /* fired while the handler could not take it: not yet received */
    uint32_t stamp;             /* TSC (low word) when the kernel took the last interrupt */
};

/* Indexed by line; lines 0 (timer) and 2 (cascade) never have a handler. */
extern struct irq_line lines[L4_IRQ_LINES];

/* Writes the message of line `line` into t's registers as ipc_transfer
   would: MR0 = the tag (label L4_LABEL_IRQ, one word), MR1 = the line's
   time stamp, the sender (%ecx) = l4_irq_tid(line); sets t->ipc_received. */
void irq_message(struct thread *t, unsigned line);

/* Whether t is blocked in a receive that takes line's message. */
static inline int irq_accepted(const struct thread *t, unsigned line)
{
    return t->state == TS_RECEIVING &&
           (t->ipc_from == L4_ANYTHREAD || t->ipc_from == l4_irq_tid(line));
}

/* --- the Lab 4 holes, in kernel/irq.c --- */
void irq_deliver(unsigned line);
int irq_receive(struct thread *self, unsigned line, l4_tid_t from);

#endif
