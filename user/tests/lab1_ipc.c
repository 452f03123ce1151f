/*
 * lab1_ipc TEST NONCE [PARAMS...]: the graded tests of Lab 1 (IPC).
 *
 * The program is a root task: it creates its worker threads in its own
 * address space and checks what the kernel's IPC does.  Each test ends
 * with one line "lab1 TEST: nonce=NONCE ... digest=DIGEST ok" and a clean
 * stop of the machine, or a line saying what went wrong and status 1.  The
 * grader passes a fresh nonce and random parameters on every run; SEED, the
 * last parameter of every test, makes the message contents.
 *
 * DIGEST folds, in a fixed order, what the program received and checked
 * (message words, labels, lengths, the kernel's error codes): 32-bit FNV-1a
 * over SEED and then each word (test_fold()).  The grader works out the same
 * value from the parameters alone (grader/lab1.py), and reads test_digest
 * from this program's memory through GDB when the program stops the
 * machine: a kernel that prints the success line without the IPC having
 * happened would have to re-create all of it.
 *
 *   pingpong N SEED      N calls with random payloads of 0..63 words, answered reversed
 *   receive_any N SEED   N threads send; a receive from any names each sender right
 *   many_clients N C SEED  N clients make C calls each to one reply-and-wait server
 *   call_atomic SEED     a reply reaches the caller although another thread sends to it
 *   zero_timeout SEED    zero timeouts fail at once without a partner, succeed with one
 *   timeouts T SEED      send, receive and call timeouts of T ticks expire after T ticks,
 *                        not before, and a timed-out sender leaves the queue
 *   bad_tid X SEED       nil, any, unknown (X), stale (also after reuse) and dying
 *                        partners give errors
 *   msg_len SEED         oversized and malformed tags are refused; 63 words arrive
 *   fairness L SEED      a thread busy for L loops finishes while two others ping-pong
 */
#include "ulib.h"

#define STACK_SIZE 4096
#define MAX_WORKERS 8

static char stacks[MAX_WORKERS][STACK_SIZE] __attribute__((aligned(16)));
static int nstacks;
static const char *test_name, *nonce;
static l4_tid_t main_tid;
static uint32_t seed;

/* A word derived from the seed: the n-th payload of a test. */
static uint32_t seeded(uint32_t n)
{
    uint32_t x = seed ^ (n * 0x9E3779B9u);
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    return x;
}

static __attribute__((noreturn)) void pass(const char *detail)
{
    printf("lab1 %s: nonce=%s %sdigest=%08x ok\n", test_name, nonce, detail, test_digest);
    l4_kdb_exit(0);
}

static l4_tid_t spawn(void (*fn)(void))
{
    if (nstacks == MAX_WORKERS)
        test_fail("test bug: too many threads");
    int32_t tid = thread_spawn(fn, stacks[nstacks++], STACK_SIZE);
    if (tid < 0)
        test_fail("l4_thread_create returned %s", errstr(tid));
    return (l4_tid_t)tid;
}

static uint32_t rng_state;

static uint32_t rng(void)
{
    return xorshift32(&rng_state);
}

/* what: the IPC, in words; r: its result, whose error names the phase. */
static void expect_ok(int32_t r, const char *what)
{
    if (r != 0)
        test_fail("%s returned %s, expected 0", what, ipc_errstr(r));
}

/* Sets the tag and the untyped words of the next message. */
static void set_msg(uint32_t label, unsigned u, const uint32_t *words)
{
    l4_set_mr(0, l4_tag_make(label, u, 0));
    for (unsigned i = 0; i < u; i++)
        l4_set_mr(1 + i, words[i]);
}

/* --- pingpong --- */

static volatile l4_tid_t server_tid;

/* Answers every call with the words reversed and the label plus one. */
static void reverse_server(void)
{
    l4_tid_t client;
    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client), "the server's first receive");
    for (;;) {
        uint32_t tag = l4_mr(0), words[64];
        unsigned u = l4_tag_untyped(tag);
        for (unsigned i = 0; i < u; i++)
            words[i] = l4_mr(1 + i);
        uint32_t rev[64];
        for (unsigned i = 0; i < u; i++)
            rev[i] = words[u - 1 - i];
        set_msg(l4_tag_label(tag) + 1, u, rev);
        /* Its send phase is the reply (to a client that must be waiting
           for it), its receive phase the next call. */
        expect_ok(l4_reply_wait(client, &client), "the server's reply-and-wait (l4_reply_wait)");
    }
}

