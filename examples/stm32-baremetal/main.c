/*
 * examples/stm32-baremetal: an MQTT sensor on STM32 with lwIP and no RTOS
 * (STM32CubeMX: LWIP middleware, "Platform Settings" without FreeRTOS, so
 * NO_SYS=1), through bmqtt's lwIP raw-API port (port/lwip_raw).
 *
 * CubeMX generates MX_LWIP_Init() (lwip_init(), netif_add(&gnetif, ...,
 * ethernetif_init, ethernet_input), DHCP or a static address) and
 * ethernetif_input(); board.c (yours) wraps HAL_Init(), the clock tree, the
 * GPIOs and MX_LWIP_Init() into board_init(), and reads the sensor.
 * sys_now() is CubeMX's too (HAL_GetTick()). The device logic (connect, announce,
 * commands, readings, reconnect) is examples/common/sensor_app.c, which the
 * FreeRTOS sockets example runs too.
 */
#include <stdint.h>

#include "lwip/netif.h"

#include "superloop.h"

#ifndef BROKER_HOST
#define BROKER_HOST "192.168.1.10" /* a name needs LWIP_DNS=1 and a DNS server from DHCP */
#endif
#ifndef BROKER_PORT
#define BROKER_PORT 1883u
#endif
#ifndef DEVICE_ID
#define DEVICE_ID "stm32-baremetal-01"
#endif

extern struct netif gnetif; /* CubeMX's netif (lwip.c) */
void board_init(void);      /* HAL_Init(), SystemClock_Config(), MX_GPIO_Init(), MX_ETH_Init(), MX_LWIP_Init() */

int main(void)
{
    board_init();
    if (superloop_init(BROKER_HOST, (uint16_t)BROKER_PORT, DEVICE_ID, 10000u) != 0) {
        for (;;) {
        }
    }
    for (;;) {
        (void)superloop_step(&gnetif);
    }
}
