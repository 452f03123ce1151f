/*
 * The host unit tests (`make check`): one Check runner for the suites of
 * test_fmt.c, test_frame.c, test_l4types.c, test_fpage.c, test_region.c
 * and test_mapdb.c (whose random-trees case is in test_mapdb_model.c).
 * The last is built only where the Lab 2 reference of kernel/mapdb.c is
 * (grader/unit/Makefrag defines UNIT_MAPDB then).  CK_VERBOSITY=verbose in
 * the environment lists every test; the last line is Check's summary either
 * way.  The exit status is 0 only if every test passed.
 */
#include <check.h>
#include <stdlib.h>

Suite *fmt_suite(void);
Suite *frame_suite(void);
Suite *l4types_suite(void);
Suite *fpage_suite(void);
Suite *region_suite(void);
Suite *mapdb_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(fmt_suite());
    srunner_add_suite(sr, frame_suite());
    srunner_add_suite(sr, l4types_suite());
    srunner_add_suite(sr, fpage_suite());
    srunner_add_suite(sr, region_suite());
#ifdef UNIT_MAPDB
    srunner_add_suite(sr, mapdb_suite());
#endif
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