static void test_pingpong(unsigned rounds, uint32_t seed)
{
    rng_state = seed | 1;
    server_tid = spawn(reverse_server);
    for (unsigned n = 0; n < rounds; n++) {
        unsigned u = rng() % 64;
        uint32_t label = rng() & 0x7FFF, words[64];
        for (unsigned i = 0; i < u; i++)
            words[i] = rng();
        set_msg(label, u, words);
        expect_ok(l4_call(server_tid), "l4_call");
        uint32_t tag = l4_mr(0);
        if (l4_tag_label(tag) != label + 1 || l4_tag_untyped(tag) != u)
            test_fail("round %u: reply tag %x, expected label %x with %u words", n, tag,
                      label + 1, u);
        for (unsigned i = 0; i < u; i++)
            if (l4_mr(1 + i) != words[u - 1 - i])
                test_fail("round %u: word %u of the reply is %x, expected %x", n, i + 1,
                          l4_mr(1 + i), words[u - 1 - i]);
        test_fold(l4_tag_label(tag));
        test_fold(u);
        for (unsigned i = 0; i < u; i++)
            test_fold(l4_mr(1 + i));
    }
    char detail[32];
    fmt_snprintf(detail, sizeof detail, "rounds=%u ", rounds);
    pass(detail);
}

/* --- receive_any --- */

/* Threads that need a number of their own take the next one. */
static volatile uint32_t next_index;

static uint32_t take_index(void)
{
    return __atomic_fetch_add(&next_index, 1, __ATOMIC_SEQ_CST);
}

/* Sends a word made from the seed and the sender's own ID. */
static void send_own_id(void)
{
    l4_set_mr(0, l4_tag_make(7, 2, 0));
    l4_set_mr(1, seeded(100 + take_index()));
    l4_set_mr(2, l4_myself());
    expect_ok(l4_send(main_tid, L4_TIMEOUT_NEVER), "client send");
}

static void test_receive_any(unsigned n)
{
    l4_tid_t tids[MAX_WORKERS];
    int seen[MAX_WORKERS] = {0};
    uint32_t words[MAX_WORKERS];
    for (unsigned i = 0; i < n; i++)
        tids[i] = spawn(send_own_id);
    for (unsigned k = 0; k < n; k++) {
        l4_tid_t from = 0;
        expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from), "receive from any");
        if (l4_mr(2) != from)
            test_fail("receive from any said the sender was %x, but the message came from %x",
                      from, l4_mr(2));
        unsigned i = 0;
        while (i < n && tids[i] != from)
            i++;
        if (i == n || seen[i]++)
            test_fail("sender %x is unknown or was seen twice", from);
        words[i] = l4_mr(1);
    }
    /* The senders' words, in the order they were made (which sender took
       which number depends on the scheduling; the set does not). */
    for (unsigned k = 0; k < n; k++) {
        unsigned i = 0;
        while (i < n && words[i] != seeded(100 + k))
            i++;
        if (i == n)
            test_fail("no sender's message carried the word %x", seeded(100 + k));
        test_fold(words[i]);
    }
    char detail[32];
    fmt_snprintf(detail, sizeof detail, "senders=%u ", n);
    pass(detail);
}

/* --- many_clients --- */

static volatile unsigned calls_each;

static void adding_server(void)
{
    l4_tid_t client;
    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client), "server receive");
    for (;;) {
        uint32_t v = l4_mr(1);
        l4_set_mr(0, l4_tag_make(1, 2, 0));
        l4_set_mr(1, v * 3 + 1);
        l4_set_mr(2, client);
        expect_ok(l4_reply_wait(client, &client), "server reply-and-wait");
    }
}

/* Each client's calls carry values made from the seed and its number; it
   reports the sum of the answers to main when it is done. */
