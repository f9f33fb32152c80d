/* The client session: a queue of outgoing packets in tx_buf, one receive
 * buffer, the caller's tables, and poll() doing what the API calls could not
 * finish.
 *
 * Transmit: tx_buf[0..tx_tail) holds whole packets back to back, oldest
 * first; every API call appends its packet and sends at once what the
 * transport takes. A packet larger than the whole of tx_buf has its header
 * queued and its payload sent from the caller's (or the outbox's) memory at
 * tx_extra_at; one such payload may wait at a time. Received packets that need
 * an answer are handled only while tx_buf has room for it (4 bytes): that
 * back-pressure is what lets a small buffer serve every answer.
 *
 * Outgoing QoS 1/2 messages live in the in-flight table. A slot flagged
 * NEEDS_SEND is queued by pump() in order of first transmission, which gives
 * the resend order of [MQTT-4.4.0-1] after a reconnect for free.
 *
 * What poll() reads is framed and handled in bmqtt_client_incoming.c
 * (bmqtt_client_drain_); the functions both files call are declared in
 * bmqtt_client_internal.h. */
#include <stddef.h>
#include <string.h>

#include "bmqtt/client.h"
#include "../codec/bmqtt_codec_internal.h"
#include "bmqtt_client_internal.h"

void bmqtt_client_lock_(const bmqtt_client_t *c)
{
    if (c->cfg->lock) c->cfg->lock(c->cfg->user);
}

void bmqtt_client_unlock_(const bmqtt_client_t *c)
{
    if (c->cfg->unlock) c->cfg->unlock(c->cfg->user);
}

/* Events run with in_event raised, so that init from inside one is refused (connect from
 * an event clears the field: the saved depth is put back, not decremented). */
void bmqtt_client_emit_(bmqtt_client_t *c, bmqtt_event_t *ev)
{
    uint8_t depth = c->in_event;
    if (c->cfg->on_event == NULL) return;
    c->in_event = (uint8_t)(depth + 1u);
    c->cfg->on_event(c->cfg->user, ev);
    c->in_event = depth;
}

void bmqtt_client_emit_simple_(bmqtt_client_t *c, bmqtt_event_type_t type, bmqtt_status_t st, uint16_t id)
{
    bmqtt_event_t ev;
    ev_init(&ev, type, st, id);
    emit(c, &ev);
}

/* Session persistence (persist.h): one call per change of the QoS 1/2 state, out of line so
 * that each change costs a firmware without persistence only a call. */
#if BMQTT_PERSIST
BMQTT_NOINLINE bmqtt_status_t bmqtt_client_journal_(bmqtt_client_t *c, unsigned op, bmqtt_inflight_t *slot,
                                                     unsigned id)
{
    return c->journal ? c->journal(c, op, slot, id) : BMQTT_OK;
}
#endif

/* A slot ends: free it, give the outbox back when nothing lives there, tell the caller.
 * Never inlined: at -O2 GCC would copy it into settle() beside the one incoming.c calls. */
BMQTT_NOINLINE void bmqtt_client_slot_done_(bmqtt_client_t *c, bmqtt_inflight_t *s, bmqtt_status_t st)
{
    uint16_t id = s->pub.packet_id;
    BMQTT_ASSERT(s->state != 0 && id != 0);
    BMQTT_ASSERT(!(s->flags & F_OUTBOX) || c->outbox_live != 0);
    BMQTT_LOG("bmqtt: PUBLISH %u done: %s", (unsigned)id, bmqtt_status_str(st));
    (void)bmqtt_client_journal_(c, J_DONE, s, 0);
    if ((s->flags & F_OUTBOX) && --c->outbox_live == 0) c->outbox_used = 0; /* empty: start from the front */
    s->state = 0;
    s->flags = 0;
    emit_simple(c, BMQTT_EVT_PUBLISH_DONE, st, id);
}

/* Between sessions: with clean session 1, what was sent on a connection ends
 * with it [MQTT-3.2.1-6 ... 3.1.2-6]; everything else is (re)sent on the next. */
static void settle(bmqtt_client_t *c)
{
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        bmqtt_inflight_t *s = &c->cfg->inflight[i];
        if (!s->state) continue;
        if (c->clean && ((s->flags & F_SENT) || (s->state & 0x7Fu) == WAIT_COMP)) {
            slot_done(c, s, BMQTT_ERR_SESSION_ENDED);
        } else {
            s->state |= NEEDS_SEND; /* PUBLISH (with DUP once sent) or PUBREL [MQTT-4.4.0-1] */
        }
    }
}

