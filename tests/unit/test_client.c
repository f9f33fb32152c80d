/* The client session against a scripted transport, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/client.h"
#include "mock_transport.h"

static mock_t mock;
static bmqtt_transport_t tr;
static uint8_t txb[256], rxb[64];
static bmqtt_inflight_t slots[4];
static uint16_t ids2[4];
static bmqtt_client_config_t cfg;
static bmqtt_client_t cli;

/* What the callbacks saw. */
static char got[8192];
static size_t got_len;
static int messages, chunks, dones, subacks, unsubacks;
static uint16_t last_unsuback;
static uint16_t last_done;
static uint8_t last_codes[8];

static void on_message(void *user, const bmqtt_message_t *m)
{
    (void)user;
    chunks++;
    if (m->offset == 0) messages++;
    assert_int_equal(m->offset, got_len); /* chunks arrive in order, none missing */
    assert_true(got_len + m->payload.len <= sizeof got);
    memcpy(got + got_len, m->payload.ptr, m->payload.len);
    got_len += m->payload.len;
    assert_true(got_len <= m->total);
    if (got_len == m->total) got_len = 0, got[m->total < sizeof got ? m->total : 0] = 0;
}

static void on_done(void *user, uint16_t id)
{
    (void)user;
    dones++;
    last_done = id;
}

static void on_suback(void *user, uint16_t id, bmqtt_view_t codes)
{
    (void)user;
    (void)id;
    subacks++;
    memcpy(last_codes, codes.ptr, codes.len < 8 ? codes.len : 8);
}

static void on_unsuback(void *user, uint16_t id)
{
    (void)user;
    unsubacks++;
    last_unsuback = id;
}

static bmqtt_connect_t fields(uint8_t clean)
{
    bmqtt_connect_t f;
    memset(&f, 0, sizeof f);
    f.client_id = bmqtt_view_str("c1");
    f.clean_session = clean;
    f.keepalive_s = 10;
    return f;
}

static int setup(void **state)
{
    (void)state;
    mock_init(&mock, &tr);
    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buf = txb;
    cfg.tx_size = sizeof txb;
    cfg.rx_buf = rxb;
    cfg.rx_size = sizeof rxb;
    cfg.inflight = slots;
    cfg.inflight_count = 4;
    cfg.qos2_ids = ids2;
    cfg.qos2_count = 4;
    cfg.on_message = on_message;
    cfg.on_publish_done = on_done;
    cfg.on_suback = on_suback;
    cfg.on_unsuback = on_unsuback;
    messages = chunks = dones = subacks = unsubacks = 0;
    got_len = 0;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    return 0;
}

/* CONNECT out, CONNACK in: connected at time @p now. */
static void connect_at(uint32_t now, uint8_t clean, const char *connack)
{
    bmqtt_connect_t f = fields(clean);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, now), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, now), BMQTT_WOULD_BLOCK);
    assert_string_equal(mock_take_hex(&mock), clean ? "10 0E 00 04 4D 51 54 54 04 02 00 0A 00 02 63 31"
                                                    : "10 0E 00 04 4D 51 54 54 04 00 00 0A 00 02 63 31");
    mock_push_hex(&mock, connack);
    assert_int_equal(bmqtt_client_poll(&cli, now), BMQTT_OK);
}

static void test_connect_bytes_and_connack_MQTT_3_1_0_1(void **state)
{
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_string_equal(mock_take_hex(&mock), "");
}

static void test_connack_refusals_are_distinct_statuses(void **state)
{
    static const bmqtt_status_t want[6] = { BMQTT_OK, BMQTT_ERR_REFUSED_VERSION, BMQTT_ERR_REFUSED_IDENTIFIER,
                                            BMQTT_ERR_REFUSED_UNAVAILABLE, BMQTT_ERR_REFUSED_CREDENTIALS,
                                            BMQTT_ERR_REFUSED_NOT_AUTHORIZED };
    for (int rc = 1; rc <= 5; rc++) {
        char hex[32];
        bmqtt_connect_t f = fields(1);
        setup(state);
        assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
        snprintf(hex, sizeof hex, "20 02 00 %02X", rc);
        mock_push_hex(&mock, hex);
        assert_int_equal(bmqtt_client_poll(&cli, 0), want[rc]);
        assert_true(mock.closed);
        assert_int_equal(bmqtt_client_publish(&cli, &(bmqtt_publish_t){ .topic = BMQTT_VIEW_LIT("t") }, NULL),
                         BMQTT_ERR_NOT_CONNECTED);
    }
}

