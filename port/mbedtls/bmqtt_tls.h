/**
 * @file bmqtt_tls.h
 * @brief TLS over any bmqtt transport, with mbedTLS (2.28 LTS or 3.x).
 *
 * A bmqtt_tls_t wraps a lower bmqtt_transport_t (POSIX sockets, lwIP,
 * anything with send/recv) and is itself a bmqtt_transport_t: give it to the
 * client like any other transport. mbedTLS reaches the lower transport
 * through mbedtls_ssl_set_bio(); BMQTT_WOULD_BLOCK from below becomes
 * MBEDTLS_ERR_SSL_WANT_READ/WANT_WRITE inside mbedTLS and BMQTT_WOULD_BLOCK
 * again on the way up, so nothing here ever waits.
 *
 * **Handshake.** It is driven by the transport's own send and recv: until
 * it is complete, each call advances it as far as the lower transport
 * allows and returns BMQTT_WOULD_BLOCK, so a client that simply polls its
 * transport connects over TLS without knowing it. An application that
 * wants to see the handshake end (or fail) before it starts MQTT may call
 * bmqtt_tls_handshake() in a loop instead; both ways mix freely.
 *
 * **Verification.** Four modes, the four TLS schemes of ESP-AT:
 *
 * | mode                         | ca       | cert + key | insecure |
 * | ---------------------------- | -------- | ---------- | -------- |
 * | no verification              | -        | -          | 1        |
 * | verify the server            | CA chain | -          | 0        |
 * | client certificate only      | -        | set        | 1        |
 * | both                         | CA chain | set        | 0        |
 *
 * A zeroed config without a CA is refused (BMQTT_ERR_PARAM): not checking
 * the server must be asked for, with @c insecure = 1. Between the two,
 * @c no_name_check = 1 (with a CA, @c insecure = 0) still verifies the chain
 * and the dates but accepts a certificate made out for another name; the
 * host name is still sent as SNI. That is what mosquitto's `--insecure`
 * means, and what bmqtt-cli's `--insecure` asks for.
 *
 * **Statuses.** Besides the transport statuses (BMQTT_WOULD_BLOCK,
 * BMQTT_ERR_CLOSED, BMQTT_ERR_TRANSPORT, passed up from the lower transport
 * unchanged), a handshake ends in:
 *  - BMQTT_ERR_TLS_UNTRUSTED: the chain does not lead to the CA given
 *    (also a bad signature, a revoked or otherwise unusable certificate);
 *  - BMQTT_ERR_TLS_EXPIRED: a certificate of the chain is expired or not
 *    yet valid at the time the clock says (see bmqtt_tls_time_fn);
 *  - BMQTT_ERR_TLS_NAME: the certificate is valid but not for @c host;
 *  - BMQTT_ERR_TLS_HANDSHAKE: anything else (no common cipher suite, a fatal
 *    alert from the server — e.g. a listener that requires a client
 *    certificate and got none —, a malformed message). A server that
 *    refuses us typically sends its alert and resets the connection before
 *    mbedTLS reads it; when the lower transport then fails and the alert is
 *    still readable, this status is returned (not the transport's) and
 *    bmqtt_tls_peer_alert() gives the alert's description;
 *  - BMQTT_ERR_TLS_ALLOC: mbedTLS's memory (the static pool) ran out.
 * When several verification problems apply, the first in the list above
 * wins. After the handshake, a close_notify from the peer, or the lower
 * transport ending, is BMQTT_ERR_CLOSED; any other TLS error is
 * BMQTT_ERR_TRANSPORT. Every error is sticky: later calls return it again.
 * bmqtt_tls_last_error() and bmqtt_tls_verify_flags() give mbedTLS's own
 * code and verification flags for logs.
 *
 * **Memory.** Every context lives in the caller's bmqtt_tls_t. mbedTLS itself
 * allocates while parsing certificates and for its record buffers; on a
 * microcontroller, point it at a static buffer with bmqtt_tls_pool_init()
 * (needs MBEDTLS_MEMORY_BUFFER_ALLOC_C, which port/mbedtls/bmqtt_mbedtls_config.h
 * enables). This file itself never allocates. See docs/TLS.md for the pool
 * sizes a handshake needs.
 *
 * @code
 * static uint8_t pool[40 * 1024];
 * bmqtt_tls_pool_init(pool, sizeof pool);       // MCU builds only
 *
 * bmqtt_tls_config_t cfg = {0};
 * cfg.host = "broker.example.com";             // SNI and name check
 * cfg.ca = ca_pem; cfg.ca_len = sizeof ca_pem; // PEM with its NUL, or DER
 * cfg.alpn[0] = "mqtt";
 * cfg.entropy = board_trng; cfg.now = sntp_now; // hooks, see below
 *
 * bmqtt_tls_t tls;                              // static or long-lived
 * bmqtt_transport_t tr;
 * bmqtt_tls_init(&tls);
 * if (bmqtt_tls_setup(&tls, &cfg, &tcp) != BMQTT_OK) { ... }
 * bmqtt_tls_transport(&tls, &tr);
 * // connect the lower transport (tcp), then give &tr to the client.
 * // Reconnecting: reconnect tcp, then bmqtt_tls_reset(&tls): the session of
 * // the last handshake is offered again (resumption, see below).
 * // Done for good: bmqtt_tls_free(&tls).
 * @endcode
 *
 * **Resumption.** A context keeps the session of its last handshake (TLS 1.2
 * session id or ticket, TLS 1.3 ticket) and offers it after bmqtt_tls_reset();
 * bmqtt_tls_session_save() / bmqtt_tls_session_offer() carry it across a reset
 * of the device as bytes; bmqtt_tls_resumption() says what the handshake did.
 * A session the server refuses, or saved bytes that are corrupt, truncated or
 * foreign, only ever cost a full handshake.
 */
