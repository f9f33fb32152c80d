/*
 * UTF-8 strings, topic names, topic filters and filter matching
 * (include/bmqtt/topic.h; MQTT 3.1.1 sections 1.5.3 and 4.7).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/topic.h"
#include "vectors.h"

#define UTF8_TABLE "tests/vectors/utf8.txt"

/* A heap copy of exactly n bytes at an offset of `skew` from a fresh block,
 * so every alignment is tried and ASan flags any read past the end. */
static uint8_t *exact_copy(const void *p, size_t n, size_t skew, void **block)
{
    uint8_t *b = malloc(n + skew + 1);
    assert_non_null(b);
    *block = b;
    /* The bytes end exactly at the end of the block's requested size. */
    uint8_t *dst = b + skew + 1;
    memcpy(dst, p, n);
    return dst;
}

static bmqtt_status_t utf8_exact(const uint8_t *p, size_t n, size_t skew)
{
    void *block;
    uint8_t *s = exact_copy(p, n, skew, &block);
    bmqtt_status_t st = bmqtt_utf8_check(s, n);
    free(block);
    return st;
}

/* The table of accepted and refused strings [MQTT-1.5.3-1], [MQTT-1.5.3-2], [MQTT-1.5.3-3]. */
static void test_utf8_table_MQTT_1_5_3(void **state)
{
    (void)state;
    tv_table_t t;
    assert_int_equal(tv_table_load(UTF8_TABLE, &t), 0);
    assert_true(t.count >= 40);
    int failures = 0;
    for (size_t i = 0; i < t.count; i++) {
        const tv_row_t *r = &t.rows[i];
        bmqtt_status_t want = BMQTT_OK;
        if (strcmp(r->key, "OK") == 0) want = BMQTT_OK;
        else if (strcmp(r->key, "BAD") == 0) want = BMQTT_ERR_BAD_UTF8;
        else fail_msg("%s:%u: key must be OK or BAD", UTF8_TABLE, r->line);
        for (size_t skew = 0; skew < 8; skew++) {
            bmqtt_status_t got = utf8_exact(r->bytes, r->len, skew);
            if (got != want) {
                fprintf(stderr, "%s:%u (skew %zu): got %d, want %s  # %s\n", UTF8_TABLE, r->line, skew, got, r->key,
                        r->comment);
                failures++;
                break;
            }
        }
        /* The same sequence in the middle of a long ASCII run (fast path then slow path). */
        uint8_t buf[64];
        memset(buf, 'x', sizeof buf);
        memcpy(buf + 21, r->bytes, r->len);
        bmqtt_status_t got = utf8_exact(buf, sizeof buf, 3);
        if (got != want) {
            fprintf(stderr, "%s:%u inside ASCII: got %d, want %s  # %s\n", UTF8_TABLE, r->line, got, r->key,
                    r->comment);
            failures++;
        }
    }
    tv_table_free(&t);
    if (failures) fail_msg("%d UTF-8 rows misjudged", failures);
}

/* The empty string is well-formed UTF-8 (emptiness is the topic checks' business). */
static void test_utf8_empty_ok(void **state)
{
    (void)state;
    static const uint8_t x = 'x';
    assert_int_equal(bmqtt_utf8_check(&x, 0), BMQTT_OK);
}

/* Long ASCII runs of every length 1..130 at every alignment 0..7, with one bad
 * byte at every position: exercises the word-at-a-time fast path at every
 * offset, its tail, and the hand-over to the byte path [MQTT-1.5.3-1/2]. */
static void test_utf8_one_bad_byte_at_every_position(void **state)
{
    (void)state;
    static const uint8_t bad[] = { 0x00, 0x80, 0xFF, 0xC0, 0xF8 };
    uint8_t s[130];
    for (size_t n = 1; n <= sizeof s; n++) {
        memset(s, 'a' + (int)(n % 26), n);
        for (size_t skew = 0; skew < 8; skew++) {
            assert_int_equal(utf8_exact(s, n, skew), BMQTT_OK);
            for (size_t pos = 0; pos < n; pos++) {
                for (size_t k = 0; k < sizeof bad; k++) {
                    uint8_t keep = s[pos];
                    s[pos] = bad[k];
                    bmqtt_status_t got = utf8_exact(s, n, skew);
                    s[pos] = keep;
                    if (got != BMQTT_ERR_BAD_UTF8)
                        fail_msg("length %zu, skew %zu: byte %02X at %zu accepted", n, skew, bad[k], pos);
                }
            }
        }
    }
}

