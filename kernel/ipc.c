/*
 * Lab 1: the IPC rendezvous.  kernel/ipc.h describes the four functions;
 * labs/lab1-ipc/README.md explains the design.
 *
 * The rule that keeps this small: whichever side arrives second does all
 * the work.  It copies the message, and wakes the side that was waiting,
 * whose registers then already hold the result when it runs again.
 *
 * What you may use (kernel/ipc_syscall.c, kernel/sched.c): ipc_accepts,
 * ipc_wake, ipc_await_reply, sendq_append / sendq_remove / sendq_take,
 * sched_block, thread_tf, and the fields of struct thread (thread.h).
 */
#include "kernel.h"
#include "ipc.h"
#include "map.h"
#include "sched.h"
#include "l4/abi.h"

/*
 * LAB 1: copy a message.
 *
 * snd's message is in its saved registers and UTCB: MR0 (the tag) in the
 * trapframe's %esi, MR1 in %edi, MR2..MR(u+t) in snd->utcb->mr[], where u
 * and t are the tag's untyped and typed word counts (sys_ipc has checked
 * that they fit; t is 0 until Lab 2).  Put it where rcv's IPC returns it:
 * MR0 and MR1 into rcv's saved %esi and %edi, MR2..MR(u+t) into
 * rcv->utcb->mr[]; then call ipc_map_items(snd, rcv) (kernel/map.c, which
 * carries out the typed items: nothing for a message without them); put
 * snd's thread ID into rcv's saved %ecx; and set rcv->ipc_received.
 * Tested by: make grade LAB=1 (pingpong, and every other lab-1 test).
 */
void ipc_transfer(struct thread *snd, struct thread *rcv)
{
    (void)snd, (void)rcv;
    kprintf("LAB 1: ipc_transfer not implemented (kernel/ipc.c)\n");
}

/*
 * LAB 1: the send phase of the current thread's IPC to dest.
 *
 * If dest is blocked receiving and accepts us (ipc_accepts): transfer the
 * message, wake dest with success, return 0.  If not, and timeout is
 * L4_TIMEOUT_ZERO: return -L4_ETIMEOUT at once.  Otherwise join dest's
 * send queue and block in TS_SENDING with the timeout; when you run again,
 * whoever woke you left the result in current->ipc_error: return it.
 * Tested by: pingpong, zero_timeout, timeouts, many_clients.
 */
int ipc_send(struct thread *dest, uint16_t timeout)
{
    (void)dest, (void)timeout;
    kprintf("LAB 1: ipc_send not implemented (kernel/ipc.c)\n");
    return -L4_ENOSYS;
}

/*
 * LAB 1: the receive phase of the current thread's IPC.
 *
 * If a sender that `from` accepts is queued (sendq_take): transfer its
 * message and return 0; the sender is still blocked, so end its wait: if
 * its IPC has a receive phase too (snd->ipc_from is not L4_NILTHREAD: it
 * made a call), it must go on waiting for the reply (ipc_await_reply), so
 * that the reply can never find it not listening; otherwise wake it with
 * success.  If no sender is queued: with a zero timeout return
 * -L4_ETIMEOUT, else block in TS_RECEIVING and return current->ipc_error
 * when you run again.  (sys_ipc has stored `from` in current->ipc_from.)
 * Tested by: pingpong, receive_any, many_clients, call_atomic, timeouts.
 */
int ipc_receive(l4_tid_t from, uint16_t timeout)
{
    (void)from, (void)timeout;
    kprintf("LAB 1: ipc_receive not implemented (kernel/ipc.c)\n");
    return -L4_ENOSYS;
}

/*
 * LAB 1: a blocked thread's timeout has expired.
 *
 * The timer calls this for t in TS_SENDING or TS_RECEIVING.  A sender
 * must leave the send queue of the thread it was sending to
 * (t->ipc_partner).  Then wake t with -L4_ETIMEOUT, or'ed with L4_ERECV
 * if it was receiving.
 * Tested by: timeouts.
 */
void ipc_timeout(struct thread *t)
{
    (void)t;
    kprintf("LAB 1: ipc_timeout not implemented (kernel/ipc.c)\n");
}
