/*
 * Golden vectors: every frame of the Aliyun IoT walk-through
 * (tests/vectors/aliyun.txt, copied byte for byte from Aliyun's MQTT walk-through).
 *
 * For each frame the test builds the packet it describes from readable
 * fields, checks that encoding reproduces the frame exactly, and that decoding
 * the frame gives exactly those fields, as views into the received bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/codec.h"
#include "vectors.h"

#define CLIENT_ID "co_0001|securemode=3,signmethod=hmacsha1|"
#define USERNAME "co_0001&a1wFylTxYeD"
#define PASSWORD "e782b5e55b37655c27812a60c307b0a7575d8f6d"
#define TOPIC_SET "/sys/a1wFylTxYeD/co_0001/thing/service/property/set"
#define TOPIC_POST "/sys/a1wFylTxYeD/co_0001/thing/event/property/post"
#define JSON_SET0                                                                                           \
    "{\"method\":\"thing.service.property.set\",\"id\":\"765951545\",\"params\":{\"PowerSwitch_1\":0},"  \
    "\"version\":\"1.0.0\"}"
#define JSON_POST(sw)                                                                                       \
    "{\"method\":\"thing.event.property.post\",\"id\":\"123456789\",\"params\":{\"PowerSwitch_1\":" sw     \
    "},\"version\":\"1.0.0\"}"

static tv_table_t g_vectors;

static int load(void **state)
{
    (void)state;
    return tv_table_load("tests/vectors/aliyun.txt", &g_vectors);
}

static int unload(void **state)
{
    (void)state;
    tv_table_free(&g_vectors);
    return 0;
}

/* The frame, in a heap block of exactly its size (ASan catches any over-read). */
static uint8_t *frame(const char *name, size_t *len)
{
    const tv_row_t *r = tv_table_find(&g_vectors, name);
    if (r == NULL) fail_msg("vector %s missing from tests/vectors/aliyun.txt", name);
    uint8_t *p = malloc(r->len);
    assert_non_null(p);
    memcpy(p, r->bytes, r->len);
    *len = r->len;
    return p;
}

/* Decode the whole frame: BMQTT_OK, every byte used. */
static void decode_whole(const uint8_t *f, size_t n, bmqtt_packet_t *pkt)
{
    size_t used = 0;
    memset(pkt, 0xA5, sizeof *pkt);
    assert_int_equal(bmqtt_decode(f, n, pkt, &used), BMQTT_OK);
    assert_int_equal(used, n);
}

/* Encoding produced exactly the frame, and the size query agreed. */
static void assert_encoded(bmqtt_status_t st, const uint8_t *out, size_t out_len, size_t query_len, const uint8_t *f,
                           size_t n)
{
    assert_int_equal(st, BMQTT_OK);
    assert_int_equal(query_len, n);
    if (out_len != n || memcmp(out, f, n) != 0) {
        tv_hexdump("encoded ", out, out_len);
        tv_hexdump("expected", f, n);
        fail_msg("encoding differs from the golden frame");
    }
}

#define ASSERT_VIEW(v, s, f, n)                                                                             \
    do {                                                                                                    \
        assert_true(tv_view_eq_str((v), (s)));                                                              \
        assert_true(tv_view_inside((v), (f), (n)));                                                         \
    } while (0)

/* CONNECT 10 74: user name + password + clean session (flags C2), keepalive 300 [MQTT-3.1.2-1..24]. */
static void test_connect_MQTT_3_1_2(void **state)
{
    (void)state;
    size_t n;
    uint8_t *f = frame("connect", &n);
    bmqtt_packet_t pkt;
    decode_whole(f, n, &pkt);
    assert_int_equal(pkt.type, BMQTT_CONNECT);
    assert_int_equal(pkt.flags, 0);
    const bmqtt_connect_t *c = &pkt.u.connect;
    ASSERT_VIEW(c->client_id, CLIENT_ID, f, n);
    ASSERT_VIEW(c->username, USERNAME, f, n);
    ASSERT_VIEW(c->password, PASSWORD, f, n);
    assert_null(c->will_topic.ptr);
    assert_int_equal(c->will_topic.len, 0);
    assert_int_equal(c->will_payload.len, 0);
    assert_int_equal(c->keepalive_s, 300);
    assert_int_equal(c->clean_session, 1);
    assert_int_equal(c->will_qos, 0);
    assert_int_equal(c->will_retain, 0);

    bmqtt_connect_t want = { 0 };
    want.client_id = bmqtt_view_str(CLIENT_ID);
    want.username = bmqtt_view_str(USERNAME);
    want.password = bmqtt_view_str(PASSWORD);
    want.keepalive_s = 300;
    want.clean_session = 1;
    uint8_t out[256];
    size_t q = 0, len = 0;
    assert_int_equal(bmqtt_connect_encode(&want, NULL, 0, &q), BMQTT_OK);
    bmqtt_status_t st = bmqtt_connect_encode(&want, out, sizeof out, &len);
    assert_encoded(st, out, len, q, f, n);
    free(f);
}

