/*
 * lab3_pager TEST NONCE [PARAMS...] SEED: the graded tests of Lab 3 (page
 * faults as IPC, sigma0, a user-level pager with demand-zero regions and
 * copy-on-write).
 *
 * A test boots sigma0 as module 0 and this program as module 1.  Its first
 * thread, the driver, starts the pager library's server thread
 * (pager_start, user/pager/pager.h) and has it spawn child tasks: each
 * child runs child_main in an address space of its own, where every page
 * it touches comes from a fault that the kernel turns into a message to the
 * pager.  A child does nothing by itself: it serves the driver's requests,
 * one IPC call each (touch an address, scan a page, ...), and the driver
 * checks every answer and the pager's statistics (PG_STATS).
 *
 * A touch runs with random values in %ebx..%edi, in MR2 and MR3 and in the
 * receive window, which the driver chose; the child reports what they hold
 * after the access.  A fault on the way must leave them all as they were:
 * the kernel sends the fault message and receives the pager's map item on
 * the thread's behalf, and must put back what that IPC overwrote.
 *
 * Before each access that must fault, the driver announces it in a line
 * "lab3 TEST: expecting a fault: thread N reads|writes ADDRESS (why)";
 * the grader checks the kernel's report of that fault, and whether it says
 * that the thread's pager did not resolve it.  A refused fault stops the
 * child: the driver's call sees -(L4_ECANCELED | L4_ERECV).
 *
 * Each test ends with one line "lab3 TEST: nonce=NONCE ... ok" and a clean
 * stop of the machine, or a line saying what went wrong and status 1.  All
 * addresses and access orders are random, from SEED (xorshift32).
 *
 *   demand_zero N SEED   a child touches N pages of a larger read-write
 *                        region in random order, reading or writing first;
 *                        each page is zero until written and keeps what was
 *                        written; the pager saw N faults and zero-filled N
 *                        pages (the grader counts the faults in the kernel)
 *   readonly N SEED      N pages of a read-only region read zero; a write to
 *                        one of them is refused and reported, the child is
 *                        stopped, the pager counts one refusal
 *   cow N SEED           child A fills some pages S of an N-page region; the
 *                        pager copies the region into child B; both see A's
 *                        data; then they write random pages in random order,
 *                        and each sees its own writes only; the pager copied
 *                        each written page of S once, for its first writer,
 *                        and the unwritten pages of S stay shared
 *   unmapped ADDR SEED   a child's read at ADDR, where it has no region, is
 *                        refused and reported, and stops it; a new child
 *                        works; it may not change its own pager, and when
 *                        the driver takes its pager away its next fault is
 *                        a plain user fault
 *   sigma0 N SEED        two children touch N pages each while the driver
 *                        takes N frames from sigma0 itself, then one by its
 *                        address and one more; every frame is distinct,
 *                        sigma0 refuses one it gave already and one that is
 *                        not its own, and nobody's data changes
 */
#include "ulib.h"
#include "l4/sigma0.h"
#include "pager.h"

#define PAGE 4096u
#define WORDS (PAGE / 4)
#define RW (L4_FPAGE_R | L4_FPAGE_W)
#define MAX_PAGES 64

/*
 * Where the regions of the children go: 0x10000000..0x2fffffff, where a
 * child has nothing else (its program is at 0x05000000, its stack just
 * below PAGER_STACK_TOP).  The grader's GDB watch counts the faults in
 * this range.  0x70000000..0x7fffffff has no region in any test: the
 * 'unmapped' test's address is there.
 */
#define REGION_LO 0x10000000u
#define REGION_HI 0x30000000u

/*
 * Where the driver puts the frames it takes from sigma0 itself: in its
 * own address space, where the pager (a thread of the same task) keeps
 * its frames at 0x60000000..0x60ffffff, 0x70000000.. is free.
 */
#define OWN_FRAMES 0x70000000u

/* How long the driver waits for a child's answer: 5 seconds.  A child
   stuck in a fault that nobody answers is then reported as such. */
#define CHILD_TICKS 500

/* What a child does for the driver: the label of the request.  Words in
   brackets are the request's; the reply's words follow the arrow. */
enum {
    OP_TOUCH = 1,   /* [kind, eax = address, ebx, ecx, edx, esi, edi, MR2, MR3, window]
                       -> (eax, ebx, ecx, edx, esi, edi, MR2, MR3, window after it) */
    OP_SCAN,        /* [address] -> (words of the page that are not 0, xor of all) */
    OP_SET_PAGER,   /* [] -> (l4_set_pager(itself, L4_NILTHREAD)) */
};
enum { TOUCH_READ, TOUCH_WRITE };
#define TOUCH_IN 10
#define TOUCH_OUT 9
#define REPLY_LABEL 0x7E

