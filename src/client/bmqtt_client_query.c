/* The read-only calls, in a file of their own: what the session's state is, why it ended,
 * when poll has timed work, and what is queued. Each takes the lock, as every client call does. */
#include <stddef.h>
#include <stdint.h>

#include "bmqtt/client.h"
#include "bmqtt_client_internal.h"

bmqtt_client_state_t bmqtt_client_state(const bmqtt_client_t *c)
{
    bmqtt_client_state_t st;
    if (!usable(c)) return BMQTT_CLIENT_IDLE;
    lock(c);
    st = (bmqtt_client_state_t)c->state;
    unlock(c);
    return st;
}

bmqtt_client_error_t bmqtt_client_last_error(const bmqtt_client_t *c)
{
    bmqtt_client_error_t e = { BMQTT_ERR_PARAM, 0, 0, 0, 0 };
    if (usable(c)) {
        lock(c);
        e.status = c->err_status;
        e.packet_type = (uint8_t)(c->err_why & 15u);
        e.rule = (uint8_t)(c->err_why >> 4);
        e.packet_id = (uint16_t)(c->err_why >> 16);
        if (e.status == BMQTT_ERR_TRANSPORT) e.port_status = c->port_status;
        unlock(c);
    }
    return e;
}

static uint32_t until(uint32_t now, uint32_t start, uint32_t len)
{
    uint32_t gone = since(now, start);
    return gone >= len ? 0u : len - gone;
}

static uint32_t sleep_ms(const bmqtt_client_t *c, uint32_t now)
{
    uint32_t d = UINT32_MAX, to;
    const bmqtt_request_t *r;

    if (!open_session(c)) return UINT32_MAX;
    if (c->tx_err || c->rx_framed < c->rx_fill) return 0;
    to = timeout_ms(c);
#define BMQTT_MIN(x) do { uint32_t v_ = (x); if (v_ < d) d = v_; } while (0)
    if (tx_busy(c)) BMQTT_MIN(until(now, c->stall_ms, to));
    if (c->state != BMQTT_CLIENT_CONNECTED) BMQTT_MIN(until(now, c->wait_ms, to)); /* CONNACK, or the acks */
    r = c->reqs;
    for (uint16_t i = 0; i < c->nreq; i++) {
        if (r[i].id) BMQTT_MIN(until(now, r[i].sent_ms, to));
    }
    if (c->keepalive_s && c->state != BMQTT_CLIENT_CONNECTING) {
        uint32_t ka = (uint32_t)c->keepalive_s * 1000u, next = until(now, c->last_tx_ms, ka - ka / 4u);
        if (c->ping_out) {
            /* The PINGRESP is read at the latest when the next PINGREQ would be due, so a
             * loop woken by this timer alone never sends one late; after that (no answer
             * yet) only the response deadline, not a spin. */
            BMQTT_MIN(until(now, c->ping_ms, to));
            if (next) BMQTT_MIN(next);
        } else {
            BMQTT_MIN(next);
        }
    }
#undef BMQTT_MIN
    return d;
}

uint32_t bmqtt_client_sleep_ms(const bmqtt_client_t *c, uint32_t now)
{
    uint32_t d;
    if (!usable(c)) return UINT32_MAX;
    lock(c);
    d = sleep_ms(c, now);
    unlock(c);
    return d;
}

int bmqtt_client_tx_idle(const bmqtt_client_t *c)
{
    int idle;
    if (!usable(c)) return 1;
    lock(c);
    idle = !tx_busy(c);
    unlock(c);
    return idle;
}

size_t bmqtt_client_tx_free(const bmqtt_client_t *c)
{
    size_t n;
    if (!usable(c)) return 0;
    lock(c);
    n = tx_room(c);
    unlock(c);
    return n;
}

int bmqtt_client_session_present(const bmqtt_client_t *c)
{
    int sp;
    if (!usable(c)) return 0;
    lock(c);
    sp = c->session_present;
    unlock(c);
    return sp;
}

size_t bmqtt_client_inflight(const bmqtt_client_t *c)
{
    size_t n = 0;
    if (!usable(c)) return 0;
    lock(c);
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) n += c->cfg->inflight[i].state != 0;
    unlock(c);
    return n;
}
