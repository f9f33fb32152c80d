/* Shared pieces of the cloud-credential layer: the counting/writing/hashing
 * writer, hex, decimal, URL and base64 forms, field checks, HMAC through
 * mbedTLS's md module and the size-first output contract. */
#include <string.h>

#include "mbedtls/base64.h"
#include "mbedtls/md.h"
#include "mbedtls/platform_util.h"

#include "bmqtt_cloud_internal.h"

void bmqtt_cw_put(bmqtt_cw_t *w, const void *p, size_t len)
{
    if (len == 0u) return;
    if (w->md != NULL) {
        mbedtls_md_context_t *ctx = (mbedtls_md_context_t *)w->md;
        if (w->err == 0) {
            w->err = w->plain ? mbedtls_md_update(ctx, (const unsigned char *)p, len)
                              : mbedtls_md_hmac_update(ctx, (const unsigned char *)p, len);
        }
    } else if (w->buf != NULL && len <= w->cap - w->n) {
        memcpy(w->buf + w->n, p, len);
    }
    w->n += len;
}

void bmqtt_cw_str(bmqtt_cw_t *w, const char *s)
{
    bmqtt_cw_put(w, s, strlen(s));
}

void bmqtt_cw_view(bmqtt_cw_t *w, bmqtt_view_t v)
{
    bmqtt_cw_put(w, v.ptr, v.len);
}

void bmqtt_cw_nul(bmqtt_cw_t *w)
{
    bmqtt_cw_put(w, "", 1u);
}

void bmqtt_cw_u64(bmqtt_cw_t *w, uint64_t v)
{
    char d[20];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + (unsigned)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    bmqtt_cw_put(w, d + i, sizeof d - i);
}

static const char hexdig[] = "0123456789abcdef0123456789ABCDEF";

void bmqtt_cw_hex(bmqtt_cw_t *w, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char h[2] = { hexdig[p[i] >> 4], hexdig[p[i] & 15u] };
        bmqtt_cw_put(w, h, 2u);
    }
}

static int unreserved(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

void bmqtt_cw_url(bmqtt_cw_t *w, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (unreserved(p[i])) {
            bmqtt_cw_put(w, p + i, 1u);
        } else {
            char e[3] = { '%', hexdig[16 + (p[i] >> 4)], hexdig[16 + (p[i] & 15u)] };
            bmqtt_cw_put(w, e, 3u);
        }
    }
}

void bmqtt_cw_b64(bmqtt_cw_t *w, const uint8_t *p, size_t len, int url)
{
    unsigned char out[4u * ((BMQTT_CLOUD_DIGEST_MAX + 2u) / 3u) + 1u];
    size_t olen = 0;
    /* Only digests come here: the output always fits. */
    if (len > BMQTT_CLOUD_DIGEST_MAX || mbedtls_base64_encode(out, sizeof out, &olen, p, len) != 0) {
        w->err = -1;
        return;
    }
    if (url) {
        bmqtt_cw_url(w, out, olen);
    } else {
        bmqtt_cw_put(w, out, olen);
    }
}

int bmqtt_cloud_field_ok(bmqtt_view_t v, size_t max, const char *forbid)
{
    if (v.len > max || (v.ptr == NULL && v.len != 0u)) return 0;
    for (size_t i = 0; i < v.len; i++) {
        uint8_t c = v.ptr[i];
        if (c < 0x20u || c == 0x7Fu) return 0;
        if (forbid != NULL && strchr(forbid, c) != NULL) return 0;
    }
    return 1;
}

static const char *cloud_status_name(int status)
{
    switch (status) {
    case BMQTT_ERR_CLOUD_KEEPALIVE: return "cloud: keepalive out of range";
    case BMQTT_ERR_CLOUD_QOS: return "cloud: QoS not supported";
    case BMQTT_ERR_CLOUD_WILL: return "cloud: will not supported";
    case BMQTT_ERR_CLOUD_RETAIN: return "cloud: retain not supported";
    case BMQTT_ERR_CLOUD_FIELD: return "cloud: credential field too long or invalid";
    case BMQTT_ERR_CLOUD_CRYPTO: return "cloud: hash unavailable, bad key or crypto failure";
    case BMQTT_ERR_CLOUD_REPLY: return "cloud: unexpected reply";
    default: return NULL;
    }
}

void bmqtt_cloud_names(void)
{
    static bmqtt_status_names_t names = { BMQTT_STATUS_CLOUD_BASE, BMQTT_STATUS_CLOUD_BASE - 9, cloud_status_name,
                                          "cloud error", NULL };
    bmqtt_status_register(&names);
}

bmqtt_status_t bmqtt_cloud_field(bmqtt_view_t v, size_t max, const char *forbid)
{
    if (v.ptr == NULL || v.len == 0u) return BMQTT_ERR_PARAM;
    return bmqtt_cloud_field_ok(v, max, forbid) ? BMQTT_OK : BMQTT_ERR_CLOUD_FIELD;
}

static const mbedtls_md_info_t *md_info(unsigned hash)
{
    static const mbedtls_md_type_t types[3] = { MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA1, MBEDTLS_MD_MD5 };
    return hash < 3u ? mbedtls_md_info_from_type(types[hash]) : NULL;
}

/* HMAC (hmac 1, key given) or plain hash (hmac 0) over emit()'s bytes. mbedTLS
 * allocates the md context itself (from its static pool on a microcontroller)
 * and it is released before returning. */
