/*
 * The MQTT 5.0 malformed-input table (tests/vectors/mqtt5/malformed.txt):
 * every row breaks one rule of MQTT 5.0 and gives the exact status
 * bmqtt5_decode() must return, for bytes from a client (@c), a server (@s) or
 * either. Every row is checked and every mismatch printed before the test
 * fails. Also: the statuses' names, and the encoders refusing the same rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/mqtt5.h"
#include "vectors.h"

#define TABLE "tests/vectors/mqtt5/malformed.txt"
#define V(lit) ((bmqtt_view_t)BMQTT_VIEW_LIT(lit))

static const struct {
    const char *name;
    bmqtt_status_t st;
} names5[] = {
#define N(x) { #x, x }
    N(BMQTT5_ERR_PROP_LENGTH),      N(BMQTT5_ERR_PROP_VARINT),      N(BMQTT5_ERR_PROP_UNKNOWN),
    N(BMQTT5_ERR_PROP_NOT_ALLOWED), N(BMQTT5_ERR_PROP_DUPLICATE),   N(BMQTT5_ERR_PROP_VALUE),
    N(BMQTT5_ERR_TOPIC_ALIAS_ZERO), N(BMQTT5_ERR_SUB_ID_ZERO),      N(BMQTT5_ERR_RECEIVE_MAX_ZERO),
    N(BMQTT5_ERR_MAX_PACKET_ZERO),  N(BMQTT5_ERR_REASON_CODE),      N(BMQTT5_ERR_SUB_OPTIONS),
    N(BMQTT5_ERR_RETAIN_HANDLING),  N(BMQTT5_ERR_PAYLOAD_FORMAT),   N(BMQTT5_ERR_NO_TOPIC),
    N(BMQTT5_ERR_AUTH_DATA),        N(BMQTT5_ERR_SHARED_NO_LOCAL),  N(BMQTT5_ERR_SHARE_NAME),
    N(BMQTT5_ERR_RESPONSE_TOPIC),   N(BMQTT5_ERR_WRONG_SIDE),
#undef N
};
#define N5 (sizeof names5 / sizeof names5[0])

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

/* "NAME" or "NAME@c" / "NAME@s" into a status and a side. Returns 0 or -1. */
static int parse_key(const char *key, int *st, bmqtt5_from_t *from)
{
    char name[TV_KEY_MAX];
    const char *at = strchr(key, '@');
    size_t n = at ? (size_t)(at - key) : strlen(key);
    memcpy(name, key, n);
    name[n] = '\0';
    *from = BMQTT5_FROM_EITHER;
    if (at && strcmp(at, "@c") == 0) *from = BMQTT5_FROM_CLIENT;
    else if (at && strcmp(at, "@s") == 0) *from = BMQTT5_FROM_SERVER;
    else if (at) return -1;
    for (size_t i = 0; i < N5; i++) {
        if (strcmp(name, names5[i].name) == 0) {
            *st = (int)names5[i].st;
            return 0;
        }
    }
    return tv_status_from_name(name, st);
}

static const char *name_of(int st)
{
    for (size_t i = 0; i < N5; i++)
        if ((int)names5[i].st == st) return names5[i].name;
    const char *n = tv_status_name(st);
    return n ? n : "(not a status)";
}

static void test_table_is_well_formed(void **state)
{
    (void)state;
    assert_true(g_rows.count >= 150);
    for (size_t i = 0; i < g_rows.count; i++) {
        const tv_row_t *r = &g_rows.rows[i];
        int st;
        bmqtt5_from_t from;
        if (parse_key(r->key, &st, &from) != 0) fail_msg("%s:%u: unknown key %s", TABLE, r->line, r->key);
        if (r->len < 2) fail_msg("%s:%u: fewer than two bytes", TABLE, r->line);
        if (strstr(r->comment, "[MQTT-") == NULL && strstr(r->comment, "section") == NULL)
            fail_msg("%s:%u: the comment cites no rule", TABLE, r->line);
    }
    /* every rule new in 5.0 has a row */
    for (size_t k = 0; k < N5; k++) {
        int seen = 0;
        for (size_t i = 0; i < g_rows.count && !seen; i++) {
            int st;
            bmqtt5_from_t from;
            assert_int_equal(parse_key(g_rows.rows[i].key, &st, &from), 0);
            seen = st == (int)names5[k].st;
        }
        if (!seen) fail_msg("no row for %s", names5[k].name);
    }
}

