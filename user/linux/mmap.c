/*
 * mmap, munmap, mremap, madvise: areas of a process's memory made and
 * removed at its request.  An anonymous area is demand-zero (its pages are
 * made at the first touch, mem.c); a private file mapping is filled from
 * the file at the first touch of each page, as a program's segments are
 * (a copy: writing it never changes the file); a shared anonymous area
 * keeps its pages shared with the children fork makes.
 */
#include "linux.h"
#include "fs.h"

/* mmap2(addr, len, prot, flags, fd, pgoff): offsets in pages. */
static int32_t do_mmap(struct proc *p, uint32_t addr, uint32_t len, uint32_t prot,
                       uint32_t flags, uint32_t fd, uint32_t pgoff)
{
    struct mm *mm = &p->mm;
    uint32_t type = flags & 0xF;
    if (len == 0 || (type != LX_MAP_PRIVATE && type != LX_MAP_SHARED) ||
        prot & ~(uint32_t)(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC))
        return -LX_EINVAL;
    if (len > LX_MMAP_TOP)
        return -LX_ENOMEM;
    len = PAGE_UP(len);
    struct fs_node *node = NULL;
    uint32_t fsize = 0;
    if (!(flags & LX_MAP_ANONYMOUS)) {
        struct file *f = fd_file(p, fd);
        if (!f)
            return -LX_EBADF;
        node = fs_file_node(f);
        if (!node || (fs_mode(node) & LX_S_IFMT) != LX_S_IFREG || type == LX_MAP_SHARED)
            return -LX_ENODEV;      /* only private copies of regular files */
        if (!file_readable(f))
            return -LX_EACCES;
        if (pgoff > 0xFFFFF)
            return -LX_EINVAL;
        uint32_t size = fs_size(node), off = pgoff * PAGE;
        fsize = off >= size ? 0 : size - off < len ? size - off : len;
    }
    if (flags & LX_MAP_FIXED) {
        if ((addr & (PAGE - 1)) || addr < PAGE || addr + len > LX_MMAP_TOP || addr + len < addr)
            return -LX_EINVAL;
        int err = mm_unmap(mm, addr, addr + len);
        if (err)
            return err;
    } else {
        addr = mm_find_free(mm, len);
        if (!addr)
            return -LX_ENOMEM;
    }
    uint32_t vprot = (prot & LX_PROT_WRITE ? VMA_R | VMA_W : prot ? VMA_R : 0) |
                     (type == LX_MAP_SHARED ? VMA_SHARED : 0);
    int err = mm_add(mm, addr, addr + len, vprot, node, addr, fsize, pgoff * PAGE);
    return err ? err : (int32_t)addr;
}

static int32_t sys_mmap2(struct proc *p, struct regs *r)
{
    return do_mmap(p, r->ebx, r->ecx, r->edx, r->esi, r->edi, r->ebp);
}

/* The old mmap: its six arguments in a block in memory, the offset in bytes. */
static int32_t sys_old_mmap(struct proc *p, struct regs *r)
{
    uint32_t a[6];
    if (copy_in(&p->mm, a, r->ebx, sizeof a) < 0)
        return -LX_EFAULT;
    if (a[5] & (PAGE - 1))
        return -LX_EINVAL;
    return do_mmap(p, a[0], a[1], a[2], a[3], a[4], a[5] / PAGE);
}

static int32_t sys_munmap(struct proc *p, struct regs *r)
{
    uint32_t start = r->ebx, end = start + PAGE_UP(r->ecx);
    if ((start & (PAGE - 1)) || r->ecx == 0 || end < start || end > LX_STACK_TOP)
        return -LX_EINVAL;
    return mm_unmap(&p->mm, start, end);
}

static int32_t sys_madvise(struct proc *p, struct regs *r)
{
    (void)p, (void)r;
    return 0;           /* advice taken, and ignored */
}

const struct lx_callent lx_mmap_calls[] = {
    {LX_mmap2, sys_mmap2},
    {LX_mmap, sys_old_mmap},
    {LX_munmap, sys_munmap},
    {LX_madvise, sys_madvise},
    {0, NULL},
};
