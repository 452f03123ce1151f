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
 * Each thread's segment lives in its TCB (tls_desc), as the GDT
 * descriptor SYS_THREAD_TLS makes once, and a new thread starts with the
 * default one (base 0, limit one byte: tls_thread_init).  Once any thread
 * has a segment (tls_used), every switch copies the next thread's two
 * words into the slot (tls_switch in tls.h); before that, in every L4
 * program, it costs one test.
 */
#include "kernel.h"
#include "sched.h"
#include "thread.h"
#include "tls.h"
#include "vm.h"
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "l4/abi.h"

int tls_used;

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
    arch_tls_descriptor(tf->ecx, tf->edx, tf->esi & L4_TLS_PAGES, t->tls_desc);
    if ((tf->esi & L4_TLS_SELECT) && t != current)
        thread_tf(t)->gs = TLS_SEL;     /* it holds the selector when it next enters user mode */
    tls_used = 1;
    if (t == current)
        arch_load_tls(t->tls_desc);     /* the caller's own: effective at its next segment load */
    return SEG_TLS;
}