/* The session ends: close, settle the tables, tell the caller. */
static bmqtt_status_t end_session(bmqtt_client_t *c, bmqtt_status_t st)
{
    bmqtt_request_t *r = c->reqs;
    uint16_t n = c->nreq;

    if (!open_session(c)) return st;
    BMQTT_ASSERT(c->tr != NULL);
    if (c->tr->close) c->tr->close(c->tr->ctx);
    c->state = BMQTT_CLIENT_CLOSED;
    c->tx_tail = c->tx_extra_len = 0;
    c->tx_extra_slot = NO_SLOT;
    c->tx_err = 0;
    c->ping_out = 0;
    if (st == BMQTT_OK) {
        c->err_status = BMQTT_OK; /* a graceful end; earlier refusals no longer matter */
        c->err_why = 0;
    } else if (c->err_status != st) {
        (void)note(c, st, WHY(0, BMQTT_RULE_NONE));
    }
    BMQTT_LOG("bmqtt: state CLOSED: %s", bmqtt_status_str(st));
    for (uint16_t i = 0; i < n; i++) {
        if (r[i].id) {
            uint16_t id = r[i].id;
            bmqtt_event_type_t t = r[i].filters ? BMQTT_EVT_SUBACK : BMQTT_EVT_UNSUBACK;
            r[i].id = 0;
            emit_simple(c, t, BMQTT_ERR_NOT_CONNECTED, id);
        }
    }
    if (c->stream_q2) (void)qos2_set(c, c->stream_q2, 0); /* cut halfway: not had (admit) */
    c->stream_q2 = 0;
    settle(c);
    emit_simple(c, BMQTT_EVT_CLOSED, st, 0);
    return st;
}

static bmqtt_status_t fail(bmqtt_client_t *c, bmqtt_status_t st, uint32_t why)
{
    (void)note(c, st, why);
    return end_session(c, st);
}

/* What a transport returned, as transport.h allows it: anything else is the port's
 * bug, reported as BMQTT_ERR_TRANSPORT with its value kept for last_error. */
static int32_t io_result(bmqtt_client_t *c, int32_t n, size_t want)
{
    /* BMQTT_ERR_TRANSPORT, _CLOSED, _DNS and _CONNECT are -60..-63: one unsigned test. */
    if ((n >= 0 && (size_t)n <= want) || n == BMQTT_WOULD_BLOCK || (uint32_t)(n - BMQTT_ERR_CONNECT) <= 3u ||
        n <= BMQTT_STATUS_TLS_BASE) {
        return n;
    }
    BMQTT_LOG("bmqtt: the transport returned %ld (%ld bytes asked): not a transport status", (long)n, (long)want);
    c->port_status = n;
    return BMQTT_ERR_TRANSPORT;
}

/* ---- the transmit queue ---------------------------------------------- */

/* n bytes were just written at tx_tail. */
static void tx_commit(bmqtt_client_t *c, size_t n)
{
    if (!tx_busy(c)) c->stall_ms = c->now_ms; /* the deadline for bytes the transport does not take */
    c->tx_tail += (uint32_t)n;
    c->tx_total += (uint32_t)n;
    BMQTT_ASSERT(c->tx_tail <= c->cfg->tx_size);
}

/* Queue an ack (PUBACK 0x40, PUBREC 0x50, PUBREL 0x62, PUBCOMP 0x70: four bytes
 * with the id, never 0 here) or PINGREQ/DISCONNECT (id 0: two bytes), written
 * in place: their bytes are fixed [MQTT-3.4 to 3.7, 3.12, 3.14]. */
bmqtt_status_t bmqtt_client_tx_small_(bmqtt_client_t *c, unsigned first_byte, unsigned id)
{
    size_t n = id ? ACK_ROOM : 2u;
    uint8_t *p;
    if (tx_room(c) < n) return BMQTT_ERR_BUSY;
    p = c->cfg->tx_buf + c->tx_tail;
    p[0] = (uint8_t)first_byte;
    p[1] = (uint8_t)(n - 2u);
    if (id) {
        p[2] = (uint8_t)(id >> 8);
        p[3] = (uint8_t)id;
    }
    tx_commit(c, n);
    return BMQTT_OK;
}

