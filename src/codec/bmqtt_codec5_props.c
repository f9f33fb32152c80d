/* MQTT 5.0 properties (section 2.2.2) and reason codes (section 2.4): one
 * table says each property's type and the packets that may carry it; the
 * same rules serve the decoders (bytes from the network) and the encoders
 * (the caller's list), so what one writes the other accepts. */
#include <string.h>

#include "bmqtt/topic.h"
#include "bmqtt_codec5_internal.h"

/* Packets by bit: W the will's properties, then the packet types. */
#define W ((uint32_t)1 << BMQTT5_IN_WILL)
#define CN ((uint32_t)1 << BMQTT_CONNECT)
#define CA ((uint32_t)1 << BMQTT_CONNACK)
#define PB ((uint32_t)1 << BMQTT_PUBLISH)
#define ACKS (((uint32_t)1 << BMQTT_PUBACK) | ((uint32_t)1 << BMQTT_PUBREC) | ((uint32_t)1 << BMQTT_PUBREL) | ((uint32_t)1 << BMQTT_PUBCOMP))
#define SB ((uint32_t)1 << BMQTT_SUBSCRIBE)
#define SA ((uint32_t)1 << BMQTT_SUBACK)
#define UB ((uint32_t)1 << BMQTT_UNSUBSCRIBE)
#define UA ((uint32_t)1 << BMQTT_UNSUBACK)
#define DC ((uint32_t)1 << BMQTT_DISCONNECT)
#define AU ((uint32_t)1 << BMQTT5_AUTH)
#define ALL (W | CN | CA | PB | ACKS | SB | SA | UB | UA | DC | AU)

/* Per identifier: the packets (bits 0..15) and the type (bits 16..18). */
#define P(type, where) ((uint32_t)(where) | ((uint32_t)(type) << 16))
#define LAST_ID BMQTT5_PROP_SHARED_SUB_AVAILABLE
static const uint32_t props_table[LAST_ID + 1] = {
    [BMQTT5_PROP_PAYLOAD_FORMAT] = P(BMQTT5_TYPE_BYTE, PB | W),
    [BMQTT5_PROP_MESSAGE_EXPIRY] = P(BMQTT5_TYPE_U32, PB | W),
    [BMQTT5_PROP_CONTENT_TYPE] = P(BMQTT5_TYPE_STR, PB | W),
    [BMQTT5_PROP_RESPONSE_TOPIC] = P(BMQTT5_TYPE_STR, PB | W),
    [BMQTT5_PROP_CORRELATION_DATA] = P(BMQTT5_TYPE_BIN, PB | W),
    [BMQTT5_PROP_SUBSCRIPTION_ID] = P(BMQTT5_TYPE_VARINT, PB | SB),
    [BMQTT5_PROP_SESSION_EXPIRY] = P(BMQTT5_TYPE_U32, CN | CA | DC),
    [BMQTT5_PROP_ASSIGNED_CLIENT_ID] = P(BMQTT5_TYPE_STR, CA),
    [BMQTT5_PROP_SERVER_KEEPALIVE] = P(BMQTT5_TYPE_U16, CA),
    [BMQTT5_PROP_AUTH_METHOD] = P(BMQTT5_TYPE_STR, CN | CA | AU),
    [BMQTT5_PROP_AUTH_DATA] = P(BMQTT5_TYPE_BIN, CN | CA | AU),
    [BMQTT5_PROP_REQUEST_PROBLEM_INFO] = P(BMQTT5_TYPE_BYTE, CN),
    [BMQTT5_PROP_WILL_DELAY] = P(BMQTT5_TYPE_U32, W),
    [BMQTT5_PROP_REQUEST_RESPONSE_INFO] = P(BMQTT5_TYPE_BYTE, CN),
    [BMQTT5_PROP_RESPONSE_INFO] = P(BMQTT5_TYPE_STR, CA),
    [BMQTT5_PROP_SERVER_REFERENCE] = P(BMQTT5_TYPE_STR, CA | DC),
    [BMQTT5_PROP_REASON_STRING] = P(BMQTT5_TYPE_STR, CA | ACKS | SA | UA | DC | AU),
    [BMQTT5_PROP_RECEIVE_MAX] = P(BMQTT5_TYPE_U16, CN | CA),
    [BMQTT5_PROP_TOPIC_ALIAS_MAX] = P(BMQTT5_TYPE_U16, CN | CA),
    [BMQTT5_PROP_TOPIC_ALIAS] = P(BMQTT5_TYPE_U16, PB),
    [BMQTT5_PROP_MAX_QOS] = P(BMQTT5_TYPE_BYTE, CA),
    [BMQTT5_PROP_RETAIN_AVAILABLE] = P(BMQTT5_TYPE_BYTE, CA),
    [BMQTT5_PROP_USER_PROPERTY] = P(BMQTT5_TYPE_PAIR, ALL),
    [BMQTT5_PROP_MAX_PACKET_SIZE] = P(BMQTT5_TYPE_U32, CN | CA),
    [BMQTT5_PROP_WILDCARD_SUB_AVAILABLE] = P(BMQTT5_TYPE_BYTE, CA),
    [BMQTT5_PROP_SUB_ID_AVAILABLE] = P(BMQTT5_TYPE_BYTE, CA),
    [BMQTT5_PROP_SHARED_SUB_AVAILABLE] = P(BMQTT5_TYPE_BYTE, CA),
};

