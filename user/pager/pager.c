/*
 * The user-level pager (pager.h): the server thread, its requests, the
 * dispatch of page faults, and the client stubs.  The bookkeeping is in
 * region.c; the two fault handlers of Lab 3 are in fault.c.
 *
 * Where things are in the pager's own space (the space of the program
 * that links the library; its tasks have spaces of their own):
 *   PAGER_POOL_BASE + i * 4 KiB   frame i from sigma0, mapped read-write;
 *                                 the map items of fault replies name
 *                                 these pages, so every task's page is
 *                                 derived from one of them (mapping
 *                                 database, Lab 2) and l4_unmap of a pool
 *                                 page takes it from every task at once.
 *   the program's image           mapped by the kernel's loader; the
 *                                 tasks' read-only image pages are
 *                                 mapped from it directly.
 * The pool, 16 MiB at 0x60000000, lies above every program image (they
 * end below 0x10000000) and far below the stacks and the UTCB area at the
 * top of user space.  sigma0's own frames (at L4_SIGMA0_BASE + pa) are in
 * sigma0's space, not ours.  A program that links the pager must keep
 * its own receive windows away from the pool.
 *
 * The pager trusts its clients: any thread may make any request about
 * any task.  It protects only itself: no request, fault message or
 * argument can make it crash or corrupt its tables.  It has one server
 * thread, so nothing here needs a lock; the tables are touched only by
 * that thread.
 */
#include "pager.h"
#include "region.h"

#define PAGER_POOL_BASE 0x60000000u

_Static_assert(PAGER_POOL_BASE + PG_MAX_FRAMES * PG_PAGE <= 0x80000000u,
               "the frame pool must stay below 2 GiB");
_Static_assert(sizeof(struct pg_stats) == sizeof(struct pager_stats),
               "struct pg_stats (region.h) must match struct pager_stats (pager.h)");

/* A private request: the task's thread came back from its entry function
   and ends (task_start sends it; no reply). */
#define PG_EXIT 0x50FFu

/* The program's image (user/user.ld). */
extern char __image_start[], __data_start[], _edata[], __bss_start[], _end[];

static l4_tid_t sigma0_tid;
static int started;

static uint32_t page_down(uint32_t a) { return a & ~(PG_PAGE - 1); }
static uint32_t page_up(uint32_t a) { return (a + PG_PAGE - 1) & ~(PG_PAGE - 1); }

/* --- frames --- */

/* Frees the slots of tasks whose threads have ended; how many. */
static unsigned release_ended(void)
{
    unsigned n = 0;
    for (struct pg_task *t; (t = pg_task_ended()); n++)
        pg_task_release(t);
    return n;
}

/* A new frame from sigma0, mapped at the next pool page, or NULL. */
static struct pg_frame *frame_from_sigma0(void)
{
    if (pg_frame_count() == PG_MAX_FRAMES)
        return NULL;
    uint32_t va = PAGER_POOL_BASE + pg_frame_count() * PG_PAGE;
    int32_t pa = sigma0_get_page(sigma0_tid, va);
    if (pa < 0) {
        printf("pager: sigma0 (thread %u) gave no frame: error %d (is sigma0 the first boot "
               "module, and has it memory left?)\n", l4_tid_number(sigma0_tid), pa);
        return NULL;
    }
    pg_frame_add(va);
    return pg_frame_take();
}

struct pg_frame *pager_frame_take(void)
{
    struct pg_frame *f = pg_frame_take();
    if (!f) {
        f = frame_from_sigma0();
        if (f)
            return f;               /* new: mapped nowhere but here */
        if (release_ended())
            f = pg_frame_take();
    }
    if (!f) {
        printf("pager: out of frames (%u, the most it holds: %u)\n", pg_frame_count(),
               PG_MAX_FRAMES);
        return NULL;
    }
    /* A frame from the free list served a page before: whoever still has
       it mapped (a task that ended) must lose it before it holds new data. */
    l4_unmap(l4_fpage(f->va, 12, L4_FPAGE_RWX), 0);
    return f;
}

/* --- starting a task --- */

/* Where a spawned task starts: task_start(entry, arg, pager), with the
   frame that start_frame() wrote at the top of its stack.  When entry
   returns, it tells the pager (which may then reuse the task's slot and
   frames) and ends. */
