/*
 * panic(): print what went wrong, the registers and a symbolised backtrace,
 * then stop QEMU with status L4_EXIT_PANIC (QEMU exit code 255), so that
 * neither a student nor the grader is left looking at a silent hang.
 */
#include "kernel.h"
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "arch/i386/x86.h"
#include "l4/abi.h"

static int panicking;

static void print_location(uint32_t addr)
{
    uint32_t off;
    const char *name = ksym_lookup(addr, &off);
    if (name)
        kprintf("%p  %s+0x%x\n", (void *)addr, name, off);
    else
        kprintf("%p  ?\n", (void *)addr);
}

/* Prints eip (if not 0), then follows the chain of saved %ebp values
   (the kernel is compiled with frame pointers). */
static void backtrace(uint32_t ebp, uint32_t eip)
{
    kprintf("backtrace (look the lines up with: addr2line -e <build>/kernel.elf ADDR):\n");
    if (eip) {
        kprintf("  ");
        print_location(eip);
    }
    for (int depth = 0; depth < 16; depth++) {
        if (ebp < KERNBASE || ebp >= KERNBASE + PHYS_MAP_LIMIT - 8 || ebp % 4)
            break;
        uint32_t ret = ((uint32_t *)ebp)[1];
        if (ret < KERNBASE)
            break;
        kprintf("  ");
        print_location(ret - 1);    /* inside the call instruction */
        ebp = ((uint32_t *)ebp)[0];
    }
}

static void enter_panic(void)
{
    cli();
    if (panicking++)                /* a panic while panicking: just stop */
        arch_shutdown(L4_EXIT_PANIC);
    kprintf("\n");
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    enter_panic();
    kprintf("kernel panic at %s:%d: ", file, line);
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    kprintf("  esp %p ebp %p eflags %p cr0 %p cr2 %p cr3 %p\n",
            (void *)read_esp(), (void *)read_ebp(), (void *)read_eflags(),
            (void *)rcr0(), (void *)rcr2(), (void *)rcr3());
    backtrace(read_ebp(), 0);
    arch_shutdown(L4_EXIT_PANIC);
}

void panic_trap(const struct trapframe *tf)
{
    enter_panic();
    kprintf("kernel panic: %s (vector %u, error code %p) in the kernel\n",
            arch_trap_name(tf->trapno), tf->trapno, (void *)tf->err);
    if (tf->trapno == T_PGFLT)
        kprintf("  the kernel touched %p: %s, %s\n", (void *)rcr2(),
                tf->err & PF_WRITE ? "write" : "read",
                tf->err & PF_PROT ? "protection violation" : "page not present");
    kprintf("  eip %p  eax %p ebx %p ecx %p edx %p\n  esi %p edi %p ebp %p eflags %p\n",
            (void *)tf->eip, (void *)tf->eax, (void *)tf->ebx, (void *)tf->ecx,
            (void *)tf->edx, (void *)tf->esi, (void *)tf->edi, (void *)tf->ebp,
            (void *)tf->eflags);
    backtrace(tf->ebp, tf->eip);
    arch_shutdown(L4_EXIT_PANIC);
}
