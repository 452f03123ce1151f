/*
 * lab4_exc TEST NONCE SEED: the graded tests of Lab 4's exception IPC
 * (kernel/exception.c).
 *
 * A boot module (a root task, no sigma0 needed).  The main thread drives;
 * the exception handler is a thread of the same task that logs every
 * exception message and answers as the plan says; the faulting threads
 * ("workers") are threads of the task with that handler
 * (l4_thread_create_ex).  A worker raises an exception with one of the
 * small assembly routines below, with every general register and the
 * arithmetic flags loaded with random values from SEED; the routine stores
 * the registers it finds when the thread resumes, so the worker can check
 * both what the handler was told and what the reply did.  Before an
 * exception that must end a worker, the driver prints "lab4 robust:
 * expecting a report: vector V at 0xEIP, handler H|none (why); regs ..."
 * so that the grader can check the kernel's report.  Each test ends with
 * "lab4 TEST: nonce=NONCE digest=DIGEST ok" (test_digest) and a clean stop,
 * or a line saying what went wrong and status 1.
 *
 *   resume   ud2, three times: the message has the right tag, vector,
 *            error code, eip, esp, eflags and registers; the reply's eip
 *            (past the ud2), esp, arithmetic flags and a random subset of
 *            the registers show up in the thread, the others are as they
 *            were, and so are the thread's MR2..MR15 and receive window
 *   divide   a divide error: vector 0, the divide's eip, error code 0, the
 *            registers; the reply resumes after it with a "quotient"
 *   traps    int3 (vector 3, eip after it), int $0x80 (#GP, error code
 *            0x80 << 3 | 2; the reply emulates a system call: eax, eip + 2)
 *            and cli (#GP, error code 0)
 *   robust   no handler, a reply with a bad label, a short one and one
 *            with typed words, a handler that ends, a thread that is its
 *            own handler and a handler that has ended: each thread is
 *            stopped and reported; a reply too long fails with -L4_EMSGLEN;
 *            a reply cannot give the thread IOPL 3 or clear IF (its next
 *            cli faults again); l4_set_handler from a task that is not a
 *            root task fails with -L4_EPERM, with a stale thread with
 *            -L4_ENOPARTNER; after all that, exceptions are still handled
 */
#include "ulib.h"

#define STACK_WORDS 1024
#define NSTACKS 10
#define NREGS 7                     /* eax ebx ecx edx esi edi ebp */
#define NWORDS (1 + L4_EXC_WORDS)   /* a message, MR0..MR12 */
#define EFLAGS_ARITH 0x00000CD5u    /* CF PF AF ZF SF DF OF */
#define EFLAGS_IF    0x00000200u
#define EFLAGS_IOPL  0x00003000u
#define EFLAGS_NT    0x00004000u

static const char *test_name, *nonce;
static uint32_t rng_state;
static l4_tid_t driver, handler;
static char stacks[NSTACKS][STACK_WORDS * 4] __attribute__((aligned(16)));

/* The digest (test_fold, test_digest in ulib.h) folds SEED | 1, then the
   vector and error code of each exception message a handler took; the
   grader works out the same value (grader/lab4_exc.py). */

static uint32_t rng(void)
{
    return xorshift32(&rng_state);
}

/*
 * The raising routines, one per instruction: exc_raise_X() saves the
 * caller's registers, loads eflags and eax..ebp from exc_in, runs the
 * instruction at exc_at_X, and, wherever the thread resumes (the handler
 * normally sends it to exc_next_X, the instruction's end), stores eax..ebp,
 * esp and eflags into exc_out, puts its own stack back and returns.
 * exc_esp holds the esp the instruction ran with.
 */
/* Not static: the compiler must not assume that only C code writes them. */
uint32_t exc_in[NREGS + 1], exc_out[NREGS + 2];         /* [7] = eflags in; esp, eflags out */
uint32_t exc_esp;
const uint32_t exc_zero = 0;                            /* the divisor of the divide error */

