/* MQTT 5.0 codec: caller mistakes and the edges of every input. Each public
 * function answers a bad argument with a clear status (or 0 where it returns
 * no status), a string or packet over the limits with BMQTT_ERR_TOO_LONG
 * before it reads it, and a property string that is not UTF-8 with
 * BMQTT_ERR_BAD_UTF8 whether it sizes, lacks room or writes. Bytes cut short
 * anywhere give the status of the field they cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/mqtt5.h"

#define V(lit) ((bmqtt_view_t)BMQTT_VIEW_LIT(lit))
#define NONE ((bmqtt_view_t){ NULL, 0 })
#define BAD ((bmqtt_view_t){ NULL, 3 })
#define PN(id, n) { (id), 0, (n), { NULL, 0 }, { NULL, 0 } }
#define PS(id, s) { (id), 0, 0, V(s), { NULL, 0 } }
#define PROPS(a) ((bmqtt5_props_t){ (a), sizeof(a) / sizeof((a)[0]), { NULL, 0 } })
#define NOPROPS ((bmqtt5_props_t){ NULL, 0, { NULL, 0 } })

static uint8_t buf[256];
static size_t n;
static uint8_t big[70000]; /* longer than any MQTT string */

/* The same status sizing, one byte short and with room. */
#define ALL_WAYS(call_with_buf_cap, want)                                 \
    do {                                                                  \
        uint8_t *b_ = NULL;                                               \
        size_t c_ = 0;                                                    \
        assert_int_equal((call_with_buf_cap), (want));                   \
        b_ = buf;                                                         \
        c_ = 1;                                                           \
        assert_int_equal((call_with_buf_cap), (want));                   \
        c_ = sizeof buf;                                                  \
        assert_int_equal((call_with_buf_cap), (want));                   \
        (void)b_;                                                         \
        (void)c_;                                                         \
    } while (0)

