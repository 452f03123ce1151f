/*
 * sec_entry: attacks on the kernel's entry and exit paths, one per mode,
 * each a foundation system test (grader/systests.py).  Every mode ends
 * with "sec_entry MODE: nonce=N ok ..." or a FAIL line (test_fail).
 *
 *   sec_entry ldt NONCE        builds a call gate, a data and a code
 *       descriptor in a page below 64 KiB, where an LDT at the CPU's reset
 *       value (base 0, limit 0xFFFF) would find them, and uses each from a
 *       thread of its own: each must fault (#GP, reported by the kernel),
 *       and the ring-0 payload behind the gate must never run.
 *   sec_entry df NONCE [ipc]   sets the direction flag before system calls
 *       (thread and task creation, kdb_puts, clock) and checks their
 *       results, and that a new thread starts with clean registers; with
 *       `ipc` (Labs 1 and 2 needed) also before a 20-word IPC with a map
 *       item, its reply, and an unmap.
 *   sec_entry fpu NONCE TASK   two threads load distinct x87 and SSE
 *       registers and check, across many switches, that they keep them;
 *       a new thread must find a clean FPU.  Boot it twice (TASK 1 and 2)
 *       for two tasks.
 *   sec_entry exc NONCE        (Labs 1 and 4 needed) is the exception handler
 *       of two threads that execute ud2; its replies ask for IOPL 3, NT and
 *       AC, and carry EXC_RING0_ASK in %edx, on which the grader's hostile
 *       exception_ipc (grader/systests.py) writes the kernel's %cs into the
 *       frame.  Each thread must come back in ring 3 with only the
 *       arithmetic flags of the reply.
 *   sec_entry segs NONCE SEED  loads every user selector into the segment
 *       registers across system calls and switches, and random other
 *       values, each of which must fault (#GP) in a thread of its own.
 *   sec_entry sysenter NONCE   the sysenter entry (Lab 6's, given code): IPCs
 *       entered with NT, AC and DF set and across timer interrupts must
 *       work; one with TF set must come back and single-step in user mode
 *       (the #DB sysenter raises on the kernel's first instruction must not
 *       stop the kernel); a kernel address as the %eip or %esp to return to
 *       must fault in user mode.  Three threads fault: grader/systests.py.
 *   sec_entry tls NONCE        (Lab 5's TLS segment, SYS_THREAD_TLS) checks
 *       the call's arguments, gives two threads TLS segments on distinct
 *       words and checks through %fs, across system calls and switches,
 *       that each sees its own.
 *
 * A thread that faults is ended by the kernel with a report; the main
 * thread sees it go (l4_set_pager fails for a dead thread) and checks that
 * it never got past the faulting instruction.  Nothing here but `df ipc`
 * needs IPC or mapping, so the tests run on the skeleton.
 */
#include "ulib.h"

#define UDATA_SEL 0x23u         /* the user selectors (kernel/arch/i386/mmu.h) */
#define UCODE_SEL 0x1Bu
#define UTCB_SEL  0x33u
#define TLS_SEL   0x3Bu         /* SYS_THREAD_TLS's slot (7) with RPL 3 */
#define KCODE_SEL 0x08u

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *mode, *nonce;
static char stacks[4][4096] __attribute__((aligned(16)));
static volatile int reached;    /* a child got past the instruction that must fault */

/* Starts fn in a thread of its own and waits until it has ended; returns
   whether it did within `ticks` (set_pager fails once the ID is stale). */
static int run_child(void (*fn)(void), int slot, unsigned ticks)
{
    int32_t tid = thread_spawn(fn, stacks[slot], sizeof stacks[slot]);
    if (tid < 0)
        test_fail("thread_spawn failed (%d)", tid);
    uint32_t end = l4_clock() + ticks;
    while (l4_set_pager((l4_tid_t)tid, L4_NILTHREAD) == 0)
        if ((int32_t)(l4_clock() - end) > 0)
            return 0;
    return 1;
}

/* --- ldt ----------------------------------------------------------- */

/* One page at 0x8000 (the link flag is in user/Makefrag): LDT entries
   0x1000.. if LDTR still had its reset value.  Not 0xF000, which would put
   a symbol of this program at the reset vector's 0xfff0 in every GDB
   session (make gdb loads all programs' symbols). */
#define LDT_PAGE   0x8000u
#define LDT_INDEX  (LDT_PAGE / 8)
#define LDT_SEL(i) ((uint16_t)(((LDT_INDEX + (i)) << 3) | 4 | 3))
static uint64_t ldt_page[512] __attribute__((section(".ldtpage"), aligned(4096), used)) = {1};

volatile uint32_t ring0_marker, ring0_cr0;
void ring0_payload(void);

/* The code behind the call gate: runs in ring 0 if the gate works. */
__asm__(".text\n"
        ".globl ring0_payload\n"
        "ring0_payload:\n"
        "    mov %cr0, %eax\n"
        "    mov %eax, ring0_cr0\n"
        "    movl $0x52494E47, ring0_marker\n"
        "    lret\n");

static uint64_t call_gate(uint32_t target, uint16_t sel)
{
    return (uint64_t)(target & 0xFFFF) | (uint64_t)sel << 16 |
           (uint64_t)(0x80 | 0x60 | 0x0C) << 40 | (uint64_t)(target >> 16) << 48;
}

/* A flat 4 GiB segment of DPL 3; access 0xFA is code, 0xF2 data. */
static uint64_t flat_segment(unsigned access)
{
    return 0xFFFFull | (uint64_t)access << 40 | 0xCFull << 48;
}

