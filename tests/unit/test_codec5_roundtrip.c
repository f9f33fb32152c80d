/*
 * MQTT 5.0 round trips (include/bmqtt/mqtt5.h): every packet type, each with
 * every property it may carry (the table below is the standard's section
 * 2.2.2.2, written out here apart from the library's), encoded size-first,
 * decoded from an exact-size block, compared field by field and property by
 * property, then encoded again from the decoded packet (its raw properties)
 * to the same bytes. Known bytes are checked byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/mqtt5.h"
#include "vectors.h"

#define V(lit) ((bmqtt_view_t)BMQTT_VIEW_LIT(lit))
#define ABSENT ((bmqtt_view_t){ NULL, 0 })

/* Section 2.2.2.2, by property: W will, C CONNECT, A CONNACK, P PUBLISH, K PUBACK..PUBCOMP,
 * S SUBSCRIBE, s SUBACK, U UNSUBSCRIBE, u UNSUBACK, D DISCONNECT, H AUTH. */
static const struct {
    uint8_t id;
    uint8_t type;
    const char *where;
} spec[] = {
    { 0x01, BMQTT5_TYPE_BYTE, "PW" },   { 0x02, BMQTT5_TYPE_U32, "PW" },    { 0x03, BMQTT5_TYPE_STR, "PW" },
    { 0x08, BMQTT5_TYPE_STR, "PW" },    { 0x09, BMQTT5_TYPE_BIN, "PW" },    { 0x0B, BMQTT5_TYPE_VARINT, "PS" },
    { 0x11, BMQTT5_TYPE_U32, "CAD" },   { 0x12, BMQTT5_TYPE_STR, "A" },     { 0x13, BMQTT5_TYPE_U16, "A" },
    { 0x15, BMQTT5_TYPE_STR, "CAH" },   { 0x16, BMQTT5_TYPE_BIN, "CAH" },   { 0x17, BMQTT5_TYPE_BYTE, "C" },
    { 0x18, BMQTT5_TYPE_U32, "W" },     { 0x19, BMQTT5_TYPE_BYTE, "C" },    { 0x1A, BMQTT5_TYPE_STR, "A" },
    { 0x1C, BMQTT5_TYPE_STR, "AD" },    { 0x1F, BMQTT5_TYPE_STR, "AKsuDH" }, { 0x21, BMQTT5_TYPE_U16, "CA" },
    { 0x22, BMQTT5_TYPE_U16, "CA" },    { 0x23, BMQTT5_TYPE_U16, "P" },     { 0x24, BMQTT5_TYPE_BYTE, "A" },
    { 0x25, BMQTT5_TYPE_BYTE, "A" },    { 0x26, BMQTT5_TYPE_PAIR, "WCAPKSsUuDH" },
    { 0x27, BMQTT5_TYPE_U32, "CA" },    { 0x28, BMQTT5_TYPE_BYTE, "A" },    { 0x29, BMQTT5_TYPE_BYTE, "A" },
    { 0x2A, BMQTT5_TYPE_BYTE, "A" },
};
#define NSPEC (sizeof spec / sizeof spec[0])

static const uint8_t bin_data[] = { 0x00, 0xFF, 0x10, 0x80 };

/* Every property packet kind @p where may carry, with distinct values; User
 * Property twice, and Subscription Identifier twice in PUBLISH (both may repeat there). */