static void client(void)
{
    uint32_t v = seeded(200 + take_index()), sum = 0;
    for (unsigned i = 0; i < calls_each; i++, v += 12345) {
        l4_set_mr(0, l4_tag_make(1, 1, 0));
        l4_set_mr(1, v);
        expect_ok(l4_call(server_tid), "client call");
        if (l4_mr(1) != v * 3 + 1 || l4_mr(2) != l4_myself())
            test_fail("client %x got the answer (%x, for %x), expected (%x, for %x)",
                      l4_myself(), l4_mr(1), l4_mr(2), v * 3 + 1, l4_myself());
        sum += l4_mr(1);
    }
    l4_set_mr(0, l4_tag_make(2, 1, 0));
    l4_set_mr(1, sum);
    expect_ok(l4_send(main_tid, L4_TIMEOUT_NEVER), "client done");
}

static void test_many_clients(unsigned n, unsigned calls)
{
    uint32_t total = 0;
    calls_each = calls;
    server_tid = spawn(adding_server);
    for (unsigned i = 0; i < n; i++)
        spawn(client);
    for (unsigned i = 0; i < n; i++) {
        expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, 0), "main waits for clients");
        total += l4_mr(1);          /* a sum: the clients end in any order */
    }
    test_fold(total);
    char detail[48];
    fmt_snprintf(detail, sizeof detail, "clients=%u calls=%u ", n, calls);
    pass(detail);
}

/* --- call_atomic --- */

static volatile l4_tid_t intruder_tid;

/*
 * First call: replies at once, with a zero timeout, before the caller has
 * run again: only a caller that was already waiting for the reply gets it.
 * Second call: lets the intruder queue up at the caller, then replies.
 */
static void slow_server(void)
{
    l4_tid_t caller;
    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &caller), "server receive");
    l4_set_mr(0, l4_tag_make(0x11, 1, 0));
    l4_set_mr(1, seeded(1));
    expect_ok(l4_send(caller, L4_TIMEOUT_ZERO),
              "an immediate reply with a zero timeout (the caller must already be waiting)");

    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &caller), "server receive");
    l4_set_mr(0, l4_tag_make(0, 0, 0));
    expect_ok(l4_send(intruder_tid, L4_TIMEOUT_NEVER), "server wakes the intruder");
    sleep_ticks(3);                 /* the intruder now blocks sending to the caller */
    l4_set_mr(0, l4_tag_make(0x5E, 1, 0));
    l4_set_mr(1, seeded(2));
    expect_ok(l4_send(caller, L4_TIMEOUT_ZERO), "the reply (zero timeout: the caller must be waiting)");
}

static void intruder(void)
{
    expect_ok(l4_receive(server_tid, L4_TIMEOUT_NEVER, 0), "intruder waits");
    l4_set_mr(0, l4_tag_make(0x1D, 1, 0));
    l4_set_mr(1, seeded(3));
    expect_ok(l4_send(main_tid, L4_TIMEOUT_NEVER), "intruder sends to the caller");
}

static void test_call_atomic(void)
{
    intruder_tid = spawn(intruder);
    server_tid = spawn(slow_server);
    l4_set_mr(0, l4_tag_make(0xCA, 0, 0));
    expect_ok(l4_call(server_tid), "the first l4_call");
    if (l4_tag_label(l4_mr(0)) != 0x11 || l4_mr(1) != seeded(1))
        test_fail("the first call returned label %x word %x, not the server's reply (11, %x)",
                  l4_tag_label(l4_mr(0)), l4_mr(1), seeded(1));
    test_fold(0x11);
    test_fold(l4_mr(1));
    l4_set_mr(0, l4_tag_make(0xCA, 0, 0));
    expect_ok(l4_call(server_tid), "the second l4_call");
    if (l4_tag_label(l4_mr(0)) != 0x5E || l4_mr(1) != seeded(2))
        test_fail("the call returned label %x word %x, not the server's reply (5e, %x)",
                  l4_tag_label(l4_mr(0)), l4_mr(1), seeded(2));
    test_fold(0x5E);
    test_fold(l4_mr(1));
    l4_tid_t from = 0;
    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from), "receive the intruder");
    if (from != intruder_tid || l4_mr(1) != seeded(3))
        test_fail("the intruder's message was lost or changed");
    test_fold(l4_tag_label(l4_mr(0)));
    test_fold(l4_mr(1));
    pass("");
}

