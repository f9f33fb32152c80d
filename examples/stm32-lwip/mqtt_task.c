/*
 * examples/stm32-lwip: an MQTT task on FreeRTOS + lwIP (STM32CubeMX's LWIP middleware),
 * through bmqtt's port/lwip; with EXAMPLE_TLS=1, through port/mbedtls over it.
 *
 * The device logic is examples/common/sensor_app.c (shared with the bare-metal example
 * and run by the tests against mosquitto): it connects and reconnects, announces itself
 * with a retained "online" and a will of "offline", follows its command topic ("led on" /
 * "led off") and publishes its temperature every 10 s. This file is the FreeRTOS + lwIP
 * sockets board around it; the task sleeps in bmqtt_lwip_wait() between steps.
 *
 * Everything is static: no malloc anywhere (mbedTLS, with TLS, runs on a static pool).
 * Only lwIP's OS layer is used (sys_thread_new, sys_msleep, sys_now), which lwIP's
 * FreeRTOS port implements.
 */
#ifndef EXAMPLE_TLS
#define EXAMPLE_TLS 0
#endif

#include <string.h>

#include "lwip/opt.h"
#include "lwip/sys.h"

#include "bmqtt/client.h"
#include "bmqtt_lwip.h"
#include "mqtt_task.h"
#include "sensor_app.h"
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

#define MQTT_TASK_STACK (EXAMPLE_TLS ? 6144 : 2048) /* bytes; mbedTLS's handshake wants more */
#define MQTT_TASK_PRIO 2

#if EXAMPLE_TLS
/* The broker's CA, PEM with its terminating NUL (e.g. generated from ca.pem with xxd -i). */
extern const uint8_t broker_ca_pem[];
extern const size_t broker_ca_pem_len;
/* mbedTLS's heap: certificate parsing and two 4 KB records (docs/TLS.md gives the sizes). */
static uint8_t tls_pool[40 * 1024];
static bmqtt_tls_t tls;
#endif

static bmqtt_lwip_t sock; /* zeroed: no socket */
static bmqtt_transport_t tcp_tr;

/* TCP (and TLS) up to the point where MQTT can start. */
static bmqtt_status_t board_open(void *ctx, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    bmqtt_status_t st;
    (void)ctx;
    (void)now_ms;
    if (!board_network_ready()) {
        return BMQTT_WOULD_BLOCK; /* asked again on the next step */
    }
    st = bmqtt_lwip_connect(&sock, BROKER_HOST, (uint16_t)BROKER_PORT, 10000u);
    if (st != BMQTT_OK) {
        return st;
    }
    bmqtt_lwip_transport(&sock, &tcp_tr);
    *tr = &tcp_tr;
#if EXAMPLE_TLS
    {
        static bmqtt_transport_t tls_tr;
        static int tls_ready;
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
            st = bmqtt_tls_setup(&tls, &cfg, &tcp_tr);
            if (st == BMQTT_OK) {
                tls_ready = 1;
            }
        } else {
            st = bmqtt_tls_reset(&tls); /* a new handshake on the new connection */
        }
        if (st != BMQTT_OK) {
            bmqtt_lwip_close(&sock);
            return st;
        }
        bmqtt_tls_transport(&tls, &tls_tr); /* the handshake runs inside the client's first polls */
        *tr = &tls_tr;
    }
#endif
    return BMQTT_OK;
}

static void app_led(void *ctx, int on)
{
    (void)ctx;
    board_led(on);
}

static int32_t app_temperature(void *ctx)
{
    (void)ctx;
    return board_temperature_dC();
}

static uint32_t app_random(void *ctx)
{
    uint32_t r = 0;
    size_t n = 0;
    (void)ctx;
    (void)board_trng(NULL, (unsigned char *)&r, sizeof r, &n);
    return r;
}

static const sensor_app_board_t board = {
    .open = board_open,
    .random = app_random,
    .led = app_led,
    .temperature_dC = app_temperature,
    .device_id = DEVICE_ID,
    .period_ms = 10000u,
};

static void mqtt_task(void *arg)
{
    (void)arg;
#if EXAMPLE_TLS
    (void)bmqtt_tls_pool_init(tls_pool, sizeof tls_pool);
#endif
    if (sensor_app_init(&board) != 0) {
        LWIP_PLATFORM_DIAG(("mqtt: bad configuration\n"));
        return;
    }
    for (;;) {
        uint32_t now = bmqtt_lwip_now_ms();
        bmqtt_client_t *c = sensor_app_client();
        uint32_t wait;
        (void)sensor_app_step(now);
#if EXAMPLE_TLS
        if (bmqtt_tls_pending(&tls)) {
            continue; /* decrypted bytes are waiting in mbedTLS: no need to sleep */
        }
#endif
        /* Sleep until the broker sends something, we can send, or a timer is due (at most 100 ms). */
        wait = bmqtt_client_sleep_ms(c, now);
        if (bmqtt_lwip_fd(&sock) < 0) {
            sys_msleep(wait < 100u ? wait : 100u); /* no socket: a reconnect pause */
        } else {
            (void)bmqtt_lwip_wait(&sock, !bmqtt_client_tx_idle(c), wait < 100u ? wait : 100u);
        }
    }
}

void mqtt_example_start(void)
{
    (void)sys_thread_new("mqtt", mqtt_task, NULL, MQTT_TASK_STACK, MQTT_TASK_PRIO);
}
