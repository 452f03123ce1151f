/*
 * Lab 6: the IPC fast path.  labs/lab6-fastpath/README.md explains the
 * design; kernel/ipc.h declares the two functions.
 *
 * Most IPC is a client's call to a server that already waits for it, and
 * the server's reply-and-wait to a client that waits for its reply.  For
 * that case the general path (sys_ipc, ipc_send, ipc_receive, the ready
 * queues, schedule) does far more than needed: it is written for every
 * case at once.  Here the common case is recognised by a few checks, the
 * words are copied, the sender blocks and the kernel switches straight to
 * the partner (fastpath_switch), without the partner visiting a ready
 * queue.  When any check fails, nothing may have changed yet, and the
 * slow path does the IPC; it must give the same result in every register,
 * which is why each check names the thing the slow path would have done
 * differently.
 *
 * Until you write them, both functions say "not taken" and the slow path
 * does every IPC: that is correct, only slow.  They must stay silent (no
 * kprintf): every IPC of Labs 0..5 passes through them.
 *
 * What you may use: thread_lookup_inline and thread_tf (thread.h),
 * ipc_max_words (ipc.h), fastpath_switch (fastswitch.h; or ready_above
 * first and then fastpath_switch_now, which cannot refuse), sched_action
 * (sched.h), l4_tag_untyped (l4/abi.h), and the fields of struct thread.
 */
#include "kernel.h"
#include "ipc.h"
#include "exception.h"
#include "sched.h"
#include "fastswitch.h"
#include "l4/abi.h"

/*
 * LAB 6: SYS_IPC's common case, done whole, or not at all.
 *
 * tf holds the caller's registers as sys_ipc reads them (docs/abi.md):
 * to in %ebx, from in %ecx, the timeouts in %edx, the tag (MR0) in %esi,
 * MR1 in %edi, MR2.. in current->utcb->mr[].  Return FASTPATH_NOT_TAKEN,
 * having changed nothing, unless every check below holds; then copy the
 * message to the partner exactly as ipc_transfer does (MR0 and MR1 into
 * its saved %esi and %edi, the rest UTCB to UTCB, our ID into its %ecx,
 * ipc_received set, ipc_error 0), set up our own receive phase as sys_ipc
 * would (ipc_from, no timeout, ipc_received 0), and return what
 * fastpath_switch(partner) returns: FASTPATH_NOT_TAKEN if it refuses
 * (what you wrote is what the slow path writes again), else our result
 * once a message wakes us, as sys_ipc gives it.  After a sysenter it
 * never returns at all: we go back to user mode straight from the switch
 * that wakes us (kernel/fastswitch.h explains why that is the fast part).
 *
 * The checks, and why each exists:
 *  - the receive timeout is "never": a finite one must be armed on the
 *    timeout list, and a zero one fails at once without blocking;
 *  - a call (from == to) or a reply-and-wait (from is any) with no sender
 *    queued for us: a queued sender must be taken first (ipc_receive);
 *  - no typed items or flags in the tag (bits 6..15): map items need
 *    ipc_map_items, which may fail and must then report an error;
 *  - we handle no interrupt line: an interrupt may be pending for us;
 *  - (fastpath_call only) sched_action is SCHED_RUN_ON: a direct switch
 *    would lose a decision the scheduler has already taken.  Every system
 *    call starts with SCHED_RUN_ON, so fastpath_ipc need not ask;
 *  - the partner exists and is not us (thread_lookup_inline gives NULL for
 *    nil, any and stale IDs: the slow path reports the error);
 *  - the partner is in TS_RECEIVING from us or from anyone (ipc_accepts):
 *    otherwise we would have to queue as a sender, with a timeout;
 *  - the message fits what the partner may be sent (ipc_max_words: a
 *    thread in a page fault or an exception takes fewer words);
 *  - no ready thread outranks the partner: fastpath_switch checks it.
 * Tested by grader/lab6.py: taken, and each case where it must not be.
 */
IPC_PATH int32_t fastpath_ipc(struct trapframe *tf)
{
    (void)tf;
    return FASTPATH_NOT_TAKEN;
}

/*
 * LAB 6: ipc_call's common case, for a call the kernel makes on the
 * current thread's behalf (a page fault, an exception): its message is in
 * its message registers already, and the reply may take no time limit.
 *
 * Return 0, having changed nothing, when the case is not yours; else
 * return 1 with *err set to the call's result, as fastpath_ipc gives it.
 * The checks are fastpath_ipc's, less those that cannot fail for a
 * kernel-made message (no timeout to read, no queued sender to take
 * first), and the receive phase waits for dest alone.
 */
int fastpath_call(struct thread *dest, int *err)
{
    (void)dest;
    (void)err;
    return 0;
}

/*
 * LAB 6: a valid resume reply's registers into tf, for the exception fast
 * path (kernel/fastexc.c) and, if you like, this file's: the reply's
 * words are in mr, MR0 first, in the order of the L4_EXC_* numbers.
 * Take exactly what exception_ipc takes (eip, esp, the seven general
 * registers, and of eflags only EFLAGS_ARITH) and change nothing else of
 * tf.  It lives here, not in fastexc.c, so that fastpath_ipc may have the
 * same code inline, as the reference does to finish an exception itself
 * (EXC_FAST, exception.h): a call there would cost every fast IPC more
 * than the copy, since GCC allocates the function's registers around it.
 * Nothing calls it until you do.
 */
IPC_PATH void fastexc_resume(struct trapframe *tf, const uint32_t *mr)
{
    (void)tf, (void)mr;
    panic("LAB 6: fastexc_resume is not written (kernel/fastpath.c)");
}
