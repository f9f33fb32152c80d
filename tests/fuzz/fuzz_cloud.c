/* libFuzzer harness for the cloud layer (cloud/bmqtt_*.c): the
 * parser of bytes from the server (the Aliyun /ext/register reply, through
 * bmqtt_aliyun_json_string and bmqtt_aliyun_register_reply) and every function
 * that scans caller strings of any content (credential fields, base64 keys,
 * hosts, topics, Alink JSON, the Huawei hour).
 *
 * Byte 0 of the input picks the function (low 3 bits); the rest are its
 * arguments. Each argument is copied to a heap block of its exact size, so
 * ASan sees a read one byte outside it. Properties, beyond "no crash":
 *  - json_string agrees with the strict RFC 8259 parser below: BMQTT_OK only
 *    for one well-formed object whose first top-level member with that
 *    (unescaped) name has a string value without escapes, and then the view
 *    is exactly that string's bytes, between its quotes, inside the input;
 *    otherwise BMQTT_ERR_CLOUD_REPLY and *value untouched.
 *  - register_reply: BMQTT_OK exactly when that parser finds this device's
 *    productKey and deviceName and a 1..64-byte secret without control bytes.
 *  - credentials, hosts, topics, Alink: the size-first contract (size only;
 *    one byte short gives BMQTT_ERR_BUFFER_TOO_SMALL with buffer and views
 *    untouched; the exact size fits), the documented field rules (plainly
 *    valid fields are accepted, accepted fields obey every documented limit)
 *    and the output equal to strings and digests built here, with mbedTLS as
 *    the hash oracle only.
 *  - bmqtt_huawei_hour against gmtime_r. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mbedtls/base64.h"
#include "mbedtls/md.h"

#include "bmqtt/aliyun.h"
#include "bmqtt/cloud.h"

#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c)) {                                                                                                    \
            fprintf(stderr, "fuzz_cloud: line %d: %s\n", __LINE__, #c);                                                \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

#define BIG 4096u /* more than any output of fields up to 254 bytes */

/* ------------------------------------------------------------------------ */
/* Arguments from the input                                                 */
/* ------------------------------------------------------------------------ */

typedef struct rd {
    const uint8_t *p;
    size_t n;
    void *blocks[16];
    size_t nblocks;
} rd_t;

