/* The client session: one transmit buffer, one receive buffer, two caller
 * tables, and poll() doing all the work.
 *
 * Transmit: at most one packet is being sent at a time (tx_buf, then an
 * optional payload straight from the caller's memory). While it is not fully
 * out, received packets stay unprocessed: each may need an answer (PUBACK...),
 * so reading waits for the line to be free. That back-pressure is what lets one
 * small buffer serve all answers without losing any.
 *
 * Outgoing QoS 1/2 messages live in the in-flight table. A slot flagged
 * NEEDS_SEND is (re)sent by pump() in order of first transmission, which gives
 * the resend order of [MQTT-4.4.0-1] after a reconnect for free. */
#include <string.h>

#include "bmqtt/client.h"
#include "../codec/bmqtt_codec_internal.h"

#define NEEDS_SEND 0x80u
#define WAIT_ACK 1u  /* PUBACK (QoS 1) or PUBREC (QoS 2) */
#define WAIT_COMP 2u /* PUBCOMP, after PUBREL */

static uint32_t since(uint32_t now, uint32_t then)
{
    return now - then; /* modulo 2^32: right across the wrap */
}

static uint32_t timeout_ms(const bmqtt_client_t *c)
{
    return c->cfg->response_timeout_ms ? c->cfg->response_timeout_ms : BMQTT_RESPONSE_TIMEOUT_MS;
}

static bmqtt_status_t fail(bmqtt_client_t *c, bmqtt_status_t st)
{
    if (c->state != BMQTT_CLIENT_CLOSED && c->tr->close) c->tr->close(c->tr->ctx);
    c->state = BMQTT_CLIENT_CLOSED;
    c->tx_len = c->tx_sent = c->tx_extra_len = 0;
    return st;
}

int bmqtt_client_tx_idle(const bmqtt_client_t *c)
{
    return c->tx_len == 0;
}

int bmqtt_client_session_present(const bmqtt_client_t *c)
{
    return c->session_present;
}

size_t bmqtt_client_inflight(const bmqtt_client_t *c)
{
    size_t n = 0;
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) n += c->cfg->inflight[i].state != 0;
    return n;
}

/* n > max, without a "always false" warning when max is the type's maximum. */
static int above(uint32_t n, uint32_t max)
{
    return n > max;
}

bmqtt_status_t bmqtt_client_init(bmqtt_client_t *c, const bmqtt_client_config_t *cfg)
{
    if (c == NULL || cfg == NULL || cfg->tx_buf == NULL || cfg->rx_buf == NULL || cfg->tx_size < 16 ||
        cfg->rx_size < 16 || cfg->rx_size > BMQTT_VARINT_MAX || cfg->inflight == NULL || cfg->inflight_count == 0 ||
        above(cfg->inflight_count, BMQTT_MAX_INFLIGHT) ||
        cfg->qos2_ids == NULL || cfg->qos2_count == 0) {
        return BMQTT_ERR_PARAM;
    }
    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->next_id = 1;
    memset(cfg->inflight, 0, cfg->inflight_count * sizeof cfg->inflight[0]);
    memset(cfg->qos2_ids, 0, cfg->qos2_count * sizeof cfg->qos2_ids[0]);
    return BMQTT_OK;
}

/* Send what is queued. BMQTT_OK once all of it is out. */
static bmqtt_status_t flush(bmqtt_client_t *c, uint32_t now)
{
    while (c->tx_len) {
        uint32_t total = c->tx_len + c->tx_extra_len;
        int32_t n;
        if (c->tx_sent < c->tx_len) {
            n = c->tr->send(c->tr->ctx, c->cfg->tx_buf + c->tx_sent, c->tx_len - c->tx_sent);
        } else {
            n = c->tr->send(c->tr->ctx, c->tx_extra + (c->tx_sent - c->tx_len), total - c->tx_sent);
        }
        if (n == 0 || n == BMQTT_WOULD_BLOCK) return BMQTT_WOULD_BLOCK;
        if (n < 0) return (bmqtt_status_t)n;
        c->tx_sent += (uint32_t)n;
        c->last_tx_ms = now;
        if (c->tx_sent >= total) c->tx_len = c->tx_sent = c->tx_extra_len = 0;
    }
    return BMQTT_OK;
}

