/*
 * bmqtt's MQTT 5.0 encodings against a real mosquitto, over the POSIX port:
 *
 *   mqtt5_mosquitto HOST PORT
 *
 * A scripted session: CONNECT with properties and a will with properties,
 * SUBSCRIBE "bmqtt5/#" with a Subscription Identifier, PUBLISH QoS 1 with a
 * Topic Alias and every PUBLISH property, PUBLISH QoS 0 by the alias alone
 * (empty topic), DISCONNECT with a property. Every packet mosquitto sends back
 * (CONNACK, SUBACK, PUBACK, our own messages with the Subscription Identifier)
 * is decoded with bmqtt5_decode() and checked. A mosquitto_sub -V 5 -F started
 * by tests/mqtt5/run.sh shows what other subscribers see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/mqtt5.h"
#include "bmqtt_posix.h"

#define V(lit) ((bmqtt_view_t)BMQTT_VIEW_LIT(lit))
#define PN(id, n) { (id), 0, (n), { NULL, 0 }, { NULL, 0 } }
#define PS(id, s) { (id), 0, 0, V(s), { NULL, 0 } }
#define PP(k, v) { BMQTT5_PROP_USER_PROPERTY, 0, 0, V(k), V(v) }

static bmqtt_posix_t g_sock;
static uint8_t g_rx[4096];
static size_t g_rx_len;
static int g_failed;

#define CHECK(cond, ...)                                  \
    do {                                                  \
        if (!(cond)) {                                    \
            fprintf(stderr, "mqtt5_mosquitto: FAIL: ");   \
            fprintf(stderr, __VA_ARGS__);                 \
            fprintf(stderr, "\n");                        \
            g_failed = 1;                                 \
        }                                                 \
    } while (0)

static void die(const char *what, bmqtt_status_t st)
{
    fprintf(stderr, "mqtt5_mosquitto: %s: %s\n", what, bmqtt_status_str(st));
    exit(1);
}

static void send_all(const uint8_t *p, size_t n)
{
    while (n) {
        int32_t k = bmqtt_posix_send(&g_sock, p, n);
        if (k == BMQTT_WOULD_BLOCK) {
            (void)bmqtt_posix_wait(&g_sock, 1, 1000);
            continue;
        }
        if (k < 0) die("send", (bmqtt_status_t)k);
        p += k;
        n -= (size_t)k;
    }
}

/* The next packet from mosquitto, decoded as a client decodes it; its views
 * point into g_rx until the next call. */
static void next_packet(bmqtt5_packet_t *pkt)
{
    static size_t last;
    memmove(g_rx, g_rx + last, g_rx_len - last);
    g_rx_len -= last;
    last = 0;
    for (int waited = 0;;) {
        size_t used = 0;
        bmqtt_status_t st = bmqtt5_decode(g_rx, g_rx_len, BMQTT5_FROM_SERVER, pkt, &used);
        if (st == BMQTT_OK) {
            last = used;
            return;
        }
        if (st != BMQTT_NEED_MORE) die("decode", st);
        if (waited > 10000) die("no packet in 10 s", BMQTT_ERR_TIMEOUT);
        int32_t k = bmqtt_posix_recv(&g_sock, g_rx + g_rx_len, sizeof g_rx - g_rx_len);
        if (k == BMQTT_WOULD_BLOCK) {
            (void)bmqtt_posix_wait(&g_sock, 0, 100);
            waited += 100;
            continue;
        }
        if (k < 0) die("recv", (bmqtt_status_t)k);
        g_rx_len += (size_t)k;
    }
}

static int view_is(bmqtt_view_t v, const char *s)
{
    return v.len == strlen(s) && memcmp(v.ptr, s, v.len) == 0;
}

static void print_props(const char *what, const bmqtt5_props_t *props)
{
    bmqtt_view_t it = props->raw;
    bmqtt5_prop_t p;
    printf("mqtt5_mosquitto: %s properties:", what);
    while (bmqtt5_prop_next(&it, &p)) {
        if (p.type == BMQTT5_TYPE_STR || p.type == BMQTT5_TYPE_PAIR)
            printf(" 0x%02X=%.*s%s%.*s", p.id, (int)p.str.len, (const char *)p.str.ptr,
                   p.type == BMQTT5_TYPE_PAIR ? ":" : "", (int)p.val.len, (const char *)p.val.ptr);
        else if (p.type == BMQTT5_TYPE_BIN)
            printf(" 0x%02X=(%lu bytes)", p.id, (unsigned long)p.str.len);
        else
            printf(" 0x%02X=%lu", p.id, (unsigned long)p.num);
    }
    printf("\n");
}