#define RAISE(name, insn)                                                              \
    __asm__(".text\n.globl exc_raise_" #name "\nexc_raise_" #name ":\n\t"               \
            "pushal\n\tmovl %esp, exc_esp\n\t"                                         \
            "pushl exc_in+28\n\tpopfl\n\t"                                             \
            "movl exc_in+4, %ebx\n\tmovl exc_in+8, %ecx\n\tmovl exc_in+12, %edx\n\t"   \
            "movl exc_in+16, %esi\n\tmovl exc_in+20, %edi\n\tmovl exc_in+24, %ebp\n\t" \
            "movl exc_in, %eax\n"                                                      \
            ".globl exc_at_" #name "\nexc_at_" #name ":\n\t" insn "\n"                 \
            ".globl exc_next_" #name "\nexc_next_" #name ":\n\t"                       \
            "movl %eax, exc_out\n\tmovl %ebx, exc_out+4\n\tmovl %ecx, exc_out+8\n\t"   \
            "movl %edx, exc_out+12\n\tmovl %esi, exc_out+16\n\tmovl %edi, exc_out+20\n\t" \
            "movl %ebp, exc_out+24\n\tmovl %esp, exc_out+28\n\t"                       \
            "pushfl\n\tpopl exc_out+32\n\t"                                            \
            "movl exc_esp, %esp\n\tcld\n\tpopal\n\tret\n");                            \
    void exc_raise_##name(void);                                                       \
    extern const char exc_at_##name[], exc_next_##name[];

RAISE(ud2, "ud2")
RAISE(div, "divl exc_zero")
RAISE(int3, "int3")
RAISE(int80, "int $0x80")
RAISE(cli, "cli")

enum insn { UD2, DIV, INT3, INT80, CLI };
static const struct {
    const char *name;
    void (*raise)(void);
    const char *at, *next;
    uint32_t vector, error;
    int trap;           /* the CPU reports the address after it (a trap, not a fault) */
} insns[] = {
    [UD2] = {"ud2", exc_raise_ud2, exc_at_ud2, exc_next_ud2, 6, 0, 0},
    [DIV] = {"divl", exc_raise_div, exc_at_div, exc_next_div, 0, 0, 0},
    [INT3] = {"int3", exc_raise_int3, exc_at_int3, exc_next_int3, 3, 0, 1},
    [INT80] = {"int $0x80", exc_raise_int80, exc_at_int80, exc_next_int80, 13, 0x80 << 3 | 2, 0},
    [CLI] = {"cli", exc_raise_cli, exc_at_cli, exc_next_cli, 13, 0, 0},
};
static const char *const reg_names[NREGS] = {"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp"};

/* What the handler does with the next exception (set before it happens). */
enum answer { RESUME, LONG_THEN_RESUME, BAD_LABEL, SHORT, TYPED, END };
static volatile struct {
    enum answer answer;
    uint32_t mask;              /* bit i: reply word i is value[i], not the message's */
    uint32_t value[NWORDS];
} plan;

/* The handler's log of exception messages. */
struct exc { l4_tid_t from; uint32_t w[NWORDS]; int32_t long_reply; };
static struct exc exc_log[16];
static volatile unsigned nexc;

static char typed_page[4096] __attribute__((aligned(4096)));

/* The reply the plan asks for to message m, in MR0..MR12. */
static void set_reply(struct exc *m)
{
    for (unsigned i = 1; i < NWORDS; i++)
        l4_set_mr(i, plan.mask & 1u << i ? plan.value[i] : m->w[i]);
    l4_set_mr(0, l4_tag_make(0, L4_EXC_WORDS, 0));
    if (plan.answer == BAD_LABEL)
        l4_set_mr(0, l4_tag_make(1 + rng() % 0xFFFE, L4_EXC_WORDS, 0));
    else if (plan.answer == SHORT)
        l4_set_mr(0, l4_tag_make(0, 1 + rng() % (L4_EXC_WORDS - 1), 0));
    else if (plan.answer == TYPED) {
        l4_set_mr(0, l4_tag_make(0, L4_EXC_WORDS - 2, 2));
        l4_set_mr(L4_EXC_WORDS - 1, l4_item_word0(L4_ITEM_MAP, 0));
        l4_set_mr(L4_EXC_WORDS, l4_fpage((uint32_t)typed_page, 12, L4_FPAGE_RW));
    }
}

