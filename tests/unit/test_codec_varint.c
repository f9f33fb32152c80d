/*
 * Remaining length (variable byte integer, MQTT 3.1.1 section 2.2.3) and the
 * fixed-header checks (section 2.2.2) against an independent model.
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

static tv_table_t g_varints;

static int load(void **state)
{
    (void)state;
    if (tv_table_load("tests/vectors/varint.txt", &g_varints) != 0) return -1;
    return g_varints.count >= 8 ? 0 : -1;
}

static int unload(void **state)
{
    (void)state;
    tv_table_free(&g_varints);
    return 0;
}

static uint32_t row_value(const tv_row_t *r)
{
    return (uint32_t)strtoul(r->key, NULL, 10);
}

/* Boundaries encode to exactly their bytes [MQTT-2.2.3], size agrees. */
static void test_varint_encode_boundaries_MQTT_2_2_3(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_varints.count; i++) {
        const tv_row_t *r = &g_varints.rows[i];
        uint8_t out[4] = { 0xEE, 0xEE, 0xEE, 0xEE };
        size_t n = bmqtt_varint_encode(row_value(r), out);
        if (n != r->len || memcmp(out, r->bytes, n) != 0) {
            tv_hexdump("encoded ", out, n);
            fail_msg("value %s", r->key);
        }
        for (size_t k = n; k < 4; k++) assert_int_equal(out[k], 0xEE); /* nothing past the encoding */
        assert_int_equal(bmqtt_varint_size(row_value(r)), r->len);
    }
}

/* Boundaries decode from exactly their bytes, with trailing bytes ignored. */
static void test_varint_decode_boundaries_MQTT_2_2_3(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_varints.count; i++) {
        const tv_row_t *r = &g_varints.rows[i];
        uint8_t *in = malloc(r->len);
        assert_non_null(in);
        memcpy(in, r->bytes, r->len);
        uint32_t v = 0xDEADBEEF;
        size_t used = 99;
        assert_int_equal(bmqtt_varint_decode(in, r->len, &v, &used), BMQTT_OK);
        assert_int_equal(v, row_value(r));
        assert_int_equal(used, r->len);
        free(in);

        uint8_t more[8];
        memcpy(more, r->bytes, r->len);
        memset(more + r->len, 0xFF, sizeof more - r->len);
        assert_int_equal(bmqtt_varint_decode(more, sizeof more, &v, &used), BMQTT_OK);
        assert_int_equal(v, row_value(r));
        assert_int_equal(used, r->len);
    }
}

/* 268,435,456 and above cannot be expressed [MQTT-2.2.3]. */
static void test_varint_encode_rejects_too_large_MQTT_2_2_3(void **state)
{
    (void)state;
    static const uint32_t big[] = { BMQTT_VARINT_MAX + 1u, 0x7FFFFFFFu, 0xFFFFFFFFu };
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        uint8_t out[4] = { 0xEE, 0xEE, 0xEE, 0xEE };
        assert_int_equal(bmqtt_varint_encode(big[i], out), 0);
        assert_int_equal(bmqtt_varint_size(big[i]), 0);
    }
    assert_int_equal(BMQTT_VARINT_MAX, 268435455u);
}

