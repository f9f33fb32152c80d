/*
 * A low-power loop that sleeps exactly bmqtt_client_sleep_ms() between polls and
 * never wakes on received data (a device whose radio is off between timers),
 * with Keep Alive 5 s: the broker never drops it. After <seconds> it publishes
 * one QoS 1 message and disconnects; exit 0 when the session lived throughout.
 *
 *   itest_lowpower <port> <client-id> <seconds>
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bmqtt/client.h"
#include "bmqtt_posix.h"

static bmqtt_posix_t sock;
static bmqtt_transport_t tr;
static uint8_t tx[256], rx[256];
static bmqtt_inflight_t slots[2];
static uint16_t q2[2];
static bmqtt_client_t client;
static int acked;

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_PUBLISH_DONE && ev->status == BMQTT_OK) acked++;
}

int main(int argc, char **argv)
{
    static const bmqtt_client_config_t cfg = { .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx,
        .rx_size = sizeof rx, .inflight = slots, .inflight_count = 2, .qos2_ids = q2, .qos2_count = 2,
        .on_event = on_event };
    bmqtt_connect_t f = { .clean_session = 1, .keepalive_s = 5 };
    bmqtt_publish_t bye = { .topic = BMQTT_VIEW("itest/lowpower"), .payload = BMQTT_VIEW("alive"), .qos = 1 };
    uint32_t start, wakes = 0, longest = 0;
    bmqtt_status_t st;

    if (argc != 4) return 2;
    f.client_id = bmqtt_view_str(argv[2]);
    if (bmqtt_client_init(&client, &cfg) != BMQTT_OK ||
        bmqtt_posix_connect(&sock, "127.0.0.1", (uint16_t)atoi(argv[1]), 3000) != BMQTT_OK) {
        return 1;
    }
    bmqtt_posix_transport(&sock, &tr);
    start = bmqtt_posix_now_ms();
    if (bmqtt_client_connect(&client, &tr, &f, start) != BMQTT_OK) return 1;
    while ((st = bmqtt_client_poll(&client, bmqtt_posix_now_ms())) == BMQTT_WOULD_BLOCK) {
        bmqtt_posix_wait(&sock, 0, 20);
    }
    while (st == BMQTT_OK && bmqtt_posix_now_ms() - start < (uint32_t)atoi(argv[3]) * 1000u) {
        uint32_t d = bmqtt_client_sleep_ms(&client, bmqtt_posix_now_ms());
        struct timespec ts;
        if (d > 60000u) d = 60000u;
        if (d > longest) longest = d;
        ts.tv_sec = d / 1000u;
        ts.tv_nsec = (long)(d % 1000u) * 1000000L;
        nanosleep(&ts, NULL); /* the timer alone: no wake-up on data */
        wakes++;
        st = bmqtt_client_poll(&client, bmqtt_posix_now_ms());
    }
    if (st == BMQTT_OK && bmqtt_client_publish(&client, &bye, NULL) == BMQTT_OK &&
        bmqtt_client_disconnect(&client) == BMQTT_WOULD_BLOCK) {
        while ((st = bmqtt_client_poll(&client, bmqtt_posix_now_ms())) == BMQTT_WOULD_BLOCK) {
            bmqtt_posix_wait(&sock, 0, 20);
        }
    }
    printf("%u wake-ups in %u ms (longest sleep %u ms), ended with %s, %d acknowledged\n", (unsigned)wakes,
           (unsigned)(bmqtt_posix_now_ms() - start), (unsigned)longest, bmqtt_status_str(st), acked);
    return st == BMQTT_OK && acked == 1 ? 0 : 1;
}
