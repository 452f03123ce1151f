/*
 * Lab 3: page faults as IPC to the thread's pager.
 *
 * The kernel does not decide what memory a thread gets: when a thread with
 * a pager touches a page it cannot use, the kernel sends the pager a
 * message on the thread's behalf (what was touched, how, and where in the
 * code), waits for the reply, and lets the thread run the instruction again
 * once the reply has mapped the page.  The thread never knows: everything
 * the fault IPC overwrites in it is put back.  pagefault_ipc() is yours;
 * pagefault(), which calls it, is given (kernel/pfroute.c).
 * labs/lab3-pagers/README.md explains it.
 */
#include "kernel.h"
#include "pagefault.h"
#include "ipc.h"
#include "sched.h"
#include "l4/abi.h"

/*
 * LAB 3: the current thread's page fault at addr as a call to its pager.
 *
 * The contract: send pager the fault message of l4/abi.h on the current
 * thread's behalf (label L4_LABEL_PAGEFAULT | access, 2 untyped words: addr
 * and the eip of the faulting instruction), with the thread's receive
 * window opened to l4_pagefault_window(addr) so that the reply's map item
 * lands on the fault address, and wait for the reply (ipc_call, in
 * kernel/ipc_syscall.c, runs your Lab 1 send and receive; the item goes
 * through your Lab 2 map_fpage).  Return 0 only if the page now allows the
 * access (pagefault_resolved); a failed call returns its error, and a call
 * that left the page unusable returns -L4_EINVAL.  Returning 0 sends the
 * thread back to user mode at the same eip: it runs the instruction again.
 *
 * The invariant: the thread made no call, so it must find everything as it
 * was.  Whatever the fault IPC overwrites (MR0 and MR1, its saved %esi and
 * %edi; %ecx, where a received message's sender ID goes; MR2, in the UTCB;
 * the UTCB's receive window) is put back before returning, on every path.
 * You may assume pagefault() has checked the pager (a live thread, not
 * this one) and set current->in_pagefault.  Do not read %cr2 after the
 * call: other threads have faulted meanwhile.
 * Tested by: make grade LAB=3 (every test; fault_ipc checks the message
 * word by word, every access of every test checks the saved registers).
 */
int pagefault_ipc(struct thread *pager, uint32_t addr, uint32_t access)
{
    (void)pager, (void)addr, (void)access;
    kprintf("LAB 3: pagefault_ipc not implemented (kernel/pagefault.c)\n");
    return -L4_ENOSYS;
}