static uint8_t rd_u8(rd_t *r)
{
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

static uint64_t rd_u64(rd_t *r, unsigned bytes)
{
    uint64_t v = 0;
    while (bytes-- > 0) v = (v << 8) | rd_u8(r);
    return v;
}

static bmqtt_view_t own(rd_t *r, const void *src, size_t len)
{
    uint8_t *b = malloc(len ? len : 1);
    bmqtt_view_t v;
    CHECK(b != NULL && r->nblocks < sizeof r->blocks / sizeof r->blocks[0]);
    if (len) memcpy(b, src, len);
    r->blocks[r->nblocks++] = b;
    v.ptr = b;
    v.len = len;
    return v;
}

/* A length byte, then that many bytes (fewer at the end); 0xFF is the absent view. */
static bmqtt_view_t rd_field(rd_t *r)
{
    size_t len = rd_u8(r);
    bmqtt_view_t v = { NULL, 0 };
    if (len == 0xFFu) return v;
    if (len > r->n) len = r->n;
    v = own(r, r->p, len);
    r->p += len;
    r->n -= len;
    return v;
}

static bmqtt_view_t rd_rest(rd_t *r)
{
    bmqtt_view_t v = own(r, r->p, r->n);
    r->p += r->n;
    r->n = 0;
    return v;
}

/* ------------------------------------------------------------------------ */
/* Reference JSON: RFC 8259 by recursive descent, nesting up to the limit   */
/* aliyun.h documents; bytes >= 0x80 are not checked as UTF-8 (as there).   */
/* ------------------------------------------------------------------------ */

#define REF_DEPTH_MAX BMQTT_ALIYUN_JSON_DEPTH_MAX

typedef struct ref {
    const uint8_t *p;
    size_t n;
    const char *key; /* NULL: look nothing up */
    int found;       /* first top-level member whose unescaped name is key */
    size_t vs, ve;   /* its value, quotes included */
    size_t want;     /* index of the top-level member whose name to record */
    size_t count;    /* top-level members seen */
    int have, nesc;
    size_t ns, ne; /* that name without its quotes */
} ref_t;

static int is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t r_ws(const ref_t *r, size_t i)
{
    while (i < r->n && is_ws(r->p[i])) i++;
    return i;
}

static int is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Ends of values are never 0, so 0 means malformed throughout. */
static size_t r_string(const ref_t *r, size_t i, int *esc)
{
    *esc = 0;
    for (i++; i < r->n; i++) {
        uint8_t c = r->p[i];
        if (c == '"') return i + 1;
        if (c < 0x20) return 0;
        if (c != '\\') continue;
        *esc = 1;
        if (++i >= r->n) return 0;
        if (r->p[i] == 'u') {
            for (int k = 0; k < 4; k++) {
                if (++i >= r->n || !is_hex(r->p[i])) return 0;
            }
        } else if (memchr("\"\\/bfnrt", r->p[i], 8) == NULL) {
            return 0;
        }
    }
    return 0;
}

static size_t r_digits(const ref_t *r, size_t i)
{
    size_t s = i;
    while (i < r->n && r->p[i] >= '0' && r->p[i] <= '9') i++;
    return i - s;
}

static size_t r_number(const ref_t *r, size_t i)
{
    size_t k;
    if (r->p[i] == '-') i++;
    if (i < r->n && r->p[i] == '0') {
        i++;
    } else if ((k = r_digits(r, i)) > 0) {
        i += k;
    } else {
        return 0;
    }
    if (i < r->n && r->p[i] == '.') {
        if ((k = r_digits(r, i + 1)) == 0) return 0;
        i += 1 + k;
    }
    if (i < r->n && (r->p[i] == 'e' || r->p[i] == 'E')) {
        i++;
        if (i < r->n && (r->p[i] == '+' || r->p[i] == '-')) i++;
        if ((k = r_digits(r, i)) == 0) return 0;
        i += k;
    }
    return i;
}

static size_t r_literal(const ref_t *r, size_t i, const char *lit)
{
    size_t k = strlen(lit);
    return r->n - i >= k && memcmp(r->p + i, lit, k) == 0 ? i + k : 0;
}

static size_t r_container(ref_t *r, size_t i, unsigned depth);

static size_t r_value(ref_t *r, size_t i, unsigned depth)
{
    int esc;
    if (i >= r->n) return 0;
    switch (r->p[i]) {
    case '"': return r_string(r, i, &esc);
    case '{':
    case '[': return r_container(r, i, depth + 1);
    case 't': return r_literal(r, i, "true");
    case 'f': return r_literal(r, i, "false");
    case 'n': return r_literal(r, i, "null");
    default: return r->p[i] == '-' || (r->p[i] >= '0' && r->p[i] <= '9') ? r_number(r, i) : 0;
    }
}

/* A member of the top-level object: name p[ks..ke) with quotes, value p[vs..ve). */
static void r_member(ref_t *r, size_t ks, size_t ke, int kesc, size_t vs, size_t ve)
{
    size_t klen = ke - ks - 2;
    if (r->count++ == r->want) {
        r->have = 1;
        r->nesc = kesc;
        r->ns = ks + 1;
        r->ne = ke - 1;
    }
    if (r->key != NULL && !r->found && !kesc && klen == strlen(r->key) && memcmp(r->p + ks + 1, r->key, klen) == 0) {
        r->found = 1;
        r->vs = vs;
        r->ve = ve;
    }
}

static size_t r_container(ref_t *r, size_t i, unsigned depth)
{
    int obj = r->p[i] == '{', kesc = 0;
    uint8_t close = obj ? '}' : ']';
    if (depth > REF_DEPTH_MAX) return 0;
    i = r_ws(r, i + 1);
    if (i < r->n && r->p[i] == close) return i + 1;
    for (;;) {
        size_t ks = i, ke = 0, vs;
        if (obj) {
            if (i >= r->n || r->p[i] != '"' || (i = r_string(r, i, &kesc)) == 0) return 0;
            ke = i;
            i = r_ws(r, i);
            if (i >= r->n || r->p[i] != ':') return 0;
            i = r_ws(r, i + 1);
        }
        vs = i;
        if ((i = r_value(r, i, depth)) == 0) return 0;
        if (obj && depth == 1) r_member(r, ks, ke, kesc, vs, i);
        i = r_ws(r, i);
        if (i >= r->n) return 0;
        if (r->p[i] == close) return i + 1;
        if (r->p[i] != ',') return 0;
        i = r_ws(r, i + 1);
    }
}

/* 1 when the view is one well-formed object, blanks around it allowed. */
static int ref_parse(ref_t *r, bmqtt_view_t v, const char *key, size_t want)
{
    size_t i;
    memset(r, 0, sizeof *r);
    r->p = v.ptr;
    r->n = v.len;
    r->key = key;
    r->want = want;
    i = r_ws(r, 0);
    if (i >= r->n || r->p[i] != '{') return 0;
    if ((i = r_container(r, i, 1)) == 0) return 0;
    return r_ws(r, i) == r->n;
}

/* What bmqtt_aliyun_json_string should give: 1 and *out, or 0. */
static int ref_lookup(bmqtt_view_t json, const char *key, bmqtt_view_t *out)
{
    ref_t r;
    int esc = 0;
    if (!ref_parse(&r, json, key, SIZE_MAX) || !r.found || r.p[r.vs] != '"') return 0;
    (void)r_string(&r, r.vs, &esc);
    if (esc) return 0;
    out->ptr = json.ptr + r.vs + 1;
    out->len = r.ve - r.vs - 2;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* bmqtt_aliyun_json_string and bmqtt_aliyun_register_reply                 */
/* ------------------------------------------------------------------------ */

static int same_view(bmqtt_view_t a, bmqtt_view_t b)
{
    return a.ptr == b.ptr && a.len == b.len;
}

static int has_ctl(bmqtt_view_t v)
{
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] < 0x20 || v.ptr[i] == 0x7F) return 1;
    }
    return 0;
}

static void check_json(bmqtt_view_t json, const char *key)
{
    static const uint8_t mark;
    const bmqtt_view_t untouched = { &mark, 12345 };
    bmqtt_view_t v = untouched, want;
    bmqtt_status_t st = bmqtt_aliyun_json_string(json, key, &v);
    int ok = ref_lookup(json, key, &want);

    if (st == BMQTT_OK) {
        /* Inside the input, between two quotes, nothing to unescape. */
        CHECK(v.ptr > json.ptr && v.ptr + v.len < json.ptr + json.len);
        CHECK(v.ptr[-1] == '"' && v.ptr[v.len] == '"');
        CHECK(memchr(v.ptr, '\\', v.len) == NULL && memchr(v.ptr, '"', v.len) == NULL);
        for (size_t i = 0; i < v.len; i++) CHECK(v.ptr[i] >= 0x20);
        /* The member the reference finds, and a well-formed object. */
        CHECK(ok);
        CHECK(same_view(v, want));
    } else {
        CHECK(st == BMQTT_ERR_CLOUD_REPLY);
        CHECK(!ok);
        CHECK(same_view(v, untouched));
    }
    CHECK(bmqtt_aliyun_json_string(json, NULL, &v) == BMQTT_ERR_PARAM);
    CHECK(bmqtt_aliyun_json_string(json, key, NULL) == BMQTT_ERR_PARAM);
}

static void case_json(rd_t *rd)
{
    static const char *const keys[8] = { "productKey", "deviceName", "deviceSecret", "id",
                                         "code",       "data",       "message",      "a" };
    uint8_t m = rd_u8(rd);
    char key[80];
    size_t k = 0;
    bmqtt_view_t json;

    switch (m & 3u) {
    case 0: strcpy(key, keys[(m >> 2) & 7u]); break;
    case 2: /* a C string from the input */
        while (rd->n > 0 && *rd->p != 0 && k < 64) key[k++] = (char)rd_u8(rd);
        key[k] = 0;
        if (rd->n > 0 && *rd->p == 0) (void)rd_u8(rd);
        break;
    default: key[0] = 0; break;
    }
    json = rd_rest(rd);
    if ((m & 3u) == 1u) { /* the name of one of the object's own members */
        ref_t r;
        (void)ref_parse(&r, json, NULL, SIZE_MAX);
        if (r.count > 0) {
            (void)ref_parse(&r, json, NULL, (size_t)(m >> 2) % r.count);
            if (r.have && r.ne - r.ns <= 64 && memchr(r.p + r.ns, 0, r.ne - r.ns) == NULL) {
                memcpy(key, r.p + r.ns, r.ne - r.ns);
                key[r.ne - r.ns] = 0;
            }
        }
    }
    check_json(json, key);
    if (json.len == 0) {
        json.ptr = NULL;
        check_json(json, key);
    }
}

