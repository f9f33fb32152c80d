/*
 * The malformed-input table (tests/vectors/malformed.txt): every row is one
 * broken rule of MQTT 3.1.1 and the exact status bmqtt_decode() must return.
 * Every row is checked and every mismatch printed before the test fails.
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

#define TABLE "tests/vectors/malformed.txt"

static tv_table_t g_rows;

static int load(void **state)
{
    (void)state;
    return tv_table_load(TABLE, &g_rows);
}

static int unload(void **state)
{
    (void)state;
    tv_table_free(&g_rows);
    return 0;
}

static const char *name_of(int st)
{
    const char *n = tv_status_name(st);
    return n ? n : "(not a bmqtt_status_t)";
}

/* The table is well formed: known status names, at least one byte per row,
 * and a rule cited in every comment. */
static void test_table_is_well_formed(void **state)
{
    (void)state;
    assert_true(g_rows.count >= 150);
    for (size_t i = 0; i < g_rows.count; i++) {
        const tv_row_t *r = &g_rows.rows[i];
        int st;
        if (tv_status_from_name(r->key, &st) != 0) fail_msg("%s:%u: unknown status %s", TABLE, r->line, r->key);
        if (r->len == 0) fail_msg("%s:%u: no bytes", TABLE, r->line);
        if (strstr(r->comment, "[MQTT-") == NULL && strstr(r->comment, "section") == NULL &&
            strstr(r->comment, "codec.h") == NULL)
            fail_msg("%s:%u: the comment cites no rule", TABLE, r->line);
    }
}

/* bmqtt_decode returns exactly the status of each row; *used never exceeds
 * the input (and on NEED_MORE with a complete fixed header, it is larger). */
static void test_decode_gives_exact_status(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < g_rows.count; i++) {
        const tv_row_t *r = &g_rows.rows[i];
        int want;
        assert_int_equal(tv_status_from_name(r->key, &want), 0);
        uint8_t *in = malloc(r->len); /* exact size: ASan sees any over-read */
        assert_non_null(in);
        memcpy(in, r->bytes, r->len);
        bmqtt_packet_t pkt;
        size_t used = 0;
        bmqtt_status_t got = bmqtt_decode(in, r->len, &pkt, &used);
        if ((int)got != want) {
            fprintf(stderr, "%s:%u: got %s, want %s  # %s\n", TABLE, r->line, name_of(got), r->key, r->comment);
            failures++;
        } else if (got != BMQTT_NEED_MORE && got != BMQTT_OK && used > r->len) {
            fprintf(stderr, "%s:%u: used %zu > %zu\n", TABLE, r->line, used, r->len);
            failures++;
        }
        free(in);
    }
    if (failures) fail_msg("%d of %zu malformed rows decoded with the wrong status", failures, g_rows.count);
}

/* For rows whose fixed header is valid and complete and whose body is all
 * there, bmqtt_decode_body() on the body gives the same status. */
static void test_decode_body_agrees(void **state)
{
    (void)state;
    int failures = 0, checked = 0;
    for (size_t i = 0; i < g_rows.count; i++) {
        const tv_row_t *r = &g_rows.rows[i];
        bmqtt_fixed_header_t h;
        if (bmqtt_fixed_header_decode(r->bytes, r->len, &h) != BMQTT_OK) continue;
        if ((size_t)h.header_len + h.remaining_length != r->len) continue;
        int want;
        assert_int_equal(tv_status_from_name(r->key, &want), 0);
        size_t body_len = h.remaining_length;
        uint8_t *body = malloc(body_len ? body_len : 1);
        assert_non_null(body);
        memcpy(body, r->bytes + h.header_len, body_len);
        bmqtt_packet_t pkt;
        bmqtt_status_t got = bmqtt_decode_body(r->bytes[0], body, body_len, &pkt);
        if ((int)got != want) {
            fprintf(stderr, "%s:%u: decode_body got %s, want %s  # %s\n", TABLE, r->line, name_of(got), r->key,
                    r->comment);
            failures++;
        }
        checked++;
        free(body);
    }
    assert_true(checked > 100);
    if (failures) fail_msg("%d rows: bmqtt_decode_body disagrees", failures);
}

/* Rows whose fault is in the first byte: bmqtt_first_byte_check and
 * bmqtt_fixed_header_decode report it too. */
