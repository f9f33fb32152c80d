/*
 * A small CMocka-compatible test runner for the on-target images (tests/qemu):
 * the subset of CMocka's API that tests/unit uses, so the same test files
 * build unchanged for a Cortex-M under QEMU, where CMocka itself is not
 * available. A failed assertion prints where and why, then jumps back to the
 * runner, which goes on with the next test. The output follows CMocka's.
 *
 * Not provided: mocking (will_return/mock/expect_*), which no test here uses.
 */
#ifndef BMQTT_QEMU_CMOCKA_H
#define BMQTT_QEMU_CMOCKA_H

#include <stddef.h>
#include <stdint.h>

typedef uintmax_t LargestIntegralType;

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }
#define cmocka_unit_test_setup(f, setup) { #f, f, setup, NULL, NULL }
#define cmocka_unit_test_teardown(f, teardown) { #f, f, NULL, teardown, NULL }
#define cmocka_unit_test_setup_teardown(f, setup, teardown) { #f, f, setup, teardown, NULL }
#define cmocka_unit_test_prestate(f, state) { #f, f, NULL, NULL, state }
#define cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, state) { #f, f, setup, teardown, state }

#define cmocka_run_group_tests(tests, setup, teardown)                                                      \
    _cmocka_run_group_tests(#tests, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)
#define cmocka_run_group_tests_name(name, tests, setup, teardown)                                           \
    _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

int _cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup, CMFixtureFunction group_teardown);

#define CM_INT(x) ((LargestIntegralType)(x))
#define CM_PTR(x) ((LargestIntegralType)(uintptr_t)(x))

#define assert_true(c) _cm_assert_true(!!(c), #c, __FILE__, __LINE__)
#define assert_false(c) _cm_assert_true(!(c), "!(" #c ")", __FILE__, __LINE__)
#define assert_non_null(p) _cm_assert_true((p) != NULL, #p " != NULL", __FILE__, __LINE__)
#define assert_null(p) _cm_assert_true((p) == NULL, #p " == NULL", __FILE__, __LINE__)
#define assert_int_equal(a, b) _cm_assert_int(CM_INT(a), CM_INT(b), 1, __FILE__, __LINE__)
#define assert_int_not_equal(a, b) _cm_assert_int(CM_INT(a), CM_INT(b), 0, __FILE__, __LINE__)
#define assert_ptr_equal(a, b) _cm_assert_int(CM_PTR(a), CM_PTR(b), 1, __FILE__, __LINE__)
#define assert_ptr_not_equal(a, b) _cm_assert_int(CM_PTR(a), CM_PTR(b), 0, __FILE__, __LINE__)
#define assert_in_range(v, lo, hi) _cm_assert_range(CM_INT(v), CM_INT(lo), CM_INT(hi), 1, __FILE__, __LINE__)
#define assert_not_in_range(v, lo, hi) _cm_assert_range(CM_INT(v), CM_INT(lo), CM_INT(hi), 0, __FILE__, __LINE__)
#define assert_string_equal(a, b) _cm_assert_string((const char *)(a), (const char *)(b), 1, __FILE__, __LINE__)
#define assert_string_not_equal(a, b) _cm_assert_string((const char *)(a), (const char *)(b), 0, __FILE__, __LINE__)
#define assert_memory_equal(a, b, n)                                                                        \
    _cm_assert_memory((const void *)(a), (const void *)(b), (size_t)(n), 1, __FILE__, __LINE__)
#define assert_memory_not_equal(a, b, n)                                                                    \
    _cm_assert_memory((const void *)(a), (const void *)(b), (size_t)(n), 0, __FILE__, __LINE__)
#define assert_return_code(rc, err) _cm_assert_true((intmax_t)(rc) >= 0, #rc " >= 0", __FILE__, __LINE__)

#define fail() _cm_fail(__FILE__, __LINE__, NULL)
#define fail_msg(...) _cm_fail(__FILE__, __LINE__, __VA_ARGS__)
#define skip() _cm_skip(__FILE__, __LINE__)

void print_message(const char *format, ...) __attribute__((format(printf, 1, 2)));
void print_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

void _cm_assert_true(int ok, const char *expr, const char *file, int line);
void _cm_assert_int(LargestIntegralType a, LargestIntegralType b, int want_equal, const char *file, int line);
void _cm_assert_range(LargestIntegralType v, LargestIntegralType lo, LargestIntegralType hi, int want_in,
                      const char *file, int line);
void _cm_assert_string(const char *a, const char *b, int want_equal, const char *file, int line);
void _cm_assert_memory(const void *a, const void *b, size_t n, int want_equal, const char *file, int line);
void _cm_fail(const char *file, int line, const char *format, ...) __attribute__((noreturn, format(printf, 3, 4)));
void _cm_skip(const char *file, int line) __attribute__((noreturn));

#endif /* BMQTT_QEMU_CMOCKA_H */
