/* Decoders for all 14 packet types. Input is untrusted: every length is
 * checked against the bytes that remain before it is used, and each rule
 * broken gets its own status. Results are views into the input. */
#include <string.h>

#include "bmqtt/topic.h"
#include "bmqtt_codec_internal.h"

#if BMQTT_DECODE_CLIENT_PACKETS
/* A bounded read cursor over a packet body. */
typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} cursor_t;

static size_t left(const cursor_t *c)
{
    return (size_t)(c->end - c->p);
}

static bmqtt_status_t get_u16(cursor_t *c, uint16_t *v)
{
    if (left(c) < 2) return BMQTT_ERR_BAD_LENGTH;
    *v = bmqtt_get16(c->p);
    c->p += 2;
    return BMQTT_OK;
}

static bmqtt_status_t get_packet_id(cursor_t *c, uint16_t *id)
{
    if (get_u16(c, id) != BMQTT_OK) return BMQTT_ERR_BAD_LENGTH;
    return *id ? BMQTT_OK : BMQTT_ERR_BAD_PACKET_ID; /* [MQTT-2.3.1-1] */
}

/* A 2-byte length and that many bytes, which must lie inside the body. */
static bmqtt_status_t get_bytes(cursor_t *c, bmqtt_view_t *v)
{
    uint16_t n;
    if (get_u16(c, &n) != BMQTT_OK || left(c) < n) return BMQTT_ERR_BAD_LENGTH;
    v->ptr = c->p;
    v->len = n;
    c->p += n;
    return BMQTT_OK;
}

static bmqtt_status_t get_str(cursor_t *c, bmqtt_view_t *v)
{
    bmqtt_status_t st = get_bytes(c, v);
    return st != BMQTT_OK ? st : bmqtt_utf8_check(v->ptr, v->len);
}

/* The decoders of client packets make their cursor in their own frame, so the
 * dispatch to them is a jump (make stack). */
BMQTT_NOINLINE static bmqtt_status_t decode_connect(const uint8_t *body, size_t body_len, bmqtt_connect_t *out)
{
    cursor_t cur = { body, body + body_len }, *c = &cur;
    uint8_t level, flags;
    unsigned will, user, pass;
    size_t n;
    bmqtt_status_t st;

    memset(out, 0, sizeof *out);
    /* The protocol name, a string that must lie inside the body, then "MQTT" */
    if (left(c) < 2 || left(c) - 2 < (n = bmqtt_get16(c->p))) return BMQTT_ERR_BAD_LENGTH;
    if (n != 4 || memcmp(c->p + 2, "MQTT", 4) != 0) return BMQTT_ERR_BAD_PROTOCOL; /* [MQTT-3.1.2-1] */
    c->p += 6;
    if (left(c) < 4) return BMQTT_ERR_BAD_LENGTH;
    level = c->p[0];
    flags = c->p[1];
    out->keepalive_s = bmqtt_get16(c->p + 2);
    c->p += 4;
    if (level != 4) return BMQTT_ERR_BAD_VERSION;                  /* [MQTT-3.1.2-2] */
    if (flags & 1u) return BMQTT_ERR_BAD_CONNECT_FLAGS;             /* [MQTT-3.1.2-3] */
    will = (flags >> 2) & 1u;
    out->will_qos = (uint8_t)((flags >> 3) & 3u);
    out->will_retain = (uint8_t)((flags >> 5) & 1u);
    pass = (flags >> 6) & 1u;
    user = (flags >> 7) & 1u;
    out->clean_session = (uint8_t)((flags >> 1) & 1u);
    if (!will && (out->will_qos || out->will_retain)) return BMQTT_ERR_BAD_CONNECT_FLAGS; /* [MQTT-3.1.2-11/13/15] */
    if (out->will_qos == 3) return BMQTT_ERR_BAD_QOS;                                     /* [MQTT-3.1.2-14] */
    if (pass && !user) return BMQTT_ERR_BAD_CONNECT_FLAGS;                                 /* [MQTT-3.1.2-22] */

    if ((st = get_str(c, &out->client_id)) != BMQTT_OK) return st;                          /* [MQTT-3.1.3-4] */
    if (out->client_id.len == 0 && !out->clean_session) return BMQTT_ERR_BAD_CLIENT_ID;    /* [MQTT-3.1.3-7] */
    if (will) {
        if ((st = get_bytes(c, &out->will_topic)) != BMQTT_OK) return st;
        if ((st = bmqtt_topic_name_check(out->will_topic.ptr, out->will_topic.len)) != BMQTT_OK) return st;
        if ((st = get_bytes(c, &out->will_payload)) != BMQTT_OK) return st;
    }
    if (user && (st = get_str(c, &out->username)) != BMQTT_OK) return st; /* [MQTT-3.1.3-11] */
    if (pass && (st = get_bytes(c, &out->password)) != BMQTT_OK) return st;
    return left(c) ? BMQTT_ERR_BAD_LENGTH : BMQTT_OK;
}
#endif

