/*
 * The sensor device of the examples: connect, announce, subscribe to commands,
 * publish readings, reconnect after any failure. A non-blocking state machine
 * over any bmqtt transport: the network below it (TCP, TLS over TCP) is reached
 * through the three functions of sensor_net_t, so a superloop (this folder) and
 * an RTOS task can both run it. Everything is static; nothing is allocated.
 */
#ifndef SENSOR_APP_H
#define SENSOR_APP_H

#include <stdint.h>

#include "bmqtt/status.h"
#include "bmqtt/transport.h"

/* The network under MQTT. Each call returns at once. */
typedef struct sensor_net {
    /* Begin a connection: BMQTT_WOULD_BLOCK (under way), BMQTT_OK, or an error. */
    bmqtt_status_t (*start)(void *ctx);
    /* BMQTT_OK once connected (then *tr is the transport for the client),
     * BMQTT_WOULD_BLOCK while connecting, an error when the attempt failed. */
    bmqtt_status_t (*status)(void *ctx, const bmqtt_transport_t **tr);
    void *ctx;
} sensor_net_t;

typedef struct sensor_app_config {
    const char *device_id;      /* client id and topic level: devices/<id>/... */
    uint32_t period_ms;         /* one reading every period */
    uint32_t backoff_max_ms;    /* pause before a reconnect grows from 500 ms up to this */
    int32_t (*read_dC)(void);   /* the sensor, in tenths of a degree Celsius */
    void (*led)(int on);        /* "led on" / "led off" commands; may be NULL */
} sensor_app_config_t;

/* What the device did so far (for logs and the tests). */
typedef struct sensor_app_stats {
    uint32_t sessions;      /* CONNACKs accepted */
    uint32_t failures;      /* connects or sessions that ended in an error */
    uint32_t published;     /* readings handed to the client */
    uint32_t acked;         /* readings the broker acknowledged (PUBACK) */
    uint32_t commands;      /* command messages received */
    int32_t last_error;     /* status that ended the last session, 0: none */
    uint8_t stop;           /* 1: a "stop" command arrived (used by the tests) */
} sensor_app_stats_t;

void sensor_app_init(const sensor_app_config_t *cfg, const sensor_net_t *net);
/* Run one step: connect, poll the client, publish when a reading is due. */
void sensor_app_poll(uint32_t now_ms);
const sensor_app_stats_t *sensor_app_stats(void);

#endif /* SENSOR_APP_H */
