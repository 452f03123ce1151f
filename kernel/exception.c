/*
 * Lab 4: CPU exceptions as IPC to the thread's exception handler.
 *
 * The kernel does not decide what a divide error or an invalid opcode
 * means for a thread: when a thread with an exception handler raises one
 * in user mode, the kernel sends the handler a message on the thread's
 * behalf (which exception, and every register the thread had), waits for
 * the reply, and resumes the thread with the registers the reply gives.
 * The handler may fix the thread (skip the instruction, emulate it: Lab 5's
 * Linux server answers a Linux program's `int $0x80` this way) or never
 * answer.  exception() is given; exception_ipc() is yours.  The Lab 4
 * handout explains it.
 */
#include "kernel.h"
#include "exception.h"
#include "pagefault.h"      /* user_fault(), the report (kernel/trap.c) */
#include "ipc.h"
#include "sched.h"
#include "lib/fmt.h"
#include "l4/abi.h"

/* Why the handler's answer did not resume the thread, in words, for the report. */
static const char *unresumed_why(int err)
{
    switch (-err & ~L4_ERECV) {
    case L4_EINVAL:    return "its reply was not a resume message (label 0, "
                              "L4_EXC_WORDS untyped words, no typed ones)";
    case L4_ECANCELED:
    case L4_ENOPARTNER: return "it ended before it replied";
    case L4_ENOSYS:    return "exception_ipc() is not written yet (kernel/exception.c, Lab 4)";
    default:           return "the exception IPC failed";
    }
}

/* The arithmetic flags of eflags (SDM vol. 1, 3.4.3): CF PF AF ZF SF DF OF,
   the only ones a handler's reply may change (l4/abi.h). */
#define EFLAGS_ARITH 0x00000CD5u

/*
 * Whatever exception_ipc does to tf, the thread goes back to ring 3 with
 * the privileged part of its state as it was: its code and stack segments
 * (an iret to cs = KCODE_SEL would run its code in ring 0), its other
 * segment registers, and every eflags bit but the arithmetic ones (IOPL,
 * IF, VM, NT: a reply that set IOPL 3 or VM would hand the thread the
 * ports, the interrupts, or virtual-8086 mode).  exception() saves them
 * before the IPC and puts them back after a reply, so that this holds
 * whatever exception_ipc does.
 */
struct privileged {
    uint32_t cs, ss, ds, es, fs, gs, eflags;
};

static void privileged_save(const struct trapframe *tf, struct privileged *p)
{
    *p = (struct privileged){tf->cs, tf->ss, tf->ds, tf->es, tf->fs, tf->gs, tf->eflags};
}

static void privileged_restore(struct trapframe *tf, const struct privileged *p)
{
    tf->cs = p->cs;
    tf->ss = p->ss;
    tf->ds = p->ds;
    tf->es = p->es;
    tf->fs = p->fs;
    tf->gs = p->gs;
    tf->eflags = (p->eflags & ~EFLAGS_ARITH) | (tf->eflags & EFLAGS_ARITH);
}

void exception(struct trapframe *tf)
{
    struct thread *self = current;
    char note[160];

    /* Without a handler nobody can say what the exception means: the
       thread is stopped, as in every lab before this one. */
    if (self->exc_handler == L4_NILTHREAD) {
        user_fault(tf, 0, NULL);
        return;
    }
    struct thread *handler = thread_lookup(self->exc_handler);
    if (!handler || handler == self) {
        fmt_snprintf(note, sizeof note, "its exception handler, thread %u, did not resume it: %s",
                     l4_tid_number(self->exc_handler),
                     handler ? "the thread is its own exception handler and cannot answer itself"
                             : "no such thread (it has ended)");
        user_fault(tf, 0, note);
        return;
    }
    struct privileged before;
    privileged_save(tf, &before);
    self->in_exception = 1;
    int err = exception_ipc(handler, tf);
    self->in_exception = 0;
    if (err == 0) {
        privileged_restore(tf, &before);
        return;         /* back to user mode with the registers of the reply */
    }
    fmt_snprintf(note, sizeof note, "its exception handler, thread %u, did not resume it: "
                 "%s (error %d)", l4_tid_number(self->exc_handler), unresumed_why(err), err);
    user_fault(tf, 0, note);
}

/*
 * LAB 4: the current thread's exception, its registers in tf, as a call
 * to its exception handler.  Return 0 once a valid reply has set the
 * thread's registers in tf, else a negative error.
 *
 * The message (l4/abi.h, "Exceptions"; the MR table in the handout) is
 * the tag L4_LABEL_EXCEPTION with L4_EXC_WORDS untyped words, then the
 * vector, the error code and the registers in the order of the L4_EXC_*
 * enum, all as tf has them when you are called.  The only valid reply is
 * the tag label 0, L4_EXC_WORDS untyped words, no typed ones; anything
 * else is refused with -L4_EINVAL, and an IPC error is returned as is.
 * A valid reply gives the thread its eip, esp and seven general registers,
 * and of eflags only the arithmetic flags (CF PF AF ZF SF DF OF:
 * EFLAGS_ARITH above); every other bit stays as the thread had it, since a
 * handler that could set IOPL or clear IF would let its thread switch the
 * machine's interrupts off.  exception() puts the privileged state back
 * after you as a second line of defence; your code must not rely on it.
 * The reply's vector and error code words are ignored.
 *
 * What you may assume, and what must hold:
 * - MR0, MR1 and the sender's ID live in the thread's saved %esi, %edi and
 *   %ecx: writing the message and receiving the reply change tf.
 * - The thread did not ask for this IPC: its MR2..MR12 (in its UTCB) and
 *   its receive window must be as they were when you return, on every
 *   path.  During the call the window is L4_NILPAGE, so that a reply can
 *   map nothing into the thread's space.
 * - On an error the thread is reported and ended with the registers in
 *   tf: its own %esi, %edi and %ecx must be there, not the IPC's words.
 * - ipc_set_mr, ipc_get_mr and ipc_call (kernel/ipc.h) are yours to use;
 *   current is the thread, and it has in_exception set.
 * The handout's "Hints" section has a recipe, if you want one.
 * Tested by: make grade LAB=4 (exc_resume, exc_divide, exc_traps,
 * exc_robust), and measured by exc.rtt.
 */
int exception_ipc(struct thread *handler, struct trapframe *tf)
{
    (void)handler, (void)tf;
    kprintf("LAB 4: exception_ipc not implemented (kernel/exception.c)\n");
    return -L4_ENOSYS;
}
