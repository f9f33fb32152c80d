/*
 * The ESP-AT MQTT interpreter (include/bmqtt/at.h), byte for byte: the line
 * reader (any split, the 256-byte limit and recovery), the parameter parser
 * (escapes, quotes, commas, integers), every command's success bytes, every
 * error code with AT+SYSLOG=1, the state rules 0-6, the `>` prompts with raw
 * bytes (all 256 values; bytes after the stated length start the next
 * command), `busy p...`, and the URCs, against the real client over a
 * scripted in-memory broker (no sockets: this suite also runs on QEMU).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/at.h"
#include "bmqtt/codec.h"
#include "bmqtt/version.h"

/* ---- UART capture ---------------------------------------------------------- */

static char g_out[32768];
static size_t g_out_len;

static void uart_write(void *user, const uint8_t *buf, size_t len)
{
    (void)user;
    assert_true(g_out_len + len <= sizeof g_out);
    memcpy(g_out + g_out_len, buf, len);
    g_out_len += len;
}

/* ---- Scripted broker: answers CONNECT, SUBSCRIBE, PUBLISH... from a script ---- */

typedef struct broker {
    uint8_t in[16384]; /* what the client sent, not yet decoded */
    size_t in_len;
    uint8_t out[16384]; /* what the broker sends */
    size_t out_len, out_pos;
    int open_fails;     /* the open callback fails with this status (0: opens) */
    int open_blocks;    /* the open callback says WOULD_BLOCK this many times first */
    int open_no_tr;     /* the open callback says OK without a transport */
    int no_connack, no_suback, no_unsuback;
    int send_blocks;    /* the transport takes nothing (a stalled link) */
    uint8_t connack_rc;
    uint8_t suback_code; /* 0xff: grant what was asked */
    int ack_publish;    /* 0: PUBLISH QoS 1/2 is never acknowledged */
    int closed;
    int connects, disconnects, subscribes, unsubscribes;
    uint8_t last_topic[256];
    size_t last_topic_len;
    uint8_t last_payload[8192];
    size_t last_payload_len;
    uint8_t last_qos, last_retain;
    int publishes;
    uint8_t sub_filter[256];
    size_t sub_filter_len;
    uint8_t sub_qos;
    int c_user, c_pass, c_will, c_will_qos, c_will_retain, c_clean, c_keepalive; /* the last CONNECT */
    size_t c_id_len;
} broker_t;

static broker_t g_b;
static bmqtt_transport_t g_tr;
static uint32_t g_now;

static void b_queue(const uint8_t *p, size_t n)
{
    assert_true(g_b.out_len + n <= sizeof g_b.out);
    memcpy(g_b.out + g_b.out_len, p, n);
    g_b.out_len += n;
}

static void b_ack(bmqtt_packet_type_t t, uint16_t id)
{
    uint8_t b[4];
    size_t n;
    assert_int_equal(bmqtt_ack_encode(t, id, b, sizeof b, &n), BMQTT_OK);
    b_queue(b, n);
}

/* A CONNACK (accepted) that the broker sends later than the CONNECT (with no_connack). */
static void b_connack(uint8_t session_present)
{
    uint8_t b[8];
    size_t n;
    bmqtt_connack_t ca = { 0, 0 };
    ca.session_present = session_present;
    assert_int_equal(bmqtt_connack_encode(&ca, b, sizeof b, &n), BMQTT_OK);
    b_queue(b, n);
}

/* The broker delivers a PUBLISH to the device. */
static void b_publish(const char *topic, const uint8_t *payload, size_t len, uint8_t qos, uint16_t id)
{
    static uint8_t b[12000];
    size_t n;
    bmqtt_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = bmqtt_view_str(topic);
    p.payload.ptr = payload;
    p.payload.len = len;
    p.qos = qos;
    p.packet_id = id;
    assert_int_equal(bmqtt_publish_encode(&p, b, sizeof b, &n), BMQTT_OK);
    b_queue(b, n);
}

static void b_handle(const bmqtt_packet_t *pk)
{
    uint8_t b[64];
    size_t n;
    switch (pk->type) {
    case BMQTT_CONNECT: {
        bmqtt_connack_t ca = { 0, g_b.connack_rc };
        g_b.connects++;
        g_b.c_user = pk->u.connect.username.ptr != NULL;
        g_b.c_pass = pk->u.connect.password.ptr != NULL;
        g_b.c_will = pk->u.connect.will_topic.ptr != NULL;
        g_b.c_will_qos = pk->u.connect.will_qos;
        g_b.c_will_retain = pk->u.connect.will_retain;
        g_b.c_clean = pk->u.connect.clean_session;
        g_b.c_keepalive = pk->u.connect.keepalive_s;
        g_b.c_id_len = pk->u.connect.client_id.len;
        if (g_b.no_connack) {
            break;
        }
        assert_int_equal(bmqtt_connack_encode(&ca, b, sizeof b, &n), BMQTT_OK);
        b_queue(b, n);
        break;
    }
    case BMQTT_SUBSCRIBE: {
        bmqtt_view_t it = pk->u.subscribe.entries;
        bmqtt_subscription_t s;
        uint8_t q;
        g_b.subscribes++;
        assert_int_equal(bmqtt_sub_next(&it, &s), 1);
        memcpy(g_b.sub_filter, s.filter.ptr, s.filter.len);
        g_b.sub_filter_len = s.filter.len;
        g_b.sub_qos = s.qos;
        if (g_b.no_suback) {
            break;
        }
        q = g_b.suback_code == 0xffu ? s.qos : g_b.suback_code;
        assert_int_equal(bmqtt_suback_encode(pk->u.subscribe.packet_id, &q, 1u, b, sizeof b, &n), BMQTT_OK);
        b_queue(b, n);
        break;
    }
    case BMQTT_UNSUBSCRIBE:
        g_b.unsubscribes++;
        if (!g_b.no_unsuback) {
            b_ack(BMQTT_UNSUBACK, pk->u.unsubscribe.packet_id);
        }
        break;
    case BMQTT_PUBLISH:
        g_b.publishes++;
        memcpy(g_b.last_topic, pk->u.publish.topic.ptr, pk->u.publish.topic.len);
        g_b.last_topic_len = pk->u.publish.topic.len;
        assert_true(pk->u.publish.payload.len <= sizeof g_b.last_payload);
        if (pk->u.publish.payload.len > 0u) {
            memcpy(g_b.last_payload, pk->u.publish.payload.ptr, pk->u.publish.payload.len);
        }
        g_b.last_payload_len = pk->u.publish.payload.len;
        g_b.last_qos = pk->u.publish.qos;
        g_b.last_retain = pk->u.publish.retain;
        if (g_b.ack_publish && pk->u.publish.qos == 1u) {
            b_ack(BMQTT_PUBACK, pk->u.publish.packet_id);
        } else if (g_b.ack_publish && pk->u.publish.qos == 2u) {
            b_ack(BMQTT_PUBREC, pk->u.publish.packet_id);
        }
        break;
    case BMQTT_PUBREL:
        b_ack(BMQTT_PUBCOMP, pk->u.packet_id);
        break;
    case BMQTT_PINGREQ:
        assert_int_equal(bmqtt_empty_encode(BMQTT_PINGRESP, b, sizeof b, &n), BMQTT_OK);
        b_queue(b, n);
        break;
    case BMQTT_DISCONNECT:
        g_b.disconnects++;
        break;
    default:
        break;
    }
}

static int32_t b_send(void *ctx, const uint8_t *buf, size_t len)
{
    bmqtt_packet_t pk;
    size_t used;
    (void)ctx;
    if (g_b.closed) {
        return BMQTT_ERR_CLOSED;
    }
    if (g_b.send_blocks) {
        return BMQTT_WOULD_BLOCK;
    }
    assert_true(g_b.in_len + len <= sizeof g_b.in);
    memcpy(g_b.in + g_b.in_len, buf, len);
    g_b.in_len += len;
    while (g_b.in_len > 0u && bmqtt_decode(g_b.in, g_b.in_len, &pk, &used) == BMQTT_OK) {
        b_handle(&pk);
        memmove(g_b.in, g_b.in + used, g_b.in_len - used);
        g_b.in_len -= used;
    }
    return (int32_t)len;
}

static int32_t b_recv(void *ctx, uint8_t *buf, size_t len)
{
    size_t n = g_b.out_len - g_b.out_pos;
    (void)ctx;
    if (n == 0u) {
        return g_b.closed ? BMQTT_ERR_CLOSED : BMQTT_WOULD_BLOCK;
    }
    if (n > len) {
        n = len;
    }
    memcpy(buf, g_b.out + g_b.out_pos, n);
    g_b.out_pos += n;
    if (g_b.out_pos == g_b.out_len) {
        g_b.out_pos = g_b.out_len = 0u;
    }
    return (int32_t)n;
}

static void b_close(void *ctx)
{
    (void)ctx;
    g_b.closed = 1;
}

static bmqtt_at_open_t g_req;
static char g_req_host[160];

static bmqtt_status_t net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    (void)user;
    (void)now_ms;
    g_req = *req;
    snprintf(g_req_host, sizeof g_req_host, "%s", req->host);
    if (g_b.open_fails != 0) {
        return (bmqtt_status_t)g_b.open_fails;
    }
    if (g_b.open_blocks > 0) {
        g_b.open_blocks--;
        return BMQTT_WOULD_BLOCK;
    }
    if (g_b.open_no_tr) {
        return BMQTT_OK;
    }
    g_b.closed = 0;
    g_b.in_len = g_b.out_len = g_b.out_pos = 0u;
    g_tr.send = b_send;
    g_tr.recv = b_recv;
    g_tr.close = b_close;
    g_tr.ctx = &g_b;
    *tr = &g_tr;
    return BMQTT_OK;
}

static int g_hook_calls;
static int wifi_hook(void *user, bmqtt_at_t *at, const char *cmd, size_t len)
{
    (void)user;
    g_hook_calls++;
    if (len == 9u && memcmp(cmd, "+CWMODE=1", 9u) == 0) {
        bmqtt_at_ok(at);
        return 1;
    }
    return 0;
}

static int64_t fixed_time(void *user)
{
    (void)user;
    return 1628088485; /* 2021-08-04 14:48:05 UTC, a Wednesday */
}

/* ---- The interpreter under test ---------------------------------------------- */

static uint8_t g_txb[2048], g_rxb[1024], g_outbox[4096], g_raw[8192];
static bmqtt_inflight_t g_inflight[8];
static uint16_t g_qos2[8];
static bmqtt_at_t g_at;
static const bmqtt_at_config_t g_cfg = { .write = uart_write, .open = net_open, .command = wifi_hook,
    .time_s = fixed_time, .tx_buf = g_txb, .tx_size = sizeof g_txb, .rx_buf = g_rxb, .rx_size = sizeof g_rxb,
    .inflight = g_inflight, .inflight_count = 8, .qos2_ids = g_qos2, .qos2_count = 8, .outbox = g_outbox,
    .outbox_size = sizeof g_outbox, .raw_buf = g_raw, .raw_size = sizeof g_raw };

static int setup(void **state)
{
    (void)state;
    memset(&g_b, 0, sizeof g_b);
    g_b.suback_code = 0xffu;
    g_b.ack_publish = 1;
    g_out_len = 0u;
    g_now = 1000u;
    g_hook_calls = 0;
    assert_int_equal(bmqtt_at_init(&g_at, &g_cfg), BMQTT_OK);
    /* A firmware's main loop polls from the start (test_before_first_poll: input before that poll). */
    assert_int_equal(bmqtt_at_poll(&g_at, g_now), BMQTT_OK);
    return 0;
}

static void poll_n(int n)
{
    int i;
    for (i = 0; i < n; i++) {
        g_now += 10u;
        assert_int_equal(bmqtt_at_poll(&g_at, g_now), BMQTT_OK);
    }
}

