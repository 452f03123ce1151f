/*
 * What the kernel needs from the i386 machine beyond plain C: the boot,
 * trap entry and exit and stack switch in assembly, the descriptor
 * tables, the interrupt controller, the timer, the serial port and the
 * way out of QEMU.  Those live in kernel/arch/i386/, behind this header.
 *
 * The rest of kernel/ is not portable, and does not pretend to be: this is
 * an i386 kernel, as xv6 is an x86 one.  It reads and writes trap frames
 * openly (struct trapframe: system-call arguments, MR0 and MR1 in the
 * saved %esi and %edi), and page-table entries with mmu.h's PTE bits.
 * Accessors that hid the one machine a teaching kernel runs on would only
 * hide from its reader the register or the bit being used.  What Lab 6's
 * sysenter entry changes is how registers arrive: the new entry must
 * still build a struct trapframe, and since sysenter needs two registers
 * for the user's %esp and %eip, sys_ipc's decoding of its arguments at
 * the top of kernel/ipc_syscall.c changes with it.  MR0 and MR1 stay in
 * %esi and %edi (ipc_get_mr / ipc_set_mr, beside it), so the IPC code
 * that moves messages does not change.
 */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <stdint.h>
#include "arch/i386/trapframe.h"
#include "arch/i386/mmu.h"

/* Interrupt vectors. */
#define T_DIVIDE      0
#define T_DEBUG       1
#define T_NMI         2
#define T_BRKPT       3
#define T_OFLOW       4
#define T_BOUND       5
#define T_ILLOP       6
#define T_DEVICE      7
#define T_DBLFLT      8
#define T_TSS        10
#define T_SEGNP      11
#define T_STACK      12
#define T_GPFLT      13
#define T_PGFLT      14
#define T_FPERR      16
#define T_ALIGN      17
#define T_MCHK       18
#define T_SIMDERR    19
#define T_IRQ0       32         /* the PIC's 16 lines are remapped to 32..47 */
#define IRQ_TIMER     0
#define IRQ_CASCADE   2         /* the slave PIC hangs on the master's line 2 */
#define IRQ_COM1      4

#define TIMER_HZ    100

void gdt_init(void);
void idt_init(void);
void pic_init(void);
void pic_eoi(int irq);
/* Whether an interrupt on line 7 or 15 is spurious (no line was really
   raised: the PIC's in-service bit is clear); sends the EOI the master
   still needs for a spurious one from the slave. */
int pic_spurious(int irq);
/* Stop and let through one line's interrupts (kernel/irq.c, Lab 4). */
void pic_mask(int irq);
void pic_unmask(int irq);
void pit_init(unsigned hz);

/* Points the user %gs segment at the UTCB of the thread about to run. */
void arch_set_utcb(uint32_t utcb);

/* The UTCB descriptor's two words for a UTCB at utcb (gdt.c), and, for
   the thread switch, the kernel stack the CPU switches to when a trap
   arrives from ring 3 (the TSS's esp0) and arch_set_utcb's work done
   inline: the GDT's UTCB slot written directly, the descriptor made
   beforehand. */
void arch_utcb_descriptor(uint32_t utcb, uint32_t d[2]);
struct tss {
    uint32_t link;
    uint32_t esp0, ss0;
    uint32_t unused[22];
    uint16_t trap, iomap_base;
} __attribute__((packed));
extern struct tss arch_tss;         /* gdt.c; sysenter.asm reads its esp0 */
extern uint64_t arch_gdt[];         /* gdt.c */
static inline void arch_load_kernel_stack(uint32_t esp0)
{
    arch_tss.esp0 = esp0;
}
static inline void arch_load_utcb(const uint32_t d[2])
{
    uint32_t *slot = (uint32_t *)&arch_gdt[SEG_UTCB];
    slot[0] = d[0];
    slot[1] = d[1];
}

/* The TLS segment's two descriptor words for base, limit in bytes or
   (pages) in 4 KiB units (gdt.c), made once when a thread's segment is
   set (kernel/tls.c); and the switch path's load of them into the GDT's
   TLS slot, two words written. */
void arch_tls_descriptor(uint32_t base, uint32_t limit, int pages, uint32_t d[2]);
extern uint32_t *const arch_tls_slot;
static inline void arch_load_tls(const uint32_t d[2])
{
    arch_tls_slot[0] = d[0];
    arch_tls_slot[1] = d[1];
}

/* Builds a trapframe that enters ring 3 at eip with stack esp. */
void arch_init_user_frame(struct trapframe *tf, uint32_t eip, uint32_t esp);

/* Saves the callee-saved registers and %esp, switches to new_esp. */
void arch_switch(uint32_t *save_esp, uint32_t new_esp);
/* The frame arch_switch pops: %edi, %esi, %ebx, %ebp, then the address it
   returns to.  A thread's first one (thread.c) and the one the sysenter
   stub leaves for the fast path (sched.c, fastpath_switch) lie right
   below its trapframe. */
#define SWITCH_FRAME_WORDS 5
void trap_return(void);
/* Where every trap lands (kernel/trap.c). */
void trap(struct trapframe *tf);

/* Whether a kernel-mode #DB is a user's TF=1 carried into the sysenter
   entry (sysenter.asm): sysenter does not clear TF, so sysenter itself
   traps, with %eip at the entry's first instruction and %esp on
   SYSENTER_ESP's stack, and so does each of the entry's instructions up
   to the popfd that clears TF.  Nothing is wrong then, and trap() returns:
   the entry saves TF with the user's eflags and returns through iret, so
   that the user's single step goes on in user mode. */
extern char sysenter_entry[], sysenter_entry_clean[];
static inline int arch_sysenter_stepped(const struct trapframe *tf)
{
    return tf->trapno == T_DEBUG && tf->eip >= (uint32_t)sysenter_entry &&
           tf->eip <= (uint32_t)sysenter_entry_clean;
}

/* A short name for an exception vector ("page fault"). */
const char *arch_trap_name(uint32_t trapno);

/* Stops the machine; under QEMU the exit status is (status << 1) | 1. */
__attribute__((noreturn)) void arch_shutdown(unsigned status);

/* COM1. */
void serial_init(void);
void serial_putc(char c);

#endif
