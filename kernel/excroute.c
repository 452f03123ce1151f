/*
 * CPU exceptions as IPC (Lab 4): the given half.  exception() is what
 * exception_entry (arch/i386/trapentry.asm) calls for an exception of a
 * thread's user code other than a page fault: it finds the thread's
 * exception handler, lets Lab 6's fast path or exception_ipc() (the hole,
 * kernel/exception.c) make the call, guards the thread's privileged state
 * against exception_ipc's reply, and reports and stops the thread if the
 * handler did not resume it.  The Lab 4 handout explains it.
 */
#include "kernel.h"
#include "exception.h"
#include "pagefault.h"      /* user_fault(), the report (kernel/trap.c) */
#include "ipc.h"
#include "sched.h"
#include "lib/fmt.h"
#include "arch/i386/mmu.h"
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

/*
 * Whatever exception_ipc does to tf, the thread goes back to ring 3 with
 * the privileged part of its state as it was: its code and stack segments
 * (an iret to cs = KCODE_SEL would run its code in ring 0), its other
 * segment registers, and every eflags bit but the arithmetic ones (IOPL,
 * IF, VM, NT: a reply that set IOPL 3 or VM would hand the thread the
 * ports, the interrupts, or virtual-8086 mode).  exception_guarded saves
 * them before exception_ipc and puts them back after a reply, so that
 * this holds whatever exception_ipc does.
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
    /* %gs may have been switched to the TLS segment during the IPC
       (SYS_THREAD_TLS with L4_TLS_SELECT): either user selector is safe. */
    if (tf->gs != UTCB_SEL && tf->gs != TLS_SEL)
        tf->gs = p->gs;
    tf->eflags = (p->eflags & ~EFLAGS_ARITH) | (tf->eflags & EFLAGS_ARITH);
}

/* The thread has no handler that could answer (handler: what its
   exc_handler names, or NULL): it is reported and stopped. */
static void __attribute__((noinline)) no_handler(struct trapframe *tf, const struct thread *handler)
{
    struct thread *self = current;
    char note[160];

    /* Without a handler nobody can say what the exception means: the
       thread is stopped, as in every lab before this one. */
    if (self->exc_handler == L4_NILTHREAD) {
        user_fault(tf, 0, NULL);
        return;
    }
    fmt_snprintf(note, sizeof note, "its exception handler, thread %u, did not resume it: %s",
                 l4_tid_number(self->exc_handler),
                 handler ? "the thread is its own exception handler and cannot answer itself"
                         : "no such thread (it has ended)");
    user_fault(tf, 0, note);
}

/* The handler did not resume the thread (err says why): it is reported
   and stopped. */
static void __attribute__((noinline)) unresumed(struct trapframe *tf, int err)
{
    char note[160];
    fmt_snprintf(note, sizeof note, "its exception handler, thread %u, did not resume it: "
                 "%s (error %d)", l4_tid_number(current->exc_handler), unresumed_why(err), err);
    user_fault(tf, 0, note);
}

/* Lab 4's exception_ipc, with the thread's privileged state guarded
   (struct privileged): 0 once a valid reply has set tf, else an error.
   Out of line, so that the fast path's case does not pay for the frame. */
static int __attribute__((noinline)) exception_guarded(struct thread *handler,
                                                       struct trapframe *tf)
{
    struct privileged before;
    privileged_save(tf, &before);
    int err = exception_ipc(handler, tf);
    if (err == 0)
        privileged_restore(tf, &before);  /* back to user mode with the reply's registers */
    return err;
}

/*
 * Every Linux system call passes here (Lab 5), so the common case is kept
 * short: the reports are out of line, and the exception fast path (Lab 6,
 * kernel/fastexc.c) is tried before Lab 4's exception_ipc.
 *
 * Only exception_ipc's result goes through privileged_restore.  The fast
 * path writes, of tf, only eip, esp, the arithmetic flags and the general
 * registers (kernel/fastexc.c's contract), and while the thread waits
 * nothing else writes its privileged fields but SYS_THREAD_TLS, whose %gs
 * privileged_restore keeps: restoring them after it would change nothing.
 */
IPC_PATH void exception(struct trapframe *tf)
{
    struct thread *self = current;
    struct thread *handler = thread_lookup_inline(self->exc_handler);   /* NULL for nil */
    if (!handler || handler == self) {
        no_handler(tf, handler);
        return;
    }
    self->in_exception = EXC_WAITING;
    int err = FASTPATH ? fastexc_ipc(handler, tf) : FASTPATH_NOT_TAKEN;
    if (__builtin_expect(err != 0, 0) && err == FASTPATH_NOT_TAKEN)    /* 0: resumed */
        err = exception_guarded(handler, tf);
    self->in_exception = EXC_NONE;
    if (err)
        unresumed(tf, err);
}