static void ldt_gate(void)
{
    __asm__ volatile("lcall %0, $0" : : "i"(LDT_SEL(0)) : "eax", "memory");
    reached = 1;
    printf("sec_entry ldt: RING0 PAYLOAD RAN through the LDT call gate: cr0=%x marker=%x\n",
           ring0_cr0, ring0_marker);
}

static void ldt_data(void)
{
    __asm__ volatile("mov %0, %%ax\n\tmov %%ax, %%es\n\tmov %1, %%ax\n\tmov %%ax, %%es"
                     : : "i"(LDT_SEL(1)), "i"(UDATA_SEL) : "eax");
    reached = 1;
}

static void ldt_code(void)
{
    __asm__ volatile("ljmp %0, $1f\n1:\n\tljmp %1, $2f\n2:"
                     : : "i"(LDT_SEL(2)), "i"(UCODE_SEL) : "memory");
    reached = 1;
}

static void mode_ldt(void)
{
    static void (*const tries[])(void) = {ldt_gate, ldt_data, ldt_code};
    static const char *const what[] = {"a far call through an LDT call gate to the kernel's "
                                       "code segment", "loading an LDT data selector",
                                       "a far jump to an LDT code selector"};
    ldt_page[0] = call_gate((uint32_t)ring0_payload, KCODE_SEL);
    ldt_page[1] = flat_segment(0xF2);
    ldt_page[2] = flat_segment(0xFA);
    for (int i = 0; i < 3; i++) {
        reached = 0;
        if (!run_child(tries[i], i, 200))
            test_fail("the thread trying %s neither faulted nor ended", what[i]);
        if (reached || ring0_marker)
            test_fail("%s worked: user code reached a descriptor of its own in the LDT "
                      "(the kernel must load a null LDT, kernel/arch/i386/gdt.c)%s", what[i],
                      ring0_marker ? ", and ran in ring 0" : "");
    }
    printf("sec_entry ldt: nonce=%s ok: 3 LDT selectors faulted, ring 0 never reached\n", nonce);
}

/* --- df ------------------------------------------------------------ */

