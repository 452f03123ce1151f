/* Thread-local storage segments (kernel/tls.c, Lab 5). */
#ifndef TLS_H
#define TLS_H

#include <stdint.h>
#include "thread.h"
#include "arch/i386/trapframe.h"
#include "arch/i386/arch.h"

/* Set once any thread has been given a segment: until then (in every lab
   before Lab 5, and in every L4 program) the switch path pays one test. */
extern int tls_used;

/* Makes the GDT slot hold next's segment (its tls_desc: the default
   until SYS_THREAD_TLS gives it one); the switch path calls it for every
   user thread it switches to.  A test when no thread has a segment (every
   L4 program), else two words copied, made beforehand. */
static inline __attribute__((always_inline)) void tls_switch(const struct thread *next)
{
    if (tls_used)
        arch_load_tls(next->tls_desc);
}

/* A new thread's segment: the default (base 0, limit one byte), so that
   a thread without one that loads the TLS selector faults on its first
   access, as on every switch before. */
static inline void tls_thread_init(struct thread *t)
{
    arch_tls_descriptor(0, 0, 0, t->tls_desc);
}

/* SYS_THREAD_TLS(thread, base, limit, flags) -> the GDT index of the slot. */
int32_t sys_thread_tls(struct trapframe *tf);

#endif
