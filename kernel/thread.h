/*
 * Threads.  A thread's control block (TCB) and its kernel stack share one
 * 4 KiB frame, as in L4: the TCB at the bottom, the stack growing down from
 * the top.  While a user thread runs, the top of that stack holds its
 * trapframe, the user registers saved on the last trap (thread_tf).
 *
 *   frame + 4096 -> +-----------------------+
 *                   | struct trapframe      |  user registers
 *                   | kernel stack ...      |
 *                   |          v            |
 *                   | struct thread (TCB)   |  magic checked on every switch
 *   frame        -> +-----------------------+
 */
#ifndef THREAD_H
#define THREAD_H

#include <stdint.h>
#include "arch/i386/arch.h"

struct space;

enum thread_state {
    TS_NEW,         /* created, not yet started (and the idle thread) */
    TS_READY,       /* on the ready queue, or running (== current) */
    TS_DEAD,        /* ended; on the dead list until schedule() frees it */
};

#define THREAD_MAGIC 0x7EADB10Cu
#define THREAD_NAME_LEN 16

struct thread {
    uint32_t ksp;               /* saved kernel %esp while switched out (arch_switch) */
    enum thread_state state;    /* changed only by sched_set_state() */
    struct thread *next;        /* ready- or dead-list link, owned by sched.c */
    struct space *space;
    unsigned id;
    unsigned ticks_left;        /* of the current time slice */
    char name[THREAD_NAME_LEN];
    uint32_t magic;             /* THREAD_MAGIC; the kernel stack must not reach it */
};

#define KSTACK_SIZE 4096u

static inline struct trapframe *thread_tf(struct thread *t)
{
    return (struct trapframe *)((char *)t + KSTACK_SIZE) - 1;
}

/* Creates a ready user thread in space s that starts at eip with stack esp.
   Returns NULL if memory ran out. */
struct thread *thread_create_user(struct space *s, const char *name, uint32_t eip, uint32_t esp);

/* Creates the kernel's idle thread, which runs fn. */
struct thread *thread_create_kernel(const char *name, void (*fn)(void));

/* Ends t: takes it off the run queue; its memory goes when it is switched out. */
void thread_exit(struct thread *t, int status);

/* Frees a dead thread's frame.  Called by the scheduler, never on t's stack. */
void thread_free(struct thread *t);

#endif
