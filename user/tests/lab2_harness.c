/*
 * The harness of lab2_map (user/tests/lab2_map.c): the roles' requests,
 * the peers that serve them, the probes that make accesses that may fault,
 * and role a's checks on what the peers report.  lab2_harness.h says how
 * they work together.
 */
#include "lab2_harness.h"

#define PROBE_STACKS 4

static char probe_stacks[PROBE_STACKS][PAGE] __attribute__((aligned(16)));
static unsigned probe_next;

const char *test_name, *nonce;
int my_role;
static uint32_t rng_state, cookie_state = 0x2545F491u;

__attribute__((noreturn)) void pass(uint32_t at)
{
    printf("lab2 %s: nonce=%s at=0x%08x digest=%08x ok\n", test_name, nonce, at, test_digest);
    l4_kdb_exit(0);
}

static uint32_t rng(void)
{
    return xorshift32(&rng_state);
}

/* A value to write: random, never 0 (a fresh page holds zeros). */
uint32_t value(void)
{
    uint32_t v;
    while ((v = rng()) == 0)
        ;
    return v;
}

/* Random bits for a send base above 2^log2, the larger of the item's and
   the window's size: placement takes the send base modulo that size, so
   they must not matter.  (Kept below L4_USER_TOP all the same.) */
uint32_t high_bits(unsigned log2)
{
    return (rng() % L4_USER_TOP) & ~((1u << log2) - 1);
}

/* A flexpage in words, for failure messages (up to three in one message). */
const char *fp_str(l4_fpage_t f)
{
    static char bufs[3][64];
    static unsigned n;
    char *b = bufs[n++ % 3];
    if (f == L4_NILPAGE)
        fmt_snprintf(b, sizeof bufs[0], "L4_NILPAGE");
    else
        fmt_snprintf(b, sizeof bufs[0], "%x (base %x, 2^%u bytes, rights %x)", f,
                     l4_fpage_base(f), l4_fpage_log2size(f), l4_fpage_rights(f));
    return b;
}

/* --- probes: accesses that may fault, each in a thread of its own --- */

static struct {
    int kind;
    uint32_t addr, value, count, stride;
    l4_tid_t parent;
} probe_job;

static void probe_main(void)
{
    uint32_t sum = 0;
    if (probe_job.kind == PROBE_WRITE)
        *(volatile uint32_t *)probe_job.addr = probe_job.value;
    else
        for (uint32_t i = 0; i < probe_job.count; i++)
            sum += *(volatile uint32_t *)(probe_job.addr + i * probe_job.stride);
    l4_set_mr(0, l4_tag_make(0, 1, 0));
    l4_set_mr(1, sum);
    l4_send(probe_job.parent, L4_TIMEOUT_NEVER);
}

/*
 * Runs one access in a new thread of this task and waits for it.  Returns
 * 0 with the sum of the words read in *sum, or 1 if the access faulted (the
 * kernel ended the probe).  The stacks rotate: a probe that has just
 * reported may not have left its stack yet.
 */
static uint32_t probe(int kind, uint32_t addr, uint32_t val, uint32_t count, uint32_t stride,
                      uint32_t *sum)
{
    probe_job.kind = kind;
    probe_job.addr = addr;
    probe_job.value = val;
    probe_job.count = count;
    probe_job.stride = stride;
    probe_job.parent = l4_myself();
    int32_t tid = thread_spawn(probe_main, probe_stacks[probe_next++ % PROBE_STACKS], PAGE);
    if (tid < 0)
        test_fail("cannot create a probe thread: l4_thread_create returned %s", errstr(tid));
    int32_t r = l4_receive((l4_tid_t)tid, L4_TIMEOUT_NEVER, 0);
    *sum = 0;
    if (r == 0) {
        *sum = l4_mr(1);
        return 0;
    }
    if (r == -(L4_ECANCELED | L4_ERECV) || r == -(L4_ENOPARTNER | L4_ERECV))
        return 1;
    test_fail("waiting for the probe thread that %s 0x%08x returned %s, expected 0 (done) or %s "
              "(it faulted and ended)", kind == PROBE_WRITE ? "writes" : "reads", addr,
              ipc_errstr(r), ipc_errstr(-(L4_ECANCELED | L4_ERECV)));
}