/* --- zero_timeout --- */

static volatile int helper_mode;

static void zero_helper(void)
{
    /* Mode 1: wait for a thread that never sends; mode 2: accept anyone. */
    l4_tid_t from = helper_mode == 1 ? l4_myself() : L4_ANYTHREAD;
    l4_receive(from, L4_TIMEOUT_NEVER, 0);
}

static void test_zero_timeout(void)
{
    int32_t r;
    uint32_t t0 = l4_clock();

    helper_mode = 1;
    l4_tid_t h1 = spawn(zero_helper);
    sleep_ticks(2);                 /* h1 now waits, but not for us */
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    if ((r = l4_send(h1, L4_TIMEOUT_ZERO)) != -L4_ETIMEOUT)
        test_fail("a zero-timeout send to a thread not waiting for us returned %s, expected %s",
                  ipc_errstr(r), ipc_errstr(-L4_ETIMEOUT));
    if ((r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_ZERO, 0)) != -(L4_ETIMEOUT | L4_ERECV))
        test_fail("a zero-timeout receive with no sender returned %s, expected %s",
                  ipc_errstr(r), ipc_errstr(-(L4_ETIMEOUT | L4_ERECV)));
    if (l4_clock() - t0 > 4)
        test_fail("zero timeouts waited (%u ticks)", l4_clock() - t0);
    test_fold((uint32_t)-L4_ETIMEOUT);
    test_fold((uint32_t)-(L4_ETIMEOUT | L4_ERECV));

    helper_mode = 2;
    l4_tid_t h2 = spawn(zero_helper);
    sleep_ticks(2);                 /* h2 now waits for anyone */
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    expect_ok(l4_send(h2, L4_TIMEOUT_ZERO), "a zero-timeout send to a waiting receiver");
    test_fold(0);
    (void)h1;
    pass("");
}

/* --- timeouts --- */

static void never_receives(void)
{
    for (;;)
        sleep_ticks(1000);
}

/* Takes one message and never answers it. */
static void never_replies(void)
{
    l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, 0);
    for (;;)
        sleep_ticks(1000);
}

static volatile unsigned late_ticks;

/* Receives only after a while: a sender that timed out before must not be
   waiting in its queue any more. */
static void late_checker(void)
{
    sleep_ticks(late_ticks);
    int32_t r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_ZERO, 0);
    l4_set_mr(0, l4_tag_make(4, 1, 0));
    l4_set_mr(1, (uint32_t)r);
    l4_send(main_tid, L4_TIMEOUT_NEVER);
}

static void test_timeouts(unsigned t)
{
    l4_tid_t sleeper = spawn(never_receives);
    uint32_t t0 = l4_clock();
    int32_t r = l4_receive(sleeper, (uint16_t)t, 0);
    uint32_t rcv_ticks = l4_clock() - t0;
    if (r != -(L4_ETIMEOUT | L4_ERECV))
        test_fail("a receive nobody answers returned %s, expected %s", ipc_errstr(r),
                  ipc_errstr(-(L4_ETIMEOUT | L4_ERECV)));
    test_fold((uint32_t)r);

    t0 = l4_clock();
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    r = l4_send(sleeper, (uint16_t)t);
    uint32_t snd_ticks = l4_clock() - t0;
    if (r != -L4_ETIMEOUT)
        test_fail("a send nobody takes returned %s, expected %s", ipc_errstr(r),
                  ipc_errstr(-L4_ETIMEOUT));
    test_fold((uint32_t)r);

    /* A call whose message is taken but never answered times out in its
       receive phase. */
    l4_tid_t silent = spawn(never_replies);
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    r = l4_ipc(silent, silent, l4_timeouts(L4_TIMEOUT_NEVER, (uint16_t)t), 0);
    if (r != -(L4_ETIMEOUT | L4_ERECV))
        test_fail("a call nobody answers returned %s, expected %s", ipc_errstr(r),
                  ipc_errstr(-(L4_ETIMEOUT | L4_ERECV)));
    test_fold((uint32_t)r);

    /* A sender whose timeout expired has left the receiver's queue. */
    late_ticks = 2 * t;
    l4_tid_t checker = spawn(late_checker);
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    if ((r = l4_send(checker, (uint16_t)t)) != -L4_ETIMEOUT)
        test_fail("a send to a thread that is asleep returned %s, expected %s", ipc_errstr(r),
                  ipc_errstr(-L4_ETIMEOUT));
    expect_ok(l4_receive(checker, L4_TIMEOUT_NEVER, 0), "the checker's report");
    if ((int32_t)l4_mr(1) != -(L4_ETIMEOUT | L4_ERECV))
        test_fail("after our send timed out, the receiver still found a message from us "
                  "(its zero-timeout receive returned %s, expected %s)",
                  ipc_errstr((int32_t)l4_mr(1)), ipc_errstr(-(L4_ETIMEOUT | L4_ERECV)));
    test_fold(l4_mr(1));
    char detail[64];
    fmt_snprintf(detail, sizeof detail, "timeout=%u receive_ticks=%u send_ticks=%u ",
                 t, rcv_ticks, snd_ticks);
    pass(detail);
}

