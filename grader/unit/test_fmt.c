/*
 * Host unit tests for lib/fmt.c, the printf-style formatter shared by the
 * kernel (kprintf) and user programs (printf).
 *
 * Most tests go through render(), which has no printf format attribute, so
 * that they may use formats GCC would warn about (unknown conversions, a
 * trailing '%').  The last test compares fmt_snprintf with the host libc's
 * snprintf on formats where the two must agree.
 */
#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/fmt.h"

/* What the last render() produced and what it returned. */
static char out[256];
static int out_len;

static const char *render(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    out_len = fmt_vsnprintf(out, sizeof out, format, ap);
    va_end(ap);
    return out;
}

/* The output must be `want`, and the return value its length. */
static void expect(const char *format, const char *want)
{
    ck_assert_msg(strcmp(out, want) == 0,
                  "format \"%s\": got \"%s\", want \"%s\"", format, out, want);
    ck_assert_msg(out_len == (int)strlen(want),
                  "format \"%s\": returned %d, want %zu", format, out_len, strlen(want));
}

struct int_case {
    const char *format;
    int value;
    const char *want;
};

static void run_int_cases(const struct int_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        render(c[i].format, c[i].value);
        expect(c[i].format, c[i].want);
    }
}

#define RUN_INT_CASES(cases) run_int_cases(cases, sizeof cases / sizeof cases[0])

START_TEST(test_plain_text)
{
    /* Text without conversions is copied; the empty format produces "". */
    render("hello, world");
    expect("hello, world", "hello, world");
    render("");
    expect("", "");
}
END_TEST

START_TEST(test_signed_decimal)
{
    /* %d and %i print a minus sign for negatives; INT_MIN has no positive
     * counterpart in int, so negating it naively would go wrong. */
    static const struct int_case cases[] = {
        {"%d", 0, "0"},
        {"%d", 7, "7"},
        {"%d", 42, "42"},
        {"%d", -42, "-42"},
        {"%i", -7, "-7"},
        {"%d", INT_MAX, "2147483647"},
        {"%d", INT_MIN, "-2147483648"},
        {"%i", INT_MIN + 1, "-2147483647"},
    };
    RUN_INT_CASES(cases);
}
END_TEST

START_TEST(test_unsigned_decimal)
{
    /* %u treats the bits as unsigned: -1 is 4294967295. */
    static const struct int_case cases[] = {
        {"%u", 0, "0"},
        {"%u", 1234567890, "1234567890"},
        {"%u", -1, "4294967295"},
        {"%u", INT_MIN, "2147483648"},
    };
    RUN_INT_CASES(cases);
}
END_TEST

START_TEST(test_hex)
{
    /* %x prints lower-case and %X upper-case digits, with no prefix. */
    static const struct int_case cases[] = {
        {"%x", 0, "0"},
        {"%x", 255, "ff"},
        {"%X", 255, "FF"},
        {"%x", (int)0xdeadbeef, "deadbeef"},
        {"%X", (int)0xdeadbeef, "DEADBEEF"},
        {"%x", -1, "ffffffff"},
        {"%x", 0x1000, "1000"},
    };
    RUN_INT_CASES(cases);
}
END_TEST

START_TEST(test_pointer)
{
    /* %p is always "0x" and exactly 8 lower-case hex digits, NULL included. */
    render("%p", (void *)0x1234);
    expect("%p", "0x00001234");
    render("%p", (void *)0);
    expect("%p", "0x00000000");
    render("%p", (void *)0xc0100000);
    expect("%p", "0xc0100000");
    render("[%p]", (void *)0xabcdef);
    expect("[%p]", "[0x00abcdef]");
}
END_TEST

START_TEST(test_string)
{
    /* %s copies the string; NULL prints "(null)" instead of faulting. */
    render("%s", "abc");
    expect("%s", "abc");
    render("<%s>", "");
    expect("<%s>", "<>");
    render("%s", (char *)NULL);
    expect("%s", "(null)");
    render("%s and %s", "this", "that");
    expect("%s and %s", "this and that");
}
END_TEST

START_TEST(test_char)
{
    /* %c prints one character, padded like any other field. */
    render("%c", 'x');
    expect("%c", "x");
    render("%c%c%c", 'a', 'b', 'c');
    expect("%c%c%c", "abc");
    render("%3c", 'x');
    expect("%3c", "  x");
    render("%-3c|", 'x');
    expect("%-3c|", "x  |");
}
END_TEST