/* Inline here: every property of every packet asks. */
static inline unsigned prop_type(unsigned id)
{
    return id <= LAST_ID ? (unsigned)(props_table[id] >> 16) : BMQTT5_TYPE_NONE;
}

unsigned bmqtt5_prop_type(unsigned id)
{
    return prop_type(id);
}

static int view_bad(bmqtt_view_t v)
{
    return v.ptr == NULL && v.len != 0;
}

bmqtt_status_t bmqtt5_prop_rule(bmqtt5_pcheck_t *c, const bmqtt5_prop_t *p)
{
    const unsigned id = p->id, type = prop_type(id);
    const uint32_t bit = (uint32_t)1 << (id & 31u), v = p->num;
    uint32_t *seen = &c->seen[id >> 5];
    bmqtt_status_t st;

    if (type == BMQTT5_TYPE_NONE) return BMQTT5_ERR_PROP_UNKNOWN;
    if (!((props_table[id] >> c->where) & 1u)) return BMQTT5_ERR_PROP_NOT_ALLOWED; /* section 2.2.2.2 */
    if ((*seen & bit) && id != BMQTT5_PROP_USER_PROPERTY &&
        !(id == BMQTT5_PROP_SUBSCRIPTION_ID && c->where == BMQTT_PUBLISH)) {
        return BMQTT5_ERR_PROP_DUPLICATE;
    }
    *seen |= bit;
    if (type == BMQTT5_TYPE_BYTE && v > 1u) return BMQTT5_ERR_PROP_VALUE; /* every byte property is 0 or 1 */
    switch (id) {
    case BMQTT5_PROP_PAYLOAD_FORMAT: c->payload_utf8 = (uint8_t)v; break;
    case BMQTT5_PROP_TOPIC_ALIAS:
        if (v == 0) return BMQTT5_ERR_TOPIC_ALIAS_ZERO; /* [MQTT-3.3.2-8] */
        break;
    case BMQTT5_PROP_SUBSCRIPTION_ID:
        if (v == 0) return BMQTT5_ERR_SUB_ID_ZERO; /* section 3.3.2.3.8, 3.8.2.1.2 */
        if (c->where == BMQTT_PUBLISH && c->from == BMQTT5_FROM_CLIENT) return BMQTT5_ERR_WRONG_SIDE; /* [MQTT-3.3.4-6] */
        break;
    case BMQTT5_PROP_RECEIVE_MAX:
        if (v == 0) return BMQTT5_ERR_RECEIVE_MAX_ZERO; /* section 3.1.2.11.3, 3.2.2.3.3 */
        break;
    case BMQTT5_PROP_MAX_PACKET_SIZE:
        if (v == 0) return BMQTT5_ERR_MAX_PACKET_ZERO; /* section 3.1.2.11.4, 3.2.2.3.6 */
        break;
    case BMQTT5_PROP_SESSION_EXPIRY:
        if (c->where == BMQTT_DISCONNECT && c->from == BMQTT5_FROM_SERVER) return BMQTT5_ERR_WRONG_SIDE; /* [MQTT-3.14.2-2] */
        break;
    case BMQTT5_PROP_RESPONSE_TOPIC: /* a topic name [MQTT-3.3.2-13/14] */
        if (p->str.len == 0) return BMQTT5_ERR_RESPONSE_TOPIC;
        st = bmqtt_scan_check(p->str.ptr, p->str.len, BMQTT_SCAN_TOPIC);
        if (st == BMQTT_ERR_BAD_TOPIC) return BMQTT5_ERR_RESPONSE_TOPIC;
        return st;
    default: break;
    }
    return BMQTT_OK;
}

