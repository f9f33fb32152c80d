/*
 * The superloop of examples/stm32-baremetal: lwIP with NO_SYS=1 and the
 * sensor device (sensor_app.c) over bmqtt's lwIP raw-API port.
 */
#ifndef SUPERLOOP_H
#define SUPERLOOP_H

#include <stdint.h>

#include "lwip/netif.h"

/* The netif driver's input function, as STM32CubeMX's ethernetif.h declares
 * it for NO_SYS=1: hands every received frame to lwIP, returns when none is left. */
void ethernetif_input(struct netif *netif);

/* Sensor and LED of the board (main.c on the target, the test on a PC). */
int32_t board_temperature_dC(void);
void board_led(int on);

/* Connect to host:port (an address, or a name with LWIP_DNS=1) as device_id,
 * one reading every period_ms. Call once, after lwIP and the netif are up. */
void superloop_init(const char *host, uint16_t port, const char *device_id, uint32_t period_ms);

/* One pass of the main loop: frames in, lwIP's timers, the MQTT device. */
void superloop_step(struct netif *netif);

#endif /* SUPERLOOP_H */