static void test_connack_timeout(void **state)
{
    bmqtt_connect_t f = fields(1);
    (void)state;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 100), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 100 + BMQTT_RESPONSE_TIMEOUT_MS - 1), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, 100 + BMQTT_RESPONSE_TIMEOUT_MS), BMQTT_ERR_TIMEOUT);
}

/* Keepalive across the 2^32 ms wrap: PINGREQ after 10 s of silence [MQTT-3.1.2-23],
 * then the connection is lost when no PINGRESP comes. */
static void test_keepalive_across_clock_wrap(void **state)
{
    uint32_t t0 = 0xFFFFF000u; /* 4096 ms before the wrap */
    (void)state;
    connect_at(t0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 9999u), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 10000u), BMQTT_OK); /* wrapped: 5904 */
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    mock_push_hex(&mock, "D0 00");
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 10100u), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 20100u), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 20100u + BMQTT_RESPONSE_TIMEOUT_MS), BMQTT_ERR_KEEPALIVE);
    assert_true(mock.closed);
}

static void test_publish_qos0_1_2_flows_MQTT_4_3(void **state)
{
    uint16_t id;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("hi") };
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 0);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "30 05 00 01 74 68 69");

    p.qos = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 07 00 01 74 00 01 68 69");
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_int_equal(dones, 1);
    assert_int_equal(last_done, 1);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);

    p.qos = 2;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 2);
    assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "34 07 00 01 74 00 02 68 69");
    mock_push_hex(&mock, "50 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 5), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "62 02 00 02"); /* PUBREL [MQTT-4.3.3-1] */
    assert_int_equal(dones, 1);
    mock_push_hex(&mock, "70 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 6), BMQTT_OK);
    assert_int_equal(dones, 2);
    assert_int_equal(last_done, 2);
}

static void test_inflight_full_and_ids_skip_in_use(void **state)
{
    uint16_t id;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
        assert_int_equal(id, i);
    }
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_ERR_INFLIGHT_FULL);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    mock_push_hex(&mock, "40 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 5);
}

/* Incoming QoS 2 delivered once though the broker resends it with DUP [MQTT-4.3.3-2]. */
static void test_receive_qos2_exactly_once(void **state)
{
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock_push_hex(&mock, "34 07 00 01 74 00 05 68 69");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "50 02 00 05");
    mock_push_hex(&mock, "3C 07 00 01 74 00 05 68 69");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "50 02 00 05");
    assert_int_equal(messages, 1);
    mock_push_hex(&mock, "62 02 00 05");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "70 02 00 05");
    /* After PUBREL the id is free: the same id now carries a new message. */
    mock_push_hex(&mock, "34 07 00 01 74 00 05 68 6F");
    assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_OK);
    assert_int_equal(messages, 2);
}

static void test_receive_qos1_and_several_packets_in_one_read(void **state)
{
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock_push_hex(&mock, "32 07 00 01 74 00 09 68 69 30 05 00 01 74 6F 6B D0 00");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 09");
    assert_int_equal(messages, 2);
    assert_string_equal(got, "ok");
}

/* Persistent session: after a drop, unacknowledged PUBLISH (DUP) and PUBREL are
 * resent in their original order when the broker has the session [MQTT-4.4.0-1]. */
static void test_resend_after_reconnect_in_order(void **state)
{
    uint16_t id;
    (void)state;
    connect_at(0, 0, "20 02 00 00");
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("a"), .qos = 2 };
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK); /* id 1, will reach PUBREL */
    p.qos = 1;
    p.payload = (bmqtt_view_t)BMQTT_VIEW_LIT("b");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK); /* id 2, unacknowledged */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "34 06 00 01 74 00 01 61 32 06 00 01 74 00 02 62");
    mock_push_hex(&mock, "50 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "62 02 00 01");
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_ERR_CLOSED);

    mock.closed = 0;
    mock.fail_recv = 0;
    connect_at(4, 0, "20 02 01 00");
    assert_string_equal(mock_take_hex(&mock), "62 02 00 01 3A 06 00 01 74 00 02 62");

    /* Without a session on the broker, nothing is resent. */
    mock.closed = 0;
    connect_at(5, 0, "20 02 00 00");
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
}

