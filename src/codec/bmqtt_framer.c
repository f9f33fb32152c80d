/* Resumable stream framer: finds packet boundaries in chunks of any size.
 * It reads each byte once, never past len, and copies nothing; its whole
 * state is the caller's bmqtt_framer_t. */
#include "bmqtt_codec_internal.h"

enum { AT_FIRST_BYTE, IN_LENGTH, IN_BODY, FAILED };

void bmqtt_framer_init(bmqtt_framer_t *f, uint32_t max_packet)
{
    if (f == NULL) return;
    f->max_packet = max_packet;
    f->remaining = 0;
    f->left = 0;
    f->first_byte = 0;
    f->header_len = 0;
    f->state = AT_FIRST_BYTE;
    f->error = 0;
}

static bmqtt_status_t fail(bmqtt_framer_t *f, bmqtt_status_t st)
{
    f->state = FAILED;
    f->error = (int8_t)st;
    return st;
}

bmqtt_status_t bmqtt_framer_feed(bmqtt_framer_t *f, const uint8_t *data, size_t len, size_t *consumed)
{
    size_t i = 0;
    bmqtt_status_t st;

    if (f == NULL || consumed == NULL || (data == NULL && len)) return BMQTT_ERR_PARAM;
    *consumed = 0;
    if (f->state == FAILED) return (bmqtt_status_t)f->error;

    if (f->state == AT_FIRST_BYTE) {
        if (len == 0) return BMQTT_NEED_MORE;
        if ((st = bmqtt_first_byte_check(data[0])) != BMQTT_OK) return fail(f, st);
        f->first_byte = data[0];
        f->header_len = 1;
        f->remaining = 0;
        f->state = IN_LENGTH;
        i = 1;
    }
    while (f->state == IN_LENGTH) {
        uint8_t b;
        if (i == len) {
            *consumed = i;
            return BMQTT_NEED_MORE;
        }
        b = data[i++];
        f->remaining |= (uint32_t)(b & 0x7Fu) << (7u * (f->header_len - 1u));
        f->header_len++;
        if (b & 0x80u) {
            if (f->header_len == BMQTT_FIXED_HEADER_MAX) return fail(f, BMQTT_ERR_BAD_VARINT);
            continue;
        }
        if (b == 0 && f->header_len > 2) return fail(f, BMQTT_ERR_BAD_VARINT); /* non-minimal */
        f->left = f->remaining;
        f->state = IN_BODY;
        if (f->max_packet && f->header_len + f->remaining > f->max_packet) {
            *consumed = i;
            return BMQTT_ERR_PACKET_TOO_LARGE; /* the caller may go on feeding to skip or stream */
        }
    }

    /* IN_BODY */
    {
        size_t take = len - i;
        if (take > f->left) take = f->left;
        f->left -= (uint32_t)take;
        i += take;
    }
    *consumed = i;
    if (f->left) return BMQTT_NEED_MORE;
    f->state = AT_FIRST_BYTE;
    return BMQTT_OK;
}