/* CONNACK 20 02 00 00 (accepted) and 20 02 00 04 (bad user name or password) [MQTT-3.2.2-4]. */
static void test_connack_MQTT_3_2_2(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint8_t code;
    } cases[] = { { "connack_accepted", 0 }, { "connack_bad_credentials", 4 } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *f = frame(cases[i].name, &n);
        bmqtt_packet_t pkt;
        decode_whole(f, n, &pkt);
        assert_int_equal(pkt.type, BMQTT_CONNACK);
        assert_int_equal(pkt.u.connack.session_present, 0);
        assert_int_equal(pkt.u.connack.return_code, cases[i].code);
        bmqtt_connack_t want = { 0, cases[i].code };
        uint8_t out[8];
        size_t q = 0, len = 0;
        assert_int_equal(bmqtt_connack_encode(&want, NULL, 0, &q), BMQTT_OK);
        bmqtt_status_t st = bmqtt_connack_encode(&want, out, sizeof out, &len);
        assert_encoded(st, out, len, q, f, n);
        free(f);
    }
}

/* PINGREQ C0 00, PINGRESP D0 00, DISCONNECT E0 00 [MQTT-3.12], [MQTT-3.13], [MQTT-3.14]. */
static void test_empty_packets_MQTT_3_12_3_13_3_14(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        bmqtt_packet_type_t type;
    } cases[] = { { "pingreq", BMQTT_PINGREQ }, { "pingresp", BMQTT_PINGRESP }, { "disconnect", BMQTT_DISCONNECT } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *f = frame(cases[i].name, &n);
        bmqtt_packet_t pkt;
        decode_whole(f, n, &pkt);
        assert_int_equal(pkt.type, cases[i].type);
        assert_int_equal(pkt.flags, 0);
        uint8_t out[8];
        size_t q = 0, len = 0;
        assert_int_equal(bmqtt_empty_encode(cases[i].type, NULL, 0, &q), BMQTT_OK);
        bmqtt_status_t st = bmqtt_empty_encode(cases[i].type, out, sizeof out, &len);
        assert_encoded(st, out, len, q, f, n);
        free(f);
    }
}

/* SUBSCRIBE 82 38 / 82 37: one filter, QoS 0 and 1, packet ids 3 and 4 [MQTT-3.8.1-1], [MQTT-3.8.3-1]. */
static void test_subscribe_MQTT_3_8(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *filter;
        uint16_t id;
        uint8_t qos;
    } cases[] = {
        { "subscribe_set_qos0", TOPIC_SET, 3, 0 },
        { "subscribe_set_qos1", TOPIC_SET, 3, 1 },
        { "subscribe_post_qos0", TOPIC_POST, 4, 0 },
        { "subscribe_post_qos1", TOPIC_POST, 4, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *f = frame(cases[i].name, &n);
        bmqtt_packet_t pkt;
        decode_whole(f, n, &pkt);
        assert_int_equal(pkt.type, BMQTT_SUBSCRIBE);
        assert_int_equal(pkt.flags, 2);
        assert_int_equal(pkt.u.subscribe.packet_id, cases[i].id);
        bmqtt_view_t it = pkt.u.subscribe.entries;
        bmqtt_subscription_t s;
        assert_int_equal(bmqtt_sub_next(&it, &s), 1);
        ASSERT_VIEW(s.filter, cases[i].filter, f, n);
        assert_int_equal(s.qos, cases[i].qos);
        assert_int_equal(bmqtt_sub_next(&it, &s), 0);

        bmqtt_subscription_t want = { bmqtt_view_str(cases[i].filter), cases[i].qos };
        uint8_t out[128];
        size_t q = 0, len = 0;
        assert_int_equal(bmqtt_subscribe_encode(cases[i].id, &want, 1, NULL, 0, &q), BMQTT_OK);
        bmqtt_status_t st = bmqtt_subscribe_encode(cases[i].id, &want, 1, out, sizeof out, &len);
        assert_encoded(st, out, len, q, f, n);
        free(f);
    }
}