static void case_register(rd_t *rd)
{
    static const uint8_t mark;
    const bmqtt_view_t untouched = { &mark, 12345 };
    uint8_t m = rd_u8(rd);
    bmqtt_view_t payload = rd_rest(rd), pk, dn, secret, s = untouched;
    int has_pk = ref_lookup(payload, "productKey", &pk);
    int has_dn = ref_lookup(payload, "deviceName", &dn);
    int has_secret = ref_lookup(payload, "deviceSecret", &secret);
    bmqtt_aliyun_device_t d;
    bmqtt_status_t st;
    int ok;

    memset(&d, 0, sizeof d);
    /* This device, or the one the reply names (to reach the success path). */
    d.product_key = (m & 1u) && has_pk ? pk : own(rd, "a1wFylTxYeD", 11);
    d.device_name = (m & 2u) && has_dn ? dn : own(rd, "co_0001", 7);
    ok = has_pk && has_dn && has_secret && pk.len == d.product_key.len &&
         memcmp(pk.ptr, d.product_key.ptr, pk.len) == 0 && dn.len == d.device_name.len &&
         memcmp(dn.ptr, d.device_name.ptr, dn.len) == 0 && secret.len >= 1 && secret.len <= BMQTT_ALIYUN_SECRET_MAX &&
         !has_ctl(secret);
    st = bmqtt_aliyun_register_reply(&d, payload, &s);
    if (st == BMQTT_OK) {
        CHECK(s.ptr > payload.ptr && s.ptr + s.len < payload.ptr + payload.len);
        CHECK(ok && same_view(s, secret));
    } else {
        CHECK(st == BMQTT_ERR_CLOUD_REPLY && !ok && same_view(s, untouched));
    }
    CHECK(bmqtt_aliyun_register_reply(NULL, payload, &s) == BMQTT_ERR_PARAM);
    CHECK(bmqtt_aliyun_register_reply(&d, payload, NULL) == BMQTT_ERR_PARAM);
}

/* ------------------------------------------------------------------------ */
/* Expected strings and digests                                             */
/* ------------------------------------------------------------------------ */

typedef struct sb {
    char b[BIG];
    size_t n;
} sb_t;

static void sb_put(sb_t *s, const void *p, size_t len)
{
    CHECK(len <= sizeof s->b - s->n);
    if (len) memcpy(s->b + s->n, p, len);
    s->n += len;
}

static void sb_s(sb_t *s, const char *z)
{
    sb_put(s, z, strlen(z));
}

static void sb_v(sb_t *s, bmqtt_view_t v)
{
    sb_put(s, v.ptr, v.len);
}

static void sb_u(sb_t *s, uint64_t x)
{
    char t[24];
    int k = snprintf(t, sizeof t, "%llu", (unsigned long long)x);
    sb_put(s, t, (size_t)k);
}

static void sb_hex(sb_t *s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char t[3];
        snprintf(t, sizeof t, "%02x", p[i]);
        sb_put(s, t, 2);
    }
}

static int is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 3986 unreserved bytes kept, the rest %XX in uppercase. */
static void sb_url(sb_t *s, const void *src, size_t n)
{
    const uint8_t *p = src;
    for (size_t i = 0; i < n; i++) {
        char t[4];
        if (is_alnum(p[i]) || (p[i] != 0 && strchr("-_.~", p[i]) != NULL)) {
            sb_put(s, p + i, 1);
        } else {
            snprintf(t, sizeof t, "%%%02X", p[i]);
            sb_put(s, t, 3);
        }
    }
}

static void sb_b64(sb_t *s, const uint8_t *p, size_t n)
{
    unsigned char t[128];
    size_t k = 0;
    CHECK(mbedtls_base64_encode(t, sizeof t, &k, p, n) == 0);
    sb_put(s, t, k);
}

static const mbedtls_md_info_t *md(unsigned hash)
{
    const mbedtls_md_info_t *i = mbedtls_md_info_from_type(hash == 0 ? MBEDTLS_MD_SHA256
                                                           : hash == 1 ? MBEDTLS_MD_SHA1
                                                                       : MBEDTLS_MD_MD5);
    CHECK(i != NULL);
    return i;
}

static size_t hmac(unsigned hash, const uint8_t *key, size_t klen, const sb_t *msg, uint8_t out[64])
{
    CHECK(mbedtls_md_hmac(md(hash), key, klen, (const unsigned char *)msg->b, msg->n, out) == 0);
    return mbedtls_md_get_size(md(hash));
}

/* ------------------------------------------------------------------------ */
/* Field rules                                                              */
/* ------------------------------------------------------------------------ */

/* 1..max bytes, no control byte, none of forbid: what the headers promise of an accepted field. */
static int text(bmqtt_view_t v, size_t max, const char *forbid)
{
    if (v.ptr == NULL || v.len == 0 || v.len > max || has_ctl(v)) return 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] != 0 && strchr(forbid, v.ptr[i]) != NULL) return 0;
    }
    return 1;
}

/* 1..max bytes of letters, digits and extra: a field every cloud must accept. */
static int plain(bmqtt_view_t v, size_t max, const char *extra)
{
    if (v.ptr == NULL || v.len == 0 || v.len > max) return 0;
    for (size_t i = 0; i < v.len; i++) {
        if (!is_alnum(v.ptr[i]) && (v.ptr[i] == 0 || strchr(extra, v.ptr[i]) == NULL)) return 0;
    }
    return 1;
}

