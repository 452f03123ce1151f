/*
 * fuzz SEED CALLS [LAB] [df]: makes about CALLS system calls from several
 * threads and tasks, well-formed most of the time and mutated now and
 * then, then checks that the kernel still works and prints, per kind of
 * call, how many were made and how many returned an error.  The kernel
 * must answer every call, fault and exception with a result, an error or
 * a report that stops the offending thread: never a panic, a hang or a
 * reset.  `make fuzz` runs it (grader/fuzz.py); a system test runs a short
 * one with a fresh seed each time.
 *
 * LAB (default 4) is the highest lab whose kernel parts the fuzzer may
 * use, since a hole left open prints "LAB n:" and does nothing: -1 or
 * "base" uses only the given foundation (no IPC), 1 adds IPC, 2 map and
 * grant items, unmap and child tasks, 3 pagers and page faults, 4
 * exceptions, interrupts and priorities.  "df" makes some calls enter the
 * kernel with the direction flag set.  Half the IPCs enter through
 * sysenter (given code, so at every LAB), now and then with odd flags and
 * segment registers, and the driver starts threads that sysenter with any
 * registers and any address to come back to (user/fuzz/sysenter.c says
 * what each must get); a return the ABI does not allow fails the run.
 *
 * The parts are in user/fuzz/ (fuzz.h describes the threads and the
 * memory); this file is the driver: it starts the other threads and
 * tasks, starts them again when they end, and makes the calls only a
 * root task may make.  Its own IPC always has a short timeout, so that
 * some thread always has a timeout pending and the kernel never sees a
 * deadlock, whatever the others do.
 */
#include "fuzz.h"

union shared_page shared_page __attribute__((aligned(PAGE)));
char dpool[DPOOL_PAGES * PAGE] __attribute__((aligned(DPOOL_PAGES * PAGE)));
char ppool[PPOOL_PAGES * PAGE] __attribute__((aligned(PPOOL_PAGES * PAGE)));
char child_stacks[NCHILDREN][STACK_SIZE] __attribute__((aligned(STACK_SIZE)));
static char stacks[NSERVERS + NWORKERS + 2][STACK_SIZE] __attribute__((aligned(16)));
volatile uint32_t fz_dirty_starts;

static const char *const kind_names[NKINDS] = {
    [SYS_KDB_PUTS] = "kdb_puts", [SYS_KDB_EXIT] = "kdb_exit", [SYS_THREAD_EXIT] = "thread_exit",
    [SYS_NULL] = "null", [SYS_IPC] = "ipc", [SYS_THREAD_CREATE] = "thread_create",
    [SYS_CLOCK] = "clock", [SYS_UNMAP] = "unmap", [SYS_TASK_CREATE] = "task_create",
    [SYS_SET_PAGER] = "set_pager", [SYS_SET_HANDLER] = "set_handler",
    [SYS_IRQ_CONTROL] = "irq_control", [SYS_SCHEDULE] = "schedule",
    [SYS_IO_ACCESS] = "io_access", [SYS_THREAD_TLS] = "thread_tls",
    [SYS_TASK_DELETE] = "task_delete", [K_BADNR] = "(no such call)",
};
static const char *const event_names[NEVENTS] = {
    [EV_RENDEZVOUS] = "messages received", [EV_TIMEOUT] = "IPC timeouts",
    [EV_ITEMS] = "items sent", [EV_LANDED] = "items that landed", [EV_TOUCH] = "touches of WIN",
    [EV_FAULT_MSG] = "page faults answered", [EV_EXC_MSG] = "exceptions answered",
    [EV_RESUMED] = "exception sites passed", [EV_IRQ] = "interrupts received",
    [EV_SPAWN] = "threads and tasks started", [EV_LOST] = "... found ended",
    [EV_SE_IPC] = "IPCs through sysenter", [EV_SE_ODD] = "... with odd flags or segments",
    [EV_SE_STEP] = "... single-stepped, resumed",
    [EV_SE_RAW] = "sysenters with any registers", [EV_SE_LANDED] = "... came back and checked",
};

/* --- starting threads and tasks --- */

static void server_main(void)
{
    struct fz f = {.root = 1, .self = l4_myself()};
    fz_seed(&f, 0x50000000u ^ f.self);
    server_run(&f);
}

static void worker_main(void)
{
    struct fz f = {.root = 1, .self = l4_myself()};
    fz_seed(&f, 0x57000000u ^ f.self);
    worker_run(&f);
}

