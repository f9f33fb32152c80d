/* The reconnect helper: a small state machine over one client. It owns no
 * memory but its struct; the transport comes from the caller's open(). */
#include <string.h>

#include "bmqtt/client.h"

enum { P_OPEN = 0, P_CONNECTING, P_SUBSCRIBING, P_UP, P_WAIT, P_STOPPING, P_STOPPED };

bmqtt_status_t bmqtt_reconnect_init(bmqtt_reconnect_t *r, const bmqtt_reconnect_config_t *cfg)
{
    if (r == NULL || cfg == NULL || cfg->client == NULL || cfg->connect == NULL || cfg->open == NULL ||
        (cfg->max_backoff_ms && cfg->max_backoff_ms < cfg->min_backoff_ms)) {
        return BMQTT_ERR_PARAM;
    }
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    r->phase = P_OPEN;
    return BMQTT_OK;
}

void bmqtt_reconnect_set_subscriptions(bmqtt_reconnect_t *r, const bmqtt_subscription_t *subs, size_t count)
{
    if (r == NULL) return;
    r->subs = subs;
    r->sub_count = subs ? count : 0;
    if (r->sub_next > r->sub_count) r->sub_next = r->sub_count;
}

static uint32_t min_backoff(const bmqtt_reconnect_t *r)
{
    return r->cfg->min_backoff_ms ? r->cfg->min_backoff_ms : 1000u;
}

/* An attempt failed or a session ended: pause, doubling up to the maximum,
 * with "equal jitter" (half fixed, half random) so that a fleet of devices
 * does not reconnect in step after a broker restart. */
static bmqtt_status_t pause(bmqtt_reconnect_t *r, bmqtt_status_t why, uint32_t now, int failed)
{
    uint32_t max = r->cfg->max_backoff_ms ? r->cfg->max_backoff_ms : 60000u;
    uint32_t wait;

    r->last = why;
    if (failed) {
        r->attempts++;
        if (r->cfg->max_attempts && r->attempts >= r->cfg->max_attempts) {
            r->phase = P_STOPPED;
            return why;
        }
        r->backoff_ms = r->backoff_ms ? (r->backoff_ms > max / 2u ? max : r->backoff_ms * 2u) : min_backoff(r);
    } else {
        r->attempts = 0;
        r->backoff_ms = min_backoff(r); /* a session that worked: try again soon */
    }
    wait = r->backoff_ms;
    if (r->cfg->random) wait = wait / 2u + r->cfg->random(r->cfg->user) % (wait / 2u + 1u);
    r->wait_until_ms = now + wait;
    r->phase = P_WAIT;
    return BMQTT_WOULD_BLOCK;
}

bmqtt_status_t bmqtt_reconnect_poll(bmqtt_reconnect_t *r, uint32_t now)
{
    bmqtt_client_t *c;
    bmqtt_status_t st;
    const bmqtt_transport_t *tr = NULL;

    if (r == NULL || r->cfg == NULL) return BMQTT_ERR_PARAM;
    c = r->cfg->client;
    switch (r->phase) {
    case P_OPEN:
        if (bmqtt_client_state(c) == BMQTT_CLIENT_CONNECTING) { /* adopt a session being set up */
            r->phase = P_CONNECTING;
            return bmqtt_reconnect_poll(r, now);
        }
        if (bmqtt_client_state(c) == BMQTT_CLIENT_CONNECTED) { /* ... or one up: its subscriptions are made */
            r->sub_next = r->sub_count;
            r->phase = P_UP;
            return bmqtt_reconnect_poll(r, now);
        }
        st = r->cfg->open(r->cfg->user, &tr, now);
        if (st == BMQTT_WOULD_BLOCK) return st;
        if (st == BMQTT_OK && tr == NULL) st = BMQTT_ERR_PARAM;
        if (st == BMQTT_OK) st = bmqtt_client_connect(c, tr, r->cfg->connect, now);
        if (st != BMQTT_OK) {
            if (tr && tr->close) tr->close(tr->ctx); /* opened, but the client never took it */
            return pause(r, st, now, 1);
        }
        r->phase = P_CONNECTING;
        /* polled at once: */
        /* fall through */
    case P_CONNECTING:
        st = bmqtt_client_poll(c, now);
        if (st == BMQTT_WOULD_BLOCK) return st;
        if (st != BMQTT_OK) return pause(r, st, now, 1);
        r->attempts = 0;
        r->backoff_ms = 0;
        r->last = BMQTT_OK;
        /* The broker has our subscriptions only in a session it kept. */
        r->sub_next = (r->cfg->connect->clean_session || !bmqtt_client_session_present(c)) ? 0 : r->sub_count;
        r->phase = P_SUBSCRIBING;
        return BMQTT_OK;
    case P_SUBSCRIBING:
        while (r->sub_next < r->sub_count) {
            st = bmqtt_client_subscribe(c, &r->subs[r->sub_next], 1, NULL);
            if (st == BMQTT_ERR_BUSY) break; /* a request slot or tx_buf frees up in poll */
            if (st == BMQTT_ERR_NOT_CONNECTED) break;
            r->sub_next++; /* a bad filter is reported by its status, and skipped */
        }
        if (r->sub_next >= r->sub_count) r->phase = P_UP;
        /* fall through */
    case P_UP:
        st = bmqtt_client_poll(c, now);
        if (st == BMQTT_OK || st == BMQTT_WOULD_BLOCK) return BMQTT_OK;
        return pause(r, st, now, 0);
    case P_WAIT:
        if ((int32_t)(now - r->wait_until_ms) < 0) return BMQTT_WOULD_BLOCK;
        r->phase = P_OPEN;
        return bmqtt_reconnect_poll(r, now);
    case P_STOPPING:
        st = bmqtt_client_poll(c, now);
        if (st == BMQTT_WOULD_BLOCK || bmqtt_client_state(c) == BMQTT_CLIENT_DISCONNECTING) return BMQTT_WOULD_BLOCK;
        r->last = bmqtt_client_last_error(c).status; /* BMQTT_OK after a graceful end */
        r->phase = P_STOPPED;
        /* fall through */
    default:
        return r->last != BMQTT_OK ? r->last : BMQTT_ERR_NOT_CONNECTED;
    }
}

void bmqtt_reconnect_stop(bmqtt_reconnect_t *r)
{
    bmqtt_client_state_t s;
    if (r == NULL || r->cfg == NULL || r->phase == P_STOPPED) return;
    s = bmqtt_client_state(r->cfg->client);
    if (s == BMQTT_CLIENT_CONNECTED || s == BMQTT_CLIENT_CONNECTING || s == BMQTT_CLIENT_DISCONNECTING) {
        (void)bmqtt_client_disconnect(r->cfg->client);
        r->phase = P_STOPPING;
    } else {
        r->phase = P_STOPPED;
    }
}

bmqtt_status_t bmqtt_reconnect_last_status(const bmqtt_reconnect_t *r)
{
    return r ? r->last : BMQTT_ERR_PARAM;
}
