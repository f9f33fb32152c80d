/* docs/SIZING.md's packet sizes, from the codec's own size functions (buf NULL: size only).
 * Three profiles: a sensor, a gateway, an ESP-AT modem at ESP-AT's limits. Prints
 * "profile key value" lines for scripts/sizing/sizing.sh. */
#include <stdio.h>
#include <string.h>

#include "bmqtt/at.h"
#include "bmqtt/codec.h"

static char big[2048];

static bmqtt_view_t v(size_t n)
{
    bmqtt_view_t x;
    x.ptr = (const uint8_t *)big;
    x.len = n;
    return x;
}

static size_t connect_size(size_t id, size_t user, size_t pass, size_t wt, size_t wp)
{
    bmqtt_connect_t c;
    size_t n = 0;
    memset(&c, 0, sizeof c);
    c.client_id = v(id);
    c.clean_session = 1;
    if (user) c.username = v(user);
    if (pass) c.password = v(pass);
    if (wt) { c.will_topic = v(wt); c.will_payload = v(wp); c.will_qos = 1; }
    return bmqtt_connect_encode(&c, NULL, 0, &n) == BMQTT_OK ? n : 0;
}

static size_t publish_size(size_t topic, size_t payload, uint8_t qos)
{
    bmqtt_publish_t p;
    size_t n = 0;
    memset(&p, 0, sizeof p);
    p.topic = v(topic);
    p.payload = v(payload);
    p.qos = qos;
    p.packet_id = qos ? 1 : 0;
    return bmqtt_publish_encode(&p, NULL, 0, &n) == BMQTT_OK ? n : 0;
}

static size_t subscribe_size(size_t filter, size_t count)
{
    bmqtt_subscription_t s[16];
    size_t n = 0;
    for (size_t i = 0; i < count; i++) { s[i].filter = v(filter); s[i].qos = 1; }
    return bmqtt_subscribe_encode(1, s, count, NULL, 0, &n) == BMQTT_OK ? n : 0;
}

/* profile: client id, user, password, will topic/payload, publish topic/payload/QoS,
 * messages queued at once, incoming topic/payload, subscriptions (filter length, count). */
static void profile(const char *name, size_t id, size_t user, size_t pass, size_t wt, size_t wp,
                    size_t pt, size_t pp, uint8_t pq, size_t burst, size_t it, size_t ip,
                    size_t sf, size_t sn)
{
    printf("%s connect %zu\n", name, connect_size(id, user, pass, wt, wp));
    printf("%s publish %zu\n", name, publish_size(pt, pp, pq));
    printf("%s burst %zu\n", name, burst);
    printf("%s subscribe %zu\n", name, subscribe_size(sf, sn));
    printf("%s incoming %zu\n", name, publish_size(it, ip, 2));
    printf("%s copy %zu\n", name, pt + pp);
    printf("%s topic %zu\n", name, pt);
    printf("%s payload %zu\n", name, pp);
    printf("%s in_payload %zu\n", name, ip);
}

int main(void)
{
    memset(big, 'a', sizeof big);
    /* sensor: id "sensor-0001", will "dev/sensor-0001/status" = "offline", readings of 32 bytes
     * to "dev/sensor-0001/temp" at QoS 1, 4 queued; commands of up to 64 bytes on
     * "dev/sensor-0001/cmd". */
    profile("sensor", 11, 0, 0, 22, 7, 20, 32, 1, 4, 19, 64, 19, 1);
    /* gateway: id of 16, user 16 + password 40, will 24/7; 16 devices' 256-byte JSON states to
     * 30-byte topics at QoS 1, all queued at once; downlink of up to 1024 bytes on 30-byte
     * topics; 8 filters of 24 bytes in one SUBSCRIBE. */
    profile("gateway", 16, 16, 40, 24, 7, 30, 256, 1, 16, 30, 1024, 24, 8);
    /* AT modem at ESP-AT's limits: LONGCLIENTID/USERNAME/PASSWORD 1024 each, LWT 128/128,
     * AT+MQTTPUB topic 128 + data 256, 8 queued; downlink 1024 on a 128-byte topic. */
    profile("at", BMQTT_AT_LONG_MAX, BMQTT_AT_LONG_MAX, BMQTT_AT_LONG_MAX, BMQTT_AT_TOPIC_MAX, BMQTT_AT_TOPIC_MAX,
            BMQTT_AT_TOPIC_MAX, BMQTT_AT_DATA_MAX, 1, 8, BMQTT_AT_TOPIC_MAX, 1024, BMQTT_AT_TOPIC_MAX, 1);
    return 0;
}
