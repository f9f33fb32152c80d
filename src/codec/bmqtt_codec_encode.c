/* Encoders for all 14 packet types. Each validates first, then sizes, then
 * writes; nothing is written unless the whole packet fits. */
#include <stddef.h>
#include <string.h>

#include "bmqtt/topic.h"
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

    if (rem > BMQTT_VARINT_MAX) return BMQTT_ERR_TOO_LONG;
    hl = rem < 128u ? 2u : 1u + bmqtt_varint_size((uint32_t)rem);
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

static uint8_t *put_bytes(uint8_t *p, bmqtt_view_t v)
{
    if (v.len) memcpy(p, v.ptr, v.len);
    return p + v.len;
}

static uint8_t *put_str(uint8_t *p, bmqtt_view_t v)
{
    return put_bytes(bmqtt_put16(p, v.len), v);
}

static int view_bad(bmqtt_view_t v)
{
    return v.ptr == NULL && v.len != 0;
}

enum { BYTES, STR, TOPIC, FILTER };

/* A length-prefixed field that fits in 16 bits; a STR is also well-formed
 * UTF-8, a TOPIC a valid topic name, a FILTER a valid topic filter. One
 * function for the four: each is needed at several places. */
static bmqtt_status_t check(bmqtt_view_t v, int kind)
{
    if (view_bad(v)) return BMQTT_ERR_PARAM;
    if (v.len > BMQTT_STR_MAX) return BMQTT_ERR_TOO_LONG;
    if (kind == BYTES) return BMQTT_OK;
    if (kind == STR) return bmqtt_utf8_check(v.ptr, v.len);
    return kind == TOPIC ? bmqtt_topic_name_check(v.ptr, v.len) : bmqtt_topic_filter_check(v.ptr, v.len);
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
    static const uint8_t proto[7] = { 0, 4, 'M', 'Q', 'T', 'T', 4 };
    unsigned will, user, pass, present, i;
    size_t rem = sizeof proto + 3;
    uint8_t *p;
    bmqtt_status_t st;

    if (c == NULL || len == NULL) return BMQTT_ERR_PARAM;
    will = c->will_topic.ptr != NULL;
    user = c->username.ptr != NULL;
    pass = c->password.ptr != NULL;

    if ((st = check(c->client_id, STR)) != BMQTT_OK) return st;
    if (c->clean_session > 1) return BMQTT_ERR_PARAM;
    if (c->client_id.len == 0 && !c->clean_session) return BMQTT_ERR_BAD_CLIENT_ID; /* [MQTT-3.1.3-7] */
    if (will) {
        if ((st = check(c->will_topic, TOPIC)) != BMQTT_OK) return st;
        if ((st = check(c->will_payload, BYTES)) != BMQTT_OK) return st;
        if (c->will_qos > 2 || c->will_retain > 1) return BMQTT_ERR_PARAM; /* [MQTT-3.1.2-14] */
    } else if (c->will_qos || c->will_retain) {
        return BMQTT_ERR_PARAM; /* [MQTT-3.1.2-11/13/15] */
    }
    if (user && (st = check(c->username, STR)) != BMQTT_OK) return st;
    if (pass) {
        if (!user) return BMQTT_ERR_PARAM; /* [MQTT-3.1.2-22] */
        if ((st = check(c->password, BYTES)) != BMQTT_OK) return st;
    }

    present = 1u | (will * 6u) | (user << 3) | (pass << 4); /* bit i: connect_field(c, i) is sent */
    for (i = 0; i < 5; i++) {
        if ((present >> i) & 1u) rem += 2 + connect_field(c, i)->len;
    }
    if ((st = begin(BMQTT_CONNECT << 4, rem, rem, buf, cap, len)) != BMQTT_OK || buf == NULL) return st;
    p = body_at(buf, *len, rem);
    memcpy(p, proto, sizeof proto);
    p += sizeof proto;
    *p++ = (uint8_t)((user << 7) | (pass << 6) | ((unsigned)c->will_retain << 5) | ((unsigned)c->will_qos << 3) |
                     (will << 2) | ((unsigned)c->clean_session << 1));
    p = bmqtt_put16(p, c->keepalive_s);
    for (i = 0; i < 5; i++) {
        if ((present >> i) & 1u) p = put_str(p, *connect_field(c, i));
    }
    return BMQTT_OK;
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
    bmqtt_status_t st;

    if (pub == NULL || len == NULL) return BMQTT_ERR_PARAM;
    if (pub->qos > 2 || pub->retain > 1 || pub->dup > 1) return BMQTT_ERR_PARAM;
    if (pub->dup && pub->qos == 0) return BMQTT_ERR_PARAM; /* [MQTT-3.3.1-2] */
    if ((st = check(pub->topic, TOPIC)) != BMQTT_OK) return st;
    if (pub->qos && pub->packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID; /* [MQTT-2.3.1-1] */
    if (with_payload && view_bad(pub->payload)) return BMQTT_ERR_PARAM;
    if (pub->payload.len > BMQTT_VARINT_MAX) return BMQTT_ERR_TOO_LONG;

    head = 2 + pub->topic.len + (pub->qos ? 2u : 0u);
    rem = head + pub->payload.len;
    body = with_payload ? rem : head;
    st = begin((uint8_t)((BMQTT_PUBLISH << 4) | (pub->dup << 3) | (pub->qos << 1) | pub->retain), rem, body, buf,
               cap, len);
    if (st != BMQTT_OK || buf == NULL) return st;
    p = put_str(body_at(buf, *len, body), pub->topic);
    if (pub->qos) p = bmqtt_put16(p, pub->packet_id);
    if (with_payload) (void)put_bytes(p, pub->payload);
    return BMQTT_OK;
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
    bmqtt_status_t st;

    if (len == NULL || (list == NULL && count)) return BMQTT_ERR_PARAM;
    if (count == 0) return BMQTT_ERR_EMPTY_LIST; /* [MQTT-3.8.3-3], [MQTT-3.10.3-2] */
    if (packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID;
    for (size_t i = 0; i < count; i++) {
        const bmqtt_view_t *f = entry(list, i, stride);
        if ((st = check(*f, FILTER)) != BMQTT_OK) return st;
        if (qos && ((const bmqtt_subscription_t *)list)[i].qos > 2) return BMQTT_ERR_PARAM;
        rem += 2u + (size_t)qos + f->len;
        if (rem > BMQTT_VARINT_MAX) return BMQTT_ERR_TOO_LONG;
    }
    if ((st = begin((uint8_t)((type << 4) | 2), rem, rem, buf, cap, len)) != BMQTT_OK || buf == NULL) return st;
    p = bmqtt_put16(body_at(buf, *len, rem), packet_id);
    for (size_t i = 0; i < count; i++) {
        p = put_str(p, *entry(list, i, stride));
        if (qos) *p++ = ((const bmqtt_subscription_t *)list)[i].qos;
    }
    return BMQTT_OK;
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
    (void)put_bytes(bmqtt_put16(body_at(buf, *len, 2 + count), packet_id), v);
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
