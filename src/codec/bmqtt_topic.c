/* UTF-8, topic name and topic filter checks, and topic matching.
 *
 * Topic names are checked on every received PUBLISH, so the common case (pure
 * ASCII) is tested four bytes at a time: one word tells at once whether any
 * byte is non-ASCII, NUL, '+' or '#'. Only a flagged word falls back to the
 * byte-wise UTF-8 decoder. Words are loaded with memcpy: no unaligned access
 * and no endianness assumption (the tests are "any byte" tests). */
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

/* Non-zero when some byte of w is 0x80 or above, or 0: for ASCII bytes
 * (w - ONES) sets a high bit where a byte was zero, or above a borrow that a
 * zero byte started, which is flagged anyway. A flagged word is only a hint:
 * the byte-wise path decides. Macros, not functions: -Os would not inline them
 * into the hot loop. */
#define WORD_FLAGS(w) (((w) | ((w) - ONES)) & HIGHS)

/* As WORD_FLAGS, and also for '#' (0x23) or '+' (0x2B): they differ in bit 3
 * only, so w with bit 3 set, compared with 0x2B, finds both. */
#define WORD_FLAGS_TOPIC(w) (((w) | ((w) - ONES) | ((((w) | 0x08080808u) ^ 0x2B2B2B2Bu) - ONES)) & HIGHS)

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
    for (size_t k = 2; k < n; k++) {
        if ((s[k] & 0xC0u) != 0x80u) return 0;
    }
    return n;
}

/* Offset of the first word of s[0..len) that WORD_FLAGS (or, with topic,
 * WORD_FLAGS_TOPIC) flags, or len when there is none. The last word is read
 * where the string ends, overlapping bytes already passed, so no byte-wise
 * tail is needed. Needs len >= 4. */
static size_t clean_prefix(const uint8_t *s, size_t len, int topic)
{
    const uint8_t *p = s, *last = s + len - 4;
    uint32_t w;

    if (topic) {
        for (; p < last; p += 4) {
            w = load32(p);
            if (WORD_FLAGS_TOPIC(w)) return (size_t)(p - s);
        }
        w = load32(last);
        return WORD_FLAGS_TOPIC(w) ? (size_t)(p - s) : len;
    }
    for (; p < last; p += 4) {
        w = load32(p);
        if (WORD_FLAGS(w)) return (size_t)(p - s);
    }
    w = load32(last);
    return WORD_FLAGS(w) ? (size_t)(p - s) : len;
}

/* One pass over s: UTF-8 well-formedness and no U+0000; with topic != 0 also
 * no '+' or '#'. Plain ASCII, the common case, is settled by clean_prefix. */
static bmqtt_status_t scan(const uint8_t *s, size_t len, int topic)
{
    size_t i = 0;

    while (i < len) {
        if (len - i >= 4) {
            i += clean_prefix(s + i, len - i, topic);
            if (i == len) break;
        }
        uint8_t c = s[i];
        if (c == 0) return BMQTT_ERR_BAD_UTF8;
        if (c < 0x80) {
            if (topic && (c == '+' || c == '#')) return BMQTT_ERR_BAD_TOPIC;
            i++;
        } else {
            size_t n = utf8_seq(s + i, len - i);
            if (n == 0) return BMQTT_ERR_BAD_UTF8;
            i += n;
        }
    }
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_utf8_check(const uint8_t *s, size_t len)
{
    if (s == NULL) return len == 0 ? BMQTT_OK : BMQTT_ERR_PARAM;
    return scan(s, len, 0);
}

bmqtt_status_t bmqtt_topic_name_check(const uint8_t *s, size_t len)
{
    if (s == NULL || len == 0 || len > BMQTT_STR_MAX) return BMQTT_ERR_BAD_TOPIC;
    return scan(s, len, 1);
}

bmqtt_status_t bmqtt_topic_filter_check(const uint8_t *s, size_t len)
{
    if (s == NULL || len == 0 || len > BMQTT_STR_MAX) return BMQTT_ERR_BAD_FILTER;
    bmqtt_status_t st = scan(s, len, 0);
    if (st != BMQTT_OK) return st;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        if (c != '+' && c != '#') continue;
        int starts_level = (i == 0 || s[i - 1] == '/');
        int ends_level = (i + 1 == len || s[i + 1] == '/');
        if (!starts_level || !ends_level) return BMQTT_ERR_BAD_FILTER; /* [MQTT-4.7.1-2/3] */
        if (c == '#' && i + 1 != len) return BMQTT_ERR_BAD_FILTER;     /* '#' is last [MQTT-4.7.1-2] */
    }
    return BMQTT_OK;
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
