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

/* Runs at the end of on_message when set: a test's reaction to a message. */
static void (*msg_hook)(const bmqtt_message_t *m);

/* A wrapper around the mock transport ("wrap"): the next send_stub_n sends or
 * recv_stub_n receives return a scripted value without moving bytes, and
 * closes and any call made after a close are counted. */
static bmqtt_transport_t wrap;
static const bmqtt_transport_t *conn_tr; /* what connect_at() connects over */
static int32_t send_stub, recv_stub;
static int send_stub_n, recv_stub_n, close_calls, calls_after_close;

static int32_t wrap_send(void *ctx, const uint8_t *buf, size_t len)
{
    if (close_calls) calls_after_close++;
    if (send_stub_n > 0) {
        send_stub_n--;
        return send_stub;
    }
    return tr.send(ctx, buf, len);
}

static int32_t wrap_recv(void *ctx, uint8_t *buf, size_t len)
{
    if (close_calls) calls_after_close++;
    if (recv_stub_n > 0) {
        recv_stub_n--;
        return recv_stub;
    }
    return tr.recv(ctx, buf, len);
}

static void wrap_close(void *ctx)
{
    close_calls++;
    tr.close(ctx);
}

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
    if (msg_hook) msg_hook(m);
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
    msg_hook = NULL;
    wrap = tr;
    wrap.send = wrap_send;
    wrap.recv = wrap_recv;
    wrap.close = wrap_close;
    conn_tr = &tr;
    send_stub_n = recv_stub_n = close_calls = calls_after_close = 0;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    return 0;
}

/* CONNECT out, CONNACK in: connected at time @p now. */
static void connect_at(uint32_t now, uint8_t clean, const char *connack)
{
    bmqtt_connect_t f = fields(clean);
    assert_int_equal(bmqtt_client_connect(&cli, conn_tr, &f, now), BMQTT_OK);
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
        /* Packets only a client sends, well-formed: refused whether or not the
         * codec decodes them (BMQTT_DECODE_CLIENT_PACKETS 1 or 0). */
        { "10 0D 00 04 4D 51 54 54 04 02 00 0A 00 01 70", BMQTT_ERR_PROTOCOL },
        { "82 06 00 01 00 01 61 00", BMQTT_ERR_PROTOCOL },
        { "A2 05 00 01 00 01 61", BMQTT_ERR_PROTOCOL },
        { "E0 00", BMQTT_ERR_PROTOCOL },
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

/* Caller mistakes get BMQTT_ERR_PARAM / NOT_CONNECTED, never a crash. */
static void test_parameter_and_state_errors(void **state)
{
    bmqtt_client_config_t bad;
    bmqtt_connect_t f = fields(1);
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x") };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_transport_t half = tr;
    (void)state;
    assert_int_equal(bmqtt_client_init(NULL, &cfg), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_init(&cli, NULL), BMQTT_ERR_PARAM);
    for (int i = 0; i < 10; i++) {
        bad = cfg;
        switch (i) {
        case 0: bad.tx_buf = NULL; break;
        case 1: bad.rx_buf = NULL; break;
        case 2: bad.tx_size = 15; break;
        case 3: bad.rx_size = 15; break;
        case 4: bad.rx_size = (size_t)BMQTT_VARINT_MAX + 1u; break;
        case 5: bad.inflight = NULL; break;
        case 6: bad.inflight_count = 0; break;
        case 7: bad.qos2_ids = NULL; break;
        case 8: bad.inflight_count = BMQTT_MAX_INFLIGHT + 1; break;
        default: bad.qos2_count = 0; break;
        }
        assert_int_equal(bmqtt_client_init(&cli, &bad), BMQTT_ERR_PARAM);
    }
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    /* Idle: nothing to poll, publish, subscribe; disconnect and abort are no-ops. */
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_ERR_NOT_CONNECTED);
    bmqtt_client_disconnect(&cli);
    bmqtt_client_abort(&cli);
    bmqtt_client_disconnect(NULL);
    bmqtt_client_abort(NULL);
    assert_int_equal(mock.send_calls, 0);
    assert_int_equal(bmqtt_client_poll(NULL, 0), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_publish(NULL, &p, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_publish(&cli, NULL, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_subscribe(NULL, &s, 1, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_connect(NULL, &tr, &f, 0), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_connect(&cli, NULL, &f, 0), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, NULL, 0), BMQTT_ERR_PARAM);
    half.send = NULL;
    assert_int_equal(bmqtt_client_connect(&cli, &half, &f, 0), BMQTT_ERR_PARAM);
    half = tr;
    half.recv = NULL;
    assert_int_equal(bmqtt_client_connect(&cli, &half, &f, 0), BMQTT_ERR_PARAM);
    /* A CONNECT the codec refuses is refused by connect, and nothing is sent. */
    f.clean_session = 0;
    f.client_id.len = 0;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_ERR_BAD_CLIENT_ID);
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_NOT_CONNECTED);
    /* A transport without close is fine. */
    half = tr;
    half.close = NULL;
    f = fields(1);
    assert_int_equal(bmqtt_client_connect(&cli, &half, &f, 0), BMQTT_OK);
    bmqtt_client_abort(&cli);
    assert_false(mock.closed);
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_NOT_CONNECTED);
}