START_TEST(test_percent)
{
    /* %% prints one '%' and consumes no argument. */
    render("%%");
    expect("%%", "%");
    render("100%%");
    expect("100%%", "100%");
    render("%d%% of %d", 5, 7);
    expect("%d%% of %d", "5% of 7");
}
END_TEST

START_TEST(test_width)
{
    /* A width pads on the left with spaces and never truncates. */
    static const struct int_case cases[] = {
        {"%5d", 42, "   42"},
        {"%5d", -42, "  -42"},
        {"%8x", 0xbeef, "    beef"},
        {"%1d", 12345, "12345"},
        {"%3d", -12345, "-12345"},
        {"%12u", -1, "  4294967295"},
    };
    RUN_INT_CASES(cases);
    render("%6s|", "ab");
    expect("%6s|", "    ab|");
    render("%2s|", "abcdef");
    expect("%2s|", "abcdef|");
    render("%3s|", (char *)NULL);
    expect("%3s|", "(null)|");
}
END_TEST

START_TEST(test_left_justify)
{
    /* '-' moves the padding to the right of the value. */
    static const struct int_case cases[] = {
        {"%-5d|", 42, "42   |"},
        {"%-5d|", -42, "-42  |"},
        {"%-8X|", 0xbeef, "BEEF    |"},
        {"%-2d|", 12345, "12345|"},
    };
    RUN_INT_CASES(cases);
    render("%-6s|", "ab");
    expect("%-6s|", "ab    |");
}
END_TEST

START_TEST(test_zero_pad)
{
    /* '0' pads numbers with zeros after the sign; '-' wins over '0'. */
    static const struct int_case cases[] = {
        {"%05d", 42, "00042"},
        {"%05d", -42, "-0042"},
        {"%04d", -1, "-001"},
        {"%03d", -12345, "-12345"},
        {"%02d", -4, "-4"},
        {"%08x", 0xbeef, "0000beef"},
        {"%08X", 0xbeef, "0000BEEF"},
        {"%010u", -1, "4294967295"},
        {"%011d", INT_MIN, "-2147483648"},
        {"%012d", INT_MIN, "-02147483648"},
        {"%-05d|", 42, "42   |"},
        {"%0-5d|", -42, "-42  |"},
    };
    RUN_INT_CASES(cases);
}
END_TEST

START_TEST(test_zero_pad_only_numbers)
{
    /* Strings and characters are padded with spaces even with '0'. */
    render("%05s", "ab");
    expect("%05s", "   ab");
    render("%03c", 'x');
    expect("%03c", "  x");
    render("%05s", "-1");
    expect("%05s", "   -1");
}
END_TEST

START_TEST(test_long_modifier)
{
    /* 'l' is accepted and ignored: long is 32 bits on i386.  On the x86_64
     * host the value must therefore fit in 32 bits. */
    render("%ld", -5L);
    expect("%ld", "-5");
    render("%lu", 4000000000UL);
    expect("%lu", "4000000000");
    render("%lx", 0xcafeL);
    expect("%lx", "cafe");
    render("%08lX", 0xcafeL);
    expect("%08lX", "0000CAFE");
    render("%-6ld|", 123L);
    expect("%-6ld|", "123   |");
}
END_TEST

START_TEST(test_unknown_conversion)
{
    /* An unknown conversion is printed as written, flags and width included,
     * and consumes no argument: the %d after it still gets the 7. */
    static const struct int_case cases[] = {
        {"%q %d", 7, "%q 7"},
        {"a%yb %d", 7, "a%yb 7"},
        {"%5q %d", 7, "%5q 7"},
        {"%-08k %d", 7, "%-08k 7"},
        {"%lz %d", 7, "%lz 7"},
        {"%.3s %d", 7, "%.3s 7"},
    };
    RUN_INT_CASES(cases);
}
END_TEST