static void test_connect_params(void **state)
{
    (void)state;
    bmqtt5_connect_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(bmqtt5_connect_encode(NULL, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_connect_encode(&c, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    c.clean_start = 2;
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.clean_start = 0;
    c.will_retain = 1; /* without a will */
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.will_retain = 0;
    static const uint8_t raw[] = { 0x18, 0, 0, 0, 1 };
    c.will_props.raw = (bmqtt_view_t){ raw, sizeof raw }; /* will properties without a will */
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.will_props.raw = NONE;
    c.will_topic = V("w");
    c.will_qos = 3;
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.will_qos = 0;
    c.will_retain = 2;
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.will_retain = 0;
    c.will_topic = V("");
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_BAD_TOPIC);
    c.will_topic = V("w");
    c.will_payload = BAD;
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.will_payload = (bmqtt_view_t){ big, 65536 };
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    /* the will says UTF-8: U+0000 passes, a bad byte after it does not */
    static const bmqtt5_prop_t utf8[] = { PN(BMQTT5_PROP_PAYLOAD_FORMAT, 1) };
    c.will_props = PROPS(utf8);
    c.will_payload = (bmqtt_view_t){ (const uint8_t *)"a\0b\0", 4 };
    assert_int_equal(bmqtt5_connect_encode(&c, buf, sizeof buf, &n), BMQTT_OK);
    c.will_payload = (bmqtt_view_t){ (const uint8_t *)"a\0\xff", 3 };
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT5_ERR_PAYLOAD_FORMAT);
    c.will_payload = V("bye");
    /* strings that are not UTF-8, found while writing (or checking) */
    static const bmqtt5_prop_t bad_method[] = { PS(BMQTT5_PROP_AUTH_METHOD, "\xc0\xaf") };
    c.props = PROPS(bad_method);
    ALL_WAYS(bmqtt5_connect_encode(&c, b_, c_, &n), BMQTT_ERR_BAD_UTF8);
    c.props = NOPROPS;
    static const bmqtt5_prop_t bad_type[] = { PS(BMQTT5_PROP_CONTENT_TYPE, "\xed\xa0\x80") };
    c.will_props = PROPS(bad_type);
    ALL_WAYS(bmqtt5_connect_encode(&c, b_, c_, &n), BMQTT_ERR_BAD_UTF8);
    c.will_props = NOPROPS;
    c.username = V("\xff");
    ALL_WAYS(bmqtt5_connect_encode(&c, b_, c_, &n), BMQTT_ERR_BAD_UTF8);
    c.username = V("u");
    c.will_topic = V("w/+");
    ALL_WAYS(bmqtt5_connect_encode(&c, b_, c_, &n), BMQTT_ERR_BAD_TOPIC);
    c.will_topic = V("w");
    c.client_id = (bmqtt_view_t){ big, 65536 };
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    c.client_id = BAD;
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
}

static void test_connack_params(void **state)
{
    (void)state;
    bmqtt5_connack_t c = { NOPROPS, 0, 0 };
    assert_int_equal(bmqtt5_connack_encode(NULL, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_connack_encode(&c, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    c.session_present = 2;
    assert_int_equal(bmqtt5_connack_encode(&c, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    c.session_present = 0;
    static const bmqtt5_prop_t alias[] = { PN(BMQTT5_PROP_TOPIC_ALIAS, 1) };
    c.props = PROPS(alias);
    assert_int_equal(bmqtt5_connack_encode(&c, buf, sizeof buf, &n), BMQTT5_ERR_PROP_NOT_ALLOWED);
    static const bmqtt5_prop_t reason[] = { PS(BMQTT5_PROP_REASON_STRING, "\xc3") };
    c.props = PROPS(reason);
    ALL_WAYS(bmqtt5_connack_encode(&c, b_, c_, &n), BMQTT_ERR_BAD_UTF8);
}

static void test_publish_params(void **state)
{
    (void)state;
    bmqtt5_publish_t p = { V("t"), V("x"), NOPROPS, 0, 0, 0, 0 };
    assert_int_equal(bmqtt5_publish_encode(NULL, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    p.qos = 3;
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    p.qos = 0;
    p.retain = 2;
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    p.retain = 0;
    p.dup = 2;
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    p.dup = 1; /* with QoS 0 */
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    p.dup = 0;
    p.topic = BAD;
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    p.topic = (bmqtt_view_t){ big, 65536 };
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    p.topic = V("t");
    p.payload = BAD;
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_publish_encode_header(&p, NULL, 0, &n), BMQTT_OK); /* the header never reads the payload */
    /* lengths are checked before any byte is read: these pointers point at nothing that long */
    p.payload = (bmqtt_view_t){ big, BMQTT_VARINT_MAX + 1u };
    assert_int_equal(bmqtt5_publish_encode_header(&p, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    p.payload = (bmqtt_view_t){ big, BMQTT_VARINT_MAX - 2u }; /* the payload fits, topic + payload does not */
    assert_int_equal(bmqtt5_publish_encode_header(&p, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    p.payload = (bmqtt_view_t){ big, 1000 };
    assert_int_equal(bmqtt5_publish_encode_header(&p, buf, sizeof buf, &n), BMQTT_OK);
    assert_int_equal(n, 2 + 2 + 1 + 1 + 0 + 1); /* 30 EA 07 00 01 74 00: remaining length 1004 */
    p.payload = V("");
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_OK);
    assert_int_equal(n, 6); /* 30 04 00 01 74 00 */
    p.qos = 1;
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_BAD_PACKET_ID);
    /* UTF-8 payload: U+0000 passes, ill-formed after it does not; the header alone does not read it */
    static const bmqtt5_prop_t utf8[] = { PN(BMQTT5_PROP_PAYLOAD_FORMAT, 1) };
    p.qos = 0;
    p.props = PROPS(utf8);
    p.payload = (bmqtt_view_t){ (const uint8_t *)"\0\0ok", 4 };
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_OK);
    p.payload = (bmqtt_view_t){ (const uint8_t *)"ok\0\xc3", 4 };
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT5_ERR_PAYLOAD_FORMAT);
    assert_int_equal(bmqtt5_publish_encode_header(&p, buf, sizeof buf, &n), BMQTT_OK);
    p.payload.ptr = NULL;
    assert_int_equal(bmqtt5_publish_encode_header(&p, buf, sizeof buf, &n), BMQTT_OK);
    /* a property string found bad while writing */
    static const bmqtt5_prop_t bad_user[] = { { BMQTT5_PROP_USER_PROPERTY, 0, 0, V("k"), V("\xe0\x80") } };
    p.props = PROPS(bad_user);
    p.payload = V("x");
    ALL_WAYS(bmqtt5_publish_encode(&p, b_, c_, &n), BMQTT_ERR_BAD_UTF8);
}

/* Property lists: the caller's values, and raw bytes checked as a decoder checks them. */
static void test_property_list_params(void **state)
{
    (void)state;
    bmqtt5_publish_t p = { V("t"), V("x"), NOPROPS, 0, 0, 0, 0 };
    p.props.count = 1; /* and no list */
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT_ERR_PARAM);
    p.props.count = 0;
    p.props.raw = BAD;
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT_ERR_PARAM);
    bmqtt5_prop_t one[1] = { { BMQTT5_PROP_CONTENT_TYPE, 0, 0, BAD, { NULL, 0 } } };
    p.props = PROPS(one);
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT_ERR_PARAM);
    one[0] = (bmqtt5_prop_t){ BMQTT5_PROP_USER_PROPERTY, 0, 0, V("k"), BAD };
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT_ERR_PARAM);
    one[0] = (bmqtt5_prop_t){ BMQTT5_PROP_CONTENT_TYPE, 0, 0, { big, 65536 }, { NULL, 0 } };
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    one[0] = (bmqtt5_prop_t){ BMQTT5_PROP_USER_PROPERTY, 0, 0, V("k"), { big, 65536 } };
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    one[0] = (bmqtt5_prop_t)PN(BMQTT5_PROP_SUBSCRIPTION_ID, BMQTT_VARINT_MAX + 1u);
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT_ERR_PARAM);
    one[0] = (bmqtt5_prop_t)PN(BMQTT5_PROP_SUBSCRIPTION_ID, BMQTT_VARINT_MAX);
    assert_int_equal(bmqtt5_publish_encode(&p, buf, sizeof buf, &n), BMQTT_OK);
    assert_int_equal(n, 2 + 3 + 1 + 5 + 1);
    /* raw bytes that are not properties */
    static const uint8_t raw_bad[] = { 0x04, 0x00 };
    p.props = (bmqtt5_props_t){ NULL, 0, { raw_bad, sizeof raw_bad } };
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT5_ERR_PROP_UNKNOWN);
    /* properties longer than a packet can be: 4,100 User Properties of 65,535-byte names, only sized */
    static bmqtt5_prop_t many[4100];
    for (size_t i = 0; i < 4100; i++) many[i] = (bmqtt5_prop_t){ BMQTT5_PROP_USER_PROPERTY, 0, 0, { big, 65535 }, { NULL, 0 } };
    p.props = PROPS(many);
    assert_int_equal(bmqtt5_publish_encode(&p, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
}

static void test_ack_reason_params(void **state)
{
    (void)state;
    bmqtt5_ack_t a = { NOPROPS, 1, 0 };
    bmqtt5_reason_t r = { NOPROPS, 0 };
    assert_int_equal(bmqtt5_ack_encode(BMQTT_PUBACK, NULL, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_ack_encode(BMQTT_PUBACK, &a, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_ack_encode(BMQTT_PUBLISH, &a, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_ack_encode(BMQTT_SUBSCRIBE, &a, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_reason_encode(BMQTT_DISCONNECT, NULL, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_reason_encode(BMQTT_DISCONNECT, &r, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    static const bmqtt5_prop_t alias[] = { PN(BMQTT5_PROP_TOPIC_ALIAS, 1) };
    r.props = PROPS(alias);
    assert_int_equal(bmqtt5_reason_encode(BMQTT_DISCONNECT, &r, buf, sizeof buf, &n), BMQTT5_ERR_PROP_NOT_ALLOWED);
    static const bmqtt5_prop_t reason[] = { PS(BMQTT5_PROP_REASON_STRING, "\xf5\x80\x80\x80") };
    a.props = PROPS(reason);
    ALL_WAYS(bmqtt5_ack_encode(BMQTT_PUBCOMP, &a, b_, c_, &n), BMQTT_ERR_BAD_UTF8);
    a.props = NOPROPS;
    assert_int_equal(bmqtt5_ack_encode(BMQTT_PUBCOMP, &a, buf, 3, &n), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 4);
}

static void test_list_params(void **state)
{
    (void)state;
    bmqtt5_subscription_t s = { V("a"), 0, 0, 0, 0 };
    const bmqtt_view_t f = V("a");
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 1, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, NULL, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_subscribe_encode(0, NULL, &s, 1, buf, sizeof buf, &n), BMQTT_ERR_BAD_PACKET_ID);
    assert_int_equal(bmqtt5_unsubscribe_encode(1, NULL, &f, 1, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_unsubscribe_encode(1, NULL, NULL, 2, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_unsubscribe_encode(1, NULL, &f, 0, buf, sizeof buf, &n), BMQTT_ERR_EMPTY_LIST);
    const bmqtt_view_t bad = BAD, empty = V(""), toolong = { big, 65536 }, wild = V("a/#/b");
    assert_int_equal(bmqtt5_unsubscribe_encode(1, NULL, &bad, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_unsubscribe_encode(1, NULL, &toolong, 1, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    assert_int_equal(bmqtt5_unsubscribe_encode(1, NULL, &empty, 1, buf, sizeof buf, &n), BMQTT_ERR_BAD_FILTER);
    ALL_WAYS(bmqtt5_unsubscribe_encode(1, NULL, &wild, 1, b_, c_, &n), BMQTT_ERR_BAD_FILTER);
    s.no_local = 2;
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    s.no_local = 0;
    s.retain_as_published = 2;
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    s.retain_as_published = 0;
    s.retain_handling = 4;
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    s.retain_handling = 0;
    static const bmqtt5_prop_t reason[] = { PS(BMQTT5_PROP_REASON_STRING, "r") };
    bmqtt5_props_t rp = PROPS(reason);
    assert_int_equal(bmqtt5_subscribe_encode(1, &rp, &s, 1, buf, sizeof buf, &n), BMQTT5_ERR_PROP_NOT_ALLOWED);
    static const bmqtt5_prop_t bad_user[] = { { BMQTT5_PROP_USER_PROPERTY, 0, 0, V("\x80"), V("v") } };
    bmqtt5_props_t up = PROPS(bad_user);
    ALL_WAYS(bmqtt5_subscribe_encode(1, &up, &s, 1, b_, c_, &n), BMQTT_ERR_BAD_UTF8);
    /* a packet longer than MQTT allows: 4,097 filters of 65,535 bytes, only sized */
    static bmqtt_view_t many[4200];
    for (size_t i = 0; i < 4200; i++) many[i] = (bmqtt_view_t){ big, 65535 };
    memset(big, 'a', 65535);
    assert_int_equal(bmqtt5_unsubscribe_encode(1, NULL, many, 4200, NULL, 0, &n), BMQTT_ERR_TOO_LONG);

    /* SUBACK, UNSUBACK */
    const uint8_t codes[] = { 0x00 };
    assert_int_equal(bmqtt5_suback_encode(BMQTT_SUBACK, 1, NULL, codes, 1, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_suback_encode(BMQTT_SUBACK, 1, NULL, NULL, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_suback_encode(BMQTT_PUBACK, 1, NULL, codes, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_suback_encode(BMQTT_SUBACK, 0, NULL, codes, 1, buf, sizeof buf, &n),
                     BMQTT_ERR_BAD_PACKET_ID);
    static const bmqtt5_prop_t alias[] = { PN(BMQTT5_PROP_TOPIC_ALIAS, 1) };
    bmqtt5_props_t ap = PROPS(alias);
    assert_int_equal(bmqtt5_suback_encode(BMQTT_SUBACK, 1, &ap, codes, 1, buf, sizeof buf, &n),
                     BMQTT5_ERR_PROP_NOT_ALLOWED);
    static const bmqtt5_prop_t bad_reason[] = { PS(BMQTT5_PROP_REASON_STRING, "\xc3\x28") };
    bmqtt5_props_t bp = PROPS(bad_reason);
    ALL_WAYS(bmqtt5_suback_encode(BMQTT_UNSUBACK, 1, &bp, codes, 1, b_, c_, &n), BMQTT_ERR_BAD_UTF8);
}

/* ---- decoding edges ---------------------------------------------------------- */

/* Decode first byte b0 and body (under 128 bytes) from an exact-size copy (ASan sees over-reads). */
static bmqtt_status_t dec(uint8_t b0, const uint8_t *body, size_t len, bmqtt5_from_t from)
{
    bmqtt5_packet_t pkt;
    size_t used;
    uint8_t *copy = malloc(len + 2);
    assert_non_null(copy);
    assert_true(len < 128);
    copy[0] = b0;
    copy[1] = (uint8_t)len;
    memcpy(copy + 2, body, len);
    bmqtt_status_t st = bmqtt5_decode(copy, len + 2, from, &pkt, &used);
    free(copy);
    return st;
}

#define DEC(from, want, b0, ...)                                          \
    do {                                                                  \
        static const uint8_t b_[] = { __VA_ARGS__ };                      \
        assert_int_equal(dec((b0), b_, sizeof b_, (from)), (want));      \
    } while (0)

static void test_decode_edges(void **state)
{
    (void)state;
    const bmqtt5_from_t C = BMQTT5_FROM_CLIENT, S = BMQTT5_FROM_SERVER;
    /* CONNECT cut in its protocol name, name, header, will and password */
    DEC(C, BMQTT_ERR_BAD_LENGTH, 0x10, 0x00, 0x05, 'M');
    DEC(C, BMQTT_ERR_BAD_PROTOCOL, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'X');
    DEC(C, BMQTT_ERR_BAD_LENGTH, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T');
    DEC(C, BMQTT_ERR_BAD_LENGTH, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 5, 0x04, 0, 10, 0, 0, 0, 0, 0x00, 0x03, 'w');
    DEC(C, BMQTT_ERR_BAD_LENGTH, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 5, 0x04, 0, 10, 0, 0, 0, 0, 0x00, 0x01, 'w', 0x00, 0x02, 'x');
    DEC(C, BMQTT_ERR_BAD_LENGTH, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 5, 0x40, 0, 10, 0, 0, 0, 0x00, 0x05);
    DEC(C, BMQTT_OK, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 5, 0x40, 0, 10, 0, 0, 0, 0x00, 0x01, 'p');
    /* CONNACK of one byte, SUBACK id 0, SUBSCRIBE filter cut */
    DEC(S, BMQTT_ERR_BAD_LENGTH, 0x20, 0x00);
    DEC(S, BMQTT_ERR_BAD_PACKET_ID, 0x90, 0x00, 0x00, 0x00, 0x00);
    DEC(S, BMQTT_ERR_BAD_LENGTH, 0x90, 0x00);
    DEC(C, BMQTT_ERR_BAD_LENGTH, 0x82, 0x00, 0x01, 0x00, 0x00, 0x05);
    /* properties cut inside their identifier and values */
    DEC(S, BMQTT5_ERR_PROP_LENGTH, 0x30, 0x00, 0x01, 't', 0x01, 0x80);
    DEC(S, BMQTT5_ERR_PROP_LENGTH, 0x30, 0x00, 0x01, 't', 0x01, 0x01);
    DEC(S, BMQTT5_ERR_PROP_LENGTH, 0x30, 0x00, 0x01, 't', 0x02, 0x23, 0x00);
    DEC(S, BMQTT5_ERR_PROP_LENGTH, 0x30, 0x00, 0x01, 't', 0x02, 0x03, 0x00);
    DEC(S, BMQTT5_ERR_PROP_LENGTH, 0x30, 0x00, 0x01, 't', 0x02, 0x02, 0x00);
    DEC(S, BMQTT5_ERR_PROP_LENGTH, 0x30, 0x00, 0x01, 't', 0x03, 0x26, 0x00, 0x00);
    DEC(S, BMQTT5_ERR_PROP_VARINT, 0x30, 0x00, 0x01, 't', 0x05, 0x0B, 0x80, 0x80, 0x80, 0x80);
    /* reason codes outside every table's ranges */
    DEC(S, BMQTT5_ERR_REASON_CODE, 0x40, 0x00, 0x01, 0x50);
    DEC(S, BMQTT5_ERR_REASON_CODE, 0x40, 0x00, 0x01, 0xC5);
    /* a UTF-8 payload with U+0000 in it, and ill-formed after one */
    DEC(S, BMQTT_OK, 0x30, 0x00, 0x01, 't', 0x02, 0x01, 0x01, 0x00, 'a', 0x00);
    DEC(S, BMQTT5_ERR_PAYLOAD_FORMAT, 0x30, 0x00, 0x01, 't', 0x02, 0x01, 0x01, 'a', 0x00, 0xFF);

    bmqtt5_packet_t pkt;
    size_t used;
    static const uint8_t ping[2] = { 0xC0, 0x00 };
    assert_int_equal(bmqtt5_decode(ping, 2, BMQTT5_FROM_EITHER, NULL, &used), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_decode(ping, 2, BMQTT5_FROM_EITHER, &pkt, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_decode_body(0xC0, NULL, 1, BMQTT5_FROM_EITHER, &pkt), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_decode_body(0xC0, NULL, 0, BMQTT5_FROM_EITHER, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_decode_body(0xC0, NULL, 0, (bmqtt5_from_t)7, &pkt), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_decode_body(0x00, NULL, 0, BMQTT5_FROM_EITHER, &pkt), BMQTT_ERR_BAD_TYPE);
    assert_int_equal(bmqtt5_decode_body(0xC0, ping, (size_t)BMQTT_VARINT_MAX + 1u, BMQTT5_FROM_EITHER, &pkt),
                     BMQTT_ERR_BAD_LENGTH); /* refused before a byte is read */
    assert_int_equal(bmqtt5_decode_body(0xF0, NULL, 0, BMQTT5_FROM_EITHER, &pkt), BMQTT_OK);
    assert_int_equal(pkt.type, BMQTT5_AUTH);

    /* bmqtt5_publish_decode_head: arguments, and a Property Length cut, long or not minimal */
    bmqtt5_publish_t h;
    size_t hlen;
    static const uint8_t t[] = { 0x00, 0x01, 't', 0x80, 0x80, 0x80, 0x80, 0x01 }, t0[] = { 0x00, 0x01, 't', 0x80, 0x00 };
    assert_int_equal(bmqtt5_publish_decode_head(0, NULL, 1, 8, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_publish_decode_head(0, t, 8, 8, BMQTT5_FROM_EITHER, NULL, &hlen), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_publish_decode_head(0, t, 8, 8, BMQTT5_FROM_EITHER, &h, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_publish_decode_head(16, t, 8, 8, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_publish_decode_head(0, t, 8, 8, (bmqtt5_from_t)3, &h, &hlen), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_publish_decode_head(6, t, 8, 8, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_ERR_BAD_QOS);
    assert_int_equal(bmqtt5_publish_decode_head(0, t, 1, 1, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_ERR_BAD_LENGTH);
    assert_int_equal(bmqtt5_publish_decode_head(0, t, 1, 8, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_NEED_MORE);
    assert_int_equal(bmqtt5_publish_decode_head(2, t, 8, 4, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_ERR_BAD_LENGTH);
    assert_int_equal(bmqtt5_publish_decode_head(0, t, 8, 8, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT5_ERR_PROP_VARINT);
    assert_int_equal(bmqtt5_publish_decode_head(0, t, 5, 8, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_NEED_MORE);
    assert_int_equal(bmqtt5_publish_decode_head(0, t, 5, 5, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT5_ERR_PROP_LENGTH);
    assert_int_equal(bmqtt5_publish_decode_head(0, t0, 5, 5, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT5_ERR_PROP_VARINT);
    static const uint8_t ok[] = { 0x00, 0x01, 't', 0x03, 0x23, 0x00, 0x02, 'x', 'y' };
    assert_int_equal(bmqtt5_publish_decode_head(0, ok, 6, 9, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_NEED_MORE);
    assert_int_equal(bmqtt5_publish_decode_head(0, ok, 8, 9, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_OK);
    assert_int_equal(hlen, 7);
    assert_int_equal(h.payload.len, 1);
    assert_int_equal(bmqtt5_prop_num(&h.props, BMQTT5_PROP_TOPIC_ALIAS, 0), 2);
    assert_int_equal(bmqtt5_publish_decode_head(0, ok, 20, 9, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT_OK);
    assert_int_equal(h.payload.len, 2); /* never past the packet */
    assert_int_equal(bmqtt5_publish_decode_head(0, ok, 9, 6, BMQTT5_FROM_EITHER, &h, &hlen), BMQTT5_ERR_PROP_LENGTH);
    static const uint8_t alias0[] = { 0x00, 0x00, 0x03, 0x23, 0x00, 0x00 };
    assert_int_equal(bmqtt5_publish_decode_head(0, alias0, 6, 6, BMQTT5_FROM_EITHER, &h, &hlen),
                     BMQTT5_ERR_TOPIC_ALIAS_ZERO);
    assert_string_not_equal(bmqtt_status_str(BMQTT5_ERR_TOPIC_ALIAS_ZERO), "unknown status");

    /* bmqtt5_protocol_level */
    uint8_t level = 0;
    static const uint8_t short_rl[] = { 0x10, 0x02, 0x00, 0x04 }, bad_name[] = { 0x10, 0x07, 0, 4, 'M', 'Q', 'T', 't', 5 };
    assert_int_equal(bmqtt5_protocol_level(NULL, 4, &level), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_protocol_level(short_rl, 4, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_protocol_level(ping, 0, &level), BMQTT_NEED_MORE);
    assert_int_equal(bmqtt5_protocol_level(short_rl, 4, &level), BMQTT_ERR_BAD_LENGTH);
    assert_int_equal(bmqtt5_protocol_level(bad_name, sizeof bad_name, &level), BMQTT_ERR_BAD_PROTOCOL);

    /* walkers given nothing, or cut entries */
    bmqtt5_subscription_t s;
    bmqtt_view_t it = { (const uint8_t *)"\x00\x05" "ab", 4 };
    assert_int_equal(bmqtt5_sub_next(NULL, &s), 0);
    assert_int_equal(bmqtt5_sub_next(&it, NULL), 0);
    assert_int_equal(bmqtt5_sub_next(&it, &s), 0);
    it.len = 2;
    assert_int_equal(bmqtt5_sub_next(&it, &s), 0);
    bmqtt5_prop_t p;
    bmqtt_view_t pit = { NULL, 0 };
    assert_int_equal(bmqtt5_prop_next(NULL, &p), 0);
    assert_int_equal(bmqtt5_prop_next(&pit, &p), 0);
    pit = (bmqtt_view_t){ (const uint8_t *)"\x23\x00", 2 }; /* a Topic Alias cut short */
    assert_int_equal(bmqtt5_prop_next(&pit, NULL), 0);
    assert_int_equal(bmqtt5_prop_next(&pit, &p), 0);
    assert_int_equal(pit.len, 2);
    assert_int_equal(bmqtt5_prop_find(NULL, 1, &p), 0);
    const bmqtt5_prop_t list[2] = { PN(BMQTT5_PROP_MESSAGE_EXPIRY, 9), PN(BMQTT5_PROP_TOPIC_ALIAS, 4) };
    bmqtt5_props_t lp = { list, 2, { NULL, 0 } };
    assert_int_equal(bmqtt5_prop_find(&lp, BMQTT5_PROP_TOPIC_ALIAS, NULL), 0);
    assert_int_equal(bmqtt5_prop_num(&lp, BMQTT5_PROP_TOPIC_ALIAS, 0), 4);
    assert_int_equal(bmqtt5_prop_find(&lp, BMQTT5_PROP_TOPIC_ALIAS, &p), 1);
    assert_int_equal(p.type, BMQTT5_TYPE_U16);
    assert_int_equal(bmqtt5_prop_type(0), BMQTT5_TYPE_NONE);
    assert_int_equal(bmqtt5_prop_type(0x2B), BMQTT5_TYPE_NONE);
    assert_int_equal(bmqtt5_prop_type(0x26), BMQTT5_TYPE_PAIR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_params),   cmocka_unit_test(test_connack_params),
        cmocka_unit_test(test_publish_params),   cmocka_unit_test(test_property_list_params),
        cmocka_unit_test(test_ack_reason_params), cmocka_unit_test(test_list_params),
        cmocka_unit_test(test_decode_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
