/*
 * Encoders: the size-first contract shared by all of them (codec.h), and
 * every documented rejection of each encoder.
 *
 *  - buf == NULL: validate and report the size in *len;
 *  - cap too small: *len = size needed, nothing written, BUFFER_TOO_SMALL;
 *  - otherwise: the packet, and its size in *len.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/codec.h"
#include "vectors.h"

#define CANARY 0xA5u
#define V(lit) ((bmqtt_view_t)BMQTT_VIEW_LIT(lit))

/* ------------------------------------------------------------------------ */
/* One sample packet per row, encoded through a uniform wrapper.            */
/* ------------------------------------------------------------------------ */

typedef bmqtt_status_t (*enc_fn)(const void *arg, uint8_t *buf, size_t cap, size_t *len);

typedef struct {
    uint16_t id;
    const void *list;
    size_t count;
} list_arg_t;

typedef struct {
    bmqtt_packet_type_t type;
    uint16_t id;
} ack_arg_t;

static bmqtt_status_t enc_connect(const void *a, uint8_t *b, size_t c, size_t *l)
{
    return bmqtt_connect_encode(a, b, c, l);
}
static bmqtt_status_t enc_connack(const void *a, uint8_t *b, size_t c, size_t *l)
{
    return bmqtt_connack_encode(a, b, c, l);
}
static bmqtt_status_t enc_publish(const void *a, uint8_t *b, size_t c, size_t *l)
{
    return bmqtt_publish_encode(a, b, c, l);
}
static bmqtt_status_t enc_publish_header(const void *a, uint8_t *b, size_t c, size_t *l)
{
    return bmqtt_publish_encode_header(a, b, c, l);
}
static bmqtt_status_t enc_ack(const void *a, uint8_t *b, size_t c, size_t *l)
{
    const ack_arg_t *x = a;
    return bmqtt_ack_encode(x->type, x->id, b, c, l);
}
static bmqtt_status_t enc_subscribe(const void *a, uint8_t *b, size_t c, size_t *l)
{
    const list_arg_t *x = a;
    return bmqtt_subscribe_encode(x->id, x->list, x->count, b, c, l);
}
static bmqtt_status_t enc_suback(const void *a, uint8_t *b, size_t c, size_t *l)
{
    const list_arg_t *x = a;
    return bmqtt_suback_encode(x->id, x->list, x->count, b, c, l);
}
static bmqtt_status_t enc_unsubscribe(const void *a, uint8_t *b, size_t c, size_t *l)
{
    const list_arg_t *x = a;
    return bmqtt_unsubscribe_encode(x->id, x->list, x->count, b, c, l);
}
static bmqtt_status_t enc_empty(const void *a, uint8_t *b, size_t c, size_t *l)
{
    return bmqtt_empty_encode(*(const bmqtt_packet_type_t *)a, b, c, l);
}

static uint8_t g_big[20000];

