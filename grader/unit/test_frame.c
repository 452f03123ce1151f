/*
 * Host unit tests for kernel/frame.c, the physical frame allocator.
 *
 * The allocator keeps all its state in static bitmaps; every test starts
 * from frame_init() (the fixture) and builds the memory it needs.  Frames
 * the tests hold are kept in a shadow set, handed_out[], so that a frame
 * given out twice is caught.  The kernel's panic() is replaced by the
 * panic_at() below, which lets a test check that a call panics.
 */
#include <check.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel.h"
#include "frame.h"
#include "arch/i386/mmu.h"

#define NFRAMES     (PHYS_MAP_LIMIT / PAGE_SIZE)
#define MiB         0x100000u

/* One entry per frame below PHYS_MAP_LIMIT: 1 while the test holds it. */
static unsigned char handed_out[NFRAMES];

static jmp_buf panic_return;
static int panic_expected;
static char panic_message[256];

/*
 * The kernel's panic, for the host.  It keeps the message; if the test
 * expects a panic it jumps back into the test, otherwise the test fails.
 */
void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(panic_message, sizeof panic_message, fmt, ap);
    va_end(ap);
    if (panic_expected) {
        panic_expected = 0;
        longjmp(panic_return, 1);
    }
    ck_abort_msg("unexpected panic at %s:%d: %s", file, line, panic_message);
}