/* The exact status, through bmqtt5_decode() and bmqtt5_decode_body(). */
static void test_decode_gives_exact_status(void **state)
{
    (void)state;
    int failures = 0, heads = 0;
    for (size_t i = 0; i < g_rows.count; i++) {
        const tv_row_t *r = &g_rows.rows[i];
        int want;
        bmqtt5_from_t from;
        assert_int_equal(parse_key(r->key, &want, &from), 0);
        uint8_t *in = malloc(r->len); /* exact size: ASan sees any over-read */
        assert_non_null(in);
        memcpy(in, r->bytes, r->len);
        bmqtt5_packet_t pkt;
        size_t used = 0;
        bmqtt_status_t got = bmqtt5_decode(in, r->len, from, &pkt, &used);
        if ((int)got != want) {
            fprintf(stderr, "%s:%u: got %s, want %s  # %s\n", TABLE, r->line, name_of(got), name_of(want), r->comment);
            failures++;
        } else if (used > r->len) {
            fprintf(stderr, "%s:%u: used %lu > %lu\n", TABLE, r->line, (unsigned long)used, (unsigned long)r->len);
            failures++;
        }
        /* A whole packet: the body decoder agrees. */
        bmqtt_fixed_header_t h;
        size_t hl = 0;
        uint32_t rl = 0;
        if (r->len >= 2 && bmqtt_varint_decode(in + 1, r->len - 1, &rl, &hl) == BMQTT_OK && 1 + hl + rl == r->len &&
            want != BMQTT_ERR_BAD_VARINT) {
            got = bmqtt5_decode_body(in[0], in + 1 + hl, rl, from, &pkt);
            if ((int)got != want) {
                fprintf(stderr, "%s:%u: body: got %s, want %s\n", TABLE, r->line, name_of(got), name_of(want));
                failures++;
            }
        }
        (void)h;
        /* A PUBLISH: the head decoder, given every prefix of the body, needs more or says the
         * same (it leaves the payload's UTF-8 to the caller). */
        if ((in[0] >> 4) == BMQTT_PUBLISH && hl && 1 + hl + rl == r->len && want != BMQTT_ERR_BAD_QOS &&
            want != BMQTT_ERR_PROTOCOL && want != BMQTT_ERR_BAD_VARINT) {
            const int head_want = want == (int)BMQTT5_ERR_PAYLOAD_FORMAT ? BMQTT_OK : want;
            heads++;
            for (size_t avail = 0; avail <= rl; avail++) {
                bmqtt5_publish_t pub;
                size_t head_len;
                got = bmqtt5_publish_decode_head(in[0] & 0x0Fu, in + 1 + hl, avail, rl, from, &pub, &head_len);
                if ((int)got != head_want && (got != BMQTT_NEED_MORE || avail == rl)) {
                    fprintf(stderr, "%s:%u: head of %lu bytes: got %s, want %s\n", TABLE, r->line,
                            (unsigned long)avail, name_of(got), name_of(head_want));
                    failures++;
                    break;
                }
            }
        }
        free(in);
    }
    if (failures) fail_msg("%d of %lu rows wrong", failures, (unsigned long)g_rows.count);
    assert_true(heads >= 25); /* the PUBLISH rows went through the head decoder too */
}

/* Every row cut short at every length: never a crash (ASan), never BMQTT_OK
 * for a packet whose whole was wrong unless the cut makes a shorter valid one. */
static void test_prefixes_do_not_overread(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_rows.count; i++) {
        const tv_row_t *r = &g_rows.rows[i];
        for (size_t n = 0; n < r->len; n++) {
            uint8_t *in = malloc(n ? n : 1);
            assert_non_null(in);
            memcpy(in, r->bytes, n);
            bmqtt5_packet_t pkt;
            size_t used;
            bmqtt_status_t st = bmqtt5_decode(in, n, BMQTT5_FROM_EITHER, &pkt, &used);
            assert_true(st == BMQTT_NEED_MORE || BMQTT5_STATUS_IS_PEER_ERROR(st));
            free(in);
        }
    }
}

