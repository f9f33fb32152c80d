/* MQTT 5.0 encoders. As in 3.1.1 (bmqtt_codec_encode.c): scalars, lengths
 * and properties are checked and the packet sized first; then one pass over
 * each string checks it and, when the packet fits, copies it into place.
 * Sizing (buf NULL) and a buffer too small check every string all the same. */
#include <string.h>

#include "bmqtt_codec5_internal.h"

/* The fixed header of a packet of remaining length rem, once it is known to
 * fit; the body then goes at buf + *len - rem. */
static bmqtt_status_t begin(unsigned first, size_t rem, size_t body, uint8_t *buf, size_t cap, size_t *len)
{
    size_t hl;
    if (BMQTT_SIZE_OVER_VARINT(rem)) return BMQTT_ERR_TOO_LONG;
    hl = 1 + bmqtt_varint_size((uint32_t)rem);
    *len = hl + body;
    if (buf == NULL) return BMQTT_OK;
    if (cap < hl + body) return BMQTT_ERR_BUFFER_TOO_SMALL;
    buf[0] = (uint8_t)first;
    (void)bmqtt_varint_encode((uint32_t)rem, buf + 1);
    return BMQTT_OK;
}

/* Where the body starts when begin() wrote the header; NULL when strings are only checked. */
static uint8_t *body_or_null(bmqtt_status_t fit, uint8_t *buf, size_t len, size_t body)
{
    return fit == BMQTT_OK && buf ? buf + len - body : NULL;
}

static int view_bad(bmqtt_view_t v)
{
    return v.ptr == NULL && v.len != 0;
}

static bmqtt_status_t put_field(uint8_t **pp, const bmqtt_view_t *v, unsigned kind)
{
    uint8_t *p = *pp;
    if (p) {
        p = bmqtt_put16(p, v->len);
        *pp = p + v->len;
    }
    return v->len ? bmqtt_scan(v->ptr, v->len, p, kind) : BMQTT_OK;
}

/* Check and size a property set of packet @p where; *size counts its Property Length. */
static bmqtt_status_t props_size(const bmqtt5_props_t *props, unsigned where, bmqtt5_pcheck_t *c, size_t *size,
                                 size_t *plen)
{
    memset(c, 0, sizeof *c);
    c->where = (uint8_t)where;
    c->from = BMQTT5_FROM_EITHER;
    return bmqtt5_props_size(props, c, size, plen);
}

/* The payload of a message whose properties say it is UTF-8 (section 3.3.2.3.2). */
static bmqtt_status_t payload_check(const bmqtt5_pcheck_t *c, bmqtt_view_t payload)
{
    const uint8_t *p = payload.ptr;
    size_t len = payload.len;
    if (!c->payload_utf8 || p == NULL) return BMQTT_OK;
    while (len) { /* U+0000 is allowed here: check the runs between NUL bytes */
        const uint8_t *z = memchr(p, 0, len);
        size_t n = z ? (size_t)(z - p) : len;
        if (n && bmqtt_scan_check(p, n, BMQTT_SCAN_STR) != BMQTT_OK) return BMQTT5_ERR_PAYLOAD_FORMAT;
        if (!z) break;
        p = z + 1;
        len -= n + 1;
    }
    return BMQTT_OK;
}

/* The five payload fields of a CONNECT are consecutive views in wire order. */
typedef char connect5_fields_in_order[offsetof(bmqtt5_connect_t, password) == 4 * sizeof(bmqtt_view_t) ? 1 : -1];

static const bmqtt_view_t *connect_field(const bmqtt5_connect_t *c, unsigned i)
{
    return (const bmqtt_view_t *)(const void *)((const uint8_t *)c + i * sizeof(bmqtt_view_t));
}

