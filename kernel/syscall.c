/*
 * System-call dispatch.  Each handler receives the arguments from the
 * caller's registers (ebx, ecx, edx, esi) and returns the value for %eax:
 * >= 0 on success, -L4_E* on error.  Handlers validate every argument
 * before they change anything, and touch user memory only through
 * copy_from_user / copy_to_user.
 */
#include "kernel.h"
#include "syscall.h"
#include "sched.h"
#include "vm.h"
#include "ipc.h"
#include "irq.h"
#include "map.h"
#include "tls.h"
#include "arch/i386/arch.h"
#include "l4/abi.h"

typedef int32_t (*syscall_fn)(struct trapframe *tf);

/* SYS_KDB_PUTS(buf, len): prints len bytes of the caller's memory. */
static int32_t sys_kdb_puts(struct trapframe *tf)
{
    uint32_t ubuf = tf->ebx, len = tf->ecx;
    char chunk[128];

    if (len > 1u << 20)
        return -L4_EINVAL;
    for (uint32_t done = 0; done < len; ) {
        uint32_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        if (copy_from_user(current->space, chunk, ubuf + done, n) < 0)
            return -L4_EFAULT;
        console_write(chunk, n);
        done += n;
    }
    return (int32_t)len;
}

/* SYS_KDB_EXIT(status): ends the whole machine (a testing aid). */
static int32_t sys_kdb_exit(struct trapframe *tf)
{
    uint32_t status = tf->ebx > L4_EXIT_MAX ? L4_EXIT_MAX : tf->ebx;
    kprintf("l4lab: thread %u (%s) stopped the machine with status %u\n",
            thread_number(current), current->name, status);
    arch_shutdown(status);
}

/* Whether a pager (or exception handler) argument is usable: none (nil),
   or a live thread. */
static int pager_ok(l4_tid_t pager)
{
    return pager == L4_NILTHREAD || thread_lookup(pager) != NULL;
}

/* What creating a thread or a task asks of its caller and its arguments
   (entry in %ebx, stack in %ecx, pager in %edx, exception handler in
   %esi): 0 or the error to return. */
static int32_t check_create(const struct trapframe *tf)
{
    if (!current->space->privileged)
        return -L4_EPERM;
    if ((tf->ebx >= L4_USER_TOP && tf->ebx != L4_ENTRY_BY_HANDLER) || tf->ecx > L4_USER_TOP)
        return -L4_EINVAL;
    if (!pager_ok(tf->edx) || !pager_ok(tf->esi))
        return -L4_ENOPARTNER;
    return 0;
}

/* SYS_THREAD_CREATE(entry, stack, pager, handler): a new thread in the caller's space. */
static int32_t sys_thread_create(struct trapframe *tf)
{
    int32_t err = check_create(tf);
    if (err)
        return err;
    if (tf->ebx == L4_ENTRY_BY_HANDLER)
        return -L4_EINVAL;              /* only a new task's thread starts so */
    struct thread *t = thread_create_user(current->space, current->name, tf->ebx, tf->ecx);
    if (!t)
        return -L4_ENOMEM;
    t->pager = tf->edx;
    t->exc_handler = tf->esi;
    return (int32_t)t->tid;
}

/* SYS_TASK_CREATE(entry, stack, pager, handler): a new space.  Without a pager its
   thread first waits for the caller's message, which maps it its memory;
   with one it starts at once, and faults its memory in (l4/syscalls.h). */
static int32_t sys_task_create(struct trapframe *tf)
{
    int32_t err = check_create(tf);
    if (err)
        return err;
    int by_handler = tf->ebx == L4_ENTRY_BY_HANDLER;
    if (by_handler && tf->esi == L4_NILTHREAD)
        return -L4_EINVAL;              /* nobody could give it its registers */
    struct space *s = space_create();
    if (!s)
        return -L4_ENOMEM;
    l4_tid_t pager = tf->edx;
    struct thread *t = by_handler ? thread_create_by_handler(s, current->name)
        : pager != L4_NILTHREAD
        ? thread_create_user(s, current->name, tf->ebx, tf->ecx)
        : thread_create_waiting(s, current->name, tf->ebx, tf->ecx, current->tid,
                                l4_fpage(0, 31, L4_FPAGE_RWX));
    if (!t) {
        space_destroy(s);
        return -L4_ENOMEM;
    }
    t->pager = pager;
    t->exc_handler = tf->esi;
    if (pager != L4_NILTHREAD && !by_handler)
        thread_tf(t)->ecx = current->tid;       /* who made it, as after a first message */
    return (int32_t)t->tid;
}

