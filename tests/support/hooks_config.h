/* Included first in every file of `make test-client-hooks`: the library's log and
 * assert hooks call the test's functions (tests/support/hooks.c), so the
 * client's suites run with every invariant checked and every log line seen. */
#ifndef BMQTT_TEST_HOOKS_CONFIG_H
#define BMQTT_TEST_HOOKS_CONFIG_H
void bmqtt_test_log(const char *fmt, ...);
void bmqtt_test_assert_failed(const char *what, const char *file, int line);
#define BMQTT_LOG(...) bmqtt_test_log(__VA_ARGS__)
#define BMQTT_ASSERT(x) ((x) ? (void)0 : bmqtt_test_assert_failed(#x, __FILE__, __LINE__))
#endif