/* A fifth byte is malformed [MQTT-2.2.3]: "at most four bytes". */
static void test_varint_fifth_byte_MQTT_2_2_3(void **state)
{
    (void)state;
    static const uint8_t five_a[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0x7F };
    static const uint8_t five_b[] = { 0x80, 0x80, 0x80, 0x80, 0x01 };
    static const uint8_t five_c[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    uint32_t v;
    size_t used;
    assert_int_equal(bmqtt_varint_decode(five_a, sizeof five_a, &v, &used), BMQTT_ERR_BAD_VARINT);
    assert_int_equal(bmqtt_varint_decode(five_b, sizeof five_b, &v, &used), BMQTT_ERR_BAD_VARINT);
    assert_int_equal(bmqtt_varint_decode(five_c, sizeof five_c, &v, &used), BMQTT_ERR_BAD_VARINT);
}

/* Four bytes all with the continuation bit already announce a fifth: no
 * amount of further input can make this valid, so it is BAD_VARINT, not
 * NEED_MORE (a framer must not wait forever on it) [MQTT-2.2.3]. */
static void test_varint_four_continuations_is_bad_not_need_more_MQTT_2_2_3(void **state)
{
    (void)state;
    static const uint8_t four[] = { 0xFF, 0xFF, 0xFF, 0xFF };
    uint32_t v;
    size_t used;
    assert_int_equal(bmqtt_varint_decode(four, sizeof four, &v, &used), BMQTT_ERR_BAD_VARINT);
}

/* Non-minimal encodings are refused, as codec.h documents. */
static void test_varint_non_minimal_rejected(void **state)
{
    (void)state;
    static const struct {
        uint8_t b[4];
        size_t n;
    } cases[] = {
        { { 0x80, 0x00 }, 2 },             { { 0xFF, 0x80, 0x00 }, 3 },      { { 0x80, 0x80, 0x00 }, 3 },
        { { 0x80, 0x80, 0x80, 0x00 }, 4 }, { { 0xFF, 0xFF, 0x80, 0x00 }, 4 }, { { 0x81, 0x80, 0x00 }, 3 },
        { { 0xFF, 0x00 }, 2 },             { { 0xFF, 0xFF, 0xFF, 0x00 }, 4 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t v;
        size_t used;
        bmqtt_status_t st = bmqtt_varint_decode(cases[i].b, cases[i].n, &v, &used);
        if (st != BMQTT_ERR_BAD_VARINT) {
            tv_hexdump("input", cases[i].b, cases[i].n);
            fail_msg("got %d, want BMQTT_ERR_BAD_VARINT", st);
        }
    }
}

/* Input ending inside the integer asks for more bytes. */
static void test_varint_truncated_need_more(void **state)
{
    (void)state;
    static const uint8_t b[] = { 0xFF, 0xFF, 0xFF, 0x7F };
    for (size_t n = 0; n < 4; n++) {
        uint8_t *in = malloc(n ? n : 1);
        assert_non_null(in);
        memcpy(in, b, n);
        uint32_t v;
        size_t used;
        assert_int_equal(bmqtt_varint_decode(in, n, &v, &used), BMQTT_NEED_MORE);
        free(in);
    }
}

/* Exhaustive over every 1- and 2-byte input and every value below 2^17,
 * plus random 3- and 4-byte inputs and values: whatever decodes encodes
 * back to the same bytes, and every value round-trips. */
static void test_varint_exhaustive_round_trip(void **state)
{
    (void)state;
    uint8_t in[4], out[4];
    uint32_t v;
    size_t used;
    for (uint32_t x = 0; x < 0x10000u; x++) {
        in[0] = (uint8_t)(x >> 8);
        in[1] = (uint8_t)x;
        for (size_t n = 1; n <= 2; n++) {
            if (n == 1 && (x & 0xFFu) != 0) continue; /* each first byte once */
            bmqtt_status_t st = bmqtt_varint_decode(in, n, &v, &used);
            if (st == BMQTT_OK) {
                assert_true(used >= 1 && used <= n);
                assert_int_equal(bmqtt_varint_encode(v, out), used);
                assert_memory_equal(out, in, used);
            } else {
                assert_true(st == BMQTT_NEED_MORE || st == BMQTT_ERR_BAD_VARINT);
            }
        }
    }
    for (uint32_t x = 0; x < 0x20000u; x++) {
        size_t n = bmqtt_varint_encode(x, out);
        assert_int_equal(n, bmqtt_varint_size(x));
        assert_int_equal(bmqtt_varint_decode(out, n, &v, &used), BMQTT_OK);
        assert_int_equal(v, x);
        assert_int_equal(used, n);
    }
    uint32_t seed = 0x2545F491u;
    for (int i = 0; i < 200000; i++) {
        uint32_t r = tv_rand(&seed);
        memcpy(in, &r, 4);
        bmqtt_status_t st = bmqtt_varint_decode(in, 4, &v, &used);
        if (st == BMQTT_OK) {
            assert_int_equal(bmqtt_varint_encode(v, out), used);
            assert_memory_equal(out, in, used);
        } else {
            assert_int_equal(st, BMQTT_ERR_BAD_VARINT);
        }
        uint32_t x = r % (BMQTT_VARINT_MAX + 1u);
        size_t n = bmqtt_varint_encode(x, out);
        assert_true(n >= 1 && n <= 4);
        assert_int_equal(bmqtt_varint_decode(out, n, &v, &used), BMQTT_OK);
        assert_int_equal(v, x);
    }
}

/* The first-byte rules of section 2.2.2 (table 2.2), modelled independently. */
static bmqtt_status_t model_first_byte(uint8_t b)
{
    unsigned type = b >> 4, flags = b & 0x0Fu;
    if (type == 0 || type == 15) return BMQTT_ERR_BAD_TYPE;
    if (type == BMQTT_PUBLISH) {
        if ((flags & 0x06u) == 0x06u) return BMQTT_ERR_BAD_QOS;               /* [MQTT-3.3.1-4] */
        if ((flags & 0x08u) && (flags & 0x06u) == 0) return BMQTT_ERR_PROTOCOL; /* [MQTT-3.3.1-2] */
        return BMQTT_OK;
    }
    if (type == BMQTT_PUBREL || type == BMQTT_SUBSCRIBE || type == BMQTT_UNSUBSCRIBE)
        return flags == 2 ? BMQTT_OK : BMQTT_ERR_BAD_FLAGS; /* [MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1] */
    return flags == 0 ? BMQTT_OK : BMQTT_ERR_BAD_FLAGS;     /* [MQTT-2.2.2-1] */
}

/* All 256 first bytes [MQTT-2.2.2-1], [MQTT-2.2.2-2]. */
static void test_first_byte_all_256_MQTT_2_2_2(void **state)
{
    (void)state;
    int failures = 0;
    for (unsigned b = 0; b < 256; b++) {
        bmqtt_status_t want = model_first_byte((uint8_t)b), got = bmqtt_first_byte_check((uint8_t)b);
        if (got != want) {
            fprintf(stderr, "first byte %02X: got %s, want %s\n", b, tv_status_name(got), tv_status_name(want));
            failures++;
        }
        /* The fixed-header decoder applies the same check. */
        uint8_t h[2] = { (uint8_t)b, 0x00 };
        bmqtt_fixed_header_t fh;
        bmqtt_status_t got_h = bmqtt_fixed_header_decode(h, 2, &fh);
        if (got_h != want) {
            fprintf(stderr, "fixed header %02X 00: got %s, want %s\n", b, tv_status_name(got_h),
                    tv_status_name(want));
            failures++;
        }
        if (want == BMQTT_OK) {
            assert_int_equal(fh.type, b >> 4);
            assert_int_equal(fh.flags, b & 0x0Fu);
            assert_int_equal(fh.header_len, 2);
            assert_int_equal(fh.remaining_length, 0);
        }
    }
    if (failures) fail_msg("%d first bytes misjudged", failures);
}

/* Fixed header: every boundary remaining length, header_len 2..5. */
static void test_fixed_header_lengths_MQTT_2_2_3(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_varints.count; i++) {
        const tv_row_t *r = &g_varints.rows[i];
        uint8_t h[5] = { 0x30 };
        memcpy(h + 1, r->bytes, r->len);
        bmqtt_fixed_header_t fh;
        assert_int_equal(bmqtt_fixed_header_decode(h, 1 + r->len, &fh), BMQTT_OK);
        assert_int_equal(fh.type, BMQTT_PUBLISH);
        assert_int_equal(fh.header_len, 1 + r->len);
        assert_int_equal(fh.remaining_length, row_value(r));
        for (size_t n = 0; n <= r->len; n++) /* cut inside the header */
            assert_int_equal(bmqtt_fixed_header_decode(h, n, &fh), BMQTT_NEED_MORE);
    }
    static const uint8_t five[] = { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F };
    static const uint8_t nonmin[] = { 0xE0, 0x80, 0x00 };
    bmqtt_fixed_header_t fh;
    assert_int_equal(bmqtt_fixed_header_decode(five, sizeof five, &fh), BMQTT_ERR_BAD_VARINT);
    assert_int_equal(bmqtt_fixed_header_decode(nonmin, sizeof nonmin, &fh), BMQTT_ERR_BAD_VARINT);
}

/* Whole packets whose remaining length takes one to four bytes, through
 * bmqtt_decode (which reads one and two bytes inline and longer lengths
 * apart): a PUBLISH and a SUBSCRIBE of each length class decode to the right
 * views; cut one byte short they are BMQTT_NEED_MORE with *used the whole
 * size; a length cut inside is BMQTT_NEED_MORE with *used 0. [MQTT-2.2.3] */
static void test_decode_every_length_size_MQTT_2_2_3(void **state)
{
    (void)state;
    static const size_t payloads[] = { 10, 200, 16380, 16400, 2097148, 2097149, 2097200 };
    static const size_t hbytes[] = { 1, 2, 2, 3, 3, 4, 4 }; /* remaining-length bytes */
    for (size_t k = 0; k < sizeof payloads / sizeof payloads[0]; k++) {
        for (int sub = 0; sub < 2; sub++) {
            /* PUBLISH QoS 0 "t" + payload, or SUBSCRIBE id 1 with one filter "a/b" ... of the same size */
            size_t rl = sub ? 2 + 2 + (payloads[k] + 1) + 1 : 2 + 1 + payloads[k];
            size_t hl = 1 + bmqtt_varint_size((uint32_t)rl), total = hl + rl, used = 0;
            uint8_t *b = malloc(total);
            assert_non_null(b);
            b[0] = sub ? 0x82 : 0x30;
            (void)bmqtt_varint_encode((uint32_t)rl, b + 1);
            if (!sub) {
                b[hl] = 0, b[hl + 1] = 1, b[hl + 2] = 't';
                memset(b + hl + 3, 'p', payloads[k]);
            } else if (payloads[k] + 1 > 65535) { /* a filter is at most 65,535 bytes: several filters */
                free(b);
                continue;
            } else {
                size_t fl = payloads[k] + 1;
                b[hl] = 0, b[hl + 1] = 1;
                b[hl + 2] = (uint8_t)(fl >> 8), b[hl + 3] = (uint8_t)fl;
                memset(b + hl + 4, 'f', fl);
                b[hl + 4 + fl] = 1;
            }
            if (!sub) assert_int_equal(hl - 1, hbytes[k]); /* each length size is taken */
            bmqtt_packet_t pkt;
            assert_int_equal(bmqtt_decode(b, total, &pkt, &used), BMQTT_OK);
            assert_int_equal(used, total);
            if (!sub) {
                assert_int_equal(pkt.type, BMQTT_PUBLISH);
                assert_int_equal(pkt.u.publish.topic.len, 1);
                assert_ptr_equal(pkt.u.publish.payload.ptr, b + hl + 3);
                assert_int_equal(pkt.u.publish.payload.len, payloads[k]);
            } else {
                assert_int_equal(pkt.type, BMQTT_SUBSCRIBE);
                assert_int_equal(pkt.u.subscribe.packet_id, 1);
                assert_int_equal(pkt.u.subscribe.entries.len, rl - 2);
            }
            used = 0;
            assert_int_equal(bmqtt_decode(b, total - 1, &pkt, &used), BMQTT_NEED_MORE);
            assert_int_equal(used, total);
            for (size_t cut = 1; cut < hl; cut++) {
                used = 99;
                assert_int_equal(bmqtt_decode(b, cut, &pkt, &used), BMQTT_NEED_MORE);
                assert_int_equal(used, 0);
            }
            free(b);
        }
    }
    /* A packet a server sends with a two- and a three-byte length: SUBACK with 200 and with
     * 16,500 return codes. */
    static const size_t counts[] = { 200, 16500 };
    for (size_t k = 0; k < 2; k++) {
        size_t n = counts[k], rl = 2 + n, hl = 1 + bmqtt_varint_size((uint32_t)rl), total = hl + rl, used = 0;
        uint8_t *b = malloc(total);
        assert_non_null(b);
        b[0] = 0x90;
        assert_int_equal(bmqtt_varint_encode((uint32_t)rl, b + 1), hl - 1);
        b[hl] = 0, b[hl + 1] = 7;
        memset(b + hl + 2, 1, n);
        bmqtt_packet_t pkt;
        assert_int_equal(bmqtt_decode(b, total, &pkt, &used), BMQTT_OK);
        assert_int_equal(used, total);
        assert_int_equal(pkt.type, BMQTT_SUBACK);
        assert_int_equal(pkt.u.suback.packet_id, 7);
        assert_int_equal(pkt.u.suback.codes.len, n);
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_encode_boundaries_MQTT_2_2_3),
        cmocka_unit_test(test_varint_decode_boundaries_MQTT_2_2_3),
        cmocka_unit_test(test_varint_encode_rejects_too_large_MQTT_2_2_3),
        cmocka_unit_test(test_varint_fifth_byte_MQTT_2_2_3),
        cmocka_unit_test(test_varint_four_continuations_is_bad_not_need_more_MQTT_2_2_3),
        cmocka_unit_test(test_varint_non_minimal_rejected),
        cmocka_unit_test(test_varint_truncated_need_more),
        cmocka_unit_test(test_varint_exhaustive_round_trip),
        cmocka_unit_test(test_first_byte_all_256_MQTT_2_2_2),
        cmocka_unit_test(test_fixed_header_lengths_MQTT_2_2_3),
        cmocka_unit_test(test_decode_every_length_size_MQTT_2_2_3),
    };
    return cmocka_run_group_tests_name("codec: remaining length and fixed header", tests, load, unload);
}
