/*
 * SHA-1 and base64 for the WebSocket handshake, from mbedTLS (2.28 LTS or 3.x).
 *
 * A separate file so that a plain-ws firmware without mbedTLS links
 * bmqtt_ws.c and bmqtt_ws_handshake.c alone and fills bmqtt_ws_crypto_t with its own functions.
 */
#include "bmqtt_ws.h"

#include "mbedtls/base64.h"
#include "mbedtls/sha1.h"
#include "mbedtls/version.h"

static int ws_sha1(const unsigned char *in, size_t len, unsigned char out[20])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    return mbedtls_sha1(in, len, out);
#else
    return mbedtls_sha1_ret(in, len, out);
#endif
}

const bmqtt_ws_crypto_t bmqtt_ws_crypto_mbedtls = { ws_sha1, mbedtls_base64_encode };
