/*
 * Host unit tests for the pager's bookkeeping, user/pager/region.c (Lab 3):
 * tasks, regions and their overlap checks, lookups at the edges, page
 * slots, frames and their reference counts through copy-on-write copies
 * and task release, statistics, and every table's limit.
 *
 * region.c makes no system calls, so it runs here as it is.  Its state is
 * static; every test starts from pg_init() (the fixture).  Frames are
 * made with made-up pager addresses (FRAME_VA + i pages): nothing here
 * touches them.  check_refs() recomputes every frame's reference count
 * from the regions of the tasks a test made, so a count that drifts (a
 * leak, or a frame freed while in use) is caught where it happens.
 */
#include <check.h>
#include "region.h"

#define PAGE        PG_PAGE
#define RW          (L4_FPAGE_R | L4_FPAGE_W)
#define FRAME_VA    0x60000000u
#define ZONE        0x20000000u     /* where the tests put their regions */

static void setup(void)
{
    pg_init();
}

static l4_tid_t tid(unsigned n)
{
    return l4_tid_make(n + 10, 1);
}

/* A task that must exist. */
static struct pg_task *task(unsigned n)
{
    struct pg_task *t = pg_task_add(tid(n));
    ck_assert_ptr_nonnull(t);
    return t;
}

/* A PG_ZERO region of `pages` pages at start that must be made. */
static struct pg_region *zero_region(struct pg_task *t, uint32_t start, uint32_t pages)
{
    struct pg_region *r = NULL;
    ck_assert_int_eq(pg_region_add(t, start, pages * PAGE, RW, PG_ZERO, &r), 0);
    ck_assert_ptr_nonnull(r);
    return r;
}

/* n frames, made and taken (refs 0, not on the free list). */
static void frames(struct pg_frame **f, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(pg_frame_add(FRAME_VA + pg_frame_count() * PAGE));
        f[i] = pg_frame_take();
        ck_assert_ptr_nonnull(f[i]);
        ck_assert_uint_eq(f[i]->refs, 0);
    }
}

/* Every frame's refs equals the number of pages of the given tasks'
   regions that use it.  Returns how many of the frames no page uses. */
static unsigned check_refs(struct pg_task **tasks, unsigned ntasks, struct pg_frame **f,
                           unsigned nf)
{
    unsigned unused = 0;
    for (unsigned i = 0; i < nf; i++) {
        uint32_t uses = 0;
        for (unsigned k = 0; k < ntasks; k++)
            for (unsigned j = 0; tasks[k] && j < PG_MAX_REGIONS; j++) {
                const struct pg_region *r = &tasks[k]->region[j];
                for (uint32_t a = r->start; r->page && a < r->end; a += PAGE)
                    uses += pg_page_frame(r, a) == f[i];
            }
        ck_assert_msg(f[i]->refs == uses, "frame %u: refs %u, but %u pages use it", i,
                      f[i]->refs, uses);
        unused += uses == 0;
    }
    return unused;
}

/* --- tasks --- */

START_TEST(test_task_add_find)
{
    struct pg_task *a = task(1), *b = task(2);
    ck_assert_ptr_ne(a, b);
    ck_assert_ptr_eq(pg_task_find(tid(1)), a);
    ck_assert_ptr_eq(pg_task_find(tid(2)), b);
    ck_assert_ptr_null(pg_task_find(tid(3)));
    ck_assert_ptr_null(pg_task_find(L4_NILTHREAD));
    /* A slot being set up (tid nil) is found by nobody. */
    ck_assert_ptr_nonnull(pg_task_add(L4_NILTHREAD));
    ck_assert_ptr_null(pg_task_find(L4_NILTHREAD));
}
END_TEST

START_TEST(test_task_table_full)
{
    for (unsigned i = 0; i < PG_MAX_TASKS; i++)
        task(i);
    ck_assert_ptr_null(pg_task_add(tid(99)));
    /* Releasing one makes room, and the others are still there. */
    pg_task_release(pg_task_find(tid(3)));
    ck_assert_ptr_null(pg_task_find(tid(3)));
    ck_assert_ptr_nonnull(pg_task_add(tid(99)));
    for (unsigned i = 0; i < PG_MAX_TASKS; i++)
        if (i != 3)
            ck_assert_ptr_nonnull(pg_task_find(tid(i)));
}
END_TEST