/* --- bad_tid --- */

static void exits_at_once(void) { }

static void sends_to_main(void)
{
    l4_set_mr(0, l4_tag_make(1, 1, 0));
    l4_set_mr(1, seeded(4));
    expect_ok(l4_send(main_tid, L4_TIMEOUT_NEVER), "a send after the errors");
}

static volatile int32_t dying_result = 1;
static volatile l4_tid_t dying_tid;

/* Blocks sending to a thread that will end; reports what the send returned. */
static void sends_to_dying(void)
{
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    dying_result = l4_send(dying_tid, L4_TIMEOUT_NEVER);
    l4_set_mr(0, l4_tag_make(3, 0, 0));
    l4_send(main_tid, L4_TIMEOUT_NEVER);
}

static void waits_then_exits(void)
{
    sleep_ticks(3);
}

static void receives_late(void)
{
    sleep_ticks(6);
    l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, 0);
}

static void test_bad_tid(uint32_t unknown)
{
    int32_t r;
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    const struct { l4_tid_t tid; const char *what; } bad[] = {
        {L4_NILTHREAD, NULL}, {L4_ANYTHREAD, "any"}, {unknown, "an unknown ID"},
        {l4_tid_make(5000, 1), "a thread number beyond the table"},
    };
    for (unsigned i = 1; i < sizeof bad / sizeof bad[0]; i++)
        if ((r = l4_send(bad[i].tid, L4_TIMEOUT_NEVER)) != -L4_ENOPARTNER)
            test_fail("a send to %s (%x) returned %s, expected %s", bad[i].what, bad[i].tid,
                      ipc_errstr(r), ipc_errstr(-L4_ENOPARTNER));
    test_fold((uint32_t)-L4_ENOPARTNER);

    l4_tid_t gone = spawn(exits_at_once);
    sleep_ticks(2);
    if ((r = l4_send(gone, L4_TIMEOUT_NEVER)) != -L4_ENOPARTNER)
        test_fail("a send to an ended thread's (stale) ID returned %s, expected %s", ipc_errstr(r),
                  ipc_errstr(-L4_ENOPARTNER));
    if ((r = l4_receive(gone, L4_TIMEOUT_NEVER, 0)) != -(L4_ENOPARTNER | L4_ERECV))
        test_fail("a receive from a stale ID returned %s, expected %s", ipc_errstr(r),
                  ipc_errstr(-(L4_ENOPARTNER | L4_ERECV)));
    test_fold((uint32_t)r);

    /* The next thread reuses the number; the old ID still names nobody. */
    helper_mode = 2;
    l4_tid_t reused = spawn(zero_helper);
    sleep_ticks(2);                 /* it now waits for anyone */
    if (l4_tid_number(reused) != l4_tid_number(gone) || reused == gone)
        test_fail("expected the new thread %x to reuse the number of %x with a new version",
                  reused, gone);
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    if ((r = l4_send(gone, L4_TIMEOUT_ZERO)) != -L4_ENOPARTNER)
        test_fail("a send to a stale ID whose number is in use again returned %s, expected %s",
                  ipc_errstr(r), ipc_errstr(-L4_ENOPARTNER));
    expect_ok(l4_send(reused, L4_TIMEOUT_ZERO), "a send to the thread with the reused number");

    /* A thread blocked sending to a thread that ends is told so. */
    dying_tid = spawn(waits_then_exits);
    spawn(sends_to_dying);
    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, 0), "wait for the sender's report");
    if (dying_result != -L4_ECANCELED)
        test_fail("a send blocked on a thread that ended returned %s, expected %s",
                  ipc_errstr(dying_result), ipc_errstr(-L4_ECANCELED));
    test_fold((uint32_t)dying_result);

    /* A receive phase whose partner ends during the send phase fails
       instead of waiting for ever. */
    l4_tid_t ends = spawn(waits_then_exits), late = spawn(receives_late);
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    r = l4_ipc(late, ends, l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), 0);
    if (r != -(L4_ENOPARTNER | L4_ERECV))
        test_fail("send to one thread, then receive from another that ended meanwhile, "
                  "returned %s, expected %s", ipc_errstr(r),
                  ipc_errstr(-(L4_ENOPARTNER | L4_ERECV)));
    test_fold((uint32_t)r);

    /* And a real message still works afterwards. */
    spawn(sends_to_main);
    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, 0), "receive after the errors");
    if (l4_mr(1) != seeded(4))
        test_fail("the message after the errors carried %x, expected %x", l4_mr(1), seeded(4));
    test_fold(l4_mr(1));
    pass("");
}