bmqtt_status_t bmqtt5_props_end(const bmqtt5_pcheck_t *c)
{
    /* Authentication Data without a method (sections 3.1.2.11.10, 3.2.2.3.18, 3.15.2.2.4) */
    const uint32_t data = (uint32_t)1 << BMQTT5_PROP_AUTH_DATA, method = (uint32_t)1 << BMQTT5_PROP_AUTH_METHOD;
    if ((c->seen[0] & data) && !(c->seen[0] & method)) return BMQTT5_ERR_AUTH_DATA;
    return BMQTT_OK;
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

/* A variable byte integer inside [p, end): BMQTT_NEED_MORE means it runs past end. */
static bmqtt_status_t get_varint(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
    size_t n;
    bmqtt_status_t st = bmqtt_varint_decode(*pp, (size_t)(end - *pp), v, &n);
    if (st == BMQTT_OK) *pp += n;
    return st;
}

/* A 2-byte length and its bytes, inside [p, end). */
static int get_bytes(const uint8_t **pp, const uint8_t *end, bmqtt_view_t *v)
{
    const uint8_t *p = *pp;
    size_t n;
    if (end - p < 2) return 0;
    n = bmqtt_get16(p);
    if ((size_t)(end - p) - 2 < n) return 0;
    v->ptr = p + 2;
    v->len = n;
    *pp = p + 2 + n;
    return 1;
}

/* One property at *pp, before end, into @p out; its strings checked as UTF-8.
 * @p strict: the bytes come from the network (every fault has its status). */
static bmqtt_status_t get_prop(const uint8_t **pp, const uint8_t *end, bmqtt5_prop_t *out)
{
    const uint8_t *p = *pp;
    uint32_t id;
    unsigned type;
    bmqtt_status_t st;

    /* The identifier is a variable byte integer; every defined one takes a byte.
     * Callers call with p < end. */
    if (*p < 0x80u) {
        id = *p++;
    } else {
        st = get_varint(&p, end, &id);
        if (st == BMQTT_NEED_MORE) return BMQTT5_ERR_PROP_LENGTH;
        if (st != BMQTT_OK) return BMQTT5_ERR_PROP_VARINT; /* [MQTT-1.5.5-1] */
    }
    type = prop_type(id);
    if (type == BMQTT5_TYPE_NONE) return BMQTT5_ERR_PROP_UNKNOWN;
    out->id = (uint8_t)id;
    out->type = (uint8_t)type;
    out->num = 0;
    out->str.ptr = out->val.ptr = NULL;
    out->str.len = out->val.len = 0;
    switch (type) {
    case BMQTT5_TYPE_BYTE:
        if (end - p < 1) return BMQTT5_ERR_PROP_LENGTH;
        out->num = *p++;
        break;
    case BMQTT5_TYPE_U16:
        if (end - p < 2) return BMQTT5_ERR_PROP_LENGTH;
        out->num = bmqtt_get16(p);
        p += 2;
        break;
    case BMQTT5_TYPE_U32:
        if (end - p < 4) return BMQTT5_ERR_PROP_LENGTH;
        out->num = ((uint32_t)bmqtt_get16(p) << 16) | bmqtt_get16(p + 2);
        p += 4;
        break;
    case BMQTT5_TYPE_VARINT:
        st = get_varint(&p, end, &out->num);
        if (st == BMQTT_NEED_MORE) return BMQTT5_ERR_PROP_LENGTH;
        if (st != BMQTT_OK) return BMQTT5_ERR_PROP_VARINT; /* [MQTT-1.5.5-1] */
        break;
    default: /* strings, binary data, pairs */
        if (!get_bytes(&p, end, &out->str)) return BMQTT5_ERR_PROP_LENGTH;
        if (type == BMQTT5_TYPE_PAIR && !get_bytes(&p, end, &out->val)) return BMQTT5_ERR_PROP_LENGTH;
        if (type != BMQTT5_TYPE_BIN) { /* [MQTT-1.5.4-1/2], pairs [MQTT-1.5.7-1] */
            if (out->str.len && (st = bmqtt_scan_check(out->str.ptr, out->str.len, BMQTT_SCAN_STR)) != BMQTT_OK)
                return st;
            if (out->val.len && (st = bmqtt_scan_check(out->val.ptr, out->val.len, BMQTT_SCAN_STR)) != BMQTT_OK)
                return st;
        }
        break;
    }
    *pp = p;
    return BMQTT_OK;
}

bmqtt_status_t bmqtt5_props_decode(const uint8_t **pp, const uint8_t *end, bmqtt5_pcheck_t *c, bmqtt5_props_t *out)
{
    const uint8_t *p = *pp, *stop;
    uint32_t plen;
    bmqtt_status_t st;

    out->list = NULL;
    out->count = 0;
    out->raw.ptr = NULL;
    out->raw.len = 0;
    st = get_varint(&p, end, &plen);
    if (st == BMQTT_NEED_MORE) return BMQTT5_ERR_PROP_LENGTH;
    if (st != BMQTT_OK) return BMQTT5_ERR_PROP_VARINT; /* [MQTT-1.5.5-1] */
    if ((size_t)(end - p) < plen) return BMQTT5_ERR_PROP_LENGTH;
    stop = p + plen;
    out->raw.ptr = p;
    out->raw.len = plen;
    while (p < stop) {
        bmqtt5_prop_t prop;
        if ((st = get_prop(&p, stop, &prop)) != BMQTT_OK) return st;
        if ((st = bmqtt5_prop_rule(c, &prop)) != BMQTT_OK) return st;
    }
    *pp = stop;
    return bmqtt5_props_end(c);
}

int bmqtt5_prop_next(bmqtt_view_t *it, bmqtt5_prop_t *out)
{
    const uint8_t *p;
    if (it == NULL || out == NULL || it->ptr == NULL || it->len == 0) return 0;
    p = it->ptr;
    if (get_prop(&p, it->ptr + it->len, out) != BMQTT_OK) return 0;
    it->len -= (size_t)(p - it->ptr);
    it->ptr = p;
    return 1;
}

int bmqtt5_prop_find(const bmqtt5_props_t *props, unsigned id, bmqtt5_prop_t *out)
{
    bmqtt_view_t it;
    if (props == NULL || out == NULL) return 0;
    for (size_t i = 0; props->list != NULL && i < props->count; i++) {
        if (props->list[i].id == id) {
            *out = props->list[i];
            out->type = (uint8_t)prop_type(id);
            return 1;
        }
    }
    it = props->raw;
    while (bmqtt5_prop_next(&it, out)) {
        if (out->id == id) return 1;
    }
    return 0;
}

uint32_t bmqtt5_prop_num(const bmqtt5_props_t *props, unsigned id, uint32_t dflt)
{
    bmqtt5_prop_t p;
    return bmqtt5_prop_find(props, id, &p) ? p.num : dflt;
}

bmqtt_view_t bmqtt5_prop_str(const bmqtt5_props_t *props, unsigned id)
{
    bmqtt5_prop_t p;
    bmqtt_view_t none = { NULL, 0 };
    return bmqtt5_prop_find(props, id, &p) ? p.str : none;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

/* Bytes of one property on the wire. */
static size_t prop_size(const bmqtt5_prop_t *p, unsigned type)
{
    switch (type) {
    case BMQTT5_TYPE_BYTE: return 2;
    case BMQTT5_TYPE_U16: return 3;
    case BMQTT5_TYPE_U32: return 5;
    case BMQTT5_TYPE_VARINT: return 1 + bmqtt_varint_size(p->num);
    case BMQTT5_TYPE_PAIR: return 5 + p->str.len + p->val.len;
    default: return 3 + p->str.len;
    }
}

bmqtt_status_t bmqtt5_props_size(const bmqtt5_props_t *props, bmqtt5_pcheck_t *c, size_t *size, size_t *plen)
{
    size_t n = 0;
    bmqtt_status_t st;

    if (props != NULL) {
        if ((props->list == NULL && props->count) || view_bad(props->raw)) return BMQTT_ERR_PARAM;
        for (size_t i = 0; i < props->count; i++) {
            const bmqtt5_prop_t *p = &props->list[i];
            const unsigned type = prop_type(p->id);
            /* the caller's values (a decoder never makes these) */
            if (view_bad(p->str) || view_bad(p->val)) return BMQTT_ERR_PARAM;
            if (p->str.len > BMQTT_STR_MAX || p->val.len > BMQTT_STR_MAX) return BMQTT_ERR_TOO_LONG;
            if ((type == BMQTT5_TYPE_U16 && p->num > 0xFFFFu) ||
                (type == BMQTT5_TYPE_VARINT && p->num > BMQTT_VARINT_MAX))
                return BMQTT_ERR_PARAM;
            if ((st = bmqtt5_prop_rule(c, p)) != BMQTT_OK) return st;
            n += prop_size(p, prop_type(p->id));
            if (BMQTT_SIZE_OVER_VARINT(n)) return BMQTT_ERR_TOO_LONG;
        }
        /* Raw bytes are checked as a decoder checks them, in the same set. */
        if (props->raw.len) { /* (never NULL + 0) */
            const uint8_t *p = props->raw.ptr, *end = p + props->raw.len;
            while (p < end) {
                bmqtt5_prop_t prop;
                if ((st = get_prop(&p, end, &prop)) != BMQTT_OK) return st;
                if ((st = bmqtt5_prop_rule(c, &prop)) != BMQTT_OK) return st;
            }
        }
        n += props->raw.len;
        if (BMQTT_SIZE_OVER_VARINT(n)) return BMQTT_ERR_TOO_LONG;
    }
    if ((st = bmqtt5_props_end(c)) != BMQTT_OK) return st;
    *plen = n;
    *size = n + bmqtt_varint_size((uint32_t)n);
    return BMQTT_OK;
}

/* A string of a property: its length and bytes, checked as UTF-8 unless binary. */
static bmqtt_status_t put_str(uint8_t **pp, const bmqtt_view_t *v, unsigned kind)
{
    uint8_t *p = *pp;
    if (p) {
        p = bmqtt_put16(p, v->len);
        *pp = p + v->len;
    }
    return v->len ? bmqtt_scan(v->ptr, v->len, p, kind) : BMQTT_OK;
}

bmqtt_status_t bmqtt5_props_write(uint8_t **pp, const bmqtt5_props_t *props, size_t plen)
{
    uint8_t *p = *pp;
    bmqtt_status_t st;

    if (p) p += bmqtt_varint_encode((uint32_t)plen, p);
    for (size_t i = 0; props != NULL && i < props->count; i++) {
        const bmqtt5_prop_t *q = &props->list[i];
        const unsigned type = prop_type(q->id);
        const uint32_t v = q->num;
        if (p) *p++ = q->id;
        switch (type) {
        case BMQTT5_TYPE_BYTE:
            if (p) *p++ = (uint8_t)v;
            break;
        case BMQTT5_TYPE_U16:
            if (p) p = bmqtt_put16(p, v);
            break;
        case BMQTT5_TYPE_U32:
            if (p) p = bmqtt_put16(bmqtt_put16(p, v >> 16), v & 0xFFFFu);
            break;
        case BMQTT5_TYPE_VARINT:
            if (p) p += bmqtt_varint_encode(v, p);
            break;
        default:
            st = put_str(&p, &q->str, type == BMQTT5_TYPE_BIN ? BMQTT_SCAN_BYTES : BMQTT_SCAN_STR);
            if (st == BMQTT_OK && type == BMQTT5_TYPE_PAIR) st = put_str(&p, &q->val, BMQTT_SCAN_STR);
            if (st != BMQTT_OK) return st;
            break;
        }
    }
    if (p && props != NULL && props->raw.len) {
        memcpy(p, props->raw.ptr, props->raw.len);
        p += props->raw.len;
    }
    *pp = p;
    return BMQTT_OK;
}

/* ------------------------------------------------------------------------ */
/* Reason codes (section 2.4 and each packet's table)                       */
/* ------------------------------------------------------------------------ */

/* A set of reason codes: bit c of lo for c < 32, bit c - 0x80 of hi for 0x80..0xBF. */
typedef struct {
    uint32_t lo;
    uint64_t hi;
} codes_t;

#define L(c) ((uint32_t)1 << (c)) /* not 1u: int is 16 bits on AVR */
#define H(c) ((uint64_t)1 << ((c) - 0x80))
/* 0x80 Unspecified error, 0x83 Implementation specific error, 0x87 Not authorized,
 * 0x97 Quota exceeded: in most acks. */
#define H_COMMON (H(0x80) | H(0x83) | H(0x87))

static const codes_t connack_codes = {
    L(0x00), H_COMMON | H(0x81) | H(0x82) | H(0x84) | H(0x85) | H(0x86) | H(0x88) | H(0x89) | H(0x8A) | H(0x8C) |
                 H(0x90) | H(0x95) | H(0x97) | H(0x99) | H(0x9A) | H(0x9B) | H(0x9C) | H(0x9D) | H(0x9F)
};
static const codes_t puback_codes = { L(0x00) | L(0x10), H_COMMON | H(0x90) | H(0x91) | H(0x97) | H(0x99) };
static const codes_t pubrel_codes = { L(0x00), H(0x92) };
static const codes_t suback_codes = { L(0x00) | L(0x01) | L(0x02),
                                      H_COMMON | H(0x8F) | H(0x91) | H(0x97) | H(0x9E) | H(0xA1) | H(0xA2) };
static const codes_t unsuback_codes = { L(0x00) | L(0x11), H_COMMON | H(0x8F) | H(0x91) };
static const codes_t auth_codes = { L(0x00) | L(0x18) | L(0x19), 0 };
/* DISCONNECT: what both sides send, what only a client and only a server send. */
static const codes_t disconnect_codes = { L(0x00), H(0x80) | H(0x81) | H(0x82) | H(0x83) | H(0x90) | H(0x93) |
                                                       H(0x94) | H(0x95) | H(0x96) | H(0x97) | H(0x98) | H(0x99) };
static const codes_t disconnect_client = { L(0x04), 0 };
static const codes_t disconnect_server = {
    0, H(0x87) | H(0x89) | H(0x8B) | H(0x8D) | H(0x8E) | H(0x8F) | H(0x9A) | H(0x9B) | H(0x9C) | H(0x9D) | H(0x9E) |
           H(0x9F) | H(0xA0) | H(0xA1) | H(0xA2)
};

static int in_set(const codes_t *s, unsigned code)
{
    if (code < 32u) return (int)((s->lo >> code) & 1u);
    if (code >= 0x80u && code < 0xC0u) return (int)((s->hi >> (code - 0x80u)) & 1u);
    return 0;
}

bmqtt_status_t bmqtt5_reason_check(unsigned type, unsigned from, unsigned code)
{
    const codes_t *s;
    switch (type) {
    case BMQTT_CONNACK: s = &connack_codes; break;
    case BMQTT_PUBACK:
    case BMQTT_PUBREC: s = &puback_codes; break;
    case BMQTT_PUBREL:
    case BMQTT_PUBCOMP: s = &pubrel_codes; break;
    case BMQTT_SUBACK: s = &suback_codes; break;
    case BMQTT_UNSUBACK: s = &unsuback_codes; break;
    case BMQTT5_AUTH: s = &auth_codes; break;
    case BMQTT_DISCONNECT:
        if (in_set(&disconnect_codes, code)) return BMQTT_OK;
        if (in_set(&disconnect_client, code)) return from == BMQTT5_FROM_SERVER ? BMQTT5_ERR_WRONG_SIDE : BMQTT_OK;
        if (in_set(&disconnect_server, code)) return from == BMQTT5_FROM_CLIENT ? BMQTT5_ERR_WRONG_SIDE : BMQTT_OK;
        return BMQTT5_ERR_REASON_CODE; /* [MQTT-3.14.2-1] */
    default: return BMQTT_ERR_PARAM;
    }
    return in_set(s, code) ? BMQTT_OK : BMQTT5_ERR_REASON_CODE;
}

bmqtt_status_t bmqtt5_share_check(const uint8_t *f, size_t len, int *shared)
{
    size_t i;
    *shared = len >= 7 && memcmp(f, "$share/", 7) == 0;
    if (!*shared) return BMQTT_OK;
    /* "$share/{ShareName}/{filter}": a name of one character or more, without
     * '+' or '#', then '/' and a filter [MQTT-4.8.2-1/2] */
    for (i = 7; i < len && f[i] != '/'; i++) {
        if (f[i] == '+' || f[i] == '#') return BMQTT5_ERR_SHARE_NAME;
    }
    if (i == 7 || i + 1 >= len) return BMQTT5_ERR_SHARE_NAME;
    return BMQTT_OK;
}

/* ------------------------------------------------------------------------ */
/* Status names                                                             */
/* ------------------------------------------------------------------------ */

static const char *const status_names[] = {
    "malformed: property length",          /* -200 */
    "malformed: variable byte integer",    /* -201 */
    "malformed: property identifier not defined",         /* -202 */
    "protocol error: property not allowed in this packet",
    "protocol error: property given twice",
    "protocol error: property value not 0 or 1",
    "protocol error: topic alias 0",
    "protocol error: subscription identifier 0",
    "protocol error: receive maximum 0",
    "protocol error: maximum packet size 0",
    "malformed: reason code not valid for this packet", /* -210 */
    "malformed: subscription options reserved bits",
    "protocol error: retain handling 3",
    "payload format invalid: payload not UTF-8",
    "protocol error: empty topic without a topic alias",
    "protocol error: authentication data without a method",
    "protocol error: no local on a shared subscription",
    "protocol error: shared subscription name",
    "protocol error: response topic",
    "protocol error: sent by the wrong side", /* -219 */
};

static const char *status_name(int status)
{
    int i = BMQTT_STATUS_MQTT5_BASE - status; /* 0..29: bmqtt_status_str() asks for this range only */
    return i < (int)(sizeof status_names / sizeof status_names[0]) ? status_names[i] : NULL;
}

static bmqtt_status_names_t names = { BMQTT_STATUS_MQTT5_BASE, BMQTT5_STATUS_LAST, status_name, "MQTT 5.0 codec",
                                      NULL };

bmqtt_status_t bmqtt5_status(bmqtt_status_t st)
{
    if ((int)st <= BMQTT_STATUS_MQTT5_BASE) bmqtt_status_register(&names); /* this codec's range is its lowest */
    return st;
}
