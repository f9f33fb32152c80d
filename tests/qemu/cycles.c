/*
 * Instructions per codec operation on Cortex-M4, counted by QEMU (make cycles).
 *
 * QEMU runs mps2-an386 with -icount shift=0: every instruction advances the
 * virtual clock by exactly 1 ns, and SysTick (on the 25 MHz processor clock)
 * counts that clock. So SysTick ticks a fixed number of instructions, and
 * QEMU models no caches, wait states or pipeline: the figures are executed
 * instructions, the same on every run, not cycles of a real chip.
 *
 * Each operation runs REPS times through a function pointer, between two reads
 * of SysTick; an empty function run the same way is subtracted, and the ratio
 * is calibrated with a loop of a known instruction count (instructions per
 * tick would be 40 at 25 MHz; the calibration measures it rather than trusting
 * it). A figure is what a caller pays: loading the arguments, the call, and
 * every instruction of the function.
 *
 * The inputs are the frames of Aliyun's MQTT walk-through (tests/vectors/aliyun.txt); each
 * operation is checked against them before it is timed. The exit code is 0
 * when every check passed (the goals are reported, not enforced).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bmqtt/codec.h"
#include "bmqtt/mqtt5.h"
#include "vectors.h"

#define REPS 1000u
#define CALIB_LOOPS 1000u /* calib() executes 2 * CALIB_LOOPS + 1 instructions more than empty() */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

typedef void (*op_fn)(void);

static bmqtt_connect_t g_connect;
static bmqtt_publish_t g_publish;
static bmqtt_subscription_t g_sub;
static uint8_t g_out[256];
static size_t g_len;
static bmqtt_packet_t g_pkt;
static const uint8_t *g_rx_publish, *g_rx_connack, *g_rx_suback;
static size_t g_rx_publish_len, g_rx_connack_len, g_rx_suback_len;

/* MQTT 5.0: a QoS 0 PUBLISH with a Topic Alias and two User Properties. */
static const bmqtt5_prop_t g_props5[3] = {
    { BMQTT5_PROP_TOPIC_ALIAS, 0, 1, { NULL, 0 }, { NULL, 0 } },
    { BMQTT5_PROP_USER_PROPERTY, 0, 0, BMQTT_VIEW_LIT("unit"), BMQTT_VIEW_LIT("C") },
    { BMQTT5_PROP_USER_PROPERTY, 0, 0, BMQTT_VIEW_LIT("sensor"), BMQTT_VIEW_LIT("t1") },
};
static bmqtt5_publish_t g_publish5;
static bmqtt5_packet_t g_pkt5;
static uint8_t g_rx5[256];
static size_t g_rx5_len;

static void __attribute__((noinline)) empty(void)
{
    __asm__ volatile("" ::: "memory");
}

static void __attribute__((noinline, naked)) calib(void)
{
    __asm__ volatile("movw r0, %0\n"
                     "1: subs r0, r0, #1\n"
                     "bne 1b\n"
                     "bx lr\n" ::"i"(CALIB_LOOPS)
                     : "r0", "cc");
}

static void __attribute__((noinline)) op_connect_encode(void)
{
    (void)bmqtt_connect_encode(&g_connect, g_out, sizeof g_out, &g_len);
}

static void __attribute__((noinline)) op_publish_header(void)
{
    (void)bmqtt_publish_encode_header(&g_publish, g_out, sizeof g_out, &g_len);
}

static void __attribute__((noinline)) op_publish_whole(void)
{
    (void)bmqtt_publish_encode(&g_publish, g_out, sizeof g_out, &g_len);
}

static void __attribute__((noinline)) op_subscribe_encode(void)
{
    (void)bmqtt_subscribe_encode(3, &g_sub, 1, g_out, sizeof g_out, &g_len);
}

static void __attribute__((noinline)) op_decode_publish(void)
{
    (void)bmqtt_decode(g_rx_publish, g_rx_publish_len, &g_pkt, &g_len);
}

static void __attribute__((noinline)) op_decode_connack(void)
{
    (void)bmqtt_decode(g_rx_connack, g_rx_connack_len, &g_pkt, &g_len);
}

static void __attribute__((noinline)) op_decode_suback(void)
{
    (void)bmqtt_decode(g_rx_suback, g_rx_suback_len, &g_pkt, &g_len);
}

static void __attribute__((noinline)) op_publish5_encode(void)
{
    (void)bmqtt5_publish_encode(&g_publish5, g_out, sizeof g_out, &g_len);
}

static void __attribute__((noinline)) op_publish5_decode(void)
{
    (void)bmqtt5_decode(g_rx5, g_rx5_len, BMQTT5_FROM_SERVER, &g_pkt5, &g_len);
}

