/*
 * System calls: the call table, the calls that belong to no other part
 * (memory size, TLS, identity), and running a call (lx_dispatch) or a
 * waiting call again (lx_retry).  The entry, from the exception message to
 * the call and back, is Lab 5's (lab5_entry.c).
 */
#include "linux.h"

/* brk(addr): moves the end of the heap; brk(0), or an address it cannot
   have, returns the end as it is, which is how glibc learns it. */
static int32_t sys_brk(struct proc *p, struct regs *r)
{
    struct mm *mm = &p->mm;
    uint32_t want = r->ebx;
    struct vma *heap = mm_find(mm, mm->brk_start);
    if (!heap)      /* the empty heap area (start == end) is not found by address */
        for (unsigned i = 0; i < mm->nvma; i++)
            if (mm->vma[i].start == mm->brk_start && !mm->vma[i].node)
                heap = &mm->vma[i];
    if (!heap || want < mm->brk_start || PAGE_UP(want) > LX_MMAP_TOP)
        return (int32_t)mm->brk;
    for (unsigned i = 0; i < mm->nvma; i++)
        if (&mm->vma[i] != heap && mm->vma[i].start < PAGE_UP(want) &&
            mm->vma[i].end > heap->end)
            return (int32_t)mm->brk;        /* would run into another area */
    if (PAGE_UP(want) < heap->end)
        mm_drop_pages(mm, PAGE_UP(want), heap->end);    /* a shrunk heap grows back zeroed */
    heap->end = PAGE_UP(want);
    mm->brk = want;
    return (int32_t)want;
}

/* set_thread_area(desc): glibc's TLS.  The one slot the kernel has for
   it (SYS_THREAD_TLS) is the only entry: entry_number -1 asks for it. */
static int32_t sys_set_thread_area(struct proc *p, struct regs *r)
{
    struct lx_user_desc d;
    if (copy_in(&p->mm, &d, r->ebx, sizeof d) < 0)
        return -LX_EFAULT;
    if (d.flags & (LX_UD_CONTENTS | LX_UD_READ_EXEC | LX_UD_NOT_PRESENT) ||
        !(d.flags & LX_UD_32BIT))
        return -LX_EINVAL;      /* only what a TLS segment is: present 32-bit data */
    int32_t index = l4_syscall4(SYS_THREAD_TLS, p->tid, d.base_addr, d.limit & L4_TLS_LIMIT_MAX,
                                d.flags & LX_UD_LIMIT_PAGES ? L4_TLS_PAGES : 0);
    if (index < 0)
        return -LX_EINVAL;
    if (d.entry_number != (uint32_t)-1 && d.entry_number != (uint32_t)index)
        return -LX_EINVAL;
    d.entry_number = (uint32_t)index;
    p->tls_set = 1;             /* a fork child gets the same (proc.c) */
    p->tls_base = d.base_addr;
    p->tls_limit = d.limit & L4_TLS_LIMIT_MAX;
    p->tls_flags = d.flags & LX_UD_LIMIT_PAGES ? L4_TLS_PAGES : 0;
    return copy_out(&p->mm, r->ebx, &d, sizeof d);
}

/* mprotect(addr, len, prot): i386 cannot refuse execution, so PROT_EXEC
   is PROT_READ; PROT_NONE is not kept apart from read-only yet. */
static int32_t sys_mprotect(struct proc *p, struct regs *r)
{
    uint32_t start = r->ebx, len = PAGE_UP(r->ecx), prot = r->edx;
    if ((start & (PAGE - 1)) || prot & ~(uint32_t)(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC) ||
        start + len < start)
        return -LX_EINVAL;
    if (len == 0)
        return 0;
    uint32_t vprot = prot & LX_PROT_WRITE ? VMA_R | VMA_W : prot ? VMA_R : 0;
    return mm_protect(&p->mm, start, start + len, vprot);
}

static int32_t sys_set_tid_address(struct proc *p, struct regs *r)
{
    (void)r;
    return p->pid;      /* one thread per process: its thread ID is the pid */
}

