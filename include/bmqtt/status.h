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
    BMQTT_ERR_SESSION_ENDED = -55,    /**< QoS 1/2 message dropped: its clean session (1) ended unacknowledged. */
    BMQTT_ERR_CHANGED = -56,          /**< QoS 1/2 message dropped: its memory (by reference) became invalid before a resend. */
    BMQTT_ERR_OUTBOX_TOO_SMALL = -57, /**< A QoS 1/2 message larger than the whole outbox (publish it by reference, or give a larger outbox). */

    /* Transport. */
    BMQTT_ERR_TRANSPORT = -60,        /**< The transport failed (socket error...). */
    BMQTT_ERR_CLOSED = -61,           /**< The peer closed the connection. */
    BMQTT_ERR_DNS = -62,              /**< Host name could not be resolved. */
    BMQTT_ERR_CONNECT = -63,          /**< TCP connection refused or unreachable. */

    /* Codes below -69 belong to the layers and ports above the core: each names
     * its own in its own header and registers the names (bmqtt_status_register),
     * so adding a port never edits this file. Ranges: */
    BMQTT_STATUS_TLS_BASE = -70,   /**< port/mbedtls (bmqtt_tls.h): -70..-79. */
    BMQTT_STATUS_CLOUD_BASE = -80, /**< cloud credentials (cloud.h): -80..-89. */
    BMQTT_STATUS_WS_BASE = -90,    /**< port/websocket (bmqtt_ws.h): -90..-109. */
    BMQTT_STATUS_AT_BASE = -110,   /**< the AT front end (at.h): -110..-129. */
    BMQTT_STATUS_PORT_BASE = -130, /**< the project's other ports (lwIP raw...): -130..-199. */
    BMQTT_STATUS_MQTT5_BASE = -200,/**< the MQTT 5.0 codec (mqtt5.h): -200..-229. */
    BMQTT_STATUS_PERSIST_BASE = -230, /**< session persistence (persist.h): -230..-249. */
    BMQTT_STATUS_USER_BASE = -1000,/**< your own transports: -1000 and below. */
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

/**
 * @brief Non-zero when @p s, returned by a decoder or as the end of a session
 *        (bmqtt_client_poll(), bmqtt_client_last_error()), blames the peer:
 *        malformed bytes or a protocol violation.
 *
 * The codec's statuses name a rule, not a culprit: the same BMQTT_ERR_BAD_TOPIC
 * from an encoder, or from bmqtt_client_publish() refusing a call, blames the
 * caller's data. A session's end says who broke the rule in
 * bmqtt_client_error_t::rule (BMQTT_RULE_NONE: nobody; see client.h).
 */
#define BMQTT_STATUS_IS_PEER_ERROR(s) ((s) <= BMQTT_ERR_BAD_TYPE && (s) >= BMQTT_ERR_PACKET_TOO_LARGE)

/**
 * @brief Names for one layer's range of statuses, registered by that layer.
 *
 * A layer (TLS, WebSocket, cloud, AT, your own transport) keeps one static
 * instance and passes it to bmqtt_status_register(); bmqtt_status_str() then
 * asks it for the codes in [last, first]. The library's own layers register
 * themselves (in their init or setup call, or when they first return an
 * error), so an application never has to.
 */
typedef struct bmqtt_status_names {
    int first;                        /**< Highest code of the range, e.g. -70. */
    int last;                         /**< Lowest code of the range, e.g. -79. */
    const char *(*name)(int status);  /**< Name of a code of the range, or NULL. */
    const char *layer;                /**< For codes without a name: "TLS", "cloud"... */
    struct bmqtt_status_names *next;  /**< The library's list link: leave it zero. */
} bmqtt_status_names_t;

/**
 * @brief Add @p names to what bmqtt_status_str() knows. Registering the same
 *        instance again does nothing. Not thread-safe: call it from the task that
 *        initialises the layer (the library's layers do so in their init calls).
 * @param[in] names caller-owned, static; its range must not overlap the core's (0..-69).
 */
void bmqtt_status_register(bmqtt_status_names_t *names);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_STATUS_H */
