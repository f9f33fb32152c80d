/* The packets that come in: framing the bytes poll() has read into rx_buf and handling
 * each packet (CONNACK, the acks of our QoS 1/2 messages, PUBLISH in chunks when it is
 * larger than rx_buf, PUBREL, SUBACK, UNSUBACK, PINGRESP). A file of its own so that the
 * session (bmqtt_client.c) stays readable; poll() reaches it through one call,
 * bmqtt_client_drain_(), and it calls back only for what both sides share (events, the
 * in-flight table, the four-byte answers): bmqtt_client_internal.h. */
#include <stddef.h>
#include <string.h>

#include "bmqtt/client.h"
#include "../codec/bmqtt_codec_internal.h"
#include "bmqtt_client_internal.h"

/* 1 once every byte queued up to stream position @p end has left: an answer to
 * a packet the broker cannot have received in full is a protocol error. */
static int sent_past(const bmqtt_client_t *c, uint32_t end)
{
    uint32_t pending = c->tx_tail + c->tx_extra_len;
    return (int32_t)(c->tx_total - pending - end) >= 0;
}

static bmqtt_status_t on_connack(bmqtt_client_t *c, const bmqtt_connack_t *ack)
{
    bmqtt_event_t ev;
    bmqtt_status_t st = ack->return_code ? (bmqtt_status_t)(-40 - (int)ack->return_code) : BMQTT_OK;

    if (ack->session_present && c->clean) {
        return note(c, BMQTT_ERR_PROTOCOL, WHY(BMQTT_CONNACK, BMQTT_RULE_SESSION_PRESENT));
    }
    ev_init(&ev, BMQTT_EVT_CONNACK, st, 0);
    ev.return_code = ack->return_code;
    ev.session_present = ack->session_present;
    if (st != BMQTT_OK) {
        emit(c, &ev);
        return note(c, st, WHY(BMQTT_CONNACK, BMQTT_RULE_REFUSED));
    }
    if (c->state == BMQTT_CLIENT_CONNECTING) c->state = BMQTT_CLIENT_CONNECTED;
    BMQTT_LOG("bmqtt: state %s: CONNACK accepted, session present %u",
              c->state == BMQTT_CLIENT_CONNECTED ? "CONNECTED" : "DISCONNECTING", (unsigned)ack->session_present);
    c->flags |= CF_ACKED;
    c->session_present = ack->session_present;
    if (!ack->session_present) {
        memset(c->cfg->qos2_ids, 0, c->cfg->qos2_count * sizeof c->cfg->qos2_ids[0]);
        (void)bmqtt_client_journal_(c, J_QOS2_CLEAR, NULL, 0);
    }
    c->flags |= CF_CONNACK;
    emit(c, &ev);
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

int bmqtt_client_qos2_set_(const bmqtt_client_config_t *cfg, uint16_t old_id, uint16_t new_id)
{
    for (uint16_t i = 0; i < cfg->qos2_count; i++) {
        if (cfg->qos2_ids[i] == old_id) {
            cfg->qos2_ids[i] = new_id;
            return 1;
        }
    }
    return 0;
}

/* Deliver one chunk of the current PUBLISH. Out of line: inlined, its message and event
 * would sit in drain's frame (32 B more stack under every poll). */
BMQTT_NOINLINE static void deliver(bmqtt_client_t *c, const bmqtt_publish_t *p, uint32_t offset, uint32_t total)
{
    bmqtt_message_t m;
    bmqtt_event_t ev;
    m.topic = p->topic;
    m.payload = p->payload;
    m.offset = offset;
    m.total = total;
    m.packet_id = p->packet_id;
    m.qos = p->qos;
    m.retain = p->retain;
    m.dup = p->dup;
    ev_init(&ev, BMQTT_EVT_MESSAGE, BMQTT_OK, p->packet_id);
    ev.message = &m;
    emit(c, &ev);
}

/* Before delivering a PUBLISH: *fresh 0 for a QoS 2 duplicate. A fresh QoS 2 id is taken
 * now (a full table ends the session before any chunk is delivered) and kept in stream_q2
 * until its last chunk: a session that ends halfway through gives it back (end_session), so
 * the broker's resend is delivered whole, from offset 0. */
static bmqtt_status_t admit(bmqtt_client_t *c, const bmqtt_publish_t *p, int *fresh)
{
    *fresh = 1;
    if (p->qos == 2) {
        if (qos2_seen(c, p->packet_id)) {
            BMQTT_LOG("bmqtt: QoS 2 PUBLISH %u again: answered, not delivered twice", (unsigned)p->packet_id);
            *fresh = 0; /* resent before our PUBREC arrived: deliver once [MQTT-4.3.3-2] */
        } else if (!qos2_set(c, 0, p->packet_id)) {
            return note(c, BMQTT_ERR_INFLIGHT_FULL, WHY(BMQTT_PUBLISH, BMQTT_RULE_QOS2_FULL) | ID(p->packet_id));
        } else {
            c->stream_q2 = p->packet_id;
        }
    }
    return BMQTT_OK;
}

static bmqtt_status_t answer_publish(bmqtt_client_t *c, const bmqtt_publish_t *p)
{
    if (p->qos == 1) return tx_small(c, 0x40u, p->packet_id);
    if (p->qos == 2) return tx_small(c, 0x50u, p->packet_id);
    return BMQTT_OK;
}

static bmqtt_status_t protocol(bmqtt_client_t *c, uint32_t why)
{
    return note(c, BMQTT_ERR_PROTOCOL, why);
}

/* The packet the framer just completed at the start of rx_buf, any type but
 * PUBLISH (stream_step): its fixed header is already checked, so only the body
 * is decoded (and never the body of a packet only a client sends:
 * BMQTT_ERR_PROTOCOL). */
static bmqtt_status_t handle(bmqtt_client_t *c)
{
    bmqtt_packet_t pkt;
    bmqtt_inflight_t *s;
    int fresh, i;
    unsigned type = (unsigned)(c->framer.first_byte >> 4);
    bmqtt_status_t st = bmqtt_decode_from_server(c->framer.first_byte, c->cfg->rx_buf + c->framer.header_len,
                                                 c->framer.remaining, &pkt);

    if (st != BMQTT_OK) return note(c, st, WHY(type, BMQTT_RULE_MALFORMED));
    if (!(c->flags & CF_ACKED)) {
        if (pkt.type != BMQTT_CONNACK) return protocol(c, WHY(type, BMQTT_RULE_CONNACK_FIRST));
        return on_connack(c, &pkt.u.connack);
    }
    switch (pkt.type) {
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
    case BMQTT_PUBCOMP:
        s = find_slot(c, pkt.u.packet_id);
        if (s && type == BMQTT_PUBREC && (s->state & 0x7Fu) == WAIT_COMP) {
            s->state = WAIT_COMP | NEEDS_SEND; /* a repeated PUBREC: PUBREL again */
            return BMQTT_OK;
        }
        /* Only for the step awaited, never for a packet not (fully) sent on this connection. */
        if (s == NULL || s->state != (type == BMQTT_PUBCOMP ? WAIT_COMP : WAIT_ACK) ||
            s->pub.qos != (type == BMQTT_PUBACK ? 1u : 2u) || !sent_past(c, s->end)) {
            return protocol(c, WHY(type, type == BMQTT_PUBCOMP  ? BMQTT_RULE_PUBCOMP_UNKNOWN
                                         : type == BMQTT_PUBREC ? BMQTT_RULE_PUBREC_UNKNOWN
                                                                : BMQTT_RULE_ACK_UNKNOWN) |
                                   ID(pkt.u.packet_id));
        }
        if (type == BMQTT_PUBREC) {
            s->state = WAIT_COMP | NEEDS_SEND; /* PUBREL [MQTT-4.3.3-1] */
            (void)bmqtt_client_journal_(c, J_RELEASE, s, 0);
        } else {
            slot_done(c, s, BMQTT_OK);
        }
        return BMQTT_OK;
    case BMQTT_PUBREL:
        /* Forget the id; PUBCOMP even if unknown [MQTT-4.3.3-2]. */
        fresh = qos2_set(c, pkt.u.packet_id, 0);
        if (!fresh) BMQTT_LOG("bmqtt: PUBREL %u for no message held: PUBCOMP anyway", (unsigned)pkt.u.packet_id);
        if (fresh) (void)bmqtt_client_journal_(c, J_QOS2_OUT, NULL, pkt.u.packet_id);
        if ((st = tx_small(c, 0x70u, pkt.u.packet_id)) != BMQTT_OK) return st;
        if (fresh) emit_simple(c, BMQTT_EVT_QOS2_DONE, BMQTT_OK, pkt.u.packet_id);
        return BMQTT_OK;
    case BMQTT_SUBACK:
    case BMQTT_UNSUBACK: {
        /* For a pending request of its kind: a SUBACK has one code per filter asked for
         * [MQTT-3.8.4-5], an UNSUBACK answers an UNSUBSCRIBE (recorded with 0 filters). */
        int sub = pkt.type == BMQTT_SUBACK;
        uint16_t id = sub ? pkt.u.suback.packet_id : pkt.u.packet_id;
        bmqtt_request_t *r = c->reqs;
        bmqtt_event_t ev;
        i = find_req(c, id);
        if (i < 0 || r[i].filters != (sub ? pkt.u.suback.codes.len : 0u)) {
            return protocol(c, WHY(type, sub ? BMQTT_RULE_SUBACK_UNKNOWN : BMQTT_RULE_UNSUBACK_UNKNOWN) | ID(id));
        }
        r[i].id = 0;
        ev_init(&ev, sub ? BMQTT_EVT_SUBACK : BMQTT_EVT_UNSUBACK, BMQTT_OK, id);
        if (sub) ev.codes = pkt.u.suback.codes;
        emit(c, &ev);
        return BMQTT_OK;
    }
    case BMQTT_PINGRESP:
        c->ping_out = 0;
        return BMQTT_OK;
    default: /* a second CONNACK; the client-only types never get here (decode_from_server) */
        return protocol(c, WHY(type, BMQTT_RULE_CONNACK_TWICE));
    }
}

/* Drop the first @p n bytes of rx_buf (a handled packet); keep what follows. */
static void consume(bmqtt_client_t *c, uint32_t n)
{
    BMQTT_ASSERT(n <= c->rx_fill && c->rx_framed <= c->rx_fill);
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
    int fresh = 1;
    bmqtt_publish_t p;
    size_t head;
    uint32_t hl = c->framer.header_len;
    int full = c->rx_framed == c->cfg->rx_size;
    bmqtt_status_t st;

    st = bmqtt_publish_decode_head((uint8_t)(c->framer.first_byte & 0x0Fu), c->cfg->rx_buf + hl,
                                   c->rx_framed - hl, c->framer.remaining, &p, &head);
    BMQTT_ASSERT(c->stream_head <= c->rx_framed && c->rx_framed <= c->rx_fill);
    if (st == BMQTT_NEED_MORE) {
        if (!full) return BMQTT_OK;
        return note(c, BMQTT_ERR_PACKET_TOO_LARGE, WHY(BMQTT_PUBLISH, BMQTT_RULE_TOO_LARGE));
    }
    if (st != BMQTT_OK) return note(c, st, WHY(BMQTT_PUBLISH, BMQTT_RULE_MALFORMED));
    if (c->stream_head == 0) {
        c->stream_head = (uint32_t)(hl + head);
        if ((st = admit(c, &p, &fresh)) != BMQTT_OK) return st;
        c->streaming = fresh ? 1 : 2; /* 2: a QoS 2 duplicate, drained without delivery */
    }
    /* Kept from the last chunk on: an application that ends the session from that chunk's
     * event has had the message, and a resend is then a duplicate [MQTT-4.3.3-2]. */
    if (done) c->stream_q2 = 0;
    /* The answer is queued before the last chunk is delivered (room was checked by drain). */
    if (done && (st = answer_publish(c, &p)) != BMQTT_OK) return st;
    if (done || (full && p.payload.len)) {
        if (c->streaming == 1) deliver(c, &p, c->stream_off, c->framer.remaining - (uint32_t)head);
        /* Taken by the application: only now may its PUBREC leave (persist.h). */
        if (done && c->streaming == 1 && p.qos == 2) (void)bmqtt_client_journal_(c, J_QOS2_IN, NULL, p.packet_id);
        c->stream_off += (uint32_t)p.payload.len;
    } else if (full) {
        return note(c, BMQTT_ERR_PACKET_TOO_LARGE, WHY(BMQTT_PUBLISH, BMQTT_RULE_TOO_LARGE) | ID(p.packet_id));
    }
    if (!done) {
        if (full) c->rx_fill = c->rx_framed = c->stream_head; /* keep the head, reuse the rest */
        return BMQTT_OK;
    }
    c->streaming = 0;
    c->stream_head = 0;
    c->stream_off = 0;
    consume(c, c->rx_framed);
    return BMQTT_OK;
}
/* Frame and handle the bytes already in rx_buf while tx_buf has room for an answer. */
bmqtt_status_t bmqtt_client_drain_(bmqtt_client_t *c)
{
    while (c->rx_framed < c->rx_fill && live(c) && tx_room(c) >= ACK_ROOM) {
        size_t used = 0;
        unsigned type;
        bmqtt_status_t st = bmqtt_framer_feed(&c->framer, c->cfg->rx_buf + c->rx_framed,
                                              c->rx_fill - c->rx_framed, &used);
        c->rx_framed += (uint32_t)used;
        type = (unsigned)(c->cfg->rx_buf[0] >> 4); /* the packet starts there */
        if (st != BMQTT_OK && st != BMQTT_NEED_MORE) {
            int large = st == BMQTT_ERR_PACKET_TOO_LARGE;
            if (!large || type != BMQTT_PUBLISH) {
                return note(c, st, WHY(type, large ? BMQTT_RULE_TOO_LARGE : BMQTT_RULE_MALFORMED));
            }
            c->streaming = 1; /* larger than rx_buf: in chunks */
            st = BMQTT_NEED_MORE;
        }
        /* Every PUBLISH goes through stream_step: a whole one is its only chunk. */
        if (st == BMQTT_OK && type == BMQTT_PUBLISH && !c->streaming) c->streaming = 1;
        if (c->streaming) {
            if (!(c->flags & CF_ACKED)) return protocol(c, WHY(BMQTT_PUBLISH, BMQTT_RULE_CONNACK_FIRST));
            if ((st = stream_step(c, st == BMQTT_OK)) != BMQTT_OK) return st;
        } else if (st == BMQTT_OK) {
            st = handle(c);
            consume(c, c->rx_framed);
            if (st != BMQTT_OK) return st;
        }
    }
    return BMQTT_OK;
}
