/* A session that survives a reset (persist.h), on the scripted transport:
 * the retained region is adopted after a "reset" (a new client over a copy of
 * the region at another address), resends follow CONNACK byte for byte, and
 * every image that must be refused is, with its status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/client.h"
#include "bmqtt/persist.h"
#include "mock_transport.h"

#define SLOTS 4
#define Q2 4
#define DATA 64
#define REGION_SIZE BMQTT_RETAINED_SIZE(SLOTS, Q2, DATA)

static mock_t mock;
static bmqtt_transport_t tr;
static uint8_t txb[256], rxb[128];
static bmqtt_inflight_t slots[SLOTS];
static uint16_t ids2[Q2];
static bmqtt_client_config_t cfg;
static bmqtt_client_t cli;
static uint32_t region_a[REGION_SIZE / 4 + 1], region_b[REGION_SIZE / 4 + 1];
static int messages, dones, qos2_dones;
static char last_msg[64];

/* Set by a test: the region the MESSAGE event looks into, and what it saw there. */
static const void *watch_region;
static int id_kept_during_event = -1;
static int drops;
static bmqtt_status_t last_drop;

static int region_keeps_id(const void *region, uint16_t id)
{
    const uint16_t *q = (const uint16_t *)(const void *)((const uint8_t *)region + BMQTT_RETAINED_HEADER +
                                                         BMQTT_RETAINED_RECORD * SLOTS);
    for (int i = 0; i < Q2; i++) {
        if (q[i] == id) return 1;
    }
    return 0;
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_PUBLISH_DONE && ev->status != BMQTT_OK) {
        drops++;
        last_drop = ev->status;
    }
    if (ev->type == BMQTT_EVT_MESSAGE && watch_region) id_kept_during_event = region_keeps_id(watch_region, ev->packet_id);
    if (ev->type == BMQTT_EVT_MESSAGE) {
        messages++;
        snprintf(last_msg, sizeof last_msg, "%.*s", (int)ev->message->payload.len, (const char *)ev->message->payload.ptr);
    }
    if (ev->type == BMQTT_EVT_PUBLISH_DONE && ev->status == BMQTT_OK) dones++;
    if (ev->type == BMQTT_EVT_QOS2_DONE) qos2_dones++;
}

/* A cold start: a new client (the old one is gone with the RAM that a reset clears). */
static bmqtt_status_t boot(void *region, size_t size)
{
    memset(&cli, 0xA5, sizeof cli);
    memset(slots, 0x5A, sizeof slots);
    memset(ids2, 0x5A, sizeof ids2);
    cfg = (bmqtt_client_config_t){ .tx_buf = txb, .tx_size = sizeof txb, .rx_buf = rxb, .rx_size = sizeof rxb,
        .inflight = slots, .inflight_count = SLOTS, .qos2_ids = ids2, .qos2_count = Q2, .on_event = on_event };
    messages = dones = qos2_dones = drops = 0;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    return bmqtt_client_resume(&cli, region, size);
}

/* Connect with clean session 0 and answer CONNACK with Session Present @p sp. */
static void connect(int sp)
{
    bmqtt_connect_t f = { .client_id = BMQTT_VIEW_LIT("dev"), .clean_session = 0, .keepalive_s = 60 };
    mock_init(&mock, &tr);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    (void)mock_take_hex(&mock); /* CONNECT */
    mock_push_hex(&mock, sp ? "20 02 01 00" : "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
}

static void pub(const char *topic, const char *payload, uint8_t qos, uint16_t want_id)
{
    bmqtt_publish_t p = { .qos = qos };
    uint16_t id = 0;
    p.topic = bmqtt_view_str(topic);
    p.payload = bmqtt_view_str(payload);
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, want_id);
}

/* A reset: the region moves to another address (position independence). */
static void *reset(void *from)
{
    void *to = from == region_a ? (void *)region_b : (void *)region_a;
    memcpy(to, from, REGION_SIZE);
    memset(from, 0xEE, REGION_SIZE);
    return to;
}

