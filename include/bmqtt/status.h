/**
 * @file status.h
 * @brief The one status enum every bmqtt layer returns.
 *
 * 0 is success, every error is negative, and each cause has its own value so
 * a caller (or a test) can tell "need more bytes" from "malformed" from
 * "would block" without parsing text. Values are stable: they are part of the
 * ABI and appear in logs.
 */
#ifndef BMQTT_STATUS_H
#define BMQTT_STATUS_H

#include <limits.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every bmqtt call that can fail. */
typedef enum bmqtt_status {
    BMQTT_OK = 0,                     /**< Success. */
    BMQTT_NEED_MORE = -1,             /**< Input ends inside a packet: feed more bytes. */
    BMQTT_WOULD_BLOCK = -2,           /**< Transport cannot move bytes now: poll again later. */
    BMQTT_ERR_PARAM = -3,             /**< Bad argument from the caller (NULL, out of range). */
    BMQTT_ERR_BUFFER_TOO_SMALL = -4,  /**< Output buffer too small; the size needed is reported. */
    BMQTT_ERR_TOO_LONG = -5,          /**< A string over 65,535 bytes or a packet over 268,435,455. */

    /* Malformed packets: the bytes are not valid MQTT 3.1.1 (section 4.8 says: close). */
    BMQTT_ERR_BAD_TYPE = -10,         /**< Packet type 0 or 15, or a type not allowed here. */
    BMQTT_ERR_BAD_FLAGS = -11,        /**< Reserved fixed-header flags wrong [MQTT-2.2.2-1]. */
    BMQTT_ERR_BAD_VARINT = -12,       /**< Remaining length: 5th byte, or not minimal. */
    BMQTT_ERR_BAD_LENGTH = -13,       /**< A length overruns its packet, or bytes are left over. */
    BMQTT_ERR_BAD_QOS = -14,          /**< QoS 3 (PUBLISH, will QoS, requested QoS), or reserved bits of a requested QoS set. */
    BMQTT_ERR_BAD_PACKET_ID = -15,    /**< Packet identifier 0 [MQTT-2.3.1-1]. */
    BMQTT_ERR_BAD_UTF8 = -16,         /**< Ill-formed UTF-8 or U+0000 [MQTT-1.5.3-1/2]. */
    BMQTT_ERR_BAD_TOPIC = -17,        /**< Empty topic name or one with a wildcard. */
    BMQTT_ERR_BAD_FILTER = -18,       /**< Empty filter, or '+'/'#' misplaced [MQTT-4.7.1]. */
    BMQTT_ERR_EMPTY_LIST = -19,       /**< SUBSCRIBE, UNSUBSCRIBE or SUBACK with no entry. */
    BMQTT_ERR_BAD_RETURN_CODE = -20,  /**< CONNACK code > 5, SUBACK code not 0/1/2/0x80. */
    BMQTT_ERR_BAD_PROTOCOL = -21,     /**< CONNECT protocol name is not "MQTT" [MQTT-3.1.2-1]. */
    BMQTT_ERR_BAD_VERSION = -22,      /**< CONNECT protocol level is not 4 [MQTT-3.1.2-2]. */
    BMQTT_ERR_BAD_CONNECT_FLAGS = -23,/**< CONNECT/CONNACK flags: reserved bit set, or flags that contradict each other. */
    BMQTT_ERR_BAD_CLIENT_ID = -24,    /**< Empty client id with clean session 0 [MQTT-3.1.3-7]. */
    BMQTT_ERR_PROTOCOL = -25,         /**< Well-formed but forbidden here (DUP on QoS 0, unexpected packet...). */
    BMQTT_ERR_PACKET_TOO_LARGE = -26, /**< Packet larger than the caller's maximum. */

    /* Session. CONNACK refusals are -40 - return code. */
    BMQTT_ERR_REFUSED_VERSION = -41,        /**< CONNACK 1: unacceptable protocol version. */
    BMQTT_ERR_REFUSED_IDENTIFIER = -42,     /**< CONNACK 2: identifier rejected. */
    BMQTT_ERR_REFUSED_UNAVAILABLE = -43,    /**< CONNACK 3: server unavailable. */
    BMQTT_ERR_REFUSED_CREDENTIALS = -44,    /**< CONNACK 4: bad user name or password. */
    BMQTT_ERR_REFUSED_NOT_AUTHORIZED = -45, /**< CONNACK 5: not authorized. */
    BMQTT_ERR_NOT_CONNECTED = -50,    /**< Operation needs a connected session. */
    BMQTT_ERR_BUSY = -51,             /**< Another operation of this kind is under way. */
    BMQTT_ERR_INFLIGHT_FULL = -52,    /**< No free slot in the in-flight table. */
    BMQTT_ERR_TIMEOUT = -53,          /**< CONNACK or another response did not arrive in time. */
    BMQTT_ERR_KEEPALIVE = -54,        /**< No PINGRESP in time: connection considered lost. */

    /* Transport. */
    BMQTT_ERR_TRANSPORT = -60,        /**< The transport failed (socket error...). */
    BMQTT_ERR_CLOSED = -61,           /**< The peer closed the connection. */
    BMQTT_ERR_DNS = -62,              /**< Host name could not be resolved. */
    BMQTT_ERR_CONNECT = -63,          /**< TCP connection refused or unreachable. */

    /* TLS. */
    BMQTT_ERR_TLS_HANDSHAKE = -70,    /**< TLS handshake failed. */
    BMQTT_ERR_TLS_UNTRUSTED = -71,    /**< Server certificate not signed by a trusted CA. */
    BMQTT_ERR_TLS_NAME = -72,         /**< Server certificate does not match the host name. */
    BMQTT_ERR_TLS_EXPIRED = -73,      /**< Certificate expired or not yet valid. */
    BMQTT_ERR_TLS_ALLOC = -74,        /**< TLS memory pool exhausted. */

    /* Cloud credentials and cloud limits (aliyun.h, cloud.h). */
    BMQTT_ERR_CLOUD_KEEPALIVE = -80,  /**< Keepalive outside the cloud's range (Aliyun: 30..1200 s). */
    BMQTT_ERR_CLOUD_QOS = -81,        /**< QoS the cloud does not support (QoS 2 on Aliyun, AWS). */
    BMQTT_ERR_CLOUD_WILL = -82,       /**< A will message, which the cloud does not support (Aliyun). */
    BMQTT_ERR_CLOUD_RETAIN = -83,     /**< A retained message, which the cloud does not support (Aliyun). */
    BMQTT_ERR_CLOUD_FIELD = -84,      /**< A credential field too long for the cloud, or with a character it forbids. */
    BMQTT_ERR_CLOUD_CRYPTO = -85,     /**< The hash is not in this mbedTLS build, a key is not valid base64, or mbedTLS failed. */
    BMQTT_ERR_CLOUD_REPLY = -86,      /**< A cloud's reply (e.g. Aliyun /ext/register) is not what was expected. */
    /** Not a status. It makes the enum as wide as int on every ABI, also where
     *  enums are as small as their values (arm-none-eabi's -fshort-enums), so
     *  a library built by one tool chain links with code built by another. */
    BMQTT_STATUS_FORCE_INT = INT_MAX
} bmqtt_status_t;

/**
 * @brief A short English name for a status, e.g. "malformed: packet id 0".
 * @param[in] status any value, known or not.
 * @return a static string, never NULL.
 */
const char *bmqtt_status_str(bmqtt_status_t status);

/** @brief Non-zero when @p s blames the peer: malformed bytes or a protocol violation. */
#define BMQTT_STATUS_IS_PEER_ERROR(s) ((s) <= BMQTT_ERR_BAD_TYPE && (s) >= BMQTT_ERR_PACKET_TOO_LARGE)

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_STATUS_H */
