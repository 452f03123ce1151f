/*
 * Open files and file descriptors.  An open file (struct file) is what
 * open, pipe or the console gives; a descriptor is a process's number for
 * one.  dup and fork make more descriptors for the same open file, which
 * then share its position and flags, as on Linux; the file goes away when
 * the last descriptor of it is closed.  What reading or writing does
 * depends on the kind of file, through its operations (struct file_ops):
 * the calls here check the descriptor and the arguments, and pass on.
 */
#include "linux.h"

#define MAX_FILES_OPEN 128

static struct file table[MAX_FILES_OPEN];

struct file *file_new(const struct file_ops *ops, uint32_t flags, void *priv)
{
    for (unsigned i = 0; i < MAX_FILES_OPEN; i++)
        if (!table[i].refs) {
            table[i] = (struct file){ops, 1, flags, 0, priv};
            return &table[i];
        }
    return NULL;
}

void file_put(struct file *f)
{
    if (--f->refs == 0 && f->ops->release)
        f->ops->release(f);
}

int file_readable(const struct file *f)
{
    return (f->flags & LX_O_ACCMODE) != LX_O_WRONLY;
}

int file_writable(const struct file *f)
{
    return (f->flags & LX_O_ACCMODE) != LX_O_RDONLY;
}

int fd_install(struct proc *p, struct file *f, int min)
{
    for (int fd = min < 0 ? 0 : min; fd < MAX_FDS; fd++)
        if (!p->fd[fd]) {
            p->fd[fd] = f;
            p->cloexec &= ~(1u << fd);
            return fd;
        }
    return -LX_EMFILE;
}

struct file *fd_file(struct proc *p, uint32_t fd)
{
    return fd < MAX_FDS ? p->fd[fd] : NULL;
}

int fd_close(struct proc *p, uint32_t fd)
{
    struct file *f = fd_file(p, fd);
    if (!f)
        return -LX_EBADF;
    p->fd[fd] = NULL;
    p->cloexec &= ~(1u << fd);
    file_put(f);
    return 0;
}

void fd_close_all(struct proc *p)
{
    for (unsigned fd = 0; fd < MAX_FDS; fd++)
        fd_close(p, fd);
}

void fd_close_on_exec(struct proc *p)
{
    for (unsigned fd = 0; fd < MAX_FDS; fd++)
        if (p->cloexec & (1u << fd))
            fd_close(p, fd);
}

void fd_copy(struct proc *dst, struct proc *src)
{
    for (unsigned fd = 0; fd < MAX_FDS; fd++) {
        dst->fd[fd] = src->fd[fd];
        if (dst->fd[fd])
            dst->fd[fd]->refs++;
    }
    dst->cloexec = src->cloexec;
}

/* ---- The calls ---- */

static int32_t sys_read(struct proc *p, struct regs *r)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f || !file_readable(f))
        return -LX_EBADF;
    if (!f->ops->read)
        return -LX_EINVAL;
    return f->ops->read(p, f, r->ecx, r->edx);
}

static int32_t sys_write(struct proc *p, struct regs *r)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f || !file_writable(f))
        return -LX_EBADF;
    if (!f->ops->write)
        return -LX_EINVAL;
    return f->ops->write(p, f, r->ecx, r->edx);
}

/* readv and writev: each piece in turn, stopping at the first short or
   failed one.  A piece that must wait (a pipe) makes the call wait if
   nothing moved before it, else ends the call with what moved. */
static int32_t vector_io(struct proc *p, struct regs *r, int write)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f || !(write ? file_writable(f) : file_readable(f)))
        return -LX_EBADF;
    int32_t (*op)(struct proc *, struct file *, uint32_t, uint32_t) =
        write ? f->ops->write : f->ops->read;
    if (!op)
        return -LX_EINVAL;
    if (r->edx > 1024)
        return -LX_EINVAL;
    int32_t total = 0;
    for (uint32_t i = 0; i < r->edx; i++) {
        struct lx_iovec v;
        if (copy_in(&p->mm, &v, r->ecx + i * sizeof v, sizeof v) < 0)
            return total ? total : -LX_EFAULT;
        if (v.len == 0)
            continue;
        int32_t n = op(p, f, v.base, v.len);
        if (n == LX_BLOCK && total) {
            /* Something moved already: the call ends with it, the part of
               this piece that went (io_done) included. */
            total += (int32_t)p->io_done;
            p->io_done = 0;
            return total;
        }
        if (n == LX_BLOCK)
            return LX_BLOCK;    /* nothing before it moved: the call waits, and runs again */
        if (n < 0)
            return total ? total : n;
        total += n;
        if ((uint32_t)n < v.len)
            break;
    }
    return total;
}

static int32_t sys_readv(struct proc *p, struct regs *r)
{
    return vector_io(p, r, 0);
}

static int32_t sys_writev(struct proc *p, struct regs *r)
{
    return vector_io(p, r, 1);
}

static int32_t sys_close(struct proc *p, struct regs *r)
{
    int err = fd_close(p, r->ebx);
    if (!err)
        lx_event();     /* a pipe's last end may have closed: its readers and writers learn it */
    return err;
}

