/* bmqtt-cli --session-file PATH: the session in a file mapped as retained
 * memory (include/bmqtt/persist.h), so that a bmqtt-cli killed at any instant
 * and started again with the same file and client id (-c -i) resumes:
 * unacknowledged messages are resent, an incoming QoS 2 message is printed
 * once. Example code, not part of the library. */
#ifndef BMQTT_CLI_SESSION_H
#define BMQTT_CLI_SESSION_H

#include "bmqtt/client.h"

/* Map @p path (created when missing) and adopt the session in it; a message
 * on stderr says what was found. 0, or -1 after a message (file error). */
int cli_session_open(const char *path, bmqtt_client_t *c, int debug);

/* 1 when @p m, an incoming QoS 2 message the broker repeated (DUP), is the
 * last one already written to stdout before a reset: stdout is a regular file
 * whose end is this message as printed (@p verbose: "topic payload"). */
int cli_session_printed(const bmqtt_message_t *m, int verbose, int no_newline);

#endif
