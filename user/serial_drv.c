/*
 * serial_drv: a user-level driver for COM1's input (Lab 4).  Boot it as a
 * module of its own; clients find it by its thread ID (l4_boot_tid of its
 * module) and read what is typed on the serial console with the protocol
 * of user/include/serial.h.
 *
 * The kernel has no serial input.  This root task asks for I/O access,
 * attaches itself to the UART's interrupt line (4), and turns on the
 * UART's "received data" interrupt.  Each interrupt is a message from
 * l4_irq_tid(4): the driver then reads every byte the UART holds (while
 * the line status register says data is ready), which also lowers the
 * UART's interrupt, puts them into a ring buffer, and acknowledges with a
 * receive from exactly l4_irq_tid(4) with a zero timeout: that unmasks the
 * line without waiting on it, so that the driver's one thread can wait
 * for interrupts and clients alike, in a receive from any thread.  An
 * interrupt that comes while the driver is busy is pending in the kernel,
 * and that receive gets it at once.
 *
 * The kernel writes its own console output to the same UART, polled.  The
 * driver leaves the transmitter, the line control register and the
 * divisor alone; it sets only the receive interrupt enable (IER bit 0),
 * OUT2 in the modem control register (on a PC the UART's interrupt reaches
 * the PIC only through OUT2), and the FIFO's trigger level (one byte, so
 * that each byte interrupts at once rather than after a timeout), with no
 * FIFO reset.
 */
#include "ulib.h"
#include "io.h"
#include "serial.h"

#define COM1        0x3F8
#define UART_RBR    0           /* receive buffer (read) */
#define UART_IER    1           /* interrupt enable */
#define UART_FCR    2           /* FIFO control (write) */
#define UART_MCR    4           /* modem control */
#define UART_LSR    5           /* line status */
#define IER_RDA     0x01        /* interrupt when received data is available */
#define FCR_ENABLE  0x01        /* FIFOs on, trigger level 1 byte, nothing cleared */
#define MCR_OUT2    0x08        /* gates the UART's interrupt to the PIC */
#define LSR_DR      0x01        /* data ready */

#define IRQ_LINE    4           /* COM1's interrupt line on the PC */
#define RING 512                /* bytes typed that no client has asked for yet */

static char ring[RING];
static unsigned head, count, lost;
static l4_tid_t irq_id;

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
    va_list ap;
    printf("serial_drv: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    l4_thread_exit(1);
}

/* Moves every byte the UART holds into the ring; a full ring drops bytes
   (and counts them) rather than leave the UART's interrupt raised. */
static void drain_uart(void)
{
    while (inb(COM1 + UART_LSR) & LSR_DR) {
        char c = (char)inb(COM1 + UART_RBR);
        if (count == RING) {
            lost++;
            continue;
        }
        ring[(head + count) % RING] = c;
        count++;
    }
}

/* Replies to client with up to max bytes from the ring (at least one). */
static void answer(l4_tid_t client, unsigned max)
{
    unsigned n = count < max ? count : max;
    for (unsigned w = 0; w < (n + 3) / 4; w++)
        l4_set_mr(2 + w, 0);
    for (unsigned i = 0; i < n; i++) {
        l4_set_mr(2 + i / 4, l4_mr(2 + i / 4) | (uint32_t)(uint8_t)ring[head] << (8 * (i % 4)));
        head = (head + 1) % RING;
    }
    count -= n;
    l4_set_mr(0, l4_tag_make(0, 1 + (n + 3) / 4, 0));
    l4_set_mr(1, n);
    /* The client waits in its call; should it have ended, so be it. */
    l4_send(client, L4_TIMEOUT_ZERO);
}

static void setup(void)
{
    int32_t r;
    if ((r = l4_io_access()) != 0)
        die("l4_io_access returned %d: only a root task (a boot module) may drive a device", r);
    if ((r = l4_irq_control(IRQ_LINE, 1)) != 0)
        die("attaching to interrupt line %d returned %d (-L4_EBUSY: another thread has it)",
            IRQ_LINE, r);
    irq_id = l4_irq_tid(IRQ_LINE);
    outb(COM1 + UART_FCR, FCR_ENABLE);
    outb(COM1 + UART_MCR, inb(COM1 + UART_MCR) | MCR_OUT2);
    outb(COM1 + UART_IER, inb(COM1 + UART_IER) | IER_RDA);
    drain_uart();               /* bytes typed before we started count too */
}

int main(int argc, char **argv)
{
    l4_tid_t client = L4_NILTHREAD, from;
    (void)argc, (void)argv;
    unsigned want = 0;

    setup();
    printf("serial_drv: ready on COM1 (interrupt line %d), thread %x\n", IRQ_LINE, l4_myself());
    for (;;) {
        int32_t err = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &from);
        if (err < 0)
            continue;
        l4_tag_t tag = l4_mr(0);
        if (from == irq_id) {
            drain_uart();
            /* Acknowledge: unmask the line, without waiting on it.  (Should
               that receive bring an interrupt after all, it is handled the
               same way, and acknowledged in turn.) */
            while (l4_receive(irq_id, L4_TIMEOUT_ZERO, NULL) == 0)
                drain_uart();
            if (lost) {
                printf("serial_drv: %u bytes lost: the buffer was full (no client read them)\n",
                       lost);
                lost = 0;
            }
        } else if (l4_tag_label(tag) == SERIAL_READ && l4_tag_untyped(tag) == 1 &&
                   client == L4_NILTHREAD) {
            client = from;
            want = l4_mr(1) < 1 ? 1 : l4_mr(1) > SERIAL_MAX_BYTES ? SERIAL_MAX_BYTES : l4_mr(1);
        } else {
            answer(from, 0);    /* not a request, or another client is waiting */
        }
        if (client != L4_NILTHREAD && count > 0) {
            answer(client, want);
            client = L4_NILTHREAD;
        }
    }
}