static void test_cold_start_then_empty_session(void **state)
{
    (void)state;
    memset(region_a, 0, sizeof region_a);
    assert_int_equal(boot(region_a, REGION_SIZE), BMQTT_ERR_NO_SESSION);
    assert_string_equal(bmqtt_status_str(BMQTT_ERR_NO_SESSION), "no saved session");
    assert_int_equal(boot(region_a, REGION_SIZE), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
}

/* [MQTT-4.4.0-1] unacknowledged PUBLISH (with DUP [MQTT-3.3.1-1]) and PUBREL are resent
 * after the CONNACK of the resumed session, in their order; ids continue. */
static void test_resend_after_reset(void **state)
{
    void *r;
    (void)state;
    memset(region_a, 0, sizeof region_a);
    (void)boot(region_a, REGION_SIZE);
    connect(0);
    pub("a/b", "x", 1, 1);
    pub("a/b", "y", 2, 2);
    pub("a/b", "z", 2, 3);
    assert_string_equal(mock_take_hex(&mock),
                        "32 08 00 03 61 2F 62 00 01 78 34 08 00 03 61 2F 62 00 02 79 34 08 00 03 61 2F 62 00 03 7A");
    mock_push_hex(&mock, "50 02 00 02"); /* PUBREC 2 */
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "62 02 00 02");

    r = reset(region_a);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 3);
    connect(1);
    assert_string_equal(mock_take_hex(&mock), "3A 08 00 03 61 2F 62 00 01 78 62 02 00 02 3C 08 00 03 61 2F 62 00 03 7A");
    pub("a/b", "w", 1, 4); /* packet ids continue */
    assert_string_equal(mock_take_hex(&mock), "32 08 00 03 61 2F 62 00 04 77");
    mock_push_hex(&mock, "40 02 00 01 70 02 00 02 40 02 00 04");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_int_equal(dones, 3);

    /* What ended stays ended: only message 3 comes back. */
    r = reset(r);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
    connect(1);
    assert_string_equal(mock_take_hex(&mock), "3C 08 00 03 61 2F 62 00 03 7A");
}

/* [MQTT-4.3.3-2] an incoming QoS 2 message taken before the reset is not delivered again when
 * the broker repeats it; its PUBREL completes it. */
static void test_incoming_qos2_once(void **state)
{
    void *r;
    (void)state;
    memset(region_a, 0, sizeof region_a);
    (void)boot(region_a, REGION_SIZE);
    connect(0);
    mock_push_hex(&mock, "34 08 00 03 61 2F 62 00 07 6D"); /* PUBLISH QoS 2 id 7 "m" */
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(messages, 1);
    assert_string_equal(mock_take_hex(&mock), "50 02 00 07");

    r = reset(region_a);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    connect(1);
    mock_push_hex(&mock, "3C 08 00 03 61 2F 62 00 07 6D"); /* the broker's repeat, DUP */
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(messages, 0);
    assert_string_equal(mock_take_hex(&mock), "50 02 00 07");
    mock_push_hex(&mock, "62 02 00 07");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "70 02 00 07");
    assert_int_equal(qos2_dones, 1);

    /* Completed: after another reset, id 7 is a new message. */
    r = reset(r);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    connect(1);
    mock_push_hex(&mock, "34 08 00 03 61 2F 62 00 07 6E");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(messages, 1);
    assert_string_equal(last_msg, "n");
}

/* A CONNACK without a session forgets the kept incoming ids, in the region too. */
static void test_no_session_clears_ids(void **state)
{
    void *r;
    (void)state;
    memset(region_a, 0, sizeof region_a);
    (void)boot(region_a, REGION_SIZE);
    connect(0);
    mock_push_hex(&mock, "34 08 00 03 61 2F 62 00 07 6D");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    r = reset(region_a);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    connect(0); /* the broker lost our session */
    r = reset(r);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    connect(1);
    mock_push_hex(&mock, "34 08 00 03 61 2F 62 00 07 6D");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(messages, 1);
}

/* Messages end out of order; the data ring wraps; each reset finds exactly the open ones. */
static void test_ring_wraps(void **state)
{
    void *r = region_a;
    char payload[16];
    uint16_t next = 1;
    (void)state;
    memset(region_a, 0, sizeof region_a);
    (void)boot(r, REGION_SIZE);
    connect(0);
    for (int round = 0; round < 40; round++) {
        bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .qos = 1 };
        bmqtt_status_t st;
        uint16_t id;
        char ack[16];
        snprintf(payload, sizeof payload, "%0*d", 5 + round % 9, round);
        p.payload = bmqtt_view_str(payload);
        st = bmqtt_client_publish(&cli, &p, &id);
        if (st == BMQTT_ERR_INFLIGHT_FULL) {
            /* Ack the newest but one, then the rest: out of order. */
            (void)mock_take_hex(&mock);
            for (uint16_t k = (uint16_t)(next - 1); k >= 1 && k + 6 > next; k--) {
                snprintf(ack, sizeof ack, "40 02 %02X %02X", k >> 8, k & 0xFF);
                mock_push_hex(&mock, ack);
            }
            (void)bmqtt_client_poll(&cli, 5);
            r = reset(r);
            assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
            connect(1);
            continue;
        }
        assert_int_equal(st, BMQTT_OK);
        next = (uint16_t)(id + 1);
        /* Reset after every publish: the resent copy must be this payload, byte for byte. */
        (void)mock_take_hex(&mock);
        r = reset(r);
        assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
        connect(1);
        {
            int found = 0;
            for (int i = 0; i < SLOTS; i++) {
                if (slots[i].state && slots[i].pub.packet_id == id) {
                    found = 1;
                    assert_int_equal(slots[i].pub.payload.len, strlen(payload));
                    assert_memory_equal(slots[i].pub.payload.ptr, payload, strlen(payload));
                }
            }
            assert_true(found);
        }
    }
}

