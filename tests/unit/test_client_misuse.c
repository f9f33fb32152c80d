/* The client's contract at its edges: calls from inside events, a transport that
 * returns what transport.h does not allow, the lock around the read-only calls,
 * a loop that sleeps on the timer alone, statuses that must not blame the broker
 * for the caller's (or the port's) mistakes, and the log of every step. */
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
static uint8_t txb[256], rxb[128], obox[32];
static bmqtt_inflight_t slots[4];
static uint16_t ids2[4];
static bmqtt_request_t reqs[2];
static bmqtt_client_config_t cfg;
static bmqtt_client_t cli;

/* What the event handler does: call init (recording its status) on some events. */
static int init_on;              /* a bmqtt_event_type_t mask: 1 << type */
static int abort_on;             /* the same: abort() from these events */
static char trace[2048];         /* "type:init-status;" per event */
static int locks, unlocks, depth;
static char chunks[512];         /* "offset+len/total;" per MESSAGE event */

static void on_event(void *user, const bmqtt_event_t *ev)
{
    char line[64];
    (void)user;
    snprintf(line, sizeof line, "%d", (int)ev->type);
    if (ev->type == BMQTT_EVT_MESSAGE && strlen(chunks) + 32 < sizeof chunks) {
        snprintf(chunks + strlen(chunks), sizeof chunks - strlen(chunks), "%u+%u/%u;", (unsigned)ev->message->offset,
                 (unsigned)ev->message->payload.len, (unsigned)ev->message->total);
    }
    if (init_on & (1 << ev->type)) {
        snprintf(line, sizeof line, "%d:%d", (int)ev->type, (int)bmqtt_client_init(&cli, &cfg));
    }
    assert_true(strlen(trace) + strlen(line) + 2 < sizeof trace);
    strcat(trace, line);
    strcat(trace, ";");
    if (abort_on & (1 << ev->type)) bmqtt_client_abort(&cli);
}

static const char *took(void)
{
    static char copy[sizeof trace];
    strcpy(copy, trace);
    trace[0] = 0;
    return copy;
}

static void lock_fn(void *user)
{
    (void)user;
    locks++;
    depth++;
}

static void unlock_fn(void *user)
{
    (void)user;
    unlocks++;
    depth--;
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
    cfg.requests = reqs;
    cfg.request_count = 2;
    cfg.on_event = on_event;
    init_on = abort_on = 0;
    trace[0] = 0;
    chunks[0] = 0;
    locks = unlocks = depth = 0;
    memset(&cli, 0, sizeof cli); /* the last test may have left a session open in it */
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    return 0;
}

static void connect_ka(uint32_t now, uint16_t keepalive_s)
{
    bmqtt_connect_t f;
    memset(&f, 0, sizeof f);
    f.client_id = bmqtt_view_str("c1");
    f.clean_session = 1;
    f.keepalive_s = keepalive_s;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, now), BMQTT_OK);
    mock_take_hex(&mock);
    mock_push_hex(&mock, "20 02 00 00");
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

#define BIT(t) (1 << (t))

/* init from inside each event is refused, and the session goes on as if it had
 * not been called: nothing is dereferenced after a reset under the caller. */
static void test_init_from_every_event_is_refused(void **state)
{
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("c"), 2 };
    bmqtt_publish_t p = pub("t", "x", 1);
    bmqtt_view_t f = BMQTT_VIEW_LIT("c");
    (void)state;
    init_on = BIT(BMQTT_EVT_CONNACK) | BIT(BMQTT_EVT_MESSAGE) | BIT(BMQTT_EVT_PUBLISH_DONE) | BIT(BMQTT_EVT_SUBACK) |
              BIT(BMQTT_EVT_UNSUBACK) | BIT(BMQTT_EVT_QOS2_DONE) | BIT(BMQTT_EVT_CLOSED);
    connect_ka(0, 0);
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_unsubscribe(&cli, &f, 1, NULL), BMQTT_OK);
    mock_take_hex(&mock);
    /* PUBACK, SUBACK, UNSUBACK, a QoS 2 message and its PUBREL, in one read. */
    mock_push_hex(&mock, "40 02 00 01 90 03 00 02 02 B0 02 00 03 34 06 00 01 74 00 09 79 62 02 00 09");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "50 02 00 09 70 02 00 09");
    assert_int_equal(bmqtt_client_disconnect(&cli), BMQTT_OK);
    assert_string_equal(took(), "1:-51;3:-51;4:-51;5:-51;2:-51;6:-51;7:-51;");
    assert_int_equal(mock.closed, 1);
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK); /* outside any event: fine */
}

