/*
 * The kernel's console: COM1.  A newline goes out as CR LF so that a raw
 * terminal (make qemu) shows lines properly; the grader strips the CR.
 */
#include "kernel.h"
#include "lib/fmt.h"
#include "arch/i386/arch.h"

static void console_putc(void *arg, char c)
{
    (void)arg;
    if (c == '\n')
        serial_putc('\r');
    serial_putc(c);
}

void console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        console_putc(NULL, s[i]);
}

int kvprintf(const char *fmt, va_list ap)
{
    return fmt_vprint(console_putc, NULL, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
