/* Caller mistakes: every public codec function answers a bad argument with a
 * clear status (or 0 / a no-op where it returns no status) and never touches
 * memory it was not given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/codec.h"
#include "bmqtt/topic.h"

#define STR_MAX 65535u /* longest MQTT string */

static uint8_t buf[64];
static size_t n;

static void test_view_str_null_is_empty(void **state)
{
    bmqtt_view_t v = bmqtt_view_str(NULL);
    (void)state;
    assert_null(v.ptr);
    assert_int_equal(v.len, 0);
}

static void test_header_and_framer_params(void **state)
{
    bmqtt_fixed_header_t fh;
    bmqtt_framer_t f;
    (void)state;
    assert_int_equal(bmqtt_fixed_header_decode(NULL, 2, &fh), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_fixed_header_decode(buf, 2, NULL), BMQTT_ERR_PARAM);
    bmqtt_framer_init(NULL, 10); /* a no-op, not a crash */
    bmqtt_framer_init(&f, 10);
    assert_int_equal(bmqtt_framer_feed(NULL, buf, 1, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_framer_feed(&f, buf, 1, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_framer_feed(&f, NULL, 1, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_framer_feed(&f, NULL, 0, &n), BMQTT_NEED_MORE);
    assert_int_equal(n, 0);
}

static void test_decode_params(void **state)
{
    static const uint8_t publish_body[] = { 0x00, 0x01, 't', 'x' };
    bmqtt_packet_t pkt;
    bmqtt_publish_t p;
    size_t head;
    (void)state;
    assert_int_equal(bmqtt_decode_body(0x30, NULL, 4, &pkt), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_decode_body(0x30, publish_body, 4, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_decode_body(0x00, publish_body, 4, &pkt), BMQTT_ERR_BAD_TYPE);
    /* A body longer than any remaining length can say is not one packet. */
    assert_int_equal(bmqtt_decode_body(0x30, publish_body, (size_t)BMQTT_VARINT_MAX + 1u, &pkt), BMQTT_ERR_BAD_LENGTH);

    assert_int_equal(bmqtt_publish_decode_head(0, NULL, 4, 4, &p, &head), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_publish_decode_head(0, publish_body, 4, 4, NULL, &head), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_publish_decode_head(0, publish_body, 4, 4, &p, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_publish_decode_head(16, publish_body, 4, 4, &p, &head), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_publish_decode_head(6, publish_body, 4, 4, &p, &head), BMQTT_ERR_BAD_QOS);
    /* More bytes at hand than the packet has: only the packet's are looked at. */
    assert_int_equal(bmqtt_publish_decode_head(0, publish_body, 4, 3, &p, &head), BMQTT_OK);
    assert_int_equal(head, 3);
    assert_int_equal(p.payload.len, 0);

    /* No bytes at all is not a NULL mistake: an empty body decodes (PINGRESP), and a
     * PUBLISH head with nothing at hand yet waits for more. */
    assert_int_equal(bmqtt_decode_body(0xD0, NULL, 0, &pkt), BMQTT_OK);
    assert_int_equal(pkt.type, BMQTT_PINGRESP);
    assert_int_equal(bmqtt_publish_decode_head(0, NULL, 0, 4, &p, &head), BMQTT_NEED_MORE);
}

static void test_list_iterators_stop_on_bad_input(void **state)
{
    static const uint8_t subs[] = { 0x00, 0x01, 'a', 0x01, 0x00, 0x05, 'b' }; /* the 2nd entry overruns */
    static const uint8_t unsubs[] = { 0x00, 0x01, 'a', 0x00, 0x05, 'b' };
    bmqtt_view_t it = { subs, sizeof subs };
    bmqtt_subscription_t s;
    bmqtt_view_t f;
    (void)state;
    assert_int_equal(bmqtt_sub_next(NULL, &s), 0);
    assert_int_equal(bmqtt_sub_next(&it, NULL), 0);
    assert_int_equal(bmqtt_sub_next(&it, &s), 1);
    assert_int_equal(s.qos, 1);
    assert_int_equal(bmqtt_sub_next(&it, &s), 0);
    it.ptr = unsubs;
    it.len = sizeof unsubs;
    assert_int_equal(bmqtt_unsub_next(NULL, &f), 0);
    assert_int_equal(bmqtt_unsub_next(&it, NULL), 0);
    assert_int_equal(bmqtt_unsub_next(&it, &f), 1);
    assert_int_equal(bmqtt_unsub_next(&it, &f), 0);
}

static void test_topic_params(void **state)
{
    (void)state;
    assert_int_equal(bmqtt_utf8_check(NULL, 0), BMQTT_OK);
    assert_int_equal(bmqtt_utf8_check(NULL, 1), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_topic_name_check(NULL, 1), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_topic_name_check((const uint8_t *)"a", (size_t)STR_MAX + 1u), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_topic_filter_check(NULL, 1), BMQTT_ERR_BAD_FILTER);
    assert_int_equal(bmqtt_topic_filter_check((const uint8_t *)"a", 0), BMQTT_ERR_BAD_FILTER);
    assert_int_equal(bmqtt_topic_filter_check((const uint8_t *)"a", (size_t)STR_MAX + 1u),
                     BMQTT_ERR_BAD_FILTER);
    assert_int_equal(bmqtt_topic_match(NULL, 1, (const uint8_t *)"a", 1), 0);
    assert_int_equal(bmqtt_topic_match((const uint8_t *)"a", 1, NULL, 1), 0);
    assert_int_equal(bmqtt_topic_match((const uint8_t *)"a", 0, (const uint8_t *)"a", 1), 0);
    assert_int_equal(bmqtt_topic_match((const uint8_t *)"#", 1, (const uint8_t *)"a", 0), 0);
}

static void test_connect_encode_params(void **state)
{
    bmqtt_connect_t c;
    bmqtt_connack_t a = { 0, 0 };
    (void)state;
    memset(&c, 0, sizeof c);
    c.client_id = bmqtt_view_str("id");
    c.clean_session = 1;
    assert_int_equal(bmqtt_connect_encode(&c, NULL, 0, &n), BMQTT_OK);
    assert_int_equal(n, 16);
    c.client_id.ptr = NULL; /* a length without bytes */
    assert_int_equal(bmqtt_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.client_id = bmqtt_view_str("id");
    c.clean_session = 2;
    assert_int_equal(bmqtt_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.clean_session = 1;
    c.will_topic = bmqtt_view_str("w");
    c.will_payload.len = 3; /* no pointer */
    assert_int_equal(bmqtt_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.will_payload = bmqtt_view_str("x");
    c.will_retain = 2;
    assert_int_equal(bmqtt_connect_encode(&c, NULL, 0, &n), BMQTT_ERR_PARAM);
    c.will_retain = 1;
    assert_int_equal(bmqtt_connect_encode(&c, NULL, 0, &n), BMQTT_OK);

    assert_int_equal(bmqtt_connack_encode(NULL, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_connack_encode(&a, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    a.session_present = 2;
    assert_int_equal(bmqtt_connack_encode(&a, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    a.session_present = 0;
    a.return_code = 6;
    assert_int_equal(bmqtt_connack_encode(&a, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
}

static void test_publish_encode_params(void **state)
{
    bmqtt_publish_t p = { BMQTT_VIEW_LIT("t"), BMQTT_VIEW_LIT("x"), 0, 0, 0, 0 };
    (void)state;
    p.retain = 2;
    assert_int_equal(bmqtt_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    p.retain = 0;
    p.dup = 2;
    assert_int_equal(bmqtt_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    p.dup = 0;
    p.payload.ptr = NULL; /* length without bytes: an error for the whole packet... */
    assert_int_equal(bmqtt_publish_encode(&p, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    /* ...but fine for the header alone, whose payload is sent from elsewhere. */
    assert_int_equal(bmqtt_publish_encode_header(&p, buf, sizeof buf, &n), BMQTT_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "\x30\x04\x00\x01t", 5);
    p.payload.len = (size_t)BMQTT_VARINT_MAX + 1u;
    assert_int_equal(bmqtt_publish_encode_header(&p, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
}

/* 4,097 filters of 65,535 bytes make a SUBSCRIBE/UNSUBSCRIBE over 268,435,455
 * bytes: refused from the sizes alone, before any byte is written. */
#define BIG_FILTERS 4097
static uint8_t long_filter[STR_MAX];
static bmqtt_subscription_t big_subs[BIG_FILTERS];
static bmqtt_view_t big_filters[BIG_FILTERS];

static void test_sub_unsub_ack_encode_params(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_view_t f = BMQTT_VIEW_LIT("a");
    (void)state;
    assert_int_equal(bmqtt_ack_encode(BMQTT_PUBACK, 1, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_ack_encode((bmqtt_packet_type_t)16, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_ack_encode(BMQTT_PUBLISH, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_subscribe_encode(1, &s, 1, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_subscribe_encode(1, NULL, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_subscribe_encode(1, NULL, 0, buf, sizeof buf, &n), BMQTT_ERR_EMPTY_LIST);
    assert_int_equal(bmqtt_unsubscribe_encode(1, &f, 1, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_unsubscribe_encode(1, NULL, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_unsubscribe_encode(1, NULL, 0, buf, sizeof buf, &n), BMQTT_ERR_EMPTY_LIST);
    f.ptr = NULL;
    assert_int_equal(bmqtt_unsubscribe_encode(1, &f, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    s.filter.ptr = NULL;
    assert_int_equal(bmqtt_subscribe_encode(1, &s, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_suback_encode(1, (const uint8_t *)"\x00", 1, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_suback_encode(1, NULL, 1, buf, sizeof buf, &n), BMQTT_ERR_PARAM);

    memset(long_filter, 'f', sizeof long_filter);
    for (size_t i = 0; i < BIG_FILTERS; i++) {
        big_subs[i].filter.ptr = long_filter;
        big_subs[i].filter.len = sizeof long_filter;
        big_filters[i] = big_subs[i].filter;
    }
    assert_int_equal(bmqtt_subscribe_encode(1, big_subs, BIG_FILTERS, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    assert_int_equal(bmqtt_unsubscribe_encode(1, big_filters, BIG_FILTERS, NULL, 0, &n), BMQTT_ERR_TOO_LONG);
    /* 4,096 x 65,537 + 2 is still over the limit; 4,095 filters fit. */
    assert_int_equal(bmqtt_unsubscribe_encode(1, big_filters, 4095, NULL, 0, &n), BMQTT_OK);
    assert_int_equal(n, 1u + 4u + 2u + 4095u * 65537u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_str_null_is_empty),
        cmocka_unit_test(test_header_and_framer_params),
        cmocka_unit_test(test_decode_params),
        cmocka_unit_test(test_list_iterators_stop_on_bad_input),
        cmocka_unit_test(test_topic_params),
        cmocka_unit_test(test_connect_encode_params),
        cmocka_unit_test(test_publish_encode_params),
        cmocka_unit_test(test_sub_unsub_ack_encode_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