static void irq_main(void)
{
    struct fz f = {.root = 1, .self = l4_myself()};
    fz_seed(&f, 0x49000000u ^ f.self);
    irq_run(&f);
}

/* A thread of ours running fn on stack number i; the loops never return. */
static l4_tid_t spawn(struct fz *f, void (*fn)(void), unsigned i, l4_tid_t pager,
                      l4_tid_t handler)
{
    uint32_t *sp = (uint32_t *)(stacks[i] + STACK_SIZE);
    *--sp = 0;                          /* no return address */
    int32_t tid = fz_sys(f, SYS_THREAD_CREATE, (uint32_t)fn, (uint32_t)sp, pager, handler);
    if (tid < 0)
        return L4_NILTHREAD;
    fz_event(EV_SPAWN);
    return (l4_tid_t)tid;
}

static l4_tid_t some_server(struct fz *f, int lab)
{
    return SH->lab >= lab ? pick_server(f) : L4_NILTHREAD;
}

/*
 * A child task in slot i, running child_entry(i) on child_stacks[i]: with
 * a pager (Lab 3 on, half the time) it starts at once and faults in our
 * code, data and its stack; without, our first message maps them to it
 * (the image read-only, the shared page and its stack writable).
 */
static l4_tid_t start_child(struct fz *f, unsigned i)
{
    uint32_t *sp = (uint32_t *)(child_stacks[i] + STACK_SIZE);
    *--sp = i;
    *--sp = 0;
    int paged = SH->lab >= 3 && rnd(f, 2);
    int32_t tid = fz_sys(f, SYS_TASK_CREATE, (uint32_t)child_entry, (uint32_t)sp,
                         paged ? pick_server(f) : L4_NILTHREAD, some_server(f, 4));
    if (tid < 0)
        return L4_NILTHREAD;
    if (!paged) {
        uint32_t image = (uint32_t)__image_start & ~(WIN_SIZE - 1);
        l4_set_mr(0, l4_tag_make(LBL_CHILD, 0, 6));
        l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, image));
        l4_set_mr(2, l4_fpage(image, WIN_LOG2, L4_FPAGE_R));
        l4_set_mr(3, l4_item_word0(L4_ITEM_MAP, (uint32_t)&shared_page));
        l4_set_mr(4, l4_fpage((uint32_t)&shared_page, 12, L4_FPAGE_RW));
        l4_set_mr(5, l4_item_word0(L4_ITEM_MAP, (uint32_t)child_stacks[i]));
        l4_set_mr(6, l4_fpage((uint32_t)child_stacks[i], 13, L4_FPAGE_RW));
        fz_ipc(f, tid, L4_NILTHREAD, l4_timeouts(10, 0), NULL);
        if (SH->lab >= 3)
            fz_sys(f, SYS_SET_PAGER, tid, pick_server(f), 0, 0);
    }
    fz_event(EV_SPAWN);
    return (l4_tid_t)tid;
}

/* Slot i of every slot there is: the servers, the workers, the interrupt
   thread, the child tasks. */
enum { NSLOTS = NSERVERS + NWORKERS + 1 + NCHILDREN };

static volatile l4_tid_t *slot(unsigned i)
{
    if (i < NSERVERS)
        return &SH->servers[i];
    i -= NSERVERS;
    if (i < NWORKERS)
        return &SH->workers[i];
    i -= NWORKERS;
    if (i == 0)
        return &SH->irq;
    return &SH->children[i - 1];
}

static l4_tid_t start_slot(struct fz *f, unsigned i)
{
    if (i < NSERVERS)
        return SH->lab >= 1 ? spawn(f, server_main, i, L4_NILTHREAD, L4_NILTHREAD) : 0;
    if (i < NSERVERS + NWORKERS)
        return SH->lab >= 1 ? spawn(f, worker_main, i, some_server(f, 3), some_server(f, 4)) : 0;
    if (i == NSERVERS + NWORKERS)
        return SH->lab >= 4 ? spawn(f, irq_main, i, L4_NILTHREAD, L4_NILTHREAD) : 0;
    return SH->lab >= 2 ? start_child(f, i - NSERVERS - NWORKERS - 1) : 0;
}