BMQTT_NOINLINE static bmqtt_status_t connect_encode(const bmqtt5_connect_t *c, uint8_t *buf, size_t cap, size_t *len)
{
    static const uint8_t proto[7] = { 0, 4, 'M', 'Q', 'T', 'T', BMQTT5_PROTOCOL_LEVEL };
    static const uint8_t kinds[5] = { BMQTT_SCAN_STR, BMQTT_SCAN_TOPIC, BMQTT_SCAN_BYTES, BMQTT_SCAN_STR,
                                      BMQTT_SCAN_BYTES };
    bmqtt5_pcheck_t chk;
    size_t psize, plen, wsize = 0, wplen = 0, rem;
    unsigned will, user, pass, present, i;
    uint8_t *p;
    bmqtt_status_t st, fit;

    will = c->will_topic.ptr != NULL;
    user = c->username.ptr != NULL;
    pass = c->password.ptr != NULL;
    if (c->clean_start > 1) return BMQTT_ERR_PARAM;
    if (will) {
        if (c->will_qos > 2 || c->will_retain > 1) return BMQTT_ERR_PARAM; /* [MQTT-3.1.2-14] */
        if (c->will_topic.len == 0) return BMQTT_ERR_BAD_TOPIC;            /* [MQTT-4.7.3-1] */
    } else if (c->will_qos || c->will_retain || c->will_props.count || c->will_props.raw.len) {
        return BMQTT_ERR_PARAM; /* [MQTT-3.1.2-11/13/15] */
    }
    present = 1u | (will * 6u) | (user << 3) | (pass << 4);
    rem = 10;
    for (i = 0; i < 5; i++) {
        const bmqtt_view_t *f = connect_field(c, i);
        if (!((present >> i) & 1u)) continue;
        if (view_bad(*f)) return BMQTT_ERR_PARAM;
        if (f->len > BMQTT_STR_MAX) return BMQTT_ERR_TOO_LONG;
        rem += 2 + f->len;
    }
    if ((st = props_size(&c->props, BMQTT_CONNECT, &chk, &psize, &plen)) != BMQTT_OK) return st;
    if (will) {
        if ((st = props_size(&c->will_props, BMQTT5_IN_WILL, &chk, &wsize, &wplen)) != BMQTT_OK) return st;
        if ((st = payload_check(&chk, c->will_payload)) != BMQTT_OK) return st;
    }
    rem += psize + wsize;
    fit = begin(BMQTT_CONNECT << 4, rem, rem, buf, cap, len);
    if ((p = body_or_null(fit, buf, *len, rem)) != NULL) {
        memcpy(p, proto, sizeof proto);
        p[7] = (uint8_t)((user << 7) | (pass << 6) | ((unsigned)c->will_retain << 5) | ((unsigned)c->will_qos << 3) |
                         (will << 2) | ((unsigned)c->clean_start << 1));
        p = bmqtt_put16(p + 8, c->keepalive_s);
    }
    if ((st = bmqtt5_props_write(&p, &c->props, plen)) != BMQTT_OK) return st;
    for (i = 0; i < 5; i++) {
        if (!((present >> i) & 1u)) continue;
        if (i == 1 && (st = bmqtt5_props_write(&p, &c->will_props, wplen)) != BMQTT_OK) return st;
        if ((st = put_field(&p, connect_field(c, i), kinds[i])) != BMQTT_OK) return st;
    }
    return fit;
}

bmqtt_status_t bmqtt5_connect_encode(const bmqtt5_connect_t *c, uint8_t *buf, size_t cap, size_t *len)
{
    if (c == NULL || len == NULL) return BMQTT_ERR_PARAM;
    return bmqtt5_status(connect_encode(c, buf, cap, len));
}