static __attribute__((noreturn)) void task_start(void (*entry)(uint32_t), uint32_t arg,
                                                 l4_tid_t pager)
{
    entry(arg);
    l4_set_mr(0, l4_tag_make(PG_EXIT, 0, 0));
    l4_send(pager, L4_TIMEOUT_NEVER);
    l4_thread_exit(0);
}

#define SPAWN_FRAME_WORDS 4     /* task_start's frame: return address, 3 arguments */
#define SPAWN_SP (PAGER_STACK_TOP - SPAWN_FRAME_WORDS * 4)

/*
 * A new task starts at task_start with %esp = SPAWN_SP, on a stack page
 * that is not there yet: its first push faults on it, and that fault
 * gives the page its zeroed frame like any other demand-zero page.  Then,
 * before the reply lets the task go on, this puts task_start's frame in
 * it, so that the task finds its arguments where C expects them.
 */
static void start_frame(struct pg_task *t, struct pg_region *r, uint32_t addr)
{
    if (page_down(addr) != page_down(SPAWN_SP))
        return;                     /* not the top page (the first push lands there) */
    struct pg_frame *f = pg_page_frame(r, addr);
    if (!f)
        return;                     /* resolve() makes sure there is one */
    uint32_t *sp = (uint32_t *)(f->va + SPAWN_SP % PG_PAGE);
    sp[0] = 0;                      /* task_start's return address: none */
    sp[1] = t->entry;
    sp[2] = t->arg;
    sp[3] = l4_myself();
    t->started = 1;
}

/* --- faults --- */

/* A fault in an image region: the read-only part is the pager's own page
   at the same address; a writable page gets a private copy of the
   pager's page, made on its first touch. */
static l4_fpage_t image_fault(struct pg_region *r, uint32_t page)
{
    if (!(r->rights & L4_FPAGE_W))
        return l4_fpage(page, 12, L4_FPAGE_R);
    struct pg_frame *f = pg_page_frame(r, page);
    if (!f) {
        f = pager_frame_take();
        if (!f)
            return L4_NILPAGE;
        memcpy((void *)f->va, (const void *)page, PG_PAGE);
        pg_page_set(r, page, f);
    }
    return l4_fpage(f->va, 12, r->rights);
}

/* Whether fp, from a fault handler, is something we may map: the page's
   frame f (one page, at f->va), readable, with no more rights than the
   region has, and read-only while f is shared.  Says what is wrong if not. */
static int answer_ok(const struct pg_region *r, const struct pg_frame *f, l4_fpage_t fp,
                     const char *who)
{
    uint32_t rights = l4_fpage_rights(fp);
    const char *wrong = NULL;
    if (fp == L4_NILPAGE)
        return 0;                   /* refused: the handler said why, if it had a reason */
    if (!f)
        wrong = "the page has no frame (pg_page_set attaches one)";
    else if (l4_fpage_base(fp) != f->va || l4_fpage_log2size(fp) != 12)
        wrong = "it is not the page's frame: l4_fpage(f->va, 12, rights)";
    else if (!(rights & L4_FPAGE_R) || (rights & ~r->rights))
        wrong = "its rights must be R, or the region's";
    else if ((rights & L4_FPAGE_W) && f->refs > 1)
        wrong = "the frame is shared, so it must be read-only: a write would reach the "
                "other task";
    if (!wrong)
        return 1;
    printf("pager: %s returned fpage %x (base %p, log2 size %u, rights %u): %s; refusing "
           "the fault (user/pager/fault.c)\n", who, fp, (void *)l4_fpage_base(fp),
           l4_fpage_log2size(fp), rights, wrong);
    return 0;
}

/* The page to map for an allowed fault in r, or L4_NILPAGE.  A write to a
   page that has a frame may need a copy (pager_cow_fault); every other
   fault in a demand-zero region maps the page's frame, new or old
   (pager_zero_fault).  What they did is counted by comparing the page's
   frame before and after. */