/* SUBACK 90 03: granted QoS 1 for ids 3 and 4, failure 0x80 for id 3 [MQTT-3.9.3-1]. */
static void test_suback_MQTT_3_9_3(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint16_t id;
        uint8_t code;
    } cases[] = { { "suback_id3_qos1", 3, 1 }, { "suback_id3_failure", 3, 0x80 }, { "suback_id4_qos1", 4, 1 } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *f = frame(cases[i].name, &n);
        bmqtt_packet_t pkt;
        decode_whole(f, n, &pkt);
        assert_int_equal(pkt.type, BMQTT_SUBACK);
        assert_int_equal(pkt.u.suback.packet_id, cases[i].id);
        assert_true(tv_view_eq(pkt.u.suback.codes, &cases[i].code, 1));
        assert_true(tv_view_inside(pkt.u.suback.codes, f, n));
        uint8_t out[8];
        size_t q = 0, len = 0;
        assert_int_equal(bmqtt_suback_encode(cases[i].id, &cases[i].code, 1, NULL, 0, &q), BMQTT_OK);
        bmqtt_status_t st = bmqtt_suback_encode(cases[i].id, &cases[i].code, 1, out, sizeof out, &len);
        assert_encoded(st, out, len, q, f, n);
        free(f);
    }
}

/* UNSUBSCRIBE A2 37, one filter, id 3 [MQTT-3.10.1-1], [MQTT-3.10.3-1]; UNSUBACK B0 02 00 03 [MQTT-3.11]. */
static void test_unsubscribe_unsuback_MQTT_3_10_3_11(void **state)
{
    (void)state;
    size_t n;
    uint8_t *f = frame("unsubscribe_set", &n);
    bmqtt_packet_t pkt;
    decode_whole(f, n, &pkt);
    assert_int_equal(pkt.type, BMQTT_UNSUBSCRIBE);
    assert_int_equal(pkt.flags, 2);
    assert_int_equal(pkt.u.unsubscribe.packet_id, 3);
    bmqtt_view_t it = pkt.u.unsubscribe.entries, filter;
    assert_int_equal(bmqtt_unsub_next(&it, &filter), 1);
    ASSERT_VIEW(filter, TOPIC_SET, f, n);
    assert_int_equal(bmqtt_unsub_next(&it, &filter), 0);
    bmqtt_view_t want = bmqtt_view_str(TOPIC_SET);
    uint8_t out[128];
    size_t q = 0, len = 0;
    assert_int_equal(bmqtt_unsubscribe_encode(3, &want, 1, NULL, 0, &q), BMQTT_OK);
    bmqtt_status_t st = bmqtt_unsubscribe_encode(3, &want, 1, out, sizeof out, &len);
    assert_encoded(st, out, len, q, f, n);
    free(f);

    f = frame("unsuback_id3", &n);
    decode_whole(f, n, &pkt);
    assert_int_equal(pkt.type, BMQTT_UNSUBACK);
    assert_int_equal(pkt.u.packet_id, 3);
    assert_int_equal(bmqtt_ack_encode(BMQTT_UNSUBACK, 3, NULL, 0, &q), BMQTT_OK);
    st = bmqtt_ack_encode(BMQTT_UNSUBACK, 3, out, sizeof out, &len);
    assert_encoded(st, out, len, q, f, n);
    free(f);
}

/* PUBLISH QoS 0, no packet id, two-byte remaining length (30 9C 01 / 30 9A 01) [MQTT-3.3.2-1], [MQTT-2.2.3]. */
static void test_publish_MQTT_3_3(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *topic;
        const char *payload;
    } cases[] = {
        { "publish_set_received", TOPIC_SET, JSON_SET0 },
        { "publish_post_switch1", TOPIC_POST, JSON_POST("1") },
        { "publish_post_switch0", TOPIC_POST, JSON_POST("0") },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *f = frame(cases[i].name, &n);
        bmqtt_packet_t pkt;
        decode_whole(f, n, &pkt);
        assert_int_equal(pkt.type, BMQTT_PUBLISH);
        assert_int_equal(pkt.flags, 0);
        const bmqtt_publish_t *p = &pkt.u.publish;
        ASSERT_VIEW(p->topic, cases[i].topic, f, n);
        ASSERT_VIEW(p->payload, cases[i].payload, f, n);
        assert_int_equal(p->qos, 0);
        assert_int_equal(p->retain, 0);
        assert_int_equal(p->dup, 0);

        bmqtt_publish_t want = { bmqtt_view_str(cases[i].topic), bmqtt_view_str(cases[i].payload), 0, 0, 0, 0 };
        uint8_t out[256];
        size_t q = 0, len = 0;
        assert_int_equal(bmqtt_publish_encode(&want, NULL, 0, &q), BMQTT_OK);
        bmqtt_status_t st = bmqtt_publish_encode(&want, out, sizeof out, &len);
        assert_encoded(st, out, len, q, f, n);

        /* Header-only encoding is the frame minus the payload. */
        size_t hq = 0, hlen = 0;
        assert_int_equal(bmqtt_publish_encode_header(&want, NULL, 0, &hq), BMQTT_OK);
        assert_int_equal(bmqtt_publish_encode_header(&want, out, sizeof out, &hlen), BMQTT_OK);
        assert_int_equal(hq, hlen);
        assert_int_equal(hlen + strlen(cases[i].payload), n);
        assert_memory_equal(out, f, hlen);
        free(f);
    }
}