static const char *test_name, *nonce;
static uint32_t seed, rng_state;
static l4_tid_t pager;
static char pager_stack[4 * PAGE] __attribute__((aligned(16)));

/* The digest (test_fold, test_digest in ulib.h) folds SEED | 1 and then
   each word the program received and checked, in a fixed order; the
   grader works out the same value (grader/lab3.py). */

static uint32_t rng(void)
{
    return xorshift32(&rng_state);
}

/* A value to write: random, never 0 (a fresh page holds zeros). */
static uint32_t value(void)
{
    uint32_t v;
    while ((v = rng()) == 0)
        ;
    return v;
}

/* A random word-aligned byte offset in a page. */
static uint32_t offset(void)
{
    return rng() & (PAGE - 4);
}

/* Puts a random permutation of 0..n-1 in order[]. */
static void shuffle(uint32_t *order, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = rng() % i, t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

/* A random page-aligned base for a region of `pages` pages. */
static uint32_t region_base(uint32_t pages)
{
    return REGION_LO + rng() % ((REGION_HI - REGION_LO) / PAGE - pages) * PAGE;
}

/* --- the child: a task of its own, paged by the pager --- */

/*
 * Touches the address in *a: loads the other registers with the driver's
 * values, accesses memory with one instruction, and hands back what the
 * registers hold afterwards (for a read, *a is the word read).  The access
 * is the first touch of its page, so the kernel's fault IPC runs in the
 * middle of the instruction.
 */
static void child_touch(void)
{
    uint32_t kind = l4_mr(1), a = l4_mr(2), b = l4_mr(3), c = l4_mr(4), d = l4_mr(5);
    uint32_t s = l4_mr(6), di = l4_mr(7), mr2 = l4_mr(8), mr3 = l4_mr(9), win = l4_mr(10);
    struct l4_utcb *u = l4_utcb();
    u->mr[2] = mr2;
    u->mr[3] = mr3;
    u->rcv_window = win;
    if (kind == TOUCH_WRITE)
        __asm__ volatile("movl %%ebx, (%%eax)"
                         : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s), "+D"(di) : : "memory");
    else
        __asm__ volatile("movl (%%eax), %%eax"
                         : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s), "+D"(di) : : "memory");
    mr2 = u->mr[2];
    mr3 = u->mr[3];
    win = u->rcv_window;
    u->rcv_window = L4_NILPAGE;
    const uint32_t out[TOUCH_OUT] = {a, b, c, d, s, di, mr2, mr3, win};
    l4_set_mr(0, l4_tag_make(REPLY_LABEL, TOUCH_OUT, 0));
    for (unsigned i = 0; i < TOUCH_OUT; i++)
        l4_set_mr(1 + i, out[i]);
}

/* Counts the words of the page at addr that are not 0, and xors them all. */
static void child_scan(void)
{
    const volatile uint32_t *p = (const volatile uint32_t *)(l4_mr(1) & ~(PAGE - 1));
    uint32_t nonzero = 0, x = 0;
    for (uint32_t i = 0; i < WORDS; i++) {
        nonzero += p[i] != 0;
        x ^= p[i];
    }
    l4_set_mr(0, l4_tag_make(REPLY_LABEL, 2, 0));
    l4_set_mr(1, nonzero);
    l4_set_mr(2, x);
}

/* A child's life: serve the driver (whose ID the pager passes as arg)
   until the driver stops the machine or a refused fault stops the child. */
static void child_main(uint32_t driver)
{
    int32_t r = l4_receive(driver, L4_TIMEOUT_NEVER, 0);
    for (;;) {
        if (r != 0)
            l4_thread_exit(1);          /* the driver has gone: nothing left to do */
        switch (l4_tag_label(l4_mr(0))) {
        case OP_TOUCH:
            child_touch();
            break;
        case OP_SCAN:
            child_scan();
            break;
        case OP_SET_PAGER:
            r = l4_set_pager(l4_myself(), L4_NILTHREAD);
            l4_set_mr(0, l4_tag_make(REPLY_LABEL, 1, 0));
            l4_set_mr(1, (uint32_t)r);
            break;
        default:
            l4_set_mr(0, l4_tag_make(0, 0, 0));     /* the driver reports it */
        }
        r = l4_ipc(driver, driver, l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), 0);
    }
}