/* --- fairness --- */

static volatile unsigned exchanges;
static volatile l4_tid_t ping_tid, pong_tid;

/* What the ping-pong threads' IPCs returned, for the failure message:
   how many returned, how many of them with an error, and the first error
   (the likely cause of the others). */
static volatile unsigned ping_returns, pong_returns, ping_errors, pong_errors;
static volatile int32_t ping_error, pong_error;

static void pinger(void)
{
    while (!pong_tid)
        ;
    for (;;) {
        l4_set_mr(0, l4_tag_make(1, 0, 0));
        int32_t r = l4_call(pong_tid);
        ping_returns++;
        if (r == 0)
            exchanges++;
        else if (ping_errors++ == 0)
            ping_error = r;
    }
}

static void ponger(void)
{
    l4_tid_t client;
    int32_t r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
    for (;;) {
        pong_returns++;
        if (r != 0 && pong_errors++ == 0)
            pong_error = r;
        l4_set_mr(0, l4_tag_make(1, 0, 0));
        r = l4_reply_wait(client, &client);
    }
}

/* "the pinger's l4_call returned 3 times, 3 with an error, the first
   -5 (L4_ETIMEOUT, send phase)", in buf. */
static const char *ipc_record(char *buf, size_t size, const char *who, unsigned returns,
                              unsigned errors, int32_t first)
{
    if (returns == 0)
        fmt_snprintf(buf, size, "%s never returned", who);
    else if (errors == 0)
        fmt_snprintf(buf, size, "%s returned %u times, always 0", who, returns);
    else
        fmt_snprintf(buf, size, "%s returned %u times, %u with an error, the first %s", who,
                     returns, errors, ipc_errstr(first));
    return buf;
}

/* Two threads calling each other without pause must not keep a third,
   busy thread (this one) off the processor.  It spins for at least three
   time slices, so the timer must take the processor away from it and
   give it back again. */
static void test_fairness(unsigned loops)
{
    ping_tid = spawn(pinger);
    pong_tid = spawn(ponger);
    uint32_t t0 = l4_clock();
    volatile unsigned spin = 0;
    for (unsigned i = 0; i < loops || l4_clock() - t0 < 30; i++)
        spin++;
    if (exchanges == 0) {
        char ping[128], pong[160];
        test_fail("no ping-pong exchange succeeded in %u ticks: %s; %s", l4_clock() - t0,
                  ipc_record(ping, sizeof ping, "the pinger's l4_call", ping_returns, ping_errors,
                        ping_error),
                  ipc_record(pong, sizeof pong, "the ponger's l4_receive and l4_reply_wait",
                        pong_returns, pong_errors, pong_error));
    }
    test_fold(1);
    char detail[64];
    fmt_snprintf(detail, sizeof detail, "ticks=%u ", l4_clock() - t0);
    pass(detail);
}