static const bmqtt_connect_t s_connect_min = { V("c"), { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, 60, 1, 0, 0 };
static const bmqtt_connect_t s_connect_full = { V("client-42"), V("will/topic"), V("bye"), V("user"), V("pw"),
                                                65535, 0, 2, 1 };
static const bmqtt_connect_t s_connect_empty_id = { { (const uint8_t *)"", 0 }, { NULL, 0 }, { NULL, 0 },
                                                    { (const uint8_t *)"", 0 }, { (const uint8_t *)"", 0 }, 0, 1, 0,
                                                    0 };
static const bmqtt_connack_t s_connack_sp = { 1, 0 };
static const bmqtt_connack_t s_connack_refused = { 0, 5 };
static const bmqtt_publish_t s_pub_q0 = { V("a"), { NULL, 0 }, 0, 0, 0, 0 };
static const bmqtt_publish_t s_pub_q1 = { V("sensors/t1"), V("21.5"), 7, 1, 1, 1 };
static bmqtt_publish_t s_pub_q2_300; /* 300-byte payload: 2-byte remaining length */
static bmqtt_publish_t s_pub_q1_20000;  /* 20000-byte payload: 3-byte remaining length */
static const ack_arg_t s_acks[] = { { BMQTT_PUBACK, 1 },
                                    { BMQTT_PUBREC, 0x1234 },
                                    { BMQTT_PUBREL, 0xFFFF },
                                    { BMQTT_PUBCOMP, 2 },
                                    { BMQTT_UNSUBACK, 3 } };
static const bmqtt_subscription_t s_subs[] = { { V("a/+/c"), 0 }, { V("#"), 1 }, { V("$SYS/x"), 2 } };
static const list_arg_t s_subscribe = { 10, s_subs, 3 };
static const uint8_t s_codes[] = { 0, 1, 2, 0x80 };
static const list_arg_t s_suback = { 11, s_codes, 4 };
static const bmqtt_view_t s_filters[] = { V("a/#"), V("+") };
static const list_arg_t s_unsubscribe = { 12, s_filters, 2 };
static const bmqtt_packet_type_t s_empties[] = { BMQTT_PINGREQ, BMQTT_PINGRESP, BMQTT_DISCONNECT };

typedef struct {
    const char *name;
    enc_fn fn;
    const void *arg;
} sample_t;

static sample_t g_samples[32];
static size_t g_nsamples;

static void add(const char *name, enc_fn fn, const void *arg)
{
    g_samples[g_nsamples].name = name;
    g_samples[g_nsamples].fn = fn;
    g_samples[g_nsamples].arg = arg;
    g_nsamples++;
}

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof g_big; i++) g_big[i] = (uint8_t)(i * 7u + 3u);
    s_pub_q2_300 = (bmqtt_publish_t){ V("big/one"), { g_big, 300 }, 0xBEEF, 2, 0, 0 };
    s_pub_q1_20000 = (bmqtt_publish_t){ V("big/two"), { g_big, 20000 }, 9, 1, 0, 1 };
    g_nsamples = 0;
    add("CONNECT minimal", enc_connect, &s_connect_min);
    add("CONNECT all fields", enc_connect, &s_connect_full);
    add("CONNECT empty id/user/password", enc_connect, &s_connect_empty_id);
    add("CONNACK session present", enc_connack, &s_connack_sp);
    add("CONNACK refused", enc_connack, &s_connack_refused);
    add("PUBLISH QoS 0 empty", enc_publish, &s_pub_q0);
    add("PUBLISH QoS 1 dup retain", enc_publish, &s_pub_q1);
    add("PUBLISH QoS 2 300 bytes", enc_publish, &s_pub_q2_300);
    add("PUBLISH QoS 1 20000 bytes", enc_publish, &s_pub_q1_20000);
    add("PUBLISH header QoS 1", enc_publish_header, &s_pub_q1);
    add("PUBLISH header 20000", enc_publish_header, &s_pub_q1_20000);
    for (size_t i = 0; i < 5; i++) add("ack", enc_ack, &s_acks[i]);
    add("SUBSCRIBE", enc_subscribe, &s_subscribe);
    add("SUBACK", enc_suback, &s_suback);
    add("UNSUBSCRIBE", enc_unsubscribe, &s_unsubscribe);
    for (size_t i = 0; i < 3; i++) add("empty", enc_empty, &s_empties[i]);
    return 0;
}

/* The size query equals the bytes written, for every sample; nothing is
 * written past them; a bigger buffer gives the same bytes. */
static void test_size_query_equals_written_size(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_nsamples; i++) {
        const sample_t *s = &g_samples[i];
        size_t q = 0;
        assert_int_equal(s->fn(s->arg, NULL, 0, &q), BMQTT_OK);
        assert_true(q >= 2);
        uint8_t *a = malloc(q + 64), *b = malloc(q + 64);
        assert_non_null(a);
        assert_non_null(b);
        memset(a, CANARY, q + 64);
        memset(b, 0x5A, q + 64);
        size_t la = 0, lb = 0;
        assert_int_equal(s->fn(s->arg, a, q, &la), BMQTT_OK);
        assert_int_equal(s->fn(s->arg, b, q + 64, &lb), BMQTT_OK);
        if (la != q || lb != q) fail_msg("%s: query %zu, wrote %zu and %zu", s->name, q, la, lb);
        assert_memory_equal(a, b, q);
        for (size_t k = q; k < q + 64; k++) assert_int_equal(a[k], CANARY);
        /* The fixed header announces exactly the rest (header-only PUBLISH: rest + payload). */
        bmqtt_fixed_header_t h;
        assert_int_equal(bmqtt_fixed_header_decode(a, q, &h), BMQTT_OK);
        size_t extra = s->fn == enc_publish_header ? ((const bmqtt_publish_t *)s->arg)->payload.len : 0;
        assert_int_equal((size_t)h.header_len + h.remaining_length, q + extra);
        free(a);
        free(b);
    }
}

