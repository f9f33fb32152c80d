/* What the library logged (tests built with BMQTT_TEST_HOOKS; tests/support/hooks.c). */
#ifndef BMQTT_TEST_HOOKS_H
#define BMQTT_TEST_HOOKS_H
extern char bmqtt_test_last_log[256];
extern char bmqtt_test_log_all[16384]; /* every line, '\n' after each; clear it with [0] = 0 */
extern int bmqtt_test_logs;
#endif