static bmqtt_status_t digest(unsigned hash, int hmac, const uint8_t *key, size_t key_len, bmqtt_cloud_emit_fn emit,
                             const void *arg, uint8_t *out, size_t *out_len)
{
    const mbedtls_md_info_t *info = md_info(hash);
    mbedtls_md_context_t ctx;
    bmqtt_cw_t w;
    int err;

    if (info == NULL) return BMQTT_ERR_CLOUD_CRYPTO;
    mbedtls_md_init(&ctx);
    memset(&w, 0, sizeof w);
    err = mbedtls_md_setup(&ctx, info, hmac);
    if (err == 0) {
        err = hmac ? mbedtls_md_hmac_starts(&ctx, key, key_len) : mbedtls_md_starts(&ctx);
        w.md = &ctx;
        w.plain = !hmac;
        if (err == 0) emit(&w, arg);
        if (err == 0) err = w.err;
        if (err == 0) err = hmac ? mbedtls_md_hmac_finish(&ctx, out) : mbedtls_md_finish(&ctx, out);
    }
    mbedtls_md_free(&ctx);
    if (err != 0) return BMQTT_ERR_CLOUD_CRYPTO;
    *out_len = mbedtls_md_get_size(info);
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_cloud_hmac(unsigned hash, const uint8_t *key, size_t key_len, bmqtt_cloud_emit_fn emit,
                                const void *arg, uint8_t *out, size_t *out_len)
{
    return digest(hash, 1, key, key_len, emit, arg, out, out_len);
}

bmqtt_status_t bmqtt_cloud_hash(unsigned hash, bmqtt_cloud_emit_fn emit, const void *arg, uint8_t *out,
                                size_t *out_len)
{
    return digest(hash, 0, NULL, 0u, emit, arg, out, out_len);
}

static int b64_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
}

bmqtt_status_t bmqtt_cloud_b64_key(bmqtt_view_t b64, uint8_t *key, size_t *key_len)
{
    int err;
    if (b64.ptr == NULL || b64.len == 0u) return BMQTT_ERR_PARAM;
    if (b64.len > 4u * ((BMQTT_CLOUD_KEY_MAX + 2u) / 3u)) return BMQTT_ERR_CLOUD_FIELD;
    /* Whole groups of the alphabet only: mbedTLS 2.28 skips blanks and line
     * breaks and drops a cut last group, so "AAECAw" would sign as "AAEC". */
    if (b64.len % 4u != 0u) return BMQTT_ERR_CLOUD_CRYPTO;
    for (size_t i = 0; i < b64.len; i++) {
        if (!b64_char(b64.ptr[i])) return BMQTT_ERR_CLOUD_CRYPTO;
    }
    err = mbedtls_base64_decode(key, BMQTT_CLOUD_KEY_MAX, key_len, b64.ptr, b64.len);
    if (err == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) return BMQTT_ERR_CLOUD_FIELD;
    if (err != 0 || *key_len == 0u) return BMQTT_ERR_CLOUD_CRYPTO;
    return BMQTT_OK;
}

void bmqtt_cloud_wipe(void *p, size_t len)
{
    mbedtls_platform_zeroize(p, len);
}

/* Count, then write only when everything fits. */
static bmqtt_status_t output(bmqtt_cloud_emit_fn emit, const void *arg, char *buf, size_t cap, size_t *need)
{
    bmqtt_cw_t w;
    memset(&w, 0, sizeof w);
    emit(&w, arg);
    if (w.err != 0) return BMQTT_ERR_CLOUD_CRYPTO;
    *need = w.n;
    if (buf == NULL) return BMQTT_OK;
    if (w.n > cap) return BMQTT_ERR_BUFFER_TOO_SMALL;
    w.buf = buf;
    w.cap = cap;
    w.n = 0;
    emit(&w, arg);
    return w.n == *need ? BMQTT_OK : BMQTT_ERR_CLOUD_CRYPTO;
}

bmqtt_status_t bmqtt_cloud_string(bmqtt_cloud_emit_fn emit, const void *arg, char *buf, size_t cap, size_t *len)
{
    size_t need = 0;
    bmqtt_status_t st;
    if (buf == NULL && len == NULL) return BMQTT_ERR_PARAM;
    st = output(emit, arg, buf, cap, &need);
    if (len != NULL && need > 0u) *len = need - 1u; /* the emitter ends with the NUL */
    return st;
}

bmqtt_status_t bmqtt_cloud_creds(bmqtt_cloud_emit_fn emit, const void *arg, char *buf, size_t cap, size_t *len,
                                 bmqtt_connect_t *out)
{
    size_t need = 0, a, b;
    bmqtt_status_t st;
    if ((buf == NULL && len == NULL) || (buf != NULL && out == NULL)) return BMQTT_ERR_PARAM;
    st = output(emit, arg, buf, cap, &need);
    if (len != NULL) *len = need;
    if (st != BMQTT_OK || buf == NULL) return st;
    /* Fields are checked to hold no NUL: the three strings end at the first three. */
    a = strlen(buf);
    b = strlen(buf + a + 1u);
    out->client_id.ptr = (const uint8_t *)buf;
    out->client_id.len = a;
    out->username.ptr = (const uint8_t *)buf + a + 1u;
    out->username.len = b;
    out->password.ptr = (const uint8_t *)buf + a + b + 2u;
    out->password.len = strlen(buf + a + b + 2u);
    return BMQTT_OK;
}
