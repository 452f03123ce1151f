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
 * Reference solution.  Nothing to do: success is 0 in %eax, and the other
 * registers are restored from the untouched trapframe by trap_return.
 */
int32_t sys_null(struct trapframe *tf)
{
    (void)tf;
    return 0;
}
