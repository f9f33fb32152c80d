/*
 * The stream framer (bmqtt_framer_t, codec.h): packet boundaries in a byte
 * stream fed whole, byte by byte and in random splits; never consuming past
 * the bytes given; max_packet refusal and skipping; sticky malformed headers.
 *
 * The stream: every Aliyun golden frame, then a PUBLISH with a 300-byte and
 * one with a 20000-byte payload, then the golden frames again.
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

#define MAX_FRAMES 64

typedef struct {
    size_t start, len;   /* offset in the stream, whole packet size */
    uint8_t first_byte;
    uint8_t header_len;
    uint32_t remaining;
} frame_t;

static uint8_t *g_stream;
static size_t g_stream_len;
static frame_t g_frames[MAX_FRAMES];
static size_t g_nframes;
static uint8_t g_payload[20000];

static void append(const uint8_t *p, size_t n)
{
    frame_t *f = &g_frames[g_nframes++];
    f->start = g_stream_len;
    f->len = n;
    f->first_byte = p[0];
    /* Independent header parse: lengths here are known to be minimal and valid. */
    uint32_t v = 0, mult = 1;
    size_t i = 1;
    do {
        v += (uint32_t)(p[i] & 0x7Fu) * mult;
        mult *= 128u;
    } while (p[i++] & 0x80u);
    f->header_len = (uint8_t)i;
    f->remaining = v;
    memcpy(g_stream + g_stream_len, p, n);
    g_stream_len += n;
}

static int setup(void **state)
{
    (void)state;
    tv_table_t t;
    if (tv_table_load("tests/vectors/aliyun.txt", &t) != 0) return -1;
    g_stream = malloc(64 * 1024);
    if (g_stream == NULL) return -1;
    g_stream_len = 0;
    g_nframes = 0;
    for (size_t i = 0; i < sizeof g_payload; i++) g_payload[i] = (uint8_t)(i ^ (i >> 8));
    for (size_t i = 0; i < t.count; i++) append(t.rows[i].bytes, t.rows[i].len);
    static const size_t sizes[] = { 300, 20000 };
    for (size_t k = 0; k < 2; k++) {
        bmqtt_publish_t p = { BMQTT_VIEW_LIT("stream/big"), { g_payload, sizes[k] }, (uint16_t)(k + 1), 1, 0, 0 };
        uint8_t *buf = malloc(sizes[k] + 32);
        size_t n = 0;
        if (buf == NULL || bmqtt_publish_encode(&p, buf, sizes[k] + 32, &n) != BMQTT_OK) return -1;
        append(buf, n);
        free(buf);
    }
    for (size_t i = 0; i < t.count; i++) append(t.rows[i].bytes, t.rows[i].len);
    tv_table_free(&t);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(g_stream);
    return 0;
}

/*
 * Feed the stream in chunks whose sizes come from next_chunk(), each chunk in
 * a heap block of exactly its size (ASan sees any read past len). Checks every
 * boundary and header against g_frames and decodes each body. With max_packet
 * set, packets over it must be refused once after their header and skipped.
 */
typedef size_t (*chunker_t)(void *ctx, size_t left);

