/*
 * sec_quota NONCE: one task can use up only its own share of kernel memory
 * (docs/abi.md, "Kernel memory: who pays").
 *
 * Every 4 MiB region of a space that holds a page costs the kernel a page
 * table and a shadow table.  This root task creates TASKS tasks and maps
 * one page of its own into each, one page per region, at up to WANT
 * regions: without a quota, that is 2 * WANT frames of kernel memory per
 * task, and all the tasks together take more than the machine has (the
 * attack of issue 11).  With the quota, each task takes exactly
 * SHARE_REGIONS regions (two of which it had already: the program's and
 * the UTCB's), and the kernel refuses the rest: their items land
 * L4_NILPAGE.  Then:
 *   - unmapping the page from every task and mapping it into a full task
 *     again, at other regions, works (emptied tables are credited back);
 *   - a full task can end (the kernel checks that its space gives back
 *     every table it was charged for);
 *   - a new thread and a new task can be created, and a page mapped into a
 *     fresh region of the new task is read there (the kernel still has
 *     memory for everybody else).
 * Needs Lab 2 (map items): the grader runs it on the Lab 2 reference
 * (grader/systests.py, test_quota).  Prints "sec_quota: nonce=NONCE ok"
 * and stops the machine with status 0, or a FAIL line and status 1.
 */
#include "ulib.h"

#define PAGE 4096u
#define REGION 0x400000u
#define TASKS 40                    /* 40 * 448 regions * 8 KiB > the machine's 128 MiB */
#define WANT 448                    /* regions asked for, from FIRST */
#define FIRST 0x10000000u           /* nothing of the program lies in FIRST..2 GiB */
#define AGAIN 0x50000000u           /* where the second round maps (FIRST + 256 regions) */
#define SHARE_REGIONS 16            /* docs/abi.md: 16 regions (32 frames of tables) */
#define HAD_REGIONS 2               /* a new task's program region and UTCB region */
#define ITEMS 31                    /* map items per message: 1 + 2 * 31 MRs */
#define STACK_WORDS 256
#define RWX L4_FPAGE_RWX
#define RW (L4_FPAGE_R | L4_FPAGE_W)

enum { REQ_COUNT = 1, REQ_READ, REQ_EXIT };

/* The page every task receives, and the new tasks' stacks.  Everything of
   the program is in its first 4 MiB region (checked in main), which the
   new tasks receive in their first message. */
static uint32_t page[PAGE / 4] __attribute__((aligned(PAGE)));
static uint32_t stacks[TASKS + 1][STACK_WORDS] __attribute__((aligned(16)));
static volatile l4_tid_t root;
static volatile int spawned;
static uint32_t spawn_stack[STACK_WORDS] __attribute__((aligned(16)));

/* A new task's thread: counts the items that landed in each message
   (REQ_COUNT), or reads a word of its space (REQ_READ), and answers; or
   ends (REQ_EXIT), and its space with it. */
static void task_main(void)
{
    l4_tid_t from;
    l4_utcb()->rcv_window = l4_fpage(0, 31, RWX);
    int32_t r = l4_receive(root, L4_TIMEOUT_NEVER, &from);
    for (;;) {
        uint32_t tag = l4_mr(0), out = 0;
        if (l4_tag_label(tag) == REQ_EXIT)
            l4_thread_exit(0);
        if (l4_tag_label(tag) == REQ_READ) {
            out = *(volatile uint32_t *)l4_mr(1);
        } else {
            unsigned first = 1 + l4_tag_untyped(tag);
            for (unsigned i = 0; i + 1 < l4_tag_typed(tag); i += 2)
                out += l4_mr(first + i + 1) != L4_NILPAGE;
        }
        l4_set_mr(0, l4_tag_make(0, 2, 0));
        l4_set_mr(1, out);
        l4_set_mr(2, (uint32_t)r);
        r = l4_reply_wait(root, &from);
    }
}

/* A new task, given the program's region: its thread runs task_main on
   stacks[k]. */
static l4_tid_t new_task(unsigned k, unsigned made)
{
    int32_t t = l4_task_create(task_main, stacks[k] + STACK_WORDS);
    if (t < 0)
        test_fail("l4_task_create for task %u returned %d, after %u tasks took their share: "
                  "kernel memory ran out for everybody (page tables charged to nobody?)",
                  k + 1, t, made);
    uint32_t base = (uint32_t)task_main & ~(REGION - 1);
    l4_set_mr(0, l4_tag_make(0, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, base));
    l4_set_mr(2, l4_fpage(base, 22, RWX));
    int32_t r = l4_send((l4_tid_t)t, L4_TIMEOUT_NEVER);
    if (r != 0)
        test_fail("the first message to task %u returned %d", k + 1, r);
    return (l4_tid_t)t;
}

/* Maps the page into regions [from, from + n) of task t, in one message;
   returns how many landed (the task counts them). */
