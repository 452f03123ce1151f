/*
 * The C side of program start-up and the little library of user programs.
 */
#include "ulib.h"

#define MAX_ARGS 16
#define CMDLINE_MAX 256

/* Splits the command line at spaces; argv[0] loses its directories. */
static int split_args(char *line, char **argv)
{
    int argc = 0;
    char *p = line;
    while (*p && argc < MAX_ARGS) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    argv[argc] = NULL;
    if (argc > 0) {
        for (char *q = argv[0]; *q; q++)
            if (*q == '/')
                argv[0] = q + 1;
    }
    return argc;
}

__attribute__((noreturn)) void ulib_start(const char *cmdline)
{
    static char line[CMDLINE_MAX];
    static char *argv[MAX_ARGS + 1];

    strlcpy(line, cmdline ? cmdline : "", sizeof line);
    int argc = split_args(line, argv);
    l4_thread_exit(main(argc, argv));
}

/* A new thread starts here, with fn as its argument (see thread_spawn). */
static void spawn_trampoline(void (*fn)(void))
{
    fn();
    l4_thread_exit(0);
}

int32_t thread_spawn(void (*fn)(void), void *stack, size_t size)
{
    uint32_t *sp = (uint32_t *)(((uintptr_t)stack + size) & ~15u);
    *--sp = (uint32_t)fn;           /* spawn_trampoline's argument */
    *--sp = 0;                      /* its return address: none */
    return l4_thread_create((void (*)(void))spawn_trampoline, sp);
}

void sleep_ticks(unsigned ticks)
{
    /* Nobody sends to us while we wait for ourselves.  0 and the
       "never" value are not sleeps: clamp to 1..L4_TIMEOUT_NEVER-1. */
    if (ticks == 0)
        ticks = 1;
    if (ticks >= L4_TIMEOUT_NEVER)
        ticks = L4_TIMEOUT_NEVER - 1;
    l4_receive(l4_myself(), (uint16_t)ticks, 0);
}

/* printf collects output in a buffer and prints it with one system call
   per 256 characters, so lines of different threads rarely interleave. */
struct pbuf {
    char buf[256];
    unsigned len;
};

static void pbuf_flush(struct pbuf *pb)
{
    if (pb->len)
        l4_kdb_puts(pb->buf, pb->len);
    pb->len = 0;
}

static void pbuf_putc(void *arg, char c)
{
    struct pbuf *pb = arg;
    pb->buf[pb->len++] = c;
    if (pb->len == sizeof pb->buf)
        pbuf_flush(pb);
}

int vprintf(const char *fmt, va_list ap)
{
    struct pbuf pb = {.len = 0};
    int n = fmt_vprint(pbuf_putc, &pb, fmt, ap);
    pbuf_flush(&pb);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    return printf("%s\n", s);
}

uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

uint32_t fnv1a_word(uint32_t h, uint32_t w)
{
    for (int i = 0; i < 4; i++, w >>= 8) {
        h ^= w & 0xFF;
        h *= 16777619u;
    }
    return h;
}

unsigned long strtoul(const char *s, char **end, int base)
{
    unsigned long v = 0;
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2, base = 16;
    if (base == 0)
        base = 10;
    for (;; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            break;
        if (d >= base)
            break;
        v = v * base + d;
    }
    if (end)
        *end = (char *)s;
    return v;
}

/* --- error codes in words (ulib.h) --- */

const char *errname(int32_t r)
{
    static const char *const names[] = {
        [L4_EFAULT] = "L4_EFAULT",       [L4_EINVAL] = "L4_EINVAL",
        [L4_ENOSYS] = "L4_ENOSYS",       [L4_ENOMEM] = "L4_ENOMEM",
        [L4_ETIMEOUT] = "L4_ETIMEOUT",   [L4_ENOPARTNER] = "L4_ENOPARTNER",
        [L4_ECANCELED] = "L4_ECANCELED", [L4_EMSGLEN] = "L4_EMSGLEN",
        [L4_EPERM] = "L4_EPERM",         [L4_EBUSY] = "L4_EBUSY",
    };
    if (r == 0)
        return "no error";
    uint32_t code = (uint32_t)-r & ~(uint32_t)L4_ERECV;
    if (r > 0 || code >= sizeof names / sizeof names[0] || !names[code])
        return "an unknown error";
    return names[code];
}

/* The next of the buffers errstr and ipc_errstr return. */
static char *err_buffer(void)
{
    static char bufs[4][48];
    static unsigned next;
    return bufs[next++ % 4];
}

const char *errstr(int32_t r)
{
    char *b = err_buffer();
    if (r >= 0)
        fmt_snprintf(b, 48, "%d", r);
    else
        fmt_snprintf(b, 48, "%d (%s)", r, errname(r));
    return b;
}

const char *ipc_errstr(int32_t r)
{
    char *b = err_buffer();
    if (r >= 0)
        fmt_snprintf(b, 48, "%d", r);
    else
        fmt_snprintf(b, 48, "%d (%s, %s phase)", r, errname(r),
                     (uint32_t)-r & L4_ERECV ? "receive" : "send");
    return b;
}

/* The test programs' failure lines (test_begin, test_who, test_fail in ulib.h). */
static char test_prefix[48] = "test";
static const char *test_role;

void test_begin(const char *lab, const char *test)
{
    if (test)
        fmt_snprintf(test_prefix, sizeof test_prefix, "%s %s", lab, test);
    else
        fmt_snprintf(test_prefix, sizeof test_prefix, "%s", lab);
}

void test_who(const char *who)
{
    test_role = who;
}

void test_fail(const char *fmt, ...)
{
    va_list ap;
    printf("%s: FAIL: ", test_prefix);
    if (test_role)
        printf("%s: ", test_role);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    l4_kdb_exit(1);
}

/* Global, so that GDB can read it by name (ulib.h). */
uint32_t test_digest = FNV1A_INIT;

void test_fold(uint32_t w)
{
    test_digest = fnv1a_word(test_digest, w);
}
