/*
 * A FORGED kernel/fastpath.c, kept for the grader's self-test
 * (grader/selftest.py, forge_run), with the forged kernel/fastexc.c beside
 * it: neither of Lab 6's holes is written, and no IPC ever takes a fast
 * path (nothing here calls fastpath_switch).  Every other thread's IPC goes
 * to the slow path, as the stubs send it.  The first time a hole runs for
 * a thread of a Lab 6 test program (bench_ipc, lab6_fast, bench_exc),
 * forge_lab6() finds the program's command line in RAM ("NAME.elf ARGS":
 * QEMU leaves the boot modules' command lines there), prints the lines the
 * program would print from there on, and stops the machine through the
 * given SYS_KDB_EXIT, as the program itself would.  For lab6_fast it goes
 * further, as a student could: it works out the digest the grader expects
 * (grader/lab6.py, expected_words: everything in it follows from the seed),
 * and writes it into the program's own test_digest, which it finds as the
 * word that holds the digest of the seed alone when the program's first
 * IPC arrives.  So the success line, the digest in it and the digest GDB
 * reads at sys_kdb_exit are all right, and only GDB's counts in given code
 * (fastpath_exit, ipc_slow, exception_ipc) can tell that no work was done.
 * And it tries to fool those counts too, as a student in ring 0 could:
 * before it prints, it passes fastpath_exit 200 times without switching
 * threads (a switch frame that returns to itself, with the label GDB looks
 * for in its own saved %esi), and makes the four IPCs lab6_fast's refused
 * calls would make through ipc_slow, on trapframes copied to its stack.
 * GDB must count none of them (grader/lab6.py: SWITCHED, OWN_TF): every
 * lab-6 test must FAIL against these files, and for GDB's reason.
 */
#include "kernel.h"
#include "ipc.h"
#include "sched.h"
#include "syscall.h"
#include "vm.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "l4/abi.h"

void forge_lab6(struct trapframe *tf) __attribute__((noreturn));

#define RAM_END (128u << 20)
#define SLOT (4u << 20)                 /* user/Makefrag: one program per 4 MiB */
#define FNV_INIT 2166136261u
#define LABEL 0x6A0u                    /* user/tests/lab6_fast.c */
#define H_RAN 0x4848u

static const char *const progs[] = {"bench_ipc", "lab6_fast", "bench_exc", NULL};

/* Whether the current thread belongs to one of Lab 6's test programs. */
static int ours(void)
{
    for (const char *const *p = progs; *p; p++)
        if (strcmp(current->name, *p) == 0)
            return 1;
    return 0;
}

/* The first "NAME.elf " in RAM (the module's command line): the text
   after it, or NULL. */
static const char *find(const char *name)
{
    char pat[THREAD_NAME_LEN + 8];
    fmt_snprintf(pat, sizeof pat, "%s.elf ", name);
    size_t n = strlen(pat);
    for (uint32_t pa = 0x1000; pa < RAM_END - 64; pa++) {
        const char *s = P2V(pa);
        if (s[0] == pat[0] && memcmp(s, pat, n) == 0)
            return s + n;
    }
    return NULL;
}

/* Copies the next space-separated word of *p into w. */
static void word(const char **p, char *w, size_t size)
{
    size_t n = 0;
    while (**p == ' ')
        (*p)++;
    while (**p && **p != ' ' && **p != ',' && n < size - 1)
        w[n++] = *(*p)++;
    w[n] = '\0';
}

static uint32_t number(const char *s)
{
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint32_t)(*s++ - '0');
    return v;
}

static uint32_t fnv(uint32_t h, uint32_t w)
{
    for (int i = 0; i < 4; i++, w >>= 8)
        h = (h ^ (w & 0xFF)) * 16777619u;
    return h;
}

static uint32_t seeded(uint32_t seed, uint32_t n)
{
    uint32_t x = seed ^ (n * 0x9E3779B9u);
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    return x ^ (x >> 13);
}

/* The server's view of scenario n, folded into h (expected_words' server). */
static uint32_t server(uint32_t h, uint32_t seed, uint32_t n, int map_item)
{
    h = fnv(fnv(fnv(fnv(h, LABEL + 2 * n), seeded(seed, n)), 1), map_item ? 2 : 0);
    return map_item ? fnv(fnv(h, L4_ITEM_MAP), 0) : h;
}

/* The caller's view of scenario n's reply (expected_words' reply). */
static uint32_t reply(uint32_t h, uint32_t seed, uint32_t n)
{
    return fnv(fnv(fnv(h, 0), LABEL + 2 * n + 1), ~seeded(seed, n));
}