START_TEST(test_format_ends_in_percent)
{
    /* A '%' (with or without flags) at the very end is printed as is, and
     * the formatter stops at the terminating NUL instead of reading on. */
    static const struct int_case cases[] = {
        {"abc%", 0, "abc%"},
        {"%", 0, "%"},
        {"x%-5", 0, "x%-5"},
        {"x%08", 0, "x%08"},
        {"%l", 0, "%l"},
        {"%d%", 3, "3%"},
    };
    RUN_INT_CASES(cases);
}
END_TEST

START_TEST(test_snprintf_truncates)
{
    /* fmt_snprintf writes at most size-1 characters and a NUL, never a byte
     * beyond size, and returns the length the whole output would have had. */
    char buf[16];

    memset(buf, 'X', sizeof buf);
    ck_assert_int_eq(fmt_snprintf(buf, 6, "hello %s", "world"), 11);
    ck_assert_str_eq(buf, "hello");
    ck_assert_int_eq(buf[6], 'X');

    memset(buf, 'X', sizeof buf);
    ck_assert_int_eq(fmt_snprintf(buf, 11, "hello %s", "world"), 11);
    ck_assert_str_eq(buf, "hello worl");

    memset(buf, 'X', sizeof buf);
    ck_assert_int_eq(fmt_snprintf(buf, 12, "hello %s", "world"), 11);
    ck_assert_str_eq(buf, "hello world");
    ck_assert_int_eq(buf[12], 'X');

    memset(buf, 'X', sizeof buf);
    ck_assert_int_eq(fmt_snprintf(buf, 1, "hello"), 5);
    ck_assert_int_eq(buf[0], '\0');
    ck_assert_int_eq(buf[1], 'X');

    /* Truncation also counts padding and the sign. */
    memset(buf, 'X', sizeof buf);
    ck_assert_int_eq(fmt_snprintf(buf, 4, "%05d", -42), 5);
    ck_assert_str_eq(buf, "-00");
}
END_TEST

START_TEST(test_snprintf_size_zero)
{
    /* With size 0 nothing is written, not even a NUL, and buf may be NULL. */
    char buf[4] = {'X', 'X', 'X', 'X'};

    ck_assert_int_eq(fmt_snprintf(buf, 0, "%d", 12345), 5);
    ck_assert_int_eq(buf[0], 'X');
    ck_assert_int_eq(fmt_snprintf(NULL, 0, "%s-%p", "abc", (void *)1), 14);
}
END_TEST

/* fmt_vprint's sink for the next test: keeps the characters and counts them. */
struct sink {
    char text[64];
    int calls;
};

static void sink_putc(void *arg, char c)
{
    struct sink *s = arg;
    if (s->calls < (int)sizeof s->text - 1)
        s->text[s->calls] = c;
    s->calls++;
}

static int print_to_sink(struct sink *s, const char *format, ...)
{
    va_list ap;
    memset(s, 0, sizeof *s);
    va_start(ap, format);
    int n = fmt_vprint(sink_putc, s, format, ap);
    va_end(ap);
    return n;
}

START_TEST(test_vprint_counts_every_character)
{
    /* fmt_vprint calls putc once per character, writes no NUL of its own,
     * and returns exactly the number of calls (padding and prefixes too). */
    static const struct int_case cases[] = {
        {"abc", 0, "abc"},
        {"%05d", -42, "-0042"},
        {"%-6d|", 42, "42    |"},
        {"50%%", 0, "50%"},
        {"%q%", 0, "%q%"},
    };
    struct sink s;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = print_to_sink(&s, cases[i].format, cases[i].value);
        ck_assert_int_eq(n, s.calls);
        ck_assert_int_eq(n, (int)strlen(cases[i].want));
        ck_assert_str_eq(s.text, cases[i].want);
    }
    ck_assert_int_eq(print_to_sink(&s, "%p", (void *)0x10), 10);
    ck_assert_int_eq(s.calls, 10);
    ck_assert_str_eq(s.text, "0x00000010");
}
END_TEST

/*
 * Formats on which fmt_snprintf and C99 snprintf must agree.  Left out on
 * purpose: %p (libc prints "0x1234" and "(nil)"), '0' with %s or %c
 * (undefined in C), and anything fmt does not support (precision, 'h', ...).
 */
enum arg_kind { INT, UINT, LONG, ULONG, STR, CHR };

