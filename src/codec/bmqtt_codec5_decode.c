/* MQTT 5.0 decoders for all 15 packet types. Input is untrusted: every length
 * is checked against the bytes that remain before it is used, and each rule
 * broken gets its own status (bmqtt5_status()). Results are views into the
 * input; properties are checked once here, so the iterator can trust them. */
#include <string.h>

#include "bmqtt/topic.h"
#include "bmqtt_codec5_internal.h"

/* A bounded read cursor over a packet body. */
typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} cursor_t;

static size_t left(const cursor_t *c)
{
    return (size_t)(c->end - c->p);
}

static bmqtt_status_t get_packet_id(cursor_t *c, uint16_t *id)
{
    if (left(c) < 2) return BMQTT_ERR_BAD_LENGTH;
    *id = bmqtt_get16(c->p);
    c->p += 2;
    return *id ? BMQTT_OK : BMQTT_ERR_BAD_PACKET_ID; /* [MQTT-2.2.1-3] */
}

/* A 2-byte length and that many bytes, inside the body. */
static bmqtt_status_t get_bytes(cursor_t *c, bmqtt_view_t *v)
{
    size_t n;
    if (left(c) < 2 || left(c) - 2 < (n = bmqtt_get16(c->p))) return BMQTT_ERR_BAD_LENGTH;
    v->ptr = c->p + 2;
    v->len = n;
    c->p += 2 + n;
    return BMQTT_OK;
}

static bmqtt_status_t get_str(cursor_t *c, bmqtt_view_t *v)
{
    bmqtt_status_t st = get_bytes(c, v);
    if (st != BMQTT_OK || v->len == 0) return st;
    return bmqtt_scan_check(v->ptr, v->len, BMQTT_SCAN_STR); /* [MQTT-1.5.4-1/2] */
}

static bmqtt_status_t get_props(cursor_t *c, unsigned where, unsigned from, bmqtt5_pcheck_t *chk, bmqtt5_props_t *out)
{
    memset(chk, 0, sizeof *chk);
    chk->where = (uint8_t)where;
    chk->from = (uint8_t)from;
    return bmqtt5_props_decode(&c->p, c->end, chk, out);
}

/* A payload that says it is UTF-8 (Payload Format Indicator 1) must be
 * well-formed UTF-8 (section 3.3.2.3.2, 3.1.3.2.3). Unlike an MQTT string it
 * may hold U+0000: each run between NUL bytes is checked on its own (no
 * multi-byte sequence contains a 0x00 byte). */
static bmqtt_status_t payload_utf8(const uint8_t *p, size_t len)
{
    while (len) {
        const uint8_t *z = memchr(p, 0, len);
        size_t n = z ? (size_t)(z - p) : len;
        if (n && bmqtt_scan_check(p, n, BMQTT_SCAN_STR) != BMQTT_OK) return BMQTT5_ERR_PAYLOAD_FORMAT;
        if (!z) break;
        p = z + 1;
        len -= n + 1;
    }
    return BMQTT_OK;
}

/* Out of line (here and for CONNECT): their frames stay out of PUBLISH's path. */
BMQTT_NOINLINE static bmqtt_status_t decode_connect(cursor_t *c, unsigned from, bmqtt5_connect_t *out)
{
    bmqtt5_pcheck_t chk;
    uint8_t flags;
    unsigned will, user, pass;
    bmqtt_status_t st;

    memset(out, 0, sizeof *out);
    if (left(c) < 2 || left(c) - 2 < bmqtt_get16(c->p)) return BMQTT_ERR_BAD_LENGTH;
    if (bmqtt_get16(c->p) != 4 || memcmp(c->p + 2, "MQTT", 4) != 0) return BMQTT_ERR_BAD_PROTOCOL; /* [MQTT-3.1.2-1] */
    c->p += 6;
    if (left(c) < 4) return BMQTT_ERR_BAD_LENGTH;
    if (c->p[0] != BMQTT5_PROTOCOL_LEVEL) return BMQTT_ERR_BAD_VERSION; /* [MQTT-3.1.2-2] */
    flags = c->p[1];
    out->keepalive_s = bmqtt_get16(c->p + 2);
    c->p += 4;
    if (flags & 1u) return BMQTT_ERR_BAD_CONNECT_FLAGS; /* [MQTT-3.1.2-3] */
    will = (flags >> 2) & 1u;
    out->will_qos = (uint8_t)((flags >> 3) & 3u);
    out->will_retain = (uint8_t)((flags >> 5) & 1u);
    pass = (flags >> 6) & 1u;
    user = (flags >> 7) & 1u;
    out->clean_start = (uint8_t)((flags >> 1) & 1u);
    if (!will && (out->will_qos || out->will_retain)) return BMQTT_ERR_BAD_CONNECT_FLAGS; /* [MQTT-3.1.2-13/15] */
    if (out->will_qos == 3) return BMQTT_ERR_BAD_QOS;                                     /* [MQTT-3.1.2-14] */
    if ((st = get_props(c, BMQTT_CONNECT, from, &chk, &out->props)) != BMQTT_OK) return st;
    if ((st = get_str(c, &out->client_id)) != BMQTT_OK) return st; /* [MQTT-3.1.3-4] */
    if (will) {                                                     /* [MQTT-3.1.2-9] */
        if ((st = get_props(c, BMQTT5_IN_WILL, from, &chk, &out->will_props)) != BMQTT_OK) return st;
        if ((st = get_bytes(c, &out->will_topic)) != BMQTT_OK) return st;
        if ((st = bmqtt_topic_name_check(out->will_topic.ptr, out->will_topic.len)) != BMQTT_OK) return st;
        if ((st = get_bytes(c, &out->will_payload)) != BMQTT_OK) return st;
        if (chk.payload_utf8 && (st = payload_utf8(out->will_payload.ptr, out->will_payload.len)) != BMQTT_OK)
            return st;
    }
    if (user && (st = get_str(c, &out->username)) != BMQTT_OK) return st; /* [MQTT-3.1.3-10] */
    if (pass && (st = get_bytes(c, &out->password)) != BMQTT_OK) return st;
    return left(c) ? BMQTT_ERR_BAD_LENGTH : BMQTT_OK;
}

