/*
 * The process table.  A process is one L4 task with one thread, whose
 * pager and exception handler is the server; the server finds it by the
 * thread ID the kernel gives with every message (%ecx of the receive),
 * which a process cannot forge.
 */
#include "linux.h"

static struct proc procs[MAX_PROCS];
static int next_pid = 1;

struct proc *proc_alloc(void)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state == P_FREE) {
            procs[i] = (struct proc){.state = P_RUNNING, .pid = next_pid++};
            if (mm_init(&procs[i].mm) < 0) {
                procs[i].state = P_FREE;
                return NULL;
            }
            return &procs[i];
        }
    return NULL;
}

struct proc *proc_by_tid(l4_tid_t tid)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].tid == tid)
            return &procs[i];
    return NULL;
}

void proc_free(struct proc *p)
{
    mm_destroy(&p->mm);
    p->state = P_FREE;
    p->tid = L4_NILTHREAD;
}