/* --- the map message: one item after one untyped word --- */

/*
 * Sends one map or grant item to the first thread of boot module `to`
 * (who serves REQ_TAKE) and returns the IPC's result; *landed receives the
 * fpage that the receiver found in its item's word 1.
 */
int32_t give(int to, uint32_t type, uint32_t snd_base, l4_fpage_t fp, l4_fpage_t *landed)
{
    /* Not from rng: the values a test writes stay a plain sequence of
       rng's, which the grader reproduces for the digest. */
    uint32_t cookie = xorshift32(&cookie_state);
    l4_set_mr(0, l4_tag_make(REQ_TAKE, 1, 2));
    l4_set_mr(1, cookie);
    l4_set_mr(2, l4_item_word0(type, snd_base));
    l4_set_mr(3, fp);
    int32_t r = l4_call(l4_boot_tid((unsigned)to));
    *landed = L4_NILPAGE;
    if (r != 0)
        return r;
    if (l4_tag_label(l4_mr(0)) != REPLY_LABEL || l4_mr(2) != cookie)
        test_fail("%c's reply to the map message has label %x and cookie %x, expected %x and %x",
                  role_char(to), l4_tag_label(l4_mr(0)), l4_mr(2), REPLY_LABEL, cookie);
    *landed = l4_mr(1);
    return 0;
}

/* --- the peers (b, c) --- */

static l4_fpage_t window = L4_NILPAGE;
static uint32_t served;

/*
 * REQ_HELD: whether this task still has each of the pages w[1] + i * w[3]
 * (i < w[2]), without touching them: a map of a page it does not have
 * lands nothing (L4_NILPAGE), and a read would fault once per page.
 */
static void held(const uint32_t *w, uint32_t *landed_count, uint32_t *first)
{
    *landed_count = *first = 0;
    for (uint32_t i = 0; i < w[2]; i++) {
        uint32_t addr = w[1] + i * w[3];
        l4_fpage_t landed;
        int32_t r = give((int)w[0], L4_ITEM_MAP, 0, l4_fpage(addr, 12, RW), &landed);
        if (r != 0)
            test_fail("the map IPC of the page at 0x%08x to %c (to see whether it is still "
                      "mapped here) returned %s, expected 0", addr, role_char((int)w[0]),
                      ipc_errstr(r));
        if (landed != L4_NILPAGE && (*landed_count)++ == 0)
            *first = addr;
    }
}

/* Carries out the request in the message registers and sets the reply. */
static void handle(void)
{
    l4_tag_t tag = l4_mr(0);
    unsigned u = l4_tag_untyped(tag), t = l4_tag_typed(tag);
    uint32_t w[4] = {0, 0, 0, 0}, out0 = 0, out1 = 0;
    for (unsigned i = 0; i < u && i < 4; i++)
        w[i] = l4_mr(1 + i);
    switch (l4_tag_label(tag)) {
    case REQ_WINDOW:
        window = w[0];
        break;
    case REQ_TAKE:
        if (u != 1 || t != 2)
            test_fail("a map message arrived with tag %x (%u untyped, %u typed words), "
                      "expected 1 and 2", tag, u, t);
        out0 = l4_mr(u + 2);
        out1 = w[0];
        break;
    case REQ_READ:
        out0 = probe(PROBE_SUM, w[0], 0, 1, 0, &out1);
        break;
    case REQ_WRITE:
        out0 = probe(PROBE_WRITE, w[0], w[1], 0, 0, &out1);
        break;
    case REQ_SUM:
        out0 = probe(PROBE_SUM, w[0], 0, w[1], w[2], &out1);
        break;
    case REQ_UNMAP:
        out0 = (uint32_t)l4_unmap(w[0], w[1]);
        break;
    case REQ_PASS:
        out0 = (uint32_t)give((int)w[0], w[1], w[2], w[3], &out1);
        break;
    case REQ_COUNT:
        out0 = served;
        break;
    case REQ_HELD:
        held(w, &out0, &out1);
        break;
    default:
        test_fail("a request with tag %x arrived, which no test sends", tag);
    }
    l4_set_mr(0, l4_tag_make(REPLY_LABEL, 2, 0));
    l4_set_mr(1, out0);
    l4_set_mr(2, out1);
}

