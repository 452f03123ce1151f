/*
 * Lab 6: the IPC fast path.  Reference solution; kernel/fastpath.c states
 * the contract and labs/lab6-fastpath/README.md explains the design.
 *
 * Most IPC is a client's call to a server that already waits for it, and
 * the server's reply-and-wait to a client that waits for its reply.  For
 * that case the general path (sys_ipc, ipc_send, ipc_receive, the ready
 * queues, schedule) does far more than needed: it is written for every
 * case at once.  Here the common case is recognised by a few checks, the
 * words are copied, the sender blocks and the kernel switches straight to
 * the partner, without the partner visiting a ready queue.  When any check
 * fails, nothing has changed yet, and the slow path does the IPC; it must
 * give the same result in every register, which is why each check below
 * names the thing the slow path would have done differently.
 *
 * The fast path blocks its thread in the fast path, but whoever wakes it
 * (this code or the slow path) only does what waking any receiver does:
 * the message in its registers and UTCB, ipc_received and ipc_error set,
 * and the thread made ready.  So the two paths mix freely.
 */
#include "kernel.h"
#include "ipc.h"
#include "exception.h"
#include "sched.h"
#include "fastswitch.h"
#include "l4/abi.h"

/*
 * Whether the current thread, self, may send a message of tag to dest at
 * once: dest must wait for exactly this sender (or anyone), as
 * ipc_accepts says, and the message must fit what dest may be sent
 * (ipc_max_words: a thread in a page fault or an exception takes fewer
 * words; at least 3, so a message of up to 2 untyped words always fits,
 * and the common short message skips the question), and no ready thread
 * may outrank dest (pick() would not run it next: fastpath_switch's own
 * check, made here, before anything is written, so that the transfer may
 * write what could not be written back, such as a resume applied to a
 * thread in an exception).
 */
static inline int fast_partner_ok(const struct thread *self, const struct thread *dest,
                                  l4_tag_t tag)
{
    if (dest->state != TS_RECEIVING ||
        (dest->ipc_from != self->tid && dest->ipc_from != L4_ANYTHREAD))
        return 0;
    unsigned words = l4_tag_untyped(tag);
    if (words > 2 && 1 + words > ipc_max_words(dest))
        return 0;
    return !ready_above(dest->prio);
}

/* MR2.. from UTCB to UTCB: one `rep movsl`, as L4 copies long messages
   (the kernel runs with DF clear).  A loop costs four or five instructions
   a word; under -icount each repetition of the string instruction counts
   once, and on a real CPU it moves a word a cycle or better. */
