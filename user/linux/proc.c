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
            procs[i] = (struct proc){.state = P_RUNNING, .pid = next_pid++, .cwd = "/",
                                      .umask = 022};
            if (mm_init(&procs[i].mm) < 0) {
                procs[i].state = P_FREE;
                return NULL;
            }
            return &procs[i];
        }
    return NULL;
}

struct proc *proc_by_pid(int pid)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].pid == pid)
            return &procs[i];
    return NULL;
}

void proc_for_each(void (*fn)(struct proc *p, void *arg), void *arg)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE)
            fn(&procs[i], arg);
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
    fd_close_all(p);
    mm_destroy(&p->mm);
    p->state = P_FREE;
    p->tid = L4_NILTHREAD;
}

/* Whether a signal's default action is to do nothing. */
static int ignored_by_default(int sig)
{
    return sig == LX_SIGCHLD || sig == LX_SIGWINCH || sig == LX_SIGCONT || sig == 23 /* SIGURG */;
}

/* FIXME (kernel call to end another task): until then only a process
   that asked for something ends at once; others end at their next message. */
int lx_signal(struct proc *p, int sig)
{
    if (sig <= 0 || sig >= LX_NSIG || ignored_by_default(sig))
        return 0;
    struct regs r = {0};
    lx_end(p, &r, sig);
    return 1;
}

static int32_t sys_exit(struct proc *p, struct regs *r)
{
    lx_end(p, r, (int)(r->ebx & 0xFF) << 8);
    return 0;
}

static int32_t sys_getpid(struct proc *p, struct regs *r)
{
    (void)r;
    return p->pid;
}

static int32_t sys_getppid(struct proc *p, struct regs *r)
{
    (void)r;
    return p->ppid;
}

const struct lx_callent lx_proc_calls[] = {
    {LX_exit, sys_exit},
    {LX_exit_group, sys_exit},
    {LX_getpid, sys_getpid},
    {LX_getppid, sys_getppid},
    {0, NULL},
};