static void run_stream(chunker_t next_chunk, void *ctx, uint32_t max_packet, const char *how)
{
    bmqtt_framer_t f;
    bmqtt_framer_init(&f, max_packet);
    size_t pos = 0;          /* bytes of the stream consumed */
    size_t frame = 0;        /* index of the packet in progress */
    size_t packet_start = 0; /* stream offset where it began */
    int refused = 0;         /* PACKET_TOO_LARGE seen for it */
    while (pos < g_stream_len) {
        size_t n = next_chunk(ctx, g_stream_len - pos);
        assert_true(n >= 1 && n <= g_stream_len - pos);
        uint8_t *chunk = malloc(n);
        assert_non_null(chunk);
        memcpy(chunk, g_stream + pos, n);
        size_t off = 0;
        while (off < n) {
            size_t consumed = (size_t)-1;
            bmqtt_status_t st = bmqtt_framer_feed(&f, chunk + off, n - off, &consumed);
            if (consumed > n - off) fail_msg("%s: consumed %zu of %zu", how, consumed, n - off);
            const frame_t *want = &g_frames[frame];
            int too_big = max_packet != 0 && want->len > max_packet;
            if (st == BMQTT_NEED_MORE) {
                assert_int_equal(consumed, n - off);
            } else if (st == BMQTT_ERR_PACKET_TOO_LARGE) {
                if (!too_big || refused) fail_msg("%s: frame %zu refused (size %zu, max %u)", how, frame, want->len, (unsigned)max_packet);
                refused = 1;
                /* Refused right after the header: it is complete and consumed. */
                assert_int_equal(pos + off + consumed, packet_start + want->header_len);
                assert_int_equal(f.remaining, want->remaining);
                assert_int_equal(f.first_byte, want->first_byte);
            } else if (st == BMQTT_OK) {
                size_t end = pos + off + consumed;
                if (end != want->start + want->len)
                    fail_msg("%s: frame %zu ends at %zu, want %zu", how, frame, end, want->start + want->len);
                if (too_big && !refused) fail_msg("%s: frame %zu (size %zu) not refused", how, frame, want->len);
                assert_int_equal(f.first_byte, want->first_byte);
                assert_int_equal(f.remaining, want->remaining);
                assert_int_equal(f.header_len, want->header_len);
                if (!too_big) {
                    bmqtt_packet_t pkt;
                    assert_int_equal(bmqtt_decode_body(want->first_byte, g_stream + want->start + want->header_len,
                                                       want->remaining, &pkt),
                                     BMQTT_OK);
                    assert_int_equal(pkt.type, want->first_byte >> 4);
                }
                frame++;
                packet_start = end;
                refused = 0;
            } else {
                fail_msg("%s: frame %zu: unexpected status %s", how, frame, tv_status_name(st));
            }
            off += consumed;
            if (consumed == 0 && st != BMQTT_OK) fail_msg("%s: no progress", how);
        }
        pos += n;
        free(chunk);
    }
    assert_int_equal(frame, g_nframes);
}

static size_t chunk_whole(void *ctx, size_t left)
{
    (void)ctx;
    return left;
}

static size_t chunk_fixed(void *ctx, size_t left)
{
    size_t n = *(size_t *)ctx;
    return n < left ? n : left;
}

static size_t chunk_random(void *ctx, size_t left)
{
    uint32_t r = tv_rand((uint32_t *)ctx);
    /* Mostly small pieces (header splits), sometimes large ones. */
    size_t n = (r & 3u) == 0 ? 1u + (r >> 8) % 4096u : 1u + (r >> 8) % 9u;
    return n < left ? n : left;
}

/* Whole stream in one feed [MQTT-2.2.3]: boundaries from the remaining lengths. */
static void test_framer_whole_stream_MQTT_2_2_3(void **state)
{
    (void)state;
    assert_true(g_nframes >= 40);
    run_stream(chunk_whole, NULL, 0, "whole");
}

/* One byte at a time. */
static void test_framer_byte_by_byte(void **state)
{
    (void)state;
    size_t one = 1;
    run_stream(chunk_fixed, &one, 0, "byte by byte");
}

/* Fixed chunk sizes that cut headers and bodies at varying offsets. */
static void test_framer_fixed_chunks(void **state)
{
    (void)state;
    static const size_t sizes[] = { 2, 3, 4, 5, 7, 13, 64, 157, 1000, 4096 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        char how[32];
        snprintf(how, sizeof how, "chunks of %zu", n);
        run_stream(chunk_fixed, &n, 0, how);
    }
}

/* Random splits, many seeds. */
static void test_framer_random_splits(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 300; seed++) {
        uint32_t s = seed * 2654435761u;
        char how[32];
        snprintf(how, sizeof how, "random seed %u", (unsigned)seed);
        run_stream(chunk_random, &s, 0, how);
    }
}

/* max_packet below the 20000-byte PUBLISH: refused once after its header,
 * skipped by further feeds, and the next packet comes out intact; whatever
 * the split. */
