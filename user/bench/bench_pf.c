/*
 * bench_pf RUNS UNIT NONCE: measures pf.user_pager, one page fault resolved
 * by a user-level pager, user to user (Lab 3).  Boot it after sigma0:
 *     make qemu RUN="sigma0,bench_pf 64 instructions x" ICOUNT=1
 *
 * The main thread starts the pager library's server thread (user/pager/)
 * and has it spawn a task that runs measure() with a demand-zero region of
 * RUNS pages.  That task writes to every page once (a fault each, and a
 * zeroed frame from the pager: not measured), asks the pager to flush the
 * region (the task loses the pages, the pager keeps the frames and their
 * contents), and then reads one word of each page again, each read
 * bracketed by rdtsc.  Each of those reads is one fault: the kernel's
 * fault IPC to the pager, the pager's lookup, a reply carrying a map item
 * of the frame the page already has, and the read again.  Nothing is
 * zeroed or copied.  The figure is the mean of the RUNS samples less an
 * empty measurement: instructions under -icount shift=0, the same on
 * every run.  Set it beside ipc.rtt.inter_space (Lab 2): a fault costs
 * about one IPC round trip plus the mapping.
 *
 * The measuring task sends the figure, and the pager's count of faults in
 * the region (PG_STATS), to the main thread, which checks that count: one
 * fault per write and one per read, 2 * RUNS.
 *
 * Output: BENCH pf.user_pager value=<n> unit=<UNIT> runs=<RUNS>
 */
#include "ulib.h"
#include "pager.h"

#define PAGE 4096u
#define REGION_BASE 0x20000000u     /* in the measuring task's space: nothing else is there */
#define MAX_RUNS 2048               /* the pager holds at most PG_MAX_FRAMES (4096) frames */

static char pager_stack[8192] __attribute__((aligned(16)));

/* Set by main before the spawn; the task's copy of the page that holds
   them is made when it first touches it, so it sees these values. */
static l4_tid_t parent, pager;

/* The measuring task's answer to main: ok (1 or 0), the figure, the
   region's fault count. */
static void report(uint32_t ok, uint32_t value, uint32_t faults)
{
    l4_set_mr(0, l4_tag_make(0, 3, 0));
    l4_set_mr(1, ok);
    l4_set_mr(2, value);
    l4_set_mr(3, faults);
    l4_send(parent, L4_TIMEOUT_NEVER);
}

/* Writes i + 1 to the first word of each page (the first touch). */
static int first_touch(unsigned runs)
{
    for (unsigned i = 0; i < runs; i++) {
        volatile uint32_t *p = (volatile uint32_t *)(REGION_BASE + i * PAGE);
        if (*p != 0) {
            printf("bench_pf: page %u of the region did not read zero on its first touch "
                   "(%x)\n", i, *p);
            return 0;
        }
        *p = i + 1;
    }
    return 1;
}

/* The mean cost of a read that faults on each flushed page, less an empty
   measurement; 0 with a message if a page lost its contents. */
static uint32_t measure_retouch(unsigned runs)
{
    uint64_t t0 = rdtsc(), t1 = rdtsc();
    uint64_t overhead = t1 - t0, sum = 0;
    for (unsigned i = 0; i < runs; i++) {
        volatile uint32_t *p = (volatile uint32_t *)(REGION_BASE + i * PAGE);
        t0 = rdtsc();
        uint32_t v = *p;
        t1 = rdtsc();
        if (v != i + 1) {
            printf("bench_pf: page %u read %u after the flush, expected %u: the pager must "
                   "map the frame the page already has\n", i, v, i + 1);
            return 0;
        }
        sum += t1 - t0;
    }
    return (uint32_t)(sum / runs - overhead);
}

/* The region's steps; the figure, or 0 after a message. */
static uint32_t run(l4_tid_t me, uint32_t runs)
{
    int32_t err = pager_region(pager, me, REGION_BASE, runs * PAGE, L4_FPAGE_RW);
    if (err < 0) {
        printf("bench_pf: PG_REGION of %u pages at %p failed: %d\n", runs,
               (void *)REGION_BASE, err);
        return 0;
    }
    if (!first_touch(runs))
        return 0;
    err = pager_flush(pager, me, REGION_BASE, runs * PAGE);
    if (err != (int32_t)runs) {
        printf("bench_pf: PG_FLUSH returned %d, expected %u (pages unmapped)\n", err, runs);
        return 0;
    }
    return measure_retouch(runs);
}

/* The spawned task. */
static void measure(uint32_t runs)
{
    l4_tid_t me = l4_myself();
    uint32_t value = run(me, runs);
    struct pager_stats st = {0};
    int32_t err = pager_stats(pager, me, REGION_BASE, &st);
    if (err < 0)
        printf("bench_pf: PG_STATS failed: %d\n", err);
    report(value != 0 && err == 0, value, st.faults);
}

int main(int argc, char **argv)
{
    test_begin("bench_pf", NULL);
    unsigned runs = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
    const char *unit = argc > 2 ? argv[2] : "cycles";
    const char *nonce = argc > 3 ? argv[3] : "-";
    if (runs == 0)
        runs = 1;
    if (runs > MAX_RUNS)
        test_fail("at most %u runs (pages), not %u", MAX_RUNS, runs);

    printf("bench_pf: nonce=%s runs=%u\n", nonce, runs);
    parent = l4_myself();
    if (parent == l4_boot_tid(0))
        test_fail("boot sigma0 first: 'sigma0' 'bench_pf RUNS UNIT NONCE'");
    int32_t r = pager_start(l4_boot_tid(0), pager_stack, sizeof pager_stack);
    if (r < 0)
        test_fail("cannot start the pager thread: %d", r);
    pager = (l4_tid_t)r;
    int32_t task = pager_spawn(pager, measure, runs);
    if (task < 0)
        test_fail("the pager could not spawn the measuring task: %d", task);

    r = l4_receive((l4_tid_t)task, L4_TIMEOUT_NEVER, NULL);
    if (r < 0)
        test_fail("the measuring task (thread %u) ended without a report (%d): see the pager's "
                  "and the kernel's messages above", l4_tid_number((l4_tid_t)task), r);
    if (l4_mr(1) != 1)
        test_fail("the measuring task failed (see its message above)");
    uint32_t value = l4_mr(2), faults = l4_mr(3);
    printf("bench_pf: the pager served %u faults in the region\n", faults);
    if (faults != 2 * runs)
        test_fail("expected %u faults: one for each page's first write, one for each read after "
                  "the flush", 2 * runs);
    printf("BENCH pf.user_pager value=%u unit=%s runs=%u\n", value, unit, runs);
    l4_kdb_exit(0);
}
