/* libFuzzer harness: the client's whole receive path. A connected client
 * (CONNACK fed first) reads the fuzz input in chunks whose sizes come from the
 * input, while it publishes at QoS 0/1/2 and subscribes. Whatever happens,
 * nothing may read or write outside a buffer (ASan/UBSan) and every callback
 * view must lie inside the receive buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/client.h"

typedef struct {
    const uint8_t *data;
    size_t len, pos, chunk;
} feed_t;

static uint8_t tx[128], rx[96];
static bmqtt_inflight_t slots[3];
static uint16_t ids2[3];

static int32_t f_send(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    return len > 5 ? 5 : (int32_t)len; /* short writes */
}

static int32_t f_recv(void *ctx, uint8_t *buf, size_t len)
{
    feed_t *f = ctx;
    size_t n = f->len - f->pos;
    if (n == 0) return BMQTT_ERR_CLOSED;
    if (n > f->chunk) n = f->chunk;
    if (n > len) n = len;
    memcpy(buf, f->data + f->pos, n);
    f->pos += n;
    return (int32_t)n;
}

static int inside(bmqtt_view_t v)
{
    return v.len == 0 || (v.ptr >= rx && v.ptr + v.len <= rx + sizeof rx);
}

static void on_message(void *user, const bmqtt_message_t *m)
{
    (void)user;
    if (!inside(m->topic) || !inside(m->payload) || m->offset + m->payload.len > m->total) abort();
}

static void on_suback(void *user, uint16_t id, bmqtt_view_t codes)
{
    (void)user;
    (void)id;
    if (!inside(codes)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static const uint8_t connack[4] = { 0x20, 0x02, 0x00, 0x00 };
    static uint8_t in[4 + 65536];
    bmqtt_client_config_t cfg;
    bmqtt_client_t c;
    bmqtt_transport_t t;
    feed_t f;
    bmqtt_connect_t cf;

    if (n < 1 || n > 65536) return 0;
    memcpy(in, connack, 4);
    memcpy(in + 4, d + 1, n - 1);
    f.data = in;
    f.len = 4 + n - 1;
    f.pos = 0;
    f.chunk = (size_t)(d[0] % 17) + 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buf = tx;
    cfg.tx_size = sizeof tx;
    cfg.rx_buf = rx;
    cfg.rx_size = sizeof rx;
    cfg.inflight = slots;
    cfg.inflight_count = 3;
    cfg.qos2_ids = ids2;
    cfg.qos2_count = 3;
    cfg.on_message = on_message;
    cfg.on_suback = on_suback;
    t.send = f_send;
    t.recv = f_recv;
    t.close = NULL;
    t.ctx = &f;
    memset(&cf, 0, sizeof cf);
    cf.client_id = bmqtt_view_str("fuzz");
    cf.clean_session = (uint8_t)(d[0] >> 7);
    cf.keepalive_s = 1;
    if (bmqtt_client_init(&c, &cfg) != BMQTT_OK || bmqtt_client_connect(&c, &t, &cf, 0) != BMQTT_OK) abort();
    for (uint32_t now = 0; now < 400; now++) {
        bmqtt_status_t st = bmqtt_client_poll(&c, now * 37u);
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) break;
        if (now % 5 == 0) {
            bmqtt_publish_t p = { BMQTT_VIEW_LIT("f/t"), BMQTT_VIEW_LIT("payload"), 0, (uint8_t)(now % 3), 0, 0 };
            (void)bmqtt_client_publish(&c, &p, NULL);
        }
        if (now % 11 == 0) {
            bmqtt_subscription_t s = { BMQTT_VIEW_LIT("f/#"), 2 };
            (void)bmqtt_client_subscribe(&c, &s, 1, NULL);
        }
    }
    return 0;
}