/* The CLOSED event that abort() raises inside a MESSAGE event: init refused
 * there too (two events deep), and the poll that delivered the message ends
 * cleanly. */
static void test_init_from_closed_inside_message(void **state)
{
    (void)state;
    connect_ka(0, 0);
    took();
    abort_on = BIT(BMQTT_EVT_MESSAGE);
    init_on = BIT(BMQTT_EVT_CLOSED) | BIT(BMQTT_EVT_MESSAGE);
    mock_push_hex(&mock, "32 06 00 01 74 00 05 79 30 03 00 01 74");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_ERR_NOT_CONNECTED);
    assert_string_equal(took(), "2:-51;7:-51;");
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CLOSED);
    assert_int_equal(mock.closed, 1);
    assert_string_equal(mock_take_hex(&mock), ""); /* no PUBACK after the abort */
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
}

/* init on an open session is refused (it used to drop the transport unclosed);
 * after abort() it is accepted. A client in memory that held another config is
 * not mistaken for a live one. */
static void test_init_on_an_open_session(void **state)
{
    bmqtt_client_config_t other = cfg;
    (void)state;
    connect_ka(0, 0);
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_ERR_BUSY);
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CONNECTED);
    assert_int_equal(mock.closed, 0);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK); /* untouched */
    bmqtt_client_abort(&cli);
    assert_int_equal(mock.closed, 1);
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_init(&cli, &other), BMQTT_OK);
}

/* A port that returns what transport.h does not allow. */
static int32_t recv_value, send_value;

static int32_t bad_recv(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    return recv_value == 1 ? (int32_t)len + 1 : recv_value;
}

static int32_t bad_send(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    return send_value == 1 ? (int32_t)len + 1 : send_value ? send_value : (int32_t)len;
}

/* Every value in -1..-69 that transport.h does not list, and more bytes than
 * asked, ends the session as BMQTT_ERR_TRANSPORT, never as "need more", a
 * malformed packet or a refusal; the port's value is kept. The listed ones
 * and the layers' own codes pass through. */
static void test_transport_values_are_mapped(void **state)
{
    static const int32_t allowed[] = { BMQTT_ERR_CLOSED, BMQTT_ERR_TRANSPORT, BMQTT_ERR_CONNECT, BMQTT_ERR_DNS,
                                       -70, -95, -130, -1000, -123456 };
    bmqtt_transport_t bad = { bad_send, bad_recv, NULL, NULL };
    bmqtt_connect_t f;
    (void)state;
    memset(&f, 0, sizeof f);
    f.client_id = bmqtt_view_str("c1");
    f.clean_session = 1;
    for (int dir = 0; dir < 2; dir++) {
        for (int32_t v = 1; v >= -69; v--) {
            int ok = 0;
            bmqtt_client_error_t e;
            bmqtt_status_t st;
            if (v == 0 || v == BMQTT_WOULD_BLOCK) continue;
            for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) ok |= allowed[i] == v;
            memset(&cli, 0, sizeof cli);
            assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
            recv_value = dir ? v : BMQTT_WOULD_BLOCK;
            send_value = dir ? 0 : v;
            assert_int_equal(bmqtt_client_connect(&cli, &bad, &f, 0), BMQTT_OK);
            st = bmqtt_client_poll(&cli, 1);
            e = bmqtt_client_last_error(&cli);
            if (ok) {
                assert_int_equal(st, v);
                assert_int_equal(e.port_status, 0);
            } else {
                assert_int_equal(st, BMQTT_ERR_TRANSPORT);
                assert_int_equal(e.status, BMQTT_ERR_TRANSPORT);
                assert_int_equal(e.port_status, v == 1 ? (int32_t)(dir ? sizeof rxb : 16u) + 1 : v);
                assert_int_equal(e.rule, v == 1 && dir ? BMQTT_RULE_OVERRUN : BMQTT_RULE_TRANSPORT);
            }
            assert_false(BMQTT_STATUS_IS_PEER_ERROR(e.status));
            assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CLOSED);
        }
    }
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        memset(&cli, 0, sizeof cli);
        assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
        recv_value = allowed[i];
        send_value = 0;
        assert_int_equal(bmqtt_client_connect(&cli, &bad, &f, 0), BMQTT_OK);
        assert_int_equal(bmqtt_client_poll(&cli, 1), allowed[i]);
        assert_int_equal(bmqtt_client_last_error(&cli).port_status, 0);
    }
}

