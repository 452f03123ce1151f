/*
 * The pager's bookkeeping (user/pager/region.c): which tasks it serves,
 * their regions, and the frames behind the regions' pages.  Plain data
 * and no system calls, so that the host unit tests can compile it
 * (grader/unit/test_region.c); pager.c makes the system calls.
 *
 * The pieces, and who owns what:
 *
 *   task    one per task the pager spawned: its thread's ID and up to
 *           PG_MAX_REGIONS regions.  A task whose thread has ended stays
 *           (its regions and statistics can still be asked for) until
 *           the pager needs the slot or its frames: pg_task_release.
 *   region  [start, end) of one task's space, page-aligned, with rights
 *           (L4_FPAGE_R, or R | W) and a kind:
 *             PG_IMAGE  the program's link range.  Read-only image
 *                       regions are the pager's own pages, mapped as
 *                       they are: they have no page slots.  Writable
 *                       ones get private copies of the pager's pages.
 *             PG_ZERO   demand-zero memory; a copy-on-write copy of a
 *                       region is a PG_ZERO region whose pages share the
 *                       original's frames.
 *           Regions of one task never overlap.
 *   page    each page of a region with slots has one: the frame behind
 *           it, or NULL (never touched: no frame yet).  The slots of all
 *           regions come from one pool of PG_MAX_PAGES.
 *   frame   a page of RAM the pager got from sigma0 and keeps mapped in
 *           its own space at va.  refs counts the region pages that use
 *           it; a frame with refs > 1 is shared (copy on write), one with
 *           refs == 0 is on the free list.  Frames are never given back
 *           to sigma0: a released frame waits on the free list for the
 *           next page that needs one.
 *
 * Limits: fixed-size tables, no malloc.  Every function that would go
 * beyond a limit fails without changing anything.
 */
#ifndef PAGER_REGION_H
#define PAGER_REGION_H

#include <stddef.h>
#include <stdint.h>
#include "l4/types.h"

#define PG_PAGE          4096u
#define PG_MAX_TASKS     16     /* tasks the pager serves at once */
#define PG_MAX_REGIONS   8      /* regions per task (image: 2, stack: 1) */
#define PG_MAX_PAGES     16384  /* page slots of all regions: 64 MiB of address space */
#define PG_MAX_FRAMES    4096   /* frames the pager can hold: 16 MiB */

enum pg_kind { PG_IMAGE, PG_ZERO };

/* What the pager did for one region: the same fields, in the same order,
   as struct pager_stats of pager.h (which the host cannot compile). */
struct pg_stats {
    uint32_t faults;        /* fault messages for addresses in this region */
    uint32_t zero_fills;    /* pages given a fresh zeroed frame */
    uint32_t copies;        /* pages copied on a write to a shared page */
    uint32_t refused;       /* faults refused: an access the region does not allow */
    uint32_t shared;        /* pages whose frame another page also uses (pg_region_stats) */
};

struct pg_frame {
    uint32_t va;                /* where the pager has it mapped, page-aligned */
    uint32_t refs;              /* region pages that use it; 0: on the free list */
    struct pg_frame *next_free; /* the free list's link while refs == 0 */
};

struct pg_region {
    uint32_t start, end;        /* [start, end); start == end: the slot is unused */
    uint32_t rights;            /* L4_FPAGE_R, or L4_FPAGE_R | L4_FPAGE_W */
    enum pg_kind kind;
    struct pg_frame **page;     /* one per page, or NULL for a read-only image */
    struct pg_stats stats;
};

struct pg_task {
    l4_tid_t tid;               /* its thread; L4_NILTHREAD while being set up */
    int used;                   /* the slot is taken */
    int ended;                  /* its thread has ended: release it when needed */
    struct pg_region region[PG_MAX_REGIONS];
    /* pager.c's: what the thread runs, put on its stack at its first
       fault there (started: done). */
    uint32_t entry, arg;
    int started;
};

/* Forgets everything: no tasks, no regions, no frames. */
void pg_init(void);