/* Our own message, back through the subscription: the properties a broker must forward unaltered. */
static void check_echo(const bmqtt5_publish_t *p, const char *payload, int full)
{
    bmqtt5_prop_t q;
    int users = 0;
    bmqtt_view_t it = p->props.raw;
    CHECK(view_is(p->topic, "bmqtt5/t"), "echo topic %.*s", (int)p->topic.len, (const char *)p->topic.ptr);
    CHECK(view_is(p->payload, payload), "echo payload");
    CHECK(bmqtt5_prop_num(&p->props, BMQTT5_PROP_SUBSCRIPTION_ID, 0) == 9, "echo without Subscription Identifier 9");
    while (bmqtt5_prop_next(&it, &q)) users += q.id == BMQTT5_PROP_USER_PROPERTY;
    CHECK(users == (full ? 2 : 1), "echo has %d user properties", users);
    if (!full) return;
    CHECK(view_is(bmqtt5_prop_str(&p->props, BMQTT5_PROP_CONTENT_TYPE), "text/plain"), "echo Content Type");
    CHECK(view_is(bmqtt5_prop_str(&p->props, BMQTT5_PROP_RESPONSE_TOPIC), "bmqtt5/reply"), "echo Response Topic");
    CHECK(view_is(bmqtt5_prop_str(&p->props, BMQTT5_PROP_CORRELATION_DATA), "c-42"), "echo Correlation Data");
    CHECK(bmqtt5_prop_num(&p->props, BMQTT5_PROP_PAYLOAD_FORMAT, 0) == 1, "echo Payload Format Indicator");
    CHECK(bmqtt5_prop_find(&p->props, BMQTT5_PROP_MESSAGE_EXPIRY, &q) && q.num <= 120 && q.num >= 100,
          "echo Message Expiry Interval");
}

