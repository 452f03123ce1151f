/*
 * bench_map: the Lab 2 benchmarks, IPC and mapping between address spaces.
 * Booted as two or three modules, each a task of its own:
 *
 *   bench_map NAME RUNS UNIT NONCE   module 0, the client: measures NAME
 *   bench_map server [int]           modules 1 and 2: serve the client (int:
 *                                    through `int $0x30`, not sysenter)
 *
 *   ipc.rtt.inter_space  a one-word l4_call to the server (module 1), answered
 *                        with reply-and-wait: bench_ipc's round trip, across spaces
 *   ipc.fast.inter_space the same round trip under its own name: Lab 6 measures
 *                        it on its reference (the fast path), Lab 2 on its own
 *   ipc.fast.inter_space.int  the same with `int $0x30` (l4_ipc_int) on both
 *                        sides instead of sysenter (boot the servers as
 *                        'bench_map server int'): Lab 6 compares the two
 *   ipc.map.1page        the same call carrying one map item of a 4 KiB page,
 *                        into the server's 4 KiB receive window; each map
 *                        replaces the previous one
 *   ipc.map.1024pages    the same with a 4 MiB flexpage into a 4 MiB window
 *   unmap.chain          l4_unmap of a page the client mapped to module 1,
 *                        which mapped it on to module 2; the page is mapped
 *                        again before each sample, only the l4_unmap is measured
 *
 * Same method as bench_ipc: each sample brackets the operation with rdtsc,
 * the smallest sample less an empty measurement is the figure; instructions
 * under -icount shift=0, cycles under KVM.  The server's loop is bench_ipc's
 * echo server plus one test of the label.
 *
 * Output: BENCH NAME value=<n> unit=<UNIT> runs=<RUNS>
 */
#include "ulib.h"

#define PAGE 4096u
#define BIG_LOG2 22
#define RW (L4_FPAGE_R | L4_FPAGE_W)
#define WINDOW_BASE 0x40000000u     /* nothing of the program is there */

enum { REQ_ECHO, REQ_WINDOW, REQ_TAKE, REQ_PASS };

/* The page and the 4 MiB flexpage the client maps.  big is a common symbol
   so that the linker puts it first in .bss (see user/tests/lab2_map.c). */
static uint32_t page[PAGE / 4] __attribute__((aligned(PAGE)));
uint32_t bench_big[(1u << BIG_LOG2) / 4] __attribute__((common, aligned(1u << BIG_LOG2)));

static const char *unit = "cycles";

/* --- the servers --- */

/* Sends this server's page at `base` on to module 2 as a 4 KiB map item;
   returns the fpage that landed there, or L4_NILPAGE on an error. */
static l4_fpage_t pass_on(uint32_t base)
{
    l4_set_mr(0, l4_tag_make(REQ_TAKE, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, 0));
    l4_set_mr(2, l4_fpage(base, 12, RW));
    if (l4_call(l4_boot_tid(2)) != 0)
        return L4_NILPAGE;
    return l4_mr(1);
}

/* The requests other than the echo; sets the reply. */
static void serve_other(uint32_t tag)
{
    uint32_t out = 0;
    switch (l4_tag_label(tag)) {
    case REQ_WINDOW:
        l4_utcb()->rcv_window = l4_mr(1);
        break;
    case REQ_TAKE:
        out = l4_mr(l4_tag_untyped(tag) + 2);     /* the fpage that landed here */
        break;
    case REQ_PASS:
        out = pass_on(l4_mr(1));
        break;
    }
    l4_set_mr(0, l4_tag_make(0, 1, 0));
    l4_set_mr(1, out);
}

/* The server's reply-and-wait through `int $0x30` (ipc.fast.inter_space.int). */
static int32_t reply_wait_int(l4_tid_t client, l4_tid_t *sender)
{
    return l4_ipc_int(client, L4_ANYTHREAD, l4_timeouts(L4_TIMEOUT_ZERO, L4_TIMEOUT_NEVER), sender);
}