static l4_fpage_t resolve(struct pg_region *r, uint32_t addr, uint32_t access)
{
    if (r->kind == PG_IMAGE)
        return image_fault(r, page_down(addr));
    struct pg_frame *before = pg_page_frame(r, addr);
    l4_fpage_t fp;
    const char *who;
    if ((access & L4_FPAGE_W) && before) {
        fp = pager_cow_fault(r, addr);
        who = "pager_cow_fault";
    } else {
        fp = pager_zero_fault(r, addr);
        who = "pager_zero_fault";
    }
    struct pg_frame *after = pg_page_frame(r, addr);
    if (after && after != before) {
        if (before)
            r->stats.copies++;
        else
            r->stats.zero_fills++;
    }
    return answer_ok(r, after, fp, who) ? fp : L4_NILPAGE;
}

/* Refuses a fault with a line that says why; the kernel then reports the
   fault and stops the thread, so its task has ended. */
static void refuse(struct pg_task *t, l4_tid_t client, uint32_t addr, uint32_t access,
                   uint32_t eip, const char *why)
{
    printf("pager: refused the %s fault of thread %u at %p (eip %p): %s\n",
           access & L4_FPAGE_W ? "write" : "read", l4_tid_number(client), (void *)addr,
           (void *)eip, why);
    if (t)
        t->ended = 1;
    l4_set_mr(0, 0);
}

/* A fault message (l4/abi.h): answers with a map item of the page at the
   fault address, or refuses with an empty message. */
static void serve_fault(l4_tid_t client, l4_tag_t tag)
{
    uint32_t access = l4_tag_label(tag) & L4_FPAGE_RWX, addr = l4_mr(1), eip = l4_mr(2);
    struct pg_task *t = pg_task_find(client);
    struct pg_region *r = pg_region_find(t, addr);
    const char *why = NULL;
    l4_fpage_t fp = L4_NILPAGE;
    if (!t) {
        why = "the thread is not one of the pager's tasks";
    } else if (l4_tag_untyped(tag) != 2 || l4_tag_typed(tag) != 0) {
        why = "not a fault message (it must have 2 words)";
    } else if (!r) {
        why = "the address is in none of its regions";
    } else {
        r->stats.faults++;
        if ((access & L4_FPAGE_W) && !(r->rights & L4_FPAGE_W))
            why = "the region is read-only";
        else if ((fp = resolve(r, addr, access)) == L4_NILPAGE)
            why = "no page for it (see the lines above)";
        else if (!t->started)
            start_frame(t, r, addr);
        if (why)
            r->stats.refused++;
    }
    if (why) {
        refuse(t, client, addr, access, eip, why);
        return;
    }
    l4_set_mr(0, l4_tag_make(0, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, addr));
    l4_set_mr(2, fp);
}

/* --- spawning --- */

/* The image regions of a new task: the read-only pages, then the
   writable ones (data and bss; two regions if the bss starts pages
   after the data, since the pages between are not the pager's). */
static int image_regions(struct pg_task *t)
{
    uint32_t ro_end = page_down((uint32_t)__data_start);
    uint32_t data = ro_end, data_end = page_up((uint32_t)_edata);
    uint32_t bss = page_down((uint32_t)__bss_start), bss_end = page_up((uint32_t)_end);
    int err = pg_region_add(t, (uint32_t)__image_start, ro_end - (uint32_t)__image_start,
                            L4_FPAGE_R, PG_IMAGE, NULL);
    if (!err && (data_end <= data || bss <= data_end)) {
        data_end = bss_end;         /* one writable region */
        bss_end = bss;
    }
    if (!err && data_end > data)
        err = pg_region_add(t, data, data_end - data, L4_FPAGE_RW, PG_IMAGE, NULL);
    if (!err && bss_end > bss)
        err = pg_region_add(t, bss, bss_end - bss, L4_FPAGE_RW, PG_IMAGE, NULL);
    return err;
}

/* PG_SPAWN: the task's regions are ready before it exists, because its
   thread starts at once and faults at its first instruction. */
static int32_t serve_spawn(uint32_t entry, uint32_t arg)
{
    if (entry < (uint32_t)__image_start || entry >= page_down((uint32_t)__data_start))
        return -L4_EINVAL;          /* not in the program's text */
    struct pg_task *t = pg_task_add(L4_NILTHREAD);
    if (!t && release_ended())
        t = pg_task_add(L4_NILTHREAD);
    if (!t)
        return -L4_ENOMEM;
    t->entry = entry;
    t->arg = arg;
    int32_t err = image_regions(t);
    if (!err)
        err = pg_region_add(t, PAGER_STACK_TOP - PAGER_STACK_SIZE, PAGER_STACK_SIZE,
                            L4_FPAGE_RW, PG_ZERO, NULL);
    if (!err)
        err = l4_task_create_paged((void (*)(void))task_start, (void *)SPAWN_SP, l4_myself());
    if (err < 0) {
        pg_task_release(t);
        return err;
    }
    t->tid = (l4_tid_t)err;
    return err;
}

