/*
 * Thread-local storage segments (Lab 5).  A Linux program finds its
 * thread's data through %gs: glibc's start code asks the kernel for a
 * segment (set_thread_area), loads its selector into %gs and from then
 * on reads %gs:0.  Our kernel keeps %gs based at the UTCB for L4
 * programs, so a Linux thread needs a second segment of its own: one GDT
 * slot (SEG_TLS), rewritten on every switch with the running thread's
 * base and limit, as the UTCB slot is rebased.
 *
 * The Linux server, not the Linux process, sets it: a process's
 * set_thread_area arrives at the server as exception IPC, and the server
 * answers it with SYS_THREAD_TLS on the process's thread.  So the call is
 * open to the threads that manage a thread (its exception handler or its
 * pager) and to root tasks.
 *
 * The segments live here, by thread number, with the ID they belong to:
 * a thread number that is reused gets the default again (base 0, limit
 * one byte) without thread.c having to know about TLS.  The GDT slot is
 * rewritten only when the thread switched to needs another segment than
 * the one it holds (tls_switch in tls.h), so threads without one (every
 * L4 program) cost the switch a few instructions; and then it is two
 * words copied, since the descriptor is made when the segment is set.
 */
#include "kernel.h"
#include "sched.h"
#include "thread.h"
#include "tls.h"
#include "vm.h"
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "l4/abi.h"

struct tls tls_table[MAX_THREADS];
l4_tid_t tls_loaded = L4_NILTHREAD;
int tls_used;

/* Made when the first thread gets a segment of its own: until then
   tls_switch never loads a segment. */
uint32_t tls_default[2];

/* SYS_THREAD_TLS(thread, base, limit, flags): sets thread's TLS segment;
   returns its GDT index, from which the caller makes the selector. */
int32_t sys_thread_tls(struct trapframe *tf)
{
    struct thread *t = thread_lookup(tf->ebx);
    if (!t)
        return -L4_ENOPARTNER;
    if (!current->space->privileged && current->tid != t->exc_handler &&
        current->tid != t->pager)
        return -L4_EPERM;
    if (tf->edx > L4_TLS_LIMIT_MAX || (tf->esi & ~(L4_TLS_PAGES | L4_TLS_SELECT)))
        return -L4_EINVAL;
    struct tls *slot = &tls_table[thread_number(t)];
    slot->owner = t->tid;
    arch_tls_descriptor(tf->ecx, tf->edx, tf->esi & L4_TLS_PAGES, slot->desc);
    if ((tf->esi & L4_TLS_SELECT) && t != current)
        thread_tf(t)->gs = TLS_SEL;     /* it holds the selector when it next enters user mode */
    if (!tls_used)
        arch_tls_descriptor(0, 0, 0, tls_default);
    tls_used = 1;
    if (t == current)
        tls_load(t->tid, slot);     /* the caller's own: effective at its next segment load */
    return SEG_TLS;
}
