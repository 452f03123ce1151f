/*
 * The interrupt descriptor table.  Every vector gets an interrupt gate (the
 * CPU clears IF on entry, so the kernel runs with interrupts off).  Only
 * three vectors may be raised by user code with INT: the system call, and
 * the breakpoint and overflow traps, so that `int3` in a user program
 * reports a breakpoint rather than a protection fault.
 *
 * Gate format (SDM vol. 3, 6.11): offset 15..0 | selector | 0 |
 * P, DPL, 0b01110 (32-bit interrupt gate) | offset 31..16.
 */
#include <stdint.h>
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "arch/i386/x86.h"
#include "l4/abi.h"

extern const uint32_t trap_vectors[256];
static uint64_t idt[256];

#define GATE_INTR32   0xEu

static uint64_t gate(uint32_t handler, unsigned dpl)
{
    uint64_t g = handler & 0xFFFFu;
    g |= (uint64_t)KCODE_SEL << 16;
    g |= (uint64_t)(0x80u | (dpl << 5) | GATE_INTR32) << 40;
    g |= (uint64_t)(handler >> 16) << 48;
    return g;
}

void idt_init(void)
{
    for (int v = 0; v < 256; v++) {
        unsigned dpl = (v == L4_SYSCALL_VECTOR || v == T_BRKPT || v == T_OFLOW) ? 3 : 0;
        idt[v] = gate(trap_vectors[v], dpl);
    }
    struct dtr d = {sizeof idt - 1, (uint32_t)idt};
    lidt(&d);
}

static const char *const trap_names[] = {
    [T_DIVIDE] = "divide error",        [T_DEBUG] = "debug",
    [T_NMI] = "non-maskable interrupt", [T_BRKPT] = "breakpoint",
    [T_OFLOW] = "overflow",             [T_BOUND] = "bound range exceeded",
    [T_ILLOP] = "invalid opcode",       [T_DEVICE] = "device not available",
    [T_DBLFLT] = "double fault",        [T_TSS] = "invalid TSS",
    [T_SEGNP] = "segment not present",  [T_STACK] = "stack-segment fault",
    [T_GPFLT] = "general protection",   [T_PGFLT] = "page fault",
    [T_FPERR] = "x87 floating-point error", [T_ALIGN] = "alignment check",
    [T_MCHK] = "machine check",         [T_SIMDERR] = "SIMD floating-point error",
};

const char *arch_trap_name(uint32_t trapno)
{
    if (trapno < sizeof trap_names / sizeof trap_names[0] && trap_names[trapno])
        return trap_names[trapno];
    if (trapno >= T_IRQ0 && trapno < T_IRQ0 + 16)
        return "hardware interrupt";
    if (trapno == L4_SYSCALL_VECTOR)
        return "system call";
    if (trapno == L4_EXC_START)
        return "start (its exception handler gives its registers)";
    return "unknown trap";
}
