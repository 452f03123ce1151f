/*
 * lab6_fast NONCE SEED: the IPC scenarios of Lab 6's graded test
 * "checks" (grader/lab6.py).
 *
 * One common-case call, which the fast path must take, and four calls
 * that each break one of its conditions, which it must leave to the slow
 * path: a map item, a receiver that waits for another thread, a
 * zero-timeout receive phase, and a ready thread that outranks the
 * receiver.  Each call carries its own label (LABEL + 2k for scenario k),
 * by which the grader's GDB tells, at the slow path's entry (ipc_slow) and
 * at the fast path's switch (fastpath_switch), which path carried
 * which call, and its own marker word in MR1 (seeded(k)), made from SEED.  The results must be the slow path's, whoever
 * did the work: the program folds what every thread received, in the
 * order they received it, into its digest, which the grader works out
 * from SEED alone (grader/lab6.py, expected_words) and reads from this
 * program's memory when it stops the machine.  The success line is
 * "lab6 checks: nonce=NONCE digest=DIGEST ok".
 *
 * Threads (priorities: main 200 above the helper 150 above the servers
 * 100): the server S answers every call with label + 1 and the marker
 * inverted; S2 waits for a message from S, which never comes; the helper
 * H is made ready, not run, just before the last scenario.
 */
#include "ulib.h"

#define STACK_SIZE 4096
#define MAIN_PRIO 200
#define HELPER_PRIO 150
#define SERVER_PRIO 100
/* Scenario n's label is LABEL + 2n, its reply's LABEL + 2n + 1: the
   grader's GDB tells the calls apart by it (fixed, as GDB's conditions are). */
#define LABEL 0x6A0
#define H_RAN 0x4848

static char stacks[3][STACK_SIZE] __attribute__((aligned(16)));
/* The page a map item offers S, whose receive window is nil: nothing lands. */
static char offered[4096] __attribute__((aligned(4096)));
static const char *nonce;
static uint32_t seed;
static l4_tid_t main_tid, server_tid;

/* The marker word of scenario n (the grader computes the same). */
static uint32_t seeded(uint32_t n)
{
    uint32_t x = seed ^ (n * 0x9E3779B9u);
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    return x;
}

/* S: folds each message's label, MR1, untyped and typed counts (and the
   typed words), and answers with label + 1 and MR1 inverted.  A reply
   that finds the caller gone (its receive timed out) is folded too, and
   S waits for the next message from anyone.  MR3 is made non-zero before
   each wait, so that an item the kernel did not rewrite shows. */
static void server(void)
{
    l4_tid_t client;
    l4_set_mr(3, 0xA5A5A5A5u);
    int32_t r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
    for (;;) {
        if (r != 0)
            test_fail("server: receive returned %s", ipc_errstr(r));
        l4_tag_t tag = l4_mr(0);
        test_fold(l4_tag_label(tag));
        test_fold(l4_mr(1));
        test_fold(l4_tag_untyped(tag));
        test_fold(l4_tag_typed(tag));
        if (l4_tag_typed(tag)) {
            test_fold(l4_mr(2));
            test_fold(l4_mr(3));
        }
        l4_set_mr(0, l4_tag_make(l4_tag_label(tag) + 1, 1, 0));
        l4_set_mr(1, ~l4_mr(1));
        l4_set_mr(3, 0xA5A5A5A5u);
        r = l4_reply_wait(client, &client);
        if (r == -L4_ETIMEOUT) {            /* the caller no longer waits */
            test_fold((uint32_t)r);
            l4_set_mr(1, 0);
            r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
        }
    }
}

/* S2: waits for S, which never sends. */
static void bystander(void)
{
    l4_set_mr(1, 0);
    l4_receive(server_tid, L4_TIMEOUT_NEVER, 0);
    test_fail("the bystander received a message it never accepted");
}

/* H: says it ran, then waits for ever. */
static void helper(void)
{
    test_fold(H_RAN);
    l4_set_mr(1, 0);
    l4_receive(server_tid, L4_TIMEOUT_NEVER, 0);
    test_fail("the helper received a message it never accepted");
}

