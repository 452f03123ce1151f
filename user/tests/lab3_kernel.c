/*
 * lab3_kernel TEST NONCE SEED: the graded tests of Lab 3's kernel part,
 * page faults as IPC (kernel/pagefault.c), with a small pager of the test's
 * own instead of the pager library, so that what is checked is the kernel:
 * the fault message, the restart, and what happens when a pager fails.
 *
 * Booted after sigma0 (module 0), as module 1.  The main thread drives;
 * the pager is a thread of this root task that logs every fault message and
 * answers as the driver told it; the faulting threads ("workers") are
 * threads of the same task whose pager it is (l4_thread_create_paged), or
 * a new task (l4_task_create_paged).  Addresses come from SEED.  Before a
 * fault that must end a worker, the driver prints "lab3 TEST: expecting a
 * fault: reads|writes ADDRESS (why)" so that the grader can check the
 * kernel's report.  Each test ends with "lab3 TEST: nonce=NONCE
 * digest=DIGEST ok" (DIGEST: see test_digest) and a clean stop, or a line
 * saying what went wrong and status 1.
 *
 *   protocol  a worker reads a fresh page, writes it (mapped read-only by
 *             then), and writes a second fresh page: each fault message has
 *             the right label, access, address and eip, the reply's page lands
 *             on the fault address, and the worker's registers, MR2 and
 *             receive window are as they were; a pager's reply longer than a
 *             map item is refused with -L4_EMSGLEN, and the pager's second,
 *             proper reply works
 *   robust    a fault on kernel memory is not sent to the pager; a pager that
 *             answers without a page, a pager that ends without answering,
 *             and a thread that is its own pager get the thread stopped with
 *             a report; bad pager arguments give
 *             -L4_ENOPARTNER; a new task with a pager starts at once with
 *             %ecx = its creator and faults in its code and stack; after all
 *             that, faults are still resolved
 */
#include "ulib.h"

#define PAGE 4096u
#define POOL 0x60000000u            /* where our frames from sigma0 land */
#define AREA 0x50000000u            /* where workers fault: 256 MiB, nothing there */
#define AREA_PAGES 0x10000u
#define TASK_STACK_TOP 0x5F000000u  /* the new task's stack (inside AREA's range) */
#define STACK_WORDS 1024

static const char *test_name, *nonce;
static uint32_t rng_state;
static l4_tid_t driver, pager;

/* The digest (test_fold, test_digest in ulib.h) folds SEED | 1 and then
   each word the program received and checked, in a fixed order; the
   grader works out the same value (grader/lab3.py). */

/* What the pager does with the next fault (the driver sets it). */
enum answer { MAP_R, MAP_RW, LONG_THEN_MAP_RW, NOTHING_AND_END, REFUSE, TASK };
static volatile enum answer next_answer;

/* The pager's log of fault messages. */
struct fault { l4_tag_t tag; uint32_t addr, eip; l4_tid_t from; int32_t long_reply; };
static struct fault faults[16];
static volatile unsigned nfaults;

static uint32_t pool_next = POOL;
static char stacks[6][STACK_WORDS * 4] __attribute__((aligned(16)));

static uint32_t rng(void)
{
    return xorshift32(&rng_state);
}

/* A random word-aligned address in a random page of AREA. */
static uint32_t area_addr(void)
{
    uint32_t page = rng() % (AREA_PAGES - 0x1000);   /* first: the grader repeats the order */
    return AREA + page * PAGE + (rng() % PAGE & ~3u);
}

/* What the pager writes into word i of the frame it maps at page va. */
static uint32_t pattern(uint32_t va, unsigned i)
{
    return (va ^ 0x9E3779B9u) + i * 2654435761u;
}

/* A frame from sigma0, filled with the pattern of page va. */
static uint32_t new_frame(uint32_t va)
{
    uint32_t at = pool_next;
    int32_t pa = sigma0_get_page(l4_boot_tid(0), at);
    if (pa < 0)
        test_fail("sigma0_get_page returned %d", pa);
    pool_next += PAGE;
    for (unsigned i = 0; i < PAGE / 4; i++)
        ((uint32_t *)at)[i] = pattern(va & ~(PAGE - 1), i);
    return at;
}

