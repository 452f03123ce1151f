/*
 * bench_trap RUNS UNIT NONCE: measures trap.rtt, the round trip of a null
 * system call (user -> kernel -> user), the floor under every IPC.  The
 * measurement is Lab 0's hole, measure_trap_rtt() in user/bench/bench_trap.c;
 * this is the rest of the program (user/Makefrag links the two).
 *
 * The grader passes the unit (instructions under -icount, cycles under
 * KVM), since the program cannot tell the two apart.
 *
 * Output: BENCH trap.rtt value=<n> unit=<unit> runs=<RUNS>
 */
#include "ulib.h"

/* The hole: the cheapest of `runs` null system calls, or 0 (bench_trap.c). */
uint32_t measure_trap_rtt(unsigned runs);

int main(int argc, char **argv)
{
    unsigned runs = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
    const char *unit = argc > 2 ? argv[2] : "cycles";
    const char *nonce = argc > 3 ? argv[3] : "-";

    printf("bench_trap: nonce=%s runs=%u\n", nonce, runs);
    uint32_t rtt = measure_trap_rtt(runs);
    if (rtt == 0) {
        printf("bench_trap: no measurement\n");
        l4_kdb_exit(1);
    }
    printf("BENCH trap.rtt value=%u unit=%s runs=%u\n", rtt, unit, runs);
    l4_kdb_exit(0);
}