/* Queue a PUBLISH: copied whole when it fits in tx_buf at all (BMQTT_ERR_BUSY
 * when not now), else its header, with the payload sent from @p p's memory. */
static bmqtt_status_t tx_publish(bmqtt_client_t *c, const bmqtt_publish_t *p, uint16_t slot)
{
    size_t n, room = tx_room(c);
    bmqtt_status_t st = bmqtt_publish_encode(p, c->cfg->tx_buf + c->tx_tail, room, &n);
    if (st == BMQTT_OK) {
        tx_commit(c, n);
        return BMQTT_OK;
    }
    if (st != BMQTT_ERR_BUFFER_TOO_SMALL) return st;
    if (n <= c->cfg->tx_size) return BMQTT_ERR_BUSY; /* fits once the queue drains */
    if (c->tx_extra_len) return BMQTT_ERR_BUSY;      /* one large payload at a time */
    st = bmqtt_publish_encode_header(p, c->cfg->tx_buf + c->tx_tail, room, &n);
    if (st == BMQTT_ERR_BUFFER_TOO_SMALL) return n <= c->cfg->tx_size ? BMQTT_ERR_BUSY : st;
    if (st != BMQTT_OK) return st;
    tx_commit(c, n);
    c->tx_extra = p->payload.ptr;
    c->tx_extra_len = (uint32_t)p->payload.len;
    c->tx_total += c->tx_extra_len;
    c->tx_extra_at = c->tx_tail;
    c->tx_extra_slot = slot;
    return BMQTT_OK;
}

/* Send what is queued, as far as the transport takes it. BMQTT_OK once all is out. */
static bmqtt_status_t flush(bmqtt_client_t *c)
{
    while (tx_busy(c)) {
        const uint8_t *p;
        size_t want;
        int32_t n;
        int extra = c->tx_extra_len && c->tx_extra_at == 0;
        if (extra) {
            p = c->tx_extra;
            want = c->tx_extra_len;
        } else {
            p = c->cfg->tx_buf;
            want = c->tx_extra_len ? c->tx_extra_at : c->tx_tail;
        }
        n = io_result(c, c->tr->send(c->tr->ctx, p, want), want);
        if (n == 0 || n == BMQTT_WOULD_BLOCK) return BMQTT_WOULD_BLOCK;
        if (n < 0) return (bmqtt_status_t)n;
        c->last_tx_ms = c->stall_ms = c->now_ms;
        if (extra) {
            c->tx_extra += n;
            c->tx_extra_len -= (uint32_t)n; /* what is left of it */
            if (c->tx_extra_len == 0) c->tx_extra_slot = NO_SLOT;
        } else {
            /* Keep the queue at the front: usually nothing is left to move. */
            c->tx_tail -= (uint32_t)n;
            memmove(c->cfg->tx_buf, c->cfg->tx_buf + n, c->tx_tail);
            if (c->tx_extra_len) c->tx_extra_at -= (uint32_t)n;
            BMQTT_ASSERT(!c->tx_extra_len || c->tx_extra_at <= c->tx_tail);
        }
    }
    return BMQTT_OK;
}

/* ---- the in-flight table ----------------------------------------------- */

bmqtt_inflight_t *bmqtt_client_find_slot_(const bmqtt_client_config_t *cfg, uint16_t id)
{
    for (uint16_t i = 0; i < cfg->inflight_count; i++) {
        bmqtt_inflight_t *s = &cfg->inflight[i];
        if (s->state && s->pub.packet_id == id) return s;
    }
    return NULL;
}

int bmqtt_client_find_req_(const bmqtt_client_t *c, uint16_t id)
{
    for (uint16_t i = 0; i < c->nreq; i++) {
        if (c->reqs[i].id == id) return i;
    }
    return -1;
}

/* Next packet id: never 0, never one in flight or awaiting an answer. */
static uint16_t take_id(bmqtt_client_t *c)
{
    for (;;) {
        uint16_t id = c->next_id++;
        if (c->next_id == 0) c->next_id = 1;
        BMQTT_ASSERT(id != 0);
        if (find_slot(c, id) == NULL && find_req(c, id) < 0) return id; /* id is never 0: see the wrap */
    }
}

