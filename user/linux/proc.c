/*
 * Processes.  A process is one L4 task with one thread, whose pager and
 * exception handler is the server; the server finds it by the thread ID
 * the kernel gives with every message (%ecx of the receive), which a
 * process cannot forge.
 *
 * How a process ends: the server ends its task (SYS_TASK_DELETE), which
 * takes its thread and every mapping with it, wherever the thread was
 * (running, waiting for a reply, faulting), then frees its memory and
 * closes its files.  What is left is a zombie: its pid and exit status,
 * until its parent's wait4 collects them.  Its children go to process 1.
 *
 * fork is Lab 5's (lab5_fork.c): the child is a new task whose thread
 * starts "by its handler" (l4/abi.h, L4_ENTRY_BY_HANDLER) and gets its
 * parent's registers from the server's answer (main.c), with a
 * copy-on-write copy of the parent's memory.
 */
#include "linux.h"

static struct proc procs[MAX_PROCS];
static int next_pid = 1;
/* One past the highest slot ever used: the loops over every process
   (proc_for_each, proc_by_tid), which run on many messages (main.c
   compares the last sender first) and several times per retry of the
   waiting calls, stop there instead of at MAX_PROCS.  It never goes down: a freed slot below it is P_FREE. */
static unsigned procs_top;

struct proc *proc_alloc(void)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state == P_FREE) {
            if (i >= procs_top)
                procs_top = i + 1;
            int pid = next_pid++;
            procs[i] = (struct proc){.state = P_RUNNING, .pid = pid, .pgid = pid, .sid = pid,
                                     .cwd = "/", .umask = 022};
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
    for (unsigned i = 0; i < procs_top; i++)
        if (procs[i].state != P_FREE)
            fn(&procs[i], arg);
}

struct proc *proc_by_tid(l4_tid_t tid)
{
    for (struct proc *p = procs, *end = procs + procs_top; p < end; p++)
        if (p->state == P_RUNNING && p->tid == tid)
            return p;
    return NULL;
}

void proc_free(struct proc *p)
{
    fd_close_all(p);
    mm_destroy(&p->mm);
    p->state = P_FREE;
    p->tid = L4_NILTHREAD;
}

void lx_end(struct proc *p, int status)
{
    if (p->state != P_RUNNING)
        return;
    if (p->tid != L4_NILTHREAD) {
        int32_t err = l4_task_delete(p->tid);
        if (err < 0)
            printf("linux: pid %d: ending its task failed: %s\n", p->pid, errstr(err));
    }
    p->tid = L4_NILTHREAD;
    p->exit_status = status;
    p->waiting = 0;
    fd_close_all(p);
    mm_destroy(&p->mm);
    if (p->pid == 1) {
        int sig = status & 0x7F, code = sig ? 128 + sig : status >> 8 & 0xFF;
        printf("linux: %s %s %d\n", p->exe, sig ? "was killed by signal" : "exited with status",
               sig ? sig : code);
        l4_kdb_exit((uint32_t)code);
    }
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].ppid == p->pid) {
            procs[i].ppid = 1;                  /* orphans go to process 1 */
            if (procs[i].state == P_ZOMBIE)
                lx_event();                     /* ... which may be waiting for any child */
        }
    struct proc *parent = proc_by_pid(p->ppid);
    if (parent && parent->state == P_RUNNING) {
        p->state = P_ZOMBIE;
        lx_event();             /* its parent may wait in wait4 */
        lx_signal(parent, LX_SIGCHLD);      /* ignored unless it has a handler */
    } else {
        proc_free(p);
    }
}

/* ---- Signals (default actions only; see linux.h) ---- */

/* Whether a signal's default action is to do nothing. */
static int ignored_by_default(int sig)
{
    return sig == LX_SIGCHLD || sig == LX_SIGWINCH || sig == LX_SIGCONT || sig == 23 /* SIGURG */;
}

#define SIGBIT(sig) (1ull << ((sig) - 1))

int lx_signal(struct proc *p, int sig)
{
    if (p->state != P_RUNNING || sig <= 0 || sig >= LX_NSIG)
        return 0;
    if (sig != LX_SIGKILL && sig != LX_SIGSTOP && p->sig_handler[sig] > LX_SIG_IGN) {
        /* A handler: it runs when p next resumes from the server (at the
           end of its current or next call, or at once if it waits in one,
           which then ends with EINTR): lx_deliver. */
        p->sig_pending |= SIGBIT(sig);
        if (p->waiting)
            lx_event();
        return 0;
    }
    if (sig != LX_SIGKILL && sig != LX_SIGSTOP &&
        (p->sig_handler[sig] == LX_SIG_IGN || ignored_by_default(sig)))
        return 0;       /* ignored */
    if (sig == LX_SIGSTOP || sig == LX_SIGTSTP || sig == 21 || sig == 22)
        return 0;       /* stopping is not supported: the process goes on */
    lx_end(p, sig);
    return 1;
}