static void queue(bmqtt_client_t *c, size_t len, const uint8_t *extra, size_t extra_len)
{
    c->tx_len = (uint32_t)len;
    c->tx_sent = 0;
    c->tx_extra = extra;
    c->tx_extra_len = (uint32_t)extra_len;
}

static bmqtt_status_t queue_ack(bmqtt_client_t *c, bmqtt_packet_type_t type, uint16_t id)
{
    size_t n;
    bmqtt_status_t st = bmqtt_ack_encode(type, id, c->cfg->tx_buf, c->cfg->tx_size, &n);
    if (st == BMQTT_OK) queue(c, n, NULL, 0);
    return st;
}

/* Queue a PUBLISH. A payload that fits beside the header is copied into
 * tx_buf so the packet leaves in one send (one TCP segment); a larger one is
 * sent straight from the caller's memory after the header. */
static bmqtt_status_t queue_publish(bmqtt_client_t *c, const bmqtt_publish_t *p)
{
    size_t n;
    bmqtt_status_t st = bmqtt_publish_encode(p, c->cfg->tx_buf, c->cfg->tx_size, &n);
    if (st == BMQTT_OK) {
        queue(c, n, NULL, 0);
        return BMQTT_OK;
    }
    if (st != BMQTT_ERR_BUFFER_TOO_SMALL) return st;
    if ((st = bmqtt_publish_encode_header(p, c->cfg->tx_buf, c->cfg->tx_size, &n)) != BMQTT_OK) return st;
    queue(c, n, p->payload.ptr, p->payload.len);
    return BMQTT_OK;
}

static bmqtt_inflight_t *find_slot(const bmqtt_client_t *c, uint16_t id)
{
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        bmqtt_inflight_t *s = &c->cfg->inflight[i];
        if (s->state && s->pub.packet_id == id) return s;
    }
    return NULL;
}

/* The pending SUBSCRIBE/UNSUBSCRIBE with packet id @p id (0: a free entry), or -1. */
static int find_req(const bmqtt_client_t *c, uint16_t id)
{
    for (int i = 0; i < BMQTT_MAX_PENDING_REQ; i++) {
        if (c->req[i].id == id) return i;
    }
    return -1;
}

/* Next packet id: never 0, never one still in flight or awaiting an answer. */
static uint16_t take_id(bmqtt_client_t *c)
{
    for (;;) {
        uint16_t id = c->next_id++;
        if (c->next_id == 0) c->next_id = 1;
        if (find_slot(c, id) == NULL && find_req(c, id) < 0) return id; /* id is never 0: see the wrap */
    }
}

/* Queue the oldest flagged slot, if any and if the line is free. */
static bmqtt_status_t queue_next(bmqtt_client_t *c)
{
    bmqtt_inflight_t *best = NULL;

    if (c->state != BMQTT_CLIENT_CONNECTED || c->tx_len) return BMQTT_OK;
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        bmqtt_inflight_t *s = &c->cfg->inflight[i];
        if ((s->state & NEEDS_SEND) && (best == NULL || (int16_t)(uint16_t)(s->seq - best->seq) < 0)) best = s;
    }
    if (best == NULL) return BMQTT_OK;
    best->state &= (uint8_t)~NEEDS_SEND;
    if (best->state == WAIT_COMP) return queue_ack(c, BMQTT_PUBREL, best->pub.packet_id);
    {
        bmqtt_status_t st = queue_publish(c, &best->pub);
        best->pub.dup = 1; /* any later send is a resend [MQTT-3.3.1-1] */
        return st;
    }
}

