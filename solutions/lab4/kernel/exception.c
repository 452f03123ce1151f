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
 * answer.  The Lab 4 handout explains it.  Reference solution of
 * exception_ipc(); its contract is in the student's kernel/exception.c.
 */
#include "kernel.h"
#include "exception.h"
#include "ipc.h"
#include "sched.h"
#include "l4/abi.h"

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
