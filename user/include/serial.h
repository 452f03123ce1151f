/*
 * The protocol of the COM1 input driver, user/serial_drv.c (Lab 4).
 *
 * A client calls the driver (l4_call) with
 *     MR0 = a tag with label SERIAL_READ and 1 untyped word,
 *     MR1 = the most bytes it wants (1..SERIAL_MAX_BYTES; more is clipped).
 * The driver answers once at least one byte has arrived, with
 *     MR0 = a tag with label 0 and 1 + (n + 3) / 4 words,
 *     MR1 = n, the number of bytes (at least 1),
 *     MR2.. = the bytes, four to a word, the first in the lowest byte,
 * in the order they arrived.  A request the driver does not understand,
 * or one that comes while another client waits (the driver serves one at
 * a time), is answered at once with n = 0 and no bytes.
 */
#ifndef SERIAL_H
#define SERIAL_H

#include "l4/syscalls.h"

#define SERIAL_READ      0x5E1u
#define SERIAL_MAX_BYTES 48

/* Byte i of a reply, from the caller's message registers. */
static inline char serial_reply_byte(unsigned i)
{
    return (char)(l4_mr(2 + i / 4) >> (8 * (i % 4)));
}

#endif