/* A system call made with DF set; DF is cleared again before C resumes. */
static int32_t df_syscall(uint32_t nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    int32_t ret;
    __asm__ volatile("std\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR) "\n\tcld"
                     : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
    return ret;
}

/* What a new thread finds in its registers (df_entry saves them):
   eax ebx ecx edx esi edi ebp, eflags, ds es fs gs ss. */
enum { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_EFLAGS, R_DS, R_ES, R_FS, R_GS, R_SS,
       R_COUNT };
volatile uint32_t df_regs[R_COUNT];
void df_entry(void);
void df_child(void);

__asm__(".text\n"
        ".globl df_entry\n"
        "df_entry:\n"
        "    mov %eax, df_regs+0\n"
        "    mov %ebx, df_regs+4\n"
        "    mov %ecx, df_regs+8\n"
        "    mov %edx, df_regs+12\n"
        "    mov %esi, df_regs+16\n"
        "    mov %edi, df_regs+20\n"
        "    mov %ebp, df_regs+24\n"
        "    pushf\n"
        "    popl df_regs+28\n"
        "    movl $0, df_regs+32\n"
        "    mov %ds, df_regs+32\n"
        "    movl $0, df_regs+36\n"
        "    mov %es, df_regs+36\n"
        "    movl $0, df_regs+40\n"
        "    mov %fs, df_regs+40\n"
        "    movl $0, df_regs+44\n"
        "    mov %gs, df_regs+44\n"
        "    movl $0, df_regs+48\n"
        "    mov %ss, df_regs+48\n"
        "    call df_child\n");

void df_child(void)
{
    reached = 1;
    l4_thread_exit(0);
}

/* Ends with registers full of junk, so that its trapframe is dirty when
   its frame is reused for the next thread. */
static void df_dirty(void)
{
    __asm__ volatile("mov %0, %%ax\n\tmov %%ax, %%fs\n\t"
                     "mov $0xBAD00001, %%ecx\n\tmov $0xBAD00002, %%edx\n\t"
                     "mov $0xBAD00003, %%esi\n\tmov $0xBAD00004, %%edi\n\t"
                     "push %%ebp\n\tmov $0xBAD00005, %%ebp\n\t"
                     "mov $0x5f, %%ebx\n\tmov %1, %%eax\n\t"
                     "std\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR)
                     : : "i"(UDATA_SEL), "i"(SYS_THREAD_EXIT) : "eax", "ebx", "ecx", "edx",
                     "esi", "edi", "memory");
    __builtin_unreachable();
}

static void df_nothing(void) {}

static void df_check_new_thread(int round)
{
    static const uint32_t want[R_COUNT] = {0, 0, 0, 0, 0, 0, 0, 0x202, UDATA_SEL, UDATA_SEL, 0,
                                           UTCB_SEL, UDATA_SEL};
    static const char *const names[R_COUNT] = {"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp",
                                               "eflags", "ds", "es", "fs", "gs", "ss"};
    /* A thread dies with junk in its registers; another thread's end lets
       the kernel free its frame; the next thread, made with DF set, will
       likely get that frame. */
    if (!run_child(df_dirty, 0, 200) || !run_child(df_nothing, 1, 200))
        test_fail("a helper thread did not end");
    reached = 0;
    int32_t tid = df_syscall(SYS_THREAD_CREATE, (uint32_t)df_entry,
                             (uint32_t)(stacks[2] + sizeof stacks[2] - 16), L4_NILTHREAD,
                             L4_NILTHREAD);
    if (tid < 0)
        test_fail("SYS_THREAD_CREATE with DF set failed (%d)", tid);
    uint32_t end = l4_clock() + 200;
    while (!reached || l4_set_pager((l4_tid_t)tid, L4_NILTHREAD) == 0)
        if ((int32_t)(l4_clock() - end) > 0)
            test_fail("the thread created with DF set never ran to its end");
    for (int i = 0; i < R_COUNT; i++)
        if (df_regs[i] != want[i])
            test_fail("round %d: a thread created while DF was set started with %s = %x, not "
                      "%x: the kernel must clear DF on entry (kernel/arch/i386/trapentry.asm)",
                      round, names[i], df_regs[i], want[i]);
}

/* IPC with DF set, as l4_ipc otherwise. */
static int32_t df_ipc(l4_tid_t to, l4_tid_t from, uint32_t timeouts, l4_tid_t *sender)
{
    struct l4_utcb *u = l4_utcb();
    int32_t ret;
    uint32_t mr0 = u->mr[0], mr1 = u->mr[1], src = from;
    __asm__ volatile("std\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR) "\n\tcld"
                     : "=a"(ret), "+c"(src), "+S"(mr0), "+D"(mr1)
                     : "a"(SYS_IPC), "b"(to), "d"(timeouts) : "memory");
    u->mr[0] = mr0;
    u->mr[1] = mr1;
    if (sender)
        *sender = src;
    return ret;
}

#define DF_WORDS  20
#define DF_WINDOW 0x30000000u
static uint32_t df_page[1024] __attribute__((aligned(4096)));
static l4_tid_t df_main;

static uint32_t df_word(unsigned i) { return 0xDF000000u ^ (i * 0x01010101u) ^ df_page[1]; }

/* Receives the 20 words and the page with DF set, checks them, replies. */
static void df_receiver(void)
{
    l4_tid_t from;
    l4_utcb()->rcv_window = l4_fpage(DF_WINDOW, 12, L4_FPAGE_RW);
    int32_t r = df_ipc(L4_NILTHREAD, df_main, l4_timeouts(0, L4_TIMEOUT_NEVER), &from);
    if (r != 0 || from != df_main)
        test_fail("a receive with DF set returned %d from %x", r, from);
    uint32_t tag = l4_mr(0);
    if (l4_tag_untyped(tag) != DF_WORDS || l4_tag_typed(tag) != 2)
        test_fail("a message received with DF set has tag %x", tag);
    for (unsigned i = 1; i <= DF_WORDS; i++)
        if (l4_mr(i) != df_word(i))
            test_fail("word %u of a message sent and received with DF set is %x, not %x",
                      i, l4_mr(i), df_word(i));
    if (l4_mr(DF_WORDS + 2) != l4_fpage(DF_WINDOW, 12, L4_FPAGE_RW) ||
        *(volatile uint32_t *)(DF_WINDOW + 4) != df_page[1])
        test_fail("the page mapped with DF set did not arrive (item %x)", l4_mr(DF_WORDS + 2));
    l4_set_mr(0, l4_tag_make(0, DF_WORDS, 0));
    for (unsigned i = 1; i <= DF_WORDS; i++)
        l4_set_mr(i, ~df_word(i));
    r = df_ipc(df_main, L4_NILTHREAD, l4_timeouts(L4_TIMEOUT_NEVER, 0), 0);
    if (r != 0)
        test_fail("the reply with DF set returned %d", r);
}

static void df_ipc_and_map(void)
{
    df_main = l4_myself();
    df_page[1] = l4_clock() * 2654435761u | 1;
    int32_t child = thread_spawn(df_receiver, stacks[3], sizeof stacks[3]);
    if (child < 0)
        test_fail("thread_spawn failed (%d)", child);
    l4_set_mr(0, l4_tag_make(0, DF_WORDS, 2));
    for (unsigned i = 1; i <= DF_WORDS; i++)
        l4_set_mr(i, df_word(i));
    l4_set_mr(DF_WORDS + 1, l4_item_word0(L4_ITEM_MAP, 0));
    l4_set_mr(DF_WORDS + 2, l4_fpage((uint32_t)df_page, 12, L4_FPAGE_RW));
    int32_t r = df_ipc((l4_tid_t)child, (l4_tid_t)child, l4_timeouts(L4_TIMEOUT_NEVER,
                       L4_TIMEOUT_NEVER), 0);
    if (r != 0)
        test_fail("a call with DF set returned %d", r);
    for (unsigned i = 1; i <= DF_WORDS; i++)
        if (l4_mr(i) != ~df_word(i))
            test_fail("word %u of the reply is %x, not %x", i, l4_mr(i), ~df_word(i));
    r = df_syscall(SYS_UNMAP, l4_fpage((uint32_t)df_page, 12, L4_FPAGE_RWX), 0, 0, 0);
    if (r != 0)
        test_fail("SYS_UNMAP with DF set returned %d", r);
    printf("sec_entry df: a %u-word IPC with a map item, its reply and an unmap, all with DF "
           "set, worked\n", DF_WORDS);
}

static void df_sleeper(void)
{
    for (;;)
        ;
}

static void mode_df(int with_ipc)
{
    char line[96];
    int n = fmt_snprintf(line, sizeof line, "sec_entry df: kdb_puts with DF set: nonce=%s\n",
                         nonce);
    int32_t r = df_syscall(SYS_KDB_PUTS, (uint32_t)line, (uint32_t)n, 0, 0);
    if (r != n)
        test_fail("SYS_KDB_PUTS with DF set returned %d, not %d", r, n);
    r = df_syscall(SYS_KDB_PUTS, 0xC0100000u, 16, 0, 0);
    if (r != -L4_EFAULT)
        test_fail("SYS_KDB_PUTS of kernel memory with DF set returned %d", r);
    uint32_t t0 = l4_clock();
    r = df_syscall(SYS_CLOCK, 0, 0, 0, 0);
    if ((uint32_t)r < t0 || (uint32_t)r > t0 + 100)
        test_fail("SYS_CLOCK with DF set returned %d (before it: %u)", r, t0);
    for (int round = 1; round <= 3; round++)
        df_check_new_thread(round);
    r = df_syscall(SYS_TASK_CREATE, (uint32_t)df_sleeper, 0xB0000000u, L4_NILTHREAD,
                   L4_NILTHREAD);
    if (r < 0)
        test_fail("SYS_TASK_CREATE with DF set failed (%d)", r);
    r = df_syscall(SYS_SET_PAGER, (uint32_t)r, L4_NILTHREAD, 0, 0);
    if (r != 0)
        test_fail("SYS_SET_PAGER of the new task's thread with DF set returned %d", r);
    if (with_ipc)
        df_ipc_and_map();
    printf("sec_entry df: nonce=%s ok: system calls with DF set, new threads clean\n", nonce);
    l4_kdb_exit(0);     /* the new task's thread waits for a message forever */
}

/* --- fpu ----------------------------------------------------------- */

/* The fxsave image, and the parts of it a thread's own code decides. */
struct fxarea {
    uint8_t b[512];
} __attribute__((aligned(16)));
#define FX_FCW    0
#define FX_FSW    2
#define FX_FTW    4
#define FX_MXCSR  24
#define FX_ST(i)  (32 + 16 * (i))
#define FX_XMM(i) (160 + 16 * (i))

static void fxsave(struct fxarea *a)
{
    __asm__ volatile("fxsave %0" : "=m"(*a));
}

/* Whether two images agree in everything a thread chose: control and
   status words, tags, MXCSR, the eight x87 and the eight XMM registers. */
static int fx_same(const struct fxarea *a, const struct fxarea *b)
{
    if (memcmp(a->b, b->b, 5) != 0 || memcmp(a->b + FX_MXCSR, b->b + FX_MXCSR, 4) != 0)
        return 0;
    for (int i = 0; i < 8; i++)
        if (memcmp(a->b + FX_ST(i), b->b + FX_ST(i), 10) != 0 ||
            memcmp(a->b + FX_XMM(i), b->b + FX_XMM(i), 16) != 0)
            return 0;
    return 1;
}

static unsigned fpu_task;
static volatile unsigned fpu_rounds[2], fpu_alive[2];
static volatile int fpu_done[2];
#define FPU_ROUNDS 6

/* Loads registers that tell thread `who` apart from every other thread. */
static void fpu_load(unsigned who)
{
    static uint32_t xmm[8][4] __attribute__((aligned(16)));
    static int32_t ints[8];
    uint32_t mxcsr = 0x1F80u | (who & 3) << 13;      /* its own rounding mode */
    uint16_t fcw = (uint16_t)(0x037F & ~0x0C00) | (uint16_t)((who + 1) & 3) << 10;
    for (int i = 0; i < 8; i++) {
        ints[i] = (int32_t)(who * 1000 + (unsigned)i + 1);
        for (int j = 0; j < 4; j++)
            xmm[i][j] = 0x5EC00000u | who << 12 | (uint32_t)i << 4 | (uint32_t)j;
    }
    __asm__ volatile("fninit\n\tfldcw %0" : : "m"(fcw));
    for (int i = 0; i < 8; i++)
        __asm__ volatile("fildl %0" : : "m"(ints[i]));
    __asm__ volatile("ldmxcsr %0\n\t"
                     "movdqa 0(%1), %%xmm0\n\tmovdqa 16(%1), %%xmm1\n\t"
                     "movdqa 32(%1), %%xmm2\n\tmovdqa 48(%1), %%xmm3\n\t"
                     "movdqa 64(%1), %%xmm4\n\tmovdqa 80(%1), %%xmm5\n\t"
                     "movdqa 96(%1), %%xmm6\n\tmovdqa 112(%1), %%xmm7"
                     : : "m"(mxcsr), "r"(xmm) : "memory");
}

static void fpu_worker(unsigned slot)
{
    /* Static: fxsave needs 16-byte alignment, which the stack lacks. */
    static struct fxarea areas[2][2];
    struct fxarea *mine = &areas[slot][0], *now = &areas[slot][1];
    unsigned who = fpu_task * 2 + slot, other = 1 - slot;
    fpu_load(who);
    fxsave(mine);
    for (unsigned r = 0; r < FPU_ROUNDS; r++) {
        /* Wait until the other thread has run (so the FPU was switched),
           or the other is done and a few ticks have passed. */
        unsigned seen = fpu_alive[other];
        uint32_t end = l4_clock() + 3;
        while (fpu_alive[other] == seen && !(fpu_done[other] && l4_clock() > end))
            fpu_alive[slot]++;
        fxsave(now);
        if (!fx_same(mine, now))
            test_fail("thread %u's FPU/SSE registers changed while another thread ran "
                      "(round %u): the kernel must save and restore them per thread "
                      "(kernel/fpu.c)", who, r);
        fpu_rounds[slot]++;
    }
    fpu_done[slot] = 1;
}

static void fpu_worker0(void) { fpu_worker(0); }
static void fpu_worker1(void) { fpu_worker(1); }

/* A new thread must find the FPU as after a reset, nothing of anyone's. */
static void fpu_fresh(void)
{
    static struct fxarea area;
    const struct fxarea *a = &area;
    fxsave(&area);
    uint32_t fcw = a->b[FX_FCW] | a->b[FX_FCW + 1] << 8, mxcsr;
    memcpy(&mxcsr, a->b + FX_MXCSR, 4);
    if (fcw != 0x037F || a->b[FX_FSW] || a->b[FX_FSW + 1] || a->b[FX_FTW] || mxcsr != 0x1F80)
        test_fail("a new thread's FPU is not clean: fcw %x fsw %x tags %x mxcsr %x",
                  fcw, a->b[FX_FSW] | a->b[FX_FSW + 1] << 8, a->b[FX_FTW], mxcsr);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 16; j++)
            if ((j < 10 && a->b[FX_ST(i) + j]) || a->b[FX_XMM(i) + j])
                test_fail("a new thread sees another thread's data in %s%d",
                          a->b[FX_XMM(i) + j] ? "xmm" : "st", i);
    reached = 1;
}