/* --- the driver's side: children, requests, checks --- */

struct child {
    l4_tid_t tid;
    const char *name;
};

static struct child spawn(const char *name)
{
    int32_t tid = pager_spawn(pager, child_main, l4_myself());
    if (tid < 0)
        test_fail("pager_spawn of child %s returned %d, expected a thread ID", name, tid);
    return (struct child){(l4_tid_t)tid, name};
}

static void add_region(struct child *c, uint32_t base, uint32_t pages, uint32_t rights)
{
    int32_t r = pager_region(pager, c->tid, base, pages * PAGE, rights);
    if (r != 0)
        test_fail("pager_region(child %s, 0x%08x, %u pages, rights %x) returned %d, expected 0",
                  c->name, base, pages, rights, r);
}

/* Sends request op with n words to child c and waits for its answer;
   returns the IPC's result (0, or the error the caller expected). */
static int32_t ask(const struct child *c, uint32_t op, unsigned n, const uint32_t *w)
{
    l4_set_mr(0, l4_tag_make(op, n, 0));
    for (unsigned i = 0; i < n; i++)
        l4_set_mr(1 + i, w[i]);
    return l4_ipc(c->tid, c->tid, l4_timeouts(CHILD_TICKS, CHILD_TICKS), 0);
}

/* ask() that must succeed, with a reply of `words` words. */
static void must_ask(const struct child *c, uint32_t op, unsigned n, const uint32_t *w,
                     unsigned words, const char *what)
{
    int32_t r = ask(c, op, n, w);
    if (r == -(L4_ETIMEOUT | L4_ERECV) || r == -L4_ETIMEOUT)
        test_fail("child %s (thread %u) did not answer within %u ticks while it %s: is it "
                  "waiting for a fault that nobody resolves?", c->name, l4_tid_number(c->tid),
                  CHILD_TICKS, what);
    if (r == -L4_ECANCELED || r == -(L4_ECANCELED | L4_ERECV) || r == -L4_ENOPARTNER)
        test_fail("child %s (thread %u) ended while it %s (the driver's call returned %d): a "
                  "fault it took was not resolved, see the kernel's report above", c->name,
                  l4_tid_number(c->tid), what, r);
    if (r != 0)
        test_fail("child %s (thread %u) %s: the driver's call returned %d, expected 0", c->name,
                  l4_tid_number(c->tid), what, r);
    l4_tag_t tag = l4_mr(0);
    if (l4_tag_label(tag) != REPLY_LABEL || l4_tag_untyped(tag) != words)
        test_fail("child %s answered with tag %x while it %s, expected label %x and %u words",
                  c->name, tag, what, REPLY_LABEL, words);
}

/*
 * Child c reads (kind TOUCH_READ) or writes val at addr, with random values
 * in its registers, MR2, MR3 and receive window, which must be the same
 * afterwards.  Returns the word read.
 */
static uint32_t touch(const struct child *c, int kind, uint32_t addr, uint32_t val)
{
    static const char *const names[TOUCH_OUT] = {"%eax", "%ebx", "%ecx", "%edx", "%esi",
                                                 "%edi", "MR2", "MR3", "rcv_window"};
    uint32_t in[TOUCH_IN] = {(uint32_t)kind, addr, kind == TOUCH_WRITE ? val : value()};
    for (unsigned i = 3; i < TOUCH_IN; i++)
        in[i] = value();
    char what[64];
    fmt_snprintf(what, sizeof what, "%s 0x%08x", kind == TOUCH_WRITE ? "wrote" : "read", addr);
    must_ask(c, OP_TOUCH, TOUCH_IN, in, TOUCH_OUT, what);
    uint32_t out[TOUCH_OUT];
    for (unsigned i = 0; i < TOUCH_OUT; i++)
        out[i] = l4_mr(1 + i);
    for (unsigned i = kind == TOUCH_WRITE ? 0 : 1; i < TOUCH_OUT; i++)
        if (out[i] != in[1 + i])
            test_fail("child %s (thread %u) %s: its %s held %x before the access and %x after "
                      "it; a page fault must leave the thread's registers, message registers "
                      "and receive window as they were", c->name, l4_tid_number(c->tid), what,
                      names[i], in[1 + i], out[i]);
    return out[0];
}

