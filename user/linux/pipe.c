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

#include "pipe.h"

static struct pipe pipes[MAX_PIPES];

int ring_take(struct proc *p, struct pipe *pp, uint32_t buf, uint32_t n)
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

/* The read end is ready once there are bytes, or no writer (end of file:
   POLLHUP); the write end while there is room, POLLERR without a reader. */
static uint32_t pipe_poll(struct file *f)
{
    struct pipe *pp = f->priv;
    if (file_readable(f))
        return (pp->count ? LX_POLLIN : 0) | (pp->writers ? 0 : LX_POLLHUP);
    return (pp->count < PIPE_SIZE ? LX_POLLOUT : 0) | (pp->readers ? 0 : LX_POLLERR);
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
    .poll = pipe_poll,
};

static const struct file_ops pipe_write_ops = {
    .kind = "pipe",
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .stat = pipe_stat,
    .release = pipe_release,
    .poll = pipe_poll,
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

/*
 * Waiting for several files at once: poll and select (pipes and the
 * console are what they wait for).  Each run of the call asks every file
 * whether it is ready (file_ops.poll); if none is, the call waits like any
 * other, with its timeout as a deadline (time_sleep), and runs again after
 * the next event.
 */
#define MAX_POLLFDS 64

static uint32_t file_poll(struct file *f)
{
    return f->ops->poll ? f->ops->poll(f) : LX_POLLIN | LX_POLLOUT;
}

/* The end of a poll or select whose files are not ready: wait until the
   timeout (ticks, or -1: none) passes.  0 once it has, or LX_BLOCK. */
static int32_t wait_or_time_out(struct proc *p, int64_t ticks)
{
    if (ticks < 0)
        return LX_BLOCK;
    return time_sleep(p, (uint64_t)ticks);
}

/* poll(fds, nfds, ...) with the timeout in ticks (-1: none). */
static int32_t do_poll(struct proc *p, uint32_t ufds, uint32_t nfds, int64_t ticks)
{
    struct lx_pollfd fds[MAX_POLLFDS];
    if (nfds > MAX_POLLFDS)
        return -LX_EINVAL;
    if (copy_in(&p->mm, fds, ufds, nfds * sizeof fds[0]) < 0)
        return -LX_EFAULT;
    int32_t ready = 0;
    for (uint32_t i = 0; i < nfds; i++) {
        struct file *f = fds[i].fd >= 0 ? fd_file(p, (uint32_t)fds[i].fd) : NULL;
        uint32_t mask = 0;
        if (fds[i].fd < 0)
            mask = 0;
        else if (!f)
            mask = LX_POLLNVAL;
        else
            mask = file_poll(f) & ((uint16_t)fds[i].events | LX_POLLHUP | LX_POLLERR);
        if (mask & LX_POLLIN)
            mask |= (uint16_t)fds[i].events & LX_POLLRDNORM;
        if (mask & LX_POLLOUT)
            mask |= (uint16_t)fds[i].events & LX_POLLWRNORM;
        fds[i].revents = (int16_t)mask;
        ready += mask != 0;
    }
    if (!ready) {
        int32_t w = wait_or_time_out(p, ticks);
        if (w == LX_BLOCK)
            return w;
    }
    p->wake_at = 0;
    return copy_out(&p->mm, ufds, fds, nfds * sizeof fds[0]) < 0 ? -LX_EFAULT : ready;
}

/* poll(fds, nfds, timeout in milliseconds; negative: none). */
static int32_t sys_poll(struct proc *p, struct regs *r)
{
    int32_t ms = (int32_t)r->edx;
    return do_poll(p, r->ebx, r->ecx, ms < 0 ? -1 : ((int64_t)ms * L4_TICK_HZ + 999) / 1000);
}

/* ppoll(fds, nfds, timeout (a timespec, NULL: none), sigmask, size): the
   signal mask is not kept (no signal handlers yet). */
static int32_t ppoll_common(struct proc *p, struct regs *r, int form)
{
    uint64_t ticks = 0;
    if (r->edx && !p->io_done) {
        int err = time_timeout(p, r->edx, form, &ticks);
        if (err)
            return err;
    }
    return do_poll(p, r->ebx, r->ecx, r->edx ? (int64_t)ticks : -1);
}

static int32_t sys_ppoll(struct proc *p, struct regs *r)
{
    return ppoll_common(p, r, LX_TIME_TS32);
}

static int32_t sys_ppoll64(struct proc *p, struct regs *r)
{
    return ppoll_common(p, r, LX_TIME_TS64);
}

/* select(nfds, readfds, writefds, exceptfds, ...) with the timeout in
   ticks (-1: none): the sets, bitmaps of descriptors, say which are ready
   on return.  Nothing is ever "exceptional" (no out-of-band data). */
static int32_t do_select(struct proc *p, struct regs *r, int64_t ticks)
{
    uint32_t sets[3][MAX_FDS / 32], addr[3] = {r->ecx, r->edx, r->esi};
    uint32_t nfds = r->ebx;
    if ((int32_t)nfds < 0 || nfds > 1024)
        return -LX_EINVAL;
    uint32_t words = (nfds + 31) / 32, kept = words < MAX_FDS / 32 ? words : MAX_FDS / 32;
    memset(sets, 0, sizeof sets);
    for (unsigned s = 0; s < 3; s++) {
        if (!addr[s])
            continue;
        for (uint32_t w = 0; w < words; w++) {
            uint32_t bits;
            if (copy_in(&p->mm, &bits, addr[s] + 4 * w, 4) < 0)
                return -LX_EFAULT;
            if (w * 32 + 32 > nfds)
                bits &= (1u << (nfds % 32)) - 1;
            if (w >= kept && bits)
                return -LX_EBADF;       /* beyond every process's descriptors */
            if (w < kept)
                sets[s][w] = bits;
        }
    }
    uint32_t out[3][MAX_FDS / 32] = {{0}};
    int32_t ready = 0;
    for (uint32_t fd = 0; fd < kept * 32; fd++) {
        uint32_t bit = 1u << (fd % 32), w = fd / 32;
        if (!((sets[0][w] | sets[1][w] | sets[2][w]) & bit))
            continue;
        struct file *f = fd_file(p, fd);
        if (!f)
            return -LX_EBADF;
        uint32_t mask = file_poll(f);
        if ((sets[0][w] & bit) && (mask & (LX_POLLIN | LX_POLLHUP | LX_POLLERR)))
            out[0][w] |= bit, ready++;
        if ((sets[1][w] & bit) && (mask & (LX_POLLOUT | LX_POLLERR)))
            out[1][w] |= bit, ready++;
    }
    if (!ready) {
        int32_t wt = wait_or_time_out(p, ticks);
        if (wt == LX_BLOCK)
            return wt;
    }
    p->wake_at = 0;
    for (unsigned s = 0; s < 3; s++)
        for (uint32_t w = 0; w < words && addr[s]; w++) {
            uint32_t bits = w < kept ? out[s][w] : 0;
            if (copy_out(&p->mm, addr[s] + 4 * w, &bits, 4) < 0)
                return -LX_EFAULT;
        }
    return ready;
}

/* _newselect(nfds, r, w, e, timeout: a struct timeval) and pselect6(nfds, r,
   w, e, timeout: a timespec, sigmask); NULL: no timeout.  The time left is
   not written back, and pselect6's signal mask is not kept. */
static int32_t select_common(struct proc *p, struct regs *r, int form)
{
    uint64_t ticks = 0;
    if (r->edi && !p->io_done) {
        int err = time_timeout(p, r->edi, form, &ticks);
        if (err)
            return err;
    }
    return do_select(p, r, r->edi ? (int64_t)ticks : -1);
}

static int32_t sys_select(struct proc *p, struct regs *r)
{
    return select_common(p, r, LX_TIME_TIMEVAL);
}

static int32_t sys_pselect6(struct proc *p, struct regs *r)
{
    return select_common(p, r, LX_TIME_TS32);
}

static int32_t sys_pselect6_64(struct proc *p, struct regs *r)
{
    return select_common(p, r, LX_TIME_TS64);
}

const struct lx_callent lx_pipe_calls[] = {
    {LX_pipe, sys_pipe},
    {LX_pipe2, sys_pipe2},
    {LX_poll, sys_poll},
    {LX_ppoll, sys_ppoll},
    {LX_ppoll_time64, sys_ppoll64},
    {LX_newselect, sys_select},
    {LX_pselect6, sys_pselect6},
    {LX_pselect6_time64, sys_pselect6_64},
    {0, NULL},
};
