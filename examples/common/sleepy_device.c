/* The deep-sleep device of sleepy_device.h. */
#include <stdio.h>
#include <string.h>

#include "sleepy_device.h"

#define SLEEPY_MAGIC 0x534C5059u

static uint8_t tx[512], rx[256];
static bmqtt_inflight_t slots[SLEEPY_SLOTS];
static uint16_t qos2_ids[4];
static bmqtt_client_t client;

bmqtt_status_t sleepy_device_wake(const sleepy_board_t *b)
{
    static bmqtt_client_config_t cfg;
    sleepy_retained_t *r = b->retained;
    const bmqtt_transport_t *tr;
    bmqtt_connect_t conn = { .clean_session = 0, .keepalive_s = 60 };
    char topic[64], payload[48];
    bmqtt_publish_t reading = { .qos = 1 };
    uint32_t start = b->now_ms(b->ctx), limit = b->awake_ms ? b->awake_ms : 10000u;
    bmqtt_status_t st;

    cfg = (bmqtt_client_config_t){ .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx, .rx_size = sizeof rx,
        .inflight = slots, .inflight_count = SLEEPY_SLOTS, .qos2_ids = qos2_ids, .qos2_count = 4 };
    if (r->magic != SLEEPY_MAGIC) { /* a cold power-on: RAM holds anything */
        r->wakes = 0;
        r->magic = SLEEPY_MAGIC;
    }
    if ((st = bmqtt_client_init(&client, &cfg)) != BMQTT_OK) return st;
    /* Adopt the session of the last wake; after a cold start it is formatted (a status says why). */
    (void)bmqtt_client_resume(&client, r->session, sizeof r->session);

    /* The reading is published before connecting: it is durable once publish returns. */
    snprintf(topic, sizeof topic, "%s/reading", b->device_id);
    snprintf(payload, sizeof payload, "%lu %ld", (unsigned long)r->wakes, (long)b->temperature_dC(b->ctx));
    reading.topic = bmqtt_view_str(topic);
    reading.payload = bmqtt_view_str(payload);
    st = bmqtt_client_publish(&client, &reading, NULL);
    if (st == BMQTT_OK) {
        if (b->published) b->published(b->ctx, r->wakes);
        r->wakes++; /* a reset right before this repeats the number, never loses the reading */
    }

    if ((st = b->open(b->ctx, &tr)) != BMQTT_OK) return st;
    conn.client_id = bmqtt_view_str(b->device_id);
    if ((st = bmqtt_client_connect(&client, tr, &conn, b->now_ms(b->ctx))) != BMQTT_OK) return st;
    while (b->now_ms(b->ctx) - start < limit) {
        st = bmqtt_client_poll(&client, b->now_ms(b->ctx));
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) return st;
        if (st == BMQTT_OK && bmqtt_client_inflight(&client) == 0) break;
        b->wait(b->ctx, 10);
    }
    if (bmqtt_client_inflight(&client)) {
        bmqtt_client_abort(&client); /* kept for the next wake */
        return BMQTT_ERR_TIMEOUT;
    }
    st = bmqtt_client_disconnect(&client);
    while (st == BMQTT_WOULD_BLOCK && b->now_ms(b->ctx) - start < limit) {
        b->wait(b->ctx, 10);
        st = bmqtt_client_poll(&client, b->now_ms(b->ctx));
    }
    return st == BMQTT_WOULD_BLOCK ? BMQTT_OK : st;
}