static size_t all_props(char where, bmqtt5_prop_t *out)
{
    static char strs[64][16];
    size_t n = 0;
    for (size_t i = 0; i < NSPEC; i++) {
        if (strchr(spec[i].where, where) == NULL) continue;
        int reps = spec[i].id == 0x26 || (spec[i].id == 0x0B && where == 'P') ? 2 : 1;
        for (int r = 0; r < reps; r++) {
            bmqtt5_prop_t *p = &out[n];
            memset(p, 0, sizeof *p);
            p->id = spec[i].id;
            switch (spec[i].type) {
            case BMQTT5_TYPE_BYTE: p->num = 1; break;
            case BMQTT5_TYPE_U16: p->num = 0x1200u + spec[i].id; break;
            case BMQTT5_TYPE_U32: p->num = 0x12345600u + spec[i].id; break;
            case BMQTT5_TYPE_VARINT: p->num = 300u + (uint32_t)r * 20000u; break; /* 2 and 3 bytes */
            case BMQTT5_TYPE_BIN: p->str.ptr = bin_data; p->str.len = sizeof bin_data; break;
            case BMQTT5_TYPE_STR:
                if (spec[i].id == BMQTT5_PROP_RESPONSE_TOPIC) {
                    p->str = V("reply/to/me");
                } else {
                    snprintf(strs[n], sizeof strs[n], "s%02x-\xc3\xa9", spec[i].id); /* with a 2-byte character */
                    p->str = bmqtt_view_str(strs[n]);
                }
                break;
            default: /* pairs */
                p->str = r ? V("k2") : V("k\xe2\x82\xac");
                p->val = r ? V("") : V("v1");
                break;
            }
            n++;
        }
    }
    return n;
}

static bmqtt5_props_t as_props(const bmqtt5_prop_t *list, size_t count)
{
    bmqtt5_props_t p = { list, count, { NULL, 0 } };
    return p;
}

static void views_equal(bmqtt_view_t a, bmqtt_view_t b)
{
    assert_int_equal(a.len, b.len);
    if (a.len) assert_memory_equal(a.ptr, b.ptr, a.len);
}

/* The decoded raw properties are exactly @p want, in order; the finders agree. */
static void props_equal(const bmqtt5_props_t *got, const bmqtt5_prop_t *want, size_t count)
{
    bmqtt_view_t it = got->raw;
    bmqtt5_prop_t p;
    size_t i = 0;
    assert_null(got->list);
    assert_int_equal(got->count, 0);
    while (bmqtt5_prop_next(&it, &p)) {
        assert_true(i < count);
        assert_int_equal(p.id, want[i].id);
        assert_int_equal(p.type, bmqtt5_prop_type(want[i].id));
        assert_int_equal(p.num, want[i].num);
        views_equal(p.str, want[i].str);
        views_equal(p.val, want[i].val);
        i++;
    }
    assert_int_equal(i, count);
    assert_int_equal(it.len, 0);
    for (i = 0; i < count; i++) {
        bmqtt5_prop_t f;
        size_t first = 0;
        while (want[first].id != want[i].id) first++;
        assert_int_equal(bmqtt5_prop_find(got, want[i].id, &f), 1);
        assert_int_equal(f.num, want[first].num);
        views_equal(f.str, want[first].str);
        if (want[i].num) assert_int_equal(bmqtt5_prop_num(got, want[i].id, 0), want[first].num);
    }
    assert_int_equal(bmqtt5_prop_find(got, 0x7F, &p), 0);
    assert_int_equal(bmqtt5_prop_num(got, 0x05, 77), 77);
}

/* One encoder call, whatever the packet. */
typedef bmqtt_status_t (*enc_fn)(const void *arg, uint8_t *buf, size_t cap, size_t *len);

/* Size first, then exact, then one byte short (which writes nothing and says the size).
 * Returns a malloc'ed block of exactly the packet. */
