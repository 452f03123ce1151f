/*
 * The GDT and the TSS.  l4lab uses flat segments (base 0, limit 4 GiB) for
 * kernel and user; protection comes from paging.  The TSS is used for one
 * thing only: esp0, the kernel stack the CPU loads on a trap from ring 3.
 * One more user segment, loaded into %gs, is based at the running thread's
 * UTCB, so that user code finds its UTCB at %gs:0 without a system call.
 *
 * Descriptor format (SDM vol. 3, 3.4.5): limit 15..0 | base 23..0 |
 * access byte (P, DPL, S, type) | flags (G, D/B) + limit 19..16 | base 31..24.
 *
 * What user code can reach.  A ring-3 thread can name a descriptor in three
 * ways: by loading a selector into a segment register, by a far call or jump
 * (through a call gate, too), and by iret.  The tables are built so that
 * none of them leads to ring 0:
 *  - The GDT holds exactly four descriptors of DPL 3, all code or data
 *    (S = 1): flat code, flat data, the UTCB data segment and the TLS data
 *    segment (kernel/tls.c).  There are no
 *    call, task or trap gates in it, and the only system descriptor, the
 *    TSS, has DPL 0 (ring 3 cannot load or jump to it).  A user selector
 *    may be loaded into %ds/%es/%fs/%gs (and the two data ones into %ss);
 *    every other value faults in user mode (#GP), before the kernel sees it.
 *  - The LDT is empty: gdt_init loads the null selector into LDTR.  Its reset
 *    value is base 0, limit 0xFFFF, a table in user memory: a thread with a
 *    page below 64 KiB could write a call gate to the kernel code segment
 *    there and far-call into ring 0.  With LDTR null every selector with
 *    TI = 1 faults.  Nothing ever loads LDTR again (lldt is privileged).
 *  - Every selector a user thread may hold stays valid for as long as the
 *    thread lives (the GDT never shrinks; the UTCB descriptor is only
 *    rebased), so the pops of trap_return cannot fault.  A thread that holds
 *    UTCB_SEL in %fs, %gs or %ss gets the UTCB of whichever thread runs,
 *    which is always itself: switch_to rebases the descriptor first.  The
 *    same holds for TLS_SEL, whose descriptor is always present, writable
 *    data of DPL 3: only its base, limit and granularity vary by thread.
 *  - The TSS has no I/O permission bitmap (iomap_base lies beyond its
 *    limit), so a thread without IOPL 3 (SYS_IO_ACCESS) faults on every port.
 *  - The kernel irets to ring 3 only with cs = UCODE_SEL and ss = a user
 *    selector: arch_init_user_frame builds them, the CPU saved them, and the
 *    exception reply cannot change them (kernel/exception.c, privileged_restore).
 */
#include <stddef.h>
#include <stdint.h>
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "arch/i386/x86.h"
#include "l4/abi.h"
#include "kernel.h"

_Static_assert(sizeof(struct tss) == 104, "TSS size");

/* Global for sysenter.asm, which loads esp0 from it (sysenter does not). */
struct tss arch_tss;
uint64_t arch_gdt[SEG_COUNT];   /* global for arch_load_utcb (arch.h) */
#define gdt arch_gdt
static uint32_t utcb_high_bits;     /* the UTCB descriptor's high word without its base */

#define ACC_PRESENT  0x80u
#define ACC_DPL(d)   ((uint32_t)(d) << 5)
#define ACC_CODEDATA 0x10u      /* S bit: code or data, not a system segment */
#define ACC_CODE     0x0Au      /* execute/read */
#define ACC_DATA     0x02u      /* read/write */
#define ACC_TSS32    0x09u      /* available 32-bit TSS */
#define FLAGS_4K32   0xCu       /* 4 KiB granularity, 32-bit */

static uint64_t descriptor(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
    uint64_t d = limit & 0xFFFFu;
    d |= (uint64_t)(base & 0xFFFFFFu) << 16;
    d |= (uint64_t)(access & 0xFFu) << 40;
    d |= (uint64_t)((limit >> 16) & 0xFu) << 48;
    d |= (uint64_t)(flags & 0xFu) << 52;
    d |= (uint64_t)((base >> 24) & 0xFFu) << 56;
    return d;
}

/* The UTCB segment: L4_UTCB_SIZE bytes of DPL-3 data at utcb. */
static uint64_t utcb_descriptor(uint32_t utcb)
{
    return descriptor(utcb, L4_UTCB_SIZE - 1,
                      ACC_PRESENT | ACC_CODEDATA | ACC_DATA | ACC_DPL(3), 0x4);
}

/* Loads the new GDT and reloads every segment register from it. */
static void load_segments(void)
{
    struct dtr d = {sizeof gdt - 1, (uint32_t)gdt};
    lgdt(&d);
    __asm__ volatile(
        "mov %0, %%ds\n\tmov %0, %%es\n\tmov %0, %%ss\n\t"
        "xor %%eax, %%eax\n\tmov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
        "ljmp %1, $1f\n1:"
        : : "r"((uint32_t)KDATA_SEL), "i"(KCODE_SEL) : "eax", "memory");
}

