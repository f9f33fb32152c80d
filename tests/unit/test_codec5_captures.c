/*
 * Packets captured from other MQTT 5.0 encoders (tests/vectors/mqtt5/captures/:
 * mosquitto_pub, mosquitto_sub and a Paho client recorded by tests/mqtt5/recorder.py,
 * and server packets whose properties Paho packed; `make test-mqtt5` recaptures
 * them and checks every field). Here each one decodes, and bmqtt encodes the
 * decoded packet back to exactly the captured bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/mqtt5.h"
#include "vectors.h"

#define DIR "tests/vectors/mqtt5/captures"

/* Encode a decoded packet again. */
static bmqtt_status_t encode(const bmqtt5_packet_t *pkt, uint8_t *buf, size_t cap, size_t *len)
{
    switch (pkt->type) {
    case BMQTT_CONNECT: return bmqtt5_connect_encode(&pkt->u.connect, buf, cap, len);
    case BMQTT_CONNACK: return bmqtt5_connack_encode(&pkt->u.connack, buf, cap, len);
    case BMQTT_PUBLISH: return bmqtt5_publish_encode(&pkt->u.publish, buf, cap, len);
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
    case BMQTT_PUBREL:
    case BMQTT_PUBCOMP: return bmqtt5_ack_encode((bmqtt_packet_type_t)pkt->type, &pkt->u.ack, buf, cap, len);
    case BMQTT_SUBSCRIBE: {
        bmqtt5_subscription_t subs[16];
        bmqtt_view_t it = pkt->u.subscribe.entries;
        size_t n = 0;
        while (n < 16 && bmqtt5_sub_next(&it, &subs[n])) n++;
        return bmqtt5_subscribe_encode(pkt->u.subscribe.packet_id, &pkt->u.subscribe.props, subs, n, buf, cap, len);
    }
    case BMQTT_UNSUBSCRIBE: {
        bmqtt_view_t filters[16], it = pkt->u.unsubscribe.entries;
        size_t n = 0;
        while (n < 16 && bmqtt_unsub_next(&it, &filters[n])) n++;
        return bmqtt5_unsubscribe_encode(pkt->u.unsubscribe.packet_id, &pkt->u.unsubscribe.props, filters, n, buf,
                                         cap, len);
    }
    case BMQTT_SUBACK:
    case BMQTT_UNSUBACK:
        return bmqtt5_suback_encode((bmqtt_packet_type_t)pkt->type, pkt->u.suback.packet_id, &pkt->u.suback.props,
                                    pkt->u.suback.codes.ptr, pkt->u.suback.codes.len, buf, cap, len);
    case BMQTT_DISCONNECT:
    case BMQTT5_AUTH: return bmqtt5_reason_encode(pkt->type, &pkt->u.reason, buf, cap, len);
    default: return bmqtt_empty_encode((bmqtt_packet_type_t)pkt->type, buf, cap, len);
    }
}

static void test_captures_decode_and_reencode(void **state)
{
    (void)state;
    char **names = NULL;
    size_t count = tv_dir_list(DIR, ".raw", &names);
    assert_true(count != (size_t)-1);
    assert_true(count >= 19);
    unsigned types = 0;
    for (size_t i = 0; i < count; i++) {
        char path[256];
        uint8_t *data;
        size_t len, used = 0, n = 0;
        snprintf(path, sizeof path, "%s/%s", DIR, names[i]);
        assert_int_equal(tv_file_read(path, &data, &len), 0);
        /* paho_server-*: what a server sends; the others: what a client sent */
        bmqtt5_from_t from = strncmp(names[i], "paho_server", 11) == 0 ? BMQTT5_FROM_SERVER : BMQTT5_FROM_CLIENT;
        bmqtt5_packet_t pkt;
        bmqtt_status_t st = bmqtt5_decode(data, len, from, &pkt, &used);
        if (st != BMQTT_OK) fail_msg("%s: %s", names[i], bmqtt_status_str(st));
        assert_int_equal(used, len);
        types |= 1u << pkt.type;
        uint8_t *again = malloc(len);
        assert_non_null(again);
        st = encode(&pkt, again, len, &n);
        if (st != BMQTT_OK) fail_msg("%s: encode: %s", names[i], bmqtt_status_str(st));
        assert_int_equal(n, len);
        if (memcmp(again, data, len) != 0) {
            tv_hexdump("captured", data, len);
            tv_hexdump("encoded", again, n);
            fail_msg("%s: not the same bytes", names[i]);
        }
        free(again);
        free(data);
    }
    tv_names_free(names, count);
    /* every type a peer sent is among them */
    const unsigned want = (1u << BMQTT_CONNECT) | (1u << BMQTT_CONNACK) | (1u << BMQTT_PUBLISH) | (1u << BMQTT_PUBREL) |
                          (1u << BMQTT_SUBSCRIBE) | (1u << BMQTT_SUBACK) | (1u << BMQTT_UNSUBSCRIBE) |
                          (1u << BMQTT_DISCONNECT) | (1u << BMQTT5_AUTH);
    assert_int_equal(types & want, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captures_decode_and_reencode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