bmqtt_status_t bmqtt5_connack_encode(const bmqtt5_connack_t *c, uint8_t *buf, size_t cap, size_t *len)
{
    bmqtt5_pcheck_t chk;
    size_t psize, plen;
    uint8_t *p;
    bmqtt_status_t st, fit;

    if (c == NULL || len == NULL || c->session_present > 1) return BMQTT_ERR_PARAM;
    if ((st = bmqtt5_reason_check(BMQTT_CONNACK, BMQTT5_FROM_EITHER, c->reason_code)) != BMQTT_OK)
        return bmqtt5_status(st);
    if (c->session_present && c->reason_code) return BMQTT_ERR_PARAM; /* [MQTT-3.2.2-6] */
    if ((st = props_size(&c->props, BMQTT_CONNACK, &chk, &psize, &plen)) != BMQTT_OK) return bmqtt5_status(st);
    fit = begin(BMQTT_CONNACK << 4, 2 + psize, 2 + psize, buf, cap, len);
    if ((p = body_or_null(fit, buf, *len, 2 + psize)) != NULL) {
        *p++ = c->session_present;
        *p++ = c->reason_code;
    }
    if ((st = bmqtt5_props_write(&p, &c->props, plen)) != BMQTT_OK) return st;
    return fit;
}

static bmqtt_status_t publish_encode(const bmqtt5_publish_t *pub, int with_payload, uint8_t *buf, size_t cap,
                                     size_t *len)
{
    bmqtt5_pcheck_t chk;
    size_t psize, plen, head, rem, body;
    uint8_t *p;
    bmqtt_status_t st, fit;

    if (pub == NULL || len == NULL) return BMQTT_ERR_PARAM;
    if (pub->qos > 2 || pub->retain > 1 || pub->dup > 1) return BMQTT_ERR_PARAM;
    if (pub->dup && pub->qos == 0) return BMQTT_ERR_PARAM; /* [MQTT-3.3.1-2] */
    if (view_bad(pub->topic) || (with_payload && view_bad(pub->payload))) return BMQTT_ERR_PARAM;
    if (pub->topic.len > BMQTT_STR_MAX || BMQTT_SIZE_OVER_VARINT(pub->payload.len)) return BMQTT_ERR_TOO_LONG;
    if (pub->qos && pub->packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID; /* [MQTT-2.2.1-3] */
    if ((st = props_size(&pub->props, BMQTT_PUBLISH, &chk, &psize, &plen)) != BMQTT_OK) return st;
    if (pub->topic.len == 0 && !(chk.seen[1] & ((uint32_t)1 << (BMQTT5_PROP_TOPIC_ALIAS - 32)))) {
        return BMQTT5_ERR_NO_TOPIC; /* section 3.3.2.1 */
    }
    if (with_payload && (st = payload_check(&chk, pub->payload)) != BMQTT_OK) return st;
    head = 2 + pub->topic.len + (pub->qos ? 2u : 0u) + psize;
    rem = head + pub->payload.len;
    body = with_payload ? rem : head;
    fit = begin((BMQTT_PUBLISH << 4) | ((unsigned)pub->dup << 3) | ((unsigned)pub->qos << 1) | pub->retain, rem,
                body, buf, cap, len);
    p = body_or_null(fit, buf, *len, body);
    if ((st = put_field(&p, &pub->topic, BMQTT_SCAN_TOPIC)) != BMQTT_OK) return st; /* [MQTT-3.3.2-1/2] */
    if (p && pub->qos) p = bmqtt_put16(p, pub->packet_id);
    if ((st = bmqtt5_props_write(&p, &pub->props, plen)) != BMQTT_OK) return st;
    if (p && with_payload && pub->payload.len) memcpy(p, pub->payload.ptr, pub->payload.len);
    return fit;
}

bmqtt_status_t bmqtt5_publish_encode(const bmqtt5_publish_t *p, uint8_t *buf, size_t cap, size_t *len)
{
    return bmqtt5_status(publish_encode(p, 1, buf, cap, len));
}

bmqtt_status_t bmqtt5_publish_encode_header(const bmqtt5_publish_t *p, uint8_t *buf, size_t cap, size_t *len)
{
    return bmqtt5_status(publish_encode(p, 0, buf, cap, len));
}

/* A packet id, then a reason code and properties, each omitted when it says nothing
 * (PUBACK..PUBCOMP), or only the reason code and properties (DISCONNECT, AUTH: id_len 0). */
static bmqtt_status_t reason_encode(unsigned type, size_t id_len, uint16_t packet_id, unsigned code,
                                    const bmqtt5_props_t *props, uint8_t *buf, size_t cap, size_t *len)
{
    bmqtt5_pcheck_t chk;
    size_t psize, plen, rem;
    uint8_t *p;
    bmqtt_status_t st, fit;

    if ((st = bmqtt5_reason_check(type, BMQTT5_FROM_EITHER, code)) != BMQTT_OK) return st;
    if ((st = props_size(props, type, &chk, &psize, &plen)) != BMQTT_OK) return st;
    rem = id_len + (plen ? 1 + psize : code ? 1u : 0u);
    fit = begin((type << 4) | (type == BMQTT_PUBREL ? 2u : 0u), rem, rem, buf, cap, len);
    if ((p = body_or_null(fit, buf, *len, rem)) != NULL) {
        if (id_len) p = bmqtt_put16(p, packet_id);
        if (rem > id_len) *p++ = (uint8_t)code;
    }
    if (plen && (st = bmqtt5_props_write(&p, props, plen)) != BMQTT_OK) return st;
    return fit;
}

bmqtt_status_t bmqtt5_ack_encode(bmqtt_packet_type_t type, const bmqtt5_ack_t *a, uint8_t *buf, size_t cap,
                                 size_t *len)
{
    if (a == NULL || len == NULL || type < BMQTT_PUBACK || type > BMQTT_PUBCOMP) return BMQTT_ERR_PARAM;
    if (a->packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID;
    return bmqtt5_status(reason_encode((unsigned)type, 2, a->packet_id, a->reason_code, &a->props, buf, cap, len));
}

bmqtt_status_t bmqtt5_reason_encode(unsigned type, const bmqtt5_reason_t *r, uint8_t *buf, size_t cap, size_t *len)
{
    if (r == NULL || len == NULL || (type != BMQTT_DISCONNECT && type != BMQTT5_AUTH)) return BMQTT_ERR_PARAM;
    return bmqtt5_status(reason_encode(type, 0, 0, r->reason_code, &r->props, buf, cap, len));
}

/* SUBSCRIBE (an options byte after each filter) and UNSUBSCRIBE. */
static bmqtt_status_t list_encode(unsigned type, uint16_t packet_id, const bmqtt5_props_t *props, const void *list,
                                  size_t count, uint8_t *buf, size_t cap, size_t *len)
{
    const int sub = type == BMQTT_SUBSCRIBE;
    const bmqtt5_subscription_t *subs = list;
    const bmqtt_view_t *filters = list;
    bmqtt5_pcheck_t chk;
    size_t psize, plen, rem;
    uint8_t *p;
    bmqtt_status_t st, fit;

    if (len == NULL || (list == NULL && count)) return BMQTT_ERR_PARAM;
    if (count == 0) return BMQTT_ERR_EMPTY_LIST; /* [MQTT-3.8.3-2], [MQTT-3.10.3-2] */
    if (packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID;
    if ((st = props_size(props, type, &chk, &psize, &plen)) != BMQTT_OK) return st;
    rem = 2 + psize;
    for (size_t i = 0; i < count; i++) {
        const bmqtt_view_t *f = sub ? &subs[i].filter : &filters[i];
        int shared;
        if (view_bad(*f)) return BMQTT_ERR_PARAM;
        if (f->len > BMQTT_STR_MAX) return BMQTT_ERR_TOO_LONG;
        if (f->len == 0) return BMQTT_ERR_BAD_FILTER; /* [MQTT-4.7.3-1] */
        if ((st = bmqtt5_share_check(f->ptr, f->len, &shared)) != BMQTT_OK) return st;
        if (sub) {
            const bmqtt5_subscription_t *s = &subs[i];
            if (s->qos > 2 || s->no_local > 1 || s->retain_as_published > 1 || s->retain_handling > 3)
                return BMQTT_ERR_PARAM;
            if (s->retain_handling == 3) return BMQTT5_ERR_RETAIN_HANDLING;
            if (shared && s->no_local) return BMQTT5_ERR_SHARED_NO_LOCAL; /* [MQTT-3.8.3-4] */
        }
        rem += 2u + (size_t)sub + f->len;
        if (BMQTT_SIZE_OVER_VARINT(rem)) return BMQTT_ERR_TOO_LONG;
    }
    fit = begin((type << 4) | 2u, rem, rem, buf, cap, len);
    if ((p = body_or_null(fit, buf, *len, rem)) != NULL) p = bmqtt_put16(p, packet_id);
    if ((st = bmqtt5_props_write(&p, props, plen)) != BMQTT_OK) return st;
    for (size_t i = 0; i < count; i++) {
        if ((st = put_field(&p, sub ? &subs[i].filter : &filters[i], BMQTT_SCAN_FILTER)) != BMQTT_OK) return st;
        if (sub && p) {
            const bmqtt5_subscription_t *s = &subs[i];
            *p++ = (uint8_t)(s->qos | (s->no_local << 2) | (s->retain_as_published << 3) | (s->retain_handling << 4));
        }
    }
    return fit;
}

bmqtt_status_t bmqtt5_subscribe_encode(uint16_t packet_id, const bmqtt5_props_t *props,
                                       const bmqtt5_subscription_t *subs, size_t count, uint8_t *buf, size_t cap,
                                       size_t *len)
{
    return bmqtt5_status(list_encode(BMQTT_SUBSCRIBE, packet_id, props, subs, count, buf, cap, len));
}

bmqtt_status_t bmqtt5_unsubscribe_encode(uint16_t packet_id, const bmqtt5_props_t *props,
                                         const bmqtt_view_t *filters, size_t count, uint8_t *buf, size_t cap,
                                         size_t *len)
{
    return bmqtt5_status(list_encode(BMQTT_UNSUBSCRIBE, packet_id, props, filters, count, buf, cap, len));
}

static bmqtt_status_t suback_encode(unsigned type, uint16_t packet_id, const bmqtt5_props_t *props,
                                    const uint8_t *codes, size_t count, uint8_t *buf, size_t cap, size_t *len)
{
    bmqtt5_pcheck_t chk;
    size_t psize, plen, rem;
    uint8_t *p;
    bmqtt_status_t st, fit;

    if (len == NULL || (codes == NULL && count) || (type != BMQTT_SUBACK && type != BMQTT_UNSUBACK))
        return BMQTT_ERR_PARAM;
    if (count == 0) return BMQTT_ERR_EMPTY_LIST;
    if (packet_id == 0) return BMQTT_ERR_BAD_PACKET_ID;
    for (size_t i = 0; i < count; i++) {
        if ((st = bmqtt5_reason_check(type, BMQTT5_FROM_EITHER, codes[i])) != BMQTT_OK) return st;
    }
    if ((st = props_size(props, type, &chk, &psize, &plen)) != BMQTT_OK) return st;
    rem = 2 + psize + count;
    fit = begin(type << 4, rem, rem, buf, cap, len);
    if ((p = body_or_null(fit, buf, *len, rem)) != NULL) p = bmqtt_put16(p, packet_id);
    if ((st = bmqtt5_props_write(&p, props, plen)) != BMQTT_OK) return st;
    if (p) memcpy(p, codes, count);
    return fit;
}

bmqtt_status_t bmqtt5_suback_encode(bmqtt_packet_type_t type, uint16_t packet_id, const bmqtt5_props_t *props,
                                    const uint8_t *codes, size_t count, uint8_t *buf, size_t cap, size_t *len)
{
    return bmqtt5_status(suback_encode((unsigned)type, packet_id, props, codes, count, buf, cap, len));
}
