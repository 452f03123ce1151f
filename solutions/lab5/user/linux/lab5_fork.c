/*
 * Lab 5: fork.  Reference solution of mm_fork() and lx_fork(); their
 * contracts are in the student's user/linux/lab5_fork.c.
 */
#include "linux.h"

int mm_fork(struct mm *child, struct mm *parent)
{
    int err = mm_init(child);
    if (err)
        return err;
    memcpy(child->vma, parent->vma, sizeof parent->vma);
    child->nvma = parent->nvma;
    for (unsigned i = 0; i < child->nvma; i++)
        fs_hold(child->vma[i].node);    /* the child's areas name the files too */
    child->brk_start = parent->brk_start;
    child->brk = parent->brk;
    for (unsigned i = 0; i < 1024; i++) {
        uint32_t *table = (uint32_t *)parent->dir[i];
        if (!table)
            continue;
        for (unsigned j = 0; j < 1024; j++) {
            if (!table[j])
                continue;
            uint32_t va = i << 22 | j << 12;
            uint32_t *slot = mm_slot(child, va, 1);
            if (!slot) {
                mm_destroy(child);
                return -LX_ENOMEM;
            }
            *slot = table[j];
            page_ref((void *)table[j]);
            /* Shared now: neither may write it in place (the server's own
               mapping, from which both derive, stays writable), unless
               the area is MAP_SHARED: then both write the same page. */
            struct vma *v = mm_find(parent, va);
            if (!v || !(v->prot & VMA_SHARED))
                l4_unmap(l4_fpage(table[j], 12, L4_FPAGE_W), 0);
        }
    }
    return 0;
}

int32_t lx_fork(struct proc *p, struct regs *r)
{
    struct proc *c = proc_alloc();
    if (!c)
        return -LX_EAGAIN;      /* the process table is full (a fork bomb stops here) */
    if (mm_fork(&c->mm, &p->mm) < 0) {
        c->state = P_FREE;
        return -LX_ENOMEM;
    }
    fd_copy(c, p);
    c->ppid = p->pid;
    c->pgid = p->pgid;
    c->sid = p->sid;
    memcpy(c->cwd, p->cwd, sizeof c->cwd);
    c->umask = p->umask;
    memcpy(c->exe, p->exe, sizeof c->exe);
    memcpy(c->sig_handler, p->sig_handler, sizeof c->sig_handler);
    c->sig_blocked = p->sig_blocked;
    c->regs = *r;
    c->regs.eax = 0;
    c->regs.eip += 2;
    c->starting = 1;
    int32_t tid = l4_task_create_ex((void (*)(void))L4_ENTRY_BY_HANDLER, 0, lx_self, lx_self);
    if (tid < 0) {
        proc_free(c);
        return -LX_EAGAIN;      /* the kernel's threads or spaces ran out */
    }
    c->tid = (l4_tid_t)tid;
    if (p->tls_set) {           /* its %gs holds the same TLS selector, at the same base */
        c->tls_set = 1;
        c->tls_base = p->tls_base;
        c->tls_limit = p->tls_limit;
        c->tls_flags = p->tls_flags;
        l4_syscall4(SYS_THREAD_TLS, c->tid, c->tls_base, c->tls_limit,
                    c->tls_flags | L4_TLS_SELECT);
    }
    return c->pid;
}
