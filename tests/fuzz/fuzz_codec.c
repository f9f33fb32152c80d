/* libFuzzer harness: every decoder, the framer and the encoders.
 * Properties (abort on violation):
 *  - whatever bmqtt_decode accepts re-encodes with its encoder to the same bytes;
 *  - the framer, fed the input in chunks whose sizes come from the input,
 *    finds the same first packet boundary as bmqtt_fixed_header_decode;
 *  - the input as a PUBLISH topic, a SUBSCRIBE filter and a CONNECT client id:
 *    the encoder's status is the check's (bmqtt_topic_name_check,
 *    bmqtt_topic_filter_check, bmqtt_utf8_check; fuzz_topic checks those against
 *    references), the same when only sizing or with a buffer one byte short,
 *    and an accepted string is in the packet byte for byte;
 *  - nothing reads outside the input (ASan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/codec.h"
#include "bmqtt/topic.h"

static uint8_t out[1 << 17];

static void round_trip(const uint8_t *d, size_t n)
{
    bmqtt_packet_t p;
    size_t used, len = 0;
    bmqtt_status_t st;

    if (bmqtt_decode(d, n, &p, &used) != BMQTT_OK) return;
    switch (p.type) {
    case BMQTT_CONNECT: st = bmqtt_connect_encode(&p.u.connect, out, sizeof out, &len); break;
    case BMQTT_CONNACK: st = bmqtt_connack_encode(&p.u.connack, out, sizeof out, &len); break;
    case BMQTT_PUBLISH: st = bmqtt_publish_encode(&p.u.publish, out, sizeof out, &len); break;
    case BMQTT_SUBACK:
        st = bmqtt_suback_encode(p.u.suback.packet_id, p.u.suback.codes.ptr, p.u.suback.codes.len, out, sizeof out,
                                 &len);
        break;
    case BMQTT_SUBSCRIBE: {
        bmqtt_subscription_t s[256];
        size_t k = 0;
        bmqtt_view_t it = p.u.subscribe.entries;
        while (k < 256 && bmqtt_sub_next(&it, &s[k])) k++;
        if (it.len) return; /* more than 256 filters: not compared */
        st = bmqtt_subscribe_encode(p.u.subscribe.packet_id, s, k, out, sizeof out, &len);
        break;
    }
    case BMQTT_UNSUBSCRIBE: {
        bmqtt_view_t s[256];
        size_t k = 0;
        bmqtt_view_t it = p.u.unsubscribe.entries;
        while (k < 256 && bmqtt_unsub_next(&it, &s[k])) k++;
        if (it.len) return;
        st = bmqtt_unsubscribe_encode(p.u.unsubscribe.packet_id, s, k, out, sizeof out, &len);
        break;
    }
    case BMQTT_PINGREQ:
    case BMQTT_PINGRESP:
    case BMQTT_DISCONNECT: st = bmqtt_empty_encode((bmqtt_packet_type_t)p.type, out, sizeof out, &len); break;
    default: st = bmqtt_ack_encode((bmqtt_packet_type_t)p.type, p.u.packet_id, out, sizeof out, &len); break;
    }
    if (used > sizeof out) return;
    if (st != BMQTT_OK || len != used || memcmp(out, d, used) != 0) abort();
}

static void framer_agrees(const uint8_t *d, size_t n)
{
    bmqtt_framer_t f;
    bmqtt_fixed_header_t fh;
    size_t off = 0, c, chunk = n ? (size_t)(d[n - 1] % 7) + 1 : 1;
    bmqtt_status_t fs = BMQTT_NEED_MORE;

    bmqtt_framer_init(&f, 0);
    while (off < n) {
        size_t take = n - off < chunk ? n - off : chunk;
        fs = bmqtt_framer_feed(&f, d + off, take, &c);
        if (c > take) abort();
        off += c;
        if (fs != BMQTT_NEED_MORE) break;
    }
    if (fs == BMQTT_OK) {
        if (bmqtt_fixed_header_decode(d, n, &fh) != BMQTT_OK || off != (size_t)fh.header_len + fh.remaining_length) {
            abort();
        }
    }
}

/* enc(buf, cap, &len) encodes a packet carrying the input at offset at (when
 * accepted); want is the status the string check gives. */
typedef bmqtt_status_t (*enc_fn)(const uint8_t *d, size_t n, uint8_t *buf, size_t cap, size_t *len);

static bmqtt_status_t enc_publish(const uint8_t *d, size_t n, uint8_t *buf, size_t cap, size_t *len)
{
    bmqtt_publish_t p = { { d, n }, { (const uint8_t *)"p", 1 }, 0, 0, 0, 0 };
    return bmqtt_publish_encode(&p, buf, cap, len);
}

static bmqtt_status_t enc_subscribe(const uint8_t *d, size_t n, uint8_t *buf, size_t cap, size_t *len)
{
    bmqtt_subscription_t s = { { d, n }, 1 };
    return bmqtt_subscribe_encode(7, &s, 1, buf, cap, len);
}

static bmqtt_status_t enc_connect(const uint8_t *d, size_t n, uint8_t *buf, size_t cap, size_t *len)
{
    bmqtt_connect_t c;
    memset(&c, 0, sizeof c);
    c.client_id.ptr = d;
    c.client_id.len = n;
    c.clean_session = 1;
    c.username.ptr = d; /* the same string twice: user names are checked too */
    c.username.len = n;
    return bmqtt_connect_encode(&c, buf, cap, len);
}

static void encode_string(const uint8_t *d, size_t n, enc_fn enc, bmqtt_status_t want, size_t at)
{
    size_t q = 0, len = 0;
    bmqtt_status_t st = enc(d, n, NULL, 0, &q);
    if (st != want) abort();
    if (want != BMQTT_OK) {
        if (enc(d, n, out, sizeof out, &len) != want) abort();
        return;
    }
    if (q > sizeof out) return;
    if (enc(d, n, out, q - 1, &len) != BMQTT_ERR_BUFFER_TOO_SMALL || len != q) abort();
    if (enc(d, n, out, sizeof out, &len) != BMQTT_OK || len != q) abort();
    if (at + n > len || (n && memcmp(out + at, d, n) != 0)) abort();
}

static void encoders_check(const uint8_t *d, size_t n)
{
    size_t hl;
    if (n > 65535) return;
    /* PUBLISH: header, 2-byte length, topic. */
    hl = 1 + (3 + n < 128 ? 1 : 3 + n < 16384 ? 2 : 3);
    encode_string(d, n, enc_publish, n ? bmqtt_topic_name_check(d, n) : BMQTT_ERR_BAD_TOPIC, hl + 2);
    /* SUBSCRIBE: header, packet id, 2-byte length, filter, QoS. */
    hl = 1 + (5 + n < 128 ? 1 : 5 + n < 16384 ? 2 : 3);
    encode_string(d, n, enc_subscribe, n ? bmqtt_topic_filter_check(d, n) : BMQTT_ERR_BAD_FILTER, hl + 4);
    /* CONNECT: header, 10 bytes of variable header, 2-byte length, client id. */
    hl = 1 + (14 + 2 * n < 128 ? 1 : 14 + 2 * n < 16384 ? 2 : 3);
    encode_string(d, n, enc_connect, bmqtt_utf8_check(d, n), hl + 12);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    round_trip(d, n);
    framer_agrees(d, n);
    encoders_check(d, n);
    return 0;
}