static void mode_fpu(unsigned task)
{
    fpu_task = task;
    if (thread_spawn(fpu_worker0, stacks[0], sizeof stacks[0]) < 0 ||
        thread_spawn(fpu_worker1, stacks[1], sizeof stacks[1]) < 0)
        test_fail("thread_spawn failed");
    uint32_t end = l4_clock() + 2000;
    int fresh = 0;
    while (!fpu_done[0] || !fpu_done[1]) {
        if ((int32_t)(l4_clock() - end) > 0)
            test_fail("the FPU threads did not finish (did one of them fault?)");
        if (!fresh && fpu_rounds[0] && fpu_rounds[1]) {
            /* Both hold values now: a new thread must see neither. */
            reached = 0;
            if (!run_child(fpu_fresh, 2, 400) || !reached)
                test_fail("the fresh thread did not finish (did it fault?)");
            fresh = 1;
        }
    }
    printf("sec_entry fpu: nonce=%s ok: task %u, 2 threads kept their FPU and SSE registers "
           "over %u rounds; a new thread found a clean FPU\n", nonce, task, FPU_ROUNDS);
}

/* --- exc ----------------------------------------------------------- */

#define EXC_RING0_ASK 0x5EC0C0DEu
#define EFLAGS_ASKED  0x00047000u   /* IOPL 3, NT, AC: none arithmetic */
static volatile uint32_t exc_cs, exc_ss, exc_eflags;

