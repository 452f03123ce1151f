/*
 * fuzz SEED CALLS: makes CALLS system calls with random numbers and
 * random registers, then checks that the kernel still works.  The kernel
 * must answer every one with a result or an error, never crash: a system
 * test runs this with a fresh seed each time.
 *
 * Calls that would end the test on purpose (SYS_KDB_EXIT, SYS_THREAD_EXIT)
 * or stall it (SYS_SCHEDULE) are skipped; IPC timeouts are kept short so
 * that a random receive does not wait for ever.
 */
#include "ulib.h"

static uint32_t state;

static uint32_t rng(void)
{
    return xorshift32(&state);
}

/* A random register value: small numbers, user and kernel addresses,
   thread-ID-like values and all-ones are the interesting ones. */
static uint32_t random_arg(void)
{
    switch (rng() % 6) {
    case 0: return rng() % 16;
    case 1: return 0xC0000000u + (rng() & 0x0FFFFFFF);
    case 2: return l4_tid_make(rng() % 1100, rng() % 4);
    case 3: return 0xFFFFFFFFu;
    case 4: return l4_myself();
    default: return rng();
    }
}

int main(int argc, char **argv)
{
    state = argc > 1 ? strtoul(argv[1], NULL, 0) | 1 : 1;
    unsigned calls = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000;
    unsigned errors = 0;

    for (unsigned i = 0; i < calls; i++) {
        uint32_t nr = rng() % (SYS_COUNT + 3);
        if (nr == SYS_KDB_EXIT || nr == SYS_THREAD_EXIT)
            continue;
        /* A random priority could starve the fuzzer itself (a spinning
           thread it created above it, or itself at 0): not a kernel bug. */
        if (nr == SYS_SCHEDULE)
            continue;
        uint32_t a = random_arg(), b = random_arg(), c = random_arg(), d = random_arg();
        if (nr == SYS_IPC)
            c = l4_timeouts(rng() % 3, rng() % 3);     /* 0..2 ticks */
        if (nr == SYS_THREAD_CREATE && rng() % 8)
            continue;                                   /* a few: each reports a fault */
        if (nr == SYS_KDB_PUTS)
            b %= 64;                                    /* keep the console readable */
        if (l4_syscall4(nr, a, b, c, d) < 0)
            errors++;
    }
    printf("fuzz: %u calls, %u errors; the kernel is still here\n", calls, errors);
    l4_kdb_exit(0);
}
