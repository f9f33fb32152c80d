/* TLS and WebSocket for AT+MQTTCONN's schemes 2-10 (at_layers.h). Example code. */
#include "at_layers.h"

#include <string.h>

/* WebSocket masking keys from the same entropy source as TLS. */
static int ws_random(void *ctx, unsigned char *out, size_t len)
{
    const at_layers_t *l = (const at_layers_t *)ctx;
    size_t n = 0;
    return l->entropy(NULL, out, len, &n) == 0 && n == len ? 0 : -1;
}

static bmqtt_status_t tls_open(at_layers_t *l, const bmqtt_at_open_t *req, uint8_t mode, const bmqtt_transport_t *tcp)
{
    bmqtt_tls_config_t *cfg = &l->tls_cfg;
    bmqtt_status_t st;
    size_t i;

    memset(cfg, 0, sizeof *cfg);
    cfg->host = req->sni != NULL ? req->sni : req->host;
    if (mode == 3u || mode == 5u) {
        cfg->ca = l->ca;
        cfg->ca_len = l->ca_len;
    } else {
        cfg->insecure = 1u;
    }
    if (mode == 4u || mode == 5u) {
        cfg->cert = l->cert;
        cfg->cert_len = l->cert_len;
        cfg->key = l->key;
        cfg->key_len = l->key_len;
    }
    for (i = 0; i < req->alpn_count && i < BMQTT_TLS_ALPN_MAX; i++) {
        cfg->alpn[i] = req->alpn[i];
    }
    cfg->entropy = l->entropy;
    cfg->now = l->now;
    if (l->tls_used) {
        size_t n = 0;
        if (bmqtt_tls_session_save(&l->tls, l->session, sizeof l->session, &n) == BMQTT_OK) {
            l->session_len = n;
        }
        bmqtt_tls_free(&l->tls); /* this connection's settings may differ from the last one's */
    }
    bmqtt_tls_init(&l->tls);
    l->tls_used = 1;
    st = bmqtt_tls_setup(&l->tls, cfg, tcp);
    if (st != BMQTT_OK) {
        return st;
    }
    if (l->session_len != 0u) {
        (void)bmqtt_tls_session_offer(&l->tls, l->session, l->session_len);
    }
    bmqtt_tls_transport(&l->tls, &l->tls_tr);
    return BMQTT_OK;
}

static bmqtt_status_t ws_open(at_layers_t *l, const bmqtt_at_open_t *req, const bmqtt_transport_t *lower)
{
    bmqtt_ws_config_t *cfg = &l->ws_cfg;
    bmqtt_status_t st;

    memset(cfg, 0, sizeof *cfg);
    cfg->host = req->host;
    cfg->port = req->port;
    cfg->path = req->path[0] != '\0' ? req->path : "/";
    cfg->tx_buf = l->ws_tx;
    cfg->tx_size = l->ws_tx_size;
    cfg->rx_buf = l->ws_rx;
    cfg->rx_size = l->ws_rx_size;
    cfg->random = ws_random;
    cfg->random_ctx = l;
    cfg->crypto = &bmqtt_ws_crypto_mbedtls;
    bmqtt_ws_init(&l->ws);
    st = bmqtt_ws_setup(&l->ws, cfg, lower);
    if (st != BMQTT_OK) {
        return st;
    }
    bmqtt_ws_transport(&l->ws, &l->ws_tr);
    return BMQTT_OK;
}

void at_layers_init(at_layers_t *l, bmqtt_tls_entropy_fn entropy, bmqtt_tls_time_fn now, uint8_t *ws_tx,
                    size_t ws_tx_size, uint8_t *ws_rx, size_t ws_rx_size, const uint8_t *ca, size_t ca_len,
                    const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len)
{
    memset(l, 0, sizeof *l);
    l->entropy = entropy;
    l->now = now;
    l->ws_tx = ws_tx;
    l->ws_tx_size = ws_tx_size;
    l->ws_rx = ws_rx;
    l->ws_rx_size = ws_rx_size;
    l->ca = ca;
    l->ca_len = ca_len;
    l->cert = cert;
    l->cert_len = cert_len;
    l->key = key;
    l->key_len = key_len;
}

bmqtt_status_t at_layers_open(at_layers_t *l, const bmqtt_at_open_t *req, const bmqtt_transport_t *tcp,
                              const bmqtt_transport_t **top)
{
    /* 6-10 are 1-5 with WebSocket on top. */
    uint8_t mode = req->scheme >= 6u ? (uint8_t)(req->scheme - 5u) : req->scheme;
    bmqtt_status_t st;

    if (req->scheme < 1u || req->scheme > 10u) {
        return BMQTT_ERR_AT_SCHEME;
    }
    *top = tcp;
    if (mode >= 2u) {
        if ((st = tls_open(l, req, mode, tcp)) != BMQTT_OK) {
            return st;
        }
        *top = &l->tls_tr;
    }
    if (req->scheme >= 6u) {
        if ((st = ws_open(l, req, *top)) != BMQTT_OK) {
            return st;
        }
        *top = &l->ws_tr;
    }
    return BMQTT_OK;
}

int at_layers_pending(const at_layers_t *l)
{
    return l->tls_used && bmqtt_tls_pending(&l->tls);
}

void at_layers_free(at_layers_t *l)
{
    if (l->tls_used) {
        bmqtt_tls_free(&l->tls);
        l->tls_used = 0;
    }
}
