/*
 * Round trips: decode(encode(x)) == x for every packet type, over every
 * combination of the optional CONNECT fields, PUBLISH QoS 0/1/2 with retain
 * and DUP, lists of one and several entries. Also the streaming PUBLISH head
 * decoder (bmqtt_publish_decode_head).
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

#define V(lit) ((bmqtt_view_t)BMQTT_VIEW_LIT(lit))
#define ABSENT ((bmqtt_view_t){ NULL, 0 })
#define EMPTY ((bmqtt_view_t){ (const uint8_t *)"", 0 })

static uint8_t g_payload[20000];

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof g_payload; i++) g_payload[i] = (uint8_t)(i * 31u + (i >> 7));
    return 0;
}

/* Encode the expected packet, decode it (from an exact-size block), compare;
 * also through bmqtt_decode_body. Returns the encoded size. */
static size_t round_trip(const bmqtt_packet_t *want)
{
    size_t n = 0;
    bmqtt_status_t st = tv_encode_packet(want, NULL, 0, &n);
    if (st != BMQTT_OK) fail_msg("type %u: size query %s", want->type, tv_status_name(st));
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    size_t len = 0;
    assert_int_equal(tv_encode_packet(want, buf, n, &len), BMQTT_OK);
    assert_int_equal(len, n);
    bmqtt_packet_t got;
    memset(&got, 0x5A, sizeof got);
    size_t used = 0;
    st = bmqtt_decode(buf, n, &got, &used);
    if (st != BMQTT_OK) {
        tv_hexdump("encoded", buf, n < 64 ? n : 64);
        fail_msg("type %u: decode(encode(x)) gave %s", want->type, tv_status_name(st));
    }
    assert_int_equal(used, n);
    if (!tv_packet_eq(&got, want)) fail_msg("type %u: decode(encode(x)) != x", want->type);

    bmqtt_fixed_header_t h;
    assert_int_equal(bmqtt_fixed_header_decode(buf, n, &h), BMQTT_OK);
    memset(&got, 0x5A, sizeof got);
    assert_int_equal(bmqtt_decode_body(buf[0], buf + h.header_len, h.remaining_length, &got), BMQTT_OK);
    if (!tv_packet_eq(&got, want)) fail_msg("type %u: decode_body differs", want->type);
    free(buf);
    return n;
}

/* Every combination of the optional CONNECT fields [MQTT-3.1.2-3..24], [MQTT-3.1.3]. */
static void test_connect_all_field_combinations_MQTT_3_1(void **state)
{
    (void)state;
    const bmqtt_view_t ids[] = { V("dev-1"), EMPTY, V("\xE6\xB5\x8B\xE8\xAF\x95") };
    const bmqtt_view_t will_payloads[] = { EMPTY, { (const uint8_t *)"b\0\xFF", 3 } };
    const bmqtt_view_t users[] = { ABSENT, EMPTY, V("user") };
    const bmqtt_view_t passwords[] = { ABSENT, EMPTY, { (const uint8_t *)"p\0\xFFss", 5 } };
    const uint16_t keepalives[] = { 0, 60, 65535 };
    size_t count = 0;
    for (size_t id = 0; id < 3; id++)
        for (uint8_t clean = 0; clean <= 1; clean++)
            for (int will = -1; will < 12; will++) /* -1: no will; else payload x QoS x retain */
                for (size_t u = 0; u < 3; u++)
                    for (size_t p = 0; p < 3; p++)
                        for (size_t k = 0; k < 3; k++) {
                            if (ids[id].len == 0 && !clean) continue; /* [MQTT-3.1.3-7] */
                            if (users[u].ptr == NULL && passwords[p].ptr != NULL) continue; /* [MQTT-3.1.2-22] */
                            bmqtt_packet_t x;
                            memset(&x, 0, sizeof x);
                            x.type = BMQTT_CONNECT;
                            bmqtt_connect_t *c = &x.u.connect;
                            c->client_id = ids[id];
                            c->clean_session = clean;
                            c->username = users[u];
                            c->password = passwords[p];
                            c->keepalive_s = keepalives[k];
                            if (will >= 0) {
                                c->will_topic = V("dev/1/status");
                                c->will_payload = will_payloads[will % 2];
                                c->will_qos = (uint8_t)((will / 2) % 3);
                                c->will_retain = (uint8_t)(will / 6);
                            }
                            round_trip(&x);
                            count++;
                        }
    assert_true(count > 500);
}

static void test_connack_all_valid_MQTT_3_2(void **state)
{
    (void)state;
    for (uint8_t code = 0; code <= 5; code++)
        for (uint8_t sp = 0; sp <= (code == 0); sp++) { /* [MQTT-3.2.2-4] */
            bmqtt_packet_t x = { .type = BMQTT_CONNACK };
            x.u.connack.session_present = sp;
            x.u.connack.return_code = code;
            assert_int_equal(round_trip(&x), 4);
        }
}