/* DISCONNECT goes out when the line is free [MQTT-3.14]; the transport is closed. */
static void test_disconnect_sends_e0_00(void **state)
{
    (void)state;
    connect_at(0, 1, "20 02 01 00");
    assert_int_equal(bmqtt_client_session_present(&cli), 1);
    bmqtt_client_disconnect(&cli);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_true(mock.closed);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_NOT_CONNECTED);
    bmqtt_client_disconnect(&cli); /* twice: nothing more */
    assert_string_equal(mock_take_hex(&mock), "");
}

/* A payload larger than the transmit buffer leaves from the caller's memory,
 * after the header, in as many sends as the transport wants. */
static void test_large_payload_sent_without_copy(void **state)
{
    static uint8_t big[1000];
    static char want[3 * (8 + sizeof big) + 1];
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t") };
    uint16_t id;
    size_t k = 0;
    (void)state;
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)i;
    p.payload.ptr = big;
    p.payload.len = sizeof big;
    connect_at(0, 1, "20 02 00 00");
    mock.max_send = 7;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_false(bmqtt_client_tx_idle(&cli));
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_ERR_BUSY); /* QoS 0 waits for the line */
    for (int i = 0; i < 200 && !bmqtt_client_tx_idle(&cli); i++) assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_true(bmqtt_client_tx_idle(&cli));
    k += (size_t)sprintf(want + k, "30 EB 07 00 01 74"); /* remaining length 1003 */
    for (size_t i = 0; i < sizeof big; i++) k += (size_t)sprintf(want + k, " %02X", big[i]);
    assert_string_equal(mock_take_hex(&mock), want);
}

/* Publish refuses what it cannot send: a bad topic, a header larger than the
 * transmit buffer, a payload length without bytes. */
static void test_publish_refusals(void **state)
{
    static uint8_t long_topic[300];
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("a/+"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_BAD_TOPIC);
    memset(long_topic, 'a', sizeof long_topic);
    p.topic.ptr = long_topic;
    p.topic.len = sizeof long_topic;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_BUFFER_TOO_SMALL);
    p.topic = bmqtt_view_str("t");
    p.payload.ptr = NULL;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
    assert_string_equal(mock_take_hex(&mock), "");
    p.payload = bmqtt_view_str("x");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* packet_id may be NULL */
    p.qos = 0;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_BUSY);
}

/* Every callback may be NULL: the protocol still runs (acks go out). */
static void test_no_callbacks(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_view_t f = BMQTT_VIEW_LIT("a");
    (void)state;
    cfg.on_message = NULL;
    cfg.on_publish_done = NULL;
    cfg.on_suback = NULL;
    cfg.on_unsuback = NULL;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    p.qos = 2;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &f, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock),
                        "32 06 00 01 74 00 01 78 34 06 00 01 74 00 02 78 82 06 00 03 00 01 61 00 A2 05 00 04 00 01 61");
    mock_push_hex(&mock, "40 02 00 01 50 02 00 02 90 03 00 03 00 B0 02 00 04 32 06 00 01 74 00 09 78");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 09 62 02 00 02");
    mock_push_hex(&mock, "70 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
    assert_int_equal(messages + dones + subacks + unsubacks, 0);
}

/* Acks that do not fit the exchange they name end the session [MQTT-4.3].
 * (A broker cannot complete a step it has not seen: the client reads nothing
 * while a packet of its own is half sent, so an ack read while the packet it
 * answers is still queued came before that packet.) */
