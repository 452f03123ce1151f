/*
 * Port I/O for user-level drivers (Lab 4).  in and out work only in a
 * thread that has called l4_io_access() (IOPL 3); anywhere else they
 * raise a general protection fault.
 */
#ifndef IO_H
#define IO_H

#include <stdint.h>

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/*
 * The MC146818 real-time clock in the PC's CMOS, interrupt line 8, used
 * by the Lab 4 tests and bench_irq as a source of periodic interrupts.
 * Its registers are reached through an index port (0x70; bit 7 of the
 * index, when set, would also block the NMI, so it stays clear) and a data
 * port (0x71).  Register A's low four bits choose the periodic rate,
 * 32768 >> (rate - 1) Hz for rate 3..15; register B's bit 6 (PIE) enables
 * the periodic interrupt; reading register C returns the reasons for the
 * interrupt (bit 7: an interrupt is raised, bit 6: periodic) and clears
 * them, which lowers the interrupt line.  Until C is read the RTC raises
 * no new interrupt: a handler re-arms it by reading C.
 */
#define RTC_IRQ     8
#define RTC_INDEX   0x70
#define RTC_DATA    0x71
#define RTC_A       0x0A
#define RTC_B       0x0B
#define RTC_C       0x0C
#define RTC_B_PIE   0x40
#define RTC_C_IRQF  0x80
#define RTC_C_PF    0x40

static inline uint8_t rtc_read(uint8_t reg)
{
    outb(RTC_INDEX, reg);
    return inb(RTC_DATA);
}

static inline void rtc_write(uint8_t reg, uint8_t v)
{
    outb(RTC_INDEX, reg);
    outb(RTC_DATA, v);
}

/* Starts the periodic interrupt at 32768 >> (rate - 1) Hz (rate 3..15),
   with register C read first, so that no old reason is left. */
static inline void rtc_periodic_start(unsigned rate)
{
    rtc_write(RTC_A, (uint8_t)((rtc_read(RTC_A) & 0xF0) | (rate & 0x0F)));
    rtc_read(RTC_C);
    rtc_write(RTC_B, rtc_read(RTC_B) | RTC_B_PIE);
}

static inline void rtc_periodic_stop(void)
{
    rtc_write(RTC_B, rtc_read(RTC_B) & (uint8_t)~RTC_B_PIE);
    rtc_read(RTC_C);
}

#endif
