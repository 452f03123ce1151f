/*
 * lxbench NAME RUNS UNIT [PREFIX]: Lab 5's measurements, an ordinary static i386
 * Linux program that times itself with rdtsc (under QEMU -icount shift=0
 * rdtsc counts guest instructions, so every figure is the same on every
 * run).  Every system call is a raw `int $0x80`, the entry an unmodified
 * binary uses on the server and on native Linux alike (no vDSO, no
 * sysenter), so that the same binary measures both (issue 15).
 *
 *   getpid      one getpid: the server's whole round trip for a call that
 *               does nothing (exception IPC in, dispatch, resume reply out)
 *   write_null  write(fd, buf, 1) to /dev/null: a call with an argument
 *               the server reads from the process's memory
 *   pipe_rtt    one byte to a child through a pipe and back through
 *               another: two processes, four calls, two of which wait
 *   fork_wait   fork, the child's _exit(0), the parent's wait4
 *   fault       the first touch of a fresh anonymous page (a page fault
 *               to the server, a zeroed page mapped back)
 *
 * Each figure is the mean of RUNS samples less the cost of an empty
 * sample (two rdtsc); it prints
 *   BENCH lx.[PREFIX]NAME value=<n> unit=<UNIT> runs=<RUNS>
 * (PREFIX, e.g. "fast.", names the same measurement on another lab's
 * kernel: figures are one per name, and Lab 6 measures lx.fast.getpid)
 * and exits 0, or says what went wrong and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NR_exit     1
#define NR_fork     2
#define NR_read     3
#define NR_write    4
#define NR_open     5
#define NR_close    6
#define NR_getpid   20
#define NR_pipe     42
#define NR_wait4    114
#define NR_mmap2    192

static long sys3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
    long r;
    /* ebp is the sixth argument: saved and restored around the call. */
    __asm__ volatile("push %%ebp\n\tmov %7, %%ebp\n\tint $0x80\n\tpop %%ebp"
                     : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e), "m"(f)
                     : "memory");
    return r;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void fail(const char *what, long r)
{
    printf("lxbench: %s failed (%ld)\n", what, r);
    exit(1);
}

/* The cost of an empty sample, taken the way the samples are. */
static uint64_t overhead(unsigned runs)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < runs; i++) {
        uint64_t t0 = rdtsc();
        __asm__ volatile("" ::: "memory");
        sum += rdtsc() - t0;
    }
    return sum / runs;
}

static uint64_t bench_getpid(unsigned runs)
{
    uint64_t sum = 0;
    long pid = sys3(NR_getpid, 0, 0, 0);
    for (unsigned i = 0; i < runs; i++) {
        uint64_t t0 = rdtsc();
        long r = sys3(NR_getpid, 0, 0, 0);
        sum += rdtsc() - t0;
        if (r != pid)
            fail("getpid", r);
    }
    return sum;
}

static uint64_t bench_write_null(unsigned runs)
{
    long fd = sys3(NR_open, (long)"/dev/null", 1 /* O_WRONLY */, 0);
    if (fd < 0)
        fail("open /dev/null", fd);
    uint64_t sum = 0;
    char c = 'x';
    for (unsigned i = 0; i < runs; i++) {
        uint64_t t0 = rdtsc();
        long r = sys3(NR_write, fd, (long)&c, 1);
        sum += rdtsc() - t0;
        if (r != 1)
            fail("write to /dev/null", r);
    }
    sys3(NR_close, fd, 0, 0);
    return sum;
}

static uint64_t bench_pipe_rtt(unsigned runs)
{
    int there[2], back[2];
    long r = sys3(NR_pipe, (long)there, 0, 0);
    if (r == 0)
        r = sys3(NR_pipe, (long)back, 0, 0);
    if (r < 0)
        fail("pipe", r);
    long pid = sys3(NR_fork, 0, 0, 0);
    if (pid < 0)
        fail("fork", pid);
    char c = 0;
    if (pid == 0) {                 /* the echo: read a byte, send it back, until EOF */
        sys3(NR_close, there[1], 0, 0);     /* else its own write end keeps the EOF away */
        sys3(NR_close, back[0], 0, 0);
        while (sys3(NR_read, there[0], (long)&c, 1) == 1)
            sys3(NR_write, back[1], (long)&c, 1);
        sys3(NR_exit, 0, 0, 0);
    }
    sys3(NR_close, there[0], 0, 0);
    sys3(NR_close, back[1], 0, 0);
    uint64_t sum = 0;
    for (unsigned i = 0; i < runs; i++) {
        char out = (char)i, in = 0;
        uint64_t t0 = rdtsc();
        long w = sys3(NR_write, there[1], (long)&out, 1);
        long rd = sys3(NR_read, back[0], (long)&in, 1);
        sum += rdtsc() - t0;
        if (w != 1 || rd != 1 || in != out)
            fail("the pipe round trip", w != 1 ? w : rd);
    }
    sys3(NR_close, there[1], 0, 0);
    int status;
    sys6(NR_wait4, pid, (long)&status, 0, 0, 0, 0);
    return sum;
}

static uint64_t bench_fork_wait(unsigned runs)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < runs; i++) {
        int status = -1;
        uint64_t t0 = rdtsc();
        long pid = sys3(NR_fork, 0, 0, 0);
        if (pid == 0)
            sys3(NR_exit, 0, 0, 0);
        long w = sys6(NR_wait4, pid, (long)&status, 0, 0, 0, 0);
        sum += rdtsc() - t0;
        if (pid < 0 || w != pid || status != 0)
            fail("fork and wait4", pid < 0 ? pid : w);
    }
    return sum;
}

static uint64_t bench_fault(unsigned runs)
{
    long a = sys6(NR_mmap2, 0, (long)runs * 4096, 3 /* PROT_READ|WRITE */,
                  0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
    if (a < 0 && a > -4096)
        fail("mmap2", a);
    volatile char *p = (volatile char *)a;
    uint64_t sum = 0;
    for (unsigned i = 0; i < runs; i++) {
        uint64_t t0 = rdtsc();
        p[i * 4096] = 1;
        sum += rdtsc() - t0;
    }
    return sum;
}

static const struct {
    const char *name;
    uint64_t (*run)(unsigned runs);
} benches[] = {
    {"getpid", bench_getpid}, {"write_null", bench_write_null}, {"pipe_rtt", bench_pipe_rtt},
    {"fork_wait", bench_fork_wait}, {"fault", bench_fault},
};

int main(int argc, char **argv)
{
    if (argc < 4) {
        printf("usage: lxbench getpid|write_null|pipe_rtt|fork_wait|fault RUNS UNIT [PREFIX]\n");
        return 1;
    }
    unsigned runs = (unsigned)atoi(argv[2]);
    if (runs == 0 || runs > 4096) {
        printf("lxbench: RUNS must be 1..4096\n");
        return 1;
    }
    for (unsigned i = 0; i < sizeof benches / sizeof benches[0]; i++)
        if (strcmp(argv[1], benches[i].name) == 0) {
            uint64_t sum = benches[i].run(runs), empty = overhead(runs);
            printf("BENCH lx.%s%s value=%u unit=%s runs=%u\n", argc > 4 ? argv[4] : "",
                   benches[i].name, (unsigned)(sum / runs - empty), argv[3], runs);
            return 0;
        }
    printf("lxbench: no benchmark '%s'\n", argv[1]);
    return 1;
}
