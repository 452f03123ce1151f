/*
 * The register state saved on every trap, in the order trapentry.asm pushes
 * it (lowest address first).  The CPU pushes the last five (esp and ss only
 * when the trap came from ring 3); the vector stub pushes trapno and err;
 * trap_common pushes the segment registers and then PUSHAD's eight.
 */
#ifndef ARCH_TRAPFRAME_H
#define ARCH_TRAPFRAME_H

#include <stddef.h>
#include <stdint.h>

struct trapframe {
    uint32_t edi, esi, ebp, esp_pushad, ebx, edx, ecx, eax;  /* PUSHAD */
    uint32_t gs, fs, es, ds;
    uint32_t trapno;
    uint32_t err;
    uint32_t eip, cs, eflags;       /* pushed by the CPU */
    uint32_t esp, ss;               /* pushed by the CPU from ring 3 only */
};

/* trapentry.asm relies on these offsets. */
_Static_assert(offsetof(struct trapframe, eax) == 28, "PUSHAD layout");
_Static_assert(offsetof(struct trapframe, gs) == 32, "segment registers");
_Static_assert(offsetof(struct trapframe, trapno) == 48, "vector number");
_Static_assert(offsetof(struct trapframe, eip) == 56, "CPU frame");
_Static_assert(sizeof(struct trapframe) == 76, "trapframe size");

static inline int tf_from_user(const struct trapframe *tf)
{
    return (tf->cs & 3) == 3;
}

#endif