/* A valid 2-, 3- and 4-byte character at every position of an ASCII run is
 * accepted; the same character cut by the end of the string is refused. */
static void test_utf8_multibyte_at_every_position(void **state)
{
    (void)state;
    static const struct {
        uint8_t b[4];
        size_t n;
    } chars[] = { { { 0xC3, 0xA9 }, 2 }, { { 0xE4, 0xB8, 0x96 }, 3 }, { { 0xF4, 0x8F, 0xBF, 0xBF }, 4 } };
    uint8_t s[80];
    for (size_t c = 0; c < 3; c++) {
        for (size_t n = chars[c].n; n <= sizeof s; n++) {
            for (size_t pos = 0; pos + chars[c].n <= n; pos++) {
                memset(s, '/', n);
                memcpy(s + pos, chars[c].b, chars[c].n);
                if (utf8_exact(s, n, pos % 8) != BMQTT_OK) fail_msg("char %zu at %zu of %zu refused", c, pos, n);
            }
            /* Cut: the lead byte(s) end the string. */
            memset(s, '/', n);
            memcpy(s + n - chars[c].n, chars[c].b, chars[c].n - 1);
            if (utf8_exact(s, n - 1, n % 8) != BMQTT_ERR_BAD_UTF8) fail_msg("cut char %zu in length %zu accepted", c, n);
        }
    }
}

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1u

/* Topic names: at least one byte [MQTT-4.7.3-1], no wildcard [MQTT-3.3.2-2], [MQTT-4.7.1-1]. */
static void test_topic_name_rules_MQTT_4_7(void **state)
{
    (void)state;
    assert_int_equal(bmqtt_topic_name_check(S("a")), BMQTT_OK);
    assert_int_equal(bmqtt_topic_name_check(S("/")), BMQTT_OK);
    assert_int_equal(bmqtt_topic_name_check(S("a//b")), BMQTT_OK);
    assert_int_equal(bmqtt_topic_name_check(S(" ")), BMQTT_OK);
    assert_int_equal(bmqtt_topic_name_check(S("sport/tennis/player1")), BMQTT_OK);
    assert_int_equal(bmqtt_topic_name_check(S("$SYS/broker/load")), BMQTT_OK);
    assert_int_equal(bmqtt_topic_name_check(S("caf\xC3\xA9/\xF0\x9F\x98\x80")), BMQTT_OK);
    assert_int_equal(bmqtt_topic_name_check(S("")), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_topic_name_check(S("+")), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_topic_name_check(S("#")), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_topic_name_check(S("a/+")), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_topic_name_check(S("a/#")), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_topic_name_check(S("a+b")), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_topic_name_check(S("sport/tennis#")), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_topic_name_check(S("a\xC0\x80")), BMQTT_ERR_BAD_UTF8);
    assert_int_equal(bmqtt_topic_name_check(S("a\0b")), BMQTT_ERR_BAD_UTF8);
}

/* A wildcard at every position of a long name is found (the ASCII fast path must see it). */
static void test_topic_name_wildcard_at_every_position_MQTT_3_3_2_2(void **state)
{
    (void)state;
    uint8_t s[70];
    for (size_t n = 1; n <= sizeof s; n++) {
        memset(s, 'q', n);
        assert_int_equal(bmqtt_topic_name_check(s, n), BMQTT_OK);
        for (size_t pos = 0; pos < n; pos++) {
            s[pos] = '+';
            assert_int_equal(bmqtt_topic_name_check(s, n), BMQTT_ERR_BAD_TOPIC);
            s[pos] = '#';
            assert_int_equal(bmqtt_topic_name_check(s, n), BMQTT_ERR_BAD_TOPIC);
            s[pos] = 'q';
        }
    }
}