static void in(const char *s)
{
    assert_int_equal(bmqtt_at_input(&g_at, (const uint8_t *)s, strlen(s)), BMQTT_OK);
}

static void in_bytes(const void *p, size_t n)
{
    assert_int_equal(bmqtt_at_input(&g_at, (const uint8_t *)p, n), BMQTT_OK);
}

/* The UART bytes since the last check must be exactly @p want. */
static void expect_n(const char *want, size_t n)
{
    if (g_out_len != n || memcmp(g_out, want, n) != 0) {
        print_error("want (%zu): %.*s\ngot  (%zu): %.*s\n", n, (int)n, want, g_out_len, (int)g_out_len, g_out);
        fail();
    }
    g_out_len = 0u;
}

static void expect(const char *want)
{
    expect_n(want, strlen(want));
}

/* Send a command (echo off) and check its answer. */
static void cmd(const char *line, const char *want)
{
    char b[600];
    snprintf(b, sizeof b, "%s\r\n", line);
    in(b);
    expect(want);
}

static void quiet(void)
{
    in("ATE0\r\n");
    expect("ATE0\r\n\r\nOK\r\n");
}

static void connect_tcp(int reconnect)
{
    quiet();
    cmd("AT+MQTTUSERCFG=0,1,\"dev\",\"user\",\"pass\",0,0,\"\"", "\r\nOK\r\n");
    in(reconnect ? "AT+MQTTCONN=0,\"broker.local\",1883,1\r\n" : "AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
    poll_n(5);
    expect(reconnect ? "+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",1\r\n\r\nOK\r\n"
                     : "+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    assert_int_equal(bmqtt_at_state(&g_at), 4);
}

/* After a lost connection with reconnect=1: the loop's next attempt, its CONNECT with the broker. */
static void next_attempt(void)
{
    int i, c = g_b.connects;
    g_now += 70000u;
    for (i = 0; i < 50 && g_b.connects == c; i++) {
        poll_n(1);
    }
    assert_int_equal(g_b.connects, c + 1);
}

/* The broker drops the link (+MQTTDISCONNECTED); the loop's next attempt, its CONNACK held back. */
static void drop_and_reattempt(void)
{
    g_b.closed = 1;
    poll_n(3);
    expect("+MQTTDISCONNECTED:0\r\n");
    g_b.subscribes = 0;
    g_b.no_connack = 1;
    next_attempt();
}

/* ---- Line reader ----------------------------------------------------------------- */

/* Echo is on at power-up; ATE0 stops it (its own line is still echoed). */
static void test_echo_power_up(void **state)
{
    (void)state;
    in("AT\r\n");
    expect("AT\r\n\r\nOK\r\n");
    in("ATE0\r\n");
    expect("ATE0\r\n\r\nOK\r\n");
    in("AT\r\n");
    expect("\r\nOK\r\n");
    in("ATE1\r\n");
    expect("\r\nOK\r\n");
    in("at\r\n");
    expect("at\r\n\r\nOK\r\n");
}

/* One byte at a time gives the bytes of a whole write. */
static void test_byte_at_a_time(void **state)
{
    const char *s = "ATE0\r\nAT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",0,0,\"\"\r\nAT+MQTTCONN?\r\n";
    size_t i;
    (void)state;
    for (i = 0; s[i] != '\0'; i++) {
        in_bytes(s + i, 1u);
    }
    expect("ATE0\r\n\r\nOK\r\n\r\nOK\r\n+MQTTCONN:0,1,1,\"\",\"\",\"\",0\r\n\r\nOK\r\n");
}

/* A line of 256 bytes (CR LF included) runs; 257 gives ERROR once; the next line works. */
static void test_line_limit_and_recovery(void **state)
{
    char b[700];
    size_t n;
    (void)state;
    quiet();
    cmd("AT+SYSLOG=1", "\r\nOK\r\n");
    /* AT+MQTTUSERCFG=0,1,"<id>","","",0,0,"" + CR LF = 256 bytes */
    n = (size_t)snprintf(b, sizeof b, "AT+MQTTUSERCFG=0,1,\"%0*d\",\"\",\"\",0,0,\"\"\r\n", 256 - 36, 0);
    assert_int_equal(n, 256);
    in(b);
    expect("\r\nOK\r\n");
    n = (size_t)snprintf(b, sizeof b, "AT+MQTTUSERCFG=0,1,\"%0*d\",\"\",\"\",0,0,\"\"\r\n", 257 - 36, 0);
    assert_int_equal(n, 257);
    in(b);
    expect("\r\nERROR\r\n");
    memset(b, 'A', 600);
    memcpy(b + 600, "\r\nAT\r\n", 6);
    in_bytes(b, 606);
    expect("\r\nERROR\r\n\r\nOK\r\n");
    /* CR at byte 256 and LF at 257 is a 257-byte line */
    memset(b, 'A', 255);
    b[0] = 'A';
    b[1] = 'T';
    b[255] = '\r';
    b[256] = '\n';
    in_bytes(b, 257);
    expect("\r\nERROR\r\n");
    cmd("AT", "\r\nOK\r\n");
}

static void test_not_a_command(void **state)
{
    (void)state;
    quiet();
    cmd("", "");
    cmd("XY", "\r\nERROR\r\n");
    cmd("At", "\r\nERROR\r\n");
    cmd("AT+NOPE", "\r\nERROR\r\n");
    cmd("AT+SYSLOG=1", "\r\nOK\r\n");
    cmd("AT+NOPE", "ERR CODE:0x01090000\r\n\r\nERROR\r\n");
    cmd("AT+SYSLOG?", "+SYSLOG:1\r\n\r\nOK\r\n");
    cmd("AT+SYSLOG=2", "\r\nERROR\r\n");
    /* names are case-insensitive */
    cmd("at+mqttconn?", "+MQTTCONN:0,0,0,\"\",\"\",\"\",0\r\n\r\nOK\r\n");
    /* no test or execute form on MQTT commands */
    cmd("AT+MQTTUSERCFG=?", "\r\nERROR\r\n");
    cmd("AT+MQTTUSERCFG", "\r\nERROR\r\n");
    cmd("AT+MQTTPUB?", "\r\nERROR\r\n");
}

static void test_basic_commands(void **state)
{
    (void)state;
    quiet();
    cmd("AT+CWMODE=1", "\r\nOK\r\n");
    assert_int_equal(g_hook_calls, 1);
    cmd("AT+CWJAP?", "\r\nERROR\r\n"); /* the hook does not know it */
    cmd("AT+CIPSNTPCFG=1,8,\"ntp1.aliyun.com\",\"ntp2.aliyun.com\"", "\r\nOK\r\n");
    cmd("AT+CIPSNTPCFG?", "+CIPSNTPCFG:1,8,\"ntp1.aliyun.com\",\"ntp2.aliyun.com\"\r\n\r\nOK\r\n");
    cmd("AT+CIPSNTPTIME?", "+CIPSNTPTIME:Wed Aug  4 22:48:05 2021\r\nOK\r\n"); /* no blank line (the firmware) */
    cmd("AT+CIPSNTPCFG=1,-1130", "\r\nOK\r\n");
    cmd("AT+CIPSNTPTIME?", "+CIPSNTPTIME:Wed Aug  4 03:18:05 2021\r\nOK\r\n");
    cmd("AT+CIPSNTPCFG=0,0", "\r\nOK\r\n");
    cmd("AT+CIPSNTPTIME?", "+CIPSNTPTIME:Thu Jan  1 00:00:00 1970\r\nOK\r\n");
    cmd("AT+CIPSNTPCFG=1,1500", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=1,1260", "\r\nERROR\r\n");
    cmd("AT+GMR", "AT version:bmqtt " BMQTT_VERSION " (ESP-AT MQTT command set)\r\nSDK version:bmqtt " BMQTT_VERSION
                  "\r\nBin version:" BMQTT_VERSION "\r\n\r\nOK\r\n");
    cmd("AT+SYSLOG=1", "\r\nOK\r\n");
    cmd("AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",0,0,\"\"", "\r\nOK\r\n");
    /* AT+RST: OK, then the power-up state (echo on, codes off, state 0) and ready */
    cmd("AT+RST", "\r\nOK\r\n\r\nready\r\n");
    in("AT+MQTTCONN?\r\n");
    expect("AT+MQTTCONN?\r\n+MQTTCONN:0,0,0,\"\",\"\",\"\",0\r\n\r\nOK\r\n");
    in("AT+NOPE\r\n");
    expect("AT+NOPE\r\n\r\nERROR\r\n");
}

/* ---- Error codes, every one this command set prints (AT+SYSLOG=1) ----------------- */

typedef struct err_case {
    int state;         /* 0: fresh; 1: after USERCFG; 2: after CONNCFG; 4: connected */
    const char *line;
    const char *want;
} err_case_t;

#define E(c) "ERR CODE:0x010a" c "\r\n\r\nERROR\r\n"
#define P(n, c) "ERR CODE:0x0108000" n "\r\nERR CODE:0x010a" c "\r\n\r\nERROR\r\n"

static const err_case_t err_cases[] = {
    /* LinkID */
    { 0, "AT+MQTTUSERCFG=x,1,\"a\",\"b\",\"c\",0,0,\"\"", P("0", "6010") },
    { 0, "AT+MQTTUSERCFG=1,1,\"a\",\"b\",\"c\",0,0,\"\"", E("6011") },
    { 0, "AT+MQTTUSERCFG=,1,\"a\",\"b\",\"c\",0,0,\"\"", P("0", "6010") },
    /* USERCFG */
    { 0, "AT+MQTTUSERCFG=0,a,\"a\",\"b\",\"c\",0,0,\"\"", P("1", "6012") },
    { 0, "AT+MQTTUSERCFG=0,0,\"a\",\"b\",\"c\",0,0,\"\"", E("6013") },
    { 0, "AT+MQTTUSERCFG=0,11,\"a\",\"b\",\"c\",0,0,\"\"", E("6013") },
    { 0, "AT+MQTTUSERCFG=0,-1,\"a\",\"b\",\"c\",0,0,\"\"", E("6013") },
    { 0, "AT+MQTTUSERCFG=0,1,a,\"b\",\"c\",0,0,\"\"", P("2", "6014") },
    { 0, "AT+MQTTUSERCFG=0,1,\"a,b\",\"b\",\"c\",0,0,\"\"", P("2", "6014") }, /* quotes do not protect commas */
    { 0, "AT+MQTTUSERCFG=0,1,\"a\"b\",\"b\",\"c\",0,0,\"\"", P("2", "6014") }, /* unescaped quote inside */
    { 0, "AT+MQTTUSERCFG=0,1,\"a\",b,\"c\",0,0,\"\"", P("3", "6017") },
    { 0, "AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\\\",0,0,\"\"", P("4", "601a") }, /* escaped closing quote */
    { 0, "AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",x,0,\"\"", P("5", "601d") },
    { 0, "AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",2,0,\"\"", E("601e") },
    { 0, "AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",0,\"0\",\"\"", P("6", "601f") },
    { 0, "AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",0,2,\"\"", E("6020") },
    { 0, "AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",0,0", P("7", "6027") },
    { 0, "AT+MQTTUSERCFG=0,6,\"a\",\"b\",\"c\",0,0,\"/123456789012345678901234567890123\"", E("6029") },
    { 0, "AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",0,0,\"\",1", E("6008") },
    { 4, "AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",0,0,\"\"", E("6002") },
    /* LONG*, legacy */
    { 0, "AT+MQTTLONGCLIENTID=0,4", E("6001") },
    { 2, "AT+MQTTLONGCLIENTID=0,4", E("6002") },
    { 1, "AT+MQTTLONGCLIENTID=0,0", E("6016") },
    { 1, "AT+MQTTLONGCLIENTID=0,1025", E("6016") },
    { 1, "AT+MQTTLONGUSERNAME=0,x", P("1", "6017") },
    { 1, "AT+MQTTLONGPASSWORD=0,2000", E("601c") },
    { 1, "AT+MQTTLONGPASSWORD=0,4,4", E("6008") },
    { 2, "AT+MQTTCLIENTID=0,\"x\"", E("6002") },
    { 1, "AT+MQTTUSERNAME=0,x", P("1", "6017") },
    /* CONNCFG */
    { 0, "AT+MQTTCONNCFG=0,120,0,\"\",\"\",0,0", E("6001") },
    { 4, "AT+MQTTCONNCFG=0,120,0,\"\",\"\",0,0", E("6002") },
    { 1, "AT+MQTTCONNCFG=0,k,0,\"\",\"\",0,0", P("1", "602b") },
    { 1, "AT+MQTTCONNCFG=0,7201,0,\"\",\"\",0,0", E("602d") },
    { 1, "AT+MQTTCONNCFG=0,120,,\"\",\"\",0,0", P("2", "602e") },
    { 1, "AT+MQTTCONNCFG=0,120,2,\"\",\"\",0,0", E("602f") },
    { 1, "AT+MQTTCONNCFG=0,120,0,,\"\",0,0", P("3", "6030") },
    { 1, "AT+MQTTCONNCFG=0,120,0,\"t\",m,0,0", P("4", "6033") },
    { 1, "AT+MQTTCONNCFG=0,120,0,\"t\",\"m\",q,0", P("5", "6036") },
    { 1, "AT+MQTTCONNCFG=0,120,0,\"t\",\"m\",3,0", E("6037") },
    { 1, "AT+MQTTCONNCFG=0,120,0,\"t\",\"m\",0", P("6", "6038") },
    { 1, "AT+MQTTCONNCFG=0,120,0,\"t\",\"m\",0,2", E("6039") },
    { 1, "AT+MQTTCONNCFG=0,120,0,\"t\",\"m\",0,0,0", E("6008") },
    /* ALPN: plain ERROR whatever the reason */
    { 1, "AT+MQTTALPN=0,2,\"a\"", "\r\nERROR\r\n" },
    { 1, "AT+MQTTALPN=0,6,\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"", "\r\nERROR\r\n" },
    { 2, "AT+MQTTALPN=0,1,\"a\"", "\r\nERROR\r\n" },
    { 1, "AT+MQTTALPN=1,1,\"a\"", "\r\nERROR\r\n" },
    { 2, "AT+MQTTSNI=0,\"x\"", E("6002") },
    /* CONN */
    { 0, "AT+MQTTCONN=0,\"h\",1883,0", E("6001") },
    { 4, "AT+MQTTCONN=0,\"h\",1883,0", E("6004") },
    { 1, "AT+MQTTCONN=0,h,1883,0", P("1", "603a") },
    { 1, "AT+MQTTCONN=0,\"\",1883,0", E("603b") },
    { 1, "AT+MQTTCONN=0,\"h_h\",1883,0", E("6052") },
    { 1, "AT+MQTTCONN=0,\"::1\",1883,0", E("6052") },
    { 1, "AT+MQTTCONN=0,\"h\",\"1883\",0", P("2", "603d") },
    { 1, "AT+MQTTCONN=0,\"h\",65536,0", E("603e") },
    { 1, "AT+MQTTCONN=0,\"h\",-1,0", E("603e") },
    { 1, "AT+MQTTCONN=0,\"h\",1883", P("3", "603f") },
    { 1, "AT+MQTTCONN=0,\"h\",1883,2", E("6040") },
    { 1, "AT+MQTTCONN=0,\"h\",1883,0,t", P("4", "6053") },
    { 1, "AT+MQTTCONN=0,\"h\",1883,0,2999", E("6054") },
    { 1, "AT+MQTTCONN=0,\"h\",1883,0,60001", E("6054") },
    { 1, "AT+MQTTCONN=0,\"h\",1883,0,5000,1", E("6008") },
    /* PUB, PUBRAW, SUB, UNSUB need a connection */
    { 1, "AT+MQTTPUB=0,\"t\",\"d\",0,0", E("6006") },
    { 2, "AT+MQTTPUBRAW=0,\"t\",4,0,0", E("6006") },
    { 1, "AT+MQTTSUB=0,\"t\",0", E("6006") },
    { 1, "AT+MQTTUNSUB=0,\"t\"", E("6006") },
    { 4, "AT+MQTTPUB=0,t,\"d\",0,0", P("1", "6041") },
    { 4, "AT+MQTTPUB=0,\"\",\"d\",0,0", E("6042") },
    { 4, "AT+MQTTPUB=0,\"t\",d,0,0", P("2", "6044") },
    { 4, "AT+MQTTPUB=0,\"t\",\"a,b\",0,0", P("2", "6044") },
    { 4, "AT+MQTTPUB=0,\"t\",\"\",0,0", E("6045") }, /* empty data: ERROR, as the firmware */
    { 4, "AT+MQTTPUB=0,\"t\",\"d\",,0", P("3", "6047") },
    { 4, "AT+MQTTPUB=0,\"t\",\"d\",3,0", E("6048") },
    { 4, "AT+MQTTPUB=0,\"t\",\"d\",-1,0", E("6048") },
    { 4, "AT+MQTTPUB=0,\"t\",\"d\",+1,0", P("3", "6047") },
    { 4, "AT+MQTTPUB=0,\"t\",\"d\",4294967296,0", P("3", "6047") },
    { 4, "AT+MQTTPUB=0,\"t\",\"d\",0,r", P("4", "6049") },
    { 4, "AT+MQTTPUB=0,\"t\",\"d\",0,2", E("604a") },
    { 4, "AT+MQTTPUB=0,\"t\",\"d\",0,0,100", "\r\nERROR\r\n" },
    { 4, "AT+MQTTPUB=0,\"t\",\"d\",0,0,5000,1", E("6008") },
    { 4, "AT+MQTTPUB=0,\"t/+\",\"d\",0,0", E("600c") }, /* no wildcard in a topic name */
    { 4, "AT+MQTTPUBRAW=0,\"t\",x,0,0", P("2", "604b") },
    { 4, "AT+MQTTPUBRAW=0,\"t\",0,0,0", E("604c") },
    { 4, "AT+MQTTPUBRAW=0,\"t\",8193,0,0", E("6005") }, /* over the caller's raw buffer */
    { 4, "AT+MQTTPUBRAW=0,\"t\",4,3,0", E("6048") },
    { 4, "AT+MQTTSUB=0,\"t\",3", E("6048") },
    { 4, "AT+MQTTSUB=0,\"t\"", P("2", "6047") },
    { 4, "AT+MQTTSUB=0,\"t\",1,1", "\r\nERROR\r\n" },
    { 4, "AT+MQTTUNSUB=0,\"\"", E("6042") },
    /* CLEAN */
    { 0, "AT+MQTTCLEAN=0", E("6003") },
    { 1, "AT+MQTTCLEAN=0,1", E("6008") },
};

static void reach(int state)
{
    quiet();
    if (state >= 4) {
        g_out_len = 0u;
        cmd("AT+MQTTUSERCFG=0,1,\"dev\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
        in("AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
        poll_n(5);
        expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    } else if (state >= 1) {
        cmd("AT+MQTTUSERCFG=0,1,\"dev\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
        if (state >= 2) {
            cmd("AT+MQTTCONNCFG=0,120,0,\"\",\"\",0,0", "\r\nOK\r\n");
        }
    }
    cmd("AT+SYSLOG=1", "\r\nOK\r\n");
}

static void test_error_codes(void **state)
{
    size_t i;
    for (i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
        setup(state);
        reach(err_cases[i].state);
        assert_int_equal(bmqtt_at_state(&g_at), err_cases[i].state);
        in(err_cases[i].line);
        in("\r\n");
        if (g_out_len != strlen(err_cases[i].want) || memcmp(g_out, err_cases[i].want, g_out_len) != 0) {
            print_error("case %zu: %s\n", i, err_cases[i].line);
        }
        expect(err_cases[i].want);
        /* a refused command changes nothing */
        assert_int_equal(bmqtt_at_state(&g_at), err_cases[i].state);
    }
}

/* Without AT+SYSLOG=1 the same failures are a bare ERROR. */
static void test_error_codes_off(void **state)
{
    (void)state;
    quiet();
    cmd("AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",0,0", "\r\nERROR\r\n");
    cmd("AT+MQTTCLEAN=0", "\r\nERROR\r\n");
    /* warnings are not errors: empty client id, user, password, path with scheme 6 */
    cmd("AT+MQTTUSERCFG=0,6,\"\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    cmd("AT+MQTTCONNCFG=0,0,0,\"\",\"\",0,0", "\r\nOK\r\n");
}

/* ---- Parser ---------------------------------------------------------------------- */

/* A backslash escapes the next byte, commas included; `\n` is just `n`. */
static void test_escapes(void **state)
{
    (void)state;
    reach(4);
    cmd("AT+MQTTPUB=0,\"a\\\"b\",\"{\\\"k\\\":1\\,\\\"n\\\":\\n\\\\}\",0,0", "\r\nOK\r\n");
    assert_int_equal(g_b.last_topic_len, 3);
    assert_memory_equal(g_b.last_topic, "a\"b", 3);
    assert_int_equal(g_b.last_payload_len, 14);
    assert_memory_equal(g_b.last_payload, "{\"k\":1,\"n\":n\\}", 14);
    /* whitespace is kept; hex and leading zeros are integers */
    in("AT+MQTTPUB=0,\" t \",\" d \",0x1,00\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    assert_memory_equal(g_b.last_topic, " t ", 3);
    assert_memory_equal(g_b.last_payload, " d ", 3);
    assert_int_equal(g_b.last_qos, 1);
}

/* ---- Configuration and state rules ------------------------------------------------- */

static void test_usercfg_conncfg_states(void **state)
{
    (void)state;
    quiet();
    cmd("AT+MQTTCONN?", "+MQTTCONN:0,0,0,\"\",\"\",\"\",0\r\n\r\nOK\r\n");
    cmd("AT+MQTTSUB?", "+MQTTSUB:0,0,\"\",0\r\n\r\nOK\r\n");
    cmd("AT+MQTTUSERCFG=0,7,\"id\",\"u\",\"p\",0,0,\"/mqtt\"", "\r\nOK\r\n");
    cmd("AT+MQTTCONN?", "+MQTTCONN:0,1,7,\"\",\"\",\"\",0\r\n\r\nOK\r\n");
    cmd("AT+MQTTALPN=0,2,\"mqtt-ca.cn\",\"mqtt-ca.us\"", "\r\nOK\r\n");
    cmd("AT+MQTTSNI=0,\"sni.example\"", "\r\nOK\r\n");
    cmd("AT+MQTTCONNCFG=0,0,1,\"lwt\",\"bye\",1,1", "\r\nOK\r\n");
    cmd("AT+MQTTCONN?", "+MQTTCONN:0,2,7,\"\",\"\",\"\",0\r\n\r\nOK\r\n");
    cmd("AT+MQTTSUB?", "+MQTTSUB:0,2,\"\",0\r\n\r\nOK\r\n");
    /* order matters: ALPN, SNI, LONG* after CONNCFG fail */
    cmd("AT+MQTTALPN=0,0", "\r\nERROR\r\n");
    cmd("AT+MQTTSNI=0,\"\"", "\r\nERROR\r\n");
    cmd("AT+MQTTLONGPASSWORD=0,3", "\r\nERROR\r\n");
    /* the open request carries everything */
    in("AT+MQTTCONN=0,\"broker.local\",8080,0,3000\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,7,\"broker.local\",\"8080\",\"/mqtt\",0\r\n\r\nOK\r\n");
    assert_int_equal(g_req.scheme, 7);
    assert_int_equal(g_req.port, 8080);
    assert_string_equal(g_req.path, "/mqtt");
    assert_string_equal(g_req.sni, "sni.example");
    assert_int_equal(g_req.alpn_count, 2);
    assert_string_equal(g_req.alpn[0], "mqtt-ca.cn");
    assert_string_equal(g_req.alpn[1], "mqtt-ca.us");
    assert_int_equal(g_req.timeout_ms, 3000);
    cmd("AT+MQTTCONN?", "+MQTTCONN:0,4,7,\"broker.local\",\"8080\",\"/mqtt\",0\r\n\r\nOK\r\n");
    cmd("AT+MQTTSUB?", "\r\nOK\r\n");
    cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n");
    poll_n(2);
    assert_int_equal(g_b.disconnects, 1);
    assert_int_equal(bmqtt_at_state(&g_at), 0);
    cmd("AT+MQTTCONN?", "+MQTTCONN:0,0,0,\"\",\"\",\"\",0\r\n\r\nOK\r\n");
}

/* LONG*: the prompt, exactly N raw bytes (CR LF and commas included), OK; what follows is a command. */
static void test_long_fields(void **state)
{
    char b[1100];
    (void)state;
    quiet();
    cmd("AT+MQTTUSERCFG=0,1,\"short\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    in("AT+MQTTLONGCLIENTID=0,10\r\n");
    expect("\r\nOK\r\n\r\n>");
    in_bytes("id,\r\n\"x\"\\yAT\r\n", 14);
    expect("\r\nOK\r\n\r\nOK\r\n");
    memset(b, 'u', 1024);
    in("AT+MQTTLONGUSERNAME=0,1024\r\n");
    expect("\r\nOK\r\n\r\n>");
    in_bytes(b, 1024);
    expect("\r\nOK\r\n");
    in("AT+MQTTLONGPASSWORD=0,3\r\n");
    expect("\r\nOK\r\n\r\n>");
    in("p");
    in("w");
    expect("");
    in("d");
    expect("\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    assert_int_equal(g_b.connects, 1);
}

/* ---- Connect, publish, subscribe over the scripted broker ---------------------------- */

static void test_connect_refused_and_failures(void **state)
{
    (void)state;
    quiet();
    cmd("AT+SYSLOG=1", "\r\nOK\r\n");
    cmd("AT+MQTTUSERCFG=0,1,\"dev\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    g_b.connack_rc = 5;
    in("AT+MQTTCONN=0,\"broker.local\",1883,1\r\n");
    poll_n(5);
    expect("\r\nERROR\r\n");
    assert_int_equal(bmqtt_at_state(&g_at), 2); /* no retry after a failed first connect */
    g_b.connack_rc = 0;
    g_b.open_fails = BMQTT_ERR_DNS;
    cmd("AT+MQTTCONN=0,\"nowhere\",1883,0", "ERR CODE:0x010a6055\r\n\r\nERROR\r\n");
    g_b.open_fails = BMQTT_ERR_AT_SCHEME;
    cmd("AT+MQTTCONN=0,\"nowhere\",1883,0", "ERR CODE:0x010a600b\r\n\r\nERROR\r\n");
    g_b.open_fails = BMQTT_ERR_CONNECT;
    cmd("AT+MQTTCONN=0,\"nowhere\",1883,0", "\r\nERROR\r\n");
    g_b.open_fails = 0;
    in("AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
}

/* QoS 1 waits for PUBACK; commands meanwhile get busy p...; no ack in time gives ERROR. */
static void test_publish_blocking_and_busy(void **state)
{
    (void)state;
    connect_tcp(0);
    cmd("AT+MQTTPUB=0,\"topic\",\"test\",0,0", "\r\nOK\r\n");
    assert_int_equal(g_b.publishes, 1);
    in("AT+MQTTPUB=0,\"topic\",\"test\",1,1\r\n");
    expect("");
    poll_n(2);
    expect("\r\nOK\r\n");
    assert_int_equal(g_b.last_qos, 1);
    assert_int_equal(g_b.last_retain, 1);
    in("AT+MQTTPUB=0,\"topic\",\"two\",2,0\r\n");
    poll_n(4);
    expect("\r\nOK\r\n");
    /* no ack: busy meanwhile, then ERROR on the timeout */
    g_b.ack_publish = 0;
    cmd("AT+SYSLOG=1", "\r\nOK\r\n");
    in("AT+MQTTPUB=0,\"topic\",\"lost\",1,0,3000\r\n");
    poll_n(2);
    cmd("AT", "ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n");
    cmd("", "");
    {
        char longline[300];
        memset(longline, 'A', sizeof longline);
        in_bytes(longline, sizeof longline);
        in("\r\n");
        expect("ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n");
    }
    g_now += 3000u;
    poll_n(1);
    expect("\r\nERROR\r\n");
    /* the memory of that message is still the client's: another QoS 1 PUB is refused until it ends */
    cmd("AT+MQTTPUB=0,\"topic\",\"next\",1,0", "ERR CODE:0x010a600c\r\n\r\nERROR\r\n");
    cmd("AT", "\r\nOK\r\n");
}

/* PUBRAW: prompt, all 256 byte values, +MQTTPUB:OK; bytes after the length start the next command. */
static void test_pubraw_all_bytes(void **state)
{
    uint8_t data[256 + 4];
    int i;
    (void)state;
    connect_tcp(0);
    for (i = 0; i < 256; i++) {
        data[i] = (uint8_t)i;
    }
    memcpy(data + 256, "AT\r\n", 4);
    in("AT+MQTTPUBRAW=0,\"raw\",256,1,0\r\n");
    expect("\r\nOK\r\n\r\n>");
    in_bytes(data, sizeof data);
    poll_n(3);
    expect("\r\nbusy p...\r\n+MQTTPUB:OK\r\n");
    assert_int_equal(g_b.last_payload_len, 256);
    assert_memory_equal(g_b.last_payload, data, 256);
    /* QoS 0, one byte at a time, then AT in the same write after the data */
    in("AT+MQTTPUBRAW=0,\"raw\",5,0,0\r\n");
    expect("\r\nOK\r\n\r\n>");
    for (i = 0; i < 5; i++) {
        in_bytes(data + 10 + i, 1u);
    }
    poll_n(1);
    expect("+MQTTPUB:OK\r\n");
    cmd("AT", "\r\nOK\r\n");
    assert_int_equal(g_b.last_payload_len, 5);
    assert_memory_equal(g_b.last_payload, data + 10, 5);
    /* larger than tx_buf (2048): 5000 bytes go out from the caller's buffer */
    in("AT+MQTTPUBRAW=0,\"big\",5000,0,0\r\n");
    expect("\r\nOK\r\n\r\n>");
    {
        static uint8_t big[5000];
        for (i = 0; i < 5000; i++) {
            big[i] = (uint8_t)(i * 7);
        }
        in_bytes(big, sizeof big);
        poll_n(5);
        expect("+MQTTPUB:OK\r\n");
        assert_int_equal(g_b.last_payload_len, 5000);
        assert_memory_equal(g_b.last_payload, big, 5000);
    }
    /* no ack: +MQTTPUB:FAIL on the timeout, no OK or ERROR */
    g_b.ack_publish = 0;
    in("AT+MQTTPUBRAW=0,\"raw\",3,1,0,3000\r\nabc");
    expect("\r\nOK\r\n\r\n>");
    g_now += 3100u;
    poll_n(1);
    expect("+MQTTPUB:FAIL\r\n");
}

static void test_subscribe_and_receive(void **state)
{
    static const uint8_t bin[] = { 0x00, '\r', '\n', ',', '"', 0xff };
    static uint8_t big[3000];
    size_t i;
    char want[200];
    (void)state;
    connect_tcp(0);
    cmd("AT+MQTTSUB=0,\"topic\",0", "\r\nOK\r\n");
    in("AT+MQTTSUB=0,\"a/#\",1\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    assert_int_equal(g_b.sub_qos, 1);
    assert_int_equal(bmqtt_at_state(&g_at), 6);
    cmd("AT+MQTTSUB?", "+MQTTSUB:0,6,\"topic\",0\r\n+MQTTSUB:0,6,\"a/#\",1\r\n\r\nOK\r\n");
    /* re-subscribing a tracked topic: SUBSCRIBE sent, OK, table unchanged */
    in("AT+MQTTSUB=0,\"a/#\",2\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    assert_int_equal(g_b.subscribes, 3);
    cmd("AT+MQTTSUB?", "+MQTTSUB:0,6,\"topic\",0\r\n+MQTTSUB:0,6,\"a/#\",1\r\n\r\nOK\r\n");
    /* SUBACK failure: ERROR, not tracked */
    g_b.suback_code = 0x80u;
    in("AT+MQTTSUB=0,\"denied\",1\r\n");
    poll_n(2);
    expect("\r\nERROR\r\n");
    g_b.suback_code = 0xffu;
    /* a message: topic raw, payload raw, its length */
    b_publish("topic", (const uint8_t *)"test", 4u, 0u, 0u);
    poll_n(2);
    expect("+MQTTSUBRECV:0,\"topic\",4,test\r\n");
    b_publish("a/b", bin, sizeof bin, 1u, 7u);
    poll_n(2);
    snprintf(want, sizeof want, "+MQTTSUBRECV:0,\"a/b\",6,");
    memcpy(want + 23, bin, sizeof bin);
    memcpy(want + 23 + sizeof bin, "\r\n", 2);
    expect_n(want, 23 + sizeof bin + 2);
    b_publish("a/empty", NULL, 0u, 0u, 0u);
    poll_n(2);
    expect("+MQTTSUBRECV:0,\"a/empty\",0,\r\n");
    /* larger than rx_buf (1024): several URCs, each with its fragment's length, adding up */
    for (i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)('a' + i % 26u);
    }
    b_publish("a/big", big, sizeof big, 0u, 0u);
    poll_n(10);
    {
        size_t pos = 0u, total = 0u;
        int parts = 0;
        while (pos < g_out_len) {
            unsigned long n;
            char *end;
            assert_memory_equal(g_out + pos, "+MQTTSUBRECV:0,\"a/big\",", 23);
            n = strtoul(g_out + pos + 23, &end, 10);
            assert_int_equal(*end, ',');
            assert_memory_equal(end + 1, big + total, n);
            assert_memory_equal(end + 1 + n, "\r\n", 2);
            total += n;
            parts++;
            pos = (size_t)(end + 1 + n + 2 - g_out);
        }
        assert_int_equal(total, sizeof big);
        assert_true(parts >= 3);
        g_out_len = 0u;
    }
    /* UNSUB: unknown topics too; the last tracked one gone is state 5 */
    in("AT+MQTTUNSUB=0,\"never\"\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    in("AT+MQTTUNSUB=0,\"topic\"\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    in("AT+MQTTUNSUB=0,\"a/#\"\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    assert_int_equal(g_b.unsubscribes, 3);
    assert_int_equal(bmqtt_at_state(&g_at), 5);
    cmd("AT+MQTTSUB?", "\r\nOK\r\n");
}

/* Ten tracked slots (BMQTT_AT_SUB_SLOTS): an 11th topic is subscribed and OK, but not tracked (as the
 * firmware). A topic of BMQTT_AT_TOPIC_MAX (128) bytes is taken, one more is not. A received topic of any
 * length is printed whole (the firmware's fixed 128-byte cache is not copied). Built with other values
 * of both options by make test-at-opts. */
static void test_eleven_topics_long_topic(void **state)
{
    static char want[8192];
    char line[300], topic[301], longest[BMQTT_AT_TOPIC_MAX + 1u];
    size_t w = 0u;
    int i;
    (void)state;
    connect_tcp(0);
    for (i = 0; i < (int)BMQTT_AT_SUB_SLOTS + 1; i++) {
        snprintf(line, sizeof line, "AT+MQTTSUB=0,\"t/%d\",0", i);
        cmd(line, "\r\nOK\r\n");
        poll_n(1); /* the main loop polls between commands */
        if (i < (int)BMQTT_AT_SUB_SLOTS) {
            w += (size_t)snprintf(want + w, sizeof want - w, "+MQTTSUB:0,6,\"t/%d\",0\r\n", i);
        }
    }
    assert_int_equal(g_b.subscribes, BMQTT_AT_SUB_SLOTS + 1u);
    poll_n(2);
    snprintf(want + w, sizeof want - w, "\r\nOK\r\n");
    cmd("AT+MQTTSUB?", want);
    /* the longest topic is subscribed (and tracked once a slot is free), one byte more is refused */
    memset(longest, 'L', sizeof longest - 1u);
    longest[sizeof longest - 1u] = '\0';
    cmd("AT+MQTTUNSUB=0,\"t/0\"", "");
    poll_n(2);
    expect("\r\nOK\r\n");
    snprintf(line, sizeof line, "AT+MQTTSUB=0,\"%s\",1", longest);
    cmd(line, "");
    poll_n(2);
    expect("\r\nOK\r\n");
    assert_int_equal(g_b.sub_filter_len, BMQTT_AT_TOPIC_MAX);
    snprintf(line, sizeof line, "AT+MQTTSUB=0,\"%sL\",1", longest);
    cmd(line, "\r\nERROR\r\n");
    in("AT+MQTTSUB?\r\n");
    snprintf(want, sizeof want, "+MQTTSUB:0,6,\"%s\",1\r\n+MQTTSUB:0,6,\"t/1\",0\r\n", longest); /* slot 0 */
    assert_true(g_out_len > strlen(want) && memcmp(g_out, want, strlen(want)) == 0);
    g_out_len = 0u;
    memset(topic, 'x', 300);
    topic[300] = '\0';
    b_publish(topic, (const uint8_t *)"v", 1u, 0u, 0u);
    poll_n(2);
    snprintf(want, sizeof want, "+MQTTSUBRECV:0,\"%s\",1,v\r\n", topic);
    expect(want);
}

/* AT+RST in a session: OK, ready, no +MQTTDISCONNECTED; the broker sees the connection go. */
static void test_reset_in_session(void **state)
{
    (void)state;
    connect_tcp(1);
    cmd("AT+RST", "\r\nOK\r\n\r\nready\r\n");
    poll_n(3);
    expect("");
    assert_int_equal(g_b.closed, 1);
    assert_int_equal(bmqtt_at_state(&g_at), 0);
}

/* An incoming QoS 2 message resent with DUP before PUBREL is delivered once. */
static void test_qos2_delivered_once(void **state)
{
    static const uint8_t pubrel[] = { 0x62, 0x02, 0x00, 0x09 };
    (void)state;
    connect_tcp(0);
    cmd("AT+MQTTSUB=0,\"q2\",0", "\r\nOK\r\n");
    b_publish("q2", (const uint8_t *)"once", 4u, 2u, 9u);
    poll_n(2);
    expect("+MQTTSUBRECV:0,\"q2\",4,once\r\n");
    {
        static uint8_t dup[32];
        size_t n;
        bmqtt_publish_t p;
        memset(&p, 0, sizeof p);
        p.topic = BMQTT_VIEW("q2");
        p.payload = BMQTT_VIEW("once");
        p.qos = 2;
        p.packet_id = 9;
        p.dup = 1;
        assert_int_equal(bmqtt_publish_encode(&p, dup, sizeof dup, &n), BMQTT_OK);
        b_queue(dup, n);
    }
    poll_n(2);
    expect("");
    b_queue(pubrel, sizeof pubrel);
    poll_n(2);
    expect("");
}

/* The broker goes away: +MQTTDISCONNECTED, state 3; with reconnect=1 it comes back, re-subscribed. */
static void test_connection_lost(void **state)
{
    (void)state;
    connect_tcp(1);
    in("AT+MQTTSUB=0,\"keep\",1\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    g_b.closed = 1;
    g_b.open_fails = BMQTT_ERR_CONNECT;
    poll_n(3);
    expect("+MQTTDISCONNECTED:0\r\n");
    assert_int_equal(bmqtt_at_state(&g_at), 3);
    cmd("AT+MQTTPUB=0,\"t\",\"d\",0,0", "\r\nERROR\r\n");
    cmd("AT+MQTTCONN=0,\"broker.local\",1883,1", "\r\nERROR\r\n"); /* 0x6051: it reconnects itself */
    g_b.open_fails = 0;
    g_b.subscribes = 0;
    g_now += 70000u;
    poll_n(20);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",1\r\n");
    assert_int_equal(g_b.subscribes, 1);
    assert_memory_equal(g_b.sub_filter, "keep", 4);
    assert_int_equal(bmqtt_at_state(&g_at), 6);
    b_publish("keep", (const uint8_t *)"again", 5u, 0u, 0u);
    poll_n(2);
    expect("+MQTTSUBRECV:0,\"keep\",5,again\r\n");
}

/* reconnect=0: state 3 after the loss, no URC of a new connection; CONN may be sent again. */
static void test_connection_lost_no_reconnect(void **state)
{
    (void)state;
    connect_tcp(0);
    g_b.closed = 1;
    poll_n(3);
    expect("+MQTTDISCONNECTED:0\r\n");
    g_now += 70000u;
    poll_n(5);
    expect("");
    assert_int_equal(bmqtt_at_state(&g_at), 3);
    cmd("AT+MQTTCONN?", "+MQTTCONN:0,3,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
}

/* Caller mistakes are refused, never a crash. */
static void test_api_misuse(void **state)
{
    bmqtt_at_t other;
    bmqtt_at_config_t bad = g_cfg;
    (void)state;
    assert_int_equal(bmqtt_at_init(NULL, &g_cfg), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_at_init(&other, NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_at_init_checked(&other, &g_cfg, sizeof other - 1u), BMQTT_ERR_PARAM);
    bad.write = NULL;
    assert_int_equal(bmqtt_at_init(&other, &bad), BMQTT_ERR_PARAM);
    bad = g_cfg;
    bad.tx_size = 100u;
    assert_int_equal(bmqtt_at_init(&other, &bad), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_at_input(NULL, (const uint8_t *)"AT", 2u), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_at_input(&g_at, NULL, 2u), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_at_input(&g_at, NULL, 0u), BMQTT_OK);
    assert_int_equal(bmqtt_at_poll(NULL, 0u), BMQTT_ERR_PARAM);
    assert_string_equal(bmqtt_status_str(BMQTT_ERR_AT_SCHEME), "AT: scheme not supported by the open callback");
}

/* ---- The branches a session seldom takes ------------------------------------------ */

static int g_restarts;
static void on_restart(void *user)
{
    (void)user;
    g_restarts++;
}

static int64_t no_time(void *user)
{
    (void)user;
    return -5;
}

static bmqtt_at_t *g_reenter_at;
static int g_reenter_status;
static int reenter_hook(void *user, bmqtt_at_t *at, const char *cmd, size_t len)
{
    (void)user;
    (void)cmd;
    (void)len;
    g_reenter_status = (int)bmqtt_at_input(at, (const uint8_t *)"AT\r\n", 4u) * 1000 + (int)bmqtt_at_poll(at, 0u);
    bmqtt_at_write(at, "hook\r\n", 6u);
    bmqtt_at_ok(at);
    return 1;
}

/* Integer and string forms at their edges. */
static void test_parser_edges(void **state)
{
    (void)state;
    reach(1);
    /* hex digits both cases, "-0", 32-bit edges */
    cmd("AT+MQTTCONNCFG=0,0x3c,0X0,\"\",\"\",0,0", "\r\nOK\r\n");
    setup(state);
    reach(1);
    cmd("AT+MQTTCONNCFG=0,0x1C20,-0,\"\",\"\",0,0", "\r\nOK\r\n");
    cmd("AT+MQTTCONNCFG=0,0x1c21,0,\"\",\"\",0,0", "ERR CODE:0x010a602d\r\n\r\nERROR\r\n");
    cmd("AT+MQTTCONNCFG=0,0xg,0,\"\",\"\",0,0", P("1", "602b"));
    cmd("AT+MQTTCONNCFG=0,0x,0,\"\",\"\",0,0", P("1", "602b"));
    cmd("AT+MQTTCONNCFG=0,-,0,\"\",\"\",0,0", P("1", "602b"));
    cmd("AT+MQTTCONNCFG=0,-2147483648,0,\"\",\"\",0,0", E("602d"));
    cmd("AT+MQTTCONNCFG=0,-2147483649,0,\"\",\"\",0,0", P("1", "602b"));
    cmd("AT+MQTTCONNCFG=0,4294967295,0,\"\",\"\",0,0", E("602d"));
    /* strings: a lone quote, no opening quote, a trailing backslash, an escaped backslash */
    cmd("AT+MQTTCONNCFG=0,1,0,\",\"\",0,0", P("3", "6030"));
    cmd("AT+MQTTCONNCFG=0,1,0,t\",\"\",0,0", P("3", "6030"));
    cmd("AT+MQTTCONNCFG=0,1,0,\"t\\", P("3", "6030"));
    cmd("AT+MQTTCONNCFG=0,1,0,\"a\\\\\",\"\",0,0", "\r\nOK\r\n");
    /* more fields than the parser keeps: still "too many" */
    setup(state);
    reach(0);
    cmd("AT+MQTTUSERCFG=0,1,\"a\",\"b\",\"c\",0,0,\"\",1,2,3,4,5,6", E("6008"));
    /* forms: query with trailing bytes, execute and query of set-only commands */
    cmd("AT+MQTTCONN?x", "\r\nERROR\r\n");
    cmd("AT+GMR?", "\r\nERROR\r\n");
    cmd("ATE0?", "\r\nERROR\r\n");
    cmd("AT+RST=1", "\r\nERROR\r\n");
    cmd("AT+SYSLOG", "\r\nERROR\r\n");
    cmd("AT+SYSLOG=1,1", "\r\nERROR\r\n");
    cmd("AT+SYSLOG=", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPTIME", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG", "\r\nERROR\r\n");
    cmd("AT+MQTTCONN", "\r\nERROR\r\n");
    cmd("AT+MQTTSUB=?", "\r\nERROR\r\n");
    cmd("A", "ERR CODE:0x01090000\r\n\r\nERROR\r\n");
    cmd("aT", "ERR CODE:0x01090000\r\n\r\nERROR\r\n");
    cmd("at+gmr", "AT version:bmqtt " BMQTT_VERSION " (ESP-AT MQTT command set)\r\nSDK version:bmqtt " BMQTT_VERSION
                  "\r\nBin version:" BMQTT_VERSION "\r\n\r\nOK\r\n");
    /* a CR alone or LF alone does not end a line */
    in("AT\rAT\n");
    expect("");
    in("\r\n");
    expect("ERR CODE:0x01090000\r\n\r\nERROR\r\n");
}

static void test_sntp_edges(void **state)
{
    static bmqtt_at_config_t other;
    (void)state;
    quiet();
    cmd("AT+CIPSNTPCFG=", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=2,8", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=1,x", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=1,8,a", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=1,8,\"a\",\"b\",\"c\",\"d\"", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=1,8,\"12345678901234567890123456789012345678901234567890123456789012345\"", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=1,-1260", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=1,1460", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=1", "\r\nOK\r\n"); /* time zone omitted: 0 */
    cmd("AT+CIPSNTPCFG?", "+CIPSNTPCFG:1,0\r\n\r\nOK\r\n");
    cmd("AT+CIPSNTPCFG=1,-5,\"a\",\"b\",\"c\"", "\r\nOK\r\n");
    cmd("AT+CIPSNTPCFG?", "+CIPSNTPCFG:1,-5,\"a\",\"b\",\"c\"\r\n\r\nOK\r\n");
    cmd("AT+CIPSNTPTIME?", "+CIPSNTPTIME:Wed Aug  4 09:48:05 2021\r\nOK\r\n");
    cmd("AT+CIPSNTPCFG=1,-12", "\r\nOK\r\n");
    cmd("AT+CIPSNTPCFG=1,530", "\r\nOK\r\n");
    cmd("AT+CIPSNTPTIME?", "+CIPSNTPTIME:Wed Aug  4 20:18:05 2021\r\nOK\r\n");
    /* another configuration: no clock (1970, west of UTC: 1969), a GMR text, a restart hook */
    other = g_cfg;
    other.time_s = no_time;
    other.gmr = "AT version:test\r\n";
    other.restart = on_restart;
    other.command = NULL;
    assert_int_equal(bmqtt_at_init(&g_at, &other), BMQTT_OK);
    quiet();
    cmd("AT+CIPSNTPCFG=1,-1", "\r\nOK\r\n");
    cmd("AT+CIPSNTPTIME?", "+CIPSNTPTIME:Wed Dec 31 23:00:00 1969\r\nOK\r\n");
    cmd("AT+GMR", "AT version:test\r\n\r\nOK\r\n");
    cmd("AT+CWMODE=1", "\r\nERROR\r\n"); /* no hook */
    g_restarts = 0;
    cmd("AT+RST", "\r\nOK\r\n\r\nready\r\n");
    assert_int_equal(g_restarts, 1);
}

/* The legacy commands, ALPN and SNI variants, CONNECT fields. */
static void test_config_edges(void **state)
{
    char b[300];
    (void)state;
    reach(0);
    cmd("AT+MQTTCLIENTID=0,\"x\"", E("6001"));
    cmd("AT+MQTTSNI=0,\"x\"", E("6001"));
    cmd("AT+MQTTCLEAN=x", P("0", "6010"));
    cmd("AT+MQTTCONNCFG=1,0,0,\"\",\"\",0,0", E("6011"));
    cmd("AT+MQTTLONGUSERNAME=2,1", E("6011"));
    cmd("AT+MQTTCONN=3,\"h\",1,0", E("6011"));
    cmd("AT+MQTTPUB=4,\"t\",\"d\",0,0", E("6011"));
    cmd("AT+MQTTPUBRAW=5,\"t\",1,0,0", E("6011"));
    cmd("AT+MQTTSUB=6,\"t\",0", E("6011"));
    cmd("AT+MQTTUNSUB=7,\"t\"", E("6011"));
    cmd("AT+MQTTSNI=8,\"t\"", E("6011"));
    cmd("AT+MQTTUSERCFG=0,1,\"dev\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    cmd("AT+MQTTCLIENTID=9,\"x\"", E("6011"));
    cmd("AT+MQTTCLIENTID=0,\"cid\"", "\r\nOK\r\n");
    cmd("AT+MQTTUSERNAME=0,\"\"", "\r\nOK\r\n");
    cmd("AT+MQTTPASSWORD=0,\"pw\"", "\r\nOK\r\n");
    cmd("AT+MQTTPASSWORD=0,\"pw\",1", E("6008"));
    cmd("AT+MQTTSNI=0,x", P("1", "6007"));
    cmd("AT+MQTTSNI=0,\"x\",\"y\"", E("6008"));
    cmd("AT+MQTTALPN=x,1,\"a\"", "\r\nERROR\r\n");
    cmd("AT+MQTTALPN=0,x", "\r\nERROR\r\n");
    cmd("AT+MQTTALPN=0", "\r\nERROR\r\n");
    cmd("AT+MQTTALPN=0,1,a", "\r\nERROR\r\n");
    cmd("AT+MQTTALPN=0,1,\"\"", "\r\nERROR\r\n");
    cmd("AT+MQTTALPN=0,5,\"a\",\"b\",\"c\",\"d\",\"e\"", "\r\nOK\r\n");
    cmd("AT+MQTTALPN=0,0", "\r\nOK\r\n");
    /* LWT topic and message of 129 bytes (BMQTT_AT_TOPIC_MAX + 1) */
    snprintf(b, sizeof b, "AT+MQTTCONNCFG=0,1,0,\"%0*d\",\"\",0,0", (int)BMQTT_AT_TOPIC_MAX + 1, 0);
    cmd(b, E("6032"));
    snprintf(b, sizeof b, "AT+MQTTCONNCFG=0,1,0,\"t\",\"%0*d\",0,0", (int)BMQTT_AT_TOPIC_MAX + 1, 0);
    cmd(b, E("6035"));
    /* a host of 129 bytes; letters, digits, dots and dashes are fine */
    snprintf(b, sizeof b, "AT+MQTTCONN=0,\"%0*d\",1883,0", (int)BMQTT_AT_TOPIC_MAX + 1, 0);
    cmd(b, E("603c"));
    cmd("AT+MQTTCONNCFG=0,30,1,\"will/t\",\"gone\",2,1", "\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"Broker-1.example.COM\",1883,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"Broker-1.example.COM\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    /* a password without a user name: the user name goes as "" (MQTT 3.1.1 needs one [MQTT-3.1.2-22]) */
    assert_int_equal(g_b.c_user, 1);
    assert_int_equal(g_b.c_pass, 1);
    assert_int_equal(g_b.c_will, 1);
    assert_int_equal(g_b.c_will_qos, 2);
    assert_int_equal(g_b.c_will_retain, 1);
    assert_int_equal(g_b.c_clean, 0);
    assert_int_equal(g_b.c_keepalive, 30);
    assert_int_equal(g_b.c_id_len, 3);
    assert_null(g_req.sni);
    assert_int_equal(g_req.alpn_count, 0);
    /* no user name, no password: neither is sent; keepalive 0 is 120 s */
    cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n");
    cmd("AT+MQTTUSERCFG=0,1,\"dev\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    cmd("AT+MQTTCONNCFG=0,0,0,\"\",\"\",0,0", "\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"h\",1883,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"h\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    assert_int_equal(g_b.c_user, 0);
    assert_int_equal(g_b.c_pass, 0);
    assert_int_equal(g_b.c_will, 0);
    assert_int_equal(g_b.c_keepalive, 120);
    assert_int_equal(g_b.c_clean, 1);
}

/* open() in progress over several polls; open() without a transport; no CONNACK in time. */
static void test_connect_edges(void **state)
{
    (void)state;
    reach(1);
    g_b.open_blocks = 3;
    in("AT+MQTTCONN=0,\"h\",1883,0\r\n");
    assert_int_equal(bmqtt_at_busy(&g_at), 1);
    assert_int_equal(bmqtt_at_next_deadline(&g_at, g_now), 0u);
    cmd("AT", "ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n");
    poll_n(6);
    expect("+MQTTCONNECTED:0,1,\"h\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n");
    setup(state);
    reach(1);
    g_b.open_blocks = 1000;
    in("AT+MQTTCONN=0,\"h\",1883,0,3000\r\n");
    g_now += 3000u;
    poll_n(1);
    expect(E("6057"));
    assert_int_equal(bmqtt_at_state(&g_at), 2);
    g_b.open_blocks = 0;
    g_b.open_no_tr = 1;
    cmd("AT+MQTTCONN=0,\"h\",1883,0", "\r\nERROR\r\n");
    g_b.open_no_tr = 0;
    /* the broker never answers CONNECT: 0x6057 after the timeout, with reconnect=1 too */
    g_b.no_connack = 1;
    in("AT+MQTTCONN=0,\"h\",1883,1,4000\r\n");
    poll_n(2);
    assert_true(bmqtt_at_next_deadline(&g_at, g_now) <= 100u);
    g_now += 4000u;
    poll_n(1);
    expect(E("6057"));
    in("AT+MQTTCONN=0,\"h\",1883,0,4000\r\n");
    poll_n(2);
    assert_true(bmqtt_at_next_deadline(&g_at, g_now) <= 4000u);
    g_now += 4000u;
    poll_n(1);
    expect(E("6057"));
    assert_int_equal(bmqtt_at_state(&g_at), 2);
    assert_int_equal(bmqtt_at_next_deadline(&g_at, g_now), UINT32_MAX);
    /* a failed first open with reconnect=1 is not retried */
    g_b.no_connack = 0;
    g_b.open_fails = BMQTT_ERR_DNS;
    cmd("AT+MQTTCONN=0,\"h\",1883,1", E("6055"));
    g_b.open_fails = 0;
    g_b.connects = 0;
    g_now += 70000u;
    poll_n(5);
    expect("");
    assert_int_equal(g_b.connects, 0);
}

/* PUB/PUBRAW/SUB/UNSUB corners: timeouts, refused calls, the session ending while they wait. */
static void test_wait_edges(void **state)
{
    (void)state;
    connect_tcp(0);
    cmd("AT+SYSLOG=1", "\r\nOK\r\n");
    cmd("AT+MQTTPUBRAW=0,\"t\",4,0,0,1", "\r\nERROR\r\n");
    cmd("AT+MQTTPUBRAW=0,\"t\",4,0,0,3000,1", E("6008"));
    cmd("AT+MQTTSUB=0,\"t\",0,3000,1", E("6008"));
    cmd("AT+MQTTSUB=0,\"a/#/b\",0", E("600d"));
    cmd("AT+MQTTUNSUB=0,\"t\",1", "\r\nERROR\r\n");
    cmd("AT+MQTTUNSUB=0,\"t\",3000,1", E("6008"));
    cmd("AT+MQTTUNSUB=0,\"a/#/b\"", E("600e"));
    {
        char b[300];
        snprintf(b, sizeof b, "AT+MQTTSUB=0,\"%0*d\",0", (int)BMQTT_AT_TOPIC_MAX + 1, 0);
        cmd(b, E("6043"));
    }
    /* no SUBACK / UNSUBACK in time: ERROR */
    g_b.no_suback = 1;
    in("AT+MQTTSUB=0,\"s\",1,3000\r\n");
    g_now += 3000u;
    poll_n(1);
    expect("\r\nERROR\r\n");
    g_b.no_suback = 0;
    g_b.no_unsuback = 1;
    in("AT+MQTTUNSUB=0,\"s\",3000\r\n");
    g_now += 3000u;
    poll_n(1);
    expect("\r\nERROR\r\n");
    g_b.no_unsuback = 0;
    /* PUBRAW with QoS 1 whose ack is lost locks its buffer: the next PUBRAW is refused (0x6005) */
    g_b.ack_publish = 0;
    in("AT+MQTTPUBRAW=0,\"t\",1,1,0,3000\r\nx");
    g_now += 3000u;
    poll_n(1);
    expect("\r\nOK\r\n\r\n>+MQTTPUB:FAIL\r\n");
    cmd("AT+MQTTPUBRAW=0,\"t\",1,1,0", E("6005"));
    /* the session ends while SUB and a QoS 1 PUB wait (clean session 1): ERROR for each */
    g_b.no_suback = 1;
    in("AT+MQTTSUB=0,\"s\",1\r\n");
    poll_n(1);
    g_b.closed = 1;
    poll_n(2);
    expect("\r\nERROR\r\n+MQTTDISCONNECTED:0\r\n"); /* the client ends the wait first */
    assert_int_equal(bmqtt_at_state(&g_at), 3);
    g_b.no_suback = 0;
    g_b.ack_publish = 1;
    in("AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    g_b.ack_publish = 0;
    in("AT+MQTTPUB=0,\"t\",\"d\",1,0\r\n");
    poll_n(1);
    g_b.closed = 1;
    poll_n(2);
    expect("\r\nERROR\r\n+MQTTDISCONNECTED:0\r\n"); /* the client ends the wait first */
    /* the connection goes while PUBRAW data is typed: +MQTTPUB:FAIL */
    g_b.ack_publish = 1;
    in("AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    in("AT+MQTTPUBRAW=0,\"t\",2,0,0\r\na");
    expect("\r\nOK\r\n\r\n>");
    g_b.closed = 1;
    poll_n(2);
    expect("+MQTTDISCONNECTED:0\r\n");
    in("b");
    expect("+MQTTPUB:FAIL\r\n");
    /* CLEAN when the session is already gone */
    cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n");
}

/* Clean session 0: a QoS 1 message that lost its connection waits for its ack after the reconnect. */
static void test_persistent_session(void **state)
{
    (void)state;
    quiet();
    cmd("AT+MQTTUSERCFG=0,1,\"dev\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    cmd("AT+MQTTCONNCFG=0,60,1,\"\",\"\",0,0", "\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"h\",1883,1\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"h\",\"1883\",\"\",1\r\n\r\nOK\r\n");
    g_b.ack_publish = 0;
    in("AT+MQTTPUB=0,\"t\",\"keep\",1,0,60000\r\n");
    poll_n(1);
    g_b.closed = 1;
    poll_n(2);
    expect("+MQTTDISCONNECTED:0\r\n");
    assert_int_equal(bmqtt_at_busy(&g_at), 1);
    g_b.ack_publish = 1;
    g_now += 15000u;
    poll_n(30);
    expect("+MQTTCONNECTED:0,1,\"h\",\"1883\",\"\",1\r\n\r\nOK\r\n"); /* resent with DUP, acknowledged */
    assert_memory_equal(g_b.last_payload, "keep", 4);
    /* CLEAN with the reconnect loop running and a message without ack: OK within 5 s */
    g_b.ack_publish = 0;
    in("AT+MQTTPUB=0,\"t\",\"late\",1,0,3000\r\n");
    g_now += 3000u;
    poll_n(1);
    expect("\r\nERROR\r\n");
    in("AT+MQTTCLEAN=0\r\n");
    poll_n(2);
    assert_true(bmqtt_at_busy(&g_at));
    assert_int_equal(bmqtt_at_next_deadline(&g_at, g_now), 0u);
    g_now += 6000u;
    poll_n(2);
    expect("\r\nOK\r\n");
    assert_int_equal(bmqtt_at_state(&g_at), 0);
}

/* Hooks may write and answer, but may not feed input or poll from inside the interpreter. */
static void test_reentry(void **state)
{
    static bmqtt_at_config_t other;
    (void)state;
    other = g_cfg;
    other.command = reenter_hook;
    assert_int_equal(bmqtt_at_init(&g_at, &other), BMQTT_OK);
    quiet();
    cmd("AT+ANY", "hook\r\n\r\nOK\r\n");
    assert_int_equal(g_reenter_status, (int)BMQTT_ERR_AT_REENTERED * 1000 + (int)BMQTT_ERR_AT_REENTERED);
    g_reenter_at = NULL;
    bmqtt_at_write(NULL, "x", 1u);
    bmqtt_at_write(&g_at, NULL, 1u);
    bmqtt_at_ok(NULL);
    bmqtt_at_error(NULL);
    expect("");
    assert_int_equal(bmqtt_at_state(NULL), 0);
    assert_int_equal(bmqtt_at_busy(NULL), 0);
    assert_int_equal(bmqtt_at_next_deadline(NULL, 0u), UINT32_MAX);
    other.open = NULL;
    assert_int_equal(bmqtt_at_init(&g_at, &other), BMQTT_ERR_PARAM);
    other = g_cfg;
    other.tx_buf = NULL;
    assert_int_equal(bmqtt_at_init(&g_at, &other), BMQTT_ERR_PARAM);
    other = g_cfg;
    other.rx_buf = NULL; /* the client refuses it */
    assert_int_equal(bmqtt_at_init(&g_at, &other), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_at_input(&g_at, (const uint8_t *)"AT\r\n", 4u), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_at_poll(&g_at, 0u), BMQTT_ERR_PARAM);
    assert_string_equal(bmqtt_status_str(BMQTT_ERR_AT_REENTERED), "AT: input called from inside a hook");
}

/* A link that takes nothing: QoS 0 PUB and PUBRAW wait until their bytes have left. */
static void test_stalled_link(void **state)
{
    (void)state;
    connect_tcp(0);
    g_b.send_blocks = 1;
    in("AT+MQTTPUB=0,\"t\",\"d\",0,0\r\n");
    poll_n(2);
    expect("");
    assert_int_equal(bmqtt_at_next_deadline(&g_at, g_now), 0u);
    g_b.send_blocks = 0;
    poll_n(2);
    expect("\r\nOK\r\n");
    g_b.send_blocks = 1;
    in("AT+MQTTPUBRAW=0,\"t\",2,0,0,3000\r\nzz");
    poll_n(2);
    expect("\r\nOK\r\n\r\n>");
    g_b.send_blocks = 0;
    poll_n(2);
    expect("+MQTTPUB:OK\r\n");
    /* still stalled when the timeout comes: ERROR; then the client gives up on the link */
    g_b.send_blocks = 1;
    in("AT+MQTTPUB=0,\"t\",\"d\",0,0,3000\r\n");
    g_now += 3000u;
    poll_n(1);
    expect("\r\nERROR\r\n");
    /* the session ends while a QoS 0 PUBRAW waits for the link: +MQTTPUB:FAIL */
    in("AT+MQTTPUBRAW=0,\"t\",1,0,0\r\nq");
    expect("\r\nOK\r\n\r\n>");
    g_b.closed = 1;
    g_now += 20000u;
    poll_n(2);
    expect("+MQTTDISCONNECTED:0\r\n+MQTTPUB:FAIL\r\n");
}

/* The client's own deadline (15 s) ends a SUB/UNSUB that waits longer: ERROR, then the session ends. */
static void test_client_deadline_first(void **state)
{
    (void)state;
    connect_tcp(0);
    g_b.no_unsuback = 1;
    in("AT+MQTTUNSUB=0,\"u\",60000\r\n");
    g_now += 16000u;
    poll_n(2);
    expect("\r\nERROR\r\n+MQTTDISCONNECTED:0\r\n");
    g_b.no_unsuback = 0;
    in("AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    g_b.no_suback = 1;
    in("AT+MQTTSUB=0,\"s\",2,60000\r\n");
    g_now += 16000u;
    poll_n(2);
    expect("\r\nERROR\r\n+MQTTDISCONNECTED:0\r\n");
}

/* Odds and ends: a refused CONNECT, PUBRAW refusals, open in progress with reconnect=1, names. */
static void test_odds(void **state)
{
    static bmqtt_at_t zeroed;
    static bmqtt_at_config_t other;
    (void)state;
    /* a zeroed, never initialised interpreter refuses everything and writes nothing */
    bmqtt_at_write(&zeroed, "x", 1u);
    bmqtt_at_ok(&zeroed);
    bmqtt_at_error(&zeroed);
    assert_int_equal(bmqtt_at_next_deadline(&zeroed, 0u), UINT32_MAX);
    assert_int_equal(bmqtt_at_input(&zeroed, (const uint8_t *)"AT\r\n", 4u), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_at_poll(&zeroed, 0u), BMQTT_ERR_PARAM);
    expect("");
    assert_string_equal(bmqtt_status_str((bmqtt_status_t)(BMQTT_STATUS_AT_BASE - 5)), "AT error");
    quiet();
    cmd("AT+SYSLOG?", "+SYSLOG:0\r\n\r\nOK\r\n");
    cmd("AT+SYSLOG=x", "\r\nERROR\r\n");
    cmd("AT+CIPSNTPCFG=x", "\r\nERROR\r\n");
    cmd("AT+{", "\r\nERROR\r\n");
    cmd("AT+MQTTALPN=,1,\"a\"", "\r\nERROR\r\n");
    in("\n");
    expect("");
    /* a line dropped for its length: a CR inside it that no LF follows does not end it */
    {
        char b[300];
        memset(b, 'A', sizeof b);
        b[280] = '\r';
        in_bytes(b, sizeof b);
        in("\r\n");
        expect("\r\nERROR\r\n");
    }
    cmd("AT+SYSLOG=1", "\r\nOK\r\n");
    cmd("AT+MQTTUSERCFG=0,1,\"\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    cmd("AT+MQTTCONN=0,\"h h\",1883,0", E("6052"));
    /* clean session 0 with an empty client id: the client refuses the CONNECT (0x600B) */
    cmd("AT+MQTTCONNCFG=0,60,1,\"\",\"\",0,0", "\r\nOK\r\n");
    cmd("AT+MQTTCONN=0,\"h\",1883,0", E("600b"));
    assert_int_equal(g_b.closed, 1); /* the transport opened for it is closed */
    /* reconnect=1 with an open in progress: the first attempt waits for it */
    cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n");
    cmd("AT+MQTTUSERCFG=0,1,\"dev\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    g_b.open_blocks = 2;
    in("AT+MQTTCONN=0,\"h\",1883,1\r\n");
    poll_n(6);
    expect("+MQTTCONNECTED:0,1,\"h\",\"1883\",\"\",1\r\n\r\nOK\r\n");
    /* PUBRAW refusals: empty topic, a wildcard topic (refused by the client: +MQTTPUB:FAIL) */
    cmd("AT+MQTTPUBRAW=0,\"\",1,0,0", E("6042"));
    in("AT+MQTTPUBRAW=0,\"t/#\",1,0,0\r\nx");
    expect("\r\nOK\r\n\r\n>+MQTTPUB:FAIL\r\n");
    cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n");
    /* no raw buffer at all: every PUBRAW is 0x6005; no clock hook: 1970 */
    other = g_cfg;
    other.raw_buf = NULL;
    other.time_s = NULL;
    assert_int_equal(bmqtt_at_init(&g_at, &other), BMQTT_OK);
    reach(4);
    cmd("AT+MQTTPUBRAW=0,\"t\",1,0,0", E("6005"));
    cmd("AT+CIPSNTPCFG=1,0", "\r\nOK\r\n");
    cmd("AT+CIPSNTPTIME?", "+CIPSNTPTIME:Thu Jan  1 00:00:00 1970\r\nOK\r\n");
}

/* Without an outbox a QoS 1 AT+MQTTPUB is kept by reference; a later AT+MQTTSUB must not write over
 * it: after the reconnect the resend [MQTT-4.4.0-1] carries the original topic and payload. */
static void test_by_reference_memory(void **state)
{
    static bmqtt_at_config_t other;
    (void)state;
    other = g_cfg;
    other.outbox = NULL;
    other.outbox_size = 0u;
    assert_int_equal(bmqtt_at_init(&g_at, &other), BMQTT_OK);
    quiet();
    cmd("AT+MQTTUSERCFG=0,1,\"dev\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    cmd("AT+MQTTCONNCFG=0,60,1,\"\",\"\",0,0", "\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"h\",1883,1\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"h\",\"1883\",\"\",1\r\n\r\nOK\r\n");
    g_b.ack_publish = 0;
    in("AT+MQTTPUB=0,\"orig/topic\",\"orig-data\",1,0,3000\r\n");
    g_now += 3000u;
    poll_n(1);
    expect("\r\nERROR\r\n");
    in("AT+MQTTSUB=0,\"zzzz/zzzzzzzzzzzzzz\",1\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    g_b.ack_publish = 1;
    g_b.closed = 1;
    poll_n(2);
    expect("+MQTTDISCONNECTED:0\r\n");
    g_b.publishes = 0;
    g_now += 15000u;
    poll_n(30);
    expect("+MQTTCONNECTED:0,1,\"h\",\"1883\",\"\",1\r\n");
    assert_int_equal(g_b.publishes, 1);
    assert_int_equal(g_b.last_topic_len, 10);
    assert_memory_equal(g_b.last_topic, "orig/topic", 10);
    assert_int_equal(g_b.last_payload_len, 9);
    assert_memory_equal(g_b.last_payload, "orig-data", 9);
    /* acknowledged now: its memory is free again, a new QoS 1 PUB is accepted */
    in("AT+MQTTPUB=0,\"t\",\"next\",1,0\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
}

/* A WebSocket path without its leading '/' (Espressif's example sets "mqtt"): the firmware shows and
 * uses "/mqtt"; a path with its '/' is kept as it is; the longest path (32 bytes) gets one too. */
static void test_ws_path_slash(void **state)
{
    static const char p32[] = "abcdefghijklmnopqrstuvwxyz012345";
    char b[200];
    (void)state;
    quiet();
    cmd("AT+MQTTUSERCFG=0,6,\"id\",\"\",\"\",0,0,\"mqtt\"", "\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"broker.local\",8080,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,6,\"broker.local\",\"8080\",\"/mqtt\",0\r\n\r\nOK\r\n");
    assert_string_equal(g_req.path, "/mqtt");
    cmd("AT+MQTTCONN?", "+MQTTCONN:0,4,6,\"broker.local\",\"8080\",\"/mqtt\",0\r\n\r\nOK\r\n");
    cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n");
    poll_n(2);
    snprintf(b, sizeof b, "AT+MQTTUSERCFG=0,7,\"id\",\"\",\"\",0,0,\"%s\"", p32);
    cmd(b, "\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"broker.local\",8081,0\r\n");
    poll_n(3);
    snprintf(b, sizeof b, "+MQTTCONNECTED:0,7,\"broker.local\",\"8081\",\"/%s\",0\r\n\r\nOK\r\n", p32);
    expect(b);
    assert_int_equal(strlen(g_req.path), 33);
    assert_int_equal(g_req.path[0], '/');
    assert_string_equal(g_req.path + 1, p32);
    cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n");
    poll_n(2);
    /* TCP: the path is not shown nor used */
    cmd("AT+MQTTUSERCFG=0,1,\"id\",\"\",\"\",0,0,\"mqtt\"", "\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
    assert_string_equal(g_req.path, "");
}

/* reconnect=1: after a lost connection every tracked topic is re-subscribed, and the broker has
 * answered the SUBSCRIBEs before +MQTTCONNECTED is written: a message published the moment the host
 * reads the URC is routed to it (the firmware subscribes in its connected event, then prints the URC). */
static void test_reconnect_subscribed_before_urc(void **state)
{
    int i;
    (void)state;
    connect_tcp(1);
    in("AT+MQTTSUB=0,\"keep/1\",1\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    cmd("AT+MQTTSUB=0,\"keep/0\",0", "\r\nOK\r\n");
    poll_n(2);
    g_b.closed = 1;
    g_b.open_fails = BMQTT_ERR_CONNECT;
    poll_n(3);
    expect("+MQTTDISCONNECTED:0\r\n");
    g_b.open_fails = 0;
    g_b.subscribes = 0;
    g_now += 70000u;
    for (i = 0; i < 50 && g_out_len == 0u; i++) {
        poll_n(1);
    }
    /* the URC has just been written: both SUBSCRIBEs are already with the broker, and answered */
    assert_int_equal(g_b.subscribes, 2);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",1\r\n");
    b_publish("keep/0", (const uint8_t *)"now", 3u, 0u, 0u);
    poll_n(1);
    expect("+MQTTSUBRECV:0,\"keep/0\",3,now\r\n");
    poll_n(3);
    expect("");
    assert_int_equal(g_b.subscribes, 2); /* once each */
    assert_int_equal(bmqtt_at_state(&g_at), 6);
    cmd("AT+MQTTSUB?", "+MQTTSUB:0,6,\"keep/1\",1\r\n+MQTTSUB:0,6,\"keep/0\",0\r\n\r\nOK\r\n");
    /* the link stalls while re-subscribing: the URC waits until the bytes have left */
    drop_and_reattempt();
    assert_int_equal(g_b.connects, 3);
    expect("");
    g_b.send_blocks = 1; /* the CONNACK comes; the SUBSCRIBEs cannot leave */
    b_connack(0u); /* late: the broker sends it now */
    poll_n(5);
    expect("");
    assert_int_equal(g_b.subscribes, 0);
    g_b.send_blocks = 0;
    for (i = 0; i < 20 && g_out_len == 0u; i++) {
        poll_n(1);
    }
    assert_int_equal(g_b.subscribes, 2);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",1\r\n");
    /* AT+MQTTCLEAN while the re-SUBSCRIBEs wait for the link: OK, and no URC of that connection */
    g_b.closed = 1;
    poll_n(3);
    expect("+MQTTDISCONNECTED:0\r\n");
    next_attempt();
    assert_int_equal(g_b.connects, 4);
    g_b.send_blocks = 1;
    b_connack(0u); /* late: the broker sends it now */
    poll_n(3);
    expect("");
    in("AT+MQTTCLEAN=0\r\n");
    g_now += 5000u;
    poll_n(3);
    expect("\r\nOK\r\n");
    g_b.send_blocks = 0;
    poll_n(5);
    expect("");
    assert_int_equal(bmqtt_at_state(&g_at), 0);
}

/* Commands that arrive before the first bmqtt_at_poll() (input already waiting at start): the
 * connect starts at that poll, on its clock, not on a clock of 0; a CONNACK that comes later than
 * the first poll is taken, with the clock anywhere in its 32-bit range. */
static void test_before_first_poll(void **state)
{
    static const uint32_t clocks[] = { 0x80001000u, 0x40000000u, 0xfffff000u, 20000u };
    size_t k;
    (void)state;
    for (k = 0u; k < sizeof clocks / sizeof clocks[0]; k++) {
        int reconnect = (int)(k & 1u);
        assert_int_equal(bmqtt_at_init(&g_at, &g_cfg), BMQTT_OK);
        g_b.no_connack = 1;
        g_b.connects = 0;
        g_out_len = 0u;
        quiet();
        cmd("AT+MQTTUSERCFG=0,1,\"early\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
        in(reconnect ? "AT+MQTTCONN=0,\"broker.local\",1883,1\r\n" : "AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
        expect("");
        assert_int_equal(bmqtt_at_busy(&g_at), 1);
        g_now = clocks[k];
        assert_int_equal(bmqtt_at_poll(&g_at, g_now), BMQTT_OK);
        expect(""); /* not a timeout counted from 0 */
        assert_int_equal(g_b.connects, 1);
        b_connack(0u);
        poll_n(2);
        expect(reconnect ? "+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",1\r\n\r\nOK\r\n"
                         : "+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
        poll_n(20); /* the session's timers run on the same clock: no timeout follows */
        expect("");
        assert_int_equal(bmqtt_at_state(&g_at), 4);
        cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n");
        poll_n(2);
        g_b.no_connack = 0;
    }
    /* busy until that first poll: a command in between is refused, the connect still runs */
    assert_int_equal(bmqtt_at_init(&g_at, &g_cfg), BMQTT_OK);
    g_out_len = 0u;
    quiet();
    cmd("AT+MQTTUSERCFG=0,1,\"early\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"broker.local\",1883,0\r\n");
    cmd("AT", "\r\nbusy p...\r\n");
    poll_n(3);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",0\r\n\r\nOK\r\n");
}

/* Re-subscribing, its corners: tx_buf (512 bytes) too small for all the SUBSCRIBEs at once (they go as it
 * drains, the URC after the last); the link lost again before they have left (no URC of either kind: the
 * host never heard of that connection); a broker that kept the session (clean session 0 and Session
 * Present 1): no SUBSCRIBE, the URC at once [MQTT-3.2.2-2]. */
static void test_resubscribe_edges(void **state)
{
    static bmqtt_at_config_t small;
    char line[200];
    int i;
    (void)state;
    small = g_cfg;
    small.tx_size = 512u;
    assert_int_equal(bmqtt_at_init(&g_at, &small), BMQTT_OK);
    poll_n(1);
    connect_tcp(1);
    for (i = 0; i < 10; i++) {
        snprintf(line, sizeof line, "AT+MQTTSUB=0,\"%0100d/%d\",0", 0, i);
        cmd(line, "\r\nOK\r\n");
        poll_n(1);
    }
    poll_n(2);
    assert_int_equal(g_b.subscribes, 10);
    /* reconnected; the SUBSCRIBEs cannot leave; the link goes again */
    drop_and_reattempt();
    g_b.send_blocks = 1;
    b_connack(0u);
    poll_n(3);
    expect("");
    assert_int_equal(bmqtt_at_state(&g_at), 4);
    g_b.closed = 1;
    poll_n(3);
    expect(""); /* neither +MQTTCONNECTED nor +MQTTDISCONNECTED */
    assert_int_equal(bmqtt_at_state(&g_at), 3);
    assert_int_equal(g_b.subscribes, 0);
    /* the next connection: four SUBSCRIBEs fill tx_buf, the rest wait for it to drain */
    g_b.send_blocks = 0;
    next_attempt();
    g_b.send_blocks = 1;
    b_connack(0u);
    poll_n(3);
    expect("");
    g_b.send_blocks = 0;
    for (i = 0; i < 50 && g_out_len == 0u; i++) {
        poll_n(1);
    }
    assert_int_equal(g_b.subscribes, 10);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",1\r\n");
    /* clean session 0, and the broker kept the session: nothing to re-subscribe */
    assert_int_equal(bmqtt_at_init(&g_at, &g_cfg), BMQTT_OK);
    poll_n(1);
    g_b.no_connack = 0;
    quiet();
    cmd("AT+MQTTUSERCFG=0,1,\"kept\",\"\",\"\",0,0,\"\"", "\r\nOK\r\n");
    cmd("AT+MQTTCONNCFG=0,120,1,\"\",\"\",0,0", "\r\nOK\r\n");
    in("AT+MQTTCONN=0,\"broker.local\",1883,1\r\n");
    poll_n(5);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",1\r\n\r\nOK\r\n");
    in("AT+MQTTSUB=0,\"kept/t\",1\r\n");
    poll_n(2);
    expect("\r\nOK\r\n");
    drop_and_reattempt();
    assert_int_equal(g_b.c_clean, 0);
    b_connack(1u);
    poll_n(1);
    expect("+MQTTCONNECTED:0,1,\"broker.local\",\"1883\",\"\",1\r\n");
    poll_n(3);
    assert_int_equal(g_b.subscribes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_echo_power_up, setup),
        cmocka_unit_test_setup(test_byte_at_a_time, setup),
        cmocka_unit_test_setup(test_line_limit_and_recovery, setup),
        cmocka_unit_test_setup(test_not_a_command, setup),
        cmocka_unit_test_setup(test_basic_commands, setup),
        cmocka_unit_test_setup(test_error_codes, setup),
        cmocka_unit_test_setup(test_error_codes_off, setup),
        cmocka_unit_test_setup(test_escapes, setup),
        cmocka_unit_test_setup(test_usercfg_conncfg_states, setup),
        cmocka_unit_test_setup(test_long_fields, setup),
        cmocka_unit_test_setup(test_connect_refused_and_failures, setup),
        cmocka_unit_test_setup(test_publish_blocking_and_busy, setup),
        cmocka_unit_test_setup(test_pubraw_all_bytes, setup),
        cmocka_unit_test_setup(test_subscribe_and_receive, setup),
        cmocka_unit_test_setup(test_eleven_topics_long_topic, setup),
        cmocka_unit_test_setup(test_reset_in_session, setup),
        cmocka_unit_test_setup(test_qos2_delivered_once, setup),
        cmocka_unit_test_setup(test_connection_lost, setup),
        cmocka_unit_test_setup(test_connection_lost_no_reconnect, setup),
        cmocka_unit_test_setup(test_api_misuse, setup),
        cmocka_unit_test_setup(test_parser_edges, setup),
        cmocka_unit_test_setup(test_sntp_edges, setup),
        cmocka_unit_test_setup(test_config_edges, setup),
        cmocka_unit_test_setup(test_connect_edges, setup),
        cmocka_unit_test_setup(test_wait_edges, setup),
        cmocka_unit_test_setup(test_persistent_session, setup),
        cmocka_unit_test_setup(test_reentry, setup),
        cmocka_unit_test_setup(test_stalled_link, setup),
        cmocka_unit_test_setup(test_client_deadline_first, setup),
        cmocka_unit_test_setup(test_odds, setup),
        cmocka_unit_test_setup(test_by_reference_memory, setup),
        cmocka_unit_test_setup(test_ws_path_slash, setup),
        cmocka_unit_test_setup(test_reconnect_subscribed_before_urc, setup),
        cmocka_unit_test_setup(test_before_first_poll, setup),
        cmocka_unit_test_setup(test_resubscribe_edges, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
