/*
 * libl4: the system calls as C functions for user programs.  Each is one
 * `int $L4_SYSCALL_VECTOR`, except IPC, which uses sysenter (l4_ipc); the
 * register conventions are in l4/abi.h.
 */
#ifndef L4_SYSCALLS_H
#define L4_SYSCALLS_H

#include <stdint.h>
#include "l4/abi.h"
#include "l4/types.h"

#define L4_STR(x) #x
#define L4_XSTR(x) L4_STR(x)

static inline int32_t l4_syscall4(uint32_t nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    int32_t ret;
    __asm__ volatile("int $" L4_XSTR(L4_SYSCALL_VECTOR)
                     : "=a"(ret)
                     : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
                     : "memory");
    return ret;
}

/* Prints len bytes of buf on the kernel console.  -L4_EFAULT if the
   buffer is not readable user memory. */
static inline int32_t l4_kdb_puts(const char *buf, uint32_t len)
{
    return l4_syscall4(SYS_KDB_PUTS, (uint32_t)buf, len, 0, 0);
}

/* Stops the machine with status (0..L4_EXIT_MAX).  For tests. */
static inline __attribute__((noreturn)) void l4_kdb_exit(uint32_t status)
{
    l4_syscall4(SYS_KDB_EXIT, status, 0, 0, 0);
    __builtin_unreachable();
}

/* Ends the calling thread. */
static inline __attribute__((noreturn)) void l4_thread_exit(int status)
{
    l4_syscall4(SYS_THREAD_EXIT, (uint32_t)status, 0, 0, 0);
    __builtin_unreachable();
}

/* Does nothing in the kernel: the cheapest possible round trip. */
static inline int32_t l4_null(void)
{
    return l4_syscall4(SYS_NULL, 0, 0, 0, 0);
}

/* The running thread's UTCB: the kernel bases %gs on it.  Not volatile:
   a thread's UTCB never moves, so the compiler may read it once for many
   uses (it has no inputs, and no memory operand it could see change). */
static inline struct l4_utcb *l4_utcb(void)
{
    uint32_t self;
    __asm__("movl %%gs:0, %0" : "=r"(self));
    return (struct l4_utcb *)self;
}

static inline l4_tid_t l4_myself(void)
{
    return l4_utcb()->tid;
}

/*
 * The IPC system call.  The message is in the UTCB's message registers:
 * MR0 (the tag) and MR1 go to the kernel in %esi and %edi and come back
 * the same way; the stub moves them between the UTCB and the registers.
 * Returns 0 or -error (L4_ERECV or-ed in for receive-phase errors); the
 * sender of a received message is stored in *sender if not NULL.
 *
 * l4_ipc enters the kernel with sysenter (Lab 6, docs/abi.md "The
 * sysenter entry"), l4_ipc_int with `int $0x30`; both do the same IPC.
 * sysexit returns to the %eip in %edx and the %esp in %ecx, so those two
 * carry no arguments here: from goes in %ebp and the sender comes back
 * there.  GCC keeps %ebp as the frame pointer, so the stub saves it itself.
 */
static inline int32_t l4_ipc(l4_tid_t to, l4_tid_t from, uint32_t timeouts, l4_tid_t *sender)
{
    struct l4_utcb *u = l4_utcb();
    int32_t ret;
    uint32_t mr0 = u->mr[0], mr1 = u->mr[1], src = from;
    __asm__ volatile("push %%ebp\n\t"
                     "mov %%ecx, %%ebp\n\t"
                     "mov %%esp, %%ecx\n\t"
                     "mov $1f, %%edx\n\t"
                     "sysenter\n"
                     "1:\tmov %%ebp, %%ecx\n\t"
                     "pop %%ebp"
                     : "=a"(ret), "+c"(src), "+S"(mr0), "+D"(mr1)
                     : "a"(timeouts), "b"(to)
                     : "edx", "memory");
    u->mr[0] = mr0;
    u->mr[1] = mr1;
    if (sender)
        *sender = src;
    return ret;
}

