/*
 * One pass of a NO_SYS=1 main loop: received frames into lwIP, lwIP's timers,
 * then the device (examples/common/sensor_app.c, the same logic as the FreeRTOS
 * example's), which sends what lwIP will take and reads what it received.
 * Nothing here blocks; on an MCU, __WFI() between passes saves power (the
 * Ethernet and SysTick interrupts wake it).
 */
#include "superloop.h"

#include <stddef.h>

#include "lwip/sys.h"
#include "lwip/timeouts.h"

#include "bmqtt_lwip_raw.h"
#include "sensor_app.h"

static uint8_t ring[3072]; /* received bytes waiting for the client: a whole TCP_WND (2920) of lwipopts.h */
static bmqtt_lwip_raw_t tcp; /* zeroed: no connection */
static bmqtt_transport_t tcp_tr;
static const char *broker_host;
static uint16_t broker_port;
static int connecting;

/* bmqtt_reconnect (through sensor_app.c) asks for a connection and calls again while it is under way. */
static bmqtt_status_t board_open(void *ctx, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    bmqtt_status_t st;
    (void)ctx;
    (void)now_ms;
    if (!connecting) {
        st = bmqtt_lwip_raw_connect_start(&tcp, broker_host, broker_port, 5000u);
        if (st != BMQTT_WOULD_BLOCK) {
            return st; /* refused at once: no route, no PCB, a name that cannot resolve */
        }
        connecting = 1;
    }
    st = bmqtt_lwip_raw_connect_status(&tcp);
    if (st == BMQTT_WOULD_BLOCK) {
        return st;
    }
    connecting = 0;
    if (st != BMQTT_OK) {
        bmqtt_lwip_raw_close(&tcp); /* the failed attempt's state; the ring stays */
        return st;
    }
    bmqtt_lwip_raw_transport(&tcp, &tcp_tr);
    *tr = &tcp_tr;
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
    (void)ctx;
    return board_random();
}

static sensor_app_board_t board = {
    .open = board_open,
    .random = app_random,
    .led = app_led,
    .temperature_dC = app_temperature,
};

int superloop_init(const char *host, uint16_t port, const char *device_id, uint32_t period_ms)
{
    broker_host = host;
    broker_port = port;
    connecting = 0;
    if (bmqtt_lwip_raw_init(&tcp, ring, sizeof ring) != BMQTT_OK) {
        return -1;
    }
    board.device_id = device_id;
    board.period_ms = period_ms;
    return sensor_app_init(&board);
}

bmqtt_status_t superloop_step(struct netif *netif)
{
    ethernetif_input(netif);
    sys_check_timeouts();
    return sensor_app_step(sys_now());
}
