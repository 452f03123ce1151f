/*
 * Lab 3: page faults as IPC to the thread's pager.
 *
 * The kernel does not decide what memory a thread gets: when a thread with
 * a pager touches a page it cannot use, the kernel sends the pager a
 * message on the thread's behalf (what was touched, how, and where in the
 * code), waits for the reply, and lets the thread run the instruction again
 * once the reply has mapped the page.  The thread never knows: everything
 * the fault IPC overwrites in it is put back.  labs/lab3-pagers/README.md
 * explains it.  Reference solution.
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

int pagefault_ipc(struct thread *pager, uint32_t addr, uint32_t access)
{
    struct thread *self = current;
    struct trapframe *tf = thread_tf(self);
    uint32_t esi = tf->esi, edi = tf->edi, ecx = tf->ecx;
    uint32_t mr2 = self->utcb->mr[2];
    l4_fpage_t window = self->utcb->rcv_window;

    ipc_set_mr(self, 0, l4_tag_make(L4_LABEL_PAGEFAULT | access, 2, 0));
    ipc_set_mr(self, 1, addr);
    ipc_set_mr(self, 2, tf->eip);
    self->utcb->rcv_window = l4_pagefault_window(addr);

    int err = ipc_call(pager);
    if (!err && !pagefault_resolved(self->space, addr, access))
        err = -L4_EINVAL;

    tf->esi = esi;
    tf->edi = edi;
    tf->ecx = ecx;
    self->utcb->mr[2] = mr2;
    self->utcb->rcv_window = window;
    return err;
}
