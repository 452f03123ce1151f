/*
 * lab4_sched TEST NONCE SEED [P1 P2]: the graded tests of Lab 4's scheduler: fixed
 * priorities, round robin among equals, time slices, SYS_SCHEDULE's
 * checks, and IPC between threads of different priorities.
 *
 * The main thread raises itself to MAIN_PRIO, above every worker, makes
 * the workers (threads of this root task) and gives them their priorities
 * and slices, then sleeps while they run: since it outranks them, its
 * timeout preempts whichever runs, and it judges what they recorded.  All
 * measurements are in timer ticks (l4_clock) and counts, never in time, so
 * that a slow or loaded host changes nothing.  Priorities, slices and
 * durations come from SEED, except the ones the grader gives as P1 and P2
 * (the sleep of preempt, the spinners and slice of round_robin, the two
 * slices of slice) to check the figures the program reports.  Each test
 * ends with "lab4 TEST: nonce=NONCE ... digest=DIGEST ok" (test_digest) and
 * a clean stop, or a line
 * saying what went wrong and status 1.
 *
 *   preempt      a high thread sleeping n ticks preempts a low spinner as
 *                soon as its timeout expires, not when the spinner's
 *                (long) slice ends; and a high thread woken by a message
 *                from a low one runs before the sender's IPC returns,
 *                although the sender neither blocked nor yielded
 *   round_robin  k spinners of one priority share the CPU in turns of
 *                their slice, each about 1/k of it; a spinner one priority
 *                lower gets nothing meanwhile
 *   slice        two spinners of one priority with slices a and b: each
 *                runs its own slice's ticks before the other gets the CPU
 *   sched_perm   bad priority or slice: -L4_EINVAL; a thread that ended:
 *                -L4_ENOPARTNER; a thread of a task that is not a root
 *                task: -L4_EPERM; a good call takes effect at once (a thread
 *                raised above the caller runs before the call returns)
 *   ipc_prio     a low client calls a high server over and over; a middle
 *                thread that wakes up runs ahead of the client (the
 *                server's reply wakes the client, but must not let it run
 *                ahead of the middle thread), and the client carries on
 *                when the middle thread sleeps again
 */
#include "ulib.h"

#define MAIN_PRIO   250
#define STACK_SIZE  4096
#define MAX_SPIN    4           /* round_robin's spinners */
#define MAX_RUNS    64          /* slice: runs recorded per thread */
#define BIG         (4u << 20)  /* this program's 4 MiB slot (user/Makefrag) */

static const char *test_name, *nonce;
static uint32_t rng_state;

/* The digest (test_fold, test_digest in ulib.h) folds SEED (1 for 0),
   then what the test's threads received or the figures it was given; the
   grader works out the same value (grader/lab4_sched.py). */

static char stacks[8][STACK_SIZE] __attribute__((aligned(16)));
static unsigned next_stack;

/* A random number in lo..hi. */
static unsigned pick(unsigned lo, unsigned hi)
{
    return lo + xorshift32(&rng_state) % (hi - lo + 1);
}

/* Starts fn in a new thread with the given priority and slice (0: the
   default slice); returns its ID. */
static l4_tid_t start(void (*fn)(void), unsigned prio, unsigned slice)
{
    if (next_stack == sizeof stacks / sizeof stacks[0])
        test_fail("test bug: out of stacks");
    int32_t t = thread_spawn(fn, stacks[next_stack++], STACK_SIZE);
    if (t < 0)
        test_fail("thread_spawn returned %d", t);
    int32_t r = l4_schedule((l4_tid_t)t, prio, slice);
    if (r != 0)
        test_fail("l4_schedule(thread, %u, %u) returned %d, expected 0", prio, slice, r);
    return (l4_tid_t)t;
}

static void raise_main(void)
{
    int32_t r = l4_schedule(l4_myself(), MAIN_PRIO, 0);
    if (r != 0)
        test_fail("l4_schedule(self, %u, 0) returned %d, expected 0", MAIN_PRIO, r);
}

/* Waits (sleeping, so that the workers run) until *flag is set, for at
   most `limit` ticks. */
static void wait_for(volatile int *flag, unsigned limit, const char *what)
{
    uint32_t t0 = l4_clock();
    while (!*flag) {
        if (l4_clock() - t0 > limit)
            test_fail("%s did not happen within %u ticks", what, limit);
        sleep_ticks(2);
    }
}