static bmqtt_inflight_t *oldest_to_send(const bmqtt_client_t *c)
{
    bmqtt_inflight_t *best = NULL;
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        bmqtt_inflight_t *s = &c->cfg->inflight[i];
        if ((s->state & NEEDS_SEND) && (best == NULL || (int16_t)(uint16_t)(s->seq - best->seq) < 0)) best = s;
    }
    return best;
}

/* Queue flagged slots, oldest first, while they fit; then send. */
static bmqtt_status_t pump(bmqtt_client_t *c)
{
    bmqtt_inflight_t *s;

    if (c->tx_err) return (bmqtt_status_t)c->tx_err;
    if (c->state != BMQTT_CLIENT_CONNECTED && c->state != BMQTT_CLIENT_DISCONNECTING) {
        return c->state == BMQTT_CLIENT_CONNECTING ? flush(c) : BMQTT_OK; /* no transport between sessions */
    }
    /* Only on a session the broker accepted (a disconnect before CONNACK sends none), and
     * nothing after a queued DISCONNECT [MQTT-3.14.4-1]. */
    while ((c->flags & (CF_ACKED | CF_QUICK | CF_DIS_SENT)) == CF_ACKED && (s = oldest_to_send(c)) != NULL) {
        bmqtt_status_t st;
        if ((s->state & 0x7Fu) == WAIT_COMP) {
            st = tx_small(c, 0x62u, s->pub.packet_id);
        } else {
            bmqtt_publish_t p = s->pub;
            p.dup = (s->flags & F_SENT) ? 1u : 0u; /* [MQTT-3.3.1-1] */
            st = tx_publish(c, &p, (uint16_t)(s - c->cfg->inflight));
            if (st != BMQTT_OK && st != BMQTT_ERR_BUSY) {
                /* Only memory kept by reference can turn invalid after publish checked it. */
                (void)note(c, BMQTT_ERR_CHANGED, WHY(BMQTT_PUBLISH, BMQTT_RULE_CHANGED) | ID(s->pub.packet_id));
                slot_done(c, s, BMQTT_ERR_CHANGED);
                continue;
            }
        }
        if (st == BMQTT_ERR_BUSY) break;
        s->state &= (uint8_t)~NEEDS_SEND;
        s->flags |= F_SENT;
        s->end = c->tx_total;
    }
    return flush(c);
}

/* A send error inside an API call is kept for poll, which ends the session:
 * events never run from inside publish(). */
static void progress(bmqtt_client_t *c)
{
    bmqtt_status_t st = pump(c);
    if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK && !c->tx_err) c->tx_err = (int32_t)st;
}

/* ---- the API -------------------------------------------------------------- */