/* Every cap below the size: BUFFER_TOO_SMALL, *len = size needed, buffer untouched. */
static void test_buffer_too_small_reports_size_and_writes_nothing(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_nsamples; i++) {
        const sample_t *s = &g_samples[i];
        size_t q = 0;
        assert_int_equal(s->fn(s->arg, NULL, 0, &q), BMQTT_OK);
        uint8_t *buf = malloc(q + 1);
        assert_non_null(buf);
        size_t caps[] = { 0, 1, 2, q / 2, q - 1 };
        for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
            size_t cap = caps[k];
            if (cap >= q) continue;
            memset(buf, CANARY, q + 1);
            size_t len = 0;
            bmqtt_status_t st = s->fn(s->arg, buf, cap, &len);
            if (st != BMQTT_ERR_BUFFER_TOO_SMALL || len != q)
                fail_msg("%s cap %zu: status %d len %zu, want BUFFER_TOO_SMALL and %zu", s->name, cap, st, len, q);
            for (size_t j = 0; j <= q; j++)
                if (buf[j] != CANARY) fail_msg("%s cap %zu: byte %zu written", s->name, cap, j);
        }
        free(buf);
    }
}

/* Header-only PUBLISH followed by the payload is the whole PUBLISH, byte for byte. */
static void test_publish_header_plus_payload_equals_whole(void **state)
{
    (void)state;
    const bmqtt_publish_t *pubs[] = { &s_pub_q0, &s_pub_q1, &s_pub_q2_300, &s_pub_q1_20000 };
    for (size_t i = 0; i < sizeof pubs / sizeof pubs[0]; i++) {
        const bmqtt_publish_t *p = pubs[i];
        size_t whole_len = 0, head_len = 0;
        assert_int_equal(bmqtt_publish_encode(p, NULL, 0, &whole_len), BMQTT_OK);
        uint8_t *whole = malloc(whole_len), *joined = malloc(whole_len);
        assert_non_null(whole);
        assert_non_null(joined);
        assert_int_equal(bmqtt_publish_encode(p, whole, whole_len, &whole_len), BMQTT_OK);
        assert_int_equal(bmqtt_publish_encode_header(p, joined, whole_len, &head_len), BMQTT_OK);
        assert_int_equal(head_len + p->payload.len, whole_len);
        if (p->payload.len) memcpy(joined + head_len, p->payload.ptr, p->payload.len);
        assert_memory_equal(joined, whole, whole_len);
        free(whole);
        free(joined);
    }
    /* The header needs no payload bytes: ptr may be NULL. */
    bmqtt_publish_t nop = { V("t"), { NULL, 1000 }, 5, 1, 0, 0 };
    uint8_t hdr[16];
    size_t n = 0;
    assert_int_equal(bmqtt_publish_encode_header(&nop, hdr, sizeof hdr, &n), BMQTT_OK);
    static const uint8_t want[] = { 0x32, 0xED, 0x07, 0x00, 0x01, 't', 0x00, 0x05 }; /* 5 + 1000 = 1005 */
    assert_int_equal(n, sizeof want);
    assert_memory_equal(hdr, want, sizeof want);
}

