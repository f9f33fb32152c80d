/*
 * A sensor device's MQTT logic, the same on every board and transport: it keeps
 * a session up (bmqtt's reconnect helper), announces itself with a retained
 * "online" (and a will of "offline"), follows its command topic ("led on" /
 * "led off") and publishes a reading every period. The STM32 examples (FreeRTOS
 * with lwIP sockets, and a bare-metal lwIP raw-API superloop) and the tests on a
 * PC run this one file; only sensor_app_board_t differs.
 *
 * Everything is static: no malloc.
 */
#ifndef EXAMPLE_SENSOR_APP_H
#define EXAMPLE_SENSOR_APP_H

#include <stdint.h>

#include "bmqtt/client.h"

/** What the board provides. */
typedef struct sensor_app_board {
    /** Open TCP (and TLS) to the broker: BMQTT_OK with *tr set, BMQTT_WOULD_BLOCK, or an error. */
    bmqtt_status_t (*open)(void *ctx, const bmqtt_transport_t **tr, uint32_t now_ms);
    /** Random numbers for the reconnect jitter (a TRNG); may be NULL. */
    uint32_t (*random)(void *ctx);
    /** Switch the LED (a command received over MQTT). */
    void (*led)(void *ctx, int on);
    /** A reading, in tenths of a degree. */
    int32_t (*temperature_dC)(void *ctx);
    void *ctx;
    const char *device_id;   /**< Client id and topic prefix, e.g. "stm32-demo-01" (at most 40 bytes). */
    uint32_t period_ms;      /**< Between readings; 0: 10 s. */
    uint16_t keepalive_s;    /**< 0: 60 s. */
} sensor_app_board_t;

/** @brief Start the application on @p board (which must outlive it). 0 on success. */
int sensor_app_init(const sensor_app_board_t *board);

/**
 * @brief One step of the main loop: drives the session, reconnects, publishes
 *        the reading when due. Call it often (every few ms, or when the network
 *        has data); it never blocks.
 * @return BMQTT_OK while connected, BMQTT_WOULD_BLOCK while (re)connecting.
 */
bmqtt_status_t sensor_app_step(uint32_t now_ms);

/** @brief The client, for waits (bmqtt_client_sleep_ms(), tx_idle) and statistics. */
bmqtt_client_t *sensor_app_client(void);

/** @brief Readings published and acknowledged so far. */
uint32_t sensor_app_readings(void);

#endif /* EXAMPLE_SENSOR_APP_H */