static void test_acks_for_the_wrong_exchange(void **state)
{
    static const struct { const char *ack; } rows[] = {
        { "40 02 00 01" }, /* PUBACK for a QoS 2 message */
        { "70 02 00 01" }, /* PUBCOMP before PUBREC */
        { "70 02 00 09" }, /* PUBCOMP for an id never used */
        { "50 02 00 01 70 02 00 01" }, /* PUBCOMP read before our PUBREL could go out */
    };
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 2 };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        setup(state);
        connect_at(0, 1, "20 02 00 00");
        assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
        assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
        mock_push_hex(&mock, rows[i].ack);
        assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_PROTOCOL);
        assert_int_equal(dones, 0);
    }
}

/* More incoming QoS 2 messages awaiting PUBREL than the id table holds: the
 * session ends with BMQTT_ERR_INFLIGHT_FULL rather than lose exactly-once. */
static void test_incoming_qos2_table_full(void **state)
{
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock_push_hex(&mock, "34 06 00 01 74 00 01 61 34 06 00 01 74 00 02 61 34 06 00 01 74 00 03 61"
                         " 34 06 00 01 74 00 04 61");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(messages, 4);
    mock_push_hex(&mock, "34 06 00 01 74 00 05 61");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_INFLIGHT_FULL);
    assert_int_equal(messages, 4);
}

/* A configured response timeout replaces BMQTT_RESPONSE_TIMEOUT_MS; keepalive
 * 0 never pings. */
static void test_response_timeout_and_keepalive_off(void **state)
{
    bmqtt_connect_t f = fields(1);
    (void)state;
    cfg.response_timeout_ms = 500;
    f.keepalive_s = 0;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 499), BMQTT_WOULD_BLOCK);
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 499), BMQTT_OK);
    (void)mock_take_hex(&mock);
    assert_int_equal(bmqtt_client_poll(&cli, 4000000000u), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    setup(state);
    cfg.response_timeout_ms = 500;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 10000), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    assert_int_equal(bmqtt_client_poll(&cli, 10499), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 10500), BMQTT_ERR_KEEPALIVE);
}

/* A transport error on send or receive ends the session with that status. */
static void test_transport_errors_end_the_session(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x") };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock.fail_recv = BMQTT_ERR_TRANSPORT;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_TRANSPORT);
    assert_true(mock.closed);
    setup(state);
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    mock.drop_at_out = mock.out_total; /* the next send fails */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_CLOSED);
    setup(state);
    connect_at(0, 1, "20 02 00 00");
    mock.drop_at_out = mock.out_total;
    assert_int_equal(bmqtt_client_poll(&cli, 10000), BMQTT_ERR_CLOSED); /* the PINGREQ could not go */
}

/* Packet ids wrap from 65535 to 1, never 0 [MQTT-2.3.1-1]. */
static void test_packet_id_wraps_to_1(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    uint16_t id;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    cli.next_id = 65535; /* white-box: skip 65,534 round trips */
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_OK);
    assert_int_equal(id, 65535);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_OK);
    assert_int_equal(id, 1);
}

/* Streaming edge cases: a QoS 2 duplicate larger than the buffer is drained
 * without a second delivery; a PUBLISH whose head is malformed or whose topic
 * cannot fit the buffer ends the session. */
static void test_streamed_qos2_duplicate_and_bad_heads(void **state)
{
    static char hex[3 * 200];
    size_t k;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    /* QoS 2, id 7, topic "t", 100-byte payload: larger than the 64-byte rx buffer. */
    for (int round = 0; round < 2; round++) {
        k = (size_t)sprintf(hex, "%s 69 00 01 74 00 07", round ? "3C" : "34");
        for (int i = 0; i < 100; i++) k += (size_t)sprintf(hex + k, " %02X", i);
        mock_push_hex(&mock, hex);
        for (int i = 0; i < 10; i++) assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
        assert_string_equal(mock_take_hex(&mock), "50 02 00 07");
    }
    assert_int_equal(messages, 1);
    assert_true(chunks > 1);

    setup(state);
    connect_at(0, 1, "20 02 00 00");
    mock_push_hex(&mock, "36 69 00 01 74"); /* QoS 3 in a streamed PUBLISH */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_BAD_QOS);

    setup(state);
    connect_at(0, 1, "20 02 00 00");
    k = (size_t)sprintf(hex, "30 C8 01 00 C0"); /* topic of 192 bytes in a 64-byte buffer */
    for (int i = 0; i < 100; i++) k += (size_t)sprintf(hex + k, " 61");
    mock_push_hex(&mock, hex);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_PACKET_TOO_LARGE);

    setup(state);
    connect_at(0, 1, "20 02 00 00");
    /* Header, topic and id fill the whole buffer (3 + 2 + 57 + 2 = 64 bytes): no room for payload. */
    k = (size_t)sprintf(hex, "32 C8 01 00 39");
    for (int i = 0; i < 57; i++) k += (size_t)sprintf(hex + k, " 61");
    k += (size_t)sprintf(hex + k, " 00 01");
    for (int i = 0; i < 20; i++) k += (size_t)sprintf(hex + k, " 62");
    mock_push_hex(&mock, hex);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_PACKET_TOO_LARGE);
    assert_int_equal(messages, 0);
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

