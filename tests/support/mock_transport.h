/* A scripted transport for client unit tests: bytes the "broker" sends are
 * queued with mock_push(), bytes the client sends are captured, and either
 * direction can be limited to N bytes per call or made to would-block. */
#ifndef MOCK_TRANSPORT_H
#define MOCK_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/transport.h"

typedef struct mock {
    uint8_t in[1 << 17];  /* broker -> client, not yet read */
    size_t in_len, in_pos;
    uint8_t out[1 << 17]; /* client -> broker */
    size_t out_len;
    size_t max_send, max_recv; /* bytes per call; 0: no limit */
    int send_block_every;      /* every Nth send call would-blocks (0: never) */
    int recv_block_every;
    int send_calls, recv_calls;
    size_t drop_at_out;        /* when non-zero: the link drops once out_total reaches it */
    size_t out_total;          /* bytes ever sent (not reset by mock_take_hex) */
    int32_t fail_recv;         /* returned by recv when the script is empty (0: would block) */
    int closed;
} mock_t;

void mock_init(mock_t *m, bmqtt_transport_t *t);
void mock_push(mock_t *m, const uint8_t *bytes, size_t len);
/* Push hex like "20 02 00 00". */
void mock_push_hex(mock_t *m, const char *hex);
/* Take (and forget) everything the client sent so far, as hex "10 0C ...". */
const char *mock_take_hex(mock_t *m);

#endif