/* The lowest signal p has for a handler and does not block, or 0. */
static int deliverable(struct proc *p)
{
    uint64_t ready = p->sig_pending & ~p->sig_blocked;
    return ready ? __builtin_ctzll(ready) + 1 : 0;
}

int lx_interrupted(struct proc *p)
{
    return deliverable(p) != 0;
}

/* What lx_deliver saves on the process's stack, and sigreturn restores. */
struct sigsaved {
    struct regs regs;
    uint64_t blocked;
};

/*
 * The frame a handler finds on its stack (i386 Linux's order; the
 * restorer is glibc's: __restore pops sig and makes sigreturn, __restore_rt
 * makes rt_sigreturn with sig still there):
 *   esp ->  return address (the sigaction's restorer)
 *           sig
 *           (SA_SIGINFO) &info, &uc
 *           struct sigsaved
 *           (SA_SIGINFO) siginfo (128 bytes: signo), ucontext (zeros)
 */
void lx_deliver(struct proc *p, struct regs *r)
{
    int sig = deliverable(p);
    if (!sig || p->state != P_RUNNING)
        return;
    p->sig_pending &= ~SIGBIT(sig);
    uint32_t flags = p->sig_more[sig].flags, handler = p->sig_handler[sig];
    int info = (flags & LX_SA_SIGINFO) != 0;
    struct sigsaved saved = {*r, p->sig_blocked};
    uint32_t words[4] = {p->sig_more[sig].restorer, (uint32_t)sig, 0, 0};
    uint32_t head = info ? 16 : 8, tail = info ? 128 + 128 : 0;
    uint32_t sp = ((r->esp - 128 - head - sizeof saved - tail) & ~15u) - 4;  /* esp + 4 aligned */
    uint32_t at_info = sp + head + sizeof saved;
    words[2] = at_info;
    words[3] = at_info + 128;
    static const uint8_t zeros[256];
    uint32_t siginfo[3] = {(uint32_t)sig, 0, 0};
    int err = copy_out(&p->mm, sp, words, head);
    if (!err)
        err = copy_out(&p->mm, sp + head, &saved, sizeof saved);
    if (!err && info)
        err = copy_out(&p->mm, at_info, zeros, tail);
    if (!err && info)
        err = copy_out(&p->mm, at_info, siginfo, sizeof siginfo);
    if (err) {                  /* no room on its stack: Linux ends it with SIGSEGV */
        lx_end(p, LX_SIGSEGV);
        return;
    }
    p->sig_blocked |= p->sig_more[sig].mask | (flags & LX_SA_NODEFER ? 0 : SIGBIT(sig));
    if (flags & LX_SA_RESETHAND)
        p->sig_handler[sig] = LX_SIG_DFL;
    r->esp = sp;
    r->eip = handler;
    r->eax = (uint32_t)sig;     /* regparm handlers take it in eax */
    r->edx = info ? words[2] : 0;
    r->ecx = info ? words[3] : 0;
}

/* sigreturn and rt_sigreturn: the registers and mask from before the
   handler, at esp (sigreturn: __restore popped sig) or esp + 12
   (rt_sigreturn: sig, &info, &uc are still there).  The result is the
   saved eax, and eip is left two bytes before the saved one: the call's
   end (lx_exception) puts both back as they were. */
static int32_t do_sigreturn(struct proc *p, struct regs *r, uint32_t at)
{
    struct sigsaved saved;
    if (copy_in(&p->mm, &saved, at, sizeof saved) < 0) {
        lx_end(p, LX_SIGSEGV);
        return LX_NOREPLY;
    }
    uint32_t eflags = r->eflags;
    *r = saved.regs;
    r->eflags = (eflags & ~0xCD5u) | (saved.regs.eflags & 0xCD5u);     /* arithmetic flags and DF */
    r->eip -= 2;
    p->sig_blocked = saved.blocked & ~(SIGBIT(LX_SIGKILL) | SIGBIT(LX_SIGSTOP));
    return (int32_t)saved.regs.eax;
}

static int32_t sys_sigreturn(struct proc *p, struct regs *r)
{
    return do_sigreturn(p, r, r->esp);
}

