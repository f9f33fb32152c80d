/*
 * One pass of a NO_SYS=1 main loop: received frames into lwIP, lwIP's timers,
 * then the MQTT device, which sends what lwIP will take and reads what it
 * received. Nothing here blocks; on an MCU, __WFI() between passes saves power
 * (the Ethernet and SysTick interrupts wake it).
 */
#include "superloop.h"

#include <stddef.h>

#include "lwip/timeouts.h"
#include "lwip/sys.h"

#include "bmqtt_lwip_raw.h"
#include "sensor_app.h"

static uint8_t ring[3072]; /* received bytes waiting for the client: a whole TCP_WND (2920) of lwipopts.h */
static bmqtt_lwip_raw_t tcp;
static bmqtt_transport_t tr;
static const char *broker_host;
static uint16_t broker_port;

static bmqtt_status_t net_start(void *ctx)
{
    (void)ctx;
    return bmqtt_lwip_raw_connect_start(&tcp, broker_host, broker_port, 5000u);
}

static bmqtt_status_t net_status(void *ctx, const bmqtt_transport_t **t)
{
    bmqtt_status_t st = bmqtt_lwip_raw_connect_status(&tcp);
    (void)ctx;
    if (st == BMQTT_OK) {
        bmqtt_lwip_raw_transport(&tcp, &tr);
        *t = &tr;
    } else if (st != BMQTT_WOULD_BLOCK) {
        bmqtt_lwip_raw_close(&tcp); /* the failed attempt's state, not a connection */
    }
    return st;
}

static const sensor_net_t net = { net_start, net_status, NULL };
static sensor_app_config_t app;

void superloop_init(const char *host, uint16_t port, const char *device_id, uint32_t period_ms)
{
    broker_host = host;
    broker_port = port;
    (void)bmqtt_lwip_raw_init(&tcp, ring, sizeof ring);
    app.device_id = device_id;
    app.period_ms = period_ms;
    app.backoff_max_ms = 8000u;
    app.read_dC = board_temperature_dC;
    app.led = board_led;
    sensor_app_init(&app, &net);
}

void superloop_step(struct netif *netif)
{
    ethernetif_input(netif);
    sys_check_timeouts();
    sensor_app_poll(sys_now());
}
