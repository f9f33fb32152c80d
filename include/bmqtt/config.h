/**
 * @file config.h
 * @brief Compile-time options, all in one place.
 *
 * Define BMQTT_CONFIG_FILE (e.g. -DBMQTT_CONFIG_FILE='"my_bmqtt_config.h"') to
 * include your own file first; anything it leaves undefined gets the default
 * below. Impossible combinations stop the build with \#error.
 */
#ifndef BMQTT_CONFIG_H
#define BMQTT_CONFIG_H

#ifdef BMQTT_CONFIG_FILE
#include BMQTT_CONFIG_FILE
#endif

/**
 * Internal invariant check, e.g. `#define BMQTT_ASSERT(x) configASSERT(x)`.
 * Default: none (public functions still return BMQTT_ERR_PARAM on bad arguments).
 */
#ifndef BMQTT_ASSERT
#define BMQTT_ASSERT(x) ((void)0)
#endif

/**
 * Log hook, printf-like; off by default so no string lands in flash. The
 * client calls it at every session end with the status, packet and rule.
 */
#ifndef BMQTT_LOG
#define BMQTT_LOG(...) ((void)0)
#endif

/** Largest number of in-flight outgoing QoS 1/2 messages a client table may hold. */
#ifndef BMQTT_MAX_INFLIGHT
#define BMQTT_MAX_INFLIGHT 255
#endif

/**
 * 1: bmqtt_decode() and bmqtt_decode_body() also decode the packets only a
 * client sends (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT), with
 * full validation: what a broker, a bridge, a test tool or a fuzzer needs.
 * 0, for firmware that calls the decoder itself: they are answered with
 * BMQTT_ERR_PROTOCOL without reading their body, which saves about 600 bytes
 * of flash on Cortex-M4. The client (client.h) never links those decoders,
 * whatever the value: it refuses such packets from a server as
 * BMQTT_ERR_PROTOCOL. Encoders are not affected.
 */
#ifndef BMQTT_DECODE_CLIENT_PACKETS
#define BMQTT_DECODE_CLIENT_PACKETS 1
#endif

/**
 * Session persistence (persist.h). 1 (the default): the client tells every
 * change of its QoS 1/2 state to bmqtt_client_resume() or
 * bmqtt_client_resume_store() when one of them was called. 0: the client
 * leaves those calls out (what a firmware that never persists saves is in
 * docs/PERFORMANCE.md, `make size`), and both functions return
 * BMQTT_ERR_PARAM, so a session is never believed durable when it is not.
 */
#ifndef BMQTT_PERSIST
#define BMQTT_PERSIST 1
#endif


/**
 * Default deadline of every wait of the client, in milliseconds: CONNACK,
 * PINGRESP, SUBACK, UNSUBACK, the acks a graceful disconnect waits for, and
 * bytes the transport does not take (bmqtt_client_config_t::response_timeout_ms
 * overrides it per client).
 */
#ifndef BMQTT_RESPONSE_TIMEOUT_MS
#define BMQTT_RESPONSE_TIMEOUT_MS 10000u
#endif

/**
 * The AT interpreter (at.h): subscriptions tracked for AT+MQTTSUB? and re-subscribed
 * after a reconnect. The firmware tracks 10 (an 11th topic is subscribed, not tracked).
 * Each slot is a topic of BMQTT_AT_TOPIC_MAX + 4 bytes and a request slot of the
 * client in bmqtt_at_t.
 */
#ifndef BMQTT_AT_SUB_SLOTS
#define BMQTT_AT_SUB_SLOTS 10u
#endif

/**
 * The AT interpreter: longest topic (AT+MQTTPUB, PUBRAW, SUB, UNSUB), LWT topic, LWT
 * message and host name, in bytes. The firmware's limit is 128. Each arrives in a
 * command line of BMQTT_AT_LINE_MAX (256) bytes, so more than 255 could never be used.
 */
#ifndef BMQTT_AT_TOPIC_MAX
#define BMQTT_AT_TOPIC_MAX 128u
#endif

#if BMQTT_MAX_INFLIGHT < 1 || BMQTT_MAX_INFLIGHT > 65535
#error "BMQTT_MAX_INFLIGHT must be 1..65535 (packet ids are 16-bit and 0 is reserved)"
#endif

#if BMQTT_PERSIST != 0 && BMQTT_PERSIST != 1
#error "BMQTT_PERSIST must be 0 or 1"
#endif
#if BMQTT_DECODE_CLIENT_PACKETS != 0 && BMQTT_DECODE_CLIENT_PACKETS != 1
#error "BMQTT_DECODE_CLIENT_PACKETS must be 0 or 1"
#endif

#ifdef BMQTT_MAX_PENDING_REQ
#error "BMQTT_MAX_PENDING_REQ is gone: give bmqtt_client_config_t::requests a table of the size you want"
#endif

#if BMQTT_AT_SUB_SLOTS < 1 || BMQTT_AT_SUB_SLOTS > 255
#error "BMQTT_AT_SUB_SLOTS must be 1..255 (AT+MQTTSUB needs one; the interpreter counts them in 8 bits)"
#endif

#if BMQTT_AT_TOPIC_MAX < 1 || BMQTT_AT_TOPIC_MAX > 255
#error "BMQTT_AT_TOPIC_MAX must be 1..255 (a topic arrives in a command line of 256 bytes)"
#endif

#if BMQTT_RESPONSE_TIMEOUT_MS < 1
#error "BMQTT_RESPONSE_TIMEOUT_MS must be positive"
#endif

#endif /* BMQTT_CONFIG_H */