/* Exact bytes of a few encodings not covered by the golden frames. */
static void test_exact_bytes_MQTT_3(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t n;
    static const uint8_t pubrel[] = { 0x62, 0x02, 0xFF, 0xFF }; /* flags 0010 [MQTT-3.6.1-1] */
    assert_int_equal(bmqtt_ack_encode(BMQTT_PUBREL, 0xFFFF, out, sizeof out, &n), BMQTT_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(out, pubrel, 4);
    static const uint8_t pubrec[] = { 0x50, 0x02, 0x12, 0x34 };
    assert_int_equal(bmqtt_ack_encode(BMQTT_PUBREC, 0x1234, out, sizeof out, &n), BMQTT_OK);
    assert_memory_equal(out, pubrec, 4);
    static const uint8_t pubcomp[] = { 0x70, 0x02, 0x00, 0x02 };
    assert_int_equal(bmqtt_ack_encode(BMQTT_PUBCOMP, 2, out, sizeof out, &n), BMQTT_OK);
    assert_memory_equal(out, pubcomp, 4);
    static const uint8_t connack_sp[] = { 0x20, 0x02, 0x01, 0x00 };
    assert_int_equal(bmqtt_connack_encode(&s_connack_sp, out, sizeof out, &n), BMQTT_OK);
    assert_memory_equal(out, connack_sp, 4);
    /* QoS 1, DUP, retain: 0x3B; id 7 [MQTT-3.3.1] */
    static const uint8_t pub[] = { 0x3B, 0x12, 0x00, 0x0A, 's', 'e', 'n', 's', 'o', 'r', 's', '/', 't', '1',
                                   0x00, 0x07, '2', '1', '.', '5' };
    assert_int_equal(bmqtt_publish_encode(&s_pub_q1, out, sizeof out, &n), BMQTT_OK);
    assert_int_equal(n, sizeof pub);
    assert_memory_equal(out, pub, sizeof pub);
    /* QoS 0: no packet id even when one is set [MQTT-2.3.1-5] */
    bmqtt_publish_t q0 = { V("a"), V("x"), 99, 0, 0, 0 };
    static const uint8_t pub0[] = { 0x30, 0x04, 0x00, 0x01, 'a', 'x' };
    assert_int_equal(bmqtt_publish_encode(&q0, out, sizeof out, &n), BMQTT_OK);
    assert_int_equal(n, sizeof pub0);
    assert_memory_equal(out, pub0, sizeof pub0);
    /* CONNECT with will QoS 2 retain, user, password, clean 0 */
    static const uint8_t conn[] = { 0x10, 0x30, 0x00, 0x04, 'M',  'Q',  'T',  'T',  0x04, 0xF4, 0xFF, 0xFF, 0x00,
                                    0x09, 'c',  'l',  'i',  'e',  'n',  't',  '-',  '4',  '2',  0x00, 0x0A, 'w',
                                    'i',  'l',  'l',  '/',  't',  'o',  'p',  'i',  'c',  0x00, 0x03, 'b',  'y',
                                    'e',  0x00, 0x04, 'u',  's',  'e',  'r',  0x00, 0x02, 'p',  'w' };
    assert_int_equal(bmqtt_connect_encode(&s_connect_full, out, sizeof out, &n), BMQTT_OK);
    if (n != sizeof conn || memcmp(out, conn, n) != 0) {
        tv_hexdump("encoded ", out, n);
        tv_hexdump("expected", conn, sizeof conn);
        fail_msg("CONNECT bytes differ");
    }
}

/* ------------------------------------------------------------------------ */
/* Rejections: each documented status, via the size query and a real buffer. */
/* ------------------------------------------------------------------------ */

static void expect_both(const char *what, enc_fn fn, const void *arg, bmqtt_status_t want)
{
    uint8_t buf[256];
    size_t len = 0;
    bmqtt_status_t a = fn(arg, NULL, 0, &len), b = fn(arg, buf, sizeof buf, &len);
    if (a != want || b != want)
        fail_msg("%s: size query %s, encode %s; want %s", what, tv_status_name(a), tv_status_name(b),
                 tv_status_name(want));
}

static void test_connect_rejections_MQTT_3_1(void **state)
{
    (void)state;
    bmqtt_connect_t c;
    c = s_connect_min;
    c.password = V("p");
    expect_both("password without user name [MQTT-3.1.2-22]", enc_connect, &c, BMQTT_ERR_PARAM);
    c = s_connect_full;
    c.will_qos = 3;
    expect_both("will QoS 3 [MQTT-3.1.2-14]", enc_connect, &c, BMQTT_ERR_PARAM);
    c = s_connect_min;
    c.will_qos = 1;
    expect_both("will QoS without a will [MQTT-3.1.2-13]", enc_connect, &c, BMQTT_ERR_PARAM);
    c = s_connect_min;
    c.will_retain = 1;
    expect_both("will retain without a will [MQTT-3.1.2-15]", enc_connect, &c, BMQTT_ERR_PARAM);
    c = s_connect_min;
    c.client_id = (bmqtt_view_t){ (const uint8_t *)"", 0 };
    c.clean_session = 0;
    expect_both("empty client id, clean 0 [MQTT-3.1.3-7]", enc_connect, &c, BMQTT_ERR_BAD_CLIENT_ID);
    c.client_id = (bmqtt_view_t){ NULL, 0 };
    expect_both("absent client id, clean 0 [MQTT-3.1.3-7]", enc_connect, &c, BMQTT_ERR_BAD_CLIENT_ID);
    c = s_connect_min;
    c.client_id = V("a\xED\xA0\x80");
    expect_both("client id surrogate [MQTT-3.1.3-4]", enc_connect, &c, BMQTT_ERR_BAD_UTF8);
    c = s_connect_full;
    c.username = V("u\0");
    expect_both("user name U+0000 [MQTT-3.1.3-11]", enc_connect, &c, BMQTT_ERR_BAD_UTF8);
    c = s_connect_full;
    c.will_topic = V("w\xC0\x80");
    expect_both("will topic overlong [MQTT-3.1.3-10]", enc_connect, &c, BMQTT_ERR_BAD_UTF8);
    c = s_connect_full;
    c.will_topic = V("w/#");
    expect_both("will topic wildcard [MQTT-4.7.1-1]", enc_connect, &c, BMQTT_ERR_BAD_TOPIC);
    c = s_connect_full;
    c.will_topic = (bmqtt_view_t){ (const uint8_t *)"", 0 };
    expect_both("will topic empty [MQTT-4.7.3-1]", enc_connect, &c, BMQTT_ERR_BAD_TOPIC);

    /* Strings over 65,535 bytes: TOO_LONG (size query only: no big buffer needed). */
    uint8_t *big = malloc(65536);
    assert_non_null(big);
    memset(big, 'x', 65536);
    const bmqtt_view_t too_long = { big, 65536 }, longest = { big, 65535 };
    bmqtt_view_t *fields[] = { &c.client_id, &c.will_topic, &c.will_payload, &c.username, &c.password };
    const char *names[] = { "client id", "will topic", "will payload", "user name", "password" };
    for (size_t i = 0; i < 5; i++) {
        size_t len = 0;
        c = s_connect_full;
        *fields[i] = longest;
        if (bmqtt_connect_encode(&c, NULL, 0, &len) != BMQTT_OK) fail_msg("%s of 65535 bytes refused", names[i]);
        *fields[i] = too_long;
        bmqtt_status_t st = bmqtt_connect_encode(&c, NULL, 0, &len);
        if (st != BMQTT_ERR_TOO_LONG) fail_msg("%s of 65536 bytes: %s, want TOO_LONG", names[i], tv_status_name(st));
    }
    free(big);
}

static void test_connack_rejections_MQTT_3_2(void **state)
{
    (void)state;
    bmqtt_connack_t c = { 0, 6 };
    expect_both("CONNACK code 6", enc_connack, &c, BMQTT_ERR_PARAM);
    c = (bmqtt_connack_t){ 0, 0xFF };
    expect_both("CONNACK code 255", enc_connack, &c, BMQTT_ERR_PARAM);
    c = (bmqtt_connack_t){ 1, 1 };
    expect_both("session present with refusal [MQTT-3.2.2-4]", enc_connack, &c, BMQTT_ERR_PARAM);
    for (uint8_t code = 0; code <= 5; code++) {
        c = (bmqtt_connack_t){ 0, code };
        expect_both("CONNACK codes 0..5", enc_connack, &c, BMQTT_OK);
    }
}

static void test_publish_rejections_MQTT_3_3(void **state)
{
    (void)state;
    bmqtt_publish_t p;
    enc_fn fns[] = { enc_publish, enc_publish_header };
    for (size_t f = 0; f < 2; f++) {
        p = s_pub_q1;
        p.topic = (bmqtt_view_t){ (const uint8_t *)"", 0 };
        expect_both("empty topic [MQTT-4.7.3-1]", fns[f], &p, BMQTT_ERR_BAD_TOPIC);
        p.topic = V("a/+");
        expect_both("'+' in topic [MQTT-3.3.2-2]", fns[f], &p, BMQTT_ERR_BAD_TOPIC);
        p.topic = V("#");
        expect_both("'#' topic [MQTT-3.3.2-2]", fns[f], &p, BMQTT_ERR_BAD_TOPIC);
        p.topic = V("a\xF4\x90\x80\x80");
        expect_both("topic above U+10FFFF [MQTT-1.5.3-1]", fns[f], &p, BMQTT_ERR_BAD_UTF8);
        p.topic = (bmqtt_view_t){ NULL, 3 };
        expect_both("topic without bytes (NULL with a length)", fns[f], &p, BMQTT_ERR_PARAM);
        p = s_pub_q1;
        p.qos = 3;
        expect_both("QoS 3 [MQTT-3.3.1-4]", fns[f], &p, BMQTT_ERR_PARAM);
        p = s_pub_q0;
        p.dup = 1;
        expect_both("DUP with QoS 0 [MQTT-3.3.1-2]", fns[f], &p, BMQTT_ERR_PARAM);
        p = s_pub_q1;
        p.packet_id = 0;
        expect_both("QoS 1 packet id 0 [MQTT-2.3.1-1]", fns[f], &p, BMQTT_ERR_BAD_PACKET_ID);
        p.qos = 2;
        p.dup = 0;
        expect_both("QoS 2 packet id 0 [MQTT-2.3.1-1]", fns[f], &p, BMQTT_ERR_BAD_PACKET_ID);
        p.qos = 0;
        expect_both("QoS 0 ignores the packet id [MQTT-2.3.1-5]", fns[f], &p, BMQTT_OK);
    }
    /* A 65,536-byte topic cannot be sent (a string is at most 65,535 bytes). */
    uint8_t *big = malloc(65536);
    assert_non_null(big);
    memset(big, 't', 65536);
    p = s_pub_q0;
    p.topic = (bmqtt_view_t){ big, 65536 };
    size_t len = 0;
    bmqtt_status_t st = bmqtt_publish_encode(&p, NULL, 0, &len);
    if (st != BMQTT_ERR_TOO_LONG && st != BMQTT_ERR_BAD_TOPIC) fail_msg("65536-byte topic: %s", tv_status_name(st));
    p.topic.len = 65535;
    assert_int_equal(bmqtt_publish_encode(&p, NULL, 0, &len), BMQTT_OK);
    assert_int_equal(len, 1 + 3 + 2 + 65535);
    free(big);

    /* Remaining length limit: topic "a" (3 bytes) + payload up to 268,435,452 [MQTT-2.2.3]. */
    p = (bmqtt_publish_t){ V("a"), { NULL, BMQTT_VARINT_MAX - 3u }, 0, 0, 0, 0 };
    assert_int_equal(bmqtt_publish_encode_header(&p, NULL, 0, &len), BMQTT_OK);
    assert_int_equal(len, 1 + 4 + 3);
    p.payload.len++;
    assert_int_equal(bmqtt_publish_encode_header(&p, NULL, 0, &len), BMQTT_ERR_TOO_LONG);
}

static void test_ack_rejections_MQTT_2_3_1(void **state)
{
    (void)state;
    static const bmqtt_packet_type_t ok[] = { BMQTT_PUBACK, BMQTT_PUBREC, BMQTT_PUBREL, BMQTT_PUBCOMP,
                                              BMQTT_UNSUBACK };
    for (size_t i = 0; i < 5; i++) {
        ack_arg_t a = { ok[i], 0 };
        expect_both("ack with packet id 0 [MQTT-2.3.1-1]", enc_ack, &a, BMQTT_ERR_BAD_PACKET_ID);
    }
    static const int bad[] = { 0, BMQTT_CONNECT, BMQTT_CONNACK, BMQTT_PUBLISH, BMQTT_SUBSCRIBE, BMQTT_SUBACK,
                               BMQTT_UNSUBSCRIBE, BMQTT_PINGREQ, BMQTT_PINGRESP, BMQTT_DISCONNECT, 15 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ack_arg_t a = { (bmqtt_packet_type_t)bad[i], 1 };
        expect_both("ack of a type that is not an ack", enc_ack, &a, BMQTT_ERR_PARAM);
    }
}

static void test_subscribe_rejections_MQTT_3_8(void **state)
{
    (void)state;
    bmqtt_subscription_t subs[2] = { { V("ok/+"), 1 }, { V("x"), 0 } };
    list_arg_t a = { 1, subs, 0 };
    expect_both("no filter [MQTT-3.8.3-3]", enc_subscribe, &a, BMQTT_ERR_EMPTY_LIST);
    a.count = 2;
    subs[1].filter = (bmqtt_view_t){ (const uint8_t *)"", 0 };
    expect_both("empty filter [MQTT-4.7.3-1]", enc_subscribe, &a, BMQTT_ERR_BAD_FILTER);
    subs[1].filter = V("a+");
    expect_both("'a+' [MQTT-4.7.1-3]", enc_subscribe, &a, BMQTT_ERR_BAD_FILTER);
    subs[1].filter = V("#/a");
    expect_both("'#/a' [MQTT-4.7.1-2]", enc_subscribe, &a, BMQTT_ERR_BAD_FILTER);
    subs[1].filter = V("a\xFF");
    expect_both("filter byte FF [MQTT-1.5.3-1]", enc_subscribe, &a, BMQTT_ERR_BAD_UTF8);
    subs[1].filter = V("x");
    subs[1].qos = 3;
    expect_both("requested QoS 3 [MQTT-3.8.3-4]", enc_subscribe, &a, BMQTT_ERR_PARAM);
    subs[1].qos = 2;
    a.id = 0;
    expect_both("packet id 0 [MQTT-2.3.1-1]", enc_subscribe, &a, BMQTT_ERR_BAD_PACKET_ID);
    a.id = 1;
    expect_both("valid", enc_subscribe, &a, BMQTT_OK);
    uint8_t *big = malloc(65536);
    assert_non_null(big);
    memset(big, 'f', 65536);
    subs[1].filter = (bmqtt_view_t){ big, 65536 };
    size_t len;
    assert_int_equal(bmqtt_subscribe_encode(1, subs, 2, NULL, 0, &len), BMQTT_ERR_TOO_LONG);
    free(big);
}

static void test_suback_rejections_MQTT_3_9(void **state)
{
    (void)state;
    uint8_t codes[3] = { 0, 1, 0x80 };
    list_arg_t a = { 1, codes, 0 };
    expect_both("no return code", enc_suback, &a, BMQTT_ERR_EMPTY_LIST);
    a.count = 3;
    static const uint8_t bad[] = { 3, 4, 0x7F, 0x81, 0xFF };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        codes[2] = bad[i];
        expect_both("reserved return code [MQTT-3.9.3-2]", enc_suback, &a, BMQTT_ERR_BAD_RETURN_CODE);
    }
    codes[2] = 2;
    a.id = 0;
    expect_both("packet id 0 [MQTT-2.3.1-1]", enc_suback, &a, BMQTT_ERR_BAD_PACKET_ID);
}

