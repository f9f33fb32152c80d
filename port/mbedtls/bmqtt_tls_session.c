/*
 * bmqtt mbedTLS port: TLS session resumption (TLS 1.2 session ids and tickets,
 * TLS 1.3 tickets) and saved sessions.
 *
 * A context keeps the session of its last handshake and offers it on the next
 * one after bmqtt_tls_reset(). A saved session is mbedTLS's serialisation in
 * an envelope that lets a torn, truncated or foreign copy be told apart before
 * mbedTLS parses it (mbedTLS's loader trusts its input):
 *
 *   0  "bmts"   4  format 1   5  reserved (3)   8  bind hash (4, big-endian)
 *   12 n (4)    16 n bytes of mbedtls_ssl_session_save()   16+n CRC-32 of 0..16+n
 */
#include "bmqtt_tls_internal.h"
#include "bmqtt_mbedtls_compat.h"

#include <string.h>

#define ENV_HEAD 16u
#define ENV_FORMAT 1u

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0u; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

uint32_t bmqtt_tlsi_bind(const bmqtt_tls_config_t *cfg, size_t ca_len)
{
    uint32_t h = 2166136261u;
    uint8_t mode = (uint8_t)((cfg->insecure != 0u ? 1u : 0u) | (cfg->no_name_check != 0u ? 2u : 0u));
    if (cfg->host != NULL) {
        h = fnv1a(h, (const uint8_t *)cfg->host, strlen(cfg->host));
    }
    h = fnv1a(h, &mode, 1u);
    if (cfg->insecure == 0u && cfg->ca != NULL) {
        h = fnv1a(h, cfg->ca, ca_len);
    }
    return h;
}

/* CRC-32 (IEEE 802.3, reflected), bitwise: a few hundred bytes once per boot. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0u; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
    }
    return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void drop_session(bmqtt_tls_t *tls)
{
    mbedtls_ssl_session_free(&tls->session);
    mbedtls_ssl_session_init(&tls->session);
    tls->have_session = 0u;
}

void bmqtt_tlsi_keep(bmqtt_tls_t *tls)
{
    mbedtls_ssl_session s;
    if (tls->no_resume != 0u) {
        return;
    }
    mbedtls_ssl_session_init(&s);
    if (mbedtls_ssl_get_session(&tls->ssl, &s) != 0) {
        mbedtls_ssl_session_free(&s);
        return; /* no session to keep (out of memory, or already taken): the old one stays */
    }
    mbedtls_ssl_session_free(&tls->session);
    tls->session = s; /* a plain struct whose pointers now belong to tls->session */
    tls->have_session = 1u;
    tls->session_count++;
}

void bmqtt_tlsi_offer_kept(bmqtt_tls_t *tls)
{
    tls->offered = 0u;
    tls->full_seen = 0u;
    if (tls->no_resume != 0u || tls->have_session == 0u) {
        return;
    }
    /* mbedTLS refuses a session it cannot use (e.g. an expired TLS 1.3
     * ticket): then there is simply nothing to offer. */
    if (mbedtls_ssl_set_session(&tls->ssl, &tls->session) == 0) {
        tls->offered = 1u;
    }
}

void bmqtt_tlsi_handshake_done(bmqtt_tls_t *tls)
{
    if (tls->loaded_bad != 0u) {
        tls->resumption = (uint8_t)BMQTT_TLS_RESUME_INVALID;
    } else if (tls->offered == 0u) {
        tls->resumption = (uint8_t)BMQTT_TLS_RESUME_NONE;
    } else {
        tls->resumption = (uint8_t)(tls->full_seen != 0u ? BMQTT_TLS_RESUME_REFUSED : BMQTT_TLS_RESUME_OK);
    }
    tls->loaded_bad = 0u;
    /* TLS 1.2: the session (new, or the resumed one with a fresh ticket) is
     * ready now. TLS 1.3: a resumable session comes later, with a ticket. */
    if (!BMQTT_SSL_IS_TLS13(&tls->ssl)) {
        bmqtt_tlsi_keep(tls);
    }
}

unsigned bmqtt_tls_resumption(const bmqtt_tls_t *tls)
{
    return tls != NULL ? (unsigned)tls->resumption : BMQTT_TLS_RESUME_NONE;
}

uint32_t bmqtt_tls_session_count(const bmqtt_tls_t *tls)
{
    return tls != NULL ? tls->session_count : 0u;
}

void bmqtt_tls_session_forget(bmqtt_tls_t *tls)
{
    if (tls != NULL && tls->state != TLS_ST_NEW) {
        drop_session(tls);
    }
}

