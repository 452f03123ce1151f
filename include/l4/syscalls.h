/*
 * libl4: the system calls as C functions for user programs.  Each is one
 * `int $L4_SYSCALL_VECTOR`; the register convention is in l4/abi.h.
 */
#ifndef L4_SYSCALLS_H
#define L4_SYSCALLS_H

#include <stdint.h>
#include "l4/abi.h"

#define L4_STR(x) #x
#define L4_XSTR(x) L4_STR(x)

static inline int32_t l4_syscall4(uint32_t nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    int32_t ret;
    __asm__ volatile("int $" L4_XSTR(L4_SYSCALL_VECTOR)
                     : "=a"(ret)
                     : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
                     : "memory");
    return ret;
}

/* Prints len bytes of buf on the kernel console.  -L4_EFAULT if the
   buffer is not readable user memory. */
static inline int32_t l4_kdb_puts(const char *buf, uint32_t len)
{
    return l4_syscall4(SYS_KDB_PUTS, (uint32_t)buf, len, 0, 0);
}

/* Stops the machine with status (0..L4_EXIT_MAX).  For tests. */
static inline __attribute__((noreturn)) void l4_kdb_exit(uint32_t status)
{
    l4_syscall4(SYS_KDB_EXIT, status, 0, 0, 0);
    __builtin_unreachable();
}

/* Ends the calling thread. */
static inline __attribute__((noreturn)) void l4_thread_exit(int status)
{
    l4_syscall4(SYS_THREAD_EXIT, (uint32_t)status, 0, 0, 0);
    __builtin_unreachable();
}

/* Does nothing in the kernel: the cheapest possible round trip. */
static inline int32_t l4_null(void)
{
    return l4_syscall4(SYS_NULL, 0, 0, 0, 0);
}

#endif