static uint8_t *encode_all(enc_fn f, const void *arg, size_t *n)
{
    size_t need = 0, len = 0;
    assert_int_equal(f(arg, NULL, 0, &need), BMQTT_OK);
    uint8_t *buf = malloc(need);
    assert_non_null(buf);
    memset(buf, 0xEE, need);
    if (need > 1) {
        assert_int_equal(f(arg, buf, need - 1, &len), BMQTT_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(len, need);
        for (size_t i = 0; i < need; i++) assert_int_equal(buf[i], 0xEE);
    }
    assert_int_equal(f(arg, buf, need, &len), BMQTT_OK);
    assert_int_equal(len, need);
    *n = need;
    return buf;
}

/* Decode @p buf (exactly one packet) from @p from, also through bmqtt5_decode_body. */
static void decode_all(const uint8_t *buf, size_t n, bmqtt5_from_t from, bmqtt5_packet_t *pkt)
{
    size_t used = 0;
    bmqtt_status_t st = bmqtt5_decode(buf, n, from, pkt, &used);
    if (st != BMQTT_OK) {
        tv_hexdump("encoded", buf, n < 96 ? n : 96);
        fail_msg("decode: %s", bmqtt_status_str(st));
    }
    assert_int_equal(used, n);
    bmqtt5_packet_t again;
    size_t hl = 2;
    while (buf[hl - 1] & 0x80u) hl++;
    assert_int_equal(bmqtt5_decode_body(buf[0], buf + hl, n - hl, from, &again), BMQTT_OK);
    assert_int_equal(again.type, pkt->type);
    /* every shorter prefix needs more bytes */
    for (size_t cut = 0; cut < n; cut += (n > 64 ? 7 : 1)) {
        assert_int_equal(bmqtt5_decode(buf, cut, from, &again, &used), BMQTT_NEED_MORE);
    }
}

static void same_bytes(enc_fn f, const void *arg, const uint8_t *want, size_t n)
{
    size_t m = 0;
    uint8_t *again = encode_all(f, arg, &m);
    assert_int_equal(m, n);
    assert_memory_equal(again, want, n);
    free(again);
}

/* ---- CONNECT ------------------------------------------------------------- */

static bmqtt_status_t enc_connect(const void *a, uint8_t *b, size_t c, size_t *l)
{
    return bmqtt5_connect_encode(a, b, c, l);
}

static void connect_case(int will, int user, int pass, int props)
{
    bmqtt5_prop_t cp[32], wp[32];
    size_t nc = props ? all_props('C', cp) : 0, nw = props && will ? all_props('W', wp) : 0;
    bmqtt5_connect_t c;
    memset(&c, 0, sizeof c);
    c.client_id = will ? V("dev-\xe6\x97\xa5") : V("");
    c.keepalive_s = 0x1234;
    c.clean_start = (uint8_t)(will ^ 1);
    c.props = as_props(cp, nc);
    if (will) {
        c.will_topic = V("will/t");
        c.will_payload = V("bye \xc3\xa9"); /* UTF-8: the will says so (Payload Format 1) */
        c.will_qos = 2;
        c.will_retain = 1;
        c.will_props = as_props(wp, nw);
    }
    if (user) c.username = V("user");
    if (pass) c.password = (bmqtt_view_t){ bin_data, sizeof bin_data };

    size_t n;
    uint8_t *buf = encode_all(enc_connect, &c, &n);
    assert_int_equal(buf[0], 0x10);
    bmqtt5_packet_t pkt;
    decode_all(buf, n, BMQTT5_FROM_CLIENT, &pkt);
    uint8_t level = 0;
    assert_int_equal(bmqtt5_protocol_level(buf, n, &level), BMQTT_OK);
    assert_int_equal(level, 5);
    assert_int_equal(pkt.type, BMQTT_CONNECT);
    const bmqtt5_connect_t *g = &pkt.u.connect;
    views_equal(g->client_id, c.client_id);
    assert_int_equal(g->keepalive_s, 0x1234);
    assert_int_equal(g->clean_start, c.clean_start);
    assert_int_equal(g->will_topic.ptr != NULL, will);
    assert_int_equal(g->username.ptr != NULL, user);
    assert_int_equal(g->password.ptr != NULL, pass);
    views_equal(g->will_topic, c.will_topic);
    views_equal(g->will_payload, c.will_payload);
    views_equal(g->username, c.username);
    views_equal(g->password, c.password);
    assert_int_equal(g->will_qos, c.will_qos);
    assert_int_equal(g->will_retain, c.will_retain);
    props_equal(&g->props, cp, nc);
    props_equal(&g->will_props, wp, nw);
    same_bytes(enc_connect, g, buf, n);
    free(buf);
}

static void test_connect(void **state)
{
    (void)state;
    for (int m = 0; m < 16; m++) connect_case(m & 1, (m >> 1) & 1, (m >> 2) & 1, (m >> 3) & 1);
}

/* A minimal CONNECT, byte for byte (section 3.1.2.12's layout): clean start,
 * keepalive 10, Property Length 0, client id "p". */
static void test_connect_known_bytes(void **state)
{
    (void)state;
    static const uint8_t want[] = { 0x10, 0x0E, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02,
                                    0x00, 0x0A, 0x00, 0x00, 0x01, 'p' };
    bmqtt5_connect_t c;
    memset(&c, 0, sizeof c);
    c.client_id = V("p");
    c.keepalive_s = 10;
    c.clean_start = 1;
    uint8_t buf[32];
    size_t n;
    assert_int_equal(bmqtt5_connect_encode(&c, buf, sizeof buf, &n), BMQTT_OK);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, n);
}