/* Whether the thread t still lives: setting its priority is a call worth
   making anyway, and its only -L4_ENOPARTNER is for a thread that has
   ended.  (Not SYS_SET_PAGER: that one says -L4_ENOPARTNER for a bad
   pager too, and a live thread taken for dead would get a second thread
   on its stack.)  Below Lab 4 only the default priority. */
static int alive(struct fz *f, l4_tid_t t)
{
    uint32_t prio = SH->lab >= 4 ? 95 + rnd(f, 11) : L4_PRIO_DEFAULT;
    return fz_sys(f, SYS_SCHEDULE, t, prio, 0, 0) != -L4_ENOPARTNER;
}

/* Looks at slot i: if its thread has ended, starts another. */
static void keep_slot(struct fz *f, unsigned i)
{
    volatile l4_tid_t *s = slot(i);
    if (*s && alive(f, *s))
        return;
    if (*s) {
        note_stale(*s);
        fz_event(EV_LOST);
    }
    *s = L4_NILTHREAD;
    if (budget_left())
        *s = start_slot(f, i);
}

/* --- the driver's own calls --- */

/* A thread with (almost) no stack that ends at once, after one fault,
   exception or call; or a creation with an argument the kernel refuses. */
static void drv_thread_create(struct fz *f)
{
    void (*entry)(void) = raw_exit;
    uint32_t stack = rnd32(f) & 0xBFFFFFF0u;
    switch (rnd(f, 5)) {
    case 0: if (SH->lab >= 3) entry = raw_touch, stack = win_addr(f); break;
    case 1: if (SH->lab >= 4) entry = raw_ud2; break;
    case 2: entry = raw_clock; break;
    case 3: entry = raw_check; break;
    }
    uint32_t e = (uint32_t)entry, pager = some_server(f, 3), handler = some_server(f, 4);
    if (chance(f, 4)) {
        switch (rnd(f, 4)) {
        case 0: e = L4_USER_TOP + (rnd32(f) & 0x3FFFFFFF); break;     /* -L4_EINVAL */
        case 1: stack = L4_USER_TOP + PAGE; break;                    /* -L4_EINVAL */
        case 2: pager = pick_bad_tid(f); break;         /* -L4_ENOPARTNER, unless nil */
        default: handler = pick_bad_tid(f); break;
        }
    }
    fz_sys(f, SYS_THREAD_CREATE, e, stack, pager, handler);
}

/* A task that ends at once: its first message maps it our code (or
   nothing: it faults and is stopped), or its pager does. */
static void drv_task_create(struct fz *f)
{
    uint32_t e = (uint32_t)(rnd(f, 2) ? raw_exit : raw_clock);
    l4_tid_t pager = SH->lab >= 3 && rnd(f, 2) ? pick_pager(f, L4_NILTHREAD) : L4_NILTHREAD;
    if (SH->lab < 2 || chance(f, 4)) {
        static const uint32_t bad[][3] = {{L4_USER_TOP, 0, 0}, {0, L4_USER_TOP + 8, 0},
                                          {0, 0, L4_ANYTHREAD}, {0, 0, 0x40000001u}};
        unsigned i = rnd(f, 4);
        fz_sys(f, SYS_TASK_CREATE, bad[i][0] ? bad[i][0] : e, bad[i][1], bad[i][2], 0);
        return;
    }
    int32_t tid = fz_sys(f, SYS_TASK_CREATE, e, 0, pager, some_server(f, 4));
    if (tid < 0 || pager != L4_NILTHREAD)
        return;
    uint32_t page = e & ~(PAGE - 1);
    int items = rnd(f, 2);
    l4_set_mr(0, l4_tag_make(0, 0, 2 * items));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, page));
    l4_set_mr(2, l4_fpage(page, 12, L4_FPAGE_R));
    fz_ipc(f, (l4_tid_t)tid, L4_NILTHREAD, l4_timeouts(10, 0), NULL);
}

/* Pagers, handlers and priorities of our threads, or of IDs that name
   nobody; below Lab 3/4 only "none", since nobody may be asked. */