BMQTT_NOINLINE static bmqtt_status_t decode_connack(cursor_t *c, unsigned from, bmqtt5_connack_t *out)
{
    bmqtt5_pcheck_t chk;
    bmqtt_status_t st;

    memset(out, 0, sizeof *out);
    if (left(c) < 2) return BMQTT_ERR_BAD_LENGTH;
    out->session_present = c->p[0];
    out->reason_code = c->p[1];
    c->p += 2;
    if (out->session_present > 1) return BMQTT_ERR_BAD_CONNECT_FLAGS; /* [MQTT-3.2.2-1] */
    if ((st = bmqtt5_reason_check(BMQTT_CONNACK, from, out->reason_code)) != BMQTT_OK) return st;
    if (out->session_present && out->reason_code) return BMQTT_ERR_BAD_CONNECT_FLAGS; /* [MQTT-3.2.2-6] */
    if ((st = get_props(c, BMQTT_CONNACK, from, &chk, &out->props)) != BMQTT_OK) return st;
    return left(c) ? BMQTT_ERR_BAD_LENGTH : BMQTT_OK;
}

static bmqtt_status_t decode_publish(cursor_t *c, unsigned flags, unsigned from, bmqtt5_publish_t *out)
{
    bmqtt5_pcheck_t chk;
    bmqtt_status_t st;

    memset(out, 0, sizeof *out);
    out->dup = (uint8_t)(flags >> 3);
    out->qos = (uint8_t)((flags >> 1) & 3u);
    out->retain = (uint8_t)(flags & 1u);
    if ((st = get_bytes(c, &out->topic)) != BMQTT_OK) return st;
    if (out->topic.len && (st = bmqtt_scan_check(out->topic.ptr, out->topic.len, BMQTT_SCAN_TOPIC)) != BMQTT_OK)
        return st; /* [MQTT-3.3.2-1/2] */
    if (out->qos && (st = get_packet_id(c, &out->packet_id)) != BMQTT_OK) return st;
    if ((st = get_props(c, BMQTT_PUBLISH, from, &chk, &out->props)) != BMQTT_OK) return st;
    if (out->topic.len == 0 && !(chk.seen[1] & ((uint32_t)1 << (BMQTT5_PROP_TOPIC_ALIAS - 32)))) {
        return BMQTT5_ERR_NO_TOPIC; /* section 3.3.2.1 */
    }
    out->payload.ptr = c->p;
    out->payload.len = left(c);
    return chk.payload_utf8 ? payload_utf8(out->payload.ptr, out->payload.len) : BMQTT_OK;
}

