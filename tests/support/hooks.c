/* The log and assert hooks of tests/support/hooks_config.h: the last log line
 * and a count, and an abort on any failed invariant. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "hooks.h"

char bmqtt_test_last_log[256];
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
}

void bmqtt_test_assert_failed(const char *what, const char *file, int line)
{
    fprintf(stderr, "BMQTT_ASSERT(%s) failed at %s:%d\n", what, file, line);
    abort();
}