bmqtt_status_t bmqtt_tls_session_save(bmqtt_tls_t *tls, uint8_t *buf, size_t cap, size_t *len)
{
    size_t n = 0u;
    int ret;
    if (tls == NULL || len == NULL || (buf == NULL && cap != 0u) || tls->state == TLS_ST_NEW) {
        return BMQTT_ERR_PARAM;
    }
    *len = 0u;
    if (tls->have_session == 0u) {
        return BMQTT_ERR_NOT_CONNECTED;
    }
    ret = mbedtls_ssl_session_save(&tls->session, NULL, 0u, &n);
    if (ret != 0 && ret != MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL) {
        tls->last_error = ret;
        return BMQTT_ERR_TLS_HANDSHAKE;
    }
    if (n > (size_t)UINT32_MAX - BMQTT_TLS_SESSION_OVERHEAD) {
        return BMQTT_ERR_TLS_HANDSHAKE;
    }
    *len = n + BMQTT_TLS_SESSION_OVERHEAD;
    if (buf == NULL || cap < *len) {
        return BMQTT_ERR_BUFFER_TOO_SMALL;
    }
    ret = mbedtls_ssl_session_save(&tls->session, buf + ENV_HEAD, n, &n);
    if (ret != 0) {
        tls->last_error = ret;
        *len = 0u;
        return BMQTT_ERR_TLS_HANDSHAKE;
    }
    memcpy(buf, "bmts", 4u);
    buf[4] = (uint8_t)ENV_FORMAT;
    buf[5] = 0u;
    buf[6] = 0u;
    buf[7] = 0u;
    put32(buf + 8, tls->bind);
    put32(buf + 12, (uint32_t)n);
    put32(buf + ENV_HEAD + n, crc32(buf, ENV_HEAD + n));
    return BMQTT_OK;
}

/* The envelope of a saved session, checked before mbedTLS sees a byte of it. */
static int envelope_ok(const bmqtt_tls_t *tls, const uint8_t *buf, size_t len, size_t *n)
{
    if (len < BMQTT_TLS_SESSION_OVERHEAD || memcmp(buf, "bmts", 4u) != 0 || buf[4] != (uint8_t)ENV_FORMAT ||
        buf[5] != 0u || buf[6] != 0u || buf[7] != 0u) {
        return 0;
    }
    *n = (size_t)get32(buf + 12);
    if (*n != len - BMQTT_TLS_SESSION_OVERHEAD) {
        return 0; /* truncated, or followed by something else */
    }
    if (get32(buf + ENV_HEAD + *n) != crc32(buf, ENV_HEAD + *n)) {
        return 0;
    }
    return get32(buf + 8) == tls->bind; /* made for another host, CA or mode */
}

bmqtt_status_t bmqtt_tls_session_offer(bmqtt_tls_t *tls, const uint8_t *buf, size_t len)
{
    mbedtls_ssl_session s;
    size_t n = 0u;
    int ret;
    if (tls == NULL || (buf == NULL && len != 0u) || tls->state == TLS_ST_NEW) {
        return BMQTT_ERR_PARAM;
    }
    if (tls->state == TLS_ST_BUSY) {
        return BMQTT_ERR_BUSY;
    }
    if (tls->state == TLS_ST_READY && tls->offered != 0u) {
        /* mbedTLS takes one session per handshake: take back the one offered.
         * (After a handshake, the connection stays as it is: the new session
         * is offered after the next bmqtt_tls_reset().) */
        ret = mbedtls_ssl_session_reset(&tls->ssl);
        if (ret != 0) {
            tls->last_error = ret;
            return BMQTT_ERR_TLS_ALLOC;
        }
        tls->offered = 0u;
    }
    drop_session(tls);
    tls->loaded_bad = 1u; /* until proven good */
    if (buf == NULL || !envelope_ok(tls, buf, len, &n)) {
        return BMQTT_ERR_TLS_SESSION;
    }
    mbedtls_ssl_session_init(&s);
    ret = mbedtls_ssl_session_load(&s, buf + ENV_HEAD, n);
    if (ret != 0) {
        mbedtls_ssl_session_free(&s);
        tls->last_error = ret;
        if (ret == MBEDTLS_ERR_SSL_ALLOC_FAILED) {
            tls->loaded_bad = 0u;
            return BMQTT_ERR_TLS_ALLOC;
        }
        return BMQTT_ERR_TLS_SESSION; /* e.g. MBEDTLS_ERR_SSL_VERSION_MISMATCH: another build */
    }
    tls->session = s;
    tls->have_session = 1u;
    tls->loaded_bad = 0u;
    if (tls->state == TLS_ST_READY && tls->no_resume == 0u) {
        bmqtt_tlsi_offer_kept(tls);
    }
    return BMQTT_OK;
}
