/*
 * libFuzzer harness: saved TLS sessions (port/mbedtls bmqtt_tls_session_offer()).
 *
 * A saved session comes back from retained RAM or flash after a reset, where
 * it may be torn, decayed or from another firmware. Every input must end in
 * BMQTT_OK, BMQTT_ERR_TLS_SESSION or BMQTT_ERR_TLS_ALLOC, never a crash, and
 * leave the context usable (a second offer, a save, forget).
 *
 * Two shapes of input, chosen by the first byte:
 *  - even: the bytes as they are (the envelope's own checks: tag, length, CRC, binding);
 *  - odd:  the rest wrapped in a valid envelope for this context (right tag,
 *          length, binding and CRC), so that mbedTLS's mbedtls_ssl_session_load()
 *          sees the bytes: a copy whose CRC happens to match must not crash either.
 * Seeds: real sessions saved against mosquitto (tests/fuzz/seeds-tls-session).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt_tls.h"

static int32_t no_send(void *c, const uint8_t *b, size_t l)
{
    (void)c;
    (void)b;
    (void)l;
    return BMQTT_WOULD_BLOCK;
}

static int32_t no_recv(void *c, uint8_t *b, size_t l)
{
    (void)c;
    (void)b;
    (void)l;
    return BMQTT_WOULD_BLOCK;
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static bmqtt_tls_t tls;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[70000];
    const uint8_t *in = data;
    size_t n = size;
    bmqtt_status_t st;
    size_t len = 0;

    if (!ready) {
        bmqtt_tls_config_t cfg;
        bmqtt_transport_t lower = { no_send, no_recv, NULL, NULL };
        memset(&cfg, 0, sizeof cfg);
        cfg.host = "localhost";
        cfg.insecure = 1;
        bmqtt_tls_init(&tls);
        if (bmqtt_tls_setup(&tls, &cfg, &lower) != BMQTT_OK) abort();
        ready = 1;
    }
    if (size > 0 && (data[0] & 1u) != 0 && size - 1 + 20 <= sizeof buf) {
        n = size - 1;
        memcpy(buf, "bmts\x01\0\0\0", 8);
        put32(buf + 8, tls.bind);
        put32(buf + 12, (uint32_t)n);
        memcpy(buf + 16, data + 1, n);
        put32(buf + 16 + n, crc32(buf, 16 + n));
        in = buf;
        n += 20;
    }
    st = bmqtt_tls_session_offer(&tls, in, n);
    if (st != BMQTT_OK && st != BMQTT_ERR_TLS_SESSION && st != BMQTT_ERR_TLS_ALLOC) abort();
    if (st == BMQTT_OK) {
        /* What was accepted must save again, to the same length or a stated size. */
        st = bmqtt_tls_session_save(&tls, NULL, 0, &len);
        if (st != BMQTT_ERR_BUFFER_TOO_SMALL && st != BMQTT_ERR_TLS_HANDSHAKE) abort();
        if (st == BMQTT_ERR_BUFFER_TOO_SMALL && len <= sizeof buf &&
            bmqtt_tls_session_save(&tls, buf, sizeof buf, &len) != BMQTT_OK)
            abort();
    } else if (bmqtt_tls_session_save(&tls, buf, sizeof buf, &len) != BMQTT_ERR_NOT_CONNECTED) {
        abort(); /* a refused session is forgotten */
    }
    bmqtt_tls_session_forget(&tls);
    return 0;
}
