/* UTF-8, topic name and topic filter checks, and topic matching.
 *
 * Every string the codec encodes or decodes goes through bmqtt_scan(): one
 * pass that settles UTF-8, U+0000 and (for names and filters) the wildcard
 * rules together, and copies the string into place for an encoder. The common
 * case (pure ASCII) is tested four bytes at a time: one word tells at once
 * whether any byte is non-ASCII, NUL, '+' or '#'. Only a flagged word is
 * looked at byte by byte, and a filter's level rules are checked only at the
 * '+' and '#' found that way. Words are loaded with memcpy: no unaligned
 * access and no endianness assumption (the tests are "any byte" tests). */
#include <string.h>

#include "bmqtt/topic.h"
#include "bmqtt_codec_internal.h"

#define ONES 0x01010101u
#define HIGHS 0x80808080u

static uint32_t load32(const uint8_t *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

static void store32(uint8_t *p, uint32_t w)
{
    memcpy(p, &w, sizeof w);
}

/* Non-zero (in some byte's high bit) when some byte of w is 0x80 or above or
 * 0, and, with k = 0x2B.., '#' (0x23) or '+' (0x2B). For ASCII bytes,
 * subtracting ONES sets a high bit where a byte was zero, or above a borrow
 * that a zero byte started, which is flagged anyway. '#' and '+' differ in bit
 * 3 only, so x = (w | 0x08..) ^ k is 0 exactly there; w & x is 0 where w or x
 * is (and at a few other ASCII bytes: space, !"()* and controls, which the
 * byte-wise path then passes). With k = 0x80.. (plain strings), w & x is w for
 * ASCII bytes. A flagged word is only a hint: the byte-wise path decides. A
 * macro: -Os would not inline a function into the loop. */
#define FLAGS(w) ((((w) & (((w) | 0x08080808u) ^ k)) - ONES) | (w))

/* Length of the valid non-ASCII sequence at s[0..avail), or 0 if ill-formed
 * (RFC 3629 table 3: the second byte's range depends on the first). */
static size_t utf8_seq(const uint8_t *s, size_t avail)
{
    uint8_t c = s[0];
    uint8_t lo = 0x80, hi = 0xBF;
    size_t n;

    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;      /* overlong */
        else if (c == 0xED) hi = 0x9F; /* surrogates U+D800..DFFF */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;      /* overlong */
        else if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 overlong, F5..FF */
    }
    if (avail < n || s[1] < lo || s[1] > hi) return 0;
    for (size_t j = 2; j < n; j++) {
        if ((s[j] & 0xC0u) != 0x80u) return 0;
    }
    return n;
}

/* Sixteen bytes a test while at least sixteen are left, then four at a time,
 * the last word read where the string ends, overlapping bytes already passed
 * (so no byte-wise tail). A clean block is copied to d as it passes; a flagged
 * one goes to the byte-wise path, which checks (and copies) up to 16 bytes
 * from where the clean ones end, and on to the end of a sequence that starts
 * there. */
