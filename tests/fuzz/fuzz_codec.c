/* libFuzzer harness: every decoder, the framer and the encoders.
 * Properties (abort on violation):
 *  - whatever bmqtt_decode accepts re-encodes with its encoder to the same bytes;
 *  - the framer, fed the input in chunks whose sizes come from the input,
 *    finds the same first packet boundary as bmqtt_fixed_header_decode;
 *  - nothing reads outside the input (ASan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/codec.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    round_trip(d, n);
    framer_agrees(d, n);
    return 0;
}