/* A PUBLISH larger than the 64-byte receive buffer arrives in chunks, in order. */
static void test_large_publish_is_chunked(void **state)
{
    static uint8_t pkt[1200];
    char want[1100];
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    for (size_t i = 0; i < 1000; i++) want[i] = (char)('a' + i % 26);
    want[1000] = 0;
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("big/topic"), .payload = { (const uint8_t *)want, 1000 },
                          .qos = 1, .packet_id = 77 };
    size_t n;
    assert_int_equal(bmqtt_publish_encode(&p, pkt, sizeof pkt, &n), BMQTT_OK);
    for (size_t split = 1; split <= 70; split += 23) {
        mock.max_recv = split;
        mock_push(&mock, pkt, n);
        mock_push_hex(&mock, "30 05 00 01 74 6F 6B"); /* a small one right behind it */
        messages = chunks = 0;
        for (int i = 0; i < 2000 && messages < 2; i++) assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
        assert_int_equal(messages, 2);
        assert_true(chunks > 2);
        assert_string_equal(mock_take_hex(&mock), "40 02 00 4D");
    }
}

/* Would-block and 1-byte writes at every position: the same bytes, once. */
static void test_send_resumes_after_would_block(void **state)
{
    (void)state;
    mock.max_send = 1;
    mock.send_block_every = 2;
    bmqtt_connect_t f = fields(1);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    for (int i = 0; i < 100; i++) (void)bmqtt_client_poll(&cli, 0);
    assert_string_equal(mock_take_hex(&mock), "10 0E 00 04 4D 51 54 54 04 02 00 0A 00 02 63 31");
    mock.max_recv = 1;
    mock_push_hex(&mock, "20 02 00 00 32 07 00 01 74 00 09 68 69");
    for (int i = 0; i < 100; i++) (void)bmqtt_client_poll(&cli, 0);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 09");
    assert_int_equal(messages, 1);
}

static void test_subscribe_suback_with_failure_code(void **state)
{
    uint16_t id;
    bmqtt_subscription_t s[2] = { { BMQTT_VIEW_LIT("a/#"), 1 }, { BMQTT_VIEW_LIT("b"), 2 } };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_subscribe(&cli, s, 2, &id), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "82 0C 00 01 00 03 61 2F 23 01 00 01 62 02");
    mock_push_hex(&mock, "90 04 00 01 01 80");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(subacks, 1);
    assert_int_equal(last_codes[0], 1);
    assert_int_equal(last_codes[1], 0x80);
}

static void test_unsubscribe_unsuback(void **state)
{
    uint16_t id;
    bmqtt_view_t f[1] = { BMQTT_VIEW_LIT("a/+") };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_unsubscribe(&cli, f, 1, &id), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &(bmqtt_subscription_t){ BMQTT_VIEW_LIT("b"), 0 }, 1, NULL),
                     BMQTT_ERR_BUSY); /* the UNSUBSCRIBE is still on the line */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "A2 07 00 01 00 03 61 2F 2B");
    mock_push_hex(&mock, "B0 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(unsubacks, 1);
    assert_int_equal(last_unsuback, id);
}

/* Bad input from the broker closes the session with the codec's exact status. */
static void test_malformed_from_broker_closes_with_status(void **state)
{
    static const struct { const char *hex; bmqtt_status_t st; } rows[] = {
        { "30 04 00 FF 41 42", BMQTT_ERR_BAD_LENGTH },
        { "36 05 00 01 74 00 01", BMQTT_ERR_BAD_QOS },
        { "30 03 00 01 2B", BMQTT_ERR_BAD_TOPIC },
        { "20 02 00 00", BMQTT_ERR_PROTOCOL },  /* a second CONNACK */
        { "40 02 00 07", BMQTT_ERR_PROTOCOL },  /* PUBACK for an id never used */
        { "C0 00", BMQTT_ERR_PROTOCOL },        /* PINGREQ from a server */
        { "90 03 00 07 00", BMQTT_ERR_PROTOCOL }, /* SUBACK for an id never used */
        { "B0 02 00 07", BMQTT_ERR_PROTOCOL },  /* UNSUBACK for an id never used */
        { "FF FF FF FF FF 7F", BMQTT_ERR_BAD_TYPE },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        setup(state);
        connect_at(0, 1, "20 02 00 00");
        mock_push_hex(&mock, rows[i].hex);
        assert_int_equal(bmqtt_client_poll(&cli, 1), rows[i].st);
        assert_true(mock.closed);
    }
}

/* SUBACK/UNSUBACK are matched to the requests actually pending: id, kind and
 * the number of return codes [MQTT-3.8.4-5]; the table is bounded. */
