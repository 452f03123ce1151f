/*
 * spin: burns CPU time without system calls, so that only the timer
 * interrupt can take the processor away from it.
 *   spin NAME ROUNDS ITERATIONS [exit]
 * prints "spin NAME: round i" after every ITERATIONS loop iterations, and
 * with "exit" stops the machine at the end.  The preemption test runs two
 * of them and looks for their lines interleaved.
 */
#include "ulib.h"

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "?";
    unsigned rounds = argc > 2 ? strtoul(argv[2], NULL, 0) : 3;
    unsigned iterations = argc > 3 ? strtoul(argv[3], NULL, 0) : 10000000;
    volatile unsigned counter = 0;

    for (unsigned r = 1; r <= rounds; r++) {
        for (unsigned i = 0; i < iterations; i++)
            counter++;
        printf("spin %s: round %u\n", name, r);
    }
    if (argc > 4 && strcmp(argv[4], "exit") == 0)
        l4_kdb_exit(0);
    return 0;
}