bmqtt_status_t bmqtt_scan(const uint8_t *s, size_t len, uint8_t *d, unsigned kind)
{
    const uint32_t k = kind >= BMQTT_SCAN_TOPIC ? 0x2B2B2B2Bu : HIGHS;
    size_t i = 0;
    bmqtt_status_t late = BMQTT_OK; /* a filter level rule broken: reported once the string is good UTF-8 */

    if (kind == BMQTT_SCAN_BYTES) {
        if (d && len) memcpy(d, s, len);
        return BMQTT_OK;
    }
    while (i < len) {
        size_t at = i, end, n;
        if (len - at >= 4) {
            const uint8_t *p = s + at;
            uint32_t w, acc;
            /* A clean block is copied after its test, read again: one loop
             * for checking and copying (a second loop that stores as it
             * tests saves 4 instructions per 16 bytes and costs 80 bytes). */
            for (n = (len - at) >> 4; n; n--, p += 16) {
                w = load32(p);
                acc = FLAGS(w);
                w = load32(p + 4);
                acc |= FLAGS(w);
                w = load32(p + 8);
                acc |= FLAGS(w);
                w = load32(p + 12);
                acc |= FLAGS(w);
                if (acc & HIGHS) break;
                if (d) {
                    uint8_t *q = d + (p - s);
                    store32(q, load32(p));
                    store32(q + 4, load32(p + 4));
                    store32(q + 8, load32(p + 8));
                    store32(q + 12, w);
                }
            }
            at = (size_t)(p - s);
            if (n == 0) {
                for (; len - at > 4; at += 4) {
                    w = load32(s + at);
                    if (FLAGS(w) & HIGHS) break;
                    if (d) store32(d + at, w);
                }
                if (len - at <= 4) {
                    w = load32(s + len - 4);
                    if (!(FLAGS(w) & HIGHS)) {
                        if (d) store32(d + len - 4, w);
                        return late;
                    }
                }
            }
        }
        /* Byte by byte: the flagged block, or a string under four bytes. */
        i = at;
        end = len - at > 16 ? at + 16 : len;
        do {
            uint8_t c = s[i];
            if (c >= 0x80u) {
                if ((n = utf8_seq(s + i, len - i)) == 0) return BMQTT_ERR_BAD_UTF8;
                i += n;
                continue;
            }
            if (c == 0) return BMQTT_ERR_BAD_UTF8; /* U+0000 [MQTT-1.5.3-2] */
            if (kind >= BMQTT_SCAN_TOPIC && (c == '+' || c == '#')) {
                if (kind == BMQTT_SCAN_TOPIC) return BMQTT_ERR_BAD_TOPIC; /* [MQTT-3.3.2-2] */
                /* '+' a whole level [MQTT-4.7.1-3], '#' the whole last level [MQTT-4.7.1-2] */
                if ((i && s[i - 1] != '/') || (i + 1 != len && (c == '#' || s[i + 1] != '/'))) {
                    late = BMQTT_ERR_BAD_FILTER;
                }
            }
            i++;
        } while (i < end);
        if (d) {
            for (; at < i; at++) d[at] = s[at];
        }
    }
    return late;
}

bmqtt_status_t bmqtt_scan_check(const uint8_t *s, size_t len, unsigned kind)
{
    return bmqtt_scan(s, len, NULL, kind);
}

bmqtt_status_t bmqtt_utf8_check(const uint8_t *s, size_t len)
{
    if (s == NULL) return len == 0 ? BMQTT_OK : BMQTT_ERR_PARAM;
    return bmqtt_scan(s, len, NULL, BMQTT_SCAN_STR);
}

bmqtt_status_t bmqtt_topic_name_check(const uint8_t *s, size_t len)
{
    if (s == NULL || len == 0 || len > BMQTT_STR_MAX) return BMQTT_ERR_BAD_TOPIC;
    return bmqtt_scan_check(s, len, BMQTT_SCAN_TOPIC);
}

bmqtt_status_t bmqtt_topic_filter_check(const uint8_t *s, size_t len)
{
    if (s == NULL || len == 0 || len > BMQTT_STR_MAX) return BMQTT_ERR_BAD_FILTER;
    return bmqtt_scan_check(s, len, BMQTT_SCAN_FILTER);
}

int bmqtt_topic_match(const uint8_t *f, size_t flen, const uint8_t *t, size_t tlen)
{
    size_t fi = 0, ti = 0;

    if (f == NULL || t == NULL || flen == 0 || tlen == 0) return 0;
    /* A leading wildcard never matches a '$' topic [MQTT-4.7.2-1]. */
    if (t[0] == '$' && (f[0] == '+' || f[0] == '#')) return 0;

    while (fi < flen) {
        uint8_t c = f[fi];
        if (c == '#') return 1;
        if (c == '+') {
            while (ti < tlen && t[ti] != '/') ti++;
            fi++;
        } else if (ti < tlen && t[ti] == c) {
            fi++;
            ti++;
        } else {
            /* "a/#" also matches "a": the topic ended just before "/#". */
            return ti == tlen && c == '/' && fi + 2 == flen && f[fi + 1] == '#';
        }
    }
    return ti == tlen;
}