static void test_suback_unsuback_must_match_a_pending_request(void **state)
{
    static const struct { const char *answer; bmqtt_status_t st; } rows[] = {
        { "90 04 00 01 00 01", BMQTT_ERR_PROTOCOL }, /* 2 codes for a 1-filter SUBSCRIBE */
        { "B0 02 00 01", BMQTT_ERR_PROTOCOL },       /* UNSUBACK for the SUBSCRIBE's id */
        { "90 03 00 02 00", BMQTT_ERR_PROTOCOL },    /* SUBACK for the UNSUBSCRIBE's id */
        { "90 03 00 01 02", BMQTT_OK },
        { "B0 02 00 02", BMQTT_OK },
    };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 2 };
    bmqtt_view_t f = BMQTT_VIEW_LIT("b");
    uint16_t id;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        setup(state);
        connect_at(0, 1, "20 02 00 00");
        assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_OK);
        assert_int_equal(id, 1);
        assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
        assert_int_equal(bmqtt_client_unsubscribe(&cli, &f, 1, &id), BMQTT_OK);
        assert_int_equal(id, 2);
        assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
        assert_string_equal(mock_take_hex(&mock), "82 06 00 01 00 01 61 02 A2 05 00 02 00 01 62");
        /* Both entries (BMQTT_MAX_PENDING_REQ = 2) are taken: a third request waits. */
        assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_ERR_BUSY);
        mock_push_hex(&mock, rows[i].answer);
        assert_int_equal(bmqtt_client_poll(&cli, 2), rows[i].st);
        assert_int_equal(mock.closed, rows[i].st != BMQTT_OK);
        assert_int_equal(subacks + unsubacks, rows[i].st == BMQTT_OK);
    }
    /* The answered entry is free again, and its id is not reused while one is pending. */
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_OK);
    assert_int_equal(id, 3);
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_ERR_BUSY);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 0x8000, NULL), BMQTT_ERR_PARAM);
}

/* Requests still pending when the link drops are forgotten by the next
 * connect: an answer to them on the new connection is a protocol error. */
static void test_pending_requests_forgotten_on_reconnect(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 1 };
    (void)state;
    connect_at(0, 0, "20 02 00 00");
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    bmqtt_client_abort(&cli);
    mock.closed = 0;
    (void)mock_take_hex(&mock);
    connect_at(2, 0, "20 02 01 00");
    mock_push_hex(&mock, "90 03 00 01 01");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_ERR_PROTOCOL);
    assert_int_equal(subacks, 0);
}

/* A CONNACK that is already waiting before the CONNECT is fully written is not
 * read until the CONNECT is out: the client never acts on an answer to a
 * request it has not finished sending [MQTT-3.1.0-1, MQTT-3.2.0-1]. */
static void test_connack_before_connect_is_written(void **state)
{
    bmqtt_connect_t f = fields(1);
    (void)state;
    mock_push_hex(&mock, "20 02 00 00");
    mock.max_send = 5;
    mock.send_block_every = 1; /* every send would-blocks: nothing goes out */
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    for (int i = 0; i < 10; i++) assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_WOULD_BLOCK);
    assert_int_equal(mock.recv_calls, 0);
    assert_int_equal(mock.in_pos, 0);
    mock.send_block_every = 0; /* now 5 bytes per call */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "10 0E 00 04 4D 51 54 54 04 02 00 0A 00 02 63 31");
}

/* Reconnect after a drop, as a broker that kept the session answers. */
static void reconnect_with_session(uint32_t now)
{
    mock.closed = 0;
    mock.fail_recv = 0;
    mock.drop_at_out = 0;
    mock.in_pos = mock.in_len = 0;
    (void)mock_take_hex(&mock);
    connect_at(now, 0, "20 02 01 00");
}

/* Fault injection: the link drops at every byte of an outgoing QoS 1 exchange
 * (the client's PUBLISH, then the broker's PUBACK). After the reconnect the
 * message is resent with DUP [MQTT-3.3.1-1] and completes exactly once. */
static void test_drop_at_every_byte_qos1_out(void **state)
{
    static const char *pub = "32 07 00 01 74 00 01 68 69";
    for (size_t at = 1; at <= 8 + 4; at++) { /* 1..8: PUBLISH cut; 9..12: PUBACK cut after 0..3 bytes */
        uint16_t id;
        setup(state);
        connect_at(0, 0, "20 02 00 00");
        bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("hi"), .qos = 1 };
        mock.drop_at_out = mock.out_total + (at <= 8 ? at : 9);
        assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
        if (at > 8) { /* PUBLISH went out; the PUBACK is cut after at - 9 bytes */
            assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
            assert_string_equal(mock_take_hex(&mock), pub);
            static const uint8_t ack[4] = { 0x40, 0x02, 0x00, 0x01 };
            mock_push(&mock, ack, at - 9);
            mock.fail_recv = BMQTT_ERR_CLOSED;
        }
        assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_CLOSED);
        assert_int_equal(dones, 0);
        reconnect_with_session(2);
        assert_string_equal(mock_take_hex(&mock), "3A 07 00 01 74 00 01 68 69");
        mock_push_hex(&mock, "40 02 00 01");
        assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
        assert_int_equal(dones, 1);
        assert_int_equal(bmqtt_client_inflight(&cli), 0);
    }
}

