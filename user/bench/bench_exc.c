/*
 * bench_exc RUNS UNIT NONCE: measures exc.rtt, an exception reflected to a
 * user-level exception handler and back (Lab 4).
 *
 * The main thread makes a second thread of its task its exception handler
 * (l4_set_handler) and runs a ud2 RUNS times, each bracketed by rdtsc.
 * Each ud2 is one round trip: the kernel's exception message to the
 * handler (every register), the handler's reply with eip moved past the
 * ud2 (every register back), and the return to the thread.  This is the
 * path a Linux system call takes in L4Linux when the binary is not changed
 * (the paper's "trampoline"): Lab 5's server answers `int $0x80` this way.
 * The figure is the mean of the RUNS samples less an empty measurement:
 * instructions under -icount shift=0, the same on every run.  Set it
 * beside trap.rtt (Lab 0) and ipc.rtt.same_space (Lab 1): an exception
 * costs about one IPC round trip with a longer message.
 *
 * The handler counts what it answered; main checks that count, RUNS.
 *
 * Output: BENCH exc.rtt value=<n> unit=<UNIT> runs=<RUNS>
 */
#include "ulib.h"

static char handler_stack[4096] __attribute__((aligned(16)));
static volatile unsigned answered;

/* Resumes every exception 2 bytes further on (past a ud2), with the
   registers the message carried. */
static void handler(void)
{
    l4_tid_t from;
    if (l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from) != 0)
        return;
    for (;;) {
        /* printf and l4_kdb_exit, not ulib's test_fail: this check is on the
           measured path, where a call to test_fail compiles to other
           instructions and moves exc.rtt and the trace the handout quotes. */
        if (l4_tag_label(l4_mr(0)) != L4_LABEL_EXCEPTION || l4_mr(L4_EXC_VECTOR) != 6) {
            printf("bench_exc: the handler received tag %x, vector %u; expected an exception "
                   "message for an invalid opcode (6)\n", l4_mr(0), l4_mr(L4_EXC_VECTOR));
            l4_kdb_exit(1);
        }
        answered++;
        l4_set_mr(0, l4_tag_make(0, L4_EXC_WORDS, 0));
        l4_set_mr(L4_EXC_EIP, l4_mr(L4_EXC_EIP) + 2);
        if (l4_reply_wait(from, &from) != 0)
            return;
    }
}

int main(int argc, char **argv)
{
    unsigned runs = argc > 1 ? strtoul(argv[1], NULL, 0) : 200;
    const char *unit = argc > 2 ? argv[2] : "cycles";
    const char *nonce = argc > 3 ? argv[3] : "-";
    if (runs == 0)
        runs = 1;

    printf("bench_exc: nonce=%s runs=%u\n", nonce, runs);
    int32_t h = thread_spawn(handler, handler_stack, sizeof handler_stack);
    int32_t r = h < 0 ? h : l4_set_handler(l4_myself(), (l4_tid_t)h);
    if (r < 0) {
        printf("bench_exc: cannot start the handler thread or make it ours: %d\n", r);
        l4_kdb_exit(1);
    }

    uint64_t t0 = rdtsc(), t1 = rdtsc();
    uint64_t overhead = t1 - t0, sum = 0;
    for (unsigned i = 0; i < runs; i++) {
        t0 = rdtsc();
        __asm__ volatile("ud2" ::: "memory");
        t1 = rdtsc();
        sum += t1 - t0;
    }
    if (answered != runs) {
        printf("bench_exc: the handler answered %u exceptions, expected %u\n", answered, runs);
        l4_kdb_exit(1);
    }
    printf("BENCH exc.rtt value=%u unit=%s runs=%u\n", (uint32_t)(sum / runs - overhead),
           unit, runs);
    l4_kdb_exit(0);
}