static int32_t sys_rt_sigreturn(struct proc *p, struct regs *r)
{
    return do_sigreturn(p, r, r->esp + 12);
}

/* kill(pid, sig): pid > 0 one process; 0 its group; -1 all but process 1
   and the caller's ... as Linux: every process it may signal but 1; < -1
   the group -pid.  sig 0 only checks. */
static int32_t sys_kill(struct proc *p, struct regs *r)
{
    int pid = (int)r->ebx, sig = (int)r->ecx, found = 0, self = 0;
    if (sig < 0 || sig >= LX_NSIG)
        return -LX_EINVAL;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *q = &procs[i];
        if (q->state == P_FREE)
            continue;
        int match = pid > 0 ? q->pid == pid : pid == 0 ? q->pgid == p->pgid
                  : pid == -1 ? q->pid != 1 && q != p : q->pgid == -pid;
        if (!match)
            continue;
        found = 1;
        if (q == p)
            self = 1;
        else if (sig)
            lx_signal(q, sig);
    }
    if (!found)
        return -LX_ESRCH;
    if (sig && self)
        lx_signal(p, sig);      /* the caller last: it may end here */
    return 0;
}

/* tkill(tid, sig) and tgkill(tgid, tid, sig): one thread per process, so
   the thread ID is the pid (abort() and raise() use them). */
static int32_t sys_tkill(struct proc *p, struct regs *r)
{
    struct proc *q = proc_by_pid((int)r->ebx);
    if ((int)r->ecx < 0 || (int)r->ecx >= LX_NSIG)
        return -LX_EINVAL;
    if (!q || q->state != P_RUNNING)
        return -LX_ESRCH;
    lx_signal(q, (int)r->ecx);
    (void)p;
    return 0;
}

static int32_t sys_tgkill(struct proc *p, struct regs *r)
{
    if (r->ebx != r->ecx)
        return -LX_ESRCH;
    struct regs t = {.ebx = r->ecx, .ecx = r->edx};
    return sys_tkill(p, &t);
}

/* rt_sigaction(sig, act, oldact, setsize): struct sigaction of i386 is
   handler, flags, restorer, mask (8 bytes). */
struct lx_sigaction {
    uint32_t handler, flags, restorer;
    uint64_t mask;
};

static int32_t sys_rt_sigaction(struct proc *p, struct regs *r)
{
    int sig = (int)r->ebx;
    if (sig <= 0 || sig >= LX_NSIG || r->esi != 8)
        return -LX_EINVAL;
    struct lx_sigaction act, old = {.handler = p->sig_handler[sig]};
    if (r->ecx && copy_in(&p->mm, &act, r->ecx, sizeof act) < 0)
        return -LX_EFAULT;
    if (r->ecx && (sig == LX_SIGKILL || sig == LX_SIGSTOP))
        return -LX_EINVAL;
    old.flags = p->sig_more[sig].flags;
    old.restorer = p->sig_more[sig].restorer;
    old.mask = p->sig_more[sig].mask;
    if (r->edx && copy_out(&p->mm, r->edx, &old, sizeof old) < 0)
        return -LX_EFAULT;
    if (r->ecx) {
        p->sig_handler[sig] = act.handler;
        p->sig_more[sig].flags = act.flags;
        p->sig_more[sig].restorer = act.restorer;
        p->sig_more[sig].mask = act.mask;
        if (act.handler <= LX_SIG_IGN)
            p->sig_pending &= ~SIGBIT(sig);     /* one that waited for a handler is gone */
    }
    return 0;
}

/* rt_sigprocmask(how, set, oldset, setsize): a signal it unblocks that is
   pending runs its handler as the call returns (lx_deliver). */
static int32_t sys_rt_sigprocmask(struct proc *p, struct regs *r)
{
    uint64_t set, old = p->sig_blocked;
    if (r->esi != 8)
        return -LX_EINVAL;
    if (r->ecx && copy_in(&p->mm, &set, r->ecx, sizeof set) < 0)
        return -LX_EFAULT;
    if (r->ecx) {
        if (r->ebx == 0)
            p->sig_blocked |= set;
        else if (r->ebx == 1)
            p->sig_blocked &= ~set;
        else if (r->ebx == 2)
            p->sig_blocked = set;
        else
            return -LX_EINVAL;
    }
    if (r->edx && copy_out(&p->mm, r->edx, &old, sizeof old) < 0)
        return -LX_EFAULT;
    return 0;
}

/* pause and rt_sigsuspend: wait for a signal, which (with default actions
   only) ends the process. */