static l4_tid_t start(void (*fn)(void), int slot, unsigned prio)
{
    int32_t t = thread_spawn(fn, stacks[slot], STACK_SIZE);
    if (t < 0)
        test_fail("thread_spawn returned %s", errstr(t));
    int32_t r = l4_schedule((l4_tid_t)t, prio, 0);
    if (r != 0)
        test_fail("l4_schedule(thread, %u, 0) returned %s, expected 0", prio, errstr(r));
    return (l4_tid_t)t;
}

/* Lets the lower threads run until they block (MR1 cleared, so that the
   sleep's IPC carries no marker). */
static void let_run(void)
{
    l4_set_mr(1, 0);
    sleep_ticks(2);
}

/* One IPC to `to` with marker n in MR1 and `typed` words after it. */
static int32_t send_marker(l4_tid_t to, unsigned n, unsigned typed, uint32_t timeouts)
{
    l4_set_mr(0, l4_tag_make(LABEL + 2 * n, 1, typed));
    l4_set_mr(1, seeded(n));
    return l4_ipc(to, to, timeouts, 0);
}

/* A call that must succeed: folds its result, the reply's label and MR1. */
static void call_ok(unsigned n, unsigned typed, const char *what)
{
    int32_t r = send_marker(server_tid, n, typed,
                            l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER));
    if (r != 0)
        test_fail("%s: the call returned %s, expected 0", what, ipc_errstr(r));
    if (l4_tag_label(l4_mr(0)) != LABEL + 2 * n + 1 || l4_mr(1) != ~seeded(n))
        test_fail("%s: the reply was label %#x MR1 %#x, expected label %#x MR1 %#x", what,
                  l4_tag_label(l4_mr(0)), l4_mr(1), LABEL + 2 * n + 1, ~seeded(n));
    test_fold((uint32_t)r);
    test_fold(l4_tag_label(l4_mr(0)));
    test_fold(l4_mr(1));
}

/* A call that must fail with `want`: folds its result. */
static void call_fails(l4_tid_t to, unsigned n, uint32_t timeouts, int32_t want,
                       const char *what)
{
    int32_t r = send_marker(to, n, 0, timeouts);
    if (r != want)
        test_fail("%s: the call returned %s, expected %s", what, ipc_errstr(r),
                  ipc_errstr(want));
    test_fold((uint32_t)r);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        printf("usage: lab6_fast NONCE SEED\n");
        l4_kdb_exit(2);
    }
    nonce = argv[1];
    seed = strtoul(argv[2], NULL, 0);
    test_begin("lab6", "checks");
    test_fold(seed);
    main_tid = l4_myself();
    int32_t r = l4_schedule(main_tid, MAIN_PRIO, 0);
    if (r != 0)
        test_fail("l4_schedule(self, %u, 0) returned %s, expected 0", MAIN_PRIO, errstr(r));
    server_tid = start(server, 0, SERVER_PRIO);
    l4_tid_t s2 = start(bystander, 1, SERVER_PRIO);
    let_run();

    /* 0: the common case, the fast path's. */
    call_ok(0, 0, "a call to a waiting server");
    /* 1: a map item (S's receive window is nil, so the item comes back nil). */
    l4_set_mr(2, L4_ITEM_MAP);
    l4_set_mr(3, l4_fpage((uint32_t)offered, 12, L4_FPAGE_RWX));
    call_ok(1, 2, "a call with a map item");
    /* 2: S2 waits, but for S: the send may not wait (zero send timeout). */
    call_fails(s2, 2, l4_timeouts(L4_TIMEOUT_ZERO, L4_TIMEOUT_NEVER), -L4_ETIMEOUT,
               "a call to a thread that waits for another");
    /* 3: the message reaches S, but the receive phase may not wait. */
    call_fails(server_tid, 3, l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_ZERO),
               -(L4_ETIMEOUT | L4_ERECV), "a call with a zero receive timeout");
    let_run();                          /* S takes it; its reply finds nobody */
    /* 4: H, ready, outranks S: H runs before S takes the message. */
    start(helper, 2, HELPER_PRIO);
    call_ok(4, 0, "a call while a thread above the server is ready");

    printf("lab6 checks: nonce=%s digest=%08x ok\n", nonce, test_digest);
    l4_kdb_exit(0);
}