int main(int argc, char **argv)
{
    uint8_t buf[1024];
    size_t n;
    bmqtt_status_t st;
    bmqtt5_packet_t pkt;

    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
        return 2;
    }
    bmqtt_posix_init(&g_sock);
    if ((st = bmqtt_posix_connect(&g_sock, argv[1], (uint16_t)atoi(argv[2]), 5000)) != BMQTT_OK) die("connect", st);

    /* CONNECT */
    static const bmqtt5_prop_t cprops[] = { PN(BMQTT5_PROP_SESSION_EXPIRY, 0), PN(BMQTT5_PROP_RECEIVE_MAX, 16),
                                            PN(BMQTT5_PROP_MAX_PACKET_SIZE, 4096), PN(BMQTT5_PROP_TOPIC_ALIAS_MAX, 4),
                                            PN(BMQTT5_PROP_REQUEST_PROBLEM_INFO, 1), PP("app", "bmqtt") };
    static const bmqtt5_prop_t wprops[] = { PN(BMQTT5_PROP_WILL_DELAY, 0), PN(BMQTT5_PROP_PAYLOAD_FORMAT, 1),
                                            PS(BMQTT5_PROP_CONTENT_TYPE, "text/plain"), PP("will", "yes") };
    bmqtt5_connect_t c;
    memset(&c, 0, sizeof c);
    c.client_id = V("bmqtt5-peer");
    c.keepalive_s = 30;
    c.clean_start = 1;
    c.props = (bmqtt5_props_t){ cprops, sizeof cprops / sizeof cprops[0], { NULL, 0 } };
    c.will_topic = V("bmqtt5/will");
    c.will_payload = V("gone");
    c.will_props = (bmqtt5_props_t){ wprops, sizeof wprops / sizeof wprops[0], { NULL, 0 } };
    if ((st = bmqtt5_connect_encode(&c, buf, sizeof buf, &n)) != BMQTT_OK) die("CONNECT", st);
    send_all(buf, n);
    next_packet(&pkt);
    CHECK(pkt.type == BMQTT_CONNACK && pkt.u.connack.reason_code == 0, "CONNACK type %u reason %u", pkt.type,
          pkt.u.connack.reason_code);
    print_props("CONNACK", &pkt.u.connack.props);

    /* SUBSCRIBE */
    static const bmqtt5_prop_t sprops[] = { PN(BMQTT5_PROP_SUBSCRIPTION_ID, 9), PP("sub", "1") };
    const bmqtt5_props_t sp = { sprops, 2, { NULL, 0 } };
    const bmqtt5_subscription_t subs[] = { { V("bmqtt5/#"), 1, 0, 1, 0 } };
    if ((st = bmqtt5_subscribe_encode(1, &sp, subs, 1, buf, sizeof buf, &n)) != BMQTT_OK) die("SUBSCRIBE", st);
    send_all(buf, n);
    next_packet(&pkt);
    CHECK(pkt.type == BMQTT_SUBACK && pkt.u.suback.packet_id == 1 && pkt.u.suback.codes.len == 1 &&
              pkt.u.suback.codes.ptr[0] == 1,
          "SUBACK");

    /* PUBLISH QoS 1, Topic Alias 1 and every property a client may send */
    static const bmqtt5_prop_t pprops[] = { PN(BMQTT5_PROP_TOPIC_ALIAS, 1), PN(BMQTT5_PROP_PAYLOAD_FORMAT, 1),
                                            PN(BMQTT5_PROP_MESSAGE_EXPIRY, 120),
                                            PS(BMQTT5_PROP_CONTENT_TYPE, "text/plain"),
                                            PS(BMQTT5_PROP_RESPONSE_TOPIC, "bmqtt5/reply"),
                                            PS(BMQTT5_PROP_CORRELATION_DATA, "c-42"), PP("k1", "v1"), PP("k2", "v2") };
    bmqtt5_publish_t pub = { V("bmqtt5/t"), V("hello 5"), { pprops, 8, { NULL, 0 } }, 2, 1, 0, 0 };
    if ((st = bmqtt5_publish_encode(&pub, buf, sizeof buf, &n)) != BMQTT_OK) die("PUBLISH", st);
    send_all(buf, n);
    int acked = 0, echoed = 0;
    while (!acked || !echoed) {
        next_packet(&pkt);
        if (pkt.type == BMQTT_PUBACK) {
            CHECK(pkt.u.ack.packet_id == 2 && pkt.u.ack.reason_code < 0x80, "PUBACK id %u reason 0x%02X",
                  pkt.u.ack.packet_id, pkt.u.ack.reason_code);
            acked = 1;
        } else if (pkt.type == BMQTT_PUBLISH) {
            print_props("echoed PUBLISH", &pkt.u.publish.props);
            check_echo(&pkt.u.publish, "hello 5", 1);
            if (pkt.u.publish.qos) {
                bmqtt5_ack_t a = { { NULL, 0, { NULL, 0 } }, pkt.u.publish.packet_id, 0 };
                if ((st = bmqtt5_ack_encode(BMQTT_PUBACK, &a, buf, sizeof buf, &n)) != BMQTT_OK) die("PUBACK", st);
                send_all(buf, n);
            }
            echoed = 1;
        } else {
            CHECK(0, "unexpected packet type %u", pkt.type);
        }
    }

    /* PUBLISH QoS 0 by the alias alone */
    static const bmqtt5_prop_t aprops[] = { PN(BMQTT5_PROP_TOPIC_ALIAS, 1), PP("n", "2") };
    bmqtt5_publish_t byalias = { V(""), V("via alias"), { aprops, 2, { NULL, 0 } }, 0, 0, 0, 0 };
    if ((st = bmqtt5_publish_encode(&byalias, buf, sizeof buf, &n)) != BMQTT_OK) die("PUBLISH by alias", st);
    send_all(buf, n);
    next_packet(&pkt);
    CHECK(pkt.type == BMQTT_PUBLISH, "no echo of the PUBLISH by alias (type %u)", pkt.type);
    if (pkt.type == BMQTT_PUBLISH) {
        print_props("echoed PUBLISH by alias", &pkt.u.publish.props);
        check_echo(&pkt.u.publish, "via alias", 0);
    }

    /* DISCONNECT, normal, with a User Property */
    static const bmqtt5_prop_t dprops[] = { PP("bye", "now") };
    bmqtt5_reason_t d = { { dprops, 1, { NULL, 0 } }, 0 };
    if ((st = bmqtt5_reason_encode(BMQTT_DISCONNECT, &d, buf, sizeof buf, &n)) != BMQTT_OK) die("DISCONNECT", st);
    send_all(buf, n);
    bmqtt_posix_close(&g_sock);
    printf("mqtt5_mosquitto: %s: CONNECT, SUBSCRIBE, PUBLISH (alias, properties), PUBLISH by alias, DISCONNECT\n",
           g_failed ? "FAIL" : "OK");
    return g_failed;
}