START_TEST(test_task_ended)
{
    struct pg_task *a = task(1), *b = task(2);
    (void)a;
    ck_assert_ptr_null(pg_task_ended());
    b->ended = 1;
    ck_assert_ptr_eq(pg_task_ended(), b);
    pg_task_release(b);
    ck_assert_ptr_null(pg_task_ended());
}
END_TEST

/* --- regions --- */

START_TEST(test_region_lookup_edges)
{
    struct pg_task *t = task(1);
    struct pg_region *r = zero_region(t, ZONE, 4);
    ck_assert_uint_eq(r->start, ZONE);
    ck_assert_uint_eq(r->end, ZONE + 4 * PAGE);
    ck_assert_uint_eq(r->rights, RW);
    ck_assert_int_eq(r->kind, PG_ZERO);
    ck_assert_ptr_eq(pg_region_find(t, ZONE), r);
    ck_assert_ptr_eq(pg_region_find(t, ZONE + 4 * PAGE - 1), r);
    ck_assert_ptr_null(pg_region_find(t, ZONE - 1));
    ck_assert_ptr_null(pg_region_find(t, ZONE + 4 * PAGE));
    ck_assert_ptr_null(pg_region_find(NULL, ZONE));
    /* Another task has nothing there. */
    ck_assert_ptr_null(pg_region_find(task(2), ZONE));
    /* Exact: the whole region only. */
    ck_assert_ptr_eq(pg_region_exact(t, ZONE, 4 * PAGE), r);
    ck_assert_ptr_null(pg_region_exact(t, ZONE, 3 * PAGE));
    ck_assert_ptr_null(pg_region_exact(t, ZONE + PAGE, 3 * PAGE));
    /* Pages start without frames. */
    for (uint32_t a = ZONE; a < ZONE + 4 * PAGE; a += PAGE)
        ck_assert_ptr_null(pg_page_frame(r, a));
}
END_TEST

