/* The log and assert hooks of tests/support/hooks_config.h: the last log line
 * and a count, and an abort on any failed invariant. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks.h"

char bmqtt_test_last_log[256];
char bmqtt_test_log_all[16384];
int bmqtt_test_logs;

void bmqtt_test_log(const char *fmt, ...);
void bmqtt_test_assert_failed(const char *what, const char *file, int line);

void bmqtt_test_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(bmqtt_test_last_log, sizeof bmqtt_test_last_log, fmt, ap);
    va_end(ap);
    bmqtt_test_logs++;
    /* Every line since the test cleared it; the oldest give way when it is full. */
    size_t have = strlen(bmqtt_test_log_all), line = strlen(bmqtt_test_last_log) + 1;
    if (have + line >= sizeof bmqtt_test_log_all) have = 0;
    snprintf(bmqtt_test_log_all + have, sizeof bmqtt_test_log_all - have, "%s\n", bmqtt_test_last_log);
}

void bmqtt_test_assert_failed(const char *what, const char *file, int line)
{
    fprintf(stderr, "BMQTT_ASSERT(%s) failed at %s:%d\n", what, file, line);
    abort();
}
