/*
 * The pager's bookkeeping (region.h): tasks, regions, page slots and
 * frames in static tables.  No system calls here; pager.c maps and
 * unmaps, this file only remembers.
 *
 * The page slots of all regions share one array, slots[]: a region with
 * slots owns a run of it, one entry per page, found first-fit among the
 * runs of the live regions when the region is made.  With at most
 * PG_MAX_TASKS * PG_MAX_REGIONS regions the search is short, and no run
 * ever needs moving.
 */
#include "region.h"

static struct pg_task tasks[PG_MAX_TASKS];
static struct pg_frame *slots[PG_MAX_PAGES];
static struct pg_frame frames[PG_MAX_FRAMES];
static unsigned nframes;                /* frames[0..nframes) exist */
static struct pg_frame *free_frames;    /* the free list, linked through next_free */
static unsigned nfree;

void pg_init(void)
{
    for (unsigned i = 0; i < PG_MAX_TASKS; i++)
        tasks[i] = (struct pg_task){.tid = L4_NILTHREAD};
    for (unsigned i = 0; i < PG_MAX_PAGES; i++)
        slots[i] = NULL;
    nframes = 0;
    free_frames = NULL;
    nfree = 0;
}

/* --- frames --- */

struct pg_frame *pg_frame_add(uint32_t va)
{
    if (nframes == PG_MAX_FRAMES)
        return NULL;
    struct pg_frame *f = &frames[nframes++];
    *f = (struct pg_frame){.va = va & ~(PG_PAGE - 1)};
    pg_frame_put(f);
    return f;
}

struct pg_frame *pg_frame_take(void)
{
    struct pg_frame *f = free_frames;
    if (f) {
        free_frames = f->next_free;
        f->next_free = NULL;
        nfree--;
    }
    return f;
}

void pg_frame_put(struct pg_frame *f)
{
    f->refs = 0;
    f->next_free = free_frames;
    free_frames = f;
    nfree++;
}

unsigned pg_frame_count(void) { return nframes; }
unsigned pg_frame_free_count(void) { return nfree; }

/* One reference fewer; the last one sends f back to the free list. */
static void frame_unref(struct pg_frame *f)
{
    if (--f->refs == 0)
        pg_frame_put(f);
}

/* --- tasks --- */

struct pg_task *pg_task_add(l4_tid_t tid)
{
    for (unsigned i = 0; i < PG_MAX_TASKS; i++)
        if (!tasks[i].used) {
            tasks[i] = (struct pg_task){.tid = tid, .used = 1};
            return &tasks[i];
        }
    return NULL;
}

struct pg_task *pg_task_find(l4_tid_t tid)
{
    if (tid == L4_NILTHREAD)
        return NULL;                /* a task being set up answers to no one */
    for (unsigned i = 0; i < PG_MAX_TASKS; i++)
        if (tasks[i].used && tasks[i].tid == tid)
            return &tasks[i];
    return NULL;
}

struct pg_task *pg_task_ended(void)
{
    for (unsigned i = 0; i < PG_MAX_TASKS; i++)
        if (tasks[i].used && tasks[i].ended)
            return &tasks[i];
    return NULL;
}

static uint32_t region_pages(const struct pg_region *r)
{
    return (r->end - r->start) / PG_PAGE;
}

static int region_used(const struct pg_region *r)
{
    return r->start != r->end;
}

/* Drops r's references to its frames and frees its slot and its run. */
static void region_free(struct pg_region *r)
{
    if (r->page)
        for (uint32_t i = 0; i < region_pages(r); i++)
            if (r->page[i]) {
                frame_unref(r->page[i]);
                r->page[i] = NULL;
            }
    *r = (struct pg_region){.page = NULL};
}

void pg_task_release(struct pg_task *t)
{
    for (unsigned i = 0; i < PG_MAX_REGIONS; i++)
        region_free(&t->region[i]);
    *t = (struct pg_task){.tid = L4_NILTHREAD};
}

/* --- page slots --- */

/* A run of n free entries of slots[], set to NULL, or NULL if there is
   none: first fit, stepping past every live region's run it overlaps. */
