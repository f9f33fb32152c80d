/* libFuzzer harness for port/websocket: the opening-handshake parser and the frame
 * receiver, fed what a server sends.
 *
 * Input: one options byte, then the server's bytes (the 101 response and frames;
 * seeds are captured from mosquitto, RabbitMQ and the hostile test server with
 * RFC 6455's example key, whose accept value the harness's random source
 * reproduces). The options pick the lower transport's chunk sizes, the receive
 * buffer size, the caller's read size, and allow_no_subprotocol.
 *
 * Checked on every input: recv never returns more than asked and never writes
 * outside the caller's buffer (ASan); an error is sticky; nothing but the
 * request is sent after a refused handshake; after a framing error only one
 * close frame goes out; and once the handshake is accepted, the bytes recv
 * delivers and the status it ends with equal those of a plain reference parser
 * of RFC 6455 section 5.2 written here over the whole input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt_ws.h"

#define ABORT_IF(c) do { if (c) abort(); } while (0)

static const uint8_t *in;
static size_t in_len, in_pos;
static unsigned chunk_sel, calls;
static uint8_t out[4096];
static size_t out_len;

static size_t chunk(size_t n)
{
    static const size_t sizes[8] = { 1, 2, 3, 7, 16, 100, 1000, 1u << 20 };
    size_t k = sizes[(chunk_sel + calls) & 7u];
    calls++;
    return n < k ? n : k;
}

static int32_t lw_send(void *ctx, const uint8_t *b, size_t n)
{
    size_t k = chunk(n);
    (void)ctx;
    if (out_len + k > sizeof out) k = sizeof out - out_len;
    if (k == 0) return BMQTT_WOULD_BLOCK;
    memcpy(out + out_len, b, k);
    out_len += k;
    return (int32_t)k;
}

static int32_t lw_recv(void *ctx, uint8_t *b, size_t n)
{
    size_t k;
    (void)ctx;
    if (in_pos == in_len) return BMQTT_ERR_CLOSED;
    if ((calls & 15u) == 5u) {
        calls++;
        return BMQTT_WOULD_BLOCK;
    }
    k = chunk(n);
    if (k > in_len - in_pos) k = in_len - in_pos;
    memcpy(b, in + in_pos, k);
    in_pos += k;
    return (int32_t)k;
}

static int fixed_random(void *ctx, unsigned char *o, size_t len)
{
    (void)ctx;
    if (len == 16) memcpy(o, "the sample nonce", 16);
    else memset(o, 0x5A, len);
    return 0;
}

/* Reference: the data stream and end status of frames p[0..n), as RFC 6455 section 5 and
 * the port's documented policy say, parsed in one pass over the whole buffer. */