static int32_t sys_getid(struct proc *p, struct regs *r)
{
    (void)p, (void)r;
    return 0;           /* everybody is root, for now */
}

/* getgroups32(size, list): root's one supplementary group, 0.  size 0
   asks only how many; a list too small is -EINVAL, as on Linux. */
static int32_t sys_getgroups(struct proc *p, struct regs *r)
{
    uint32_t root_group = 0;
    if (r->ebx == 0)
        return 1;
    if ((int32_t)r->ebx < 0)
        return -LX_EINVAL;
    return copy_out(&p->mm, r->ecx, &root_group, sizeof root_group) < 0 ? -LX_EFAULT : 1;
}

/* sched_getaffinity(pid, size, mask): one CPU, the machine's only one.
   Linux writes its whole mask (here 4 bytes) and returns its size; a
   buffer smaller than that is -EINVAL. */
static int32_t sys_sched_getaffinity(struct proc *p, struct regs *r)
{
    uint32_t mask = 1;
    if ((int32_t)r->ebx < 0 || (r->ebx && !proc_by_pid((int)r->ebx)))
        return -LX_ESRCH;
    if (r->ecx < sizeof mask)
        return -LX_EINVAL;
    return copy_out(&p->mm, r->edx, &mask, sizeof mask) < 0 ? -LX_EFAULT : (int32_t)sizeof mask;
}

static int32_t sys_uname(struct proc *p, struct regs *r)
{
    static const struct lx_utsname u = {"Linux", "l4lab", "6.1.0-l4lab", "#1 l4lab Lab 5",
                                        "i686", "(none)"};
    return copy_out(&p->mm, r->ebx, &u, sizeof u);
}

/* prctl(option, ...): only the process's name (busybox names each applet
   it runs); it is not kept across fork, where the child is known by its
   program's name again.  Other options are -EINVAL, as Linux says for an
   option it does not know. */
static int32_t sys_prctl(struct proc *p, struct regs *r)
{
    char name[LX_TASK_COMM_LEN];
    switch (r->ebx) {
    case LX_PR_SET_NAME: {
        int len = copy_in_str(&p->mm, name, r->ecx, sizeof name);
        if (len < 0 && len != -LX_ERANGE)
            return len;
        name[sizeof name - 1] = '\0';      /* a longer name: Linux keeps its first 15 bytes */
        memcpy(p->comm, name, sizeof p->comm);
        return 0;
    }
    case LX_PR_GET_NAME: {
        const char *base = p->exe;
        for (const char *c = p->exe; *c; c++)
            if (*c == '/')
                base = c + 1;
        memset(name, 0, sizeof name);
        strlcpy(name, p->comm[0] ? p->comm : base, sizeof name);
        return copy_out(&p->mm, r->ecx, name, sizeof name);
    }
    default:
        return -LX_EINVAL;
    }
}

static void count_proc(struct proc *p, void *arg)
{
    (void)p;
    ++*(uint16_t *)arg;
}

/* sysinfo(info): the time since boot, the server's pool as the RAM (its
   free pages: what processes and files may still take), no swap, no load
   figures (the server does not count CPU time); free and uptime ask. */
static int32_t sys_sysinfo(struct proc *p, struct regs *r)
{
    struct lx_sysinfo si;
    memset(&si, 0, sizeof si);
    si.uptime = (int32_t)(l4_clock() / L4_TICK_HZ);
    si.totalram = mem_total_pages();
    si.freeram = mem_free_pages();
    si.mem_unit = PAGE;
    proc_for_each(count_proc, &si.procs);
    return copy_out(&p->mm, r->ebx, &si, sizeof si);
}

