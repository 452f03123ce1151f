/*
 * The console: the serial line, as the open file that the first process
 * gets as its fds 0, 1 and 2 (and every process inherits).  Output goes
 * out through the kernel's console call.  Input is not here yet: a read
 * is end of file.
 */
#include "linux.h"

static int32_t console_write(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    (void)f;
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

static int32_t console_read(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    (void)p, (void)f, (void)buf, (void)len;
    return 0;
}

/* No terminal yet, so glibc treats the console as a plain file. */
static int32_t console_ioctl(struct proc *p, struct file *f, uint32_t cmd, uint32_t arg)
{
    (void)p, (void)f, (void)cmd, (void)arg;
    return -LX_ENOTTY;
}

/* A character device (5, 1), as /dev/console is on Linux. */
static int console_stat(struct file *f, struct lx_stat64 *st)
{
    (void)f;
    st->mode = LX_S_IFCHR | 0620;
    st->nlink = 1;
    st->rdev = 5 << 8 | 1;
    st->blksize = 1024;
    st->ino = st->ino32 = 1;
    return 0;
}

static const struct file_ops console_ops = {
    .kind = "console",
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .stat = console_stat,
};

struct file *console_open(void)
{
    return file_new(&console_ops, LX_O_RDWR, NULL);
}
