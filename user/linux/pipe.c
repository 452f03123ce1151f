/*
 * Pipes.  A pipe is a ring of PIPE_SIZE bytes in the server, and two open
 * files: the read end and the write end.  dup and fork share an end's open
 * file, so each end is "open" until its last descriptor closes (release).
 *
 * Nothing here ever waits.  A read of an empty pipe, or a write to a full
 * one, returns LX_BLOCK: the process gets no reply, and main.c runs its call
 * again after the next event.  Every change that may let such a call go on
 * (bytes in, bytes out, an end closed) is such an event: lx_event().
 */
#include "linux.h"

#define PIPE_SIZE 4096u         /* the ring */
#define PIPE_BUF  4096u         /* a write of at most this many bytes is never split */
#define MAX_PIPES 16

struct pipe {
    int used;
    uint8_t ring[PIPE_SIZE];
    uint32_t head, count;       /* the bytes in it: ring[head], ... count of them */
    int readers, writers;       /* open read ends and write ends */
};

static struct pipe pipes[MAX_PIPES];

/* Moves n bytes out of the ring into the process's memory at buf: 0 or
   -LX_EFAULT (then nothing is taken out). */
static int ring_take(struct proc *p, struct pipe *pp, uint32_t buf, uint32_t n)
{
    uint32_t first = PIPE_SIZE - pp->head < n ? PIPE_SIZE - pp->head : n;
    if (copy_out(&p->mm, buf, pp->ring + pp->head, first) < 0 ||
        copy_out(&p->mm, buf + first, pp->ring, n - first) < 0)
        return -LX_EFAULT;
    pp->head = (pp->head + n) % PIPE_SIZE;
    pp->count -= n;
    return 0;
}

/* Moves n bytes (at most the free room) from the process's memory at buf
   into the ring: 0 or -LX_EFAULT (then nothing is put in). */
static int ring_put(struct proc *p, struct pipe *pp, uint32_t buf, uint32_t n)
{
    uint32_t tail = (pp->head + pp->count) % PIPE_SIZE;
    uint32_t first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;
    if (copy_in(&p->mm, pp->ring + tail, buf, first) < 0 ||
        copy_in(&p->mm, pp->ring, buf + first, n - first) < 0)
        return -LX_EFAULT;
    pp->count += n;
    return 0;
}

/* read of a pipe: what is there, up to len bytes.  An empty pipe is end of
   file once no writer is left; while one is, the reader waits (O_NONBLOCK:
   -LX_EAGAIN).  Waiting costs nothing here: LX_BLOCK leaves the process
   without a reply, and this function runs again, from the start, after the
   next event (a writer's bytes, a write end's close). */
static int32_t pipe_read(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    struct pipe *pp = f->priv;
    if (len == 0)
        return 0;
    if (pp->count == 0) {
        if (pp->writers == 0)
            return 0;
        return f->flags & LX_O_NONBLOCK ? -LX_EAGAIN : LX_BLOCK;
    }
    uint32_t n = len < pp->count ? len : pp->count;
    if (ring_take(p, pp, buf, n) < 0)
        return -LX_EFAULT;
    lx_event();                 /* room for a waiting writer */
    return (int32_t)n;
}

/* write to a pipe: all len bytes, waiting for room as long as it takes.  A
   write of at most PIPE_BUF bytes goes in at once or not at all, so that
   writers' messages never interleave; a longer one goes in piece by piece,
   and p->io_done counts what is in between the runs of a waiting call.  No
   reader left: SIGPIPE, and -LX_EPIPE should the process survive it. */
static int32_t pipe_write(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    struct pipe *pp = f->priv;
    uint32_t done = p->io_done;
    while (done < len) {
        if (pp->readers == 0) {
            p->io_done = 0;
            lx_signal(p, LX_SIGPIPE);
            return done ? (int32_t)done : -LX_EPIPE;
        }
        uint32_t room = PIPE_SIZE - pp->count, want = len - done;
        uint32_t n = want < room ? want : room;
        if (n == 0 || (len <= PIPE_BUF && n < want)) {
            if (f->flags & LX_O_NONBLOCK) {
                p->io_done = 0;
                return done ? (int32_t)done : -LX_EAGAIN;
            }
            p->io_done = done;
            return LX_BLOCK;
        }
        if (ring_put(p, pp, buf + done, n) < 0) {
            p->io_done = 0;
            return done ? (int32_t)done : -LX_EFAULT;
        }
        done += n;
        lx_event();             /* bytes for a waiting reader */
    }
    p->io_done = 0;             /* a writev's next piece starts afresh */
    return (int32_t)len;
}

