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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_well_formed),
        cmocka_unit_test(test_decode_gives_exact_status),
        cmocka_unit_test(test_decode_body_agrees),
        cmocka_unit_test(test_first_byte_rows_MQTT_2_2_2),
    };
    return cmocka_run_group_tests_name("codec: malformed-input table", tests, load, unload);
}
