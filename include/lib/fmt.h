/*
 * Formatted output shared by the kernel and user programs (lib/fmt.c).
 *
 * fmt_vprint() understands %d %i %u %x %X %p %s %c %% with an optional
 * '-' (left-justify), '0' (zero-pad), a field width and an 'l' modifier
 * (ignored: long and int are both 32 bits here).  Anything else is printed
 * as-is, so a bad format never stops output.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_putc_fn)(void *arg, char c);

/* Calls putc(arg, c) for every character; returns how many it produced. */
int fmt_vprint(fmt_putc_fn putc, void *arg, const char *fmt, va_list ap);

/* Writes at most size-1 characters and a NUL (if size > 0) into buf.
 * Returns the length the whole output would have had, as C99 snprintf. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
