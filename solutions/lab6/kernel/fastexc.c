/*
 * Lab 6: the exception fast path.  Reference solution; kernel/fastexc.c
 * states the contract and labs/lab6-fastpath/README.md explains it.
 *
 * Lab 4's exception_ipc stages the exception message through the thread's
 * own message registers, one ipc_set_mr at a time, lets ipc_call copy them
 * to the handler, and reads the reply back one ipc_get_mr at a time.  When
 * the handler already waits, the words can go straight from the trapframe
 * into the handler's registers and UTCB, and the reply's words straight
 * from the thread's UTCB into its trapframe.  The result must be the slow
 * path's in every register and every word of the UTCB, on every path: a
 * valid reply, an invalid one, and a handler that ends.
 */
#include "kernel.h"
#include "exception.h"
#include "ipc.h"
#include "sched.h"
#include "fastswitch.h"
#include "l4/abi.h"

/*
 * Where the reply lands.  The handler's reply writes MR2..MR12 into the
 * thread's UTCB (ipc_transfer, or the fast path's copy), but the thread
 * did not ask for this IPC: its own MR2..MR12 must be as they were.
 * exception_ipc saves them before and restores them after, 22 words
 * moved.  Here the thread's UTCB pointer (current->utcb, the kernel's
 * view of it; never the thread's own, at utcb_uva) points for the wait at
 * a stand-in on our kernel stack, and the reply lands there: the real
 * UTCB is never touched.  The stand-in needs only what a reply can reach:
 * the receive window (L4_NILPAGE: a map item lands nowhere) and MR0..MR12,
 * since a longer message to a thread in an exception is refused
 * (ipc_max_words).  Nothing else reads a waiting thread's UTCB.  It is
 * kept as words, not as a struct l4_utcb, which is longer: the words of
 * the struct are named by their offsets.
 *
 * A resume reply need not land at all: when the handler's IPC fast path
 * switches straight to us (EXC_FAST, exception.h), it applies the reply
 * to our trapframe itself, puts our own UTCB back (KEPT_UTCB), ends the
 * exception and sends us to trap_return; our C frames, which would have
 * done just that, are abandoned.  Any other reply lands in the stand-in
 * and wakes us here.
 */
#define UTCB_WORD(field) (offsetof(struct l4_utcb, field) / 4)
#define STAND_IN_WORDS (UTCB_WORD(mr) + 1 + L4_EXC_WORDS)

/* What the thread had in the three registers the reply's tag, MR1 and
   sender ID overwrite (%esi, %edi, %ecx), for a reply that does not
   resume it, and its own UTCB: kept in the stand-in's reserved words,
   which no IPC writes (the IPC fast path finds the UTCB there too:
   EXC_OWN_UTCB, exception.h). */
enum { KEPT_ESI = UTCB_WORD(reserved), KEPT_EDI, KEPT_ECX, KEPT_UTCB };
_Static_assert(KEPT_UTCB == UTCB_WORD(reserved) + EXC_OWN_UTCB, "exception.h's EXC_OWN_UTCB");

/* The exception message, as exception_ipc's exception_message builds it,
   written where ipc_transfer would put it: MR0 and MR1 in the handler's
   saved %esi and %edi, MR2..MR12 in its UTCB, our ID in its %ecx.  Each
   of tf's words is read once: %esi, %edi and %ecx also go to kept. */
static inline __attribute__((always_inline))
void fastexc_send(const struct thread *self, const struct trapframe *tf, struct thread *handler,
                  uint32_t *kept)
{
    struct trapframe *htf = thread_tf(handler);
    uint32_t *mr = handler->utcb->mr;

    htf->esi = l4_tag_make(L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0);
    htf->edi = tf->trapno;
    mr[L4_EXC_ERROR] = tf->err;
    mr[L4_EXC_EIP] = tf->eip;
    mr[L4_EXC_ESP] = tf->esp;
    mr[L4_EXC_EFLAGS] = tf->eflags;
    mr[L4_EXC_EAX] = tf->eax;
    mr[L4_EXC_EBX] = tf->ebx;
    mr[L4_EXC_ECX] = kept[KEPT_ECX] = tf->ecx;
    mr[L4_EXC_EDX] = tf->edx;
    mr[L4_EXC_ESI] = kept[KEPT_ESI] = tf->esi;
    mr[L4_EXC_EDI] = kept[KEPT_EDI] = tf->edi;
    mr[L4_EXC_EBP] = tf->ebp;
    htf->ecx = self->tid;
    handler->ipc_received = 1;
    handler->ipc_error = 0;
}

IPC_PATH int fastexc_ipc(struct thread *handler, struct trapframe *tf)
{
    struct thread *self = current;

    /* sched_action is SCHED_RUN_ON whenever user code runs (every way
       back to user mode carries out a decision first), so an exception,
       like a system call, starts with it: no test. */
    if (self->irq_lines)
        return FASTPATH_NOT_TAKEN;
    if (handler->state != TS_RECEIVING ||
        (handler->ipc_from != self->tid && handler->ipc_from != L4_ANYTHREAD) ||
        1 + L4_EXC_WORDS > ipc_max_words(handler))
        return FASTPATH_NOT_TAKEN;
    /* fastpath_switch's own check, made before anything is written: the
       switch below (fastpath_switch_now) cannot refuse, so there is
       nothing to undo. */
    if (ready_above(handler->prio))
        return FASTPATH_NOT_TAKEN;

    /* What the thread keeps: its UTCB (see STAND_IN_WORDS), and the three
       registers the reply's tag, MR1 and sender ID land in (KEPT_ESI...). */
    uint32_t stand_in[STAND_IN_WORDS];

    fastexc_send(self, tf, handler, stand_in);
    self->ipc_from = handler->tid;
    self->ipc_rcv_timeout = L4_TIMEOUT_NEVER;
    self->ipc_received = 0;
    stand_in[UTCB_WORD(rcv_window)] = L4_NILPAGE;
    stand_in[KEPT_UTCB] = (uint32_t)self->utcb;
    self->utcb = (struct l4_utcb *)stand_in;
    /* The IPC fast path may finish a resume for us (EXC_FAST,
       exception.h): then we never come back here.  exception() sets
       in_exception back when we return. */
    self->in_exception = EXC_FAST;
    int e = fastpath_switch_now(handler);

    /* Woken: the reply is in our %esi, %edi, %ecx and the stand-in, or
       the handler ended (ipc_cancel) and e says so. */
    self->utcb = (struct l4_utcb *)stand_in[KEPT_UTCB];
    if (e == 0 && tf->esi == l4_tag_make(0, L4_EXC_WORDS, 0)) {
        fastexc_resume(tf, stand_in + UTCB_WORD(mr));
        return 0;
    }
    if (e == 0)
        e = -L4_EINVAL;
    tf->esi = stand_in[KEPT_ESI];
    tf->edi = stand_in[KEPT_EDI];
    tf->ecx = stand_in[KEPT_ECX];
    return e;
}