/* The new descriptor newfd for oldfd's file (dup2, dup3). */
static int32_t dup_to(struct proc *p, uint32_t oldfd, uint32_t newfd, int cloexec)
{
    struct file *f = fd_file(p, oldfd);
    if (!f || newfd >= MAX_FDS)
        return -LX_EBADF;
    if (oldfd == newfd)
        return (int32_t)newfd;
    if (p->fd[newfd])
        sys_close(p, &(struct regs){.ebx = newfd});
    f->refs++;
    p->fd[newfd] = f;
    p->cloexec = (p->cloexec & ~(1u << newfd)) | (cloexec ? 1u << newfd : 0);
    return (int32_t)newfd;
}

static int32_t dup_from(struct proc *p, uint32_t oldfd, uint32_t min, int cloexec)
{
    struct file *f = fd_file(p, oldfd);
    if (!f)
        return -LX_EBADF;
    if (min >= MAX_FDS)
        return -LX_EINVAL;
    int fd = fd_install(p, f, (int)min);
    if (fd < 0)
        return fd;
    f->refs++;
    if (cloexec)
        p->cloexec |= 1u << fd;
    return fd;
}

static int32_t sys_dup(struct proc *p, struct regs *r)
{
    return dup_from(p, r->ebx, 0, 0);
}

static int32_t sys_dup2(struct proc *p, struct regs *r)
{
    return dup_to(p, r->ebx, r->ecx, 0);
}

static int32_t sys_dup3(struct proc *p, struct regs *r)
{
    if (r->ebx == r->ecx || r->edx & ~(uint32_t)LX_O_CLOEXEC)
        return -LX_EINVAL;
    return dup_to(p, r->ebx, r->ecx, r->edx & LX_O_CLOEXEC);
}

static int32_t sys_fcntl(struct proc *p, struct regs *r)
{
    uint32_t fd = r->ebx;
    struct file *f = fd_file(p, fd);
    if (!f)
        return -LX_EBADF;
    switch (r->ecx) {
    case LX_F_DUPFD:
        return dup_from(p, fd, r->edx, 0);
    case LX_F_DUPFD_CLOEXEC:
        return dup_from(p, fd, r->edx, 1);
    case LX_F_GETFD:
        return p->cloexec & (1u << fd) ? LX_FD_CLOEXEC : 0;
    case LX_F_SETFD:
        p->cloexec = (p->cloexec & ~(1u << fd)) | (r->edx & LX_FD_CLOEXEC ? 1u << fd : 0);
        return 0;
    case LX_F_GETFL:
        return (int32_t)f->flags;
    case LX_F_SETFL:        /* only these may change; the access mode may not */
        f->flags = (f->flags & ~(uint32_t)(LX_O_APPEND | LX_O_NONBLOCK)) |
                   (r->edx & (LX_O_APPEND | LX_O_NONBLOCK));
        return 0;
    default:
        return -LX_EINVAL;
    }
}

static int32_t sys_ioctl(struct proc *p, struct regs *r)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f)
        return -LX_EBADF;
    return f->ops->ioctl ? f->ops->ioctl(p, f, r->ecx, r->edx) : -LX_ENOTTY;
}

int32_t file_fstat(struct proc *p, struct file *f, uint32_t buf)
{
    struct lx_stat64 st = {0};
    if (!f->ops->stat)
        return -LX_EINVAL;
    int err = f->ops->stat(f, &st);
    return err ? err : copy_out(&p->mm, buf, &st, sizeof st);
}

static int32_t sys_fstat64(struct proc *p, struct regs *r)
{
    struct file *f = fd_file(p, r->ebx);
    return f ? file_fstat(p, f, r->ecx) : -LX_EBADF;
}

static int64_t do_seek(struct file *f, int64_t off, uint32_t whence)
{
    if (!f->ops->seek)
        return -LX_ESPIPE;
    if (whence > LX_SEEK_END)
        return -LX_EINVAL;
    return f->ops->seek(f, off, (int)whence);
}

static int32_t sys_lseek(struct proc *p, struct regs *r)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f)
        return -LX_EBADF;
    int64_t pos = do_seek(f, (int32_t)r->ecx, r->edx);
    if (pos > 0x7FFFFFFF)
        return -LX_EINVAL;      /* Linux says EOVERFLOW; our files are far smaller */
    return (int32_t)pos;
}

/* _llseek(fd, high, low, result, whence): the 64-bit lseek glibc uses. */
static int32_t sys_llseek(struct proc *p, struct regs *r)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f)
        return -LX_EBADF;
    int64_t pos = do_seek(f, (int64_t)((uint64_t)r->ecx << 32 | r->edx), r->edi);
    if (pos < 0)
        return (int32_t)pos;
    return copy_out(&p->mm, r->esi, &pos, sizeof pos);
}

const struct lx_callent lx_file_calls[] = {
    {LX_read, sys_read},
    {LX_write, sys_write},
    {LX_readv, sys_readv},
    {LX_writev, sys_writev},
    {LX_close, sys_close},
    {LX_dup, sys_dup},
    {LX_dup2, sys_dup2},
    {LX_dup3, sys_dup3},
    {LX_fcntl, sys_fcntl},
    {LX_fcntl64, sys_fcntl},
    {LX_ioctl, sys_ioctl},
    {LX_fstat64, sys_fstat64},
    {LX_lseek, sys_lseek},
    {LX__llseek, sys_llseek},
    {0, NULL},
};