static void test_status_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < N5; i++) {
        const char *s = bmqtt_status_str(names5[i].st);
        assert_non_null(s);
        if (strstr(s, "unknown") || strstr(s, "MQTT 5.0 codec")) fail_msg("%s has no name: %s", names5[i].name, s);
        for (size_t j = 0; j < i; j++) assert_string_not_equal(s, bmqtt_status_str(names5[j].st));
        assert_true(BMQTT5_STATUS_IS_PEER_ERROR(names5[i].st));
        assert_false(BMQTT_STATUS_IS_PEER_ERROR(names5[i].st));
        assert_int_equal((int)names5[i].st, -200 - (int)i); /* part of the ABI */
    }
    assert_true(BMQTT5_STATUS_IS_PEER_ERROR(BMQTT_ERR_BAD_UTF8));
    assert_false(BMQTT5_STATUS_IS_PEER_ERROR(BMQTT_ERR_BUFFER_TOO_SMALL));
    assert_string_equal(bmqtt_status_str((bmqtt_status_t)-225), "MQTT 5.0 codec"); /* in the range, no name */
}

/* ---- encoders refuse what the decoders refuse ---------------------------- */

static bmqtt_status_t pub_with(const bmqtt5_prop_t *props, size_t n, bmqtt_view_t topic, bmqtt_view_t payload)
{
    bmqtt5_publish_t p = { topic, payload, { props, n, { NULL, 0 } }, 0, 0, 0, 0 };
    size_t len;
    uint8_t buf[64];
    bmqtt_status_t sized = bmqtt5_publish_encode(&p, NULL, 0, &len);
    bmqtt_status_t small = bmqtt5_publish_encode(&p, buf, 1, &len);
    bmqtt_status_t full = bmqtt5_publish_encode(&p, buf, sizeof buf, &len);
    /* the status does not depend on the buffer */
    if (sized != BMQTT_OK) {
        assert_int_equal(full, sized);
        assert_int_equal(small, sized);
    }
    return full;
}

#define PR(id, num) { (id), 0, (num), { NULL, 0 }, { NULL, 0 } }
#define PS(id, s) { (id), 0, 0, V(s), { NULL, 0 } }