/* A base64 key: what mbedTLS decodes it to (the oracle), and whether it is
 * canonical base64 of 1..64 bytes, which every cloud must accept. */
typedef struct b64key {
    uint8_t b[256];
    size_t len;
    int decodes; /* to 1..128 bytes (the most the layer accepts) */
    int must;
} b64key_t;

static int b64_char(uint8_t c)
{
    return is_alnum(c) || c == '+' || c == '/';
}

static void key_decode(bmqtt_view_t v, b64key_t *k)
{
    size_t pad = 0;
    memset(k, 0, sizeof *k);
    if (v.ptr == NULL || v.len == 0) return;
    k->decodes = mbedtls_base64_decode(k->b, sizeof k->b, &k->len, v.ptr, v.len) == 0 && k->len >= 1 &&
                 k->len <= 128;
    if (v.len % 4 != 0) return;
    if (v.ptr[v.len - 1] == '=') pad++;
    if (pad && v.ptr[v.len - 2] == '=') pad++;
    for (size_t i = 0; i < v.len - pad; i++) {
        if (!b64_char(v.ptr[i])) return;
    }
    k->must = v.len / 4 * 3 - pad >= 1 && v.len / 4 * 3 - pad <= 64;
}

/* A key field: raw bytes base64-encoded here (to reach the success path), or as given. */
static bmqtt_view_t rd_key(rd_t *rd, int encode)
{
    bmqtt_view_t v = rd_field(rd);
    unsigned char t[400];
    size_t n = 0;
    if (!encode || v.ptr == NULL) return v;
    CHECK(mbedtls_base64_encode(t, sizeof t, &n, v.ptr, v.len) == 0);
    return own(rd, t, n);
}

/* ------------------------------------------------------------------------ */
/* The size-first contracts                                                 */
/* ------------------------------------------------------------------------ */

typedef bmqtt_status_t (*creds_fn)(const void *dev, char *buf, size_t cap, size_t *len, bmqtt_connect_t *out);

static sb_t got_cid, got_user, got_pass;

static int untouched_buf(const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((uint8_t)b[i] != 0xA5) return 0;
    }
    return 1;
}

static void conn_init(bmqtt_connect_t *c)
{
    static const uint8_t mark[3];
    memset(c, 0, sizeof *c);
    c->client_id.ptr = c->username.ptr = c->password.ptr = mark;
    c->client_id.len = 1;
    c->will_topic.ptr = mark + 1;
    c->keepalive_s = 77;
    c->clean_session = 1;
    c->will_qos = 1;
}

/* The fields a credentials call must leave alone, or all of them. */
static int conn_same(const bmqtt_connect_t *a, const bmqtt_connect_t *b, int all)
{
    return same_view(a->will_topic, b->will_topic) && same_view(a->will_payload, b->will_payload) &&
           a->keepalive_s == b->keepalive_s && a->clean_session == b->clean_session && a->will_qos == b->will_qos &&
           a->will_retain == b->will_retain &&
           (!all || (same_view(a->client_id, b->client_id) && same_view(a->username, b->username) &&
                     same_view(a->password, b->password)));
}

/* Calls fn the ways the contract allows; on BMQTT_OK got_* hold the three strings. */
static bmqtt_status_t run_creds(creds_fn fn, const void *dev)
{
    bmqtt_connect_t c, c0;
    size_t need = 0, len = 0, a, b, p;
    bmqtt_status_t st = fn(dev, NULL, 0, &need, NULL);
    char *buf;

    conn_init(&c0);
    conn_init(&c);
    if (st != BMQTT_OK) { /* the same refusal with room to spare, nothing written */
        buf = malloc(BIG);
        CHECK(buf != NULL);
        memset(buf, 0xA5, BIG);
        CHECK(fn(dev, buf, BIG, &len, &c) == st);
        CHECK(untouched_buf(buf, BIG) && conn_same(&c, &c0, 1));
        free(buf);
        return st;
    }
    CHECK(need >= 3 && need <= BIG);
    buf = malloc(need);
    CHECK(buf != NULL);
    memset(buf, 0xA5, need);
    CHECK(fn(dev, NULL, 0, NULL, NULL) == BMQTT_ERR_PARAM);
    CHECK(fn(dev, buf, need, &len, NULL) == BMQTT_ERR_PARAM);
    CHECK(fn(dev, buf, need - 1, &len, &c) == BMQTT_ERR_BUFFER_TOO_SMALL && len == need);
    CHECK(untouched_buf(buf, need) && conn_same(&c, &c0, 1));
    CHECK(fn(dev, buf, need, NULL, &c) == BMQTT_OK);
    /* Three NUL-terminated strings back to back, the views on them, the rest alone. */
    a = strnlen(buf, need);
    CHECK(a + 1 < need);
    b = strnlen(buf + a + 1, need - a - 1);
    CHECK(a + b + 2 < need);
    p = strnlen(buf + a + b + 2, need - a - b - 2);
    CHECK(a + b + p + 3 == need);
    CHECK(c.client_id.ptr == (const uint8_t *)buf && c.client_id.len == a);
    CHECK(c.username.ptr == (const uint8_t *)buf + a + 1 && c.username.len == b);
    CHECK(c.password.ptr == (const uint8_t *)buf + a + b + 2 && c.password.len == p);
    CHECK(conn_same(&c, &c0, 0));
    got_cid.n = got_user.n = got_pass.n = 0;
    sb_put(&got_cid, buf, a);
    sb_put(&got_user, buf + a + 1, b);
    sb_put(&got_pass, buf + a + b + 2, p);
    free(buf);
    return st;
}

static int sb_eq(const sb_t *a, const sb_t *b)
{
    return a->n == b->n && memcmp(a->b, b->b, a->n) == 0;
}

/* must: every field plainly valid; may: every field within the documented rules. */
static void check_creds(bmqtt_status_t st, int must, int may, const sb_t *cid, const sb_t *user, const sb_t *pass)
{
    if (must) CHECK(st == BMQTT_OK);
    if (st != BMQTT_OK) {
        CHECK(st == BMQTT_ERR_PARAM || st == BMQTT_ERR_CLOUD_FIELD || st == BMQTT_ERR_CLOUD_CRYPTO);
        return;
    }
    CHECK(may);
    CHECK(sb_eq(&got_cid, cid) && sb_eq(&got_user, user) && sb_eq(&got_pass, pass));
}