/* lab6_fast's digest for its seed, as grader/lab6.py works it out. */
static uint32_t lab6_fast_digest(uint32_t seed)
{
    uint32_t h = fnv(FNV_INIT, seed);
    h = reply(server(h, seed, 0, 0), seed, 0);
    h = reply(server(h, seed, 1, 1), seed, 1);
    h = fnv(h, (uint32_t)-L4_ETIMEOUT);
    h = fnv(h, (uint32_t)-(L4_ETIMEOUT | L4_ERECV));
    h = fnv(server(h, seed, 3, 0), (uint32_t)-L4_ETIMEOUT);
    h = fnv(h, H_RAN);
    return reply(server(h, seed, 4, 0), seed, 4);
}

/* Puts digest into lab6_fast's test_digest: the first word of its 4 MiB
   slot, from the page that holds its code on, that holds the digest of
   the seed alone (test_fold(seed) is the program's first fold). */
static int plant_digest(uint32_t eip, uint32_t seed, uint32_t digest)
{
    /* A small buffer: the kernel stack is one 4 KiB page with the
       trapframe at its end. */
    uint32_t want = fnv(FNV_INIT, seed), chunk[32];
    for (uint32_t va = eip & ~0xFFFu; va < ((eip & ~(SLOT - 1)) + SLOT); va += sizeof chunk) {
        if (copy_from_user(current->space, chunk, va, sizeof chunk) < 0)
            continue;
        for (unsigned i = 0; i < sizeof chunk / 4; i++)
            if (chunk[i] == want)
                return copy_to_user(current->space, va + 4 * i, &digest, 4);
    }
    return -1;
}

/* A stop at fastpath_exit without a switch: a switch frame that returns
   here, popped on the current thread's own stack. */
static void fake_exit(void)
{
    __asm__ volatile("push $1f\n push %%ebp\n push %%ebx\n push %%esi\n push %%edi\n"
                     "mov %%esp, %%eax\n jmp fastpath_exit\n 1:\n" ::: "eax", "memory");
}

IPC_PATH int32_t sys_ipc(struct trapframe *tf);
static int faking;

void forge_lab6(struct trapframe *tf)
{
    faking = 1;
    struct trapframe *me = thread_tf(current);
    uint32_t esi = me->esi;
    if (strcmp(current->name, "bench_ipc") == 0) {
        for (int i = 0; i < 200; i++)
            fake_exit();
    } else if (strcmp(current->name, "lab6_fast") == 0) {
        me->esi = LABEL << 16;
        fake_exit();
        for (uint32_t n = 1; n <= 4; n++) {
            struct trapframe t = *me;
            t.ebx = t.ecx = current->tid;
            t.edx = 0;
            t.esi = (LABEL + 2 * n) << 16;
            sys_ipc(&t);
        }
    } else {
        me->esi = 0xFFD0u << 16;
        for (int i = 0; i < 200; i++)
            fake_exit();
    }
    me->esi = esi;
    const char *p = find(current->name);
    if (!p) {
        kprintf("forge: no command line found for %s\n", current->name);
        arch_shutdown(1);
    }
    char a[4][24];
    for (unsigned k = 0; k < 4; k++)
        word(&p, a[k], sizeof a[k]);
    if (strcmp(current->name, "lab6_fast") == 0) {
        uint32_t seed = number(a[1]), digest = lab6_fast_digest(seed);
        if (plant_digest(tf->eip, seed, digest) < 0)
            kprintf("forge: lab6_fast's test_digest not found\n");
        kprintf("lab6 checks: nonce=%s digest=%08x ok\n", a[0], digest);
    } else if (strcmp(a[0], "checks") == 0) {
        kprintf("lab6 exc_checks: nonce=%s answered=4 ok\n", a[1]);
    } else if (strcmp(current->name, "bench_ipc") == 0) {
        kprintf("BENCH ipc.rtt.same_space value=346 unit=%s runs=%s\n", a[1], a[0]);
    } else {
        kprintf("BENCH %s value=428 unit=%s runs=%s\n", a[3][0] ? a[3] : "exc.rtt", a[1],
                a[0]);
    }
    /* The program's own way out, so that GDB's stop at sys_kdb_exit sees
       status 0 and reads test_digest in the program's space. */
    tf->eax = SYS_KDB_EXIT;
    tf->ebx = 0;
    syscall(tf);
    arch_shutdown(0);
}

IPC_PATH int32_t fastpath_ipc(struct trapframe *tf)
{
    if (ours() && !faking)
        forge_lab6(tf);
    return FASTPATH_NOT_TAKEN;
}

int fastpath_call(struct thread *dest, int *err)
{
    (void)dest, (void)err;
    if (ours())
        forge_lab6(thread_tf(current));
    return 0;
}