static void test_first_byte_rows_MQTT_2_2_2(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < g_rows.count; i++) {
        const tv_row_t *r = &g_rows.rows[i];
        int want;
        assert_int_equal(tv_status_from_name(r->key, &want), 0);
        if (want != BMQTT_ERR_BAD_TYPE && want != BMQTT_ERR_BAD_FLAGS) continue;
        bmqtt_status_t got = bmqtt_first_byte_check(r->bytes[0]);
        bmqtt_fixed_header_t h;
        bmqtt_status_t got_h = bmqtt_fixed_header_decode(r->bytes, r->len, &h);
        if ((int)got != want || (int)got_h != want) {
            fprintf(stderr, "%s:%u: first_byte_check %s, fixed_header_decode %s, want %s\n", TABLE, r->line,
                    name_of(got), name_of(got_h), r->key);
            failures++;
        }
    }
    if (failures) fail_msg("%d first-byte rows disagree", failures);
}

/* All 256 first bytes: bmqtt_decode (which checks the first byte through its
 * own table), bmqtt_decode_body, bmqtt_fixed_header_decode and the framer give
 * the status of bmqtt_first_byte_check, and it is the rule of section 2.2:
 * types 0 and 15 reserved [MQTT-2.2.1], reserved flags 0b0010 for PUBREL,
 * SUBSCRIBE, UNSUBSCRIBE and 0 for the others [MQTT-2.2.2-1/2], PUBLISH QoS 3
 * [MQTT-3.3.1-4], DUP with QoS 0 [MQTT-3.3.1-2]. */
static void test_every_first_byte_MQTT_2_2_2(void **state)
{
    (void)state;
    for (unsigned b = 0; b < 256; b++) {
        unsigned type = b >> 4, flags = b & 15u;
        bmqtt_status_t want = BMQTT_OK;
        if (type == 0 || type == 15) want = BMQTT_ERR_BAD_TYPE;
        else if (type == BMQTT_PUBLISH && ((flags >> 1) & 3u) == 3u) want = BMQTT_ERR_BAD_QOS;
        else if (type == BMQTT_PUBLISH && (flags & 8u) && ((flags >> 1) & 3u) == 0) want = BMQTT_ERR_PROTOCOL;
        else if (type != BMQTT_PUBLISH && flags != ((type == 6 || type == 8 || type == 10) ? 2u : 0u))
            want = BMQTT_ERR_BAD_FLAGS;
        uint8_t pkt_bytes[2] = { (uint8_t)b, 0 };
        bmqtt_packet_t pkt;
        size_t used;
        bmqtt_fixed_header_t h;
        bmqtt_framer_t f;
        size_t consumed;
        bmqtt_framer_init(&f, 0);
        bmqtt_status_t first = bmqtt_first_byte_check((uint8_t)b);
        bmqtt_status_t dec = bmqtt_decode(pkt_bytes, sizeof pkt_bytes, &pkt, &used);
        bmqtt_status_t body = bmqtt_decode_body((uint8_t)b, NULL, 0, &pkt);
        bmqtt_status_t head = bmqtt_fixed_header_decode(pkt_bytes, sizeof pkt_bytes, &h);
        bmqtt_status_t fr = bmqtt_framer_feed(&f, pkt_bytes, sizeof pkt_bytes, &consumed);
        if (first != want) fail_msg("first byte %02X: first_byte_check %d, want %d", b, first, want);
        if (want != BMQTT_OK && (dec != want || body != want || head != want || fr != want))
            fail_msg("first byte %02X: decode %d, decode_body %d, fixed_header %d, framer %d, want %d", b, dec, body,
                     head, fr, want);
        if (want == BMQTT_OK && (head != BMQTT_OK || fr != BMQTT_OK))
            fail_msg("first byte %02X: fixed_header %d, framer %d, want OK", b, head, fr);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_well_formed),
        cmocka_unit_test(test_decode_gives_exact_status),
        cmocka_unit_test(test_decode_body_agrees),
        cmocka_unit_test(test_first_byte_rows_MQTT_2_2_2),
        cmocka_unit_test(test_every_first_byte_MQTT_2_2_2),
    };
    return cmocka_run_group_tests_name("codec: malformed-input table", tests, load, unload);
}
