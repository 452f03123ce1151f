/*
 * A user-level pager (Lab 3): a server thread that is the pager of the
 * tasks it spawns, gives them demand-zero memory and copy-on-write copies
 * of their regions, and gets its frames from sigma0 (l4/sigma0.h).  It is
 * a library: a program links it (user/Makefrag: PAGER_PROGS), starts the
 * server thread with pager_start(), and talks to it with the requests
 * below, from any thread.  Labs/lab3-pagers/README.md explains the design.
 *
 * The tasks it spawns run the program's own code: their image (text,
 * read-only data, data, bss: the program's link range) is a region whose
 * read-only pages are the pager's own pages, mapped read-only, and whose
 * writable pages are private copies of the pager's pages, made when the
 * task first touches them.  Their stack is a demand-zero region below
 * PAGER_STACK_TOP.  The pager keeps, for each task, a list of regions;
 * a fault outside every region, or an access a region does not allow, is
 * refused (the kernel reports it and stops the thread).
 *
 * Requests: MR0's label; the words in brackets are MR1..; the reply has
 * label 0 and MR1 = the result, >= 0, or -error (L4_E* of l4/abi.h).
 */
#ifndef PAGER_H
#define PAGER_H

#include "ulib.h"

#define PG_SPAWN   0x5001u  /* [entry, arg] -> the new task's thread ID: it runs
                               entry(arg) on a fresh stack, in a task of its own */
#define PG_REGION  0x5002u  /* [tid, start, size, rights] -> 0: a demand-zero region
                               [start, start + size) (page-aligned) in tid's task,
                               rights L4_FPAGE_R or L4_FPAGE_R | L4_FPAGE_W */
#define PG_COPY    0x5003u  /* [src tid, start, size, dst tid] -> pages shared: dst's
                               task gets a copy-on-write copy of src's region that is
                               exactly [start, start + size), at the same addresses */
#define PG_STATS   0x5004u  /* [tid, addr] -> 0, and MR2.. the struct pager_stats of
                               the region of tid's task that holds addr */
#define PG_FLUSH   0x5005u  /* [tid, start, size] -> pages unmapped: takes the pages of
                               that range from the task, keeping their contents (the
                               next touch faults again: for benchmarks) */

/* Where a spawned task's stack ends, and its size (a demand-zero region). */
#define PAGER_STACK_TOP   0xB0000000u
#define PAGER_STACK_SIZE  0x10000u

/* What the pager did for one region (PG_STATS). */
struct pager_stats {
    uint32_t faults;        /* fault messages for addresses in this region */
    uint32_t zero_fills;    /* pages given a fresh zeroed frame (demand zero) */
    uint32_t copies;        /* pages copied on a write to a shared page (copy on write) */
    uint32_t refused;       /* faults refused (an access the region does not allow) */
    uint32_t shared;        /* pages of the region whose frame another task also uses */
};
#define PAGER_STATS_WORDS (sizeof(struct pager_stats) / 4)

/* Starts the pager server in a new thread of the calling root task, with
   frames from sigma0, on the given stack.  Returns its thread ID or -error. */
int32_t pager_start(l4_tid_t sigma0, void *stack, size_t stack_size);

/* The requests above as calls to the pager thread `pager`. */
int32_t pager_spawn(l4_tid_t pager, void (*entry)(uint32_t arg), uint32_t arg);
int32_t pager_region(l4_tid_t pager, l4_tid_t task, uint32_t start, uint32_t size,
                     uint32_t rights);
int32_t pager_copy(l4_tid_t pager, l4_tid_t src, uint32_t start, uint32_t size, l4_tid_t dst);
int32_t pager_stats(l4_tid_t pager, l4_tid_t task, uint32_t addr, struct pager_stats *st);
int32_t pager_flush(l4_tid_t pager, l4_tid_t task, uint32_t start, uint32_t size);

#endif
