/*
 * libFuzzer harness for the ESP-AT interpreter (include/bmqtt/at.h): the UART
 * input path (command lines, `>` prompts, raw data, any split) together with
 * the broker's bytes and the clock, over the real client and an in-memory
 * broker that answers CONNECT, SUBSCRIBE, UNSUBSCRIBE and QoS 1/2 PUBLISH.
 *
 * The input is a list of records, each a control byte then data:
 *   c & 3 == 0: (c >> 2) + 1 bytes to the UART, one bmqtt_at_input() call
 *   c & 3 == 1: (c >> 2) + 1 bytes from the broker (a PUBLISH the fuzzer made, garbage...)
 *   c & 3 == 2: poll, the clock (c >> 2) * 250 ms later
 *   c & 3 == 3: (c >> 2) + 1 bytes to the UART, one byte per call
 * Checks: nothing crashes or leaks (ASan/UBSan), the state stays in 0..6,
 * every output byte goes through the write hook within the writes' total.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bmqtt/at.h"
#include "bmqtt/codec.h"

static uint8_t txb[1024], rxb[512], outbox[1024], raw[2048];
static bmqtt_inflight_t inflight[4];
static uint16_t qos2[4];
static bmqtt_at_t at;
static size_t out_total;

static uint8_t b_in[4096], b_out[8192];
static size_t b_in_len, b_out_len, b_out_pos;
static int b_closed;
static bmqtt_transport_t tr;

static void uart_write(void *user, const uint8_t *buf, size_t len)
{
    volatile uint8_t sink = 0;
    size_t i;
    (void)user;
    for (i = 0; i < len; i++) {
        sink ^= buf[i]; /* every byte must be readable */
    }
    out_total += len;
}

static void b_queue(const uint8_t *p, size_t n)
{
    if (b_out_len + n <= sizeof b_out) {
        memcpy(b_out + b_out_len, p, n);
        b_out_len += n;
    }
}

static void b_answer(const bmqtt_packet_t *pk)
{
    uint8_t b[16];
    size_t n;
    switch (pk->type) {
    case BMQTT_CONNECT: {
        bmqtt_connack_t ca = { 0, 0 };
        if (bmqtt_connack_encode(&ca, b, sizeof b, &n) == BMQTT_OK) {
            b_queue(b, n);
        }
        break;
    }
    case BMQTT_SUBSCRIBE: {
        uint8_t code = 1;
        if (bmqtt_suback_encode(pk->u.subscribe.packet_id, &code, 1u, b, sizeof b, &n) == BMQTT_OK) {
            b_queue(b, n);
        }
        break;
    }
    case BMQTT_UNSUBSCRIBE:
        if (bmqtt_ack_encode(BMQTT_UNSUBACK, pk->u.unsubscribe.packet_id, b, sizeof b, &n) == BMQTT_OK) {
            b_queue(b, n);
        }
        break;
    case BMQTT_PUBLISH:
        if (pk->u.publish.qos > 0u &&
            bmqtt_ack_encode(pk->u.publish.qos == 1u ? BMQTT_PUBACK : BMQTT_PUBREC, pk->u.publish.packet_id, b,
                             sizeof b, &n) == BMQTT_OK) {
            b_queue(b, n);
        }
        break;
    case BMQTT_PUBREL:
        if (bmqtt_ack_encode(BMQTT_PUBCOMP, pk->u.packet_id, b, sizeof b, &n) == BMQTT_OK) {
            b_queue(b, n);
        }
        break;
    default:
        break;
    }
}

static int32_t b_send(void *ctx, const uint8_t *buf, size_t len)
{
    bmqtt_packet_t pk;
    size_t used;
    (void)ctx;
    if (b_closed) {
        return BMQTT_ERR_CLOSED;
    }
    if (len > sizeof b_in - b_in_len) {
        len = sizeof b_in - b_in_len;
    }
    memcpy(b_in + b_in_len, buf, len);
    b_in_len += len;
    while (b_in_len > 0u) {
        bmqtt_status_t st = bmqtt_decode(b_in, b_in_len, &pk, &used);
        if (st == BMQTT_NEED_MORE) {
            break;
        }
        if (st != BMQTT_OK) {
            b_in_len = 0u; /* the client never sends this: the fuzzer would have found it */
            __builtin_trap();
        }
        b_answer(&pk);
        memmove(b_in, b_in + used, b_in_len - used);
        b_in_len -= used;
    }
    return len == 0u ? BMQTT_WOULD_BLOCK : (int32_t)len;
}