/* --- preempt ------------------------------------------------------------ */

static volatile uint32_t low_count;
static volatile int phase, h_ran, low_saw_h, low_done, preempt_done;
static volatile uint32_t a_t0, a_t1, a_c0, a_c1;
static unsigned sleep_n;
static volatile int32_t low_ipc_err, h_rcv_err;
static volatile uint32_t low_got, h_got;
static uint32_t word_to_h, word_to_low;
static l4_tid_t low_tid, high_tid, helper_tid;

/* The low spinner.  In phase 1 it sends to the high thread and, in the
   same system call, receives from the helper, which is already waiting to
   send: the call neither blocks nor yields, so only preemption lets the
   high thread run before it returns. */
static void low_spinner(void)
{
    for (;;) {
        low_count++;
        if (phase == 1) {
            l4_set_mr(0, l4_tag_make(0, 1, 0));
            l4_set_mr(1, word_to_h);
            l4_tid_t from;
            int32_t r = l4_ipc(high_tid, helper_tid,
                               l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), &from);
            low_saw_h = h_ran;
            low_got = l4_mr(1);
            low_ipc_err = r;
            phase = 2;
            low_done = 1;
        }
    }
}

/* Waits to send to the low spinner (it outranks it, so it gets there
   first), then ends. */
static void helper(void)
{
    l4_set_mr(0, l4_tag_make(0, 1, 0));
    l4_set_mr(1, word_to_low);
    l4_send(low_tid, L4_TIMEOUT_NEVER);
}

static void high_sleeper(void)
{
    a_t0 = l4_clock();
    a_c0 = low_count;
    sleep_ticks(sleep_n);
    a_t1 = l4_clock();
    a_c1 = low_count;
    /* Part two: wait for the low spinner's message. */
    phase = 1;
    l4_tid_t from;
    h_rcv_err = l4_receive(low_tid, L4_TIMEOUT_NEVER, &from);
    h_got = l4_mr(1);
    h_ran = 1;
    preempt_done = 1;
}

static void test_preempt(unsigned n)
{
    unsigned lo = pick(1, 90), hi = pick(110, 239);
    word_to_h = xorshift32(&rng_state);
    word_to_low = xorshift32(&rng_state);
    raise_main();
    sleep_n = n;
    /* A long slice for the spinner: without preemption the sleeper would
       wait for its end, far longer than a tick. */
    low_tid = start(low_spinner, lo, 300);
    helper_tid = start(helper, pick(lo + 1, hi - 1), 0);
    high_tid = start(high_sleeper, hi, 0);
    wait_for(&preempt_done, 600, "the high thread's end");
    if (a_c1 == a_c0)
        test_fail("the low spinner did not run while the high thread slept %u ticks", n);
    if (a_t1 - a_t0 > n + 2)
        test_fail("the high thread slept %u ticks but ran again only %u ticks later: its timeout "
                  "did not preempt the low spinner", n, a_t1 - a_t0);
    if (h_rcv_err != 0 || h_got != word_to_h)
        test_fail("the high thread's receive returned %d with word %x, expected 0 and %x",
                  h_rcv_err, h_got, word_to_h);
    wait_for(&low_done, 100, "the end of the low spinner's IPC");
    if (low_ipc_err != 0 || low_got != word_to_low)
        test_fail("the low spinner's send-and-receive returned %d with word %x, expected 0 and %x",
                  low_ipc_err, low_got, word_to_low);
    if (!low_saw_h)
        test_fail("the high thread woken by the low one's message had not run when the low "
                  "one's IPC returned: no preemption on wakeup");
    test_fold(h_got);
    test_fold(low_got);
    printf("lab4 preempt: nonce=%s sleep=%u woke_after=%u digest=%08x ok\n", nonce, n,
           a_t1 - a_t0, test_digest);
    l4_kdb_exit(0);
}

/* --- round_robin ---------------------------------------------------------- */

static volatile int stop;
static volatile uint32_t seen[MAX_SPIN], turns[MAX_SPIN], lower_count;
static unsigned spinner_ids;

/* Counts the distinct ticks it sees, and its turns: a turn begins when the
   clock has moved on by more than a tick since it last looked. */
static void rr_spinner(void)
{
    unsigned me = __atomic_fetch_add(&spinner_ids, 1, __ATOMIC_RELAXED);
    uint32_t last = 0;
    int first = 1;
    while (!stop) {
        uint32_t c = l4_clock();
        if (first || c > last + 1)
            turns[me]++;
        if (first || c != last)
            seen[me]++;
        first = 0;
        last = c;
    }
}

