/* Encoders for all 14 packet types. Each checks its scalars and lengths and
 * sizes the packet from the lengths alone (no second encode); then one pass
 * over each string checks it and, when the packet fits, copies it into place
 * (bmqtt_scan()). Nothing is written unless the whole packet fits; a string
 * rejected while the packet is written leaves the bytes written so far in the
 * caller's buffer (never beyond the packet's size). Sizing (buf == NULL) and a
 * buffer too small check every string all the same, so the status does not
 * depend on the buffer. */
#include <stddef.h>
#include <string.h>

#include "bmqtt_codec_internal.h"

/* The one place that turns a size into "size only", "too small" or "go".
 * rem is the remaining length announced in the header; body is how many of
 * those bytes this call writes (less than rem only for a header-only PUBLISH).
 * On BMQTT_OK with a buffer, the fixed header is written and the body goes at
 * buf + *len - body (see body_at). Six arguments: all but two in registers. */
static bmqtt_status_t begin(uint8_t first, size_t rem, size_t body, uint8_t *buf, size_t cap, size_t *len)
{
    size_t hl;
    uint8_t *p;
    uint32_t r; /* the remaining length in 32 bits, whatever size_t's width */

    if (BMQTT_SIZE_OVER_VARINT(rem)) return BMQTT_ERR_TOO_LONG;
    r = (uint32_t)rem;
    hl = r < 128u ? 2u : r < 16384u ? 3u : r < 2097152u ? 4u : 5u;
    *len = hl + body;
    if (buf == NULL) return BMQTT_OK;
    if (cap < hl + body) return BMQTT_ERR_BUFFER_TOO_SMALL;
    buf[0] = first;
    /* bmqtt_varint_encode(), inline: calling it makes a client link 26 B larger
     * and the PUBLISH header 7 instructions slower (make size, make cycles). */
    for (p = buf + 1; rem >= 128u; rem >>= 7) *p++ = (uint8_t)(rem | 0x80u);
    *p = (uint8_t)rem;
    return BMQTT_OK;
}

/* Where the body goes after begin() wrote the header of a packet of *len bytes. */
static uint8_t *body_at(uint8_t *buf, size_t len, size_t body)
{
    return buf + len - body;
}

static int view_bad(bmqtt_view_t v)
{
    return v.ptr == NULL && v.len != 0;
}

/* Field v with its 2-byte length at *pp, checked as kind says (bmqtt_scan());
 * with *pp NULL (sizing, or a buffer too small) it is only checked. */
static bmqtt_status_t put_field(uint8_t **pp, const bmqtt_view_t *v, unsigned kind)
{
    uint8_t *p = *pp;
    if (p) {
        p = bmqtt_put16(p, v->len);
        *pp = p + v->len;
    }
    return bmqtt_scan(v->ptr, v->len, p, kind);
}

/* Where begin() says the body goes: buf + *len - body when it wrote the
 * header, NULL when the strings are only to be checked. */
static uint8_t *body_or_null(bmqtt_status_t st, uint8_t *buf, size_t len, size_t body)
{
    return st == BMQTT_OK && buf ? body_at(buf, len, body) : NULL;
}

/* The five payload fields of a CONNECT are consecutive views in wire order
 * (client id, will topic, will message, user name, password). */
typedef char connect_fields_in_order[offsetof(bmqtt_connect_t, password) == 4 * sizeof(bmqtt_view_t) ? 1 : -1];

static const bmqtt_view_t *connect_field(const bmqtt_connect_t *c, unsigned i)
{
    return (const bmqtt_view_t *)(const void *)((const uint8_t *)c + i * sizeof(bmqtt_view_t));
}

