/*
 * A firmware's use of port/mbedtls, for a Cortex-M4 --gc-sections link that
 * shows how much of mbedTLS (on port/mbedtls/bmqtt_mbedtls_config.h) a
 * firmware keeps: server verification against a CA, a client certificate and
 * key (mutual TLS), SNI, ALPN, max_fragment_length, the clock and entropy
 * hooks, the handshake driven through send/recv, close, reset, free, and the
 * static pool. Linked, never run (tests/tls/versions.sh).
 */
#include <stddef.h>
#include <stdint.h>

#include "bmqtt_tls.h"

/* The credentials would be in flash; volatile pointers keep the compiler from
 * folding anything away. */
extern const uint8_t *volatile link_ca, *volatile link_cert, *volatile link_key;
const uint8_t *volatile link_ca, *volatile link_cert, *volatile link_key;
static uint8_t pool[40 * 1024];
static uint8_t buf[256];

static int32_t tcp_send(void *ctx, const uint8_t *b, size_t n)
{
    (void)ctx;
    (void)b;
    return (int32_t)n;
}

static int32_t tcp_recv(void *ctx, uint8_t *b, size_t n)
{
    (void)ctx;
    (void)b;
    (void)n;
    return BMQTT_WOULD_BLOCK;
}

static int trng(void *ctx, unsigned char *out, size_t len, size_t *olen)
{
    (void)ctx;
    (void)out;
    *olen = len;
    return 0;
}

static int64_t now(void *ctx)
{
    (void)ctx;
    return 1767225600;
}

/* newlib's exit(), which mbedTLS's platform layer names, wants the startup code's _fini. */
void _fini(void);
void _fini(void)
{
}

int main(void);
int main(void)
{
    static bmqtt_tls_t tls;
    bmqtt_transport_t tcp = { tcp_send, tcp_recv, NULL, NULL };
    bmqtt_transport_t tr;
    bmqtt_tls_config_t cfg = { 0 };
    (void)bmqtt_tls_pool_init(pool, sizeof pool);
    cfg.host = "broker.example.com";
    cfg.ca = link_ca;
    cfg.cert = link_cert;
    cfg.key = link_key;
    cfg.alpn[0] = "mqtt";
    cfg.max_fragment = 4096u;
    cfg.entropy = trng;
    cfg.now = now;
    bmqtt_tls_init(&tls);
    if (bmqtt_tls_setup(&tls, &cfg, &tcp) != BMQTT_OK) {
        return 1;
    }
    bmqtt_tls_transport(&tls, &tr);
    (void)tr.send(tr.ctx, buf, sizeof buf);
    (void)tr.recv(tr.ctx, buf, sizeof buf);
    tr.close(tr.ctx);
    (void)bmqtt_tls_reset(&tls);
    bmqtt_tls_free(&tls);
    return 0;
}