/* transport.h: a send or recv that moves 0 bytes means "would block", not an
 * error and not an end of stream; the same bytes go out later, once. */
static void test_zero_byte_send_and_recv_mean_would_block(void **state)
{
    bmqtt_connect_t f = fields(1);
    (void)state;
    assert_int_equal(bmqtt_client_connect(&cli, &wrap, &f, 0), BMQTT_OK);
    send_stub = 0;
    send_stub_n = 1000;
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_WOULD_BLOCK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_false(bmqtt_client_tx_idle(&cli));
    send_stub_n = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_WOULD_BLOCK);
    assert_string_equal(mock_take_hex(&mock), "10 0E 00 04 4D 51 54 54 04 02 00 0A 00 02 63 31");
    mock_push_hex(&mock, "20 02 00 00");
    recv_stub = 0;
    recv_stub_n = 1;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_WOULD_BLOCK); /* CONNACK not read yet */
    assert_int_equal(mock.in_pos, 0);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    recv_stub_n = 1;
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK); /* connected: still not a close */
    assert_false(mock.closed);
    mock_push_hex(&mock, "30 04 00 01 74 78");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_int_equal(messages, 1);
    assert_string_equal(got, "x");
}

/* A PINGREQ the transport cannot take yet stays queued and leaves on the next
 * poll; keepalive then counts from that send [MQTT-3.1.2-23]. */
static void test_pingreq_would_block_goes_on_next_poll(void **state)
{
    (void)state;
    conn_tr = &wrap;
    connect_at(0, 1, "20 02 00 00");
    send_stub = BMQTT_WOULD_BLOCK;
    send_stub_n = 1;
    assert_int_equal(bmqtt_client_poll(&cli, 10000), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_false(bmqtt_client_tx_idle(&cli));
    assert_int_equal(bmqtt_client_poll(&cli, 10001), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    mock_push_hex(&mock, "D0 00");
    assert_int_equal(bmqtt_client_poll(&cli, 10002), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 20000), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(bmqtt_client_poll(&cli, 20001), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
}

/* A zero-byte payload needs no memory: {NULL, 0} is valid. Retained, it is how
 * a retained message is cleared [MQTT-3.3.1-10]. */
static void test_publish_empty_payload_MQTT_3_3_1_10(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = { NULL, 0 }, .retain = 1 };
    uint16_t id;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "31 03 00 01 74");
    p.qos = 1;
    p.retain = 0;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 05 00 01 74 00 01");
}

/* A new packet id is one not in use [MQTT-2.3.1-2]: after the wrap, ids of a
 * PUBLISH awaiting its PUBACK and of a SUBSCRIBE awaiting its SUBACK are skipped. */
static void test_ids_skip_in_flight_and_pending_MQTT_2_3_1_2(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    uint16_t id;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_OK);
    assert_int_equal(id, 2);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 78 82 06 00 02 00 01 61 00");
    cli.next_id = 65535; /* white-box: skip 65,532 round trips */
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 65535);
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 3); /* 1 and 2 are still in use */
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 FF FF 78 32 06 00 01 74 00 03 78");
}

/* Resends [MQTT-4.4.0-1] follow the order of first transmission [MQTT-4.6.0-1],
 * not the order of the table, and that order holds across the wrap of the 16-bit sequence
 * number (FFFF before 0000 before 0001). */