/* The reply to a fault at addr: a map item of our page `mine`. */
static void set_map_reply(uint32_t addr, uint32_t mine, uint32_t rights)
{
    l4_set_mr(0, l4_tag_make(0, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, addr));
    l4_set_mr(2, l4_fpage(mine, 12, rights));
}

/* The pager: logs each fault and answers as next_answer says.  The frame
   of the last page it mapped is kept, so that a write fault on that page
   (mapped read-only) is answered with the same frame, writable. */
static void pager_loop(void)
{
    uint32_t last_page = 0, last_frame = 0;
    l4_tid_t from;
    int32_t err = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from);
    for (;;) {
        if (err < 0) {
            err = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from);
            continue;
        }
        struct fault f = {l4_mr(0), l4_mr(1), l4_mr(2), from, 0};
        uint32_t page = f.addr & ~(PAGE - 1);
        enum answer a = next_answer;
        if (a == NOTHING_AND_END) {
            faults[nfaults++] = f;
            l4_thread_exit(0);
        }
        if (a == REFUSE) {
            l4_set_mr(0, l4_tag_make(0, 0, 0));     /* an answer without a page */
        } else if (a == TASK) {
            /* A new task: code and data from our own image, read-only;
               its stack from sigma0. */
            if (f.addr < AREA)
                set_map_reply(f.addr, page, L4_FPAGE_R);
            else
                set_map_reply(f.addr, new_frame(page), L4_FPAGE_RW);
        } else {
            uint32_t frame = page == last_page ? last_frame : new_frame(page);
            last_page = page, last_frame = frame;
            if (a == LONG_THEN_MAP_RW) {
                l4_set_mr(0, l4_tag_make(0, 3, 0));
                f.long_reply = l4_ipc(from, L4_NILTHREAD, l4_timeouts(L4_TIMEOUT_ZERO, 0), NULL);
            }
            set_map_reply(f.addr, frame, a == MAP_R ? L4_FPAGE_R : L4_FPAGE_RW);
        }
        if (nfaults < 16)
            faults[nfaults++] = f;
        err = l4_reply_wait(from, &from);
    }
}

/*
 * One access at addr that may fault, with the registers a fault must not
 * change loaded with random values, and checked afterwards.  A read returns
 * the word read; a write stores addr itself there.  *eip receives the
 * address of the accessing instruction.
 */
static uint32_t regs_in[5], regs_out[5], access_eip;

static uint32_t touch(uint32_t addr, int write)
{
    uint32_t v = addr;
    for (int i = 0; i < 5; i++)
        regs_in[i] = rng();
    struct l4_utcb *u = l4_utcb();
    uint32_t mr2 = rng(), window = l4_fpage(rng() & 0x7FFFF000u, 12, L4_FPAGE_RW);
    u->mr[2] = mr2;
    u->rcv_window = window;
#define TOUCH_ASM(insn)                                                            \
    __asm__ volatile("movl $1f, %[eip]\n\t"                                        \
                     "movl %[i0], %%ebx\n\tmovl %[i1], %%ecx\n\tmovl %[i2], %%edx\n\t" \
                     "movl %[i3], %%esi\n\tmovl %[i4], %%edi\n\t"                   \
                     "1: " insn "\n\t"                                             \
                     "movl %%ebx, %[o0]\n\tmovl %%ecx, %[o1]\n\tmovl %%edx, %[o2]\n\t" \
                     "movl %%esi, %[o3]\n\tmovl %%edi, %[o4]"                       \
                     : "+a"(v), [eip] "=m"(access_eip), [o0] "=m"(regs_out[0]),     \
                       [o1] "=m"(regs_out[1]), [o2] "=m"(regs_out[2]),             \
                       [o3] "=m"(regs_out[3]), [o4] "=m"(regs_out[4])              \
                     : [i0] "m"(regs_in[0]), [i1] "m"(regs_in[1]), [i2] "m"(regs_in[2]), \
                       [i3] "m"(regs_in[3]), [i4] "m"(regs_in[4])                  \
                     : "ebx", "ecx", "edx", "esi", "edi", "memory")
    if (write)
        TOUCH_ASM("movl %%eax, (%%eax)");
    else
        TOUCH_ASM("movl (%%eax), %%eax");
    static const char *const names[5] = {"ebx", "ecx", "edx", "esi", "edi"};
    for (int i = 0; i < 5; i++)
        if (regs_out[i] != regs_in[i])
            test_fail("after a page fault at %p, %%%s is %p, but it was %p before: the fault "
                      "must leave every register as it was (pagefault_ipc saves and restores "
                      "what the IPC overwrites)", (void *)addr, names[i], (void *)regs_out[i],
                      (void *)regs_in[i]);
    if (u->mr[2] != mr2)
        test_fail("after a page fault at %p, MR2 is %p, but it was %p before", (void *)addr,
                  (void *)u->mr[2], (void *)mr2);
    if (u->rcv_window != window)
        test_fail("after a page fault at %p, the receive window is %p, but it was %p before",
                  (void *)addr, (void *)u->rcv_window, (void *)window);
    return v;
}