/* Child c reads addr and must find want there (why: what the page is). */
static void must_read(const struct child *c, uint32_t addr, uint32_t want, const char *why)
{
    uint32_t got = touch(c, TOUCH_READ, addr, 0);
    if (got != want)
        test_fail("child %s (thread %u) read %x at 0x%08x (%s), expected %x", c->name,
                  l4_tid_number(c->tid), got, addr, why, want);
}

/* The page at addr in child c must hold nonzero words, whose xor is x. */
static void must_scan(const struct child *c, uint32_t addr, uint32_t nonzero, uint32_t x,
                      const char *why)
{
    uint32_t w = addr;
    must_ask(c, OP_SCAN, 1, &w, 2, "scanned a page");
    if (l4_mr(1) != nonzero || l4_mr(2) != x)
        test_fail("child %s (thread %u) found %u words that are not 0 in the page at 0x%08x (xor "
                  "%x), expected %u (xor %x): %s", c->name, l4_tid_number(c->tid), l4_mr(1),
                  addr & ~(PAGE - 1), l4_mr(2), nonzero, x, why);
}

/* Child c's access at addr must be refused: announced for the grader
   first, then the child must be gone. */
static void must_fault(const struct child *c, int kind, uint32_t addr, const char *why)
{
    printf("lab3 %s: expecting a fault: thread %u %s 0x%08x (%s)\n", test_name,
           l4_tid_number(c->tid), kind == TOUCH_WRITE ? "writes" : "reads", addr, why);
    uint32_t in[TOUCH_IN] = {(uint32_t)kind, addr, value()};
    for (unsigned i = 3; i < TOUCH_IN; i++)
        in[i] = value();
    int32_t r = ask(c, OP_TOUCH, TOUCH_IN, in);
    if (r == 0)
        test_fail("child %s (thread %u) %s 0x%08x (%s) without a fault: it answered", c->name,
                  l4_tid_number(c->tid), kind == TOUCH_WRITE ? "wrote" : "read", addr, why);
    if (r != -(L4_ECANCELED | L4_ERECV) && r != -(L4_ENOPARTNER | L4_ERECV))
        test_fail("waiting for child %s (thread %u), whose access at 0x%08x must fault and stop "
                  "it, returned %d, expected %d (it ended while the driver waited)", c->name,
                  l4_tid_number(c->tid), addr, r, -(L4_ECANCELED | L4_ERECV));
    /* Stopped for good: a new request finds nobody. */
    r = ask(c, OP_SCAN, 1, &addr);
    if (r != -L4_ENOPARTNER)
        test_fail("a request to child %s (thread %u) after its refused fault returned %d, "
                  "expected %d (the kernel stops a thread whose fault was refused)", c->name,
                  l4_tid_number(c->tid), r, -L4_ENOPARTNER);
}

#define ANY 0xFFFFFFFFu

/* The pager's statistics for child c's region at base must be `want`
   (ANY: not checked).  Returns what the pager said. */
static struct pager_stats expect_stats(const struct child *c, uint32_t base,
                                       struct pager_stats want)
{
    struct pager_stats got;
    int32_t r = pager_stats(pager, c->tid, base, &got);
    if (r != 0)
        test_fail("pager_stats(child %s, 0x%08x) returned %d, expected 0", c->name, base, r);
    const uint32_t *g = (const uint32_t *)&got, *w = (const uint32_t *)&want;
    for (unsigned i = 0; i < PAGER_STATS_WORDS; i++)
        if (w[i] != ANY && g[i] != w[i])
            test_fail("the pager's statistics for child %s's region at 0x%08x: faults %u, "
                      "zero_fills %u, copies %u, refused %u, shared %u; expected %d, %d, %d, %d, "
                      "%d (-1: any)", c->name, base, got.faults, got.zero_fills, got.copies,
                      got.refused, got.shared, (int32_t)want.faults, (int32_t)want.zero_fills,
                      (int32_t)want.copies, (int32_t)want.refused, (int32_t)want.shared);
    return got;
}

static void check_pages(uint32_t n, uint32_t min, uint32_t max)
{
    if (n < min || n > max)
        test_fail("N = %u pages, expected %u..%u", n, min, max);
}

/* --- the tests --- */

/*
 * A child touches n pages of a region of up to 2n pages, in random order.
 * About half of the pages are read first (and must be zero), the others
 * written first; every write reads back, and the rest of the page stays
 * zero.  (sigma0 fills every frame it hands out with junk: the pager must
 * clear it.)
 */