static inline int32_t l4_ipc_int(l4_tid_t to, l4_tid_t from, uint32_t timeouts, l4_tid_t *sender)
{
    struct l4_utcb *u = l4_utcb();
    int32_t ret;
    uint32_t mr0 = u->mr[0], mr1 = u->mr[1], src = from;
    __asm__ volatile("int $" L4_XSTR(L4_SYSCALL_VECTOR)
                     : "=a"(ret), "+c"(src), "+S"(mr0), "+D"(mr1)
                     : "a"(SYS_IPC), "b"(to), "d"(timeouts)
                     : "memory");
    u->mr[0] = mr0;
    u->mr[1] = mr1;
    if (sender)
        *sender = src;
    return ret;
}

static inline int32_t l4_send(l4_tid_t to, uint16_t timeout)
{
    return l4_ipc(to, L4_NILTHREAD, l4_timeouts(timeout, 0), 0);
}

static inline int32_t l4_receive(l4_tid_t from, uint16_t timeout, l4_tid_t *sender)
{
    return l4_ipc(L4_NILTHREAD, from, l4_timeouts(0, timeout), sender);
}

/* Send to `to` and wait for its reply, atomically. */
static inline int32_t l4_call(l4_tid_t to)
{
    return l4_ipc(to, to, l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), 0);
}

/* A server's loop step: reply to `client` (who must be waiting) and
   receive the next request from anyone. */
static inline int32_t l4_reply_wait(l4_tid_t client, l4_tid_t *sender)
{
    return l4_ipc(client, L4_ANYTHREAD, l4_timeouts(L4_TIMEOUT_ZERO, L4_TIMEOUT_NEVER), sender);
}

/* Message registers of the running thread. */
static inline void l4_set_mr(unsigned i, uint32_t v) { l4_utcb()->mr[i] = v; }
static inline uint32_t l4_mr(unsigned i) { return l4_utcb()->mr[i]; }

/* A new thread in the caller's address space (root tasks only): starts at
   entry with %esp = stack, with the given pager (Lab 3; L4_NILTHREAD: none,
   its faults are reported and stop it).  Returns its thread ID or -error
   (-L4_ENOPARTNER if pager is neither nil nor a live thread). */
static inline int32_t l4_thread_create_paged(void (*entry)(void), void *stack, l4_tid_t pager)
{
    return l4_syscall4(SYS_THREAD_CREATE, (uint32_t)entry, (uint32_t)stack, pager, L4_NILTHREAD);
}

/* The same with an exception handler too (Lab 4; L4_NILTHREAD: none, its
   exceptions are reported and stop it).  -L4_ENOPARTNER if handler is
   neither nil nor a live thread. */
static inline int32_t l4_thread_create_ex(void (*entry)(void), void *stack, l4_tid_t pager,
                                          l4_tid_t handler)
{
    return l4_syscall4(SYS_THREAD_CREATE, (uint32_t)entry, (uint32_t)stack, pager, handler);
}

/* The same, without a pager. */
static inline int32_t l4_thread_create(void (*entry)(void), void *stack)
{
    return l4_thread_create_paged(entry, stack, L4_NILTHREAD);
}

/* Revokes the rights `rights` of fpage (in the caller's space) from every
   mapping derived from its pages, recursively; with L4_UNMAP_SELF from
   the caller's own mappings too.  R (or RWX) unmaps; W alone makes them
   read-only.  Returns 0 or -L4_EINVAL for an invalid flexpage. */
static inline int32_t l4_unmap(l4_fpage_t fpage, uint32_t flags)
{
    return l4_syscall4(SYS_UNMAP, fpage, flags, 0, 0);
}

/*
 * A new task (root tasks only): an empty address space with one thread,
 * which waits to receive a message from the caller before it runs, with a
 * receive window of 0..2 GiB.  The caller's first message maps it the
 * memory it needs (code, data, a stack); then the thread starts at entry
 * with %esp = stack, %ecx = the caller's ID, %esi/%edi = MR0/MR1.
 * Returns the new thread's ID or -error.
 */