static void test_framer_max_packet_refuses_and_skips(void **state)
{
    (void)state;
    size_t one = 1;
    run_stream(chunk_whole, NULL, 1000, "max 1000, whole");
    run_stream(chunk_fixed, &one, 1000, "max 1000, byte by byte");
    for (uint32_t seed = 1; seed <= 50; seed++) {
        uint32_t s = seed * 40503u + 7u;
        run_stream(chunk_random, &s, 1000, "max 1000, random");
    }
    /* Below the 300-byte PUBLISH and the Aliyun CONNECT and PUBLISH frames too. */
    run_stream(chunk_whole, NULL, 100, "max 100, whole");
    run_stream(chunk_fixed, &one, 100, "max 100, byte by byte");
}

/* The limit is on the whole packet, fixed header included: equal is accepted, one over refused. */
static void test_framer_max_packet_exact_limit(void **state)
{
    (void)state;
    static const uint8_t puback[] = { 0x40, 0x02, 0x00, 0x01 };
    bmqtt_framer_t f;
    size_t consumed;
    bmqtt_framer_init(&f, 4);
    assert_int_equal(bmqtt_framer_feed(&f, puback, 4, &consumed), BMQTT_OK);
    assert_int_equal(consumed, 4);
    bmqtt_framer_init(&f, 3);
    assert_int_equal(bmqtt_framer_feed(&f, puback, 4, &consumed), BMQTT_ERR_PACKET_TOO_LARGE);
    assert_int_equal(consumed, 2);
    assert_int_equal(bmqtt_framer_feed(&f, puback + 2, 2, &consumed), BMQTT_OK);
    assert_int_equal(consumed, 2);
    /* The stream goes on normally. */
    static const uint8_t ping[] = { 0xC0, 0x00 };
    assert_int_equal(bmqtt_framer_feed(&f, ping, 2, &consumed), BMQTT_OK);
    assert_int_equal(consumed, 2);
    assert_int_equal(f.first_byte, 0xC0);
    /* A refused packet with an empty body: the next feed ends it at once. */
    bmqtt_framer_init(&f, 1);
    assert_int_equal(bmqtt_framer_feed(&f, ping, 2, &consumed), BMQTT_ERR_PACKET_TOO_LARGE);
    assert_int_equal(consumed, 2);
    assert_int_equal(bmqtt_framer_feed(&f, puback, 4, &consumed), BMQTT_OK);
    assert_int_equal(consumed, 0);
    assert_int_equal(f.first_byte, 0xC0);
}

/* max_packet 0 means no limit: the largest remaining length is framed. */
static void test_framer_no_limit(void **state)
{
    (void)state;
    static const uint8_t hdr[] = { 0x30, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x01, 'a' };
    bmqtt_framer_t f;
    memset(&f, 0, sizeof f); /* a zeroed framer is ready (codec.h) */
    size_t consumed;
    assert_int_equal(bmqtt_framer_feed(&f, hdr, sizeof hdr, &consumed), BMQTT_NEED_MORE);
    assert_int_equal(consumed, sizeof hdr);
    assert_int_equal(f.remaining, BMQTT_VARINT_MAX);
    assert_int_equal(f.header_len, 5);
}

/* An empty feed consumes nothing and asks for more. */
static void test_framer_empty_feed(void **state)
{
    (void)state;
    bmqtt_framer_t f;
    bmqtt_framer_init(&f, 0);
    static const uint8_t x[1] = { 0xC0 };
    size_t consumed = 99;
    assert_int_equal(bmqtt_framer_feed(&f, x, 0, &consumed), BMQTT_NEED_MORE);
    assert_int_equal(consumed, 0);
    assert_int_equal(bmqtt_framer_feed(&f, x, 1, &consumed), BMQTT_NEED_MORE);
    assert_int_equal(bmqtt_framer_feed(&f, x, 0, &consumed), BMQTT_NEED_MORE);
    static const uint8_t zero[1] = { 0x00 };
    assert_int_equal(bmqtt_framer_feed(&f, zero, 1, &consumed), BMQTT_OK);
    assert_int_equal(consumed, 1);
    assert_int_equal(f.first_byte, 0xC0);
}