/* The exception handler: logs each message and answers as the plan says. */
static void handler_loop(void)
{
    l4_tid_t from;
    int32_t err = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from);
    for (;;) {
        if (err < 0) {
            err = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from);
            continue;
        }
        struct exc m = {.from = from};
        for (unsigned i = 0; i < NWORDS; i++)
            m.w[i] = l4_mr(i);
        test_fold(m.w[1]);
        test_fold(m.w[2]);
        if (plan.answer == END) {
            exc_log[nexc++ % 16] = m;
            l4_thread_exit(0);
        }
        if (plan.answer == LONG_THEN_RESUME) {
            l4_set_mr(0, l4_tag_make(0, L4_EXC_WORDS + 1, 0));
            m.long_reply = l4_ipc(from, L4_NILTHREAD, l4_timeouts(L4_TIMEOUT_ZERO, 0), NULL);
        }
        exc_log[nexc++ % 16] = m;
        set_reply(&m);
        err = l4_reply_wait(from, &from);
    }
}

/* Random registers and arithmetic flags for the next raise (IF set, as
   user code always has it). */
static void random_regs(void)
{
    for (int i = 0; i < NREGS; i++)
        exc_in[i] = rng();
    exc_in[NREGS] = (rng() & EFLAGS_ARITH) | EFLAGS_IF | 2u;
}

/* Plans a resume at eip with the words of mask taken from value. */
static void plan_resume(enum answer a, uint32_t eip, uint32_t mask, const uint32_t *value)
{
    plan.answer = a;
    plan.mask = mask | 1u << L4_EXC_EIP;
    for (unsigned i = 0; i < NWORDS; i++)
        plan.value[i] = value ? value[i] : 0;
    plan.value[L4_EXC_EIP] = eip;
}

/* Checks the last message the handler logged: from this thread, for
   instruction x, with the registers of exc_in. */
static void check_message(enum insn x, unsigned before)
{
    if (nexc != before + 1)
        test_fail("%s: the handler received %u exception messages, expected 1%s", insns[x].name,
                  nexc - before, nexc == before ? " (did the instruction fault at all?)" : "");
    struct exc *m = &exc_log[before % 16];
    uint32_t *w = m->w;
    uint32_t eip = (uint32_t)(insns[x].trap ? insns[x].next : insns[x].at);
    l4_tag_t want = l4_tag_make(L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0);
    if (m->from != l4_myself())
        test_fail("%s: the exception message came from %p, expected the faulting thread %p",
                  insns[x].name, (void *)m->from, (void *)l4_myself());
    if (w[0] != want)
        test_fail("%s: the message's tag is %p, expected %p (label L4_LABEL_EXCEPTION, "
                  "L4_EXC_WORDS untyped words)", insns[x].name, (void *)w[0], (void *)want);
    if (w[L4_EXC_VECTOR] != insns[x].vector || w[L4_EXC_ERROR] != insns[x].error)
        test_fail("%s: the message says vector %u, error code %p; expected vector %u, error code "
                  "%p (MR1, MR2)", insns[x].name, w[L4_EXC_VECTOR], (void *)w[L4_EXC_ERROR],
                  insns[x].vector, (void *)insns[x].error);
    if (w[L4_EXC_EIP] != eip || w[L4_EXC_ESP] != exc_esp)
        test_fail("%s: the message says eip %p, esp %p; expected eip %p (the %s), esp %p "
                  "(MR3, MR4)", insns[x].name, (void *)w[L4_EXC_EIP], (void *)w[L4_EXC_ESP],
                  (void *)eip, insns[x].trap ? "address after the trap" : "faulting instruction",
                  (void *)exc_esp);
    if ((w[L4_EXC_EFLAGS] & (EFLAGS_ARITH | EFLAGS_IF)) !=
        (exc_in[NREGS] & (EFLAGS_ARITH | EFLAGS_IF)))
        test_fail("%s: the message says eflags %p; the thread had %p in its arithmetic flags "
                  "and IF (MR5)", insns[x].name, (void *)w[L4_EXC_EFLAGS], (void *)exc_in[NREGS]);
    for (int i = 0; i < NREGS; i++)
        if (w[L4_EXC_EAX + i] != exc_in[i])
            test_fail("%s: the message says %s = %p, but the thread had %p (MR%d; the order is "
                      "eax ebx ecx edx esi edi ebp)", insns[x].name, reg_names[i],
                      (void *)w[L4_EXC_EAX + i], (void *)exc_in[i], L4_EXC_EAX + i);
}

