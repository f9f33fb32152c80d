/*
 * The runner behind tests/qemu/include/cmocka.h: runs a group of tests the
 * way CMocka does (group setup, then per test: setup, test, teardown, then
 * group teardown) and prints CMocka's lines. A failed assertion longjmps back
 * here; memory the test allocated is not freed (the image ends soon after).
 * The group's return value is the number of failed tests, as with CMocka.
 *
 * Debian's newlib printf has no C99 length modifiers (%zu, %jd print as "zu"),
 * so this file prints with %lu/%ld and casts.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka.h"

static jmp_buf cm_jump;
static int cm_in_test;

enum { CM_FAILED = 1, CM_SKIPPED = 2 };

static void cm_stop(int how) __attribute__((noreturn));
static void cm_stop(int how)
{
    if (cm_in_test) longjmp(cm_jump, how);
    fputs("cmocka: assertion failed outside a test\n", stderr);
    exit(255);
}

static void cm_vprint(FILE *f, const char *format, va_list ap)
{
    vfprintf(f, format, ap);
}

void print_message(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    cm_vprint(stdout, format, ap);
    va_end(ap);
}

void print_error(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    cm_vprint(stderr, format, ap);
    va_end(ap);
}

void _cm_assert_true(int ok, const char *expr, const char *file, int line)
{
    if (ok) return;
    fprintf(stderr, "[   LINE   ] --- %s:%d: error: Failure!\n    %s\n", file, line, expr);
    cm_stop(CM_FAILED);
}

void _cm_assert_int(LargestIntegralType a, LargestIntegralType b, int want_equal, const char *file, int line)
{
    if ((a == b) == want_equal) return;
    fprintf(stderr, "[   LINE   ] --- %s:%d: error: %ld (%#lx) %s %ld (%#lx)\n", file, line, (long)a, (unsigned long)a,
            want_equal ? "!=" : "==", (long)b, (unsigned long)b);
    cm_stop(CM_FAILED);
}

void _cm_assert_range(LargestIntegralType v, LargestIntegralType lo, LargestIntegralType hi, int want_in,
                      const char *file, int line)
{
    if ((v >= lo && v <= hi) == want_in) return;
    fprintf(stderr, "[   LINE   ] --- %s:%d: error: %lu is %s %lu..%lu\n", file, line, (unsigned long)v,
            want_in ? "outside" : "inside", (unsigned long)lo, (unsigned long)hi);
    cm_stop(CM_FAILED);
}

void _cm_assert_string(const char *a, const char *b, int want_equal, const char *file, int line)
{
    int equal = (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
    if (equal == want_equal) return;
    fprintf(stderr, "[   LINE   ] --- %s:%d: error: \"%s\" %s \"%s\"\n", file, line, a ? a : "(null)",
            want_equal ? "!=" : "==", b ? b : "(null)");
    cm_stop(CM_FAILED);
}

void _cm_assert_memory(const void *a, const void *b, size_t n, int want_equal, const char *file, int line)
{
    const unsigned char *x = a, *y = b;
    size_t i = 0;
    while (i < n && x[i] == y[i]) i++;
    if ((i == n) == want_equal) return;
    if (want_equal)
        fprintf(stderr, "[   LINE   ] --- %s:%d: error: %lu bytes differ at offset %lu: 0x%02x != 0x%02x\n", file,
                line, (unsigned long)n, (unsigned long)i, x[i], y[i]);
    else
        fprintf(stderr, "[   LINE   ] --- %s:%d: error: %lu bytes are equal\n", file, line, (unsigned long)n);
    cm_stop(CM_FAILED);
}

void _cm_fail(const char *file, int line, const char *format, ...)
{
    fprintf(stderr, "[   LINE   ] --- %s:%d: error: Failure!", file, line);
    if (format != NULL) {
        va_list ap;
        va_start(ap, format);
        fputs("\n    ", stderr);
        vfprintf(stderr, format, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    cm_stop(CM_FAILED);
}

void _cm_skip(const char *file, int line)
{
    (void)file;
    (void)line;
    cm_stop(CM_SKIPPED);
}

/* Runs one fixture or test function; returns 0, CM_FAILED or CM_SKIPPED. */
static int cm_call(CMUnitTestFunction test, CMFixtureFunction fixture, void **state)
{
    volatile int result = 0;
    cm_in_test = 1;
    int how = setjmp(cm_jump);
    if (how == 0) {
        if (test != NULL) test(state);
        else if (fixture(state) != 0) result = CM_FAILED;
    } else {
        result = how;
    }
    cm_in_test = 0;
    return result;
}

int _cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
    void *group_state = NULL;
    unsigned long passed = 0, failed = 0, skipped = 0;
    const unsigned long n = (unsigned long)count;
    const char *failed_names[64];

    printf("[==========] %s: Running %lu test(s).\n", group_name, n);
    if (group_setup != NULL && cm_call(NULL, group_setup, &group_state) != 0) {
        printf("[  ERROR   ] %s: group setup failed\n", group_name);
        printf("qemu-test: %s: 0 passed, %lu failed (group setup)\n", group_name, n);
        return (int)count;
    }
    for (size_t i = 0; i < count; i++) {
        const struct CMUnitTest *t = &tests[i];
        void *state = t->initial_state != NULL ? t->initial_state : group_state;
        printf("[ RUN      ] %s\n", t->name);
        int r = 0;
        if (t->setup_func != NULL) r = cm_call(NULL, t->setup_func, &state);
        if (r == 0) r = cm_call(t->test_func, NULL, &state);
        if (t->teardown_func != NULL && cm_call(NULL, t->teardown_func, &state) != 0 && r == 0) r = CM_FAILED;
        if (r == 0) {
            passed++;
            printf("[       OK ] %s\n", t->name);
        } else if (r == CM_SKIPPED) {
            skipped++;
            printf("[  SKIPPED ] %s\n", t->name);
        } else {
            if (failed < sizeof failed_names / sizeof failed_names[0]) failed_names[failed] = t->name;
            failed++;
            printf("[  FAILED  ] %s\n", t->name);
        }
    }
    if (group_teardown != NULL && cm_call(NULL, group_teardown, &group_state) != 0) {
        printf("[  ERROR   ] %s: group teardown failed\n", group_name);
        failed++;
    }
    printf("[==========] %s: %lu test(s) run.\n", group_name, n);
    printf("[  PASSED  ] %lu test(s).\n", passed);
    if (skipped) printf("[  SKIPPED ] %lu test(s).\n", skipped);
    if (failed) {
        printf("[  FAILED  ] %lu test(s), listed below:\n", failed);
        for (unsigned long i = 0; i < failed && i < sizeof failed_names / sizeof failed_names[0]; i++)
            printf("[  FAILED  ] %s\n", failed_names[i]);
    }
    printf("qemu-test: %s: %lu passed, %lu failed, %lu skipped\n", group_name, passed, failed, skipped);
    fflush(stdout);
    return (int)failed;
}