/* ---- CONNACK ------------------------------------------------------------- */

static bmqtt_status_t enc_connack(const void *a, uint8_t *b, size_t c, size_t *l)
{
    return bmqtt5_connack_encode(a, b, c, l);
}

static void test_connack(void **state)
{
    (void)state;
    static const uint8_t codes[] = { 0x00, 0x80, 0x84, 0x86, 0x87, 0x8C, 0x9C, 0x9F };
    bmqtt5_prop_t pr[40];
    size_t np = all_props('A', pr);
    for (size_t k = 0; k < sizeof codes; k++) {
        for (int withp = 0; withp < 2; withp++) {
            bmqtt5_connack_t c = { as_props(pr, withp ? np : 0), (uint8_t)(codes[k] == 0 && withp), codes[k] };
            size_t n;
            uint8_t *buf = encode_all(enc_connack, &c, &n);
            bmqtt5_packet_t pkt;
            decode_all(buf, n, BMQTT5_FROM_SERVER, &pkt);
            assert_int_equal(pkt.type, BMQTT_CONNACK);
            assert_int_equal(pkt.u.connack.reason_code, codes[k]);
            assert_int_equal(pkt.u.connack.session_present, c.session_present);
            props_equal(&pkt.u.connack.props, pr, withp ? np : 0);
            if (!withp) {
                assert_int_equal(n, 5); /* 20 03 sp rc 00 */
                assert_int_equal(buf[4], 0);
            }
            same_bytes(enc_connack, &pkt.u.connack, buf, n);
            free(buf);
        }
    }
}

/* ---- PUBLISH ------------------------------------------------------------- */

static bmqtt_status_t enc_publish(const void *a, uint8_t *b, size_t c, size_t *l)
{
    return bmqtt5_publish_encode(a, b, c, l);
}

static void test_publish(void **state)
{
    (void)state;
    bmqtt5_prop_t pr[40];
    size_t np = all_props('P', pr);
    for (int qos = 0; qos <= 2; qos++) {
        for (int flags = 0; flags < 4; flags++) {
            bmqtt5_publish_t p;
            memset(&p, 0, sizeof p);
            p.topic = (flags & 2) ? V("") : V("a/b/\xc3\xa9"); /* empty: the Topic Alias names it */
            p.payload = V("h\xc3\xa9llo\x00 there");          /* UTF-8, with U+0000 */
            p.props = as_props(pr, np);
            p.qos = (uint8_t)qos;
            p.packet_id = qos ? (uint16_t)(0xFF00 + flags) : 0;
            p.retain = (uint8_t)(flags & 1);
            p.dup = (uint8_t)(qos && (flags & 1));
            size_t n;
            uint8_t *buf = encode_all(enc_publish, &p, &n);
            bmqtt5_packet_t pkt;
            decode_all(buf, n, BMQTT5_FROM_SERVER, &pkt);
            assert_int_equal(pkt.type, BMQTT_PUBLISH);
            const bmqtt5_publish_t *g = &pkt.u.publish;
            views_equal(g->topic, p.topic);
            views_equal(g->payload, p.payload);
            assert_int_equal(g->qos, qos);
            assert_int_equal(g->packet_id, p.packet_id);
            assert_int_equal(g->retain, p.retain);
            assert_int_equal(g->dup, p.dup);
            props_equal(&g->props, pr, np);
            same_bytes(enc_publish, g, buf, n);

            /* The head decoder, given the body a byte at a time: more needed until the
             * properties end, then the same head, and the payload so far. */
            size_t hl = 2, head_end = n - p.payload.len;
            while (buf[hl - 1] & 0x80u) hl++;
            for (size_t avail = 0; avail + hl <= n; avail++) {
                bmqtt5_publish_t h;
                size_t head_len = 0;
                bmqtt_status_t hs = bmqtt5_publish_decode_head(buf[0] & 0x0Fu, buf + hl, avail, (uint32_t)(n - hl),
                                                               BMQTT5_FROM_SERVER, &h, &head_len);
                if (avail + hl < head_end) {
                    assert_int_equal(hs, BMQTT_NEED_MORE);
                    continue;
                }
                assert_int_equal(hs, BMQTT_OK);
                assert_int_equal(head_len + hl, head_end);
                views_equal(h.topic, p.topic);
                assert_int_equal(h.packet_id, p.packet_id);
                assert_int_equal(h.props.raw.len, g->props.raw.len);
                assert_int_equal(h.payload.len, avail + hl - head_end);
                assert_ptr_equal(h.payload.ptr, buf + head_end);
            }

            /* The header alone is the packet less its payload, announcing all of it. */
            uint8_t head[256];
            size_t hn;
            bmqtt5_publish_t noload = p;
            noload.payload.ptr = NULL;
            assert_int_equal(bmqtt5_publish_encode_header(&noload, head, sizeof head, &hn), BMQTT_OK);
            assert_int_equal(hn + p.payload.len, n);
            assert_memory_equal(head, buf, hn);
            free(buf);
        }
    }
}