static int pipe_stat(struct file *f, struct lx_stat64 *st)
{
    struct pipe *pp = f->priv;
    st->mode = LX_S_IFIFO | 0600;
    st->nlink = 1;
    st->blksize = PIPE_SIZE;
    st->ino = st->ino32 = 0x1000 + (uint32_t)(pp - pipes);     /* both ends: the same pipe */
    return 0;
}

/* FIONREAD: the bytes a read would get now. */
static int32_t pipe_ioctl(struct proc *p, struct file *f, uint32_t cmd, uint32_t arg)
{
    struct pipe *pp = f->priv;
    if (cmd != LX_FIONREAD)
        return -LX_ENOTTY;
    int32_t n = (int32_t)pp->count;
    return copy_out(&p->mm, arg, &n, sizeof n);
}

/* An end's last descriptor closed: its partner's waiting calls learn it
   (a reader gets end of file, a writer SIGPIPE). */
static void pipe_release(struct file *f)
{
    struct pipe *pp = f->priv;
    if (file_readable(f))
        pp->readers--;
    else
        pp->writers--;
    if (pp->readers == 0 && pp->writers == 0)
        pp->used = 0;
    lx_event();
}

static const struct file_ops pipe_read_ops = {
    .kind = "pipe",
    .read = pipe_read,
    .ioctl = pipe_ioctl,
    .stat = pipe_stat,
    .release = pipe_release,
};

static const struct file_ops pipe_write_ops = {
    .kind = "pipe",
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .stat = pipe_stat,
    .release = pipe_release,
};

/* pipe2(fds, flags): fds[0] the read end, fds[1] the write end. */
static int32_t sys_pipe2(struct proc *p, struct regs *r)
{
    uint32_t flags = r->ecx;
    if (flags & ~(uint32_t)(LX_O_CLOEXEC | LX_O_NONBLOCK))
        return -LX_EINVAL;
    struct pipe *pp = NULL;
    for (unsigned i = 0; i < MAX_PIPES && !pp; i++)
        if (!pipes[i].used)
            pp = &pipes[i];
    if (!pp)
        return -LX_ENFILE;
    struct file *rf = file_new(&pipe_read_ops, LX_O_RDONLY | (flags & LX_O_NONBLOCK), pp);
    struct file *wf = rf ? file_new(&pipe_write_ops, LX_O_WRONLY | (flags & LX_O_NONBLOCK), pp)
                         : NULL;
    if (!wf) {
        if (rf)
            rf->refs = 0;       /* never installed: nothing to release */
        return -LX_ENFILE;
    }
    *pp = (struct pipe){.used = 1, .readers = 1, .writers = 1};
    int fds[2];
    fds[0] = fd_install(p, rf, 0);
    fds[1] = fds[0] < 0 ? fds[0] : fd_install(p, wf, 0);
    if (fds[1] < 0) {           /* out of descriptors: undo */
        if (fds[0] >= 0)
            fd_close(p, (uint32_t)fds[0]);
        else
            file_put(rf);
        file_put(wf);
        return -LX_EMFILE;
    }
    if (flags & LX_O_CLOEXEC)
        p->cloexec |= 1u << fds[0] | 1u << fds[1];
    if (copy_out(&p->mm, r->ebx, fds, sizeof fds) < 0) {
        fd_close(p, (uint32_t)fds[0]);
        fd_close(p, (uint32_t)fds[1]);
        return -LX_EFAULT;
    }
    return 0;
}

static int32_t sys_pipe(struct proc *p, struct regs *r)
{
    struct regs r2 = *r;
    r2.ecx = 0;
    return sys_pipe2(p, &r2);
}

const struct lx_callent lx_pipe_calls[] = {
    {LX_pipe, sys_pipe},
    {LX_pipe2, sys_pipe2},
    {0, NULL},
};