/* codec.h documents only "at least one"; the statuses follow bmqtt_subscribe_encode. */
static void test_unsubscribe_rejections_MQTT_3_10(void **state)
{
    (void)state;
    bmqtt_view_t f[2] = { V("a"), V("b/#") };
    list_arg_t a = { 1, f, 0 };
    expect_both("no filter [MQTT-3.10.3-2]", enc_unsubscribe, &a, BMQTT_ERR_EMPTY_LIST);
    a.count = 2;
    f[1] = (bmqtt_view_t){ (const uint8_t *)"", 0 };
    expect_both("empty filter [MQTT-4.7.3-1]", enc_unsubscribe, &a, BMQTT_ERR_BAD_FILTER);
    f[1] = V("a/#b");
    expect_both("'a/#b' [MQTT-4.7.1-2]", enc_unsubscribe, &a, BMQTT_ERR_BAD_FILTER);
    f[1] = V("\xED\xA0\x80");
    expect_both("surrogate [MQTT-1.5.3-1]", enc_unsubscribe, &a, BMQTT_ERR_BAD_UTF8);
    f[1] = V("+");
    a.id = 0;
    expect_both("packet id 0 [MQTT-2.3.1-1]", enc_unsubscribe, &a, BMQTT_ERR_BAD_PACKET_ID);
}