/* The cycles case, byte for byte: QoS 0 "a/b", Topic Alias 1, User Properties
 * k=v and x=y, payload "hi" (sections 3.3.2 and 2.2.2). */
static void test_publish_known_bytes(void **state)
{
    (void)state;
    static const uint8_t want[] = { 0x30, 0x19, 0x00, 0x03, 'a',  '/',  'b',  0x11, 0x23, 0x00, 0x01, 0x26, 0x00, 0x01,
                                    'k',  0x00, 0x01, 'v',  0x26, 0x00, 0x01, 'x',  0x00, 0x01, 'y',  'h',  'i' };
    const bmqtt5_prop_t pr[3] = { { BMQTT5_PROP_TOPIC_ALIAS, 0, 1, { NULL, 0 }, { NULL, 0 } },
                                  { BMQTT5_PROP_USER_PROPERTY, 0, 0, V("k"), V("v") },
                                  { BMQTT5_PROP_USER_PROPERTY, 0, 0, V("x"), V("y") } };
    bmqtt5_publish_t p = { V("a/b"), V("hi"), as_props(pr, 3), 0, 0, 0, 0 };
    uint8_t buf[64];
    size_t n;
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_OK);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, n);

    bmqtt5_packet_t pkt;
    size_t used;
    assert_int_equal(bmqtt5_decode(want, sizeof want, BMQTT5_FROM_EITHER, &pkt, &used), BMQTT_OK);
    assert_int_equal(bmqtt5_prop_num(&pkt.u.publish.props, BMQTT5_PROP_TOPIC_ALIAS, 0), 1);
    assert_int_equal(bmqtt5_prop_num(&pkt.u.publish.props, BMQTT5_PROP_MESSAGE_EXPIRY, 9), 9);
    bmqtt_view_t it = pkt.u.publish.props.raw;
    bmqtt5_prop_t q;
    int users = 0;
    while (bmqtt5_prop_next(&it, &q)) {
        if (q.id != BMQTT5_PROP_USER_PROPERTY) continue;
        assert_int_equal(q.type, BMQTT5_TYPE_PAIR);
        assert_memory_equal(q.str.ptr, users ? "x" : "k", 1);
        assert_memory_equal(q.val.ptr, users ? "y" : "v", 1);
        users++;
    }
    assert_int_equal(users, 2);
    assert_int_equal(bmqtt5_prop_str(&pkt.u.publish.props, BMQTT5_PROP_USER_PROPERTY).len, 1);
    assert_null(bmqtt5_prop_str(&pkt.u.publish.props, BMQTT5_PROP_CONTENT_TYPE).ptr);
}

/* ---- PUBACK, PUBREC, PUBREL, PUBCOMP --------------------------------------- */

typedef struct {
    bmqtt_packet_type_t type;
    bmqtt5_ack_t a;
} ack_arg_t;

static bmqtt_status_t enc_ack(const void *a, uint8_t *b, size_t c, size_t *l)
{
    const ack_arg_t *x = a;
    return bmqtt5_ack_encode(x->type, &x->a, b, c, l);
}

