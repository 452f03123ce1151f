/*
 * printf-style formatting, written once for the kernel (kprintf), user
 * programs (printf) and the host unit tests (grader/unit/test_fmt.c).
 * It allocates nothing and never reads past a NUL, so it is safe in a panic.
 */
#include "lib/fmt.h"
#include <stdint.h>

struct spec {
    int left;       /* '-' flag: pad on the right */
    int zero;       /* '0' flag: pad numbers with zeros */
    int width;
};

static int emit_padding(fmt_putc_fn putc, void *arg, char pad, int n)
{
    for (int i = 0; i < n; i++)
        putc(arg, pad);
    return n > 0 ? n : 0;
}

/* Prints the string s of length len inside the field described by sp. */
static int emit_field(fmt_putc_fn putc, void *arg, const struct spec *sp,
                      const char *s, int len, int numeric)
{
    int pad = sp->width - len;
    int n = 0;
    char padc = (sp->zero && numeric && !sp->left) ? '0' : ' ';

    /* A zero-padded negative number keeps its sign in front: -0042. */
    if (padc == '0' && len > 0 && s[0] == '-') {
        putc(arg, '-');
        s++, len--, n++;
    }
    if (!sp->left)
        n += emit_padding(putc, arg, padc, pad);
    for (int i = 0; i < len; i++)
        putc(arg, s[i]);
    n += len;
    if (sp->left)
        n += emit_padding(putc, arg, ' ', pad);
    return n;
}

/* Writes the digits of v in base into the end of buf; returns the start. */
static char *utoa(char *end, uint32_t v, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v);
    return p;
}

static int emit_number(fmt_putc_fn putc, void *arg, const struct spec *sp,
                       char conv, uint32_t v)
{
    char buf[16];
    char *end = buf + sizeof buf;
    char *p;

    if (conv == 'd' || conv == 'i') {
        int32_t sv = (int32_t)v;
        p = utoa(end, sv < 0 ? -(uint32_t)sv : (uint32_t)sv, 10, 0);
        if (sv < 0)
            *--p = '-';
    } else if (conv == 'u') {
        p = utoa(end, v, 10, 0);
    } else {
        p = utoa(end, v, 16, conv == 'X');
    }
    return emit_field(putc, arg, sp, p, (int)(end - p), 1);
}

int fmt_vprint(fmt_putc_fn putc, void *arg, const char *fmt, va_list ap)
{
    int n = 0;

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putc(arg, *fmt);
            n++;
            continue;
        }
        const char *start = fmt++;
        struct spec sp = {0, 0, 0};
        for (;; fmt++) {
            if (*fmt == '-')
                sp.left = 1;
            else if (*fmt == '0')
                sp.zero = 1;
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            sp.width = sp.width * 10 + (*fmt++ - '0');
        while (*fmt == 'l')
            fmt++;

        switch (*fmt) {
        case 'd': case 'i': case 'u': case 'x': case 'X':
            n += emit_number(putc, arg, &sp, *fmt, va_arg(ap, uint32_t));
            break;
        case 'p': {
            struct spec psp = {sp.left, 1, 8};
            putc(arg, '0'), putc(arg, 'x');
            n += 2 + emit_number(putc, arg, &psp, 'x',
                                 (uint32_t)(uintptr_t)va_arg(ap, void *));
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = 0;
            if (!s)
                s = "(null)";
            while (s[len])
                len++;
            n += emit_field(putc, arg, &sp, s, len, 0);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            n += emit_field(putc, arg, &sp, &c, 1, 0);
            break;
        }
        case '%':
            putc(arg, '%');
            n++;
            break;
        default:
            /* Unknown conversion (or the format ended): print it verbatim. */
            for (const char *q = start; q <= fmt && *q; q++, n++)
                putc(arg, *q);
            if (!*fmt)
                return n;
            break;
        }
    }
    return n;
}

struct sbuf {
    char *buf;
    size_t size;
    size_t len;
};

static void sbuf_putc(void *arg, char c)
{
    struct sbuf *sb = arg;
    if (sb->len + 1 < sb->size)
        sb->buf[sb->len] = c;
    sb->len++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sbuf sb = {buf, size, 0};
    int n = fmt_vprint(sbuf_putc, &sb, fmt, ap);
    if (size > 0)
        buf[sb.len < size ? sb.len : size - 1] = '\0';
    return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