/*
 * The sysenter entry (sysenter.asm).  sysenter loads %cs from
 * IA32_SYSENTER_CS and %ss from the next descriptor; sysexit loads the
 * user %cs and %ss from the two after those, with RPL 3.  That is why
 * SEG_KCODE, SEG_KDATA, SEG_UCODE and SEG_UDATA follow each other in the
 * GDT.  SYSENTER_ESP is a small stack of the entry's own: the entry
 * switches to the thread's kernel stack (esp0) at once, since the MSR
 * cannot follow the running thread without a wrmsr on every switch.
 */
extern char sysenter_entry[], sysenter_stack_top[];
_Static_assert(SEG_KDATA == SEG_KCODE + 1 && SEG_UCODE == SEG_KCODE + 2 &&
               SEG_UDATA == SEG_KCODE + 3, "sysenter and sysexit's segment order");

static void sysenter_init(void)
{
    wrmsr(MSR_SYSENTER_CS, KCODE_SEL);
    wrmsr(MSR_SYSENTER_ESP, (uint32_t)sysenter_stack_top);
    wrmsr(MSR_SYSENTER_EIP, (uint32_t)sysenter_entry);
}

void gdt_init(void)
{
    gdt[SEG_KCODE] = descriptor(0, 0xFFFFF, ACC_PRESENT | ACC_CODEDATA | ACC_CODE | ACC_DPL(0), FLAGS_4K32);
    gdt[SEG_KDATA] = descriptor(0, 0xFFFFF, ACC_PRESENT | ACC_CODEDATA | ACC_DATA | ACC_DPL(0), FLAGS_4K32);
    gdt[SEG_UCODE] = descriptor(0, 0xFFFFF, ACC_PRESENT | ACC_CODEDATA | ACC_CODE | ACC_DPL(3), FLAGS_4K32);
    gdt[SEG_UDATA] = descriptor(0, 0xFFFFF, ACC_PRESENT | ACC_CODEDATA | ACC_DATA | ACC_DPL(3), FLAGS_4K32);
    gdt[SEG_TSS] = descriptor((uint32_t)&arch_tss, sizeof arch_tss - 1, ACC_PRESENT | ACC_TSS32, 0);
    utcb_high_bits = (uint32_t)(utcb_descriptor(0) >> 32);
    arch_set_utcb(0xA5C3E100u);
    if (gdt[SEG_UTCB] != utcb_descriptor(0xA5C3E100u))
        panic("arch_set_utcb and utcb_descriptor disagree (kernel/arch/i386/gdt.c)");
    arch_set_utcb(0);
    uint32_t tls_default[2];
    arch_tls_descriptor(0, 0, 0, tls_default);
    arch_load_tls(tls_default);

    arch_tss.ss0 = KDATA_SEL;
    arch_tss.iomap_base = sizeof arch_tss;    /* no I/O bitmap: ring 3 has no port access */
    load_segments();
    ltr(TSS_SEL);
    lldt(0);                        /* no LDT: see the top of this file */
    sysenter_init();
}

/*
 * Rebases the UTCB segment.  The CPU reads a descriptor when a selector is
 * loaded, so the new base takes effect when trap_return pops %gs.  This
 * runs on every thread switch, so it writes only what depends on the base
 * into the descriptor utcb_descriptor() builds (gdt_init checks that the
 * two agree): base 15..0 beside the limit, base 23..16 and 31..24 around
 * the constant access byte and flags.
 */
static inline void utcb_words(uint32_t utcb, uint32_t d[2])
{
    d[0] = utcb << 16 | (L4_UTCB_SIZE - 1);
    d[1] = (utcb & 0xFF000000u) | (utcb >> 16 & 0xFFu) | utcb_high_bits;
}

void arch_set_utcb(uint32_t utcb)
{
    utcb_words(utcb, (uint32_t *)&gdt[SEG_UTCB]);
}

/* The same two words, made once per thread, which the IPC fast path
   copies into the GDT (arch_load_utcb) instead of computing them. */
void arch_utcb_descriptor(uint32_t utcb, uint32_t d[2])
{
    utcb_words(utcb, d);
}

_Static_assert(SEG_UTCB == 6, "arch_load_utcb (arch.h) names the UTCB slot 6");

/*
 * The descriptor of a TLS segment (SEG_TLS): writable data of DPL 3 at
 * base, with limit in bytes or, with pages, in 4 KiB units.  Whatever the
 * arguments, the descriptor stays present user data, so a selector loaded
 * with it can always be popped again; paging still keeps the kernel's
 * half out of reach, whatever the limit.  Made when the segment is set,
 * not on every switch: building it takes 64-bit shifts (about 110
 * instructions), copying it takes two stores (arch_load_tls).
 */
void arch_tls_descriptor(uint32_t base, uint32_t limit, int pages, uint32_t d[2])
{
    uint64_t x = descriptor(base, limit & 0xFFFFFu,
                            ACC_PRESENT | ACC_CODEDATA | ACC_DATA | ACC_DPL(3),
                            pages ? FLAGS_4K32 : 0x4u);
    d[0] = (uint32_t)x;
    d[1] = (uint32_t)(x >> 32);
}

uint32_t *const arch_tls_slot = (uint32_t *)&gdt[SEG_TLS];

void arch_init_user_frame(struct trapframe *tf, uint32_t eip, uint32_t esp)
{
    *tf = (struct trapframe){0};
    tf->cs = UCODE_SEL;
    tf->ds = tf->es = tf->ss = UDATA_SEL;
    tf->gs = UTCB_SEL;
    tf->eip = eip;
    tf->esp = esp;
    tf->eflags = EFLAGS_IF;         /* user code always runs with interrupts on */
}
