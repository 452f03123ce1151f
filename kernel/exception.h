/*
 * CPU exceptions as IPC (Lab 4: the hole in kernel/exception.c, the given
 * part in kernel/excroute.c).  The kernel has no policy for a thread that
 * divides by zero or runs an instruction it may not: the exception becomes
 * a message to the thread's exception handler, a user thread, whose reply
 * gives the thread new registers and resumes it.  l4/abi.h has the message and the reply; docs/abi.md and the Lab 4
 * handout explain them.  Lab 5's Linux server is such a handler: a Linux
 * program's `int $0x80` reaches it this way.
 */
#ifndef EXCEPTION_H
#define EXCEPTION_H

#include "thread.h"
#include "sched.h"        /* IPC_PATH: arguments in registers */

/* --- given (kernel/excroute.c) --- */

/* A thread's in_exception (thread.h), nonzero while it waits for its
   handler's reply: ipc_max_words then refuses longer messages.  EXC_FAST
   is the same wait inside the exception fast path, as the reference
   (solutions/lab6/kernel/fastexc.c) waits: utcb names a stand-in on the
   thread's kernel stack, whose reserved[EXC_OWN_UTCB] holds the thread's
   own UTCB pointer, and a valid resume reply leaves the thread's C frames
   nothing to do but return.  So the reference's IPC fast path applies
   such a reply itself (what fastexc_resume, below, does), puts the own
   UTCB back, ends the exception and sends the thread straight back to
   user mode (trap_return) when it switches to it.  Your fast paths may
   ignore it: a reply delivered into the stand-in is right too. */
enum { EXC_NONE, EXC_WAITING, EXC_FAST };
enum { EXC_OWN_UTCB = 3 };      /* reserved[0..2]: the stand-in's kept registers */

/* The arithmetic flags of eflags (SDM vol. 1, 3.4.3): CF PF AF ZF SF DF OF,
   the only ones a handler's reply may change (l4/abi.h). */
#define EFLAGS_ARITH 0x00000CD5u

/* An exception of the current thread's user code other than a page fault:
   asks its exception handler, and resumes the thread as the reply says,
   or reports the exception and stops the thread.  Every Linux system call
   passes here and in fastexc_ipc (Lab 5): both take their arguments in
   registers (sched.h, IPC_PATH); exception_entry passes tf in %eax. */
IPC_PATH void exception(struct trapframe *tf);

/* --- Lab 4 --- */

/* The current thread's exception (its registers in tf) as a call to
   handler; 0 once a valid reply has set the registers in tf, else an
   error.  The thread's message registers are as they were either way. */
int exception_ipc(struct thread *handler, struct trapframe *tf);

/* --- Lab 6 (kernel/fastexc.c) --- */

/* exception_ipc's common case, the handler waiting for us: what
   exception_ipc would have returned, with tf and the thread's UTCB as it
   would leave them, or FASTPATH_NOT_TAKEN (ipc.h) having changed
   nothing.  It writes of tf only eip, esp, the arithmetic flags and the
   general registers: exception() guards the privileged state only
   around exception_ipc. */
IPC_PATH int fastexc_ipc(struct thread *handler, struct trapframe *tf);

/* A valid resume reply's registers (its words in mr, MR0 first) into tf,
   as exception_ipc takes them.  In kernel/fastpath.c, beside the IPC fast
   path, which may apply a resume itself (EXC_FAST above). */
IPC_PATH void fastexc_resume(struct trapframe *tf, const uint32_t *mr);

#endif