/* After the handler's reply: where are we, and with which flags? */
static void exc_child(void)
{
    uint32_t cs, ss, fl;
    __asm__ volatile("ud2\n\tmov %%cs, %0\n\tmov %%ss, %1\n\tpushf\n\tpop %2"
                     : "=r"(cs), "=r"(ss), "=r"(fl) : : "edx", "memory");
    exc_cs = cs;
    exc_ss = ss;
    exc_eflags = fl;
    reached = 1;
    __asm__ volatile("pushf\n\tandl $~0x44000, (%%esp)\n\tpopf" ::: "memory");
    l4_thread_exit(0);
}

/* Receives one exception from `child` and replies: skip the ud2, ask for
   privileged flags, and put `edx` into %edx. */
static void exc_answer(l4_tid_t child, uint32_t edx)
{
    l4_tid_t from;
    int32_t r = l4_receive(child, L4_TIMEOUT_NEVER, &from);
    if (r != 0 || l4_tag_label(l4_mr(0)) != L4_LABEL_EXCEPTION || l4_mr(L4_EXC_VECTOR) != 6)
        test_fail("expected the ud2 exception message, got error %d, tag %x", r, l4_mr(0));
    l4_set_mr(0, l4_tag_make(0, L4_EXC_WORDS, 0));
    l4_set_mr(L4_EXC_EIP, l4_mr(L4_EXC_EIP) + 2);
    l4_set_mr(L4_EXC_EFLAGS, l4_mr(L4_EXC_EFLAGS) | EFLAGS_ASKED);
    l4_set_mr(L4_EXC_EDX, edx);
    r = l4_send(child, L4_TIMEOUT_NEVER);
    if (r != 0)
        test_fail("the reply to the exception failed (%d)", r);
}

static void mode_exc(void)
{
    static const uint32_t edx[] = {0, EXC_RING0_ASK};
    for (unsigned i = 0; i < ARRAY_SIZE(edx); i++) {
        uint32_t *sp = (uint32_t *)(stacks[i] + sizeof stacks[i] - 16);
        reached = 0;
        int32_t child = l4_thread_create_ex(exc_child, sp, L4_NILTHREAD, l4_myself());
        if (child < 0)
            test_fail("l4_thread_create_ex failed (%d)", child);
        exc_answer((l4_tid_t)child, edx[i]);
        while (l4_set_pager((l4_tid_t)child, L4_NILTHREAD) == 0)
            ;
        if (!reached)
            test_fail("the thread did not run on after the reply");
        if ((exc_cs & 3) != 3 || exc_cs != UCODE_SEL || exc_ss != UDATA_SEL)
            test_fail("after an exception reply the thread ran with cs %x ss %x: the kernel "
                      "must never iret to a selector the thread did not have "
                      "(kernel/exception.c, exception())", exc_cs, exc_ss);
        if (exc_eflags & EFLAGS_ASKED)
            test_fail("after an exception reply asking for them, eflags %x has IOPL, NT or AC: "
                      "only the arithmetic flags may come from a reply", exc_eflags);
    }
    printf("sec_entry exc: nonce=%s ok: replies gave neither ring 0 nor privileged flags\n",
           nonce);
}

/* --- segs ---------------------------------------------------------- */

