/* bmqtt-cli sub -F: one message printed as mosquitto_sub's format string says
 * (docs/CLI.md): % specifiers (message fields, %I %U times, %j %J JSON), @
 * strftime specifiers, with the \ escapes already turned into bytes by
 * cli_args.c. Example code, not part of the library. */
#ifndef BMQTT_CLI_FORMAT_H
#define BMQTT_CLI_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One whole message (the chunks of a large one put together). */
typedef struct cli_format_msg {
    const uint8_t *topic;
    size_t topic_len;
    const uint8_t *payload;
    size_t payload_len;
    unsigned qos;
    unsigned retain;
    unsigned mid;
} cli_format_msg_t;

/* Print @p m on @p out as @p fmt (@p fmt_len bytes) says; @p pretty: --pretty
 * (%j and %J indented with tabs). A %J payload that is not JSON prints nothing
 * in its place and one line on stderr, as mosquitto_sub does. */
void cli_format_print(FILE *out, const char *fmt, size_t fmt_len, const cli_format_msg_t *m, int pretty);

#endif
