/* Thread-local storage segments (kernel/tls.c, Lab 5). */
#ifndef TLS_H
#define TLS_H

#include <stdint.h>
#include "arch/i386/trapframe.h"

struct thread;

/* Loads next's TLS segment into the GDT; the switch path calls it for
   every user thread it switches to. */
void tls_switch(struct thread *next);

/* SYS_THREAD_TLS(thread, base, limit, flags) -> the GDT index of the slot. */
int32_t sys_thread_tls(struct trapframe *tf);

#endif
