/*
 * The AT interpreter's state: init, the power-up and MQTTCLEAN resets, the topics tracked for
 * AT+MQTTSUB? and the re-subscriptions, and poll, which drives the client and ends the waits.
 */
#include <string.h>

#include "bmqtt_at_internal.h"

static void client_setup(bmqtt_at_t *at)
{
    const bmqtt_at_config_t *cfg = at->cfg;
    bmqtt_client_config_t *c = &at->ccfg;
    memset(c, 0, sizeof *c);
    c->tx_buf = cfg->tx_buf;
    c->tx_size = cfg->tx_size;
    c->rx_buf = cfg->rx_buf;
    c->rx_size = cfg->rx_size;
    c->inflight = cfg->inflight;
    c->inflight_count = cfg->inflight_count;
    c->qos2_ids = cfg->qos2_ids;
    c->qos2_count = cfg->qos2_count;
    c->requests = at->requests;
    c->request_count = (uint16_t)(sizeof at->requests / sizeof at->requests[0]);
    c->response_timeout_ms = AT_DEFAULT_TIMEOUT_MS;
    c->user = at;
}

/* A fresh client on at->ccfg, with the configured outbox (if any). */
bmqtt_status_t bmqtt_at_client_init(bmqtt_at_t *at)
{
    bmqtt_status_t st = bmqtt_client_init(&at->client, &at->ccfg);
    if (st == BMQTT_OK) st = bmqtt_client_set_outbox(&at->client, at->cfg->outbox, at->cfg->outbox_size);
    return st;
}

/* Forget the MQTT configuration and the session (AT+MQTTCLEAN, AT+RST): state 0. */
void bmqtt_at_mqtt_reset(bmqtt_at_t *at)
{
    at->state = 0u; /* first: a session ended here prints no +MQTTDISCONNECTED */
    at->wait = W_NONE;
    if (at->session == S_RECONNECT) {
        bmqtt_reconnect_stop(&at->rc);
    }
    if (bmqtt_client_state(&at->client) != BMQTT_CLIENT_IDLE &&
        bmqtt_client_state(&at->client) != BMQTT_CLIENT_CLOSED) {
        bmqtt_client_abort(&at->client);
    }
    at->session = S_NONE;
    (void)bmqtt_at_client_init(at);
    memset(at->subs, 0, sizeof at->subs);
    at->state = 0u;
    at->scheme = 0u;
    at->reconnect = 0u;
    at->id_len = at->user_len = at->pass_len = 0u;
    at->client_id[0] = at->username[0] = at->password[0] = '\0';
    at->host_len = at->path_len = 0u;
    at->host[0] = at->path[0] = '\0';
    at->lwt_topic_len = at->lwt_msg_len = 0u;
    at->lwt_topic[0] = at->lwt_msg[0] = '\0';
    at->sni[0] = '\0';
    at->alpn_count = 0u;
    at->keepalive_s = 120u;
    at->clean = 1u;
    at->lwt_qos = at->lwt_retain = 0u;
    at->cert_key_id = at->ca_id = 0u;
    at->port = 0u;
    at->wait = W_NONE;
    at->pub_lock_id = at->raw_lock_id = 0u;
    at->conn_failed = 0u;
    at->had_session = 0u;
    at->resub = 0u;
}

void bmqtt_at_power_up(bmqtt_at_t *at)
{
    bmqtt_at_mqtt_reset(at);
    at->mode = MODE_LINE;
    at->line_len = 0u;
    at->overflow = 0u;
    at->cr = 0u;
    at->echo = 1u;
    at->syslog = 0u;
    at->sntp_enable = 0u;
    at->sntp_tz_hhmm = 0;
    memset(at->sntp_servers, 0, sizeof at->sntp_servers);
}

static const char *at_status_name(int s)
{
    switch (s) {
    case (int)BMQTT_ERR_AT_SCHEME:
        return "AT: scheme not supported by the open callback";
    case (int)BMQTT_ERR_AT_REENTERED:
        return "AT: input called from inside a hook";
    default:
        return NULL;
    }
}

static bmqtt_status_names_t at_status_names = { BMQTT_STATUS_AT_BASE, BMQTT_STATUS_AT_BASE - 19, at_status_name,
                                                "AT error", NULL };

bmqtt_status_t bmqtt_at_init_checked(bmqtt_at_t *at, const bmqtt_at_config_t *cfg, size_t at_size)
{
    bmqtt_status_register(&at_status_names);
    if (at == NULL || cfg == NULL || at_size != sizeof(bmqtt_at_t) || cfg->write == NULL || cfg->open == NULL ||
        cfg->tx_buf == NULL || cfg->tx_size < 512u) {
        return BMQTT_ERR_PARAM;
    }
    memset(at, 0, sizeof *at);
    at->cfg = cfg;
    client_setup(at);
    at->ccfg.on_event = bmqtt_at_on_event;
    if (bmqtt_at_client_init(at) != BMQTT_OK) {
        at->cfg = NULL;
        return BMQTT_ERR_PARAM;
    }
    bmqtt_at_power_up(at);
    return BMQTT_OK;
}

