/*
 * The sensor device of the examples (sensor_app.h): a state machine that
 * never waits, driven by sensor_app_poll() from a superloop or a task.
 *
 * Topics: devices/<id>/status ("online", retained; will "offline"),
 * devices/<id>/cmd (subscribed, QoS 1), devices/<id>/temperature (QoS 1,
 * "seq=<n> t=<degrees>"). The MQTT calls are in the small functions at the
 * top of the file, the connection logic below them.
 */
#include "sensor_app.h"

#include <stdio.h>
#include <string.h>

#include "bmqtt/client.h"

#define TOPIC_MAX 64

enum { APP_START, APP_NET_WAIT, APP_MQTT_WAIT, APP_RUN, APP_BACKOFF };

static const sensor_app_config_t *cfg;
static const sensor_net_t *net;
static sensor_app_stats_t stats;
static bmqtt_client_t client;
static uint8_t tx_buf[512];
static uint8_t rx_buf[512];
static bmqtt_inflight_t inflight[4];
static uint16_t qos2_ids[8];
static char topic_status[TOPIC_MAX], topic_cmd[TOPIC_MAX], topic_temp[TOPIC_MAX];
/* A QoS 1 reading is sent from here: it must live until on_publish_done. */
static char reading[40];
static uint16_t reading_id; /* 0: the buffer is free */
static uint32_t seq;
static uint8_t state, announced, subscribed;
static uint32_t last_reading_ms, backoff_ms, backoff_since_ms;

/* ---- MQTT: the session's few calls ---- */