static void test_acks(void **state)
{
    (void)state;
    bmqtt5_prop_t pr[8];
    size_t np = all_props('K', pr);
    for (int t = BMQTT_PUBACK; t <= BMQTT_PUBCOMP; t++) {
        const uint8_t code = t <= BMQTT_PUBREC ? 0x10 : 0x92;
        for (int form = 0; form < 4; form++) {
            /* success short (2 bytes), a reason without properties (3), both with properties */
            ack_arg_t x = { (bmqtt_packet_type_t)t, { as_props(pr, form >= 2 ? np : 0), 0xBEEF, form & 1 ? code : 0 } };
            size_t n;
            uint8_t *buf = encode_all(enc_ack, &x, &n);
            assert_int_equal(buf[0], (t << 4) | (t == BMQTT_PUBREL ? 2 : 0));
            if (form == 0) assert_int_equal(n, 4);
            if (form == 1) assert_int_equal(n, 5);
            bmqtt5_packet_t pkt;
            decode_all(buf, n, t == BMQTT_PUBREL ? BMQTT5_FROM_CLIENT : BMQTT5_FROM_SERVER, &pkt);
            assert_int_equal(pkt.type, t);
            assert_int_equal(pkt.u.ack.packet_id, 0xBEEF);
            assert_int_equal(pkt.u.ack.reason_code, x.a.reason_code);
            props_equal(&pkt.u.ack.props, pr, form >= 2 ? np : 0);
            ack_arg_t y = { (bmqtt_packet_type_t)t, pkt.u.ack };
            same_bytes(enc_ack, &y, buf, n);
            free(buf);
        }
    }
    /* A reason code of 0 with a Property Length of 0, as some senders write it, decodes too. */
    static const uint8_t long_form[] = { 0x40, 0x04, 0x00, 0x07, 0x00, 0x00 };
    bmqtt5_packet_t pkt;
    size_t used;
    assert_int_equal(bmqtt5_decode(long_form, sizeof long_form, BMQTT5_FROM_EITHER, &pkt, &used), BMQTT_OK);
    assert_int_equal(pkt.u.ack.packet_id, 7);
    assert_int_equal(pkt.u.ack.props.raw.len, 0);
}

/* ---- SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK ---------------------------- */

typedef struct {
    uint16_t id;
    bmqtt5_props_t props;
    const void *list;
    size_t count;
    bmqtt_packet_type_t type;
} list_arg_t;

static bmqtt_status_t enc_subscribe(const void *a, uint8_t *b, size_t c, size_t *l)
{
    const list_arg_t *x = a;
    return bmqtt5_subscribe_encode(x->id, &x->props, x->list, x->count, b, c, l);
}

static bmqtt_status_t enc_unsubscribe(const void *a, uint8_t *b, size_t c, size_t *l)
{
    const list_arg_t *x = a;
    return bmqtt5_unsubscribe_encode(x->id, &x->props, x->list, x->count, b, c, l);
}

static bmqtt_status_t enc_suback(const void *a, uint8_t *b, size_t c, size_t *l)
{
    const list_arg_t *x = a;
    return bmqtt5_suback_encode(x->type, x->id, &x->props, x->list, x->count, b, c, l);
}

static void test_subscribe(void **state)
{
    (void)state;
    bmqtt5_prop_t pr[8];
    size_t np = all_props('S', pr);
    const bmqtt5_subscription_t subs[] = {
        { V("a/+/c"), 0, 0, 0, 0 },
        { V("#"), 1, 1, 0, 1 },
        { V("$share/grp/x/#"), 2, 0, 1, 2 },
        { V("\xc3\xa9t\xc3\xa9/+"), 2, 1, 1, 0 },
    };
    for (size_t count = 1; count <= 4; count++) {
        list_arg_t x = { 0x0102, as_props(pr, count & 1 ? np : 0), subs, count, BMQTT_SUBSCRIBE };
        size_t n;
        uint8_t *buf = encode_all(enc_subscribe, &x, &n);
        assert_int_equal(buf[0], 0x82);
        bmqtt5_packet_t pkt;
        decode_all(buf, n, BMQTT5_FROM_CLIENT, &pkt);
        assert_int_equal(pkt.type, BMQTT_SUBSCRIBE);
        assert_int_equal(pkt.u.subscribe.packet_id, 0x0102);
        props_equal(&pkt.u.subscribe.props, pr, count & 1 ? np : 0);
        bmqtt5_subscription_t got[4];
        bmqtt_view_t it = pkt.u.subscribe.entries;
        size_t k = 0;
        while (k < 4 && bmqtt5_sub_next(&it, &got[k])) {
            views_equal(got[k].filter, subs[k].filter);
            assert_int_equal(got[k].qos, subs[k].qos);
            assert_int_equal(got[k].no_local, subs[k].no_local);
            assert_int_equal(got[k].retain_as_published, subs[k].retain_as_published);
            assert_int_equal(got[k].retain_handling, subs[k].retain_handling);
            k++;
        }
        assert_int_equal(k, count);
        list_arg_t y = { 0x0102, pkt.u.subscribe.props, got, k, BMQTT_SUBSCRIBE };
        same_bytes(enc_subscribe, &y, buf, n);
        free(buf);
    }
}