/* A peer's life: serve requests until a stops the machine.  The receive
   window is set anew before every receive (a REQ_WINDOW changes it). */
static __attribute__((noreturn)) void serve(void)
{
    l4_tid_t client;
    l4_utcb()->rcv_window = window;
    int32_t r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
    for (;;) {
        if (r != 0)
            test_fail("receiving the next request (l4_receive, then l4_reply_wait) returned %s, "
                      "expected 0", ipc_errstr(r));
        served++;
        handle();
        l4_utcb()->rcv_window = window;
        r = l4_reply_wait(client, &client);
    }
}

/* --- a's side: requests to the peers and the checks on their answers --- */

/* Sends request req with n words to peer `to`; returns the reply's words. */
void ask(int to, uint32_t req, unsigned n, const uint32_t *w, uint32_t *out0, uint32_t *out1)
{
    l4_set_mr(0, l4_tag_make(req, n, 0));
    for (unsigned i = 0; i < n; i++)
        l4_set_mr(1 + i, w[i]);
    int32_t r = l4_call(l4_boot_tid((unsigned)to));
    if (r != 0)
        test_fail("a request (label %u) to %c, the first thread of boot module %d (%x), "
                  "returned %s, expected 0", req, role_char(to), to, l4_boot_tid((unsigned)to),
                  ipc_errstr(r));
    if (l4_tag_label(l4_mr(0)) != REPLY_LABEL)
        test_fail("%c's reply has label %x, expected %x", role_char(to), l4_tag_label(l4_mr(0)),
                  REPLY_LABEL);
    if (out0)
        *out0 = l4_mr(1);
    if (out1)
        *out1 = l4_mr(2);
}

void set_window(int to, l4_fpage_t w)
{
    ask(to, REQ_WINDOW, 1, &w, 0, 0);
}

/* Makes `who` (a itself, or a peer) access addr; returns 1 if it faulted. */
uint32_t access_at(int who, int kind, uint32_t addr, uint32_t val, uint32_t *got)
{
    if (who == ROLE_A)
        return probe(kind, addr, val, 1, 0, got);
    uint32_t w[2] = {addr, val}, faulted;
    ask(who, kind == PROBE_WRITE ? REQ_WRITE : REQ_READ, kind == PROBE_WRITE ? 2 : 1, w,
        &faulted, got);
    return faulted;
}

/* `who` reads addr and must find want there. */
void must_read(int who, uint32_t addr, uint32_t want, const char *what)
{
    uint32_t got;
    if (access_at(who, PROBE_SUM, addr, 0, &got))
        test_fail("%c's read at 0x%08x (%s) faulted, but the page should be readable there",
                  role_char(who), addr, what);
    if (got != want)
        test_fail("%c read %x at 0x%08x (%s), expected %x", role_char(who), got, addr, what, want);
    test_fold(want);
}

void must_write(int who, uint32_t addr, uint32_t val, const char *what)
{
    uint32_t got;
    if (access_at(who, PROBE_WRITE, addr, val, &got))
        test_fail("%c's write at 0x%08x (%s) faulted, but the page should be writable there",
                  role_char(who), addr, what);
}

/* `who`'s access at addr must fault: the line before it tells the grader
   which fault report of the kernel to expect. */
void must_fault(int who, int kind, uint32_t addr, const char *why)
{
    uint32_t got;
    printf("lab2 %s: expecting a fault: %c %s 0x%08x (%s)\n", test_name, role_char(who),
           kind == PROBE_WRITE ? "writes" : "reads", addr, why);
    if (!access_at(who, kind, addr, 0x0BADF00D, &got)) {
        if (kind == PROBE_WRITE)
            test_fail("%c's write at 0x%08x did not fault (%s)", role_char(who), addr, why);
        test_fail("%c's read at 0x%08x did not fault (%s): it read %x", role_char(who), addr,
                  why, got);
    }
}

