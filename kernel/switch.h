/*
 * The pieces of a thread switch, inline, for the two places that switch:
 * sched.c (schedule) and fastswitch.h (the fast paths' switch, built -O2
 * with them).  One copy of each word: both write the same state the
 * same way.
 */
#ifndef KERNEL_SWITCH_H
#define KERNEL_SWITCH_H

#include "kernel.h"
#include "sched.h"
#include "fpu.h"
#include "tls.h"
#include "vm.h"
#include "arch/i386/arch.h"

/* Most waits have no timeout: only an armed one costs the list walk. */
static inline __attribute__((always_inline)) void timeout_cancel(struct thread *t)
{
    if (t->timeout_armed)
        timeout_unlist(t);
}

/* next becomes the current thread; its TCB must be intact (a kernel stack
   that overflowed into it would have destroyed the magic word first). */
static inline __attribute__((always_inline)) void switch_check(struct thread *next)
{
    if (next->magic != THREAD_MAGIC)
        panic("thread %u: TCB magic destroyed (kernel stack overflow?)", thread_number(next));
    current = next;
}

/* What the CPU needs of next besides its address space: the kernel stack
   it loads on the next trap, the UTCB descriptor (made once per thread,
   thread.c) and its TLS. */
static inline __attribute__((always_inline)) void switch_thread_state(struct thread *next)
{
    arch_load_kernel_stack((uint32_t)next + KSTACK_SIZE);
    arch_load_utcb(next->utcb_desc);
    tls_switch(next);
}

/* Whether a ready thread has a higher priority than prio, so that pick()
   would not choose a thread of priority prio woken now.  While every
   ready thread has the default priority (always, before Lab 4), one test
   answers it. */
static inline __attribute__((always_inline)) int ready_above(unsigned prio)
{
    if (!ready_other)
        return prio < L4_PRIO_DEFAULT && ready_queues[L4_PRIO_DEFAULT].head;
    for (unsigned w = PRIO_WORDS; w-- > prio / 32; ) {
        uint32_t bits = ready_bitmap[w];
        if (w == prio / 32)
            bits &= ~((2u << (prio % 32)) - 1);     /* only priorities above prio */
        if (bits)
            return 1;
    }
    return 0;
}

/* All of a switch to next but the stack switch, as the fast path does it
   (next waits in IPC, so it is never the idle thread, and %cr3 is loaded
   inline).  sched.c's switch_to is the general one. */
static inline __attribute__((always_inline)) void switch_state_fast(struct thread *next)
{
    switch_check(next);
    space_activate_inline(next->space);
    switch_thread_state(next);
    fpu_switch();
}

#endif