/* `call` must panic, with a message containing `what`. */
#define assert_panics(call, what)                                           \
    do {                                                                    \
        panic_expected = 1;                                                 \
        if (setjmp(panic_return) == 0) {                                    \
            call;                                                           \
            panic_expected = 0;                                             \
            ck_abort_msg("%s returned instead of panicking", #call);        \
        }                                                                   \
        ck_assert_msg(strstr(panic_message, what) != NULL,                  \
                      "%s panicked with \"%s\", expected \"%s\"",           \
                      #call, panic_message, what);                          \
    } while (0)

/*
 * Every passing ck_assert is recorded by Check (a write to a file when tests
 * run in child processes), which costs seconds in loops over all frames.
 * The loops use require(), which only does work when the check fails.
 */
#define require(cond, ...) \
    do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

static void fresh_allocator(void)
{
    frame_init();
    memset(handed_out, 0, sizeof handed_out);
    panic_expected = 0;
}

/* Allocates one frame, which must be a new, page-aligned frame in range. */
static paddr_t alloc_one(void)
{
    paddr_t pa = frame_alloc();
    require(pa != 0, "frame_alloc returned 0 with %u frames free", frame_count_free());
    require(pa % PAGE_SIZE == 0, "frame_alloc returned unaligned %#x", pa);
    require(pa < PHYS_MAP_LIMIT, "frame_alloc returned %#x beyond PHYS_MAP_LIMIT", pa);
    require(!handed_out[pa / PAGE_SIZE], "frame %#x handed out twice", pa);
    handed_out[pa / PAGE_SIZE] = 1;
    return pa;
}

static void free_one(paddr_t pa)
{
    frame_free(pa);
    handed_out[pa / PAGE_SIZE] = 0;
}

/* Allocates until nothing is left; returns how many frames that took.
 * Afterwards frame_alloc keeps returning 0 and no frame counts as free. */
static unsigned alloc_all(void)
{
    unsigned n = 0;
    while (frame_count_free() > 0) {
        alloc_one();
        n++;
    }
    ck_assert_uint_eq(frame_alloc(), 0);
    ck_assert_uint_eq(frame_alloc(), 0);
    return n;
}

/* [lo, hi): page-aligned physical addresses. */
struct range {
    paddr_t lo, hi;
};

/* The frames handed out must be exactly those inside the given ranges. */
static void assert_handed_out_exactly(const struct range *r, int nr)
{
    for (unsigned f = 0; f < NFRAMES; f++) {
        paddr_t pa = f * PAGE_SIZE;
        int inside = 0;
        for (int i = 0; i < nr; i++)
            inside |= pa >= r[i].lo && pa < r[i].hi;
        require(handed_out[f] == inside, "frame %#x %s", pa,
                inside ? "was never handed out" : "was handed out but is not free RAM");
    }
}

START_TEST(test_init_has_no_free_frames)
{
    /* After frame_init nothing is RAM, nothing is free, nothing is handed
     * out, and that holds again after a second frame_init. */
    ck_assert_uint_eq(frame_count_ram(), 0);
    ck_assert_uint_eq(frame_count_free(), 0);
    ck_assert_uint_eq(frame_alloc(), 0);

    frame_add_ram(MiB, 2 * MiB);
    alloc_one();
    frame_init();
    ck_assert_uint_eq(frame_count_ram(), 0);
    ck_assert_uint_eq(frame_count_free(), 0);
    ck_assert_uint_eq(frame_alloc(), 0);
}
END_TEST

START_TEST(test_add_ram_rounds_inward)
{
    /* frame_add_ram leaves out the partial frames at both ends. */
    static const struct {
        paddr_t start, end;
        struct range frames;    /* the frames that must become RAM */
    } cases[] = {
        {0x10000, 0x20000, {0x10000, 0x20000}},
        {0x10001, 0x20000, {0x11000, 0x20000}},
        {0x10000, 0x1ffff, {0x10000, 0x1f000}},
        {0x10fff, 0x12001, {0x11000, 0x12000}},
        {0x10001, 0x11fff, {0, 0}},
        {0x10000, 0x10fff, {0, 0}},
        {0x10000, 0x10000, {0, 0}},
        {0x20000, 0x10000, {0, 0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned n = (cases[i].frames.hi - cases[i].frames.lo) / PAGE_SIZE;
        fresh_allocator();
        frame_add_ram(cases[i].start, cases[i].end);
        ck_assert_uint_eq(frame_count_ram(), n);
        ck_assert_uint_eq(frame_count_free(), n);
        ck_assert_uint_eq(alloc_all(), n);
        assert_handed_out_exactly(&cases[i].frames, 1);
    }
}
END_TEST

START_TEST(test_reserve_rounds_outward)
{
    /* frame_reserve takes the partial frames at both ends as well; RAM is
     * [0x10000, 0x20000), and `left` is what must still be handed out. */
    static const struct {
        paddr_t start, end;
        struct range left[2];
    } cases[] = {
        {0x12000, 0x13000, {{0x10000, 0x12000}, {0x13000, 0x20000}}},
        {0x12fff, 0x13001, {{0x10000, 0x12000}, {0x14000, 0x20000}}},
        {0x12800, 0x12801, {{0x10000, 0x12000}, {0x13000, 0x20000}}},
        {0x12000, 0x12000, {{0x10000, 0x20000}, {0, 0}}},
        {0x00000, 0x10001, {{0x11000, 0x20000}, {0, 0}}},
        {0x1f001, 0xfffff, {{0x10000, 0x1f000}, {0, 0}}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned n = 0;
        for (int j = 0; j < 2; j++)
            n += (cases[i].left[j].hi - cases[i].left[j].lo) / PAGE_SIZE;
        fresh_allocator();
        frame_add_ram(0x10000, 0x20000);
        frame_reserve(cases[i].start, cases[i].end);
        ck_assert_uint_eq(frame_count_ram(), 16);
        ck_assert_uint_eq(frame_count_free(), n);
        ck_assert_uint_eq(alloc_all(), n);
        assert_handed_out_exactly(cases[i].left, 2);
    }
}
END_TEST

START_TEST(test_reserve_counts_each_frame_once)
{
    /* Reserving a frame twice, reserving memory that is not RAM, and
     * reserving a frame that is already handed out change nothing more. */
    frame_add_ram(0x10000, 0x20000);
    frame_reserve(0x12000, 0x14000);
    ck_assert_uint_eq(frame_count_free(), 14);
    frame_reserve(0x12000, 0x14000);
    frame_reserve(0x13000, 0x15000);
    ck_assert_uint_eq(frame_count_free(), 13);
    frame_reserve(MiB, 2 * MiB);
    ck_assert_uint_eq(frame_count_free(), 13);

    paddr_t pa = alloc_one();
    frame_reserve(pa, pa + PAGE_SIZE);
    ck_assert_uint_eq(frame_count_free(), 12);
    ck_assert_uint_eq(frame_count_ram(), 16);
}
END_TEST

START_TEST(test_frame_zero_never_handed_out)
{
    /* Frame 0 is never RAM, so 0 can mean "no frame". */
    static const struct range rest = {0x1000, 0x8000};

    frame_add_ram(0, 0x1000);
    ck_assert_uint_eq(frame_count_ram(), 0);
    ck_assert_uint_eq(frame_alloc(), 0);

    frame_add_ram(0, 0x8000);
    ck_assert_uint_eq(frame_count_ram(), 7);
    ck_assert_uint_eq(alloc_all(), 7);
    assert_handed_out_exactly(&rest, 1);
}
END_TEST

START_TEST(test_alloc_stays_inside_ram)
{
    /* With RAM in pieces that straddle bitmap words (frames 31..34 cross
     * the first word boundary), every frame comes from one of the pieces. */
    static const struct range ram[] = {
        {0x1f000, 0x23000},
        {0x9f000, 0xa0000},
        {0x100000, 0x140000},
        {0x7ffe000, 0x8002000},
    };
    unsigned n = 0;
    for (int i = 0; i < 4; i++) {
        frame_add_ram(ram[i].lo, ram[i].hi);
        n += (ram[i].hi - ram[i].lo) / PAGE_SIZE;
    }
    ck_assert_uint_eq(frame_count_ram(), n);
    ck_assert_uint_eq(alloc_all(), n);
    assert_handed_out_exactly(ram, 4);
}
END_TEST

START_TEST(test_every_frame_handed_out_once)
{
    /* 8 MiB of RAM gives 2048 distinct frames, then 0 for good. */
    static const struct range ram = {MiB, 9 * MiB};

    frame_add_ram(ram.lo, ram.hi);
    ck_assert_uint_eq(alloc_all(), 2048);
    ck_assert_uint_eq(frame_count_ram(), 2048);
    ck_assert_uint_eq(frame_count_free(), 0);
    assert_handed_out_exactly(&ram, 1);
}
END_TEST

START_TEST(test_whole_physical_map)
{
    /* All 4 GiB offered: every frame from 1 to PHYS_MAP_LIMIT-1 is RAM and
     * is handed out once. */
    static const struct range ram = {PAGE_SIZE, PHYS_MAP_LIMIT};

    frame_add_ram(0, 0xffffffff);
    ck_assert_uint_eq(frame_count_ram(), NFRAMES - 1);
    ck_assert_uint_eq(alloc_all(), NFRAMES - 1);
    assert_handed_out_exactly(&ram, 1);
}
END_TEST

START_TEST(test_ram_beyond_limit_ignored)
{
    /* Only frames below PHYS_MAP_LIMIT can be RAM, whatever the range, and
     * a start so high that rounding it up would wrap adds nothing. */
    static const struct {
        paddr_t start, end;
        unsigned frames;
    } cases[] = {
        {PHYS_MAP_LIMIT, 0x40000000, 0},
        {0xf0000000, 0xffffffff, 0},
        {0xfffff001, 0xffffffff, 0},
        {PHYS_MAP_LIMIT - 16 * PAGE_SIZE, 0x40000000, 16},
        {PHYS_MAP_LIMIT - 1, 0xffffffff, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fresh_allocator();
        frame_add_ram(cases[i].start, cases[i].end);
        ck_assert_uint_eq(frame_count_ram(), cases[i].frames);
        ck_assert_uint_eq(alloc_all(), cases[i].frames);
    }

    /* Reserving up to the top of the address space takes only what is RAM. */
    fresh_allocator();
    frame_add_ram(PHYS_MAP_LIMIT - 16 * PAGE_SIZE, 0xffffffff);
    frame_reserve(PHYS_MAP_LIMIT - PAGE_SIZE, 0xffffffff);
    ck_assert_uint_eq(frame_count_free(), 15);
}
END_TEST

START_TEST(test_overlapping_add_ram)
{
    /* Overlapping or repeated ranges add each frame once. */
    static const struct range ram = {MiB, 5 * MiB / 2};

    frame_add_ram(MiB, 2 * MiB);
    frame_add_ram(3 * MiB / 2, 5 * MiB / 2);
    ck_assert_uint_eq(frame_count_ram(), 384);
    frame_add_ram(MiB, 5 * MiB / 2);
    frame_add_ram(MiB + 0x800, 2 * MiB + 0x800);
    ck_assert_uint_eq(frame_count_ram(), 384);
    ck_assert_uint_eq(frame_count_free(), 384);
    ck_assert_uint_eq(alloc_all(), 384);
    assert_handed_out_exactly(&ram, 1);
}
END_TEST

START_TEST(test_add_ram_again_keeps_used_frames)
{
    /* Adding RAM that is already known must not free its reserved or
     * handed-out frames. */
    static const struct range left[] = {{0x10000, 0x12000}, {0x13000, 0x20000}};

    frame_add_ram(0x10000, 0x20000);
    frame_reserve(0x12000, 0x13000);
    paddr_t pa = alloc_one();
    ck_assert_uint_eq(frame_count_free(), 14);
    frame_add_ram(0x10000, 0x20000);
    ck_assert_uint_eq(frame_count_free(), 14);
    ck_assert_uint_eq(frame_count_ram(), 16);
    ck_assert_uint_eq(alloc_all(), 14);
    ck_assert(handed_out[pa / PAGE_SIZE]);
    assert_handed_out_exactly(left, 2);
}
END_TEST

START_TEST(test_counts_follow_alloc_and_free)
{
    /* free = RAM - reserved - handed out, after every step; RAM never moves. */
    paddr_t held[10];

    frame_add_ram(0x40000, 0x80000);
    frame_reserve(0x40000, 0x44000);
    ck_assert_uint_eq(frame_count_ram(), 64);
    ck_assert_uint_eq(frame_count_free(), 60);
    for (int i = 0; i < 10; i++) {
        held[i] = alloc_one();
        ck_assert_uint_eq(frame_count_free(), 60 - (i + 1));
    }
    for (int i = 0; i < 3; i++) {
        free_one(held[i]);
        ck_assert_uint_eq(frame_count_free(), 50 + (i + 1));
    }
    ck_assert_uint_eq(frame_count_ram(), 64);
}
END_TEST

START_TEST(test_free_makes_frame_allocatable)
{
    /* With everything handed out, a freed frame is the next one handed out,
     * even when it lies below where the last search ended. */
    static const paddr_t victims[] = {0x100000, 0x180000, 0x13f000, 0x100000};

    frame_add_ram(MiB, 2 * MiB);
    alloc_all();
    for (size_t i = 0; i < sizeof victims / sizeof victims[0]; i++) {
        free_one(victims[i]);
        ck_assert_uint_eq(frame_count_free(), 1);
        ck_assert_uint_eq(alloc_one(), victims[i]);
        ck_assert_uint_eq(frame_alloc(), 0);
    }
}
END_TEST

START_TEST(test_double_free_panics)
{
    /* Freeing a frame that is free panics and leaves the counts alone. */
    frame_add_ram(MiB, 2 * MiB);
    paddr_t pa = alloc_one();
    free_one(pa);
    assert_panics(frame_free(pa), "double free");
    ck_assert_uint_eq(frame_count_free(), 256);

    /* A free frame that was never handed out is no different. */
    assert_panics(frame_free(MiB + 0x10000), "double free");
    ck_assert_uint_eq(frame_count_free(), 256);
}
END_TEST

START_TEST(test_free_of_non_frame_panics)
{
    /* frame_free accepts only page-aligned frames of RAM below the limit;
     * anything else panics before changing any state. */
    frame_add_ram(MiB, 2 * MiB);
    frame_add_ram(3 * MiB, 4 * MiB);
    paddr_t pa = alloc_one();
    const paddr_t bad[] = {
        0,                      /* frame 0 is never RAM */
        pa + 1,                 /* not page aligned */
        pa + PAGE_SIZE - 1,
        MiB / 2,                /* below the RAM */
        2 * MiB,                /* in the hole between the two ranges */
        PHYS_MAP_LIMIT,         /* beyond what the allocator manages */
        0xfffff000,
        0xffffffff,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_panics(frame_free(bad[i]), "not a frame of RAM");
        ck_assert_uint_eq(frame_count_free(), 511);
        ck_assert_uint_eq(frame_count_ram(), 512);
    }
    /* pa is still handed out and can be given back normally. */
    free_one(pa);
    ck_assert_uint_eq(frame_count_free(), 512);
}
END_TEST

START_TEST(test_free_of_reserved_frame_panics)
{
    /* A reserved frame (the kernel image, a boot module) was never handed
     * out: giving it "back" would let the allocator hand it out later. */
    frame_add_ram(MiB, 2 * MiB);
    frame_reserve(MiB, MiB + 2 * PAGE_SIZE);
    assert_panics(frame_free(MiB), "not a frame of RAM");
    assert_panics(frame_free(MiB + PAGE_SIZE), "not a frame of RAM");
    ck_assert_uint_eq(frame_count_free(), 254);
    for (paddr_t pa; (pa = frame_alloc()) != 0; )
        ck_assert(pa >= MiB + 2 * PAGE_SIZE);
}
END_TEST

#include "rng.h"

START_TEST(test_random_alloc_free)
{
    /* Random allocations and frees, in phases that lean towards filling and
     * towards emptying memory.  The allocator must never hand out a held,
     * reserved or non-RAM frame, must fail only when memory is full, and
     * must keep its free count equal to usable - held. */
    static const struct range ram[] = {
        {0x1000, 0x9f000},                      /* low memory, 158 frames */
        {MiB, 4 * MiB},                         /* 768 frames */
        {PHYS_MAP_LIMIT - MiB, PHYS_MAP_LIMIT}, /* 256 frames */
    };
    static const struct range kernel = {MiB, 0x181000};    /* 129 frames */
    enum { RAM = 158 + 768 + 256, USABLE = RAM - 129 };
    static paddr_t held[USABLE];
    unsigned nheld = 0, fills = 0;

    for (int i = 0; i < 3; i++)
        frame_add_ram(ram[i].lo, ram[i].hi);
    frame_reserve(MiB, 0x180123);       /* the image ends inside frame 0x180 */
    ck_assert_uint_eq(frame_count_ram(), RAM);
    ck_assert_uint_eq(frame_count_free(), USABLE);

    rng_state = 2463534242u;
    for (int step = 0; step < 40000; step++) {
        unsigned alloc_percent = (step / 4000) % 2 ? 30 : 70;
        if (nheld == 0 || rng() % 100 < alloc_percent) {
            if (nheld == USABLE) {
                require(frame_alloc() == 0, "frame_alloc gave a frame with all of them held");
                fills++;
                continue;
            }
            paddr_t pa = alloc_one();
            int in_ram = 0;
            for (int i = 0; i < 3; i++)
                in_ram |= pa >= ram[i].lo && pa < ram[i].hi;
            require(in_ram, "frame %#x is not RAM", pa);
            require(pa < kernel.lo || pa >= kernel.hi, "frame %#x is reserved", pa);
            held[nheld++] = pa;
        } else {
            unsigned i = rng() % nheld;
            free_one(held[i]);
            held[i] = held[--nheld];
        }
        require(frame_count_free() == USABLE - nheld, "step %d: %u frames free, want %u",
                step, frame_count_free(), USABLE - nheld);
    }
    /* The phases must really have filled memory, or exhaustion went untested. */
    ck_assert_uint_gt(fills, 0);

    while (nheld > 0)
        free_one(held[--nheld]);
    ck_assert_uint_eq(frame_count_free(), USABLE);
    ck_assert_uint_eq(frame_count_ram(), RAM);
}
END_TEST

Suite *frame_suite(void)
{
    Suite *s = suite_create("frame");
    TCase *tc = tcase_create("setup");

    tcase_add_checked_fixture(tc, fresh_allocator, NULL);
    tcase_add_test(tc, test_init_has_no_free_frames);
    tcase_add_test(tc, test_add_ram_rounds_inward);
    tcase_add_test(tc, test_reserve_rounds_outward);
    tcase_add_test(tc, test_reserve_counts_each_frame_once);
    tcase_add_test(tc, test_frame_zero_never_handed_out);
    tcase_add_test(tc, test_ram_beyond_limit_ignored);
    tcase_add_test(tc, test_overlapping_add_ram);
    tcase_add_test(tc, test_add_ram_again_keeps_used_frames);
    suite_add_tcase(s, tc);

    tc = tcase_create("alloc_free");
    tcase_add_checked_fixture(tc, fresh_allocator, NULL);
    tcase_add_test(tc, test_alloc_stays_inside_ram);
    tcase_add_test(tc, test_every_frame_handed_out_once);
    tcase_add_test(tc, test_whole_physical_map);
    tcase_add_test(tc, test_counts_follow_alloc_and_free);
    tcase_add_test(tc, test_free_makes_frame_allocatable);
    tcase_add_test(tc, test_double_free_panics);
    tcase_add_test(tc, test_free_of_non_frame_panics);
    tcase_add_test(tc, test_free_of_reserved_frame_panics);
    tcase_add_test(tc, test_random_alloc_free);
    suite_add_tcase(s, tc);
    return s;
}
