/*
 * lab4_irq TEST NONCE [PARAMS...]: the graded tests of Lab 4's interrupt
 * IPC (kernel/irq.c).  Each test ends with "lab4 TEST: nonce=NONCE ...
 * digest=DIGEST ok" (test_digest) and a clean stop, or a line saying what went wrong and status 1.
 *
 *   serial            boot after serial_drv (module 0): reads what the
 *                     grader types on COM1, through the driver, up to a
 *                     '.', and prints it ("part 1 received=TEXT"), then
 *                     the same again (part 2)
 *   busy ROUNDS RATE  the RTC (line 8) interrupts RATE-periodically
 *                     (32768 >> (RATE - 1) Hz); the handler takes ROUNDS
 *                     interrupts and checks each against the RTC's own
 *                     register C: no second delivery before it
 *                     acknowledges (the line is masked), and an interrupt
 *                     that comes while it is busy, not receiving, is
 *                     delivered later (pending), once
 *   control LINE      who may attach to which line: -L4_EINVAL for lines
 *                     0, 2 and 16, -L4_EBUSY for a line another thread
 *                     has, -L4_EPERM for a task that is not a root task
 *                     (and for its I/O access), receiving from a line's ID
 *                     only for its handler; a detached line delivers
 *                     nothing; a handler that ends frees its line
 */
#include "ulib.h"
#include "io.h"
#include "serial.h"

#define PAGE 4096u
#define WAIT 100                /* ticks to wait for an interrupt that must come */
#define QUIET 4                 /* ticks in which one that must not come does not */

static const char *test_name, *nonce;
static char stacks[3][4096] __attribute__((aligned(16)));

/* The digest (test_fold, test_digest in ulib.h) folds the test's first
   parameter (0 for serial), then each result it checked, the number of
   each interrupt it took and each byte it read; the grader works out the
   same value (grader/lab4_irq.py). */

static void expect_result(const char *what, int32_t got, int32_t want)
{
    if (got != want)
        test_fail("%s returned %d, expected %d", what, got, want);
    test_fold((uint32_t)got);
}

/* --- serial --- */

/* Reads from serial_drv up to and including a '.', and returns the text
   without it. */
static const char *read_part(unsigned part)
{
    static char text[256];
    unsigned len = 0;
    l4_tid_t driver = l4_boot_tid(0);

    while (len < sizeof text - 1) {
        l4_set_mr(0, l4_tag_make(SERIAL_READ, 1, 0));
        l4_set_mr(1, SERIAL_MAX_BYTES);
        /* The grader types at once: five seconds without a byte mean
           that the driver's interrupts do not reach it. */
        int32_t r = l4_ipc(driver, driver, l4_timeouts(500, 500), NULL);
        if (r == -L4_ETIMEOUT)
            test_fail("part %u: serial_drv did not take the request within 5 s: is it "
                      "stuck?", part);
        if (r == -(L4_ETIMEOUT | L4_ERECV))
            test_fail("part %u: serial_drv did not answer within 5 s, with %u bytes of it read so "
                      "far: do its interrupts reach it (kernel/irq.c)?", part, len);
        if (r != 0)
            test_fail("the call to serial_drv (thread %x) returned %d: is it boot module "
                      "0?", driver, r);
        unsigned n = l4_mr(1);
        if (n == 0 || n > SERIAL_MAX_BYTES || l4_tag_untyped(l4_mr(0)) != 1 + (n + 3) / 4)
            test_fail("serial_drv answered %u bytes in a message of %u words", n,
                      l4_tag_untyped(l4_mr(0)));
        for (unsigned i = 0; i < n && len < sizeof text - 1; i++)
            text[len++] = serial_reply_byte(i);
        if (text[len - 1] == '.')
            break;
    }
    text[len - 1] = 0;          /* the '.' */
    for (unsigned i = 0; i + 1 < len; i++)
        test_fold((uint8_t)text[i]);
    return text;
}

/* The grader types the second part only once the first has arrived, so
   it comes while the driver waits: a later interrupt, delivered to a
   blocked handler, after the acknowledgement of the earlier ones. */
static void test_serial(void)
{
    printf("lab4 serial: nonce=%s part 1 received=%s\n", nonce, read_part(1));
    printf("lab4 serial: nonce=%s part 2 received=%s\n", nonce, read_part(2));
    printf("lab4 serial: nonce=%s digest=%08x ok\n", nonce, test_digest);
}

/* --- busy --- */

static l4_tid_t rtc_id;

/* Checks that the last receive brought the RTC's interrupt message and
   that the RTC did interrupt: register C, read once per interrupt. */