#ifndef BMQTT_TLS_H
#define BMQTT_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"
#include "bmqtt/transport.h"

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses of the TLS port (its range of bmqtt_status_t; bmqtt_status_str() names them). */
#define BMQTT_ERR_TLS_HANDSHAKE ((bmqtt_status_t)(BMQTT_STATUS_TLS_BASE - 0)) /**< TLS handshake failed. */
#define BMQTT_ERR_TLS_UNTRUSTED ((bmqtt_status_t)(BMQTT_STATUS_TLS_BASE - 1)) /**< Server certificate not signed by a trusted CA. */
#define BMQTT_ERR_TLS_NAME ((bmqtt_status_t)(BMQTT_STATUS_TLS_BASE - 2)) /**< Server certificate does not match the host name. */
#define BMQTT_ERR_TLS_EXPIRED ((bmqtt_status_t)(BMQTT_STATUS_TLS_BASE - 3)) /**< Certificate expired or not yet valid. */
#define BMQTT_ERR_TLS_ALLOC ((bmqtt_status_t)(BMQTT_STATUS_TLS_BASE - 4)) /**< TLS memory pool exhausted. */
#define BMQTT_ERR_TLS_SESSION ((bmqtt_status_t)(BMQTT_STATUS_TLS_BASE - 5)) /**< Saved TLS session refused: corrupt, truncated, from another mbedTLS build, server or trust. */

/** @name What the last handshake did about resumption (bmqtt_tls_resumption()) */
/** @{ */
#define BMQTT_TLS_RESUME_NONE 0u    /**< No session was offered: full handshake. */
#define BMQTT_TLS_RESUME_OK 1u      /**< The offered session was resumed: no certificate, no key exchange. */
#define BMQTT_TLS_RESUME_REFUSED 2u /**< A session was offered; the server chose a full handshake. */
#define BMQTT_TLS_RESUME_INVALID 3u /**< The saved session given was refused here (BMQTT_ERR_TLS_SESSION): full handshake. */
/** @} */

/** Bytes a saved session adds around mbedTLS's own serialisation (bmqtt_tls_session_save()). */
#define BMQTT_TLS_SESSION_OVERHEAD 20u

/** Largest number of ALPN protocol names offered. */
#define BMQTT_TLS_ALPN_MAX 5

/**
 * @brief Entropy hook: fill @p out with up to @p len bytes of true randomness
 *        (a hardware TRNG on a microcontroller) and store the count in @p *olen.
 *
 * Same shape as mbedTLS's mbedtls_entropy_f_source_ptr; it is registered as a
 * strong source. Return 0 on success, non-zero on failure.
 */
typedef int (*bmqtt_tls_entropy_fn)(void *ctx, unsigned char *out, size_t len, size_t *olen);

