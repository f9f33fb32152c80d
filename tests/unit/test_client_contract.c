/* The client's contract as firmware uses it: the natural code (a sensor loop,
 * publish-then-sleep, subscribe-after-connect) on a scripted transport, byte
 * for byte, plus events, deadlines, ownership and the reconnect helper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/client.h"
#include "hooks.h"
#include "mock_transport.h"

static mock_t mock;
static bmqtt_transport_t tr;
static uint8_t txb[256], rxb[128], obox[64];
static bmqtt_inflight_t slots[4];
static uint16_t ids2[4];
static bmqtt_request_t reqt[2];
static bmqtt_client_config_t cfg;
static bmqtt_client_t cli;

/* Every event, in order, as text: "connack 0 0", "done 1 0", "suback 2 0 [01]", ... */
static char ev_log[4096];
static int locks, unlocks, lock_depth;

static void log_event(void *user, const bmqtt_event_t *ev)
{
    char line[160];
    (void)user;
    assert_true(lock_depth == (cfg.lock ? 1 : 0)); /* events run inside the lock */
    switch (ev->type) {
    case BMQTT_EVT_CONNACK:
        snprintf(line, sizeof line, "connack %d %u %u;", (int)ev->status, ev->return_code, ev->session_present);
        break;
    case BMQTT_EVT_MESSAGE:
        snprintf(line, sizeof line, "msg %.*s=%.*s q%u;", (int)ev->message->topic.len,
                 (const char *)ev->message->topic.ptr, (int)ev->message->payload.len,
                 (const char *)ev->message->payload.ptr, ev->message->qos);
        break;
    case BMQTT_EVT_PUBLISH_DONE: snprintf(line, sizeof line, "done %u %d;", ev->packet_id, (int)ev->status); break;
    case BMQTT_EVT_SUBACK:
        snprintf(line, sizeof line, "suback %u %d %u;", ev->packet_id, (int)ev->status,
                 ev->codes.len ? ev->codes.ptr[0] : 0xFFu);
        break;
    case BMQTT_EVT_UNSUBACK: snprintf(line, sizeof line, "unsuback %u %d;", ev->packet_id, (int)ev->status); break;
    case BMQTT_EVT_QOS2_DONE: snprintf(line, sizeof line, "qos2 %u;", ev->packet_id); break;
    case BMQTT_EVT_CLOSED: snprintf(line, sizeof line, "closed %d;", (int)ev->status); break;
    default: fail_msg("unknown event %d", (int)ev->type);
    }
    assert_true(strlen(ev_log) + strlen(line) < sizeof ev_log);
    strcat(ev_log, line);
}

static const char *events(void)
{
    static char copy[sizeof ev_log];
    strcpy(copy, ev_log);
    ev_log[0] = 0;
    return copy;
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
    cfg.on_event = log_event;
    ev_log[0] = 0;
    locks = unlocks = lock_depth = 0;
    memset(&cli, 0, sizeof cli); /* the last test may have left a session open in it */
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    return 0;
}

static void connect_at(uint32_t now, uint8_t clean, const char *connack)
{
    bmqtt_connect_t f = fields(clean);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, now), BMQTT_OK);
    /* CONNECT is on the wire when connect() returns. */
    assert_string_equal(mock_take_hex(&mock), clean ? "10 0E 00 04 4D 51 54 54 04 02 00 0A 00 02 63 31"
                                                    : "10 0E 00 04 4D 51 54 54 04 00 00 0A 00 02 63 31");
    assert_int_equal(bmqtt_client_poll(&cli, now), BMQTT_WOULD_BLOCK);
    mock_push_hex(&mock, connack);
    assert_int_equal(bmqtt_client_poll(&cli, now), BMQTT_OK);
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CONNECTED);
}

static bmqtt_publish_t pub(const char *topic, const char *payload, uint8_t qos)
{
    bmqtt_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = bmqtt_view_str(topic);
    p.payload = bmqtt_view_str(payload);
    p.qos = qos;
    return p;
}

/* A sensor loop: three QoS 0 readings back to back, no poll in between. All
 * three leave at once (they were "ok, busy, busy" when one packet at a time
 * could be on the line). */
static void test_three_qos0_readings_back_to_back(void **state)
{
    bmqtt_publish_t p = pub("t", "1", 0);
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    for (int i = 0; i < 3; i++) {
        char v[2] = { (char)('1' + i), 0 };
        p.payload = bmqtt_view_str(v);
        assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    }
    assert_string_equal(mock_take_hex(&mock), "30 04 00 01 74 31 30 04 00 01 74 32 30 04 00 01 74 33");
}