/* Tells the driver how a worker ended: 0 for success. */
static void report(uint32_t result)
{
    l4_set_mr(0, l4_tag_make(0, 1, 0));
    l4_set_mr(1, result);
    l4_send(driver, L4_TIMEOUT_NEVER);
    l4_thread_exit(0);
}

/* The driver's wait for worker w: its result, or the IPC error (a worker
   stopped by the kernel ends the wait with -(L4_ECANCELED | L4_ERECV), or
   L4_ENOPARTNER if it ended before the wait began).  A worker does a few
   faults at most: if it is neither done nor stopped after 5 s, it is
   stuck, most likely faulting again and again on a fault that the kernel
   took as resolved. */
static int32_t wait_for(l4_tid_t w)
{
    int32_t err = l4_receive(w, 5 * L4_TICK_HZ, NULL);
    if (err == -(L4_ETIMEOUT | L4_ERECV))
        test_fail("a worker neither finished nor was stopped within 5 s: does it fault again and "
                  "again? (a fault the pager did not resolve must be reported, not retried: "
                  "pagefault_resolved in kernel/pagefault.c)");
    return err < 0 ? err : (int32_t)l4_mr(1);
}

static int stopped(int32_t r)
{
    return r == -(L4_ECANCELED | L4_ERECV) || r == -(L4_ENOPARTNER | L4_ERECV);
}

static l4_tid_t start_worker(void (*fn)(void), unsigned stack, l4_tid_t its_pager)
{
    int32_t t = l4_thread_create_paged(fn, stacks[stack] + sizeof stacks[stack], its_pager);
    if (t < 0)
        test_fail("l4_thread_create_paged returned %d", t);
    return (l4_tid_t)t;
}

/* Checks fault message i: from w, access, address, eip. */
static void check_fault(unsigned i, l4_tid_t w, uint32_t access, uint32_t addr, uint32_t eip)
{
    if (nfaults <= i)
        test_fail("the pager received %u fault message(s), expected at least %u", nfaults, i + 1);
    struct fault *f = &faults[i];
    l4_tag_t want = l4_tag_make(L4_LABEL_PAGEFAULT | access, 2, 0);
    if (f->from != w)
        test_fail("fault message %u came from thread %p, expected the worker %p", i + 1,
                  (void *)f->from, (void *)w);
    if (f->tag != want)
        test_fail("fault message %u has tag %p, expected %p (label L4_LABEL_PAGEFAULT | %s, "
                  "2 untyped words)", i + 1, (void *)f->tag, (void *)want,
                  access == L4_FPAGE_W ? "L4_FPAGE_W" : "L4_FPAGE_R");
    if (f->addr != addr || f->eip != eip)
        test_fail("fault message %u says address %p, eip %p; expected address %p, eip %p", i + 1,
                  (void *)f->addr, (void *)f->eip, (void *)addr, (void *)eip);
}

/* --- protocol --- */

static uint32_t a1, a2, eips[3];

static void protocol_worker(void)
{
    next_answer = MAP_R;
    uint32_t v = touch(a1, 0);
    eips[0] = access_eip;
    uint32_t want = pattern(a1 & ~(PAGE - 1), (a1 % PAGE) / 4);
    if (v != want)
        report(1);      /* the driver explains */
    next_answer = MAP_RW;
    uint32_t a1w = (a1 & ~(PAGE - 1)) + ((a1 + 4 * (1 + rng() % 64)) % PAGE);
    touch(a1w, 1);
    eips[1] = access_eip;
    if (*(volatile uint32_t *)a1w != a1w)
        report(2);
    next_answer = LONG_THEN_MAP_RW;
    touch(a2, 1);
    eips[2] = access_eip;
    if (*(volatile uint32_t *)a2 != a2)
        report(3);
    report(0);
}

