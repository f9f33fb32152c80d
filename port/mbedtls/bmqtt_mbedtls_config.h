/*
 * A small mbedTLS configuration for bmqtt on a microcontroller.
 *
 * Build mbedTLS (and port/mbedtls/bmqtt_tls.c) with
 *     -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"' -I<bmqtt>/port/mbedtls
 *
 * What it gives: a TLS 1.2 client with ECDHE-ECDSA and ECDHE-RSA key
 * exchange, AES-128-GCM (and AES-128-CBC-SHA256 for older servers), P-256 and
 * P-384 curves, RSA up to 4096-bit certificates, SNI, ALPN, the
 * max_fragment_length extension, X.509 parsing from PEM or DER, and mbedTLS's
 * static buffer allocator (bmqtt_tls_pool_init()). No file system, no sockets,
 * no time(): entropy and the clock come from bmqtt_tls_config_t hooks.
 *
 * Record buffers: 4096 bytes each way (the largest max_fragment_length). The server's records must fit in
 * the input buffer: ask for max_fragment 4096 in bmqtt_tls_config_t (mosquitto
 * and OpenSSL honour it, AWS IoT does too), or raise MBEDTLS_SSL_IN_CONTENT_LEN
 * to 16384 for servers that ignore it. mbedTLS 2.28 cannot reassemble a
 * handshake message split over several records, so the server's certificate
 * chain must fit into one input buffer as well.
 *
 * Written for mbedTLS 2.28 LTS; the option names are the same in 3.x (whose
 * build_info.h checks the configuration itself).
 */
#ifndef BMQTT_MBEDTLS_CONFIG_H
#define BMQTT_MBEDTLS_CONFIG_H

/* System support: no OS, no file system, no calendar. */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY          /* calloc/free through the buffer allocator */
/* platform.c still names the C library's calloc/free as the allocator before
 * bmqtt_tls_pool_init() replaces them; MBEDTLS_PLATFORM_NO_STD_FUNCTIONS (with
 * MBEDTLS_PLATFORM_SNPRINTF_MACRO and friends) removes even that reference. */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C    /* bmqtt_tls_pool_init() */
#define MBEDTLS_NO_PLATFORM_ENTROPY      /* entropy from bmqtt_tls_config_t.entropy (a TRNG) */
/* MBEDTLS_HAVE_TIME / MBEDTLS_HAVE_TIME_DATE stay off: certificate dates are
 * checked against bmqtt_tls_config_t.now (SNTP, RTC) by the port. */
/* Enable to print the pool's peak with bmqtt_tls_pool_usage(): */
/* #define MBEDTLS_MEMORY_DEBUG */

/* Random numbers. */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_ENTROPY_FORCE_SHA256     /* no SHA-512 needed */
#define MBEDTLS_CTR_DRBG_C

/* Symmetric crypto and hashes. */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES           /* tables in flash, not RAM */
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_CIPHER_MODE_CBC
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_C                 /* SHA-384: P-384 certificate chains (AWS IoT, Let's Encrypt) */

/* Cloud credentials (include/bmqtt/aliyun.h, cloud.h): HMAC-SHA256 needs nothing
 * more. Define BMQTT_MBEDTLS_CLOUD_HASHES for Aliyun hmacsha1/hmacmd5, Tencent
 * hmacsha1, OneNET sha1/md5 and Baidu (MD5). TLS does not use them here. */
#if defined(BMQTT_MBEDTLS_CLOUD_HASHES)
#define MBEDTLS_SHA1_C
#define MBEDTLS_MD5_C
#endif

/* Public keys. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_MPI_WINDOW_SIZE 2        /* smaller RAM for RSA, a little slower */
#define MBEDTLS_MPI_MAX_SIZE 512         /* 4096-bit RSA roots */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE 2        /* RAM per point multiplication */
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0  /* no precomputed tables in RAM */
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C             /* ECDSA signatures (client certificates) */
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

/* Certificates, PEM or DER. */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

/* TLS 1.2 client. */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ALPN
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SESSION_TICKETS      /* resumption by RFC 5077 ticket (session ids need nothing) */
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096 /* max_fragment_length can only ask for the smaller of the two */
/* The peer's certificate is not kept after the handshake (saves its size in RAM). */
/* #define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE */
#define MBEDTLS_SSL_CIPHERSUITES \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256

/* mbedTLS 2.x: the configuration file checks itself (3.x does it in build_info.h). */
#if !defined(MBEDTLS_BUILD_INFO_H)
#include "mbedtls/check_config.h"
#endif

#endif /* BMQTT_MBEDTLS_CONFIG_H */