/* Even when the transport takes nothing for now: the readings wait in tx_buf,
 * in order, and poll sends them. */
static void test_readings_wait_in_order_while_the_transport_blocks(void **state)
{
    bmqtt_publish_t p = pub("t", "1", 0);
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    for (int i = 0; i < 3; i++) {
        char v[2] = { (char)('1' + i), 0 };
        p.payload = bmqtt_view_str(v);
        assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    }
    assert_false(bmqtt_client_tx_idle(&cli));
    assert_int_equal(bmqtt_client_tx_free(&cli), sizeof txb - 18);
    assert_string_equal(mock_take_hex(&mock), "");
    mock.send_block_every = 0;
    mock.max_send = 5; /* and in pieces */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "30 04 00 01 74 31 30 04 00 01 74 32 30 04 00 01 74 33");
    assert_true(bmqtt_client_tx_idle(&cli));
}

/* BMQTT_ERR_BUSY only when tx_buf is really full, and it loses nothing. */
static void test_busy_only_when_tx_buf_is_full(void **state)
{
    uint8_t big[200];
    bmqtt_publish_t p = pub("t", "", 0);
    (void)state;
    memset(big, 'x', sizeof big);
    p.payload.ptr = big;
    p.payload.len = sizeof big; /* 206 bytes on the wire */
    connect_at(0, 1, "20 02 00 00");
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_BUSY); /* 412 > 256 */
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(mock.out_len, 206);
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK); /* room again */
    assert_int_equal(mock.out_len, 412);
}

/* The flagship example's order: a QoS 1 "online", then subscribe right away.
 * The subscribe used to be BUSY forever while the QoS 1 was on the line. */
static void test_subscribe_right_after_a_qos1_publish(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("c"), 1 };
    bmqtt_publish_t p = pub("s", "on", 1);
    uint16_t pid, sid;
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, &pid), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, &sid), BMQTT_OK);
    assert_int_equal(pid, 1);
    assert_int_equal(sid, 2);
    assert_string_equal(mock_take_hex(&mock), "32 07 00 01 73 00 01 6F 6E 82 06 00 02 00 01 63 01");
    mock_push_hex(&mock, "40 02 00 01 90 03 00 02 01");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(events(), "connack 0 0 0;done 1 0;suback 2 0 1;");
}

/* publish(q0) x3; subscribe(); publish(q1); disconnect(); with no poll in
 * between: everything in order, then DISCONNECT once the QoS 1 is acknowledged,
 * then the close (so the broker does not publish the will) [MQTT-3.14.4-3]. */
static void test_publish_subscribe_disconnect_without_poll(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("c"), 0 };
    bmqtt_publish_t p0 = pub("t", "r", 0), p1 = pub("t", "q", 1);
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    events();
    for (int i = 0; i < 3; i++) assert_int_equal(bmqtt_client_publish(&cli, &p0, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &p1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK); /* the QoS 1 awaits its PUBACK */
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_DISCONNECTING);
    assert_string_equal(mock_take_hex(&mock), "30 04 00 01 74 72 30 04 00 01 74 72 30 04 00 01 74 72 "
                                              "82 06 00 01 00 01 63 00 32 06 00 01 74 00 02 71");
    assert_int_equal(bmqtt_client_publish(&cli, &p0, NULL), BMQTT_ERR_NOT_CONNECTED); /* no new work now */
    assert_int_equal(bmqtt_client_poll(&cli, 5), BMQTT_WOULD_BLOCK);
    mock_push_hex(&mock, "90 03 00 01 00 40 02 00 02");
    assert_int_equal(bmqtt_client_poll(&cli, 6), BMQTT_OK); /* done: acks in, DISCONNECT out, closed */
    assert_string_equal(mock_take_hex(&mock), "E0 00");
    assert_true(mock.closed);
    assert_string_equal(events(), "suback 1 0 0;done 2 0;closed 0;");
    assert_int_equal(bmqtt_client_poll(&cli, 7), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_last_error(&cli).status, BMQTT_OK);
}

/* Report, then deep sleep: a QoS 0 publish and disconnect finish at once. */
static void test_publish_then_disconnect_finishes_at_once(void **state)
{
    bmqtt_publish_t p = pub("t", "r", 0);
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    events();
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "30 04 00 01 74 72 E0 00");
    assert_true(mock.closed);
    assert_string_equal(events(), "closed 0;");
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_ERR_NOT_CONNECTED);
}

