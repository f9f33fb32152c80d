/* Seeds for fuzz_persist: inputs whose halves are a valid retained region and
 * a valid flash log of the same session (open QoS 1/2 messages, one after
 * PUBREC, incoming QoS 2 ids), for a few table sizes.
 *
 *   persist_seeds <dir>     writes <dir>/persist-<n>.bin */
#include <stdio.h>
#include <string.h>

#include "bmqtt/client.h"
#include "bmqtt/nor_log.h"
#include "bmqtt/persist.h"

static uint8_t txb[512], rxb[64], obox[512];
static size_t wire_len, in_pos, in_len;
static uint8_t in[64];
static bmqtt_inflight_t slots[8];
static uint16_t q2[8];
static uint32_t region[(BMQTT_RETAINED_SIZE(8, 8, 256) + 3) / 4];
static uint8_t flash[1024];

static int32_t t_send(void *ctx, const uint8_t *b, size_t n) { (void)ctx; (void)b; wire_len += n; return (int32_t)n; }
static int32_t t_recv(void *ctx, uint8_t *b, size_t n)
{
    (void)ctx;
    if (in_pos == in_len) return BMQTT_WOULD_BLOCK;
    if (n > in_len - in_pos) n = in_len - in_pos;
    memcpy(b, in + in_pos, n);
    in_pos += n;
    return (int32_t)n;
}
static void push(const uint8_t *b, size_t n) { memcpy(in, b, n); in_len = n; in_pos = 0; }
static int f_read(void *c, uint32_t a, void *b, size_t n) { (void)c; memcpy(b, flash + a, n); return 0; }
static int f_prog(void *c, uint32_t a, const void *b, size_t n)
{
    (void)c;
    for (size_t i = 0; i < n; i++) flash[a + i] &= ((const uint8_t *)b)[i];
    return 0;
}
static int f_erase(void *c, uint32_t a) { (void)c; memset(flash + a, 0xFF, 256); return 0; }

static void session(bmqtt_client_t *c, int qos2_in)
{
    static const bmqtt_transport_t tr = { t_send, t_recv, NULL, NULL };
    static const uint8_t connack[] = { 0x20, 0x02, 0x00, 0x00 }, pubrec2[] = { 0x50, 0x02, 0x00, 0x02 },
                         incoming[] = { 0x34, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x07, 'm' };
    bmqtt_connect_t f = { .client_id = BMQTT_VIEW_LIT("s"), .clean_session = 0 };
    (void)bmqtt_client_connect(c, &tr, &f, 0);
    push(connack, sizeof connack);
    (void)bmqtt_client_poll(c, 1);
    for (int k = 0; k < 4; k++) {
        bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("dev/t"), .payload = BMQTT_VIEW_LIT("reading"), .qos = (uint8_t)(1 + (k & 1)) };
        (void)bmqtt_client_publish(c, &p, NULL);
    }
    push(pubrec2, sizeof pubrec2);
    (void)bmqtt_client_poll(c, 2);
    if (qos2_in) {
        push(incoming, sizeof incoming);
        (void)bmqtt_client_poll(c, 3);
    }
}

int main(int argc, char **argv)
{
    int made = 0;
    if (argc != 2) return 2;
    for (unsigned n = 1; n <= 8; n *= 2) {
        for (unsigned m = 1; m <= 8; m *= 4) {
            bmqtt_client_config_t cfg = { .tx_buf = txb, .tx_size = sizeof txb, .rx_buf = rxb, .rx_size = sizeof rxb,
                .inflight = slots, .inflight_count = (uint16_t)n, .qos2_ids = q2, .qos2_count = (uint16_t)m };
            static const bmqtt_nor_t nor = { 256, 4, 1, f_read, f_prog, f_erase, NULL };
            bmqtt_client_t c;
            bmqtt_nor_log_t nl;
            bmqtt_store_t store;
            size_t size = BMQTT_RETAINED_SIZE(n, m, 256);
            char path[512];
            FILE *fp;
            uint8_t first = (uint8_t)((n - 1) | (m - 1) << 3);

            memset(region, 0, sizeof region);
            (void)bmqtt_client_init(&c, &cfg);
            (void)bmqtt_client_resume(&c, region, size);
            session(&c, 1);
            memset(flash, 0xFF, sizeof flash);
            (void)bmqtt_client_init(&c, &cfg);
            (void)bmqtt_client_set_outbox(&c, obox, sizeof obox);
            (void)bmqtt_nor_log_mount(&nl, &nor, &store);
            (void)bmqtt_client_resume_store(&c, &store);
            session(&c, 1);
            /* fuzz_persist splits the input after the first byte in halves of equal size. */
            snprintf(path, sizeof path, "%s/persist-%u-%u.bin", argv[1], n, m);
            if ((fp = fopen(path, "wb")) == NULL) return 1;
            fwrite(&first, 1, 1, fp);
            {
                static uint8_t pad[sizeof flash]; /* the region, padded to the flash's size */
                memset(pad, 0, sizeof pad);
                memcpy(pad, region, size);
                fwrite(pad, 1, sizeof pad, fp);
            }
            fwrite(flash, 1, sizeof flash, fp);
            fclose(fp);
            made++;
        }
    }
    printf("persist_seeds: %d seeds\n", made);
    return 0;
}