static unsigned map_batch(l4_tid_t t, uint32_t from, unsigned n)
{
    l4_set_mr(0, l4_tag_make(REQ_COUNT, 0, 2 * n));
    for (unsigned i = 0; i < n; i++) {
        l4_set_mr(1 + 2 * i, l4_item_word0(L4_ITEM_MAP, from + i * REGION));
        l4_set_mr(2 + 2 * i, l4_fpage((uint32_t)page, 12, RW));
    }
    int32_t r = l4_call(t);
    if (r != 0 || l4_mr(2) != 0)
        test_fail("a map message to task %x returned %d (the task's receive: %d)", t, r,
                  (int32_t)l4_mr(2));
    return l4_mr(1);
}

/* Maps the page into up to WANT regions of t from `from`, until the kernel
   refuses one; returns how many regions took it. */
static unsigned fill(l4_tid_t t, uint32_t from)
{
    unsigned got = 0;
    for (unsigned done = 0; done < WANT; done += ITEMS) {
        unsigned n = WANT - done < ITEMS ? WANT - done : ITEMS;
        unsigned landed = map_batch(t, from + done * REGION, n);
        got += landed;
        if (landed < n)
            break;
    }
    return got;
}

static uint32_t read_in(l4_tid_t t, uint32_t va)
{
    l4_set_mr(0, l4_tag_make(REQ_READ, 1, 0));
    l4_set_mr(1, va);
    int32_t r = l4_call(t);
    if (r != 0)
        test_fail("asking the new task to read %x returned %d (did it fault?)", va, r);
    return l4_mr(1);
}

static void spawned_main(void)
{
    spawned = 1;
}

int main(int argc, char **argv)
{
    test_begin("sec_quota", "share");
    if (argc < 2)
        test_fail("usage: sec_quota NONCE");
    uint32_t base = (uint32_t)task_main & ~(REGION - 1);
    if (((uint32_t)&stacks[TASKS][STACK_WORDS - 1] & ~(REGION - 1)) != base ||
        ((uint32_t)page & ~(REGION - 1)) != base)
        test_fail("the program does not fit in one 4 MiB region: move it or shrink it");
    root = l4_myself();
    for (const char *c = argv[1]; *c; c++)
        page[0] = page[0] * 31 + (uint8_t)*c;     /* what the last task must read */

    /* Each task takes its share, and not a region more. */
    const unsigned expect = SHARE_REGIONS - HAD_REGIONS;
    l4_tid_t tasks[TASKS];
    for (unsigned k = 0; k < TASKS; k++) {
        tasks[k] = new_task(k, k);
        unsigned got = fill(tasks[k], FIRST);
        if (got != expect)
            test_fail("task %u ended up with pages in %u regions of 4 MiB, expected exactly %u, "
                      "its share: every region costs the kernel a page table and a shadow "
                      "table, charged to the task, and the kernel must refuse the rest",
                      k + 1, got + HAD_REGIONS, SHARE_REGIONS);
    }
    printf("sec_quota: %u tasks, each refused after %u regions of %u asked\n", TASKS,
           SHARE_REGIONS, WANT + HAD_REGIONS);

    /* Taking the pages back empties the tables; the next mappings into a
       full task, elsewhere, are paid with them. */
    int32_t r = l4_unmap(l4_fpage((uint32_t)page, 12, RWX), 0);
    if (r != 0)
        test_fail("l4_unmap of the page returned %d", r);
    unsigned again = fill(tasks[0], AGAIN);
    if (again != expect)
        test_fail("after the page was unmapped from task 1, mapping it again at other regions "
                  "landed in %u, expected %u: emptied page tables must be credited back",
                  again, expect);

    /* A full task ends: its space goes, tables and all. */
    l4_set_mr(0, l4_tag_make(REQ_EXIT, 0, 0));
    if ((r = l4_send(tasks[1], L4_TIMEOUT_NEVER)) != 0)
        test_fail("asking task 2 to end returned %d", r);

    /* Everybody else still gets kernel memory. */
    if (thread_spawn(spawned_main, spawn_stack, sizeof spawn_stack) < 0)
        test_fail("a new thread of the root task could not be created");
    l4_tid_t last = new_task(TASKS, TASKS);
    uint32_t fresh = 0x7F000000u;
    if (map_batch(last, fresh, 1) != 1)
        test_fail("the page could not be mapped into a fresh region of a new task");
    uint32_t seen = read_in(last, fresh);
    if (seen != page[0])
        test_fail("the new task read %x at %x, expected %x", seen, fresh, page[0]);
    for (unsigned i = 0; i < 100 && !spawned; i++)
        sleep_ticks(1);
    if (!spawned)
        test_fail("the new thread of the root task never ran");
    printf("sec_quota: nonce=%s ok\n", argv[1]);
    l4_kdb_exit(0);
}