START_TEST(test_region_bad_arguments)
{
    struct pg_task *t = task(1);
    const struct { uint32_t start, size, rights; } bad[] = {
        {ZONE + 1, PAGE, RW},                       /* start not page-aligned */
        {ZONE, PAGE + 4, RW},                       /* size not page-aligned */
        {ZONE, 0, RW},                              /* empty */
        {L4_USER_TOP, PAGE, RW},                    /* kernel memory */
        {L4_USER_TOP - PAGE, 2 * PAGE, RW},         /* runs into it */
        {0xFFFFF000u, 2 * PAGE, RW},                /* wraps around */
        {L4_UTCB_AREA - PAGE, 2 * PAGE, RW},        /* into the UTCB area */
        {L4_UTCB_AREA, PAGE, RW},
        {ZONE, PAGE, 0},                            /* rights: R or RW only */
        {ZONE, PAGE, L4_FPAGE_W},
        {ZONE, PAGE, L4_FPAGE_RWX},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(pg_region_add(t, bad[i].start, bad[i].size, bad[i].rights, PG_ZERO, NULL)
                      == -L4_EINVAL, "case %u was accepted", i);
    ck_assert_int_eq(pg_region_add(t, ZONE, PAGE, RW, (enum pg_kind)7, NULL), -L4_EINVAL);
    ck_assert_int_eq(pg_region_add(NULL, ZONE, PAGE, RW, PG_ZERO, NULL), -L4_EINVAL);
    /* Nothing was added; the edges that are allowed are. */
    for (unsigned i = 0; i < PG_MAX_REGIONS; i++)
        ck_assert_uint_eq(t->region[i].start, t->region[i].end);
    ck_assert_int_eq(pg_region_add(t, L4_UTCB_AREA - PAGE, PAGE, L4_FPAGE_R, PG_ZERO, NULL), 0);
    ck_assert_int_eq(pg_region_add(t, L4_UTCB_AREA_END, PAGE, RW, PG_ZERO, NULL), 0);
    ck_assert_int_eq(pg_region_add(t, L4_USER_TOP - PAGE, PAGE, RW, PG_ZERO, NULL), 0);
}
END_TEST

START_TEST(test_region_overlap)
{
    struct pg_task *t = task(1);
    zero_region(t, ZONE + 4 * PAGE, 4);             /* pages 4..7 */
    const struct { uint32_t first, pages; } clash[] = {
        {4, 4}, {3, 2}, {7, 3}, {2, 10}, {5, 1}, {7, 1},
    };
    for (unsigned i = 0; i < sizeof clash / sizeof clash[0]; i++)
        ck_assert_msg(pg_region_add(t, ZONE + clash[i].first * PAGE, clash[i].pages * PAGE, RW,
                                    PG_ZERO, NULL) == -L4_EINVAL,
                      "pages %u..%u overlap 4..7 but were accepted", clash[i].first,
                      clash[i].first + clash[i].pages - 1);
    /* Neighbours on both sides are fine, and so is the same range in
       another task. */
    zero_region(t, ZONE, 4);
    zero_region(t, ZONE + 8 * PAGE, 1);
    zero_region(task(2), ZONE + 4 * PAGE, 4);
}
END_TEST

START_TEST(test_region_limit_per_task)
{
    struct pg_task *t = task(1), *u = task(2);
    for (unsigned i = 0; i < PG_MAX_REGIONS; i++)
        zero_region(t, ZONE + 2 * i * PAGE, 1);
    ck_assert_int_eq(pg_region_add(t, ZONE + 100 * PAGE, PAGE, RW, PG_ZERO, NULL), -L4_ENOMEM);
    zero_region(u, ZONE, 1);                        /* another task is not affected */
}
END_TEST

START_TEST(test_region_page_slots_run_out)
{
    struct pg_task *t = task(1), *u = task(2);
    /* Read-only image regions have no page slots: any size fits. */
    struct pg_region *img;
    ck_assert_int_eq(pg_region_add(t, 0x01000000, 0x40000000, L4_FPAGE_R, PG_IMAGE, &img), 0);
    ck_assert_ptr_null(img->page);
    ck_assert_ptr_null(pg_page_frame(img, 0x01000000));
    /* Writable ones and demand-zero ones share the pool. */
    zero_region(t, 0x50000000, PG_MAX_PAGES - 10);
    ck_assert_int_eq(pg_region_add(u, ZONE, 11 * PAGE, RW, PG_ZERO, NULL), -L4_ENOMEM);
    ck_assert_int_eq(pg_region_add(u, ZONE, 11 * PAGE, RW, PG_IMAGE, NULL), -L4_ENOMEM);
    struct pg_region *r = zero_region(u, ZONE, 10);
    ck_assert_int_eq(pg_region_add(u, ZONE + 10 * PAGE, PAGE, RW, PG_ZERO, NULL), -L4_ENOMEM);
    /* A huge request fails cleanly too. */
    ck_assert_int_eq(pg_region_add(u, 0x80000000u, 0x3F000000u, RW, PG_ZERO, NULL),
                     -L4_ENOMEM);
    /* Releasing t gives its slots back, first fit, and u's region keeps
       its own. */
    struct pg_frame *f[2];
    frames(f, 2);
    pg_page_set(r, ZONE + 9 * PAGE, f[0]);
    pg_page_set(pg_region_find(t, 0x50000000), 0x50000000, f[1]);
    pg_task_release(t);
    ck_assert_uint_eq(f[1]->refs, 0);
    struct pg_region *big = zero_region(u, 0x50000000, PG_MAX_PAGES - 10);
    for (uint32_t a = big->start; a < big->end; a += PAGE)
        if (pg_page_frame(big, a))
            ck_abort_msg("a new region's page %x has a frame", a);
    ck_assert_ptr_eq(pg_page_frame(r, ZONE + 9 * PAGE), f[0]);
}
END_TEST

/* --- frames and pages --- */

START_TEST(test_frames_free_list)
{
    ck_assert_ptr_null(pg_frame_take());
    struct pg_frame *a = pg_frame_add(FRAME_VA), *b = pg_frame_add(FRAME_VA + PAGE + 5);
    ck_assert_uint_eq(a->va, FRAME_VA);
    ck_assert_uint_eq(b->va, FRAME_VA + PAGE);      /* rounded down to its page */
    ck_assert_uint_eq(pg_frame_count(), 2);
    ck_assert_uint_eq(pg_frame_free_count(), 2);
    struct pg_frame *x = pg_frame_take(), *y = pg_frame_take();
    ck_assert(x != y && (x == a || x == b) && (y == a || y == b));
    ck_assert_ptr_null(pg_frame_take());
    ck_assert_uint_eq(pg_frame_free_count(), 0);
    pg_frame_put(y);
    ck_assert_uint_eq(pg_frame_free_count(), 1);
    ck_assert_ptr_eq(pg_frame_take(), y);
}
END_TEST

START_TEST(test_frames_limit)
{
    for (unsigned i = 0; i < PG_MAX_FRAMES; i++)
        ck_assert_ptr_nonnull(pg_frame_add(FRAME_VA + i * PAGE));
    ck_assert_ptr_null(pg_frame_add(FRAME_VA));
    ck_assert_uint_eq(pg_frame_count(), PG_MAX_FRAMES);
    ck_assert_uint_eq(pg_frame_free_count(), PG_MAX_FRAMES);
}
END_TEST

START_TEST(test_page_set_counts)
{
    struct pg_task *t = task(1);
    struct pg_region *r = zero_region(t, ZONE, 3);
    struct pg_frame *f[2];
    frames(f, 2);
    pg_page_set(r, ZONE + 5, f[0]);                 /* any address in the page */
    ck_assert_ptr_eq(pg_page_frame(r, ZONE), f[0]);
    ck_assert_ptr_eq(pg_page_frame(r, ZONE + PAGE - 1), f[0]);
    ck_assert_ptr_null(pg_page_frame(r, ZONE + PAGE));
    ck_assert_uint_eq(f[0]->refs, 1);
    /* Setting the frame a page has already changes nothing. */
    pg_page_set(r, ZONE, f[0]);
    ck_assert_uint_eq(f[0]->refs, 1);
    /* One frame, two pages. */
    pg_page_set(r, ZONE + 2 * PAGE, f[0]);
    ck_assert_uint_eq(f[0]->refs, 2);
    check_refs(&t, 1, f, 2);
    /* Replacing: the old frame loses a reference; its last one frees it. */
    pg_page_set(r, ZONE, f[1]);
    ck_assert_uint_eq(f[0]->refs, 1);
    ck_assert_uint_eq(f[1]->refs, 1);
    pg_page_set(r, ZONE + 2 * PAGE, NULL);
    ck_assert_uint_eq(f[0]->refs, 0);
    ck_assert_uint_eq(pg_frame_free_count(), 1);
    check_refs(&t, 1, f, 2);
    ck_assert_ptr_eq(pg_frame_take(), f[0]);
    /* A region without page slots ignores it. */
    struct pg_region *img;
    ck_assert_int_eq(pg_region_add(t, 0x01000000, PAGE, L4_FPAGE_R, PG_IMAGE, &img), 0);
    pg_page_set(img, 0x01000000, f[0]);
    ck_assert_uint_eq(f[0]->refs, 0);
}
END_TEST

/* --- copy on write --- */

START_TEST(test_copy_shares_frames)
{
    struct pg_task *ts[3] = {task(1), task(2), task(3)};
    struct pg_region *src = zero_region(ts[0], ZONE, 4);
    struct pg_frame *f[3];
    frames(f, 3);
    pg_page_set(src, ZONE, f[0]);
    pg_page_set(src, ZONE + 2 * PAGE, f[1]);
    pg_page_set(src, ZONE + 3 * PAGE, f[2]);
    src->stats.faults = 7;

    struct pg_region *dst = NULL;
    ck_assert_int_eq(pg_region_copy(src, ts[1], &dst), 3);
    ck_assert_ptr_nonnull(dst);
    ck_assert_uint_eq(dst->start, ZONE);
    ck_assert_uint_eq(dst->end, ZONE + 4 * PAGE);
    ck_assert_uint_eq(dst->rights, RW);
    ck_assert_int_eq(dst->kind, PG_ZERO);
    ck_assert_ptr_eq(pg_region_find(ts[1], ZONE + PAGE), dst);
    for (uint32_t a = ZONE; a < ZONE + 4 * PAGE; a += PAGE)
        ck_assert_ptr_eq(pg_page_frame(dst, a), pg_page_frame(src, a));
    for (unsigned i = 0; i < 3; i++)
        ck_assert_uint_eq(f[i]->refs, 2);
    /* The copy starts with statistics of its own. */
    struct pg_stats st;
    pg_region_stats(dst, &st);
    ck_assert_uint_eq(st.faults, 0);
    ck_assert_uint_eq(st.shared, 3);
    pg_region_stats(src, &st);
    ck_assert_uint_eq(st.faults, 7);
    ck_assert_uint_eq(st.shared, 3);

    /* A copy of the copy: three tasks share. */
    ck_assert_int_eq(pg_region_copy(dst, ts[2], NULL), 3);
    ck_assert_uint_eq(f[0]->refs, 3);
    check_refs(ts, 3, f, 3);

    /* The bookkeeping of a write in the middle task: its own frame. */
    struct pg_frame *g[1];
    frames(g, 1);
    pg_page_set(dst, ZONE, g[0]);
    ck_assert_uint_eq(f[0]->refs, 2);
    pg_region_stats(dst, &st);
    ck_assert_uint_eq(st.shared, 2);
    struct pg_frame *all[4] = {f[0], f[1], f[2], g[0]};
    check_refs(ts, 3, all, 4);
}
END_TEST

START_TEST(test_copy_refused)
{
    struct pg_task *a = task(1), *b = task(2);
    struct pg_region *src = zero_region(a, ZONE, 2), *img;
    struct pg_frame *f[1];
    frames(f, 1);
    pg_page_set(src, ZONE, f[0]);
    /* dst has something in the way: refused, nothing shared. */
    zero_region(b, ZONE + PAGE, 1);
    ck_assert_int_eq(pg_region_copy(src, b, NULL), -L4_EINVAL);
    ck_assert_uint_eq(f[0]->refs, 1);
    /* A copy into the source task itself overlaps the source. */
    ck_assert_int_eq(pg_region_copy(src, a, NULL), -L4_EINVAL);
    /* Image regions are not copied; neither is nothing. */
    ck_assert_int_eq(pg_region_add(a, 0x01000000, 2 * PAGE, RW, PG_IMAGE, &img), 0);
    ck_assert_int_eq(pg_region_copy(img, task(3), NULL), -L4_EINVAL);
    ck_assert_int_eq(pg_region_copy(NULL, b, NULL), -L4_EINVAL);
    ck_assert_int_eq(pg_region_copy(src, NULL, NULL), -L4_EINVAL);
    /* No slot left in dst. */
    struct pg_task *c = task(4);
    for (unsigned i = 0; i < PG_MAX_REGIONS; i++)
        zero_region(c, 0x70000000 + i * PAGE, 1);
    ck_assert_int_eq(pg_region_copy(src, c, NULL), -L4_ENOMEM);
    ck_assert_uint_eq(f[0]->refs, 1);
}
END_TEST

/* --- release --- */

START_TEST(test_release_returns_frames)
{
    struct pg_task *ts[2] = {task(1), task(2)};
    struct pg_region *src = zero_region(ts[0], ZONE, 3);
    struct pg_frame *f[3];
    frames(f, 3);
    pg_page_set(src, ZONE, f[0]);
    pg_page_set(src, ZONE + PAGE, f[1]);
    ck_assert_int_eq(pg_region_copy(src, ts[1], NULL), 2);
    pg_page_set(zero_region(ts[1], ZONE + 0x100000, 1), ZONE + 0x100000, f[2]);
    ck_assert_uint_eq(pg_frame_free_count(), 0);

    /* The shared frames lose one reference and stay; the other task's own
       frame is untouched. */
    pg_task_release(ts[0]);
    ck_assert_ptr_null(pg_task_find(tid(1)));
    ck_assert_uint_eq(f[0]->refs, 1);
    ck_assert_uint_eq(f[1]->refs, 1);
    ck_assert_uint_eq(f[2]->refs, 1);
    ck_assert_uint_eq(pg_frame_free_count(), 0);
    struct pg_stats st;
    pg_region_stats(pg_region_find(ts[1], ZONE), &st);
    ck_assert_uint_eq(st.shared, 0);
    check_refs(&ts[1], 1, f, 3);

    /* The last user gone, every frame is free (and stays the pager's). */
    pg_task_release(ts[1]);
    ck_assert_uint_eq(pg_frame_free_count(), 3);
    ck_assert_uint_eq(pg_frame_count(), 3);
    for (unsigned i = 0; i < 3; i++)
        ck_assert_uint_eq(f[i]->refs, 0);
    /* The slots are free again, and clean. */
    struct pg_task *n = task(3);
    for (unsigned i = 0; i < PG_MAX_REGIONS; i++)
        ck_assert_uint_eq(n->region[i].start, n->region[i].end);
}
END_TEST

START_TEST(test_stats)
{
    struct pg_task *t = task(1);
    struct pg_region *r = zero_region(t, ZONE, 2);
    r->stats = (struct pg_stats){.faults = 5, .zero_fills = 2, .copies = 1, .refused = 1,
                                 .shared = 99};
    struct pg_stats st;
    pg_region_stats(r, &st);
    ck_assert_uint_eq(st.faults, 5);
    ck_assert_uint_eq(st.zero_fills, 2);
    ck_assert_uint_eq(st.copies, 1);
    ck_assert_uint_eq(st.refused, 1);
    ck_assert_uint_eq(st.shared, 0);                /* counted now, not stored */
    struct pg_region *img;
    ck_assert_int_eq(pg_region_add(t, 0x01000000, PAGE, L4_FPAGE_R, PG_IMAGE, &img), 0);
    pg_region_stats(img, &st);
    ck_assert_uint_eq(st.shared, 0);
}
END_TEST

/* A random mix of everything, with the reference counts checked after
   each step: no frame is lost, none freed while a page still uses it. */
START_TEST(test_random_operations)
{
    enum { NT = 4, NF = 24, STEPS = 3000 };
    struct pg_task *ts[NT] = {0};
    struct pg_frame *f[NF];
    frames(f, NF);
    for (unsigned i = 0; i < NF; i++)
        pg_frame_put(f[i]);
    uint32_t seed = 12345;
    for (unsigned step = 0; step < STEPS; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned k = (seed >> 8) % NT, op = (seed >> 16) % 8;
        uint32_t start = ZONE + ((seed >> 20) % 4) * 4 * PAGE;
        if (!ts[k]) {
            ts[k] = pg_task_add(tid(k + step * NT));
            ck_assert_ptr_nonnull(ts[k]);
        }
        struct pg_region *r = pg_region_find(ts[k], start);
        if (op == 0) {
            pg_task_release(ts[k]);
            ts[k] = NULL;
        } else if (op == 1 && !r) {
            pg_region_add(ts[k], start, 4 * PAGE, RW, PG_ZERO, NULL);
        } else if (op == 2 && r && ts[(k + 1) % NT]) {
            pg_region_copy(r, ts[(k + 1) % NT], NULL);
        } else if (r) {
            uint32_t a = start + ((seed >> 4) % 4) * PAGE;
            struct pg_frame *nf = op == 3 ? NULL : pg_frame_take();
            if (op == 3 || nf)
                pg_page_set(r, a, nf);
        }
        /* Every frame is used, or on the free list. */
        ck_assert_uint_eq(check_refs(ts, NT, f, NF), pg_frame_free_count());
    }
}
END_TEST

Suite *region_suite(void)
{
    Suite *s = suite_create("region");
    TCase *tc = tcase_create("tasks");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_task_add_find);
    tcase_add_test(tc, test_task_table_full);
    tcase_add_test(tc, test_task_ended);
    suite_add_tcase(s, tc);
    tc = tcase_create("regions");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_region_lookup_edges);
    tcase_add_test(tc, test_region_bad_arguments);
    tcase_add_test(tc, test_region_overlap);
    tcase_add_test(tc, test_region_limit_per_task);
    tcase_add_test(tc, test_region_page_slots_run_out);
    suite_add_tcase(s, tc);
    tc = tcase_create("frames");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_frames_free_list);
    tcase_add_test(tc, test_frames_limit);
    tcase_add_test(tc, test_page_set_counts);
    suite_add_tcase(s, tc);
    tc = tcase_create("copy_release");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_copy_shares_frames);
    tcase_add_test(tc, test_copy_refused);
    tcase_add_test(tc, test_release_returns_frames);
    tcase_add_test(tc, test_stats);
    tcase_add_test(tc, test_random_operations);
    suite_add_tcase(s, tc);
    return s;
}
