/*
 * The host unit tests (`make check`): one Check runner for the suites of
 * test_fmt.c, test_frame.c and test_l4types.c.  CK_VERBOSITY=verbose in the environment
 * lists every test; the last line is Check's summary either way.  The exit
 * status is 0 only if every test passed.
 */
#include <check.h>
#include <stdlib.h>

Suite *fmt_suite(void);
Suite *frame_suite(void);
Suite *l4types_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(fmt_suite());
    srunner_add_suite(sr, frame_suite());
    srunner_add_suite(sr, l4types_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
