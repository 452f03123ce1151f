/*
 * The l4lab system-call ABI, defined once for the kernel and the user
 * library (libl4).  The grader's copy of the exit statuses is in
 * grader/qemu.py; keep the two in step.
 *
 * A system call is `int $L4_SYSCALL_VECTOR` with the call number in %eax and
 * up to four arguments in %ebx, %ecx, %edx, %esi.  The result comes back in
 * %eax: zero or a positive value on success, a negative L4_E* code on error.
 * Every other register is preserved.  docs/abi.md describes each call.
 *
 * The vector is not 0x80 on purpose: a Linux program's `int $0x80` must
 * raise a general-protection fault that the kernel turns into exception IPC
 * for the Linux server (Lab 5), so no user-callable gate may sit there.
 */
#ifndef L4_ABI_H
#define L4_ABI_H

#define L4_SYSCALL_VECTOR 0x30

/* System-call numbers (%eax). */
#define SYS_KDB_PUTS     0  /* (const char *buf, unsigned len) -> bytes written */
#define SYS_KDB_EXIT     1  /* (unsigned status): stop the machine; tests only */
#define SYS_THREAD_EXIT  2  /* (int status): end the calling thread */
#define SYS_NULL         3  /* (): do nothing and return 0 (Lab 0: trap cost) */
#define SYS_COUNT        4

/* Error codes, returned negated in %eax. */
#define L4_EFAULT   1   /* a pointer argument names memory the caller cannot read/write */
#define L4_EINVAL   2   /* an argument is out of range */
#define L4_ENOSYS   3   /* no system call has this number */
#define L4_ENOMEM   4   /* the kernel ran out of memory for this request */

/*
 * Machine exit statuses written to QEMU's isa-debug-exit port.  QEMU exits
 * with (status << 1) | 1, so a clean shutdown (0) gives 1, a kernel panic
 * gives 255, and a triple fault under -no-reboot gives 0.
 */
#define L4_EXIT_OK      0x00
#define L4_EXIT_MAX     0x7e    /* SYS_KDB_EXIT statuses are clipped to this */
#define L4_EXIT_PANIC   0x7f

/* User address-space layout shared by the kernel's loader and libl4. */
#define L4_USER_TOP          0xC0000000u   /* first address user code may not touch */
#define L4_USER_STACK_TOP    0xBFFF0000u   /* initial %esp; 64 KiB unmapped above it */
#define L4_USER_STACK_PAGES  8

#endif
