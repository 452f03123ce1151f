/*
 * Lab 5: the system-call entry.
 *
 * A Linux program's `int $0x80` is a general-protection fault under our
 * kernel (the gate of vector 0x80 is closed to user code), which the
 * kernel sends to the process's exception handler, the server, as an
 * exception message with every register (Lab 4).  main.c turns the
 * message into a struct regs and calls lx_exception(); the registers you
 * leave in *r are the resume reply.  The handout (labs/lab5-linux/) tells
 * the story; docs/linux.md, "A system call", has the details.
 */
#include "linux.h"

/*
 * LAB 5: what the server does for process p, stopped in an exception with
 * the registers in *r.  Return 1 to resume it with *r, 0 for no reply.
 *
 * - An exception that is not `int $0x80` (any vector but 13, or vector 13
 *   with an error code other than 0x80 << 3 | 2) ends p with the signal
 *   Linux would send (lx_exception_signal, lx_end): no reply.
 * - Otherwise it is a Linux system call, number in eax, arguments in ebx,
 *   ecx, edx, esi, edi, ebp: run it with lx_dispatch (set p->io_done to 0
 *   first: a new call has moved no bytes yet).  Its result is
 *     LX_NOREPLY, or p no longer running, or p->tid changed (execve gave
 *       it a new thread): nobody to answer;
 *     LX_BLOCK: p must wait: no reply now.  Keep the call for later
 *       (p->waiting, p->regs): main.c runs it again when something
 *       happened (lx_retry) and answers then;
 *     anything else: the value for eax, and p resumes after the
 *       instruction (`int $0x80` is two bytes).
 * Tested by: make grade LAB=5 (every test), and measured by lx.getpid.
 * labs/lab5-linux/hints.md has a recipe, if you want one.
 */
int lx_exception(struct proc *p, struct regs *r)
{
    (void)r;
    printf("LAB 5: lx_exception not implemented (user/linux/lab5_entry.c)\n");
    lx_end(p, 31);      /* SIGSYS: the process cannot make a system call */
    return 0;
}
