/*
 * lab1_ipc TEST NONCE [PARAMS...]: the graded tests of Lab 1 (IPC).
 *
 * The program is a root task: it creates its worker threads in its own
 * address space and checks what the kernel's IPC does.  Each test ends
 * with one line "lab1 TEST: nonce=NONCE ... ok" and a clean stop of the
 * machine, or a line saying what went wrong and status 1.  The grader
 * passes a fresh nonce and random parameters on every run.
 *
 *   pingpong N SEED    N calls with random payloads of 0..63 words, answered reversed
 *   receive_any N      N threads send; a receive from any names each sender right
 *   many_clients N C   N clients make C calls each to one reply-and-wait server
 *   call_atomic        a reply reaches the caller although another thread sends to it
 *   zero_timeout       zero timeouts fail at once without a partner, succeed with one
 *   timeouts T         send, receive and call timeouts of T ticks expire after T ticks,
 *                      not before, and a timed-out sender leaves the queue
 *   bad_tid X          nil, any, unknown (X), stale (also after reuse) and dying partners
 *                      give errors
 *   msg_len            oversized and malformed tags are refused; 63 words arrive
 *   fairness L         a thread busy for L loops finishes while two others ping-pong
 */
#include "ulib.h"

#define STACK_SIZE 4096
#define MAX_WORKERS 8

static char stacks[MAX_WORKERS][STACK_SIZE] __attribute__((aligned(16)));
static int nstacks;
static const char *test_name, *nonce;
static l4_tid_t main_tid;

/* Ends the test with a failure the grader shows to the student. */
static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
    va_list ap;
    printf("lab1 %s: FAIL: ", test_name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    l4_kdb_exit(1);
}

static __attribute__((noreturn)) void pass(const char *detail)
{
    printf("lab1 %s: nonce=%s %sok\n", test_name, nonce, detail);
    l4_kdb_exit(0);
}

static l4_tid_t spawn(void (*fn)(void))
{
    if (nstacks == MAX_WORKERS)
        fail("test bug: too many threads");
    int32_t tid = thread_spawn(fn, stacks[nstacks++], STACK_SIZE);
    if (tid < 0)
        fail("l4_thread_create returned %d", tid);
    return (l4_tid_t)tid;
}

static uint32_t rng_state;

static uint32_t rng(void)
{
    return xorshift32(&rng_state);
}

static void expect_ok(int32_t r, const char *what)
{
    if (r != 0)
        fail("%s returned %d, expected 0", what, r);
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
    int32_t r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
    for (;;) {
        expect_ok(r, "server receive");
        uint32_t tag = l4_mr(0), words[64];
        unsigned u = l4_tag_untyped(tag);
        for (unsigned i = 0; i < u; i++)
            words[i] = l4_mr(1 + i);
        uint32_t rev[64];
        for (unsigned i = 0; i < u; i++)
            rev[i] = words[u - 1 - i];
        set_msg(l4_tag_label(tag) + 1, u, rev);
        r = l4_reply_wait(client, &client);
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
            fail("round %u: reply tag %x, expected label %x with %u words", n, tag, label + 1, u);
        for (unsigned i = 0; i < u; i++)
            if (l4_mr(1 + i) != words[u - 1 - i])
                fail("round %u: word %u of the reply is %x, expected %x", n, i + 1,
                     l4_mr(1 + i), words[u - 1 - i]);
    }
    char detail[32];
    fmt_snprintf(detail, sizeof detail, "rounds=%u ", rounds);
    pass(detail);
}

/* --- receive_any --- */

static void send_own_id(void)
{
    l4_set_mr(0, l4_tag_make(7, 1, 0));
    l4_set_mr(1, l4_myself());
    expect_ok(l4_send(main_tid, L4_TIMEOUT_NEVER), "client send");
}

static void test_receive_any(unsigned n)
{
    l4_tid_t tids[MAX_WORKERS];
    int seen[MAX_WORKERS] = {0};
    for (unsigned i = 0; i < n; i++)
        tids[i] = spawn(send_own_id);
    for (unsigned k = 0; k < n; k++) {
        l4_tid_t from = 0;
        expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from), "receive from any");
        if (l4_mr(1) != from)
            fail("receive from any said the sender was %x, but the message came from %x",
                 from, l4_mr(1));
        unsigned i = 0;
        while (i < n && tids[i] != from)
            i++;
        if (i == n || seen[i]++)
            fail("sender %x is unknown or was seen twice", from);
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

static void client(void)
{
    uint32_t v = l4_myself() * 2654435761u;
    for (unsigned i = 0; i < calls_each; i++, v += 12345) {
        l4_set_mr(0, l4_tag_make(1, 1, 0));
        l4_set_mr(1, v);
        expect_ok(l4_call(server_tid), "client call");
        if (l4_mr(1) != v * 3 + 1 || l4_mr(2) != l4_myself())
            fail("client %x got the answer (%x, for %x), expected (%x, for %x)",
                 l4_myself(), l4_mr(1), l4_mr(2), v * 3 + 1, l4_myself());
    }
    l4_set_mr(0, l4_tag_make(2, 0, 0));
    expect_ok(l4_send(main_tid, L4_TIMEOUT_NEVER), "client done");
}

