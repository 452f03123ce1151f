/*
 * System-call entry.  A Linux process's `int $0x80` is a general-protection
 * fault (the gate is closed to user code, error code 0x80 << 3 | 2), which
 * the kernel sends to the server as an exception message with the
 * process's registers.  The server reads the call from them as Linux does
 * (number in eax, arguments in ebx, ecx, edx, esi, edi, ebp), and its
 * reply resumes the process after the two-byte instruction with the result
 * in eax.  Any other exception ends the process with the signal Linux
 * would send.
 */
#include "linux.h"

#define INT80_ERROR (0x80u << 3 | 2)

typedef int32_t (*lx_call)(struct proc *p, struct regs *r);

/* The console is fds 0, 1 and 2; files come later. */
static int is_console(uint32_t fd)
{
    return fd <= 2;
}

static int32_t console_write(struct proc *p, uint32_t buf, uint32_t len)
{
    char chunk[256];
    for (uint32_t done = 0; done < len; ) {
        uint32_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        if (copy_in(&p->mm, chunk, buf + done, n) < 0)
            return done ? (int32_t)done : -LX_EFAULT;
        l4_kdb_puts(chunk, n);
        done += n;
    }
    return (int32_t)len;
}

static int32_t sys_write(struct proc *p, struct regs *r)
{
    if (!is_console(r->ebx))
        return -LX_EBADF;
    return console_write(p, r->ecx, r->edx);
}

static int32_t sys_writev(struct proc *p, struct regs *r)
{
    if (!is_console(r->ebx))
        return -LX_EBADF;
    if (r->edx > 1024)
        return -LX_EINVAL;
    int32_t total = 0;
    for (uint32_t i = 0; i < r->edx; i++) {
        struct lx_iovec v;
        if (copy_in(&p->mm, &v, r->ecx + i * sizeof v, sizeof v) < 0)
            return -LX_EFAULT;
        int32_t n = console_write(p, v.base, v.len);
        if (n < 0)
            return total ? total : n;
        total += n;
    }
    return total;
}

/* Console input arrives with the serial driver (later): until then, end of file. */
static int32_t sys_read(struct proc *p, struct regs *r)
{
    (void)p;
    return is_console(r->ebx) ? 0 : -LX_EBADF;
}

static int32_t sys_exit(struct proc *p, struct regs *r)
{
    lx_end(p, r, (int)(r->ebx & 0xFF) << 8);
    return 0;
}

/* brk(addr): moves the end of the heap; brk(0), or an address it cannot
   have, returns the end as it is, which is how glibc learns it. */
static int32_t sys_brk(struct proc *p, struct regs *r)
{
    struct mm *mm = &p->mm;
    uint32_t want = r->ebx;
    struct vma *heap = mm_find(mm, mm->brk_start);
    if (!heap)      /* the empty heap area (start == end) is not found by address */
        for (unsigned i = 0; i < mm->nvma; i++)
            if (mm->vma[i].start == mm->brk_start && !mm->vma[i].file)
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
    return mm_protect(&p->mm, start, start + len, VMA_R | (prot & LX_PROT_WRITE ? VMA_W : 0));
}

static int32_t sys_set_tid_address(struct proc *p, struct regs *r)
{
    (void)r;
    return p->pid;      /* one thread per process: its thread ID is the pid */
}

static int32_t sys_getpid(struct proc *p, struct regs *r)
{
    (void)r;
    return p->pid;
}

static int32_t sys_getid(struct proc *p, struct regs *r)
{
    (void)p, (void)r;
    return 0;           /* everybody is root, for now */
}

static int32_t sys_uname(struct proc *p, struct regs *r)
{
    static const struct lx_utsname u = {"Linux", "l4lab", "6.1.0-l4lab", "#1 l4lab Lab 5",
                                        "i686", "(none)"};
    return copy_out(&p->mm, r->ebx, &u, sizeof u);
}

/* readlink: only /proc/self/exe, which glibc reads for the program's own path. */
static int32_t sys_readlink(struct proc *p, struct regs *r)
{
    char path[64];
    int n = copy_in_str(&p->mm, path, r->ebx, sizeof path);
    if (n < 0)
        return n == -LX_ERANGE ? -LX_ENOENT : n;
    if (strcmp(path, "/proc/self/exe") != 0)
        return fs_lookup(path) ? -LX_EINVAL : -LX_ENOENT;
    uint32_t len = strlen(p->exe);
    if (len > r->edx)
        len = r->edx;
    int err = copy_out(&p->mm, r->ecx, p->exe, len);
    return err ? err : (int32_t)len;
}