static void test_protocol(void)
{
    a1 = area_addr();
    do
        a2 = area_addr();
    while ((a2 & ~(PAGE - 1)) == (a1 & ~(PAGE - 1)));
    l4_tid_t w = start_worker(protocol_worker, 1, pager);
    int32_t r = wait_for(w);
    if (r < 0)
        test_fail("the worker did not finish: %d (was it stopped? see the kernel's report "
                  "above)", r);
    if (nfaults != 3)
        test_fail("the pager received %u fault messages, expected 3 (a read, then a write to the "
                  "same page, mapped read-only, then a write to a fresh page)", nfaults);
    check_fault(0, w, L4_FPAGE_R, a1, eips[0]);
    if (r == 1)
        test_fail("the worker read the wrong word at %p: the page the pager mapped did not land "
                  "on the fault address (the receive window: l4_pagefault_window)", (void *)a1);
    check_fault(1, w, L4_FPAGE_W, faults[1].addr, eips[1]);
    if (r == 2)
        test_fail("the worker's write to its read-only page did not stick after the pager mapped "
                  "it writable");
    check_fault(2, w, L4_FPAGE_W, a2, eips[2]);
    if (faults[2].long_reply != -L4_EMSGLEN)
        test_fail("a 4-word reply to a thread in a page fault returned %d, expected -L4_EMSGLEN "
                  "(only a map item fits)", faults[2].long_reply);
    if (r != 0)
        test_fail("the worker reported %d", r);
    test_fold(a1);
    test_fold(a2);
    test_fold(pattern(a1 & ~(PAGE - 1), (a1 % PAGE) / 4));
    test_fold(faults[1].addr);
    test_fold((uint32_t)faults[2].long_reply);
}

/* --- robust --- */

static uint32_t kaddr, raddr, eaddr, oaddr;

static void kernel_reader(void) { touch(kaddr, 0); report(0); }
static void refused(void) { touch(raddr, 1); report(0); }
static void orphan(void) { touch(eaddr, 1); report(0); }
static void self_paged(void)
{
    l4_receive(driver, L4_TIMEOUT_NEVER, NULL);     /* until the driver has set the pager */
    touch(oaddr, 0);
    report(0);
}
static void fine_worker(void)
{
    uint32_t a = area_addr();
    next_answer = MAP_RW;
    touch(a, 1);
    report(*(volatile uint32_t *)a == a ? 0 : 1);
}

/* The new task starts here with %ecx = its creator (the driver), on a
   stack it does not have yet. */
static __attribute__((noreturn, used)) void task_main(l4_tid_t creator)
{
    volatile uint32_t on_stack[64];
    for (unsigned i = 0; i < 64; i++)
        on_stack[i] = i;
    l4_set_mr(0, l4_tag_make(0, 2, 0));
    l4_set_mr(1, creator);
    l4_set_mr(2, on_stack[63]);
    l4_send(creator, L4_TIMEOUT_NEVER);
    l4_thread_exit(0);
}
void task_entry(void);
__asm__(".text\n.globl task_entry\ntask_entry:\n\tpushl %ecx\n\tpushl $0\n\tjmp task_main\n");

static void expect_stop(l4_tid_t w, const char *what)
{
    int32_t r = wait_for(w);
    if (!stopped(r))
        test_fail("%s: the worker should have been stopped by the kernel, but its wait gave "
                  "%d", what, r);
}