/* --- msg_len --- */

static void receives_63(void)
{
    l4_tid_t from;
    expect_ok(l4_receive(main_tid, L4_TIMEOUT_NEVER, &from), "receiver");
    uint32_t tag = l4_mr(0), sum = 0;
    for (unsigned i = 1; i <= l4_tag_untyped(tag); i++)
        sum += l4_mr(i) * i;
    l4_set_mr(0, l4_tag_make(1, 2, 0));
    l4_set_mr(1, l4_tag_untyped(tag));
    l4_set_mr(2, sum);
    expect_ok(l4_send(main_tid, L4_TIMEOUT_NEVER), "receiver answers");
}

static void test_msg_len(void)
{
    int32_t r;
    l4_tid_t rcv = spawn(receives_63);
    sleep_ticks(2);
    l4_set_mr(0, l4_tag_make(1, 40, 30));           /* 70 words do not fit in 63 */
    if ((r = l4_send(rcv, L4_TIMEOUT_NEVER)) != -L4_EMSGLEN)
        test_fail("a tag of 40 + 30 words returned %s, expected %s", ipc_errstr(r),
                  ipc_errstr(-L4_EMSGLEN));
    l4_set_mr(0, l4_tag_make(1, 1, 0) | 0x1000);    /* flags must be 0 */
    if ((r = l4_send(rcv, L4_TIMEOUT_NEVER)) != -L4_EINVAL)
        test_fail("a tag with flags set returned %s, expected %s", ipc_errstr(r),
                  ipc_errstr(-L4_EINVAL));

    uint32_t sum = 0;
    l4_set_mr(0, l4_tag_make(1, 63, 0));
    for (unsigned i = 1; i <= 63; i++) {
        l4_set_mr(i, seeded(10 + i));
        sum += seeded(10 + i) * i;
    }
    expect_ok(l4_send(rcv, L4_TIMEOUT_NEVER), "a 63-word send");
    expect_ok(l4_receive(rcv, L4_TIMEOUT_NEVER, 0), "the receiver's answer");
    if (l4_mr(1) != 63 || l4_mr(2) != sum)
        test_fail("the 63-word message arrived as %u words with checksum %x, expected 63 and %x",
                  l4_mr(1), l4_mr(2), sum);
    test_fold((uint32_t)-L4_EMSGLEN);
    test_fold((uint32_t)-L4_EINVAL);
    test_fold(l4_mr(1));
    test_fold(l4_mr(2));
    pass("");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        printf("usage: lab1_ipc TEST NONCE [PARAMS...]\n");
        l4_kdb_exit(2);
    }
    test_name = argv[1];
    nonce = argv[2];
    test_begin("lab1", test_name);
    main_tid = l4_myself();
    seed = argc > 3 ? strtoul(argv[argc - 1], NULL, 0) : 0;     /* always the last one */
    test_fold(seed);
    unsigned p1 = argc > 3 ? strtoul(argv[3], NULL, 0) : 0;
    unsigned p2 = argc > 4 ? strtoul(argv[4], NULL, 0) : 0;

    if (strcmp(test_name, "pingpong") == 0)
        test_pingpong(p1, p2);
    else if (strcmp(test_name, "receive_any") == 0)
        test_receive_any(p1 < MAX_WORKERS ? p1 : MAX_WORKERS - 1);
    else if (strcmp(test_name, "many_clients") == 0)
        test_many_clients(p1 < MAX_WORKERS ? p1 : MAX_WORKERS - 1, p2);
    else if (strcmp(test_name, "call_atomic") == 0)
        test_call_atomic();
    else if (strcmp(test_name, "zero_timeout") == 0)
        test_zero_timeout();
    else if (strcmp(test_name, "timeouts") == 0)
        test_timeouts(p1);
    else if (strcmp(test_name, "bad_tid") == 0)
        test_bad_tid(p1);
    else if (strcmp(test_name, "msg_len") == 0)
        test_msg_len();
    else if (strcmp(test_name, "fairness") == 0)
        test_fairness(p1);
    test_fail("unknown test '%s'", test_name);
}
