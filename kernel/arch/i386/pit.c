/* The 8253/8254 programmable interval timer, channel 0, on IRQ 0. */
#include "arch/i386/arch.h"
#include "arch/i386/x86.h"

#define PIT_CH0     0x40
#define PIT_CMD     0x43
#define PIT_HZ      1193182u
#define PIT_RATE    0x34        /* channel 0, low then high byte, mode 2 */

void pit_init(unsigned hz)
{
    unsigned divisor = PIT_HZ / hz;
    outb(PIT_CMD, PIT_RATE);
    outb(PIT_CH0, divisor & 0xFF);
    outb(PIT_CH0, (divisor >> 8) & 0xFF);
}
