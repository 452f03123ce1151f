/*
 * Lab 0: the null system call.
 *
 * SYS_NULL does nothing, on purpose: the time a user program spends in
 * l4_null() is the bare cost of entering and leaving the kernel, the floor
 * under every IPC (labs/lab0-boot/README.md, "The cost of a trap").
 */
#include "kernel.h"
#include "syscall.h"
#include "l4/abi.h"

/*
 * LAB 0: make SYS_NULL work.
 *
 * syscall() (kernel/syscall.c) calls this for SYS_NULL with the caller's
 * saved registers in tf; whatever it returns is put in the caller's %eax.
 * The null system call must do nothing and report success.  Every other
 * register must come back to the caller unchanged (trap_return restores
 * them from tf, so leave tf alone).
 * Tested by: make grade LAB=0 (null_syscall, trap_rtt).
 */
int32_t sys_null(struct trapframe *tf)
{
    (void)tf;
    kprintf("LAB 0: sys_null not implemented (kernel/sysnull.c)\n");
    return -L4_ENOSYS;
}
