/* The client session against a scripted transport, byte for byte.
 *
 * One on_event callback reports everything (client.h); the adapter below
 * turns the events back into the counters these tests have always checked,
 * and keeps what else an event says (statuses, ids) for the assertions. */
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
static bmqtt_request_t reqtab[2]; /* two pending SUBSCRIBE/UNSUBSCRIBE, as the suite always had */
static bmqtt_client_config_t cfg;
static bmqtt_client_t cli;

/* What the events said. dones counts acknowledged messages (PUBLISH_DONE
 * with BMQTT_OK); drops counts messages that ended otherwise. subacks and
 * unsubacks count answers (status BMQTT_OK); req_fails the requests that
 * ended without one (timeout, session end). */
static char got[8192];
static size_t got_len;
static int messages, chunks, dones, drops, subacks, unsubacks, req_fails, connacks, closes, qos2_dones, events;
static uint16_t last_unsuback, last_suback;
static uint16_t last_done, last_drop, last_req_fail, last_qos2_done;
static bmqtt_status_t last_drop_st, last_req_fail_st, last_close_st, last_connack_st;
static bmqtt_event_type_t last_req_fail_type;
static uint8_t last_codes[8];
static uint8_t last_rc, last_sp;
static char order[256]; /* event letters in order: C connack, M message, D done, S suback, U unsuback, Q qos2, X closed */
static size_t order_len;

/* Runs at the end of a message event when set: a test's reaction to a message. */
static void (*msg_hook)(const bmqtt_message_t *m);
/* Runs after any event when set. */
static void (*ev_hook)(const bmqtt_event_t *ev);

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

static void on_message(const bmqtt_message_t *m)
{
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

static void mark(char ch)
{
    if (order_len + 1 < sizeof order) order[order_len++] = ch, order[order_len] = 0;
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    assert_ptr_equal(user, &cli);
    events++;
    switch (ev->type) {
    case BMQTT_EVT_CONNACK:
        mark('C');
        connacks++;
        last_rc = ev->return_code;
        last_sp = ev->session_present;
        last_connack_st = ev->status;
        break;
    case BMQTT_EVT_MESSAGE:
        mark('M');
        assert_non_null(ev->message);
        assert_int_equal(ev->packet_id, ev->message->packet_id);
        on_message(ev->message);
        break;
    case BMQTT_EVT_PUBLISH_DONE:
        mark('D');
        assert_int_not_equal(ev->packet_id, 0);
        if (ev->status == BMQTT_OK) {
            dones++;
            last_done = ev->packet_id;
        } else {
            drops++;
            last_drop = ev->packet_id;
            last_drop_st = ev->status;
        }
        break;
    case BMQTT_EVT_SUBACK:
    case BMQTT_EVT_UNSUBACK:
        mark(ev->type == BMQTT_EVT_SUBACK ? 'S' : 'U');
        assert_int_not_equal(ev->packet_id, 0);
        if (ev->status != BMQTT_OK) {
            req_fails++;
            last_req_fail = ev->packet_id;
            last_req_fail_st = ev->status;
            last_req_fail_type = ev->type;
            assert_int_equal(ev->codes.len, 0);
        } else if (ev->type == BMQTT_EVT_SUBACK) {
            subacks++;
            last_suback = ev->packet_id;
            memcpy(last_codes, ev->codes.ptr, ev->codes.len < 8 ? ev->codes.len : 8);
        } else {
            unsubacks++;
            last_unsuback = ev->packet_id;
        }
        break;
    case BMQTT_EVT_QOS2_DONE:
        mark('Q');
        qos2_dones++;
        last_qos2_done = ev->packet_id;
        break;
    case BMQTT_EVT_CLOSED:
        mark('X');
        closes++;
        last_close_st = ev->status;
        assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CLOSED);
        break;
    default:
        fail_msg("unknown event %d", (int)ev->type);
    }
    if (ev_hook) ev_hook(ev);
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

static void reset_counters(void)
{
    messages = chunks = dones = drops = subacks = unsubacks = req_fails = connacks = closes = qos2_dones = events = 0;
    last_done = last_drop = last_req_fail = last_qos2_done = last_suback = last_unsuback = 0;
    last_drop_st = last_req_fail_st = last_close_st = last_connack_st = BMQTT_OK;
    last_rc = last_sp = 0;
    order_len = 0;
    order[0] = 0;
    got_len = 0;
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
    cfg.requests = reqtab;
    cfg.request_count = 2;
    cfg.user = &cli;
    cfg.on_event = on_event;
    reset_counters();
    msg_hook = NULL;
    ev_hook = NULL;
    wrap = tr;
    wrap.send = wrap_send;
    wrap.recv = wrap_recv;
    wrap.close = wrap_close;
    conn_tr = &tr;
    send_stub_n = recv_stub_n = close_calls = calls_after_close = 0;
    memset(&cli, 0, sizeof cli); /* the last test may have left a session open in it */
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    return 0;
}

#define CONNECT_CLEAN "10 0E 00 04 4D 51 54 54 04 02 00 0A 00 02 63 31"
#define CONNECT_KEEP "10 0E 00 04 4D 51 54 54 04 00 00 0A 00 02 63 31"

/* CONNECT out, CONNACK in: connected at time @p now. The CONNECT is on the
 * wire when connect() returns (client.h: "CONNECT goes out at once"). */
static void connect_at(uint32_t now, uint8_t clean, const char *connack)
{
    bmqtt_connect_t f = fields(clean);
    int before = connacks;
    assert_int_equal(bmqtt_client_connect(&cli, conn_tr, &f, now), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), clean ? CONNECT_CLEAN : CONNECT_KEEP);
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CONNECTING);
    assert_int_equal(bmqtt_client_poll(&cli, now), BMQTT_WOULD_BLOCK);
    mock_push_hex(&mock, connack);
    assert_int_equal(bmqtt_client_poll(&cli, now), BMQTT_OK);
    if (cfg.on_event) assert_int_equal(connacks, before + 1);
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CONNECTED);
}

static void test_connect_bytes_and_connack_MQTT_3_1_0_1(void **state)
{
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(last_connack_st, BMQTT_OK);
    assert_int_equal(last_rc, 0);
    assert_int_equal(last_sp, 0);
    assert_int_equal(bmqtt_client_last_error(&cli).status, BMQTT_OK);
}

/* Each CONNACK return code [MQTT-3.2.2-4..5] is its own status, in the poll's
 * return, the CONNACK event and the CLOSED event, and last_error() names the
 * CONNACK. */
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
        assert_string_equal(order, "CX");
        assert_int_equal(last_rc, rc);
        assert_int_equal(last_connack_st, want[rc]);
        assert_int_equal(last_close_st, want[rc]);
        assert_int_equal(bmqtt_client_last_error(&cli).status, want[rc]);
        assert_int_equal(bmqtt_client_last_error(&cli).packet_type, BMQTT_CONNACK);
        assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_NOT_CONNECTED); /* the end status once */
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
    assert_true(mock.closed);
    assert_int_equal(closes, 1);
    assert_int_equal(last_close_st, BMQTT_ERR_TIMEOUT);
    assert_int_equal(bmqtt_client_last_error(&cli).packet_type, BMQTT_CONNACK);
}

/* Keepalive across the 2^32 ms wrap. PINGREQ goes once 3/4 of the keepalive
 * (7.5 s of 10 s) passed without a packet from the client, so that the
 * interval between two control packets never exceeds it [MQTT-3.1.2-23]
 * (the client v2 contract; the first client waited the whole 10 s). The
 * connection is lost when no PINGRESP comes in the response timeout. */
static void test_keepalive_across_clock_wrap(void **state)
{
    uint32_t t0 = 0xFFFFF000u; /* 4096 ms before the wrap */
    (void)state;
    connect_at(t0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 7499u), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(bmqtt_client_sleep_ms(&cli, t0 + 7499u), 1);
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 7500u), BMQTT_OK); /* wrapped: 3404 */
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    mock_push_hex(&mock, "D0 00");
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 7600u), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 14999u), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 15000u), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 15000u + BMQTT_RESPONSE_TIMEOUT_MS - 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, t0 + 15000u + BMQTT_RESPONSE_TIMEOUT_MS), BMQTT_ERR_KEEPALIVE);
    assert_true(mock.closed);
    assert_int_equal(bmqtt_client_last_error(&cli).packet_type, BMQTT_PINGRESP);
}

/* QoS 0, 1 and 2 out: each PUBLISH is on the wire when publish() returns
 * (client v2: API calls make progress), PUBREL answers PUBREC [MQTT-4.3.3-1],
 * and each QoS 1/2 message ends with one PUBLISH_DONE. */
static void test_publish_qos0_1_2_flows_MQTT_4_3(void **state)
{
    uint16_t id;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("hi") };
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 0);
    assert_string_equal(mock_take_hex(&mock), "30 05 00 01 74 68 69");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");

    p.qos = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    assert_string_equal(mock_take_hex(&mock), "32 07 00 01 74 00 01 68 69");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_int_equal(dones, 1);
    assert_int_equal(last_done, 1);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);

    p.qos = 2;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 2);
    assert_string_equal(mock_take_hex(&mock), "34 07 00 01 74 00 02 68 69");
    assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_OK);
    mock_push_hex(&mock, "50 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 5), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "62 02 00 02"); /* PUBREL [MQTT-4.3.3-1] */
    assert_int_equal(dones, 1);
    mock_push_hex(&mock, "70 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 6), BMQTT_OK);
    assert_int_equal(dones, 2);
    assert_int_equal(last_done, 2);
    assert_int_equal(drops, 0);
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
    id = 99;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_ERR_INFLIGHT_FULL);
    assert_int_equal(id, 99); /* untouched when refused */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    mock_push_hex(&mock, "40 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 5);
}

/* Incoming QoS 2 delivered once though the broker resends it with DUP
 * [MQTT-4.3.3-2]; the PUBREL completes it (QOS2_DONE). */
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
    assert_int_equal(qos2_dones, 0);
    mock_push_hex(&mock, "62 02 00 05");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "70 02 00 05");
    assert_int_equal(qos2_dones, 1);
    assert_int_equal(last_qos2_done, 5);
    /* A repeated PUBREL gets its PUBCOMP, and no second QOS2_DONE. */
    mock_push_hex(&mock, "62 02 00 05");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "70 02 00 05");
    assert_int_equal(qos2_dones, 1);
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
 * resent in their original order [MQTT-4.4.0-1]. The client v2 contract
 * resends them whatever Session Present says (the first client dropped them
 * when the broker had no session): a broker without the session answers the
 * PUBREL with PUBCOMP, and the PUBLISH is delivered instead of lost. */
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
    assert_string_equal(mock_take_hex(&mock), "34 06 00 01 74 00 01 61 32 06 00 01 74 00 02 62");
    mock_push_hex(&mock, "50 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "62 02 00 01");
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_ERR_CLOSED);
    assert_int_equal(drops, 0); /* clean session 0: nothing is dropped */

    mock.closed = 0;
    mock.fail_recv = 0;
    connect_at(4, 0, "20 02 01 00");
    assert_string_equal(mock_take_hex(&mock), "62 02 00 01 3A 06 00 01 74 00 02 62");
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_client_poll(&cli, 5), BMQTT_ERR_CLOSED);

    /* Without a session on the broker, the same resend [MQTT-4.4.0-1]. */
    mock.closed = 0;
    mock.fail_recv = 0;
    connect_at(6, 0, "20 02 00 00");
    assert_string_equal(mock_take_hex(&mock), "62 02 00 01 3A 06 00 01 74 00 02 62");
    assert_int_equal(bmqtt_client_inflight(&cli), 2);
    mock_push_hex(&mock, "70 02 00 01 40 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 7), BMQTT_OK);
    assert_int_equal(dones, 2);
    assert_int_equal(drops, 0);
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
        assert_string_equal(got, "ok");
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
    assert_string_equal(mock_take_hex(&mock), CONNECT_CLEAN);
    mock.max_recv = 1;
    mock_push_hex(&mock, "20 02 00 00 32 07 00 01 74 00 09 68 69");
    for (int i = 0; i < 100; i++) (void)bmqtt_client_poll(&cli, 0);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 09");
    assert_int_equal(messages, 1);
    assert_int_equal(connacks, 1);
}