/* a maps (or grants) fp to peer `to`, and it must land as `want`. */
void map_to(int to, uint32_t type, uint32_t snd_base, l4_fpage_t fp, l4_fpage_t want)
{
    l4_fpage_t landed;
    int32_t r = give(to, type, snd_base, fp, &landed);
    const char *how = type == L4_ITEM_GRANT ? "grant" : "map";
    if (r != 0)
        test_fail("a %s IPC of fpage %s (send base %x) to %c returned %s, expected 0", how,
                  fp_str(fp), snd_base, role_char(to), ipc_errstr(r));
    if (landed != want)
        test_fail("a %s of fpage %s (send base %x) to %c landed as %s; expected %s", how,
                  fp_str(fp), snd_base, role_char(to), fp_str(landed), fp_str(want));
}

/* Peer `from` passes the item on to peer `to`; it must land as `want`. */
void pass_on(int from, int to, uint32_t type, uint32_t snd_base, l4_fpage_t fp,
             l4_fpage_t want)
{
    uint32_t w[4] = {(uint32_t)to, type, snd_base, fp}, r, landed;
    ask(from, REQ_PASS, 4, w, &r, &landed);
    if (r != 0)
        test_fail("%c's map IPC of its fpage %s (send base %x) to %c returned %s, expected 0",
                  role_char(from), fp_str(fp), snd_base, role_char(to), ipc_errstr((int32_t)r));
    if (landed != want)
        test_fail("%c's map of its fpage %s (send base %x) to %c landed as %s; expected %s",
                  role_char(from), fp_str(fp), snd_base, role_char(to), fp_str(landed),
                  fp_str(want));
}

void unmap_by(int who, l4_fpage_t fp, uint32_t flags)
{
    uint32_t w[2] = {fp, flags}, r;
    if (who == ROLE_A)
        r = (uint32_t)l4_unmap(fp, flags);
    else
        ask(who, REQ_UNMAP, 2, w, &r, 0);
    if (r != 0)
        test_fail("%c's l4_unmap(%s, %u) returned %s, expected 0", role_char(who), fp_str(fp),
                  flags, errstr((int32_t)r));
}

/* a's own value at p + off. */
volatile uint32_t *word(void *page, uint32_t off)
{
    return (volatile uint32_t *)((char *)page + off);
}

void a_expects(void *page, uint32_t off, uint32_t want, const char *what)
{
    uint32_t got = *word(page, off);
    if (got != want)
        test_fail("a read %x at 0x%08x (%s), expected %x", got, (uint32_t)page + off, what, want);
    test_fold(want);
}

/* Reads TEST NONCE ROLE from the command line and folds SEED (always the
   last parameter) into the digest; b and c serve a from here on. */
void lab2_begin(int argc, char **argv)
{
    if (argc < 4 || !argv[3][0] || argv[3][1] || argv[3][0] < 'a' || argv[3][0] > 'c') {
        printf("usage: lab2_map TEST NONCE a|b|c [PARAMS...]\n");
        l4_kdb_exit(2);
    }
    test_name = argv[1];
    nonce = argv[2];
    my_role = argv[3][0] - 'a';
    test_begin("lab2", test_name);
    test_who((const char *const[]){"a", "b", "c"}[my_role]);   /* "FAIL: b: ..." */
    if (l4_myself() != l4_boot_tid((unsigned)my_role))
        test_fail("this is thread %x, but role %c must be the first thread of boot module %d "
                  "(%x): boot the roles in the order a, b, c", l4_myself(), role_char(my_role),
                  my_role, l4_boot_tid((unsigned)my_role));
    uint32_t seed = (uint32_t)strtoul(argv[argc - 1], NULL, 0);
    rng_state = seed | 1;
    test_fold(seed);
    if (my_role != ROLE_A)
        serve();
}