static int32_t reference(const uint8_t *p, size_t n, uint8_t *data, size_t *data_len, uint16_t *code)
{
    size_t i = 0;
    int in_msg = 0;
    *data_len = 0;
    *code = 0;
    while (i < n) {
        uint8_t b0 = p[i], op = b0 & 0x0F, fin = b0 >> 7;
        uint64_t len;
        size_t h = 2;
        if (b0 & 0x70) return BMQTT_ERR_WS_RSV;
        if (op == 1) return BMQTT_ERR_WS_TEXT;
        if ((op > 2 && op < 8) || op > 10) return BMQTT_ERR_WS_OPCODE;
        if (op >= 8 && !fin) return BMQTT_ERR_WS_CONTROL;
        if (op < 8 && (op == 0) != in_msg) return BMQTT_ERR_WS_FRAGMENT;
        if (i + 1 >= n) return BMQTT_ERR_WS_TRUNCATED;
        if (p[i + 1] & 0x80) return BMQTT_ERR_WS_MASKED;
        len = p[i + 1] & 0x7F;
        if (op >= 8 && len > 125) return BMQTT_ERR_WS_CONTROL;
        if (len == 126) {
            if (i + 4 > n) return BMQTT_ERR_WS_TRUNCATED;
            len = (uint64_t)p[i + 2] << 8 | p[i + 3];
            h = 4;
            if (len < 126) return BMQTT_ERR_WS_LENGTH;
        } else if (len == 127) {
            if (i + 10 > n) return BMQTT_ERR_WS_TRUNCATED;
            len = 0;
            for (int k = 0; k < 8; k++) len = len << 8 | p[i + 2 + k];
            h = 10;
            if (len >> 63) return BMQTT_ERR_WS_LENGTH;
            if (len > 0xFFFFFFFFu) return BMQTT_ERR_WS_TOO_BIG;
            if (len <= 0xFFFF) return BMQTT_ERR_WS_LENGTH;
        }
        if (op < 8 && len > BMQTT_WS_MAX_FRAME_DEFAULT) return BMQTT_ERR_WS_TOO_BIG;
        i += h;
        if (op < 8) {
            size_t take = (size_t)((uint64_t)(n - i) < len ? (uint64_t)(n - i) : len);
            memcpy(data + *data_len, p + i, take);
            *data_len += take;
            if (take < len) return BMQTT_ERR_WS_TRUNCATED;
            in_msg = !fin;
            i += take;
            continue;
        }
        if (n - i < len) return BMQTT_ERR_WS_TRUNCATED;
        if (op == 8) {
            if (len == 0) { *code = 1005; return BMQTT_ERR_WS_CLOSED; }
            if (len == 1) return BMQTT_ERR_WS_CONTROL;
            *code = (uint16_t)(p[i] << 8 | p[i + 1]);
            if (!((*code >= 1000 && *code <= 1003) || (*code >= 1007 && *code <= 1014) ||
                  (*code >= 3000 && *code <= 4999))) { *code = 0; return BMQTT_ERR_WS_CONTROL; }
            return BMQTT_ERR_WS_CLOSED;
        }
        i += (size_t)len;
    }
    *code = 1006;
    return in_msg ? BMQTT_ERR_WS_TRUNCATED : BMQTT_ERR_CLOSED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t rx_sizes[4] = { 260, 300, 512, 2048 };
    static uint8_t tx[BMQTT_WS_TX_MIN + 16];
    static uint8_t ref[1 << 17];
    uint8_t *rx, *got;
    size_t got_len = 0, want_len = 0, req_len = 0;
    bmqtt_ws_config_t cfg;
    bmqtt_ws_t ws;
    bmqtt_transport_t lower = { lw_send, lw_recv, NULL, NULL };
    int32_t r = 0, first_err = 0;
    uint16_t want_code;
    size_t rd;

    if (size < 1 || size > sizeof ref) return 0;
    chunk_sel = data[0] & 7u;
    calls = 0;
    in = data + 1;
    in_len = size - 1;
    in_pos = 0;
    out_len = 0;
    rd = (size_t)1 << ((data[0] >> 5) & 7u); /* caller's read size 1..128 */
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "localhost";
    cfg.path = "/mqtt";
    cfg.tx_buf = tx;
    cfg.tx_size = sizeof tx;
    cfg.rx_size = rx_sizes[(data[0] >> 3) & 3u];
    rx = malloc(cfg.rx_size); /* exact size: ASan sees any read or write past it */
    got = malloc(size + 1);
    cfg.rx_buf = rx;
    cfg.random = fixed_random;
    cfg.crypto = &bmqtt_ws_crypto_mbedtls;
    cfg.allow_no_subprotocol = (uint8_t)(data[0] >> 7);
    bmqtt_ws_init(&ws);
    ABORT_IF(bmqtt_ws_setup(&ws, &cfg, &lower) != BMQTT_OK);

    for (int guard = 0; guard < 1000000; guard++) {
        uint8_t *dst = malloc(rd);
        r = bmqtt_ws_recv(&ws, dst, rd);
        if (r > 0) {
            ABORT_IF((size_t)r > rd || got_len + (size_t)r > size);
            memcpy(got + got_len, dst, (size_t)r);
            got_len += (size_t)r;
        }
        free(dst);
        if (r == BMQTT_OK || r == BMQTT_WOULD_BLOCK || r > 0) continue;
        first_err = r;
        break;
    }
    ABORT_IF(first_err == 0);
    /* Sticky: every later call says the same. */
    ABORT_IF(bmqtt_ws_recv(&ws, got, 1) != first_err);
    ABORT_IF(bmqtt_ws_send(&ws, (const uint8_t *)"x", 1) != first_err);

    /* What went out: the request, then (after a framing error or a close) one close frame at most. */
    {
        const uint8_t *e = memmem(out, out_len, "\r\n\r\n", 4);
        ABORT_IF(e == NULL && bmqtt_ws_is_open(&ws)); /* the whole request goes before the answer is read */
        req_len = e ? (size_t)(e - out) + 4 : out_len;
    }
    if (!bmqtt_ws_is_open(&ws)) {
        ABORT_IF(out_len != req_len); /* nothing after a refused handshake */
        ABORT_IF(got_len != 0);
    } else {
        /* The server's bytes after its header, parsed by the reference. */
        const uint8_t *h = memmem(in, in_len, "\r\n\r\n", 4);
        size_t off = (size_t)(h - in) + 4;
        int32_t want = reference(in + off, in_len - off, ref, &want_len, &want_code);
        ABORT_IF(h == NULL);
        ABORT_IF(want != first_err);
        ABORT_IF(want_len != got_len || memcmp(ref, got, got_len) != 0);
        ABORT_IF(want_code != bmqtt_ws_close_code(&ws) && (want == BMQTT_ERR_WS_CLOSED || want == BMQTT_ERR_CLOSED));
        /* Only control frames (pongs, one close) went out after the request, every one
         * masked; the last may stop short (sent once, without waiting), nothing follows a close. */
        for (size_t i = req_len; i < out_len;) {
            size_t n;
            ABORT_IF(out[i] != 0x88 && out[i] != 0x8A);
            if (out_len - i < 2) break;
            ABORT_IF(!(out[i + 1] & 0x80) || (out[i + 1] & 0x7F) > 125);
            n = 6u + (out[i + 1] & 0x7Fu);
            if (out[i] == 0x88) ABORT_IF(out_len - i > n);
            if (out_len - i <= n) break;
            i += n;
        }
    }
    bmqtt_ws_close(&ws);
    free(rx);
    free(got);
    return 0;
}