/* A topic name is at most 65,535 bytes (topic.h); one byte more is refused. */
static void test_topic_name_length_limit(void **state)
{
    (void)state;
    uint8_t *s = malloc(65536);
    assert_non_null(s);
    memset(s, 't', 65536);
    assert_int_equal(bmqtt_topic_name_check(s, 65535), BMQTT_OK);
    assert_int_equal(bmqtt_topic_name_check(s, 65536), BMQTT_ERR_BAD_TOPIC);
    free(s);
}

/* Topic filters: '+' whole level [MQTT-4.7.1-3], '#' whole last level [MQTT-4.7.1-2], non-empty [MQTT-4.7.3-1]. */
static void test_topic_filter_rules_MQTT_4_7_1(void **state)
{
    (void)state;
    static const char *ok[] = { "#",       "+",       "+/+",     "/+",  "sport/#", "sport/tennis/+", "+/tennis/#",
                                "a//b",    "$SYS/#",  "/",       "//",  "+/",      "/#",             "+/+/+",
                                "a/+/b/#", "sport/tennis/player1", "+//#", "$SYS" };
    static const char *bad[] = { "a+",  "+a",  "#/a", "a/#b", "a#",   "##",  "++", "a/b#",
                                 "#/",  "a/#/", "sport/tennis#", "sport+", "+#", "#+", "a/+b/c" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (bmqtt_topic_filter_check((const uint8_t *)ok[i], strlen(ok[i])) != BMQTT_OK)
            fail_msg("filter \"%s\" refused", ok[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (bmqtt_topic_filter_check((const uint8_t *)bad[i], strlen(bad[i])) != BMQTT_ERR_BAD_FILTER)
            fail_msg("filter \"%s\" not refused with BMQTT_ERR_BAD_FILTER", bad[i]);
    assert_int_equal(bmqtt_topic_filter_check(S("")), BMQTT_ERR_BAD_FILTER);
    assert_int_equal(bmqtt_topic_filter_check(S("a/\xED\xA0\x80")), BMQTT_ERR_BAD_UTF8);
    assert_int_equal(bmqtt_topic_filter_check(S("a/\0")), BMQTT_ERR_BAD_UTF8);
}

static int match(const char *filter, const char *topic)
{
    return bmqtt_topic_match((const uint8_t *)filter, strlen(filter), (const uint8_t *)topic, strlen(topic));
}

/* The examples of section 4.7 and the '$' rule [MQTT-4.7.2-1]. */
static void test_topic_match_spec_examples_MQTT_4_7(void **state)
{
    (void)state;
    static const struct {
        const char *filter, *topic;
        int want;
    } cases[] = {
        /* 4.7.1.2 multi-level wildcard */
        { "sport/tennis/player1/#", "sport/tennis/player1", 1 },
        { "sport/tennis/player1/#", "sport/tennis/player1/ranking", 1 },
        { "sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", 1 },
        { "sport/#", "sport", 1 },
        /* 4.7.1.3 single-level wildcard */
        { "sport/tennis/+", "sport/tennis/player1", 1 },
        { "sport/tennis/+", "sport/tennis/player2", 1 },
        { "sport/tennis/+", "sport/tennis/player1/ranking", 0 },
        { "sport/+", "sport", 0 },
        { "sport/+", "sport/", 1 },
        { "+/+", "/finance", 1 },
        { "/+", "/finance", 1 },
        { "+", "/finance", 0 },
        /* 4.7.2 topics beginning with $ [MQTT-4.7.2-1] */
        { "#", "$SYS/x", 0 },
        { "#", "$SYS", 0 },
        { "+/monitor/Clients", "$SYS/monitor/Clients", 0 },
        { "+", "$SYS", 0 },
        { "+/#", "$SYS/x", 0 },
        { "$SYS/#", "$SYS/x", 1 },
        { "$SYS/#", "$SYS/monitor/Clients", 1 },
        { "$SYS/monitor/+", "$SYS/monitor/Clients", 1 },
        { "$SYS/#", "$SYS", 1 },
        { "a/$x", "a/$x", 1 },
        { "a/+", "a/$x", 1 }, /* '$' only matters at the start of the topic */
        { "+", "x$", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (match(cases[i].filter, cases[i].topic) != cases[i].want)
            fail_msg("match(\"%s\", \"%s\") should be %d", cases[i].filter, cases[i].topic, cases[i].want);
}

/* More matching: exact levels, empty levels, prefixes, case [MQTT-4.7.3-4] (case sensitive). */
static void test_topic_match_levels(void **state)
{
    (void)state;
    static const struct {
        const char *filter, *topic;
        int want;
    } cases[] = {
        { "a/b", "a/b", 1 },       { "a/b", "a/bc", 0 },      { "a/b", "a/b/", 0 },     { "a/b", "a", 0 },
        { "a/b", "A/b", 0 },       { "a/b/c", "a/b", 0 },     { "a", "a/b", 0 },        { "ab", "a", 0 },
        { "a", "ab", 0 },          { "a/#", "a", 1 },         { "a/#", "a/", 1 },       { "a/#", "a/b/c", 1 },
        { "a/#", "ab", 0 },        { "a/#", "b/a", 0 },       { "#", "a", 1 },          { "#", "/", 1 },
        { "#", "a/b/c", 1 },       { "#", "/a", 1 },          { "+", "a", 1 },          { "+", "a/b", 0 },
        { "+/+", "a/b", 1 },       { "+/+", "a", 0 },         { "+/+", "a/b/c", 0 },    { "+/+", "/", 1 },
        { "a/+/c", "a/b/c", 1 },   { "a/+/c", "a//c", 1 },    { "a/+/c", "a/b/d", 0 },  { "a/+/c", "a/c", 0 },
        { "a/+", "a/", 1 },        { "/#", "/", 1 },          { "/#", "/a", 1 },        { "/#", "a", 0 },
        { "+/#", "a", 1 },         { "+/#", "a/b", 1 },       { "+/#", "/", 1 },        { "//", "//", 1 },
        { "/", "//", 0 },          { "+//+", "a//b", 1 },     { "+//+", "a/b", 0 },     { "a/+/#", "a/b", 1 },
        { "a/+/#", "a", 0 },       { "sport/tennis/+/#", "sport/tennis/x", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (match(cases[i].filter, cases[i].topic) != cases[i].want)
            fail_msg("match(\"%s\", \"%s\") should be %d", cases[i].filter, cases[i].topic, cases[i].want);
}

/* Matching looks at filter[0..filter_len) and topic[0..topic_len) only:
 * exact-size heap copies (ASan) and bytes after the end that would change the answer. */
static void test_topic_match_stays_in_bounds(void **state)
{
    (void)state;
    void *fb, *tb;
    uint8_t *f = exact_copy("a/+", 3, 0, &fb);
    uint8_t *t = exact_copy("a/b", 3, 0, &tb);
    assert_int_equal(bmqtt_topic_match(f, 3, t, 3), 1);
    free(fb);
    free(tb);
    static const uint8_t filter[] = "a/bXYZ", topic[] = "a/b/c";
    assert_int_equal(bmqtt_topic_match(filter, 3, topic, 3), 1); /* "a/b" vs "a/b" */
    assert_int_equal(bmqtt_topic_match(filter, 3, topic, 5), 0); /* "a/b" vs "a/b/c" */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_table_MQTT_1_5_3),
        cmocka_unit_test(test_utf8_empty_ok),
        cmocka_unit_test(test_utf8_one_bad_byte_at_every_position),
        cmocka_unit_test(test_utf8_multibyte_at_every_position),
        cmocka_unit_test(test_topic_name_rules_MQTT_4_7),
        cmocka_unit_test(test_topic_name_wildcard_at_every_position_MQTT_3_3_2_2),
        cmocka_unit_test(test_topic_name_length_limit),
        cmocka_unit_test(test_topic_filter_rules_MQTT_4_7_1),
        cmocka_unit_test(test_topic_match_spec_examples_MQTT_4_7),
        cmocka_unit_test(test_topic_match_levels),
        cmocka_unit_test(test_topic_match_stays_in_bounds),
    };
    return cmocka_run_group_tests_name("topic: UTF-8, names, filters, matching", tests, NULL, NULL);
}