/**
 * @brief Clock hook: the current time in seconds since 1970-01-01 00:00 UTC,
 *        or a negative value while the time is not known yet.
 *
 * Certificate validity (notBefore/notAfter) is checked against this clock
 * for every certificate of the server's chain, replacing whatever mbedTLS
 * concluded from its own clock. A microcontroller has no calendar at reset:
 * set it from SNTP (lwIP's `sntp` app calls SNTP_SET_SYSTEM_TIME(sec); keep
 * `sec` plus the millisecond tick at that moment and return
 * `sec + (tick_now - tick_then) / 1000`), from a battery-backed RTC, or from
 * the cellular network. While it returns a negative value validity dates
 * are NOT checked (bmqtt_tls_time_unchecked() then says so): a device that
 * cannot reach SNTP still connects, at the cost of accepting an expired
 * certificate. Return a fixed build date instead to refuse certificates that
 * expired before the firmware was built.
 */
typedef int64_t (*bmqtt_tls_time_fn)(void *ctx);

/**
 * What to connect to and how to check it. Zero it, then set what you need.
 * Every pointer must stay valid until bmqtt_tls_free(): mbedTLS keeps
 * references to the host name copy, the ALPN strings and the parsed keys.
 *
 * Certificate and key buffers are PEM or DER, as mbedTLS parses them: a PEM
 * buffer's length must include its terminating NUL (`sizeof` of a string
 * literal does); a length of 0 with a non-NULL pointer means "a
 * NUL-terminated PEM string, measure it".
 */
typedef struct bmqtt_tls_config {
    /** Server host name: sent as SNI and checked against the certificate
     *  (DNS name or IP address in subjectAltName, else CN). NULL: no SNI and
     *  no name check. */
    const char *host;
    const uint8_t *ca;       /**< Trusted CA certificate(s), PEM (several allowed) or DER. */
    size_t ca_len;           /**< Bytes of @c ca. */
    const uint8_t *cert;     /**< Client certificate (chain), PEM or DER; NULL for none. */
    size_t cert_len;         /**< Bytes of @c cert. */
    const uint8_t *key;      /**< Private key of @c cert, PEM or DER. */
    size_t key_len;          /**< Bytes of @c key. */
    const uint8_t *key_password; /**< Password of an encrypted key; NULL for none. */
    size_t key_password_len;     /**< Bytes of @c key_password. */
    /** 1: do not verify the server at all (modes "none" and "client certificate
     *  only"); @c ca is then ignored. 0: @c ca is required. */
    uint8_t insecure;
    /** 1: verify the chain against @c ca (and the dates) but not that the
     *  certificate names @c host; @c host is still sent as SNI. mosquitto's
     *  `--insecure`. Ignored when @c insecure = 1. */
    uint8_t no_name_check;
    /** TLS version: 0 for 1.2 or 1.3 (as mbedTLS is built), 12 for TLS 1.2
     *  only, 13 for TLS 1.3 only (mbedTLS 3.x with MBEDTLS_SSL_PROTO_TLS1_3). */
    uint8_t tls_version;
    /** 1: do not resume. By default a context keeps the session of its last
     *  handshake (or the one given to bmqtt_tls_session_offer()) and offers it
     *  again after bmqtt_tls_reset(); a server that no longer knows it simply
     *  makes a full handshake. */
    uint8_t no_resume;
    /** 1: do not ask for TLS 1.2 session tickets (RFC 5077): resume by
     *  session id only (the server's cache). TLS 1.3 resumes by ticket only. */
    uint8_t no_tickets;
    /** Cipher suites (IANA numbers, mbedTLS's MBEDTLS_TLS_*), in order of
     *  preference, ending with 0; NULL: mbedTLS's list. Kept by reference. */
    const int *ciphersuites;
    /** Ask the server for smaller records (RFC 6066 max_fragment_length):
     *  0 (don't ask), 512, 1024, 2048 or 4096. */
    uint16_t max_fragment;
    /** ALPN protocol names, in order of preference; unused entries NULL.
     *  AWS IoT on port 443 wants "x-amzn-mqtt-ca". */
    const char *alpn[BMQTT_TLS_ALPN_MAX];
    /** Entropy hook; NULL: mbedTLS's platform source (/dev/urandom and the
     *  like). Required when mbedTLS is built with MBEDTLS_NO_PLATFORM_ENTROPY. */
    bmqtt_tls_entropy_fn entropy;
    void *entropy_ctx;       /**< Passed to @c entropy. */
    /** Clock hook; NULL: mbedTLS's own clock (time(), when built with
     *  MBEDTLS_HAVE_TIME_DATE; none otherwise). */
    bmqtt_tls_time_fn now;
    void *now_ctx;           /**< Passed to @c now. */
} bmqtt_tls_config_t;

