/*
 * Lab 5: a pipe read that waits.  Reference solution of pipe_read(); its
 * contract is in the student's user/linux/lab5_pipe.c.
 */
#include "pipe.h"

int32_t pipe_read(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    struct pipe *pp = f->priv;
    if (len == 0)
        return 0;
    if (pp->count == 0) {
        if (pp->writers == 0)
            return 0;                   /* end of file: nobody can write any more */
        return f->flags & LX_O_NONBLOCK ? -LX_EAGAIN : LX_BLOCK;
    }
    uint32_t n = len < pp->count ? len : pp->count;
    if (ring_take(p, pp, buf, n) < 0)
        return -LX_EFAULT;
    lx_event();                         /* room for a waiting writer */
    return (int32_t)n;
}