/* QoS 0/1/2 x retain x DUP, several topics and payload sizes [MQTT-3.3.1], [MQTT-3.3.2]. */
static void test_publish_all_flag_combinations_MQTT_3_3(void **state)
{
    (void)state;
    static uint8_t long_topic[1000];
    memset(long_topic, 'L', sizeof long_topic);
    long_topic[500] = '/';
    const bmqtt_view_t topics[] = { V("a"), V("sensors/t1"), V("$SYS/x"), V("/"), V("caf\xC3\xA9/\xF0\x9F\x98\x80"),
                                    { long_topic, sizeof long_topic } };
    const size_t payload_sizes[] = { 0, 1, 127, 300, 16384, 20000 };
    const uint16_t ids[] = { 1, 0x8000, 0xFFFF };
    for (size_t t = 0; t < sizeof topics / sizeof topics[0]; t++)
        for (size_t s = 0; s < sizeof payload_sizes / sizeof payload_sizes[0]; s++)
            for (uint8_t qos = 0; qos <= 2; qos++)
                for (uint8_t retain = 0; retain <= 1; retain++)
                    for (uint8_t dup = 0; dup <= (qos > 0); dup++) { /* [MQTT-3.3.1-2] */
                        bmqtt_packet_t x = { .type = BMQTT_PUBLISH };
                        x.flags = (uint8_t)(dup << 3 | qos << 1 | retain);
                        x.u.publish.topic = topics[t];
                        x.u.publish.payload = (bmqtt_view_t){ g_payload, payload_sizes[s] };
                        x.u.publish.qos = qos;
                        x.u.publish.retain = retain;
                        x.u.publish.dup = dup;
                        x.u.publish.packet_id = qos ? ids[(t + s) % 3] : 0;
                        size_t n = round_trip(&x);
                        size_t body = 2 + topics[t].len + (qos ? 2u : 0u) + payload_sizes[s];
                        assert_int_equal(n, 1 + bmqtt_varint_size((uint32_t)body) + body);
                    }
}

static void test_acks_MQTT_3_4_to_3_7_3_11(void **state)
{
    (void)state;
    static const bmqtt_packet_type_t types[] = { BMQTT_PUBACK, BMQTT_PUBREC, BMQTT_PUBREL, BMQTT_PUBCOMP,
                                                 BMQTT_UNSUBACK };
    static const uint16_t ids[] = { 1, 2, 0x00FF, 0x0100, 0x7B22, 0xFFFF };
    for (size_t t = 0; t < 5; t++)
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
            bmqtt_packet_t x = { .type = (uint8_t)types[t] };
            x.flags = types[t] == BMQTT_PUBREL ? 2 : 0; /* [MQTT-3.6.1-1] */
            x.u.packet_id = ids[i];
            assert_int_equal(round_trip(&x), 4);
        }
}

static void test_subscribe_lists_MQTT_3_8(void **state)
{
    (void)state;
    static const bmqtt_subscription_t subs[] = {
        { BMQTT_VIEW_LIT("a/b"), 0 }, { BMQTT_VIEW_LIT("#"), 1 },  { BMQTT_VIEW_LIT("+/+/x"), 2 },
        { BMQTT_VIEW_LIT("$SYS/#"), 0 }, { BMQTT_VIEW_LIT("/"), 2 }, { BMQTT_VIEW_LIT("\xC3\xA9/+"), 1 },
    };
    for (size_t first = 0; first < 6; first++)
        for (size_t count = 1; first + count <= 6; count++) {
            /* Build the expected packet's entries the way they appear on the wire. */
            uint8_t wire[256];
            size_t n = 0;
            for (size_t i = first; i < first + count; i++) {
                wire[n++] = (uint8_t)(subs[i].filter.len >> 8);
                wire[n++] = (uint8_t)subs[i].filter.len;
                memcpy(wire + n, subs[i].filter.ptr, subs[i].filter.len);
                n += subs[i].filter.len;
                wire[n++] = subs[i].qos;
            }
            bmqtt_packet_t x = { .type = BMQTT_SUBSCRIBE, .flags = 2 };
            x.u.subscribe.packet_id = (uint16_t)(first * 10 + count);
            x.u.subscribe.entries = (bmqtt_view_t){ wire, n };
            round_trip(&x);
        }
}

static void test_suback_lists_MQTT_3_9(void **state)
{
    (void)state;
    static const uint8_t codes[] = { 0, 1, 2, 0x80, 2, 1, 0 };
    for (size_t count = 1; count <= sizeof codes; count++) {
        bmqtt_packet_t x = { .type = BMQTT_SUBACK };
        x.u.suback.packet_id = (uint16_t)(0x100 + count);
        x.u.suback.codes = (bmqtt_view_t){ codes, count };
        assert_int_equal(round_trip(&x), 4 + count);
    }
}