/* The Aliyun error reply 40 02 7B 22 is a well-formed PUBACK for packet id 0x7B22 [MQTT-3.4]. */
static void test_puback_aliyun_error_MQTT_3_4(void **state)
{
    (void)state;
    size_t n;
    uint8_t *f = frame("puback_aliyun_error", &n);
    bmqtt_packet_t pkt;
    decode_whole(f, n, &pkt);
    assert_int_equal(pkt.type, BMQTT_PUBACK);
    assert_int_equal(pkt.u.packet_id, 0x7B22);
    uint8_t out[8];
    size_t q = 0, len = 0;
    assert_int_equal(bmqtt_ack_encode(BMQTT_PUBACK, 0x7B22, NULL, 0, &q), BMQTT_OK);
    bmqtt_status_t st = bmqtt_ack_encode(BMQTT_PUBACK, 0x7B22, out, sizeof out, &len);
    assert_encoded(st, out, len, q, f, n);
    free(f);
}

/* Every frame: every strict prefix is BMQTT_NEED_MORE, and once the fixed
 * header is complete *used already gives the whole size; with the next frame
 * appended only this frame is used (bytes after it are never taken). */
static void test_all_frames_prefixes_and_concatenation(void **state)
{
    (void)state;
    assert_true(g_vectors.count >= 19);
    for (size_t i = 0; i < g_vectors.count; i++) {
        const tv_row_t *r = &g_vectors.rows[i];
        size_t header_len = 2;
        while (header_len < r->len && (r->bytes[header_len - 1] & 0x80u)) header_len++;
        for (size_t cut = 0; cut < r->len; cut++) {
            uint8_t *p = malloc(cut ? cut : 1);
            assert_non_null(p);
            memcpy(p, r->bytes, cut);
            bmqtt_packet_t pkt;
            size_t used = 12345;
            bmqtt_status_t st = bmqtt_decode(p, cut, &pkt, &used);
            if (st != BMQTT_NEED_MORE) fail_msg("%s cut at %zu: %d, want BMQTT_NEED_MORE", r->key, cut, st);
            if (cut >= header_len && used != r->len)
                fail_msg("%s cut at %zu: used %zu, want the whole size %zu", r->key, cut, used, r->len);
            free(p);
        }
        const tv_row_t *next = &g_vectors.rows[(i + 1) % g_vectors.count];
        uint8_t *two = malloc(r->len + next->len);
        assert_non_null(two);
        memcpy(two, r->bytes, r->len);
        memcpy(two + r->len, next->bytes, next->len);
        bmqtt_packet_t pkt;
        size_t used = 0;
        assert_int_equal(bmqtt_decode(two, r->len + next->len, &pkt, &used), BMQTT_OK);
        assert_int_equal(used, r->len);
        free(two);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_MQTT_3_1_2),
        cmocka_unit_test(test_connack_MQTT_3_2_2),
        cmocka_unit_test(test_empty_packets_MQTT_3_12_3_13_3_14),
        cmocka_unit_test(test_subscribe_MQTT_3_8),
        cmocka_unit_test(test_suback_MQTT_3_9_3),
        cmocka_unit_test(test_unsubscribe_unsuback_MQTT_3_10_3_11),
        cmocka_unit_test(test_publish_MQTT_3_3),
        cmocka_unit_test(test_puback_aliyun_error_MQTT_3_4),
        cmocka_unit_test(test_all_frames_prefixes_and_concatenation),
    };
    return cmocka_run_group_tests_name("codec: Aliyun golden vectors", tests, load, unload);
}