bmqtt_status_t bmqtt5_publish_decode_head(uint8_t flags, const uint8_t *body, size_t avail, uint32_t remaining,
                                          bmqtt5_from_t from, bmqtt5_publish_t *p, size_t *head_len)
{
    size_t off, head, vlen;
    uint32_t plen = 0;
    cursor_t cur;
    bmqtt_status_t st;

    if ((body == NULL && avail) || p == NULL || head_len == NULL || flags > 15u ||
        (unsigned)from > BMQTT5_FROM_CLIENT) {
        return BMQTT_ERR_PARAM;
    }
    if ((st = bmqtt_first_byte_status((uint8_t)((BMQTT_PUBLISH << 4) | flags))) != BMQTT_OK) return st;
    if (avail > remaining) avail = remaining;
    /* Where the head ends, from its lengths alone: topic, packet id, Property Length, properties.
     * A length past the packet is malformed at once; one past what is at hand needs more. */
    if (remaining < 2) return BMQTT_ERR_BAD_LENGTH;
    if (avail < 2) return BMQTT_NEED_MORE;
    off = 2u + bmqtt_get16(body) + (((flags >> 1) & 3u) ? 2u : 0u);
    if (off > remaining) return BMQTT_ERR_BAD_LENGTH;
    for (vlen = 0;; vlen++) { /* the Property Length, a variable byte integer */
        unsigned b;
        if (vlen == 4) return bmqtt5_status(BMQTT5_ERR_PROP_VARINT);
        if (off + vlen >= remaining) return bmqtt5_status(BMQTT5_ERR_PROP_LENGTH);
        if (off + vlen >= avail) return BMQTT_NEED_MORE;
        b = body[off + vlen];
        plen |= (uint32_t)(b & 0x7Fu) << (7u * vlen);
        if (!(b & 0x80u)) {
            if (vlen && !b) return bmqtt5_status(BMQTT5_ERR_PROP_VARINT); /* [MQTT-1.5.5-1] */
            break;
        }
    }
    head = off + vlen + 1u + plen;
    if (head > remaining) return bmqtt5_status(BMQTT5_ERR_PROP_LENGTH);
    if (head > avail) return BMQTT_NEED_MORE;
    /* The whole head is here: every rule of it, as bmqtt5_decode() checks them. */
    cur.p = body;
    cur.end = body + head;
    if ((st = decode_publish(&cur, flags, (unsigned)from, p)) != BMQTT_OK) return bmqtt5_status(st);
    p->payload.ptr = body + head;
    p->payload.len = avail - head;
    *head_len = head;
    return BMQTT_OK;
}

/* PUBACK, PUBREC, PUBREL, PUBCOMP: the reason code and the properties may be omitted. */
BMQTT_NOINLINE static bmqtt_status_t decode_ack(cursor_t *c, unsigned type, unsigned from, bmqtt5_ack_t *out)
{
    bmqtt5_pcheck_t chk;
    bmqtt_status_t st;

    memset(out, 0, sizeof *out);
    if ((st = get_packet_id(c, &out->packet_id)) != BMQTT_OK) return st;
    if (left(c) == 0) return BMQTT_OK; /* reason 0x00, no properties (section 3.4.2.1) */
    out->reason_code = *c->p++;
    if ((st = bmqtt5_reason_check(type, from, out->reason_code)) != BMQTT_OK) return st; /* [MQTT-3.4.2-1]... */
    if (left(c) == 0) return BMQTT_OK; /* no properties (section 3.4.2.2.1) */
    if ((st = get_props(c, type, from, &chk, &out->props)) != BMQTT_OK) return st;
    return left(c) ? BMQTT_ERR_BAD_LENGTH : BMQTT_OK;
}

/* A filter of SUBSCRIBE or UNSUBSCRIBE; *shared says whether it is "$share/...". */
static bmqtt_status_t get_filter(cursor_t *c, int *shared)
{
    bmqtt_view_t f;
    bmqtt_status_t st;
    if ((st = get_bytes(c, &f)) != BMQTT_OK) return st;
    /* the ShareName first: "$share/a+/b" breaks its rule, not a level's */
    if ((st = bmqtt5_share_check(f.ptr, f.len, shared)) != BMQTT_OK) return st;
    return bmqtt_topic_filter_check(f.ptr, f.len); /* [MQTT-3.8.3-1], [MQTT-4.7.1-1/2] */
}

