/*
 * bmqtt mbedTLS port: TLS as a bmqtt transport over any other bmqtt transport.
 *
 * mbedTLS talks to the lower transport through the two bio callbacks below;
 * the public send/recv drive the handshake until it is over, then move
 * application data. Nothing here allocates: mbedTLS does, through its own
 * allocator (a static pool on a microcontroller).
 */
#include "bmqtt_tls_internal.h"
#include "bmqtt_mbedtls_compat.h"
#include "bmqtt/config.h"

#include <string.h>

#include "mbedtls/net_sockets.h" /* MBEDTLS_ERR_NET_SEND_FAILED / RECV_FAILED only */
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
#include "mbedtls/memory_buffer_alloc.h"
#endif

/* ------------------------------------------------------------------------ */
/* The lower transport, seen from mbedTLS                                     */
/* ------------------------------------------------------------------------ */

static int bio_send(void *p, const unsigned char *buf, size_t len)
{
    bmqtt_tls_t *tls = (bmqtt_tls_t *)p;
    int32_t r;
    if (len > (size_t)INT32_MAX) {
        len = (size_t)INT32_MAX;
    }
    r = tls->lower.send(tls->lower.ctx, buf, len);
    if (r > 0) {
        return (int)r;
    }
    if (r == 0 || r == (int32_t)BMQTT_WOULD_BLOCK) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    tls->lower_status = r;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *p, unsigned char *buf, size_t len)
{
    bmqtt_tls_t *tls = (bmqtt_tls_t *)p;
    int32_t r;
    if (len > (size_t)INT32_MAX) {
        len = (size_t)INT32_MAX;
    }
    r = tls->lower.recv(tls->lower.ctx, buf, len);
    if (r > 0) {
        return (int)r;
    }
    if (r == 0 || r == (int32_t)BMQTT_WOULD_BLOCK) {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    tls->lower_status = r;
    if (r == (int32_t)BMQTT_ERR_CLOSED) {
        return 0; /* end of stream: mbedTLS reports MBEDTLS_ERR_SSL_CONN_EOF */
    }
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

/* ------------------------------------------------------------------------ */
/* Certificate validity against the caller's clock                           */
/* ------------------------------------------------------------------------ */

/* Days from 1970-01-01 to the given proleptic Gregorian date (March-based years). */
static int64_t days_since_epoch(int year, int mon, int day)
{
    int64_t y = (int64_t)year - (mon <= 2 ? 1 : 0);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                               /* 0..399 */
    int64_t mp = (int64_t)(mon > 2 ? mon - 3 : mon + 9);       /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)day - 1;       /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;       /* 0..146096 */
    return era * 146097 + doe - 719468;
}

static int64_t x509_seconds(const mbedtls_x509_time *t)
{
    return days_since_epoch(t->year, t->mon, t->day) * 86400 + (int64_t)t->hour * 3600 +
           (int64_t)t->min * 60 + (int64_t)t->sec;
}

/* Called by mbedTLS for every certificate of the chain, after its own checks:
 *  - with a clock hook, replace its verdict on the dates (taken from its own
 *    clock, or none) by one from the caller's clock;
 *  - with no_name_check, forget that the server's own certificate (depth 0)
 *    names another host. Nothing else is forgiven: the chain is still checked. */
static int verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    bmqtt_tls_t *tls = (bmqtt_tls_t *)p;
    if (depth == 0 && tls->no_name_check != 0u) {
        *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
    }
    if (tls->now != NULL) {
        int64_t now = tls->now(tls->now_ctx);
        *flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
        if (now < 0) {
            tls->time_unchecked = 1u;
            return 0;
        }
        if (now > x509_seconds(&crt->valid_to)) {
            *flags |= (uint32_t)MBEDTLS_X509_BADCERT_EXPIRED;
        }
        if (now < x509_seconds(&crt->valid_from)) {
            *flags |= (uint32_t)MBEDTLS_X509_BADCERT_FUTURE;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* mbedTLS codes -> bmqtt statuses                                           */
/* ------------------------------------------------------------------------ */

static int is_want(int err)
{
    if (err == MBEDTLS_ERR_SSL_WANT_READ || err == MBEDTLS_ERR_SSL_WANT_WRITE) {
        return 1;
    }
#if defined(MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS)
    if (err == MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS) {
        return 1;
    }
#endif
#if defined(MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS)
    if (err == MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS) {
        return 1;
    }
#endif
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
    if (err == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
        return 1; /* TLS 1.3: nothing for us yet, call again */
    }
#endif
    return 0;
}

/* mbedTLS 2.x adds a high-level and a low-level code; 3.x mostly returns one. */
static int is_alloc_error(int err)
{
    int high = -((-err) & 0xFF80);
    int low = -((-err) & 0x007F);
    (void)high;
    (void)low;
#if defined(MBEDTLS_ERR_SSL_ALLOC_FAILED)
    if (high == MBEDTLS_ERR_SSL_ALLOC_FAILED) {
        return 1;
    }
#endif
#if defined(MBEDTLS_ERR_X509_ALLOC_FAILED)
    if (high == MBEDTLS_ERR_X509_ALLOC_FAILED) {
        return 1;
    }
#endif
#if defined(MBEDTLS_ERR_PK_ALLOC_FAILED)
    if (high == MBEDTLS_ERR_PK_ALLOC_FAILED) {
        return 1;
    }
#endif
#if defined(MBEDTLS_ERR_ECP_ALLOC_FAILED)
    if (high == MBEDTLS_ERR_ECP_ALLOC_FAILED) {
        return 1;
    }
#endif
#if defined(MBEDTLS_ERR_CIPHER_ALLOC_FAILED)
    if (high == MBEDTLS_ERR_CIPHER_ALLOC_FAILED) {
        return 1;
    }
#endif
#if defined(MBEDTLS_ERR_MD_ALLOC_FAILED)
    if (high == MBEDTLS_ERR_MD_ALLOC_FAILED) {
        return 1;
    }
#endif
#if defined(MBEDTLS_ERR_MPI_ALLOC_FAILED)
    if (low == MBEDTLS_ERR_MPI_ALLOC_FAILED) {
        return 1;
    }
#endif
#if defined(MBEDTLS_ERR_ASN1_ALLOC_FAILED)
    if (low == MBEDTLS_ERR_ASN1_ALLOC_FAILED) {
        return 1;
    }
#endif
    return 0;
}

/* The most telling status for a failed verification (see bmqtt_tls.h). */
static bmqtt_status_t verify_status(uint32_t flags)
{
    const uint32_t dates = (uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
    const uint32_t name = (uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
    if ((flags & ~(dates | name)) != 0u) {
        return BMQTT_ERR_TLS_UNTRUSTED;
    }
    if ((flags & dates) != 0u) {
        return BMQTT_ERR_TLS_EXPIRED;
    }
    if ((flags & name) != 0u) {
        return BMQTT_ERR_TLS_NAME;
    }
    return BMQTT_ERR_TLS_HANDSHAKE;
}

/*
 * The lower transport failed during the handshake. A server that refuses us
 * (e.g. no client certificate) sends a fatal alert and closes at once; our next
 * flight then meets a reset socket before mbedTLS ever reads the alert. Look
 * for that alert among the bytes still readable: a plaintext record
 * 15 03 0x 00 02 02 <description>.
 */
static int sniff_alert(bmqtt_tls_t *tls)
{
    uint8_t rec[7];
    size_t got = 0u;
    int tries;
    for (tries = 0; tries < 7 && got < sizeof rec; tries++) {
        int32_t r = tls->lower.recv(tls->lower.ctx, rec + got, sizeof rec - got);
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    if (got == sizeof rec && rec[0] == 21u && rec[1] == 3u && rec[3] == 0u && rec[4] == 2u && rec[5] == 2u) {
        tls->peer_alert = rec[6];
        return 1;
    }
    return 0;
}

/*
 * The lower transport failed after the handshake. With TLS 1.3 the server checks
 * our certificate only after our side of the handshake is over; its refusal (alert
 * certificate_required, bad_certificate...) is an encrypted record that our next
 * write meets as a reset connection. If that record is still readable, mbedTLS
 * reads it here and says so.
 */
static int late_alert(bmqtt_tls_t *tls)
{
    unsigned char b;
    int32_t saved = tls->lower_status;
    int ret;
    tls->lower_status = 0;
    ret = mbedtls_ssl_read(&tls->ssl, &b, 1u);
    tls->lower_status = saved;
    return ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE;
}

/* Record a fatal mbedTLS error and return the sticky status it maps to. */
static int32_t tls_fail(bmqtt_tls_t *tls, int err)
{
    bmqtt_status_t st;
    tls->last_error = err;
    if (tls->lower_status != 0 && tls->state != TLS_ST_OPEN && sniff_alert(tls)) {
        tls->last_error = MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE;
        st = BMQTT_ERR_TLS_HANDSHAKE;
    } else if (tls->lower_status != 0 && tls->state == TLS_ST_OPEN && late_alert(tls)) {
        tls->last_error = MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE;
        st = BMQTT_ERR_TLS_HANDSHAKE;
    } else if (err == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
        st = BMQTT_ERR_TLS_HANDSHAKE; /* the server refused us, e.g. after a TLS 1.3 handshake */
    } else if (tls->lower_status != 0) {
        st = (bmqtt_status_t)tls->lower_status;
    } else if (err == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || err == MBEDTLS_ERR_SSL_CONN_EOF) {
        st = BMQTT_ERR_CLOSED;
    } else if (is_alloc_error(err)) {
        st = BMQTT_ERR_TLS_ALLOC;
    } else if (err == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        st = verify_status(tls->verify_flags);
    } else if (tls->state == TLS_ST_OPEN) {
        st = BMQTT_ERR_TRANSPORT;
    } else {
        st = BMQTT_ERR_TLS_HANDSHAKE;
    }
    BMQTT_LOG("bmqtt tls: %s (mbedTLS -0x%04x, verify flags 0x%lx)", bmqtt_status_str(st), (unsigned)-tls->last_error,
              (unsigned long)tls->verify_flags);
    tls->status = (int32_t)st;
    return (int32_t)st;
}

/* Advance the handshake; BMQTT_OK once it is over. mbedtls_ssl_handshake()'s
 * own loop, step by step, to see whether the server sent its Certificate: that
 * is what tells a full handshake from a resumed one, in TLS 1.2 and 1.3. */
static int32_t tls_step(bmqtt_tls_t *tls)
{
    int ret = 0;
    uint32_t flags;
    if (tls->status != 0) {
        return tls->status;
    }
    if (tls->state == TLS_ST_OPEN) {
        return (int32_t)BMQTT_OK;
    }
    if (tls->state == TLS_ST_CLOSED) {
        return (int32_t)BMQTT_ERR_CLOSED;
    }
    if (tls->state != TLS_ST_READY && tls->state != TLS_ST_BUSY) {
        return (int32_t)BMQTT_ERR_PARAM;
    }
    tls->state = TLS_ST_BUSY;
    while (BMQTT_SSL_STATE(&tls->ssl) != MBEDTLS_SSL_HANDSHAKE_OVER) {
        ret = mbedtls_ssl_handshake_step(&tls->ssl);
        if (BMQTT_SSL_STATE(&tls->ssl) == MBEDTLS_SSL_SERVER_CERTIFICATE) {
            tls->full_seen = 1u;
        }
        if (ret != 0) {
            break;
        }
    }
    flags = mbedtls_ssl_get_verify_result(&tls->ssl);
    tls->verify_flags = (flags == 0xFFFFFFFFu) ? 0u : flags;
    if (ret == 0) {
        tls->state = TLS_ST_OPEN;
        bmqtt_tlsi_handshake_done(tls);
        return (int32_t)BMQTT_OK;
    }
    if (is_want(ret)) {
        return (int32_t)BMQTT_WOULD_BLOCK;
    }
    return tls_fail(tls, ret);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

static const char *tls_status_name(int status)
{
    switch (status) {
    case BMQTT_ERR_TLS_HANDSHAKE: return "TLS handshake failed";
    case BMQTT_ERR_TLS_UNTRUSTED: return "TLS certificate not trusted";
    case BMQTT_ERR_TLS_NAME: return "TLS certificate name mismatch";
    case BMQTT_ERR_TLS_EXPIRED: return "TLS certificate expired or not yet valid";
    case BMQTT_ERR_TLS_ALLOC: return "TLS memory pool exhausted";
    case BMQTT_ERR_TLS_SESSION: return "saved TLS session refused";
    default: return NULL;
    }
}

static bmqtt_status_names_t tls_status_names = { BMQTT_STATUS_TLS_BASE, BMQTT_STATUS_TLS_BASE - 9, tls_status_name,
                                                 "TLS error", NULL };

void bmqtt_tls_init(bmqtt_tls_t *tls)
{
    bmqtt_status_register(&tls_status_names);
    if (tls == NULL) {
        return;
    }
    memset(tls, 0, sizeof *tls);
    mbedtls_ssl_init(&tls->ssl);
    mbedtls_ssl_config_init(&tls->conf);
    mbedtls_entropy_init(&tls->entropy);
    mbedtls_ctr_drbg_init(&tls->drbg);
    mbedtls_x509_crt_init(&tls->ca);
    mbedtls_x509_crt_init(&tls->cert);
    mbedtls_pk_init(&tls->key);
    mbedtls_ssl_session_init(&tls->session);
    tls->state = TLS_ST_NEW;
}

/* PEM needs its NUL counted; a length of 0 means "NUL-terminated, measure it". */
static size_t pem_or_der_len(const uint8_t *p, size_t len)
{
    if (p != NULL && len == 0u) {
        return strlen((const char *)p) + 1u;
    }
    return len;
}

/* A setup failure: the caller's input, memory, or anything else. */
static bmqtt_status_t setup_fail(bmqtt_tls_t *tls, int err, bmqtt_status_t otherwise)
{
    tls->last_error = err;
    BMQTT_LOG("bmqtt tls: setup refused: mbedTLS -0x%04x", (unsigned)-err);
    return is_alloc_error(err) ? BMQTT_ERR_TLS_ALLOC : otherwise;
}

static int mfl_code(uint16_t max_fragment, unsigned char *code)
{
    switch (max_fragment) {
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    case 512u:
        *code = MBEDTLS_SSL_MAX_FRAG_LEN_512;
        return 0;
    case 1024u:
        *code = MBEDTLS_SSL_MAX_FRAG_LEN_1024;
        return 0;
    case 2048u:
        *code = MBEDTLS_SSL_MAX_FRAG_LEN_2048;
        return 0;
    case 4096u:
        *code = MBEDTLS_SSL_MAX_FRAG_LEN_4096;
        return 0;
#endif
    case 0u:
        *code = 0u;
        return 0;
    default:
        return -1;
    }
}

bmqtt_status_t bmqtt_tls_setup(bmqtt_tls_t *tls, const bmqtt_tls_config_t *cfg, const bmqtt_transport_t *lower)
{
    static const unsigned char pers[] = "bmqtt-tls";
    unsigned char mfl = 0u;
    size_t i;
    size_t n_alpn = 0u;
    int ret;

    if (tls == NULL || cfg == NULL || lower == NULL || lower->send == NULL || lower->recv == NULL ||
        tls->state != TLS_ST_NEW) {
        return BMQTT_ERR_PARAM;
    }
    if ((cfg->insecure == 0u && cfg->ca == NULL) || ((cfg->cert == NULL) != (cfg->key == NULL)) ||
        mfl_code(cfg->max_fragment, &mfl) != 0 ||
        (cfg->tls_version != 0u && cfg->tls_version != 12u && cfg->tls_version != 13u)) {
        return BMQTT_ERR_PARAM;
    }
#if !defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (cfg->tls_version == 13u) {
        return BMQTT_ERR_PARAM; /* this mbedTLS has no TLS 1.3 */
    }
#endif
    for (i = 0u; i < BMQTT_TLS_ALPN_MAX; i++) {
        if (cfg->alpn[i] == NULL) {
            continue;
        }
        if (n_alpn != i || cfg->alpn[i][0] == '\0') {
            return BMQTT_ERR_PARAM; /* a hole in the list, or an empty name */
        }
        tls->alpn[n_alpn++] = cfg->alpn[i];
    }
    tls->alpn[n_alpn] = NULL;
#if !defined(MBEDTLS_SSL_ALPN)
    if (n_alpn != 0u) {
        return BMQTT_ERR_PARAM;
    }
#endif
    tls->lower = *lower;
    tls->now = cfg->now;
    tls->now_ctx = cfg->now_ctx;
    tls->no_resume = cfg->no_resume != 0u ? 1u : 0u;
    tls->bind = bmqtt_tlsi_bind(cfg, pem_or_der_len(cfg->ca, cfg->ca_len));

    if (BMQTT_PSA_INIT() != 0) {
        return BMQTT_ERR_TLS_HANDSHAKE;
    }

    /* Random numbers: the caller's hardware source and/or the platform's. */
    if (cfg->entropy != NULL) {
        ret = mbedtls_entropy_add_source(&tls->entropy, cfg->entropy, cfg->entropy_ctx, 32u,
                                         MBEDTLS_ENTROPY_SOURCE_STRONG);
        if (ret != 0) {
            return setup_fail(tls, ret, BMQTT_ERR_PARAM);
        }
    }
    ret = mbedtls_ctr_drbg_seed(&tls->drbg, mbedtls_entropy_func, &tls->entropy, pers, sizeof pers - 1u);
    if (ret != 0) {
        return setup_fail(tls, ret, BMQTT_ERR_PARAM);
    }

    /* Certificates and key, parsed into the pool. A CA bundle counts as good
     * when at least one of its certificates parsed. */
    if (cfg->insecure == 0u) {
        ret = mbedtls_x509_crt_parse(&tls->ca, cfg->ca, pem_or_der_len(cfg->ca, cfg->ca_len));
        if (ret < 0 || tls->ca.version == 0) {
            return setup_fail(tls, ret, BMQTT_ERR_PARAM);
        }
    }
    if (cfg->cert != NULL) {
        ret = mbedtls_x509_crt_parse(&tls->cert, cfg->cert, pem_or_der_len(cfg->cert, cfg->cert_len));
        if (ret != 0) {
            return setup_fail(tls, ret, BMQTT_ERR_PARAM);
        }
        ret = BMQTT_PK_PARSE_KEY(&tls->key, cfg->key, pem_or_der_len(cfg->key, cfg->key_len), cfg->key_password,
                                 cfg->key_password_len, mbedtls_ctr_drbg_random, &tls->drbg);
        if (ret != 0) {
            return setup_fail(tls, ret, BMQTT_ERR_PARAM);
        }
    }

    /* A TLS 1.2 (or later) client. */
    ret = mbedtls_ssl_config_defaults(&tls->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) {
        return setup_fail(tls, ret, BMQTT_ERR_TLS_HANDSHAKE);
    }
    BMQTT_SSL_MIN_TLS12(&tls->conf);
    if (cfg->tls_version == 12u) {
        BMQTT_SSL_MAX_TLS12(&tls->conf);
    }
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (cfg->tls_version == 13u) {
        BMQTT_SSL_MIN_TLS13(&tls->conf);
    }
#endif
    if (cfg->ciphersuites != NULL) {
        if (cfg->ciphersuites[0] == 0) {
            return BMQTT_ERR_PARAM;
        }
        mbedtls_ssl_conf_ciphersuites(&tls->conf, cfg->ciphersuites);
    }
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    mbedtls_ssl_conf_session_tickets(&tls->conf, (cfg->no_tickets != 0u || cfg->no_resume != 0u)
                                                     ? MBEDTLS_SSL_SESSION_TICKETS_DISABLED
                                                     : MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3) && defined(MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED)
    /* TLS 1.3 tickets arrive after the handshake; mbedTLS drops them unless asked. */
    if (cfg->no_resume == 0u) {
        mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
            &tls->conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
    }
#endif
#endif
    mbedtls_ssl_conf_rng(&tls->conf, mbedtls_ctr_drbg_random, &tls->drbg);
    if (cfg->insecure != 0u) {
        mbedtls_ssl_conf_authmode(&tls->conf, MBEDTLS_SSL_VERIFY_NONE);
    } else {
        mbedtls_ssl_conf_authmode(&tls->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        mbedtls_ssl_conf_ca_chain(&tls->conf, &tls->ca, NULL);
        tls->no_name_check = cfg->no_name_check != 0u ? 1u : 0u;
        if (tls->now != NULL || tls->no_name_check != 0u) {
            mbedtls_ssl_conf_verify(&tls->conf, verify_cb, tls);
        }
    }
    if (cfg->cert != NULL) {
        ret = mbedtls_ssl_conf_own_cert(&tls->conf, &tls->cert, &tls->key);
        if (ret != 0) {
            return setup_fail(tls, ret, BMQTT_ERR_PARAM);
        }
    }
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    if (mfl != 0u) {
        ret = mbedtls_ssl_conf_max_frag_len(&tls->conf, mfl);
        if (ret != 0) {
            return setup_fail(tls, ret, BMQTT_ERR_PARAM);
        }
        /* mbedTLS 3.x's TLS 1.3 client has no max_fragment_length: it refuses a
         * server that echoes it (UNSUPPORTED_EXTENSION). Small records are asked
         * for because the buffers are small, so stay on TLS 1.2 then. */
        BMQTT_SSL_MAX_TLS12(&tls->conf);
    }
#endif
#if defined(MBEDTLS_SSL_ALPN)
    if (n_alpn != 0u) {
        ret = mbedtls_ssl_conf_alpn_protocols(&tls->conf, tls->alpn);
        if (ret != 0) {
            return setup_fail(tls, ret, BMQTT_ERR_PARAM);
        }
    }
#endif

    ret = mbedtls_ssl_setup(&tls->ssl, &tls->conf);
    if (ret != 0) {
        return setup_fail(tls, ret, BMQTT_ERR_TLS_HANDSHAKE);
    }
    if (cfg->host != NULL) {
        ret = mbedtls_ssl_set_hostname(&tls->ssl, cfg->host); /* SNI and name check */
        if (ret != 0) {
            return setup_fail(tls, ret, BMQTT_ERR_PARAM);
        }
    }
    mbedtls_ssl_set_bio(&tls->ssl, tls, bio_send, bio_recv, NULL);
    tls->state = TLS_ST_READY;
    tls->offered = 0u;
    tls->full_seen = 0u;
    return BMQTT_OK;
}

void bmqtt_tls_transport(bmqtt_tls_t *tls, bmqtt_transport_t *t)
{
    if (t == NULL) {
        return;
    }
    t->send = bmqtt_tls_send;
    t->recv = bmqtt_tls_recv;
    t->close = bmqtt_tls_close;
    t->ctx = tls;
}

bmqtt_status_t bmqtt_tls_handshake(bmqtt_tls_t *tls)
{
    if (tls == NULL) {
        return BMQTT_ERR_PARAM;
    }
    return (bmqtt_status_t)tls_step(tls);
}

int32_t bmqtt_tls_send(void *ctx, const uint8_t *buf, size_t len)
{
    bmqtt_tls_t *tls = (bmqtt_tls_t *)ctx;
    int32_t st;
    int ret;

    if (tls == NULL || (buf == NULL && len != 0u)) {
        return (int32_t)BMQTT_ERR_PARAM;
    }
    st = tls_step(tls);
    if (st != (int32_t)BMQTT_OK) {
        return st;
    }
    if (len > (size_t)INT32_MAX) {
        len = (size_t)INT32_MAX;
    }
    if (tls->tx_pending != 0u) {
        /* mbedtls_ssl_write() said WANT_WRITE and must be called again with the
         * same arguments: its record may be encrypted and partly sent already.
         * More bytes queued behind them since are fine; fewer would leave the
         * record holding bytes the caller no longer counts as unsent. */
        if (len < tls->tx_pending) {
            tls->status = (int32_t)BMQTT_ERR_PARAM;
            return tls->status;
        }
        len = tls->tx_pending;
    }
    if (len == 0u) {
        return 0;
    }
    ret = mbedtls_ssl_write(&tls->ssl, buf, len);
    if (ret > 0) {
        tls->tx_pending = 0u;
        return (int32_t)ret;
    }
    if (is_want(ret)) {
        tls->tx_pending = len;
        return (int32_t)BMQTT_WOULD_BLOCK;
    }
    return tls_fail(tls, ret);
}

int32_t bmqtt_tls_recv(void *ctx, uint8_t *buf, size_t len)
{
    bmqtt_tls_t *tls = (bmqtt_tls_t *)ctx;
    int32_t st;
    int ret;

    if (tls == NULL || (buf == NULL && len != 0u)) {
        return (int32_t)BMQTT_ERR_PARAM;
    }
    st = tls_step(tls);
    if (st != (int32_t)BMQTT_OK) {
        return st;
    }
    if (len == 0u) {
        return 0;
    }
    if (len > (size_t)INT32_MAX) {
        len = (size_t)INT32_MAX;
    }
    ret = mbedtls_ssl_read(&tls->ssl, buf, len);
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
    while (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
        bmqtt_tlsi_keep(tls); /* TLS 1.3: a session to resume, at last */
        ret = mbedtls_ssl_read(&tls->ssl, buf, len);
    }
#endif
    if (ret > 0) {
        return (int32_t)ret;
    }
    if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        tls->last_error = ret;
        tls->status = (int32_t)BMQTT_ERR_CLOSED;
        return (int32_t)BMQTT_ERR_CLOSED;
    }
    if (is_want(ret)) {
        return (int32_t)BMQTT_WOULD_BLOCK;
    }
    return tls_fail(tls, ret);
}

void bmqtt_tls_close(void *ctx)
{
    bmqtt_tls_t *tls = (bmqtt_tls_t *)ctx;
    if (tls == NULL || tls->state == TLS_ST_CLOSED || tls->state == TLS_ST_NEW) {
        return;
    }
    if (tls->state == TLS_ST_OPEN && tls->status == 0) {
        /* One attempt, never waiting: mbedTLS first flushes a record still on
         * its way out; a close_notify that does not fit in now is dropped. */
        (void)mbedtls_ssl_close_notify(&tls->ssl);
    }
    if (tls->lower.close != NULL) {
        tls->lower.close(tls->lower.ctx);
    }
    tls->state = TLS_ST_CLOSED;
}

bmqtt_status_t bmqtt_tls_reset(bmqtt_tls_t *tls)
{
    int ret;
    if (tls == NULL || tls->state == TLS_ST_NEW) {
        return BMQTT_ERR_PARAM;
    }
    ret = mbedtls_ssl_session_reset(&tls->ssl);
    tls->tx_pending = 0u;
    tls->verify_flags = 0u;
    tls->lower_status = 0;
    tls->status = 0;
    tls->time_unchecked = 0u;
    tls->peer_alert = 0u;
    if (ret != 0) {
        tls->last_error = ret;
        tls->status = is_alloc_error(ret) ? (int32_t)BMQTT_ERR_TLS_ALLOC : (int32_t)BMQTT_ERR_TLS_HANDSHAKE;
        return (bmqtt_status_t)tls->status;
    }
    tls->last_error = 0;
    tls->state = TLS_ST_READY;
    bmqtt_tlsi_offer_kept(tls);
    return BMQTT_OK;
}

void bmqtt_tls_free(bmqtt_tls_t *tls)
{
    if (tls == NULL) {
        return;
    }
    mbedtls_ssl_free(&tls->ssl);
    mbedtls_ssl_config_free(&tls->conf);
    mbedtls_x509_crt_free(&tls->ca);
    mbedtls_x509_crt_free(&tls->cert);
    mbedtls_pk_free(&tls->key);
    mbedtls_ssl_session_free(&tls->session);
    mbedtls_ctr_drbg_free(&tls->drbg);
    mbedtls_entropy_free(&tls->entropy);
    /* Everything is back to its _init state: free again or init again is safe. */
    bmqtt_tls_init(tls);
}

int bmqtt_tls_pending(const bmqtt_tls_t *tls)
{
    if (tls == NULL || tls->state != TLS_ST_OPEN) {
        return 0;
    }
    return mbedtls_ssl_get_bytes_avail(&tls->ssl) != 0u || mbedtls_ssl_check_pending(&tls->ssl) != 0;
}

const char *bmqtt_tls_alpn(const bmqtt_tls_t *tls)
{
#if defined(MBEDTLS_SSL_ALPN)
    if (tls != NULL && tls->state == TLS_ST_OPEN) {
        return mbedtls_ssl_get_alpn_protocol(&tls->ssl);
    }
#else
    (void)tls;
#endif
    return NULL;
}

uint32_t bmqtt_tls_verify_flags(const bmqtt_tls_t *tls)
{
    return tls != NULL ? tls->verify_flags : 0u;
}

int bmqtt_tls_last_error(const bmqtt_tls_t *tls)
{
    return tls != NULL ? tls->last_error : 0;
}

int bmqtt_tls_peer_alert(const bmqtt_tls_t *tls)
{
    return tls != NULL ? (int)tls->peer_alert : 0;
}

int bmqtt_tls_time_unchecked(const bmqtt_tls_t *tls)
{
    return tls != NULL ? (int)tls->time_unchecked : 0;
}

#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
bmqtt_status_t bmqtt_tls_pool_init(uint8_t *buf, size_t len)
{
    if (buf == NULL || len == 0u) {
        return BMQTT_ERR_PARAM;
    }
    mbedtls_memory_buffer_alloc_init(buf, len);
    return BMQTT_OK;
}

void bmqtt_tls_pool_usage(size_t *peak_bytes, size_t *peak_blocks, size_t *current)
{
    size_t bytes = 0u;
    size_t blocks = 0u;
    size_t cur = 0u;
    size_t cur_blocks = 0u;
#if defined(MBEDTLS_MEMORY_DEBUG)
    mbedtls_memory_buffer_alloc_max_get(&bytes, &blocks);
    mbedtls_memory_buffer_alloc_cur_get(&cur, &cur_blocks);
#endif
    if (peak_bytes != NULL) {
        *peak_bytes = bytes;
    }
    if (peak_blocks != NULL) {
        *peak_blocks = blocks;
    }
    if (current != NULL) {
        *current = cur;
    }
    (void)cur_blocks;
}
#endif
