/*
 * The sensor firmware for mps2-an386: examples/common/sensor_app.c in the
 * superloop of examples/stm32-baremetal, on the board's LAN9118 and lwIP.
 *
 * Its serial port (UART0) is its console: connection changes, commands and
 * readings are printed there. The broker, client id and period come from the
 * command line QEMU passes through semihosting (boards/mps2-an386/run.py):
 *   --port N (1883)  --host ADDR (10.0.2.100, the host's brokers)  --id ID  --period MS
 * The temperature is a counter that starts at 20.0 and rises 0.1 per reading, so a
 * subscriber can tell that readings arrive in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "net.h"
#include "sensor_app.h"
#include "superloop.h"

static int32_t next_dC = 200;
static char host[64] = NET_HOST_BROKERS, id[48] = "mps2-sensor-01";
static uint16_t port = 1883;
static uint32_t period_ms = 1000;

static void say(const char *s)
{
    board_uart_write((const uint8_t *)s, strlen(s));
}

int32_t board_temperature_dC(void)
{
    return next_dC++;
}

void board_led(int on)
{
    say(on ? "sensor: led on\r\n" : "sensor: led off\r\n");
}

/* "--name value" pairs of the command line (other words are skipped). */
static void options(void)
{
    static char line[512];
    char *argv[32], *save = NULL, *tok;
    int argc = 0, i;
    strncpy(line, board_cmdline(), sizeof line - 1u);
    for (tok = strtok_r(line, " ", &save); tok != NULL && argc < 32; tok = strtok_r(NULL, " ", &save)) {
        argv[argc++] = tok;
    }
    for (i = 0; i + 1 < argc; i++) {
        const char *val = argv[i + 1];
        if (strcmp(argv[i], "--port") == 0) {
            port = (uint16_t)strtoul(val, NULL, 10);
        } else if (strcmp(argv[i], "--host") == 0) {
            strncpy(host, val, sizeof host - 1u);
        } else if (strcmp(argv[i], "--id") == 0) {
            strncpy(id, val, sizeof id - 1u);
        } else if (strcmp(argv[i], "--period") == 0) {
            period_ms = (uint32_t)strtoul(val, NULL, 10);
        } else {
            continue;
        }
        i++;
    }
}

int main(void)
{
    bmqtt_status_t last = BMQTT_WOULD_BLOCK;
    uint32_t readings = 0;
    char msg[96];
    board_init();
    options();
    say("\r\nsensor: boot\r\n");
    if (net_start() != 0 || superloop_init(host, port, id, period_ms) != 0) {
        say("sensor: start failed\r\n");
        return 1;
    }
    for (;;) {
        bmqtt_status_t st = superloop_step(&net_if);
        if (st != last) {
            say(st == BMQTT_OK ? "sensor: connected\r\n" : "sensor: connecting\r\n");
            last = st;
        }
        if (sensor_app_readings() != readings) {
            readings = sensor_app_readings();
            snprintf(msg, sizeof msg, "sensor: %lu readings, stack %u of %u B\r\n", (unsigned long)readings,
                     (unsigned)board_stack_used(), (unsigned)board_stack_size());
            say(msg);
        }
        board_idle();
    }
}
