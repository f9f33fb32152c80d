/* The session in a store (bmqtt_client_resume_store) over the NOR flash log,
 * on the scripted transport: a client workload (publishes, acks both ways,
 * incoming QoS 2) runs with the power cut at the Nth program or erase, for
 * every N; after the reset the resumed session is the one before or after the
 * step the cut fell in, never a mix, and with clean session 0 it resends what
 * was open, byte for byte. Also: the refused images, each with its status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/client.h"
#include "bmqtt/nor_log.h"
#include "bmqtt/persist.h"
#include "mock_transport.h"
#include "nor_emu.h"

#define SLOTS 4
#define Q2 4

static mock_t mock;
static bmqtt_transport_t tr;
static uint8_t txb[256], rxb[128], obox[256];
static bmqtt_inflight_t slots[SLOTS];
static uint16_t ids2[Q2];
static bmqtt_client_config_t cfg;
static bmqtt_client_t cli;
static bmqtt_nor_t flash;
static bmqtt_nor_log_t nlog;
static bmqtt_store_t store;
static int messages;

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_MESSAGE) messages++;
}

static bmqtt_status_t boot(void)
{
    memset(&cli, 0xA5, sizeof cli);
    memset(slots, 0x5A, sizeof slots);
    cfg = (bmqtt_client_config_t){ .tx_buf = txb, .tx_size = sizeof txb, .rx_buf = rxb, .rx_size = sizeof rxb,
        .inflight = slots, .inflight_count = SLOTS, .qos2_ids = ids2, .qos2_count = Q2, .on_event = on_event };
    messages = 0;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, obox, sizeof obox), BMQTT_OK);
    if (bmqtt_nor_log_mount(&nlog, &flash, &store) != BMQTT_OK) return BMQTT_ERR_STORE;
    return bmqtt_client_resume_store(&cli, &store);
}

static void connect(int sp)
{
    bmqtt_connect_t f = { .client_id = BMQTT_VIEW_LIT("dev"), .clean_session = 0, .keepalive_s = 60 };
    mock_init(&mock, &tr);
    assert_int_equal(bmqtt_client_connect(&cli, &tr, &f, 0), BMQTT_OK);
    (void)mock_take_hex(&mock);
    mock_push_hex(&mock, sp ? "20 02 01 00" : "20 02 00 00");
    assert_int_equal(bmqtt_client_poll(&cli, 1), BMQTT_OK);
}

/* The session as a string: each open slot (index, id, qos, step, topic, payload) and the ids. */
static void snapshot(char *out, size_t size)
{
    size_t n = 0;
    for (int i = 0; i < SLOTS; i++) {
        const bmqtt_inflight_t *s = &slots[i];
        if (!s->state) continue;
        n += (size_t)snprintf(out + n, size - n, "[%d id%u q%u %s", i, s->pub.packet_id, s->pub.qos,
                              (s->state & 0x7F) == 1 ? "ack" : "comp");
        if ((s->state & 0x7F) == 1) {
            n += (size_t)snprintf(out + n, size - n, " %.*s=%.*s", (int)s->pub.topic.len,
                                  (const char *)s->pub.topic.ptr, (int)s->pub.payload.len,
                                  (const char *)s->pub.payload.ptr);
        }
        n += (size_t)snprintf(out + n, size - n, "]");
    }
    for (int i = 0; i < Q2; i++) n += (size_t)snprintf(out + n, size - n, " %u", ids2[i]);
}

static void pub(const char *payload, uint8_t qos)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("s/t"), .qos = qos };
    bmqtt_status_t st;
    p.payload = bmqtt_view_str(payload);
    st = bmqtt_client_publish(&cli, &p, NULL);
    assert_true(st == BMQTT_OK || (st == BMQTT_ERR_STORE && emu.dead));
}

static void rx(const char *hex)
{
    mock_push_hex(&mock, hex);
    (void)bmqtt_client_poll(&cli, 2);
    (void)mock_take_hex(&mock);
}

