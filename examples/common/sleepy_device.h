/*
 * A battery device that sleeps between readings, and whose every wake is a
 * reset (ESP32 deep sleep keeps only RTC memory; STM32 standby keeps only the
 * backup SRAM). Each wake: resume the MQTT session from retained memory,
 * connect (clean session 0), publish the reading at QoS 1, wait for its
 * acknowledgement and for any message a previous wake left open, disconnect,
 * and go back to sleep. A reset at any instant (the battery, the watchdog)
 * loses nothing that a wake reported published: the next wake resends it.
 *
 * Everything is static: no malloc. The board places sleepy_retained_t where a
 * reset keeps it (docs/PORTING.md shows ESP32's RTC_NOINIT_ATTR and an STM32
 * .noinit section in backup SRAM).
 */
#ifndef EXAMPLE_SLEEPY_DEVICE_H
#define EXAMPLE_SLEEPY_DEVICE_H

#include <stdint.h>

#include "bmqtt/client.h"
#include "bmqtt/persist.h"

#define SLEEPY_SLOTS 4  /* readings that may be open at once (a broker that stays away) */
#define SLEEPY_DATA 256 /* their topics and payloads */

/** What survives a reset: the application's counter and the session. */
typedef struct sleepy_retained {
    uint32_t magic;  /* SLEEPY_MAGIC once the counter below means something */
    uint32_t wakes;  /* wakes so far: the number of the next reading */
    uint32_t session[(BMQTT_RETAINED_SIZE(SLEEPY_SLOTS, 4, SLEEPY_DATA) + 3) / 4];
} sleepy_retained_t;

/** What the board provides. */
typedef struct sleepy_board {
    /** Open TCP (and TLS) to the broker: BMQTT_OK and *tr set, or an error (this wake gives up). */
    bmqtt_status_t (*open)(void *ctx, const bmqtt_transport_t **tr);
    /** Wait for the network (or just return) at most @p ms. */
    void (*wait)(void *ctx, uint32_t ms);
    uint32_t (*now_ms)(void *ctx);
    /** A reading, in tenths of a degree. */
    int32_t (*temperature_dC)(void *ctx);
    /** Called once the reading is published (durable): the next reset cannot lose it. */
    void (*published)(void *ctx, uint32_t reading);
    void *ctx;
    const char *device_id; /**< Client id and topic prefix (at most 40 bytes). */
    sleepy_retained_t *retained;
    uint32_t awake_ms;     /**< Longest wake; 0: 10 s. */
} sleepy_board_t;

/**
 * @brief One wake, from reset to the moment the board may sleep.
 * @return BMQTT_OK when every message was acknowledged; otherwise why not (the
 *         open ones stay in retained memory for the next wake).
 */
bmqtt_status_t sleepy_device_wake(const sleepy_board_t *board);

#endif /* EXAMPLE_SLEEPY_DEVICE_H */