static void test_many_clients(unsigned n, unsigned calls)
{
    calls_each = calls;
    server_tid = spawn(adding_server);
    for (unsigned i = 0; i < n; i++)
        spawn(client);
    for (unsigned i = 0; i < n; i++)
        expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, 0), "main waits for clients");
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
    l4_set_mr(1, 0x11111111);
    expect_ok(l4_send(caller, L4_TIMEOUT_ZERO),
              "an immediate reply with a zero timeout (the caller must already be waiting)");

    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &caller), "server receive");
    l4_set_mr(0, l4_tag_make(0, 0, 0));
    expect_ok(l4_send(intruder_tid, L4_TIMEOUT_NEVER), "server wakes the intruder");
    sleep_ticks(3);                 /* the intruder now blocks sending to the caller */
    l4_set_mr(0, l4_tag_make(0x5E, 1, 0));
    l4_set_mr(1, 0x5E5E5E5E);
    expect_ok(l4_send(caller, L4_TIMEOUT_ZERO), "the reply (zero timeout: the caller must be waiting)");
}

static void intruder(void)
{
    expect_ok(l4_receive(server_tid, L4_TIMEOUT_NEVER, 0), "intruder waits");
    l4_set_mr(0, l4_tag_make(0x1D, 1, 0));
    l4_set_mr(1, 0x1D1D1D1D);
    expect_ok(l4_send(main_tid, L4_TIMEOUT_NEVER), "intruder sends to the caller");
}

static void test_call_atomic(void)
{
    intruder_tid = spawn(intruder);
    server_tid = spawn(slow_server);
    l4_set_mr(0, l4_tag_make(0xCA, 0, 0));
    expect_ok(l4_call(server_tid), "the first l4_call");
    if (l4_tag_label(l4_mr(0)) != 0x11 || l4_mr(1) != 0x11111111)
        fail("the first call returned label %x word %x, not the server's reply (11, 11111111)",
             l4_tag_label(l4_mr(0)), l4_mr(1));
    l4_set_mr(0, l4_tag_make(0xCA, 0, 0));
    expect_ok(l4_call(server_tid), "the second l4_call");
    if (l4_tag_label(l4_mr(0)) != 0x5E || l4_mr(1) != 0x5E5E5E5E)
        fail("the call returned label %x word %x, not the server's reply (5e, 5e5e5e5e)",
             l4_tag_label(l4_mr(0)), l4_mr(1));
    l4_tid_t from = 0;
    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from), "receive the intruder");
    if (from != intruder_tid || l4_mr(1) != 0x1D1D1D1D)
        fail("the intruder's message was lost or changed");
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
        fail("a zero-timeout send to a thread not waiting for us returned %d, expected %d",
             r, -L4_ETIMEOUT);
    if ((r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_ZERO, 0)) != -(L4_ETIMEOUT | L4_ERECV))
        fail("a zero-timeout receive with no sender returned %d, expected %d",
             r, -(L4_ETIMEOUT | L4_ERECV));
    if (l4_clock() - t0 > 4)
        fail("zero timeouts waited (%u ticks)", l4_clock() - t0);

    helper_mode = 2;
    l4_tid_t h2 = spawn(zero_helper);
    sleep_ticks(2);                 /* h2 now waits for anyone */
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    expect_ok(l4_send(h2, L4_TIMEOUT_ZERO), "a zero-timeout send to a waiting receiver");
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
        fail("a receive nobody answers returned %d, expected %d", r, -(L4_ETIMEOUT | L4_ERECV));

    t0 = l4_clock();
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    r = l4_send(sleeper, (uint16_t)t);
    uint32_t snd_ticks = l4_clock() - t0;
    if (r != -L4_ETIMEOUT)
        fail("a send nobody takes returned %d, expected %d", r, -L4_ETIMEOUT);

    /* A call whose message is taken but never answered times out in its
       receive phase. */
    l4_tid_t silent = spawn(never_replies);
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    r = l4_ipc(silent, silent, l4_timeouts(L4_TIMEOUT_NEVER, (uint16_t)t), 0);
    if (r != -(L4_ETIMEOUT | L4_ERECV))
        fail("a call nobody answers returned %d, expected %d (a receive-phase timeout)",
             r, -(L4_ETIMEOUT | L4_ERECV));

    /* A sender whose timeout expired has left the receiver's queue. */
    late_ticks = 2 * t;
    l4_tid_t checker = spawn(late_checker);
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    if ((r = l4_send(checker, (uint16_t)t)) != -L4_ETIMEOUT)
        fail("a send to a thread that is asleep returned %d, expected %d", r, -L4_ETIMEOUT);
    expect_ok(l4_receive(checker, L4_TIMEOUT_NEVER, 0), "the checker's report");
    if ((int32_t)l4_mr(1) != -(L4_ETIMEOUT | L4_ERECV))
        fail("after our send timed out, the receiver still found a message from us "
             "(its zero-timeout receive returned %d, expected %d)",
             (int32_t)l4_mr(1), -(L4_ETIMEOUT | L4_ERECV));
    char detail[64];
    fmt_snprintf(detail, sizeof detail, "timeout=%u receive_ticks=%u send_ticks=%u ",
                 t, rcv_ticks, snd_ticks);
    pass(detail);
}