#define STEPS 18
static void step(int k)
{
    switch (k) {
    case 0: pub("one", 1); break;
    case 1: pub("two", 2); break;
    case 2: pub("three", 1); break;
    case 3: rx("40 02 00 01"); break;                            /* PUBACK 1 */
    case 4: rx("50 02 00 02"); break;                            /* PUBREC 2: PUBREL */
    case 5: rx("34 08 00 03 61 2F 62 00 07 6D"); break;          /* incoming QoS 2, id 7 */
    case 6: pub("four-four-four", 2); break;
    case 7: rx("70 02 00 02"); break;                            /* PUBCOMP 2 */
    case 8: rx("34 08 00 03 61 2F 62 00 09 6E"); break;          /* incoming QoS 2, id 9 */
    case 9: rx("62 02 00 07"); break;                            /* PUBREL 7 */
    case 10: pub("five", 1); break;
    case 11: rx("40 02 00 03"); break;                           /* PUBACK 3 */
    case 12: pub("six-six", 2); break;
    case 13: rx("50 02 00 04"); break;                           /* PUBREC 4 */
    case 14: rx("40 02 00 05"); break;                           /* PUBACK 5 */
    case 15: rx("62 02 00 09"); break;                           /* PUBREL 9 */
    case 16: rx("70 02 00 04"); break;                           /* PUBCOMP 4 */
    default: pub("seven", 1); break;
    }
}

static void test_power_cut_at_every_op(void **state)
{
    static char snaps[STEPS + 1][512], now[512];
    long cut;
    int cuts = 0;
    (void)state;
    /* The run without a cut gives the session after every step. */
    emu_blank(&flash, 4, 1);
    assert_int_equal(boot(), BMQTT_ERR_NO_SESSION);
    connect(0);
    snapshot(snaps[0], sizeof snaps[0]);
    for (int k = 0; k < STEPS; k++) {
        step(k);
        snapshot(snaps[k + 1], sizeof snaps[k + 1]);
    }
    for (cut = 1;; cut++) {
        int k;
        emu_blank(&flash, 4, (uint32_t)cut);
        emu_cut_in(cut);
        if (boot() != BMQTT_ERR_NO_SESSION) { /* the cut fell in the first format */
            assert_true(emu.dead);
            k = -1;
        } else {
            connect(0);
            for (k = 0; k < STEPS && !emu.dead; k++) step(k);
            if (!emu.dead) break; /* past the end of the workload */
            k--;                  /* the step the cut fell in */
        }
        cuts++;
        emu_power_back();
        if (k < 0) {
            assert_true(boot() == BMQTT_ERR_NO_SESSION || bmqtt_client_inflight(&cli) == 0);
            continue;
        }
        assert_int_equal(boot(), BMQTT_OK);
        snapshot(now, sizeof now);
        if (strcmp(now, snaps[k]) != 0 && strcmp(now, snaps[k + 1]) != 0) {
            fail_msg("cut at op %ld in step %d: resumed %s; before %s; after %s", cut, k, now, snaps[k], snaps[k + 1]);
        }
        /* And the resumed session goes on: reconnect, everything open is resent. */
        connect(1);
        assert_int_equal(emu.reprogrammed, 0);
    }
    print_message("power cut at each of %d program/erase operations of a %d-step client workload: OK\n", cuts, STEPS);
    assert_true(cuts > STEPS * 2);
}

/* [MQTT-4.4.0-1] after a reset, the open messages are resent from the outbox, DUP set
 * [MQTT-3.3.1-1]: the copies read back from flash. */
static void test_resend_from_flash(void **state)
{
    (void)state;
    emu_blank(&flash, 1, 9);
    assert_int_equal(boot(), BMQTT_ERR_NO_SESSION);
    connect(0);
    pub("x", 1);
    pub("y", 2);
    rx("50 02 00 02");
    pub("z", 2);
    assert_int_equal(boot(), BMQTT_OK);
    connect(1);
    assert_string_equal(mock_take_hex(&mock), "3A 08 00 03 73 2F 74 00 01 78 62 02 00 02 3C 08 00 03 73 2F 74 00 03 7A");
}

