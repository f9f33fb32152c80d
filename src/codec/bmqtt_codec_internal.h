/* Byte helpers shared by the codec sources. Not part of the public API. */
#ifndef BMQTT_CODEC_INTERNAL_H
#define BMQTT_CODEC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/codec.h"
#include "bmqtt/config.h"

/* Keeps a rarely used function's frame out of its caller's, so the worst-case
 * stack of the common path stays small (make stack). */
#if defined(__GNUC__)
#define BMQTT_NOINLINE __attribute__((noinline))
#else
#define BMQTT_NOINLINE
#endif

/* "A size_t beyond MQTT's largest remaining length". Where size_t has 16 bits (AVR) no size_t
 * can be, and the comparison would only earn a -Wtype-limits warning. */
#if SIZE_MAX > BMQTT_VARINT_MAX
#define BMQTT_SIZE_OVER_VARINT(n) ((n) > BMQTT_VARINT_MAX)
#else
#define BMQTT_SIZE_OVER_VARINT(n) 0
#endif
/* The same for "beyond 32 bits" (a size kept in a uint32_t). */
#if SIZE_MAX > UINT32_MAX
#define BMQTT_SIZE_OVER_U32(n) ((n) > UINT32_MAX)
#else
#define BMQTT_SIZE_OVER_U32(n) 0
#endif

/* Largest MQTT string (a 16-bit length prefix). */
#define BMQTT_STR_MAX 65535u

/* Big-endian 16-bit values, byte by byte: no alignment or endianness assumption. */
static inline uint16_t bmqtt_get16(const uint8_t *p)
{
    return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}

static inline uint8_t *bmqtt_put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

/* Types whose reserved flags must be 0b0010: PUBREL (6), SUBSCRIBE (8),
 * UNSUBSCRIBE (10) [MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1]. */
#define BMQTT_FLAGS_0010_TYPES ((1u << BMQTT_PUBREL) | (1u << BMQTT_SUBSCRIBE) | (1u << BMQTT_UNSUBSCRIBE))

/* bmqtt_first_byte_check(), inline for bmqtt_decode(): a dozen instructions,
 * PUBLISH (the most frequent) first. */
static inline bmqtt_status_t bmqtt_first_byte_status(uint8_t first_byte)
{
    unsigned type = first_byte >> 4;
    unsigned flags = first_byte & 0x0Fu;

    if (type == BMQTT_PUBLISH) {
        if ((flags & 6u) == 6u) return BMQTT_ERR_BAD_QOS;   /* QoS 3 [MQTT-3.3.1-4] */
        if ((flags & 14u) == 8u) return BMQTT_ERR_PROTOCOL; /* DUP with QoS 0 [MQTT-3.3.1-2] */
        return BMQTT_OK;
    }
    if (type == 0 || type == 15) return BMQTT_ERR_BAD_TYPE;
    if (flags != (((BMQTT_FLAGS_0010_TYPES >> type) & 1u) << 1)) return BMQTT_ERR_BAD_FLAGS; /* [MQTT-2.2.2-1/2] */
    return BMQTT_OK;
}

/* What bmqtt_scan() checks a string for. */
enum {
    BMQTT_SCAN_BYTES,  /* nothing: binary data (copied only) */
    BMQTT_SCAN_STR,    /* well-formed UTF-8 without U+0000 [MQTT-1.5.3-1/2] */
    BMQTT_SCAN_TOPIC,  /* ... and no '+' or '#' [MQTT-3.3.2-2] */
    BMQTT_SCAN_FILTER  /* ... '+' and '#' only as whole levels, '#' last [MQTT-4.7.1-2/3] */
};

/* One pass over s[0..len): checks it as @p kind says and, when @p d is not
 * NULL, copies it to d (also when it is rejected: the bytes are the caller's
 * output area). Emptiness and the 16-bit limit are the caller's to check.
 * Returns BMQTT_OK, BMQTT_ERR_BAD_UTF8, BMQTT_ERR_BAD_TOPIC (a wildcard in a
 * name) or BMQTT_ERR_BAD_FILTER (a level rule broken in otherwise good UTF-8). */
bmqtt_status_t bmqtt_scan(const uint8_t *s, size_t len, uint8_t *d, unsigned kind);

/* bmqtt_scan(s, len, NULL, kind) for 0 < len, kind not BMQTT_SCAN_BYTES: what a decoder calls. */
bmqtt_status_t bmqtt_scan_check(const uint8_t *s, size_t len, unsigned kind);

/* bmqtt_decode_body() for a client: the first byte is already checked (by the
 * framer), and the packets only a client sends are BMQTT_ERR_PROTOCOL without
 * their body being read, whatever BMQTT_DECODE_CLIENT_PACKETS says; so a
 * client's link leaves their decoders out. */
bmqtt_status_t bmqtt_decode_from_server(uint8_t first_byte, const uint8_t *body, size_t body_len,
                                        bmqtt_packet_t *pkt);

#endif /* BMQTT_CODEC_INTERNAL_H */