bmqtt_status_t bmqtt_connect_encode(const bmqtt_connect_t *c, uint8_t *buf, size_t cap, size_t *len)
{
    /* Protocol name and level; then per field how it is checked (BMQTT_SCAN_*). */
    static const uint8_t proto[7] = { 0, 4, 'M', 'Q', 'T', 'T', 4 };
    static const uint8_t kinds[5] = { BMQTT_SCAN_STR, BMQTT_SCAN_TOPIC, BMQTT_SCAN_BYTES, BMQTT_SCAN_STR,
                                      BMQTT_SCAN_BYTES };
    unsigned will, user, pass, present, i;
    size_t rem = sizeof proto + 3;
    uint8_t *p;
    bmqtt_status_t st, fit;

    if (c == NULL || len == NULL) return BMQTT_ERR_PARAM;
    will = c->will_topic.ptr != NULL;
    user = c->username.ptr != NULL;
    pass = c->password.ptr != NULL;
    if (c->clean_session > 1) return BMQTT_ERR_PARAM;
    if (c->client_id.len == 0 && !c->clean_session) return BMQTT_ERR_BAD_CLIENT_ID; /* [MQTT-3.1.3-7] */
    if (will) {
        if (c->will_qos > 2 || c->will_retain > 1) return BMQTT_ERR_PARAM; /* [MQTT-3.1.2-14] */
        if (c->will_topic.len == 0) return BMQTT_ERR_BAD_TOPIC;            /* [MQTT-4.7.3-1] */
    } else if (c->will_qos || c->will_retain) {
        return BMQTT_ERR_PARAM; /* [MQTT-3.1.2-11/13/15] */
    }
    if (pass && !user) return BMQTT_ERR_PARAM; /* [MQTT-3.1.2-22] */

    present = 1u | (will * 6u) | (user << 3) | (pass << 4); /* bit i: connect_field(c, i) is sent */
    for (i = 0; i < 5; i++) {
        const bmqtt_view_t *f = connect_field(c, i);
        if (!((present >> i) & 1u)) continue;
        if (view_bad(*f)) return BMQTT_ERR_PARAM;
        if (f->len > BMQTT_STR_MAX) return BMQTT_ERR_TOO_LONG;
        rem += 2 + f->len;
    }
    fit = begin(BMQTT_CONNECT << 4, rem, rem, buf, cap, len);
    if ((p = body_or_null(fit, buf, *len, rem)) != NULL) {
        memcpy(p, proto, sizeof proto);
        p[7] = (uint8_t)((user << 7) | (pass << 6) | ((unsigned)c->will_retain << 5) | ((unsigned)c->will_qos << 3) |
                         (will << 2) | ((unsigned)c->clean_session << 1));
        p = bmqtt_put16(p + 8, c->keepalive_s);
    }
    for (i = 0; i < 5; i++) {
        if ((present >> i) & 1u && (st = put_field(&p, connect_field(c, i), kinds[i])) != BMQTT_OK) return st;
    }
    return fit;
}

bmqtt_status_t bmqtt_connack_encode(const bmqtt_connack_t *c, uint8_t *buf, size_t cap, size_t *len)
{
    bmqtt_status_t st;

    if (c == NULL || len == NULL) return BMQTT_ERR_PARAM;
    if (c->return_code > 5 || c->session_present > 1) return BMQTT_ERR_PARAM;
    if (c->session_present && c->return_code) return BMQTT_ERR_PARAM; /* [MQTT-3.2.2-4] */
    if ((st = begin(BMQTT_CONNACK << 4, 2, 2, buf, cap, len)) != BMQTT_OK || buf == NULL) return st;
    buf[2] = c->session_present;
    buf[3] = c->return_code;
    return BMQTT_OK;
}

/* PUBLISH up to its payload; with_payload says whether the payload follows in buf. */
static bmqtt_status_t publish_encode(const bmqtt_publish_t *pub, int with_payload, uint8_t *buf, size_t cap,
                                     size_t *len)
{
    size_t head, rem, body;
    uint8_t *p;
    bmqtt_status_t st, fit;

    if (pub == NULL || len == NULL) return BMQTT_ERR_PARAM;
    if (pub->qos > 2 || pub->retain > 1 || pub->dup > 1) return BMQTT_ERR_PARAM;
    if (pub->dup && pub->qos == 0) return BMQTT_ERR_PARAM; /* [MQTT-3.3.1-2] */
    if (view_bad(pub->topic)) return BMQTT_ERR_PARAM;
    if (pub->topic.len > BMQTT_STR_MAX) return BMQTT_ERR_TOO_LONG;
    if (pub->topic.len == 0) return BMQTT_ERR_BAD_TOPIC;               /* [MQTT-4.7.3-1] */
    if (pub->qos && pub->packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID; /* [MQTT-2.3.1-1] */
    if (with_payload && view_bad(pub->payload)) return BMQTT_ERR_PARAM;
    if (BMQTT_SIZE_OVER_VARINT(pub->payload.len)) return BMQTT_ERR_TOO_LONG;

    head = 2 + pub->topic.len + (pub->qos ? 2u : 0u);
    rem = head + pub->payload.len;
    body = with_payload ? rem : head;
    fit = begin((uint8_t)((BMQTT_PUBLISH << 4) | (pub->dup << 3) | (pub->qos << 1) | pub->retain), rem, body, buf,
                cap, len);
    p = body_or_null(fit, buf, *len, body);
    if ((st = put_field(&p, &pub->topic, BMQTT_SCAN_TOPIC)) != BMQTT_OK) return st; /* [MQTT-3.3.2-1/2] */
    if (p) {
        if (pub->qos) p = bmqtt_put16(p, pub->packet_id);
        if (with_payload && pub->payload.len) memcpy(p, pub->payload.ptr, pub->payload.len);
    }
    return fit;
}

bmqtt_status_t bmqtt_publish_encode(const bmqtt_publish_t *p, uint8_t *buf, size_t cap, size_t *len)
{
    return publish_encode(p, 1, buf, cap, len);
}

bmqtt_status_t bmqtt_publish_encode_header(const bmqtt_publish_t *p, uint8_t *buf, size_t cap, size_t *len)
{
    return publish_encode(p, 0, buf, cap, len);
}

/* PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: a packet id and nothing else. */
#define ACK_TYPES ((1u << BMQTT_PUBACK) | (1u << BMQTT_PUBREC) | (1u << BMQTT_PUBREL) | \
                   (1u << BMQTT_PUBCOMP) | (1u << BMQTT_UNSUBACK))