static void test_resend_order_across_seq_wrap_MQTT_4_6_0_1(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .qos = 1 };
    (void)state;
    connect_at(0, 0, "20 02 00 00");
    cli.next_seq = 0xFFFE; /* white-box: as after 65,534 messages */
    for (int i = 0; i < 3; i++) { /* ids 1, 2, 3 in slots 0, 1, 2 with seq FFFE, FFFF, 0000 */
        p.payload = bmqtt_view_str(i == 0 ? "a" : i == 1 ? "b" : "c");
        assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    }
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 61 32 06 00 01 74 00 02 62 32 06 00 01 74 00 03 63");
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(dones, 1);
    p.payload = bmqtt_view_str("d"); /* id 4 in the freed slot 0, seq 0001: newest, yet first in the table */
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 04 64");
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_ERR_CLOSED);
    reconnect_with_session(5);
    assert_string_equal(mock_take_hex(&mock), "3A 06 00 01 74 00 02 62 3A 06 00 01 74 00 03 63 3A 06 00 01 74 00 04 64");
    mock_push_hex(&mock, "40 02 00 02 40 02 00 03 40 02 00 04");
    assert_int_equal(bmqtt_client_poll(&cli, 6), BMQTT_OK);
    assert_int_equal(dones, 4);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
}

/* An ack must fit the exchange it names [MQTT-4.3.2, 4.3.3]: a PUBREC for a
 * QoS 1 message, or a PUBACK for a message the client has not yet resent on
 * this connection (it arrives right behind CONNACK, before the resend the
 * session requires [MQTT-4.4.0-1]), ends the session. */
static void test_ack_for_wrong_qos_or_before_resend(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    bmqtt_connect_t f = fields(0);
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    mock_push_hex(&mock, "50 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_PROTOCOL);
    assert_true(mock.closed);
    assert_int_equal(dones, 0);

    setup(state);
    connect_at(0, 0, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_CLOSED);
    mock.closed = 0;
    mock.fail_recv = 0;
    (void)mock_take_hex(&mock);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 3), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_WOULD_BLOCK);
    (void)mock_take_hex(&mock);
    mock_push_hex(&mock, "20 02 01 00 40 02 00 01"); /* session present, then PUBACK in the same read */
    assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_ERR_PROTOCOL);
    assert_string_equal(mock_take_hex(&mock), ""); /* nothing resent */
    assert_int_equal(dones, 0);
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
}

/* The first packet from the server must be CONNACK [MQTT-3.2.0-1]: a PUBLISH
 * before it ends the session and is not delivered, whether it fits the receive
 * buffer or would have to be streamed. */
static void test_publish_before_connack_MQTT_3_2_0_1(void **state)
{
    static char hex[3 * 120];
    bmqtt_connect_t f = fields(1);
    size_t k;
    for (int big = 0; big < 2; big++) {
        setup(state);
        assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
        assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_WOULD_BLOCK);
        (void)mock_take_hex(&mock);
        k = (size_t)sprintf(hex, "32 %02X 00 01 74 00 05", big ? 105 : 5); /* QoS 1, id 5 */
        for (int i = 0; i < (big ? 100 : 0); i++) k += (size_t)sprintf(hex + k, " 61");
        mock_push_hex(&mock, hex);
        assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_PROTOCOL);
        assert_true(mock.closed);
        assert_int_equal(chunks, 0);
        assert_string_equal(mock_take_hex(&mock), ""); /* no PUBACK */
    }
}

/* A streamed PUBLISH (larger than the receive buffer) is checked like any
 * other: a wildcard topic [MQTT-3.3.2-2], packet id 0 [MQTT-2.3.1-1], and no
 * room left in the exactly-once table end the session before any delivery. */
static void test_streamed_publish_bad_head_or_qos2_table_full(void **state)
{
    static const struct { const char *head; bmqtt_status_t st; } rows[] = {
        { "32 69 00 01 2B 00 01", BMQTT_ERR_BAD_TOPIC },
        { "32 69 00 01 74 00 00", BMQTT_ERR_BAD_PACKET_ID },
        { "34 69 00 01 74 00 05", BMQTT_ERR_INFLIGHT_FULL }, /* after 4 QoS 2 ids awaiting PUBREL */
    };
    static char hex[3 * 120];
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        size_t k = (size_t)sprintf(hex, "%s", rows[r].head);
        setup(state);
        connect_at(0, 1, "20 02 00 00");
        if (rows[r].st == BMQTT_ERR_INFLIGHT_FULL) {
            mock_push_hex(&mock, "34 05 00 01 74 00 01 34 05 00 01 74 00 02 34 05 00 01 74 00 03 34 05 00 01 74 00 04");
            assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
            assert_string_equal(mock_take_hex(&mock), "50 02 00 01 50 02 00 02 50 02 00 03 50 02 00 04");
            messages = chunks = 0;
        }
        for (int i = 0; i < 100; i++) k += (size_t)sprintf(hex + k, " 62");
        mock_push_hex(&mock, hex);
        assert_int_equal(bmqtt_client_poll(&cli, 2), rows[r].st);
        assert_true(mock.closed);
        assert_int_equal(chunks, 0);
        assert_string_equal(mock_take_hex(&mock), "");
    }
}