const struct lx_callent lx_core_calls[] = {
    {LX_brk, sys_brk},
    {LX_mprotect, sys_mprotect},
    {LX_set_thread_area, sys_set_thread_area},
    {LX_set_tid_address, sys_set_tid_address},
    {LX_getuid32, sys_getid},
    {LX_geteuid32, sys_getid},
    {LX_getgid32, sys_getid},
    {LX_getegid32, sys_getid},
    {LX_uname, sys_uname},
    {LX_prctl, sys_prctl},
    {LX_sysinfo, sys_sysinfo},
    {LX_getgroups32, sys_getgroups},
    {LX_sched_getaffinity, sys_sched_getaffinity},
    {0, NULL},
};

/* The call table, one entry per Linux call number, made at start from the
   parts' lists (each part lists its calls next to them). */
lx_call lx_calls[LX_NSYSCALLS];

void sys_init(void)
{
    static const struct lx_callent *const parts[] = {
        lx_core_calls, lx_proc_calls, lx_exec_calls, lx_mmap_calls, lx_file_calls, lx_fs_calls, lx_pipe_calls, lx_time_calls,
    };
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (const struct lx_callent *c = parts[i]; c->fn; c++) {
            if (c->nr >= LX_NSYSCALLS || lx_calls[c->nr])
                printf("linux: system call %u is listed twice, or beyond the table\n", c->nr);
            else
                lx_calls[c->nr] = c->fn;
        }
}

/* The signal Linux sends for a CPU exception. */
int lx_exception_signal(uint32_t vector)
{
    switch (vector) {
    case 0: case 16: case 19: return LX_SIGFPE;
    case 1: case 3: return LX_SIGTRAP;
    case 6: return LX_SIGILL;
    case 5: case 17: return LX_SIGBUS;      /* bound, alignment */
    default: return LX_SIGSEGV;
    }
}

/* A call the server does not serve is -ENOSYS, which glibc's fallbacks
   expect (rseq, statx); it is also the first thing to look at when a
   program fails, so each such number is said once, with its name and who
   asked first.  Numbers beyond the table (never Linux's) are said once in
   all: a program trying many of them must not flood the console. */
static void log_unknown(struct proc *p, uint32_t nr)
{
    static uint32_t said[LX_NSYSCALLS / 32 + 1];
    static int said_beyond;
    uint32_t i = nr < LX_NSYSCALLS ? nr : LX_NSYSCALLS;
    if (i == LX_NSYSCALLS ? said_beyond != 0 : (said[i / 32] >> (i % 32) & 1) != 0)
        return;
    if (i == LX_NSYSCALLS)
        said_beyond = 1;
    else
        said[i / 32] |= 1u << (i % 32);
    printf("linux: system call %u (%s) is not served: -ENOSYS to pid %d (%s)%s\n", nr,
           lx_call_name(nr), p->pid, p->exe,
           i == LX_NSYSCALLS ? "; numbers beyond the table are not said again" : "");
}

/* lx_dispatch's whole version (linux.h has the common case inline). */
int32_t lx_dispatch_logged(struct proc *p, struct regs *r)
{
    uint32_t nr = r->eax;
    lx_call fn = nr < LX_NSYSCALLS ? lx_calls[nr] : NULL;
    if (!fn)
        log_unknown(p, nr);
    int32_t result = fn ? fn(p, r) : -LX_ENOSYS;
    if (lx_verbose)
        printf("linux: pid %d: syscall %u (%x, %x, %x) = %d\n", p->pid, nr, r->ebx, r->ecx,
               r->edx, result);
    return result;
}

int lx_retry(struct proc *p, struct regs *r)
{
    *r = p->regs;
    l4_tid_t caller = p->tid;
    /* A signal for a handler ends the wait: the call says EINTR. */
    int32_t result = lx_interrupted(p) ? -LX_EINTR : lx_dispatch(p, r);
    if (p->state != P_RUNNING || p->tid != caller || result == LX_NOREPLY) {
        p->waiting = 0;
        return 0;
    }
    if (result == LX_BLOCK)
        return 0;
    p->waiting = 0;
    r->eax = (uint32_t)result;
    r->eip += 2;
    return 1;
}