static void test_subscribe_suback_with_failure_code(void **state)
{
    uint16_t id;
    bmqtt_subscription_t s[2] = { { BMQTT_VIEW_LIT("a/#"), 1 }, { BMQTT_VIEW_LIT("b"), 2 } };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_subscribe(&cli, s, 2, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    assert_string_equal(mock_take_hex(&mock), "82 0C 00 01 00 03 61 2F 23 01 00 01 62 02");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    mock_push_hex(&mock, "90 04 00 01 01 80");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(subacks, 1);
    assert_int_equal(last_suback, 1);
    assert_int_equal(last_codes[0], 1);
    assert_int_equal(last_codes[1], 0x80);
    assert_int_equal(req_fails, 0);
}

/* UNSUBSCRIBE and its UNSUBACK. A SUBSCRIBE made while the UNSUBSCRIBE waits
 * for its answer is queued right behind it (client v2: several packets wait
 * back to back; the first client answered BMQTT_ERR_BUSY while a packet was
 * on the line). */
static void test_unsubscribe_unsuback(void **state)
{
    uint16_t id, id2;
    bmqtt_view_t f[1] = { BMQTT_VIEW_LIT("a/+") };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1; /* the line is busy: nothing leaves */
    assert_int_equal(bmqtt_client_unsubscribe(&cli, f, 1, &id), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &(bmqtt_subscription_t){ BMQTT_VIEW_LIT("b"), 0 }, 1, &id2),
                     BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "A2 07 00 01 00 03 61 2F 2B 82 06 00 02 00 01 62 00");
    mock_push_hex(&mock, "B0 02 00 01 90 03 00 02 00");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(unsubacks, 1);
    assert_int_equal(last_unsuback, id);
    assert_int_equal(subacks, 1);
    assert_int_equal(last_suback, id2);
    assert_string_equal(order, "CUS");
}

/* Bad input from the broker closes the session with the codec's exact status,
 * and last_error() names the packet type that caused it. */
static void test_malformed_from_broker_closes_with_status(void **state)
{
    static const struct { const char *hex; bmqtt_status_t st; uint8_t type; } rows[] = {
        { "30 04 00 FF 41 42", BMQTT_ERR_BAD_LENGTH, BMQTT_PUBLISH },
        { "36 05 00 01 74 00 01", BMQTT_ERR_BAD_QOS, BMQTT_PUBLISH }, /* a bad fixed header: see below */
        { "30 03 00 01 2B", BMQTT_ERR_BAD_TOPIC, BMQTT_PUBLISH },
        { "20 02 00 00", BMQTT_ERR_PROTOCOL, BMQTT_CONNACK },  /* a second CONNACK */
        { "40 02 00 07", BMQTT_ERR_PROTOCOL, BMQTT_PUBACK },   /* PUBACK for an id never used */
        { "C0 00", BMQTT_ERR_PROTOCOL, BMQTT_PINGREQ },        /* PINGREQ from a server */
        /* Packets only a client sends, well-formed: refused whether or not the
         * codec decodes them (BMQTT_DECODE_CLIENT_PACKETS 1 or 0). */
        { "10 0D 00 04 4D 51 54 54 04 02 00 0A 00 01 70", BMQTT_ERR_PROTOCOL, BMQTT_CONNECT },
        { "82 06 00 01 00 01 61 00", BMQTT_ERR_PROTOCOL, BMQTT_SUBSCRIBE },
        { "A2 05 00 01 00 01 61", BMQTT_ERR_PROTOCOL, BMQTT_UNSUBSCRIBE },
        { "E0 00", BMQTT_ERR_PROTOCOL, BMQTT_DISCONNECT },
        { "90 03 00 07 00", BMQTT_ERR_PROTOCOL, BMQTT_SUBACK }, /* SUBACK for an id never used */
        { "B0 02 00 07", BMQTT_ERR_PROTOCOL, BMQTT_UNSUBACK }, /* UNSUBACK for an id never used */
        { "FF FF FF FF FF 7F", BMQTT_ERR_BAD_TYPE, 15 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bmqtt_client_error_t e;
        setup(state);
        connect_at(0, 1, "20 02 00 00");
        mock_push_hex(&mock, rows[i].hex);
        assert_int_equal(bmqtt_client_poll(&cli, 1), rows[i].st);
        assert_true(mock.closed);
        assert_int_equal(closes, 1);
        assert_int_equal(last_close_st, rows[i].st);
        e = bmqtt_client_last_error(&cli);
        assert_int_equal(e.status, rows[i].st);
        if (rows[i].hex[0] != '3' || rows[i].hex[1] != '6') {
            if (rows[i].st != BMQTT_ERR_BAD_TYPE) assert_int_equal(e.packet_type, rows[i].type);
        }
        assert_non_null(bmqtt_client_rule_str(e.rule));
        assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_NOT_CONNECTED);
    }
}

/* last_error() names the packet whose fixed header was refused (a PUBLISH
 * with QoS 3 [MQTT-3.3.1-4], a reserved type 15 [MQTT-2.2.1]), not the packet
 * before it. */
static void test_last_error_names_a_refused_fixed_header(void **state)
{
    static const struct { const char *hex; bmqtt_status_t st; uint8_t type; } rows[] = {
        { "36 05 00 01 74 00 01", BMQTT_ERR_BAD_QOS, BMQTT_PUBLISH },
        { "FF FF FF FF FF 7F", BMQTT_ERR_BAD_TYPE, 15 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        setup(state);
        connect_at(0, 1, "20 02 00 00");
        mock_push_hex(&mock, rows[i].hex);
        assert_int_equal(bmqtt_client_poll(&cli, 1), rows[i].st);
        assert_int_equal(bmqtt_client_last_error(&cli).rule, BMQTT_RULE_MALFORMED);
        assert_int_equal(bmqtt_client_last_error(&cli).packet_type, rows[i].type);
    }
}

/* SUBACK/UNSUBACK are matched to the requests actually pending: id, kind and
 * the number of return codes [MQTT-3.8.4-5]; the caller's table (two entries
 * here) is bounded. */
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
        /* Both entries of the request table are taken: a third request waits. */
        assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_ERR_BUSY);
        assert_string_equal(mock_take_hex(&mock), "");
        mock_push_hex(&mock, rows[i].answer);
        assert_int_equal(bmqtt_client_poll(&cli, 2), rows[i].st);
        assert_int_equal(mock.closed, rows[i].st != BMQTT_OK);
        assert_int_equal(subacks + unsubacks, rows[i].st == BMQTT_OK);
        /* A session that ended ends its pending requests: one event each, NOT_CONNECTED. */
        assert_int_equal(req_fails, rows[i].st == BMQTT_OK ? 0 : 2);
        if (rows[i].st != BMQTT_OK) assert_int_equal(last_req_fail_st, BMQTT_ERR_NOT_CONNECTED);
    }
    /* The answered entry is free again, and its id is not reused while one is pending. */
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_OK);
    assert_int_equal(id, 3);
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_ERR_BUSY);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 0x8000, NULL), BMQTT_ERR_PARAM);
}

/* Requests still pending when the link drops end with an event
 * (BMQTT_ERR_NOT_CONNECTED) and are forgotten by the next connect: an answer
 * to them on the new connection is a protocol error. */
static void test_pending_requests_forgotten_on_reconnect(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 1 };
    (void)state;
    connect_at(0, 0, "20 02 00 00");
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    bmqtt_client_abort(&cli);
    assert_int_equal(req_fails, 1);
    assert_int_equal(last_req_fail, 1);
    assert_int_equal(last_req_fail_type, BMQTT_EVT_SUBACK);
    assert_int_equal(last_req_fail_st, BMQTT_ERR_NOT_CONNECTED);
    mock.closed = 0;
    (void)mock_take_hex(&mock);
    connect_at(2, 0, "20 02 01 00");
    mock_push_hex(&mock, "90 03 00 01 01");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_ERR_PROTOCOL);
    assert_int_equal(subacks, 0);
    assert_int_equal(req_fails, 1);
}

/* A CONNACK that is already waiting before the CONNECT is fully written is not
 * acted on until the CONNECT is out: the client never takes an answer to a
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
    assert_int_equal(connacks, 0);
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CONNECTING);
    assert_string_equal(mock_take_hex(&mock), "");
    mock.send_block_every = 0; /* now 5 bytes per call */
    for (int i = 0; i < 10 && connacks == 0; i++) (void)bmqtt_client_poll(&cli, 1);
    assert_int_equal(connacks, 1);
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CONNECTED);
    assert_string_equal(mock_take_hex(&mock), CONNECT_CLEAN);
}

static void noop_lock(void *user)
{
    (void)user;
}

/* Caller mistakes get BMQTT_ERR_PARAM / NOT_CONNECTED, never a crash. */
static void test_parameter_and_state_errors(void **state)
{
    bmqtt_client_config_t bad;
    bmqtt_connect_t f = fields(1);
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x") };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_view_t flt = BMQTT_VIEW_LIT("a");
    bmqtt_transport_t half = tr;
    static uint8_t box[32];
    (void)state;
    assert_int_equal(bmqtt_client_init(NULL, &cfg), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_init(&cli, NULL), BMQTT_ERR_PARAM);
    /* A struct of another size (a library built with another layout) is refused. */
    assert_int_equal(bmqtt_client_init_checked(&cli, &cfg, sizeof cli - 1), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_init_checked(&cli, &cfg, sizeof cli + 16), BMQTT_ERR_PARAM);
    for (int i = 0; i < 16; i++) {
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
        case 9: bad.tx_size = (size_t)BMQTT_VARINT_MAX + 1u; break;
        case 10: bad.request_count = 0; break;
        case 11: bad.lock = noop_lock; break;
        case 12: bad.unlock = noop_lock; break;
        case 13: bad.qos2_count = 0; break;
        case 14: bad.tx_size = 0; break;
        default: bad.rx_size = 0; break;
        }
        assert_int_equal(bmqtt_client_init(&cli, &bad), BMQTT_ERR_PARAM);
    }
    /* The edges that are accepted: 16-byte buffers, a full in-flight table, an outbox, no request table. */
    bad = cfg;
    bad.tx_size = bad.rx_size = 16;
    bad.requests = NULL;
    bad.request_count = 0;
    assert_int_equal(bmqtt_client_init(&cli, &bad), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(NULL, box, sizeof box), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_set_outbox(&cli, NULL, 8), BMQTT_ERR_PARAM);
