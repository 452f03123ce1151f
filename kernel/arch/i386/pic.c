/*
 * The two 8259A interrupt controllers of the PC.  They are remapped so that
 * IRQ 0..15 arrive at vectors T_IRQ0..T_IRQ0+15, above the CPU exceptions.
 * At boot only the timer is unmasked; Lab 4's interrupt IPC (kernel/irq.c)
 * unmasks and masks the other lines with pic_unmask and pic_mask.
 */
#include "arch/i386/arch.h"
#include "arch/i386/x86.h"

#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xA0
#define PIC2_DATA   0xA1
#define ICW1_INIT   0x11    /* edge triggered, cascade, ICW4 follows */
#define ICW4_8086   0x01
#define OCW2_EOI    0x20

void pic_init(void)
{
    outb(PIC1_CMD, ICW1_INIT);
    outb(PIC2_CMD, ICW1_INIT);
    outb(PIC1_DATA, T_IRQ0);        /* ICW2: vector base */
    outb(PIC2_DATA, T_IRQ0 + 8);
    outb(PIC1_DATA, 1 << 2);        /* ICW3: the slave hangs on line 2 */
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    outb(PIC1_DATA, (uint8_t)~(1u << IRQ_TIMER));  /* mask all but the timer */
    outb(PIC2_DATA, 0xFF);
}

#define OCW3_READ_ISR 0x0B

int pic_spurious(int irq)
{
    if (irq != 7 && irq != 15)
        return 0;
    int cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;
    outb(cmd, OCW3_READ_ISR);
    if (inb(cmd) & 0x80)
        return 0;                       /* line 7 of that PIC is really in service */
    if (irq == 15)
        outb(PIC1_CMD, OCW2_EOI);       /* the master did see the cascade line */
    return 1;
}

void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, OCW2_EOI);
    outb(PIC1_CMD, OCW2_EOI);
}

/*
 * Masking a line sets its bit in the interrupt mask register (OCW1, read
 * and written at the data port) of the PIC that owns it.  The PIC still
 * latches an edge that arrives on a masked line in its request register,
 * and raises it once the line is unmasked, so masking postpones an
 * interrupt; it does not lose it.  A slave line (8..15) reaches the CPU
 * through the master's line 2, so line 2 is unmasked whenever any slave
 * line is; it stays unmasked afterwards, which is harmless: with all the
 * slave's own lines masked it never raises it.
 */
void pic_mask(int irq)
{
    uint16_t port = irq >= 8 ? PIC2_DATA : PIC1_DATA;
    outb(port, inb(port) | (uint8_t)(1u << (irq & 7)));
}

void pic_unmask(int irq)
{
    uint16_t port = irq >= 8 ? PIC2_DATA : PIC1_DATA;
    outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
    if (irq >= 8)
        outb(PIC1_DATA, inb(PIC1_DATA) & (uint8_t)~(1u << IRQ_CASCADE));
}
