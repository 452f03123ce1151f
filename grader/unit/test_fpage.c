/*
 * Host unit tests for the flexpages of include/l4/types.h (Lab 2): packing
 * and unpacking, l4_fpage_valid, and word 0 of map and grant items.
 *
 * A flexpage is one word, 31..12 base | 9..4 log2 of the size | 2..0
 * rights (l4/abi.h).  The kernel trusts l4_fpage_valid to keep every
 * region it maps or unmaps inside user space, so its limits are tested at
 * each edge and, last, against a 64-bit model for every page-aligned base.
 */
#include <check.h>
#include "l4/types.h"

/* Check records every passing ck_assert, which is slow in long loops; the
   loops use require(), which only does work when the check fails. */
#define require(cond, ...) \
    do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

START_TEST(test_fpage_round_trip)
{
    /* Base, size and rights come back unchanged, for every size and set of
       rights and for bases at both ends of the address space. */
    const uint32_t bases[] = {0, 0x1000, 0x12345000, 0x80000000, 0xBFFFF000, 0xFFFFF000};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
        for (uint32_t s = 12; s <= 31; s++)
            for (uint32_t r = 0; r <= L4_FPAGE_RWX; r++) {
                l4_fpage_t f = l4_fpage(bases[i], s, r);
                ck_assert_uint_eq(l4_fpage_base(f), bases[i]);
                ck_assert_uint_eq(l4_fpage_log2size(f), s);
                ck_assert_uint_eq(l4_fpage_size(f), 1u << s);
                ck_assert_uint_eq(l4_fpage_rights(f), r);
            }
}
END_TEST

START_TEST(test_fpage_layout)
{
    /* The layout of l4/abi.h: base 31..12, log2 size 9..4, rights 2..0. */
    ck_assert_uint_eq(l4_fpage(0xFFFFF000, 0, 0), 0xFFFFF000);
    ck_assert_uint_eq(l4_fpage(0, 12, 0), 0x000000C0);
    ck_assert_uint_eq(l4_fpage(0, 0x3F, 0), 0x000003F0);
    ck_assert_uint_eq(l4_fpage(0, 0, L4_FPAGE_RWX), 0x00000007);
    ck_assert_uint_eq(l4_fpage(0x40000000, 30, L4_FPAGE_R | L4_FPAGE_W), 0x400001E6);
    ck_assert_uint_eq(l4_fpage_size(l4_fpage(0, 31, 0)), 0x80000000);
}
END_TEST

START_TEST(test_fpage_fields_stay_in_their_bits)
{
    /* Offsets in the base, oversized sizes and unknown rights bits are cut
       to their own fields; bits 11..10 and 3 stay 0 whatever is passed. */
    l4_fpage_t f = l4_fpage(0x12345FFF, 12, L4_FPAGE_R);
    ck_assert_uint_eq(l4_fpage_base(f), 0x12345000);
    ck_assert_uint_eq(l4_fpage_log2size(f), 12);
    ck_assert_uint_eq(l4_fpage_rights(f), L4_FPAGE_R);

    f = l4_fpage(0x5000, 0x40 | 13, 0xF8 | L4_FPAGE_W);
    ck_assert_uint_eq(l4_fpage_base(f), 0x5000);
    ck_assert_uint_eq(l4_fpage_log2size(f), 13);
    ck_assert_uint_eq(l4_fpage_rights(f), L4_FPAGE_W);

    ck_assert_uint_eq(l4_fpage(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) & 0xC08, 0);
}
END_TEST

START_TEST(test_fpage_rights_bits)
{
    /* R, W and X are single, distinct bits, and RWX is all three. */
    ck_assert_uint_eq(L4_FPAGE_R, 4);
    ck_assert_uint_eq(L4_FPAGE_W, 2);
    ck_assert_uint_eq(L4_FPAGE_X, 1);
    ck_assert_uint_eq(L4_FPAGE_R | L4_FPAGE_W | L4_FPAGE_X, L4_FPAGE_RWX);
    ck_assert_uint_eq(l4_fpage_rights(l4_fpage(0x1000, 12, L4_FPAGE_W)), L4_FPAGE_W);
    ck_assert_uint_eq(l4_fpage_rights(l4_fpage(0x1000, 12, L4_FPAGE_R | L4_FPAGE_X)), 5);
}
END_TEST

START_TEST(test_nilpage_is_invalid)
{
    /* The nil page has size 0: never a region, whatever its rights. */
    ck_assert_uint_eq(L4_NILPAGE, 0);
    ck_assert(!l4_fpage_valid(L4_NILPAGE));
    ck_assert(!l4_fpage_valid(L4_NILPAGE | L4_FPAGE_RWX));
}
END_TEST