static const struct libc_case {
    const char *format;
    enum arg_kind kind;
    long long num;
    const char *str;
} libc_cases[] = {
    {"%d", INT, 0, NULL},
    {"%d", INT, 1, NULL},
    {"%d", INT, -1, NULL},
    {"%d", INT, 123456789, NULL},
    {"%d", INT, INT_MAX, NULL},
    {"%d", INT, INT_MIN, NULL},
    {"%i", INT, -99, NULL},
    {"%u", UINT, 0, NULL},
    {"%u", UINT, 3000000000u, NULL},
    {"%u", UINT, UINT_MAX, NULL},
    {"%x", UINT, 0, NULL},
    {"%x", UINT, 0xdeadbeef, NULL},
    {"%X", UINT, 0xdeadbeef, NULL},
    {"%x", UINT, UINT_MAX, NULL},
    {"%8d|", INT, -123, NULL},
    {"%-8d|", INT, -123, NULL},
    {"%08d", INT, -123, NULL},
    {"%08d", INT, 123, NULL},
    {"%08x", UINT, 0x1f, NULL},
    {"%-08x|", UINT, 0x1f, NULL},
    {"%1d", INT, 123456, NULL},
    {"%010u", UINT, 4000000000u, NULL},
    {"%020d", INT, INT_MIN, NULL},
    {"x=%5d;", INT, 42, NULL},
    {"%d%%", INT, 50, NULL},
    {"%ld", LONG, -5, NULL},
    {"%lu", ULONG, 4000000000u, NULL},
    {"%lx", ULONG, 0x7fffffff, NULL},
    {"%-9lX|", ULONG, 0xabc, NULL},
    {"%s", STR, 0, "text"},
    {"%s", STR, 0, ""},
    {"%10s|", STR, 0, "right"},
    {"%-10s|", STR, 0, "left"},
    {"%2s|", STR, 0, "longer"},
    {"[%s]", STR, 0, "in brackets"},
    {"%c", CHR, 'A', NULL},
    {"%5c|", CHR, 'B', NULL},
    {"%-5c|", CHR, 'C', NULL},
};

START_TEST(test_matches_libc)
{
    const struct libc_case *c = &libc_cases[_i];
    char want[64], got[64];
    int want_n = 0, got_n = 0;

#define BOTH(arg) (want_n = snprintf(want, sizeof want, c->format, arg), \
                   got_n = fmt_snprintf(got, sizeof got, c->format, arg))
    switch (c->kind) {
    case INT:   BOTH((int)c->num); break;
    case UINT:  BOTH((unsigned)c->num); break;
    case LONG:  BOTH((long)c->num); break;
    case ULONG: BOTH((unsigned long)c->num); break;
    case STR:   BOTH(c->str); break;
    case CHR:   BOTH((int)c->num); break;
    }
#undef BOTH
    ck_assert_msg(strcmp(got, want) == 0, "format \"%s\": fmt gave \"%s\", libc \"%s\"",
                  c->format, got, want);
    ck_assert_msg(got_n == want_n, "format \"%s\": fmt returned %d, libc %d",
                  c->format, got_n, want_n);
}
END_TEST

Suite *fmt_suite(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("conversions");

    tcase_add_test(tc, test_plain_text);
    tcase_add_test(tc, test_signed_decimal);
    tcase_add_test(tc, test_unsigned_decimal);
    tcase_add_test(tc, test_hex);
    tcase_add_test(tc, test_pointer);
    tcase_add_test(tc, test_string);
    tcase_add_test(tc, test_char);
    tcase_add_test(tc, test_percent);
    tcase_add_test(tc, test_unknown_conversion);
    tcase_add_test(tc, test_format_ends_in_percent);
    suite_add_tcase(s, tc);

    tc = tcase_create("flags");
    tcase_add_test(tc, test_width);
    tcase_add_test(tc, test_left_justify);
    tcase_add_test(tc, test_zero_pad);
    tcase_add_test(tc, test_zero_pad_only_numbers);
    tcase_add_test(tc, test_long_modifier);
    suite_add_tcase(s, tc);

    tc = tcase_create("output");
    tcase_add_test(tc, test_snprintf_truncates);
    tcase_add_test(tc, test_snprintf_size_zero);
    tcase_add_test(tc, test_vprint_counts_every_character);
    tcase_add_loop_test(tc, test_matches_libc, 0,
                        (int)(sizeof libc_cases / sizeof libc_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}
