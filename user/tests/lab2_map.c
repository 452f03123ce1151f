/*
 * lab2_map TEST NONCE ROLE [PARAMS...]: the graded tests of Lab 2 (address
 * spaces, flexpages, map, grant and unmap).
 *
 * A test boots this program two or three times, as boot modules 0, 1 and 2
 * (roles a, b and c, each in an address space of its own): a runs the test
 * below, b and c serve its requests.  The roles, their requests and the
 * probes that make faulting accesses are the harness, user/tests/lab2_harness.c
 * (lab2_harness.h describes them); this file holds the tests.
 *
 * Each test ends with one line "lab2 TEST: nonce=NONCE at=ADDRESS digest=DIGEST
 * ok" from 'a' and a clean stop of the machine, or a line saying what went
 * wrong and status 1.  DIGEST folds, in order, every value a found where it
 * should be (read by a peer through a mapping, or by a in its own page after
 * a peer wrote it): 32-bit FNV-1a over SEED and then each value (test_fold()).
 * The values come from SEED, so the grader works out the digest from the
 * parameters alone (grader/lab2.py), and reads test_digest from a's memory
 * through GDB when a stops the machine.  Addresses on the command line are
 * aligned down to what the test needs; OFF is a byte offset in a page
 * (0..4092) at which the test reads and writes 32-bit values derived from SEED.
 *
 *   share W S OFF SEED       (a b)   a 4 KiB page lands at W + S * 4 KiB in b's
 *                                    64 KiB window W; writes are seen both ways;
 *                                    a second map to the same place replaces it
 *   readonly WB WC OFF SEED  (a b c) a maps read-only to b, b passes it on with
 *                                    RW to c: both reads work, both writes fault
 *   grant WB WC OFF SEED     (a b c) a maps a page to c and grants it to b: b and c
 *                                    share it, a has lost it (a second grant lands
 *                                    nothing, a's read faults), and c's mapping now
 *                                    derives from b's (b's unmap takes it from c)
 *   window W OFF HALF SEED   (a b)   no window: nothing lands; an 8 KiB fpage into
 *                                    the 4 KiB window W: page HALF of it lands, the
 *                                    pages beside W fault
 *   chain WB WC OFF SEED     (a b c) a -> b -> c with two pages: b's unmap of the
 *                                    second takes it from c only; a's unmap of the
 *                                    first takes it from b and c, a keeps its own;
 *                                    a third page a maps to b and to c goes from both
 *   rights WB WC OFF SEED    (a b c) a -> b -> c, and a -> c; a's unmap of W alone
 *                                    leaves all three reading but not writing; with
 *                                    L4_UNMAP_SELF a's own page becomes read-only too
 *   refused W KP UP MP SEED  (a b)   kernel memory (page KP), misaligned (at MP),
 *                                    too small and mistyped items fail the IPC with
 *                                    -L4_EINVAL and reach nobody; unowned memory
 *                                    (page UP) and the UTCB area land nothing; unmap
 *                                    refuses the same flexpages and skips a's UTCB
 *   bigpage W OFF SEED       (a b)   a 4 MiB flexpage lands whole in the 4 MiB window W
 *   isolation WC OFF SEED    (a b c) b's copy of a's page is b's own; what a maps
 *                                    to c at WC is not readable by b nor by a there
 *   longchain W N M OFF SEED (a b c) a's page goes a -> b -> c -> b ... N hops deep
 *                                    (hop k lands at W + k pages, in b if k is odd);
 *                                    the unmap of hop M takes hops M+1..N, a's unmap
 *                                    takes the rest, and the kernel lives on: a
 *                                    revoke that recurses once per hop overflows
 *                                    its 4 KiB kernel stack here
 */
#include "lab2_harness.h"

/*
 * a's own pages (a test uses a few of them); the first two form an aligned
 * 8 KiB flexpage.  big is the 4 MiB flexpage of the bigpage test.  It is a
 * common symbol because the linker puts those first in .bss: so it starts
 * .bss, at the 4 MiB boundary after the program's text, and the rest of
 * .bss follows it, instead of leaving a gap of almost 4 MiB before it.
 */
static uint32_t pages[8][PAGE / 4] __attribute__((aligned(2 * PAGE)));
uint32_t big[BIG_SIZE / 4] __attribute__((common, aligned(BIG_SIZE)));

/* --- the tests (role a) --- */

