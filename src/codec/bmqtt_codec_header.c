/* Remaining-length varint and fixed-header rules (MQTT 3.1.1 section 2.2). */
#include <string.h>

#include "bmqtt_codec_internal.h"

bmqtt_view_t bmqtt_view_str(const char *s)
{
    bmqtt_view_t v = { NULL, 0 };
    if (s != NULL) {
        v.ptr = (const uint8_t *)s;
        v.len = strlen(s);
    }
    return v;
}

size_t bmqtt_varint_size(uint32_t value)
{
    if (value < 128u) return 1;
    if (value < 16384u) return 2;
    if (value < 2097152u) return 3;
    if (value <= BMQTT_VARINT_MAX) return 4;
    return 0;
}

size_t bmqtt_varint_encode(uint32_t value, uint8_t out[4])
{
    size_t n = 0;
    if (value > BMQTT_VARINT_MAX) return 0;
    do {
        uint8_t b = (uint8_t)(value & 0x7Fu);
        value >>= 7;
        out[n++] = value ? (uint8_t)(b | 0x80u) : b;
    } while (value);
    return n;
}

bmqtt_status_t bmqtt_varint_decode(const uint8_t *buf, size_t len, uint32_t *value, size_t *used)
{
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) {
        if (i >= len) return BMQTT_NEED_MORE;
        uint8_t b = buf[i];
        v |= (uint32_t)(b & 0x7Fu) << (7u * i);
        if ((b & 0x80u) == 0) {
            if (i > 0 && b == 0) return BMQTT_ERR_BAD_VARINT; /* non-minimal, e.g. 80 00 */
            *value = v;
            *used = i + 1;
            return BMQTT_OK;
        }
    }
    return BMQTT_ERR_BAD_VARINT; /* a 5th byte would follow */
}

bmqtt_status_t bmqtt_first_byte_check(uint8_t first_byte)
{
    return bmqtt_first_byte_status(first_byte);
}

bmqtt_status_t bmqtt_fixed_header_decode(const uint8_t *buf, size_t len, bmqtt_fixed_header_t *out)
{
    uint32_t rl;
    size_t n;
    bmqtt_status_t st;

    if (buf == NULL || out == NULL) return BMQTT_ERR_PARAM;
    if (len == 0) return BMQTT_NEED_MORE;
    st = bmqtt_first_byte_check(buf[0]);
    if (st != BMQTT_OK) return st;
    st = bmqtt_varint_decode(buf + 1, len - 1, &rl, &n);
    if (st != BMQTT_OK) return st;
    out->type = (uint8_t)(buf[0] >> 4);
    out->flags = (uint8_t)(buf[0] & 0x0Fu);
    out->header_len = (uint8_t)(1 + n);
    out->remaining_length = rl;
    return BMQTT_OK;
}