bmqtt_status_t bmqtt_client_init_checked(bmqtt_client_t *c, const bmqtt_client_config_t *cfg, size_t client_size)
{
    /* Over the maximum only where size_t can say so (not on 16-bit AVR); unsigned wrap makes
     * one test of "0 or over" for the in-flight count. */
    if (c == NULL || cfg == NULL || client_size != sizeof(bmqtt_client_t) || cfg->tx_buf == NULL ||
        cfg->rx_buf == NULL || cfg->tx_size < 16u || BMQTT_SIZE_OVER_VARINT(cfg->tx_size) ||
        cfg->rx_size < 16u || BMQTT_SIZE_OVER_VARINT(cfg->rx_size) || cfg->inflight == NULL ||
        (unsigned)cfg->inflight_count - 1u >= (unsigned)BMQTT_MAX_INFLIGHT || cfg->qos2_ids == NULL ||
        cfg->qos2_count == 0 || (cfg->requests && cfg->request_count == 0) ||
        (cfg->lock == NULL) != (cfg->unlock == NULL)) {
        BMQTT_LOG("bmqtt: init refused: %s", "bad parameter");
        return BMQTT_ERR_PARAM;
    }
    /* Never under a running event or an open session of its own: the code that raised
     * the event goes on with the client, and the transport would be dropped unclosed. */
    if (c->cfg == cfg && (c->in_event || open_session(c))) {
        BMQTT_LOG("bmqtt: init refused: %s", c->in_event ? "inside an event" : "a session is open");
        return BMQTT_ERR_BUSY;
    }
    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->next_id = 1;
    c->tx_extra_slot = NO_SLOT;
    c->reqs = cfg->requests ? cfg->requests : &c->req1;
    c->nreq = cfg->requests ? cfg->request_count : 1u;
    memset(cfg->inflight, 0, cfg->inflight_count * sizeof cfg->inflight[0]);
    memset(cfg->qos2_ids, 0, cfg->qos2_count * sizeof cfg->qos2_ids[0]);
    if (cfg->requests) memset(cfg->requests, 0, cfg->request_count * sizeof cfg->requests[0]);
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_client_connect(bmqtt_client_t *c, const bmqtt_transport_t *tr, const bmqtt_connect_t *fields,
                                    uint32_t now_ms)
{
    size_t n;
    bmqtt_status_t st;

    if (!usable(c) || tr == NULL || tr->send == NULL || tr->recv == NULL || fields == NULL) return BMQTT_ERR_PARAM;
    lock(c);
    if (open_session(c)) {
        st = BMQTT_ERR_BUSY;
        goto out;
    }
    st = bmqtt_connect_encode(fields, c->cfg->tx_buf, c->cfg->tx_size, &n);
    if (st != BMQTT_OK) {
        /* refused: the status says why */
        goto out;
    }
    /* A new connection: from err_status to the outbox, everything starts from zero. */
    memset(&c->err_status, 0, offsetof(bmqtt_client_t, outbox) - offsetof(bmqtt_client_t, err_status));
    c->now_ms = c->wait_ms = c->last_tx_ms = now_ms;
    c->tr = tr;
    c->tx_extra_slot = NO_SLOT;
    c->keepalive_s = fields->keepalive_s;
    c->clean = fields->clean_session;
    settle(c); /* messages sent on an earlier connection end now when this one is clean */
    /* No request is pending (end_session ended them all); qos2_ids is cleared by a CONNACK
     * without a session, and nothing is received before it. */
    bmqtt_framer_init(&c->framer, (uint32_t)c->cfg->rx_size);
    c->state = BMQTT_CLIENT_CONNECTING;
    BMQTT_LOG("bmqtt: state CONNECTING: CONNECT queued (%u bytes, clean session %u, keep alive %u s)", (unsigned)n,
              (unsigned)c->clean, (unsigned)c->keepalive_s);
    tx_commit(c, n);
    progress(c);
    st = BMQTT_OK;
out:
    if (st != BMQTT_OK) BMQTT_LOG("bmqtt: connect refused: %s", bmqtt_status_str(st));
    unlock(c);
    return st;
}

/* Read while there is something to read and room to answer, for at most a
 * few reads so that one busy connection cannot hold poll() forever. */
static bmqtt_status_t receive(bmqtt_client_t *c)
{
    for (int reads = 0; reads < 8; reads++) {
        int32_t n;
        size_t want;
        bmqtt_status_t st = drain(c);
        if (st != BMQTT_OK) return st;
        if (!live(c) || tx_room(c) < ACK_ROOM) return BMQTT_OK;
        /* Before CONNACK only CONNECT (and a PINGREQ or DISCONNECT behind it) is queued:
         * nothing can answer a CONNECT not out [MQTT-3.1.0-1]. */
        if (!(c->flags & CF_ACKED) && tx_busy(c)) return BMQTT_OK;
        want = c->cfg->rx_size - c->rx_fill;
        n = c->tr->recv(c->tr->ctx, c->cfg->rx_buf + c->rx_fill, want);
        if (n > 0 && (size_t)n > want) {
            c->port_status = n;
            return note(c, BMQTT_ERR_TRANSPORT, WHY(0, BMQTT_RULE_OVERRUN));
        }
        n = io_result(c, n, want);
        if (n == 0 || n == BMQTT_WOULD_BLOCK) return BMQTT_OK;
        if (n < 0) return note(c, (bmqtt_status_t)n, WHY(0, BMQTT_RULE_TRANSPORT));
        c->rx_fill += (uint32_t)n;
        BMQTT_ASSERT(c->rx_fill <= c->cfg->rx_size);
    }
    return drain(c);
}

static int all_acked(const bmqtt_client_t *c)
{
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        uint8_t st = c->cfg->inflight[i].state;
        /* Unsent slots wait only when there is a session to send them on. */
        if (st && (!(st & NEEDS_SEND) || !(c->flags & CF_QUICK))) return 0;
    }
    return 1;
}