static void test_share(uint32_t w, uint32_t slot, uint32_t off)
{
    uint32_t wbase = w & ~0xFFFFu, at = wbase + (slot & 15) * PAGE;
    uint32_t *p = pages[0], *p2 = pages[1];
    uint32_t v1 = value(), v2 = value(), v3 = value(), v4 = value(), v5 = value();
    /* The send base's bits above the window size must not matter. */
    uint32_t snd_base = high_bits(16) | (slot & 15) * PAGE;

    set_window(ROLE_B, l4_fpage(wbase, 16, 0));
    *word(p, off) = v1;
    map_to(ROLE_B, L4_ITEM_MAP, snd_base, l4_fpage((uint32_t)p, 12, RW), l4_fpage(at, 12, RW));
    must_read(ROLE_B, at + off, v1, "the page a mapped, written by a");
    must_write(ROLE_B, at + off, v2, "the page a mapped");
    a_expects(p, off, v2, "its page, after b wrote through its mapping");
    *word(p, off) = v3;
    must_read(ROLE_B, at + off, v3, "the page a mapped, written by a again");

    /* A second page mapped to the same place replaces the first. */
    *word(p2, off) = v4;
    map_to(ROLE_B, L4_ITEM_MAP, snd_base, l4_fpage((uint32_t)p2, 12, RW), l4_fpage(at, 12, RW));
    must_read(ROLE_B, at + off, v4, "a's second page, mapped where the first one was");
    must_write(ROLE_B, at + off, v5, "a's second page");
    a_expects(p2, off, v5, "its second page, after b wrote to it");
    a_expects(p, off, v3, "its first page, no longer mapped in b");
    /* The replaced mapping is gone from the first page's tree too: a's
       unmap of its first page must not take b's second page away. */
    unmap_by(ROLE_A, l4_fpage((uint32_t)p, 12, L4_FPAGE_RWX), 0);
    must_read(ROLE_B, at + off, v5, "a's second page, after a unmapped its first page");
    pass(at);
}

static void test_readonly(uint32_t wb, uint32_t wc, uint32_t off)
{
    uint32_t *p = pages[2], v1 = value(), v2 = value();
    wb &= ~(PAGE - 1);
    wc &= ~(PAGE - 1);
    set_window(ROLE_B, l4_fpage(wb, 12, 0));
    set_window(ROLE_C, l4_fpage(wc, 12, 0));
    *word(p, off) = v1;
    map_to(ROLE_B, L4_ITEM_MAP, 0, l4_fpage((uint32_t)p, 12, L4_FPAGE_R),
           l4_fpage(wb, 12, L4_FPAGE_R));
    must_read(ROLE_B, wb + off, v1, "a's page, mapped read-only");
    /* b asks for RW, but has R only: c gets R only (rights only shrink). */
    pass_on(ROLE_B, ROLE_C, L4_ITEM_MAP, 0, l4_fpage(wb, 12, RW), l4_fpage(wc, 12, RW));
    must_read(ROLE_C, wc + off, v1, "a's page, from b, who has it read-only");
    must_fault(ROLE_B, PROBE_WRITE, wb + off, "a mapped it read-only");
    must_fault(ROLE_C, PROBE_WRITE, wc + off, "b has it read-only, so c may not write either");
    a_expects(p, off, v1, "its page, which b and c could not write");
    *word(p, off) = v2;
    must_read(ROLE_B, wb + off, v2, "a's page, after a wrote to it");
    must_read(ROLE_C, wc + off, v2, "a's page, after a wrote to it");
    pass(wb);
}

static void test_grant(uint32_t wb, uint32_t wc, uint32_t off)
{
    uint32_t *g = pages[3], v1 = value(), v2 = value();
    l4_fpage_t landed;
    wb &= ~(PAGE - 1);
    wc &= ~(PAGE - 1);
    set_window(ROLE_B, l4_fpage(wb, 12, 0));
    set_window(ROLE_C, l4_fpage(wc, 12, 0));
    *word(g, off) = v1;
    map_to(ROLE_C, L4_ITEM_MAP, 0, l4_fpage((uint32_t)g, 12, RW), l4_fpage(wc, 12, RW));
    must_read(ROLE_C, wc + off, v1, "a's page, mapped by a");
    map_to(ROLE_B, L4_ITEM_GRANT, 0, l4_fpage((uint32_t)g, 12, RW), l4_fpage(wb, 12, RW));
    must_read(ROLE_B, wb + off, v1, "the page a granted");
    must_write(ROLE_B, wb + off, v2, "the page a granted");
    must_read(ROLE_C, wc + off, v2, "a's former page, which b now holds and wrote");

    /* a no longer has the page: a second grant finds nothing to give. */
    int32_t r = give(ROLE_B, L4_ITEM_GRANT, 0, l4_fpage((uint32_t)g, 12, RW), &landed);
    if (r != 0 || landed != L4_NILPAGE)
        test_fail("granting the page a has already granted away returned %s and landed as %s; "
                  "expected 0 and L4_NILPAGE", ipc_errstr(r), fp_str(landed));
    must_fault(ROLE_A, PROBE_SUM, (uint32_t)g + off, "a granted the page away");

    /* c's mapping came from a's, whose place b took: b's unmap takes it from c. */
    unmap_by(ROLE_B, l4_fpage(wb, 12, L4_FPAGE_R), 0);
    must_fault(ROLE_C, PROBE_SUM, wc + off,
               "c's mapping now derives from b's, and b unmapped it");
    must_read(ROLE_B, wb + off, v2, "the granted page, still b's after b's unmap");
    pass(wb);
}

