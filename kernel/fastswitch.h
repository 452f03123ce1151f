/*
 * The IPC fast path's switch, inline in the fast path (kernel/fastpath.c,
 * Lab 6's hole, includes this header and calls it), which is built -O2
 * without a frame pointer (kernel/Makefrag): a function of its own would
 * cost a frame as large as its work.  Every switch it makes ends at
 * fastpath_exit (sysenter.asm), where Lab 6's tests count them: a GDB
 * breakpoint on this inlined function may land off the executed path.
 */
#ifndef KERNEL_FASTSWITCH_H
#define KERNEL_FASTSWITCH_H

#include "kernel.h"
#include "ipc.h"
#include "switch.h"
#include "l4/abi.h"

/*
 * The fast paths' switch (kernel/fastpath.c, kernel/fastexc.c), beside
 * schedule() the one other place that switches.  It does what
 * sched_wakeup(next), then sched_block(TS_RECEIVING, never) and so
 * schedule() would do when pick() would take next: current blocks (it is
 * not on a queue, so that is only its state), and next, blocked until
 * now, becomes current without the round trip through its queue
 * (sched_wakeup would put it at the front, pick() take it off again).
 * It refuses, having changed nothing, if a ready thread outranks next.
 * What schedule() does besides is not needed: dead threads wait for the
 * next schedule() to be freed, and neither the deadlock check nor the end
 * of the last thread applies while next is ready.  sched_action stays
 * SCHED_RUN_ON.  When current is woken, it returns the receive phase's
 * result as sys_ipc gives it; unless current entered the kernel by
 * sysenter: then it keeps no C frame at all.
 *
 * Frameless blocking.  The sysenter stub (arch/i386/sysenter.asm) leaves a
 * switch frame right below the trapframe, the one arch_switch pops: room
 * for four registers (whatever the C frames below left there: nobody
 * needs their values) and the return address sysenter_resume.  A thread that
 * blocks on the fast path after a sysenter saves that frame as its kernel
 * %esp and abandons everything below it (the C frames of sys_ipc, the fast
 * path and this function: none has work left after the switch).  Whoever
 * resumes it, this function for a fast-path waker or schedule() for a slow
 * one, pops the four slots and returns to sysenter_resume, which writes
 * the result (fastpath_result) into the frame and leaves by sysexit.  So
 * each one-way message unwinds no frame of the sender and builds none for
 * the receiver.
 */
extern char sysenter_resume[];

/* A thread woken in the fast path's receive phase: the phase is over, and
   its result is the one its waker left (0, or an error with L4_ERECV). */
static inline __attribute__((always_inline)) int32_t fast_result(struct thread *t)
{
    t->ipc_from = L4_NILTHREAD;
    return ipc_recv_error(t->ipc_error);
}

/*
 * The first half of arch_switch (arch/i386/switch.asm), inline, for a
 * thread that keeps its C frames: it pushes the same frame (the four
 * callee-saved registers below a return address, here label 1), so that
 * whoever switches back (arch_switch or fastpath_exit) resumes it at 1.
 * Of the four registers only %ebp needs its value back: %ebx, %esi and
 * %edi are declared clobbered (the enclosing function's prologue saves
 * them for its caller), so their slots are only reserved.  The second
 * half is fastpath_exit's (sysenter.asm), with next's stack in %eax.
 */
static inline __attribute__((always_inline)) void switch_out_to(uint32_t *save_esp,
                                                                uint32_t next_esp)
{
    __asm__ volatile("push $1f\n\t"
                     "push %%ebp\n\t"
                     "sub $12, %%esp\n\t"     /* the slots of %ebx, %esi, %edi */
                     "mov %%esp, (%1)\n\t"
                     "jmp fastpath_exit\n"
                     "1:"
                     : "+a"(next_esp), "+d"(save_esp) : : "ebx", "ecx", "esi", "edi", "memory", "cc");
}

/* fastpath_switch once its check has passed (ready_above(next->prio) is
   0): for a fast path that checks first and then writes what cannot be
   written back. */
static inline __attribute__((always_inline)) int32_t fastpath_switch_now(struct thread *next)
{
    struct thread *self = current;
    uint32_t *frame = (uint32_t *)thread_tf(self) - SWITCH_FRAME_WORDS;

    timeout_cancel(next);
    self->state = TS_RECEIVING;
    next->state = TS_READY;
    next->ipc_from = L4_NILTHREAD;      /* its receive phase is over: a message came */
    if (frame[SWITCH_FRAME_WORDS - 1] != (uint32_t)sysenter_resume) {
        switch_state_fast(next);
        switch_out_to(&self->ksp, next->ksp);
        return fast_result(self);
    }
    self->ksp = (uint32_t)frame;
    switch_state_fast(next);
    __asm__ volatile("jmp fastpath_exit" : : "a"(next->ksp) : "memory");
    __builtin_unreachable();
}

static inline __attribute__((always_inline)) int32_t fastpath_switch(struct thread *next)
{
    if (ready_above(next->prio))
        return FASTPATH_NOT_TAKEN;
    return fastpath_switch_now(next);
}

#endif