static int32_t sys_pause(struct proc *p, struct regs *r)
{
    (void)p, (void)r;
    return LX_BLOCK;
}

/* ---- fork, wait4, exit ---- */

/* What a fork child gets besides what lx_fork gives it: the rest of its
   parent's sigactions (it has the handlers and the mask already). */
static void fork_signals(struct proc *p, int32_t pid)
{
    struct proc *c = proc_by_pid(pid);
    if (c)
        memcpy(c->sig_more, p->sig_more, sizeof c->sig_more);
}

static int32_t sys_fork(struct proc *p, struct regs *r)
{
    int32_t pid = lx_fork(p, r);
    if (pid >= 0)
        fork_signals(p, pid);
    return pid;
}

/* clone(flags, stack, ...): only as fork does it (glibc's fork calls
   clone with SIGCHLD and the tid-setting flags, which need no threads). */
#define LX_CLONE_VM      0x100
#define LX_CLONE_THREAD  0x10000
#define LX_CLONE_VFORK   0x4000
#define LX_CLONE_PARENT_SETTID 0x00100000
#define LX_CLONE_CHILD_SETTID  0x01000000
static int32_t sys_clone(struct proc *p, struct regs *r)
{
    if ((r->ebx & LX_CLONE_VM) && !(r->ebx & LX_CLONE_VFORK))
        return -LX_EINVAL;      /* threads: not supported */
    if (r->ebx & LX_CLONE_THREAD)
        return -LX_EINVAL;
    if (r->ecx)
        return -LX_EINVAL;      /* a new stack only makes sense with a shared space */
    int32_t pid = lx_fork(p, r);
    if (pid < 0)
        return pid;
    fork_signals(p, pid);
    /* glibc's fork asks for the child's thread ID (its pid) in the child's
       copy of its thread descriptor (edi): raise() and abort() in the
       child read it.  The parent's copy (edx), if asked, too. */
    struct proc *c = proc_by_pid(pid);
    if ((r->ebx & LX_CLONE_CHILD_SETTID) && c && copy_out(&c->mm, r->edi, &pid, 4) < 0)
        lx_end(c, LX_SIGSEGV);
    if ((r->ebx & LX_CLONE_PARENT_SETTID) && copy_out(&p->mm, r->edx, &pid, 4) < 0)
        return -LX_EFAULT;
    return pid;
}

/* The child of p that pid (as wait4 takes it) names and that has ended:
   *any says whether p has a child pid names at all. */
static struct proc *zombie_child(struct proc *p, int pid, int *any)
{
    *any = 0;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *c = &procs[i];
        if (c->state == P_FREE || c->ppid != p->pid)
            continue;
        if (pid > 0 ? c->pid != pid : pid == 0 ? c->pgid != p->pgid
            : pid < -1 ? c->pgid != -pid : 0)
            continue;
        *any = 1;
        if (c->state == P_ZOMBIE)
            return c;
    }
    return NULL;
}

/* wait4(pid, status, options, rusage): waits (LX_BLOCK) until a child
   ended, unless WNOHANG. */
static int32_t sys_wait4(struct proc *p, struct regs *r)
{
    int any;
    if (r->edx & ~(uint32_t)(LX_WNOHANG | LX_WUNTRACED | 0x40000000u /* __WALL */))
        return -LX_EINVAL;
    struct proc *c = zombie_child(p, (int)r->ebx, &any);
    if (!any)
        return -LX_ECHILD;
    if (!c)
        return r->edx & LX_WNOHANG ? 0 : LX_BLOCK;
    if (r->ecx && copy_out(&p->mm, r->ecx, &c->exit_status, 4) < 0)
        return -LX_EFAULT;
    if (r->esi) {
        static const uint32_t rusage[18];       /* struct rusage: no accounting */
        if (copy_out(&p->mm, r->esi, rusage, sizeof rusage) < 0)
            return -LX_EFAULT;
    }
    int pid = c->pid;
    proc_free(c);
    return pid;
}

static int32_t sys_waitpid(struct proc *p, struct regs *r)
{
    struct regs w = *r;
    w.esi = 0;
    return sys_wait4(p, &w);
}

static int32_t sys_exit(struct proc *p, struct regs *r)
{
    lx_end(p, (int)(r->ebx & 0xFF) << 8);
    return LX_NOREPLY;
}

/* ---- Identity ---- */

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

static int32_t sys_getpgid(struct proc *p, struct regs *r)
{
    struct proc *q = r->ebx ? proc_by_pid((int)r->ebx) : p;
    return q ? q->pgid : -LX_ESRCH;
}

