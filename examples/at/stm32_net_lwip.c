/*
 * The network of the STM32 AT modem (examples/at/stm32_uart_glue.c): app_net_open()
 * opens what AT+MQTTCONN asks for over lwIP's sockets (port/lwip, FreeRTOS + lwIP),
 * TLS through port/mbedtls over it (schemes 2-5), and WebSocket through
 * port/websocket over either (6-10). The TLS and WebSocket handshakes are driven
 * by the transports' own send/recv, so they run inside the client's first polls
 * and AT+MQTTCONN's timeout covers them.
 *
 * Built by `make at-cross` for Cortex-M4 twice: plain (scheme 1 only) and with
 * EXAMPLE_TLS=1 (all ten), against lwIP's headers and the MCU mbedTLS
 * configuration of port/mbedtls.
 */
#ifndef EXAMPLE_TLS
#define EXAMPLE_TLS 0
#endif

#include <string.h>

#include "bmqtt/at.h"
#include "bmqtt_lwip.h"
#if EXAMPLE_TLS
#include "bmqtt_tls.h"
#include "bmqtt_ws.h"
#endif

bmqtt_status_t app_net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms);

static bmqtt_lwip_t sock; /* zeroed: no socket */
static bmqtt_transport_t tcp_tr;

#if EXAMPLE_TLS
/* ---- provided by the board (as in examples/stm32-lwip) ---- */
int board_trng(void *ctx, unsigned char *out, size_t len, size_t *olen);
int64_t board_unix_time(void *ctx);
/* CA (for schemes 3, 5, 8, 10), client certificate and key (4, 5, 9, 10): PEM with their NUL. */
extern const uint8_t app_ca_pem[], app_cert_pem[], app_key_pem[];
extern const size_t app_ca_pem_len, app_cert_pem_len, app_key_pem_len;

static uint8_t tls_pool[40 * 1024]; /* mbedTLS's heap: docs/TLS.md gives the sizes */
static bmqtt_tls_t tls;
static bmqtt_transport_t tls_tr, ws_tr;
static bmqtt_ws_t ws;
static bmqtt_ws_config_t ws_cfg;
static uint8_t ws_tx[1024], ws_rx[1024];
static int tls_used;
/* The last connection's TLS session, offered on the next: a reconnect resumes instead of paying
 * a full ECDHE handshake. In backup SRAM (or RTC memory) it would survive a reset too. */
static uint8_t tls_session[512];
static size_t tls_session_len;

static int ws_random(void *ctx, unsigned char *out, size_t len)
{
    size_t n = 0;
    return board_trng(ctx, out, len, &n) == 0 && n == len ? 0 : -1;
}

/* WebSocket over @p lower; the path comes from AT+MQTTUSERCFG. */
static bmqtt_status_t ws_open(const bmqtt_at_open_t *req, const bmqtt_transport_t *lower, const bmqtt_transport_t **tr)
{
    bmqtt_status_t st;
    memset(&ws_cfg, 0, sizeof ws_cfg);
    ws_cfg.host = req->host;
    ws_cfg.port = req->port;
    ws_cfg.path = req->path[0] != '\0' ? req->path : "/";
    ws_cfg.tx_buf = ws_tx;
    ws_cfg.tx_size = sizeof ws_tx;
    ws_cfg.rx_buf = ws_rx;
    ws_cfg.rx_size = sizeof ws_rx;
    ws_cfg.random = ws_random;
    ws_cfg.crypto = &bmqtt_ws_crypto_mbedtls;
    bmqtt_ws_init(&ws);
    st = bmqtt_ws_setup(&ws, &ws_cfg, lower);
    if (st != BMQTT_OK) {
        return st;
    }
    bmqtt_ws_transport(&ws, &ws_tr);
    *tr = &ws_tr;
    return BMQTT_OK;
}
#endif

bmqtt_status_t app_net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    /* 6-10 are 1-5 with WebSocket on top. */
    uint8_t mode = req->scheme >= 6u ? (uint8_t)(req->scheme - 5u) : req->scheme;
    bmqtt_status_t st;
    (void)user;
    (void)now_ms;
#if !EXAMPLE_TLS
    if (req->scheme != 1u) {
        return BMQTT_ERR_AT_SCHEME; /* ERROR (0x600B): this build has TCP only */
    }
#endif
    st = bmqtt_lwip_connect(&sock, req->host, req->port, req->timeout_ms);
    if (st != BMQTT_OK) {
        return st; /* BMQTT_ERR_DNS: 0x6055 */
    }
    bmqtt_lwip_transport(&sock, &tcp_tr);
    *tr = &tcp_tr;
#if EXAMPLE_TLS
    if (mode >= 2u) {
        static bmqtt_tls_config_t cfg; /* read by the TLS context while it lives */
        size_t i;
        memset(&cfg, 0, sizeof cfg);
        cfg.host = req->sni != NULL ? req->sni : req->host;
        if (mode == 3u || mode == 5u) {
            cfg.ca = app_ca_pem;
            cfg.ca_len = app_ca_pem_len;
        } else {
            cfg.insecure = 1u;
        }
        if (mode == 4u || mode == 5u) {
            cfg.cert = app_cert_pem;
            cfg.cert_len = app_cert_pem_len;
            cfg.key = app_key_pem;
            cfg.key_len = app_key_pem_len;
        }
        for (i = 0; i < req->alpn_count && i < BMQTT_TLS_ALPN_MAX; i++) {
            cfg.alpn[i] = req->alpn[i];
        }
        cfg.entropy = board_trng;
        cfg.now = board_unix_time;
        if (!tls_used) {
            (void)bmqtt_tls_pool_init(tls_pool, sizeof tls_pool);
        } else {
            size_t n = 0;
            if (bmqtt_tls_session_save(&tls, tls_session, sizeof tls_session, &n) == BMQTT_OK) tls_session_len = n;
            bmqtt_tls_free(&tls); /* this connect's settings may differ from the last one's */
        }
        bmqtt_tls_init(&tls);
        tls_used = 1;
        st = bmqtt_tls_setup(&tls, &cfg, &tcp_tr);
        if (st != BMQTT_OK) {
            bmqtt_lwip_close(&sock);
            return st;
        }
        /* A session made with another host, CA or mode is refused: a full handshake follows. */
        if (tls_session_len) (void)bmqtt_tls_session_offer(&tls, tls_session, tls_session_len);
        bmqtt_tls_transport(&tls, &tls_tr);
        *tr = &tls_tr;
    }
    if (req->scheme >= 6u) {
        st = ws_open(req, *tr, tr);
        if (st != BMQTT_OK) {
            bmqtt_lwip_close(&sock);
            return st;
        }
    }
#else
    (void)mode;
#endif
    return BMQTT_OK;
}
