/*
 * Stopping the machine.  Under QEMU the isa-debug-exit device (port 0xf4,
 * added by the Makefile and the grader) ends QEMU with exit status
 * (status << 1) | 1.  Without it (real hardware) the CPU halts for good.
 */
#include "arch/i386/arch.h"
#include "arch/i386/x86.h"

#define DEBUG_EXIT_PORT 0xf4

void arch_shutdown(unsigned status)
{
    cli();
    outl(DEBUG_EXIT_PORT, status);
    for (;;)
        hlt();
}