static void test_encoders_refuse(void **state)
{
    (void)state;
    const bmqtt_view_t t = V("t"), none = { NULL, 0 };
    const bmqtt5_prop_t alias0[] = { PR(BMQTT5_PROP_TOPIC_ALIAS, 0) };
    const bmqtt5_prop_t alias_twice[] = { PR(BMQTT5_PROP_TOPIC_ALIAS, 1), PR(BMQTT5_PROP_TOPIC_ALIAS, 2) };
    const bmqtt5_prop_t subid0[] = { PR(BMQTT5_PROP_SUBSCRIPTION_ID, 0) };
    const bmqtt5_prop_t fmt2[] = { PR(BMQTT5_PROP_PAYLOAD_FORMAT, 2) };
    const bmqtt5_prop_t fmt1[] = { PR(BMQTT5_PROP_PAYLOAD_FORMAT, 1) };
    const bmqtt5_prop_t session[] = { PR(BMQTT5_PROP_SESSION_EXPIRY, 1) };
    const bmqtt5_prop_t unknown[] = { PR(0x05, 1) };
    const bmqtt5_prop_t resp[] = { PS(BMQTT5_PROP_RESPONSE_TOPIC, "a/#") };
    const bmqtt5_prop_t badstr[] = { PS(BMQTT5_PROP_CONTENT_TYPE, "\xc0\x80") };
    const bmqtt5_prop_t big16[] = { PR(BMQTT5_PROP_TOPIC_ALIAS, 0x10000) };
    assert_int_equal(pub_with(alias0, 1, t, none), BMQTT5_ERR_TOPIC_ALIAS_ZERO);
    assert_int_equal(pub_with(alias_twice, 2, t, none), BMQTT5_ERR_PROP_DUPLICATE);
    assert_int_equal(pub_with(subid0, 1, t, none), BMQTT5_ERR_SUB_ID_ZERO);
    assert_int_equal(pub_with(fmt2, 1, t, none), BMQTT5_ERR_PROP_VALUE);
    assert_int_equal(pub_with(fmt1, 1, t, V("\xff")), BMQTT5_ERR_PAYLOAD_FORMAT);
    assert_int_equal(pub_with(fmt1, 1, t, V("\xc3\xa9")), BMQTT_OK);
    assert_int_equal(pub_with(session, 1, t, none), BMQTT5_ERR_PROP_NOT_ALLOWED);
    assert_int_equal(pub_with(unknown, 1, t, none), BMQTT5_ERR_PROP_UNKNOWN);
    assert_int_equal(pub_with(resp, 1, t, none), BMQTT5_ERR_RESPONSE_TOPIC);
    assert_int_equal(pub_with(badstr, 1, t, none), BMQTT_ERR_BAD_UTF8);
    assert_int_equal(pub_with(big16, 1, t, none), BMQTT_ERR_PARAM);
    assert_int_equal(pub_with(NULL, 0, V(""), none), BMQTT5_ERR_NO_TOPIC);
    assert_int_equal(pub_with(NULL, 0, V("a/+"), none), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(pub_with(NULL, 1, t, none), BMQTT_ERR_PARAM);

    size_t len;
    uint8_t buf[64];
    /* reason codes */
    bmqtt5_ack_t ack = { { NULL, 0, { NULL, 0 } }, 1, 0x92 };
    assert_int_equal(bmqtt5_ack_encode(BMQTT_PUBACK, &ack, buf, sizeof buf, &len), BMQTT5_ERR_REASON_CODE);
    assert_int_equal(bmqtt5_ack_encode(BMQTT_PUBREL, &ack, buf, sizeof buf, &len), BMQTT_OK);
    assert_int_equal(bmqtt5_ack_encode(BMQTT_SUBACK, &ack, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    ack.packet_id = 0;
    assert_int_equal(bmqtt5_ack_encode(BMQTT_PUBREL, &ack, buf, sizeof buf, &len), BMQTT_ERR_BAD_PACKET_ID);
    bmqtt5_connack_t ca = { { NULL, 0, { NULL, 0 } }, 0, 0x01 };
    assert_int_equal(bmqtt5_connack_encode(&ca, buf, sizeof buf, &len), BMQTT5_ERR_REASON_CODE);
    ca.reason_code = 0x87;
    ca.session_present = 1;
    assert_int_equal(bmqtt5_connack_encode(&ca, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    bmqtt5_reason_t dc = { { NULL, 0, { NULL, 0 } }, 0x01 };
    assert_int_equal(bmqtt5_reason_encode(BMQTT_DISCONNECT, &dc, buf, sizeof buf, &len), BMQTT5_ERR_REASON_CODE);
    assert_int_equal(bmqtt5_reason_encode(BMQTT_PINGREQ, &dc, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    const uint8_t sub_codes[] = { 0x00, 0x11 };
    assert_int_equal(bmqtt5_suback_encode(BMQTT_SUBACK, 1, NULL, sub_codes, 2, buf, sizeof buf, &len),
                     BMQTT5_ERR_REASON_CODE);
    assert_int_equal(bmqtt5_suback_encode(BMQTT_UNSUBACK, 1, NULL, sub_codes, 2, buf, sizeof buf, &len), BMQTT_OK);
    assert_int_equal(bmqtt5_suback_encode(BMQTT_SUBACK, 1, NULL, sub_codes, 0, buf, sizeof buf, &len),
                     BMQTT_ERR_EMPTY_LIST);

    /* subscriptions */
    bmqtt5_subscription_t s = { V("a"), 0, 0, 0, 3 };
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 1, buf, sizeof buf, &len), BMQTT5_ERR_RETAIN_HANDLING);
    s = (bmqtt5_subscription_t){ V("$share/g/a"), 0, 1, 0, 0 };
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 1, buf, sizeof buf, &len), BMQTT5_ERR_SHARED_NO_LOCAL);
    s = (bmqtt5_subscription_t){ V("$share/g"), 0, 0, 0, 0 };
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 1, buf, sizeof buf, &len), BMQTT5_ERR_SHARE_NAME);
    s = (bmqtt5_subscription_t){ V("a/#/b"), 0, 0, 0, 0 };
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 1, buf, sizeof buf, &len), BMQTT_ERR_BAD_FILTER);
    s = (bmqtt5_subscription_t){ V("a"), 3, 0, 0, 0 };
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 1, buf, sizeof buf, &len), BMQTT_ERR_PARAM);
    const bmqtt5_prop_t subids[] = { PR(BMQTT5_PROP_SUBSCRIPTION_ID, 1), PR(BMQTT5_PROP_SUBSCRIPTION_ID, 2) };
    bmqtt5_props_t two = { subids, 2, { NULL, 0 } };
    s = (bmqtt5_subscription_t){ V("a"), 0, 0, 0, 0 };
    assert_int_equal(bmqtt5_subscribe_encode(1, &two, &s, 1, buf, sizeof buf, &len), BMQTT5_ERR_PROP_DUPLICATE);
    assert_int_equal(bmqtt5_subscribe_encode(1, NULL, &s, 0, buf, sizeof buf, &len), BMQTT_ERR_EMPTY_LIST);

    /* CONNECT */
    bmqtt5_connect_t c;
    memset(&c, 0, sizeof c);
    c.client_id = V("");
    const bmqtt5_prop_t data_only[] = { PS(BMQTT5_PROP_AUTH_DATA, "x") };
    c.props = (bmqtt5_props_t){ data_only, 1, { NULL, 0 } };
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &len), BMQTT5_ERR_AUTH_DATA);
    const bmqtt5_prop_t rmax0[] = { PR(BMQTT5_PROP_RECEIVE_MAX, 0) };
    c.props = (bmqtt5_props_t){ rmax0, 1, { NULL, 0 } };
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &len), BMQTT5_ERR_RECEIVE_MAX_ZERO);
    const bmqtt5_prop_t mps0[] = { PR(BMQTT5_PROP_MAX_PACKET_SIZE, 0) };
    c.props = (bmqtt5_props_t){ mps0, 1, { NULL, 0 } };
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &len), BMQTT5_ERR_MAX_PACKET_ZERO);
    c.props = (bmqtt5_props_t){ NULL, 0, { NULL, 0 } };
    c.will_props = (bmqtt5_props_t){ fmt1, 1, { NULL, 0 } };
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &len), BMQTT_ERR_PARAM); /* will properties, no will */
    c.will_topic = V("w");
    c.will_payload = V("\xfe");
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &len), BMQTT5_ERR_PAYLOAD_FORMAT);
    c.will_props = (bmqtt5_props_t){ session, 1, { NULL, 0 } };
    assert_int_equal(bmqtt5_connect_encode(&c, NULL, 0, &len), BMQTT5_ERR_PROP_NOT_ALLOWED);
    c.will_props = (bmqtt5_props_t){ NULL, 0, { NULL, 0 } };
    c.password = V("pw"); /* 5.0 allows a password without a user name */
    assert_int_equal(bmqtt5_connect_encode(&c, buf, sizeof buf, &len), BMQTT_OK);
    assert_int_equal(buf[9], 0x44); /* password and will flags, clean start 0 */
    assert_int_equal(bmqtt5_connect_encode(NULL, buf, sizeof buf, &len), BMQTT_ERR_PARAM);

    /* decoder arguments */
    bmqtt5_packet_t pkt;
    assert_int_equal(bmqtt5_decode(NULL, 0, BMQTT5_FROM_EITHER, &pkt, &len), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_decode(buf, 2, (bmqtt5_from_t)3, &pkt, &len), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt5_decode(buf, 0, BMQTT5_FROM_EITHER, &pkt, &len), BMQTT_NEED_MORE);
    uint8_t level;
    static const uint8_t v311[] = { 0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x0A, 0x00, 0x01, 'p' };
    assert_int_equal(bmqtt5_protocol_level(v311, sizeof v311, &level), BMQTT_OK);
    assert_int_equal(level, 4);
    assert_int_equal(bmqtt5_protocol_level(v311, 8, &level), BMQTT_NEED_MORE);
    assert_int_equal(bmqtt5_protocol_level((const uint8_t *)"\x20\x02\x00\x00", 4, &level), BMQTT_ERR_BAD_TYPE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_well_formed),
        cmocka_unit_test(test_decode_gives_exact_status),
        cmocka_unit_test(test_prefixes_do_not_overread),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_encoders_refuse),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
