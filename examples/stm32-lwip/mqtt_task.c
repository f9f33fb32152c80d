/*
 * examples/stm32-lwip: an MQTT task on FreeRTOS + lwIP (STM32CubeMX's LWIP middleware),
 * through bmqtt's port/lwip; with EXAMPLE_TLS=1, through port/mbedtls over it.
 *
 * The task connects (and reconnects with a growing pause), announces itself with a
 * retained "online" message and a will of "offline", subscribes to its command topic,
 * switches the LED on "led on" / "led off", and publishes its temperature every 10 s.
 * It sleeps in bmqtt_lwip_wait() between polls, so it costs no CPU while idle.
 *
 * Everything is static: no malloc anywhere (mbedTLS, with TLS, runs on a static pool).
 * Only lwIP's OS layer is used (sys_thread_new, sys_msleep, sys_now), which lwIP's
 * FreeRTOS port implements.
 */
#ifndef EXAMPLE_TLS
#define EXAMPLE_TLS 0
#endif

#include <stdio.h>
#include <string.h>

#include "lwip/opt.h"
#include "lwip/sys.h"

#include "bmqtt/client.h"
#include "bmqtt_lwip.h"
#include "mqtt_task.h"
#if EXAMPLE_TLS
#include "bmqtt_tls.h"
#endif

#ifndef BROKER_HOST
#define BROKER_HOST "broker.example.com"   /* a name needs LWIP_DNS=1; an address always works */
#endif
#ifndef BROKER_PORT
#define BROKER_PORT (EXAMPLE_TLS ? 8883u : 1883u)
#endif
#ifndef DEVICE_ID
#define DEVICE_ID "stm32-demo-01"
#endif
#define TOPIC_STATUS "devices/" DEVICE_ID "/status"
#define TOPIC_CMD "devices/" DEVICE_ID "/cmd"
#define TOPIC_TEMP "devices/" DEVICE_ID "/temperature"

#define MQTT_TASK_STACK (EXAMPLE_TLS ? 6144 : 2048) /* bytes; mbedTLS's handshake wants more */
#define MQTT_TASK_PRIO 2
#define PUBLISH_PERIOD_MS 10000u

#if EXAMPLE_TLS
/* The broker's CA, PEM with its terminating NUL (e.g. generated from ca.pem with xxd -i). */
extern const uint8_t broker_ca_pem[];
extern const size_t broker_ca_pem_len;
/* mbedTLS's heap: certificate parsing and two 4 KB records (docs/TLS.md gives the sizes). */
static uint8_t tls_pool[40 * 1024];
static bmqtt_tls_t tls;
#endif

static bmqtt_lwip_t sock;
static bmqtt_client_t client;
static uint8_t tx_buf[512];
static uint8_t rx_buf[512];
static bmqtt_inflight_t inflight[4];
static uint16_t qos2_ids[8];

/* Messages that leave with QoS 1 are sent from here: they must live until on_publish_done. */
static char temp_payload[16];
static uint16_t temp_packet_id;  /* 0 when temp_payload is free again */
static int subscribed;

static void on_message(void *user, const bmqtt_message_t *msg)
{
    (void)user;
    if (msg->offset != 0u) {
        return; /* commands are short: ignore the rest of a long payload */
    }
    if (msg->payload.len == 6u && memcmp(msg->payload.ptr, "led on", 6) == 0) {
        board_led(1);
    } else if (msg->payload.len == 7u && memcmp(msg->payload.ptr, "led off", 7) == 0) {
        board_led(0);
    }
}

static void on_suback(void *user, uint16_t packet_id, bmqtt_view_t codes)
{
    (void)user;
    (void)packet_id;
    subscribed = codes.len == 1u && codes.ptr[0] != BMQTT_SUBACK_FAILURE;
}