#if SIZE_MAX > UINT32_MAX
    assert_int_equal(bmqtt_client_set_outbox(&cli, box, (size_t)UINT32_MAX + 1u), BMQTT_ERR_PARAM);
#endif
    assert_int_equal(bmqtt_client_set_outbox(&cli, box, sizeof box), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, NULL, 0), BMQTT_OK); /* removed again */
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_IDLE);
    /* Idle: nothing to poll, publish at QoS 0, subscribe; disconnect and abort are no-ops. */
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &flt, 1, NULL), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_ERR_NOT_CONNECTED);
    bmqtt_client_abort(&cli);
    assert_int_equal(bmqtt_client_disconnect(NULL), BMQTT_ERR_PARAM);
    bmqtt_client_abort(NULL);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 0), UINT32_MAX);
    assert_int_equal(bmqtt_client_sleep_ms(NULL, 0), UINT32_MAX);
    assert_int_equal(bmqtt_client_state(NULL), BMQTT_CLIENT_IDLE);
    assert_int_equal(bmqtt_client_last_error(NULL).status, BMQTT_ERR_PARAM);
    assert_int_equal(closes + events, 0);
    assert_int_equal(mock.send_calls, 0);
    assert_int_equal(bmqtt_client_poll(NULL, 0), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_publish(NULL, &p, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_publish_ref(NULL, &p, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_publish(&cli, NULL, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_subscribe(NULL, &s, 1, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_unsubscribe(NULL, &flt, 1, NULL), BMQTT_ERR_PARAM);
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
    assert_int_equal(mock.send_calls, 0);
    /* A transport without close is fine. */
    half = tr;
    half.close = NULL;
    f = fields(1);
    assert_int_equal(bmqtt_client_connect(&cli, &half, &f, 0), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), CONNECT_CLEAN);
    assert_int_equal(bmqtt_client_connect(&cli, &half, &f, 0), BMQTT_ERR_BUSY); /* a session is open */
    assert_string_equal(mock_take_hex(&mock), "");
    bmqtt_client_abort(&cli);
    assert_false(mock.closed);
    assert_int_equal(closes, 1);
    assert_int_equal(last_close_st, BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_NOT_CONNECTED);
}

/* DISCONNECT goes out at once when nothing waits [MQTT-3.14]; the transport is
 * closed and disconnect() says it finished (BMQTT_OK). Session present 1 needs
 * clean session 0 [MQTT-3.2.2-1]. */
static void test_disconnect_sends_e0_00(void **state)
{
    (void)state;
    connect_at(0, 0, "20 02 01 00");
    assert_int_equal(bmqtt_client_session_present(&cli), 1);
    assert_int_equal(last_sp, 1);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_true(mock.closed);
    assert_int_equal(closes, 1);
    assert_int_equal(last_close_st, BMQTT_OK);
    assert_int_equal(bmqtt_client_last_error(&cli).status, BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_ERR_NOT_CONNECTED); /* twice: nothing more */
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(closes, 1);
}

/* A CONNACK with Session Present 1 answering a CONNECT with clean session 1
 * ends the session: the broker broke [MQTT-3.2.2-1], and
 * bmqtt_client_session_present() never reports 1 for a clean session. */
static void test_session_present_after_clean_session_MQTT_3_2_2_1(void **state)
{
    bmqtt_connect_t f = fields(1);
    bmqtt_client_error_t e;
    (void)state;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    mock_push_hex(&mock, "20 02 01 00");
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_PROTOCOL);
    assert_true(mock.closed);
    assert_int_equal(bmqtt_client_session_present(&cli), 0);
    e = bmqtt_client_last_error(&cli);
    assert_int_equal(e.packet_type, BMQTT_CONNACK);
    assert_int_equal(e.rule, BMQTT_RULE_SESSION_PRESENT);
    assert_non_null(strstr(bmqtt_client_rule_str(e.rule), "MQTT-3.2.2-1"));
    assert_int_equal(connacks, 0);
    assert_int_equal(closes, 1);
}

/* A payload larger than the transmit buffer leaves from the caller's memory,
 * after the header, in as many sends as the transport wants. One such payload
 * waits at a time (client.h): a second one is BMQTT_ERR_BUSY, while a small
 * QoS 0 message queues behind it (client v2: BUSY only when tx_buf is full). */
static void test_large_payload_sent_without_copy(void **state)
{
    static uint8_t big[1000];
    static char want[3 * (8 + sizeof big) + 32];
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t") };
    bmqtt_publish_t small = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("z") };
    uint16_t id;
    size_t k = 0;
    (void)state;
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)i;
    p.payload.ptr = big;
    p.payload.len = sizeof big;
    connect_at(0, 1, "20 02 00 00");
    mock.max_send = 7;
    mock.send_block_every = 3; /* two sends of 7 bytes, then would-block */
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_false(bmqtt_client_tx_idle(&cli));
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_ERR_BUSY); /* one large payload at a time */
    assert_int_equal(bmqtt_client_publish(&cli, &small, &id), BMQTT_OK);
    for (int i = 0; i < 200 && !bmqtt_client_tx_idle(&cli); i++) assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_true(bmqtt_client_tx_idle(&cli));
    assert_int_equal(bmqtt_client_tx_free(&cli), sizeof txb);
    k += (size_t)sprintf(want + k, "30 EB 07 00 01 74"); /* remaining length 1003 */
    for (size_t i = 0; i < sizeof big; i++) k += (size_t)sprintf(want + k, " %02X", big[i]);
    k += (size_t)sprintf(want + k, " 30 04 00 01 74 7A");
    assert_string_equal(mock_take_hex(&mock), want);
}

/* Publish refuses what it cannot send: a bad topic, a bad QoS, a header larger
 * than the transmit buffer, a payload length without bytes — found at publish
 * time, never blamed on the broker later. A QoS 0 message while a QoS 1
 * message has just gone out is accepted (client v2: the first client said
 * BMQTT_ERR_BUSY while a packet was on the line). */
static void test_publish_refusals(void **state)
{
    static uint8_t long_topic[300];
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("a/+"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_BAD_TOPIC);
    p.topic = bmqtt_view_str("t");
    p.qos = 3; /* the encoder's own status for it */
    {
        size_t n;
        bmqtt_status_t enc = bmqtt_publish_encode_header(&(bmqtt_publish_t){ .topic = p.topic, .qos = 3, .packet_id = 1 },
                                                        NULL, 0, &n);
        assert_true(enc < 0);
        assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), enc);
    }
    p.qos = 1;
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
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 78 30 04 00 01 74 78");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_false(mock.closed);
}

/* BMQTT_ERR_BUSY for QoS 0 only when tx_buf is really full; it loses nothing:
 * the messages accepted before leave whole, in order, once the transport
 * takes bytes again, and nothing of the refused one. QoS 1/2 are never BUSY:
 * they wait in the in-flight table for room. */
static void test_qos0_busy_only_when_tx_buf_full(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("0123456789") };
    char want[3 * 256 + 64];
    size_t k = 0;
    int accepted = 0;
    uint16_t id;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    while (bmqtt_client_publish(&cli, &p, NULL) == BMQTT_OK) accepted++;
    assert_int_equal(accepted, sizeof txb / 15); /* 15 bytes each: 2 + 2 + 1 + 10 */
    assert_true(bmqtt_client_tx_free(&cli) < 15);
    p.qos = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK); /* never BUSY */
    p.qos = 0;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_BUSY);
    assert_string_equal(mock_take_hex(&mock), "");
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    for (int i = 0; i < accepted; i++)
        k += (size_t)sprintf(want + k, "%s30 0D 00 01 74 30 31 32 33 34 35 36 37 38 39", i ? " " : "");
    k += (size_t)sprintf(want + k, " 32 0F 00 01 74 00 01 30 31 32 33 34 35 36 37 38 39");
    assert_string_equal(mock_take_hex(&mock), want);
}

/* on_event may be NULL: the protocol still runs (acks go out). */
static void test_no_callbacks(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_view_t f = BMQTT_VIEW_LIT("a");
    (void)state;
    cfg.on_event = NULL;
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
    mock_push_hex(&mock, "70 02 00 02 34 06 00 01 74 00 0A 78 62 02 00 0A");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "50 02 00 0A 70 02 00 0A");
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_int_equal(events, 0);
}

/* Acks that do not fit the exchange they name end the session [MQTT-4.3].
 * A broker cannot complete a step it has not seen: an ack read while the
 * packet it answers is still in tx_buf came before that packet. With clean
 * session 1 the message then ends with BMQTT_ERR_SESSION_ENDED (client v2:
 * every QoS 1/2 message ends with exactly one PUBLISH_DONE). */
static void test_acks_for_the_wrong_exchange(void **state)
{
    static const struct { const char *ack; int hold; } rows[] = {
        { "40 02 00 01", 0 }, /* PUBACK for a QoS 2 message */
        { "70 02 00 01", 0 }, /* PUBCOMP before PUBREC */
        { "70 02 00 09", 0 }, /* PUBCOMP for an id never used */
        { "50 02 00 01 70 02 00 01", 0 }, /* PUBCOMP read before our PUBREL could go out */
        { "70 02 00 01", 1 }, /* PUBCOMP while our PUBREL is queued, not yet taken by the transport */
        { "50 02 00 01", 2 }, /* PUBREC while our PUBLISH is still in tx_buf */
    };
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 2 };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        setup(state);
        connect_at(0, 1, "20 02 00 00");
        if (rows[i].hold == 2) mock.send_block_every = 1;
        assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
        assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
        if (rows[i].hold == 1) {
            mock.send_block_every = 1;
            mock_push_hex(&mock, "50 02 00 01");
            assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
            assert_string_equal(mock_take_hex(&mock), "34 06 00 01 74 00 01 78");
            assert_false(bmqtt_client_tx_idle(&cli)); /* the PUBREL waits in tx_buf */
        }
        mock_push_hex(&mock, rows[i].ack);
        assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_PROTOCOL);
        assert_int_equal(dones, 0);
        assert_int_equal(drops, 1);
        assert_int_equal(last_drop_st, BMQTT_ERR_SESSION_ENDED);
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
    assert_int_equal(bmqtt_client_last_error(&cli).packet_id, 5);
}

/* A configured response timeout replaces BMQTT_RESPONSE_TIMEOUT_MS; keepalive
 * 0 never pings. With keepalive 10 s the PINGREQ goes at 7.5 s [MQTT-3.1.2-23]
 * (client v2: 3/4 of the keepalive). */
static void test_response_timeout_and_keepalive_off(void **state)
{
    bmqtt_connect_t f = fields(1);
    (void)state;
    cfg.response_timeout_ms = 500;
    f.keepalive_s = 0;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 100), 400);
    assert_int_equal(bmqtt_client_poll(&cli, 499), BMQTT_WOULD_BLOCK);
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 499), BMQTT_OK);
    (void)mock_take_hex(&mock);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 499), UINT32_MAX);
    assert_int_equal(bmqtt_client_poll(&cli, 4000000000u), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    setup(state);
    cfg.response_timeout_ms = 500;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 0), 7500);
    assert_int_equal(bmqtt_client_poll(&cli, 7500), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 7600), 400);
    assert_int_equal(bmqtt_client_poll(&cli, 7999), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 8000), BMQTT_ERR_KEEPALIVE);
}