static void lower_spinner(void)
{
    while (!stop)
        lower_count++;
}

static void test_round_robin(unsigned k, unsigned s)
{
    unsigned p = pick(20, 200), r = pick(3, 6);
    unsigned total = k * s * r;
    raise_main();
    for (unsigned i = 0; i < k; i++)
        start(rr_spinner, p, s);
    /* The lower spinner shares the spinners' 32-priority word of the ready
       bitmap when it can, so that a pick taking the wrong bit of the right
       word is caught too. */
    start(lower_spinner, p % 32 ? pick(p - p % 32, p - 1) : pick(1, p - 1), 0);
    sleep_ticks(total);
    uint32_t snap[MAX_SPIN], snap_turns[MAX_SPIN], low = lower_count, sum = 0;
    for (unsigned i = 0; i < k; i++) {
        snap[i] = seen[i];
        snap_turns[i] = turns[i];
        sum += snap[i];
    }
    stop = 1;
    if (low != 0)
        test_fail("the thread one priority below the spinners ran (count %u) while they were ready",
                  low);
    unsigned ran = __atomic_load_n(&spinner_ids, __ATOMIC_RELAXED);
    if (ran != k)
        test_fail("only %u of the %u spinners ever ran in %u ticks", ran, k, total);
    unsigned fair = total / k;
    for (unsigned i = 0; i < k; i++) {
        if (snap[i] + s + 3 < fair || snap[i] > fair + s + 3)
            test_fail("spinner %u saw %u of %u ticks; a fair share is %u (slice %u, %u spinners)",
                      i, snap[i], sum, fair, s, k);
        if (snap_turns[i] + 1 < r)
            test_fail("spinner %u had %u turns in %u ticks; with slices of %u among %u it should "
                      "have about %u", i, snap_turns[i], total, s, k, r);
    }
    test_fold(k);
    test_fold(s);
    test_fold(total);
    printf("lab4 round_robin: nonce=%s spinners=%u slice=%u ticks=%u digest=%08x ok\n", nonce, k,
           s, total, test_digest);
    l4_kdb_exit(0);
}

/* --- slice -------------------------------------------------------------- */

struct runs {
    uint32_t len[MAX_RUNS];
    unsigned n;
};
static struct runs runs_a, runs_b;

/* Records the length in ticks of each of its runs: consecutive clock
   values it saw without a gap. */
static void record_runs(struct runs *rs)
{
    uint32_t start = l4_clock(), last = start;
    while (!stop) {
        uint32_t c = l4_clock();
        if (c > last + 1) {
            if (rs->n < MAX_RUNS)
                rs->len[rs->n++] = last - start + 1;
            start = c;
        }
        last = c;
    }
}

static void slice_a(void) { record_runs(&runs_a); }
static void slice_b(void) { record_runs(&runs_b); }

/* The median of a thread's complete runs (its last one was cut short). */
static uint32_t median(struct runs *rs, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && rs->len[j - 1] > rs->len[j]; j--) {
            uint32_t t = rs->len[j];
            rs->len[j] = rs->len[j - 1];
            rs->len[j - 1] = t;
        }
    return rs->len[n / 2];
}

static void test_slice(unsigned a, unsigned b)
{
    unsigned p = pick(20, 200);
    unsigned total = 5 * (a + b) + a;
    raise_main();
    start(slice_a, p, a);
    start(slice_b, p, b);
    sleep_ticks(total);
    unsigned na = runs_a.n, nb = runs_b.n;
    stop = 1;
    if (na < 3 || nb < 3)
        test_fail("in %u ticks the threads with slices %u and %u had %u and %u complete runs, "
                  "expected at least 3 each: do they take turns?", total, a, b, na, nb);
    uint32_t ma = median(&runs_a, na), mb = median(&runs_b, nb);
    if (ma + 1 < a || ma > a + 1 || mb + 1 < b || mb > b + 1)
        test_fail("the threads with slices %u and %u ran for %u and %u ticks at a time (medians)",
                  a, b, ma, mb);
    test_fold(a);
    test_fold(b);
    test_fold(total);
    printf("lab4 slice: nonce=%s runs=%u,%u digest=%08x ok\n", nonce, ma, mb, test_digest);
    l4_kdb_exit(0);
}