static void on_publish_done(void *user, uint16_t packet_id)
{
    (void)user;
    if (packet_id == temp_packet_id) {
        temp_packet_id = 0; /* temp_payload may be rewritten */
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
    .on_message = on_message,
    .on_suback = on_suback,
    .on_publish_done = on_publish_done,
};

/* TCP (and TLS) up to the point where MQTT can start; fills @p tr. */
static bmqtt_status_t open_transport(bmqtt_transport_t *tr)
{
    bmqtt_status_t st = bmqtt_lwip_connect(&sock, BROKER_HOST, (uint16_t)BROKER_PORT, 10000u);
    if (st != BMQTT_OK) {
        return st;
    }
    bmqtt_lwip_transport(&sock, tr);
#if EXAMPLE_TLS
    {
        static bmqtt_transport_t tcp;
        static int tls_ready;
        tcp = *tr;
        if (!tls_ready) {
            bmqtt_tls_config_t cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.host = BROKER_HOST;
            cfg.ca = broker_ca_pem;
            cfg.ca_len = broker_ca_pem_len;
            cfg.alpn[0] = "mqtt";
            cfg.max_fragment = 4096u;
            cfg.entropy = board_trng;
            cfg.now = board_unix_time;
            bmqtt_tls_init(&tls);
            st = bmqtt_tls_setup(&tls, &cfg, &tcp);
            if (st != BMQTT_OK) {
                bmqtt_lwip_close(&sock);
                return st;
            }
            tls_ready = 1;
        } else {
            st = bmqtt_tls_reset(&tls); /* a new handshake on the new connection */
            if (st != BMQTT_OK) {
                bmqtt_lwip_close(&sock);
                return st;
            }
        }
        /* The handshake runs inside the client's first polls. */
        bmqtt_tls_transport(&tls, tr);
    }
#endif
    return BMQTT_OK;
}

/* One session: from CONNECT until the connection ends. */
static bmqtt_status_t run_session(void)
{
    static bmqtt_transport_t tr;
    static const bmqtt_subscription_t sub = { BMQTT_VIEW_LIT(TOPIC_CMD), 1u };
    bmqtt_connect_t fields;
    bmqtt_publish_t pub;
    bmqtt_status_t st;
    uint32_t last_publish;
    int announced = 0;

    st = open_transport(&tr);
    if (st != BMQTT_OK) {
        return st;
    }
    memset(&fields, 0, sizeof fields);
    fields.client_id = bmqtt_view_str(DEVICE_ID);
    fields.clean_session = 1u;
    fields.keepalive_s = 60u;
    fields.will_topic = bmqtt_view_str(TOPIC_STATUS);
    fields.will_payload = bmqtt_view_str("offline");
    fields.will_qos = 1u;
    fields.will_retain = 1u;
    subscribed = 0;
    temp_packet_id = 0;
    st = bmqtt_client_connect(&client, &tr, &fields, bmqtt_lwip_now_ms());
    if (st != BMQTT_OK) {
        bmqtt_lwip_close(&sock);
        return st;
    }
    last_publish = bmqtt_lwip_now_ms() - PUBLISH_PERIOD_MS;

    for (;;) {
        uint32_t now = bmqtt_lwip_now_ms();
        st = bmqtt_client_poll(&client, now);
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
            return st; /* the client has closed the transport */
        }
        if (st == BMQTT_OK && !announced) {
            memset(&pub, 0, sizeof pub);
            pub.topic = bmqtt_view_str(TOPIC_STATUS);
            pub.payload = bmqtt_view_str("online");
            pub.qos = 1u;
            pub.retain = 1u;
            if (bmqtt_client_publish(&client, &pub, NULL) == BMQTT_OK &&
                bmqtt_client_subscribe(&client, &sub, 1u, NULL) == BMQTT_OK) {
                announced = 1;
            }
        }
        if (announced && subscribed && temp_packet_id == 0u && now - last_publish >= PUBLISH_PERIOD_MS) {
            int32_t t = board_temperature_dC();
            int32_t a = t < 0 ? -t : t;
            int n = snprintf(temp_payload, sizeof temp_payload, "%s%ld.%ld", t < 0 ? "-" : "", (long)(a / 10),
                             (long)(a % 10));
            memset(&pub, 0, sizeof pub);
            pub.topic = bmqtt_view_str(TOPIC_TEMP);
            pub.payload.ptr = (const uint8_t *)temp_payload;
            pub.payload.len = n > 0 ? (size_t)n : 0u;
            pub.qos = 1u;
            if (bmqtt_client_publish(&client, &pub, &temp_packet_id) == BMQTT_OK) {
                last_publish = now;
            }
        }
#if EXAMPLE_TLS
        if (bmqtt_tls_pending(&tls)) {
            continue; /* decrypted bytes are waiting in mbedTLS: no need to sleep */
        }
#endif
        /* Sleep until the broker sends something (or we can send), at most 100 ms. */
        (void)bmqtt_lwip_wait(&sock, !bmqtt_client_tx_idle(&client), 100u);
    }
}

static void mqtt_task(void *arg)
{
    uint32_t backoff_ms = 1000u;
    (void)arg;

#if EXAMPLE_TLS
    (void)bmqtt_tls_pool_init(tls_pool, sizeof tls_pool);
#endif
    (void)bmqtt_client_init(&client, &client_cfg);
    bmqtt_lwip_init(&sock);

    for (;;) {
        bmqtt_status_t st;
        while (!board_network_ready()) {
            sys_msleep(500u);
        }
        st = run_session();
        LWIP_PLATFORM_DIAG(("mqtt: session ended: %s (%d), lwIP errno %d; retry in %lu ms\n",
                            bmqtt_status_str(st), (int)st, sock.last_errno, (unsigned long)backoff_ms));
        sys_msleep(backoff_ms);
        backoff_ms = backoff_ms < 30000u ? backoff_ms * 2u : 30000u;
    }
}

void mqtt_example_start(void)
{
    (void)sys_thread_new("mqtt", mqtt_task, NULL, MQTT_TASK_STACK, MQTT_TASK_PRIO);
}