/* Checks the registers the thread resumed with against the plan. */
static void check_resumed(enum insn x)
{
    for (int i = 0; i < NREGS; i++) {
        int set = plan.mask & 1u << (L4_EXC_EAX + i);
        uint32_t want = set ? plan.value[L4_EXC_EAX + i] : exc_in[i];
        if (exc_out[i] != want)
            test_fail("after %s, %%%s is %p, expected %p (%s)", insns[x].name, reg_names[i],
                      (void *)exc_out[i], (void *)want,
                      set ? "the handler's reply set it" : "the reply left it as it was");
    }
    uint32_t esp = plan.mask & 1u << L4_EXC_ESP ? plan.value[L4_EXC_ESP] : exc_esp;
    if (exc_out[NREGS] != esp)
        test_fail("after %s, %%esp is %p, expected %p (from the reply's MR4)", insns[x].name,
                  (void *)exc_out[NREGS], (void *)esp);
    uint32_t fl = plan.mask & 1u << L4_EXC_EFLAGS ? plan.value[L4_EXC_EFLAGS] : exc_in[NREGS];
    uint32_t got = exc_out[NREGS + 1];
    if ((got & EFLAGS_ARITH) != (fl & EFLAGS_ARITH))
        test_fail("after %s, the arithmetic flags are %p, expected %p (from the reply's MR5)",
                  insns[x].name, (void *)(got & EFLAGS_ARITH), (void *)(fl & EFLAGS_ARITH));
    if (!(got & EFLAGS_IF) || (got & (EFLAGS_IOPL | EFLAGS_NT)))
        test_fail("after %s, eflags is %p: IF must stay set and IOPL and NT clear, whatever the "
                  "reply says (only CF PF AF ZF SF DF OF come from the reply)", insns[x].name,
                  (void *)got);
}

/*
 * One exception of instruction x, resumed as planned with the words of
 * mask from value (eip: exc_next_X), with random registers and random
 * message registers and receive window that must survive it.
 */
static void raise_and_check(enum insn x, enum answer a, uint32_t mask, const uint32_t *value)
{
    struct l4_utcb *u = l4_utcb();
    uint32_t mrs[16], window = l4_fpage(rng() & 0x7FFFF000u, 12, L4_FPAGE_RW);
    for (unsigned i = 2; i < 16; i++)
        u->mr[i] = mrs[i] = rng();
    u->rcv_window = window;
    random_regs();
    plan_resume(a, (uint32_t)insns[x].next, mask, value);
    unsigned before = nexc;
    insns[x].raise();
    check_message(x, before);
    check_resumed(x);
    for (unsigned i = 2; i < 16; i++)
        if (u->mr[i] != mrs[i])
            test_fail("after %s, MR%u is %p, but it was %p before: the exception IPC must leave "
                      "the "
                      "thread's message registers as they were", insns[x].name, i,
                      (void *)u->mr[i], (void *)mrs[i]);
    if (u->rcv_window != window)
        test_fail("after %s, the receive window is %p, but it was %p before", insns[x].name,
                  (void *)u->rcv_window, (void *)window);
}

/* Random reply words for a random non-empty subset of the registers;
   returns the mask. */
static uint32_t random_reply(uint32_t value[NWORDS])
{
    uint32_t mask = 0;
    while (!mask)
        for (int i = 0; i < NREGS; i++)
            if (rng() & 1)
                mask |= 1u << (L4_EXC_EAX + i);
    for (unsigned i = 0; i < NWORDS; i++)
        value[i] = rng();
    return mask;
}