/** One TLS connection and its configuration. Owned by the caller; treat the fields as private. */
typedef struct bmqtt_tls {
    mbedtls_ssl_context ssl;          /**< The TLS session. */
    mbedtls_ssl_config conf;          /**< Its configuration. */
    mbedtls_entropy_context entropy;  /**< Entropy pool. */
    mbedtls_ctr_drbg_context drbg;    /**< Random generator seeded from @c entropy. */
    mbedtls_x509_crt ca;              /**< Parsed trusted CAs. */
    mbedtls_x509_crt cert;            /**< Parsed client certificate. */
    mbedtls_pk_context key;           /**< Parsed client key. */
    bmqtt_transport_t lower;          /**< The transport below (a copy). */
    const char *alpn[BMQTT_TLS_ALPN_MAX + 1]; /**< NULL-terminated list given to mbedTLS. */
    bmqtt_tls_time_fn now;            /**< Clock hook, or NULL. */
    void *now_ctx;                    /**< Its context. */
    size_t tx_pending;                /**< Length of a write mbedTLS must get again (WANT_WRITE), 0: none. */
    int last_error;                   /**< Last mbedTLS error code (0: none). */
    uint32_t verify_flags;            /**< MBEDTLS_X509_BADCERT_* of the last handshake. */
    int32_t lower_status;             /**< Error the lower transport returned, 0: none. */
    int32_t status;                   /**< Sticky error, 0: none. */
    uint8_t state;                    /**< Internal. */
    uint8_t time_unchecked;           /**< 1: the clock hook did not know the time. */
    uint8_t no_name_check;            /**< Copy of the config's @c no_name_check. */
    uint8_t no_resume;                /**< Copy of the config's @c no_resume. */
    uint8_t have_session;             /**< 1: @c session holds a session to offer / save. */
    uint8_t offered;                  /**< 1: @c session was given to this handshake. */
    uint8_t full_seen;                /**< 1: this handshake went through the server's Certificate. */
    uint8_t resumption;               /**< BMQTT_TLS_RESUME_* of the last handshake. */
    uint8_t loaded_bad;               /**< 1: the last bmqtt_tls_session_offer() was refused. */
    uint32_t bind;                    /**< Hash of host, CA and verification mode a saved session is bound to. */
    uint32_t session_count;           /**< Sessions (handshakes, TLS 1.3 tickets) taken so far. */
    mbedtls_ssl_session session;      /**< The session to offer on the next handshake. */
    uint8_t peer_alert;               /**< Fatal alert found after a refused handshake, 0: none. */
} bmqtt_tls_t;

/**
 * @brief Prepare every context in @p tls. Never allocates, never fails.
 *        Call once before bmqtt_tls_setup() (and before bmqtt_tls_free()).
 */
void bmqtt_tls_init(bmqtt_tls_t *tls);

/**
 * @brief Parse the certificates, seed the random generator and set up a TLS
 *        client over @p lower.
 *
 * Allocates through mbedTLS's allocator (the static pool on an MCU). The
 * lower transport need not be connected yet; it is first used by the
 * handshake.
 *
 * @param[in,out] tls   initialised with bmqtt_tls_init().
 * @param[in]     cfg   the configuration; see bmqtt_tls_config_t for lifetimes.
 * @param[in]     lower the transport to wrap; copied, its ctx must outlive @p tls.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (NULL argument, no CA without insecure,
 *         a key without a certificate or the reverse, more than
 *         BMQTT_TLS_ALPN_MAX names, a bad max_fragment, a certificate or key
 *         that does not parse, no entropy source); BMQTT_ERR_TLS_ALLOC;
 *         BMQTT_ERR_TLS_HANDSHAKE (mbedTLS refused the configuration).
 *         bmqtt_tls_last_error() has mbedTLS's code.
 */
bmqtt_status_t bmqtt_tls_setup(bmqtt_tls_t *tls, const bmqtt_tls_config_t *cfg, const bmqtt_transport_t *lower);

/**
 * @brief Fill @p t with this port's functions and @p tls as their context.
 * @param[in]  tls set up with bmqtt_tls_setup(); must outlive every use of @p t.
 * @param[out] t   the transport to hand to the client (or to a WebSocket layer).
 */
void bmqtt_tls_transport(bmqtt_tls_t *tls, bmqtt_transport_t *t);

