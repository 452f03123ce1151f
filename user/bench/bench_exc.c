/*
 * bench_exc RUNS UNIT NONCE: measures exc.rtt, an exception reflected to a
 * user-level exception handler and back (Lab 4).
 *
 * The main thread makes a second thread of its task its exception handler
 * (l4_set_handler) and runs a ud2 RUNS times, each bracketed by rdtsc.
 * Each ud2 is one round trip: the kernel's exception message to the
 * handler (every register), the handler's reply with eip moved past the
 * ud2 (every register back), and the return to the thread.  This is the
 * path a Linux system call takes in L4Linux when the binary is not changed
 * (the paper's "trampoline"): Lab 5's server answers `int $0x80` this way.
 * The first exception is not counted (the handler thread has only just
 * been made: it may not wait yet, and its stack is untouched); the figure
 * is the mean of the next RUNS samples less an empty measurement, as
 * bench_irq measures: instructions under -icount shift=0, the same on
 * every run, and what make profile traces (one steady-state sample).  Set it
 * beside trap.rtt (Lab 0) and ipc.rtt.same_space (Lab 1): an exception
 * costs about one IPC round trip with a longer message.
 *
 * The handler counts what it answered; main checks that count, RUNS + 1.
 *
 * Output: BENCH exc.rtt value=<n> unit=<UNIT> runs=<RUNS>
 * (bench_exc RUNS UNIT NONCE NAME prints NAME instead of exc.rtt: Lab 6
 * measures the same round trip on its fast path as exc.fast.rtt, since
 * figures are one per name)
 *
 * bench_exc checks NONCE: the scenarios of Lab 6's graded test
 * exc_fast_checks (grader/lab6.py), which the exception fast path
 * (kernel/fastexc.c) must take or leave to Lab 4's exception_ipc.  Four
 * workers each raise one ud2 with eax = CHECK_MARK + n (by which the
 * grader's GDB tells them apart) and known values in ebx..edi:
 *   0  the handler waits for anyone: the fast path's case;
 *   1  the handler waits for the driver, not for the worker;
 *   2  the handler is ready, not waiting (the driver's message woke it);
 *   3  the handler waits, but a thread above it (R) is ready: R must run
 *      before the handler sees the exception.
 * The handler answers each with eax inverted and eip past the ud2; each
 * worker checks every register it gets back.  The success line is
 * "lab6 exc_checks: nonce=NONCE answered=4 ok".
 */
#include "ulib.h"

static char handler_stack[4096] __attribute__((aligned(16)));
static volatile unsigned answered;

/* Resumes every exception 2 bytes further on (past a ud2), with the
   registers the message carried. */
static void handler(void)
{
    l4_tid_t from;
    if (l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from) != 0)
        return;
    for (;;) {
        /* printf and l4_kdb_exit, not ulib's test_fail: this check is on the
           measured path, where a call to test_fail compiles to other
           instructions and moves exc.rtt and the trace the handout quotes. */
        if (l4_tag_label(l4_mr(0)) != L4_LABEL_EXCEPTION || l4_mr(L4_EXC_VECTOR) != 6) {
            printf("bench_exc: the handler received tag %x, vector %u; expected an exception "
                   "message for an invalid opcode (6)\n", l4_mr(0), l4_mr(L4_EXC_VECTOR));
            l4_kdb_exit(1);
        }
        answered++;
        l4_set_mr(0, l4_tag_make(0, L4_EXC_WORDS, 0));
        l4_set_mr(L4_EXC_EIP, l4_mr(L4_EXC_EIP) + 2);
        if (l4_reply_wait(from, &from) != 0)
            return;
    }
}

/* --- bench_exc checks NONCE (Lab 6's exc_fast_checks) --- */

#define CHECK_MARK 0x6E0C0000u      /* scenario n's eax; grader/lab6.py knows it */
#define DRIVER_PRIO 200
#define WORKER_PRIO 150
#define ABOVE_PRIO 120
#define HANDLER_PRIO 100

