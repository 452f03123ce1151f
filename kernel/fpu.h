/*
 * Each user thread's x87/MMX/SSE registers (kernel/fpu.c).  The kernel
 * itself never uses the FPU (it is built with -mno-80387 -mno-sse), so
 * the registers hold user state only, and they are switched lazily: a
 * switch only sets CR0.TS, and the thread's first FPU instruction after it
 * traps (#NM, vector 7) to fpu_trap, which saves the previous owner's
 * state and loads this thread's.  A thread that never uses the FPU costs
 * nothing but the test of fpu_live on each switch.
 */
#ifndef FPU_H
#define FPU_H

#include "thread.h"
#include "arch/i386/x86.h"

/* The area fxsave and fxrstor use (SDM vol. 1, 10.5.1). */
struct fpu_state {
    uint8_t bytes[512];
} __attribute__((aligned(16)));

/* The thread whose state is in the FPU registers now (NULL: nobody's).
   Its t->fpu is stale until fpu_trap saves into it. */
extern struct thread *fpu_owner;
/* CR0.TS is clear: the running thread is fpu_owner and uses the FPU freely. */
extern int fpu_live;

/* Enables the FPU and SSE for user code (CR0, CR4); panics without FXSR. */
void fpu_init(void);

/* #NM from user mode: gives the current thread its FPU state. */
void fpu_trap(struct trapframe *tf);

/* Frees a dead thread's FPU state (thread_free). */
void fpu_release(struct thread *t);

/* Called by switch_to on every switch: the next thread's first FPU
   instruction must trap, unless the FPU was not handed out. */
static inline void fpu_switch(void)
{
    if (fpu_live) {
        cr0_set_ts();
        fpu_live = 0;
    }
}

#endif