/* Tells the driver that a worker finished: 0 for success. */
static void report(uint32_t result)
{
    l4_set_mr(0, l4_tag_make(0, 1, 0));
    l4_set_mr(1, result);
    l4_send(driver, L4_TIMEOUT_NEVER);
    l4_thread_exit(0);
}

/* The driver's wait for worker w: its result, or the IPC error (a worker
   stopped by the kernel ends it with -(L4_ECANCELED | L4_ERECV)). */
static int32_t wait_for(l4_tid_t w)
{
    int32_t err = l4_receive(w, L4_TIMEOUT_NEVER, NULL);
    return err < 0 ? err : (int32_t)l4_mr(1);
}

static l4_tid_t start_worker(void (*fn)(void), unsigned stack, l4_tid_t its_handler)
{
    int32_t t = l4_thread_create_ex(fn, stacks[stack] + sizeof stacks[stack], L4_NILTHREAD,
                                    its_handler);
    if (t < 0)
        test_fail("l4_thread_create_ex returned %d", t);
    return (l4_tid_t)t;
}

static void run_worker(void (*fn)(void), const char *what)
{
    int32_t r = wait_for(start_worker(fn, 1, handler));
    if (r != 0)
        test_fail("%s: the worker did not finish (%d): was it stopped? See the kernel's report "
                  "above", what, r);
}

/* --- resume, divide, traps --- */

static void resume_worker(void)
{
    for (int round = 0; round < 3; round++) {
        uint32_t value[NWORDS];
        uint32_t mask = random_reply(value) | 1u << L4_EXC_ESP | 1u << L4_EXC_EFLAGS;
        value[L4_EXC_EFLAGS] = (value[L4_EXC_EFLAGS] & EFLAGS_ARITH) | EFLAGS_IF | 2u;
        value[L4_EXC_ESP] = exc_esp - 4 * (1 + rng() % 16);     /* exc_esp of the last round */
        if (round == 0)
            mask &= ~(1u << L4_EXC_ESP);        /* exc_esp is not known yet */
        raise_and_check(UD2, RESUME, mask, value);
    }
    report(0);
}

static void divide_worker(void)
{
    uint32_t value[NWORDS];
    value[L4_EXC_EAX] = rng();
    value[L4_EXC_EDX] = rng();
    raise_and_check(DIV, RESUME, 1u << L4_EXC_EAX | 1u << L4_EXC_EDX, value);
    report(0);
}

static void traps_worker(void)
{
    raise_and_check(INT3, RESUME, 0, NULL);
    uint32_t value[NWORDS];
    value[L4_EXC_EAX] = rng();                  /* the "system call"'s result */
    raise_and_check(INT80, RESUME, 1u << L4_EXC_EAX, value);
    raise_and_check(CLI, RESUME, 0, NULL);
    report(0);
}

/* --- robust --- */

static volatile enum insn robust_insn;
static volatile int robust_wait;        /* wait for the driver's message before raising */

/* Raises robust_insn with random registers; the kernel must stop it. */
static void doomed_worker(void)
{
    if (robust_wait)
        l4_receive(driver, L4_TIMEOUT_NEVER, NULL);
    insns[robust_insn].raise();
    report(1);
}

/* Announces the report the kernel must print for the next doomed worker. */
static void expect_report(enum insn x, l4_tid_t its_handler, const char *why)
{
    uint32_t eip = (uint32_t)(insns[x].trap ? insns[x].next : insns[x].at);
    char h[16];
    if (its_handler == L4_NILTHREAD)
        strlcpy(h, "none", sizeof h);
    else
        fmt_snprintf(h, sizeof h, "%u", l4_tid_number(its_handler));
    random_regs();
    /* One system call for the whole line, newline included: printed in
       pieces, it could be cut by the kernel's "[thread N exited]" line of
       the worker before (printf writes every 128 characters). */
    char line[256];
    int n = fmt_snprintf(line, sizeof line,
                         "lab4 robust: expecting a report: vector %u at 0x%08x, handler %s (%s); regs",
                         insns[x].vector, eip, h, why);
    for (int i = 0; i < NREGS && n < (int)sizeof line; i++)
        n += fmt_snprintf(line + n, sizeof line - n, " %08x", exc_in[i]);
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    l4_kdb_puts(line, (uint32_t)n);
    robust_insn = x;
}