/**
 * @brief Advance the handshake as far as the lower transport allows.
 * @return BMQTT_OK once the handshake is complete (also on every later call);
 *         BMQTT_WOULD_BLOCK while it needs more traffic: call again when the
 *         lower transport is readable or writable; otherwise the failure (see
 *         the file comment).
 */
bmqtt_status_t bmqtt_tls_handshake(bmqtt_tls_t *tls);

/**
 * @brief Transport send: encrypt and send up to @p len bytes.
 *
 * Before the handshake is complete it advances the handshake instead and
 * returns BMQTT_WOULD_BLOCK. When the lower transport takes a record only in
 * part, send returns BMQTT_WOULD_BLOCK and must be called again with the same
 * bytes (more may follow them: bmqtt_client does exactly this); that is
 * mbedtls_ssl_write()'s own rule, and nothing else of mbedTLS's is relied on.
 * A retry with fewer bytes than the blocked call is BMQTT_ERR_PARAM (sticky:
 * the record may already hold the bytes left out).
 *
 * @param ctx a bmqtt_tls_t *.
 * @return bytes taken (> 0, at most one record), BMQTT_WOULD_BLOCK, or an error.
 */
int32_t bmqtt_tls_send(void *ctx, const uint8_t *buf, size_t len);

/**
 * @brief Transport recv: receive and decrypt up to @p len bytes.
 * @param ctx a bmqtt_tls_t *.
 * @return bytes read (> 0), BMQTT_WOULD_BLOCK, BMQTT_ERR_CLOSED (close_notify
 *         or end of the lower stream), or an error.
 */
int32_t bmqtt_tls_recv(void *ctx, uint8_t *buf, size_t len);

/**
 * @brief Transport close: send close_notify (one attempt, without waiting),
 *        then close the lower transport. Memory stays allocated for
 *        bmqtt_tls_reset(); bmqtt_tls_free() releases it. Safe to call twice.
 * @param ctx a bmqtt_tls_t *.
 */
void bmqtt_tls_close(void *ctx);

/**
 * @brief Get ready for a new connection over the (reconnected) lower
 *        transport, keeping the parsed certificates and configuration.
 * @return BMQTT_OK, BMQTT_ERR_PARAM (not set up) or BMQTT_ERR_TLS_ALLOC.
 */
bmqtt_status_t bmqtt_tls_reset(bmqtt_tls_t *tls);

/** @brief Release everything mbedTLS allocated for @p tls. Safe on an init-only context and twice. */
void bmqtt_tls_free(bmqtt_tls_t *tls);

/**
 * @brief Non-zero when bmqtt_tls_recv() can return data without new bytes
 *        from the lower transport (mbedTLS holds a decrypted or a whole
 *        received record). A host that sleeps in select()/poll() on the
 *        socket must call recv first while this is non-zero.
 */
int bmqtt_tls_pending(const bmqtt_tls_t *tls);

/** @brief The ALPN protocol the server chose, or NULL (none offered, none chosen, or no handshake yet). */
const char *bmqtt_tls_alpn(const bmqtt_tls_t *tls);

/** @brief mbedTLS's MBEDTLS_X509_BADCERT_* flags of the last handshake (0: none or not verified). */
uint32_t bmqtt_tls_verify_flags(const bmqtt_tls_t *tls);

/** @brief mbedTLS's (negative) code of the last failure, 0 when none; mbedtls_strerror() names it. */
int bmqtt_tls_last_error(const bmqtt_tls_t *tls);

/** @brief The TLS alert description (e.g. 40 handshake_failure, 116 certificate_required) of a server that refused the handshake, when it was seen; 0 otherwise. */
int bmqtt_tls_peer_alert(const bmqtt_tls_t *tls);

/** @brief 1 when the clock hook did not know the time during the last handshake, so validity dates went unchecked. */
int bmqtt_tls_time_unchecked(const bmqtt_tls_t *tls);

/**
 * @brief What the last completed handshake did about resumption.
 * @return BMQTT_TLS_RESUME_NONE, _OK, _REFUSED or _INVALID.
 */
unsigned bmqtt_tls_resumption(const bmqtt_tls_t *tls);