static struct pg_frame **slots_alloc(uint32_t n)
{
    uint32_t cand = 0;
    for (int moved = 1; moved; ) {
        moved = 0;
        for (unsigned i = 0; i < PG_MAX_TASKS; i++)
            for (unsigned j = 0; tasks[i].used && j < PG_MAX_REGIONS; j++) {
                const struct pg_region *r = &tasks[i].region[j];
                if (!region_used(r) || !r->page)
                    continue;
                uint32_t first = (uint32_t)(r->page - slots), end = first + region_pages(r);
                if (first < cand + n && cand < end) {
                    cand = end;
                    moved = 1;
                }
            }
        if (n > PG_MAX_PAGES || cand > PG_MAX_PAGES - n)
            return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        slots[cand + i] = NULL;
    return &slots[cand];
}

/* --- regions --- */

/* Whether [start, start + size) is a page-aligned, non-empty range of user
   space outside the UTCB area (which the kernel keeps for itself). */
static int range_ok(uint32_t start, uint32_t size)
{
    if (size == 0 || (start | size) % PG_PAGE)
        return 0;
    if (start >= L4_USER_TOP || size > L4_USER_TOP - start)
        return 0;
    return start >= L4_UTCB_AREA_END || start + size <= L4_UTCB_AREA;
}

static int overlaps(const struct pg_task *t, uint32_t start, uint32_t end)
{
    for (unsigned i = 0; i < PG_MAX_REGIONS; i++) {
        const struct pg_region *r = &t->region[i];
        if (region_used(r) && start < r->end && r->start < end)
            return 1;
    }
    return 0;
}

static struct pg_region *free_region(struct pg_task *t)
{
    for (unsigned i = 0; i < PG_MAX_REGIONS; i++)
        if (!region_used(&t->region[i]))
            return &t->region[i];
    return NULL;
}

int pg_region_add(struct pg_task *t, uint32_t start, uint32_t size, uint32_t rights,
                  enum pg_kind kind, struct pg_region **out)
{
    if (!t || !t->used || !range_ok(start, size) || (kind != PG_IMAGE && kind != PG_ZERO))
        return -L4_EINVAL;
    if (rights != L4_FPAGE_R && rights != (L4_FPAGE_R | L4_FPAGE_W))
        return -L4_EINVAL;
    if (overlaps(t, start, start + size))
        return -L4_EINVAL;
    struct pg_region *r = free_region(t);
    if (!r)
        return -L4_ENOMEM;
    struct pg_frame **page = NULL;
    if (kind == PG_ZERO || (rights & L4_FPAGE_W)) {
        page = slots_alloc(size / PG_PAGE);
        if (!page)
            return -L4_ENOMEM;
    }
    *r = (struct pg_region){.start = start, .end = start + size, .rights = rights,
                            .kind = kind, .page = page};
    if (out)
        *out = r;
    return 0;
}

struct pg_region *pg_region_find(struct pg_task *t, uint32_t addr)
{
    for (unsigned i = 0; t && i < PG_MAX_REGIONS; i++) {
        struct pg_region *r = &t->region[i];
        if (region_used(r) && addr >= r->start && addr < r->end)
            return r;
    }
    return NULL;
}

struct pg_region *pg_region_exact(struct pg_task *t, uint32_t start, uint32_t size)
{
    struct pg_region *r = pg_region_find(t, start);
    return r && r->start == start && r->end - r->start == size ? r : NULL;
}

int pg_region_copy(struct pg_region *src, struct pg_task *dst, struct pg_region **out)
{
    if (!src || !region_used(src) || src->kind != PG_ZERO)
        return -L4_EINVAL;
    struct pg_region *r;
    int err = pg_region_add(dst, src->start, src->end - src->start, src->rights, PG_ZERO, &r);
    if (err)
        return err;
    int shared = 0;
    for (uint32_t i = 0; i < region_pages(src); i++)
        if (src->page[i]) {
            r->page[i] = src->page[i];
            r->page[i]->refs++;
            shared++;
        }
    if (out)
        *out = r;
    return shared;
}

void pg_region_stats(const struct pg_region *r, struct pg_stats *st)
{
    *st = r->stats;
    st->shared = 0;
    for (uint32_t i = 0; r->page && i < region_pages(r); i++)
        if (r->page[i] && r->page[i]->refs > 1)
            st->shared++;
}

/* --- pages --- */

struct pg_frame *pg_page_frame(const struct pg_region *r, uint32_t addr)
{
    return r->page ? r->page[(addr - r->start) / PG_PAGE] : NULL;
}

void pg_page_set(struct pg_region *r, uint32_t addr, struct pg_frame *f)
{
    if (!r->page)
        return;
    struct pg_frame **slot = &r->page[(addr - r->start) / PG_PAGE];
    if (f)
        f->refs++;                  /* first, in case f is the frame already there */
    if (*slot)
        frame_unref(*slot);
    *slot = f;
}
