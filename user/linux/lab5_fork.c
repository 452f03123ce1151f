/*
 * Lab 5: fork.
 *
 * fork makes a second process that is a copy of the first: the same
 * memory, the same open files, and the same registers, except that fork
 * returns 0 in the child.  The server makes the copy without copying a
 * byte: both processes' tables name the same pages of the server's pool,
 * which count their users (page_ref), and both get them read-only; the
 * first write to a shared page, by either process, gives the writer a
 * copy of its own (copy-on-write: mem.c, mm_page_write, and the page
 * fault path in main.c do that part).  The child's thread starts "by its
 * handler" (l4/abi.h, L4_ENTRY_BY_HANDLER): its first act is an exception
 * message to the server, which main.c answers with the registers you keep
 * in the child's p->regs.  The handout explains why it is done this way.
 */
#include "linux.h"

/*
 * LAB 5: make child a copy-on-write copy of parent's memory.
 *
 * mm_init(child) first (its tables); then the same areas (vma, nvma; an
 * area that names a file holds it: fs_hold each, as mm_add does) and
 * heap (brk_start, brk); then for every page parent has (its tables:
 * parent->dir[i] names a table of 1024 slots; mm_slot finds or makes the
 * child's slot for an address), the child's slot names the same page and
 * the page has one more user (page_ref).  A shared page must be written
 * by neither process in place: take write access away from every mapping
 * made from it (l4_unmap of the page's flexpage with L4_FPAGE_W, flags 0:
 * the server's own mapping keeps it), except in a MAP_SHARED area
 * (VMA_SHARED), whose pages both processes write.  Return 0, or
 * -LX_ENOMEM with the child's memory freed (mm_destroy).
 * Tested by: make grade LAB=5 (fork, tls, forkpipe, ...), measured by lx.fork_wait.
 */
int mm_fork(struct mm *child, struct mm *parent)
{
    (void)child, (void)parent;
    printf("LAB 5: mm_fork not implemented (user/linux/lab5_fork.c)\n");
    return -LX_ENOSYS;
}

/*
 * LAB 5: fork process p, stopped in its fork call with registers r.
 * Return the child's pid, or -LX_EAGAIN when the process table is full
 * (proc_alloc gives NULL: a fork bomb stops here) or the kernel cannot
 * make a task, -LX_ENOMEM if the memory cannot be copied.
 *
 * The child (proc_alloc): a copy of p's memory (mm_fork), its open files
 * shared (fd_copy), its parent p, p's process group, session, working
 * directory, umask, program name, signal actions and mask.  Its registers: p's,
 * with eax = 0 and eip past the `int $0x80`, kept in the child's regs
 * with `starting` set for main.c.  Its task: l4_task_create_ex with entry
 * L4_ENTRY_BY_HANDLER, and the server (lx_self) as pager and handler.
 * If p has a TLS segment (p->tls_set: set_thread_area), the child gets the
 * same, and %gs holding its selector: SYS_THREAD_TLS with L4_TLS_SELECT.
 * Undo what you did on every error path (proc_free).
 * Tested by: make grade LAB=5 (fork, tls, forkbomb, ...), measured by lx.fork_wait.
 */
int32_t lx_fork(struct proc *p, struct regs *r)
{
    (void)p, (void)r;
    printf("LAB 5: lx_fork not implemented (user/linux/lab5_fork.c)\n");
    return -LX_ENOSYS;
}