/* A malformed fixed header is reported, and every later feed returns the same
 * status until bmqtt_framer_init() [MQTT-2.2.2-2], [MQTT-2.2.3], section 4.8. */
static void test_framer_bad_header_is_sticky(void **state)
{
    (void)state;
    static const struct {
        uint8_t b[8];
        size_t n;
        bmqtt_status_t want;
    } cases[] = {
        { { 0x00, 0x00 }, 2, BMQTT_ERR_BAD_TYPE },
        { { 0xF0, 0x00 }, 2, BMQTT_ERR_BAD_TYPE },
        { { 0xC1, 0x00 }, 2, BMQTT_ERR_BAD_FLAGS },
        { { 0x80, 0x02, 0x00, 0x01 }, 4, BMQTT_ERR_BAD_FLAGS },
        { { 0x36, 0x03, 0x00, 0x01, 0x61 }, 5, BMQTT_ERR_BAD_QOS },
        { { 0x38, 0x03, 0x00, 0x01, 0x61 }, 5, BMQTT_ERR_PROTOCOL },
        { { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, 6, BMQTT_ERR_BAD_VARINT },
        { { 0xC0, 0x80, 0x00 }, 3, BMQTT_ERR_BAD_VARINT },
    };
    static const uint8_t ping[] = { 0xC0, 0x00 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int bytewise = 0; bytewise < 2; bytewise++) {
            bmqtt_framer_t f;
            bmqtt_framer_init(&f, 0);
            size_t consumed;
            /* A good packet first, then the bad one. */
            assert_int_equal(bmqtt_framer_feed(&f, ping, 2, &consumed), BMQTT_OK);
            bmqtt_status_t st = BMQTT_NEED_MORE;
            size_t off = 0;
            while (st == BMQTT_NEED_MORE && off < cases[i].n) {
                size_t n = bytewise ? 1 : cases[i].n - off;
                st = bmqtt_framer_feed(&f, cases[i].b + off, n, &consumed);
                assert_true(consumed <= n);
                off += n;
            }
            if (st != cases[i].want)
                fail_msg("case %zu (%s): got %s, want %s", i, bytewise ? "bytewise" : "whole", tv_status_name(st),
                         tv_status_name(cases[i].want));
            for (int again = 0; again < 3; again++)
                assert_int_equal(bmqtt_framer_feed(&f, ping, 2, &consumed), cases[i].want);
            bmqtt_framer_init(&f, 0);
            assert_int_equal(bmqtt_framer_feed(&f, ping, 2, &consumed), BMQTT_OK);
        }
    }
}

/* The framer only checks the fixed header; the body is decode's business:
 * `30 04 00 FF 41 42` frames as 6 bytes, then its body is BAD_LENGTH. */
static void test_framer_then_decode_body_finds_overrun(void **state)
{
    (void)state;
    static const uint8_t bad[] = { 0x30, 0x04, 0x00, 0xFF, 0x41, 0x42 };
    bmqtt_framer_t f;
    bmqtt_framer_init(&f, 0);
    size_t consumed;
    assert_int_equal(bmqtt_framer_feed(&f, bad, sizeof bad, &consumed), BMQTT_OK);
    assert_int_equal(consumed, 6);
    bmqtt_packet_t pkt;
    assert_int_equal(bmqtt_decode_body(f.first_byte, bad + f.header_len, f.remaining, &pkt), BMQTT_ERR_BAD_LENGTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framer_whole_stream_MQTT_2_2_3),
        cmocka_unit_test(test_framer_byte_by_byte),
        cmocka_unit_test(test_framer_fixed_chunks),
        cmocka_unit_test(test_framer_random_splits),
        cmocka_unit_test(test_framer_max_packet_refuses_and_skips),
        cmocka_unit_test(test_framer_max_packet_exact_limit),
        cmocka_unit_test(test_framer_no_limit),
        cmocka_unit_test(test_framer_empty_feed),
        cmocka_unit_test(test_framer_bad_header_is_sticky),
        cmocka_unit_test(test_framer_then_decode_body_finds_overrun),
    };
    return cmocka_run_group_tests_name("framer", tests, setup, teardown);
}