/* --- the other requests --- */

/* A task that may still get new regions or lose pages. */
static struct pg_task *live_task(l4_tid_t tid)
{
    struct pg_task *t = pg_task_find(tid);
    return t && !t->ended ? t : NULL;
}

static int32_t serve_region(l4_tid_t tid, uint32_t start, uint32_t size, uint32_t rights)
{
    struct pg_task *t = live_task(tid);
    return t ? pg_region_add(t, start, size, rights, PG_ZERO, NULL) : -L4_EINVAL;
}

/* PG_COPY: the bookkeeping shares src's frames with dst; then src's
   mappings of them lose write access, so that src's next write faults
   and copies too. */
static int32_t serve_copy(l4_tid_t src, uint32_t start, uint32_t size, l4_tid_t dst)
{
    struct pg_task *s = pg_task_find(src), *d = live_task(dst);
    struct pg_region *r = s ? pg_region_exact(s, start, size) : NULL;
    if (!r || !d)
        return -L4_EINVAL;
    int32_t n = pg_region_copy(r, d, NULL);
    for (uint32_t a = r->start; n > 0 && a < r->end; a += PG_PAGE) {
        struct pg_frame *f = pg_page_frame(r, a);
        if (f)
            l4_unmap(l4_fpage(f->va, 12, L4_FPAGE_W), 0);
    }
    return n;
}

/* PG_FLUSH: every page of the range that has a frame is taken from the
   task (and from any other task that shares the frame: they fault again
   and get it back); the frames stay with their pages. */
static int32_t serve_flush(l4_tid_t tid, uint32_t start, uint32_t size)
{
    struct pg_task *t = live_task(tid);
    if (!t || (start | size) % PG_PAGE || size == 0 || start + size < start)
        return -L4_EINVAL;
    int32_t n = 0;
    for (unsigned i = 0; i < PG_MAX_REGIONS; i++) {
        const struct pg_region *r = &t->region[i];
        uint32_t a = start > r->start ? start : r->start;
        uint32_t end = start + size < r->end ? start + size : r->end;
        for (; a < end; a += PG_PAGE) {
            struct pg_frame *f = pg_page_frame(r, a);
            if (f) {
                l4_unmap(l4_fpage(f->va, 12, L4_FPAGE_RWX), 0);
                n++;
            }
        }
    }
    return n;
}

/* PG_STATS: the reply's MR2.. are the region's struct pager_stats. */
static int32_t serve_stats(l4_tid_t tid, uint32_t addr)
{
    struct pg_region *r = pg_region_find(pg_task_find(tid), addr);
    if (!r)
        return -L4_EINVAL;
    struct pg_stats st;
    pg_region_stats(r, &st);
    const uint32_t words[PAGER_STATS_WORDS] = {st.faults, st.zero_fills, st.copies, st.refused,
                                               st.shared};
    for (unsigned i = 0; i < PAGER_STATS_WORDS; i++)
        l4_set_mr(2 + i, words[i]);
    return 0;
}

/* The words each request needs (MR1..). */
static unsigned request_words(uint32_t label)
{
    switch (label) {
    case PG_SPAWN: return 2;
    case PG_STATS: return 2;
    case PG_FLUSH: return 3;
    case PG_REGION: return 4;
    case PG_COPY: return 4;
    default: return 0;
    }
}

