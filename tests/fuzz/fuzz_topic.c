/* libFuzzer harness: topic filter matching against an obvious reference
 * (split both into levels, compare level by level), the UTF-8 check against a
 * plain code-point decoder, and the topic name and filter checks against
 * byte-by-byte references, status for status. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/topic.h"

/* Reference UTF-8: decode each code point the long way and check its range. */
static int ref_utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len;
        uint8_t c = s[i];
        if (c < 0x80) { cp = c; len = 1; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1Fu; len = 2; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0Fu; len = 3; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07u; len = 4; }
        else return 0;
        if (i + len > n) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) return 0;
        i += len;
    }
    return 1;
}

/* Reference topic name check: length, then UTF-8 and wildcards code point by
 * code point in order (the first broken rule wins, as in the library). */
static bmqtt_status_t ref_name(const uint8_t *s, size_t n)
{
    if (n == 0 || n > 65535) return BMQTT_ERR_BAD_TOPIC;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+' || s[i] == '#') {
            /* a wildcard before any UTF-8 error: BAD_TOPIC; after one: BAD_UTF8 */
            return ref_utf8_ok(s, i) ? BMQTT_ERR_BAD_TOPIC : BMQTT_ERR_BAD_UTF8;
        }
    }
    return ref_utf8_ok(s, n) ? BMQTT_OK : BMQTT_ERR_BAD_UTF8;
}

/* Reference filter check: UTF-8 over the whole filter first, then the level rules. */
static bmqtt_status_t ref_filter(const uint8_t *s, size_t n)
{
    if (n == 0 || n > 65535) return BMQTT_ERR_BAD_FILTER;
    if (!ref_utf8_ok(s, n)) return BMQTT_ERR_BAD_UTF8;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '+' && s[i] != '#') continue;
        if (i > 0 && s[i - 1] != '/') return BMQTT_ERR_BAD_FILTER;
        if (i + 1 < n && s[i + 1] != '/') return BMQTT_ERR_BAD_FILTER;
        if (s[i] == '#' && i + 1 != n) return BMQTT_ERR_BAD_FILTER;
    }
    return BMQTT_OK;
}

/* Reference match: levels compared one by one. */
static size_t level(const uint8_t *s, size_t n, size_t *pos, const uint8_t **start)
{
    size_t b = *pos, e = b;
    while (e < n && s[e] != '/') e++;
    *start = s + b;
    *pos = e + 1; /* past the '/' (or past the end) */
    return e - b;
}

static int ref_match(const uint8_t *f, size_t fn, const uint8_t *t, size_t tn)
{
    size_t fp = 0, tp = 0;
    if (tn && t[0] == '$' && fn && (f[0] == '+' || f[0] == '#')) return 0;
    for (;;) {
        const uint8_t *fl, *tl;
        int f_end = fp > fn, t_end = tp > tn;
        if (f_end) return t_end;
        size_t flen = level(f, fn, &fp, &fl);
        if (flen == 1 && fl[0] == '#') return 1; /* parent level and everything below */
        if (t_end) return 0;
        size_t tlen = level(t, tn, &tp, &tl);
        if (flen == 1 && fl[0] == '+') continue;
        if (flen != tlen || memcmp(fl, tl, flen) != 0) return 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if ((bmqtt_utf8_check(d, n) == BMQTT_OK) != ref_utf8_ok(d, n)) abort();
    /* The whole input as a topic name and as a filter: the exact status. */
    if (bmqtt_topic_name_check(d, n) != ref_name(d, n)) abort();
    if (bmqtt_topic_filter_check(d, n) != ref_filter(d, n)) abort();
    if (n < 2) return 0;
    size_t split = d[0] % n;
    const uint8_t *f = d + 1, *t = d + 1 + split;
    size_t fn = split > 0 ? split - 0 : 0, tn = n - 1 - split;
    if (fn == 0 || tn == 0) return 0;
    if (bmqtt_topic_filter_check(f, fn) != BMQTT_OK || bmqtt_topic_name_check(t, tn) != BMQTT_OK) return 0;
    if (bmqtt_topic_match(f, fn, t, tn) != ref_match(f, fn, t, tn)) abort();
    return 0;
}