/* Loads sel into segment register `reg` (0..3: ds es fs gs), makes a
   system call, and returns what the register holds after it; user data
   is back in %ds/%es before any C runs. */
static uint32_t seg_round_trip(int reg, uint32_t sel)
{
    uint32_t got = 0;
    switch (reg) {
#define SEG_TRIP(r)                                                                       \
        __asm__ volatile("mov %1, %%" r "\n\tmov %2, %%eax\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR) \
                         "\n\tmov %%" r ", %%ecx\n\tmov %3, %%edx\n\tmov %%dx, %%ds\n\t"   \
                         "mov %%dx, %%es\n\tmov %%ecx, %0"                               \
                         : "=&r"(got) : "r"(sel), "i"(SYS_CLOCK), "i"(UDATA_SEL)           \
                         : "eax", "ecx", "edx", "memory");                                \
        break;
    case 0: SEG_TRIP("ds")
    case 1: SEG_TRIP("es")
    case 2: SEG_TRIP("fs")
    case 3: SEG_TRIP("gs")
#undef SEG_TRIP
    }
    __asm__ volatile("mov %0, %%gs\n\tmov %1, %%fs" : : "r"(UTCB_SEL), "r"(0u));
    return got & 0xFFFF;
}

static int seg_allowed(uint32_t sel, int reg)
{
    uint32_t index = sel & ~3u;
    if (reg == 4)       /* %ss: writable data of DPL 3 with RPL 3 only */
        return sel == UDATA_SEL || sel == UTCB_SEL;
    return index == 0 || index == (UCODE_SEL & ~3u) || index == (UDATA_SEL & ~3u) ||
           index == (UTCB_SEL & ~3u) || index == (TLS_SEL & ~3u);
}

static volatile uint32_t bad_sel;
static volatile int bad_reg;

static void seg_load_bad(void)
{
    uint32_t sel = bad_sel;
    switch (bad_reg) {
    case 0: __asm__ volatile("mov %0, %%ds\n\tmov %1, %%ds" : : "r"(sel), "r"(UDATA_SEL)); break;
    case 1: __asm__ volatile("mov %0, %%es\n\tmov %1, %%es" : : "r"(sel), "r"(UDATA_SEL)); break;
    case 2: __asm__ volatile("mov %0, %%fs" : : "r"(sel)); break;
    case 3: __asm__ volatile("mov %0, %%gs\n\tmov %1, %%gs" : : "r"(sel), "r"(UTCB_SEL)); break;
    case 4: __asm__ volatile("mov %0, %%ss\n\tmov %1, %%ss" : : "r"(sel), "r"(UDATA_SEL)); break;
    }
    reached = 1;
}

static volatile unsigned seg_ticks;
static volatile int seg_stop;

static void seg_other(void)
{
    while (!seg_stop)
        seg_ticks++;
}

/* %fs = UTCB_SEL across switches: the descriptor is rebased for every
   thread, so it must show this thread's UTCB whenever this thread runs. */
static void seg_utcb_across_switch(void)
{
    uint32_t self = (uint32_t)l4_utcb(), seen;
    int32_t other = thread_spawn(seg_other, stacks[3], sizeof stacks[3]);
    if (other < 0)
        test_fail("thread_spawn failed");
    __asm__ volatile("mov %0, %%fs" : : "r"(UTCB_SEL));
    while (seg_ticks < 1000)
        ;
    __asm__ volatile("movl %%fs:0, %0\n\tmov %1, %%fs" : "=r"(seen) : "r"(0u));
    seg_stop = 1;
    while (l4_set_pager((l4_tid_t)other, L4_NILTHREAD) == 0)
        ;
    if (seen != self)
        test_fail("after a switch %%fs:0 (UTCB_SEL) read %x, not this thread's UTCB %x",
                  seen, self);
}

/* NT and AC set by the user come back unchanged and harm nobody. */
static void seg_flags(void)
{
    uint32_t before, after;
    __asm__ volatile("pushf\n\torl $0x44000, (%%esp)\n\tpopf\n\t"
                     "pushf\n\tpop %0\n\t"
                     "mov %2, %%eax\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR) "\n\t"
                     "pushf\n\tpop %1\n\t"
                     "pushf\n\tandl $~0x44000, (%%esp)\n\tpopf"
                     : "=&r"(before), "=&r"(after) : "i"(SYS_CLOCK) : "eax", "memory");
    if ((before & 0x44000) != 0x44000 || after != before)
        test_fail("eflags with NT and AC set: %x before a system call, %x after", before, after);
}

static void mode_segs(uint32_t seed)
{
    static const uint32_t good[] = {0, 1, 2, 3, UCODE_SEL, UCODE_SEL - 3, 0x20, 0x21, UDATA_SEL,
                                    0x30, UTCB_SEL, 0x38, TLS_SEL};
    static const char *const regs[] = {"ds", "es", "fs", "gs", "ss"};
    for (int reg = 0; reg < 4; reg++)
        for (unsigned i = 0; i < ARRAY_SIZE(good); i++) {
            /* A null selector may come back as 0: iret nulls one (SDM, IRET). */
            uint32_t got = seg_round_trip(reg, good[i]);
            if (got != good[i] && !(good[i] < 4 && got == 0))
                test_fail("%%%s = %x became %x across a system call", regs[reg], good[i], got);
        }
    seg_utcb_across_switch();
    seg_flags();

    /* Values that must fault: the kernel's selectors, the TSS, beyond the
       GDT, the LDT, and random ones. */
    uint32_t bad[24] = {0x08, 0x10, 0x13, 0x28, 0x2B, 0x40, 0x43, 0x04, 0x07, 0x0F, 0xF007};
    unsigned nbad = 11;
    if (!seed)
        seed = 1;
    while (nbad < ARRAY_SIZE(bad)) {
        uint32_t v = xorshift32(&seed) & 0xFFFF;
        if (!seg_allowed(v, 0))
            bad[nbad++] = v;
    }
    unsigned faults = 0;
    for (unsigned i = 0; i < nbad; i++) {
        bad_sel = bad[i];
        bad_reg = (int)(i % 5);
        reached = 0;
        if (!run_child(seg_load_bad, 0, 200))
            test_fail("the thread loading %x into %%%s neither faulted nor ended", bad_sel,
                      regs[bad_reg]);
        if (reached)
            test_fail("loading %x into %%%s did not fault", bad_sel, regs[bad_reg]);
        faults++;
    }
    /* %ss refuses what the data registers take: a code segment, null. */
    static const uint32_t bad_ss[] = {0, UCODE_SEL, 0x20, 0x30};
    for (unsigned i = 0; i < ARRAY_SIZE(bad_ss); i++) {
        bad_sel = bad_ss[i];
        bad_reg = 4;
        reached = 0;
        if (!run_child(seg_load_bad, 0, 200) || reached)
            test_fail("loading %x into %%ss did not fault", bad_sel);
        faults++;
    }
    printf("sec_entry segs: nonce=%s ok: %u selectors kept, %u faulted\n", nonce,
           4 * (unsigned)ARRAY_SIZE(good), faults);
}

/* --- tls ----------------------------------------------------------- */

static uint32_t tls_word[2];
static volatile unsigned tls_rounds;
static volatile int tls_stop;
static volatile uint32_t tls_seen_wrong;

static int32_t thread_tls(l4_tid_t t, uint32_t base, uint32_t limit, uint32_t flags)
{
    return l4_syscall4(SYS_THREAD_TLS, t, base, limit, flags);
}

/* %fs:0 through the TLS selector, after a system call in between. */
static uint32_t tls_read(void)
{
    uint32_t v;
    __asm__ volatile("mov %1, %%fs\n\tmov %2, %%eax\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR) "\n\t"
                     "movl %%fs:0, %0\n\tmov %3, %%fs"
                     : "=r"(v) : "r"(TLS_SEL), "i"(SYS_CLOCK), "r"(0u) : "eax", "memory");
    return v;
}

static void tls_other(void)
{
    if (thread_tls(l4_myself(), (uint32_t)&tls_word[1], 3, 0) < 0)
        tls_seen_wrong = 1;
    while (!tls_stop) {
        uint32_t v = tls_read();
        if (v != tls_word[1])
            tls_seen_wrong = v ? v : 1;
        tls_rounds++;
    }
}

static void mode_tls(void)
{
    l4_tid_t me = l4_myself();
    static const struct { uint32_t limit, flags; int32_t want; } bad[] = {
        {0x100000, 0, -L4_EINVAL}, {0, 2, -L4_EINVAL}, {0, 0x80000000u, -L4_EINVAL},
    };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        int32_t r = thread_tls(me, 0, bad[i].limit, bad[i].flags);
        if (r != bad[i].want)
            test_fail("SYS_THREAD_TLS(limit %x, flags %x) returned %s, expected %s", bad[i].limit,
                      bad[i].flags, errstr(r), errstr(bad[i].want));
    }
    int32_t r = thread_tls(me ^ 0x4000u, 0, 0, 0);     /* another thread number: nobody */
    if (r != -L4_ENOPARTNER)
        test_fail("SYS_THREAD_TLS of thread %x, which does not exist, returned %s", me ^ 0x4000u,
                  errstr(r));
    tls_word[0] = 0x7150A000u ^ (uint32_t)strlen(nonce) ^ (uint32_t)l4_clock();
    tls_word[1] = ~tls_word[0];
    r = thread_tls(me, (uint32_t)&tls_word[0], 3, 0);
    if (r != (TLS_SEL >> 3))
        test_fail("SYS_THREAD_TLS returned %s, expected the GDT index %u", errstr(r), TLS_SEL >> 3);
    if (tls_read() != tls_word[0])
        test_fail("%%fs:0 through the TLS selector did not read the word at the segment's base");

    int32_t other = thread_spawn(tls_other, stacks[3], sizeof stacks[3]);
    if (other < 0)
        test_fail("thread_spawn failed");
    unsigned mine = 0;
    while (tls_rounds < 300) {
        uint32_t v = tls_read();
        if (v != tls_word[0])
            test_fail("after a switch %%fs:0 read %x, not this thread's TLS word %x", v,
                      tls_word[0]);
        mine++;
    }
    tls_stop = 1;
    while (l4_set_pager((l4_tid_t)other, L4_NILTHREAD) == 0)
        ;
    if (tls_seen_wrong)
        test_fail("the other thread's %%fs:0 read %x, not its own TLS word", tls_seen_wrong);
    /* (A read beyond the limit is not tried: QEMU's TCG does not check
       data segment limits, so the test would pass or fail by accident.) */
    printf("sec_entry tls: nonce=%s ok: two threads saw their own TLS words (%u and %u reads)\n",
           nonce, mine, tls_rounds);
}

