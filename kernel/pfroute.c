/*
 * Page faults as IPC (Lab 3): the given half.  pagefault() is what trap.c
 * calls for a page fault in a thread's user code: it finds the thread's
 * pager, lets pagefault_ipc() (the hole, kernel/pagefault.c) make the
 * call, and reports and stops the thread if the pager did not resolve the
 * fault.  labs/lab3-pagers/README.md explains it.
 */
#include "kernel.h"
#include "pagefault.h"
#include "ipc.h"
#include "sched.h"
#include "vm.h"
#include "lib/fmt.h"
#include "arch/i386/mmu.h"
#include "l4/abi.h"

/* Whether the reply the current thread just received mapped a page at addr
   allowing access: the kernel wrote, over each item's flexpage, what
   landed (kernel/fpage.c), so a pager cannot fake it. */
static int reply_mapped(uint32_t addr, uint32_t access)
{
    l4_tag_t tag = ipc_get_mr(current, 0);
    uint32_t first = 1 + l4_tag_untyped(tag), end = first + l4_tag_typed(tag);
    for (uint32_t i = first; i + 1 < end && i + 1 < L4_MAX_MRS; i += 2) {
        l4_fpage_t landed = ipc_get_mr(current, i + 1);
        if (l4_fpage_valid(landed) && addr - l4_fpage_base(landed) < l4_fpage_size(landed) &&
            (l4_fpage_rights(landed) & access) == access)
            return 1;
    }
    return 0;
}

int pagefault_resolved(struct space *s, uint32_t addr, uint32_t access)
{
    pte_t *pte = vm_pte(s, addr);
    uint32_t need = PTE_P | PTE_U | (access & L4_FPAGE_W ? PTE_W : 0);
    if (pte && (*pte & need) == need)
        return 1;
    /* The reply mapped the page, but it is gone again: the pager (or
       another one above it) took it back before this thread ran.  That
       is no error of the pager's: the thread runs its instruction again,
       faults again, and asks again. */
    return s == current->space && reply_mapped(addr, access);
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
    struct thread *pager = thread_lookup_inline(self->pager);   /* every fault: inline */
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
