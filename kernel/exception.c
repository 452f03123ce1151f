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
 * answer.  exception_ipc() is yours; exception(), which calls it, is given
 * (kernel/excroute.c).  The Lab 4 handout explains it.
 */
#include "kernel.h"
#include "exception.h"
#include "ipc.h"
#include "sched.h"
#include "l4/abi.h"

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
 * EFLAGS_ARITH, exception.h); every other bit stays as the thread had it, since a
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
 * labs/lab4-irq-exc-sched/hints.md has a recipe, if you want one.
 * Tested by: make grade LAB=4 (exc_resume, exc_divide, exc_traps,
 * exc_robust), and measured by exc.rtt.
 */
int exception_ipc(struct thread *handler, struct trapframe *tf)
{
    (void)handler, (void)tf;
    kprintf("LAB 4: exception_ipc not implemented (kernel/exception.c)\n");
    return -L4_ENOSYS;
}