/* Send what is queued, then (re)send flagged slots, oldest first, while the
 * transport takes them. BMQTT_OK when all is out, BMQTT_WOULD_BLOCK when not. */
static bmqtt_status_t pump(bmqtt_client_t *c, uint32_t now)
{
    for (;;) {
        bmqtt_status_t st = flush(c, now);
        if (st != BMQTT_OK) return st;
        if ((st = queue_next(c)) != BMQTT_OK || c->tx_len == 0) return st;
    }
}

bmqtt_status_t bmqtt_client_connect(bmqtt_client_t *c, const bmqtt_transport_t *tr, const bmqtt_connect_t *fields,
                                    uint32_t now_ms)
{
    size_t n;
    bmqtt_status_t st;

    if (c == NULL || c->cfg == NULL || tr == NULL || tr->send == NULL || tr->recv == NULL || fields == NULL) {
        return BMQTT_ERR_PARAM;
    }
    st = bmqtt_connect_encode(fields, c->cfg->tx_buf, c->cfg->tx_size, &n);
    if (st != BMQTT_OK) return st;
    c->tr = tr;
    if (fields->clean_session) {
        memset(c->cfg->inflight, 0, c->cfg->inflight_count * sizeof c->cfg->inflight[0]);
        memset(c->cfg->qos2_ids, 0, c->cfg->qos2_count * sizeof c->cfg->qos2_ids[0]);
    }
    bmqtt_framer_init(&c->framer, (uint32_t)c->cfg->rx_size);
    c->rx_fill = c->rx_framed = c->stream_off = 0;
    c->stream_head = 0;
    c->streaming = 0;
    c->ping_out = 0;
    memset(c->req, 0, sizeof c->req);
    c->keepalive_s = fields->keepalive_s;
    c->state = BMQTT_CLIENT_CONNECTING;
    c->wait_since_ms = c->last_tx_ms = now_ms;
    queue(c, n, NULL, 0);
    return BMQTT_OK;
}

static bmqtt_status_t on_connack(bmqtt_client_t *c, const bmqtt_connack_t *ack)
{
    if (ack->return_code) return fail(c, (bmqtt_status_t)(-40 - (int)ack->return_code));
    c->state = BMQTT_CLIENT_CONNECTED;
    c->session_present = ack->session_present;
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        bmqtt_inflight_t *s = &c->cfg->inflight[i];
        if (!s->state) continue;
        if (ack->session_present) {
            s->state |= NEEDS_SEND; /* resend PUBLISH (DUP) or PUBREL [MQTT-4.4.0-1] */
        } else {
            s->state = 0; /* no session on the broker: nothing left to complete */
        }
    }
    if (!ack->session_present) memset(c->cfg->qos2_ids, 0, c->cfg->qos2_count * sizeof c->cfg->qos2_ids[0]);
    return BMQTT_OK;
}

/* Exactly-once bookkeeping for incoming QoS 2: 1 if @p id was already received. */
static int qos2_seen(const bmqtt_client_t *c, uint16_t id)
{
    for (uint16_t i = 0; i < c->cfg->qos2_count; i++) {
        if (c->cfg->qos2_ids[i] == id) return 1;
    }
    return 0;
}

static bmqtt_status_t qos2_set(bmqtt_client_t *c, uint16_t old_id, uint16_t new_id)
{
    for (uint16_t i = 0; i < c->cfg->qos2_count; i++) {
        if (c->cfg->qos2_ids[i] == old_id) {
            c->cfg->qos2_ids[i] = new_id;
            return BMQTT_OK;
        }
    }
    return BMQTT_ERR_INFLIGHT_FULL;
}

/* Deliver one chunk of the current PUBLISH. */
static void deliver(bmqtt_client_t *c, const bmqtt_publish_t *p, uint32_t offset, uint32_t total)
{
    bmqtt_message_t m;
    if (c->cfg->on_message == NULL) return;
    m.topic = p->topic;
    m.payload = p->payload;
    m.offset = offset;
    m.total = total;
    m.packet_id = p->packet_id;
    m.qos = p->qos;
    m.retain = p->retain;
    m.dup = p->dup;
    c->cfg->on_message(c->cfg->user, &m);
}

