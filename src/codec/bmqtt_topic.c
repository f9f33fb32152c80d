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

/* Non-zero when some byte of w is 0x80 or above or 0, and, with wild, '#'
 * (0x23) or '+' (0x2B). For ASCII bytes, subtracting ONES sets a high bit
 * where a byte was zero, or above a borrow that a zero byte started, which is
 * flagged anyway. '#' and '+' differ in bit 3 only, so x = (w | 0x08..) ^ 0x2B..
 * is 0 exactly there; w & x is 0 where w or x is (and at a few other ASCII
 * bytes: space, !"()* and controls, which bytes() then passes). A flagged word
 * is only a hint: bytes() decides. A macro: -Os would not inline a function
 * into the loop. */
#define WORD_FLAGS(w, wild) \
    ((((wild) ? (w) & (((w) | 0x08080808u) ^ 0x2B2B2B2Bu) : (w)) - ONES) | (w))

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

/* The byte-wise path, for a flagged word (or a string under 4 bytes): from
 * *at to the end of that word, or on to the end of a sequence that starts in
 * it. Copies what it passed when d is not NULL. BMQTT_ERR_BAD_FILTER here
 * means a level rule is broken; the caller goes on checking UTF-8. */
BMQTT_NOINLINE static bmqtt_status_t bytes(const uint8_t *s, size_t len, size_t *at, uint8_t *d, unsigned kind)
{
    size_t i = *at, end = len - i > 4 ? i + 4 : len;
    bmqtt_status_t st = BMQTT_OK;

    do {
        uint8_t c = s[i];
        if (c >= 0x80u) {
            size_t n = utf8_seq(s + i, len - i);
            if (n == 0) return BMQTT_ERR_BAD_UTF8;
            i += n;
            continue;
        }
        if (c == 0) return BMQTT_ERR_BAD_UTF8; /* U+0000 [MQTT-1.5.3-2] */
        if (kind >= BMQTT_SCAN_TOPIC && (c == '+' || c == '#')) {
            if (kind == BMQTT_SCAN_TOPIC) return BMQTT_ERR_BAD_TOPIC; /* [MQTT-3.3.2-2] */
            /* '+' a whole level [MQTT-4.7.1-3], '#' the whole last level [MQTT-4.7.1-2] */
            if ((i && s[i - 1] != '/') || (i + 1 != len && (c == '#' || s[i + 1] != '/'))) {
                st = BMQTT_ERR_BAD_FILTER;
            }
        }
        i++;
    } while (i < end);
    if (d) {
        for (size_t j = *at; j < i; j++) d[j] = s[j];
    }
    *at = i;
    return st;
}

/* Words, eight bytes a test, then four; the last word is read where the
 * string ends, overlapping bytes already passed (so no byte-wise tail; a
 * flagged overlapping word goes to bytes() from where the checked bytes end).
 * wild and copy are constants where it is inlined: each loop is as short as
 * it can be. */
static inline __attribute__((always_inline)) bmqtt_status_t words(const uint8_t *s, size_t len, uint8_t *d,
                                                                  unsigned kind, int wild, int copy)
{
    size_t at = 0, pos;
    bmqtt_status_t late = BMQTT_OK, st;

    for (;;) {
        if (len >= 4) {
            const uint8_t *p = s + at;
            size_t n = (len - at) >> 3;
            uint32_t w, w2;
            for (; n; n--, p += 8) {
                w = load32(p);
                w2 = load32(p + 4);
                if (copy) {
                    store32(d + (p - s), w);
                    store32(d + (p - s) + 4, w2);
                }
                if ((WORD_FLAGS(w, wild) | WORD_FLAGS(w2, wild)) & HIGHS) break;
            }
            at = (size_t)(p - s);
            if (n) goto flagged;
            if (len - at > 4) {
                w = load32(p);
                if (copy) store32(d + at, w);
                if (WORD_FLAGS(w, wild) & HIGHS) goto flagged;
                at += 4;
            }
            w = load32(s + len - 4);
            if (copy) store32(d + len - 4, w);
            if (!(WORD_FLAGS(w, wild) & HIGHS)) return late;
        }
    flagged:
        pos = at;
        st = bytes(s, len, &pos, copy ? d : NULL, kind);
        at = pos;
        if (st == BMQTT_ERR_BAD_FILTER) late = st; /* reported once the whole string is good UTF-8 */
        else if (st != BMQTT_OK) return st;
        if (at >= len) return late;
    }
}

/* One loop for every kind, copying when d is not NULL: three loops
 * specialised by kind and copy were 10 to 20 % faster on a 50-byte string and
 * 400 B larger in a client's link (make cycles, make size). Plain strings take
 * the wildcard test too ('+' and '#' then go to bytes(), which passes them). */
bmqtt_status_t bmqtt_scan(const uint8_t *s, size_t len, uint8_t *d, unsigned kind)
{
    if (kind == BMQTT_SCAN_BYTES) {
        if (d && len) memcpy(d, s, len);
        return BMQTT_OK;
    }
    if (len == 0) return BMQTT_OK;
    return words(s, len, d, kind, 1, d != NULL);
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