/* A disconnect whose acks never come: DISCONNECT after the response timeout,
 * and the session's end says so. */
static void test_disconnect_gives_up_waiting_for_acks(void **state)
{
    bmqtt_publish_t p = pub("t", "q", 1);
    (void)state;
    connect_at(0, 0, "20 02 00 00");
    events();
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, BMQTT_RESPONSE_TIMEOUT_MS - 1), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_client_poll(&cli, BMQTT_RESPONSE_TIMEOUT_MS), BMQTT_ERR_TIMEOUT);
    /* A PINGREQ at 3/4 of the keepalive while waiting, then DISCONNECT. */
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 71 C0 00 E0 00");
    assert_string_equal(events(), "closed -53;");
    assert_int_equal(bmqtt_client_inflight(&cli), 1); /* clean session 0: kept for the next connection */
}

/* Views are checked when publish is called, so a later failure is never the
 * broker's [MQTT-1.5.3-1]; and with an outbox the caller's buffers are free
 * as soon as publish returns: a resend after a reconnect sends the copy. */
static void test_outbox_copies_and_checks_at_publish(void **state)
{
    char topic[8], payload[8];
    bmqtt_publish_t p;
    (void)state;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, obox, sizeof obox), BMQTT_OK);
    connect_at(0, 0, "20 02 00 00");
    strcpy(topic, "a\xC3");
    p = pub(topic, "x", 1);
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_BAD_UTF8);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
    strcpy(topic, "ab");
    strcpy(payload, "hi");
    p = pub(topic, payload, 1);
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    memset(topic, 0xFF, sizeof topic); /* the caller reuses its buffers */
    memset(payload, 0, sizeof payload);
    assert_string_equal(mock_take_hex(&mock), "32 08 00 02 61 62 00 01 68 69");
    bmqtt_client_abort(&cli);
    mock_init(&mock, &tr); /* a new connection */
    connect_at(10, 0, "20 02 00 00");
    assert_string_equal(mock_take_hex(&mock), "3A 08 00 02 61 62 00 01 68 69"); /* DUP, from the copy */
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 11), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
}

/* By reference, memory that turns invalid before a resend ends that message
 * with BMQTT_ERR_CHANGED; the session goes on. */
static void test_by_reference_changed_before_resend(void **state)
{
    char topic[8];
    bmqtt_publish_t p;
    (void)state;
    connect_at(0, 0, "20 02 00 00");
    strcpy(topic, "ab");
    p = pub(topic, "x", 1);
    assert_int_equal(bmqtt_client_publish_ref(&cli, &p, NULL), BMQTT_OK);
    mock_take_hex(&mock);
    bmqtt_client_abort(&cli);
    events();
    strcpy(topic, "a#"); /* no longer a topic name */
    mock_init(&mock, &tr);
    connect_at(10, 0, "20 02 00 00");
    assert_string_equal(mock_take_hex(&mock), "");
    assert_string_equal(events(), "connack 0 0 0;done 1 -56;");
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CONNECTED);
}

/* The outbox reclaims space as messages end, moving live copies down. */
static void test_outbox_compacts_and_reports_full(void **state)
{
    bmqtt_publish_t a = pub("aaaa", "0123456789", 1), b = pub("bbbb", "0123456789", 1);
    uint16_t ida, idb, idc;
    (void)state;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, obox, sizeof obox), BMQTT_OK); /* 64 bytes: four messages of 14 fit, a fifth not */
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &a, &ida), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &b, &idb), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &a, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &b, NULL), BMQTT_OK);
    mock_take_hex(&mock);
    mock_push_hex(&mock, "40 02 00 01 40 02 00 03"); /* the first and the third end */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    bmqtt_publish_t c = pub("cccc", "0123456789abcdefghijklm", 1); /* 27 bytes: only after compaction */
    assert_int_equal(bmqtt_client_publish(&cli, &c, &idc), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 1F 00 04 63 63 63 63 00 05 30 31 32 33 34 35 36 37 38 39 61 62 63 "
                                              "64 65 66 67 68 69 6A 6B 6C 6D");
    bmqtt_client_abort(&cli); /* clean 1: every sent message ends */
    (void)idb;
    assert_string_equal(events(), "connack 0 0 0;done 1 0;done 3 0;done 5 -55;done 2 -55;done 4 -55;closed 0;");
    bmqtt_publish_t big = pub("t", "0123456789012345678901234567890123456789012345678901234567890123", 1);
    assert_int_equal(bmqtt_client_publish(&cli, &big, NULL), BMQTT_ERR_OUTBOX_TOO_SMALL);
}