/* A transport error on send or receive ends the session with that status. A
 * send that fails inside publish() is reported by the next poll (events never
 * run inside publish()). */
static void test_transport_errors_end_the_session(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x") };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock.fail_recv = BMQTT_ERR_TRANSPORT;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_TRANSPORT);
    assert_true(mock.closed);
    assert_int_equal(last_close_st, BMQTT_ERR_TRANSPORT);
    setup(state);
    connect_at(0, 1, "20 02 00 00");
    mock.drop_at_out = mock.out_total; /* the next send fails */
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(closes, 0);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 1), 0); /* poll has work now */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_CLOSED);
    assert_int_equal(closes, 1);
    setup(state);
    connect_at(0, 1, "20 02 00 00");
    mock.drop_at_out = mock.out_total;
    assert_int_equal(bmqtt_client_poll(&cli, 7500), BMQTT_ERR_CLOSED); /* the PINGREQ could not go */
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
    assert_string_equal(mock_take_hex(&mock), "82 06 FF FF 00 01 61 00 82 06 00 01 00 01 61 00");
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
            assert_string_equal(mock_take_hex(&mock), pub);
            assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
            static const uint8_t ack[4] = { 0x40, 0x02, 0x00, 0x01 };
            mock_push(&mock, ack, at - 9);
            mock.fail_recv = BMQTT_ERR_CLOSED;
        }
        assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_CLOSED);
        assert_int_equal(dones + drops, 0);
        reconnect_with_session(2);
        assert_string_equal(mock_take_hex(&mock), "3A 07 00 01 74 00 01 68 69");
        mock_push_hex(&mock, "40 02 00 01");
        assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
        assert_int_equal(dones, 1);
        assert_int_equal(drops, 0);
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
        assert_int_equal(closes, 1);
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
    send_stub = 0;
    send_stub_n = 1000;
    assert_int_equal(bmqtt_client_connect(&cli, &wrap, &f, 0), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_WOULD_BLOCK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_false(bmqtt_client_tx_idle(&cli));
    send_stub_n = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_WOULD_BLOCK);
    assert_string_equal(mock_take_hex(&mock), CONNECT_CLEAN);
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
 * poll; keepalive then counts from that send [MQTT-3.1.2-23] (3/4 of 10 s). */
static void test_pingreq_would_block_goes_on_next_poll(void **state)
{
    (void)state;
    conn_tr = &wrap;
    connect_at(0, 1, "20 02 00 00");
    send_stub = BMQTT_WOULD_BLOCK;
    send_stub_n = 1;
    assert_int_equal(bmqtt_client_poll(&cli, 7500), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_false(bmqtt_client_tx_idle(&cli));
    assert_int_equal(bmqtt_client_poll(&cli, 7501), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    mock_push_hex(&mock, "D0 00");
    assert_int_equal(bmqtt_client_poll(&cli, 7502), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 15000), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(bmqtt_client_poll(&cli, 15001), BMQTT_OK);
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
    assert_string_equal(mock_take_hex(&mock), "31 03 00 01 74");
    p.qos = 1;
    p.retain = 0;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 1);
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
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_OK);
    assert_int_equal(id, 2);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 78 82 06 00 02 00 01 61 00");
    cli.next_id = 65535; /* white-box: skip 65,532 round trips */
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 65535);
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 3); /* 1 and 2 are still in use */
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
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 61 32 06 00 01 74 00 02 62 32 06 00 01 74 00 03 63");
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(dones, 1);
    p.payload = bmqtt_view_str("d"); /* id 4 in the freed slot 0, seq 0001: newest, yet first in the table */
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
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
 * QoS 1 message ends the session. So does a PUBACK for a message the client
 * has not yet resent on this connection [MQTT-4.4.0-1]: since client v2 the
 * poll that handles CONNACK returns right after it and the resend leaves in
 * that poll, so a PUBACK read in the same read as the CONNACK is taken only
 * after the resend (and completes the message); while the transport has not
 * taken the resend, a PUBACK for it came before it and is refused. */
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
    assert_int_equal(drops, 1); /* clean session 1: the message ends with the session */
    assert_int_equal(last_drop_st, BMQTT_ERR_SESSION_ENDED);

    for (int hold = 0; hold < 2; hold++) {
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
        assert_string_equal(mock_take_hex(&mock), CONNECT_KEEP);
        assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_WOULD_BLOCK);
        mock_push_hex(&mock, "20 02 01 00 40 02 00 01"); /* session present, then PUBACK in the same read */
        if (hold) mock.send_block_every = 1;             /* the resend stays in tx_buf */
        assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_OK); /* returns right after CONNACK */
        if (!hold) {
            assert_string_equal(mock_take_hex(&mock), "3A 06 00 01 74 00 01 78");
            assert_int_equal(bmqtt_client_poll(&cli, 5), BMQTT_OK);
            assert_int_equal(dones, 1);
            assert_int_equal(bmqtt_client_inflight(&cli), 0);
        } else {
            assert_string_equal(mock_take_hex(&mock), "");
            assert_int_equal(bmqtt_client_poll(&cli, 5), BMQTT_ERR_PROTOCOL);
            assert_int_equal(dones, 0);
            assert_int_equal(bmqtt_client_inflight(&cli), 1); /* clean session 0: kept for the next connection */
        }
    }
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
        assert_int_equal(connacks, 0);
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
 * (here a SUBACK of 100 return codes) ends the session, and the SUBSCRIBE
 * ends with BMQTT_ERR_NOT_CONNECTED. */
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
    assert_int_equal(req_fails, 1);
    assert_int_equal(last_req_fail_st, BMQTT_ERR_NOT_CONNECTED);
}

static bmqtt_status_t hook_st;

static void hook_disconnect(const bmqtt_message_t *m)
{
    (void)m;
    hook_st = bmqtt_client_disconnect(&cli);
}

/* A message event may end the session: what is queued goes out, then
 * DISCONNECT, the transport is closed, and nothing more is read, handled or
 * sent on it [MQTT-3.14.4-1, MQTT-3.14.4-2]; poll reports the session over. */
static void test_disconnect_from_on_message_MQTT_3_14_4_2(void **state)
{
    (void)state;
    conn_tr = &wrap;
    connect_at(0, 1, "20 02 00 00");
    msg_hook = hook_disconnect;
    mock_push_hex(&mock, "30 04 00 01 74 61 30 04 00 01 74 62"); /* two QoS 0 messages in one read */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(hook_st, BMQTT_OK);
    assert_int_equal(messages, 1);
    assert_string_equal(got, "a");
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_int_equal(close_calls, 1);
    assert_int_equal(closes, 1);
    assert_int_equal(last_close_st, BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(messages, 1);
    assert_int_equal(calls_after_close, 0);

    /* A QoS 1 message: its PUBACK, queued before the event ran, leaves before
     * the DISCONNECT (client v2: disconnect sends what is queued first; the
     * first client closed without either). */
    setup(state);
    conn_tr = &wrap;
    connect_at(0, 1, "20 02 00 00");
    msg_hook = hook_disconnect;
    mock_push_hex(&mock, "32 06 00 01 74 00 09 61 30 04 00 01 74 62");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(hook_st, BMQTT_OK);
    assert_int_equal(messages, 1);
    assert_int_equal(close_calls, 1);
    assert_int_equal(calls_after_close, 0);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 09 E0 00");
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

/* A message event may publish a reply. For a QoS 1/2 message the PUBACK/PUBREC
 * is queued before the event runs [MQTT-4.3.2-2, MQTT-4.3.3-2], so the reply
 * never overwrites it and is never lost: the reply leaves right after the
 * ack, at QoS 1 and, since client v2, at QoS 0 too (it queues behind the ack;
 * the first client said BMQTT_ERR_BUSY). */
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
    assert_int_equal(reply_st, BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 0A 30 05 00 01 72 6F 6B");
}

/* An answer that cannot be sent ends the session: four QoS 1 messages in one
 * read are handled, their PUBACKs queued back to back, and the link drops at
 * the fourth. */
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
    assert_int_equal(req_fails, 0);
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
    assert_int_equal(bmqtt_client_publish_ref(&z, &p, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_subscribe(&z, &s, 1, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_unsubscribe(&z, &flt, 1, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_disconnect(&z), BMQTT_ERR_PARAM);
    bmqtt_client_abort(&z);
    assert_int_equal(bmqtt_client_state(&z), BMQTT_CLIENT_IDLE);
    assert_int_equal(bmqtt_client_last_error(&z).status, BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_sleep_ms(&z, 0), UINT32_MAX);
    assert_int_equal(mock.send_calls + mock.recv_calls + close_calls, 0);
}

/* The read-only queries on a client that was never initialised answer
 * "nothing" instead of reading through its NULL config (house rule: no API
 * misuse may corrupt memory or crash). Last in the suite: a NULL read here
 * stops the binary under AddressSanitizer. */
static void test_queries_on_uninitialised_client(void **state)
{
    static bmqtt_client_t z;
    (void)state;
    memset(&z, 0, sizeof z);
    assert_int_equal(bmqtt_client_session_present(&z), 0);
    assert_int_equal(bmqtt_client_tx_idle(&z), 1);
    assert_int_equal(bmqtt_client_inflight(&z), 0);
    assert_int_equal(bmqtt_client_tx_free(&z), 0);
}

/* Disconnect and abort in each state. DISCONNECT goes out only after what is
 * queued: never before the CONNECT [MQTT-3.1.0-1] and never inside half a
 * packet; since client v2 disconnect waits for the queue (finishing in poll,
 * BMQTT_WOULD_BLOCK) instead of closing without DISCONNECT. Abort closes
 * without it (the broker then publishes the will [MQTT-3.1.2-8]). Once
 * closed, both are no-ops: close is called once. */
static void test_disconnect_and_abort_in_each_state(void **state)
{
    static uint8_t big[1000];
    static char rest[3 * sizeof big + 16];
    bmqtt_connect_t f = fields(1);
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = { big, sizeof big } };
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 7u);
    for (int i = 0; i < 6; i++) {
        setup(state);
        conn_tr = &wrap;
        if (i < 4) {
            if (!(i & 1)) mock.send_block_every = 1; /* 0, 2: the CONNECT stays queued */
            assert_int_equal(bmqtt_client_connect(&cli, &wrap, &f, 0), BMQTT_OK);
            assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_WOULD_BLOCK);
            assert_string_equal(mock_take_hex(&mock), (i & 1) ? CONNECT_CLEAN : "");
        } else {
            connect_at(0, 1, "20 02 00 00");
            (void)mock_take_hex(&mock);
            mock.max_send = 3;
            mock.send_block_every = 2;
            assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
            assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
            const char *out = mock_take_hex(&mock);
            assert_int_equal(strncmp(out, "30 EB 07 00 01 74", 17), 0); /* a part of the PUBLISH went */
            size_t sent = (strlen(out) + 1) / 3;
            size_t k = 0;
            for (size_t b = sent - 6; b < sizeof big; b++) k += (size_t)sprintf(rest + k, "%s%02X", k ? " " : "", big[b]);
            sprintf(rest + k, " E0 00");
            assert_false(bmqtt_client_tx_idle(&cli));
        }
        /* 0, 1: disconnect while connecting, CONNECT queued / written;
         * 2, 3: abort while connecting; 4: disconnect, 5: abort mid-packet. */
        if (i == 0 || i == 1 || i == 4) {
            bmqtt_status_t st = bmqtt_client_disconnect(&cli);
            assert_int_equal(st, i == 1 ? BMQTT_OK : BMQTT_WOULD_BLOCK);
            if (i == 0) {
                assert_string_equal(mock_take_hex(&mock), "");
                assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_DISCONNECTING);
                mock.send_block_every = 0;
            }
            for (int n = 0; n < 1000 && st == BMQTT_WOULD_BLOCK; n++) st = bmqtt_client_poll(&cli, 1);
            assert_int_equal(st, BMQTT_OK); /* the poll that completed the graceful disconnect */
            assert_string_equal(mock_take_hex(&mock), i == 0 ? CONNECT_CLEAN " E0 00" : i == 1 ? "E0 00" : rest);
        } else {
            bmqtt_client_abort(&cli);
            assert_string_equal(mock_take_hex(&mock), "");
        }
        assert_int_equal(close_calls, 1);
        assert_int_equal(closes, 1);
        assert_int_equal(last_close_st, BMQTT_OK);
        assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_NOT_CONNECTED);
        assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_ERR_NOT_CONNECTED);
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
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(close_calls, 1);
    assert_int_equal(calls_after_close, 0);
}

