/*
 * fault: does one bad thing, chosen by its argument, so that the tests can
 * check that the kernel reports it and keeps running.
 *   null      read address 0            kread   read kernel memory
 *   kwrite    write kernel memory       ud      invalid opcode
 *   div       divide by zero            priv    a privileged instruction (cli)
 *   int3      breakpoint                badptr  hand the kernel bad pointers
 *   badsys    call a system call that does not exist
 */
#include "ulib.h"

static int do_fault(const char *kind)
{
    if (strcmp(kind, "null") == 0)
        return *(volatile int *)0;
    if (strcmp(kind, "kread") == 0)
        return *(volatile int *)0xC0100000;
    if (strcmp(kind, "kwrite") == 0)
        *(volatile int *)0xC0100000 = 1;
    else if (strcmp(kind, "ud") == 0)
        __asm__ volatile("ud2");
    else if (strcmp(kind, "div") == 0)
        __asm__ volatile("xor %%ecx, %%ecx; div %%ecx" : : : "eax", "ecx", "edx");
    else if (strcmp(kind, "priv") == 0)
        __asm__ volatile("cli");
    else if (strcmp(kind, "int3") == 0)
        __asm__ volatile("int3");
    else if (strcmp(kind, "badptr") == 0) {
        /* Not a fault: the kernel must refuse these pointers with an error. */
        int r1 = l4_kdb_puts((const char *)0xC0100000, 16);
        int r2 = l4_kdb_puts((const char *)0, 16);
        int r3 = l4_kdb_puts((const char *)0xBFFFFFF0, 64);
        printf("fault badptr: kernel returned %d %d %d\n", r1, r2, r3);
        return r1 == -L4_EFAULT && r2 == -L4_EFAULT && r3 == -L4_EFAULT ? 0 : 1;
    } else if (strcmp(kind, "badsys") == 0) {
        int r1 = l4_syscall4(SYS_COUNT, 0, 0, 0, 0);
        int r2 = l4_syscall4(0xFFFFFFFFu, 0, 0, 0, 0);
        printf("fault badsys: kernel returned %d %d\n", r1, r2);
        return r1 == -L4_ENOSYS && r2 == -L4_ENOSYS ? 0 : 1;
    } else {
        printf("fault: unknown kind '%s'\n", kind);
        return 2;
    }
    printf("fault: '%s' did not fault!\n", kind);
    return 3;
}

int main(int argc, char **argv)
{
    const char *kind = argc > 1 ? argv[1] : "null";
    printf("fault: about to do '%s'\n", kind);
    return do_fault(kind);
}