/* With clean session 0 and a broker that lost the session (Session Present 0),
 * unacknowledged messages are resent anyway [MQTT-4.4.0-1]; with clean session 1
 * each ends with exactly one PUBLISH_DONE saying why. */
static void test_resend_whatever_session_present_MQTT_4_4_0_1(void **state)
{
    bmqtt_publish_t p = pub("t", "m", 1), p2 = pub("t", "n", 2);
    (void)state;
    connect_at(0, 0, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &p2, NULL), BMQTT_OK);
    mock_push_hex(&mock, "50 02 00 02"); /* PUBREC for the QoS 2 */
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 6D 34 06 00 01 74 00 02 6E 62 02 00 02");
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_CLOSED);
    mock_init(&mock, &tr);
    connect_at(3, 0, "20 02 00 00"); /* session present 0 */
    assert_string_equal(mock_take_hex(&mock), "3A 06 00 01 74 00 01 6D 62 02 00 02");
    events();
    /* The same with clean session 1: dropped, each with its event. */
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_ERR_CLOSED);
    assert_string_equal(events(), "closed -61;");
    mock_init(&mock, &tr);
    connect_at(5, 1, "20 02 00 00");
    assert_string_equal(events(), "done 1 -55;done 2 -55;connack 0 0 0;");
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
}

/* QoS 1 published while offline goes out after the next CONNACK; a clean
 * session does not drop what was never sent. */
static void test_publish_while_offline_goes_out_after_connack(void **state)
{
    bmqtt_publish_t p = pub("t", "o", 1);
    bmqtt_connect_t f = fields(1);
    (void)state;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    p.qos = 0;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_NOT_CONNECTED);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "10 0E 00 04 4D 51 54 54 04 02 00 0A 00 02 63 31");
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "32 06 00 01 74 00 01 6F");
}

/* One poll returns once CONNACK is handled, so the natural connect loop sees
 * a connected session even when more packets and the close follow at once. */
static void test_poll_returns_after_connack(void **state)
{
    bmqtt_connect_t f = fields(1);
    int polls = 0;
    bmqtt_status_t st;
    (void)state;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    mock_push_hex(&mock, "20 02 00 00 30 04 00 01 74 61 30 04 00 01 74 62 30 04 00 01 74 63");
    mock.fail_recv = BMQTT_ERR_CLOSED;
    while ((st = bmqtt_client_poll(&cli, 0)) == BMQTT_WOULD_BLOCK) polls++;
    assert_int_equal(st, BMQTT_OK);
    assert_string_equal(events(), "connack 0 0 0;");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_CLOSED);
    assert_string_equal(events(), "msg t=a q0;msg t=b q0;msg t=c q0;closed -61;");
    assert_true(polls <= 1);
}

/* A peer that stops reading: bytes pending longer than the response timeout
 * end the session (keepalive 2 s, timeout 2 s: it used to say OK after 20 s). */
static void test_peer_that_stops_reading_times_out(void **state)
{
    bmqtt_publish_t p = pub("t", "r", 0);
    bmqtt_connect_t f = fields(1);
    uint32_t t;
    (void)state;
    cfg.response_timeout_ms = 2000;
    f.keepalive_s = 2;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_OK);
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    for (t = 100; t < 2000; t += 100) assert_int_equal(bmqtt_client_poll(&cli, t), BMQTT_OK);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 1900), 100);
    assert_int_equal(bmqtt_client_poll(&cli, 2000), BMQTT_ERR_TIMEOUT);
    assert_int_equal(bmqtt_client_last_error(&cli).status, BMQTT_ERR_TIMEOUT);
    assert_true(mock.closed);
}

/* Each SUBSCRIBE has a deadline: no SUBACK -> its event says TIMEOUT and the
 * session ends (it used to stay BUSY for every later subscribe). */
static void test_suback_deadline(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("c"), 0 };
    bmqtt_view_t u = BMQTT_VIEW_LIT("c");
    (void)state;
    cfg.requests = reqt;
    cfg.request_count = 2;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    connect_at(0, 1, "20 02 00 00");
    events();
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &u, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_ERR_BUSY); /* two slots */
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 0), 7500); /* the PINGREQ comes before the deadline */
    assert_int_equal(bmqtt_client_poll(&cli, BMQTT_RESPONSE_TIMEOUT_MS), BMQTT_ERR_TIMEOUT);
    assert_string_equal(events(), "suback 1 -53 255;unsuback 2 -50;closed -53;");
}