/* A graceful disconnect: DISCONNECT once the queue is out and the acks are in
 * (or the wait is over), then close. */
static bmqtt_status_t finish_disconnect(bmqtt_client_t *c, uint32_t now)
{
    bmqtt_status_t st;
    if (!(c->flags & CF_DIS_SENT)) {
        int late = since(now, c->wait_ms) >= timeout_ms(c);
        if (!late && (tx_busy(c) || !all_acked(c))) return BMQTT_WOULD_BLOCK;
        if (tx_small(c, 0xE0u, 0) != BMQTT_OK) return BMQTT_WOULD_BLOCK; /* after what is queued */
        c->flags |= CF_DIS_SENT;
        if (!all_acked(c)) c->flags |= CF_LATE;
        BMQTT_LOG("bmqtt: DISCONNECT queued%s", (c->flags & CF_LATE) ? " (acks still missing: wait over)" : "");
    }
    progress(c);
    if (tx_busy(c) && !c->tx_err) return BMQTT_WOULD_BLOCK;
    if (c->tx_err) {
        st = fail(c, (bmqtt_status_t)c->tx_err, WHY(BMQTT_DISCONNECT, BMQTT_RULE_TRANSPORT));
    } else if (c->flags & CF_LATE) {
        st = fail(c, BMQTT_ERR_TIMEOUT, WHY(BMQTT_DISCONNECT, BMQTT_RULE_ACKS_MISSING));
    } else {
        st = end_session(c, BMQTT_OK);
    }
    return st;
}

static bmqtt_status_t timers(bmqtt_client_t *c, uint32_t now)
{
    bmqtt_request_t *r;
    uint32_t to = timeout_ms(c);

    if (tx_busy(c) && since(now, c->stall_ms) >= to) {
        return fail(c, BMQTT_ERR_TIMEOUT, WHY(0, BMQTT_RULE_STALLED));
    }
    if (c->state == BMQTT_CLIENT_CONNECTING) {
        if (since(now, c->wait_ms) >= to) return fail(c, BMQTT_ERR_TIMEOUT, WHY(BMQTT_CONNACK, BMQTT_RULE_NO_CONNACK));
        return BMQTT_WOULD_BLOCK;
    }
    r = c->reqs;
    for (uint16_t i = 0; i < c->nreq; i++) {
        if (r[i].id && since(now, r[i].sent_ms) >= to) {
            uint16_t id = r[i].id;
            bmqtt_event_type_t t = r[i].filters ? BMQTT_EVT_SUBACK : BMQTT_EVT_UNSUBACK;
            r[i].id = 0;
            emit_simple(c, t, BMQTT_ERR_TIMEOUT, id);
            if (c->state == BMQTT_CLIENT_CLOSED) return BMQTT_ERR_NOT_CONNECTED; /* aborted from the event */
            return fail(c, BMQTT_ERR_TIMEOUT, WHY(t == BMQTT_EVT_SUBACK ? BMQTT_SUBACK : BMQTT_UNSUBACK, BMQTT_RULE_NO_ANSWER) | ID(id));
        }
    }
    if (c->keepalive_s && !(c->flags & CF_DIS_SENT)) { /* nothing after DISCONNECT [MQTT-3.14.4-1] */
        uint32_t ka = (uint32_t)c->keepalive_s * 1000u;
        if (c->ping_out) {
            if (since(now, c->ping_ms) >= to) return fail(c, BMQTT_ERR_KEEPALIVE, WHY(BMQTT_PINGRESP, BMQTT_RULE_NO_PINGRESP));
        } else if (since(now, c->last_tx_ms) >= ka - ka / 4u) {
            /* Early enough that the interval between packets never exceeds Keep Alive [MQTT-3.1.2-23]. */
            if (tx_small(c, 0xC0u, 0) == BMQTT_OK) {
                BMQTT_LOG("bmqtt: PINGREQ queued (%u ms since the last packet)", (unsigned)since(now, c->last_tx_ms));
                c->ping_out = 1;
                c->ping_ms = now;
                progress(c);
            }
        }
    }
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_client_poll(bmqtt_client_t *c, uint32_t now)
{
    bmqtt_status_t st;

    if (!usable(c)) return BMQTT_ERR_PARAM;
    lock(c);
    c->now_ms = now;
    if (!open_session(c)) {
        st = BMQTT_ERR_NOT_CONNECTED;
        goto out;
    }
    c->flags &= (uint8_t)~CF_CONNACK;
    for (int round = 0; round < 4; round++) {
        st = pump(c);
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
            st = fail(c, st, WHY(0, BMQTT_RULE_TRANSPORT));
            goto out;
        }
        if ((st = receive(c)) != BMQTT_OK) {
            st = end_session(c, st);
            goto out;
        }
        if (!live(c) || (!tx_busy(c) && c->rx_framed == c->rx_fill)) break;
    }
    if (c->state == BMQTT_CLIENT_CLOSED) { /* abort() from an event */
        st = BMQTT_ERR_NOT_CONNECTED;
        goto out;
    }
    st = pump(c); /* answers and PUBRELs the packets just handled asked for */
    if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
        st = fail(c, st, WHY(0, BMQTT_RULE_TRANSPORT));
        goto out;
    }
    if ((st = timers(c, now)) != BMQTT_OK) goto out;
    if (c->tx_err) { /* a send of this very poll failed (a PINGREQ...) */
        st = fail(c, (bmqtt_status_t)c->tx_err, WHY(0, BMQTT_RULE_TRANSPORT));
        goto out;
    }
    if (c->state == BMQTT_CLIENT_DISCONNECTING) {
        st = finish_disconnect(c, now);
        goto out;
    }
    st = c->state == BMQTT_CLIENT_CLOSED ? BMQTT_ERR_NOT_CONNECTED : BMQTT_OK;
