/* An AT modem with cloud credentials, as a consumer links it (bmqtt::at, bmqtt::cloud):
 * the interpreter answers "AT" with its ESP-AT bytes, and the Aliyun walk-through's device gets
 * its password. Exit 0 only when both are the expected bytes. */
#include <stdio.h>
#include <string.h>

#include "bmqtt/aliyun.h"
#include "bmqtt/at.h"

static char out[256];
static size_t out_len;

static void uart_write(void *user, const uint8_t *buf, size_t len)
{
    (void)user;
    if (out_len + len < sizeof out) {
        memcpy(out + out_len, buf, len);
        out_len += len;
    }
}

static bmqtt_status_t net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    (void)user; (void)req; (void)tr; (void)now_ms;
    return BMQTT_ERR_DNS;
}

int main(void)
{
    static uint8_t tx[512], rx[512], raw[256];
    static bmqtt_inflight_t inflight[4];
    static uint16_t qos2[4];
    static bmqtt_at_t at;
    static const bmqtt_at_config_t cfg = { .write = uart_write, .open = net_open, .tx_buf = tx,
        .tx_size = sizeof tx, .rx_buf = rx, .rx_size = sizeof rx, .inflight = inflight,
        .inflight_count = 4, .qos2_ids = qos2, .qos2_count = 4, .raw_buf = raw, .raw_size = sizeof raw };
    bmqtt_aliyun_device_t dev;
    char cred[BMQTT_ALIYUN_CREDENTIALS_MAX];
    bmqtt_connect_t c;
    int ok = 1;

    if (bmqtt_at_init(&at, &cfg) != BMQTT_OK) return 1;
    out_len = 0;
    bmqtt_at_input(&at, (const uint8_t *)"AT\r\n", 4);
    bmqtt_at_poll(&at, 0);
    /* Echo on after reset: the line, then OK. */
    if (out_len != 10 || memcmp(out, "AT\r\n\r\nOK\r\n", 10) != 0) ok = 0;

    memset(&dev, 0, sizeof dev);
    memset(&c, 0, sizeof c);
    dev.product_key = bmqtt_view_str("a1wFylTxYeD");
    dev.device_name = bmqtt_view_str("co_0001");
    dev.device_secret = bmqtt_view_str("7ab0c4b3532b5783df5fdc58a2895d7a");
    dev.securemode = BMQTT_ALIYUN_SECUREMODE_TCP;
    dev.signmethod = BMQTT_ALIYUN_HMACSHA1;
    if (bmqtt_aliyun_credentials(&dev, cred, sizeof cred, NULL, &c) != BMQTT_OK) return 1;
    printf("at_cloud: AT -> %u bytes, aliyun password %.*s\n", (unsigned)out_len, (int)c.password.len,
           (const char *)c.password.ptr);
    if (c.password.len != 40 || memcmp(c.password.ptr, "e782b5e55b37655c27812a60c307b0a7575d8f6d", 40) != 0) ok = 0;
    return ok ? 0 : 1;
}