/* PINGREQ leaves early enough that the interval between packets never
 * exceeds Keep Alive [MQTT-3.1.2-23], also when the line is busy. */
static void test_pingreq_before_keepalive_expires_MQTT_3_1_2_23(void **state)
{
    (void)state;
    connect_at(0, 1, "20 02 00 00"); /* keepalive 10 s */
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 0), 7500);
    assert_int_equal(bmqtt_client_poll(&cli, 7499), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "");
    mock.send_block_every = 1;
    assert_int_equal(bmqtt_client_poll(&cli, 7500), BMQTT_OK);
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_client_poll(&cli, 7600), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    mock_push_hex(&mock, "D0 00");
    assert_int_equal(bmqtt_client_poll(&cli, 7700), BMQTT_OK);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, 7700), 7400);
}

/* Session present 1 after clean session 1 is a broker error [MQTT-3.2.2-1],
 * and last_error says which rule. */
static void test_session_present_after_clean_session_MQTT_3_2_2_1(void **state)
{
    bmqtt_connect_t f = fields(1);
    bmqtt_client_error_t e;
    (void)state;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    mock_push_hex(&mock, "20 02 01 00");
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_PROTOCOL);
    e = bmqtt_client_last_error(&cli);
    assert_int_equal(e.status, BMQTT_ERR_PROTOCOL);
    assert_int_equal(e.packet_type, BMQTT_CONNACK);
    assert_int_equal(e.rule, BMQTT_RULE_SESSION_PRESENT);
    assert_non_null(strstr(bmqtt_client_rule_str(e.rule), "MQTT-3.2.2-1"));
    assert_string_equal(bmqtt_client_rule_str(999), "unknown rule");
    assert_int_equal(bmqtt_client_session_present(&cli), 0);
}

#ifdef BMQTT_TEST_HOOKS
/* BMQTT_LOG is called at every session end with the status and the rule (this
 * test exists only in the build with the hooks: make test-client-hooks). */
static void test_log_hook_at_session_end(void **state)
{
    bmqtt_connect_t f = fields(1);
    int before = bmqtt_test_logs;
    (void)state;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    mock_push_hex(&mock, "20 02 01 00");
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_PROTOCOL);
    assert_true(bmqtt_test_logs >= before + 2); /* the cause, then the session's end */
    assert_non_null(strstr(bmqtt_test_last_log, "state CLOSED: protocol violation"));
}
#endif

/* A transport that reports more bytes than it was asked for is a clean
 * BMQTT_ERR_TRANSPORT, never a copy past rx_buf. */
static int32_t liar_recv(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x30, len);
    return (int32_t)len + 1;
}

static void test_recv_reporting_more_than_asked(void **state)
{
    bmqtt_transport_t liar = tr;
    bmqtt_connect_t f = fields(1);
    (void)state;
    liar.recv = liar_recv;
    assert_int_equal(bmqtt_client_connect(&cli, &liar, &f, 0), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_ERR_TRANSPORT);
    assert_true(mock.closed);
}

/* A library and an application built with different layouts: refused. */
static void test_init_refuses_another_layout(void **state)
{
    (void)state;
    assert_int_equal(bmqtt_client_init_checked(&cli, &cfg, sizeof cli + 16), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_init_checked(&cli, &cfg, sizeof cli - 8), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_client_init_checked(&cli, &cfg, sizeof cli), BMQTT_OK);
}

/* Any rx_size init accepts works: a 65,535-byte topic and a 20 KB payload in
 * a 70,000-byte buffer arrive whole (the stream head was 16 bits). */
static size_t big_bytes, big_topic;

static void count_big(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type != BMQTT_EVT_MESSAGE) return;
    assert_int_equal(ev->message->offset, big_bytes);
    for (size_t i = 0; i < ev->message->payload.len; i++) assert_int_equal(ev->message->payload.ptr[i], 'p');
    big_bytes += ev->message->payload.len;
    big_topic = ev->message->topic.len;
    assert_int_equal(ev->message->total, 20000);
}

static void test_rx_buffer_above_64k(void **state)
{
    static uint8_t big_rx[70000], pkt[90000];
    size_t n = 0, tl = 65535, pl = 20000, rl = 2 + tl + pl;
    (void)state;
    cfg.rx_buf = big_rx;
    cfg.rx_size = sizeof big_rx;
    cfg.on_event = count_big;
    big_bytes = big_topic = 0;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    connect_at(0, 1, "20 02 00 00");
    pkt[n++] = 0x30;
    for (size_t v = rl; v; v >>= 7) pkt[n++] = (uint8_t)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
    pkt[n++] = 0xFF;
    pkt[n++] = 0xFF;
    memset(pkt + n, 'a', tl);
    n += tl;
    memset(pkt + n, 'p', pl);
    n += pl;
    mock_push(&mock, pkt, n);
    for (int i = 0; i < 20 && big_bytes < pl; i++) assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(big_bytes, pl);
    assert_int_equal(big_topic, tl);
    assert_int_equal(mock.in_pos, n); /* all of it taken, no error */
}