static void test_window(uint32_t w, uint32_t off, uint32_t half)
{
    uint32_t *q = pages[0], v[2];
    v[0] = value();
    v[1] = value();
    l4_fpage_t landed;
    w &= ~(PAGE - 1);
    half &= 1;
    *word(pages[0], off) = v[0];
    *word(pages[1], off) = v[1];

    set_window(ROLE_B, L4_NILPAGE);
    int32_t r = give(ROLE_B, L4_ITEM_MAP, 0, l4_fpage((uint32_t)q, 12, RW), &landed);
    if (r != 0 || landed != L4_NILPAGE)
        test_fail("a map to b, whose receive window is L4_NILPAGE, returned %s and landed as %s; "
                  "expected 0 and L4_NILPAGE", ipc_errstr(r), fp_str(landed));

    /* 8 KiB into a 4 KiB window: the half the send base selects lands. */
    set_window(ROLE_B, l4_fpage(w, 12, 0));
    uint32_t snd_base = high_bits(13) | half * PAGE;
    map_to(ROLE_B, L4_ITEM_MAP, snd_base, l4_fpage((uint32_t)q, 13, RW), l4_fpage(w, 12, RW));
    must_read(ROLE_B, w + off, v[half], "the half of a's 8 KiB fpage that the send base selects");
    must_fault(ROLE_B, PROBE_SUM, w + PAGE + off, "the page after b's 4 KiB window");
    must_fault(ROLE_B, PROBE_SUM, w - PAGE + off, "the page before b's 4 KiB window");
    pass(w);
}

static void test_chain(uint32_t wb, uint32_t wc, uint32_t off)
{
    uint32_t *p1 = pages[4], *p2 = pages[5], *p3 = pages[6];
    uint32_t v1 = value(), v2 = value(), v3 = value();
    wb &= ~(4 * PAGE - 1);
    wc &= ~(4 * PAGE - 1);
    *word(p1, off) = v1;
    *word(p2, off) = v2;
    *word(p3, off) = v3;
    set_window(ROLE_B, l4_fpage(wb, 14, 0));
    set_window(ROLE_C, l4_fpage(wc, 14, 0));
    map_to(ROLE_B, L4_ITEM_MAP, 0, l4_fpage((uint32_t)p1, 12, RW), l4_fpage(wb, 12, RW));
    map_to(ROLE_B, L4_ITEM_MAP, PAGE, l4_fpage((uint32_t)p2, 12, RW),
           l4_fpage(wb + PAGE, 12, RW));
    pass_on(ROLE_B, ROLE_C, L4_ITEM_MAP, 0, l4_fpage(wb, 13, RW), l4_fpage(wc, 13, RW));
    /* The third page goes from a to b and to c: two mappings side by side. */
    map_to(ROLE_B, L4_ITEM_MAP, 2 * PAGE, l4_fpage((uint32_t)p3, 12, RW),
           l4_fpage(wb + 2 * PAGE, 12, RW));
    map_to(ROLE_C, L4_ITEM_MAP, 2 * PAGE, l4_fpage((uint32_t)p3, 12, RW),
           l4_fpage(wc + 2 * PAGE, 12, RW));
    must_read(ROLE_B, wb + off, v1, "a's first page");
    must_read(ROLE_B, wb + PAGE + off, v2, "a's second page");
    must_read(ROLE_C, wc + off, v1, "a's first page, from b");
    must_read(ROLE_C, wc + PAGE + off, v2, "a's second page, from b");
    must_read(ROLE_B, wb + 2 * PAGE + off, v3, "a's third page");
    must_read(ROLE_C, wc + 2 * PAGE + off, v3, "a's third page");

    /* c cannot map its copy back over the page it derives from: b's window
       covers only that page, and nothing lands. */
    set_window(ROLE_B, l4_fpage(wb, 12, 0));
    pass_on(ROLE_C, ROLE_B, L4_ITEM_MAP, 0, l4_fpage(wc, 12, RW), L4_NILPAGE);
    must_read(ROLE_B, wb + off, v1, "a's first page, after c tried to map its copy back");
    must_read(ROLE_C, wc + off, v1, "a's first page, from b, after it tried to map it back");
    set_window(ROLE_B, l4_fpage(wb, 14, 0));

    /* b's unmap of the second page: gone from c, still in b and a. */
    unmap_by(ROLE_B, l4_fpage(wb + PAGE, 12, L4_FPAGE_R), 0);
    must_fault(ROLE_C, PROBE_SUM, wc + PAGE + off, "b unmapped the second page");
    must_read(ROLE_B, wb + PAGE + off, v2, "the second page, which b unmapped only from c");
    must_read(ROLE_C, wc + off, v1, "the first page, which b's unmap did not name");

    /* a's unmap of the first page: gone from b and c, a keeps its own. */
    unmap_by(ROLE_A, l4_fpage((uint32_t)p1, 12, L4_FPAGE_RWX), 0);
    must_fault(ROLE_B, PROBE_SUM, wb + off, "a unmapped the first page");
    must_fault(ROLE_C, PROBE_SUM, wc + off, "a unmapped the first page, which c had from b");
    a_expects(p1, off, v1, "its first page, after unmapping it from the others");
    must_read(ROLE_B, wb + PAGE + off, v2, "the second page, which a's unmap did not name");
    must_read(ROLE_C, wc + 2 * PAGE + off, v3, "the third page, which a's unmap did not name");

    /* a's unmap of the third page takes both of its mappings. */
    unmap_by(ROLE_A, l4_fpage((uint32_t)p3, 12, L4_FPAGE_R), 0);
    must_fault(ROLE_B, PROBE_SUM, wb + 2 * PAGE + off, "a unmapped the third page");
    must_fault(ROLE_C, PROBE_SUM, wc + 2 * PAGE + off,
               "a unmapped the third page, which it had mapped to b and to c");
    a_expects(p3, off, v3, "its third page, after unmapping it from the others");
    pass(wb);
}

