/*
 * mbedTLS configuration of the handshake measurement (make tls-bench): the MCU
 * configuration of port/mbedtls, plus the server side that runs in the same
 * image (session tickets and a session-id cache). The client's code is the
 * MCU configuration's.
 */
#ifndef BMQTT_BENCH_MBEDTLS_CONFIG_H
#define BMQTT_BENCH_MBEDTLS_CONFIG_H

#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_TICKET_C
#define MBEDTLS_SSL_CACHE_C

#include "bmqtt_mbedtls_config.h"

#endif