static void drv_admin(struct fz *f)
{
    l4_tid_t t = chance(f, 8) ? pick_bad_tid(f) : pick_peer(f);
    switch (rnd(f, 3)) {
    case 0:
        fz_sys(f, SYS_SET_PAGER, t, SH->lab >= 3 ? pick_pager(f, t) : 0, 0, 0);
        break;
    case 1:
        fz_sys(f, SYS_SET_HANDLER, t, SH->lab >= 4 ? pick_pager(f, t) : 0, 0, 0);
        break;
    default:
        /* Below Lab 4 only the default priority: any other would make the
           kernel ask sched_pick.  Out of range: -L4_EINVAL. */
        if (chance(f, 8))
            fz_sys(f, SYS_SCHEDULE, t, rnd(f, 2) ? 256 + rnd(f, 1000) : L4_PRIO_DEFAULT,
                   rnd(f, 2) ? L4_SLICE_MAX + 1 : 0, 0);
        else
            fz_sys(f, SYS_SCHEDULE, t, SH->lab >= 4 ? 95 + rnd(f, 11) : L4_PRIO_DEFAULT,
                   rnd(f, 20), 0);
    }
}

/* IPC with a short timeout: the driver must never wait for good. */
static void drv_ipc(struct fz *f)
{
    l4_tid_t to = pick_peer(f), from;
    unsigned kind = rnd(f, 3);
    l4_utcb()->rcv_window = SH->lab >= 2 ? pick_window(f) : L4_NILPAGE;
    l4_set_mr(0, pick_tag(f, LBL_REQ + (kind == 2), NULL));
    int32_t err = fz_ipc(f, kind == 1 ? L4_NILTHREAD : to,
                         kind == 0 ? L4_NILTHREAD : kind == 1 ? L4_ANYTHREAD : to,
                         l4_timeouts(pick_timeout(f), pick_timeout(f)), &from);
    if (err == 0 && kind != 0)
        handle_message(f, from);
}

static void drv_small(struct fz *f)
{
    switch (rnd(f, 6)) {
    case 0:
        fz_sys(f, SYS_CLOCK, 0, 0, 0, 0);
        break;
    case 1:
        if (SH->lab >= 0)
            fz_sys(f, SYS_NULL, 0, 0, 0, 0);
        break;
    case 2:
        fz_sys(f, SYS_KDB_PUTS, L4_USER_TOP - 16 + rnd(f, 32), rnd(f, 64), 0, 0);
        break;
    case 3:
        fz_sys(f, SYS_COUNT + rnd(f, 1000), rnd32(f), rnd32(f), rnd32(f), rnd32(f));
        break;
    case 4:     /* as in worker.c's act_admin */
        fz_sys(f, SYS_IRQ_CONTROL, 9 + rnd(f, 7), SH->lab >= 4 && rnd(f, 2), 0, 0);
        break;
    default: {
        uint32_t flags;
        l4_fpage_t fp = pick_unmap_fpage(f, &flags);
        if (SH->lab >= 2)
            fz_sys(f, SYS_UNMAP, fp, flags, 0, 0);
    }
    }
}

static void drv_step(struct fz *f)
{
    unsigned a = rnd(f, 64);
    if (a < 24 && SH->lab >= 1)
        drv_ipc(f);
    else if (a < 26)
        drv_thread_create(f);
    else if (a < 28)
        drv_task_create(f);
    else if (a < 30)
        drv_sysenter(f);
    else if (a < 40)
        drv_admin(f);
    else
        drv_small(f);
}

/* --- the end --- */

/* Lets the other threads run for about n ticks: a receive that nobody
   answers, or below Lab 1 (no IPC) a spin on the clock, which the timer
   preempts when the driver's time slice is over. */
static void wait_ticks(unsigned n)
{
    if (SH->lab >= 1) {
        sleep_ticks(n);
        return;
    }
    uint32_t until = l4_clock() + n;     /* uncounted: not part of the fuzz */
    while ((int32_t)(l4_clock() - until) < 0)
        ;
}

/* Stops every thread of ours (servers are told), waits until all have
   ended, and checks that threads, tasks and IPC still work. */