/* A request: sets the reply, label 0 and MR1 = the result. */
static void serve_request(uint32_t label, l4_tag_t tag)
{
    int32_t result;
    unsigned words = 1;
    uint32_t w1 = l4_mr(1), w2 = l4_mr(2), w3 = l4_mr(3), w4 = l4_mr(4);
    if (!request_words(label))
        result = -L4_ENOSYS;
    else if (l4_tag_untyped(tag) < request_words(label))
        result = -L4_EINVAL;
    else if (label == PG_SPAWN)
        result = serve_spawn(w1, w2);
    else if (label == PG_REGION)
        result = serve_region(w1, w2, w3, w4);
    else if (label == PG_COPY)
        result = serve_copy(w1, w2, w3, w4);
    else if (label == PG_FLUSH)
        result = serve_flush(w1, w2, w3);
    else if ((result = serve_stats(w1, w2)) == 0)
        words += PAGER_STATS_WORDS;
    l4_set_mr(0, l4_tag_make(0, words, 0));
    l4_set_mr(1, (uint32_t)result);
}

/* One message; returns whether it wants a reply. */
static int serve(l4_tid_t client)
{
    l4_tag_t tag = l4_mr(0);
    uint32_t label = l4_tag_label(tag);
    if ((label & ~L4_FPAGE_RWX) == L4_LABEL_PAGEFAULT) {
        serve_fault(client, tag);
        return 1;
    }
    if (label == PG_EXIT) {
        struct pg_task *t = pg_task_find(client);
        if (t)
            t->ended = 1;
        return 0;
    }
    serve_request(label, tag);
    return 1;
}

static __attribute__((noreturn)) void pager_server(void)
{
    l4_tid_t client;
    int32_t err = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
    for (;;) {
        /* An error means the client vanished before our reply, or sent a
           message that did not fit: wait for the next one. */
        if (err == 0 && serve(client))
            err = l4_reply_wait(client, &client);
        else
            err = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
    }
}

int32_t pager_start(l4_tid_t sigma0, void *stack, size_t stack_size)
{
    if (started)
        return -L4_EINVAL;          /* one pager per program: its tables are static */
    sigma0_tid = sigma0;
    pg_init();
    int32_t tid = thread_spawn(pager_server, stack, stack_size);
    started = tid >= 0;
    return tid;
}

/* --- the client stubs --- */

/* Calls the pager with request label and words w[0..n); returns MR1 of
   the reply, or -error. */
static int32_t pager_call(l4_tid_t pager, uint32_t label, unsigned n, const uint32_t *w)
{
    l4_set_mr(0, l4_tag_make(label, n, 0));
    for (unsigned i = 0; i < n; i++)
        l4_set_mr(1 + i, w[i]);
    int32_t err = l4_call(pager);
    if (err < 0)
        return err;
    l4_tag_t tag = l4_mr(0);
    if (l4_tag_label(tag) != 0 || l4_tag_untyped(tag) < 1)
        return -L4_EINVAL;          /* not the pager's answer */
    return (int32_t)l4_mr(1);
}

int32_t pager_spawn(l4_tid_t pager, void (*entry)(uint32_t arg), uint32_t arg)
{
    const uint32_t w[] = {(uint32_t)entry, arg};
    return pager_call(pager, PG_SPAWN, 2, w);
}

int32_t pager_region(l4_tid_t pager, l4_tid_t task, uint32_t start, uint32_t size,
                     uint32_t rights)
{
    const uint32_t w[] = {task, start, size, rights};
    return pager_call(pager, PG_REGION, 4, w);
}

int32_t pager_copy(l4_tid_t pager, l4_tid_t src, uint32_t start, uint32_t size, l4_tid_t dst)
{
    const uint32_t w[] = {src, start, size, dst};
    return pager_call(pager, PG_COPY, 4, w);
}

int32_t pager_stats(l4_tid_t pager, l4_tid_t task, uint32_t addr, struct pager_stats *st)
{
    const uint32_t w[] = {task, addr};
    int32_t err = pager_call(pager, PG_STATS, 2, w);
    if (err < 0)
        return err;
    if (l4_tag_untyped(l4_mr(0)) < 1 + PAGER_STATS_WORDS)
        return -L4_EINVAL;
    uint32_t words[PAGER_STATS_WORDS];
    for (unsigned i = 0; i < PAGER_STATS_WORDS; i++)
        words[i] = l4_mr(2 + i);
    memcpy(st, words, sizeof *st);
    return err;
}

int32_t pager_flush(l4_tid_t pager, l4_tid_t task, uint32_t start, uint32_t size)
{
    const uint32_t w[] = {task, start, size};
    return pager_call(pager, PG_FLUSH, 3, w);
}
