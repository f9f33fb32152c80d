/*
 * The codec as a typical client uses it, through the public API only, for
 * `make size`: it encodes CONNECT, SUBSCRIBE, PUBLISH, PINGREQ, DISCONNECT and
 * PUBACK, and decodes whole packets from the receive buffer with bmqtt_decode()
 * (fixed header included), as a program that uses the codec without the client
 * must. Nothing else of the library. Linked with --gc-sections, the map file
 * tells what that costs in flash; tests/qemu/link_codec_coremqtt.c makes the
 * same calls to coreMQTT's serializer. Never run.
 */
#include "bmqtt/codec.h"

static uint8_t buf[512];
volatile size_t rx_len;
volatile uint16_t id;

int main(void);
int main(void)
{
    const bmqtt_connect_t c = { .client_id = BMQTT_VIEW_LIT("dev1"), .username = BMQTT_VIEW_LIT("user"),
                                .password = BMQTT_VIEW_LIT("secret"), .keepalive_s = 60, .clean_session = 1 };
    const bmqtt_subscription_t sub = { BMQTT_VIEW_LIT("cmd/#"), 1 };
    const bmqtt_publish_t pub = { .topic = BMQTT_VIEW_LIT("t/1"), .payload = BMQTT_VIEW_LIT("21.5"), .qos = 1,
                                  .packet_id = 1 };
    bmqtt_packet_t pkt;
    size_t n, used;
    int bad = 0;

    bad |= bmqtt_connect_encode(&c, buf, sizeof buf, &n) != BMQTT_OK;
    bad |= bmqtt_subscribe_encode(id, &sub, 1, buf, sizeof buf, &n) != BMQTT_OK;
    bad |= bmqtt_publish_encode(&pub, buf, sizeof buf, &n) != BMQTT_OK;
    bad |= bmqtt_empty_encode(BMQTT_PINGREQ, buf, sizeof buf, &n) != BMQTT_OK;
    bad |= bmqtt_empty_encode(BMQTT_DISCONNECT, buf, sizeof buf, &n) != BMQTT_OK;
    bad |= bmqtt_ack_encode(BMQTT_PUBACK, id, buf, sizeof buf, &n) != BMQTT_OK;
    /* CONNACK, SUBACK, PUBLISH, PUBACK, PINGRESP: one call decodes any of them. */
    bad |= bmqtt_decode(buf, rx_len, &pkt, &used) != BMQTT_OK;
    return bad;
}
