/*
 * The AT interpreter and its client: the client's events as URCs (+MQTTCONNECTED, +MQTTSUBRECV,
 * +MQTTDISCONNECTED) and as the answers of the commands that wait; opening the transport and
 * connecting, directly or through the reconnect helper.
 */
#include <string.h>

#include "bmqtt_at_internal.h"

/* ------------------------------------------------------------------------ */
/* Client events and URCs                                                   */
/* ------------------------------------------------------------------------ */

static void urc_connected(bmqtt_at_t *at)
{
    bmqtt_at_outs(at, "+MQTTCONNECTED:0,");
    bmqtt_at_out_u32(at, at->scheme);
    bmqtt_at_out_target(at);
}

/* ,"host","port","path",reconnect CR LF: the end of +MQTTCONNECTED and of AT+MQTTCONN? once connected. */
void bmqtt_at_out_target(bmqtt_at_t *at)
{
    bmqtt_at_outs(at, ",\"");
    bmqtt_at_out(at, at->host, at->host_len);
    bmqtt_at_outs(at, "\",\"");
    bmqtt_at_out_u32(at, at->port);
    bmqtt_at_outs(at, "\",\"");
    if (at->scheme >= 6u) {
        bmqtt_at_out(at, at->path, at->path_len);
    }
    bmqtt_at_outs(at, "\",");
    bmqtt_at_out_u32(at, at->reconnect);
    bmqtt_at_outs(at, "\r\n");
}

/* The end of a connect attempt that failed: state 2, no retry, ERROR. */
void bmqtt_at_conn_fail(bmqtt_at_t *at, uint16_t code)
{
    if (at->session == S_RECONNECT) {
        bmqtt_reconnect_stop(&at->rc);
    }
    if (bmqtt_client_state(&at->client) == BMQTT_CLIENT_CONNECTING ||
        bmqtt_client_state(&at->client) == BMQTT_CLIENT_CONNECTED) {
        bmqtt_client_abort(&at->client);
    }
    at->session = S_NONE;
    at->wait = W_NONE;
    at->state = 2u;
    at->conn_failed = 0u;
    at->resub = 0u;
    bmqtt_at_fail(at, -1, code);
}

void bmqtt_at_wait_done(bmqtt_at_t *at, int good)
{
    if (at->wait == W_RAW || at->wait == W_RAW0) {
        bmqtt_at_outs(at, good ? "+MQTTPUB:OK\r\n" : "+MQTTPUB:FAIL\r\n");
    } else if (good) {
        bmqtt_at_reply_ok(at);
    } else {
        bmqtt_at_reply_error(at);
    }
    at->wait = W_NONE;
}

static void on_message(bmqtt_at_t *at, const bmqtt_message_t *m)
{
    /* Topic and payload are views of any length: nothing is cached, nothing can overflow. */
    bmqtt_at_outs(at, "+MQTTSUBRECV:0,\"");
    bmqtt_at_out(at, (const char *)m->topic.ptr, m->topic.len);
    bmqtt_at_outs(at, "\",");
    bmqtt_at_out_u32(at, (uint32_t)m->payload.len);
    bmqtt_at_outs(at, ",");
    bmqtt_at_out(at, (const char *)m->payload.ptr, m->payload.len);
    bmqtt_at_outs(at, "\r\n");
}

/* +MQTTCONNECTED, and OK when AT+MQTTCONN waits for it. */
static void tell_connected(bmqtt_at_t *at)
{
    urc_connected(at);
    if (at->wait == W_CONN) {
        at->wait = W_NONE;
        bmqtt_at_reply_ok(at);
    }
}

/* After a CONNACK of the reconnect loop on which the broker has no session: SUBSCRIBE every tracked topic,
 * and tell the host only when the broker has answered them all (SUBACK), so that nothing published after
 * the URC is missed: a SUBSCRIBE that has merely left may still be behind a PUBLISH the broker handles
 * first. From poll: the client is not re-entered from its own event. */
void bmqtt_at_resubscribe(bmqtt_at_t *at)
{
    while (at->resub_next < BMQTT_AT_SUB_SLOTS) {
        const bmqtt_at_sub_t *t = &at->subs[at->resub_next];
        if (t->used) {
            bmqtt_subscription_t s;
            bmqtt_status_t st;
            s.filter.ptr = (const uint8_t *)t->topic;
            s.filter.len = t->len;
            s.qos = t->qos;
            st = bmqtt_client_subscribe(&at->client, &s, 1u, NULL);
            if (st == BMQTT_ERR_BUSY) {
                return; /* a request slot or tx_buf frees up in a later poll */
            }
            if (st == BMQTT_ERR_NOT_CONNECTED) {
                at->resub = 0u; /* the session ended: CLOSED has been handled */
                return;
            }
            if (st == BMQTT_OK) at->resub_acks++;
        }
        at->resub_next++;
    }
    if (at->resub_acks == 0u) { /* every SUBACK is in (a refusal too: the firmware says connected) */
        at->resub = 0u;
        tell_connected(at);
    }
}