/* Stored sessions that must be refused, each with its status, and then a clean start. */
static void test_refused(void **state)
{
    uint8_t h[16], rec[64];
    size_t len;
    (void)state;
    emu_blank(&flash, 1, 11);
    assert_int_equal(boot(), BMQTT_ERR_NO_SESSION);
    connect(0);
    pub("x", 1);
    assert_int_equal(bmqtt_nor_log_get(&nlog, BMQTT_STORE_KEY_HEADER, h, sizeof h, &len), BMQTT_OK);
    assert_int_equal(len, 16);
    assert_int_equal(bmqtt_nor_log_get(&nlog, BMQTT_STORE_KEY_SLOT(0), rec, sizeof rec, &len), BMQTT_OK);
    assert_int_equal(len, 20 + 3 + 1);
    {
        struct { unsigned key; size_t at; uint8_t xor_; size_t cut; bmqtt_status_t want; } cases[] = {
            { BMQTT_STORE_KEY_HEADER, 0, 1, 0, BMQTT_ERR_NO_SESSION },
            { BMQTT_STORE_KEY_HEADER, 4, 1, 0, BMQTT_ERR_IMAGE_VERSION },
            { BMQTT_STORE_KEY_HEADER, 6, 1, 0, BMQTT_ERR_IMAGE_CHECK },
            { BMQTT_STORE_KEY_HEADER, 0, 0, 4, BMQTT_ERR_IMAGE_TRUNCATED },
            { BMQTT_STORE_KEY_SLOT(0), 8, 1, 0, BMQTT_ERR_IMAGE_CHECK },
            { BMQTT_STORE_KEY_SLOT(0), 23, 1, 0, BMQTT_ERR_IMAGE_CHECK },
            { BMQTT_STORE_KEY_SLOT(0), 14, 0x01, 0, BMQTT_ERR_IMAGE_RECORD }, /* id 1 -> 0 */
            { BMQTT_STORE_KEY_SLOT(0), 0, 0, 1, BMQTT_ERR_IMAGE_TRUNCATED },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            uint8_t v[64];
            const uint8_t *src = cases[i].key == BMQTT_STORE_KEY_HEADER ? h : rec;
            size_t n = cases[i].key == BMQTT_STORE_KEY_HEADER ? 16 : 24;
            bmqtt_status_t st;
            memcpy(v, src, n);
            v[cases[i].at] ^= cases[i].xor_;
            if (cases[i].key == BMQTT_STORE_KEY_SLOT(0) && cases[i].at == 14) v[15] = 0;
            /* A session saved well, then one key replaced by the bad value. */
            assert_int_equal(store.put(store.ctx, BMQTT_STORE_KEY_HEADER, h, 16, NULL, 0), BMQTT_OK);
            assert_int_equal(store.put(store.ctx, BMQTT_STORE_KEY_SLOT(0), rec, 24, NULL, 0), BMQTT_OK);
            assert_int_equal(store.put(store.ctx, (uint16_t)cases[i].key, v, n - cases[i].cut, NULL, 0), BMQTT_OK);
            st = boot();
            if (st != cases[i].want) fail_msg("case %zu: %d, want %d", i, st, cases[i].want);
            assert_int_equal(bmqtt_client_inflight(&cli), 0);
            assert_int_equal(boot(), BMQTT_OK); /* rewritten empty */
            assert_int_equal(bmqtt_client_inflight(&cli), 0);
        }
    }
    /* Another table size (a firmware update). */
    assert_int_equal(store.put(store.ctx, BMQTT_STORE_KEY_HEADER, h, 16, NULL, 0), BMQTT_OK);
    assert_int_equal(store.put(store.ctx, BMQTT_STORE_KEY_SLOT(0), rec, 24, NULL, 0), BMQTT_OK);
    memset(&cli, 0, sizeof cli);
    cfg.qos2_count = Q2 - 1;
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_set_outbox(&cli, obox, sizeof obox), BMQTT_OK);
    assert_int_equal(bmqtt_client_resume_store(&cli, &store), BMQTT_ERR_IMAGE_SIZES);
    /* Without an outbox: refused before anything. */
    memset(&cli, 0, sizeof cli);
    assert_int_equal(bmqtt_client_init(&cli, &cfg), BMQTT_OK);
    assert_int_equal(bmqtt_client_resume_store(&cli, &store), BMQTT_ERR_PARAM);
}

/* A publish whose record cannot be written fails with BMQTT_ERR_STORE: nothing is kept, its
 * outbox copy is given back, and the next publish works once the store does. */
static void test_store_failure_refuses_publish(void **state)
{
    bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("s/t"), .payload = BMQTT_VIEW_LIT("payload"), .qos = 1 };
    (void)state;
    emu_blank(&flash, 1, 21);
    assert_int_equal(boot(), BMQTT_ERR_NO_SESSION);
    connect(0);
    for (int k = 0; k < 40; k++) { /* far more than the outbox holds, were copies leaked */
        emu.dead = 1;
        assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_ERR_STORE);
        assert_int_equal(bmqtt_client_inflight(&cli), 0);
    }
    assert_string_equal(mock_take_hex(&mock), "");
    emu_power_back();
    assert_int_equal(bmqtt_client_publish(&cli, &p, NULL), BMQTT_OK);
    /* Id 41: each refused publish used an id (ids only have to be unused, not consecutive). */
    assert_string_equal(mock_take_hex(&mock), "32 0E 00 03 73 2F 74 00 29 70 61 79 6C 6F 61 64");
    assert_int_equal(boot(), BMQTT_OK);
    assert_int_equal(bmqtt_client_inflight(&cli), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_cut_at_every_op),
        cmocka_unit_test(test_resend_from_flash),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_store_failure_refuses_publish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
