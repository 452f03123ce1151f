/*
 * Lab 6: the exception fast path.  labs/lab6-fastpath/README.md explains
 * the design; kernel/exception.h declares the function, and exception()
 * (kernel/excroute.c) calls it before Lab 4's exception_ipc.
 *
 * Lab 4's exception_ipc stages the exception message through the thread's
 * own message registers, one ipc_set_mr at a time, lets ipc_call move them
 * to the handler, and reads the reply back one ipc_get_mr at a time: more
 * than half of exc.rtt.  When the handler already waits, the message can
 * go straight from the trapframe into the handler's registers and UTCB,
 * and the reply straight from the thread's UTCB into its trapframe.  A
 * Linux process's every system call takes this path (Lab 5).
 *
 * Until you write it, fastexc_ipc says "not taken" and exception_ipc does
 * every exception: that is correct, only slow.  It must stay silent (no
 * kprintf): every exception of Labs 4 and 5 passes through it.
 *
 * What you may use: thread_tf (thread.h), ipc_max_words (ipc.h),
 * fastpath_switch (fastswitch.h; or ready_above first and then
 * fastpath_switch_now, which cannot refuse), l4_tag_make and the
 * L4_EXC_* word numbers (l4/abi.h), EFLAGS_ARITH (exception.h), and the
 * fields of struct thread.
 */
#include "kernel.h"
#include "exception.h"
#include "ipc.h"
#include "sched.h"
#include "fastswitch.h"
#include "l4/abi.h"

/*
 * LAB 6: the current thread's exception (its registers in tf) as a call
 * to handler, done whole, or not at all.
 *
 * Return FASTPATH_NOT_TAKEN (kernel/ipc.h), having changed nothing,
 * unless every check below holds; then
 * write the exception message where ipc_transfer would put it (the same
 * words in the same order as exception_ipc's message: the tag and the
 * vector into the handler's saved %esi and %edi, MR2..MR12 into its
 * UTCB, our ID into its %ecx, ipc_received set, ipc_error 0), set up our
 * receive phase as ipc_call would (ipc_from the handler, no timeout,
 * ipc_received 0) with our receive window L4_NILPAGE, and switch with
 * fastpath_switch(handler).  If that refuses (FASTPATH_NOT_TAKEN), undo
 * what is ours and return FASTPATH_NOT_TAKEN: what the handler got is
 * what the slow path gives it again.  Otherwise it returns, once we are
 * woken, the IPC's result as ipc_call gives it (0, or an error with
 * L4_ERECV; our ipc_from is nil again).  Do with the reply exactly what
 * exception_ipc does (solutions/lab4/kernel/exception.c): the same check
 * of the tag, the same registers taken (of eflags only EFLAGS_ARITH), the
 * same registers put back on an error (%esi, %edi, %ecx), MR2..MR12 and
 * the receive window as they were on every path.  Then return what
 * exception_ipc would return: 0, -L4_EINVAL for a reply that is not a
 * resume message, or the IPC's error (with L4_ERECV, as ipc_call gives
 * it).  The results must be the slow path's, bit for bit.  Of tf write
 * only eip, esp, the arithmetic flags and the general registers:
 * exception() restores the privileged state after exception_ipc but not
 * after you (nothing else changes it while the thread waits).
 *
 * The checks, and why each exists (they are fastpath_call's):
 *  - we handle no interrupt line: an interrupt may be pending for us;
 *  - (no test of sched_action: it is SCHED_RUN_ON whenever user code
 *    runs, so an exception starts with it, as a system call does);
 *  - the handler is in TS_RECEIVING from us or from anyone (ipc_accepts):
 *    otherwise we would have to queue as a sender;
 *  - the message (1 + L4_EXC_WORDS words) fits what the handler may be
 *    sent (ipc_max_words: a handler waiting in its own page fault takes
 *    fewer words, and the slow path reports the error);
 *  - no ready thread outranks the handler: fastpath_switch checks it.
 * (exception() has checked that the handler exists and is not us.)
 * Tested by grader/lab6.py: exc_fast_taken and exc_fast_checks.
 */
IPC_PATH int fastexc_ipc(struct thread *handler, struct trapframe *tf)
{
    (void)handler, (void)tf;
    return FASTPATH_NOT_TAKEN;
}