/* Fault injection: the link drops at every byte of an incoming QoS 2 exchange
 * (the broker's PUBLISH, the client's PUBREC, the broker's PUBREL, the client's
 * PUBCOMP). The broker then resends what it has no answer for; the message is
 * delivered exactly once [MQTT-4.3.3-2]. */
static void test_drop_at_every_byte_qos2_in(void **state)
{
    static const uint8_t publish[9] = { 0x34, 0x07, 0x00, 0x01, 0x74, 0x00, 0x07, 0x68, 0x69 };
    static const uint8_t pubrel[4] = { 0x62, 0x02, 0x00, 0x07 };
    for (size_t cut = 0; cut < 9 + 4 + 4 + 4; cut++) {
        int got_pubrec = 0;
        setup(state);
        connect_at(0, 0, "20 02 00 00");
        if (cut < 9) { /* PUBLISH cut */
            mock_push(&mock, publish, cut);
            mock.fail_recv = BMQTT_ERR_CLOSED;
        } else if (cut < 13) { /* our PUBREC cut after cut - 9 bytes */
            mock_push(&mock, publish, 9);
            mock.drop_at_out = mock.out_total + (cut - 9);
        } else if (cut < 17) { /* PUBREC out, PUBREL cut */
            mock_push(&mock, publish, 9);
            assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
            assert_string_equal(mock_take_hex(&mock), "50 02 00 07");
            got_pubrec = 1;
            mock_push(&mock, pubrel, cut - 13);
            mock.fail_recv = BMQTT_ERR_CLOSED;
        } else { /* PUBREL in, our PUBCOMP cut */
            mock_push(&mock, publish, 9);
            assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
            got_pubrec = 1;
            mock_push(&mock, pubrel, 4);
            mock.drop_at_out = mock.out_total + (cut - 17);
            mock.fail_recv = BMQTT_ERR_CLOSED;
        }
        for (int i = 0; i < 4 && !mock.closed; i++) (void)bmqtt_client_poll(&cli, 1);
        if (!mock.closed) {
            mock.fail_recv = BMQTT_ERR_CLOSED;
            (void)bmqtt_client_poll(&cli, 1);
        }
        assert_true(mock.closed);
        reconnect_with_session(2);
        /* The broker resends PUBLISH (DUP) unless it got our PUBREC, then PUBREL. */
        if (!got_pubrec) mock_push_hex(&mock, "3C 07 00 01 74 00 07 68 69");
        mock_push(&mock, pubrel, 4);
        for (int i = 0; i < 4; i++) assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
        assert_int_equal(messages, 1);
        const char *out = mock_take_hex(&mock);
        assert_non_null(strstr(out, "70 02 00 07")); /* PUBCOMP */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_connect_bytes_and_connack_MQTT_3_1_0_1, setup),
        cmocka_unit_test_setup(test_connack_refusals_are_distinct_statuses, setup),
        cmocka_unit_test_setup(test_connack_timeout, setup),
        cmocka_unit_test_setup(test_keepalive_across_clock_wrap, setup),
        cmocka_unit_test_setup(test_publish_qos0_1_2_flows_MQTT_4_3, setup),
        cmocka_unit_test_setup(test_inflight_full_and_ids_skip_in_use, setup),
        cmocka_unit_test_setup(test_receive_qos2_exactly_once, setup),
        cmocka_unit_test_setup(test_receive_qos1_and_several_packets_in_one_read, setup),
        cmocka_unit_test_setup(test_resend_after_reconnect_in_order, setup),
        cmocka_unit_test_setup(test_large_publish_is_chunked, setup),
        cmocka_unit_test_setup(test_send_resumes_after_would_block, setup),
        cmocka_unit_test_setup(test_subscribe_suback_with_failure_code, setup),
        cmocka_unit_test_setup(test_unsubscribe_unsuback, setup),
        cmocka_unit_test_setup(test_malformed_from_broker_closes_with_status, setup),
        cmocka_unit_test_setup(test_suback_unsuback_must_match_a_pending_request, setup),
        cmocka_unit_test_setup(test_pending_requests_forgotten_on_reconnect, setup),
        cmocka_unit_test_setup(test_connack_before_connect_is_written, setup),
        cmocka_unit_test_setup(test_drop_at_every_byte_qos1_out, setup),
        cmocka_unit_test_setup(test_drop_at_every_byte_qos2_in, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