/* A loop that sleeps exactly bmqtt_client_sleep_ms() and never wakes on data
 * keeps a Keep Alive of 5 s: while a PINGREQ is out, the next wake-up is when
 * the following one is due (3.75 s later), not the 10 s response deadline, so
 * no gap between packets reaches 5 s [MQTT-3.1.2-23]. */
static void test_sleep_on_the_timer_alone_keeps_keepalive(void **state)
{
    uint32_t now = 0, last_ping = 0;
    int pings = 0;
    (void)state;
    connect_ka(0, 5);
    while (now < 60000u) {
        uint32_t d = bmqtt_client_sleep_ms(&cli, now);
        assert_true(d > 0 && d <= 3750u); /* never a spin, never past the next ping */
        now += d;
        assert_int_equal(bmqtt_client_poll(&cli, now), BMQTT_OK);
        if (strcmp(mock_take_hex(&mock), "C0 00") == 0) {
            assert_true(now - last_ping <= 3750u);
            last_ping = now;
            pings++;
            mock_push_hex(&mock, "D0 00"); /* answered at once; read at the next wake-up */
        }
    }
    assert_int_equal(pings, 16);
    /* No answer: the next wake-up is the response deadline, then the session ends. */
    assert_int_equal(bmqtt_client_sleep_ms(&cli, now), 3750u - (now - last_ping));
    now = last_ping + 3750u;
    assert_int_equal(bmqtt_client_poll(&cli, now), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "C0 00");
    mock.in_len = mock.in_pos = 0;
    assert_int_equal(bmqtt_client_sleep_ms(&cli, now), 3750u);
    assert_int_equal(bmqtt_client_poll(&cli, now + 3750u), BMQTT_OK);
    assert_int_equal(bmqtt_client_sleep_ms(&cli, now + 3750u), 10000u - 3750u);
    assert_int_equal(bmqtt_client_poll(&cli, now + 10000u), BMQTT_ERR_KEEPALIVE);
    /* The old name still compiles and means the same. */
    assert_int_equal(bmqtt_client_next_deadline(&cli, 0), UINT32_MAX);
}

/* A stray PUBREC is the QoS 2 rule, not QoS 1's; a stray PUBREL is answered
 * with PUBCOMP [MQTT-4.3.3-2] and is no error. */
static void test_stray_pubrec_and_pubrel(void **state)
{
    bmqtt_client_error_t e;
    (void)state;
    connect_ka(0, 0);
    took();
    mock_push_hex(&mock, "62 02 00 05");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "70 02 00 05");
    assert_string_equal(took(), ""); /* no QOS2_DONE for a message never held */
    mock_push_hex(&mock, "50 02 00 05");
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_PROTOCOL);
    e = bmqtt_client_last_error(&cli);
    assert_int_equal(e.rule, BMQTT_RULE_PUBREC_UNKNOWN);
    assert_int_equal(e.packet_type, BMQTT_PUBREC);
    assert_int_equal(e.packet_id, 5);
    assert_non_null(strstr(bmqtt_client_rule_str(e.rule), "MQTT-4.3.3-1"));
}

