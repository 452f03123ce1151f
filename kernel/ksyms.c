/*
 * Kernel symbol lookup for backtraces.  The build links the kernel twice:
 * tools/mksyms turns the first link's function symbols into a sorted table
 * in section .ksyms, which the second link places after .text, so no
 * function moves between the two links (the Makefile checks this).
 */
#include "kernel.h"

struct ksym {
    uint32_t addr;
    const char *name;
};

extern const struct ksym __ksyms_start[], __ksyms_end[];

const char *ksym_lookup(uint32_t addr, uint32_t *offset)
{
    const struct ksym *lo = __ksyms_start, *hi = __ksyms_end;

    /* Binary search for the last symbol at or below addr. */
    while (hi - lo > 1) {
        const struct ksym *mid = lo + (hi - lo) / 2;
        if (mid->addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (lo == __ksyms_end || lo->addr > addr)
        return NULL;
    *offset = addr - lo->addr;
    return lo->name;
}