static void expect_stop(l4_tid_t w, const char *what)
{
    int32_t r = wait_for(w);
    if (r != -(L4_ECANCELED | L4_ERECV) && r != -(L4_ENOPARTNER | L4_ERECV))
        test_fail("%s: the worker should have been stopped by the kernel, but its wait gave %d",
                  what, r);
}

/* A doomed worker raising x, with handler h answering a. */
static void doomed(enum insn x, l4_tid_t h, enum answer a, const char *why)
{
    expect_report(x, h, why);
    plan_resume(a, (uint32_t)insns[x].next, 0, NULL);   /* a kernel that resumes it: report(1) */
    unsigned before = nexc;
    expect_stop(start_worker(doomed_worker, 1, h), why);
    if (h == handler && nexc != before + 1)
        test_fail("%s: the handler received %u messages, expected 1", why, nexc - before);
}

static void long_worker(void)
{
    uint32_t value[NWORDS];
    raise_and_check(UD2, LONG_THEN_RESUME, random_reply(value), value);
    int32_t r = exc_log[(nexc - 1) % 16].long_reply;
    if (r != -L4_EMSGLEN)
        test_fail("a reply of %u words to a thread waiting for its exception handler returned %d, "
                  "expected -L4_EMSGLEN", NWORDS + 1, r);
    report(0);
}

/* A reply that tries to hand the thread IOPL 3, NT and IF clear: only the
   arithmetic flags count, so its next cli faults again. */
static void flags_worker(void)
{
    uint32_t value[NWORDS];
    value[L4_EXC_EFLAGS] = (rng() & EFLAGS_ARITH) | EFLAGS_IOPL | EFLAGS_NT | 2u;
    raise_and_check(UD2, RESUME, 1u << L4_EXC_EFLAGS, value);
    unsigned before = nexc;
    raise_and_check(CLI, RESUME, 0, NULL);
    if (nexc != before + 1)
        test_fail("cli did not fault after a reply that tried to set IOPL 3");
    report(0);
}

static void quitter(void)
{
    l4_receive(driver, L4_TIMEOUT_NEVER, NULL);
    l4_thread_exit(0);
}

/* A task that is not a root task asks for a handler. */
static char task_stack[4096] __attribute__((aligned(16)));
static void task_main(void)
{
    l4_set_mr(0, l4_tag_make(0, 1, 0));
    l4_set_mr(1, (uint32_t)l4_set_handler(l4_myself(), driver));
    l4_send(driver, L4_TIMEOUT_NEVER);
    l4_thread_exit(0);
}

static void check_eperm(void)
{
    int32_t child = l4_task_create(task_main, task_stack + sizeof task_stack);
    if (child < 0)
        test_fail("l4_task_create returned %d", child);
    /* This program lies in one 4 MiB-aligned 4 MiB slot (user/Makefrag). */
    uint32_t slot = (uint32_t)task_main & ~0x3FFFFFu;
    l4_set_mr(0, l4_tag_make(0, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, slot));
    l4_set_mr(2, l4_fpage(slot, 22, L4_FPAGE_RWX));
    int32_t r = l4_send((l4_tid_t)child, L4_TIMEOUT_NEVER);
    if (r == 0)
        r = l4_receive((l4_tid_t)child, L4_TIMEOUT_NEVER, NULL);
    if (r != 0)
        test_fail("the new task did not answer: %d", r);
    if ((int32_t)l4_mr(1) != -L4_EPERM)
        test_fail("l4_set_handler in a task that is not a root task returned %d, expected "
                  "-L4_EPERM", (int32_t)l4_mr(1));
}