static void test_unsubscribe_lists_MQTT_3_10(void **state)
{
    (void)state;
    static const char *filters[] = { "a/b", "#", "+/+", "$SYS/#", "x" };
    for (size_t count = 1; count <= 5; count++) {
        uint8_t wire[128];
        size_t n = 0;
        for (size_t i = 0; i < count; i++) {
            size_t l = strlen(filters[i]);
            wire[n++] = 0;
            wire[n++] = (uint8_t)l;
            memcpy(wire + n, filters[i], l);
            n += l;
        }
        bmqtt_packet_t x = { .type = BMQTT_UNSUBSCRIBE, .flags = 2 };
        x.u.unsubscribe.packet_id = (uint16_t)count;
        x.u.unsubscribe.entries = (bmqtt_view_t){ wire, n };
        round_trip(&x);
    }
}

static void test_empty_packets_MQTT_3_12_3_13_3_14(void **state)
{
    (void)state;
    static const bmqtt_packet_type_t types[] = { BMQTT_PINGREQ, BMQTT_PINGRESP, BMQTT_DISCONNECT };
    for (size_t i = 0; i < 3; i++) {
        bmqtt_packet_t x = { .type = (uint8_t)types[i] };
        assert_int_equal(round_trip(&x), 2);
    }
}

/* Streaming a large PUBLISH: the head decodes from any prefix that holds the
 * topic and packet id, and asks for more before that. */
static void test_publish_decode_head_any_prefix_MQTT_3_3_2(void **state)
{
    (void)state;
    for (uint8_t qos = 0; qos <= 2; qos++) {
        bmqtt_publish_t p = { V("big/stream"), { g_payload, 20000 }, 0x4242, qos, 1, 0 };
        size_t n = 0;
        assert_int_equal(bmqtt_publish_encode(&p, NULL, 0, &n), BMQTT_OK);
        uint8_t *buf = malloc(n);
        assert_non_null(buf);
        assert_int_equal(bmqtt_publish_encode(&p, buf, n, &n), BMQTT_OK);
        bmqtt_fixed_header_t h;
        assert_int_equal(bmqtt_fixed_header_decode(buf, n, &h), BMQTT_OK);
        const uint8_t *body = buf + h.header_len;
        size_t want_head = 2 + p.topic.len + (qos ? 2u : 0u);
        for (size_t avail = 0; avail <= want_head + 40; avail++) {
            bmqtt_publish_t got;
            memset(&got, 0x5A, sizeof got);
            size_t head = 0;
            bmqtt_status_t st = bmqtt_publish_decode_head((uint8_t)(buf[0] & 0x0Fu), body, avail,
                                                          h.remaining_length, &got, &head);
            if (avail < want_head) {
                if (st != BMQTT_NEED_MORE) fail_msg("QoS %u avail %zu: %s", qos, avail, tv_status_name(st));
                continue;
            }
            assert_int_equal(st, BMQTT_OK);
            assert_int_equal(head, want_head);
            assert_true(tv_view_eq(got.topic, "big/stream", 10));
            assert_true(tv_view_inside(got.topic, body, avail));
            assert_int_equal(got.qos, qos);
            assert_int_equal(got.retain, 1);
            assert_int_equal(got.dup, 0);
            if (qos) assert_int_equal(got.packet_id, 0x4242);
            /* The payload part within body[0..avail). */
            assert_true(tv_view_eq(got.payload, g_payload, avail - want_head));
            assert_int_equal(h.remaining_length - head, 20000);
        }
        /* A head that breaks a rule says so, even before the payload arrives. */
        bmqtt_publish_t got;
        size_t head;
        static const uint8_t wild[] = { 0x00, 0x03, 'a', '/', '#', 0x00, 0x01 };
        assert_int_equal(bmqtt_publish_decode_head(0x02, wild, sizeof wild, 1000, &got, &head), BMQTT_ERR_BAD_TOPIC);
        static const uint8_t id0[] = { 0x00, 0x01, 'a', 0x00, 0x00 };
        assert_int_equal(bmqtt_publish_decode_head(0x02, id0, sizeof id0, 1000, &got, &head),
                         BMQTT_ERR_BAD_PACKET_ID);
        static const uint8_t over[] = { 0x00, 0xFF, 'a' };
        assert_int_equal(bmqtt_publish_decode_head(0x00, over, sizeof over, 3, &got, &head), BMQTT_ERR_BAD_LENGTH);
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_all_field_combinations_MQTT_3_1),
        cmocka_unit_test(test_connack_all_valid_MQTT_3_2),
        cmocka_unit_test(test_publish_all_flag_combinations_MQTT_3_3),
        cmocka_unit_test(test_acks_MQTT_3_4_to_3_7_3_11),
        cmocka_unit_test(test_subscribe_lists_MQTT_3_8),
        cmocka_unit_test(test_suback_lists_MQTT_3_9),
        cmocka_unit_test(test_unsubscribe_lists_MQTT_3_10),
        cmocka_unit_test(test_empty_packets_MQTT_3_12_3_13_3_14),
        cmocka_unit_test(test_publish_decode_head_any_prefix_MQTT_3_3_2),
    };
    return cmocka_run_group_tests_name("codec: round trips", tests, setup, NULL);
}