/**
 * @brief Write the session this context would offer on its next handshake,
 *        as bytes the caller may keep across a reset (retained RAM, flash)
 *        and give to bmqtt_tls_session_offer() on a later boot.
 *
 * The bytes are mbedTLS's own serialisation (mbedtls_ssl_session_save()) in an
 * envelope of BMQTT_TLS_SESSION_OVERHEAD bytes: a tag, the length, a hash of
 * the host name, the CA and the verification mode it was made under, and a
 * CRC-32. They hold the session's master secret (TLS 1.2) or resumption key
 * (TLS 1.3): store them where the device's private key would go. The CRC
 * catches a torn or decayed copy, not a forged one.
 *
 * A TLS 1.2 session exists once the handshake is over; a TLS 1.3 one once the
 * server's ticket has been read (it comes after the handshake, before the
 * first bytes of MQTT: save after the CONNACK). bmqtt_tls_session_count()
 * says when there is a new one to save.
 *
 * @param[out] buf  where to write; NULL with @p cap 0 asks for the size.
 * @param[in]  cap  bytes available at @p buf.
 * @param[out] len  bytes written, or needed (also on BMQTT_ERR_BUFFER_TOO_SMALL).
 * @return BMQTT_OK; BMQTT_ERR_BUFFER_TOO_SMALL; BMQTT_ERR_NOT_CONNECTED (no
 *         session yet); BMQTT_ERR_PARAM; BMQTT_ERR_TLS_HANDSHAKE (mbedTLS
 *         could not serialise it, bmqtt_tls_last_error()).
 */
bmqtt_status_t bmqtt_tls_session_save(bmqtt_tls_t *tls, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Offer a session saved by bmqtt_tls_session_save() on the next
 *        handshake of @p tls (call after bmqtt_tls_setup() or
 *        bmqtt_tls_reset(), before the handshake starts; given while a
 *        connection is open, it replaces the kept session and is offered
 *        after the next bmqtt_tls_reset()).
 *
 * Refusing a session is never fatal: on BMQTT_ERR_TLS_SESSION (a wrong tag, a
 * truncated or corrupt copy, another mbedTLS version or configuration, another
 * host, CA or verification mode) the context stays usable and the handshake
 * is a full one; bmqtt_tls_resumption() then says BMQTT_TLS_RESUME_INVALID.
 * A session the server no longer accepts (it restarted, the ticket expired)
 * also ends in a full handshake, BMQTT_TLS_RESUME_REFUSED.
 *
 * @return BMQTT_OK, BMQTT_ERR_TLS_SESSION, BMQTT_ERR_PARAM (NULL, not set up),
 *         BMQTT_ERR_BUSY (the handshake has started), BMQTT_ERR_TLS_ALLOC.
 */
bmqtt_status_t bmqtt_tls_session_offer(bmqtt_tls_t *tls, const uint8_t *buf, size_t len);

/** @brief Sessions taken so far (one per handshake, one per TLS 1.3 ticket): save again when it changes. */
uint32_t bmqtt_tls_session_count(const bmqtt_tls_t *tls);

/** @brief Forget the kept session: the next handshake is a full one. */
void bmqtt_tls_session_forget(bmqtt_tls_t *tls);

#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
/**
 * @brief Make mbedTLS allocate from @p buf (mbedtls_memory_buffer_alloc_init()).
 *
 * Only where mbedTLS is built with MBEDTLS_MEMORY_BUFFER_ALLOC_C (the shipped
 * bmqtt_mbedtls_config.h enables it). One pool serves every TLS connection
 * of the program; call this before the first bmqtt_tls_setup().
 *
 * @param[in] buf the pool; must stay valid as long as mbedTLS is used.
 * @param[in] len its size in bytes; docs/TLS.md lists what a handshake needs.
 * @return BMQTT_OK, or BMQTT_ERR_PARAM for NULL or an empty buffer.
 */
bmqtt_status_t bmqtt_tls_pool_init(uint8_t *buf, size_t len);

/**
 * @brief The pool's use, as mbedTLS's allocator counts it (MBEDTLS_MEMORY_DEBUG
 *        builds only; all 0 otherwise).
 *
 * Each block also costs a header of 8 words (32 bytes on a 32-bit MCU), so a
 * pool needs about @p peak_bytes + @p peak_blocks * 32 bytes, plus slack for
 * fragmentation.
 *
 * @param[out] peak_bytes  highest total of bytes handed out at once (may be NULL).
 * @param[out] peak_blocks highest number of blocks in use at once (may be NULL).
 * @param[out] current     bytes handed out now (may be NULL).
 */
void bmqtt_tls_pool_usage(size_t *peak_bytes, size_t *peak_blocks, size_t *current);
#endif

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_TLS_H */