/* Size-first output of one string: what bmqtt_*_host, _topic and _alink follow. */
typedef struct str_args {
    int kind;
    bmqtt_view_t f[3];
    const bmqtt_aliyun_device_t *dev;
    bmqtt_aliyun_topic_t which;
} str_args_t;

static bmqtt_status_t str_call(const str_args_t *a, char *buf, size_t cap, size_t *len)
{
    switch (a->kind) {
    case 0: return bmqtt_aliyun_host(a->f[0], a->f[1], buf, cap, len);
    case 1: return bmqtt_aliyun_instance_host(a->f[0], buf, cap, len);
    case 2: return bmqtt_aws_host(a->f[0], a->f[1], buf, cap, len);
    case 3: return bmqtt_tencent_host(a->f[0], buf, cap, len);
    case 4: return bmqtt_aliyun_topic(a->dev, a->which, a->f[0], buf, cap, len);
    default: return bmqtt_aliyun_alink(a->f[0], a->f[1], a->f[2], buf, cap, len);
    }
}

static void check_string(const str_args_t *a, int must, int may, const sb_t *want)
{
    size_t need = 0, len = 0;
    bmqtt_status_t st = str_call(a, NULL, 0, &need);
    char *buf;

    if (must) CHECK(st == BMQTT_OK);
    if (st != BMQTT_OK) {
        CHECK(st == BMQTT_ERR_PARAM || st == BMQTT_ERR_CLOUD_FIELD);
        buf = malloc(BIG);
        CHECK(buf != NULL);
        memset(buf, 0xA5, BIG);
        CHECK(str_call(a, buf, BIG, &len) == st && untouched_buf(buf, BIG));
        free(buf);
        return;
    }
    CHECK(may);
    CHECK(need == want->n);
    CHECK(str_call(a, NULL, 0, NULL) == BMQTT_ERR_PARAM);
    buf = malloc(need + 1);
    CHECK(buf != NULL);
    memset(buf, 0xA5, need + 1);
    CHECK(str_call(a, buf, need, &len) == BMQTT_ERR_BUFFER_TOO_SMALL && len == need);
    CHECK(untouched_buf(buf, need + 1));
    CHECK(str_call(a, buf, need + 1, NULL) == BMQTT_OK);
    CHECK(memcmp(buf, want->b, need) == 0 && buf[need] == 0);
    free(buf);
}

/* ------------------------------------------------------------------------ */
/* Aliyun                                                                   */
/* ------------------------------------------------------------------------ */

static bmqtt_status_t aliyun_fn(const void *d, char *buf, size_t cap, size_t *len, bmqtt_connect_t *out)
{
    return bmqtt_aliyun_credentials(d, buf, cap, len, out);
}

static void case_aliyun(rd_t *rd)
{
    static const int8_t modes[4] = { 2, 3, -2, 0 };
    static const char *const signs[3] = { "hmacsha256", "hmacsha1", "hmacmd5" };
    uint8_t m = rd_u8(rd);
    bmqtt_aliyun_device_t d;
    bmqtt_view_t cid;
    sb_t want_cid, want_user, want_pass, content;
    uint8_t dg[64];
    int reg, mode_ok, must, may;
    bmqtt_status_t st;

    memset(&d, 0, sizeof d);
    d.securemode = (m & 3u) == 3u ? (int8_t)rd_u8(rd) : modes[m & 3u];
    d.signmethod = (uint8_t)((m >> 2) & 3u);
    d.regnwl = (uint8_t)((m >> 4) & 1u);
    d.timestamp_ms = (m & 0x20u) ? rd_u64(rd, (unsigned)(rd_u8(rd) % 9u)) : 0;
    d.product_key = rd_field(rd);
    d.device_name = rd_field(rd);
    d.device_secret = rd_field(rd);
    if (m & 0x40u) d.client_id = rd_field(rd);
    d.random = rd_field(rd);
    reg = d.securemode == BMQTT_ALIYUN_SECUREMODE_REGISTER;
    cid = d.client_id.ptr != NULL ? d.client_id : d.device_name;

    st = run_creds(aliyun_fn, &d);
    mode_ok = (d.securemode == 2 || d.securemode == 3 || reg) && d.signmethod <= 2 &&
              (!reg || (d.timestamp_ms == 0 && plain(d.random, BMQTT_ALIYUN_RANDOM_MAX, "")));
    must = mode_ok && plain(d.product_key, BMQTT_ALIYUN_PK_MAX, "_-.") &&
           plain(d.device_name, BMQTT_ALIYUN_DN_MAX, "_-.") && plain(d.device_secret, BMQTT_ALIYUN_SECRET_MAX, "") &&
           plain(cid, BMQTT_ALIYUN_CID_MAX, "_-.");
    may = mode_ok && text(d.product_key, BMQTT_ALIYUN_PK_MAX, "&") && text(d.device_name, BMQTT_ALIYUN_DN_MAX, "&") &&
          text(d.device_secret, BMQTT_ALIYUN_SECRET_MAX, "") && text(cid, BMQTT_ALIYUN_CID_MAX, "|,");
    if (st != BMQTT_OK) {
        check_creds(st, must, may, NULL, NULL, NULL);
        return;
    }
    CHECK(may);
    want_cid.n = want_user.n = want_pass.n = content.n = 0;
    sb_v(&want_cid, cid);
    if (reg) {
        sb_s(&want_cid, d.regnwl ? "|securemode=-2,authType=regnwl,random="
                                 : "|securemode=-2,authType=register,random=");
        sb_v(&want_cid, d.random);
    } else {
        sb_s(&want_cid, d.securemode == 2 ? "|securemode=2" : "|securemode=3");
    }
    sb_s(&want_cid, ",signmethod=");
    sb_s(&want_cid, signs[d.signmethod]);
    if (d.timestamp_ms != 0) {
        sb_s(&want_cid, ",timestamp=");
        sb_u(&want_cid, d.timestamp_ms);
    }
    sb_s(&want_cid, "|");
    sb_v(&want_user, d.device_name);
    sb_s(&want_user, "&");
    sb_v(&want_user, d.product_key);
    if (!reg) {
        sb_s(&content, "clientId");
        sb_v(&content, cid);
    }
    sb_s(&content, "deviceName");
    sb_v(&content, d.device_name);
    sb_s(&content, "productKey");
    sb_v(&content, d.product_key);
    if (reg) {
        sb_s(&content, "random");
        sb_v(&content, d.random);
    } else if (d.timestamp_ms != 0) {
        sb_s(&content, "timestamp");
        sb_u(&content, d.timestamp_ms);
    }
    sb_hex(&want_pass, dg, hmac(d.signmethod, d.device_secret.ptr, d.device_secret.len, &content, dg));
    check_creds(st, must, may, &want_cid, &want_user, &want_pass);
}