void bmqtt_at_on_event(void *user, const bmqtt_event_t *ev)
{
    bmqtt_at_t *at = (bmqtt_at_t *)user;
    uint8_t told;
    switch (ev->type) {
    case BMQTT_EVT_CONNACK:
        if (ev->status == BMQTT_OK) {
            at->state = 4u;
            at->had_session = 1u;
            if (at->session == S_RECONNECT && bmqtt_at_sub_count(at) > 0u &&
                (at->clean || !bmqtt_client_session_present(&at->client))) {
                at->resub = 1u; /* poll re-subscribes, then tells the host */
                at->resub_next = 0u;
                at->resub_acks = 0u;
            } else {
                tell_connected(at);
            }
        } else if (at->wait == W_CONN) {
            at->conn_failed = 1u;
        }
        break;
    case BMQTT_EVT_MESSAGE:
        if (ev->message != NULL) {
            on_message(at, ev->message);
        }
        break;
    case BMQTT_EVT_PUBLISH_DONE:
        if (ev->packet_id == at->pub_lock_id) {
            at->pub_lock_id = 0u;
        }
        if (ev->packet_id == at->raw_lock_id) {
            at->raw_lock_id = 0u;
        }
        if ((at->wait == W_PUB || at->wait == W_RAW) && ev->packet_id == at->wait_id) {
            bmqtt_at_wait_done(at, ev->status == BMQTT_OK);
        }
        break;
    case BMQTT_EVT_SUBACK:
        if (at->resub && at->resub_acks) {
            at->resub_acks--; /* one of the re-SUBSCRIBEs answered (poll tells the host after the last) */
        }
        if (ev->status == BMQTT_OK && at->state >= 4u) {
            at->state = 6u;
        }
        if (at->wait == W_SUB && ev->packet_id == at->wait_id) {
            int good = ev->status == BMQTT_OK && ev->codes.len == 1u && ev->codes.ptr[0] != BMQTT_SUBACK_FAILURE;
            at->wait = W_NONE;
            if (good) {
                bmqtt_at_sub_track(at, at->sub_topic, at->sub_topic_len, at->sub_qos);
                bmqtt_at_reply_ok(at);
            } else {
                bmqtt_at_reply_error(at);
            }
        }
        break;
    case BMQTT_EVT_UNSUBACK:
        if (at->wait == W_UNSUB && ev->packet_id == at->wait_id) {
            at->wait = W_NONE;
            if (ev->status == BMQTT_OK) {
                bmqtt_at_reply_ok(at);
            } else {
                bmqtt_at_reply_error(at);
            }
        }
        break;
    case BMQTT_EVT_QOS2_DONE:
        break;
    case BMQTT_EVT_CLOSED:
        told = (uint8_t)!at->resub; /* a connection the host never heard of ends without a URC */
        at->resub = 0u;
        if (at->wait == W_CONN) {
            at->conn_failed = 1u;
            break;
        }
        if (at->wait == W_CLEAN) {
            break; /* poll finishes AT+MQTTCLEAN: no URC for a disconnect we asked for */
        }
        if (at->state >= 4u) {
            at->state = 3u;
            if (told) {
                bmqtt_at_outs(at, "+MQTTDISCONNECTED:0\r\n");
            }
        }
        if (at->wait == W_PUB0 || at->wait == W_RAW0 || at->wait == W_SUB || at->wait == W_UNSUB) {
            bmqtt_at_wait_done(at, 0);
        } else if ((at->wait == W_PUB || at->wait == W_RAW) && at->clean) {
            bmqtt_at_wait_done(at, 0); /* with clean session the message is dropped */
        }
        if (at->session == S_DIRECT) {
            at->session = S_NONE;
        }
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Connecting                                                               */
/* ------------------------------------------------------------------------ */

static void fill_connect(bmqtt_at_t *at)
{
    bmqtt_connect_t *c = &at->conn;
    memset(c, 0, sizeof *c);
    c->client_id.ptr = (const uint8_t *)at->client_id;
    c->client_id.len = at->id_len;
    if (at->user_len > 0u || at->pass_len > 0u) {
        c->username.ptr = (const uint8_t *)at->username; /* a password needs a user name in 3.1.1 */
        c->username.len = at->user_len;
    }
    if (at->pass_len > 0u) {
        c->password.ptr = (const uint8_t *)at->password;
        c->password.len = at->pass_len;
    }
    if (at->lwt_topic_len > 0u) {
        c->will_topic.ptr = (const uint8_t *)at->lwt_topic;
        c->will_topic.len = at->lwt_topic_len;
        c->will_payload.ptr = (const uint8_t *)at->lwt_msg;
        c->will_payload.len = at->lwt_msg_len;
        c->will_qos = at->lwt_qos;
        c->will_retain = at->lwt_retain;
    }
    c->keepalive_s = at->keepalive_s;
    c->clean_session = at->clean;
}

static void fill_open(bmqtt_at_t *at)
{
    bmqtt_at_open_t *r = &at->open_req;
    size_t i;
    memset(r, 0, sizeof *r);
    r->scheme = at->scheme;
    r->cert_key_id = at->cert_key_id;
    r->ca_id = at->ca_id;
    r->host = at->host;
    r->port = at->port;
    r->path = at->scheme >= 6u ? at->path : "";
    r->sni = at->sni[0] != '\0' ? at->sni : NULL;
    r->alpn_count = at->alpn_count;
    for (i = 0u; i < at->alpn_count && i < BMQTT_AT_ALPN_MAX; i++) {
        r->alpn[i] = at->alpn + at->alpn_off[i];
    }
    r->timeout_ms = at->conn_timeout_ms;
}

static uint16_t open_code(bmqtt_status_t st)
{
    if (st == BMQTT_ERR_DNS) {
        return E_DNS;
    }
    if (st == BMQTT_ERR_AT_SCHEME) {
        return E_CLIENT_START;
    }
    return 0u;
}

/* The open hook of bmqtt_reconnect_*: the caller's, with the stored request. */
static bmqtt_status_t rc_open(void *user, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    bmqtt_at_t *at = (bmqtt_at_t *)user;
    bmqtt_status_t st = at->cfg->open(at->cfg->user, &at->open_req, tr, now_ms);
    if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK && at->wait == W_CONN) {
        at->conn_failed = 1u; /* a failed first connect is not retried, even with reconnect=1 */
        at->conn_code = open_code(st);
    }
    return st;
}

/* Direct session: open (maybe over several polls), then CONNECT. */
void bmqtt_at_direct_open(bmqtt_at_t *at)
{
    const bmqtt_transport_t *tr = NULL;
    bmqtt_status_t st = at->cfg->open(at->cfg->user, &at->open_req, &tr, at->now_ms);
    if (st == BMQTT_WOULD_BLOCK) {
        at->wait = W_OPEN;
        return;
    }
    if (st != BMQTT_OK || tr == NULL) {
        bmqtt_at_conn_fail(at, open_code(st));
        return;
    }
    at->wait = W_CONN;
    at->session = S_DIRECT;
    if (bmqtt_client_connect(&at->client, tr, &at->conn, at->now_ms) != BMQTT_OK) {
        if (tr->close != NULL) {
            tr->close(tr->ctx);
        }
        bmqtt_at_conn_fail(at, E_CLIENT_START);
    }
}

/* AT+MQTTCONN's work, on the clock of the last poll: the CONNECT and the open request from the configuration,
 * the deadline, then the reconnect loop or a direct open. */
void bmqtt_at_conn_start(bmqtt_at_t *at)
{
    fill_connect(at);
    fill_open(at);
    at->deadline_ms = at->now_ms + at->conn_timeout_ms;
    if (at->reconnect) {
        memset(&at->rccfg, 0, sizeof at->rccfg);
        at->rccfg.client = &at->client;
        at->rccfg.connect = &at->conn;
        at->rccfg.open = rc_open;
        at->rccfg.user = at;
        at->rccfg.min_backoff_ms = 1000u;
        at->rccfg.max_backoff_ms = 10000u;
        if (bmqtt_reconnect_init(&at->rc, &at->rccfg) != BMQTT_OK) {
            bmqtt_at_conn_fail(at, E_CLIENT_START);
            return;
        }
        at->session = S_RECONNECT;
        at->wait = W_CONN;
        (void)bmqtt_reconnect_poll(&at->rc, at->now_ms);
        if (at->wait == W_CONN && at->conn_failed) {
            bmqtt_at_conn_fail(at, at->conn_code);
        }
        return;
    }
    bmqtt_at_direct_open(at);
}