/* SYS_TASK_DELETE(thread): ends thread's task (l4/abi.h has the rules). */
static int32_t sys_task_delete(struct trapframe *tf)
{
    struct thread *t = thread_lookup(tf->ebx);
    if (!t)
        return -L4_ENOPARTNER;
    if (current->tid != t->exc_handler && current->tid != t->pager)
        return -L4_EPERM;
    if (t->space == current->space || t->space->privileged)
        return -L4_EPERM;
    task_delete(t->space);
    return 0;
}

/* SYS_SET_PAGER(thread, pager): root tasks only. */
static int32_t sys_set_pager(struct trapframe *tf)
{
    if (!current->space->privileged)
        return -L4_EPERM;
    struct thread *t = thread_lookup(tf->ebx);
    if (!t || !pager_ok(tf->ecx))
        return -L4_ENOPARTNER;
    t->pager = tf->ecx;
    return 0;
}

/* SYS_SET_HANDLER(thread, handler): root tasks only (Lab 4). */
static int32_t sys_set_handler(struct trapframe *tf)
{
    if (!current->space->privileged)
        return -L4_EPERM;
    struct thread *t = thread_lookup(tf->ebx);
    if (!t || !pager_ok(tf->ecx))
        return -L4_ENOPARTNER;
    t->exc_handler = tf->ecx;
    return 0;
}

/* SYS_SCHEDULE(thread, priority, slice): root tasks only (Lab 4). */
static int32_t sys_schedule(struct trapframe *tf)
{
    if (!current->space->privileged)
        return -L4_EPERM;
    if (tf->ecx > L4_PRIO_MAX || tf->edx > SCHED_SLICE_MAX)
        return -L4_EINVAL;
    struct thread *t = thread_lookup(tf->ebx);
    if (!t)
        return -L4_ENOPARTNER;
    sched_set_params(t, tf->ecx, tf->edx);
    return 0;
}

/* SYS_CLOCK(): timer ticks since boot. */
static int32_t sys_clock(struct trapframe *tf)
{
    (void)tf;
    return (int32_t)ticks;
}

/* SYS_THREAD_EXIT(status): ends the calling thread. */
static int32_t sys_thread_exit(struct trapframe *tf)
{
    thread_exit(current, (int32_t)tf->ebx);
    return 0;
}

/* sys_ipc takes tf in a register (IPC_PATH, ipc.h): trap() and the
   sysenter entry call it directly; the table, read with FASTPATH=0,
   reaches it through this. */
static int32_t sys_ipc_by_table(struct trapframe *tf)
{
    return sys_ipc(tf);
}

static const syscall_fn syscalls[SYS_COUNT] = {
    [SYS_KDB_PUTS] = sys_kdb_puts,
    [SYS_KDB_EXIT] = sys_kdb_exit,
    [SYS_THREAD_EXIT] = sys_thread_exit,
    [SYS_TASK_DELETE] = sys_task_delete,
    [SYS_NULL] = sys_null,
    [SYS_IPC] = sys_ipc_by_table,
    [SYS_THREAD_CREATE] = sys_thread_create,
    [SYS_CLOCK] = sys_clock,
    [SYS_UNMAP] = sys_unmap,
    [SYS_TASK_CREATE] = sys_task_create,
    [SYS_SET_PAGER] = sys_set_pager,
    [SYS_IRQ_CONTROL] = sys_irq_control,
    [SYS_IO_ACCESS] = sys_io_access,
    [SYS_SET_HANDLER] = sys_set_handler,
    [SYS_SCHEDULE] = sys_schedule,
    [SYS_THREAD_TLS] = sys_thread_tls,
};

/* Every number below SYS_COUNT has its handler above (a new number
   comes with one), so that the range is the only check on the way. */
void syscall(struct trapframe *tf)
{
    uint32_t nr = tf->eax;
    if (nr >= SYS_COUNT)
        tf->eax = (uint32_t)-L4_ENOSYS;
    else
        tf->eax = (uint32_t)syscalls[nr](tf);
}