/* Hosts: DNS labels of letters, digits and '-'. */
static void case_hosts(rd_t *rd)
{
    static const char *const mid[4] = { ".iot-as-mqtt.", ".mqtt.iothub.aliyuncs.com", ".iot.",
                                         ".iotcloud.tencentdevices.com" };
    static const char *const tail[4] = { ".aliyuncs.com", "", ".amazonaws.com", "" };
    str_args_t a;
    sb_t want;
    int two, must, may;

    memset(&a, 0, sizeof a);
    a.kind = rd_u8(rd) & 3;
    two = a.kind == 0 || a.kind == 2;
    a.f[0] = rd_field(rd);
    if (two) a.f[1] = rd_field(rd);
    if (a.kind == 3) { /* a Tencent ProductId: letters and digits */
        must = may = plain(a.f[0], 32, "");
    } else {
        must = plain(a.f[0], 32, "-") && (!two || plain(a.f[1], 32, "-"));
        may = plain(a.f[0], 63, "-") && (!two || plain(a.f[1], 63, "-"));
    }
    want.n = 0;
    if (may) {
        sb_v(&want, a.f[0]);
        sb_s(&want, mid[a.kind]);
        if (two) sb_v(&want, a.f[1]);
        sb_s(&want, tail[a.kind]);
    }
    check_string(&a, must, may, &want);
}

/* Topics (documented per kind in aliyun.h) and Alink JSON. */
static void case_topic_alink(rd_t *rd)
{
    static const struct {
        const char *head, *tail; /* the id goes between them when tail is not NULL */
    } kinds[15] = {
        { "thing/event/property/post", NULL }, { "thing/event/property/post_reply", NULL },
        { "thing/service/property/set", NULL }, { "thing/service/property/set_reply", NULL },
        { "thing/event/", "/post" },            { "thing/event/", "/post_reply" },
        { "thing/service/", "" },               { "thing/service/", "_reply" },
        { "thing/model/up_raw", NULL },         { "thing/model/up_raw_reply", NULL },
        { "thing/model/down_raw", NULL },       { "thing/model/down_raw_reply", NULL },
        { "inform/", NULL },                    { "upgrade/", NULL },
        { "progress/", NULL },
    };
    uint8_t m = rd_u8(rd);
    bmqtt_aliyun_device_t d;
    str_args_t a;
    sb_t want;
    int must, may;

    memset(&a, 0, sizeof a);
    memset(&d, 0, sizeof d);
    want.n = 0;
    if (m & 1u) { /* Alink: {"id":"<id>","version":"1.0","params":<params>,"method":"<method>"} */
        a.kind = 5;
        a.f[0] = rd_field(rd);
        a.f[1] = rd_field(rd);
        a.f[2] = rd_field(rd);
        must = plain(a.f[0], BMQTT_ALIYUN_ID_MAX, "") && plain(a.f[1], BMQTT_ALIYUN_ID_MAX, "._") &&
               a.f[2].ptr != NULL && a.f[2].len > 0;
        may = text(a.f[0], BMQTT_ALIYUN_ID_MAX, "\"\\") && text(a.f[1], BMQTT_ALIYUN_ID_MAX, "\"\\") &&
              a.f[2].ptr != NULL && a.f[2].len > 0;
        if (may) {
            sb_s(&want, "{\"id\":\"");
            sb_v(&want, a.f[0]);
            sb_s(&want, "\",\"version\":\"1.0\",\"params\":");
            sb_v(&want, a.f[2]);
            sb_s(&want, ",\"method\":\"");
            sb_v(&want, a.f[1]);
            sb_s(&want, "\"}");
        }
        check_string(&a, must, may, &want);
        return;
    }
    a.kind = 4;
    a.dev = &d;
    a.which = (bmqtt_aliyun_topic_t)((m >> 1) & 15u);
    d.product_key = rd_field(rd);
    d.device_name = rd_field(rd);
    a.f[0] = rd_field(rd);
    must = a.which <= BMQTT_ALIYUN_OTA_PROGRESS && plain(d.product_key, BMQTT_ALIYUN_PK_MAX, "_-.") &&
           plain(d.device_name, BMQTT_ALIYUN_DN_MAX, "_-.");
    may = a.which <= BMQTT_ALIYUN_OTA_PROGRESS && text(d.product_key, BMQTT_ALIYUN_PK_MAX, "/+#") &&
          text(d.device_name, BMQTT_ALIYUN_DN_MAX, "/+#");
    if (a.which <= BMQTT_ALIYUN_OTA_PROGRESS && kinds[a.which].tail != NULL) {
        must = must && plain(a.f[0], BMQTT_ALIYUN_ID_MAX, "_.");
        may = may && plain(a.f[0], BMQTT_ALIYUN_ID_MAX, "_.");
    }
    if (may && a.which >= BMQTT_ALIYUN_OTA_INFORM) {
        sb_s(&want, "/ota/device/");
        sb_s(&want, kinds[a.which].head);
        sb_v(&want, d.product_key);
        sb_s(&want, "/");
        sb_v(&want, d.device_name);
    } else if (may) {
        sb_s(&want, "/sys/");
        sb_v(&want, d.product_key);
        sb_s(&want, "/");
        sb_v(&want, d.device_name);
        sb_s(&want, "/");
        sb_s(&want, kinds[a.which].head);
        if (kinds[a.which].tail != NULL) {
            sb_v(&want, a.f[0]);
            sb_s(&want, kinds[a.which].tail);
        }
    }
    check_string(&a, must, may, &want);
}

