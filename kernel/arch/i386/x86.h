/*
 * Small wrappers around i386 instructions that C cannot express.  Every
 * piece of inline assembly in the kernel lives here or in another header
 * under kernel/arch/i386/, one instruction per function.
 */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#include <stdint.h>

#define CR0_MP       0x00000002u    /* wait/fwait honours TS */
#define CR0_EM       0x00000004u    /* emulate the FPU: every FPU instruction #NM */
#define CR0_TS       0x00000008u    /* task switched: the next FPU instruction #NM */
#define CR0_NE       0x00000020u    /* x87 errors raise #MF, not IRQ 13 */
#define CR4_OSFXSR   0x00000200u    /* the OS saves SSE state with fxsave: SSE may run */
#define CR4_OSXMMEXCPT 0x00000400u  /* SIMD floating-point errors raise #XM, not #UD */
#define CPUID_FXSR   (1u << 24)     /* CPUID leaf 1, %edx */
#define CPUID_SSE    (1u << 25)

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }

/* Enables interrupts and halts until the next one, with no window between. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

static inline uint32_t rcr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t rcr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t rcr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t rcr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void lcr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void lcr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void lcr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

/* CR0.TS: clts lets FPU instructions run, and setting TS (cr0_set_ts)
   makes the next one raise #NM (kernel/fpu.c). */
static inline void clts(void) { __asm__ volatile("clts" ::: "memory"); }
static inline void cr0_set_ts(void) { lcr0(rcr0() | CR0_TS); }

/* The 512-byte x87/MMX/SSE state, to or from a 16-byte aligned area. */
static inline void fxsave(void *area) { __asm__ volatile("fxsave (%0)" : : "r"(area) : "memory"); }
static inline void fxrstor(const void *area)
{
    __asm__ volatile("fxrstor (%0)" : : "r"(area) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    __asm__ volatile("cpuid" : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx) : "a"(leaf), "c"(0));
}

static inline uint32_t read_ebp(void) { uint32_t v; __asm__ volatile("mov %%ebp, %0" : "=r"(v)); return v; }
static inline uint32_t read_esp(void) { uint32_t v; __asm__ volatile("mov %%esp, %0" : "=r"(v)); return v; }

static inline uint32_t read_eflags(void)
{
    uint32_t v;
    __asm__ volatile("pushfl; popl %0" : "=r"(v));
    return v;
}

static inline void invlpg(uint32_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Model-specific registers: the sysenter entry's three (gdt.c). */
#define MSR_SYSENTER_CS  0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" : : "r"(sel)); }
static inline void lldt(uint16_t sel) { __asm__ volatile("lldt %0" : : "r"(sel)); }

struct dtr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static inline void lgdt(const struct dtr *d) { __asm__ volatile("lgdt %0" : : "m"(*d)); }
static inline void lidt(const struct dtr *d) { __asm__ volatile("lidt %0" : : "m"(*d)); }

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define EFLAGS_IF    0x00000200u    /* interrupts enabled */
#define EFLAGS_IOPL  0x00003000u    /* I/O privilege level */

#endif
