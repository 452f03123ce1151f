/* System-call dispatch (kernel/syscall.c); numbers in include/l4/abi.h. */
#ifndef SYSCALL_H
#define SYSCALL_H

#include <stdint.h>
#include "arch/i386/trapframe.h"

/* Runs the call named by tf->eax with the arguments in tf, and puts the
   result in tf->eax. */
void syscall(struct trapframe *tf);

/* SYS_NULL: does nothing; its cost is the cost of a trap (kernel/sysnull.c, Lab 0). */
int32_t sys_null(struct trapframe *tf);

#endif