/* ------------------------------------------------------------------------ */
/* Azure, Tencent, OneNET: base64 keys                                      */
/* ------------------------------------------------------------------------ */

static bmqtt_status_t azure_fn(const void *d, char *buf, size_t cap, size_t *len, bmqtt_connect_t *out)
{
    return bmqtt_azure_credentials(d, buf, cap, len, out);
}

static bmqtt_status_t tencent_fn(const void *d, char *buf, size_t cap, size_t *len, bmqtt_connect_t *out)
{
    return bmqtt_tencent_credentials(d, buf, cap, len, out);
}

static bmqtt_status_t onenet_fn(const void *d, char *buf, size_t cap, size_t *len, bmqtt_connect_t *out)
{
    return bmqtt_onenet_credentials(d, buf, cap, len, out);
}

static void case_keyed(rd_t *rd)
{
    static const char *const onenet_m[3] = { "sha256", "sha1", "md5" };
    uint8_t m = rd_u8(rd), dg[64];
    uint64_t expiry = (m & 4u) ? rd_u64(rd, (unsigned)(rd_u8(rd) % 9u)) : 1700000000u;
    sb_t cid, user, pass, msg, t;
    b64key_t k;
    int must, may;
    bmqtt_status_t st;

    cid.n = user.n = pass.n = msg.n = t.n = 0;
    if (m % 3u == 0) { /* Azure */
        bmqtt_azure_device_t d;
        d.hub = rd_field(rd);
        d.device_id = rd_field(rd);
        d.key = rd_key(rd, m & 8u);
        d.expiry_s = expiry;
        key_decode(d.key, &k);
        st = run_creds(azure_fn, &d);
        must = expiry != 0 && plain(d.hub, 63, "-") && plain(d.device_id, BMQTT_CLOUD_FIELD_MAX, "-_.") && k.must;
        may = expiry != 0 && text(d.hub, 63, "./?&# ") && text(d.device_id, BMQTT_CLOUD_FIELD_MAX, "/?&#") &&
              k.decodes;
        if (st == BMQTT_OK && may) {
            sb_v(&cid, d.device_id);
            sb_v(&user, d.hub);
            sb_s(&user, ".azure-devices.net/");
            sb_v(&user, d.device_id);
            sb_s(&user, "/?api-version=2021-04-12");
            sb_v(&t, d.hub);
            sb_s(&t, ".azure-devices.net/devices/");
            sb_v(&t, d.device_id);
            sb_url(&msg, t.b, t.n); /* sr */
            sb_s(&pass, "SharedAccessSignature sr=");
            sb_put(&pass, msg.b, msg.n);
            sb_s(&msg, "\n");
            sb_u(&msg, expiry);
            t.n = 0;
            sb_b64(&t, dg, hmac(0, k.b, k.len, &msg, dg));
            sb_s(&pass, "&sig=");
            sb_url(&pass, t.b, t.n);
            sb_s(&pass, "&se=");
            sb_u(&pass, expiry);
        }
    } else if (m % 3u == 1) { /* Tencent */
        bmqtt_tencent_device_t d;
        d.product_id = rd_field(rd);
        d.device_name = rd_field(rd);
        d.psk = rd_key(rd, m & 8u);
        d.connid = rd_field(rd);
        d.expiry_s = expiry;
        d.sdkappid = (m & 16u) ? (uint32_t)rd_u64(rd, 4) : 0;
        d.hash = (uint8_t)((m >> 5) & 3u);
        key_decode(d.psk, &k);
        st = run_creds(tencent_fn, &d);
        must = expiry != 0 && d.hash <= 1 && plain(d.product_id, 32, "") &&
               plain(d.device_name, BMQTT_CLOUD_FIELD_MAX, "-_.") && d.connid.len == 5 && plain(d.connid, 5, "") &&
               k.must;
        may = expiry != 0 && d.hash <= 1 && plain(d.product_id, 32, "") &&
              text(d.device_name, BMQTT_CLOUD_FIELD_MAX, ";") && d.connid.len == 5 && plain(d.connid, 5, "") &&
              k.decodes;
        if (st == BMQTT_OK && may) {
            sb_v(&cid, d.product_id);
            sb_v(&cid, d.device_name);
            sb_put(&user, cid.b, cid.n);
            sb_s(&user, ";");
            sb_u(&user, d.sdkappid != 0 ? d.sdkappid : 12010126u);
            sb_s(&user, ";");
            sb_v(&user, d.connid);
            sb_s(&user, ";");
            sb_u(&user, expiry);
            sb_hex(&pass, dg, hmac(d.hash, k.b, k.len, &user, dg));
            sb_s(&pass, d.hash == 1 ? ";hmacsha1" : ";hmacsha256");
        }
    } else { /* OneNET */
        bmqtt_onenet_device_t d;
        d.product_id = rd_field(rd);
        d.device_name = rd_field(rd);
        d.key = rd_key(rd, m & 8u);
        d.expiry_s = expiry;
        d.hash = (uint8_t)((m >> 5) & 3u);
        key_decode(d.key, &k);
        st = run_creds(onenet_fn, &d);
        must = expiry != 0 && d.hash <= 2 && plain(d.product_id, BMQTT_CLOUD_FIELD_MAX, "-_.") &&
               plain(d.device_name, BMQTT_CLOUD_FIELD_MAX, "-_.") && k.must;
        may = expiry != 0 && d.hash <= 2 && text(d.product_id, BMQTT_CLOUD_FIELD_MAX, "/") &&
              text(d.device_name, BMQTT_CLOUD_FIELD_MAX, "/") && k.decodes;
        if (st == BMQTT_OK && may) {
            sb_v(&cid, d.device_name);
            sb_v(&user, d.product_id);
            sb_u(&msg, expiry);
            sb_s(&msg, "\n");
            sb_s(&msg, onenet_m[d.hash]);
            sb_s(&msg, "\nproducts/");
            sb_v(&msg, d.product_id);
            sb_s(&msg, "/devices/");
            sb_v(&msg, d.device_name);
            sb_s(&msg, "\n2018-10-31");
            sb_b64(&t, dg, hmac(d.hash, k.b, k.len, &msg, dg));
            sb_s(&pass, "version=2018-10-31&res=products%2F");
            sb_url(&pass, d.product_id.ptr, d.product_id.len);
            sb_s(&pass, "%2Fdevices%2F");
            sb_url(&pass, d.device_name.ptr, d.device_name.len);
            sb_s(&pass, "&et=");
            sb_u(&pass, expiry);
            sb_s(&pass, "&method=");
            sb_s(&pass, onenet_m[d.hash]);
            sb_s(&pass, "&sign=");
            sb_url(&pass, t.b, t.n);
        }
    }
    check_creds(st, must, may, &cid, &user, &pass);
}