static __attribute__((noreturn)) void serve(int with_int)
{
    l4_tid_t client;
    int32_t r = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
    while (with_int) {                  /* a loop of its own: no test per request below */
        if (r != 0)
            test_fail("server %x: receive returned %d", l4_myself(), r);
        uint32_t tag = l4_mr(0);
        if (l4_tag_label(tag) == REQ_ECHO) {
            l4_set_mr(0, l4_tag_make(0, 1, 0));
            l4_set_mr(1, l4_mr(1) + 1);
        } else {
            serve_other(tag);
        }
        r = reply_wait_int(client, &client);
    }
    for (;;) {
        if (r != 0)
            test_fail("server %x: receive returned %d", l4_myself(), r);
        uint32_t tag = l4_mr(0);
        if (l4_tag_label(tag) == REQ_ECHO) {
            l4_set_mr(0, l4_tag_make(0, 1, 0));
            l4_set_mr(1, l4_mr(1) + 1);
        } else {
            serve_other(tag);
        }
        r = l4_reply_wait(client, &client);
    }
}

/* --- the client --- */

/* One request with one word to server module m; returns the reply's word. */
static uint32_t ask(unsigned m, uint32_t req, uint32_t w)
{
    l4_set_mr(0, l4_tag_make(req, 1, 0));
    l4_set_mr(1, w);
    int32_t r = l4_call(l4_boot_tid(m));
    if (r == -L4_ENOPARTNER)
        test_fail("no server at boot module %u (thread %x): boot this benchmark as the modules "
                  "'bench_map NAME RUNS UNIT NONCE', 'bench_map server', 'bench_map server'", m,
                  l4_boot_tid(m));
    if (r != 0)
        test_fail("a request (label %u) to module %u returned %d", req, m, r);
    return l4_mr(1);
}

/* The map message: one item, no untyped words. */
static void set_map_msg(l4_fpage_t fp)
{
    l4_set_mr(0, l4_tag_make(REQ_TAKE, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, 0));
    l4_set_mr(2, fp);
}

static void check_landed(uint32_t got, l4_fpage_t want, unsigned i, const char *what)
{
    if (got != want)
        test_fail("%s %u landed as fpage %x, expected %x", what, i, got, want);
}

/* The same round trip through `int $0x30`. */
static uint32_t rtt_inter_space_int(unsigned runs, uint64_t overhead)
{
    uint64_t best = ~0ull;
    for (unsigned i = 0; i < runs; i++) {
        l4_set_mr(0, l4_tag_make(REQ_ECHO, 1, 0));
        l4_set_mr(1, i);
        uint64_t t0 = rdtsc();
        int32_t r = l4_ipc_int(l4_boot_tid(1), l4_boot_tid(1),
                               l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), 0);
        uint64_t t1 = rdtsc();
        if (r != 0 || l4_mr(1) != i + 1)
            test_fail("call %u returned %d with word %u, expected 0 and %u", i, r, l4_mr(1), i + 1);
        if (t1 - t0 < best)
            best = t1 - t0;
    }
    return (uint32_t)(best - overhead);
}

static uint32_t rtt_inter_space(unsigned runs, uint64_t overhead)
{
    uint64_t best = ~0ull;
    for (unsigned i = 0; i < runs; i++) {
        l4_set_mr(0, l4_tag_make(REQ_ECHO, 1, 0));
        l4_set_mr(1, i);
        uint64_t t0 = rdtsc();
        int32_t r = l4_call(l4_boot_tid(1));
        uint64_t t1 = rdtsc();
        if (r != 0 || l4_mr(1) != i + 1)
            test_fail("call %u returned %d with word %u, expected 0 and %u", i, r, l4_mr(1), i + 1);
        if (t1 - t0 < best)
            best = t1 - t0;
    }
    return (uint32_t)(best - overhead);
}