/* Only a PUBLISH is streamed: any other packet larger than the receive buffer
 * (here a SUBACK of 100 return codes) ends the session. */
static void test_oversized_suback_is_too_large(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    mock_push_hex(&mock, "90 66 00 01 00 00 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_PACKET_TOO_LARGE);
    assert_true(mock.closed);
    assert_int_equal(subacks, 0);
}

static void hook_disconnect(const bmqtt_message_t *m)
{
    (void)m;
    bmqtt_client_disconnect(&cli);
}

/* on_message may end the session: DISCONNECT goes out, the transport is
 * closed, nothing more is read, handled or sent on it [MQTT-3.14.4-1,
 * MQTT-3.14.4-2], and poll reports the session over. */
static void test_disconnect_from_on_message_MQTT_3_14_4_2(void **state)
{
    (void)state;
    conn_tr = &wrap;
    connect_at(0, 1, "20 02 00 00");
    msg_hook = hook_disconnect;
    mock_push_hex(&mock, "30 04 00 01 74 61 30 04 00 01 74 62"); /* two QoS 0 messages in one read */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(messages, 1);
    assert_string_equal(got, "a");
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_int_equal(close_calls, 1);
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(messages, 1);
    assert_int_equal(calls_after_close, 0);

    /* A QoS 1 message: its PUBACK is not sent after the close either (the
     * broker redelivers it in a persistent session). */
    setup(state);
    conn_tr = &wrap;
    connect_at(0, 1, "20 02 00 00");
    msg_hook = hook_disconnect;
    mock_push_hex(&mock, "32 06 00 01 74 00 09 61");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(messages, 1);
    assert_int_equal(close_calls, 1);
    assert_int_equal(calls_after_close, 0);
    /* The PUBACK, queued before the callback ran, held the line: disconnect is
     * best effort (client.h) and closed without DISCONNECT. */
    assert_string_equal(mock_take_hex(&mock), "");
}

static bmqtt_status_t reply_st;
static uint16_t reply_id;
static uint8_t reply_qos;

static void hook_reply(const bmqtt_message_t *m)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("r"), .payload = BMQTT_VIEW_LIT("ok") };
    if (m->offset + m->payload.len < m->total) return; /* reply once, after the last chunk */
    p.qos = reply_qos;
    reply_st = bmqtt_client_publish(&cli, &p, &reply_id);
}

/* on_message may publish a reply. For a QoS 1/2 message the PUBACK/PUBREC is
 * queued before the callback runs [MQTT-4.3.2-2, MQTT-4.3.3-2], so the reply
 * never overwrites it and is never lost: a QoS 1 reply is sent right after the
 * ack, a QoS 0 reply finds the line busy (BMQTT_ERR_BUSY, retry after poll). */
static void test_publish_from_on_message_is_not_lost(void **state)
{
    static char hex[3 * 120];
    size_t k;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    msg_hook = hook_reply;
    reply_qos = 1;
    mock_push_hex(&mock, "32 06 00 01 74 00 09 61");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(reply_st, BMQTT_OK);
    assert_int_equal(reply_id, 1);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 09 32 07 00 01 72 00 01 6F 6B");
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(dones, 1);

    /* The same for the last chunk of a streamed QoS 2 message. */
    k = (size_t)sprintf(hex, "34 69 00 01 74 00 07");
    for (int i = 0; i < 100; i++) k += (size_t)sprintf(hex + k, " 61");
    mock_push_hex(&mock, hex);
    for (int i = 0; i < 4; i++) assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_int_equal(messages, 2);
    assert_int_equal(reply_st, BMQTT_OK);
    assert_int_equal(reply_id, 2);
    assert_string_equal(mock_take_hex(&mock), "50 02 00 07 32 07 00 01 72 00 02 6F 6B");

    reply_qos = 0;
    mock_push_hex(&mock, "32 06 00 01 74 00 0A 61");
    assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_OK);
    assert_int_equal(reply_st, BMQTT_ERR_BUSY);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 0A");
}

