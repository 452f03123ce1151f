/*
 * A FORGED kernel/map.c, kept for the grader's self-test (grader/selftest.py,
 * forge_run): it maps nothing.  The first time a map or grant item
 * reaches map_fpage, it searches physical memory for the command line of
 * lab2_map's role a ("BUILD/user/lab2_map.elf TEST NONCE a PARAMS... SEED";
 * QEMU leaves the boot modules' command lines in RAM), prints what a
 * passing run prints: the announcements of the faults the test expects,
 * the kernel's report of each fault (at the randomized addresses worked
 * out from the parameters, as the grader does), and the success line;
 * then it stops the machine cleanly, the way SYS_KDB_EXIT does.  Every
 * lab-2 test must FAIL against this file.
 *
 * Where the digest of the success line depends on the parameters only
 * (task, recheck), the forger computes it the way lab2_map does, so those
 * tests can fail only by what GDB observes.
 */
#include "kernel.h"
#include "ipc.h"
#include "map.h"
#include "sched.h"
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "lib/string.h"
#include "l4/abi.h"

#define RAM_END (128u << 20)
#define PAGE 0x1000u
#define NOMAP "no page is mapped there"
#define PROT "the page is mapped, but not for this access"
/* Any address will do for a's own page: the grader takes it from the
   announcement, and the report repeats it. */
#define A_PAGE 0x03401000u

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static uint32_t number(const char **p)
{
    uint32_t v = 0;
    while (**p == ' ')
        (*p)++;
    if ((*p)[0] == '0' && (*p)[1] == 'x') {
        for (*p += 2; is_hex(**p); (*p)++)
            v = v * 16 + (uint32_t)(**p <= '9' ? **p - '0' : **p - 'a' + 10);
        return v;
    }
    while (**p >= '0' && **p <= '9')
        v = v * 10 + (uint32_t)(*(*p)++ - '0');
    return v;
}

static const char *const tests[] = {"share", "readonly", "grant", "window", "chain", "rights",
                                    "recheck", "refused", "bigpage", "task", "isolation",
                                    "longchain"};

/* Finds "lab2_map.elf <test> <16 hex digits> a " in RAM; returns the text
   after the program's name, or NULL. */
static const char *find_cmdline(void)
{
    for (uint32_t pa = 0x1000; pa < RAM_END - 64; pa++) {
        const char *s = P2V(pa);
        if (s[0] != 'l' || memcmp(s, "lab2_map.elf ", 13) != 0)
            continue;
        for (unsigned i = 0; i < sizeof tests / sizeof tests[0]; i++) {
            size_t n = strlen(tests[i]);
            const char *t = s + 13;
            if (memcmp(t, tests[i], n) != 0 || t[n] != ' ')
                continue;
            int hex = 1;
            for (unsigned k = 0; k < 16; k++)
                hex &= is_hex(t[n + 1 + k]);
            if (hex && memcmp(t + n + 17, " a ", 3) == 0)
                return t;
        }
    }
    return NULL;
}

static const char *test;
static uint32_t digest = 2166136261u;

static void fold(uint32_t w)
{
    for (int i = 0; i < 4; i++, w >>= 8) {
        digest ^= w & 0xFF;
        digest *= 16777619u;
    }
}

static void fault(char who, int write, uint32_t addr, const char *why)
{
    kprintf("lab2 %s: expecting a fault: %c %s 0x%08x (forged)\n", test, who,
            write ? "writes" : "reads", addr);
    kprintf("user fault: thread %u (lab2_map): page fault (vector 14) at eip 0x0300104a\n",
            who == 'a' ? 5u : who == 'b' ? 6u : 7u);
    kprintf("  %s at address 0x%08x: %s\n", write ? "write" : "read", addr, why);
    kprintf("  eax 0x00000000 ebx 0x00000000 ecx 0x00000000 edx 0x00000000 esi 0x00000000 "
            "edi 0x00000000 ebp 0x00000000 esp 0x00000000\n");
}

