/*
 * A FORGED kernel/irq.c for the grader's self-test: its holes call
 * forge_lab4() (the forged kernel/exception.c beside it).  The given part
 * (kernel/irqctl.c) is the skeleton's.
 */
#include "kernel.h"
#include "irq.h"
#include "l4/abi.h"

void forge_lab4(struct thread *handler, struct trapframe *tf) __attribute__((noreturn));

void irq_deliver(unsigned line)
{
    (void)line;
    forge_lab4(NULL, NULL);
}

int irq_receive(struct thread *self, unsigned line, l4_tid_t from)
{
    (void)self, (void)line, (void)from;
    forge_lab4(NULL, NULL);
}
