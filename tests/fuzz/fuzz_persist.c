/* libFuzzer harness: resuming a saved session and replaying the flash log,
 * from bytes that may be anything (RAM after a cold power-on, a torn or
 * foreign image, a corrupt flash).
 *
 * The first byte chooses the table sizes; the rest is, in turn:
 *  - a retained region (bmqtt_client_resume),
 *  - a NOR flash image of 4 blocks of 256 bytes (bmqtt_nor_log_mount) under
 *    bmqtt_client_resume_store.
 *
 * Invariants (abort() on a violation):
 *  - nothing reads or writes outside a buffer (ASan/UBSan);
 *  - an adopted session is one that could have been saved: ids not 0 and
 *    distinct, each copy inside the region's data area (or the outbox), no
 *    two copies overlap; what goes out after CONNACK is a stream of valid
 *    PUBLISH (DUP set) and PUBREL packets, one per open message;
 *  - a refused image leaves no message and a region or store that resumes
 *    as an empty session next time;
 *  - new publishes on a resumed session never overwrite a live copy;
 *  - the log never programs a byte twice between erases, and after a put a
 *    get returns that value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/client.h"
#include "bmqtt/nor_log.h"
#include "bmqtt/persist.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define MAX_SLOTS 8
#define MAX_Q2 8

static bmqtt_inflight_t slots[MAX_SLOTS];
static uint16_t q2[MAX_Q2];
static uint8_t txb[512], rxb[64], obox[512], sent[8192];
static size_t sent_len;
static bmqtt_client_config_t cfg;
static bmqtt_client_t cli;

static int32_t t_send(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    if (len > sizeof sent - sent_len) len = sizeof sent - sent_len;
    memcpy(sent + sent_len, buf, len);
    sent_len += len;
    return (int32_t)len;
}

static const uint8_t connack[] = { 0x20, 0x02, 0x01, 0x00 };
static size_t rx_pos;

static int32_t t_recv(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (rx_pos >= sizeof connack) return BMQTT_WOULD_BLOCK;
    if (len > sizeof connack - rx_pos) len = sizeof connack - rx_pos;
    memcpy(buf, connack + rx_pos, len);
    rx_pos += len;
    return (int32_t)len;
}

static const bmqtt_transport_t tr = { t_send, t_recv, NULL, NULL };

static void init(uint16_t n, uint16_t m)
{
    memset(&cli, 0, sizeof cli);
    cfg = (bmqtt_client_config_t){ .tx_buf = txb, .tx_size = sizeof txb, .rx_buf = rxb, .rx_size = sizeof rxb,
        .inflight = slots, .inflight_count = n, .qos2_ids = q2, .qos2_count = m };
    CHECK(bmqtt_client_init(&cli, &cfg) == BMQTT_OK);
}

/* Every live copy lies in [lo, hi) and no two overlap; ids are distinct and not 0. */
static void check_slots(const uint8_t *lo, const uint8_t *hi)
{
    for (uint16_t i = 0; i < cfg.inflight_count; i++) {
        const bmqtt_inflight_t *a = &slots[i];
        if (!a->state) continue;
        CHECK(a->pub.packet_id != 0);
        if (a->pub.topic.len) {
            const uint8_t *s = a->pub.topic.ptr, *e = s + a->pub.topic.len + a->pub.payload.len;
            CHECK(s >= lo && e <= hi);
            for (uint16_t j = 0; j < i; j++) {
                const bmqtt_inflight_t *b = &slots[j];
                if (!b->state || !b->pub.topic.len) continue;
                CHECK(b->pub.packet_id != a->pub.packet_id);
                CHECK(b->pub.topic.ptr + b->pub.topic.len + b->pub.payload.len <= s || e <= b->pub.topic.ptr);
            }
        }
    }
}

/* Connect, take CONNACK: the resends must be valid PUBLISH (DUP) / PUBREL, one per open message. */
static void check_resend(void)
{
    bmqtt_connect_t f = { .client_id = BMQTT_VIEW_LIT("f"), .clean_session = 0 };
    size_t open = bmqtt_client_inflight(&cli), n = 0, at, used;
    sent_len = 0;
    rx_pos = 0;
    CHECK(bmqtt_client_connect(&cli, &tr, &f, 0) == BMQTT_OK);
    for (int i = 0; i < 4; i++) (void)bmqtt_client_poll(&cli, 1);
    CHECK(bmqtt_client_state(&cli) == BMQTT_CLIENT_CONNECTED);
    CHECK(sent_len > 0 && sent[0] == 0x10);
    at = sent[1] + 2u; /* CONNECT is short */
    while (at < sent_len) {
        bmqtt_packet_t p;
        CHECK(bmqtt_decode(sent + at, sent_len - at, &p, &used) == BMQTT_OK);
        CHECK((p.type == BMQTT_PUBLISH && p.u.publish.dup && p.u.publish.qos) || p.type == BMQTT_PUBREL);
        at += used;
        n++;
    }
    CHECK(n == open);
}