/* The lock hooks wrap every call, balanced, and events run inside them. */
static void lock_fn(void *u)
{
    (void)u;
    locks++;
    lock_depth++;
}

static void unlock_fn(void *u)
{
    (void)u;
    unlocks++;
    lock_depth--;
}

static void test_lock_hooks_balanced(void **state)
{
    bmqtt_publish_t p = pub("t", "x", 1);
    (void)state;
    cfg.lock = lock_fn;
    cfg.unlock = unlock_fn;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    connect_at(0, 1, "20 02 00 00");
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_OK);
    assert_int_equal(locks, unlocks);
    assert_true(locks >= 5);
    assert_int_equal(lock_depth, 0);
    cfg.unlock = NULL; /* one without the other */
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_ERR_PARAM);
}

/* Incoming QoS 2: delivered once, QOS2_DONE when PUBREL completes it. */
static void test_incoming_qos2_done_event(void **state)
{
    (void)state;
    connect_at(0, 1, "20 02 00 00");
    events();
    mock_push_hex(&mock, "34 06 00 01 74 00 07 78 3C 06 00 01 74 00 07 78 62 02 00 07");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "50 02 00 07 50 02 00 07 70 02 00 07");
    assert_string_equal(events(), "msg t=x q2;qos2 7;");
}

/* ---- the reconnect helper ---- */

static int opens, open_fail;
static uint32_t rnd_calls;

static bmqtt_status_t open_fn(void *user, const bmqtt_transport_t **t, uint32_t now)
{
    (void)user;
    (void)now;
    opens++;
    if (open_fail) {
        open_fail--;
        return BMQTT_ERR_CONNECT;
    }
    mock_init(&mock, &tr);
    *t = &tr;
    return BMQTT_OK;
}

static uint32_t rnd_fn(void *user)
{
    (void)user;
    return rnd_calls++ * 7919u;
}

/* sub --reconnect after a broker that lost the session: resubscribed; with
 * the session kept (Session Present 1) not; backoff doubles up to its cap. */
static void test_reconnect_resubscribes_when_the_session_is_gone(void **state)
{
    static const bmqtt_subscription_t subs[2] = { { BMQTT_VIEW_LIT("a"), 1 }, { BMQTT_VIEW_LIT("b"), 0 } };
    bmqtt_connect_t f = fields(0);
    bmqtt_reconnect_config_t rc;
    bmqtt_reconnect_t r;
    (void)state;
    memset(&rc, 0, sizeof rc);
    rc.client = &cli;
    rc.connect = &f;
    rc.open = open_fn;
    rc.random = rnd_fn;
    rc.min_backoff_ms = 100;
    rc.max_backoff_ms = 400;
    opens = 0;
    open_fail = 0;
    rnd_calls = 0;
    assert_int_equal(bmqtt_reconnect_init(&r, &rc), BMQTT_OK);
    bmqtt_reconnect_set_subscriptions(&r, subs, 2);
    assert_int_equal(bmqtt_reconnect_poll(&r, 0), BMQTT_WOULD_BLOCK);
    assert_int_equal(opens, 1);
    mock_take_hex(&mock);
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_reconnect_poll(&r, 1), BMQTT_OK);
    assert_int_equal(bmqtt_reconnect_poll(&r, 2), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "82 06 00 01 00 01 61 01"); /* one request slot: one at a time */
    mock_push_hex(&mock, "90 03 00 01 01");
    assert_int_equal(bmqtt_reconnect_poll(&r, 3), BMQTT_OK);
    assert_int_equal(bmqtt_reconnect_poll(&r, 4), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "82 06 00 02 00 01 62 00");
    mock_push_hex(&mock, "90 03 00 02 00");
    assert_int_equal(bmqtt_reconnect_poll(&r, 5), BMQTT_OK);
    /* The broker goes away; two attempts fail; then it keeps our session. */
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_reconnect_poll(&r, 10), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_reconnect_last_status(&r), BMQTT_ERR_CLOSED);
    open_fail = 2;
    assert_int_equal(bmqtt_reconnect_poll(&r, 10 + 49), BMQTT_WOULD_BLOCK);
    assert_int_equal(opens, 1); /* first pause: 50..100 ms */
    for (uint32_t t = 60; t < 2000 && opens < 4; t += 10) (void)bmqtt_reconnect_poll(&r, t);
    assert_int_equal(opens, 4);
    mock_take_hex(&mock);
    mock_push_hex(&mock, "20 02 01 00");
    assert_int_equal(bmqtt_reconnect_poll(&r, 3000), BMQTT_OK);
    assert_int_equal(bmqtt_reconnect_poll(&r, 3001), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), ""); /* session kept: no SUBSCRIBE */
    bmqtt_reconnect_stop(&r);
    assert_int_equal(bmqtt_reconnect_poll(&r, 3002), BMQTT_ERR_NOT_CONNECTED);
    assert_string_equal(mock_take_hex(&mock), "E0 00");
}

