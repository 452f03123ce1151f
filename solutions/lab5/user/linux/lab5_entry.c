/*
 * Lab 5: the system-call entry.  Reference solution of lx_exception(); its
 * contract is in the student's user/linux/lab5_entry.c.
 */
#include "linux.h"

#define INT80_ERROR (0x80u << 3 | 2)

int lx_exception(struct proc *p, struct regs *r)
{
    if (r->vector != 13 || r->error != INT80_ERROR) {
        int sig = lx_exception_signal(r->vector);
        printf("linux: pid %d (%s): exception %u at eip %x: killed by signal %d\n", p->pid,
               p->exe, r->vector, r->eip, sig);
        lx_end(p, sig);
        return 0;
    }
    p->io_done = 0;
    l4_tid_t caller = p->tid;
    int32_t result = lx_dispatch(p, r);
    if (p->state != P_RUNNING || p->tid != caller || result == LX_NOREPLY)
        return 0;                       /* it ended, or execve replaced its thread */
    if (result == LX_BLOCK) {           /* it waits: no reply now, its call is kept */
        p->waiting = 1;
        p->regs = *r;
        return 0;
    }
    r->eax = (uint32_t)result;
    r->eip += 2;                        /* past the two bytes of `int $0x80` */
    return 1;
}