/* Before delivering a PUBLISH: 1 to deliver it, 0 for a QoS 2 duplicate. */
static bmqtt_status_t admit(bmqtt_client_t *c, const bmqtt_publish_t *p, int *fresh)
{
    *fresh = 1;
    if (p->qos == 2) {
        if (qos2_seen(c, p->packet_id)) {
            *fresh = 0; /* resent before our PUBREC arrived: deliver once [MQTT-4.3.3-2] */
        } else if (qos2_set(c, 0, p->packet_id) != BMQTT_OK) {
            return BMQTT_ERR_INFLIGHT_FULL;
        }
    }
    return BMQTT_OK;
}

static bmqtt_status_t answer_publish(bmqtt_client_t *c, const bmqtt_publish_t *p)
{
    if (p->qos == 1) return queue_ack(c, BMQTT_PUBACK, p->packet_id);
    if (p->qos == 2) return queue_ack(c, BMQTT_PUBREC, p->packet_id);
    return BMQTT_OK;
}

/* The packet the framer just completed at the start of rx_buf: its fixed
 * header is already checked, so only the body is decoded (and never the body
 * of a packet only a client sends: BMQTT_ERR_PROTOCOL). */
static bmqtt_status_t handle(bmqtt_client_t *c)
{
    bmqtt_packet_t pkt;
    bmqtt_inflight_t *s;
    int fresh, i;
    bmqtt_status_t st = bmqtt_decode_from_server(c->framer.first_byte, c->cfg->rx_buf + c->framer.header_len,
                                                 c->framer.remaining, &pkt);

    if (st != BMQTT_OK) return st;
    if (c->state == BMQTT_CLIENT_CONNECTING) {
        return pkt.type == BMQTT_CONNACK ? on_connack(c, &pkt.u.connack) : BMQTT_ERR_PROTOCOL; /* [MQTT-3.2.0-1] */
    }
    switch (pkt.type) {
    case BMQTT_PUBLISH:
        if ((st = admit(c, &pkt.u.publish, &fresh)) != BMQTT_OK) return st;
        st = answer_publish(c, &pkt.u.publish); /* queued first: on_message may queue a packet of its own */
        if (fresh) deliver(c, &pkt.u.publish, 0, (uint32_t)pkt.u.publish.payload.len);
        return st;
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
        s = find_slot(c, pkt.u.packet_id);
        /* Never for a PUBLISH not (re)sent on this connection yet. */
        if (s == NULL || s->pub.qos != (pkt.type == BMQTT_PUBACK ? 1 : 2) || s->state == (WAIT_ACK | NEEDS_SEND)) {
            return BMQTT_ERR_PROTOCOL;
        }
        if (pkt.type == BMQTT_PUBACK) {
            s->state = 0;
            if (c->cfg->on_publish_done) c->cfg->on_publish_done(c->cfg->user, pkt.u.packet_id);
        } else {
            s->state = WAIT_COMP | NEEDS_SEND; /* PUBREL, also again for a repeated PUBREC */
        }
        return BMQTT_OK;
    case BMQTT_PUBCOMP:
        s = find_slot(c, pkt.u.packet_id);
        if (s == NULL || s->state != WAIT_COMP) return BMQTT_ERR_PROTOCOL; /* only after our PUBREL went out */
        s->state = 0;
        if (c->cfg->on_publish_done) c->cfg->on_publish_done(c->cfg->user, pkt.u.packet_id);
        return BMQTT_OK;
    case BMQTT_PUBREL:
        (void)qos2_set(c, pkt.u.packet_id, 0); /* forget the id; PUBCOMP even if unknown [MQTT-4.3.3-2] */
        return queue_ack(c, BMQTT_PUBCOMP, pkt.u.packet_id);
    case BMQTT_SUBACK: /* one code per filter we asked for [MQTT-3.8.4-5]; an UNSUBSCRIBE has 0 */
        i = find_req(c, pkt.u.suback.packet_id);
        if (i < 0 || c->req[i].filters != pkt.u.suback.codes.len) return BMQTT_ERR_PROTOCOL;
        c->req[i].id = 0;
        if (c->cfg->on_suback) c->cfg->on_suback(c->cfg->user, pkt.u.suback.packet_id, pkt.u.suback.codes);
        return BMQTT_OK;
    case BMQTT_UNSUBACK:
        i = find_req(c, pkt.u.packet_id);
        if (i < 0 || c->req[i].filters != 0) return BMQTT_ERR_PROTOCOL;
        c->req[i].id = 0;
        if (c->cfg->on_unsuback) c->cfg->on_unsuback(c->cfg->user, pkt.u.packet_id);
        return BMQTT_OK;
    case BMQTT_PINGRESP:
        c->ping_out = 0;
        return BMQTT_OK;
    default: /* CONNECT, a second CONNACK, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT */
        return BMQTT_ERR_PROTOCOL;
    }
}