out:
    unlock(c);
    return st;
}

static bmqtt_status_t publish(bmqtt_client_t *c, const bmqtt_publish_t *pub, uint16_t *packet_id, int by_ref)
{
    bmqtt_inflight_t *slot = NULL;
    bmqtt_publish_t p;
    size_t n;
    bmqtt_status_t st;

    if (!usable(c) || pub == NULL) return BMQTT_ERR_PARAM;
    lock(c);
    p = *pub;
    p.dup = 0;
    p.packet_id = p.qos ? 1 : 0; /* placeholder for validation and sizing */
    if (c->state == BMQTT_CLIENT_DISCONNECTING) {
        st = BMQTT_ERR_NOT_CONNECTED;
        goto out;
    }
    if (p.qos == 0) {
        if (c->state != BMQTT_CLIENT_CONNECTED) {
            st = BMQTT_ERR_NOT_CONNECTED;
            goto out;
        }
        progress(c);
        /* Checked as it is encoded; never ahead of older QoS 1/2 messages still waiting for room. */
        st = oldest_to_send(c) ? BMQTT_ERR_BUSY : tx_publish(c, &p, NO_SLOT);
        if (st == BMQTT_OK) {
            if (packet_id) *packet_id = 0;
            progress(c);
        }
        goto out;
    }
    /* Every check now, so that nothing later is blamed on the broker. */
    if (p.payload.ptr == NULL && p.payload.len) {
        st = BMQTT_ERR_PARAM;
        goto out;
    }
    if ((st = bmqtt_publish_encode_header(&p, NULL, 0, &n)) != BMQTT_OK) goto out;
    if (n > c->cfg->tx_size) {
        st = BMQTT_ERR_BUFFER_TOO_SMALL;
        goto out;
    }
    for (uint16_t i = 0; i < c->cfg->inflight_count && slot == NULL; i++) {
        if (c->cfg->inflight[i].state == 0) slot = &c->cfg->inflight[i];
    }
    if (slot == NULL) {
        st = BMQTT_ERR_INFLIGHT_FULL;
        goto out;
    }
    slot->pub = p;
    slot->flags = 0;
    if (c->outbox_copy && !by_ref && (st = c->outbox_copy(c, slot)) != BMQTT_OK) {
        /* refused: the status says why */
        goto out;
    }
    slot->pub.packet_id = take_id(c);
    slot->seq = c->next_seq;
    /* Refused (the store failed): the journal gave the outbox copy back. */
    if ((st = bmqtt_client_journal_(c, J_PUBLISH, slot, 0)) != BMQTT_OK) goto out;
    c->next_seq++;
    slot->state = WAIT_ACK | NEEDS_SEND; /* queued in order of seq */
    if (packet_id) *packet_id = slot->pub.packet_id;
    progress(c); /* onto the wire now, as far as it goes */
    st = BMQTT_OK;
out:
    if (st != BMQTT_OK) BMQTT_LOG("bmqtt: publish refused: %s", bmqtt_status_str(st));
    unlock(c);
    return st;
}