/* Images that must be refused, each with its status; the region is then formatted and works. */
static void test_refused_images(void **state)
{
    static const struct { size_t at; uint8_t xor_; bmqtt_status_t want; } cases[] = {
        { 0, 0x01, BMQTT_ERR_NO_SESSION },     /* magic */
        { 4, 0x01, BMQTT_ERR_IMAGE_VERSION },  /* layout version */
        { 12, 0x01, BMQTT_ERR_IMAGE_CHECK },   /* data size changed, header check not */
        { 16, 0x80, BMQTT_ERR_IMAGE_CHECK },   /* the header check itself */
        { 20 + 8, 0x01, BMQTT_ERR_IMAGE_CHECK }, /* record 0's check */
        { 20 + 19, 0x05, BMQTT_ERR_IMAGE_RECORD }, /* record 0's state: 1 -> 4 */
        { BMQTT_RETAINED_SIZE(SLOTS, Q2, 0) + 2, 0x20, BMQTT_ERR_IMAGE_CHECK }, /* its payload byte */
    };
    static uint32_t saved[REGION_SIZE / 4 + 1];
    (void)state;
    memset(region_a, 0, sizeof region_a);
    (void)boot(region_a, REGION_SIZE);
    connect(0);
    pub("a/b", "x", 1, 1);
    memcpy(saved, region_a, REGION_SIZE);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(region_a, saved, REGION_SIZE);
        ((uint8_t *)region_a)[cases[i].at] ^= cases[i].xor_;
        assert_int_equal(boot(region_a, REGION_SIZE), cases[i].want);
        assert_int_equal(bmqtt_client_inflight(&cli), 0);
        assert_int_equal(boot(region_a, REGION_SIZE), BMQTT_OK); /* formatted */
    }
    /* Other table sizes (a firmware update), a region of another size. */
    memcpy(region_a, saved, REGION_SIZE);
    memset(&cli, 0, sizeof cli);
    cfg.inflight_count = SLOTS - 1;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_resume(&cli, region_a, REGION_SIZE), BMQTT_ERR_IMAGE_SIZES);
    memcpy(region_a, saved, REGION_SIZE);
    assert_int_equal(boot(region_a, REGION_SIZE - 4), BMQTT_ERR_IMAGE_TRUNCATED);
    memcpy(region_a, saved, REGION_SIZE);
    assert_int_equal(boot(region_a, REGION_SIZE + 4), BMQTT_ERR_IMAGE_SIZES);
    memcpy(region_a, saved, REGION_SIZE);
    assert_int_equal(boot(region_a, REGION_SIZE), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
}

/* RAM after a cold power-on: any bytes at all give a clean start, never a resend. */
static void test_garbage_never_resent(void **state)
{
    (void)state;
    srand(7);
    for (int round = 0; round < 2000; round++) {
        uint8_t *b = (uint8_t *)region_a;
        for (size_t i = 0; i < REGION_SIZE; i++) b[i] = (uint8_t)rand();
        if (round & 1) { /* a valid header over garbage records */
            memset(region_b, 0, sizeof region_b);
            (void)boot(region_b, REGION_SIZE);
            memcpy(region_a, region_b, BMQTT_RETAINED_HEADER);
        }
        bmqtt_status_t st = boot(region_a, REGION_SIZE);
        if (st == BMQTT_OK) assert_int_equal(bmqtt_client_inflight(&cli), 0); /* only if every state byte is 0 */
        assert_true(st == BMQTT_OK || (st <= BMQTT_STATUS_PERSIST_BASE && st >= BMQTT_ERR_STORE));
    }
}