/* The flags of a PUBLISH into @p p (already checked by the caller). */
static void publish_flags(bmqtt_publish_t *p, unsigned flags)
{
    p->dup = (uint8_t)(flags >> 3);
    p->qos = (uint8_t)((flags >> 1) & 3u);
    p->retain = (uint8_t)(flags & 1u);
}

/* bmqtt_publish_decode_head() once its arguments are known good and the flags
 * are in @p p; the head's length is where the payload starts. Four arguments:
 * callers can jump to it without a frame of their own. */
static bmqtt_status_t publish_head(bmqtt_publish_t *p, const uint8_t *body, size_t avail, uint32_t remaining)
{
    size_t tlen, head;
    bmqtt_status_t st;

    if (avail > remaining) avail = remaining;
    p->packet_id = 0;
    if (remaining < 2) return BMQTT_ERR_BAD_LENGTH;
    if (avail < 2) return BMQTT_NEED_MORE;
    tlen = bmqtt_get16(body);
    head = 2 + tlen + (p->qos ? 2u : 0u);
    if (head > remaining) return BMQTT_ERR_BAD_LENGTH; /* e.g. 30 04 00 FF 41 42 */
    if (avail < head) return BMQTT_NEED_MORE;
    p->topic.ptr = body + 2;
    p->topic.len = tlen;
    if (tlen == 0) return BMQTT_ERR_BAD_TOPIC; /* [MQTT-4.7.3-1] */
    if ((st = bmqtt_scan(body + 2, tlen, NULL, BMQTT_SCAN_TOPIC)) != BMQTT_OK) return st; /* [MQTT-3.3.2-1/2] */
    if (p->qos) {
        p->packet_id = bmqtt_get16(body + 2 + tlen);
        if (p->packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID; /* [MQTT-2.3.1-1] */
    }
    p->payload.ptr = body + head;
    p->payload.len = avail - head;
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_publish_decode_head(uint8_t flags, const uint8_t *body, size_t avail, uint32_t remaining,
                                         bmqtt_publish_t *p, size_t *head_len)
{
    bmqtt_status_t st;

    if ((body == NULL && avail) || p == NULL || head_len == NULL || flags > 15u) return BMQTT_ERR_PARAM;
    if ((st = bmqtt_first_byte_check((uint8_t)((BMQTT_PUBLISH << 4) | flags))) != BMQTT_OK) return st;
    publish_flags(p, flags);
    if ((st = publish_head(p, body, avail, remaining)) == BMQTT_OK) *head_len = (size_t)(p->payload.ptr - body);
    return st;
}

#if BMQTT_DECODE_CLIENT_PACKETS
/* SUBSCRIBE (with a QoS byte per filter) and UNSUBSCRIBE: validate every entry once,
 * so bmqtt_sub_next()/bmqtt_unsub_next() can walk them without checks. */
static bmqtt_status_t decode_topic_list(const uint8_t *body, size_t body_len, int with_qos, bmqtt_topic_list_t *out)
{
    cursor_t cur = { body, body + body_len }, *c = &cur;
    bmqtt_status_t st;

    if ((st = get_packet_id(c, &out->packet_id)) != BMQTT_OK) return st;
    out->entries.ptr = c->p;
    out->entries.len = left(c);
    if (left(c) == 0) return BMQTT_ERR_EMPTY_LIST; /* [MQTT-3.8.3-3], [MQTT-3.10.3-2] */
    while (left(c)) {
        bmqtt_view_t f;
        if ((st = get_bytes(c, &f)) != BMQTT_OK) return st;
        if ((st = bmqtt_topic_filter_check(f.ptr, f.len)) != BMQTT_OK) return st;
        if (with_qos) {
            if (left(c) < 1) return BMQTT_ERR_BAD_LENGTH;
            if (*c->p++ > 2) return BMQTT_ERR_BAD_QOS; /* [MQTT-3.8.3-4] reserved bits, QoS 3 */
        }
    }
    return BMQTT_OK;
}
#endif

bmqtt_status_t bmqtt_decode_from_server(uint8_t first_byte, const uint8_t *body, size_t body_len, bmqtt_packet_t *pkt)
{
    pkt->type = (uint8_t)(first_byte >> 4);
    pkt->flags = (uint8_t)(first_byte & 0x0Fu);
    switch (pkt->type) {
    case BMQTT_CONNACK: {
        uint8_t sp, rc; /* read once: pkt may lie over the body */
        if (body_len != 2) return BMQTT_ERR_BAD_LENGTH;
        sp = body[0];
        rc = body[1];
        pkt->u.connack.session_present = sp;
        pkt->u.connack.return_code = rc;
        if (sp > 1) return BMQTT_ERR_BAD_CONNECT_FLAGS;  /* 3.2.2.1: bits 7-1 reserved */
        if (rc > 5) return BMQTT_ERR_BAD_RETURN_CODE;    /* section 3.2.2.3 */
        if (sp && rc) return BMQTT_ERR_BAD_CONNECT_FLAGS; /* [MQTT-3.2.2-4] */
        return BMQTT_OK;
    }
    case BMQTT_PUBLISH:
        publish_flags(&pkt->u.publish, pkt->flags);
        return publish_head(&pkt->u.publish, body, body_len, (uint32_t)body_len);
    case BMQTT_SUBACK: {
        uint16_t id;
        if (body_len < 2) return BMQTT_ERR_BAD_LENGTH;
        pkt->u.suback.packet_id = id = bmqtt_get16(body);
        pkt->u.suback.codes.ptr = body + 2;
        pkt->u.suback.codes.len = body_len - 2;
        if (id == 0) return BMQTT_ERR_BAD_PACKET_ID; /* [MQTT-2.3.1-1] */
        if (body_len == 2) return BMQTT_ERR_EMPTY_LIST;
        for (const uint8_t *c = body + 2, *end = body + body_len; c < end; c++) {
            if (*c > 2 && *c != BMQTT_SUBACK_FAILURE) return BMQTT_ERR_BAD_RETURN_CODE; /* [MQTT-3.9.3-2] */
        }
        return BMQTT_OK;
    }
    case BMQTT_PINGRESP:
        return body_len ? BMQTT_ERR_BAD_LENGTH : BMQTT_OK;
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
    case BMQTT_PUBREL:
    case BMQTT_PUBCOMP:
    case BMQTT_UNSUBACK:
        if (body_len != 2) return BMQTT_ERR_BAD_LENGTH;
        pkt->u.packet_id = bmqtt_get16(body);
        return pkt->u.packet_id ? BMQTT_OK : BMQTT_ERR_BAD_PACKET_ID; /* [MQTT-2.3.1-1] */
    default: /* CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT */
        return BMQTT_ERR_PROTOCOL; /* only a client sends these */
    }
}

#if BMQTT_DECODE_CLIENT_PACKETS
#define CLIENT_ONLY_TYPES ((1u << BMQTT_CONNECT) | (1u << BMQTT_SUBSCRIBE) | (1u << BMQTT_UNSUBSCRIBE) | \
                           (1u << BMQTT_PINGREQ) | (1u << BMQTT_DISCONNECT))

/* The packets only a client sends, for a broker, a bridge, a tool or a fuzzer. */
static bmqtt_status_t decode_client_packet(uint8_t first_byte, const uint8_t *body, size_t body_len,
                                           bmqtt_packet_t *pkt)
{
    pkt->type = (uint8_t)(first_byte >> 4);
    pkt->flags = (uint8_t)(first_byte & 0x0Fu);
    switch (pkt->type) {
    case BMQTT_CONNECT:
        return decode_connect(body, body_len, &pkt->u.connect);
    case BMQTT_SUBSCRIBE:
        return decode_topic_list(body, body_len, 1, &pkt->u.subscribe);
    case BMQTT_UNSUBSCRIBE:
        return decode_topic_list(body, body_len, 0, &pkt->u.unsubscribe);
    default: /* PINGREQ, DISCONNECT */
        return body_len ? BMQTT_ERR_BAD_LENGTH : BMQTT_OK;
    }
}
#endif

bmqtt_status_t bmqtt_decode_body(uint8_t first_byte, const uint8_t *body, size_t body_len, bmqtt_packet_t *pkt)
{
    bmqtt_status_t st;

    if ((body == NULL && body_len) || pkt == NULL) return BMQTT_ERR_PARAM;
    if ((st = bmqtt_first_byte_check(first_byte)) != BMQTT_OK) return st;
    if (BMQTT_SIZE_OVER_VARINT(body_len)) return BMQTT_ERR_BAD_LENGTH;
#if BMQTT_DECODE_CLIENT_PACKETS
    if ((CLIENT_ONLY_TYPES >> (first_byte >> 4)) & 1u) return decode_client_packet(first_byte, body, body_len, pkt);
#endif
    return bmqtt_decode_from_server(first_byte, body, body_len, pkt);
}

/* Per packet type: the reserved flags it must carry (bmqtt_first_byte_check()),
 * CLIENT_SENT for the packets only a client sends; NO_TYPE for 0 and 15
 * (want & FLAGS_MASK matches no flags nibble), PUBLISH_FLAGS for PUBLISH
 * (checked apart). */
#define CLIENT_SENT 0x10u
#define PUBLISH_FLAGS 0x20u
#define NO_TYPE 0x40u
#define FLAGS_MASK 0x4Fu
static const uint8_t type_flags[16] = {
    NO_TYPE,     CLIENT_SENT,     0,   PUBLISH_FLAGS, 0, 0, 2, 0, CLIENT_SENT | 2, 0, CLIENT_SENT | 2, 0,
    CLIENT_SENT, 0,               CLIENT_SENT,        NO_TYPE,
};

/* bmqtt_decode() once the fixed header (n bytes of remaining length rl) is
 * read: the packet's size, then its body to its decoder, by a jump. */
static inline __attribute__((always_inline)) bmqtt_status_t to_decoder(const uint8_t *buf, size_t len, size_t n,
                                                                       uint32_t rl, bmqtt_packet_t *pkt,
                                                                       size_t *used)
{
    const unsigned b0 = buf[0], want = type_flags[b0 >> 4];
    const size_t total = 1 + n + rl;

    *used = total;
    if (len < total) return BMQTT_NEED_MORE;
#if BMQTT_DECODE_CLIENT_PACKETS
    if (want & CLIENT_SENT) return decode_client_packet((uint8_t)b0, buf + 1 + n, rl, pkt);
#endif
    if (want == PUBLISH_FLAGS) { /* the most frequent: straight to its decoder */
        pkt->type = BMQTT_PUBLISH;
        pkt->flags = (uint8_t)(b0 & 0x0Fu);
        publish_flags(&pkt->u.publish, b0 & 0x0Fu);
        return publish_head(&pkt->u.publish, buf + 1 + n, rl, rl);
    }
    return bmqtt_decode_from_server((uint8_t)b0, buf + 1 + n, rl, pkt);
}

/* A remaining length of three or four bytes, or one cut short or malformed:
 * out of line, so that bmqtt_decode() calls nothing but by a jump and keeps
 * no locals in memory. */
BMQTT_NOINLINE static bmqtt_status_t decode_long(const uint8_t *buf, size_t len, bmqtt_packet_t *pkt, size_t *used)
{
    uint32_t rl;

    /* bmqtt_varint_decode(buf + 1, len - 1, ...), here so that nothing is
     * called before the jump to the decoder. bmqtt_decode() took every
     * length whose first byte ends it, so buf[1] (if there) continues. */
    if (len < 2) return BMQTT_NEED_MORE;
    rl = buf[1] & 0x7Fu;
    for (size_t i = 2; i < 5; i++) {
        unsigned b;
        if (i >= len) return BMQTT_NEED_MORE;
        b = buf[i];
        rl |= (uint32_t)(b & 0x7Fu) << (7u * (i - 1));
        if ((b & 0x80u) == 0) {
            if (b == 0) return BMQTT_ERR_BAD_VARINT; /* non-minimal, e.g. 80 00 */
            return to_decoder(buf, len, i, rl, pkt, used);
        }
    }
    return BMQTT_ERR_BAD_VARINT; /* a 5th byte would follow */
}

bmqtt_status_t bmqtt_decode(const uint8_t *buf, size_t len, bmqtt_packet_t *pkt, size_t *used)
{
    unsigned b0, want;

    if (buf == NULL || pkt == NULL || used == NULL) return BMQTT_ERR_PARAM;
    *used = 0;
    if (len == 0) return BMQTT_NEED_MORE;
    /* The first byte through a table (PUBLISH's flags are its own), which
     * also says who sends the type. */
    b0 = buf[0];
    want = type_flags[b0 >> 4];
    if (want == PUBLISH_FLAGS) {
        if ((b0 & 6u) == 6u) return BMQTT_ERR_BAD_QOS;   /* QoS 3 [MQTT-3.3.1-4] */
        if ((b0 & 14u) == 8u) return BMQTT_ERR_PROTOCOL; /* DUP with QoS 0 [MQTT-3.3.1-2] */
    } else if ((b0 & 0x0Fu) != (want & FLAGS_MASK)) {
        return want == NO_TYPE ? BMQTT_ERR_BAD_TYPE : BMQTT_ERR_BAD_FLAGS; /* [MQTT-2.2.2-1/2] */
    }
    if (len > 1 && buf[1] < 0x80u) return to_decoder(buf, len, 1, buf[1], pkt, used); /* most packets */
    if (len > 2 && buf[2] < 0x80u && buf[2] != 0) {                                    /* 128..16383 */
        return to_decoder(buf, len, 2, (buf[1] & 0x7Fu) | ((uint32_t)buf[2] << 7), pkt, used);
    }
    return decode_long(buf, len, pkt, used);
}

int bmqtt_sub_next(bmqtt_view_t *it, bmqtt_subscription_t *out)
{
    size_t n;
    if (it == NULL || out == NULL || it->len < 3) return 0;
    n = bmqtt_get16(it->ptr);
    if (it->len < 3 + n) return 0;
    out->filter.ptr = it->ptr + 2;
    out->filter.len = n;
    out->qos = it->ptr[2 + n];
    it->ptr += 3 + n;
    it->len -= 3 + n;
    return 1;
}

int bmqtt_unsub_next(bmqtt_view_t *it, bmqtt_view_t *filter)
{
    size_t n;
    if (it == NULL || filter == NULL || it->len < 2) return 0;
    n = bmqtt_get16(it->ptr);
    if (it->len < 2 + n) return 0;
    filter->ptr = it->ptr + 2;
    filter->len = n;
    it->ptr += 2 + n;
    it->len -= 2 + n;
    return 1;
}
