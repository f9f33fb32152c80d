/* bmqtt-cli: a tracing transport (example code, not part of the library).
 *
 * It wraps any bmqtt_transport_t and sits between it and the client. It always
 * keeps the first bytes the server sent (so the CLI can tell "not an MQTT
 * server" from a broken broker); with printing on (-d) it also cuts both byte
 * streams into packets with two bmqtt_framer_t, decodes each with the codec
 * and prints one line per packet, in mosquitto's -d style:
 *
 *   Client x sending PUBLISH (d0, q1, r0, m1, 'a/b', ... (5 bytes))
 *
 * It knows nothing of the client's internals: only bytes that the transport
 * below really moved are traced, in the order they moved. */
#ifndef BMQTT_CLI_TRACE_H
#define BMQTT_CLI_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bmqtt/codec.h"
#include "bmqtt/transport.h"

/* Bytes of each packet kept for decoding: every header, topic and id fits;
 * a longer PUBLISH payload is counted, not kept. */
#define CLI_TRACE_KEEP (65536u + 16u)
#define CLI_TRACE_FIRST 48u

typedef struct cli_trace_stream {
    bmqtt_framer_t framer;
    uint8_t buf[CLI_TRACE_KEEP]; /* the current packet's first bytes */
    size_t held;                 /* of them, in buf */
    size_t seen;                 /* bytes of the current packet so far */
    int dead;                    /* the framer failed: the stream cannot be cut any more */
} cli_trace_stream_t;

typedef struct cli_trace {
    const bmqtt_transport_t *lower;
    FILE *out;      /* NULL: record only, print nothing */
    const char *id; /* "Client <id> ..." */
    cli_trace_stream_t tx, rx;
    uint8_t first[CLI_TRACE_FIRST]; /* the first bytes received on this connection */
    size_t first_len;
    uint64_t sent; /* MQTT bytes the transport below took on this connection */
} cli_trace_t;

/* Wrap @p lower; @p out NULL records the first bytes only. Fills @p tr. */
void cli_trace_init(cli_trace_t *t, const bmqtt_transport_t *lower, FILE *out, const char *id,
                    bmqtt_transport_t *tr);

/* A new connection: forget the streams and the first bytes. */
void cli_trace_reset(cli_trace_t *t);

/* The first bytes received, quoted with C escapes into @p dst (NUL-terminated). */
void cli_trace_first_bytes(const cli_trace_t *t, char *dst, size_t cap);

#endif
