/* A CubeMX main.c with bmqtt's client: publishes over a transport that a real firmware would
 * take from port/lwip_raw; here it counts bytes into a buffer, so the image links alone. */
#include <stdint.h>
#include <string.h>

#include "bmqtt/client.h"

static uint8_t tx[512], rx[256], wire[512];
static size_t wire_len;
static bmqtt_inflight_t inflight[4];
static uint16_t qos2[4];
static bmqtt_client_t client;
static volatile uint32_t ticks;

void SysTick_Handler(void);
void SysTick_Handler(void) { ticks++; }

static int32_t t_send(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    if (len > sizeof wire - wire_len) len = sizeof wire - wire_len;
    memcpy(wire + wire_len, buf, len);
    wire_len += len;
    return (int32_t)len;
}

static int32_t t_recv(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx; (void)buf; (void)len;
    return BMQTT_WOULD_BLOCK;
}

int main(void)
{
    static const bmqtt_client_config_t cfg = { .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx,
        .rx_size = sizeof rx, .inflight = inflight, .inflight_count = 4, .qos2_ids = qos2, .qos2_count = 4 };
    bmqtt_transport_t tr;
    bmqtt_connect_t conn;

    memset(&tr, 0, sizeof tr);
    memset(&conn, 0, sizeof conn);
    tr.send = t_send;
    tr.recv = t_recv;
    conn.client_id = bmqtt_view_str("stm32");
    conn.clean_session = 1;
    conn.keepalive_s = 60;
    bmqtt_client_init(&client, &cfg);
    bmqtt_client_connect(&client, &tr, &conn, ticks);
    for (;;) bmqtt_client_poll(&client, ticks);
}
