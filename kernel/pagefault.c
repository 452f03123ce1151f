/*
 * Lab 3: page faults as IPC to the thread's pager.
 *
 * The kernel does not decide what memory a thread gets: when a thread with
 * a pager touches a page it cannot use, the kernel sends the pager a
 * message on the thread's behalf (what was touched, how, and where in the
 * code), waits for the reply, and lets the thread run the instruction again
 * once the reply has mapped the page.  The thread never knows: everything
 * the fault IPC overwrites in it is put back.  pagefault() is given;
 * pagefault_ipc() is yours.  labs/lab3-pagers/README.md explains it.
 */
#include "kernel.h"
#include "pagefault.h"
#include "ipc.h"
#include "sched.h"
#include "vm.h"
#include "lib/fmt.h"
#include "arch/i386/mmu.h"
#include "l4/abi.h"

int pagefault_resolved(struct space *s, uint32_t addr, uint32_t access)
{
    pte_t *pte = vm_pte(s, addr);
    uint32_t need = PTE_P | PTE_U | (access & L4_FPAGE_W ? PTE_W : 0);
    return pte && (*pte & need) == need;
}

/* Why the pager's answer did not help, in words, for the report. */
static const char *unresolved_why(int err)
{
    switch (-err & ~L4_ERECV) {
    case L4_EINVAL:    return "its reply mapped no page there that allows this access";
    case L4_ECANCELED:
    case L4_ENOPARTNER: return "it ended before it answered";
    case L4_ENOSYS:    return "pagefault_ipc() is not written yet (kernel/pagefault.c, Lab 3)";
    default:           return "the fault IPC failed";
    }
}

void pagefault(struct trapframe *tf, uint32_t addr)
{
    struct thread *self = current;
    uint32_t access = tf->err & PF_WRITE ? L4_FPAGE_W : L4_FPAGE_R;
    char note[128];

    /* Kernel memory is nobody's to give; a thread without a pager has
       nobody to ask. */
    if (addr >= L4_USER_TOP || self->pager == L4_NILTHREAD) {
        user_fault(tf, addr, NULL);
        return;
    }
    struct thread *pager = thread_lookup(self->pager);
    if (!pager || pager == self) {
        fmt_snprintf(note, sizeof note, "its pager, thread %u, did not resolve it: %s",
                     l4_tid_number(self->pager),
                     pager ? "the thread is its own pager and cannot answer itself"
                           : "no such thread (it has ended)");
        user_fault(tf, addr, note);
        return;
    }
    self->in_pagefault = 1;
    int err = pagefault_ipc(pager, addr, access);
    self->in_pagefault = 0;
    if (err == 0)
        return;         /* back to user mode at the same eip: the instruction runs again */
    fmt_snprintf(note, sizeof note, "its pager, thread %u, did not resolve it: %s (error %d)",
                 l4_tid_number(self->pager), unresolved_why(err), err);
    user_fault(tf, addr, note);
}

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