static void test_robust(void)
{
    /* Kernel memory: reported, never sent to the pager. */
    uint32_t kpage = rng() % 0x30000u;
    kaddr = 0xC0000000u + kpage * PAGE + (rng() % PAGE & ~3u);
    printf("lab3 robust: expecting a fault: reads 0x%08x (kernel memory, no pager asked)\n", kaddr);
    expect_stop(start_worker(kernel_reader, 1, pager), "a read of kernel memory");
    if (nfaults != 0)
        test_fail("a fault on kernel memory (%p) reached the pager: the kernel must report it "
                  "itself", (void *)faults[0].addr);

    /* A pager that answers without a page. */
    raddr = area_addr();
    next_answer = REFUSE;
    printf("lab3 robust: expecting a fault: writes 0x%08x (its pager refuses)\n", raddr);
    expect_stop(start_worker(refused, 1, pager), "a pager that answers without a page");
    if (nfaults != 1 || faults[0].addr != raddr)
        test_fail("the pager saw %u faults, expected 1 at %p", nfaults, (void *)raddr);
    nfaults = 0;

    /* A pager that ends without answering. */
    l4_tid_t dying = (l4_tid_t)thread_spawn(pager_loop, stacks[2], sizeof stacks[2]);
    eaddr = area_addr();
    next_answer = NOTHING_AND_END;
    printf("lab3 robust: expecting a fault: writes 0x%08x (its pager ends)\n", eaddr);
    expect_stop(start_worker(orphan, 1, dying), "a pager that ends without answering");
    if (nfaults != 1 || faults[0].addr != eaddr)
        test_fail("the dying pager saw %u faults, expected 1 at %p", nfaults, (void *)eaddr);

    /* Bad pager arguments. */
    int32_t r = l4_set_pager(dying, pager);
    if (r != -L4_ENOPARTNER)
        test_fail("l4_set_pager of an ended thread returned %d, expected -L4_ENOPARTNER", r);
    r = l4_thread_create_paged(fine_worker, stacks[3] + sizeof stacks[3], dying);
    if (r != -L4_ENOPARTNER)
        test_fail("l4_thread_create_paged with an ended pager returned %d, expected "
                  "-L4_ENOPARTNER", r);

    /* A thread that is its own pager. */
    oaddr = area_addr();
    l4_tid_t w = start_worker(self_paged, 3, pager);
    if ((r = l4_set_pager(w, w)) != 0)
        test_fail("l4_set_pager(w, w) returned %d, expected 0", r);
    printf("lab3 robust: expecting a fault: reads 0x%08x (its own pager)\n", oaddr);
    l4_set_mr(0, 0);
    l4_send(w, L4_TIMEOUT_NEVER);
    expect_stop(w, "a thread that is its own pager");

    /* A new task with a pager starts at once and faults in what it uses. */
    nfaults = 0;
    next_answer = TASK;
    r = l4_task_create_paged(task_entry, (void *)TASK_STACK_TOP, pager);
    if (r < 0)
        test_fail("l4_task_create_paged returned %d", r);
    l4_tid_t task = (l4_tid_t)r;
    if ((r = l4_receive(task, 500, NULL)) < 0)
        test_fail("the new task did not send its message: %d", r);
    if (l4_mr(1) != driver || l4_mr(2) != 63)
        test_fail("the new task started with %%ecx = %p (expected its creator %p) and read %u "
                  "from its stack (expected 63)", (void *)l4_mr(1), (void *)driver, l4_mr(2));
    if (nfaults < 2)
        test_fail("the new task faulted %u times: it should fault at least on its code and its "
                  "stack",
                  nfaults);

    /* The kernel and the pager still work. */
    if ((r = wait_for(start_worker(fine_worker, 4, pager))) != 0)
        test_fail("after all that, a worker's fault was not resolved: %d", r);
    test_fold(kaddr);
    test_fold(raddr);
    test_fold(eaddr);
    test_fold(oaddr);
    test_fold(63);       /* what the new task read from its stack */
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        printf("usage: lab3_kernel protocol|robust NONCE SEED (after sigma0)\n");
        return 1;
    }
    test_name = argv[1];
    test_begin("lab3", test_name);
    nonce = argv[2];
    rng_state = strtoul(argv[3], NULL, 0) | 1;
    test_fold(rng_state);
    driver = l4_myself();
    int32_t p = thread_spawn(pager_loop, stacks[0], sizeof stacks[0]);
    if (p < 0)
        test_fail("cannot start the pager thread: %d", p);
    pager = (l4_tid_t)p;
    if (strcmp(test_name, "protocol") == 0)
        test_protocol();
    else if (strcmp(test_name, "robust") == 0)
        test_robust();
    else
        test_fail("no test called '%s'", test_name);
    printf("lab3 %s: nonce=%s digest=%08x ok\n", test_name, nonce, test_digest);
    l4_kdb_exit(0);
}
