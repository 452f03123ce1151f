/*
 * bench_irq RUNS UNIT NONCE: measures irq.user_latency, the time from the
 * kernel's entry for an interrupt to the first instructions of the
 * user-level handler after its receive returns (Lab 4):
 *     make qemu RUN="bench_irq 64 instructions x" ICOUNT=1
 *
 * The RTC (line 8) interrupts periodically.  A handler thread waits in a
 * receive from l4_irq_tid(8), which also acknowledges the interrupt
 * before; when the receive returns, it reads the time-stamp counter and
 * subtracts MR1, the counter's value that the kernel took when the
 * interrupt arrived.  In between: the end of the kernel's trap path, the
 * message written into the handler, the handler woken, the switch to it
 * (here from the idle thread, since nothing else runs) and the return to
 * user mode.  The first interrupt is not counted (it finds caches and
 * page tables cold); the figure is the mean of the next RUNS samples:
 * instructions under -icount shift=0, the same on every run.  Compare it
 * with trap.rtt (Lab 0) and half of ipc.rtt.same_space (Lab 1): an
 * interrupt is a kernel entry, a one-way message and a return.
 *
 * Output: BENCH irq.user_latency value=<n> unit=<UNIT> runs=<RUNS>
 */
#include "ulib.h"
#include "io.h"

#define MAX_RUNS 4096
#define RATE 7                  /* 512 Hz: well apart, so no interrupt waits for the last */

int main(int argc, char **argv)
{
    test_begin("bench_irq", NULL);
    if (argc < 4)
        test_fail("usage: bench_irq RUNS instructions|cycles NONCE");
    unsigned runs = (unsigned)strtoul(argv[1], NULL, 0);
    if (runs < 1 || runs > MAX_RUNS)
        test_fail("RUNS must be 1..%d, not %s", MAX_RUNS, argv[1]);
    int32_t r;
    if ((r = l4_io_access()) != 0)
        test_fail("l4_io_access returned %d: boot bench_irq as a module of its own", r);
    rtc_periodic_stop();
    if ((r = l4_irq_control(RTC_IRQ, 1)) != 0)
        test_fail("attaching to line 8 (the RTC) returned %d", r);
    l4_tid_t id = l4_irq_tid(RTC_IRQ), from;
    uint64_t sum = 0;
    rtc_periodic_start(RATE);
    for (unsigned i = 0; i <= runs; i++) {
        r = l4_receive(id, 100, &from);
        uint32_t now = (uint32_t)rdtsc();
        if (r != 0 || from != id || l4_tag_label(l4_mr(0)) != L4_LABEL_IRQ)
            test_fail("interrupt %u: the receive returned %d, tag %x from %x (expected 0, label "
                      "%x from %x): is kernel/irq.c complete?", i, r, l4_mr(0), from,
                      L4_LABEL_IRQ, id);
        if (i > 0)
            sum += now - l4_mr(1);
        rtc_read(RTC_C);            /* re-arms the RTC */
    }
    rtc_periodic_stop();
    l4_irq_control(RTC_IRQ, 0);
    printf("bench_irq: nonce=%s\n", argv[3]);
    printf("BENCH irq.user_latency value=%u unit=%s runs=%u\n", (unsigned)(sum / runs), argv[2],
           runs);
    return 0;
}