/* --- sched_perm ----------------------------------------------------------- */

static volatile l4_tid_t task_parent;
static volatile int raised_ran;
static char task_stack[STACK_SIZE] __attribute__((aligned(16)));

/* Runs in a new task (not a root task), on this program's pages mapped to
   it: both of its calls must be refused. */
static void task_main(void)
{
    int32_t self = l4_schedule(l4_myself(), MAIN_PRIO, 0);
    int32_t other = l4_schedule(task_parent, 1, 5);
    l4_set_mr(0, l4_tag_make(0, 2, 0));
    l4_set_mr(1, (uint32_t)self);
    l4_set_mr(2, (uint32_t)other);
    l4_send(task_parent, L4_TIMEOUT_NEVER);
    l4_thread_exit(0);
}

static void ends_at_once(void)
{
}

static void raised(void)
{
    raised_ran = 1;
}

static void expect(int32_t got, int32_t want, const char *call)
{
    if (got != want)
        test_fail("%s returned %d, expected %d", call, got, want);
    test_fold((uint32_t)got);
}

static void test_perm(void)
{
    l4_tid_t me = l4_myself();
    expect(l4_schedule(me, L4_PRIO_MAX + pick(1, 1000), 0), -L4_EINVAL,
           "l4_schedule(self, a priority above L4_PRIO_MAX, 0)");
    expect(l4_schedule(me, 0x80000000u | pick(0, 255), 0), -L4_EINVAL,
           "l4_schedule(self, a huge priority, 0)");
    expect(l4_schedule(me, L4_PRIO_DEFAULT, 0x40000000u + pick(0, 1000)), -L4_EINVAL,
           "l4_schedule(self, L4_PRIO_DEFAULT, an absurd slice)");
    expect(l4_schedule(L4_NILTHREAD, L4_PRIO_DEFAULT, 0), -L4_ENOPARTNER,
           "l4_schedule(L4_NILTHREAD, ...)");
    int32_t gone = thread_spawn(ends_at_once, stacks[next_stack++], STACK_SIZE);
    if (gone < 0)
        test_fail("thread_spawn returned %d", gone);
    sleep_ticks(2);                     /* it runs and ends meanwhile */
    expect(l4_schedule((l4_tid_t)gone, L4_PRIO_DEFAULT, 0), -L4_ENOPARTNER,
           "l4_schedule(a thread that ended, ...)");

    /* A task that is not a root task may not schedule anyone.  It runs on
       our code and data: the 4 MiB slot this program lives in. */
    uint32_t slot = (uint32_t)task_main & ~(BIG - 1);
    if (((uint32_t)task_stack & ~(BIG - 1)) != slot)
        test_fail("test bug: the program outgrew its 4 MiB slot");
    task_parent = me;
    int32_t child = l4_task_create(task_main, task_stack + STACK_SIZE);
    if (child < 0)
        test_fail("l4_task_create returned %d", child);
    l4_set_mr(0, l4_tag_make(0, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, slot));
    l4_set_mr(2, l4_fpage(slot, 22, L4_FPAGE_RWX));
    expect(l4_send((l4_tid_t)child, L4_TIMEOUT_NEVER), 0, "the map message to the new task");
    expect(l4_receive((l4_tid_t)child, 200, 0), 0, "waiting for the new task's answer");
    expect((int32_t)l4_mr(1), -L4_EPERM, "the new task's l4_schedule(itself, ...)");
    expect((int32_t)l4_mr(2), -L4_EPERM, "the new task's l4_schedule(its creator, ...)");

    /* A good call takes effect at once: a thread raised above us runs
       before our system call returns. */
    unsigned mine = pick(100, 200);
    expect(l4_schedule(me, mine, 0), 0, "l4_schedule(self, ...)");
    int32_t t = thread_spawn(raised, stacks[next_stack++], STACK_SIZE);
    if (t < 0)
        test_fail("thread_spawn returned %d", t);
    expect(l4_schedule((l4_tid_t)t, mine - pick(1, 50), 0), 0, "l4_schedule(a new thread, lower)");
    if (raised_ran)
        test_fail("a thread of a lower priority than the caller ran while the caller was ready");
    expect(l4_schedule((l4_tid_t)t, pick(mine + 1, L4_PRIO_MAX), 0), 0,
           "l4_schedule(that thread, above the caller)");
    if (!raised_ran)
        test_fail("a thread raised above the caller had not run when l4_schedule returned");
    printf("lab4 sched_perm: nonce=%s digest=%08x ok\n", nonce, test_digest);
    l4_kdb_exit(0);
}