/* An answer that cannot be sent ends the session: four QoS 1 messages in one
 * read take all the rounds of one poll, and the link drops at the fourth
 * PUBACK, which the last step of poll sends. */
static void test_answer_send_failure_at_end_of_poll(void **state)
{
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock_push_hex(&mock, "32 05 00 01 74 00 01 32 05 00 01 74 00 02 32 05 00 01 74 00 03 32 05 00 01 74 00 04");
    mock.drop_at_out = mock.out_total + 12;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_CLOSED);
    assert_int_equal(messages, 4);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 01 40 02 00 02 40 02 00 03");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_NOT_CONNECTED);
}

/* SUBSCRIBE/UNSUBSCRIBE the codec refuses are refused by the client and take
 * no pending entry: '#' not last [MQTT-4.7.1-2], an empty list [MQTT-3.8.3-3,
 * MQTT-3.10.3-2], a filter too long for the transmit buffer. */
static void test_subscribe_refusals_take_no_entry(void **state)
{
    static uint8_t long_filter[300];
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a/#/b"), 0 };
    bmqtt_view_t f = BMQTT_VIEW_LIT("a");
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_ERR_BAD_FILTER);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 0, NULL), BMQTT_ERR_EMPTY_LIST);
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &f, 0, NULL), BMQTT_ERR_EMPTY_LIST);
    memset(long_filter, 'a', sizeof long_filter);
    f.ptr = long_filter;
    f.len = sizeof long_filter;
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &f, 1, NULL), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_true(bmqtt_client_tx_idle(&cli));
    assert_string_equal(mock_take_hex(&mock), "");
    /* Both pending entries are still free. */
    s.filter = bmqtt_view_str("a");
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_false(mock.closed);
}

/* A client that was never initialised (zeroed, or after init refused its
 * config) is refused by every call and touches no transport. */
static void test_calls_on_uninitialised_client(void **state)
{
    static bmqtt_client_t z;
    bmqtt_connect_t f = fields(1);
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t") };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_view_t flt = BMQTT_VIEW_LIT("a");
    (void)state;
    memset(&z, 0, sizeof z);
    assert_int_equal(bmqtt_client_connect(&z, &wrap, &f, 0), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_poll(&z, 0), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_publish(&z, &p, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_subscribe(&z, &s, 1, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_unsubscribe(&z, &flt, 1, NULL), BMQTT_ERR_PARAM);
    bmqtt_client_disconnect(&z);
    bmqtt_client_abort(&z);
    assert_int_equal(mock.send_calls + mock.recv_calls + close_calls, 0);
}

/* Disconnect and abort in each state. DISCONNECT goes out only when the line
 * is free: never before the CONNECT [MQTT-3.1.0-1] and never after half a
 * packet. Abort closes without it (the broker then publishes the will
 * [MQTT-3.1.2-8]). Once closed, both are no-ops: close is called once. */
static void test_disconnect_and_abort_in_each_state(void **state)
{
    static uint8_t big[1000];
    bmqtt_connect_t f = fields(1);
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = { big, sizeof big } };
    const char *out;
    for (int i = 0; i < 6; i++) {
        setup(state);
        conn_tr = &wrap;
        if (i < 4) {
            assert_int_equal(bmqtt_client_connect(&cli, &wrap, &f, 0), BMQTT_OK);
            if (i & 1) {
                assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_WOULD_BLOCK);
                (void)mock_take_hex(&mock);
            }
        } else {
            connect_at(0, 1, "20 02 00 00");
            (void)mock_take_hex(&mock);
            mock.max_send = 3;
            mock.send_block_every = 2;
            assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
            assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
            out = mock_take_hex(&mock);
            assert_int_equal(strncmp(out, "30 EB 07 00 01 74", 17), 0); /* a part of the PUBLISH went */
            assert_false(bmqtt_client_tx_idle(&cli));
            mock.send_block_every = 0;
        }
        /* 0, 1: disconnect while connecting, CONNECT queued / written;
         * 2, 3: abort while connecting; 4: disconnect, 5: abort mid-packet. */
        if (i == 0 || i == 1 || i == 4) {
            bmqtt_client_disconnect(&cli);
        } else {
            bmqtt_client_abort(&cli);
        }
        assert_string_equal(mock_take_hex(&mock), i == 1 ? "E0 00" : "");
        assert_int_equal(close_calls, 1);
        assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_NOT_CONNECTED);
        bmqtt_client_disconnect(&cli);
        bmqtt_client_abort(&cli);
        assert_int_equal(close_calls, 1);
        assert_int_equal(calls_after_close, 0);
    }
    /* After a session ended on an error, too. */
    setup(state);
    conn_tr = &wrap;
    connect_at(0, 1, "20 02 00 00");
    mock.fail_recv = BMQTT_ERR_TRANSPORT;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_TRANSPORT);
    assert_int_equal(close_calls, 1);
    bmqtt_client_abort(&cli);
    bmqtt_client_disconnect(&cli);
    assert_int_equal(close_calls, 1);
    assert_int_equal(calls_after_close, 0);
}