bmqtt_status_t bmqtt_client_publish(bmqtt_client_t *c, const bmqtt_publish_t *pub, uint16_t *packet_id)
{
    return publish(c, pub, packet_id, 0);
}

bmqtt_status_t bmqtt_client_publish_ref(bmqtt_client_t *c, const bmqtt_publish_t *pub, uint16_t *packet_id)
{
    return publish(c, pub, packet_id, 1);
}

/* SUBSCRIBE and UNSUBSCRIBE: a fresh packet id, encoded into the queue. */
static bmqtt_status_t request(bmqtt_client_t *c, const void *list, size_t count, int unsub, uint16_t *packet_id)
{
    uint16_t id;
    size_t n, room;
    bmqtt_status_t st;
    int slot;
    bmqtt_request_t *r;

    if (!usable(c) || count > 0x7FFF) return BMQTT_ERR_PARAM;
    lock(c);
    if (c->state != BMQTT_CLIENT_CONNECTED) {
        st = BMQTT_ERR_NOT_CONNECTED;
        goto out;
    }
    if ((slot = find_req(c, 0)) < 0) {
        st = BMQTT_ERR_BUSY;
        goto out;
    }
    progress(c);
    room = tx_room(c);
    id = take_id(c);
    st = unsub ? bmqtt_unsubscribe_encode(id, list, count, c->cfg->tx_buf + c->tx_tail, room, &n)
               : bmqtt_subscribe_encode(id, list, count, c->cfg->tx_buf + c->tx_tail, room, &n);
    if (st == BMQTT_ERR_BUFFER_TOO_SMALL && n <= c->cfg->tx_size) st = BMQTT_ERR_BUSY;
    if (st != BMQTT_OK) {
        /* refused: the status says why */
        goto out;
    }
    tx_commit(c, n);
    r = c->reqs;
    r[slot].id = id;
    r[slot].filters = unsub ? 0 : (uint16_t)count;
    r[slot].sent_ms = c->now_ms;
    if (packet_id) *packet_id = id;
    progress(c);
out:
    if (st != BMQTT_OK) BMQTT_LOG("bmqtt: %s refused: %s", unsub ? "unsubscribe" : "subscribe", bmqtt_status_str(st));
    unlock(c);
    return st;
}

bmqtt_status_t bmqtt_client_subscribe(bmqtt_client_t *c, const bmqtt_subscription_t *subs, size_t count,
                                      uint16_t *packet_id)
{
    return request(c, subs, count, 0, packet_id);
}

bmqtt_status_t bmqtt_client_unsubscribe(bmqtt_client_t *c, const bmqtt_view_t *filters, size_t count,
                                        uint16_t *packet_id)
{
    return request(c, filters, count, 1, packet_id);
}

bmqtt_status_t bmqtt_client_disconnect(bmqtt_client_t *c)
{
    bmqtt_status_t st;
    if (!usable(c)) return BMQTT_ERR_PARAM;
    lock(c);
    if (c->state == BMQTT_CLIENT_CONNECTED || c->state == BMQTT_CLIENT_CONNECTING) {
        if (c->state == BMQTT_CLIENT_CONNECTING) c->flags |= CF_QUICK;
        c->state = BMQTT_CLIENT_DISCONNECTING;
        BMQTT_LOG("bmqtt: state DISCONNECTING%s", (c->flags & CF_QUICK) ? " before CONNACK" : "");
        c->wait_ms = c->now_ms;
        progress(c);
    }
    if (c->state != BMQTT_CLIENT_DISCONNECTING) {
        BMQTT_LOG("bmqtt: disconnect refused: %s", "not connected");
        st = BMQTT_ERR_NOT_CONNECTED;
    } else if (c->tx_err) {
        st = BMQTT_WOULD_BLOCK; /* poll ends it with the error */
    } else {
        st = finish_disconnect(c, c->now_ms);
    }
    unlock(c);
    return st;
}

void bmqtt_client_abort(bmqtt_client_t *c)
{
    if (!usable(c)) return;
    lock(c);
    (void)end_session(c, BMQTT_OK);
    unlock(c);
}
