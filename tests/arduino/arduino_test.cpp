/* port/arduino against a real mosquitto, natively: the transport over PosixClient, a stand-in of
 * Arduino's Client class on POSIX sockets (tests/arduino/native). Usage: arduino_test PORT.
 * 1. bmqtt_arduino_connect() to a port nothing listens on: BMQTT_ERR_CONNECT;
 * 2. connect, subscribe to arduino/t/# at QoS 2, publish at QoS 0, 1 and 2 (the QoS 2 payload
 *    is 300 bytes holding every byte value, more than one read of the Client), receive all three
 *    back byte for byte, every QoS 1/2 acknowledged;
 * 3. disconnect: the transport's close stops the Client.
 * Prints what it received (topic, QoS, length) for run.sh to compare with mosquitto_sub's view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "Arduino.h"
#include "PosixClient.h"
#include "bmqtt/client.h"
#include "bmqtt_arduino.h"

static uint8_t tx[1024], rx[128];
static bmqtt_inflight_t inflight[4];
static uint16_t qos2[4];
static bmqtt_client_t client;
static uint8_t big[300];
static int received, acked, subacked, failed;

static void fail(const char *what)
{
    printf("arduino-test: FAIL: %s\n", what);
    failed = 1;
}

/* Messages larger than rx arrive in chunks: reassemble the current one. */
static uint8_t got[512];
static size_t got_len;

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_SUBACK) {
        subacked = ev->status == BMQTT_OK && ev->codes.len == 1 && ev->codes.ptr[0] == 2;
    } else if (ev->type == BMQTT_EVT_PUBLISH_DONE) {
        if (ev->status == BMQTT_OK) acked++;
        else fail("a QoS 1/2 publish was not acknowledged");
    } else if (ev->type == BMQTT_EVT_MESSAGE) {
        const bmqtt_message_t *m = ev->message;
        if (m->offset + m->payload.len > sizeof got) { fail("message too long"); return; }
        memcpy(got + m->offset, m->payload.ptr, m->payload.len);
        got_len = m->offset + m->payload.len;
        if (got_len < m->total) return;
        printf("recv %.*s qos %u len %u\n", (int)m->topic.len, (const char *)m->topic.ptr, m->qos, (unsigned)got_len);
        if (m->topic.len != 11 || memcmp(m->topic.ptr, "arduino/t/", 10) != 0) fail("topic");
        if (m->qos == 2 && (got_len != sizeof big || memcmp(got, big, sizeof big) != 0)) fail("the 300-byte payload differs");
        if (m->qos < 2 && (got_len != 5 || memcmp(got, m->qos ? "one!!" : "zero!", 5) != 0)) fail("payload");
        received++;
    }
}

/* Poll until cond() or 10 s. */
static int run_until(int (*cond)(void))
{
    unsigned long start = millis();
    while (!cond()) {
        bmqtt_status_t st = bmqtt_client_poll(&client, (uint32_t)millis());
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
            printf("arduino-test: poll: %s\n", bmqtt_status_str(st));
            return 0;
        }
        if (millis() - start > 10000) return 0;
        usleep(1000);
    }
    return 1;
}
static int is_connected(void) { return bmqtt_client_state(&client) == BMQTT_CLIENT_CONNECTED; }
static int is_subacked(void) { return subacked; }
static int all_in(void) { return received == 3 && acked == 2; }
static int is_closed(void) { return bmqtt_client_state(&client) == BMQTT_CLIENT_CLOSED; }

int main(int argc, char **argv)
{
    static const bmqtt_client_config_t cfg = { .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx,
        .rx_size = sizeof rx, .inflight = inflight, .inflight_count = 4, .qos2_ids = qos2, .qos2_count = 4,
        .on_event = on_event };
    PosixClient net, nowhere;
    bmqtt_arduino_t link, link2;
    bmqtt_transport_t tr, tr2;
    bmqtt_connect_t conn;
    uint16_t port;
    size_t i;

    if (argc < 3) return 2;
    port = (uint16_t)atoi(argv[1]);
    for (i = 0; i < sizeof big; i++) big[i] = (uint8_t)i;

    if (bmqtt_arduino_connect(&link2, &nowhere, "127.0.0.1", (uint16_t)atoi(argv[2]), &tr2) != BMQTT_ERR_CONNECT)
        fail("connect to a closed port is not BMQTT_ERR_CONNECT");
    if (bmqtt_arduino_connect(&link, &net, "127.0.0.1", port, &tr) != BMQTT_OK) { fail("connect"); return 1; }

    memset(&conn, 0, sizeof conn);
    conn.client_id = bmqtt_view_str("arduino-native");
    conn.clean_session = 1;
    conn.keepalive_s = 30;
    if (bmqtt_client_init(&client, &cfg) != BMQTT_OK) return 1;
    bmqtt_client_connect(&client, &tr, &conn, (uint32_t)millis());
    if (!run_until(is_connected)) { fail("no CONNACK"); return 1; }

    bmqtt_subscription_t sub = { bmqtt_view_str("arduino/t/#"), 2 };
    bmqtt_client_subscribe(&client, &sub, 1, NULL);
    if (!run_until(is_subacked)) { fail("no SUBACK granting QoS 2"); return 1; }

    bmqtt_publish_t m0 = {}, m1 = {}, m2 = {};
    m0.topic = bmqtt_view_str("arduino/t/0"); m0.payload = bmqtt_view_str("zero!");
    m1.topic = bmqtt_view_str("arduino/t/1"); m1.payload = bmqtt_view_str("one!!"); m1.qos = 1;
    m2.topic = bmqtt_view_str("arduino/t/2"); m2.payload.ptr = big; m2.payload.len = sizeof big; m2.qos = 2;
    if (bmqtt_client_publish(&client, &m0, NULL) != BMQTT_OK || bmqtt_client_publish(&client, &m1, NULL) != BMQTT_OK ||
        bmqtt_client_publish(&client, &m2, NULL) != BMQTT_OK) fail("publish");
    if (!run_until(all_in)) fail("not all three messages came back acknowledged");

    if (bmqtt_client_disconnect(&client) == BMQTT_WOULD_BLOCK) run_until(is_closed);
    if (!is_closed() || bmqtt_client_last_error(&client).status != BMQTT_OK) fail("disconnect");
    if (net) fail("the transport's close did not stop the Client");
    printf("arduino-test: %lu writes and %lu reads through the Client\n", net.writes, net.reads);
    if (!failed) printf("arduino-test: ok: connect, subscribe, QoS 0/1/2 both ways, disconnect\n");
    return failed;
}