static inline __attribute__((always_inline)) void copy_words(uint32_t *dst, const uint32_t *src,
                                                            unsigned n)
{
    __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/*
 * A valid resume reply's registers (its words in mr, MR0 first) into tf,
 * as exception_ipc's exception_resume takes them: eip, esp, the seven
 * general registers (%esi, %edi and %ecx too, which the reply's tag, MR1
 * and sender ID would have overwritten) and of eflags only the
 * arithmetic flags.  Of tf nothing else changes: exception() counts on it
 * (it guards the privileged state only around exception_ipc).  Inline in
 * the IPC fast path below (a call there cost every fast IPC about 8
 * instructions: GCC allocated the whole function's registers around it),
 * and behind fastexc_resume for the exception fast path (fastexc.c).
 */
static inline __attribute__((always_inline))
void resume_registers(struct trapframe *tf, const uint32_t *mr)
{
    tf->eip = mr[L4_EXC_EIP];
    tf->esp = mr[L4_EXC_ESP];
    tf->eflags = (tf->eflags & ~EFLAGS_ARITH) | (mr[L4_EXC_EFLAGS] & EFLAGS_ARITH);
    tf->eax = mr[L4_EXC_EAX];
    tf->ebx = mr[L4_EXC_EBX];
    tf->ecx = mr[L4_EXC_ECX];
    tf->edx = mr[L4_EXC_EDX];
    tf->esi = mr[L4_EXC_ESI];
    tf->edi = mr[L4_EXC_EDI];
    tf->ebp = mr[L4_EXC_EBP];
}

IPC_PATH void fastexc_resume(struct trapframe *tf, const uint32_t *mr)
{
    resume_registers(tf, mr);
}

/*
 * A resume reply to a thread in the exception fast path's wait (EXC_FAST,
 * exception.h), done here as the thread would do it once woken, so that
 * the thread goes straight back to user mode: its registers from the
 * reply (resume_registers), its own UTCB back, its exception over, and its
 * kernel stack made a switch frame that returns to trap_return.  The C
 * frames it blocked in (exception(), fastexc_ipc) had nothing else to do:
 * they are abandoned, as a sender's are after a sysenter.
 */
static inline __attribute__((always_inline))
void fast_exception_resume(const struct thread *self, struct thread *dest)
{
    struct trapframe *dtf = thread_tf(dest);
    uint32_t *frame = (uint32_t *)dtf - SWITCH_FRAME_WORDS;

    resume_registers(dtf, self->utcb->mr);
    dest->utcb = (struct l4_utcb *)dest->utcb->reserved[EXC_OWN_UTCB];
    dest->in_exception = EXC_NONE;
    frame[SWITCH_FRAME_WORDS - 1] = (uint32_t)trap_return;
    dest->ksp = (uint32_t)frame;
}

/*
 * Moves the untyped words of self's message (its tag is in tf) to dest,
 * as ipc_transfer does: MR0 and MR1 into dest's saved %esi and %edi, the
 * rest UTCB to UTCB, the sender's ID into %ecx; wakes dest with success,
 * sets up self's receive phase (from: whom it accepts) and switches to
 * dest (fastpath_switch_now: fast_partner_ok has made fastpath_switch's
 * check already, before anything was written, so that what cannot be
 * written back, a resume applied to a thread in an exception, may be).
 * Returns what the switch returns: self's result when it is woken, or
 * nothing at all after a sysenter.
 */
static inline __attribute__((always_inline))
int32_t fast_transfer_and_wait(struct thread *self, struct trapframe *tf,
                                      struct thread *dest, l4_tid_t from)
{
    struct trapframe *dtf = thread_tf(dest);
    /* (No code: what the checks read, the transfer reads again, rather
       than GCC keeping it on the stack meanwhile: it has too few
       registers for all of it.) */
    __asm__ volatile("" : : : "memory");
    l4_tag_t tag = tf->esi;
    unsigned words = l4_tag_untyped(tag);

    dtf->esi = tag;
    dtf->edi = tf->edi;
    if (words > 1) {
        /* A resume reply (12 words) to a thread in the exception fast
           path's wait is applied here: we switch to it now, the check is
           behind us. */
        if (dest->in_exception == EXC_FAST && tag == l4_tag_make(0, L4_EXC_WORDS, 0)) {
            fast_exception_resume(self, dest);
            goto received;
        }
        copy_words(dest->utcb->mr + 2, self->utcb->mr + 2, words - 1);
    }
    dtf->ecx = self->tid;
received:
    dest->ipc_received = 1;
    dest->ipc_error = 0;

    /* Our receive phase, as sys_ipc sets it up: whoever sends to us next
       checks ipc_from (ipc_accepts); the timeout is never.  The switch
       gives our result when a message (or an error) wakes us again. */
    self->ipc_from = from;
    self->ipc_rcv_timeout = L4_TIMEOUT_NEVER;
    self->ipc_received = 0;
    return fastpath_switch_now(dest);
}

/*
 * SYS_IPC's common case: a call (from == to) or a reply-and-wait (from ==
 * any) with untyped words only, to a thread that waits for us, and a
 * receive phase that will block without a timeout.  Everything else is
 * the slow path's: a send or a receive alone, a receive with a timeout
 * (to arm, or zero: it would fail at once), map items or flags in the tag,
 * a receiver that is not there yet, a message already queued for us, an
 * interrupt we handle (it may be pending).  sched_action needs no test
 * here: it is SCHED_RUN_ON on every system call's entry (trap() and the
 * sysenter stub carry out any decision before they return to user mode),
 * and nothing before this function changes it.
 */
IPC_PATH int32_t fastpath_ipc(struct trapframe *tf)
{
    struct thread *self = current, *dest;
    l4_tid_t to = tf->ebx, from = tf->ecx;
    l4_tag_t tag = tf->esi;

    if ((tf->edx & 0xFFFF) != L4_TIMEOUT_NEVER)
        return FASTPATH_NOT_TAKEN;
    if (from != to && !(from == L4_ANYTHREAD && !self->senders))
        return FASTPATH_NOT_TAKEN;
    /* Typed words and flags are bits 6..15 of the tag; untyped words
       alone (at most 63) always fit in the message registers. */
    if ((tag & 0xFFC0) || self->irq_lines)
        return FASTPATH_NOT_TAKEN;
    dest = thread_lookup_inline(to);    /* NULL for nil, any and stale IDs */
    /* dest == self fails fast_partner_ok: a running thread is not receiving. */
    if (!dest || !fast_partner_ok(self, dest, tag))
        return FASTPATH_NOT_TAKEN;
    return fast_transfer_and_wait(self, tf, dest, from);
}

/*
 * ipc_call's common case, for a call the kernel makes on the current
 * thread's behalf (a page fault, an exception): its message is in its
 * message registers already, its partner waits for it, and the reply may
 * take no time limit.  The same checks as fastpath_ipc, less those that
 * cannot fail for a kernel-made message (it has untyped words only).
 */
int fastpath_call(struct thread *dest, int *err)
{
    struct thread *self = current;
    struct trapframe *tf = thread_tf(self);

    if ((tf->esi & 0xFFC0) || self->irq_lines || sched_action != SCHED_RUN_ON)
        return 0;
    if (dest == self || !fast_partner_ok(self, dest, tf->esi))
        return 0;
    *err = fast_transfer_and_wait(self, tf, dest, dest->tid);
    return 1;
}