static void took_interrupt(int32_t err, l4_tid_t from, unsigned n, const char *how)
{
    if (err != 0)
        test_fail("interrupt %u (%s): the receive returned %d, expected 0 (%s)", n, how, err,
                  err == -(L4_ETIMEOUT | L4_ERECV) ? "the interrupt was lost" : "an IPC error");
    if (from != rtc_id || l4_tag_label(l4_mr(0)) != L4_LABEL_IRQ || l4_tag_untyped(l4_mr(0)) != 1)
        test_fail("interrupt %u (%s): got tag %x from %x, expected label %x, 1 word, from "
                  "l4_irq_tid(8) = %x", n, how, l4_mr(0), from, L4_LABEL_IRQ, rtc_id);
    uint32_t age = (uint32_t)rdtsc() - l4_mr(1);
    if (age > 0x80000000u)
        test_fail("interrupt %u: MR1 = %x is later than now: it should be the time stamp of the "
                  "kernel's entry", n, l4_mr(1));
    uint8_t c = rtc_read(RTC_C);
    if (!(c & RTC_C_PF))
        test_fail("interrupt %u (%s) was delivered, but the RTC had not interrupted (register C "
                  "= %x): an interrupt delivered twice?", n, how, c);
    test_fold(n);
}

/* No message may come now: the line is masked until we acknowledge. */
static void nothing_before_ack(unsigned n)
{
    l4_tid_t from;
    int32_t err = l4_receive(L4_ANYTHREAD, QUIET, &from);
    if (err == 0)
        test_fail("after interrupt %u, a message (tag %x from %x) came before the handler "
                  "acknowledged it: the line must stay masked until a receive from exactly "
                  "l4_irq_tid(8)", n, l4_mr(0), from);
    expect_result("a receive from any thread while unacknowledged", err,
                  -(L4_ETIMEOUT | L4_ERECV));
}

static void test_busy(unsigned rounds, unsigned rate)
{
    l4_tid_t from;
    int32_t err;
    volatile unsigned spin = 0;

    rtc_id = l4_irq_tid(RTC_IRQ);
    expect_result("l4_io_access()", l4_io_access(), 0);
    rtc_periodic_stop();
    expect_result("attaching to line 8", l4_irq_control(RTC_IRQ, 1), 0);
    rtc_periodic_start(rate);
    err = l4_receive(rtc_id, WAIT, &from);
    took_interrupt(err, from, 1, "the first");
    for (unsigned n = 2; n <= rounds; n++) {
        nothing_before_ack(n - 1);
        if (n % 2) {
            /* Acknowledge and wait: the interrupt the PIC kept while the
               line was masked comes at once. */
            err = l4_receive(rtc_id, WAIT, &from);
            took_interrupt(err, from, n, "acknowledged and waited for");
            continue;
        }
        /* Acknowledge without waiting, then be busy: the interrupt comes
           while the handler does not receive, and must be kept pending. */
        err = l4_receive(rtc_id, L4_TIMEOUT_ZERO, &from);
        if (err == 0)
            test_fail("acknowledging with a zero timeout brought interrupt %u at once: it came "
                      "after the acknowledgement, so it must not have been pending yet", n);
        expect_result("acknowledging with a zero timeout", err, -(L4_ETIMEOUT | L4_ERECV));
        for (unsigned i = 0; i < 200000; i++)
            spin++;
        /* Taken by a receive from the line's ID (every other time), it is
           still not acknowledged: the line must stay masked. */
        err = l4_receive(n % 4 ? rtc_id : L4_ANYTHREAD, WAIT, &from);
        took_interrupt(err, from, n, n % 4 ? "pending, taken by a receive from the line's ID"
                                           : "pending, taken by a receive from any thread");
    }
    nothing_before_ack(rounds);
    rtc_periodic_stop();
    expect_result("detaching from line 8", l4_irq_control(RTC_IRQ, 0), 0);
    printf("lab4 busy: nonce=%s rounds=%u digest=%08x ok\n", nonce, rounds, test_digest);
}

/* --- control --- */

static volatile int32_t helper_result[4];
static l4_tid_t parent;

/* A second thread of this root task: tries to take the driver's line and
   to receive from its ID, then attaches to the RTC's line and ends. */
static void rival(void)
{
    helper_result[0] = l4_irq_control(helper_result[3], 1);
    helper_result[1] = l4_irq_control(helper_result[3], 0);
    helper_result[2] = l4_receive(l4_irq_tid(helper_result[3]), L4_TIMEOUT_ZERO, NULL);
    if (l4_irq_control(RTC_IRQ, 1) != 0)
        printf("lab4 control: the rival thread could not attach to line 8\n");
    l4_set_mr(0, 0);
    l4_send(parent, L4_TIMEOUT_NEVER);
}

/* The first thread of a task that is not a root task: may neither attach
   nor get I/O access.  It reports both results to its creator. */
static void outsider(void)
{
    int32_t a = l4_irq_control(RTC_IRQ, 1), b = l4_io_access();
    l4_set_mr(0, l4_tag_make(0, 2, 0));
    l4_set_mr(1, (uint32_t)a);
    l4_set_mr(2, (uint32_t)b);
    l4_send(parent, L4_TIMEOUT_NEVER);
    l4_thread_exit(0);
}

/* Starts outsider() in a new task, with this program's 4 MiB mapped into
   it at the same place (code, data and its stack). */