static void test_demand_zero(uint32_t n)
{
    check_pages(n, 1, MAX_PAGES);
    uint32_t size = n + rng() % (n + 1), base = region_base(size);
    uint32_t order[2 * MAX_PAGES], val[MAX_PAGES], addr[MAX_PAGES];
    struct child c = spawn("A");
    add_region(&c, base, size, RW);
    shuffle(order, size);                       /* the first n of them are touched */
    for (uint32_t i = 0; i < n; i++) {
        addr[i] = base + order[i] * PAGE + offset();
        val[i] = value();
        if (rng() & 1) {
            must_read(&c, addr[i], 0, "a fresh page of a demand-zero region");
            must_scan(&c, addr[i], 0, 0, "a fresh page of a demand-zero region reads zero");
        }
        touch(&c, TOUCH_WRITE, addr[i], val[i]);
        must_read(&c, addr[i], val[i], "the child's own write");
        must_scan(&c, addr[i], 1, val[i], "one word written into a page that was zero");
    }
    for (uint32_t i = 0; i < n; i++) {
        must_read(&c, addr[i], val[i], "written earlier in the test");
        test_fold(addr[i]);
        test_fold(val[i]);
    }
    struct pager_stats st = expect_stats(&c, base, (struct pager_stats){n, n, 0, 0, 0});
    printf("lab3 demand_zero: nonce=%s pages=%u faults=%u zero_fills=%u digest=%08x ok\n",
           nonce, n, st.faults, st.zero_fills, test_digest);
    l4_kdb_exit(0);
}

/* n pages of a read-only region read zero; a write to one is refused. */
static void test_readonly(uint32_t n)
{
    check_pages(n, 1, MAX_PAGES);
    uint32_t size = n + rng() % (n + 1), base = region_base(size), order[2 * MAX_PAGES];
    struct child c = spawn("A");
    add_region(&c, base, size, L4_FPAGE_R);
    shuffle(order, size);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = base + order[i] * PAGE + offset();
        must_read(&c, a, 0, "a fresh page of a read-only demand-zero region");
        test_fold(a);
        must_scan(&c, a, 0, 0, "a page of a read-only demand-zero region reads zero");
    }
    expect_stats(&c, base, (struct pager_stats){n, n, 0, 0, 0});
    uint32_t bad = base + order[rng() % n] * PAGE + offset();
    must_fault(&c, TOUCH_WRITE, bad, "read-only region");
    struct pager_stats st = expect_stats(&c, base, (struct pager_stats){n + 1, n, 0, 1, 0});
    printf("lab3 readonly: nonce=%s pages=%u refused=%u digest=%08x ok\n", nonce, n, st.refused,
           test_digest);
    l4_kdb_exit(0);
}

/* Pages of the cow test: bit i of a mask is page i of the region. */
static uint32_t random_mask(uint32_t n)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        m |= (rng() & 1) << i;
    return m;
}

static uint32_t count(uint32_t m)
{
    uint32_t k = 0;
    for (; m; m &= m - 1)
        k++;
    return k;
}

/*
 * Copy-on-write.  A fills the pages S of an n-page region; the pager copies
 * the region into B.  Both read all of it, then A writes the pages WA and B
 * the pages WB, interleaved in random order, at the same offset as A's
 * data.  A page of S that either writes is copied once, for whoever writes
 * it first: the other then holds the only reference and just gets it
 * writable.  Pages of S that nobody writes stay shared.
 */