static void on_message(const bmqtt_message_t *msg)
{
    if (msg->offset != 0u) {
        return; /* commands are short: the rest of a long payload is ignored */
    }
    stats.commands++;
    if (msg->payload.len == 4u && memcmp(msg->payload.ptr, "stop", 4) == 0) {
        stats.stop = 1u;
    } else if (cfg->led != NULL && msg->payload.len == 6u && memcmp(msg->payload.ptr, "led on", 6) == 0) {
        cfg->led(1);
    } else if (cfg->led != NULL && msg->payload.len == 7u && memcmp(msg->payload.ptr, "led off", 7) == 0) {
        cfg->led(0);
    }
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    switch (ev->type) {
    case BMQTT_EVT_MESSAGE:
        on_message(ev->message);
        break;
    case BMQTT_EVT_SUBACK:
        subscribed = (uint8_t)(ev->status == BMQTT_OK && ev->codes.len == 1u && ev->codes.ptr[0] != BMQTT_SUBACK_FAILURE);
        break;
    case BMQTT_EVT_PUBLISH_DONE:
        if (ev->packet_id == reading_id) {
            reading_id = 0u; /* acknowledged or dropped: the buffer is free */
            if (ev->status == BMQTT_OK) {
                stats.acked++;
            }
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

static bmqtt_status_t mqtt_begin(const bmqtt_transport_t *tr, uint32_t now_ms)
{
    bmqtt_connect_t fields;
    memset(&fields, 0, sizeof fields);
    fields.client_id = bmqtt_view_str(cfg->device_id);
    fields.clean_session = 1u;
    fields.keepalive_s = 30u;
    fields.will_topic = bmqtt_view_str(topic_status);
    fields.will_payload = bmqtt_view_str("offline");
    fields.will_qos = 1u;
    fields.will_retain = 1u;
    announced = 0u;
    subscribed = 0u;
    reading_id = 0u; /* a clean session forgets what was in flight */
    return bmqtt_client_connect(&client, tr, &fields, now_ms);
}

/* "online" (retained) and the command subscription; 1 once both are queued. */
static int mqtt_announce(void)
{
    bmqtt_subscription_t sub;
    bmqtt_publish_t pub;
    memset(&pub, 0, sizeof pub);
    pub.topic = bmqtt_view_str(topic_status);
    pub.payload = bmqtt_view_str("online");
    pub.qos = 1u;
    pub.retain = 1u;
    sub.filter = bmqtt_view_str(topic_cmd);
    sub.qos = 1u;
    if (announced == 0u && bmqtt_client_publish(&client, &pub, NULL) == BMQTT_OK) {
        announced = 1u;
    }
    if (announced == 1u && bmqtt_client_subscribe(&client, &sub, 1u, NULL) == BMQTT_OK) {
        announced = 2u;
    }
    return announced == 2u;
}

static int mqtt_publish_reading(void)
{
    bmqtt_publish_t pub;
    int32_t t = cfg->read_dC != NULL ? cfg->read_dC() : 0;
    int32_t a = t < 0 ? -t : t;
    int n = snprintf(reading, sizeof reading, "seq=%lu t=%s%ld.%ld", (unsigned long)seq, t < 0 ? "-" : "",
                     (long)(a / 10), (long)(a % 10));
    memset(&pub, 0, sizeof pub);
    pub.topic = bmqtt_view_str(topic_temp);
    pub.payload.ptr = (const uint8_t *)reading;
    pub.payload.len = n > 0 ? (size_t)n : 0u;
    pub.qos = 1u;
    if (bmqtt_client_publish(&client, &pub, &reading_id) != BMQTT_OK) {
        reading_id = 0u;
        return 0; /* busy: try again on the next pass */
    }
    seq++;
    stats.published++;
    return 1;
}

/* ---- the connection's life ---- */

static void failed(bmqtt_status_t st, uint32_t now_ms)
{
    stats.failures++;
    stats.last_error = (int32_t)st;
    backoff_since_ms = now_ms;
    backoff_ms = backoff_ms == 0u ? 500u : backoff_ms * 2u;
    if (backoff_ms > cfg->backoff_max_ms) {
        backoff_ms = cfg->backoff_max_ms;
    }
    state = APP_BACKOFF;
}

void sensor_app_init(const sensor_app_config_t *c, const sensor_net_t *n)
{
    cfg = c;
    net = n;
    memset(&stats, 0, sizeof stats);
    (void)snprintf(topic_status, sizeof topic_status, "devices/%s/status", c->device_id);
    (void)snprintf(topic_cmd, sizeof topic_cmd, "devices/%s/cmd", c->device_id);
    (void)snprintf(topic_temp, sizeof topic_temp, "devices/%s/temperature", c->device_id);
    (void)bmqtt_client_init(&client, &client_cfg);
    backoff_ms = 0u;
    state = APP_START;
}

void sensor_app_poll(uint32_t now_ms)
{
    const bmqtt_transport_t *tr = NULL;
    bmqtt_status_t st;

    switch (state) {
    case APP_START:
        st = net->start(net->ctx);
        if (st == BMQTT_OK || st == BMQTT_WOULD_BLOCK) {
            state = APP_NET_WAIT;
        } else {
            failed(st, now_ms);
        }
        break;
    case APP_NET_WAIT:
        st = net->status(net->ctx, &tr);
        if (st == BMQTT_OK && tr != NULL) {
            st = mqtt_begin(tr, now_ms);
            if (st != BMQTT_OK && tr->close != NULL) {
                tr->close(tr->ctx);
            }
            state = APP_MQTT_WAIT;
        }
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
            failed(st, now_ms);
        }
        break;
    case APP_MQTT_WAIT:
    case APP_RUN:
        st = bmqtt_client_poll(&client, now_ms);
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
            failed(st, now_ms); /* the client has closed the transport */
            break;
        }
        if (st == BMQTT_OK && state == APP_MQTT_WAIT) {
            stats.sessions++;
            backoff_ms = 0u;
            last_reading_ms = now_ms - cfg->period_ms;
            state = APP_RUN;
        }
        if (state == APP_RUN && mqtt_announce() && subscribed && reading_id == 0u &&
            (uint32_t)(now_ms - last_reading_ms) >= cfg->period_ms && mqtt_publish_reading()) {
            last_reading_ms = now_ms;
        }
        break;
    default: /* APP_BACKOFF */
        if ((uint32_t)(now_ms - backoff_since_ms) >= backoff_ms) {
            state = APP_START;
        }
        break;
    }
}

const sensor_app_stats_t *sensor_app_stats(void)
{
    return &stats;
}