/* --- ipc_prio -------------------------------------------------------------- */

static volatile uint32_t rounds, bad_replies;
static volatile uint32_t m_r0, m_r1, m_r2, m_woke, m_slept;
static volatile int mid_done;
static unsigned mid_sleep, mid_spin;
static l4_tid_t server_tid;

/* The high server: answers word + 1, but first spins into the next tick,
   so that the middle thread's timeout often expires while it works. */
static void server(void)
{
    l4_tid_t client;
    if (l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client) != 0)
        return;
    for (;;) {
        uint32_t c = l4_clock();
        while (l4_clock() == c)
            ;
        l4_set_mr(0, l4_tag_make(0, 1, 0));
        l4_set_mr(1, l4_mr(1) + 1);
        if (l4_reply_wait(client, &client) != 0)
            return;
    }
}

static void client(void)
{
    for (uint32_t i = 0;; i++) {
        l4_set_mr(0, l4_tag_make(0, 1, 0));
        l4_set_mr(1, i);
        if (l4_call(server_tid) != 0 || l4_mr(1) != i + 1)
            bad_replies++;
        rounds++;
    }
}

/* The middle thread: wakes up while the client and server work, spins for
   a few ticks (the client must not run meanwhile), sleeps again (the
   client must carry on). */
static void middle(void)
{
    m_slept = l4_clock();
    sleep_ticks(mid_sleep);
    m_woke = l4_clock();
    m_r0 = rounds;
    while (l4_clock() - m_woke < mid_spin)
        ;
    m_r1 = rounds;
    sleep_ticks(4);
    m_r2 = rounds;
    mid_done = 1;
}

static void test_ipc_prio(void)
{
    unsigned lo = pick(1, 60), mid = pick(70, 130), hi = pick(140, 240);
    mid_sleep = pick(4, 10);
    mid_spin = pick(3, 6);
    raise_main();
    server_tid = start(server, hi, 0);
    start(client, lo, 0);
    start(middle, mid, 0);
    wait_for(&mid_done, 300, "the middle thread's end");
    if (bad_replies)
        test_fail("%u of the client's %u calls to the server failed or got a wrong answer",
                  bad_replies, rounds);
    if (m_r0 == 0)
        test_fail("the client made no call while the middle thread slept");
    if (m_woke - m_slept > mid_sleep + 3)
        test_fail("the middle thread slept %u ticks but ran again only %u ticks later",
                  mid_sleep, m_woke - m_slept);
    if (m_r1 != m_r0)
        test_fail("the low client made %u calls while the middle thread spun for %u ticks",
                  m_r1 - m_r0, mid_spin);
    if (m_r2 == m_r1)
        test_fail("the client made no call while the middle thread slept again: "
                  "it did not carry on after the server's reply");
    test_fold(bad_replies);
    test_fold(mid_sleep);
    test_fold(mid_spin);
    printf("lab4 ipc_prio: nonce=%s digest=%08x ok\n", nonce, test_digest);
    l4_kdb_exit(0);
}

int main(int argc, char **argv)
{
    test_name = argc > 1 ? argv[1] : "?";
    test_begin("lab4", test_name);
    nonce = argc > 2 ? argv[2] : "-";
    rng_state = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 1;
    if (rng_state == 0)
        rng_state = 1;
    test_fold(rng_state);
    unsigned p1 = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 0) : 0;
    unsigned p2 = argc > 5 ? (unsigned)strtoul(argv[5], NULL, 0) : 0;
    if (strcmp(test_name, "preempt") == 0)
        test_preempt(p1 ? p1 : pick(3, 12));
    else if (strcmp(test_name, "round_robin") == 0)
        test_round_robin(p1 >= 2 && p1 <= MAX_SPIN ? p1 : pick(2, MAX_SPIN), p2 ? p2 : pick(2, 5));
    else if (strcmp(test_name, "slice") == 0)
        test_slice(p1 ? p1 : pick(2, 6), p2 ? p2 : pick(13, 20));
    else if (strcmp(test_name, "sched_perm") == 0)
        test_perm();
    else if (strcmp(test_name, "ipc_prio") == 0)
        test_ipc_prio();
    test_fail("unknown test (preempt, round_robin, slice, sched_perm, ipc_prio)");
}
