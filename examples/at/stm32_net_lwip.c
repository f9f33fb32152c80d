/*
 * The network of the STM32 AT modem (examples/at/stm32_uart_glue.c): app_net_open()
 * opens what AT+MQTTCONN asks for over lwIP's sockets (port/lwip, FreeRTOS + lwIP),
 * TLS through port/mbedtls over it (schemes 2-5), and WebSocket through
 * port/websocket over either (6-10). The TLS and WebSocket handshakes are driven
 * by the transports' own send/recv, so they run inside the client's first polls
 * and AT+MQTTCONN's timeout covers them. The TLS and WebSocket part is
 * examples/at/at_layers.c, which the emulated board's modem firmware shares.
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
#include "at_layers.h"
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
static uint8_t ws_tx[1024], ws_rx[1024];
/* TLS and WebSocket (at_layers.c), with the last TLS session: in backup SRAM (or RTC memory)
 * it would survive a reset too. */
static at_layers_t layers;
#endif

bmqtt_status_t app_net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms)
{
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
    if (layers.entropy == NULL) { /* the first connection */
        (void)bmqtt_tls_pool_init(tls_pool, sizeof tls_pool);
        at_layers_init(&layers, board_trng, board_unix_time, ws_tx, sizeof ws_tx, ws_rx, sizeof ws_rx, app_ca_pem,
                       app_ca_pem_len, app_cert_pem, app_cert_pem_len, app_key_pem, app_key_pem_len);
    }
    st = at_layers_open(&layers, req, &tcp_tr, tr);
    if (st != BMQTT_OK) {
        bmqtt_lwip_close(&sock);
        return st;
    }
#endif
    return BMQTT_OK;
}
