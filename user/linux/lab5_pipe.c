/*
 * Lab 5: a pipe read that waits, without the server waiting.
 *
 * The server is one thread and the pager and exception handler of every
 * process: if it waited for a pipe to fill, every process would stop.  So
 * a read of an empty pipe is answered later.  The call returns LX_BLOCK:
 * the process gets no reply (it stays blocked in its exception IPC, in the
 * kernel, at no cost), lx_exception keeps its registers, and main.c runs
 * the same call again, from the start, after each event (lx_event): a
 * writer's bytes, a write end's close, a signal.  When it returns anything
 * else, main.c sends the answer.  pipe.h shows the pipe.
 */
#include "pipe.h"

/*
 * LAB 5: read up to len bytes of the pipe behind read end f (f->priv)
 * into process p's memory at buf.
 *
 * - len 0: 0.
 * - The pipe is empty: end of file (0) if no write end is open any more
 *   (writers); else the reader waits: LX_BLOCK, or -LX_EAGAIN if the file
 *   is non-blocking (f->flags has LX_O_NONBLOCK).  Change nothing before
 *   you return LX_BLOCK: the call runs again from the start.
 * - Else take min(len, count) bytes (ring_take; a bad buffer is
 *   -LX_EFAULT), tell the server that a writer waiting for room may go on
 *   (lx_event), and return how many.
 * Tested by: make grade LAB=5 (forkpipe, killblocked, ...), measured by lx.pipe_rtt.
 */
int32_t pipe_read(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    (void)p, (void)f, (void)buf, (void)len;
    printf("LAB 5: pipe_read not implemented (user/linux/lab5_pipe.c)\n");
    return -LX_EIO;
}