static void test_empty_rejections(void **state)
{
    (void)state;
    static const int bad[] = { 0, BMQTT_CONNECT, BMQTT_CONNACK, BMQTT_PUBLISH, BMQTT_PUBACK, BMQTT_PUBREL,
                               BMQTT_SUBSCRIBE, BMQTT_SUBACK, BMQTT_UNSUBACK, 15 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bmqtt_packet_type_t t = (bmqtt_packet_type_t)bad[i];
        expect_both("empty packet of another type", enc_empty, &t, BMQTT_ERR_PARAM);
    }
}

/* NULL where a pointer is required: BMQTT_ERR_PARAM (status.h: "NULL, out of range"). */
static void test_null_arguments_param(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t len;
    assert_int_equal(bmqtt_connect_encode(NULL, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_connect_encode(&s_connect_min, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_connack_encode(NULL, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_publish_encode(NULL, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_publish_encode(&s_pub_q1, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_publish_encode_header(NULL, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_ack_encode(BMQTT_PUBACK, 1, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_subscribe_encode(1, NULL, 1, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_suback_encode(1, NULL, 1, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_unsubscribe_encode(1, NULL, 1, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_empty_encode(BMQTT_PINGREQ, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    bmqtt_packet_t pkt;
    size_t used;
    static const uint8_t ping[] = { 0xC0, 0x00 };
    assert_int_equal(bmqtt_decode(NULL, 2, &pkt, &used), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_decode(ping, 2, NULL, &used), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_decode(ping, 2, &pkt, NULL), BMQTT_ERR_PARAM);
}

/* ------------------------------------------------------------------------ */
/* The one pass that checks a string and copies it into the packet.          */
/* ------------------------------------------------------------------------ */

/* Reference checks, byte by byte (RFC 3629 table 3; MQTT 3.1.1 1.5.3, 4.7). */
static int ref_utf8_len(const uint8_t *s, size_t n, size_t i)
{
    uint8_t c = s[i];
    size_t len;
    uint32_t cp;
    if (c == 0) return 0;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1Fu; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0Fu; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07u; }
    else return 0;
    if (i + len > n) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return (int)len;
}

/* kind 0: a plain string, 1: a topic name, 2: a topic filter. */
static bmqtt_status_t ref_check(const uint8_t *s, size_t n, int kind)
{
    int level_broken = 0;
    for (size_t i = 0; i < n;) {
        int l = ref_utf8_len(s, n, i);
        if (l == 0) return BMQTT_ERR_BAD_UTF8;
        if (kind && (s[i] == '+' || s[i] == '#')) {
            if (kind == 1) return BMQTT_ERR_BAD_TOPIC;
            if ((i > 0 && s[i - 1] != '/') || (i + 1 < n && s[i + 1] != '/') || (s[i] == '#' && i + 1 != n))
                level_broken = 1;
        }
        i += (size_t)l;
    }
    return level_broken ? BMQTT_ERR_BAD_FILTER : BMQTT_OK;
}

/* Every length from 1 to 80 with a sequence at every position (so in each
 * 16-byte block, across block ends and in the overlapping last word): the
 * encoders of PUBLISH, SUBSCRIBE and CONNECT give the reference's status, and
 * an accepted string is in the packet byte for byte, whether the encoder only
 * sizes, finds the buffer one byte short or writes. [MQTT-1.5.3-1/2],
 * [MQTT-3.3.2-2], [MQTT-4.7.1-2/3] */
static void test_string_pass_at_every_position_MQTT_1_5_3(void **state)
{
    (void)state;
    static const struct {
        const char *b;
        size_t n;
    } seqs[] = {
        { "\xC3\xA9", 2 },         { "\xE2\x82\xAC", 3 }, { "\xF0\x9F\x98\x80", 4 }, { "+", 1 },
        { "#", 1 },                { "/+/", 3 },          { "/#", 2 },                 { "\0", 1 },
        { "\xC3", 1 },             { "\xED\xA0\x80", 3 }, { "\xC0\xAF", 2 },           { "\xF4\x90\x80\x80", 4 },
        { "\x80", 1 },             { " !\"()*", 6 },      { "\xEF\xBF\xBF", 3 },       { "\x7F", 1 },
    };
    static uint8_t s[96], out[256];
    size_t checked = 0;
    for (size_t q = 0; q < sizeof seqs / sizeof seqs[0]; q++) {
        for (size_t n = 1; n <= 80; n++) {
            if (seqs[q].n > n) continue;
            for (size_t at = 0; at + seqs[q].n <= n; at++) {
                for (size_t i = 0; i < n; i++) s[i] = (uint8_t)(i % 9 == 8 ? '/' : 'a' + i % 26);
                memcpy(s + at, seqs[q].b, seqs[q].n);
                for (int kind = 0; kind < 3; kind++) {
                    bmqtt_status_t want = ref_check(s, n, kind), st;
                    size_t hl = 2, len = 0, q_len = 0, off;
                    bmqtt_publish_t p = { { s, n }, V("x"), 0, 0, 0, 0 };
                    bmqtt_subscription_t sub = { { s, n }, 2 };
                    bmqtt_connect_t c;
                    memset(&c, 0, sizeof c);
                    c.client_id.ptr = s;
                    c.client_id.len = n;
                    c.clean_session = 1;
                    for (int mode = 0; mode < 3; mode++) {
                        uint8_t *buf = mode ? out : NULL;
                        size_t cap = mode == 1 ? (q_len ? q_len - 1 : 0) : sizeof out;
                        if (kind == 0) st = bmqtt_connect_encode(&c, buf, cap, &len), off = hl + 12;
                        else if (kind == 1) st = bmqtt_publish_encode(&p, buf, cap, &len), off = hl + 2;
                        else st = bmqtt_subscribe_encode(9, &sub, 1, buf, cap, &len), off = hl + 4;
                        if (mode == 0) q_len = len;
                        bmqtt_status_t expect = want;
                        if (want == BMQTT_OK && mode == 1) expect = BMQTT_ERR_BUFFER_TOO_SMALL;
                        if (st != expect)
                            fail_msg("kind %d mode %d seq %zu len %zu at %zu: status %d, want %d", kind, mode, q, n,
                                     at, st, expect);
                        if (mode == 2 && st == BMQTT_OK && (len != q_len || memcmp(out + off, s, n) != 0))
                            fail_msg("kind %d seq %zu len %zu at %zu: the string is not copied as it is", kind, q,
                                     n, at);
                        checked++;
                    }
                }
            }
        }
    }
    assert_true(checked > 50000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_query_equals_written_size),
        cmocka_unit_test(test_buffer_too_small_reports_size_and_writes_nothing),
        cmocka_unit_test(test_publish_header_plus_payload_equals_whole),
        cmocka_unit_test(test_exact_bytes_MQTT_3),
        cmocka_unit_test(test_connect_rejections_MQTT_3_1),
        cmocka_unit_test(test_connack_rejections_MQTT_3_2),
        cmocka_unit_test(test_publish_rejections_MQTT_3_3),
        cmocka_unit_test(test_ack_rejections_MQTT_2_3_1),
        cmocka_unit_test(test_subscribe_rejections_MQTT_3_8),
        cmocka_unit_test(test_suback_rejections_MQTT_3_9),
        cmocka_unit_test(test_unsubscribe_rejections_MQTT_3_10),
        cmocka_unit_test(test_empty_rejections),
        cmocka_unit_test(test_null_arguments_param),
        cmocka_unit_test(test_string_pass_at_every_position_MQTT_1_5_3),
    };
    return cmocka_run_group_tests_name("codec: encoders", tests, setup, NULL);
}
