/*
 * Page faults as IPC (Lab 3: the hole in kernel/pagefault.c, the given
 * part in kernel/pfroute.c).  The kernel has no memory policy: a thread's
 * page fault becomes a message to its pager, a user thread, whose reply
 * maps the missing page (l4/abi.h has the message format; docs/abi.md and
 * labs/lab3-pagers/README.md explain it).
 */
#ifndef PAGEFAULT_H
#define PAGEFAULT_H

#include <stdint.h>
#include "thread.h"
#include "vm.h"

/* --- given (kernel/pfroute.c) --- */

/* A page fault of the current thread at addr, from user mode: asks its
   pager, and restarts the thread or reports the fault and stops it. */
void pagefault(struct trapframe *tf, uint32_t addr);

/* Whether page addr of s now allows access (L4_FPAGE_R or L4_FPAGE_W), or
   the reply the current thread just received mapped it so, even if it
   was taken back since. */
int pagefault_resolved(struct space *s, uint32_t addr, uint32_t access);

/* kernel/trap.c: reports an exception of the current thread's user code
   (for a page fault, at addr), with an extra line `note` if not NULL, and
   ends the thread. */
void user_fault(struct trapframe *tf, uint32_t addr, const char *note);

/* --- Lab 3 --- */

/* The current thread's fault at addr (access L4_FPAGE_R or L4_FPAGE_W) as a
   call to its pager; 0 once the page allows the access, else an error.
   The thread's registers and message registers are as they were. */
int pagefault_ipc(struct thread *pager, uint32_t addr, uint32_t access);

#endif