/* Drop the first @p n bytes of rx_buf (a handled packet); keep what follows. */
static void consume(bmqtt_client_t *c, uint32_t n)
{
    memmove(c->cfg->rx_buf, c->cfg->rx_buf + n, c->rx_fill - n);
    c->rx_fill -= n;
    c->rx_framed -= n;
}

/* A PUBLISH larger than rx_buf: its fixed header, topic and id stay at the
 * start of rx_buf and the payload is handed over in chunks as the buffer
 * fills. rx_buf[0..rx_framed) holds the packet's bytes so far; @p done says
 * the last one is among them. */
static bmqtt_status_t stream_step(bmqtt_client_t *c, int done)
{
    bmqtt_publish_t p;
    size_t head;
    uint32_t hl = c->framer.header_len;
    int full = c->rx_framed == c->cfg->rx_size;
    int fresh = 1;
    bmqtt_status_t st;

    st = bmqtt_publish_decode_head((uint8_t)(c->framer.first_byte & 0x0Fu), c->cfg->rx_buf + hl,
                                   c->rx_framed - hl, c->framer.remaining, &p, &head);
    if (st == BMQTT_NEED_MORE) return full ? BMQTT_ERR_PACKET_TOO_LARGE : BMQTT_OK; /* topic alone too big */
    if (st != BMQTT_OK) return st;
    if (c->stream_head == 0) {
        c->stream_head = (uint16_t)(hl + head);
        if ((st = admit(c, &p, &fresh)) != BMQTT_OK) return st;
        c->streaming = fresh ? 1 : 2; /* 2: a QoS 2 duplicate, drained without delivery */
    }
    if (done) st = answer_publish(c, &p); /* before the last chunk is delivered, as in handle() */
    if (p.payload.len && (done || full)) {
        if (c->streaming == 1) deliver(c, &p, c->stream_off, c->framer.remaining - (uint32_t)head);
        c->stream_off += (uint32_t)p.payload.len;
    } else if (full && !done) {
        return BMQTT_ERR_PACKET_TOO_LARGE; /* no room left for any payload */
    }
    if (!done) {
        if (full) c->rx_fill = c->rx_framed = c->stream_head; /* keep the head, reuse the rest */
        return BMQTT_OK;
    }
    c->streaming = 0;
    c->stream_head = 0;
    c->stream_off = 0;
    consume(c, c->rx_framed);
    return st;
}