static void test_unsubscribe(void **state)
{
    (void)state;
    bmqtt5_prop_t pr[8];
    size_t np = all_props('U', pr);
    const bmqtt_view_t filters[] = { V("a/b"), V("$share/g/a/+"), V("#") };
    for (size_t count = 1; count <= 3; count++) {
        list_arg_t x = { 9, as_props(pr, np), filters, count, BMQTT_UNSUBSCRIBE };
        size_t n;
        uint8_t *buf = encode_all(enc_unsubscribe, &x, &n);
        assert_int_equal(buf[0], 0xA2);
        bmqtt5_packet_t pkt;
        decode_all(buf, n, BMQTT5_FROM_CLIENT, &pkt);
        assert_int_equal(pkt.type, BMQTT_UNSUBSCRIBE);
        assert_int_equal(pkt.u.unsubscribe.packet_id, 9);
        props_equal(&pkt.u.unsubscribe.props, pr, np);
        bmqtt_view_t got[3], it = pkt.u.unsubscribe.entries;
        size_t k = 0;
        while (k < 3 && bmqtt_unsub_next(&it, &got[k])) {
            views_equal(got[k], filters[k]);
            k++;
        }
        assert_int_equal(k, count);
        list_arg_t y = { 9, pkt.u.unsubscribe.props, got, k, BMQTT_UNSUBSCRIBE };
        same_bytes(enc_unsubscribe, &y, buf, n);
        free(buf);
    }
}

static void test_suback_unsuback(void **state)
{
    (void)state;
    static const uint8_t sub_codes[] = { 0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2 };
    static const uint8_t unsub_codes[] = { 0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91 };
    for (int t = 0; t < 2; t++) {
        bmqtt5_prop_t pr[8];
        size_t np = all_props(t ? 'u' : 's', pr);
        list_arg_t x = { 0xFFFF, as_props(pr, np), t ? unsub_codes : sub_codes, t ? sizeof unsub_codes : sizeof sub_codes,
                         t ? BMQTT_UNSUBACK : BMQTT_SUBACK };
        size_t n;
        uint8_t *buf = encode_all(enc_suback, &x, &n);
        assert_int_equal(buf[0], t ? 0xB0 : 0x90);
        bmqtt5_packet_t pkt;
        decode_all(buf, n, BMQTT5_FROM_SERVER, &pkt);
        assert_int_equal(pkt.type, x.type);
        assert_int_equal(pkt.u.suback.packet_id, 0xFFFF);
        assert_int_equal(pkt.u.suback.codes.len, x.count);
        assert_memory_equal(pkt.u.suback.codes.ptr, x.list, x.count);
        props_equal(&pkt.u.suback.props, pr, np);
        list_arg_t y = { 0xFFFF, pkt.u.suback.props, pkt.u.suback.codes.ptr, pkt.u.suback.codes.len, x.type };
        same_bytes(enc_suback, &y, buf, n);
        free(buf);
    }
}

/* ---- DISCONNECT, AUTH, PINGREQ, PINGRESP ------------------------------------ */

typedef struct {
    unsigned type;
    bmqtt5_reason_t r;
} reason_arg_t;