/* A QoS 1/2 message kept by reference (no outbox) is encoded again from the
 * caller's memory at a resend. If it was rewritten into an invalid name
 * (which the lifetime rule of client.h forbids), the message ends with
 * BMQTT_ERR_CHANGED and nothing goes on the wire [MQTT-3.3.2-2]; the session
 * goes on (client v2; the first client ended the session with the codec's
 * status, which blamed the broker). */
static void test_inflight_topic_rewritten_before_send(void **state)
{
    static char topic[4];
    bmqtt_publish_t p = { .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    uint16_t id;
    (void)state;
    memcpy(topic, "t/1", 4);
    p.topic = bmqtt_view_str(topic);
    connect_at(0, 0, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    assert_string_equal(mock_take_hex(&mock), "32 08 00 03 74 2F 31 00 01 78");
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_CLOSED);
    topic[2] = '+';
    reconnect_with_session(2);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(drops, 1);
    assert_int_equal(last_drop, 1);
    assert_int_equal(last_drop_st, BMQTT_ERR_CHANGED);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_false(mock.closed);
}

/* ---- client v2 paths the first client did not have -------------------- */

/* Reconnect with clean session 0 after a drop, the broker answering @p connack. */
static void reconnect_as(uint32_t now, uint8_t clean, const char *connack)
{
    mock.closed = 0;
    mock.fail_recv = 0;
    mock.drop_at_out = 0;
    mock.send_block_every = 0;
    mock.in_pos = mock.in_len = 0;
    (void)mock_take_hex(&mock);
    connect_at(now, clean, connack);
}

static void drop_link(uint32_t now, bmqtt_status_t want)
{
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_client_poll(&cli, now), want);
    assert_true(mock.closed);
}

/* With an outbox, QoS 1/2 topic and payload are copies: the caller may reuse
 * its buffers as soon as publish returns, and a resend after a reconnect
 * carries the original bytes [MQTT-4.4.0-1]. The outbox is reused once the
 * messages in it end, compacted when a new message needs the room that ended
 * ones left between live ones, and refuses what it cannot hold: larger than
 * the whole outbox (BMQTT_ERR_BUFFER_TOO_SMALL: use publish_ref) or larger
 * than what is free (BMQTT_ERR_INFLIGHT_FULL); both keep nothing. */
static void test_outbox_copies_reused_and_compacted(void **state)
{
    static uint8_t box[32];
    char topic[8], payload[16];
    bmqtt_publish_t p = { .qos = 1 };
    uint16_t id;
    (void)state;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, box, sizeof box), BMQTT_OK);
    connect_at(0, 0, "20 02 00 00");
    /* A: 1 + 9 = 10 bytes, from a stack buffer overwritten right after publish. */
    memcpy(topic, "a", 2);
    memcpy(payload, "AAAAAAAAA", 10);
    p.topic = bmqtt_view_str(topic);
    p.payload = bmqtt_view_str(payload);
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    memset(topic, '+', sizeof topic - 1);
    memset(payload, 'z', sizeof payload - 1);
    assert_string_equal(mock_take_hex(&mock), "32 0E 00 01 61 00 01 41 41 41 41 41 41 41 41 41");
    /* B and C: 10 bytes each; the outbox holds 30 of 32. */
    p.topic = bmqtt_view_str("b");
    p.payload = bmqtt_view_str("BBBBBBBBB");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    p.topic = bmqtt_view_str("c");
    p.payload = bmqtt_view_str("CCCCCCCCC");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    (void)mock_take_hex(&mock);
    /* Copies live in it: the outbox is neither swapped nor removed. */
    assert_int_equal(bmqtt_client_set_outbox(&cli, NULL, 0), BMQTT_ERR_BUSY);
    /* No room for D (10 > 2 free), and nothing to compact while A, B, C live. */
    p.topic = bmqtt_view_str("d");
    p.payload = bmqtt_view_str("DDDDDDDDD");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_ERR_INFLIGHT_FULL);
    /* Larger than the whole outbox. */
    p.payload = bmqtt_view_str("0123456789012345678901234567890123456789");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_ERR_OUTBOX_TOO_SMALL);
    assert_int_equal(bmqtt_client_inflight(&cli), 3);
    assert_string_equal(mock_take_hex(&mock), "");
    /* A ends (it was first in the outbox): D fits once B and C move to the front. */
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(dones, 1);
    p.payload = bmqtt_view_str("DDDDDDDDD");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 4);
    assert_string_equal(mock_take_hex(&mock), "32 0E 00 01 64 00 04 44 44 44 44 44 44 44 44 44");
    /* B ends. D (slot 0) now lies after C (slot 2) in the outbox, and a message
     * kept by reference (slot 1) has nothing there: E needs C and D moved in
     * address order. */
    mock_push_hex(&mock, "40 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    p.topic = bmqtt_view_str("r");
    p.payload = bmqtt_view_str("RRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"); /* 1 + 30 bytes: more than the outbox has free */
    assert_int_equal(bmqtt_client_publish_ref(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 5);
    p.topic = bmqtt_view_str("e");
    p.payload = bmqtt_view_str("EEEEEEEEE");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 6);
    (void)mock_take_hex(&mock);
    /* Resent from the outbox after a drop: C, D, R, E, intact after the moves. */
    drop_link(2, BMQTT_ERR_CLOSED);
    reconnect_as(3, 0, "20 02 00 00");
    assert_string_equal(mock_take_hex(&mock), "3A 0E 00 01 63 00 03 43 43 43 43 43 43 43 43 43"
                                              " 3A 0E 00 01 64 00 04 44 44 44 44 44 44 44 44 44"
                                              " 3A 23 00 01 72 00 05 52 52 52 52 52 52 52 52 52 52 52 52 52 52 52"
                                              " 52 52 52 52 52 52 52 52 52 52 52 52 52 52 52"
                                              " 3A 0E 00 01 65 00 06 45 45 45 45 45 45 45 45 45");
    /* Everything ends: the whole outbox is free again, an empty payload needs only its topic. */
    mock_push_hex(&mock, "40 02 00 03 40 02 00 04 40 02 00 05 40 02 00 06");
    assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_OK);
    assert_int_equal(dones, 6);
    p.topic = bmqtt_view_str("0123456789012345678901234567890"); /* 31 bytes */
    p.payload = (bmqtt_view_t){ NULL, 0 };
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
    assert_int_equal(drops, 0);
}

/* bmqtt_client_publish_ref() keeps the message by reference even with an
 * outbox (for payloads too big to copy, or in flash): a resend reads the
 * caller's memory as it is then, and a message larger than the outbox is
 * accepted. */
static void test_publish_ref_is_never_copied(void **state)
{
    static uint8_t box[16];
    static char payload[40];
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .qos = 2 };
    uint16_t id;
    (void)state;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, box, sizeof box), BMQTT_OK);
    connect_at(0, 0, "20 02 00 00");
    memset(payload, 'x', sizeof payload - 1);
    p.payload = bmqtt_view_str(payload);
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_ERR_OUTBOX_TOO_SMALL);
    assert_int_equal(bmqtt_client_publish_ref(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    (void)mock_take_hex(&mock);
    memset(payload, 'y', 3);
    drop_link(1, BMQTT_ERR_CLOSED);
    reconnect_as(2, 0, "20 02 01 00");
    {
        char want[3 * 64];
        size_t k = (size_t)sprintf(want, "3C 2C 00 01 74 00 01 79 79 79");
        for (int i = 3; i < 39; i++) k += (size_t)sprintf(want + k, " 78");
        assert_string_equal(mock_take_hex(&mock), want);
    }
    mock_push_hex(&mock, "50 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "62 02 00 01");
    mock_push_hex(&mock, "70 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    assert_int_equal(dones, 1);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
}

/* A payload larger than tx_buf that lives in the outbox is sent from there;
 * the outbox is never compacted under it while the transport still reads
 * from it (BMQTT_ERR_INFLIGHT_FULL meanwhile), and is afterwards. */
static void test_outbox_never_moves_a_payload_being_sent(void **state)
{
    static uint8_t box[512];
    static uint8_t big[300], mid[204];
    static char want[3 * (308 + 211) + 8];
    bmqtt_publish_t a = { .topic = BMQTT_VIEW_LIT("a"), .payload = BMQTT_VIEW_LIT("AAAAAAAAA"), .qos = 1 };
    bmqtt_publish_t b = { .topic = BMQTT_VIEW_LIT("b"), .payload = { big, sizeof big }, .qos = 1 };
    bmqtt_publish_t m = { .topic = BMQTT_VIEW_LIT("m"), .payload = { mid, sizeof mid }, .qos = 1 };
    size_t k;
    int i;
    (void)state;
    for (size_t j = 0; j < sizeof big; j++) big[j] = (uint8_t)(j * 3u);
    memset(mid, 0x6D, sizeof mid);
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, box, sizeof box), BMQTT_OK);
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &a, NULL), BMQTT_OK); /* 10 bytes of outbox */
    (void)mock_take_hex(&mock);
    mock.max_send = 50;
    mock.send_block_every = 2;
    assert_int_equal(bmqtt_client_publish(&cli, &b, NULL), BMQTT_OK); /* 301 more; header queued, payload from the outbox */
    memset(big, 0, sizeof big); /* the caller's buffer is free */
    assert_false(bmqtt_client_tx_idle(&cli));
    mock_push_hex(&mock, "40 02 00 01"); /* A ends: 10 bytes of dead space before B */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(dones, 1);
    assert_false(bmqtt_client_tx_idle(&cli));
    /* 205 > 512 - 311 free: compaction would move B's payload under the transport. */
    assert_int_equal(bmqtt_client_publish(&cli, &m, NULL), BMQTT_ERR_INFLIGHT_FULL);
    for (i = 0; i < 100 && !bmqtt_client_tx_idle(&cli); i++) assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_true(bmqtt_client_tx_idle(&cli));
    mock.send_block_every = 0;
    mock.max_send = 0;
    assert_int_equal(bmqtt_client_publish(&cli, &m, NULL), BMQTT_OK); /* B moved to the front */
    k = (size_t)sprintf(want, "32 B1 02 00 01 62 00 02");
    for (size_t j = 0; j < sizeof big; j++) k += (size_t)sprintf(want + k, " %02X", (unsigned)(uint8_t)(j * 3u));
    k += (size_t)sprintf(want + k, " 32 D1 01 00 01 6D 00 03");
    for (size_t j = 0; j < sizeof mid; j++) k += (size_t)sprintf(want + k, " 6D");
    assert_string_equal(mock_take_hex(&mock), want);
}