static void test_params(void **state)
{
    (void)state;
    memset(region_a, 0, sizeof region_a);
    assert_int_equal(boot((uint8_t *)region_a + 1, REGION_SIZE - 4), BMQTT_ERR_PARAM);
    assert_int_equal(boot(region_a, BMQTT_RETAINED_SIZE(SLOTS, Q2, 0)), BMQTT_ERR_PARAM);
    assert_int_equal(boot(NULL, REGION_SIZE), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_resume(NULL, region_a, REGION_SIZE), BMQTT_ERR_PARAM);
    (void)boot(region_a, REGION_SIZE);
    assert_int_equal(bmqtt_client_resume(&cli, region_a, REGION_SIZE), BMQTT_ERR_BUSY); /* twice */
    /* A message larger than the data area cannot be kept. */
    {
        static char big[DATA + 8];
        bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .qos = 1 };
        memset(big, 'b', sizeof big - 1);
        p.payload = bmqtt_view_str(big);
        assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_BUFFER_TOO_SMALL);
    }
}

/* The order the application relies on (persist.h): the id of an incoming QoS 2 message is
 * recorded only once its MESSAGE event returned, and its PUBREC leaves after that. */
static void test_incoming_id_recorded_after_event(void **state)
{
    (void)state;
    memset(region_a, 0, sizeof region_a);
    (void)boot(region_a, REGION_SIZE);
    connect(0);
    watch_region = region_a;
    id_kept_during_event = -1;
    mock_push_hex(&mock, "34 08 00 03 61 2F 62 00 07 6D");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    watch_region = NULL;
    assert_int_equal(id_kept_during_event, 0); /* not during the event */
    assert_true(region_keeps_id(region_a, 7)); /* after it */
    assert_string_equal(mock_take_hex(&mock), "50 02 00 07");
}

/* What does not survive: a message published by reference, one copied into an outbox set
 * after resume; resume after set_outbox is refused. */
static void test_what_does_not_survive(void **state)
{
    void *r;
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("a/b"), .payload = BMQTT_VIEW_LIT("ref"), .qos = 1 };
    static uint8_t box[64];
    (void)state;
    memset(region_a, 0, sizeof region_a);
    (void)boot(region_a, REGION_SIZE);
    connect(0);
    assert_int_equal(bmqtt_client_publish_ref(&cli, &p, NULL), BMQTT_OK);
    pub("a/b", "kept", 1, 2);
    r = reset(region_a);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 1); /* only the copy */
    connect(1);
    assert_string_equal(mock_take_hex(&mock), "3A 0B 00 03 61 2F 62 00 02 6B 65 70 74");
    mock_push_hex(&mock, "40 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, box, sizeof box), BMQTT_OK);
    pub("a/b", "boxed", 1, 3);
    r = reset(r);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
    memset(&cli, 0, sizeof cli);
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, box, sizeof box), BMQTT_OK);
    assert_int_equal(bmqtt_client_resume(&cli, r, REGION_SIZE), BMQTT_ERR_BUSY);
}

/* Resumed with clean session 1: the broker forgets the session, and the resumed messages (maybe
 * sent before the reset) end with BMQTT_ERR_SESSION_ENDED at connect [MQTT-3.1.2-6]. */
static void test_clean_session_drops_resumed(void **state)
{
    void *r;
    bmqtt_connect_t f = { .client_id = BMQTT_VIEW_LIT("dev"), .clean_session = 1 };
    (void)state;
    memset(region_a, 0, sizeof region_a);
    (void)boot(region_a, REGION_SIZE);
    connect(0);
    pub("a/b", "x", 1, 1);
    r = reset(region_a);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    mock_init(&mock, &tr);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    assert_int_equal(drops, 1);
    assert_int_equal(last_drop, BMQTT_ERR_SESSION_ENDED);
    r = reset(r);
    assert_int_equal(boot(r, REGION_SIZE), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cold_start_then_empty_session),
        cmocka_unit_test(test_resend_after_reset),
        cmocka_unit_test(test_incoming_qos2_once),
        cmocka_unit_test(test_no_session_clears_ids),
        cmocka_unit_test(test_ring_wraps),
        cmocka_unit_test(test_refused_images),
        cmocka_unit_test(test_garbage_never_resent),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_incoming_id_recorded_after_event),
        cmocka_unit_test(test_what_does_not_survive),
        cmocka_unit_test(test_clean_session_drops_resumed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