/* ------------------------------------------------------------------------ */
/* Huawei (and its UTC hour), Baidu                                         */
/* ------------------------------------------------------------------------ */

static bmqtt_status_t huawei_fn(const void *d, char *buf, size_t cap, size_t *len, bmqtt_connect_t *out)
{
    return bmqtt_huawei_credentials(d, buf, cap, len, out);
}

static bmqtt_status_t baidu_fn(const void *d, char *buf, size_t cap, size_t *len, bmqtt_connect_t *out)
{
    return bmqtt_baidu_credentials(d, buf, cap, len, out);
}

static int digits10(bmqtt_view_t v)
{
    if (v.ptr == NULL || v.len != 10) return 0;
    for (size_t i = 0; i < 10; i++) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9') return 0;
    }
    return 1;
}

#define YEAR_10000 253402300800ull /* 10000-01-01T00:00:00Z */

static void case_huawei_baidu(rd_t *rd)
{
    uint8_t m = rd_u8(rd), dg[64];
    sb_t cid, user, pass, msg;
    int must, may;
    bmqtt_status_t st;

    cid.n = user.n = pass.n = msg.n = 0;
    if (m % 3u == 0) { /* the UTC hour against the C library's calendar */
        uint64_t s = rd_u64(rd, 8);
        char out[11], want[16];
        struct tm tm;
        time_t t;
        if (m & 4u) s %= YEAR_10000 + 400ull * 86400u; /* mostly years that exist, and just past 9999 */
        memset(out, 'x', sizeof out);
        st = bmqtt_huawei_hour(s, out);
        if (s >= YEAR_10000) {
            CHECK(st == BMQTT_ERR_PARAM);
            return;
        }
        t = (time_t)s;
        CHECK(gmtime_r(&t, &tm) != NULL);
        snprintf(want, sizeof want, "%04d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
        CHECK(st == BMQTT_OK && memcmp(out, want, 11) == 0);
        return;
    }
    if (m % 3u == 1) {
        bmqtt_huawei_device_t d;
        d.device_id = rd_field(rd);
        d.secret = rd_field(rd);
        d.hour = rd_field(rd);
        d.check_time = (uint8_t)((m >> 2) & 3u);
        st = run_creds(huawei_fn, &d);
        must = d.check_time <= 1 && plain(d.device_id, BMQTT_CLOUD_FIELD_MAX, "-_.") &&
               plain(d.secret, BMQTT_CLOUD_FIELD_MAX, "") && digits10(d.hour);
        may = d.check_time <= 1 && text(d.device_id, BMQTT_CLOUD_FIELD_MAX, "") &&
              text(d.secret, BMQTT_CLOUD_FIELD_MAX, "") && digits10(d.hour);
        if (st == BMQTT_OK && may) {
            sb_v(&cid, d.device_id);
            sb_s(&cid, d.check_time ? "_0_1_" : "_0_0_");
            sb_v(&cid, d.hour);
            sb_v(&user, d.device_id);
            sb_v(&msg, d.secret);
            sb_hex(&pass, dg, hmac(0, d.hour.ptr, d.hour.len, &msg, dg)); /* the hour is the key */
        }
    } else {
        bmqtt_baidu_device_t d;
        d.core_id = rd_field(rd);
        d.device_key = rd_field(rd);
        d.secret = rd_field(rd);
        d.timestamp_s = (m & 4u) ? rd_u64(rd, (unsigned)(rd_u8(rd) % 9u)) : 0;
        st = run_creds(baidu_fn, &d);
        must = plain(d.core_id, BMQTT_CLOUD_FIELD_MAX, "-_.") && plain(d.device_key, BMQTT_CLOUD_FIELD_MAX, "-_.") &&
               plain(d.secret, BMQTT_CLOUD_FIELD_MAX, "");
        may = text(d.core_id, BMQTT_CLOUD_FIELD_MAX, "|") && text(d.device_key, BMQTT_CLOUD_FIELD_MAX, "|&") &&
              text(d.secret, BMQTT_CLOUD_FIELD_MAX, "");
        if (st == BMQTT_OK && may) {
            sb_v(&cid, d.device_key);
            sb_s(&user, "thingidp@");
            sb_v(&user, d.core_id);
            sb_s(&user, "|");
            sb_v(&user, d.device_key);
            sb_s(&user, "|");
            sb_u(&user, d.timestamp_s);
            sb_s(&user, "|MD5");
            sb_v(&msg, d.device_key);
            sb_s(&msg, "&");
            sb_u(&msg, d.timestamp_s);
            sb_s(&msg, "&MD5");
            sb_v(&msg, d.secret);
            CHECK(mbedtls_md(md(2), (const unsigned char *)msg.b, msg.n, dg) == 0);
            sb_hex(&pass, dg, 16);
        }
    }
    check_creds(st, must, may, &cid, &user, &pass);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd_t rd;
    if (size == 0) return 0;
    memset(&rd, 0, sizeof rd);
    rd.p = data + 1;
    rd.n = size - 1;
    switch (data[0] & 7u) { /* '0'..'7' in the seeds */
    case 0:
    case 7: case_json(&rd); break; /* the parser of server bytes gets two shares */
    case 1: case_register(&rd); break;
    case 2: case_aliyun(&rd); break;
    case 3: case_hosts(&rd); break;
    case 4: case_topic_alink(&rd); break;
    case 5: case_keyed(&rd); break;
    default: case_huawei_baidu(&rd); break;
    }
    while (rd.nblocks > 0) free(rd.blocks[--rd.nblocks]);
    return 0;
}