/* QoS 1/2 messages may be published before the first connect and between
 * sessions; they leave, in order and without DUP, right after the CONNACK.
 * QoS 0, SUBSCRIBE and UNSUBSCRIBE need a session (also while connecting). */
static void test_qos12_published_while_not_connected_go_after_connack(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("1"), .qos = 1 };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_connect_t f = fields(1);
    uint16_t id;
    (void)state;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    p.qos = 2;
    p.payload = bmqtt_view_str("2");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
    assert_int_equal(id, 2);
    p.qos = 0;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_inflight(&cli), 2);
    assert_int_equal(mock.send_calls, 0);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), CONNECT_CLEAN); /* the CONNECT alone */
    assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &s.filter, 1, &id), BMQTT_ERR_NOT_CONNECTED);
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 31 34 06 00 01 74 00 02 32");
    assert_int_equal(drops, 0);
}

/* Clean session 1: a message sent on a connection that ended is dropped with
 * BMQTT_ERR_SESSION_ENDED when it ends (the broker forgot it with the session
 * [MQTT-3.1.2-6]), a PUBREL pending too; a message never sent stays and goes
 * out, without DUP, on the next connection. A clean-session-0 message still
 * unacknowledged when the next CONNECT asks for clean session 1 ends at that
 * connect. Each message ends exactly once. */
static void test_clean_session_ends_sent_messages_once(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* id 1, sent */
    p.qos = 2;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* id 2, will await PUBCOMP */
    mock_push_hex(&mock, "50 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 78 34 06 00 01 74 00 02 78 62 02 00 02");
    /* A third waits for room: the transport takes nothing and tx_buf is full. */
    mock.send_block_every = 1;
    {
        bmqtt_publish_t q0 = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("0123456789") };
        while (bmqtt_client_publish(&cli, &q0, NULL) == BMQTT_OK) { }
    }
    p.qos = 1;
    p.payload = bmqtt_view_str("n");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* id 3, never sent */
    mock.closed = 1; /* the link drops (tx_buf is full: nothing is read, the send fails) */
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_CLOSED);
    assert_int_equal(drops, 2);
    assert_int_equal(last_drop_st, BMQTT_ERR_SESSION_ENDED);
    assert_string_equal(order, "CDDX"); /* both end before the CLOSED event */
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
    reconnect_as(3, 1, "20 02 00 00");
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 03 6E");
    mock_push_hex(&mock, "40 02 00 03");
    assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_OK);
    assert_int_equal(dones, 1);
    assert_int_equal(drops, 2);

    /* Clean session 0, then a CONNECT with clean session 1. */
    setup(state);
    connect_at(0, 0, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* id 1 */
    p.qos = 2;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* id 2 */
    mock_push_hex(&mock, "50 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    drop_link(2, BMQTT_ERR_CLOSED);
    assert_int_equal(drops, 0); /* clean session 0: kept */
    {
        bmqtt_connect_t f = fields(1);
        mock.closed = 0;
        mock.fail_recv = 0;
        (void)mock_take_hex(&mock);
        assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 3), BMQTT_OK);
    }
    assert_int_equal(drops, 2);
    assert_int_equal(last_drop_st, BMQTT_ERR_SESSION_ENDED);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
    assert_string_equal(mock_take_hex(&mock), CONNECT_CLEAN);
}

/* A graceful disconnect waits for the acks of messages in flight (response
 * timeout), refusing new publishes meanwhile; DISCONNECT leaves once they are
 * in, and the poll that completes it returns BMQTT_OK. When they do not come,
 * DISCONNECT still leaves and that poll returns BMQTT_ERR_TIMEOUT. */
static void test_disconnect_waits_for_acks(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    (void)state;
    cfg.response_timeout_ms = 1000;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    (void)mock_take_hex(&mock);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_DISCONNECTING);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK); /* again: still finishing */
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_NOT_CONNECTED);
    p.qos = 0;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 100), 900);
    assert_int_equal(bmqtt_client_poll(&cli, 500), BMQTT_WOULD_BLOCK);
    assert_string_equal(mock_take_hex(&mock), "");
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 600), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_string_equal(order, "CDX");
    assert_int_equal(dones, 1);
    assert_int_equal(last_close_st, BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 601), BMQTT_ERR_NOT_CONNECTED);

    /* No PUBACK: after 1000 ms, DISCONNECT anyway; the message ends (clean session 1). */
    setup(state);
    cfg.response_timeout_ms = 1000;
    connect_at(0, 1, "20 02 00 00");
    p.qos = 2;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    (void)mock_take_hex(&mock);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, 999), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, 1000), BMQTT_ERR_TIMEOUT);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_true(mock.closed);
    assert_int_equal(bmqtt_client_last_error(&cli).rule, BMQTT_RULE_ACKS_MISSING);
    assert_int_equal(drops, 1);
    assert_int_equal(last_drop_st, BMQTT_ERR_SESSION_ENDED);
    assert_int_equal(last_close_st, BMQTT_ERR_TIMEOUT);
    assert_int_equal(bmqtt_client_poll(&cli, 1001), BMQTT_ERR_NOT_CONNECTED);
}

/* Disconnect before CONNACK has nothing to wait for: a QoS 1 message
 * published before the connect was never sent, so DISCONNECT leaves at once,
 * and with clean session 0 the message stays for the next connection. A
 * CONNACK that arrives while the disconnect finishes changes nothing. */
static void test_disconnect_while_connecting_keeps_unsent_messages(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    bmqtt_connect_t f = fields(0);
    (void)state;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), CONNECT_KEEP);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
    assert_int_equal(drops, 0);

    /* The CONNECT still queued when disconnect is called; CONNACK comes with it. */
    mock.closed = 0;
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK);
    mock.send_block_every = 0;
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), CONNECT_KEEP " E0 00");
    assert_true(mock.closed);
    assert_int_equal(closes, 2);
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
}

/* A send error met inside disconnect() ends the session with the transport's
 * status, once: returned by disconnect() itself (the DISCONNECT could not
 * go), or by the next poll when disconnect() said BMQTT_WOULD_BLOCK (an
 * earlier queued packet could not go). */
static void test_disconnect_send_failure(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x") };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock.drop_at_out = mock.out_total;
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_ERR_CLOSED);
    assert_int_equal(last_close_st, BMQTT_ERR_CLOSED);
    assert_int_equal(closes, 1);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_NOT_CONNECTED);

    setup(state);
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* queued */
    mock.send_block_every = 0;
    mock.drop_at_out = mock.out_total;
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK);
    assert_int_equal(closes, 0);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_CLOSED);
    assert_int_equal(last_close_st, BMQTT_ERR_CLOSED);
    assert_int_equal(closes, 1);
}

static void abort_on_event(const bmqtt_event_t *ev)
{
    if (ev->status == BMQTT_ERR_TIMEOUT && (ev->type == BMQTT_EVT_SUBACK || ev->type == BMQTT_EVT_UNSUBACK))
        bmqtt_client_abort(&cli);
}

/* Each SUBSCRIBE/UNSUBSCRIBE has a deadline (response timeout): without an
 * answer its event reports BMQTT_ERR_TIMEOUT, then the session ends with
 * BMQTT_ERR_TIMEOUT (a broker that does not answer is not there), and
 * last_error() names the missing answer and its id. The event may abort. */
static void test_suback_and_unsuback_deadlines(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_view_t f = BMQTT_VIEW_LIT("a");
    uint16_t id;
    for (int kind = 0; kind < 3; kind++) {
        setup(state);
        cfg.response_timeout_ms = 2000;
        connect_at(0, 1, "20 02 00 00");
        if (kind == 2) ev_hook = abort_on_event;
        assert_int_equal(kind == 1 ? bmqtt_client_unsubscribe(&cli, &f, 1, &id) : bmqtt_client_subscribe(&cli, &s, 1, &id),
                         BMQTT_OK);
        assert_int_equal(bmqtt_client_poll(&cli, 100), BMQTT_OK);
        assert_int_equal(bmqtt_client_sleep_ms(&cli, 100), 1900);
        assert_int_equal(bmqtt_client_poll(&cli, 1999), BMQTT_OK);
        assert_int_equal(req_fails, 0);
        assert_int_equal(bmqtt_client_poll(&cli, 2000), kind == 2 ? BMQTT_ERR_NOT_CONNECTED : BMQTT_ERR_TIMEOUT);
        assert_int_equal(req_fails, 1);
        assert_int_equal(last_req_fail, id);
        assert_int_equal(last_req_fail_st, BMQTT_ERR_TIMEOUT);
        assert_int_equal(last_req_fail_type, kind == 1 ? BMQTT_EVT_UNSUBACK : BMQTT_EVT_SUBACK);
        assert_true(mock.closed);
        assert_int_equal(closes, 1);
        if (kind < 2) {
            bmqtt_client_error_t e = bmqtt_client_last_error(&cli);
            assert_int_equal(e.status, BMQTT_ERR_TIMEOUT);
            assert_int_equal(e.rule, BMQTT_RULE_NO_ANSWER);
            assert_int_equal(e.packet_type, kind == 1 ? BMQTT_UNSUBACK : BMQTT_SUBACK);
            assert_int_equal(e.packet_id, id);
        }
    }
}

/* Bytes the transport does not take for the response timeout end the session
 * with BMQTT_ERR_TIMEOUT (a peer that stopped reading); bytes it takes, even
 * slowly, restart that deadline. */
static void test_stalled_transport_times_out(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x") };
    (void)state;
    cfg.response_timeout_ms = 2000;
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_poll(&cli, 1000), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* queued at 1000 */
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 1500), 1500);
    assert_int_equal(bmqtt_client_poll(&cli, 2999), BMQTT_OK);
    mock.send_block_every = 2; /* the next send moves one byte, the one after would-blocks */
    mock.send_calls = 0;
    mock.max_send = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* the line moves a little at 2999 */
    assert_true(mock.out_len > 0 && mock.out_len < 12);
    assert_false(bmqtt_client_tx_idle(&cli));
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_poll(&cli, 4998), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 4999), BMQTT_ERR_TIMEOUT);
    assert_int_equal(bmqtt_client_last_error(&cli).rule, BMQTT_RULE_STALLED);
    assert_true(mock.closed);
}