/* Frame and handle the bytes already in rx_buf, while the line is free to answer. */
static bmqtt_status_t drain(bmqtt_client_t *c)
{
    while (c->rx_framed < c->rx_fill && c->tx_len == 0 && c->state != BMQTT_CLIENT_CLOSED) {
        size_t used;
        bmqtt_status_t st = bmqtt_framer_feed(&c->framer, c->cfg->rx_buf + c->rx_framed,
                                              c->rx_fill - c->rx_framed, &used);
        c->rx_framed += (uint32_t)used;
        if (st == BMQTT_ERR_PACKET_TOO_LARGE) {
            if ((c->framer.first_byte >> 4) != BMQTT_PUBLISH) return st;
            if (c->state != BMQTT_CLIENT_CONNECTED) return BMQTT_ERR_PROTOCOL; /* before CONNACK [MQTT-3.2.0-1] */
            c->streaming = 1;
            c->stream_head = 0;
            c->stream_off = 0;
            st = BMQTT_NEED_MORE;
        }
        if (st != BMQTT_OK && st != BMQTT_NEED_MORE) return st;
        if (c->streaming) {
            if ((st = stream_step(c, st == BMQTT_OK)) != BMQTT_OK) return st;
        } else if (st == BMQTT_OK) {
            st = handle(c);
            consume(c, c->rx_framed);
            if (st != BMQTT_OK) return st;
        }
    }
    return BMQTT_OK;
}

/* Read while there is something to read, the line is free, and for at most a
 * few reads so one busy connection cannot hold poll() forever. */
static bmqtt_status_t receive(bmqtt_client_t *c)
{
    for (int reads = 0; reads < 8; reads++) {
        int32_t n;
        bmqtt_status_t st = drain(c);
        if (st != BMQTT_OK) return st;
        if (c->tx_len || c->state == BMQTT_CLIENT_CLOSED) return BMQTT_OK;
        n = c->tr->recv(c->tr->ctx, c->cfg->rx_buf + c->rx_fill, c->cfg->rx_size - c->rx_fill);
        if (n == 0 || n == BMQTT_WOULD_BLOCK) return BMQTT_OK;
        if (n < 0) return (bmqtt_status_t)n;
        c->rx_fill += (uint32_t)n;
    }
    return drain(c);
}

bmqtt_status_t bmqtt_client_poll(bmqtt_client_t *c, uint32_t now)
{
    bmqtt_status_t st;

    if (c == NULL || c->cfg == NULL) return BMQTT_ERR_PARAM;
    if (c->state == BMQTT_CLIENT_IDLE || c->state == BMQTT_CLIENT_CLOSED) return BMQTT_ERR_NOT_CONNECTED;

    for (int round = 0; round < 4; round++) {
        st = pump(c, now);
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) return fail(c, st);
        if ((st = receive(c)) != BMQTT_OK) return fail(c, st);
        if (c->tx_len == 0 && c->rx_framed == c->rx_fill) break;
    }
    if (c->state == BMQTT_CLIENT_CLOSED) return BMQTT_ERR_NOT_CONNECTED;
    /* Answers and PUBRELs that the packets just handled asked for. */
    st = pump(c, now);
    if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) return fail(c, st);

    if (c->state == BMQTT_CLIENT_CONNECTING) {
        if (since(now, c->wait_since_ms) >= timeout_ms(c)) return fail(c, BMQTT_ERR_TIMEOUT);
        return BMQTT_WOULD_BLOCK;
    }
    if (c->state != BMQTT_CLIENT_CONNECTED) return BMQTT_ERR_NOT_CONNECTED;
    if (c->keepalive_s) {
        if (c->ping_out) {
            if (since(now, c->wait_since_ms) >= timeout_ms(c)) return fail(c, BMQTT_ERR_KEEPALIVE);
        } else if (c->tx_len == 0 && since(now, c->last_tx_ms) >= (uint32_t)c->keepalive_s * 1000u) {
            c->cfg->tx_buf[0] = BMQTT_PINGREQ << 4; /* PINGREQ: C0 00 (tx_size >= 16, see init) */
            c->cfg->tx_buf[1] = 0;
            queue(c, 2, NULL, 0);
            c->ping_out = 1;
            c->wait_since_ms = now;
            st = flush(c, now);
            if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) return fail(c, st);
        }
    }
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_client_publish(bmqtt_client_t *c, const bmqtt_publish_t *pub, uint16_t *packet_id)
{
    bmqtt_inflight_t *slot = NULL;
    bmqtt_publish_t p;
    size_t n;
    bmqtt_status_t st;

    if (c == NULL || c->cfg == NULL || pub == NULL) return BMQTT_ERR_PARAM;
    if (c->state != BMQTT_CLIENT_CONNECTED) return BMQTT_ERR_NOT_CONNECTED;
    p = *pub;
    p.dup = 0;
    p.packet_id = p.qos ? 1 : 0; /* placeholder for validation and sizing */
    if ((st = bmqtt_publish_encode_header(&p, NULL, 0, &n)) != BMQTT_OK) return st;
    if (n > c->cfg->tx_size) return BMQTT_ERR_BUFFER_TOO_SMALL;
    if (p.payload.ptr == NULL && p.payload.len) return BMQTT_ERR_PARAM;
    if (p.qos == 0) {
        if (c->tx_len) return BMQTT_ERR_BUSY;
        if ((st = queue_publish(c, &p)) != BMQTT_OK) return st;
        if (packet_id) *packet_id = 0;
        return BMQTT_OK;
    }
    for (uint16_t i = 0; i < c->cfg->inflight_count && slot == NULL; i++) {
        if (c->cfg->inflight[i].state == 0) slot = &c->cfg->inflight[i];
    }
    if (slot == NULL) return BMQTT_ERR_INFLIGHT_FULL;
    p.packet_id = take_id(c);
    slot->pub = p;
    slot->seq = c->next_seq++;
    slot->state = WAIT_ACK | NEEDS_SEND; /* sent in order of seq */
    if (packet_id) *packet_id = p.packet_id;
    return queue_next(c); /* onto the line now if it is free; poll sends it */
}