static void test_reconnect_gives_up_after_max_attempts(void **state)
{
    bmqtt_connect_t f = fields(1);
    bmqtt_reconnect_config_t rc;
    bmqtt_reconnect_t r;
    bmqtt_status_t st = BMQTT_WOULD_BLOCK;
    (void)state;
    memset(&rc, 0, sizeof rc);
    rc.client = &cli;
    rc.connect = &f;
    rc.open = open_fn;
    rc.max_attempts = 3;
    opens = 0;
    open_fail = 10;
    assert_int_equal(bmqtt_reconnect_init(&r, &rc), BMQTT_OK);
    for (uint32_t t = 0; t < 100000 && st == BMQTT_WOULD_BLOCK; t += 100) st = bmqtt_reconnect_poll(&r, t);
    assert_int_equal(st, BMQTT_ERR_CONNECT);
    assert_int_equal(opens, 3);
    rc.open = NULL;
    assert_int_equal(bmqtt_reconnect_init(&r, &rc), BMQTT_ERR_PARAM);
}

/* The helper's edges: an open that needs several calls, an open that gives no
 * transport, a CONNECT the client refuses (the opened transport is closed),
 * adopting a session already connecting or up, stop in each phase. */
static int open_calls, open_closes, open_mode;

static void counted_close(void *ctx)
{
    (void)ctx;
    open_closes++;
}

static bmqtt_transport_t closable;

static bmqtt_status_t open_modes(void *user, const bmqtt_transport_t **t, uint32_t now)
{
    (void)user;
    (void)now;
    open_calls++;
    if (open_mode == 1 && open_calls < 3) return BMQTT_WOULD_BLOCK; /* a TCP connect in progress */
    if (open_mode == 2) return BMQTT_OK;                            /* forgot *t */
    if (open_mode == 3) {                                           /* a transport the client refuses */
        closable = tr;
        closable.send = NULL;
        closable.close = counted_close;
        *t = &closable;
        return BMQTT_OK;
    }
    mock_init(&mock, &tr);
    *t = &tr;
    return BMQTT_OK;
}