/* A transport that reports more bytes than it was asked to move broke its
 * contract (transport.h): BMQTT_ERR_TRANSPORT, never a read or write past a
 * buffer. */
static void test_transport_returning_more_than_asked(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x") };
    (void)state;
    conn_tr = &wrap;
    connect_at(0, 1, "20 02 00 00");
    recv_stub = (int32_t)sizeof rxb + 1;
    recv_stub_n = 1;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_TRANSPORT);
    assert_int_equal(bmqtt_client_last_error(&cli).rule, BMQTT_RULE_OVERRUN);
    assert_int_equal(close_calls, 1);

    setup(state);
    conn_tr = &wrap;
    connect_at(0, 1, "20 02 00 00");
    send_stub = 100; /* a 6-byte PUBLISH "sent" as 100 bytes */
    send_stub_n = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_TRANSPORT);
    assert_int_equal(close_calls, 1);
}

static int lock_depth, lock_calls, max_depth, events_unlocked;

static void t_lock(void *user)
{
    assert_ptr_equal(user, &cli);
    lock_calls++;
    if (++lock_depth > max_depth) max_depth = lock_depth;
}

static void t_unlock(void *user)
{
    assert_ptr_equal(user, &cli);
    assert_true(lock_depth > 0);
    lock_depth--;
}

static void count_unlocked(const bmqtt_event_t *ev)
{
    (void)ev;
    if (lock_depth == 0) events_unlocked++;
}

/* The lock hooks wrap every call, balanced, and events run inside them (a
 * recursive mutex: a call made from an event locks again). */
static void test_lock_hooks_wrap_every_call(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    (void)state;
    cfg.lock = t_lock;
    cfg.unlock = t_unlock;
    lock_depth = lock_calls = max_depth = events_unlocked = 0;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    ev_hook = count_unlocked;
    msg_hook = hook_reply;
    reply_qos = 0;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &s.filter, 1, NULL), BMQTT_OK);
    mock_push_hex(&mock, "40 02 00 01 90 03 00 02 00 B0 02 00 03 30 04 00 01 74 61");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(reply_st, BMQTT_OK);
    bmqtt_client_abort(&cli);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(lock_depth, 0);
    assert_true(lock_calls >= 10);
    assert_int_equal(max_depth, 2); /* the reply published from the message event */
    assert_int_equal(events_unlocked, 0);
    assert_string_equal(order, "CDSUMX");
}

/* Answers need room: while tx_buf cannot hold a PUBACK (4 bytes), a QoS 1
 * message is neither read nor delivered; once the transport takes bytes it
 * is, and its PUBACK queues behind what was waiting. */
static void test_incoming_waits_for_room_to_answer(void **state)
{
    static uint8_t small_tx[16];
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("01234567") };
    (void)state;
    cfg.tx_buf = small_tx;
    cfg.tx_size = sizeof small_tx;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* 13 of 16 bytes */
    assert_int_equal(bmqtt_client_tx_free(&cli), 3);
    mock_push_hex(&mock, "32 06 00 01 74 00 09 61");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(messages, 0);
    assert_int_equal(mock.in_pos, 0); /* not even read */
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(messages, 1);
    assert_string_equal(mock_take_hex(&mock), "30 0B 00 01 74 30 31 32 33 34 35 36 37 40 02 00 09");
}

/* A PUBREC repeated while the client waits for PUBCOMP gets the PUBREL again
 * (the broker may resend it [MQTT-4.3.3-1]); a PUBREL that cannot be sent
 * ends the session with the transport's status. */
static void test_repeated_pubrec_and_pubrel_send_failure(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 2 };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    (void)mock_take_hex(&mock);
    mock_push_hex(&mock, "50 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "62 02 00 01");
    mock_push_hex(&mock, "50 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "62 02 00 01");
    mock.drop_at_out = mock.out_total;
    mock_push_hex(&mock, "50 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_ERR_CLOSED);
    assert_int_equal(drops, 1);
    assert_int_equal(dones, 0);
}

/* A QoS 0 message larger than tx_buf whose header does not fit the room
 * left is BMQTT_ERR_BUSY and keeps nothing; a QoS 1 one waits in the table
 * and leaves, header then payload, once the queue drains. A SUBSCRIBE that
 * does not fit the room left is BMQTT_ERR_BUSY and takes no request entry. */
static void test_large_messages_and_requests_wait_for_room(void **state)
{
    static uint8_t big[300];
    static char want[3 * 600];
    bmqtt_publish_t fill = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("0123456789") };
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = { big, sizeof big } };
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 1 };
    uint16_t id = 0, pub_id, sub_id;
    size_t k = 0;
    int n = 0;
    (void)state;
    memset(big, 0x42, sizeof big);
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    while (bmqtt_client_publish(&cli, &fill, NULL) == BMQTT_OK) n++;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_BUSY);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_ERR_BUSY);
    assert_int_equal(id, 0);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_ERR_BUSY);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_ERR_BUSY); /* no entry was taken */
    p.qos = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, &pub_id), BMQTT_OK);
    mock.send_block_every = 0;
    for (int i = 0; i < 5 && !bmqtt_client_tx_idle(&cli); i++) assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &sub_id), BMQTT_OK);
    assert_int_not_equal(sub_id, pub_id);
    for (int i = 0; i < n; i++)
        k += (size_t)sprintf(want + k, "%s30 0D 00 01 74 30 31 32 33 34 35 36 37 38 39", i ? " " : "");
    k += (size_t)sprintf(want + k, " 32 B1 02 00 01 74 %02X %02X", pub_id >> 8, pub_id & 0xFF);
    for (size_t j = 0; j < sizeof big; j++) k += (size_t)sprintf(want + k, " 42");
    k += (size_t)sprintf(want + k, " 82 06 %02X %02X 00 01 61 01", sub_id >> 8, sub_id & 0xFF);
    assert_string_equal(mock_take_hex(&mock), want);
}

/* Without a request table in the config, one built-in entry serves: a second
 * request waits (BMQTT_ERR_BUSY) until the first is answered. */
static void test_builtin_request_slot(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 1 };
    bmqtt_view_t f = BMQTT_VIEW_LIT("a");
    uint16_t id;
    (void)state;
    cfg.requests = NULL;
    cfg.request_count = 0;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &id), BMQTT_OK);
    assert_int_equal(id, 1);
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &f, 1, NULL), BMQTT_ERR_BUSY);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 0), BMQTT_RESPONSE_TIMEOUT_MS < 7500u ? BMQTT_RESPONSE_TIMEOUT_MS : 7500u);
    mock_push_hex(&mock, "90 03 00 01 01");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(subacks, 1);
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &f, 1, &id), BMQTT_OK);
    assert_int_equal(id, 2);
    assert_string_equal(mock_take_hex(&mock), "82 06 00 01 00 01 61 01 A2 05 00 02 00 01 61");
    bmqtt_client_abort(&cli);
    assert_int_equal(req_fails, 1); /* the UNSUBSCRIBE ends with the session */
    assert_int_equal(last_req_fail_type, BMQTT_EVT_UNSUBACK);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 2), UINT32_MAX);
}

/* bmqtt_client_sleep_ms() is the nearest of the deadlines poll keeps:
 * CONNACK, bytes the transport does not take, a disconnect's wait, each
 * request, and the keepalive (3/4 of it, or the PINGRESP's wait); 0 once one
 * passed or when received bytes wait to be handled. */
static void test_next_deadline_is_the_nearest(void **state)
{
    bmqtt_connect_t f = fields(1);
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("a"), 0 };
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    (void)state;
    cfg.response_timeout_ms = 3000;
    /* Connecting with the CONNECT stuck: stall and CONNACK deadlines coincide. */
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 1000), BMQTT_OK);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 1000), 3000);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 3999), 1);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 4000), 0);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 9000), 0);
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 1000), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 2000), 2000); /* CONNACK only: no keepalive yet */
    /* CONNACK and a PUBLISH in one read: the PUBLISH waits for the next poll. */
    mock_push_hex(&mock, "20 02 00 00 30 04 00 01 74 61");
    assert_int_equal(bmqtt_client_poll(&cli, 2000), BMQTT_OK);
    assert_int_equal(messages, 0);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 2000), 0);
    assert_int_equal(bmqtt_client_poll(&cli, 2000), BMQTT_OK);
    assert_int_equal(messages, 1);
    (void)mock_take_hex(&mock);
    /* Two requests: the older one's deadline. Keepalive counts from the last send (2000). */
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 2500), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 2600), 2400);
    mock_push_hex(&mock, "90 03 00 01 00 90 03 00 02 00");
    assert_int_equal(bmqtt_client_poll(&cli, 2600), BMQTT_OK);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 2600), 2500 + 7500 - 2600);
    /* Disconnecting, with bytes stuck since before: the stall comes first. */
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* queued at 2600 */
    assert_int_equal(bmqtt_client_poll(&cli, 3000), BMQTT_OK);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK); /* waits from 3000 */
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 3000), 2600);
    assert_int_equal(bmqtt_client_poll(&cli, 5599), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, 5600), BMQTT_ERR_TIMEOUT);
    assert_int_equal(bmqtt_client_last_error(&cli).rule, BMQTT_RULE_STALLED);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 5600), UINT32_MAX);
}

/* A PINGREQ that finds tx_buf full waits; once the queue leaves, the packets
 * sent in time make it unneeded [MQTT-3.1.2-23]: the keepalive counts from
 * them. */
static void test_pingreq_waits_for_room(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("0123456789") };
    int n = 0;
    (void)state;
    cfg.response_timeout_ms = 20000;
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    while (bmqtt_client_publish(&cli, &p, NULL) == BMQTT_OK) n++;
    assert_true(bmqtt_client_tx_free(&cli) < 2);
    assert_int_equal(bmqtt_client_poll(&cli, 7500), BMQTT_OK);
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 7600), BMQTT_OK);
    assert_int_equal(strlen(mock_take_hex(&mock)), (size_t)(n * 15 * 3 - 1)); /* the messages, no PINGREQ */
    assert_int_equal(bmqtt_client_poll(&cli, 15099), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    assert_int_equal(bmqtt_client_poll(&cli, 15100), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
}

/* A disconnect that starts while the CONNECT is still queued completes once
 * it is out; a CONNACK read meanwhile changes nothing. */
static void test_connack_while_disconnecting(void **state)
{
    bmqtt_connect_t f = fields(1);
    (void)state;
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK);
    mock.send_block_every = 0;
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), CONNECT_CLEAN " E0 00");
    assert_true(mock.closed);
    assert_int_equal(closes, 1);
    assert_int_equal(last_close_st, BMQTT_OK);
}

/* The broker may not acknowledge a PUBLISH whose payload is still leaving
 * from the caller's memory [MQTT-4.3.2]: that ends the session. */
static void test_ack_while_large_payload_is_sent(void **state)
{
    static uint8_t big[300];
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = { big, sizeof big }, .qos = 1 };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock.max_send = 20;
    mock.send_block_every = 2;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_false(bmqtt_client_tx_idle(&cli));
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_PROTOCOL);
    assert_int_equal(bmqtt_client_last_error(&cli).rule, BMQTT_RULE_ACK_UNKNOWN);
    assert_int_equal(dones, 0);
    assert_int_equal(drops, 1);
}

