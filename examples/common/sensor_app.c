/* The sensor application of sensor_app.h, over bmqtt's client and reconnect helper. */
#include "sensor_app.h"

#include <stdio.h>
#include <string.h>

#define TOPIC_MAX 64

static const sensor_app_board_t *board;
static bmqtt_client_t client;
static bmqtt_reconnect_t keeper;
static uint8_t tx_buf[512], rx_buf[512], outbox[256];
static bmqtt_inflight_t inflight[4];
static uint16_t qos2_ids[4];
static char topic_status[TOPIC_MAX], topic_cmd[TOPIC_MAX], topic_temp[TOPIC_MAX];
static bmqtt_subscription_t subscription;
static bmqtt_connect_t fields;
static bmqtt_reconnect_config_t keeper_cfg;
static int announce;       /* a new connection: "online" is due */
static uint16_t online_id; /* its packet id: not a reading */
static uint32_t last_reading, readings;
static int started;

static uint32_t period(void)
{
    return board->period_ms ? board->period_ms : 10000u;
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    switch (ev->type) {
    case BMQTT_EVT_CONNACK:
        if (ev->status == BMQTT_OK) announce = 1;
        break;
    case BMQTT_EVT_MESSAGE:
        if (ev->message->offset != 0u) break; /* commands are short: ignore the rest of a long one */
        if (ev->message->payload.len == 6u && memcmp(ev->message->payload.ptr, "led on", 6) == 0) {
            board->led(board->ctx, 1);
        } else if (ev->message->payload.len == 7u && memcmp(ev->message->payload.ptr, "led off", 7) == 0) {
            board->led(board->ctx, 0);
        }
        break;
    case BMQTT_EVT_PUBLISH_DONE:
        if (ev->packet_id == online_id) {
            online_id = 0; /* ids are reused later */
        } else if (ev->status == BMQTT_OK) {
            readings++;
        }
        break;
    default:
        break;
    }
}

static const bmqtt_client_config_t client_cfg = {
    .tx_buf = tx_buf,
    .tx_size = sizeof tx_buf,
    .rx_buf = rx_buf,
    .rx_size = sizeof rx_buf,
    .inflight = inflight,
    .inflight_count = (uint16_t)(sizeof inflight / sizeof inflight[0]),
    .qos2_ids = qos2_ids,
    .qos2_count = (uint16_t)(sizeof qos2_ids / sizeof qos2_ids[0]),
    .on_event = on_event,
};

static bmqtt_status_t open_cb(void *user, const bmqtt_transport_t **tr, uint32_t now)
{
    (void)user;
    return board->open(board->ctx, tr, now);
}

static uint32_t random_cb(void *user)
{
    (void)user;
    return board->random ? board->random(board->ctx) : 0u;
}

int sensor_app_init(const sensor_app_board_t *b)
{
    if (b == NULL || b->open == NULL || b->led == NULL || b->temperature_dC == NULL || b->device_id == NULL ||
        strlen(b->device_id) > 40u) {
        return -1;
    }
    board = b;
    snprintf(topic_status, sizeof topic_status, "devices/%s/status", b->device_id);
    snprintf(topic_cmd, sizeof topic_cmd, "devices/%s/cmd", b->device_id);
    snprintf(topic_temp, sizeof topic_temp, "devices/%s/temperature", b->device_id);
    memset(&fields, 0, sizeof fields);
    fields.client_id = bmqtt_view_str(b->device_id);
    fields.clean_session = 1u;
    fields.keepalive_s = b->keepalive_s ? b->keepalive_s : 60u;
    fields.will_topic = bmqtt_view_str(topic_status);
    fields.will_payload = bmqtt_view_str("offline");
    fields.will_qos = 1u;
    fields.will_retain = 1u;
    subscription.filter = bmqtt_view_str(topic_cmd);
    subscription.qos = 1u;
    if (bmqtt_client_init(&client, &client_cfg) != BMQTT_OK) return -1;
    /* QoS 1 messages are copied: the payload below can be reused at once. */
    (void)bmqtt_client_set_outbox(&client, outbox, sizeof outbox);
    memset(&keeper_cfg, 0, sizeof keeper_cfg);
    keeper_cfg.client = &client;
    keeper_cfg.connect = &fields;
    keeper_cfg.open = open_cb;
    keeper_cfg.random = random_cb;
    keeper_cfg.min_backoff_ms = 1000u;
    keeper_cfg.max_backoff_ms = 30000u;
    if (bmqtt_reconnect_init(&keeper, &keeper_cfg) != BMQTT_OK) return -1;
    bmqtt_reconnect_set_subscriptions(&keeper, &subscription, 1u); /* again after every reconnect */
    announce = 0;
    readings = 0;
    started = 0;
    return 0;
}

bmqtt_status_t sensor_app_step(uint32_t now)
{
    bmqtt_status_t st = bmqtt_reconnect_poll(&keeper, now);
    if (st != BMQTT_OK) return st;
    if (announce) {
        bmqtt_publish_t online = { .topic = bmqtt_view_str(topic_status), .payload = bmqtt_view_str("online"),
                                   .qos = 1u, .retain = 1u };
        if (bmqtt_client_publish(&client, &online, &online_id) == BMQTT_OK) announce = 0;
    }
    if (!started || now - last_reading >= period()) {
        char value[16];
        int32_t t = board->temperature_dC(board->ctx);
        int32_t a = t < 0 ? -t : t;
        int n = snprintf(value, sizeof value, "%s%ld.%ld", t < 0 ? "-" : "", (long)(a / 10), (long)(a % 10));
        bmqtt_publish_t reading = { .topic = bmqtt_view_str(topic_temp), .qos = 1u };
        reading.payload.ptr = (const uint8_t *)value; /* copied into the outbox by publish */
        reading.payload.len = n > 0 ? (size_t)n : 0u;
        if (bmqtt_client_publish(&client, &reading, NULL) == BMQTT_OK) {
            last_reading = now;
            started = 1;
        }
    }
    return BMQTT_OK;
}

bmqtt_client_t *sensor_app_client(void)
{
    return &client;
}

uint32_t sensor_app_readings(void)
{
    return readings;
}
