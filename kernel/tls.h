/* Thread-local storage segments (kernel/tls.c, Lab 5). */
#ifndef TLS_H
#define TLS_H

#include <stdint.h>
#include "thread.h"
#include "arch/i386/trapframe.h"
#include "arch/i386/arch.h"

/* A thread's TLS segment, by thread number, with the ID it belongs to: a
   reused number finds another owner and so gets the default.  The
   segment is kept as its GDT descriptor, made once by SYS_THREAD_TLS, so
   that a switch copies two words instead of building them. */
struct tls {
    l4_tid_t owner;
    uint32_t desc[2];           /* arch_tls_descriptor's words */
};
extern struct tls tls_table[MAX_THREADS];
/* Whose segment the GDT slot holds: a thread's ID, or L4_NILTHREAD for
   the default (base 0, limit 1 byte). */
extern l4_tid_t tls_loaded;
/* Set once any thread has been given a segment: until then (in every lab
   before Lab 5, and in every L4 program) the switch path pays one test. */
extern int tls_used;

/* The default segment's descriptor (base 0, limit 1 byte). */
extern uint32_t tls_default[2];

/* Writes owner's segment (t), or the default for L4_NILTHREAD, into the
   GDT slot: two words, made beforehand (SYS_THREAD_TLS). */
static inline void tls_load(l4_tid_t owner, const struct tls *t)
{
    arch_load_tls(owner == L4_NILTHREAD ? tls_default : t->desc);
    tls_loaded = owner;
}

/* Makes the GDT slot hold next's segment; the switch path calls it for
   every user thread it switches to.  Inline and cheap: a test when no
   thread has a segment (every L4 program), two more when next's is there
   already, and two words copied when it is not (every switch between a
   Linux process and its server, twice per system call). */
static inline void tls_switch(const struct thread *next)
{
    if (!tls_used)
        return;
    const struct tls *t = &tls_table[thread_number(next)];
    l4_tid_t want = t->owner == next->tid ? next->tid : L4_NILTHREAD;
    if (want != tls_loaded)
        tls_load(want, t);
}

/* SYS_THREAD_TLS(thread, base, limit, flags) -> the GDT index of the slot. */
int32_t sys_thread_tls(struct trapframe *tf);

#endif