/* --- sysenter ------------------------------------------------------- */

#define EFL_TF 0x100u
#define EFL_DF 0x400u
#define EFL_NT 0x4000u
#define EFL_AC 0x40000u

/* int32_t se_call(uint32_t flags): an IPC with neither phase (to and from
   nil: it needs no Lab 1) through sysenter, with the eflags bits in flags
   set by the popfd just before it, so that none of them traps in user mode
   first (TF takes effect after the instruction that follows popfd: the
   sysenter).  Returns the IPC's result, or 0xBAD if a register the ABI
   keeps (%ebx, %esi, %edi, the sender in %ebp, %esp) came back changed. */
int32_t se_call(uint32_t flags);
__asm__(".text\n"
        "se_call:\n"
        "    push %ebp\n    push %ebx\n    push %esi\n    push %edi\n"
        "    xor %ebx, %ebx\n    xor %ebp, %ebp\n    xor %eax, %eax\n"
        "    mov $0x5EC05EC0, %esi\n    mov $0x12345678, %edi\n"
        "    pushf\n"
        "    mov 24(%esp), %ecx\n"
        "    or %ecx, (%esp)\n"
        "    lea 4(%esp), %ecx\n"
        "    mov $1f, %edx\n"
        "    popf\n"
        "    sysenter\n"
        "1:  pushf\n"
        "    andl $~0x44500, (%esp)\n"
        "    popf\n"
        "    cmp %esp, %ecx\n    jne 2f\n"
        "    test %ebx, %ebx\n    jne 2f\n"
        "    test %ebp, %ebp\n    jne 2f\n"
        "    cmp $0x5EC05EC0, %esi\n    jne 2f\n"
        "    cmp $0x12345678, %edi\n    jne 2f\n"
        "    jmp 3f\n"
        "2:  mov $0xBAD, %eax\n"
        "3:  pop %edi\n    pop %esi\n    pop %ebx\n    pop %ebp\n"
        "    ret\n");