static char check_stacks[6][4096] __attribute__((aligned(16)));
static l4_tid_t driver, check_handler_tid;
static volatile l4_tid_t handler_waits_next = L4_ANYTHREAD;
static volatile unsigned checks_answered, above_ran, above_ran_seen;
static volatile unsigned worker_ok[4];

/* Answers every exception with eax inverted and eip past the ud2 (a
   message from the driver gets no reply); after each message it waits
   for handler_waits_next (the driver sets it), then for anyone again.
   For scenario 3 it notes whether R had run by the time it got the
   message. */
static void check_handler(void)
{
    l4_tid_t from;
    int32_t r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from);
    for (;;) {
        if (r != 0)
            test_fail("the handler's IPC returned %s, expected 0", ipc_errstr(r));
        l4_tid_t to = L4_NILTHREAD;
        l4_tag_t tag = l4_mr(0);
        if (l4_tag_label(tag) == L4_LABEL_EXCEPTION) {
            if (l4_tag_untyped(tag) != L4_EXC_WORDS || l4_mr(L4_EXC_VECTOR) != 6)
                test_fail("the handler received tag %x, vector %u; expected an exception "
                          "message for an invalid opcode (6)", tag, l4_mr(L4_EXC_VECTOR));
            if (l4_mr(L4_EXC_EAX) == CHECK_MARK + 3)
                above_ran_seen = above_ran;
            checks_answered++;
            l4_set_mr(0, l4_tag_make(0, L4_EXC_WORDS, 0));
            l4_set_mr(L4_EXC_EIP, l4_mr(L4_EXC_EIP) + 2);
            l4_set_mr(L4_EXC_EAX, ~l4_mr(L4_EXC_EAX));
            to = from;
        }
        l4_tid_t next = handler_waits_next;
        handler_waits_next = L4_ANYTHREAD;
        r = l4_ipc(to, next, l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), &from);
    }
}

/* Worker n: one ud2 with eax = CHECK_MARK + n and ebx..edi known; every
   register must come back as the handler's reply says. */
static void check_worker(unsigned n)
{
    uint32_t m = CHECK_MARK + n;
    uint32_t a = m, b = m ^ 0x11, c = m ^ 0x22, d = m ^ 0x33, si = m ^ 0x44, di = m ^ 0x55;
    __asm__ volatile("ud2" : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(si), "+D"(di)
                     :: "memory", "cc");
    if (a != ~m || b != (m ^ 0x11) || c != (m ^ 0x22) || d != (m ^ 0x33) ||
        si != (m ^ 0x44) || di != (m ^ 0x55))
        test_fail("worker %u resumed with eax %x ebx %x ecx %x edx %x esi %x edi %x; expected "
                  "%x %x %x %x %x %x", n, a, b, c, d, si, di, ~m, m ^ 0x11, m ^ 0x22,
                  m ^ 0x33, m ^ 0x44, m ^ 0x55);
    worker_ok[n] = 1;
}

static void worker0(void) { check_worker(0); }
static void worker1(void) { check_worker(1); }
static void worker2(void) { check_worker(2); }
static void worker3(void) { check_worker(3); }
static void above(void) { above_ran = 1; }

static l4_tid_t check_start(void (*fn)(void), int slot, unsigned prio, int handled)
{
    int32_t t = thread_spawn(fn, check_stacks[slot], sizeof check_stacks[slot]);
    int32_t r = t < 0 ? t : l4_schedule((l4_tid_t)t, prio, 0);
    if (r >= 0 && handled)
        r = l4_set_handler((l4_tid_t)t, check_handler_tid);
    if (r < 0)
        test_fail("cannot start thread %d at priority %u: %s", slot, prio, errstr(r));
    return (l4_tid_t)t;
}

/* The driver sleeps: the threads below it run until they block or end. */
static void let_run(void)
{
    sleep_ticks(2);
}

