/*
 * The sensor application the STM32 examples run (examples/common/sensor_app.c),
 * here on the POSIX port against a real mosquitto: tests/integration/run.sh
 * checks with mosquitto_sub that there is exactly one "online" per connection,
 * the readings, and that the command topic works ("led on").
 *
 *   itest_sensor <port> <device-id> <readings> [seconds]
 *
 * Prints "led 1" / "led 0" when a command arrives; exits 0 once <readings>
 * readings were acknowledged and a command was seen, after a graceful disconnect.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bmqtt_posix.h"
#include "sensor_app.h"

static bmqtt_posix_t sock; /* zeroed: no socket, nothing to close */
static bmqtt_transport_t tcp;
static uint16_t port;
static int leds;
static int32_t temp = 215;

static bmqtt_status_t board_open(void *ctx, const bmqtt_transport_t **tr, uint32_t now)
{
    bmqtt_status_t st;
    (void)ctx;
    (void)now;
    st = bmqtt_posix_connect(&sock, "127.0.0.1", port, 2000);
    if (st != BMQTT_OK) return st;
    bmqtt_posix_transport(&sock, &tcp);
    *tr = &tcp;
    return BMQTT_OK;
}

static void board_led(void *ctx, int on)
{
    (void)ctx;
    printf("led %d\n", on);
    fflush(stdout);
    leds++;
}

static int32_t board_temperature(void *ctx)
{
    (void)ctx;
    return temp++;
}

static uint32_t board_random(void *ctx)
{
    (void)ctx;
    return (uint32_t)rand();
}

int main(int argc, char **argv)
{
    sensor_app_board_t b = { board_open, board_random, board_led, board_temperature, NULL, NULL, 200u, 5u };
    uint32_t want, start;
    double limit;
    if (argc < 4) {
        fprintf(stderr, "usage: itest_sensor <port> <device-id> <readings> [seconds]\n");
        return 2;
    }
    port = (uint16_t)atoi(argv[1]);
    b.device_id = argv[2];
    want = (uint32_t)atoi(argv[3]);
    limit = argc > 4 ? atof(argv[4]) : 20.0;
    if (sensor_app_init(&b) != 0) return 2;
    start = bmqtt_posix_now_ms();
    while (sensor_app_readings() < want || leds == 0) {
        uint32_t now = bmqtt_posix_now_ms();
        uint32_t wait;
        (void)sensor_app_step(now);
        if (now - start > (uint32_t)(limit * 1000)) {
            fprintf(stderr, "itest_sensor: %u readings, %d commands after %.0f s\n", (unsigned)sensor_app_readings(),
                    leds, limit);
            return 1;
        }
        wait = bmqtt_client_sleep_ms(sensor_app_client(), now);
        (void)bmqtt_posix_wait(&sock, !bmqtt_client_tx_idle(sensor_app_client()), wait < 20u ? wait : 20u);
    }
    /* Report, then "sleep": a graceful end, so the broker publishes no will. */
    if (bmqtt_client_disconnect(sensor_app_client()) == BMQTT_WOULD_BLOCK) {
        while (bmqtt_client_poll(sensor_app_client(), bmqtt_posix_now_ms()) == BMQTT_WOULD_BLOCK) {
            (void)bmqtt_posix_wait(&sock, 1, 20u);
        }
    }
    printf("readings %u\n", (unsigned)sensor_app_readings());
    return bmqtt_client_last_error(sensor_app_client()).status == BMQTT_OK ? 0 : 1;
}