BMQTT_NOINLINE static bmqtt_status_t decode_topic_list(cursor_t *c, unsigned type, unsigned from,
                                                       bmqtt5_topic_list_t *out)
{
    bmqtt5_pcheck_t chk;
    bmqtt_status_t st;

    memset(out, 0, sizeof *out);
    if ((st = get_packet_id(c, &out->packet_id)) != BMQTT_OK) return st;
    if ((st = get_props(c, type, from, &chk, &out->props)) != BMQTT_OK) return st;
    out->entries.ptr = c->p;
    out->entries.len = left(c);
    if (left(c) == 0) return BMQTT_ERR_EMPTY_LIST; /* [MQTT-3.8.3-2], [MQTT-3.10.3-2] */
    while (left(c)) {
        int shared;
        unsigned o;
        if ((st = get_filter(c, &shared)) != BMQTT_OK) return st;
        if (type == BMQTT_UNSUBSCRIBE) continue;
        if (left(c) < 1) return BMQTT_ERR_BAD_LENGTH;
        o = *c->p++;
        if (o & 0xC0u) return BMQTT5_ERR_SUB_OPTIONS;         /* [MQTT-3.8.3-5] */
        if ((o & 3u) == 3u) return BMQTT_ERR_BAD_QOS;           /* section 3.8.3.1 */
        if ((o >> 4) == 3u) return BMQTT5_ERR_RETAIN_HANDLING;  /* section 3.8.3.1 */
        if (shared && (o & 4u)) return BMQTT5_ERR_SHARED_NO_LOCAL; /* [MQTT-3.8.3-4] */
    }
    return BMQTT_OK;
}

/* SUBACK and UNSUBACK: a reason code per filter. */
BMQTT_NOINLINE static bmqtt_status_t decode_suback(cursor_t *c, unsigned type, unsigned from, bmqtt5_suback_t *out)
{
    bmqtt5_pcheck_t chk;
    bmqtt_status_t st;

    memset(out, 0, sizeof *out);
    if ((st = get_packet_id(c, &out->packet_id)) != BMQTT_OK) return st;
    if ((st = get_props(c, type, from, &chk, &out->props)) != BMQTT_OK) return st;
    out->codes.ptr = c->p;
    out->codes.len = left(c);
    if (left(c) == 0) return BMQTT_ERR_EMPTY_LIST; /* a Reason Code per filter [MQTT-3.8.4-6], at least one */
    for (; c->p < c->end; c->p++) {
        if ((st = bmqtt5_reason_check(type, from, *c->p)) != BMQTT_OK) return st; /* [MQTT-3.9.3-2], [MQTT-3.11.3-2] */
    }
    return BMQTT_OK;
}

/* DISCONNECT and AUTH: a Remaining Length of 0 means reason 0x00 and no properties. */
BMQTT_NOINLINE static bmqtt_status_t decode_reason(cursor_t *c, unsigned type, unsigned from, bmqtt5_reason_t *out)
{
    bmqtt5_pcheck_t chk;
    bmqtt_status_t st;

    memset(out, 0, sizeof *out);
    if (left(c) == 0) return BMQTT_OK;
    out->reason_code = *c->p++;
    if ((st = bmqtt5_reason_check(type, from, out->reason_code)) != BMQTT_OK) return st; /* [MQTT-3.14.2-1], [MQTT-3.15.2-1] */
    if (left(c) == 0) return BMQTT_OK; /* section 3.14.2.2.1 */
    if ((st = get_props(c, type, from, &chk, &out->props)) != BMQTT_OK) return st;
    return left(c) ? BMQTT_ERR_BAD_LENGTH : BMQTT_OK;
}

/* Who sends each type: bit t set when only a client sends type t, in the other word when only a server does. */
#define CLIENT_ONLY (((uint32_t)1 << BMQTT_CONNECT) | ((uint32_t)1 << BMQTT_SUBSCRIBE) | ((uint32_t)1 << BMQTT_UNSUBSCRIBE) | ((uint32_t)1 << BMQTT_PINGREQ))
#define SERVER_ONLY (((uint32_t)1 << BMQTT_CONNACK) | ((uint32_t)1 << BMQTT_SUBACK) | ((uint32_t)1 << BMQTT_UNSUBACK) | ((uint32_t)1 << BMQTT_PINGRESP))

/* The first byte: 3.1.1's rules, and AUTH (type 15) with flags 0 [MQTT-3.15.1-1]. */
static bmqtt_status_t first_byte5(uint8_t b0)
{
    if ((b0 >> 4) == BMQTT5_AUTH) return (b0 & 0x0Fu) ? BMQTT_ERR_BAD_FLAGS : BMQTT_OK;
    return bmqtt_first_byte_status(b0);
}

