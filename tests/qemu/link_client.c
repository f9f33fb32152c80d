/*
 * A typical client firmware, for `make size`: it calls every client function
 * a device uses (connect, poll, QoS 0/1/2 publish, subscribe, unsubscribe,
 * disconnect, persistent-session reconnect) and nothing of the codec
 * directly. Linked with --gc-sections, the map file tells what the library
 * costs such a firmware. Never run. With -DLINK_OUTBOX it also gives the
 * client an outbox (the second link row of `make size`). With -DLINK_RESUME
 * the session is kept in retained memory, with -DLINK_STORE in the NOR flash
 * log (make size-persist, mk/persist.mk).
 */
#include "bmqtt/client.h"
#if defined(LINK_RESUME) || defined(LINK_STORE)
#include "bmqtt/nor_log.h"
#include "bmqtt/persist.h"
#endif

static int32_t tr_send(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    return (int32_t)len;
}

static int32_t tr_recv(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return BMQTT_WOULD_BLOCK;
}

volatile uint32_t received;

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_MESSAGE) received += (uint32_t)ev->message->payload.len;
}

static uint8_t tx[512], rx[512];
static bmqtt_inflight_t out[8];
static uint16_t in_ids[8];
static bmqtt_client_t client;
static const bmqtt_client_config_t cfg = { .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx, .rx_size = sizeof rx,
                                           .inflight = out, .inflight_count = 8, .qos2_ids = in_ids, .qos2_count = 8,
                                           .on_event = on_event };
static const bmqtt_transport_t tr = { tr_send, tr_recv, 0, 0 };
volatile uint32_t now_ms;

int main(void);
int main(void)
{
    const bmqtt_connect_t fields = { .client_id = BMQTT_VIEW_LIT("dev1"), .keepalive_s = 60 };
    const bmqtt_subscription_t sub = { BMQTT_VIEW_LIT("cmd/#"), 1 };
    const bmqtt_view_t filter = BMQTT_VIEW_LIT("cmd/#");
    bmqtt_publish_t pub = { .topic = BMQTT_VIEW_LIT("t/1"), .payload = BMQTT_VIEW_LIT("21.5") };
    uint16_t id;
    if (bmqtt_client_init(&client, &cfg) != BMQTT_OK) return 1;
#ifdef LINK_OUTBOX
    {
        static uint8_t box[512];
        if (bmqtt_client_set_outbox(&client, box, sizeof box) != BMQTT_OK) return 1;
    }
#endif
#ifdef LINK_RESUME
    {
        static uint32_t retained[BMQTT_RETAINED_SIZE(8, 8, 512) / 4];
        (void)bmqtt_client_resume(&client, retained, sizeof retained);
    }
#endif
#ifdef LINK_STORE
    {
        static uint8_t box[512];
        static const bmqtt_nor_t nor = { 4096, 4, 1, 0, 0, 0, 0 }; /* the driver's calls: a firmware's own */
        static bmqtt_nor_log_t nlog;
        static bmqtt_store_t store;
        if (bmqtt_client_set_outbox(&client, box, sizeof box) != BMQTT_OK) return 1;
        if (bmqtt_nor_log_mount(&nlog, &nor, &store) != BMQTT_OK) return 1;
        (void)bmqtt_client_resume_store(&client, &store);
    }
#endif
    for (;;) {
        bmqtt_status_t st;
        if (bmqtt_client_connect(&client, &tr, &fields, now_ms) != BMQTT_OK) return 1;
        while ((st = bmqtt_client_poll(&client, now_ms)) == BMQTT_WOULD_BLOCK) { }
        if (st != BMQTT_OK) continue; /* refused or timed out: connect again */
        (void)bmqtt_client_subscribe(&client, &sub, 1, &id);
        for (pub.qos = 0; pub.qos <= 2; pub.qos++) (void)bmqtt_client_publish(&client, &pub, &id);
        while (bmqtt_client_poll(&client, now_ms) >= 0 && bmqtt_client_inflight(&client) != 0) { }
        (void)bmqtt_client_unsubscribe(&client, &filter, 1, &id);
        if (bmqtt_client_disconnect(&client) == BMQTT_WOULD_BLOCK) {
            while (bmqtt_client_poll(&client, now_ms) == BMQTT_WOULD_BLOCK) { }
        }
    }
}
