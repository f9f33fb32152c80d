/* A Cortex-M4 firmware's use of bmqtt (bmqtt::bmqtt, bmqtt::at): it links for the MCU with
 * newlib's nosys stubs. Never run; the test checks the ELF's machine and that bmqtt is in it. */
#include <stdint.h>

#include "bmqtt/at.h"
#include "bmqtt/client.h"

static uint8_t tx[512], rx[512], raw[256];
static bmqtt_inflight_t inflight[4];
static uint16_t qos2[4];
static bmqtt_at_t at;

static void uart_write(void *user, const uint8_t *buf, size_t len)
{
    volatile uint32_t *const dr = (volatile uint32_t *)user;
    while (len--) *dr = *buf++;
}

static bmqtt_status_t net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    (void)user; (void)req; (void)tr; (void)now_ms;
    return BMQTT_ERR_DNS;
}

int main(void)
{
    static const bmqtt_at_config_t cfg = { .write = uart_write, .open = net_open, .tx_buf = tx,
        .tx_size = sizeof tx, .rx_buf = rx, .rx_size = sizeof rx, .inflight = inflight,
        .inflight_count = 4, .qos2_ids = qos2, .qos2_count = 4, .raw_buf = raw, .raw_size = sizeof raw,
        .user = (void *)0x40004000u };
    uint32_t t = 0;
    if (bmqtt_at_init(&at, &cfg) != BMQTT_OK) return 1;
    for (;;) bmqtt_at_poll(&at, t++);
}