/* SysTick ticks while fn runs REPS times (the loop and the two reads included). */
static uint32_t ticks(op_fn volatile fn)
{
    SYST_CSR = 0;
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;             /* any write clears it; it reloads on enable */
    SYST_CSR = 5;             /* enabled, processor clock, no interrupt */
    uint32_t t0 = SYST_CVR;
    for (uint32_t i = 0; i < REPS; i++) fn();
    uint32_t t1 = SYST_CVR;
    SYST_CSR = 0;
    return (t0 - t1) & 0x00FFFFFFu; /* a down-counter; REPS keeps it far from a wrap */
}

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("cycles: FAIL: %s\n", what);
        failures++;
    }
}

static const tv_row_t *row(const tv_table_t *t, const char *key)
{
    const tv_row_t *r = tv_table_find(t, key);
    if (r == NULL) {
        printf("cycles: tests/vectors/aliyun.txt has no %s\n", key);
        failures++;
    }
    return r;
}

int main(void)
{
    tv_table_t t;
    if (tv_table_load("tests/vectors/aliyun.txt", &t) != 0) return 2;
    const tv_row_t *connect = row(&t, "connect"), *post = row(&t, "publish_post_switch1"),
                   *set = row(&t, "publish_set_received"), *connack = row(&t, "connack_accepted"),
                   *suback = row(&t, "suback_id3_qos1"), *subscribe = row(&t, "subscribe_set_qos1");
    if (failures) return 2;

    /* The walk-through's CONNECT: client id, user name and password, keepalive 300 s, clean session. */
    g_connect.client_id = (bmqtt_view_t)BMQTT_VIEW_LIT("co_0001|securemode=3,signmethod=hmacsha1|");
    g_connect.username = (bmqtt_view_t)BMQTT_VIEW_LIT("co_0001&a1wFylTxYeD");
    g_connect.password = (bmqtt_view_t)BMQTT_VIEW_LIT("e782b5e55b37655c27812a60c307b0a7575d8f6d");
    g_connect.keepalive_s = 300;
    g_connect.clean_session = 1;
    check(bmqtt_connect_encode(&g_connect, g_out, sizeof g_out, &g_len) == BMQTT_OK && g_len == connect->len &&
              memcmp(g_out, connect->bytes, g_len) == 0,
          "CONNECT is not the walk-through's bytes");

    /* A QoS 0 PUBLISH header with the walk-through's 50-byte topic; the 102-byte payload stays where it is. */
    g_publish.topic = (bmqtt_view_t)BMQTT_VIEW_LIT("/sys/a1wFylTxYeD/co_0001/thing/event/property/post");
    g_publish.payload.ptr = post->bytes + 55;
    g_publish.payload.len = post->len - 55;
    check(g_publish.topic.len == 50 && g_publish.payload.len == 102, "publish_post_switch1 sizes");
    check(bmqtt_publish_encode_header(&g_publish, g_out, sizeof g_out, &g_len) == BMQTT_OK && g_len == 55 &&
              memcmp(g_out, post->bytes, 55) == 0,
          "PUBLISH header is not the walk-through's bytes");

    check(bmqtt_publish_encode(&g_publish, g_out, sizeof g_out, &g_len) == BMQTT_OK && g_len == 157 &&
              g_len == post->len && memcmp(g_out, post->bytes, g_len) == 0,
          "whole PUBLISH is not the walk-through's bytes");

    /* SUBSCRIBE, packet id 3: one 51-byte filter at QoS 1. */
    g_sub.filter = (bmqtt_view_t)BMQTT_VIEW_LIT("/sys/a1wFylTxYeD/co_0001/thing/service/property/set");
    g_sub.qos = 1;
    check(g_sub.filter.len == 51 && bmqtt_subscribe_encode(3, &g_sub, 1, g_out, sizeof g_out, &g_len) == BMQTT_OK &&
              g_len == subscribe->len && memcmp(g_out, subscribe->bytes, g_len) == 0,
          "SUBSCRIBE is not the walk-through's bytes");

    g_rx_publish = set->bytes;
    g_rx_publish_len = set->len;
    check(set->len == 159 && bmqtt_decode(set->bytes, set->len, &g_pkt, &g_len) == BMQTT_OK && g_len == 159 &&
              g_pkt.type == BMQTT_PUBLISH && g_pkt.u.publish.topic.len == 51 && g_pkt.u.publish.payload.len == 103,
          "the walk-through's received PUBLISH (156-byte body) does not decode");
    g_rx_connack = connack->bytes;
    g_rx_connack_len = connack->len;
    check(bmqtt_decode(connack->bytes, connack->len, &g_pkt, &g_len) == BMQTT_OK && g_pkt.type == BMQTT_CONNACK,
          "CONNACK does not decode");
    g_rx_suback = suback->bytes;
    g_rx_suback_len = suback->len;
    check(bmqtt_decode(suback->bytes, suback->len, &g_pkt, &g_len) == BMQTT_OK && g_pkt.type == BMQTT_SUBACK &&
              g_pkt.u.suback.codes.len == 1,
          "SUBACK does not decode");
    /* MQTT 5.0: the walk-through's topic and payload, Topic Alias 1, User Properties unit=C and
     * sensor=t1: 2 + 50 topic, 1 Property Length, 3 + 10 + 13 properties, 102 payload. */
    g_publish5.topic = g_publish.topic;
    g_publish5.payload = g_publish.payload;
    g_publish5.props.list = g_props5;
    g_publish5.props.count = 3;
    check(bmqtt5_publish_encode(&g_publish5, g_rx5, sizeof g_rx5, &g_rx5_len) == BMQTT_OK && g_rx5_len == 184 &&
              memcmp(g_rx5 + 3, post->bytes + 3, 52) == 0 && g_rx5[55] == 26 &&
              memcmp(g_rx5 + 82, g_publish.payload.ptr, 102) == 0,
          "MQTT 5.0 PUBLISH with a topic alias and two user properties: not the bytes expected");
    check(bmqtt5_decode(g_rx5, g_rx5_len, BMQTT5_FROM_SERVER, &g_pkt5, &g_len) == BMQTT_OK && g_len == 184 &&
              g_pkt5.u.publish.topic.len == 50 && g_pkt5.u.publish.payload.len == 102 &&
              bmqtt5_prop_num(&g_pkt5.u.publish.props, BMQTT5_PROP_TOPIC_ALIAS, 0) == 1,
          "MQTT 5.0 PUBLISH does not decode");
    if (failures) return 1;

    /* goal and best peer: the same method, compiler and flags run over coreMQTT v2.3.1,
     * Paho embedded and MQTT-C (the peer with the fewest instructions is named). */
    static const struct {
        const char *what;
        op_fn fn;
        unsigned goal, peer;
        const char *who;
    } ops[] = {
        { "encode Aliyun's CONNECT (118 bytes: client id, user name, password)", op_connect_encode, 354, 354,
          "coreMQTT" },
        { "encode a QoS 0 PUBLISH header (50-byte topic)", op_publish_header, 219, 219, "coreMQTT" },
        { "encode a whole QoS 0 PUBLISH (157 bytes: 50-byte topic, 102-byte payload)", op_publish_whole, 308, 308,
          "coreMQTT" },
        { "encode SUBSCRIBE (one 51-byte filter, QoS 1)", op_subscribe_encode, 195, 195, "coreMQTT" },
        { "decode Aliyun's received PUBLISH (156-byte body, 51-byte topic checked)", op_decode_publish, 155, 129,
          "MQTT-C" },
        { "decode CONNACK", op_decode_connack, 80, 98, "MQTT-C" },
        { "decode SUBACK (one return code)", op_decode_suback, 80, 96, "MQTT-C" },
        /* MQTT 5.0 (mqtt5.h): no goal and no peer measured yet */
        { "MQTT 5.0: encode a whole QoS 0 PUBLISH with a Topic Alias and two User Properties (184 bytes: "
          "50-byte topic, 26 bytes of properties, 102-byte payload)",
          op_publish5_encode, 0, 0, NULL },
        { "MQTT 5.0: decode that PUBLISH (properties checked: each allowed, not repeated, UTF-8)", op_publish5_decode,
          0, 0, NULL },
    };

    uint32_t base = ticks(empty), cal = ticks(calib) - base;
    /* Instructions per tick, x1000 for the report. */
    const uint64_t cal_instr = (uint64_t)(2u * CALIB_LOOPS + 1u) * REPS;
    printf("cycles: calibration: %lu instructions in %lu ticks (%lu.%03lu instructions per tick)\n",
           (unsigned long)cal_instr, (unsigned long)cal, (unsigned long)(cal_instr / cal),
           (unsigned long)(cal_instr * 1000u / cal % 1000u));
    printf("| operation | instructions | goal | best peer | goal met? |\n| --- | ---: | ---: | ---: | --- |\n");
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        uint32_t d = ticks(ops[i].fn) - base;
        /* instructions per call = d / REPS * (cal_instr / REPS) / cal... rounded to the nearest. */
        uint64_t x = ((uint64_t)d * cal_instr * 2u / cal / REPS + 1u) / 2u;
        char verdict[48];
        if (ops[i].goal == 0) {
            printf("| %s | %lu | - | - | - |\n", ops[i].what, (unsigned long)x);
            continue;
        }
        if (x <= ops[i].goal) snprintf(verdict, sizeof verdict, "met");
        else snprintf(verdict, sizeof verdict, "missed by %lu (%lu %%)", (unsigned long)(x - ops[i].goal),
                      (unsigned long)((x - ops[i].goal) * 100u / ops[i].goal));
        printf("| %s | %lu | %u | %u (%s) | %s |\n", ops[i].what, (unsigned long)x, ops[i].goal, ops[i].peer,
               ops[i].who, verdict);
    }
    tv_table_free(&t);
    return failures ? 1 : 0;
}
