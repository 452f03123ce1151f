/*
 * A Linux program without any C library (gcc -m32 -static -nostdlib): its
 * own _start, raw `int $0x80`.  It asks for system calls the server does
 * not have and checks that each returns exactly -ENOSYS (-38), which is
 * what lets glibc fall back to an older call; then it writes its verdict
 * and exits with status 0 if all were right, 1 if not.
 *
 *   nosys NONCE      (the nonce is echoed in the verdict line)
 */
#define ENOSYS 38

static long sys(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

static unsigned len(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    return n;
}

static void say(const char *s)
{
    sys(4, 1, (long)s, len(s));         /* write(1, s, len) */
}

/* The decimal digits of v (at most 10) into buf, NUL-terminated. */
static char *dec(long v, char *buf)
{
    char tmp[12];
    unsigned n = 0, neg = v < 0, i = 0;
    unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg)
        buf[i++] = '-';
    while (n)
        buf[i++] = tmp[--n];
    buf[i] = '\0';
    return buf;
}

/* Called by _start with the stack the server built: argc, argv... */
__attribute__((used)) static void start_c(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)&sp[1];
    const char *nonce = argc > 1 ? argv[1] : "none";
    /* 17 is Linux's never-implemented `break`; 9999 is beyond every table;
       0x7fffffff and -1 are what a confused program might pass. */
    static const long calls[] = {17, 222, 9999, 0x7fffffff, -1};
    int bad = 0;
    char buf[16];
    for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        long r = sys(calls[i], 1, 2, 3);
        if (r != -ENOSYS) {
            say("nosys: system call ");
            say(dec(calls[i], buf));
            say(" returned ");
            say(dec(r, buf));
            say(", not -ENOSYS (-38)\n");
            bad = 1;
        }
    }
    if (!bad) {
        say("nosys: nonce=");
        say(nonce);
        say(" ok: 5 unknown system calls returned -ENOSYS\n");
    }
    sys(252, bad, 0, 0);                /* exit_group(bad) */
    for (;;)
        ;
}

__asm__(".globl _start\n_start:\n\tmov %esp, %eax\n\tand $-16, %esp\n\tpush %eax\n\tcall start_c\n");
