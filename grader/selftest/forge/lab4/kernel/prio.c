/*
 * A FORGED kernel/prio.c for the grader's self-test: the priority pick
 * calls forge_lab4() (the forged kernel/exception.c beside it), which
 * prints the scheduler tests' success lines without any scheduling.
 */
#include "kernel.h"
#include "sched.h"

void forge_lab4(struct thread *handler, struct trapframe *tf) __attribute__((noreturn));

struct thread *sched_pick(void)
{
    forge_lab4(NULL, NULL);
}