bmqtt_status_t bmqtt_ack_encode(bmqtt_packet_type_t type, uint16_t packet_id, uint8_t *buf, size_t cap,
                                size_t *len)
{
    bmqtt_status_t st;

    if (len == NULL || (unsigned)type > 15u || !((ACK_TYPES >> type) & 1u)) return BMQTT_ERR_PARAM;
    if (packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID;
    st = begin((uint8_t)((type << 4) | (type == BMQTT_PUBREL ? 2u : 0u)), 2, 2, buf, cap, len);
    if (st != BMQTT_OK || buf == NULL) return st;
    (void)bmqtt_put16(buf + 2, packet_id);
    return BMQTT_OK;
}

/* The filter of entry @p i: a struct's address is that of its first member. */
static const bmqtt_view_t *entry(const void *list, size_t i, size_t stride)
{
    return (const bmqtt_view_t *)(const void *)((const uint8_t *)list + i * stride);
}

/* SUBSCRIBE and UNSUBSCRIBE: a packet id and a list of filters, each followed by
 * a requested QoS in a SUBSCRIBE. Entries are @p stride bytes apart and start
 * with their filter (bmqtt_subscription_t begins with one, bmqtt_view_t is one). */
static bmqtt_status_t list_encode(bmqtt_packet_type_t type, uint16_t packet_id, const void *list, size_t count,
                                  size_t stride, uint8_t *buf, size_t cap, size_t *len)
{
    const int qos = type == BMQTT_SUBSCRIBE;
    size_t rem = 2;
    uint8_t *p;
    bmqtt_status_t st, fit;

    if (len == NULL || (list == NULL && count)) return BMQTT_ERR_PARAM;
    if (count == 0) return BMQTT_ERR_EMPTY_LIST; /* [MQTT-3.8.3-3], [MQTT-3.10.3-2] */
    if (packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID;
    for (size_t i = 0; i < count; i++) {
        const bmqtt_view_t *f = entry(list, i, stride);
        if (view_bad(*f)) return BMQTT_ERR_PARAM;
        if (f->len > BMQTT_STR_MAX) return BMQTT_ERR_TOO_LONG;
        if (f->len == 0) return BMQTT_ERR_BAD_FILTER; /* [MQTT-4.7.3-1] */
        if (qos && ((const bmqtt_subscription_t *)list)[i].qos > 2) return BMQTT_ERR_PARAM;
        rem += 2u + (size_t)qos + f->len;
        if (BMQTT_SIZE_OVER_VARINT(rem)) return BMQTT_ERR_TOO_LONG;
    }
    fit = begin((uint8_t)((type << 4) | 2), rem, rem, buf, cap, len);
    if ((p = body_or_null(fit, buf, *len, rem)) != NULL) p = bmqtt_put16(p, packet_id);
    for (size_t i = 0; i < count; i++) {
        if ((st = put_field(&p, entry(list, i, stride), BMQTT_SCAN_FILTER)) != BMQTT_OK) return st;
        if (qos && p) *p++ = ((const bmqtt_subscription_t *)list)[i].qos;
    }
    return fit;
}

bmqtt_status_t bmqtt_subscribe_encode(uint16_t packet_id, const bmqtt_subscription_t *subs, size_t count,
                                      uint8_t *buf, size_t cap, size_t *len)
{
    return list_encode(BMQTT_SUBSCRIBE, packet_id, subs, count, sizeof *subs, buf, cap, len);
}

bmqtt_status_t bmqtt_suback_encode(uint16_t packet_id, const uint8_t *codes, size_t count, uint8_t *buf,
                                   size_t cap, size_t *len)
{
    bmqtt_view_t v = { codes, count };
    bmqtt_status_t st;

    if (len == NULL || view_bad(v)) return BMQTT_ERR_PARAM;
    if (count == 0) return BMQTT_ERR_EMPTY_LIST;
    if (packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID;
    for (size_t i = 0; i < count; i++) {
        if (codes[i] > 2 && codes[i] != BMQTT_SUBACK_FAILURE) return BMQTT_ERR_BAD_RETURN_CODE; /* [MQTT-3.9.3-2] */
    }
    if ((st = begin(BMQTT_SUBACK << 4, 2 + count, 2 + count, buf, cap, len)) != BMQTT_OK || buf == NULL) return st;
    memcpy(bmqtt_put16(body_at(buf, *len, 2 + count), packet_id), codes, count);
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_unsubscribe_encode(uint16_t packet_id, const bmqtt_view_t *filters, size_t count,
                                        uint8_t *buf, size_t cap, size_t *len)
{
    return list_encode(BMQTT_UNSUBSCRIBE, packet_id, filters, count, sizeof *filters, buf, cap, len);
}

bmqtt_status_t bmqtt_empty_encode(bmqtt_packet_type_t type, uint8_t *buf, size_t cap, size_t *len)
{
    if (len == NULL || (type != BMQTT_PINGREQ && type != BMQTT_PINGRESP && type != BMQTT_DISCONNECT)) {
        return BMQTT_ERR_PARAM;
    }
    return begin((uint8_t)(type << 4), 0, 0, buf, cap, len);
}
