/*
 * Lab 3: page faults as IPC to the thread's pager.
 *
 * The kernel does not decide what memory a thread gets: when a thread with
 * a pager touches a page it cannot use, the kernel sends the pager a
 * message on the thread's behalf (what was touched, how, and where in the
 * code), waits for the reply, and lets the thread run the instruction again
 * once the reply has mapped the page.  The thread never knows: everything
 * the fault IPC overwrites in it is put back.  labs/lab3-pagers/README.md
 * explains it.  Reference solution of pagefault_ipc(); its contract is in
 * the student's kernel/pagefault.c.
 */
#include "kernel.h"
#include "pagefault.h"
#include "ipc.h"
#include "sched.h"
#include "l4/abi.h"

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