static void test_cow(uint32_t n)
{
    check_pages(n, 5, 32);                      /* a page for each case below; a bit mask */
    uint32_t all = n == 32 ? ~0u : (1u << n) - 1, base = region_base(n);
    uint32_t s, wm[2], off[32], data[32], wval[2][32], order[64];
    /* S, WA and WB at random, but at least one page of S written by both,
       one by A only, one by B only, one by nobody, and one page not in S. */
    do {
        s = random_mask(n);
        wm[0] = random_mask(n);
        wm[1] = random_mask(n);
    } while (!(s & wm[0] & wm[1]) || !(s & wm[0] & ~wm[1]) || !(s & ~wm[0] & wm[1]) ||
             !(s & ~wm[0] & ~wm[1]) || !(~s & all));
    for (uint32_t i = 0; i < n; i++) {
        off[i] = offset();
        data[i] = value();
        wval[0][i] = value();
        wval[1][i] = value();
    }
    struct child c[2] = {spawn("A"), spawn("B")};
    add_region(&c[0], base, n, RW);
    shuffle(order, n);
    for (uint32_t k = 0; k < n; k++)
        if (s >> order[k] & 1)
            touch(&c[0], TOUCH_WRITE, base + order[k] * PAGE + off[order[k]], data[order[k]]);

    int32_t shared = pager_copy(pager, c[0].tid, base, n * PAGE, c[1].tid);
    if (shared != (int32_t)count(s))
        test_fail("pager_copy of A's region (0x%08x, %u pages, %u of them touched) to B returned "
                  "%d, expected %u (the pages it shares)", base, n, count(s), shared, count(s));

    /* Both see A's data, and zeros where A wrote nothing. */
    shuffle(order, 2 * n);
    for (uint32_t k = 0; k < 2 * n; k++) {
        uint32_t i = order[k] % n, in_s = s >> i & 1;
        struct child *who = &c[order[k] / n];
        must_read(who, base + i * PAGE + off[i], in_s ? data[i] : 0,
                  in_s ? "A's data, before anyone wrote after the copy"
                       : "a page A never touched");
        must_scan(who, base + i * PAGE, in_s, in_s ? data[i] : 0,
                  "the page as A left it at the copy");
    }

    /* The writes, A's and B's interleaved; the first writer of a page of S
       gets the copy. */
    uint32_t copies[2] = {0, 0}, written = 0;
    shuffle(order, 2 * n);
    for (uint32_t k = 0; k < 2 * n; k++) {
        uint32_t i = order[k] % n, who = order[k] / n;
        if (!(wm[who] >> i & 1))
            continue;
        if ((s & ~written) >> i & 1)
            copies[who]++;
        written |= 1u << i;
        touch(&c[who], TOUCH_WRITE, base + i * PAGE + off[i], wval[who][i]);
    }

    /* Each sees its own writes, and not the other's. */
    for (uint32_t k = 0; k < 2 * n; k++) {
        uint32_t i = k % n, who = k / n, mine = wm[who] >> i & 1, in_s = s >> i & 1;
        uint32_t want = mine ? wval[who][i] : in_s ? data[i] : 0;
        must_read(&c[who], base + i * PAGE + off[i], want,
                  mine ? "its own write" : wm[!who] >> i & 1
                  ? "the other child wrote here, after the copy: its write must not show"
                  : in_s ? "A's data, written by nobody since the copy" : "never written");
        must_scan(&c[who], base + i * PAGE, want != 0, want, "only one word was ever written");
        test_fold(want);
    }

    /* A faulted on each page once, and again on its first write to a page
       of S (read-only since the copy); B likewise.  Pages outside S were
       mapped writable at their first fault. */
    uint32_t still = count(s & ~(wm[0] | wm[1]));
    expect_stats(&c[0], base, (struct pager_stats){n + count(s & wm[0]), n, copies[0], 0, still});
    expect_stats(&c[1], base,
                 (struct pager_stats){n + count(s & wm[1]), n - count(s), copies[1], 0, still});
    printf("lab3 cow: nonce=%s pages=%u copied=%u shared=%u copies=%u+%u digest=%08x ok\n",
           nonce, n, count(s), still, copies[0], copies[1], test_digest);
    l4_kdb_exit(0);
}

/*
 * A read where the child has no region is refused and stops it; the
 * pager and the kernel go on: a second child works.  That child may not
 * change its own pager (it is no root task); once the driver has taken its
 * pager away, its next fault is reported without one.
 */
static void test_unmapped(uint32_t addr)
{
    uint32_t size = 2 + rng() % 8, base = region_base(size), first = base + offset();
    uint32_t v = value();
    addr &= ~3u;                                /* a word, inside its page */
    if (addr < 0x70000000u || addr > 0x7FFFFFFCu)
        test_fail("ADDR 0x%08x, expected 0x70000000..0x7ffffffc", addr);
    struct child a = spawn("A");
    add_region(&a, base, size, RW);
    must_read(&a, first, 0, "a fresh page of a demand-zero region");
    must_fault(&a, TOUCH_READ, addr, "no region there");

    struct child b = spawn("B");
    add_region(&b, base, size, RW);
    touch(&b, TOUCH_WRITE, first, v);
    must_read(&b, first, v, "its own write, after the other child was stopped");
    test_fold(first);
    test_fold(v);
    must_ask(&b, OP_SET_PAGER, 0, 0, 1, "called l4_set_pager on itself");
    if ((int32_t)l4_mr(1) != -L4_EPERM)
        test_fail("child B's l4_set_pager(itself, L4_NILTHREAD) returned %d, expected %d: only "
                  "root tasks may set pagers", (int32_t)l4_mr(1), -L4_EPERM);
    int32_t r = l4_set_pager(a.tid, L4_NILTHREAD);
    if (r != -L4_ENOPARTNER)
        test_fail("l4_set_pager of child A, stopped by its fault, returned %d, expected %d", r,
                  -L4_ENOPARTNER);
    if ((r = l4_set_pager(b.tid, L4_NILTHREAD)) != 0)
        test_fail("the driver's l4_set_pager(child B, L4_NILTHREAD) returned %d, expected 0", r);
    must_fault(&b, TOUCH_READ, base + (first - base + PAGE) % (size * PAGE),
               "no pager any more");
    printf("lab3 unmapped: nonce=%s at=0x%08x digest=%08x ok\n", nonce, addr, test_digest);
    l4_kdb_exit(0);
}