/* Two PUBRECs in one read get one PUBREL; a PUBACK for a QoS 2 message
 * waiting for its PUBREL ends the session [MQTT-4.3.3]. */
static void test_pubrec_twice_in_one_read(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 2 };
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    (void)mock_take_hex(&mock);
    mock_push_hex(&mock, "50 02 00 01 50 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "62 02 00 01");
    mock.send_block_every = 1;
    mock_push_hex(&mock, "50 02 00 01 40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_PROTOCOL);
    assert_int_equal(dones, 0);
}

/* Received packets that need an answer wait in rx_buf while tx_buf has no
 * room for it; poll has work as soon as there is (next_deadline 0), and the
 * answers leave in order. */
static void test_rx_waits_while_tx_is_full(void **state)
{
    static uint8_t small_tx[16];
    (void)state;
    cfg.tx_buf = small_tx;
    cfg.tx_size = sizeof small_tx;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    mock_push_hex(&mock, "32 05 00 01 74 00 01 32 05 00 01 74 00 02 32 05 00 01 74 00 03 32 05 00 01 74 00 04"
                         " 32 05 00 01 74 00 05");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(messages, 4);
    assert_int_equal(bmqtt_client_tx_free(&cli), 0);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 1), 0);
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_int_equal(messages, 5);
    assert_string_equal(mock_take_hex(&mock), "40 02 00 01 40 02 00 02 40 02 00 03 40 02 00 04 40 02 00 05");
}

/* A QoS 1/2 message published between sessions (after one ended, before the
 * next connect) touches no transport: the closed one is never called again
 * (its context may be gone), and the message goes out after the next CONNACK,
 * first transmission, without DUP; with clean session 1 it is not dropped,
 * since it was never sent [MQTT-4.4.0-1]. */
static void test_publish_between_sessions_touches_no_transport(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = BMQTT_VIEW_LIT("x"), .qos = 1 };
    uint16_t id;
    for (int clean = 0; clean < 2; clean++) {
        setup(state);
        conn_tr = &wrap;
        connect_at(0, (uint8_t)clean, "20 02 00 00");
        mock.fail_recv = BMQTT_ERR_CLOSED;
        assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_CLOSED);
        assert_int_equal(close_calls, 1);
        assert_int_equal(bmqtt_client_publish(&cli, &p, &id), BMQTT_OK);
        assert_int_equal(calls_after_close, 0);
        assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_NOT_CONNECTED);
        assert_int_equal(calls_after_close, 0);
        mock.closed = 0;
        mock.fail_recv = 0;
        close_calls = 0;
        (void)mock_take_hex(&mock);
        connect_at(3, (uint8_t)clean, "20 02 00 00");
        assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 78");
        assert_int_equal(drops, 0);
        assert_int_equal(bmqtt_client_inflight(&cli), 1);
    }
}

/* Once DISCONNECT is queued nothing may follow it [MQTT-3.14.4-1]: a
 * keepalive that comes due while the DISCONNECT waits for the transport adds
 * no PINGREQ behind it. (Waiting for acks before the DISCONNECT, a PINGREQ
 * is right: the connection must stay alive.) */
static void test_nothing_after_disconnect_MQTT_3_14_4_1(void **state)
{
    (void)state;
    cfg.response_timeout_ms = 20000;
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK); /* DISCONNECT queued */
    assert_int_equal(bmqtt_client_poll(&cli, 7500), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, 7600), BMQTT_WOULD_BLOCK);
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 7700), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_true(mock.closed);

    /* Waiting for a PUBACK before the DISCONNECT: the PINGREQ goes, then DISCONNECT once acked. */
    setup(state);
    cfg.response_timeout_ms = 20000;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &(bmqtt_publish_t){ .topic = BMQTT_VIEW_LIT("t"), .qos = 1 }, NULL),
                     BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 05 00 01 74 00 01");
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, 7500), BMQTT_WOULD_BLOCK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    mock_push_hex(&mock, "D0 00 40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 7600), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_int_equal(dones, 1);

    /* A QoS 1 PUBLISH read while the DISCONNECT waits for the transport gets no PUBACK after it. */
    setup(state);
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK); /* DISCONNECT queued */
    mock_push_hex(&mock, "32 06 00 01 74 00 05 61");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_WOULD_BLOCK);
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_true(mock.closed);
}

/* A graceful disconnect that stops waiting (response timeout) queues the
 * DISCONNECT after the packet on the line; a QoS 1 message still waiting for
 * room then is not sent behind it [MQTT-3.14.4-1]: it stays for the next
 * connection. */
static void test_late_disconnect_sends_nothing_after_it(void **state)
{
    static uint8_t big[300];
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("t"), .payload = { big, sizeof big }, .qos = 1 };
    const char *out;
    bmqtt_status_t st = BMQTT_WOULD_BLOCK;
    (void)state;
    memset(big, 0x42, sizeof big);
    cfg.response_timeout_ms = 1000;
    connect_at(0, 0, "20 02 00 00");
    mock.max_send = 10;
    mock.send_block_every = 2;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* id 1: header queued, payload from big */
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* id 2: waits, one large payload at a time */
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, 999), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, 1000), BMQTT_WOULD_BLOCK); /* late: DISCONNECT queued */
    assert_true(mock.out_len < 308); /* id 1 is still on the line */
    mock.max_send = 0;
    mock.send_block_every = 0;
    for (int i = 0; i < 10 && st == BMQTT_WOULD_BLOCK; i++) st = bmqtt_client_poll(&cli, 1001);
    assert_int_equal(st, BMQTT_ERR_TIMEOUT); /* acks missing */
    out = mock_take_hex(&mock);
    assert_int_equal(strncmp(out, "32 B1 02 00 01 74 00 01", 23), 0);
    assert_int_equal(strlen(out), 3 * (308 + 2) - 1); /* PUBLISH id 1, then DISCONNECT: nothing more */
    assert_string_equal(out + strlen(out) - 5, "E0 00");
    assert_int_equal(bmqtt_client_inflight(&cli), 2); /* clean session 0: both kept */
}

/* Every rule last_error() can name has its own name; those client.h ties to a
 * normative statement cite it; anything else is "unknown rule", never NULL. */
static void test_rule_names(void **state)
{
    static const struct { unsigned rule; const char *cites; } cited[] = {
        { BMQTT_RULE_CONNACK_FIRST, "MQTT-3.2.0-1" },    { BMQTT_RULE_SESSION_PRESENT, "MQTT-3.2.2-1" },
        { BMQTT_RULE_ACK_UNKNOWN, "MQTT-4.3.2-2" },      { BMQTT_RULE_PUBCOMP_UNKNOWN, "MQTT-4.3.3-2" },
        { BMQTT_RULE_SUBACK_UNKNOWN, "MQTT-3.8.4-5" },   { BMQTT_RULE_UNSUBACK_UNKNOWN, "MQTT-3.10.4-4" },
        { BMQTT_RULE_MALFORMED, "MQTT-4.8.0-1" },        { BMQTT_RULE_PUBREC_UNKNOWN, "MQTT-4.3.3-1" },
    };
    const char *unknown = bmqtt_client_rule_str(BMQTT_RULE_PUBREC_UNKNOWN + 1u);
    (void)state;
    assert_non_null(unknown);
    assert_string_equal(bmqtt_client_rule_str(1000u), unknown);
    for (unsigned r = BMQTT_RULE_NONE; r <= BMQTT_RULE_PUBREC_UNKNOWN; r++) {
        const char *s = bmqtt_client_rule_str(r);
        assert_non_null(s);
        assert_true(s[0] != 0);
        assert_string_not_equal(s, unknown);
        for (unsigned q = BMQTT_RULE_NONE; q < r; q++) assert_string_not_equal(s, bmqtt_client_rule_str(q));
    }
    for (size_t i = 0; i < sizeof cited / sizeof cited[0]; i++)
        assert_non_null(strstr(bmqtt_client_rule_str(cited[i].rule), cited[i].cites));
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
        cmocka_unit_test_setup(test_last_error_names_a_refused_fixed_header, setup),
        cmocka_unit_test_setup(test_suback_unsuback_must_match_a_pending_request, setup),
        cmocka_unit_test_setup(test_pending_requests_forgotten_on_reconnect, setup),
        cmocka_unit_test_setup(test_connack_before_connect_is_written, setup),
        cmocka_unit_test_setup(test_parameter_and_state_errors, setup),
        cmocka_unit_test_setup(test_disconnect_sends_e0_00, setup),
        cmocka_unit_test_setup(test_session_present_after_clean_session_MQTT_3_2_2_1, setup),
        cmocka_unit_test_setup(test_large_payload_sent_without_copy, setup),
        cmocka_unit_test_setup(test_publish_refusals, setup),
        cmocka_unit_test_setup(test_qos0_busy_only_when_tx_buf_full, setup),
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
        cmocka_unit_test_setup(test_outbox_copies_reused_and_compacted, setup),
        cmocka_unit_test_setup(test_publish_ref_is_never_copied, setup),
        cmocka_unit_test_setup(test_outbox_never_moves_a_payload_being_sent, setup),
        cmocka_unit_test_setup(test_qos12_published_while_not_connected_go_after_connack, setup),
        cmocka_unit_test_setup(test_clean_session_ends_sent_messages_once, setup),
        cmocka_unit_test_setup(test_disconnect_waits_for_acks, setup),
        cmocka_unit_test_setup(test_disconnect_while_connecting_keeps_unsent_messages, setup),
        cmocka_unit_test_setup(test_disconnect_send_failure, setup),
        cmocka_unit_test_setup(test_suback_and_unsuback_deadlines, setup),
        cmocka_unit_test_setup(test_stalled_transport_times_out, setup),
        cmocka_unit_test_setup(test_transport_returning_more_than_asked, setup),
        cmocka_unit_test_setup(test_lock_hooks_wrap_every_call, setup),
        cmocka_unit_test_setup(test_incoming_waits_for_room_to_answer, setup),
        cmocka_unit_test_setup(test_repeated_pubrec_and_pubrel_send_failure, setup),
        cmocka_unit_test_setup(test_large_messages_and_requests_wait_for_room, setup),
        cmocka_unit_test_setup(test_builtin_request_slot, setup),
        cmocka_unit_test_setup(test_next_deadline_is_the_nearest, setup),
        cmocka_unit_test_setup(test_pingreq_waits_for_room, setup),
        cmocka_unit_test_setup(test_connack_while_disconnecting, setup),
        cmocka_unit_test_setup(test_ack_while_large_payload_is_sent, setup),
        cmocka_unit_test_setup(test_pubrec_twice_in_one_read, setup),
        cmocka_unit_test_setup(test_rx_waits_while_tx_is_full, setup),
        cmocka_unit_test_setup(test_publish_between_sessions_touches_no_transport, setup),
        cmocka_unit_test_setup(test_nothing_after_disconnect_MQTT_3_14_4_1, setup),
        cmocka_unit_test_setup(test_late_disconnect_sends_nothing_after_it, setup),
        cmocka_unit_test_setup(test_rule_names, setup),
        cmocka_unit_test_setup(test_queries_on_uninitialised_client, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