static bmqtt_status_t decode_body(uint8_t b0, const uint8_t *body, size_t body_len, unsigned from,
                                  bmqtt5_packet_t *pkt)
{
    cursor_t cur = { body, body + body_len };
    const unsigned type = b0 >> 4;

    pkt->type = (uint8_t)type;
    pkt->flags = (uint8_t)(b0 & 0x0Fu);
    if ((from == BMQTT5_FROM_SERVER && ((CLIENT_ONLY >> type) & 1u)) ||
        (from == BMQTT5_FROM_CLIENT && ((SERVER_ONLY >> type) & 1u))) {
        return BMQTT_ERR_PROTOCOL; /* a packet the sender's side never sends */
    }
    switch (type) {
    case BMQTT_CONNECT: return decode_connect(&cur, from, &pkt->u.connect);
    case BMQTT_CONNACK: return decode_connack(&cur, from, &pkt->u.connack);
    case BMQTT_PUBLISH: return decode_publish(&cur, b0 & 0x0Fu, from, &pkt->u.publish);
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
    case BMQTT_PUBREL:
    case BMQTT_PUBCOMP: return decode_ack(&cur, type, from, &pkt->u.ack);
    case BMQTT_SUBSCRIBE:
    case BMQTT_UNSUBSCRIBE: return decode_topic_list(&cur, type, from, &pkt->u.subscribe);
    case BMQTT_SUBACK:
    case BMQTT_UNSUBACK: return decode_suback(&cur, type, from, &pkt->u.suback);
    case BMQTT_DISCONNECT:
    case BMQTT5_AUTH: return decode_reason(&cur, type, from, &pkt->u.reason);
    default: /* PINGREQ, PINGRESP */
        return body_len ? BMQTT_ERR_BAD_LENGTH : BMQTT_OK;
    }
}

bmqtt_status_t bmqtt5_decode_body(uint8_t first_byte, const uint8_t *body, size_t body_len, bmqtt5_from_t from,
                                  bmqtt5_packet_t *pkt)
{
    bmqtt_status_t st;

    if ((body == NULL && body_len) || pkt == NULL || (unsigned)from > BMQTT5_FROM_CLIENT) return BMQTT_ERR_PARAM;
    if ((st = first_byte5(first_byte)) != BMQTT_OK) return st;
    if (BMQTT_SIZE_OVER_VARINT(body_len)) return BMQTT_ERR_BAD_LENGTH;
    return bmqtt5_status(decode_body(first_byte, body, body_len, (unsigned)from, pkt));
}

bmqtt_status_t bmqtt5_decode(const uint8_t *buf, size_t len, bmqtt5_from_t from, bmqtt5_packet_t *pkt,
                             size_t *used)
{
    uint32_t rl;
    size_t n;
    bmqtt_status_t st;

    if (buf == NULL || pkt == NULL || used == NULL || (unsigned)from > BMQTT5_FROM_CLIENT) return BMQTT_ERR_PARAM;
    *used = 0;
    if (len == 0) return BMQTT_NEED_MORE;
    if ((st = first_byte5(buf[0])) != BMQTT_OK) return st;
    if ((st = bmqtt_varint_decode(buf + 1, len - 1, &rl, &n)) != BMQTT_OK) return st;
    *used = 1 + n + rl;
    if (len - 1 - n < rl) return BMQTT_NEED_MORE;
    return bmqtt5_status(decode_body(buf[0], buf + 1 + n, rl, (unsigned)from, pkt));
}

bmqtt_status_t bmqtt5_protocol_level(const uint8_t *buf, size_t len, uint8_t *level)
{
    bmqtt_fixed_header_t h;
    const uint8_t *p;
    bmqtt_status_t st;

    if (buf == NULL || level == NULL) return BMQTT_ERR_PARAM;
    if ((st = bmqtt_fixed_header_decode(buf, len, &h)) != BMQTT_OK) return st;
    if (h.type != BMQTT_CONNECT) return BMQTT_ERR_BAD_TYPE;
    if (h.remaining_length < 7) return BMQTT_ERR_BAD_LENGTH;
    if (len < (size_t)h.header_len + 7) return BMQTT_NEED_MORE;
    p = buf + h.header_len;
    if (bmqtt_get16(p) != 4 || memcmp(p + 2, "MQTT", 4) != 0) return BMQTT_ERR_BAD_PROTOCOL; /* [MQTT-3.1.2-1] */
    *level = p[6];
    return BMQTT_OK;
}

int bmqtt5_sub_next(bmqtt_view_t *it, bmqtt5_subscription_t *out)
{
    size_t n;
    unsigned o;
    if (it == NULL || out == NULL || it->len < 3) return 0;
    n = bmqtt_get16(it->ptr);
    if (it->len < 3 + n) return 0;
    out->filter.ptr = it->ptr + 2;
    out->filter.len = n;
    o = it->ptr[2 + n];
    out->qos = (uint8_t)(o & 3u);
    out->no_local = (uint8_t)((o >> 2) & 1u);
    out->retain_as_published = (uint8_t)((o >> 3) & 1u);
    out->retain_handling = (uint8_t)((o >> 4) & 3u);
    it->ptr += 3 + n;
    it->len -= 3 + n;
    return 1;
}
