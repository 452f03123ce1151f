/* Thread-local storage segments (kernel/tls.c, Lab 5). */
#ifndef TLS_H
#define TLS_H

#include <stdint.h>
#include "thread.h"
#include "arch/i386/trapframe.h"

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

void tls_load(l4_tid_t owner, const struct tls *t);

/* Makes the GDT slot hold next's segment; the switch path calls it for
   every user thread it switches to.  Inline and cheap when nothing
   changes (no thread has a segment, or next's is there already), since
   every IPC round trip pays it twice. */
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
