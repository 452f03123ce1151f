/*
 * The IPC fast path's switch, inline in the fast path (kernel/fastpath.c,
 * Lab 6's hole, includes this header and calls it), which is built -O2
 * without a frame pointer (kernel/Makefrag): a function of its own would
 * cost a frame as large as its work.  GDB still breaks on it by name (at
 * each place it is inlined), as Lab 6's tests do.
 */
#ifndef KERNEL_FASTSWITCH_H
#define KERNEL_FASTSWITCH_H

#include "kernel.h"
#include "ipc.h"
#include "switch.h"
#include "l4/abi.h"

/*
 * The IPC fast path's switch (kernel/fastpath.c): what sched_switch_direct
 * (TS_RECEIVING, next) does, and then, when current is woken, the receive
 * phase's result as sys_ipc gives it.  Unless current entered the kernel
 * by sysenter: then it keeps no C frame at all.
 *
 * Frameless blocking.  The sysenter stub (arch/i386/sysenter.asm) leaves a
 * switch frame right below the trapframe, the one arch_switch pops: four
 * register slots and the return address sysenter_resume.  A thread that
 * blocks on the fast path after a sysenter saves that frame as its kernel
 * %esp and abandons everything below it (the C frames of sys_ipc, the fast
 * path and this function: none has work left after the switch).  Whoever
 * resumes it, this function for a fast-path waker or schedule() for a slow
 * one, pops the four slots and returns to sysenter_resume, which writes
 * the result (fastpath_result) into the frame and leaves by sysexit.  So
 * each one-way message unwinds no frame of the sender and builds none for
 * the receiver.
 */
extern char sysenter_resume[], sysenter_return[];

/* A thread woken in the fast path's receive phase: the phase is over, and
   its result is the one its waker left (0, or an error with L4_ERECV). */
static inline __attribute__((always_inline)) int32_t fast_result(struct thread *t)
{
    t->ipc_from = L4_NILTHREAD;
    int err = t->ipc_error;
    return err < 0 ? -((-err) | L4_ERECV) : err;
}

static inline __attribute__((always_inline)) int32_t fastpath_switch(struct thread *next)
{
    struct thread *self = current;
    uint32_t *frame = (uint32_t *)thread_tf(self) - SWITCH_FRAME_WORDS;

    if (ready_above(next->prio))
        return FASTPATH_NOT_TAKEN;
    timeout_cancel(next);
    self->state = TS_RECEIVING;
    next->state = TS_READY;
    if (frame[SWITCH_FRAME_WORDS - 1] != (uint32_t)sysenter_resume) {
        switch_state_fast(next);
        switch_stacks_inline(&self->ksp, next->ksp);
        return fast_result(self);
    }
    self->ksp = (uint32_t)frame;
    switch_state_fast(next);
    uint32_t *next_frame = (uint32_t *)next->ksp;
    if (next_frame[SWITCH_FRAME_WORDS - 1] == (uint32_t)sysenter_resume) {
        /* next blocked here too: what sysenter_resume would do, without
           the pops and the call.  Its result is 0: the fast path only
           ever delivers a message whole. */
        struct trapframe *ntf = (struct trapframe *)(next_frame + SWITCH_FRAME_WORDS);
        next->ipc_from = L4_NILTHREAD;
        ntf->eax = 0;
        __asm__ volatile("mov %0, %%esp\n\t"
                         "jmp sysenter_return" : : "r"(ntf) : "memory");
        __builtin_unreachable();
    }
    /* arch_switch's second half, on next's stack: back into whatever
       switched it out. */
    __asm__ volatile("mov %0, %%esp\n\t"
                     "pop %%edi\n\t"
                     "pop %%esi\n\t"
                     "pop %%ebx\n\t"
                     "pop %%ebp\n\t"
                     "ret" : : "r"(next_frame) : "memory");
    __builtin_unreachable();
}

#endif