/* SUBSCRIBE and UNSUBSCRIBE: a fresh packet id, encoded into a free line. */
static bmqtt_status_t request(bmqtt_client_t *c, const void *list, size_t count, int unsub, uint16_t *packet_id)
{
    uint16_t id;
    size_t n;
    bmqtt_status_t st;
    int slot;

    if (c == NULL || c->cfg == NULL || count > 0x7FFF) return BMQTT_ERR_PARAM;
    if (c->state != BMQTT_CLIENT_CONNECTED) return BMQTT_ERR_NOT_CONNECTED;
    if (c->tx_len || (slot = find_req(c, 0)) < 0) return BMQTT_ERR_BUSY;
    id = take_id(c);
    st = unsub ? bmqtt_unsubscribe_encode(id, list, count, c->cfg->tx_buf, c->cfg->tx_size, &n)
               : bmqtt_subscribe_encode(id, list, count, c->cfg->tx_buf, c->cfg->tx_size, &n);
    if (st != BMQTT_OK) return st;
    c->req[slot].id = id;
    c->req[slot].filters = unsub ? 0 : (uint16_t)count;
    queue(c, n, NULL, 0);
    if (packet_id) *packet_id = id;
    return BMQTT_OK;
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

void bmqtt_client_disconnect(bmqtt_client_t *c)
{
    static const uint8_t disconnect[2] = { BMQTT_DISCONNECT << 4, 0 };
    if (c == NULL || c->cfg == NULL || c->state == BMQTT_CLIENT_IDLE || c->state == BMQTT_CLIENT_CLOSED) return;
    /* Best effort: only when the line is free, so no half packet precedes it. */
    if (c->tx_len == 0) (void)c->tr->send(c->tr->ctx, disconnect, sizeof disconnect);
    (void)fail(c, BMQTT_OK);
}

void bmqtt_client_abort(bmqtt_client_t *c)
{
    if (c == NULL || c->cfg == NULL || c->state == BMQTT_CLIENT_IDLE || c->state == BMQTT_CLIENT_CLOSED) return;
    (void)fail(c, BMQTT_OK);
}
