/*
 * The runner's own check, run before the real images: two tests must fail,
 * one must be skipped and two must pass, and QEMU must hand the failure count
 * (2) back as its exit code. A test image that cannot fail proves nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static int fixture_ran;

static int setup(void **state)
{
    static int value = 42;
    *state = &value;
    fixture_ran = 1;
    return 0;
}

static void test_passes(void **state)
{
    assert_int_equal(*(int *)*state, 42);
    assert_true(fixture_ran);
    assert_memory_equal("abc", "abc", 3);
    assert_string_equal("x", "x");
    assert_int_equal(-1, (int8_t)-1);
}

static void test_fails_on_int(void **state)
{
    (void)state;
    assert_int_equal(1, 2);
}

static void test_fails_on_message(void **state)
{
    (void)state;
    fail_msg("expected failure %d", 7);
}

static void test_skips(void **state)
{
    (void)state;
    skip();
}

static void test_runs_after_failures(void **state)
{
    (void)state;
    assert_non_null(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_passes, setup),
        cmocka_unit_test(test_fails_on_int),
        cmocka_unit_test(test_fails_on_message),
        cmocka_unit_test(test_skips),
        cmocka_unit_test(test_runs_after_failures),
    };
    return cmocka_run_group_tests_name("runner self-test", tests, NULL, NULL);
}
