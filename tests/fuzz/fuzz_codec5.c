/* libFuzzer harness: the MQTT 5.0 decoders and encoders (include/bmqtt/mqtt5.h).
 * Properties (abort on violation):
 *  - a packet either side's decoder accepts is accepted by the decoder that
 *    does not know the side (BMQTT5_FROM_EITHER);
 *  - every property set of an accepted packet walks to its end with
 *    bmqtt5_prop_next();
 *  - an accepted packet re-encodes; the re-encoding decodes and re-encodes to
 *    itself, and equals the input when it has the input's length (the input
 *    was in the shortest form);
 *  - an accepted PUBLISH: bmqtt5_publish_decode_head() finds the same head in
 *    the whole body, and needs more exactly when a cut ends inside the head;
 *  - the input read as a property list for a PUBLISH: the encoder's status is
 *    the same sizing, with a buffer one byte short and with room; what it
 *    accepts decodes to the same properties, in order;
 *  - nothing reads outside the input (ASan), no undefined behaviour (UBSan).
 * Seeds: tests/vectors/mqtt5 (captures from mosquitto and Paho, the malformed table's packets). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/mqtt5.h"

static uint8_t out[1 << 17], out2[1 << 17];

static void walk(const bmqtt5_props_t *p)
{
    bmqtt_view_t it = p->raw;
    bmqtt5_prop_t q;
    while (bmqtt5_prop_next(&it, &q)) {
        if (bmqtt5_prop_type(q.id) != q.type) abort();
    }
    if (it.len != 0) abort();
}

static bmqtt_status_t encode(const bmqtt5_packet_t *pkt, uint8_t *buf, size_t cap, size_t *len)
{
    switch (pkt->type) {
    case BMQTT_CONNECT: walk(&pkt->u.connect.props); walk(&pkt->u.connect.will_props);
        return bmqtt5_connect_encode(&pkt->u.connect, buf, cap, len);
    case BMQTT_CONNACK: walk(&pkt->u.connack.props); return bmqtt5_connack_encode(&pkt->u.connack, buf, cap, len);
    case BMQTT_PUBLISH: walk(&pkt->u.publish.props); return bmqtt5_publish_encode(&pkt->u.publish, buf, cap, len);
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
    case BMQTT_PUBREL:
    case BMQTT_PUBCOMP:
        walk(&pkt->u.ack.props);
        return bmqtt5_ack_encode((bmqtt_packet_type_t)pkt->type, &pkt->u.ack, buf, cap, len);
    case BMQTT_SUBSCRIBE: {
        static bmqtt5_subscription_t s[4096];
        size_t k = 0;
        bmqtt_view_t it = pkt->u.subscribe.entries;
        walk(&pkt->u.subscribe.props);
        while (k < 4096 && bmqtt5_sub_next(&it, &s[k])) k++;
        if (it.len) abort(); /* the decoder checked every entry */
        return bmqtt5_subscribe_encode(pkt->u.subscribe.packet_id, &pkt->u.subscribe.props, s, k, buf, cap, len);
    }
    case BMQTT_UNSUBSCRIBE: {
        static bmqtt_view_t s[8192];
        size_t k = 0;
        bmqtt_view_t it = pkt->u.unsubscribe.entries;
        walk(&pkt->u.unsubscribe.props);
        while (k < 8192 && bmqtt_unsub_next(&it, &s[k])) k++;
        if (it.len) abort();
        return bmqtt5_unsubscribe_encode(pkt->u.unsubscribe.packet_id, &pkt->u.unsubscribe.props, s, k, buf, cap,
                                         len);
    }
    case BMQTT_SUBACK:
    case BMQTT_UNSUBACK:
        walk(&pkt->u.suback.props);
        return bmqtt5_suback_encode((bmqtt_packet_type_t)pkt->type, pkt->u.suback.packet_id, &pkt->u.suback.props,
                                    pkt->u.suback.codes.ptr, pkt->u.suback.codes.len, buf, cap, len);
    case BMQTT_DISCONNECT:
    case BMQTT5_AUTH: walk(&pkt->u.reason.props); return bmqtt5_reason_encode(pkt->type, &pkt->u.reason, buf, cap, len);
    default: return bmqtt_empty_encode((bmqtt_packet_type_t)pkt->type, buf, cap, len);
    }
}