static void test_rights(uint32_t wb, uint32_t wc, uint32_t off)
{
    uint32_t *p = pages[6], v1 = value(), v2 = value(), v3 = value();
    wb &= ~(PAGE - 1);
    wc &= ~(2 * PAGE - 1);
    set_window(ROLE_B, l4_fpage(wb, 12, 0));
    set_window(ROLE_C, l4_fpage(wc, 13, 0));
    *word(p, off) = v1;
    /* a -> b -> c at wc, and a -> c at wc + 4 KiB: three mappings of one page. */
    map_to(ROLE_B, L4_ITEM_MAP, 0, l4_fpage((uint32_t)p, 12, RW), l4_fpage(wb, 12, RW));
    pass_on(ROLE_B, ROLE_C, L4_ITEM_MAP, 0, l4_fpage(wb, 12, RW), l4_fpage(wc, 12, RW));
    map_to(ROLE_C, L4_ITEM_MAP, PAGE, l4_fpage((uint32_t)p, 12, RW),
           l4_fpage(wc + PAGE, 12, RW));
    must_write(ROLE_B, wb + off, v2, "a's page, mapped read-write");
    a_expects(p, off, v2, "its page, after b wrote to it");
    must_read(ROLE_C, wc + off, v2, "a's page, from b, after b wrote to it");
    must_read(ROLE_C, wc + PAGE + off, v2, "a's page, from a, after b wrote to it");

    /* Revoking W: b and c keep reading, none of them can write. */
    unmap_by(ROLE_A, l4_fpage((uint32_t)p, 12, L4_FPAGE_W), 0);
    must_read(ROLE_B, wb + off, v2, "a's page, after a revoked only W");
    must_read(ROLE_C, wc + off, v2, "a's page via b, after a revoked only W");
    must_read(ROLE_C, wc + PAGE + off, v2, "a's page, after a revoked only W");
    must_fault(ROLE_B, PROBE_WRITE, wb + off, "a revoked W from the mappings derived from its page");
    must_fault(ROLE_C, PROBE_WRITE, wc + off, "a revoked W, recursively: c has it from b");
    must_fault(ROLE_C, PROBE_WRITE, wc + PAGE + off, "a revoked W: c has it from a, too");
    *word(p, off) = v3;
    must_read(ROLE_B, wb + off, v3, "a's page, which a can still write");
    must_read(ROLE_C, wc + off, v3, "a's page, which a can still write");

    /* With L4_UNMAP_SELF, a's own mapping loses W too. */
    unmap_by(ROLE_A, l4_fpage((uint32_t)p, 12, L4_FPAGE_W), L4_UNMAP_SELF);
    must_read(ROLE_A, (uint32_t)p + off, v3, "its own page, after revoking W with L4_UNMAP_SELF");
    must_fault(ROLE_A, PROBE_WRITE, (uint32_t)p + off, "a revoked W from itself (L4_UNMAP_SELF)");
    pass(wb);
}

/* r: the result of a map IPC, or of l4_unmap (which has no phases). */
static void expect_einval(int32_t r, const char *what, l4_fpage_t fp)
{
    int ipc = strncmp(what, "unmapping", 9) != 0;
    if (r != -L4_EINVAL)
        test_fail("%s (fpage %s) returned %s, expected %s", what, fp_str(fp),
                  ipc ? ipc_errstr(r) : errstr(r),
                  ipc ? ipc_errstr(-L4_EINVAL) : errstr(-L4_EINVAL));
}