START_TEST(test_fpage_valid_sizes)
{
    /* Sizes from 4 KiB (log2 12) to 2 GiB (log2 31), nothing else. */
    static const struct {
        uint32_t log2size;
        int valid;
    } cases[] = {
        {0, 0}, {1, 0}, {11, 0}, {12, 1}, {13, 1}, {22, 1}, {30, 1}, {31, 1},
        {32, 0}, {33, 0}, {40, 0}, {63, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(l4_fpage_valid(l4_fpage(0, cases[i].log2size, L4_FPAGE_RWX)) ==
                      cases[i].valid, "base 0, log2 size %u: expected %s",
                      cases[i].log2size, cases[i].valid ? "valid" : "invalid");
}
END_TEST

/* Bases and sizes at the edges of alignment and of user space. */
static const struct {
    uint32_t base, log2size;
    int valid;
} edges[] = {
    /* The base must be aligned to the size. */
    {0x00001000, 12, 1},
    {0x00001000, 13, 0},
    {0x00002000, 13, 1},
    {0x00003000, 13, 0},
    {0x00400000, 22, 1},
    {0x00401000, 22, 0},
    {0x20000000, 30, 0},
    {0x40000000, 30, 1},
    {0x40000000, 31, 0},
    /* The whole region must lie below L4_USER_TOP (0xC0000000). */
    {0xBFFFF000, 12, 1},
    {0xBFFFE000, 13, 1},
    {0xBFC00000, 22, 1},
    {0xBF000000, 24, 1},            /* the UTCB area is a region like any other here */
    {0x80000000, 30, 1},            /* ends exactly at L4_USER_TOP */
    {0x00000000, 31, 1},            /* the one 2 GiB flexpage of user space */
    {0xC0000000, 12, 0},            /* the first kernel page */
    {0xC0000000, 30, 0},
    {0xFFFFF000, 12, 0},
    {0xFFC00000, 22, 0},
    {0x80000000, 31, 0},            /* would reach 0x100000000 */
};

START_TEST(test_fpage_valid_edges)
{
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        ck_assert_msg(l4_fpage_valid(l4_fpage(edges[i].base, edges[i].log2size, L4_FPAGE_R)) ==
                      edges[i].valid, "base %#x, log2 size %u: expected %s", edges[i].base,
                      edges[i].log2size, edges[i].valid ? "valid" : "invalid");
}
END_TEST

START_TEST(test_fpage_valid_ignores_rights)
{
    /* Validity is about the region: the same region is valid or invalid
       with any rights, none included. */
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        for (uint32_t r = 0; r <= L4_FPAGE_RWX; r++)
            ck_assert_int_eq(l4_fpage_valid(l4_fpage(edges[i].base, edges[i].log2size, r)),
                             edges[i].valid);
}
END_TEST

START_TEST(test_fpage_valid_matches_model)
{
    /* Every page-aligned base with every value of the 6-bit size field,
       against the rule computed in 64 bits, where base + size cannot
       wrap: 12 <= log2 size <= 31, base % size == 0, base + size <= 3 GiB. */
    for (uint64_t base = 0; base < 0x100000000ull; base += 0x1000)
        for (uint32_t s = 0; s < 64; s++) {
            int model = s >= 12 && s <= 31 && base % (1ull << s) == 0 &&
                        base + (1ull << s) <= L4_USER_TOP;
            int valid = l4_fpage_valid(l4_fpage((uint32_t)base, s, L4_FPAGE_RWX));
            require(valid == model, "base %#llx, log2 size %u: l4_fpage_valid says %d",
                    (unsigned long long)base, s, valid);
        }
}
END_TEST

START_TEST(test_item_word0)
{
    /* Word 0 of an item keeps the type in bits 3..0 and the send base,
       rounded down to a page, in bits 31..12; neither spills into the other. */
    ck_assert_uint_eq(l4_item_word0(L4_ITEM_MAP, 0), L4_ITEM_MAP);
    ck_assert_uint_eq(l4_item_word0(L4_ITEM_GRANT, 0), L4_ITEM_GRANT);
    ck_assert_uint_eq(l4_item_word0(L4_ITEM_MAP, 0x12345678), 0x12345008);
    ck_assert_uint_eq(l4_item_word0(L4_ITEM_GRANT, 0xFFFFFFFF), 0xFFFFF00A);
    ck_assert_uint_eq(l4_item_word0(0xFA, 0x3000), 0x300A);
    ck_assert_uint_eq(l4_item_word0(L4_ITEM_MAP, 0x400000) & 0xF, L4_ITEM_MAP);
    ck_assert_uint_eq(l4_item_word0(L4_ITEM_MAP, 0x400FFF) & ~0xFFFu, 0x400000);
    ck_assert_uint_eq(l4_item_word0(L4_ITEM_MAP, 0x1234) & 0xFF0, 0);
}
END_TEST

Suite *fpage_suite(void)
{
    Suite *s = suite_create("fpage");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_fpage_round_trip);
    tcase_add_test(tc, test_fpage_layout);
    tcase_add_test(tc, test_fpage_fields_stay_in_their_bits);
    tcase_add_test(tc, test_fpage_rights_bits);
    tcase_add_test(tc, test_item_word0);
    suite_add_tcase(s, tc);
    tc = tcase_create("valid");
    tcase_add_test(tc, test_nilpage_is_invalid);
    tcase_add_test(tc, test_fpage_valid_sizes);
    tcase_add_test(tc, test_fpage_valid_edges);
    tcase_add_test(tc, test_fpage_valid_ignores_rights);
    tcase_add_test(tc, test_fpage_valid_matches_model);
    suite_add_tcase(s, tc);
    return s;
}
