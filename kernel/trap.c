/*
 * Where every trap lands (from arch/i386/trapentry.asm): system calls,
 * hardware interrupts, and CPU exceptions.  A page fault in user mode goes
 * to the thread's pager (kernel/pagefault.c, Lab 3), #NM (the first FPU
 * instruction since a switch) to kernel/fpu.c, any other exception in
 * user mode to its exception handler (kernel/exception.c, Lab 4); one that
 * nobody resolves is the thread's fault and ends the thread with a report.
 * An exception in kernel mode is the kernel's bug and a panic.
 */
#include "kernel.h"
#include "irq.h"
#include "exception.h"
#include "fpu.h"
#include "ipc.h"
#include "pagefault.h"
#include "sched.h"
#include "syscall.h"
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "arch/i386/x86.h"
#include "l4/abi.h"

volatile uint32_t ticks;        /* timer interrupts since boot (sched.h) */

static void irq(struct trapframe *tf)
{
    int line = (int)tf->trapno - T_IRQ0;
    if ((line == 7 || line == 15) && pic_spurious(line))
        return;                 /* no device asked: the 8259 wants no EOI for it */
    pic_eoi(line);
    if (line == IRQ_TIMER) {
        ticks++;
        sched_tick();
    } else {
        irq_interrupt((unsigned)line);  /* a message to its handler (kernel/irq.c) */
    }
}

/* Explains a page fault's error code in words. */
static void describe_page_fault(const struct trapframe *tf, uint32_t addr)
{
    const char *what = addr >= L4_USER_TOP ? " (kernel memory: user code may not touch it)"
                     : addr < PAGE_SIZE ? " (NULL pointer?)" : "";
    kprintf("  %s at address %p%s: %s\n", tf->err & PF_WRITE ? "write" : "read",
            (void *)addr, what,
            tf->err & PF_PROT ? "the page is mapped, but not for this access"
                              : "no page is mapped there");
}

void user_fault(struct trapframe *tf, uint32_t addr, const char *note)
{
    kprintf("user fault: thread %u (%s): %s (vector %u) at eip %p\n",
            thread_number(current), current->name, arch_trap_name(tf->trapno), tf->trapno,
            (void *)tf->eip);
    if (tf->trapno == T_PGFLT)
        describe_page_fault(tf, addr);
    else if (tf->err)
        kprintf("  error code %p\n", (void *)tf->err);
    if (note)
        kprintf("  %s\n", note);
    kprintf("  eax %p ebx %p ecx %p edx %p esi %p edi %p ebp %p esp %p\n",
            (void *)tf->eax, (void *)tf->ebx, (void *)tf->ecx, (void *)tf->edx,
            (void *)tf->esi, (void *)tf->edi, (void *)tf->ebp, (void *)tf->esp);
    kprintf("  find the line: addr2line -e <build>/user/%s.elf %p\n",
            current->name, (void *)tf->eip);
    thread_exit(current, -1);
}

void trap(struct trapframe *tf)
{
    if (tf->trapno == L4_SYSCALL_VECTOR && tf_from_user(tf)) {
        if (FASTPATH && tf->eax == SYS_IPC)
            tf->eax = (uint32_t)sys_ipc(tf);    /* with a fast path, IPC skips the table */
        else
            syscall(tf);
    } else if (tf->trapno >= T_IRQ0 && tf->trapno < T_IRQ0 + 16)
        irq(tf);
    else if (tf->trapno == T_PGFLT && tf_from_user(tf))
        pagefault(tf, rcr2());
    else if (tf->trapno == T_DEVICE && tf_from_user(tf))
        fpu_trap(tf);           /* its first FPU instruction since a switch */
    else if (tf_from_user(tf))
        exception(tf);
    else if (!arch_sysenter_stepped(tf))    /* (arch.h: a user's TF, not a bug) */
        panic_trap(tf);

    /* The one point where a decision this trap made about the current
       thread is carried out (sched.h, "Switching threads"): it has ended,
       a thread this trap made ready outranks it (Lab 4), or its turn is
       over.  (A thread that blocks waits inside its system call, in
       sched_block.)  An ended thread's frame is abandoned for good. */
    if (tf_from_user(tf) && sched_action != SCHED_RUN_ON)
        schedule();
}

/* A user's CPU exception other than #NM and #PF reaches exception() from
   exception_entry (arch/i386/trapentry.asm) without passing through
   trap(), which calls exception() only for the rest: a thread started by
   its handler, whose first switch enters trap() with vector L4_EXC_START
   (kernel/thread.c).  exception_entry then does the end of trap() itself,
   and compares sched_action with 0. */
_Static_assert(SCHED_RUN_ON == 0, "trapentry.asm's exception_entry tests sched_action against 0");