static void test_refused(uint32_t w, uint32_t kpage, uint32_t upage, uint32_t mpage)
{
    uint32_t *p = pages[7], v = value(), before, after;
    l4_fpage_t landed;
    w &= ~(BIG_SIZE - 1);
    kpage = (kpage & ~(PAGE - 1)) | L4_USER_TOP;        /* a page of kernel memory */
    upage &= ~(PAGE - 1);
    mpage = (mpage & ~(2 * PAGE - 1)) | PAGE;           /* 4 KiB- but not 8 KiB-aligned */
    *word(p, 0) = v;
    set_window(ROLE_B, l4_fpage(w, BIG_LOG2, 0));
    ask(ROLE_B, REQ_COUNT, 0, 0, &before, 0);

    const struct { uint32_t type; l4_fpage_t fp; const char *what; } bad[] = {
        {L4_ITEM_MAP, l4_fpage(kpage, 12, RW), "a map of kernel memory"},
        {L4_ITEM_GRANT, l4_fpage(kpage, 12, RW), "a grant of kernel memory"},
        {L4_ITEM_MAP, l4_fpage(0x80000000u, 31, L4_FPAGE_R),
         "a map of 2 GiB at 0x80000000, reaching into kernel memory"},
        {L4_ITEM_MAP, l4_fpage(mpage, 13, RW), "a map of an fpage not aligned to its size"},
        {L4_ITEM_MAP, l4_fpage((uint32_t)p, 11, RW), "a map of an fpage smaller than 4 KiB"},
        {0x4, l4_fpage((uint32_t)p, 12, RW), "an item of type 4 (neither map nor grant)"},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_einval(give(ROLE_B, bad[i].type, 0, bad[i].fp, &landed), bad[i].what, bad[i].fp);
    ask(ROLE_B, REQ_COUNT, 0, 0, &after, 0);
    if (after != before + 1)
        test_fail("b received %u messages while a sent it only refused map IPCs; the refused ones "
                  "must fail before anything reaches b", after - before - 1);

    /* Memory a does not have, and the UTCB area, land nothing. */
    const struct { l4_fpage_t fp; const char *what; } none[] = {
        {l4_fpage(upage, 12, RW), "a page a does not have"},
        {l4_fpage(L4_UTCB_AREA, 12, RW), "a's UTCB page (the kernel's)"},
    };
    for (unsigned i = 0; i < sizeof none / sizeof none[0]; i++) {
        int32_t r = give(ROLE_B, L4_ITEM_MAP, 0, none[i].fp, &landed);
        if (r != 0 || landed != L4_NILPAGE)
            test_fail("a map of %s (fpage %s) returned %s and landed as %s; expected 0 and "
                      "L4_NILPAGE", none[i].what, fp_str(none[i].fp), ipc_errstr(r),
                      fp_str(landed));
    }

    expect_einval(l4_unmap(l4_fpage(kpage, 12, L4_FPAGE_RWX), 0), "unmapping kernel memory",
                  l4_fpage(kpage, 12, L4_FPAGE_RWX));
    expect_einval(l4_unmap(l4_fpage(mpage, 13, L4_FPAGE_RWX), 0),
                  "unmapping an fpage not aligned to its size", l4_fpage(mpage, 13, L4_FPAGE_RWX));
    expect_einval(l4_unmap(l4_fpage((uint32_t)p, 11, L4_FPAGE_RWX), 0),
                  "unmapping an fpage smaller than 4 KiB", l4_fpage((uint32_t)p, 11, L4_FPAGE_RWX));
    /* The UTCB area is skipped: a keeps its UTCB (l4_mr below uses it). */
    int32_t r = l4_unmap(l4_fpage(L4_UTCB_AREA, 12, L4_FPAGE_RWX), L4_UNMAP_SELF);
    if (r != 0)
        test_fail("l4_unmap of a's own UTCB page with L4_UNMAP_SELF returned %s, expected 0 "
                  "(the UTCB area is silently skipped)", errstr(r));

    /* And a good map still works. */
    map_to(ROLE_B, L4_ITEM_MAP, 0, l4_fpage((uint32_t)p, 12, RW), l4_fpage(w, 12, RW));
    must_read(ROLE_B, w, v, "a's page, mapped after the refused ones");
    pass(w);
}

static void test_bigpage(uint32_t w, uint32_t off)
{
    uint32_t sum = 0, got, faulted, last = value();
    w &= ~(BIG_SIZE - 1);
    for (uint32_t i = 0; i < BIG_SIZE / PAGE; i++) {
        uint32_t v = value();
        *word((char *)big + i * PAGE, off) = v;
        sum += v;
    }
    set_window(ROLE_B, l4_fpage(w, BIG_LOG2, 0));
    map_to(ROLE_B, L4_ITEM_MAP, 0, l4_fpage((uint32_t)big, BIG_LOG2, RW),
           l4_fpage(w, BIG_LOG2, RW));
    uint32_t args[3] = {w + off, BIG_SIZE / PAGE, PAGE};
    ask(ROLE_B, REQ_SUM, 3, args, &faulted, &got);
    if (faulted)
        test_fail("b's read of one word in each of the 1024 pages at 0x%08x faulted: not all of "
                  "a's 4 MiB flexpage landed", w);
    if (got != sum)
        test_fail("the words b read in the 1024 pages at 0x%08x add up to %x, expected %x", w,
                  got, sum);
    test_fold(got);
    must_write(ROLE_B, w + BIG_SIZE - PAGE + off, last, "the last page of a's 4 MiB flexpage");
    a_expects((char *)big + BIG_SIZE - PAGE, off, last, "the last page of big, written by b");
    printf("lab2 bigpage: pages=%u sum=%x\n", BIG_SIZE / PAGE, sum);
    pass(w);
}

static void test_isolation(uint32_t wc, uint32_t off)
{
    uint32_t *p = pages[0], secret = value(), other = value();
    wc &= ~(PAGE - 1);
    *word(p, off) = secret;
    /* b's page at the same address is b's own. */
    must_read(ROLE_B, (uint32_t)p + off, 0, "b's own copy of a's static page, never written in b");
    must_write(ROLE_B, (uint32_t)p + off, other, "b's own copy of a's static page");
    a_expects(p, off, secret, "its page, after b wrote at the same address in b's space");

    /* What a maps to c is c's alone. */
    set_window(ROLE_C, l4_fpage(wc, 12, 0));
    map_to(ROLE_C, L4_ITEM_MAP, 0, l4_fpage((uint32_t)p, 12, RW), l4_fpage(wc, 12, RW));
    must_read(ROLE_C, wc + off, secret, "a's page, mapped to c");
    must_fault(ROLE_B, PROBE_SUM, wc + off, "a mapped its page to c, not to b");
    must_fault(ROLE_A, PROBE_SUM, wc + off, "a's page is at that address in c, not in a");
    pass(wc);
}

/* --- longchain: a revoke as deep as the mapping tree --- */

/* The peer that holds hop k of the long chain (k >= 1). */
static int chain_holder(uint32_t k)
{
    return k & 1 ? ROLE_B : ROLE_C;
}

/* The words at off in every hop from..to that `who` holds must add up to
   count * want: all of them still mapped, to the one page of a's. */
static void chain_sum(int who, uint32_t w, uint32_t from, uint32_t to, uint32_t off,
                      uint32_t want)
{
    uint32_t first = from + (chain_holder(from) != who), got, faulted;
    if (first > to)
        return;
    uint32_t count = (to - first) / 2 + 1;
    uint32_t args[3] = {w + first * PAGE + off, count, 2 * PAGE};
    ask(who, REQ_SUM, 3, args, &faulted, &got);
    if (faulted)
        test_fail("%c's read of hops %u..%u of the chain (every other page from 0x%08x) faulted: "
                  "a hop that should still be mapped is gone", role_char(who), first, to, args[0]);
    if (got != count * want)
        test_fail("the words %c read in hops %u..%u of the chain add up to %x, expected %u x %x",
                  role_char(who), first, to, got, count, want);
    test_fold(got);
}

/* None of the hops from..to that `who` holds may be mapped any more. */
static void chain_gone(int who, uint32_t w, uint32_t from, uint32_t to, const char *why)
{
    uint32_t first = from + (chain_holder(from) != who), landed, at;
    if (first > to)
        return;
    uint32_t count = (to - first) / 2 + 1;
    uint32_t args[4] = {(uint32_t)(who == ROLE_B ? ROLE_C : ROLE_B), w + first * PAGE, count,
                        2 * PAGE};
    ask(who, REQ_HELD, 4, args, &landed, &at);
    if (landed)
        test_fail("%u of the %u hops %u..%u that %c holds are still mapped (the first at 0x%08x, "
                  "hop %u), but %s", landed, count, first, to, role_char(who), at,
                  (at - w) / PAGE, why);
    test_fold(count);
}

static void test_longchain(uint32_t w, uint32_t n, uint32_t m, uint32_t off)
{
    uint32_t *p = pages[0], v1 = value(), v2 = value();
    l4_fpage_t area = l4_fpage(w, 23, 0), scratch = l4_fpage(w + (1u << 23) - PAGE, 12, 0);
    *word(p, off) = v1;
    set_window(ROLE_B, area);
    set_window(ROLE_C, area);
    map_to(ROLE_B, L4_ITEM_MAP, PAGE, l4_fpage((uint32_t)p, 12, RW), l4_fpage(w + PAGE, 12, RW));
    for (uint32_t k = 1; k < n; k++)
        pass_on(chain_holder(k), chain_holder(k + 1), L4_ITEM_MAP, (k + 1) * PAGE,
                l4_fpage(w + k * PAGE, 12, RW), l4_fpage(w + (k + 1) * PAGE, 12, RW));
    must_read(chain_holder(n), w + n * PAGE + off, v1, "the last hop of the chain");
    must_write(chain_holder(n), w + n * PAGE + off, v2, "the last hop of the chain");
    a_expects(p, off, v2, "its page, written through the last hop of the chain");
    chain_sum(ROLE_B, w, 1, n, off, v2);
    chain_sum(ROLE_C, w, 1, n, off, v2);

    /* From here on the peers' maps that test a page land in a scratch page. */
    set_window(ROLE_B, scratch);
    set_window(ROLE_C, scratch);

    /* The unmap of hop m takes hops m+1..n, all below it. */
    unmap_by(chain_holder(m), l4_fpage(w + m * PAGE, 12, L4_FPAGE_RWX), 0);
    must_read(chain_holder(m), w + m * PAGE + off, v2, "the hop that unmapped the ones below it");
    /* b's deepest hop (GDB counts b's mapping nodes here and below). */
    must_fault(ROLE_B, PROBE_SUM, w + (n - !(n & 1)) * PAGE + off,
               "b's last hop, after the unmap of a hop above it");
    chain_gone(ROLE_B, w, m + 1, n, "the unmap of a hop above them should have taken them");
    chain_gone(ROLE_C, w, m + 1, n, "the unmap of a hop above them should have taken them");
    chain_sum(ROLE_B, w, 1, m, off, v2);
    chain_sum(ROLE_C, w, 1, m, off, v2);

    /* a's unmap takes the rest; a keeps its own page. */
    unmap_by(ROLE_A, l4_fpage((uint32_t)p, 12, L4_FPAGE_RWX), 0);
    must_fault(ROLE_B, PROBE_SUM, w + PAGE + off,
               "b's first hop, after a unmapped the page at the root");
    chain_gone(ROLE_B, w, 1, m, "a unmapped the page at the root of the chain");
    chain_gone(ROLE_C, w, 1, m, "a unmapped the page at the root of the chain");
    a_expects(p, off, v2, "its page, after unmapping it from the whole chain");

    /* And the kernel lives on: a map works as before. */
    map_to(ROLE_B, L4_ITEM_MAP, 0, l4_fpage((uint32_t)p, 12, RW),
           l4_fpage(w + (1u << 23) - PAGE, 12, RW));
    must_read(ROLE_B, w + (1u << 23) - PAGE + off, v2, "a's page, mapped again after the unmaps");
    pass(w);
}

/* --- recheck: an item rewritten while its sender waits lands nothing --- */

static volatile uint32_t *recheck_word;     /* the sender's fpage word in its UTCB */
static volatile uint32_t recheck_window, recheck_landed = 1;
static volatile l4_tid_t recheck_sender;
static char recheck_stacks[2][PAGE] __attribute__((aligned(16)));

/* While a waits to send, rewrites its item to name kernel memory. */
static void recheck_tamper(void)
{
    sleep_ticks(1);
    *recheck_word = l4_fpage(0xC0400000, 12, L4_FPAGE_RWX);
}

/* Receives a's message only later, then reports what landed. */
static void recheck_receiver(void)
{
    sleep_ticks(4);
    l4_utcb()->rcv_window = l4_fpage(recheck_window, 12, 0);
    if (l4_receive(recheck_sender, L4_TIMEOUT_NEVER, 0) == 0)
        recheck_landed = l4_mr(2);
    else
        recheck_landed = 2;
}

static void test_recheck(uint32_t w)
{
    w &= ~(PAGE - 1);
    recheck_window = w;
    recheck_sender = l4_myself();
    int32_t rcv = thread_spawn(recheck_receiver, recheck_stacks[0], PAGE);
    if (rcv < 0 || thread_spawn(recheck_tamper, recheck_stacks[1], PAGE) < 0)
        test_fail("cannot create the helper threads");
    l4_set_mr(0, l4_tag_make(1, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, 0));
    l4_set_mr(2, l4_fpage((uint32_t)pages[0], 12, RW));
    recheck_word = &l4_utcb()->mr[2];
    int32_t r = l4_send((l4_tid_t)rcv, L4_TIMEOUT_NEVER);   /* waits ~4 ticks */
    if (r != 0)
        test_fail("the send returned %s, expected 0", ipc_errstr(r));
    while (recheck_landed == 1)
        sleep_ticks(1);
    if (recheck_landed != L4_NILPAGE)
        test_fail("an item rewritten to name kernel memory while its sender waited landed as %x "
                  "(or the receive failed: 2), expected L4_NILPAGE", recheck_landed);
    test_fold(recheck_landed);

    /* The same message, left alone, does land. */
    recheck_landed = 1;
    rcv = thread_spawn(recheck_receiver, recheck_stacks[0], PAGE);
    if (rcv < 0)
        test_fail("cannot create the receiver again");
    l4_set_mr(0, l4_tag_make(1, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, 0));
    l4_set_mr(2, l4_fpage((uint32_t)pages[0], 12, RW));
    if ((r = l4_send((l4_tid_t)rcv, L4_TIMEOUT_NEVER)) != 0)
        test_fail("the second send returned %s, expected 0", ipc_errstr(r));
    while (recheck_landed == 1)
        sleep_ticks(1);
    if (recheck_landed != l4_fpage(w, 12, RW))
        test_fail("the untouched item landed as %x, expected %x", recheck_landed,
                  l4_fpage(w, 12, RW));
    test_fold(recheck_landed);
    pass(w);
}

/* --- task: a root task makes a new address space and fills it by mapping --- */

static volatile uint32_t task_secret;
static volatile l4_tid_t task_parent;
static char task_stack[PAGE] __attribute__((aligned(16)));

/* Runs in the new task, on code and data that a mapped to it. */
static void task_main(void)
{
    int32_t perm = l4_task_create(task_main, task_stack + PAGE);
    l4_set_mr(0, l4_tag_make(0x7A, 3, 0));
    l4_set_mr(1, task_secret * 3 + 7);
    l4_set_mr(2, l4_myself());
    l4_set_mr(3, (uint32_t)perm);
    l4_send(task_parent, L4_TIMEOUT_NEVER);
    l4_thread_exit(0);
}

static void test_task(uint32_t secret)
{
    task_secret = secret;
    task_parent = l4_myself();
    int32_t child = l4_task_create(task_main, task_stack + PAGE);
    if (child < 0)
        test_fail("l4_task_create returned %s", errstr(child));
    /* The program's code and read-only data are in the first 4 MiB at its
       base, its globals and task_stack in the 4 MiB after the big array. */
    uint32_t code = (uint32_t)task_main & ~(BIG_SIZE - 1);
    uint32_t data = (uint32_t)task_stack & ~(BIG_SIZE - 1);
    l4_set_mr(0, l4_tag_make(1, 0, 4));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, code));
    l4_set_mr(2, l4_fpage(code, BIG_LOG2, L4_FPAGE_RWX));
    l4_set_mr(3, l4_item_word0(L4_ITEM_MAP, data));
    l4_set_mr(4, l4_fpage(data, BIG_LOG2, L4_FPAGE_RWX));
    int32_t r = l4_send((l4_tid_t)child, L4_TIMEOUT_NEVER);
    if (r != 0)
        test_fail("the map message to the new task returned %s, expected 0", ipc_errstr(r));
    l4_tid_t from = 0;
    r = l4_receive((l4_tid_t)child, L4_TIMEOUT_NEVER, &from);
    if (r != 0)
        test_fail("waiting for the new task's message returned %s, expected 0 (did it fault?)",
                  ipc_errstr(r));
    if (l4_mr(1) != secret * 3 + 7 || l4_mr(2) != (uint32_t)child)
        test_fail("the new task answered %x from %x, expected %x from %x", l4_mr(1), l4_mr(2),
                  secret * 3 + 7, (uint32_t)child);
    test_fold(l4_mr(1));
    if ((int32_t)l4_mr(3) != -L4_EPERM)
        test_fail("the new task's own l4_task_create returned %s, expected %s "
                  "(only root tasks may)", errstr((int32_t)l4_mr(3)), errstr(-L4_EPERM));
    pass(secret);
}