static inline int32_t l4_task_create(void (*entry)(void), void *stack)
{
    return l4_syscall4(SYS_TASK_CREATE, (uint32_t)entry, (uint32_t)stack, L4_NILTHREAD, 0);
}

/*
 * A new task whose thread has a pager (root tasks only, Lab 3): the thread
 * starts at once at entry with %esp = stack and %ecx = the caller's ID, in
 * an empty address space: its first instruction faults, and its pager
 * maps it what it touches.  Returns the new thread's ID or -error.
 */
static inline int32_t l4_task_create_paged(void (*entry)(void), void *stack, l4_tid_t pager)
{
    return l4_syscall4(SYS_TASK_CREATE, (uint32_t)entry, (uint32_t)stack, pager, L4_NILTHREAD);
}

/* The same with an exception handler for the new thread too (Lab 4; the
   Linux server of Lab 5 is both for its processes). */
static inline int32_t l4_task_create_ex(void (*entry)(void), void *stack, l4_tid_t pager,
                                        l4_tid_t handler)
{
    return l4_syscall4(SYS_TASK_CREATE, (uint32_t)entry, (uint32_t)stack, pager, handler);
}

/* Ends the task of thread: all its threads, its space (Lab 5). */
static inline int32_t l4_task_delete(l4_tid_t thread)
{
    return l4_syscall4(SYS_TASK_DELETE, thread, 0, 0, 0);
}

/* Makes handler the exception handler of thread (root tasks only, Lab 4;
   L4_NILTHREAD: none).  0, -L4_EPERM or -L4_ENOPARTNER, as l4_set_pager. */
static inline int32_t l4_set_handler(l4_tid_t thread, l4_tid_t handler)
{
    return l4_syscall4(SYS_SET_HANDLER, thread, handler, 0, 0);
}

/* Attaches the calling thread to interrupt line irq (attach = 1), or
   detaches it (0); root tasks only (Lab 4, l4/abi.h).  0, -L4_EPERM,
   -L4_EINVAL (no such line, or the timer or cascade), -L4_EBUSY (another
   thread has it). */
static inline int32_t l4_irq_control(uint32_t irq, uint32_t attach)
{
    return l4_syscall4(SYS_IRQ_CONTROL, irq, attach, 0, 0);
}

/* Sets thread's priority (0..L4_PRIO_MAX) and time slice in ticks (0:
   unchanged); root tasks only (Lab 4).  0, -L4_EPERM, -L4_EINVAL,
   -L4_ENOPARTNER. */
static inline int32_t l4_schedule(l4_tid_t thread, uint32_t priority, uint32_t slice)
{
    return l4_syscall4(SYS_SCHEDULE, thread, priority, slice, 0);
}

/* Lets the calling thread use I/O ports (in, out) and cli/sti: IOPL 3 in
   its eflags; root tasks only (Lab 4, user-level drivers).  0 or -L4_EPERM. */
static inline int32_t l4_io_access(void)
{
    return l4_syscall4(SYS_IO_ACCESS, 0, 0, 0, 0);
}

/* Makes pager the pager of thread (root tasks only; L4_NILTHREAD: none).
   0, -L4_EPERM, or -L4_ENOPARTNER if thread is not a live thread or pager
   is neither nil nor a live thread. */
static inline int32_t l4_set_pager(l4_tid_t thread, l4_tid_t pager)
{
    return l4_syscall4(SYS_SET_PAGER, thread, pager, 0, 0);
}

/* The first thread of boot module i (0 = the first module): the kernel
   starts the modules in order, as thread numbers 1, 2, ... version 1. */
static inline l4_tid_t l4_boot_tid(unsigned i)
{
    return l4_tid_make(i + 1, 1);
}

/* Timer ticks since boot (L4_TICK_HZ per second). */
static inline uint32_t l4_clock(void)
{
    return (uint32_t)l4_syscall4(SYS_CLOCK, 0, 0, 0, 0);
}

#endif