static int32_t b_recv(void *ctx, uint8_t *buf, size_t len)
{
    size_t n = b_out_len - b_out_pos;
    (void)ctx;
    if (n == 0u) {
        return b_closed ? BMQTT_ERR_CLOSED : BMQTT_WOULD_BLOCK;
    }
    if (n > len) {
        n = len;
    }
    memcpy(buf, b_out + b_out_pos, n);
    b_out_pos += n;
    if (b_out_pos == b_out_len) {
        b_out_pos = b_out_len = 0u;
    }
    return (int32_t)n;
}

static void b_close(void *ctx)
{
    (void)ctx;
    b_closed = 1;
}

static bmqtt_status_t net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **t, uint32_t now_ms)
{
    (void)user;
    (void)now_ms;
    if (req->host == NULL || req->scheme < 1u || req->scheme > 10u) {
        __builtin_trap();
    }
    if (req->port == 1u) {
        return BMQTT_ERR_CONNECT; /* a way for the fuzzer to reach the failure paths */
    }
    if (req->port == 2u) {
        return BMQTT_WOULD_BLOCK;
    }
    b_closed = 0;
    b_in_len = b_out_len = b_out_pos = 0u;
    tr.send = b_send;
    tr.recv = b_recv;
    tr.close = b_close;
    tr.ctx = NULL;
    *t = &tr;
    return BMQTT_OK;
}

static int hook(void *user, bmqtt_at_t *a, const char *cmd, size_t len)
{
    (void)user;
    if (len > 0u && cmd[len] != '\0') {
        __builtin_trap(); /* documented: NUL-terminated */
    }
    if (len >= 3u && cmd[1] == 'C' && cmd[2] == 'W') {
        bmqtt_at_ok(a);
        return 1;
    }
    return 0;
}

static const bmqtt_at_config_t cfg = { .write = uart_write, .open = net_open, .command = hook, .tx_buf = txb,
    .tx_size = sizeof txb, .rx_buf = rxb, .rx_size = sizeof rxb, .inflight = inflight, .inflight_count = 4,
    .qos2_ids = qos2, .qos2_count = 4, .outbox = outbox, .outbox_size = sizeof outbox, .raw_buf = raw,
    .raw_size = sizeof raw };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i = 0;
    uint32_t now = 1000u;
    b_closed = 0;
    b_in_len = b_out_len = b_out_pos = 0u;
    out_total = 0u;
    if (bmqtt_at_init(&at, &cfg) != BMQTT_OK) {
        __builtin_trap();
    }
    while (i < size) {
        uint8_t c = data[i++];
        size_t n = (size_t)(c >> 2) + 1u, k;
        if (n > size - i) {
            n = size - i;
        }
        switch (c & 3u) {
        case 0:
            (void)bmqtt_at_input(&at, data + i, n);
            i += n;
            break;
        case 1:
            b_queue(data + i, n);
            i += n;
            break;
        case 2:
            now += (uint32_t)(c >> 2) * 250u;
            (void)bmqtt_at_poll(&at, now);
            break;
        default:
            for (k = 0; k < n; k++) {
                (void)bmqtt_at_input(&at, data + i + k, 1u);
            }
            i += n;
            break;
        }
        (void)bmqtt_at_poll(&at, now);
        if (bmqtt_at_state(&at) > 6) {
            __builtin_trap();
        }
    }
    /* drain: every wait ends within its deadline (60 s at most) */
    for (i = 0; i < 70; i++) {
        now += 1000u;
        (void)bmqtt_at_poll(&at, now);
    }
    if (bmqtt_at_busy(&at) && at.mode == 0u) {
        __builtin_trap(); /* a command that never answers */
    }
    return 0;
}
