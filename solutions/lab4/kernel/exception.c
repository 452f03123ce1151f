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
 * answer.  The Lab 4 handout explains it.  Reference solution.
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

/* The current thread's registers in tf, as the exception message's words. */
static void exception_message(const struct trapframe *tf, uint32_t msg[1 + L4_EXC_WORDS])
{
    msg[0] = l4_tag_make(L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0);
    msg[L4_EXC_VECTOR] = tf->trapno;
    msg[L4_EXC_ERROR] = tf->err;
    msg[L4_EXC_EIP] = tf->eip;
    msg[L4_EXC_ESP] = tf->esp;
    msg[L4_EXC_EFLAGS] = tf->eflags;
    msg[L4_EXC_EAX] = tf->eax;
    msg[L4_EXC_EBX] = tf->ebx;
    msg[L4_EXC_ECX] = tf->ecx;
    msg[L4_EXC_EDX] = tf->edx;
    msg[L4_EXC_ESI] = tf->esi;
    msg[L4_EXC_EDI] = tf->edi;
    msg[L4_EXC_EBP] = tf->ebp;
}

/* Gives the thread the registers of a valid reply (its words in r). */
static void exception_resume(struct trapframe *tf, const uint32_t r[1 + L4_EXC_WORDS])
{
    tf->eip = r[L4_EXC_EIP];
    tf->esp = r[L4_EXC_ESP];
    tf->eflags = (tf->eflags & ~EFLAGS_ARITH) | (r[L4_EXC_EFLAGS] & EFLAGS_ARITH);
    tf->eax = r[L4_EXC_EAX];
    tf->ebx = r[L4_EXC_EBX];
    tf->ecx = r[L4_EXC_ECX];
    tf->edx = r[L4_EXC_EDX];
    tf->esi = r[L4_EXC_ESI];
    tf->edi = r[L4_EXC_EDI];
    tf->ebp = r[L4_EXC_EBP];
}

int exception_ipc(struct thread *handler, struct trapframe *tf)
{
    struct thread *self = current;
    uint32_t msg[1 + L4_EXC_WORDS], saved[1 + L4_EXC_WORDS], reply[1 + L4_EXC_WORDS];
    l4_fpage_t window = self->utcb->rcv_window;

    exception_message(tf, msg);
    for (unsigned i = 2; i <= L4_EXC_WORDS; i++)
        saved[i] = self->utcb->mr[i];
    for (unsigned i = 0; i <= L4_EXC_WORDS; i++)
        ipc_set_mr(self, i, msg[i]);
    self->utcb->rcv_window = L4_NILPAGE;

    int err = ipc_call(handler);
    if (!err) {
        for (unsigned i = 0; i <= L4_EXC_WORDS; i++)
            reply[i] = ipc_get_mr(self, i);
        if (reply[0] != l4_tag_make(0, L4_EXC_WORDS, 0))
            err = -L4_EINVAL;
    }
    if (!err) {
        exception_resume(tf, reply);
    } else {
        tf->esi = msg[L4_EXC_ESI];
        tf->edi = msg[L4_EXC_EDI];
        tf->ecx = msg[L4_EXC_ECX];
    }

    for (unsigned i = 2; i <= L4_EXC_WORDS; i++)
        self->utcb->mr[i] = saved[i];
    self->utcb->rcv_window = window;
    return err;
}
