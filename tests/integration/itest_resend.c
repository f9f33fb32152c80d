/*
 * Clean session 0 and a broker that lost the session [MQTT-4.4.0-1]: the
 * client MUST resend unacknowledged PUBLISH packets when it reconnects, whatever
 * Session Present says. tests/integration/run.sh restarts mosquitto (without
 * persistence) between the two phases and checks with mosquitto_sub that every
 * message arrives.
 *
 *   itest_resend <port> <client-id> <count>
 *
 * Phase 1: connect with clean session 0, publish <count> QoS 1 messages over a
 * link that loses them (a transport that reports them sent and drops them, as a
 * link that dies does), print "lost", and wait for a line on stdin (the script
 * restarts the broker meanwhile). Phase 2: reconnect; exit 0 when every message
 * ended with BMQTT_EVT_PUBLISH_DONE and BMQTT_OK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/client.h"
#include "bmqtt_posix.h"

static bmqtt_posix_t sock;
static bmqtt_transport_t tcp, lossy;
static int losing, done_ok, done_other, session_present = -1;

static int32_t lossy_send(void *ctx, const uint8_t *buf, size_t len)
{
    if (losing) return (int32_t)len; /* "sent": into a link that is already dead */
    return bmqtt_posix_send(ctx, buf, len);
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_PUBLISH_DONE) {
        if (ev->status == BMQTT_OK) done_ok++;
        else done_other++;
    } else if (ev->type == BMQTT_EVT_CONNACK) {
        session_present = ev->session_present;
    }
}

static uint8_t tx[4096], rx[512], obox[2048];
static bmqtt_inflight_t slots[64];
static uint16_t q2[8];
static bmqtt_client_t c;

static int session(uint16_t port, const bmqtt_connect_t *f)
{
    bmqtt_status_t st;
    if (bmqtt_posix_connect(&sock, "127.0.0.1", port, 3000) != BMQTT_OK) return -1;
    bmqtt_posix_transport(&sock, &tcp);
    lossy = tcp;
    lossy.send = lossy_send;
    if (bmqtt_client_connect(&c, &lossy, f, bmqtt_posix_now_ms()) != BMQTT_OK) return -1;
    while ((st = bmqtt_client_poll(&c, bmqtt_posix_now_ms())) == BMQTT_WOULD_BLOCK) (void)bmqtt_posix_wait(&sock, 0, 20);
    return st == BMQTT_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    static const bmqtt_client_config_t cfg = { .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx, .rx_size = sizeof rx,
                                               .inflight = slots, .inflight_count = 64, .qos2_ids = q2,
                                               .qos2_count = 8, .on_event = on_event };
    bmqtt_connect_t f;
    char line[16], payload[16];
    uint16_t port;
    int count;
    uint32_t start;

    if (argc != 4) return 2;
    port = (uint16_t)atoi(argv[1]);
    count = atoi(argv[3]);
    if (count < 1 || count > 64 || bmqtt_client_init(&c, &cfg) != BMQTT_OK ||
        bmqtt_client_set_outbox(&c, obox, sizeof obox) != BMQTT_OK) {
        return 2;
    }
    memset(&f, 0, sizeof f);
    f.client_id = bmqtt_view_str(argv[2]);
    f.clean_session = 0;
    f.keepalive_s = 30;
    if (session(port, &f) != 0) return 3;
    losing = 1;
    for (int i = 0; i < count; i++) {
        bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("itest/resend"), .qos = 1 };
        int n = snprintf(payload, sizeof payload, "m%d", i + 1);
        p.payload.ptr = (const uint8_t *)payload;
        p.payload.len = (size_t)n;
        /* Copied into the outbox: the payload buffer is reused for the next one. */
        if (bmqtt_client_publish(&c, &p, NULL) != BMQTT_OK) return 4;
        (void)bmqtt_client_poll(&c, bmqtt_posix_now_ms());
    }
    bmqtt_client_abort(&c); /* the link is dead */
    losing = 0;
    printf("lost %d in flight %u\n", count, (unsigned)bmqtt_client_inflight(&c));
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL) return 5;
    if (session(port, &f) != 0) return 6;
    start = bmqtt_posix_now_ms();
    while (done_ok + done_other < count && bmqtt_posix_now_ms() - start < 10000u) {
        if (bmqtt_client_poll(&c, bmqtt_posix_now_ms()) < 0) break;
        (void)bmqtt_posix_wait(&sock, 0, 20);
    }
    printf("session present %d, acknowledged %d, other %d\n", session_present, done_ok, done_other);
    (void)bmqtt_client_disconnect(&c);
    return done_ok == count && done_other == 0 ? 0 : 1;
}
