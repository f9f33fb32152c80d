/* TLS and WebSocket over the TCP connection AT+MQTTCONN asked for, as ESP-AT's scheme says
 * (AT+MQTTUSERCFG): 1 TCP; 2 TLS without verification; 3 TLS verifying the server against the
 * CA; 4 TLS with a client certificate, the server not verified; 5 both; 6-10 the same with
 * WebSocket on top. The STM32 modem's lwIP glue and the emulated board's modem firmware share
 * it; each opens TCP its own way (lwIP sockets, lwIP's raw API) and hands the transport here.
 *
 * The last connection's TLS session is kept and offered on the next: a reconnect resumes instead
 * of paying a full ECDHE handshake (a session made with another host, CA or mode is refused by
 * the server or by bmqtt_tls_session_offer(), and a full handshake follows). */
#ifndef AT_LAYERS_H
#define AT_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/at.h"
#include "bmqtt_tls.h"
#include "bmqtt_ws.h"

typedef struct at_layers {
    /* Set by at_layers_init() before the first at_layers_open(): */
    const uint8_t *ca, *cert, *key;       /* PEM with its NUL (or DER): schemes 3/5, 4/5 */
    size_t ca_len, cert_len, key_len;
    bmqtt_tls_entropy_fn entropy;         /* the board's TRNG: TLS and WebSocket masking keys */
    bmqtt_tls_time_fn now;                /* wall-clock time for certificate dates; NULL: none */
    uint8_t *ws_tx, *ws_rx;               /* WebSocket buffers (see bmqtt_ws.h, Memory) */
    size_t ws_tx_size, ws_rx_size;
    /* The layers' state (zeroed: none yet): */
    bmqtt_tls_t tls;
    bmqtt_tls_config_t tls_cfg;           /* read by the TLS context while it lives */
    bmqtt_ws_t ws;
    bmqtt_ws_config_t ws_cfg;
    bmqtt_transport_t tls_tr, ws_tr;
    int tls_used;                         /* tls holds mbedTLS state to free */
    uint8_t session[512];                 /* the last TLS session (bmqtt_tls_session_save()) */
    size_t session_len;
} at_layers_t;

/* Zero @p l and give it the board's entropy and clock, the WebSocket buffers and the
 * credentials (CA for schemes 3/5/8/10, client certificate and key for 4/5/9/10; NULL, 0 when
 * there are none). All are kept by reference. */
void at_layers_init(at_layers_t *l, bmqtt_tls_entropy_fn entropy, bmqtt_tls_time_fn now, uint8_t *ws_tx,
                    size_t ws_tx_size, uint8_t *ws_rx, size_t ws_rx_size, const uint8_t *ca, size_t ca_len,
                    const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len);

/* Stack TLS and WebSocket on @p tcp as req->scheme says; *top is what the client talks to.
 * Their handshakes run inside the client's first polls, within AT+MQTTCONN's timeout.
 * BMQTT_ERR_AT_SCHEME for a scheme outside 1..10; the caller closes TCP on any failure. */
bmqtt_status_t at_layers_open(at_layers_t *l, const bmqtt_at_open_t *req, const bmqtt_transport_t *tcp,
                              const bmqtt_transport_t **top);

/* 1 when TLS holds decrypted bytes the client has not read (do not sleep then). */
int at_layers_pending(const at_layers_t *l);

/* Release mbedTLS's memory (at the end; at_layers_open() frees the last connection's itself). */
void at_layers_free(at_layers_t *l);

#endif /* AT_LAYERS_H */
