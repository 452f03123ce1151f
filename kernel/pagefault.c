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
 * 1. Save what the fault IPC will overwrite in the current thread, so that
 *    the thread finds everything as it was when it runs again: MR0 and MR1
 *    (its saved %esi and %edi: thread_tf), %ecx (where a received message's
 *    sender ID goes), MR2 (current->utcb->mr[2]), and its receive window
 *    (current->utcb->rcv_window).
 * 2. Write the fault message (l4/abi.h): MR0 = a tag with label
 *    L4_LABEL_PAGEFAULT | access, 2 untyped words and no typed ones; MR1 =
 *    addr; MR2 = the eip of the faulting instruction (in the trapframe).
 *    ipc_set_mr puts each word where the IPC path looks for it.
 * 3. Set the receive window to l4_pagefault_window(addr), so that the map
 *    item in the reply lands on the fault address.
 * 4. Call the pager: ipc_call(pager) (kernel/ipc_syscall.c) runs your Lab 1
 *    send and receive; the reply's map item goes through your Lab 2
 *    map_fpage.  If the call succeeded, check with pagefault_resolved()
 *    that the page now allows the access; if not, the error is -L4_EINVAL.
 * 5. Restore what you saved in step 1, whatever happened, and return 0 or
 *    the error.  (Returning 0 sends the thread back to user mode with the
 *    same eip: it runs the faulting instruction again.)
 * Tested by: make grade LAB=3 (every test).
 */
int pagefault_ipc(struct thread *pager, uint32_t addr, uint32_t access)
{
    (void)pager, (void)addr, (void)access;
    kprintf("LAB 3: pagefault_ipc not implemented (kernel/pagefault.c)\n");
    return -L4_ENOSYS;
}
