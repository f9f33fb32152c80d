/*
 * The superloop of examples/stm32-baremetal: lwIP with NO_SYS=1 and the sensor
 * device of examples/common/sensor_app.c over bmqtt's lwIP raw-API port.
 */
#ifndef SUPERLOOP_H
#define SUPERLOOP_H

#include <stdint.h>

#include "bmqtt/status.h"
#include "lwip/netif.h"

/* The netif driver's input function, as STM32CubeMX's ethernetif.h declares
 * it for NO_SYS=1: hands every received frame to lwIP, returns when none is left. */
void ethernetif_input(struct netif *netif);

/* The board (main.c's board.c on the target, the test on a PC). */
int32_t board_temperature_dC(void); /* tenths of a degree Celsius */
void board_led(int on);
uint32_t board_random(void);        /* the RNG peripheral; also lwIP's LWIP_RAND() */

/* Connect to host:port (an address, or a name with LWIP_DNS=1) as device_id, one
 * reading every period_ms. Call once, after lwip_init() and netif_add().
 * 0 on success, -1 for a bad argument. */
int superloop_init(const char *host, uint16_t port, const char *device_id, uint32_t period_ms);

/* One pass of the main loop: frames in, lwIP's timers, the MQTT device.
 * BMQTT_OK while connected, BMQTT_WOULD_BLOCK while (re)connecting. */
bmqtt_status_t superloop_step(struct netif *netif);

#endif /* SUPERLOOP_H */