static void publish_more(const uint8_t *lo, const uint8_t *hi)
{
    static const char big[] = "0123456789abcdef0123456789abcdef";
    for (int k = 0; k < 12; k++) {
        bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("p/q"), .qos = (uint8_t)(1 + (k & 1)) };
        p.payload.ptr = (const uint8_t *)big;
        p.payload.len = (size_t)(k * 7) % sizeof big;
        (void)bmqtt_client_publish(&cli, &p, NULL);
        check_slots(lo, hi);
    }
}

static uint32_t region[(BMQTT_RETAINED_SIZE(MAX_SLOTS, MAX_Q2, 256) + 3) / 4];

static void fuzz_retained(const uint8_t *d, size_t len, uint16_t n, uint16_t m)
{
    size_t size = BMQTT_RETAINED_SIZE(n, m, 256);
    bmqtt_status_t st;
    memset(region, 0, sizeof region);
    memcpy(region, d, len < size ? len : size);
    init(n, m);
    st = bmqtt_client_resume(&cli, region, size);
    if (st != BMQTT_OK) {
        CHECK(bmqtt_client_inflight(&cli) == 0);
        init(n, m);
        CHECK(bmqtt_client_resume(&cli, region, size) == BMQTT_OK); /* formatted */
        CHECK(bmqtt_client_inflight(&cli) == 0);
    }
    {
        const uint8_t *lo = (const uint8_t *)region + BMQTT_RETAINED_SIZE(n, m, 0);
        check_slots(lo, (const uint8_t *)region + size);
        check_resend();
        publish_more(lo, (const uint8_t *)region + size);
    }
}

/* The flash: 4 x 256 bytes, programs 1 to 0 only. */
static uint8_t flash_mem[1024];
static int reprogrammed;

static int f_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    CHECK(addr + len <= sizeof flash_mem);
    memcpy(buf, flash_mem + addr, len);
    return 0;
}

static int f_prog(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    const uint8_t *b = buf;
    (void)ctx;
    CHECK(addr + len <= sizeof flash_mem);
    for (size_t i = 0; i < len; i++) {
        if (flash_mem[addr + i] != 0xFF) reprogrammed++;
        flash_mem[addr + i] &= b[i];
    }
    return 0;
}

static int f_erase(void *ctx, uint32_t addr)
{
    (void)ctx;
    CHECK(addr % 256 == 0 && addr < sizeof flash_mem);
    memset(flash_mem + addr, 0xFF, 256);
    return 0;
}

static const bmqtt_nor_t nor = { 256, 4, 1, f_read, f_prog, f_erase, NULL };

static void fuzz_flash(const uint8_t *d, size_t len, uint16_t n, uint16_t m)
{
    bmqtt_nor_log_t nl;
    bmqtt_store_t store;
    bmqtt_status_t st;
    memset(flash_mem, 0xFF, sizeof flash_mem);
    memcpy(flash_mem, d, len < sizeof flash_mem ? len : sizeof flash_mem);
    /* Whatever is on the chip may be programmed already: only new records must not be. */
    if (bmqtt_nor_log_mount(&nl, &nor, &store) != BMQTT_OK) return;
    init(n, m);
    CHECK(bmqtt_client_set_outbox(&cli, obox, sizeof obox) == BMQTT_OK);
    st = bmqtt_client_resume_store(&cli, &store);
    if (st == BMQTT_ERR_STORE) return; /* a log too full to rewrite */
    if (st != BMQTT_OK) CHECK(bmqtt_client_inflight(&cli) == 0);
    check_slots(obox, obox + sizeof obox);
    check_resend();
    {
        /* A put is read back. */
        uint8_t v[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, back[8];
        size_t got;
        if (bmqtt_nor_log_put(&nl, 77, v, 3, v + 3, 5) == BMQTT_OK) {
            CHECK(bmqtt_nor_log_get(&nl, 77, back, sizeof back, &got) == BMQTT_OK);
            CHECK(got == 8 && memcmp(back, v, 8) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint16_t n, m;
    size_t half;
    if (size < 1) return 0;
    n = (uint16_t)(1 + (data[0] & 7));
    m = (uint16_t)(1 + ((data[0] >> 3) & 7));
    data++;
    size--;
    half = size / 2;
    fuzz_retained(data, half, n, m);
    fuzz_flash(data + half, size - half, n, m);
    return 0;
}
