/*
 * bmqtt mbedTLS port: the few calls that differ between mbedTLS 2.28 LTS and 3.x.
 * Internal to port/mbedtls; not part of the public API.
 */
#ifndef BMQTT_MBEDTLS_COMPAT_H
#define BMQTT_MBEDTLS_COMPAT_H

/* version.h pulls in the configuration (config.h / MBEDTLS_CONFIG_FILE on 2.x,
 * build_info.h on 3.x), so every MBEDTLS_xxx_C test below is meaningful. */
#include "mbedtls/version.h"

#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"

#if MBEDTLS_VERSION_MAJOR >= 3
#define BMQTT_MBEDTLS_V3 1
#else
#define BMQTT_MBEDTLS_V3 0
#endif

#if BMQTT_MBEDTLS_V3
/* 3.x needs a random generator to blind private-key parsing. */
#define BMQTT_PK_PARSE_KEY(pk, key, keylen, pwd, pwdlen, rng, prng) \
    mbedtls_pk_parse_key((pk), (key), (keylen), (pwd), (pwdlen), (rng), (prng))
#define BMQTT_SSL_MIN_TLS12(conf) mbedtls_ssl_conf_min_tls_version((conf), MBEDTLS_SSL_VERSION_TLS1_2)
#define BMQTT_SSL_MAX_TLS12(conf) mbedtls_ssl_conf_max_tls_version((conf), MBEDTLS_SSL_VERSION_TLS1_2)
#define BMQTT_SSL_MIN_TLS13(conf) mbedtls_ssl_conf_min_tls_version((conf), MBEDTLS_SSL_VERSION_TLS1_3)
/* The handshake's state: 3.x made the field private; its values are still public. */
#define BMQTT_SSL_STATE(ssl) ((ssl)->MBEDTLS_PRIVATE(state))
#define BMQTT_SSL_IS_TLS13(ssl) (mbedtls_ssl_get_version_number(ssl) == MBEDTLS_SSL_VERSION_TLS1_3)
#else
#define BMQTT_PK_PARSE_KEY(pk, key, keylen, pwd, pwdlen, rng, prng) \
    mbedtls_pk_parse_key((pk), (key), (keylen), (pwd), (pwdlen))
#define BMQTT_SSL_MIN_TLS12(conf) \
    mbedtls_ssl_conf_min_version((conf), MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3)
#define BMQTT_SSL_MAX_TLS12(conf) ((void)(conf)) /* 2.28 has no TLS 1.3 */
#define BMQTT_SSL_STATE(ssl) ((ssl)->state)
#define BMQTT_SSL_IS_TLS13(ssl) 0
#endif

/* 3.x with PSA (always for TLS 1.3) wants psa_crypto_init() before a handshake. */
#if BMQTT_MBEDTLS_V3 && (defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3))
#include "psa/crypto.h"
#define BMQTT_PSA_INIT() (psa_crypto_init() == PSA_SUCCESS ? 0 : -1)
#else
#define BMQTT_PSA_INIT() 0
#endif

#endif /* BMQTT_MBEDTLS_COMPAT_H */