int bmqtt_at_state(const bmqtt_at_t *at)
{
    return at == NULL ? 0 : (int)at->state;
}

int bmqtt_at_busy(const bmqtt_at_t *at)
{
    return at != NULL && at->wait != W_NONE;
}

/* ------------------------------------------------------------------------ */
/* Tracked topics                                                           */
/* ------------------------------------------------------------------------ */

int bmqtt_at_sub_find(const bmqtt_at_t *at, const char *t, size_t n)
{
    size_t i;
    for (i = 0u; i < BMQTT_AT_SUB_SLOTS; i++) {
        if (at->subs[i].used && at->subs[i].len == n && memcmp(at->subs[i].topic, t, n) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Track a topic (exact match; a tracked one is left as it is; an 11th is not tracked). */
void bmqtt_at_sub_track(bmqtt_at_t *at, const char *t, size_t n, uint8_t qos)
{
    size_t i;
    if (bmqtt_at_sub_find(at, t, n) >= 0) {
        return;
    }
    for (i = 0u; i < BMQTT_AT_SUB_SLOTS; i++) {
        if (!at->subs[i].used) {
            memcpy(at->subs[i].topic, t, n);
            at->subs[i].topic[n] = '\0';
            at->subs[i].len = (uint8_t)n;
            at->subs[i].qos = qos;
            at->subs[i].used = 1u;
            return;
        }
    }
}

size_t bmqtt_at_sub_count(const bmqtt_at_t *at)
{
    size_t i, n = 0u;
    for (i = 0u; i < BMQTT_AT_SUB_SLOTS; i++) {
        n += at->subs[i].used;
    }
    return n;
}

/* ------------------------------------------------------------------------ */
/* Poll                                                                     */
/* ------------------------------------------------------------------------ */

static int due(const bmqtt_at_t *at)
{
    return (int32_t)(at->now_ms - at->deadline_ms) >= 0;
}

bmqtt_status_t bmqtt_at_poll(bmqtt_at_t *at, uint32_t now_ms)
{
    if (at == NULL || at->cfg == NULL) {
        return BMQTT_ERR_PARAM;
    }
    if (at->depth) {
        return BMQTT_ERR_AT_REENTERED;
    }
    at->depth = 1u;
    at->now_ms = now_ms;
    at->clock = 1u;
    if (at->wait == W_START) {
        bmqtt_at_conn_start(at);
    } else if (at->wait == W_OPEN) {
        bmqtt_at_direct_open(at);
    }
    if (at->session == S_RECONNECT) {
        (void)bmqtt_reconnect_poll(&at->rc, now_ms);
    } else if (at->session == S_DIRECT) {
        (void)bmqtt_client_poll(&at->client, now_ms);
    }
    if (at->resub) {
        bmqtt_at_resubscribe(at);
    }
    switch (at->wait) {
    case W_OPEN:
    case W_CONN:
        if (at->conn_failed) {
            bmqtt_at_conn_fail(at, at->conn_code);
        } else if (due(at)) {
            bmqtt_at_conn_fail(at, E_CONNECT_TIMEOUT);
        }
        break;
    case W_PUB0:
    case W_RAW0:
        if (bmqtt_client_tx_idle(&at->client)) {
            bmqtt_at_wait_done(at, 1);
        } else if (due(at) || at->state < 4u) {
            bmqtt_at_wait_done(at, 0);
        }
        break;
    case W_PUB:
    case W_RAW:
    case W_SUB:
    case W_UNSUB:
        if (due(at)) {
            bmqtt_at_wait_done(at, 0); /* no ack in time: ERROR (+MQTTPUB:FAIL); the message stays the client's */
        }
        break;
    case W_CLEAN:
        if (bmqtt_client_state(&at->client) != BMQTT_CLIENT_DISCONNECTING || due(at)) {
            at->wait = W_NONE;
            bmqtt_at_mqtt_reset(at);
            bmqtt_at_reply_ok(at);
        }
        break;
    default:
        break;
    }
    at->depth = 0u;
    return BMQTT_OK;
}

uint32_t bmqtt_at_next_deadline(const bmqtt_at_t *at, uint32_t now_ms)
{
    uint32_t d = UINT32_MAX;
    if (at == NULL || at->cfg == NULL) {
        return d;
    }
    if (at->session != S_NONE) {
        d = bmqtt_client_next_deadline(&at->client, now_ms);
        if (at->session == S_RECONNECT && d > 100u) {
            d = 100u; /* bmqtt_reconnect_*'s pauses are not visible: look again soon */
        }
    }
    if (at->wait == W_START || at->wait == W_OPEN || at->resub || at->wait == W_PUB0 || at->wait == W_RAW0 ||
        at->wait == W_CLEAN) {
        d = 0u;
    } else if (at->wait != W_NONE) {
        uint32_t left = (int32_t)(at->deadline_ms - now_ms) > 0 ? at->deadline_ms - now_ms : 0u;
        if (left < d) {
            d = left;
        }
    }
    return d;
}
