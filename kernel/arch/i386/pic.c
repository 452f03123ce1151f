/*
 * The two 8259A interrupt controllers of the PC.  They are remapped so that
 * IRQ 0..15 arrive at vectors T_IRQ0..T_IRQ0+15, above the CPU exceptions.
 * Only the timer is unmasked for now.
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

void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, OCW2_EOI);
    outb(PIC1_CMD, OCW2_EOI);
}