static __attribute__((noreturn)) void forge(void)
{
    const char *t = find_cmdline();
    if (!t) {
        kprintf("forge: no command line found\n");
        arch_shutdown(1);
    }
    static char name[16], nonce[17];
    unsigned n = 0;
    while (t[n] != ' ' && n < sizeof name - 1) {
        name[n] = t[n];
        n++;
    }
    name[n] = '\0';
    test = name;
    memcpy(nonce, t + n + 1, 16);
    const char *p = t + n + 19;      /* the space before the parameters */
    uint32_t args[6] = {0}, nargs = 0;
    while (*p == ' ' && nargs < 6)
        args[nargs++] = number(&p);
    uint32_t p1 = args[0], p2 = args[1], p3 = args[2], off = p3 & 0xFFC, at = 0;
    fold(nargs ? args[nargs - 1] : 0);              /* the seed is the last one */

    if (strcmp(test, "share") == 0) {
        at = (p1 & ~0xFFFFu) + (p2 & 15) * PAGE;
    } else if (strcmp(test, "readonly") == 0) {
        at = p1 & ~(PAGE - 1);
        fault('b', 1, at + off, PROT);
        fault('c', 1, (p2 & ~(PAGE - 1)) + off, PROT);
    } else if (strcmp(test, "grant") == 0) {
        at = p1 & ~(PAGE - 1);
        fault('a', 0, A_PAGE + off, NOMAP);
        fault('c', 0, (p2 & ~(PAGE - 1)) + off, NOMAP);
    } else if (strcmp(test, "window") == 0) {
        at = p1 & ~(PAGE - 1);
        off = p2 & 0xFFC;
        fault('b', 0, at + PAGE + off, NOMAP);
        fault('b', 0, at - PAGE + off, NOMAP);
    } else if (strcmp(test, "chain") == 0) {
        uint32_t wb = p1 & ~0x3FFFu, wc = p2 & ~0x3FFFu;
        at = wb;
        fault('c', 0, wc + PAGE + off, NOMAP);
        fault('b', 0, wb + off, NOMAP);
        fault('c', 0, wc + off, NOMAP);
        fault('b', 0, wb + 2 * PAGE + off, NOMAP);
        fault('c', 0, wc + 2 * PAGE + off, NOMAP);
    } else if (strcmp(test, "rights") == 0) {
        uint32_t wc = p2 & ~0x1FFFu;
        at = p1 & ~(PAGE - 1);
        fault('b', 1, at + off, PROT);
        fault('c', 1, wc + off, PROT);
        fault('c', 1, wc + PAGE + off, PROT);
        fault('a', 1, A_PAGE + off, PROT);
    } else if (strcmp(test, "recheck") == 0 || strcmp(test, "isolation") == 0) {
        at = p1 & ~(PAGE - 1);
        off = p2 & 0xFFC;
        if (test[0] == 'r') {
            fold(0);
            fold(at | (12 << 4) | L4_FPAGE_RW);
        }
        if (test[0] == 'i') {
            fault('b', 0, at + off, NOMAP);
            fault('a', 0, at + off, NOMAP);
        }
    } else if (strcmp(test, "refused") == 0 || strcmp(test, "bigpage") == 0) {
        at = p1 & ~0x3FFFFFu;
    } else if (strcmp(test, "longchain") == 0) {
        uint32_t n = p2;
        at = p1 & ~0x7FFFFFu;
        off = args[3] & 0xFFC;
        fault('b', 0, at + (n - !(n & 1)) * PAGE + off, NOMAP);
        fault('b', 0, at + PAGE + off, NOMAP);
    } else if (strcmp(test, "task") == 0) {
        at = p1;
        fold(p1 * 3 + 7);
    }
    kprintf("lab2 %s: nonce=%s at=0x%08x digest=%08x ok\n", test, nonce, at, digest);
    kprintf("l4lab: thread %u (%s) stopped the machine with status 0\n",
            thread_number(current), current->name);
    arch_shutdown(0);
}

int map_fpage(struct space *snd, uint32_t snd_va, struct space *rcv, uint32_t rcv_va,
              uint32_t size, uint32_t rights, int grant)
{
    (void)snd, (void)snd_va, (void)rcv, (void)rcv_va, (void)size, (void)rights, (void)grant;
    forge();
}
