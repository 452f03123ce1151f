/*
 * Host unit tests for include/l4/types.h: thread-ID encoding and
 * validation, message-tag packing, and the timeouts word of SYS_IPC.
 * These formats are the ABI between the kernel and every user program, so
 * each field must survive a round trip and stay inside its own bits.
 */
#include <check.h>
#include "l4/types.h"

START_TEST(test_tid_round_trip)
{
    /* Number and version come back unchanged, for the extremes too. */
    const uint32_t numbers[] = {1, 2, 1023, 12345, L4_TID_MAX_NUMBER};
    const uint32_t versions[] = {1, 2, 0x1234, L4_TID_VERSION_MASK};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        for (size_t j = 0; j < sizeof versions / sizeof versions[0]; j++) {
            l4_tid_t t = l4_tid_make(numbers[i], versions[j]);
            ck_assert_uint_eq(l4_tid_number(t), numbers[i]);
            ck_assert_uint_eq(l4_tid_version(t), versions[j]);
            ck_assert(l4_tid_is_thread(t));
        }
}
END_TEST

START_TEST(test_tid_version_stays_in_its_bits)
{
    /* A version too large for its field must not spill into the number. */
    l4_tid_t t = l4_tid_make(7, L4_TID_VERSION_MASK + 5);
    ck_assert_uint_eq(l4_tid_number(t), 7);
    ck_assert_uint_eq(l4_tid_version(t), 4);
}
END_TEST

START_TEST(test_tid_specials_are_not_threads)
{
    ck_assert(!l4_tid_is_thread(L4_NILTHREAD));
    ck_assert(!l4_tid_is_thread(L4_ANYTHREAD));
    ck_assert(!l4_tid_is_thread(l4_tid_make(0, 5)));   /* number 0 is reserved */
    ck_assert(!l4_tid_is_thread(l4_tid_make(5, 0)));   /* version 0 is never handed out */
    /* The largest usable number is not anythread. */
    ck_assert(l4_tid_make(L4_TID_MAX_NUMBER, L4_TID_VERSION_MASK) != L4_ANYTHREAD);
}
END_TEST

START_TEST(test_tid_next_version_cycles_without_zero)
{
    /* Reusing a number gives a different version each time, never 0, and
     * goes through every version before repeating one. */
    uint32_t v = 1, steps = 0;
    do {
        v = l4_tid_next_version(v);
        ck_assert_uint_ne(v, 0);
        ck_assert_uint_le(v, L4_TID_VERSION_MASK);
        steps++;
    } while (v != 1 && steps <= L4_TID_VERSION_MASK + 1);
    ck_assert_uint_eq(steps, L4_TID_VERSION_MASK);
    ck_assert_uint_eq(l4_tid_next_version(0), 1);
}
END_TEST

START_TEST(test_tag_round_trip)
{
    const uint32_t labels[] = {0, 1, 0x1234, 0xFFFF};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        for (uint32_t u = 0; u < 64; u += 7)
            for (uint32_t t = 0; t < 64; t += 9) {
                l4_tag_t tag = l4_tag_make(labels[i], u, t);
                ck_assert_uint_eq(l4_tag_label(tag), labels[i]);
                ck_assert_uint_eq(l4_tag_untyped(tag), u);
                ck_assert_uint_eq(l4_tag_typed(tag), t);
                ck_assert_uint_eq(l4_tag_flags(tag), 0);
            }
}
END_TEST

START_TEST(test_tag_fields_do_not_overlap)
{
    /* The layout of l4/types.h: label 31..16, flags 15..12, t 11..6, u 5..0. */
    ck_assert_uint_eq(l4_tag_make(0, 0x3F, 0), 0x0000003F);
    ck_assert_uint_eq(l4_tag_make(0, 0, 0x3F), 0x00000FC0);
    ck_assert_uint_eq(l4_tag_make(0xFFFF, 0, 0), 0xFFFF0000);
    ck_assert_uint_eq(l4_tag_flags(0x0000F000), 0xF);
    /* Oversized counts are cut to their 6 bits, not spread into others. */
    ck_assert_uint_eq(l4_tag_make(0, 0x41, 0), 0x00000001);
}
END_TEST

START_TEST(test_tag_fits)
{
    /* MR0 is the tag, so u + t may be at most 63. */
    ck_assert(l4_tag_fits(l4_tag_make(1, 63, 0)));
    ck_assert(l4_tag_fits(l4_tag_make(1, 30, 33)));
    ck_assert(!l4_tag_fits(l4_tag_make(1, 31, 33)));
    ck_assert(!l4_tag_fits(l4_tag_make(1, 63, 63)));
    ck_assert(l4_tag_fits(l4_tag_make(1, 0, 0)));
}
END_TEST

START_TEST(test_timeouts_word)
{
    ck_assert_uint_eq(l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_ZERO), 0xFFFF0000);
    ck_assert_uint_eq(l4_timeouts(5, 7), 0x00050007);
    ck_assert_uint_eq(l4_timeouts(0x12345, 0x10006) , 0x23450006);   /* 16 bits each */
}
END_TEST

Suite *l4types_suite(void)
{
    Suite *s = suite_create("l4types");
    TCase *tc = tcase_create("tid");
    tcase_add_test(tc, test_tid_round_trip);
    tcase_add_test(tc, test_tid_version_stays_in_its_bits);
    tcase_add_test(tc, test_tid_specials_are_not_threads);
    tcase_add_test(tc, test_tid_next_version_cycles_without_zero);
    suite_add_tcase(s, tc);
    tc = tcase_create("tag");
    tcase_add_test(tc, test_tag_round_trip);
    tcase_add_test(tc, test_tag_fields_do_not_overlap);
    tcase_add_test(tc, test_tag_fits);
    tcase_add_test(tc, test_timeouts_word);
    suite_add_tcase(s, tc);
    return s;
}