static void check_outsider(void)
{
    uint32_t base = (uint32_t)outsider & ~0x3FFFFFu;
    int32_t t = l4_task_create(outsider, stacks[2] + sizeof stacks[2]);
    if (t < 0)
        test_fail("l4_task_create returned %d", t);
    l4_set_mr(0, l4_tag_make(0, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, base));
    l4_set_mr(2, l4_fpage(base, 22, L4_FPAGE_RWX));
    expect_result("the map message to the new task", l4_send((l4_tid_t)t, L4_TIMEOUT_NEVER), 0);
    expect_result("waiting for the new task's answer", l4_receive((l4_tid_t)t, WAIT, NULL), 0);
    expect_result("l4_irq_control(8, 1) in a task that is not a root task", (int32_t)l4_mr(1),
                  -L4_EPERM);
    expect_result("l4_io_access() in a task that is not a root task", (int32_t)l4_mr(2),
                  -L4_EPERM);
}

static void test_control(unsigned line)
{
    l4_tid_t from;
    int32_t err;
    char what[96];

    parent = l4_myself();
    expect_result("l4_io_access()", l4_io_access(), 0);
    expect_result("l4_irq_control(0, 1) (the timer)", l4_irq_control(0, 1), -L4_EINVAL);
    expect_result("l4_irq_control(2, 1) (the cascade)", l4_irq_control(2, 1), -L4_EINVAL);
    expect_result("l4_irq_control(16, 1)", l4_irq_control(16, 1), -L4_EINVAL);
    expect_result("a receive from l4_irq_tid(LINE) before attaching",
                  l4_receive(l4_irq_tid(line), L4_TIMEOUT_ZERO, NULL), -(L4_ENOPARTNER | L4_ERECV));
    fmt_snprintf(what, sizeof what, "attaching to line %u", line);
    expect_result(what, l4_irq_control(line, 1), 0);
    expect_result("attaching again to the same line", l4_irq_control(line, 1), 0);
    expect_result("a receive from l4_irq_tid(LINE) by its handler (zero timeout, nothing came)",
                  l4_receive(l4_irq_tid(line), L4_TIMEOUT_ZERO, NULL), -(L4_ETIMEOUT | L4_ERECV));

    /* Another thread: the line is taken, and its ID is not the rival's to
       receive from; then the rival takes line 8 and ends. */
    rtc_periodic_stop();
    helper_result[3] = (int32_t)line;
    if ((err = thread_spawn(rival, stacks[0], sizeof stacks[0])) < 0)
        test_fail("thread_spawn returned %d", err);
    expect_result("waiting for the rival thread", l4_receive((l4_tid_t)err, WAIT, NULL), 0);
    expect_result("a second thread attaching to a line that has a handler", helper_result[0],
                  -L4_EBUSY);
    expect_result("a second thread detaching a line it does not have", helper_result[1],
                  -L4_EINVAL);
    expect_result("a receive from l4_irq_tid(LINE) by a thread that is not its handler",
                  helper_result[2], -(L4_ENOPARTNER | L4_ERECV));
    check_outsider();

    /* The rival ended while it had line 8: the line is free again. */
    expect_result("attaching to line 8 after its handler ended", l4_irq_control(RTC_IRQ, 1), 0);
    rtc_id = l4_irq_tid(RTC_IRQ);
    rtc_periodic_start(6);
    err = l4_receive(rtc_id, WAIT, &from);
    took_interrupt(err, from, 1, "line 8 after its first handler ended");

    /* Detached, the line delivers nothing, although the RTC goes on. */
    expect_result("detaching from line 8", l4_irq_control(RTC_IRQ, 0), 0);
    err = l4_receive(L4_ANYTHREAD, QUIET, &from);
    if (err == 0)
        test_fail("a message (tag %x from %x) came after the handler detached from line 8",
                  l4_mr(0), from);
    expect_result("a receive from any thread after detaching", err, -(L4_ETIMEOUT | L4_ERECV));
    expect_result("a receive from l4_irq_tid(8) after detaching",
                  l4_receive(rtc_id, L4_TIMEOUT_ZERO, NULL), -(L4_ENOPARTNER | L4_ERECV));
    rtc_periodic_stop();
    expect_result("detaching from LINE", l4_irq_control(line, 0), 0);
    expect_result("detaching from LINE again", l4_irq_control(line, 0), -L4_EINVAL);
    printf("lab4 control: nonce=%s line=%u digest=%08x ok\n", nonce, line, test_digest);
}

static uint32_t arg(int argc, char **argv, int i)
{
    return argc > i ? (uint32_t)strtoul(argv[i], NULL, 0) : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        printf("usage: lab4_irq serial|busy|control NONCE [PARAMS...]\n");
        return 1;
    }
    test_name = argv[1];
    test_begin("lab4", test_name);
    nonce = argv[2];
    test_fold(arg(argc, argv, 3));
    if (strcmp(test_name, "serial") == 0)
        test_serial();
    else if (strcmp(test_name, "busy") == 0)
        test_busy(arg(argc, argv, 3) < 2 ? 2 : arg(argc, argv, 3), arg(argc, argv, 4) ?: 7);
    else if (strcmp(test_name, "control") == 0)
        test_control(arg(argc, argv, 3) ?: 5);
    else
        test_fail("no test called '%s'", test_name);
    l4_kdb_exit(0);
}