/* Calls carrying fp, each landing as want in the server's window. */
static uint32_t map_rpc(unsigned runs, uint64_t overhead, l4_fpage_t fp, l4_fpage_t want)
{
    uint64_t best = ~0ull;
    ask(1, REQ_WINDOW, l4_fpage(l4_fpage_base(want), l4_fpage_log2size(want), 0));
    for (unsigned i = 0; i < runs; i++) {
        set_map_msg(fp);
        uint64_t t0 = rdtsc();
        int32_t r = l4_call(l4_boot_tid(1));
        uint64_t t1 = rdtsc();
        if (r != 0)
            test_fail("map call %u returned %d", i, r);
        check_landed(l4_mr(1), want, i, "map");
        if (t1 - t0 < best)
            best = t1 - t0;
    }
    return (uint32_t)(best - overhead);
}

static uint32_t unmap_chain(unsigned runs, uint64_t overhead)
{
    uint32_t wb = WINDOW_BASE, wc = WINDOW_BASE + PAGE;
    uint64_t best = ~0ull;
    ask(1, REQ_WINDOW, l4_fpage(wb, 12, 0));
    ask(2, REQ_WINDOW, l4_fpage(wc, 12, 0));
    for (unsigned i = 0; i < runs; i++) {
        set_map_msg(l4_fpage((uint32_t)page, 12, RW));
        if (l4_call(l4_boot_tid(1)) != 0)
            test_fail("map %u to module 1 failed", i);
        check_landed(l4_mr(1), l4_fpage(wb, 12, RW), i, "map to module 1");
        check_landed(ask(1, REQ_PASS, wb), l4_fpage(wc, 12, RW), i, "module 1's map to module 2");
        uint64_t t0 = rdtsc();
        int32_t r = l4_unmap(l4_fpage((uint32_t)page, 12, L4_FPAGE_RWX), 0);
        uint64_t t1 = rdtsc();
        if (r != 0)
            test_fail("l4_unmap %u returned %d", i, r);
        if (t1 - t0 < best)
            best = t1 - t0;
    }
    return (uint32_t)(best - overhead);
}

int main(int argc, char **argv)
{
    test_begin("bench_map", NULL);
    if (argc > 1 && strcmp(argv[1], "server") == 0)
        serve(argc > 2 && strcmp(argv[2], "int") == 0);
    if (argc < 2)
        test_fail("usage: bench_map NAME [RUNS [UNIT [NONCE]]] | bench_map server [int]");
    const char *name = argv[1];
    unsigned runs = argc > 2 ? strtoul(argv[2], NULL, 0) : 100;
    unit = argc > 3 ? argv[3] : "cycles";
    const char *nonce = argc > 4 ? argv[4] : "-";
    if (runs == 0)
        runs = 1;

    printf("bench_map: nonce=%s name=%s runs=%u\n", nonce, name, runs);
    ask(1, REQ_ECHO, 0);            /* is the server there? */
    uint64_t t0 = rdtsc(), t1 = rdtsc();
    uint64_t overhead = t1 - t0;
    uint32_t value;
    if (strcmp(name, "ipc.rtt.inter_space") == 0 || strcmp(name, "ipc.fast.inter_space") == 0)
        value = rtt_inter_space(runs, overhead);
    else if (strcmp(name, "ipc.fast.inter_space.int") == 0)
        value = rtt_inter_space_int(runs, overhead);
    else if (strcmp(name, "ipc.map.1page") == 0)
        value = map_rpc(runs, overhead, l4_fpage((uint32_t)page, 12, RW),
                        l4_fpage(WINDOW_BASE, 12, RW));
    else if (strcmp(name, "ipc.map.1024pages") == 0)
        value = map_rpc(runs, overhead, l4_fpage((uint32_t)bench_big, BIG_LOG2, RW),
                        l4_fpage(WINDOW_BASE, BIG_LOG2, RW));
    else if (strcmp(name, "unmap.chain") == 0)
        value = unmap_chain(runs, overhead);
    else
        test_fail("no benchmark '%s' (ipc.rtt.inter_space, ipc.fast.inter_space, "
                  "ipc.fast.inter_space.int, ipc.map.1page, "
                  "ipc.map.1024pages, unmap.chain)", name);
    printf("BENCH %s value=%u unit=%s runs=%u\n", name, value, unit, runs);
    l4_kdb_exit(0);
}