static int finish(struct fz *f)
{
    SH->stop = 1;
    for (unsigned i = 0; i < NSERVERS; i++) {
        l4_set_mr(0, l4_tag_make(LBL_STOP, 0, 0));
        if (SH->servers[i])
            fz_ipc(f, SH->servers[i], L4_NILTHREAD, l4_timeouts(20, 0), NULL);
    }
    for (unsigned round = 0; round < 100; round++) {
        unsigned live = 0;
        for (unsigned i = 0; i < NSLOTS; i++) {
            volatile l4_tid_t *s = slot(i);
            if (*s && fz_sys(f, SYS_SET_PAGER, *s, 0, 0, 0) == 0)
                live++;
        }
        /* Long enough, the last time, for the driver's time slice (at
           most 20 ticks, drv_admin) to end: then its raw threads run too. */
        wait_ticks(live ? 2 : 22);
        if (!live)
            break;
    }
    /* The kernel must have taken back what the run used: a thread, a
       task, and a round trip to a new server. */
    int32_t t = fz_sys(f, SYS_THREAD_CREATE, (uint32_t)raw_clock, 0, 0, 0);
    int32_t k = fz_sys(f, SYS_TASK_CREATE, (uint32_t)raw_exit, 0, 0, 0);
    if (fz_dirty_starts) {
        printf("fuzz: FAIL: %u new threads started with registers other than zero: the "
               "kernel leaked another thread's registers (kernel/arch/i386)\n", fz_dirty_starts);
        return 0;
    }
    if (!se_report())
        return 0;
    if (t < 0 || k < 0) {
        printf("fuzz: FAIL: after the run, thread_create returned %d and task_create %d\n", t, k);
        return 0;
    }
    if (SH->lab >= 1) {
        SH->stop = 0;
        SH->calls_wanted = SH->calls + 100;
        l4_tid_t s = spawn(f, server_main, NSERVERS + NWORKERS + 1, 0, 0);
        l4_set_mr(0, l4_tag_make(LBL_MUST, 0, 0));
        int32_t err = fz_ipc(f, s, s, l4_timeouts(100, 100), NULL);
        SH->stop = 1;
        if (err) {
            printf("fuzz: FAIL: after the run, a call to a new server returned %d\n", err);
            return 0;
        }
    }
    return 1;
}

static void report(uint32_t seed)
{
    /* Nothing but our counters may write the shared page: a child task or
       a mapping that did would make every figure here suspect. */
    if (SH->seed != seed)
        printf("fuzz: FAIL: the shared page was overwritten (seed %u, now %u)\n", seed,
               SH->seed);
    uint32_t calls = 0, errors = 0;
    for (unsigned k = 0; k < NKINDS; k++)
        calls += SH->count[k], errors += SH->errors[k];
    printf("fuzz: seed %u: %u calls, %u errors, by kind (calls/errors):\n", SH->seed, calls,
           errors);
    for (unsigned k = 0; k < NKINDS; k++)
        if (SH->count[k])
            printf("fuzz:   %-14s %8u %8u\n", kind_names[k], SH->count[k], SH->errors[k]);
    static const char *const code_names[] = {"", "EFAULT", "EINVAL", "ENOSYS", "ENOMEM",
        "ETIMEOUT", "ENOPARTNER", "ECANCELED", "EMSGLEN", "EPERM", "EBUSY", "other"};
    printf("fuzz:   errors by code:");
    for (unsigned c = 1; c <= L4_EBUSY + 1; c++)
        printf(" %s %u", code_names[c], SH->codes[c]);
    printf("\n");
    for (unsigned e = 0; e < NEVENTS; e++)
        printf("fuzz:   %-26s %8u\n", event_names[e], SH->events[e]);
    printf("fuzz: %u calls, %u errors; the kernel is still here (seed %u)\n", calls, errors,
           SH->seed);
}

static int parse_lab(const char *s)
{
    if (!strcmp(s, "base") || !strcmp(s, "-1"))
        return -1;
    return (int)strtoul(s, NULL, 10);
}

int main(int argc, char **argv)
{
    struct fz f = {.root = 1, .self = l4_myself()};
    uint32_t seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
    SH->seed = seed;
    SH->calls_wanted = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000;
    SH->lab = 4;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "df"))
            SH->df = 1;
        else
            SH->lab = parse_lab(argv[i]);
    }
    SH->driver = f.self;
    fz_seed(&f, 0x44000000u);
    printf("fuzz: seed %u, %u calls, labs up to %d%s\n", SH->seed, SH->calls_wanted, SH->lab,
           SH->df ? ", DF set now and then" : "");

    uint32_t step = SH->calls_wanted / 10, next = step;
    for (unsigned i = 0; budget_left(); i++) {
        if (i % 8 == 0)
            keep_slot(&f, i / 8 % NSLOTS);
        drv_step(&f);
        if (step >= 10000 && SH->calls >= next) {
            printf("fuzz: %u calls so far\n", SH->calls);
            next += step;
        }
    }
    int ok = finish(&f);
    report(seed);
    l4_kdb_exit(ok && SH->seed == seed ? 0 : 1);
}