/* A QoS 1/2 topic is the caller's memory, encoded again at each (re)send. If
 * it is rewritten into an invalid name before it goes out (which the lifetime
 * rule of client.h forbids), the session ends with the codec's status rather
 * than put a wildcard topic on the wire [MQTT-3.3.2-2]. */
static void test_inflight_topic_rewritten_before_send(void **state)
{
    static char topic[4];
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_publish_t p = { .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    uint16_t id;
    (void)state;
    memcpy(topic, "t/1", 4);
    p.topic = bmqtt_view_str(topic);
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK); /* holds the line */
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);       /* waits for it */
    assert_int_equal(id, 2);
    topic[2] = '+';
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_BAD_TOPIC);
    assert_string_equal(mock_take_hex(&mock), "82 06 00 01 00 01 61 00");
    assert_true(mock.closed);
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
        cmocka_unit_test_setup(test_parameter_and_state_errors, setup),
        cmocka_unit_test_setup(test_disconnect_sends_e0_00, setup),
        cmocka_unit_test_setup(test_large_payload_sent_without_copy, setup),
        cmocka_unit_test_setup(test_publish_refusals, setup),
        cmocka_unit_test_setup(test_no_callbacks, setup),
        cmocka_unit_test_setup(test_acks_for_the_wrong_exchange, setup),
        cmocka_unit_test_setup(test_incoming_qos2_table_full, setup),
        cmocka_unit_test_setup(test_response_timeout_and_keepalive_off, setup),
        cmocka_unit_test_setup(test_transport_errors_end_the_session, setup),
        cmocka_unit_test_setup(test_packet_id_wraps_to_1, setup),
        cmocka_unit_test_setup(test_streamed_qos2_duplicate_and_bad_heads, setup),
        cmocka_unit_test_setup(test_drop_at_every_byte_qos1_out, setup),
        cmocka_unit_test_setup(test_drop_at_every_byte_qos2_in, setup),
        cmocka_unit_test_setup(test_zero_byte_send_and_recv_mean_would_block, setup),
        cmocka_unit_test_setup(test_pingreq_would_block_goes_on_next_poll, setup),
        cmocka_unit_test_setup(test_publish_empty_payload_MQTT_3_3_1_10, setup),
        cmocka_unit_test_setup(test_ids_skip_in_flight_and_pending_MQTT_2_3_1_2, setup),
        cmocka_unit_test_setup(test_resend_order_across_seq_wrap_MQTT_4_6_0_1, setup),
        cmocka_unit_test_setup(test_ack_for_wrong_qos_or_before_resend, setup),
        cmocka_unit_test_setup(test_publish_before_connack_MQTT_3_2_0_1, setup),
        cmocka_unit_test_setup(test_streamed_publish_bad_head_or_qos2_table_full, setup),
        cmocka_unit_test_setup(test_oversized_suback_is_too_large, setup),
        cmocka_unit_test_setup(test_disconnect_from_on_message_MQTT_3_14_4_2, setup),
        cmocka_unit_test_setup(test_publish_from_on_message_is_not_lost, setup),
        cmocka_unit_test_setup(test_answer_send_failure_at_end_of_poll, setup),
        cmocka_unit_test_setup(test_subscribe_refusals_take_no_entry, setup),
        cmocka_unit_test_setup(test_calls_on_uninitialised_client, setup),
        cmocka_unit_test_setup(test_disconnect_and_abort_in_each_state, setup),
        cmocka_unit_test_setup(test_inflight_topic_rewritten_before_send, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