/* Every call takes the lock, the read-only ones and set_outbox included. */
static void test_every_call_takes_the_lock(void **state)
{
    (void)state;
    cfg.lock = lock_fn;
    cfg.unlock = unlock_fn;
    memset(&cli, 0, sizeof cli);
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, obox, sizeof obox), BMQTT_OK);
    assert_int_equal(locks, 1);
    (void)bmqtt_client_state(&cli);
    (void)bmqtt_client_last_error(&cli);
    (void)bmqtt_client_sleep_ms(&cli, 0);
    (void)bmqtt_client_tx_idle(&cli);
    (void)bmqtt_client_tx_free(&cli);
    (void)bmqtt_client_session_present(&cli);
    (void)bmqtt_client_inflight(&cli);
    assert_int_equal(locks, 8);
    assert_int_equal(unlocks, 8);
    assert_int_equal(depth, 0);
}

/* The caller's mistakes are the caller's: a bad topic is refused by publish with
 * the codec's status, the session goes on, and last_error() (the session's end)
 * is untouched. A message larger than the outbox and one larger than tx_buf
 * are two statuses. */
static void test_caller_mistakes_are_not_the_brokers(void **state)
{
    static uint8_t huge[300];
    bmqtt_publish_t bad = pub("a/+", "x", 1);
    bmqtt_publish_t big = pub("t", "0123456789012345678901234567890123456789", 1);
    bmqtt_publish_t hdr = pub("t", "", 1);
    (void)state;
    connect_ka(0, 0);
    assert_int_equal(bmqtt_client_set_outbox(&cli, obox, sizeof obox), BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &bad, NULL), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_client_last_error(&cli).status, BMQTT_OK);
    assert_int_equal(bmqtt_client_publish(&cli, &big, NULL), BMQTT_ERR_OUTBOX_TOO_SMALL);
    memset(huge, 'a', sizeof huge);
    hdr.topic.ptr = huge;
    hdr.topic.len = sizeof huge; /* the header alone is larger than tx_buf */
    assert_int_equal(bmqtt_client_publish_ref(&cli, &hdr, NULL), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(bmqtt_client_state(&cli), BMQTT_CLIENT_CONNECTED);
    assert_int_equal(bmqtt_client_inflight(&cli), 0);
}

/* A QoS 2 message larger than rx_buf, cut halfway by a lost link: its id is not
 * recorded until its last chunk, so the broker's resend (DUP) is delivered whole,
 * from offset 0; a resend after that is answered, not delivered again
 * [MQTT-4.3.3-2]. */