static int32_t sys_getpgrp(struct proc *p, struct regs *r)
{
    (void)r;
    return p->pgid;
}

static int32_t sys_setpgid(struct proc *p, struct regs *r)
{
    struct proc *q = r->ebx ? proc_by_pid((int)r->ebx) : p;
    if ((int)r->ecx < 0)
        return -LX_EINVAL;
    if (!q || (q != p && q->ppid != p->pid))
        return -LX_ESRCH;
    q->pgid = r->ecx ? (int)r->ecx : q->pid;
    return 0;
}

static int32_t sys_getsid(struct proc *p, struct regs *r)
{
    struct proc *q = r->ebx ? proc_by_pid((int)r->ebx) : p;
    return q ? q->sid : -LX_ESRCH;
}

static int32_t sys_setsid(struct proc *p, struct regs *r)
{
    (void)r;
    if (p->pgid == p->pid)
        return -LX_EPERM;
    p->sid = p->pgid = p->pid;
    return p->pid;
}

/* prlimit64(pid, resource, new, old) and ugetrlimit(resource, old): the
   limits as the server has them; setting one is accepted and ignored. */
static int32_t rlimit_of(uint32_t res, uint64_t lim[2])
{
    if (res >= 16)
        return -LX_EINVAL;
    lim[0] = lim[1] = ~0ull;                    /* RLIM_INFINITY */
    if (res == 3)                               /* RLIMIT_STACK */
        lim[0] = lim[1] = LX_STACK_SIZE;
    else if (res == 7)                          /* RLIMIT_NOFILE */
        lim[0] = lim[1] = MAX_FDS;
    else if (res == 6)                          /* RLIMIT_NPROC */
        lim[0] = lim[1] = MAX_PROCS;
    return 0;
}

static int32_t sys_prlimit64(struct proc *p, struct regs *r)
{
    uint64_t lim[2];
    if (r->ebx && (int)r->ebx != p->pid)
        return proc_by_pid((int)r->ebx) ? -LX_EPERM : -LX_ESRCH;
    int32_t err = rlimit_of(r->ecx, lim);
    uint64_t want[2];
    if (!err && r->edx && copy_in(&p->mm, want, r->edx, sizeof want) < 0)
        err = -LX_EFAULT;
    if (!err && r->esi)
        err = copy_out(&p->mm, r->esi, lim, sizeof lim);
    return err;
}

static int32_t sys_ugetrlimit(struct proc *p, struct regs *r)
{
    uint64_t lim[2] = {0, 0};
    int32_t err = rlimit_of(r->ebx, lim);
    uint32_t lim32[2] = {lim[0] > 0x7FFFFFFF ? 0xFFFFFFFFu : (uint32_t)lim[0],
                         lim[1] > 0x7FFFFFFF ? 0xFFFFFFFFu : (uint32_t)lim[1]};
    return err ? err : copy_out(&p->mm, r->ecx, lim32, sizeof lim32);
}

static int32_t sys_accept(struct proc *p, struct regs *r)
{
    (void)p, (void)r;
    return 0;       /* set_robust_list, sched_yield...: nothing to do for one thread */
}

const struct lx_callent lx_proc_calls[] = {
    {LX_exit, sys_exit},
    {LX_exit_group, sys_exit},
    {LX_fork, sys_fork},
    {LX_vfork, sys_fork},
    {LX_clone, sys_clone},
    {LX_wait4, sys_wait4},
    {LX_waitpid, sys_waitpid},
    {LX_kill, sys_kill},
    {LX_tkill, sys_tkill},
    {LX_tgkill, sys_tgkill},
    {LX_rt_sigaction, sys_rt_sigaction},
    {LX_rt_sigprocmask, sys_rt_sigprocmask},
    {LX_sigreturn, sys_sigreturn},
    {LX_rt_sigreturn, sys_rt_sigreturn},
    {LX_pause, sys_pause},
    {LX_rt_sigsuspend, sys_pause},
    {LX_getpid, sys_getpid},
    {LX_gettid, sys_getpid},
    {LX_getppid, sys_getppid},
    {LX_getpgid, sys_getpgid},
    {LX_getpgrp, sys_getpgrp},
    {LX_setpgid, sys_setpgid},
    {LX_getsid, sys_getsid},
    {LX_setsid, sys_setsid},
    {LX_prlimit64, sys_prlimit64},
    {LX_ugetrlimit, sys_ugetrlimit},
    {LX_set_robust_list, sys_accept},
    {LX_sched_yield, sys_accept},
    {0, NULL},
};