static void check_enopartner(l4_tid_t dead)
{
    int32_t r = l4_set_handler(dead, handler);
    if (r != -L4_ENOPARTNER)
        test_fail("l4_set_handler of an ended thread returned %d, expected -L4_ENOPARTNER", r);
    r = l4_set_handler(driver, dead);
    if (r != -L4_ENOPARTNER)
        test_fail("l4_set_handler with an ended handler returned %d, expected -L4_ENOPARTNER", r);
    r = l4_thread_create_ex(quitter, stacks[5] + sizeof stacks[5], L4_NILTHREAD, dead);
    if (r != -L4_ENOPARTNER)
        test_fail("l4_thread_create_ex with an ended handler returned %d, expected "
                  "-L4_ENOPARTNER", r);
    r = l4_task_create_ex(task_main, task_stack + sizeof task_stack, L4_NILTHREAD, dead);
    if (r != -L4_ENOPARTNER)
        test_fail("l4_task_create_ex with an ended handler returned %d, expected "
                  "-L4_ENOPARTNER", r);
}

static void test_robust(void)
{
    const char *bad = "its reply was not a resume message";
    doomed(UD2, L4_NILTHREAD, RESUME, "no handler");
    doomed(DIV, handler, BAD_LABEL, bad);
    doomed(CLI, handler, SHORT, bad);
    doomed(UD2, handler, TYPED, bad);
    run_worker(long_worker, "a reply too long, then a proper one");
    run_worker(flags_worker, "a reply with IOPL 3 and IF clear");

    /* A handler that ends before it replies. */
    l4_tid_t dying = (l4_tid_t)thread_spawn(handler_loop, stacks[2], sizeof stacks[2]);
    doomed(INT3, dying, END, "it ended before it replied");

    /* A thread that is its own handler. */
    robust_wait = 1;
    l4_tid_t w = start_worker(doomed_worker, 3, handler);
    int32_t r = l4_set_handler(w, w);
    if (r != 0)
        test_fail("l4_set_handler(w, w) returned %d, expected 0", r);
    expect_report(UD2, w, "its own handler");
    l4_set_mr(0, 0);
    l4_send(w, L4_TIMEOUT_NEVER);
    expect_stop(w, "a thread that is its own handler");

    /* A handler that ended before the exception. */
    int32_t q = l4_thread_create(quitter, stacks[4] + sizeof stacks[4]);
    if (q < 0)
        test_fail("l4_thread_create returned %d", q);
    w = start_worker(doomed_worker, 3, (l4_tid_t)q);
    l4_set_mr(0, 0);
    l4_send((l4_tid_t)q, L4_TIMEOUT_NEVER);
    l4_receive((l4_tid_t)q, L4_TIMEOUT_NEVER, NULL);     /* returns once it has ended */
    expect_report(UD2, (l4_tid_t)q, "its handler has ended");
    l4_send(w, L4_TIMEOUT_NEVER);
    expect_stop(w, "a handler that has ended");
    robust_wait = 0;

    check_enopartner((l4_tid_t)q);
    check_eperm();
    run_worker(divide_worker, "after all that, a divide error");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        printf("usage: lab4_exc resume|divide|traps|robust NONCE SEED\n");
        return 1;
    }
    test_name = argv[1];
    test_begin("lab4", test_name);
    nonce = argv[2];
    rng_state = strtoul(argv[3], NULL, 0) | 1;
    test_fold(rng_state);
    driver = l4_myself();
    int32_t h = thread_spawn(handler_loop, stacks[0], sizeof stacks[0]);
    if (h < 0)
        test_fail("cannot start the handler thread: %d", h);
    handler = (l4_tid_t)h;
    if (strcmp(test_name, "resume") == 0)
        run_worker(resume_worker, "three ud2s");
    else if (strcmp(test_name, "divide") == 0)
        run_worker(divide_worker, "a divide error");
    else if (strcmp(test_name, "traps") == 0)
        run_worker(traps_worker, "int3, int $0x80, cli");
    else if (strcmp(test_name, "robust") == 0)
        test_robust();
    else
        test_fail("no test called '%s'", test_name);
    printf("lab4 %s: nonce=%s digest=%08x ok\n", test_name, nonce, test_digest);
    l4_kdb_exit(0);
}
