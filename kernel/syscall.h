/* System-call dispatch (kernel/syscall.c); numbers in include/l4/abi.h. */
#ifndef SYSCALL_H
#define SYSCALL_H

#include "arch/i386/trapframe.h"

/* Runs the call named by tf->eax with the arguments in tf, and puts the
   result in tf->eax. */
void syscall(struct trapframe *tf);

#endif