/* --- bad_tid --- */

static void exits_at_once(void) { }

static void sends_to_main(void)
{
    l4_set_mr(0, l4_tag_make(1, 0, 0));
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
            fail("a send to %s (%x) returned %d, expected %d", bad[i].what, bad[i].tid, r,
                 -L4_ENOPARTNER);

    l4_tid_t gone = spawn(exits_at_once);
    sleep_ticks(2);
    if ((r = l4_send(gone, L4_TIMEOUT_NEVER)) != -L4_ENOPARTNER)
        fail("a send to an ended thread's (stale) ID returned %d, expected %d", r, -L4_ENOPARTNER);
    if ((r = l4_receive(gone, L4_TIMEOUT_NEVER, 0)) != -(L4_ENOPARTNER | L4_ERECV))
        fail("a receive from a stale ID returned %d, expected %d", r, -(L4_ENOPARTNER | L4_ERECV));

    /* The next thread reuses the number; the old ID still names nobody. */
    helper_mode = 2;
    l4_tid_t reused = spawn(zero_helper);
    sleep_ticks(2);                 /* it now waits for anyone */
    if (l4_tid_number(reused) != l4_tid_number(gone) || reused == gone)
        fail("expected the new thread %x to reuse the number of %x with a new version",
             reused, gone);
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    if ((r = l4_send(gone, L4_TIMEOUT_ZERO)) != -L4_ENOPARTNER)
        fail("a send to a stale ID whose number is in use again returned %d, expected %d",
             r, -L4_ENOPARTNER);
    expect_ok(l4_send(reused, L4_TIMEOUT_ZERO), "a send to the thread with the reused number");

    /* A thread blocked sending to a thread that ends is told so. */
    dying_tid = spawn(waits_then_exits);
    spawn(sends_to_dying);
    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, 0), "wait for the sender's report");
    if (dying_result != -L4_ECANCELED)
        fail("a send blocked on a thread that ended returned %d, expected %d",
             dying_result, -L4_ECANCELED);

    /* A receive phase whose partner ends during the send phase fails
       instead of waiting for ever. */
    l4_tid_t ends = spawn(waits_then_exits), late = spawn(receives_late);
    l4_set_mr(0, l4_tag_make(1, 0, 0));
    r = l4_ipc(late, ends, l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), 0);
    if (r != -(L4_ENOPARTNER | L4_ERECV))
        fail("send to one thread, then receive from another that ended meanwhile, "
             "returned %d, expected %d", r, -(L4_ENOPARTNER | L4_ERECV));

    /* And a real message still works afterwards. */
    spawn(sends_to_main);
    expect_ok(l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, 0), "receive after the errors");
    pass("");
}

/* --- fairness --- */

static volatile unsigned exchanges;
static volatile l4_tid_t ping_tid, pong_tid;

static void pinger(void)
{
    while (!pong_tid)
        ;
    for (;;) {
        l4_set_mr(0, l4_tag_make(1, 0, 0));
        if (l4_call(pong_tid) == 0)
            exchanges++;
    }
}

static void ponger(void)
{
    l4_tid_t client;
    l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
    for (;;) {
        l4_set_mr(0, l4_tag_make(1, 0, 0));
        l4_reply_wait(client, &client);
    }
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
    if (exchanges == 0)
        fail("the ping-pong threads never ran");
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
        fail("a tag of 40 + 30 words returned %d, expected %d", r, -L4_EMSGLEN);
    l4_set_mr(0, l4_tag_make(1, 1, 0) | 0x1000);    /* flags must be 0 */
    if ((r = l4_send(rcv, L4_TIMEOUT_NEVER)) != -L4_EINVAL)
        fail("a tag with flags set returned %d, expected %d", r, -L4_EINVAL);

    uint32_t sum = 0;
    l4_set_mr(0, l4_tag_make(1, 63, 0));
    for (unsigned i = 1; i <= 63; i++) {
        l4_set_mr(i, i * 0x01010101u);
        sum += i * 0x01010101u * i;
    }
    expect_ok(l4_send(rcv, L4_TIMEOUT_NEVER), "a 63-word send");
    expect_ok(l4_receive(rcv, L4_TIMEOUT_NEVER, 0), "the receiver's answer");
    if (l4_mr(1) != 63 || l4_mr(2) != sum)
        fail("the 63-word message arrived as %u words with checksum %x, expected 63 and %x",
             l4_mr(1), l4_mr(2), sum);
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
    main_tid = l4_myself();
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
    fail("unknown test '%s'", test_name);
}
