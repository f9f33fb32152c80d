/*
 * examples/stm32-lwip: an MQTT task for FreeRTOS + lwIP through bmqtt's port/lwip.
 *
 * Call mqtt_example_start() once lwIP runs (after STM32CubeMX's MX_LWIP_Init(), e.g. from
 * the default task). The board supplies the functions declared below.
 */
#ifndef EXAMPLE_MQTT_TASK_H
#define EXAMPLE_MQTT_TASK_H

#include <stddef.h>
#include <stdint.h>

/** Start the MQTT task (lwIP's sys_thread_new(), i.e. xTaskCreate() on FreeRTOS). */
void mqtt_example_start(void);

/* ---- provided by the board ---- */
/** 1 once the netif is up with an address (DHCP bound or static). */
int board_network_ready(void);
/** Switch the user LED (a command received over MQTT). */
void board_led(int on);
/** A reading to publish, e.g. the MCU's temperature sensor, in tenths of a degree. */
int32_t board_temperature_dC(void);
/** Fill @p out from the TRNG (HAL_RNG_GenerateRandomNumber); 0 on success. TLS only. */
int board_trng(void *ctx, unsigned char *out, size_t len, size_t *olen);
/** Seconds since 1970 from SNTP or an RTC, negative while unknown. TLS only. */
int64_t board_unix_time(void *ctx);

#endif /* EXAMPLE_MQTT_TASK_H */