/* Tasks.  pg_task_add takes a free slot for tid (NULL: the table is full);
   pg_task_find gives the task whose thread is tid, or NULL. */
struct pg_task *pg_task_add(l4_tid_t tid);
struct pg_task *pg_task_find(l4_tid_t tid);
/* The first task whose thread has ended, or NULL. */
struct pg_task *pg_task_ended(void);
/* Frees t's slot, its regions and their page slots.  Every frame its
   pages used loses a reference; a frame that has none left goes back to
   the free list.  (It may still be mapped in t's space: pager.c takes it
   back from everyone before it uses it again.) */
void pg_task_release(struct pg_task *t);

/*
 * Regions.  pg_region_add adds [start, start + size) to t: 0, or
 * -L4_EINVAL (not page-aligned, empty, beyond user space or into the UTCB
 * area, rights not R or RW, overlapping one of t's regions) or -L4_ENOMEM
 * (t has PG_MAX_REGIONS regions, or the page slots ran out).  *out, if
 * out is not NULL, is the new region.
 */
int pg_region_add(struct pg_task *t, uint32_t start, uint32_t size, uint32_t rights,
                  enum pg_kind kind, struct pg_region **out);
/* The region of t that holds addr, or NULL. */
struct pg_region *pg_region_find(struct pg_task *t, uint32_t addr);
/* The region of t that is exactly [start, start + size), or NULL. */
struct pg_region *pg_region_exact(struct pg_task *t, uint32_t start, uint32_t size);
/*
 * The bookkeeping of a copy-on-write copy: dst gets a PG_ZERO region with
 * src's range and rights whose pages use the same frames as src's (every
 * frame gets one more reference).  src must be a PG_ZERO region.  Returns
 * the number of pages now shared, or -error as pg_region_add (and
 * -L4_EINVAL for an image region); *out, if not NULL, is the new region.
 * Taking write access from the src task's mappings is the caller's job.
 */
int pg_region_copy(struct pg_region *src, struct pg_task *dst, struct pg_region **out);
/* r's statistics, with st->shared counted now. */
void pg_region_stats(const struct pg_region *r, struct pg_stats *st);

/* Pages.  addr must lie in r.  pg_page_frame gives the frame of addr's
   page, or NULL: none yet, or r has no page slots (a read-only image). */
struct pg_frame *pg_page_frame(const struct pg_region *r, uint32_t addr);
/* Makes f (may be NULL) the frame of addr's page: f gains a reference,
   and the frame the page had before, if any, loses one (and goes to the
   free list if that was its last).  Does nothing in a region without
   page slots. */
void pg_page_set(struct pg_region *r, uint32_t addr, struct pg_frame *f);

/* Frames.  pg_frame_add records a new frame the pager has mapped at va,
   on the free list (NULL: PG_MAX_FRAMES frames exist already).
   pg_frame_take takes one off the free list, with refs 0 until a page
   uses it (NULL: the list is empty).  pg_frame_put gives back a frame
   that was taken but no page uses (refs 0). */
struct pg_frame *pg_frame_add(uint32_t va);
struct pg_frame *pg_frame_take(void);
void pg_frame_put(struct pg_frame *f);
/* How many frames exist, and how many of them are on the free list. */
unsigned pg_frame_count(void);
unsigned pg_frame_free_count(void);

/*
 * The fault handlers of user/pager/fault.c (Lab 3), called by pager.c's
 * dispatch, and the one helper of pager.c they use.  A handler returns
 * the flexpage of the pager's own space to map at the faulting page (a
 * frame's va with the rights to give), or L4_NILPAGE to refuse the fault.
 */
l4_fpage_t pager_zero_fault(struct pg_region *r, uint32_t addr);
l4_fpage_t pager_cow_fault(struct pg_region *r, uint32_t addr);
/* A frame to use (off the free list, or a new one from sigma0), refs 0,
   its contents whatever they were; NULL if there is no memory left. */
struct pg_frame *pager_frame_take(void);

#endif