/* The console as stat sees it: a character device (5, 1), /dev/console. */
static int32_t stat_console(struct proc *p, uint32_t buf)
{
    struct lx_stat64 st = {0};
    st.mode = LX_S_IFCHR | 0620;
    st.nlink = 1;
    st.rdev = 5 << 8 | 1;
    st.blksize = 1024;
    st.ino = st.ino32 = 1;
    return copy_out(&p->mm, buf, &st, sizeof st);
}

static int32_t sys_fstat64(struct proc *p, struct regs *r)
{
    return is_console(r->ebx) ? stat_console(p, r->ecx) : -LX_EBADF;
}

/* fstatat64(fd, "", buf, AT_EMPTY_PATH) is how glibc's fstat asks, when
   statx is not there.  Paths come with the file calls. */
static int32_t sys_fstatat64(struct proc *p, struct regs *r)
{
    char c;
    if (copy_in(&p->mm, &c, r->ecx, 1) < 0)
        return -LX_EFAULT;
    if (c == '\0' && (r->esi & LX_AT_EMPTY_PATH))
        return is_console(r->ebx) ? stat_console(p, r->edx) : -LX_EBADF;
    return -LX_ENOENT;
}

/* ioctl: no terminal yet (the console's TCGETS comes with the serial
   driver), so glibc treats every fd as a plain file and buffers fully. */
static int32_t sys_ioctl(struct proc *p, struct regs *r)
{
    (void)p;
    return is_console(r->ebx) ? -LX_ENOTTY : -LX_EBADF;
}

static const lx_call calls[LX_NSYSCALLS] = {
    [LX_exit] = sys_exit,
    [LX_exit_group] = sys_exit,
    [LX_read] = sys_read,
    [LX_write] = sys_write,
    [LX_writev] = sys_writev,
    [LX_brk] = sys_brk,
    [LX_mprotect] = sys_mprotect,
    [LX_set_thread_area] = sys_set_thread_area,
    [LX_set_tid_address] = sys_set_tid_address,
    [LX_getpid] = sys_getpid,
    [LX_getuid32] = sys_getid,
    [LX_geteuid32] = sys_getid,
    [LX_getgid32] = sys_getid,
    [LX_getegid32] = sys_getid,
    [LX_uname] = sys_uname,
    [LX_readlink] = sys_readlink,
    [LX_fstat64] = sys_fstat64,
    [LX_ioctl] = sys_ioctl,
    [LX_fstatat64] = sys_fstatat64,
};

/* The signal Linux sends for a CPU exception. */
static int exception_signal(uint32_t vector)
{
    switch (vector) {
    case 0: case 16: case 19: return 8;     /* SIGFPE */
    case 1: case 3: return 5;               /* SIGTRAP */
    case 6: return 4;                       /* SIGILL */
    case 5: case 17: return 7;              /* SIGBUS-like: bound, alignment */
    default: return 11;                     /* SIGSEGV */
    }
}

int lx_exception(struct proc *p, struct regs *r)
{
    if (r->vector != 13 || r->error != INT80_ERROR) {
        printf("linux: pid %d (%s): exception %u at eip %x: killed by signal %d\n", p->pid,
               p->exe, r->vector, r->eip, exception_signal(r->vector));
        lx_end(p, r, exception_signal(r->vector));
        return p->state != P_FREE;
    }
    uint32_t nr = r->eax;
    lx_call fn = nr < LX_NSYSCALLS ? calls[nr] : NULL;
    int32_t result = fn ? fn(p, r) : -LX_ENOSYS;
    if (lx_verbose)
        printf("linux: pid %d: syscall %u (%x, %x, %x) = %d\n", p->pid, nr, r->ebx, r->ecx,
               r->edx, result);
    if (p->state != P_RUNNING)
        return p->state != P_FREE;      /* it ended: lx_end set its registers */
    r->eax = (uint32_t)result;
    r->eip += 2;
    return 1;
}
