/*
 * A FORGED kernel/fastexc.c for the grader's self-test: see the forged
 * kernel/fastpath.c beside it.  An exception of a Lab 6 test program
 * forges the program's output there; every other exception is left to
 * Lab 4's exception_ipc, as the stub leaves it.
 */
#include "kernel.h"
#include "exception.h"
#include "ipc.h"
#include "sched.h"
#include "lib/string.h"

void forge_lab6(struct trapframe *tf) __attribute__((noreturn));

IPC_PATH int fastexc_ipc(struct thread *handler, struct trapframe *tf)
{
    (void)handler;
    if (strcmp(current->name, "bench_exc") == 0)
        forge_lab6(tf);
    return FASTPATH_NOT_TAKEN;
}