static void test_reconnect_edges(void **state)
{
    bmqtt_connect_t f = fields(1);
    bmqtt_reconnect_config_t rc;
    bmqtt_reconnect_t r;
    static const bmqtt_subscription_t subs[1] = { { BMQTT_VIEW_LIT("a"), 0 } };
    (void)state;
    memset(&rc, 0, sizeof rc);
    rc.client = &cli;
    rc.connect = &f;
    rc.open = open_modes;
    rc.min_backoff_ms = 100;
    rc.max_backoff_ms = 50; /* below the minimum */
    assert_int_equal(bmqtt_reconnect_init(&r, &rc), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_reconnect_init(NULL, &rc), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_reconnect_poll(NULL, 0), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_reconnect_last_status(NULL), BMQTT_ERR_PARAM);
    bmqtt_reconnect_set_subscriptions(NULL, subs, 1);
    bmqtt_reconnect_stop(NULL);
    rc.max_backoff_ms = 400;

    /* Open in progress, then done. */
    open_calls = 0;
    open_mode = 1;
    assert_int_equal(bmqtt_reconnect_init(&r, &rc), BMQTT_OK);
    bmqtt_reconnect_set_subscriptions(&r, NULL, 5); /* NULL: none */
    assert_int_equal(bmqtt_reconnect_poll(&r, 0), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_reconnect_poll(&r, 1), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_reconnect_poll(&r, 2), BMQTT_WOULD_BLOCK); /* opened, CONNECT out */
    assert_int_equal(open_calls, 3);
    bmqtt_reconnect_stop(&r); /* while connecting: graceful, nothing else sent */
    assert_int_equal(bmqtt_reconnect_poll(&r, 3), BMQTT_ERR_NOT_CONNECTED);
    bmqtt_reconnect_stop(&r); /* twice: nothing */

    /* An open that gives no transport, and a transport the client refuses: paused, closed. */
    open_calls = open_closes = 0;
    open_mode = 2;
    assert_int_equal(bmqtt_reconnect_init(&r, &rc), BMQTT_OK);
    assert_int_equal(bmqtt_reconnect_poll(&r, 10), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_reconnect_last_status(&r), BMQTT_ERR_PARAM);
    open_mode = 3;
    assert_int_equal(bmqtt_reconnect_poll(&r, 200), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_reconnect_last_status(&r), BMQTT_ERR_PARAM);
    assert_int_equal(open_closes, 1);
    bmqtt_reconnect_stop(&r); /* while pausing: stopped at once */
    assert_int_equal(bmqtt_reconnect_poll(&r, 300), BMQTT_ERR_PARAM);

    /* Adopting: a session already up is kept, its subscriptions taken as made. */
    setup(state);
    connect_at(0, 1, "20 02 00 00");
    open_calls = 0;
    open_mode = 0;
    assert_int_equal(bmqtt_reconnect_init(&r, &rc), BMQTT_OK);
    bmqtt_reconnect_set_subscriptions(&r, subs, 1);
    assert_int_equal(bmqtt_reconnect_poll(&r, 1), BMQTT_OK);
    assert_int_equal(open_calls, 0);
    assert_string_equal(mock_take_hex(&mock), "");
    bmqtt_reconnect_set_subscriptions(&r, subs, 0); /* shrinks below what was made */

    /* ... and one still connecting. */
    setup(state);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    assert_int_equal(bmqtt_reconnect_init(&r, &rc), BMQTT_OK);
    bmqtt_reconnect_set_subscriptions(&r, subs, 1);
    assert_int_equal(bmqtt_reconnect_poll(&r, 1), BMQTT_WOULD_BLOCK);
    mock_take_hex(&mock);
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_reconnect_poll(&r, 2), BMQTT_OK);
    mock.send_block_every = 1; /* the SUBSCRIBE waits in tx_buf: the request slot stays taken */
    assert_int_equal(bmqtt_reconnect_poll(&r, 3), BMQTT_OK);
    mock.send_block_every = 0;
    assert_int_equal(bmqtt_reconnect_poll(&r, 4), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "82 06 00 01 00 01 61 00"); /* clean session: subscribed */
    /* A CONNACK refused: the attempt failed, paused. */
    mock.fail_recv = BMQTT_ERR_CLOSED;
    assert_int_equal(bmqtt_reconnect_poll(&r, 5), BMQTT_WOULD_BLOCK);
    assert_int_equal(bmqtt_reconnect_last_status(&r), BMQTT_ERR_CLOSED);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
    const struct CMUnitTest tests[] = {
        T(test_three_qos0_readings_back_to_back),
        T(test_readings_wait_in_order_while_the_transport_blocks),
        T(test_busy_only_when_tx_buf_is_full),
        T(test_subscribe_right_after_a_qos1_publish),
        T(test_publish_subscribe_disconnect_without_poll),
        T(test_publish_then_disconnect_finishes_at_once),
        T(test_disconnect_gives_up_waiting_for_acks),
        T(test_outbox_copies_and_checks_at_publish),
        T(test_by_reference_changed_before_resend),
        T(test_outbox_compacts_and_reports_full),
        T(test_resend_whatever_session_present_MQTT_4_4_0_1),
        T(test_publish_while_offline_goes_out_after_connack),
        T(test_poll_returns_after_connack),
        T(test_peer_that_stops_reading_times_out),
        T(test_suback_deadline),
        T(test_pingreq_before_keepalive_expires_MQTT_3_1_2_23),
        T(test_session_present_after_clean_session_MQTT_3_2_2_1),
        T(test_recv_reporting_more_than_asked),
#ifdef BMQTT_TEST_HOOKS
        T(test_log_hook_at_session_end),
#endif
        T(test_init_refuses_another_layout),
        T(test_rx_buffer_above_64k),
        T(test_lock_hooks_balanced),
        T(test_incoming_qos2_done_event),
        T(test_reconnect_resubscribes_when_the_session_is_gone),
        T(test_reconnect_gives_up_after_max_attempts),
        T(test_reconnect_edges),
    };
#undef T
    return cmocka_run_group_tests_name("client contract", tests, NULL, NULL);
}