static bmqtt_status_t enc_reason(const void *a, uint8_t *b, size_t c, size_t *l)
{
    const reason_arg_t *x = a;
    return bmqtt5_reason_encode(x->type, &x->r, b, c, l);
}

static void test_disconnect_auth(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        const unsigned type = t ? BMQTT5_AUTH : BMQTT_DISCONNECT;
        bmqtt5_prop_t pr[16];
        size_t np = all_props(t ? 'H' : 'D', pr);
        for (int form = 0; form < 4; form++) {
            const uint8_t code = form & 1 ? (t ? 0x18 : 0x04) : 0;
            reason_arg_t x = { type, { as_props(pr, form >= 2 ? np : 0), code } };
            size_t n;
            uint8_t *buf = encode_all(enc_reason, &x, &n);
            assert_int_equal(buf[0], type << 4);
            if (form == 0) assert_int_equal(n, 2);
            if (form == 1) assert_int_equal(n, 3);
            bmqtt5_packet_t pkt;
            decode_all(buf, n, BMQTT5_FROM_CLIENT, &pkt); /* Session Expiry: a client's DISCONNECT */
            assert_int_equal(pkt.type, type);
            assert_int_equal(pkt.u.reason.reason_code, code);
            props_equal(&pkt.u.reason.props, pr, form >= 2 ? np : 0);
            reason_arg_t y = { type, pkt.u.reason };
            same_bytes(enc_reason, &y, buf, n);
            free(buf);
        }
    }
    static const uint8_t pings[2][2] = { { 0xC0, 0x00 }, { 0xD0, 0x00 } };
    bmqtt5_packet_t pkt;
    size_t used;
    assert_int_equal(bmqtt5_decode(pings[0], 2, BMQTT5_FROM_CLIENT, &pkt, &used), BMQTT_OK);
    assert_int_equal(pkt.type, BMQTT_PINGREQ);
    assert_int_equal(bmqtt5_decode(pings[1], 2, BMQTT5_FROM_SERVER, &pkt, &used), BMQTT_OK);
    assert_int_equal(pkt.type, BMQTT_PINGRESP);
}

/* Raw properties (a decoded packet's) and a list are one set when encoded: the list's first. */
static void test_list_and_raw(void **state)
{
    (void)state;
    static const uint8_t raw[] = { 0x26, 0x00, 0x01, 'a', 0x00, 0x01, 'b', 0x02, 0x00, 0x00, 0x00, 0x3C };
    const bmqtt5_prop_t list[1] = { { BMQTT5_PROP_CONTENT_TYPE, 0, 0, V("text/plain"), { NULL, 0 } } };
    bmqtt5_publish_t p = { V("t"), V("x"), { list, 1, { raw, sizeof raw } }, 0, 0, 0, 0 };
    uint8_t buf[64];
    size_t n;
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_OK);
    bmqtt5_packet_t pkt;
    size_t used;
    assert_int_equal(bmqtt5_decode(buf, n, BMQTT5_FROM_SERVER, &pkt, &used), BMQTT_OK);
    assert_int_equal(pkt.u.publish.props.raw.len, 13 + sizeof raw);
    assert_int_equal(bmqtt5_prop_num(&pkt.u.publish.props, BMQTT5_PROP_MESSAGE_EXPIRY, 0), 60);
    assert_int_equal(bmqtt5_prop_str(&pkt.u.publish.props, BMQTT5_PROP_CONTENT_TYPE).len, 10);
    /* the same identifier in both halves is a duplicate */
    const bmqtt5_prop_t dup[1] = { { BMQTT5_PROP_MESSAGE_EXPIRY, 0, 5, { NULL, 0 }, { NULL, 0 } } };
    p.props.list = dup;
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT5_ERR_PROP_DUPLICATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect),
        cmocka_unit_test(test_connect_known_bytes),
        cmocka_unit_test(test_connack),
        cmocka_unit_test(test_publish),
        cmocka_unit_test(test_publish_known_bytes),
        cmocka_unit_test(test_acks),
        cmocka_unit_test(test_subscribe),
        cmocka_unit_test(test_unsubscribe),
        cmocka_unit_test(test_suback_unsuback),
        cmocka_unit_test(test_disconnect_auth),
        cmocka_unit_test(test_list_and_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