/* A message (no exception) from the driver to the handler. */
static void poke_handler(void)
{
    l4_set_mr(0, l4_tag_make(0x6E1, 0, 0));
    int32_t r = l4_send(check_handler_tid, L4_TIMEOUT_NEVER);
    if (r != 0)
        test_fail("the driver's message to the handler returned %s, expected 0",
                  ipc_errstr(r));
}

static void expect_answered(unsigned n, const char *when)
{
    if (checks_answered != n)
        test_fail("%s: the handler has answered %u exceptions, expected %u", when,
                  checks_answered, n);
}

static void checks(const char *nonce)
{
    test_begin("lab6", "exc_checks");
    driver = l4_myself();
    int32_t r = l4_schedule(driver, DRIVER_PRIO, 0);
    if (r != 0)
        test_fail("l4_schedule(self, %u, 0) returned %s, expected 0", DRIVER_PRIO, errstr(r));
    check_handler_tid = check_start(check_handler, 0, HANDLER_PRIO, 0);
    let_run();                          /* the handler waits for anyone */

    /* 0: the common case; after it the handler waits for the driver. */
    handler_waits_next = driver;
    check_start(worker0, 1, WORKER_PRIO, 1);
    let_run();
    expect_answered(1, "a handler that waits for anyone");
    /* 1: the handler waits for the driver: the worker must queue. */
    check_start(worker1, 2, WORKER_PRIO, 1);
    let_run();
    expect_answered(1, "a handler that waits for another thread");
    poke_handler();                     /* now it takes the queued exception */
    let_run();
    expect_answered(2, "a handler that waited for another thread, then for anyone");
    /* 2: the handler is ready, not waiting, when the worker (above it) raises. */
    poke_handler();
    check_start(worker2, 3, WORKER_PRIO, 1);
    let_run();
    expect_answered(3, "a handler that was not waiting");
    /* 3: R, ready and above the handler, runs before the handler sees it. */
    check_start(above, 4, ABOVE_PRIO, 0);
    check_start(worker3, 5, WORKER_PRIO, 1);
    let_run();
    expect_answered(4, "a handler below a ready thread");
    if (!above_ran_seen)
        test_fail("the handler received the exception before a ready thread above it ran");
    for (unsigned n = 0; n < 4; n++)
        if (!worker_ok[n])
            test_fail("worker %u did not finish", n);
    printf("lab6 exc_checks: nonce=%s answered=%u ok\n", nonce, checks_answered);
    l4_kdb_exit(0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "checks") == 0)
        checks(argc > 2 ? argv[2] : "-");
    unsigned runs = argc > 1 ? strtoul(argv[1], NULL, 0) : 200;
    const char *unit = argc > 2 ? argv[2] : "cycles";
    const char *nonce = argc > 3 ? argv[3] : "-";
    const char *name = argc > 4 ? argv[4] : "exc.rtt";
    if (runs == 0)
        runs = 1;

    printf("bench_exc: nonce=%s runs=%u\n", nonce, runs);
    int32_t h = thread_spawn(handler, handler_stack, sizeof handler_stack);
    int32_t r = h < 0 ? h : l4_set_handler(l4_myself(), (l4_tid_t)h);
    if (r < 0) {
        printf("bench_exc: cannot start the handler thread or make it ours: %d\n", r);
        l4_kdb_exit(1);
    }

    __asm__ volatile("ud2" ::: "memory");      /* the first, not counted */
    uint64_t t0 = rdtsc(), t1 = rdtsc();
    uint64_t overhead = t1 - t0, sum = 0;
    for (unsigned i = 0; i < runs; i++) {
        t0 = rdtsc();
        __asm__ volatile("ud2" ::: "memory");
        t1 = rdtsc();
        sum += t1 - t0;
    }
    if (answered != runs + 1) {
        printf("bench_exc: the handler answered %u exceptions, expected %u\n", answered, runs + 1);
        l4_kdb_exit(1);
    }
    printf("BENCH %s value=%u unit=%s runs=%u\n", name, (uint32_t)(sum / runs - overhead),
           unit, runs);
    l4_kdb_exit(0);
}