static uint32_t arg(int argc, char **argv, int i)
{
    return argc > i ? (uint32_t)strtoul(argv[i], NULL, 0) : 0;
}

int main(int argc, char **argv)
{
    lab2_begin(argc, argv);
    uint32_t p1 = arg(argc, argv, 4), p2 = arg(argc, argv, 5), p3 = arg(argc, argv, 6);
    uint32_t p4 = arg(argc, argv, 7);

    if (strcmp(test_name, "share") == 0)
        test_share(p1, p2, p3 & (PAGE - 4));
    else if (strcmp(test_name, "readonly") == 0)
        test_readonly(p1, p2, p3 & (PAGE - 4));
    else if (strcmp(test_name, "grant") == 0)
        test_grant(p1, p2, p3 & (PAGE - 4));
    else if (strcmp(test_name, "window") == 0)
        test_window(p1, p2 & (PAGE - 4), p3);
    else if (strcmp(test_name, "chain") == 0)
        test_chain(p1, p2, p3 & (PAGE - 4));
    else if (strcmp(test_name, "rights") == 0)
        test_rights(p1, p2, p3 & (PAGE - 4));
    else if (strcmp(test_name, "refused") == 0)
        test_refused(p1, p2, p3, p4);
    else if (strcmp(test_name, "bigpage") == 0)
        test_bigpage(p1, p2 & (PAGE - 4));
    else if (strcmp(test_name, "isolation") == 0)
        test_isolation(p1, p2 & (PAGE - 4));
    else if (strcmp(test_name, "task") == 0)
        test_task(p1);
    else if (strcmp(test_name, "recheck") == 0)
        test_recheck(p1);
    else if (strcmp(test_name, "longchain") == 0)
        test_longchain(p1 & ~((1u << 23) - 1), p2 < 2 ? 2 : p2 > 2040 ? 2040 : p2,
                       p3 < 1 ? 1 : p3 >= p2 ? p2 - 1 : p3, p4 & (PAGE - 4));
    test_fail("unknown test '%s'", test_name);
}