/* What party `who` (1, 2: the children; 0: the driver) writes in its page i. */
static uint32_t pattern(uint32_t who, uint32_t i)
{
    uint32_t x = (seed ^ who * 0x9E3779B9u ^ i * 0x85EBCA6Bu) | 1;
    return xorshift32(&x);
}

/* The driver's frames from sigma0: their physical addresses, and where
   they are in its own space. */
static uint32_t own_pa[MAX_PAGES + 2], own_va[MAX_PAGES + 2], own_count;

/* Records frame pa, which sigma0 mapped at va (a page of the driver's),
   and writes the driver's pattern into it at offset off. */
static void own_frame(int32_t pa, uint32_t va, uint32_t off, const char *how)
{
    uint32_t i = own_count;
    if (pa < 0)
        test_fail("%s (the driver's frame %u) returned %d, expected a physical address", how, i + 1,
                  pa);
    if (pa % PAGE || pa < 0x100000)
        test_fail("%s gave the driver the frame at %x: not a page of free RAM", how, pa);
    for (uint32_t j = 0; j < i; j++)
        if (own_pa[j] == (uint32_t)pa)
            test_fail("sigma0 gave the driver the frame at %x twice (its frames %u and %u, the "
                      "second by %s)", pa, j + 1, i + 1, how);
    own_pa[i] = (uint32_t)pa;
    own_va[i] = va + off;
    own_count++;
    memset((void *)va, 0, PAGE);        /* sigma0's frames come with junk */
    *(volatile uint32_t *)(va + off) = pattern(0, i);
}

/*
 * The driver asks sigma0 for the free frame at physical address pa or
 * above (the first one that sigma0 still has), which lands at va.
 */
static void own_frame_at(const l4_tid_t s0, uint32_t pa, uint32_t va)
{
    for (unsigned tries = 0; tries < 256; tries++, pa += PAGE) {
        int32_t r = sigma0_get_frame(s0, pa, va);
        if (r == -L4_EPERM || r == -L4_EINVAL)
            continue;                   /* handed out already, or not sigma0's */
        if (r >= 0 && (uint32_t)r != pa)
            test_fail("sigma0_get_frame(%x) returned %x, another frame", pa, r);
        own_frame(r, va, offset(), "sigma0_get_frame");
        return;
    }
    test_fail("sigma0_get_frame found no free frame in 256 pages above %x", pa - 256 * PAGE);
}

/*
 * Two children touch n pages each while the driver takes n frames from
 * sigma0, in random order; all of them write patterns.  Then the driver
 * takes a free frame by its address, and one more with GET_PAGE, which
 * must be another.  If sigma0 handed a frame out twice, two of the
 * parties would share it, and a page would hold a word it should not.
 */