static void test_streamed_qos2_cut_halfway_is_delivered_whole(void **state)
{
    static uint8_t pkt[400], payload[300];
    bmqtt_publish_t m = pub("t", "", 2);
    bmqtt_connect_t f;
    size_t n;
    (void)state;
    memset(payload, 'p', sizeof payload);
    m.payload.ptr = payload;
    m.payload.len = sizeof payload;
    m.packet_id = 9;
    assert_int_equal(bmqtt_publish_encode(&m, pkt, sizeof pkt, &n), BMQTT_OK);
    memset(&f, 0, sizeof f);
    f.client_id = bmqtt_view_str("c1");
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK); /* clean session 0 */
    mock_push_hex(&mock, "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 0), BMQTT_OK);
    mock_take_hex(&mock);
    mock_push(&mock, pkt, 200);
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_string_equal(chunks, "0+120/300;");
    mock.fail_recv = BMQTT_ERR_CLOSED; /* the link drops inside the message */
    assert_int_equal(bmqtt_client_poll(&cli, 2), BMQTT_ERR_CLOSED);
    assert_string_equal(mock_take_hex(&mock), ""); /* no PUBREC for half a message */
    chunks[0] = 0;
    mock.fail_recv = 0;
    mock.in_len = mock.in_pos = 0;
    mock.closed = 0;
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 3), BMQTT_OK);
    mock_push_hex(&mock, "20 02 01 00"); /* the broker kept the session and resends, DUP */
    assert_int_equal(bmqtt_client_poll(&cli, 3), BMQTT_OK);
    mock_take_hex(&mock);
    pkt[0] |= 0x08u;
    mock_push(&mock, pkt, n);
    for (int i = 0; i < 10; i++) assert_int_equal(bmqtt_client_poll(&cli, 4), BMQTT_OK);
    assert_string_equal(chunks, "0+120/300;120+120/300;240+60/300;");
    assert_string_equal(mock_take_hex(&mock), "50 02 00 09");
    chunks[0] = 0;
    mock_push(&mock, pkt, n); /* our PUBREC was lost: resent again */
    for (int i = 0; i < 10; i++) assert_int_equal(bmqtt_client_poll(&cli, 5), BMQTT_OK);
    assert_string_equal(chunks, "");
    assert_string_equal(mock_take_hex(&mock), "50 02 00 09");
    mock_push_hex(&mock, "62 02 00 09");
    assert_int_equal(bmqtt_client_poll(&cli, 6), BMQTT_OK);
    assert_string_equal(mock_take_hex(&mock), "70 02 00 09");
}

#ifdef BMQTT_TEST_HOOKS
/* Every state change, refusal and deadline is logged with its packet and id. */
static void test_every_step_is_logged(void **state)
{
    bmqtt_publish_t bad = pub("a/#", "x", 0);
    bmqtt_publish_t ok = pub("t", "x", 1);
    bmqtt_subscription_t s = { BMQTT_VIEW_LIT("c"), 1 };
    (void)state;
    bmqtt_test_log_all[0] = 0;
    connect_ka(0, 4);
    assert_int_equal(bmqtt_client_publish(&cli, &bad, NULL), BMQTT_ERR_BAD_TOPIC);
    assert_int_equal(bmqtt_client_publish(&cli, &ok, NULL), BMQTT_OK);
    mock_push_hex(&mock, "40 02 00 01");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 3000), BMQTT_OK); /* PINGREQ */
    assert_int_equal(bmqtt_client_subscribe(&cli, &s, 1, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_client_poll(&cli, 13000), BMQTT_ERR_TIMEOUT); /* no SUBACK */
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_string_equal(bmqtt_test_log_all,
                        "bmqtt: state CONNECTING: CONNECT queued (16 bytes, clean session 1, keep alive 4 s)\n"
                        "bmqtt: state CONNECTED: CONNACK accepted, session present 0\n"
                        "bmqtt: publish refused: malformed: topic name\n"
                        "bmqtt: PUBLISH 1 done: ok\n"
                        "bmqtt: PINGREQ queued (3000 ms since the last packet)\n"
                        "bmqtt: timeout (packet type 9, id 2): no SUBACK or UNSUBACK in time\n"
                        "bmqtt: state CLOSED: timeout\n");
}
#endif

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
    const struct CMUnitTest tests[] = {
        T(test_init_from_every_event_is_refused),
        T(test_init_from_closed_inside_message),
        T(test_init_on_an_open_session),
        T(test_transport_values_are_mapped),
        T(test_sleep_on_the_timer_alone_keeps_keepalive),
        T(test_stray_pubrec_and_pubrel),
        T(test_every_call_takes_the_lock),
        T(test_caller_mistakes_are_not_the_brokers),
        T(test_streamed_qos2_cut_halfway_is_delivered_whole),
#ifdef BMQTT_TEST_HOOKS
        T(test_every_step_is_logged),
#endif
    };
#undef T
    return cmocka_run_group_tests_name("client misuse", tests, NULL, NULL);
}