/* void se_return_to(uint32_t eip, uint32_t esp): sysenter asking to come
   back at eip with esp; se_land pushes first thing. */
void se_return_to(uint32_t eip, uint32_t esp);
void se_land(void);
__asm__(".text\n"
        "se_return_to:\n"
        "    mov 4(%esp), %edx\n    mov 8(%esp), %ecx\n"
        "    xor %ebx, %ebx\n    xor %ebp, %ebp\n    xor %eax, %eax\n"
        "    sysenter\n"
        "se_land:\n"
        "    push %eax\n"
        "    movl $1, reached\n"
        "4:  jmp 4b\n");

static void se_child_tf(void)
{
    se_call(EFL_TF);
    reached = 1;                /* the single step must have stopped us */
}

static char se_stack[256] __attribute__((aligned(16)));
static void se_child_kernel_eip(void)
{
    se_return_to(L4_USER_TOP + 0x100000u, (uint32_t)(se_stack + sizeof se_stack));
    reached = 1;
}

static void se_child_kernel_esp(void)
{
    se_return_to((uint32_t)se_land, L4_USER_TOP + 0x100000u);
    reached = 1;
}

static void mode_sysenter(void)
{
    static const struct { uint32_t flags; const char *what; } ok[] = {
        {0, "no flags"}, {EFL_NT, "NT"}, {EFL_AC | EFL_DF, "AC and DF"},
        {EFL_NT | EFL_AC | EFL_DF, "NT, AC and DF"}};
    for (unsigned i = 0; i < ARRAY_SIZE(ok); i++) {
        int32_t r = se_call(ok[i].flags);
        if (r != 0)
            test_fail("an IPC through sysenter with %s set returned %#x, expected 0 and the "
                      "registers kept (0xbad: a register came back changed; "
                      "kernel/arch/i386/sysenter.asm)", ok[i].what, r);
    }
    /* Long enough for timer interrupts to arrive during the entry and exit. */
    uint32_t t0 = l4_clock();
    unsigned calls = 0;
    while (l4_clock() - t0 < 3) {
        int32_t r = se_call(0);
        if (r != 0)
            test_fail("IPC %u through sysenter returned %#x", calls, r);
        calls++;
    }
    static void (*const bad[])(void) = {se_child_tf, se_child_kernel_eip, se_child_kernel_esp};
    static const char *const what[] = {
        "sysenter with TF set (it must single-step in user mode after the call)",
        "sysenter returning to a kernel %eip", "sysenter returning with a kernel %esp"};
    for (int i = 0; i < 3; i++) {
        reached = 0;
        if (!run_child(bad[i], i, 200))
            test_fail("the thread trying %s neither faulted nor ended", what[i]);
        if (reached)
            test_fail("%s went on as if nothing happened", what[i]);
    }
    printf("sec_entry sysenter: nonce=%s ok: %u IPCs with NT, AC, DF and interrupts; "
           "TF, kernel eip and kernel esp faulted in user mode\n", nonce, calls + 4);
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "";
    nonce = argc > 2 ? argv[2] : "none";
    test_begin("sec_entry", mode);
    if (strcmp(mode, "ldt") == 0)
        mode_ldt();
    else if (strcmp(mode, "df") == 0)
        mode_df(argc > 3 && strcmp(argv[3], "ipc") == 0);
    else if (strcmp(mode, "fpu") == 0)
        mode_fpu(argc > 3 ? (unsigned)strtoul(argv[3], 0, 0) : 1);
    else if (strcmp(mode, "exc") == 0)
        mode_exc();
    else if (strcmp(mode, "segs") == 0)
        mode_segs(argc > 3 ? (uint32_t)strtoul(argv[3], 0, 0) : 1);
    else if (strcmp(mode, "tls") == 0)
        mode_tls();
    else if (strcmp(mode, "sysenter") == 0)
        mode_sysenter();
    else
        test_fail("unknown mode '%s' (ldt, df, fpu, exc, segs, tls, sysenter)", mode);
    return 0;
}