static void test_sigma0(uint32_t n)
{
    check_pages(n, 1, MAX_PAGES);
    const l4_tid_t s0 = l4_boot_tid(0);
    uint32_t base[3], off[3][MAX_PAGES], order[3 * MAX_PAGES], next[3] = {0}, top = 0;
    struct child c[3] = {{l4_myself(), "driver"}, spawn("A"), spawn("B")};
    base[0] = OWN_FRAMES + rng() % 0x1000 * PAGE;
    for (uint32_t w = 1; w < 3; w++) {
        base[w] = region_base(n);
        add_region(&c[w], base[w], n, RW);
    }
    shuffle(order, 3 * n);
    for (uint32_t k = 0; k < 3 * n; k++) {
        uint32_t who = order[k] / n, i = next[who]++;
        uint32_t a = base[who] + i * PAGE + (off[who][i] = offset());
        if (who > 0)
            touch(&c[who], TOUCH_WRITE, a, pattern(who, i));
        else
            own_frame(sigma0_get_page(s0, a & ~(PAGE - 1)), a & ~(PAGE - 1), a % PAGE,
                      "sigma0_get_page");
    }
    for (uint32_t i = 0; i < own_count; i++)
        top = own_pa[i] > top ? own_pa[i] : top;
    own_frame_at(s0, top + PAGE, base[0] + (n + 1) * PAGE);
    own_frame(sigma0_get_page(s0, base[0] + (n + 2) * PAGE), base[0] + (n + 2) * PAGE, offset(),
              "sigma0_get_page after a sigma0_get_frame");

    uint32_t spare = base[0] + n * PAGE, again = own_pa[rng() % own_count];
    int32_t r = sigma0_get_frame(s0, again, spare);
    if (r != -L4_EPERM)
        test_fail("sigma0_get_frame(%x), a frame sigma0 gave the driver already, returned %d, "
                  "expected %d (-L4_EPERM)", again, r, -L4_EPERM);
    if ((r = sigma0_get_frame(s0, 0x100000, spare)) != -L4_EINVAL)
        test_fail("sigma0_get_frame(0x100000), a frame of the kernel image, returned %d, "
                  "expected %d (-L4_EINVAL)", r, -L4_EINVAL);

    /* Every page holds its owner's word and nothing else. */
    for (uint32_t who = 1; who < 3; who++)
        for (uint32_t i = 0; i < n; i++) {
            uint32_t a = base[who] + i * PAGE + off[who][i], want = pattern(who, i);
            must_read(&c[who], a, want, "its pattern, written earlier");
            must_scan(&c[who], a, 1, want, "one word of its own: nobody else's");
            test_fold(want);
        }
    for (uint32_t i = 0; i < own_count; i++) {
        const volatile uint32_t *p = (const volatile uint32_t *)(own_va[i] & ~(PAGE - 1));
        uint32_t nonzero = 0, want = pattern(0, i);
        for (uint32_t j = 0; j < WORDS; j++)
            nonzero += p[j] != 0;
        if (*(volatile uint32_t *)own_va[i] != want || nonzero != 1)
            test_fail("the driver's frame %u (physical %x, at 0x%08x) holds %x and %u words that "
                      "are not 0, expected %x and 1: someone else writes to it", i + 1, own_pa[i],
                      own_va[i], *(volatile uint32_t *)own_va[i], nonzero, want);
    }
    printf("lab3 sigma0: nonce=%s pages=%u frames=%u+%u digest=%08x ok\n", nonce, n, n,
           own_count - n, test_digest);
    l4_kdb_exit(0);
}

static uint32_t arg(int argc, char **argv, int i)
{
    return argc > i ? (uint32_t)strtoul(argv[i], NULL, 0) : 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        printf("usage: lab3_pager TEST NONCE PARAMS... SEED (boot it after sigma0)\n");
        l4_kdb_exit(2);
    }
    test_name = argv[1];
    test_begin("lab3", test_name);
    nonce = argv[2];
    seed = rng_state = arg(argc, argv, argc - 1) | 1;   /* SEED is always the last parameter */
    test_fold(seed);
    if (l4_myself() != l4_boot_tid(1))
        test_fail("this is thread %x, but the driver must be the first thread of boot module 1 "
                  "(%x), after sigma0", l4_myself(), l4_boot_tid(1));
    int32_t p = pager_start(l4_boot_tid(0), pager_stack, sizeof pager_stack);
    if (p < 0)
        test_fail("pager_start returned %d, expected the pager's thread ID", p);
    pager = (l4_tid_t)p;
    printf("lab3 %s: the pager is thread %u\n", test_name, l4_tid_number(pager));

    uint32_t p1 = arg(argc, argv, 3);
    if (strcmp(test_name, "demand_zero") == 0)
        test_demand_zero(p1);
    else if (strcmp(test_name, "readonly") == 0)
        test_readonly(p1);
    else if (strcmp(test_name, "cow") == 0)
        test_cow(p1);
    else if (strcmp(test_name, "unmapped") == 0)
        test_unmapped(p1);
    else if (strcmp(test_name, "sigma0") == 0)
        test_sigma0(p1);
    test_fail("unknown test '%s'", test_name);
}