static void round_trip(const uint8_t *d, size_t n)
{
    static const bmqtt5_from_t sides[3] = { BMQTT5_FROM_CLIENT, BMQTT5_FROM_SERVER, BMQTT5_FROM_EITHER };
    bmqtt_status_t st[3];
    bmqtt5_packet_t p;
    size_t used = 0, len = 0, len2 = 0;

    for (int i = 0; i < 3; i++) {
        st[i] = bmqtt5_decode(d, n, sides[i], &p, &used);
        if (st[i] != BMQTT_OK && st[i] != BMQTT_NEED_MORE && !BMQTT5_STATUS_IS_PEER_ERROR(st[i])) abort();
    }
    if ((st[0] == BMQTT_OK || st[1] == BMQTT_OK) && st[2] != BMQTT_OK) abort();
    if (st[2] != BMQTT_OK) return; /* p holds the FROM_EITHER decode */
    if (used > n || used > sizeof out) abort();
    if (p.type == BMQTT_PUBLISH) { /* the head decoder agrees, whole or cut anywhere */
        size_t hl = 2, head_len = 0;
        bmqtt5_publish_t h;
        while (d[hl - 1] & 0x80u) hl++;
        const size_t rl = used - hl, head = rl - p.u.publish.payload.len;
        if (bmqtt5_publish_decode_head(d[0] & 15u, d + hl, rl, (uint32_t)rl, BMQTT5_FROM_EITHER, &h, &head_len) !=
                BMQTT_OK ||
            head_len != head || h.payload.len != p.u.publish.payload.len)
            abort();
        const size_t cut = rl ? d[n - 1] % rl : 0;
        bmqtt_status_t hs = bmqtt5_publish_decode_head(d[0] & 15u, d + hl, cut, (uint32_t)rl, BMQTT5_FROM_EITHER, &h,
                                                       &head_len);
        if (hs != (cut < head ? BMQTT_NEED_MORE : BMQTT_OK)) abort();
    }
    if (encode(&p, out, sizeof out, &len) != BMQTT_OK) abort();
    if (len == used && memcmp(out, d, used) != 0) abort();
    if (bmqtt5_decode(out, len, BMQTT5_FROM_EITHER, &p, &used) != BMQTT_OK || used != len) abort();
    if (encode(&p, out2, sizeof out2, &len2) != BMQTT_OK || len2 != len || memcmp(out, out2, len) != 0) abort();
}

/* The input as up to 8 properties of a PUBLISH: id, a 32-bit number, two strings cut from the input. */
static void props_encode(const uint8_t *d, size_t n)
{
    bmqtt5_prop_t list[8];
    size_t count, i = 1, k;
    if (n < 1) return;
    count = d[0] % 9u;
    for (k = 0; k < count; k++) {
        bmqtt5_prop_t *p = &list[k];
        size_t a, b;
        if (n - i < 7) break;
        memset(p, 0, sizeof *p);
        p->id = (uint8_t)(d[i] % 0x2Cu);
        p->num = ((uint32_t)d[i + 1] << 24 | (uint32_t)d[i + 2] << 16 | (uint32_t)d[i + 3] << 8 | d[i + 4]) >>
                 (d[i + 1] & 7u) * 4u;
        a = d[i + 5] % 8u;
        b = d[i + 6] % 8u;
        i += 7;
        if (n - i < a + b) break;
        p->str.ptr = d + i;
        p->str.len = a;
        p->val.ptr = d + i + a;
        p->val.len = b;
        i += a + b;
    }
    count = k;
    bmqtt5_publish_t pub = { { (const uint8_t *)"t", 1 }, { d, n }, { list, count, { NULL, 0 } }, 1, 0, 0, 7 };
    size_t sized = 0, len = 0, used;
    bmqtt_status_t s0 = bmqtt5_publish_encode(&pub, NULL, 0, &sized);
    bmqtt_status_t s1 = bmqtt5_publish_encode(&pub, out, s0 == BMQTT_OK && sized ? sized - 1 : 0, &len);
    bmqtt_status_t s2 = bmqtt5_publish_encode(&pub, out, sizeof out, &len);
    if (s0 != s2) abort();
    if (s0 == BMQTT_OK && (s1 != BMQTT_ERR_BUFFER_TOO_SMALL || len != sized)) abort();
    if (s0 != BMQTT_OK) return;
    bmqtt5_packet_t pkt;
    if (bmqtt5_decode(out, len, BMQTT5_FROM_SERVER, &pkt, &used) != BMQTT_OK || used != len) abort();
    bmqtt_view_t it = pkt.u.publish.props.raw;
    bmqtt5_prop_t q;
    for (k = 0; k < count; k++) {
        unsigned type = bmqtt5_prop_type(list[k].id);
        if (!bmqtt5_prop_next(&it, &q) || q.id != list[k].id) abort();
        if (type <= BMQTT5_TYPE_VARINT && q.num != list[k].num) abort();
        if (type >= BMQTT5_TYPE_STR &&
            (q.str.len != list[k].str.len || (q.str.len && memcmp(q.str.ptr, list[k].str.ptr, q.str.len) != 0)))
            abort();
        if (type == BMQTT5_TYPE_PAIR &&
            (q.val.len != list[k].val.len || (q.val.len && memcmp(q.val.ptr, list[k].val.ptr, q.val.len) != 0)))
            abort();
    }
    if (bmqtt5_prop_next(&it, &q)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    round_trip(data, size);
    props_encode(data, size);
    if (size > 1) { /* the body alone, behind the first byte; a PUBLISH head of any announced length */
        bmqtt5_packet_t p;
        bmqtt5_publish_t h;
        size_t head_len;
        (void)bmqtt5_decode_body(data[0], data + 1, size - 1, BMQTT5_FROM_EITHER, &p);
        (void)bmqtt5_publish_decode_head(data[0] & 15u, data + 1, size - 1, (uint32_t)(size - 1) + data[0],
                                         BMQTT5_FROM_SERVER, &h, &head_len);
    }
    return 0;
}
