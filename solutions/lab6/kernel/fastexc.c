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
#include "l4/abi.h"

/* The words MR2..MR12 of a UTCB as one object, so that saving and
   restoring them is one structure copy. */
struct exc_words {
    uint32_t w[L4_EXC_WORDS - 1];
};

/* The exception message, as exception_ipc's exception_message builds it,
   written where ipc_transfer would put it: MR0 and MR1 in the handler's
   saved %esi and %edi, MR2..MR12 in its UTCB, our ID in its %ecx. */
static inline __attribute__((always_inline))
void fastexc_send(const struct thread *self, const struct trapframe *tf, struct thread *handler)
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
    mr[L4_EXC_ECX] = tf->ecx;
    mr[L4_EXC_EDX] = tf->edx;
    mr[L4_EXC_ESI] = tf->esi;
    mr[L4_EXC_EDI] = tf->edi;
    mr[L4_EXC_EBP] = tf->ebp;
    htf->ecx = self->tid;
    handler->ipc_received = 1;
    handler->ipc_error = 0;
}

/* A valid reply's registers (its words in mr, as exception_resume reads
   them): %esi, %edi and %ecx, which the reply's tag, MR1 and sender ID
   overwrote, come back from the reply too. */
static inline __attribute__((always_inline))
void fastexc_resume(struct trapframe *tf, const uint32_t *mr)
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

int fastexc_ipc(struct thread *handler, struct trapframe *tf, int *err)
{
    struct thread *self = current;

    if (self->irq_lines || sched_action != SCHED_RUN_ON)
        return 0;
    if (handler->state != TS_RECEIVING ||
        (handler->ipc_from != self->tid && handler->ipc_from != L4_ANYTHREAD) ||
        1 + L4_EXC_WORDS > ipc_max_words(handler))
        return 0;

    /* What the thread keeps: its MR2..MR12, its receive window, and the
       three registers the reply's tag, MR1 and sender ID land in. */
    struct l4_utcb *utcb = self->utcb;
    struct exc_words *mine = (struct exc_words *)&utcb->mr[2];
    struct exc_words saved = *mine;
    uint32_t esi = tf->esi, edi = tf->edi, ecx = tf->ecx;
    l4_fpage_t window = utcb->rcv_window;

    fastexc_send(self, tf, handler);
    self->ipc_from = handler->tid;
    self->ipc_rcv_timeout = L4_TIMEOUT_NEVER;
    self->ipc_received = 0;
    utcb->rcv_window = L4_NILPAGE;      /* a reply maps nothing into our space */
    if (!sched_switch_direct(TS_RECEIVING, handler)) {
        /* Nothing of ours changed but the window; what the handler got is
           what the slow path gives it again. */
        utcb->rcv_window = window;
        self->ipc_from = L4_NILTHREAD;
        return 0;
    }

    /* Woken: the reply is in our %esi, %edi, %ecx and UTCB, or the
       handler ended (ipc_cancel) and ipc_error says so. */
    self->ipc_from = L4_NILTHREAD;
    int e = self->ipc_error;
    if (e < 0)
        e = -((-e) | L4_ERECV);
    else if (tf->esi != l4_tag_make(0, L4_EXC_WORDS, 0))
        e = -L4_EINVAL;
    if (!e) {
        fastexc_resume(tf, utcb->mr);
    } else {
        tf->esi = esi;
        tf->edi = edi;
        tf->ecx = ecx;
    }
    *mine = saved;
    utcb->rcv_window = window;
    *err = e;
    return 1;
}
