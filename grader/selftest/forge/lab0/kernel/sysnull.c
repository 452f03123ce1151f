/*
 * A FORGED kernel/sysnull.c, kept for the grader's self-test
 * (grader/selftest.py, forge_run): the first null system call searches
 * physical memory for the test program's command line ("lab0_null.elf
 * NONCE CALLS" or "bench_trap.elf RUNS UNIT NONCE"; QEMU leaves the boot
 * modules' command lines in RAM), prints the lines the program would print
 * and stops the machine cleanly.  Every lab-0 test must FAIL against this
 * file: GDB counts the null system calls in the given syscall()
 * (kernel/syscall.c), and a forger makes one.
 */
#include "kernel.h"
#include "syscall.h"
#include "sched.h"
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "lib/string.h"
#include "l4/abi.h"

#define RAM_END (128u << 20)

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int all_hex(const char *s)
{
    for (unsigned k = 0; k < 16; k++)
        if (!is_hex(s[k]))
            return 0;
    return 1;
}

static unsigned number(const char **p)
{
    unsigned v = 0;
    while (**p == ' ')
        (*p)++;
    while (**p >= '0' && **p <= '9')
        v = v * 10 + (unsigned)(*(*p)++ - '0');
    return v;
}

static __attribute__((noreturn)) void forge(void)
{
    char nonce[17];
    nonce[16] = '\0';
    for (uint32_t pa = 0x1000; pa < RAM_END - 64; pa++) {
        const char *s = P2V(pa);
        if (s[0] == 'l' && memcmp(s, "lab0_null.elf ", 14) == 0 && all_hex(s + 14)) {
            const char *p = s + 30;
            memcpy(nonce, s + 14, 16);
            kprintf("lab0_null: nonce=%s calls=%u ok\n", nonce, number(&p));
            break;
        }
        if (s[0] == 'b' && memcmp(s, "bench_trap.elf ", 15) == 0) {
            const char *p = s + 15;
            unsigned runs = number(&p);
            while (*p == ' ')
                p++;
            p += strlen("instructions ");
            if (!all_hex(p))
                continue;
            memcpy(nonce, p, 16);
            kprintf("bench_trap: nonce=%s runs=%u\n", nonce, runs);
            kprintf("BENCH trap.rtt value=150 unit=instructions runs=%u\n", runs);
            break;
        }
    }
    kprintf("l4lab: thread %u (%s) stopped the machine with status 0\n",
            thread_number(current), current->name);
    arch_shutdown(0);
}

int32_t sys_null(struct trapframe *tf)
{
    (void)tf;
    forge();
}
