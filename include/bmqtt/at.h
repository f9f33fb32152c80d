/**
 * @file at.h
 * @brief An ESP-AT compatible MQTT AT command interpreter on the bmqtt client.
 *
 * A host written for an ESP32 running Espressif's ESP-AT firmware drives
 * bmqtt unchanged: AT+MQTTUSERCFG, AT+MQTTCONN, AT+MQTTPUB, AT+MQTTPUBRAW,
 * AT+MQTTSUB... with the firmware's exact bytes (`\r\nOK\r\n`, the `>`
 * prompt, `busy p...`, `ERR CODE:0x010a6001`, `+MQTTSUBRECV:0,"t",4,test`).
 * docs/AT.md lists the commands and where bmqtt differs from the firmware.
 *
 * The interpreter is a byte pipe with a clock:
 *  - bytes from the UART go into bmqtt_at_input(), in any split (one byte at
 *    a time is fine);
 *  - every answer and URC leaves through bmqtt_at_config_t::write, one whole
 *    line or prompt per call sequence, never interleaved with another line;
 *  - bmqtt_at_poll() drives the MQTT client, the reconnects and the command
 *    timeouts from the caller's millisecond clock;
 *  - the network is the caller's: bmqtt_at_config_t::open opens a transport
 *    for a scheme (1 TCP, 2-5 TLS, 6 WebSocket, 7-10 WebSocket over TLS),
 *    host, port and path.
 *
 * Nothing is allocated: the caller owns the bmqtt_at_t (6,960 bytes on Cortex-M4: the
 * command line, the credentials of up to 1,024 bytes each, ten subscriptions)
 * and the client's buffers named in the config.
 *
 * @code
 * #include "bmqtt/at.h"
 *
 * static uint8_t tx[2048], rx[1024], outbox[2048], raw[8192];
 * static bmqtt_inflight_t inflight[8];
 * static uint16_t qos2[8];
 * static bmqtt_at_t at;
 *
 * static void uart_write(void *user, const uint8_t *buf, size_t len) { (void)user; (void)buf; (void)len; }
 * static bmqtt_status_t net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr,
 *                                uint32_t now_ms)
 * {
 *     (void)user; (void)req; (void)tr; (void)now_ms;
 *     return BMQTT_ERR_CONNECT; // open a socket (and TLS) to req->host:req->port here
 * }
 *
 * int start(void);
 * int start(void)
 * {
 *     static const bmqtt_at_config_t cfg = { .write = uart_write, .open = net_open,
 *         .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx, .rx_size = sizeof rx,
 *         .inflight = inflight, .inflight_count = 8, .qos2_ids = qos2, .qos2_count = 8,
 *         .outbox = outbox, .outbox_size = sizeof outbox, .raw_buf = raw, .raw_size = sizeof raw };
 *     if (bmqtt_at_init(&at, &cfg) != BMQTT_OK) return -1;
 *     bmqtt_at_input(&at, (const uint8_t *)"AT\r\n", 4); // answers "AT\r\n\r\nOK\r\n" (echo on)
 *     bmqtt_at_poll(&at, 0);                             // then call it every few ms
 *     return 0;
 * }
 * @endcode
 */
#ifndef BMQTT_AT_H
#define BMQTT_AT_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/client.h"
#include "bmqtt/status.h"
#include "bmqtt/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest command line, CR LF included (the firmware's limit); longer lines give ERROR. */
#define BMQTT_AT_LINE_MAX 256u
/** Longest client id, user name or password (AT+MQTTLONGCLIENTID... range [1,1024]). */
#define BMQTT_AT_LONG_MAX 1024u
/** Longest AT+MQTTPUB data. */
#define BMQTT_AT_DATA_MAX 256u
/** Longest WebSocket path. */
#define BMQTT_AT_PATH_MAX 32u
/* BMQTT_AT_SUB_SLOTS (10) and BMQTT_AT_TOPIC_MAX (128) are build options: config.h. */
/** ALPN protocols (AT+MQTTALPN). */
#define BMQTT_AT_ALPN_MAX 5u

/** The scheme asked for is not one the open callback supports (it answers ERROR). */
#define BMQTT_ERR_AT_SCHEME ((bmqtt_status_t)(BMQTT_STATUS_AT_BASE - 0))
/** bmqtt_at_input() called from inside a bmqtt_at_config_t hook (nothing was read). */
#define BMQTT_ERR_AT_REENTERED ((bmqtt_status_t)(BMQTT_STATUS_AT_BASE - 1))

/** What bmqtt_at_config_t::open is asked to open. Strings are NUL-terminated, valid during the call. */
typedef struct bmqtt_at_open {
    uint8_t scheme;       /**< 1 TCP; 2 TLS, no verification; 3 TLS verifying the server; 4 TLS with
                               a client certificate; 5 both; 6-10: the same over WebSocket (6 plain). */
    uint8_t cert_key_id;  /**< AT+MQTTUSERCFG cert_key_ID (0). */
    uint8_t ca_id;        /**< AT+MQTTUSERCFG CA_ID (0). */
    uint8_t alpn_count;   /**< Entries in alpn. */
    uint16_t port;        /**< AT+MQTTCONN port. */
    const char *host;     /**< AT+MQTTCONN host ([A-Za-z0-9.-], at most BMQTT_AT_TOPIC_MAX bytes). */
    const char *path;     /**< WebSocket path, starting with '/' ("mqtt" is given as "/mqtt"); "" for
                               schemes 1-5 or when none was set. */
    const char *sni;      /**< AT+MQTTSNI; NULL: the host name. */
    const char *alpn[BMQTT_AT_ALPN_MAX]; /**< AT+MQTTALPN, in order. */
    uint32_t timeout_ms;  /**< Time the whole connect may take (AT+MQTTCONN timeout_ms). */
} bmqtt_at_open_t;

struct bmqtt_at;

/** The caller's hooks and memory. Zeroed optional fields get defaults; it must outlive the interpreter. */
typedef struct bmqtt_at_config {
    /** Required: bytes for the UART. Must take them all (a blocking send or a ring buffer). */
    void (*write)(void *user, const uint8_t *buf, size_t len);
    /**
     * Required: open a transport for @p req. BMQTT_OK and *tr set (valid until its close, which
     * the client calls when the session ends); BMQTT_WOULD_BLOCK: in progress, called again from
     * poll; an error: the connect fails (BMQTT_ERR_DNS gives ERR CODE 0x010a6055,
     * BMQTT_ERR_AT_SCHEME a plain ERROR).
     */
    bmqtt_status_t (*open)(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms);
    /**
     * Optional: every command the interpreter does not know (AT+CWMODE, AT+CWJAP, AT+CIPSTA...).
     * @p cmd is the line after "AT" without CR LF, NUL-terminated (e.g. `+CWMODE=1`). Answer with
     * bmqtt_at_write() and bmqtt_at_ok()/bmqtt_at_error() and return 1; return 0 for "unknown"
     * (the interpreter answers ERROR). NULL: every such command is unknown.
     */
    int (*command)(void *user, struct bmqtt_at *at, const char *cmd, size_t len);
    /** Optional: AT+RST, called after OK; the interpreter returns to its power-up state itself. */
    void (*restart)(void *user);
    /** Optional: seconds since 1970 (UTC) for AT+CIPSNTPTIME?; NULL or negative: not synchronised. */
    int64_t (*time_s)(void *user);
    /** Optional: the AT+GMR text (lines ending in CR LF); NULL: bmqtt's version. */
    const char *gmr;
    uint8_t *tx_buf;            /**< The client's (bmqtt_client_config_t); at least 512 bytes. */
    size_t tx_size;             /**< Bytes of tx_buf. */
    uint8_t *rx_buf;            /**< The client's; a message larger than this arrives as several +MQTTSUBRECV. */
    size_t rx_size;             /**< Bytes of rx_buf. */
    bmqtt_inflight_t *inflight; /**< The client's outgoing QoS 1/2 table. */
    uint16_t inflight_count;    /**< Slots of inflight. */
    uint16_t *qos2_ids;         /**< The client's incoming QoS 2 ids (delivered once). */
    uint16_t qos2_count;        /**< Entries of qos2_ids. */
    uint8_t *outbox;            /**< Optional: the client's copy of QoS 1/2 messages. */
    size_t outbox_size;         /**< Bytes of outbox. */
    uint8_t *raw_buf;           /**< AT+MQTTPUBRAW data; its size is the longest length accepted. */
    size_t raw_size;            /**< Bytes of raw_buf. */
    void *user;                 /**< Passed to every hook. */
} bmqtt_at_config_t;

/** One tracked subscription. Private. */
typedef struct bmqtt_at_sub {
    /** @cond BMQTT_PRIVATE */
    char topic[BMQTT_AT_TOPIC_MAX + 1u];
    uint8_t len, qos, used;
    /** @endcond */
} bmqtt_at_sub_t;

/** The interpreter. Caller-owned; every field is private. */
typedef struct bmqtt_at {
    /** @cond BMQTT_PRIVATE */
    const bmqtt_at_config_t *cfg;
    bmqtt_client_t client;
    bmqtt_client_config_t ccfg;
    bmqtt_reconnect_t rc;
    bmqtt_reconnect_config_t rccfg;
    bmqtt_connect_t conn;
    bmqtt_request_t requests[BMQTT_AT_SUB_SLOTS];
    bmqtt_at_sub_t subs[BMQTT_AT_SUB_SLOTS];
    bmqtt_at_open_t open_req;
    const bmqtt_transport_t *tr;
    uint32_t now_ms, deadline_ms, raw_need, raw_got, conn_timeout_ms;
    uint16_t wait_id, pub_lock_id, raw_lock_id, port, keepalive_s, conn_code;
    uint16_t id_len, user_len, pass_len, line_len;
    uint8_t mode, wait, state, scheme, reconnect, echo, syslog, overflow, cr, depth;
    uint8_t cert_key_id, ca_id, clean, lwt_qos, lwt_retain, lwt_topic_len, lwt_msg_len, host_len, path_len;
    uint8_t raw_kind, raw_qos, raw_retain, raw_topic_len, session, conn_failed, had_session, sntp_enable;
    uint8_t alpn_count, sub_qos, sub_topic_len, clock, resub, resub_next, resub_acks;
    int16_t sntp_tz_hhmm;
    uint16_t alpn_off[BMQTT_AT_ALPN_MAX];
    char line[BMQTT_AT_LINE_MAX + 1u];
    char client_id[BMQTT_AT_LONG_MAX + 1u];
    char username[BMQTT_AT_LONG_MAX + 1u];
    char password[BMQTT_AT_LONG_MAX + 1u];
    char host[BMQTT_AT_TOPIC_MAX + 1u];
    char path[BMQTT_AT_PATH_MAX + 2u]; /* with the '/' a path without one gets */
    char lwt_topic[BMQTT_AT_TOPIC_MAX + 1u];
    char lwt_msg[BMQTT_AT_TOPIC_MAX + 1u];
    char sni[BMQTT_AT_LINE_MAX + 1u];
    char alpn[BMQTT_AT_LINE_MAX + 1u];
    char raw_topic[BMQTT_AT_TOPIC_MAX + 1u];
    char pub_topic[BMQTT_AT_TOPIC_MAX + 1u];
    char sub_topic[BMQTT_AT_TOPIC_MAX + 1u];
    uint8_t pub_data[BMQTT_AT_DATA_MAX];
    char sntp_servers[3][65];
    /** @endcond */
} bmqtt_at_t;

/**
 * @brief Prepare @p at in the firmware's power-up state (echo on, error codes
 *        off, MQTT state 0). Writes nothing.
 *
 * A macro passes the application's sizeof(bmqtt_at_t), so a library built
 * with another layout is refused.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (NULL, no write or open hook, tx_buf under
 *         512 bytes, or what bmqtt_client_init() refuses).
 */
#define bmqtt_at_init(at, cfg) bmqtt_at_init_checked((at), (cfg), sizeof(bmqtt_at_t))
/** @brief bmqtt_at_init() with the caller's struct size. */
bmqtt_status_t bmqtt_at_init_checked(bmqtt_at_t *at, const bmqtt_at_config_t *cfg, size_t at_size);

/**
 * @brief Feed bytes received from the UART; answers go out through write.
 *
 * Commands run as their line completes (CR LF); a command that waits for the
 * broker answers from a later bmqtt_at_poll(). Time is the last poll's.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (NULL with a length); BMQTT_ERR_AT_REENTERED.
 */
bmqtt_status_t bmqtt_at_input(bmqtt_at_t *at, const uint8_t *buf, size_t len);

/**
 * @brief Drive the client, reconnects and command timeouts; call it every few
 *        milliseconds (and soon after bmqtt_at_input()).
 * @return BMQTT_OK, or BMQTT_ERR_PARAM for NULL.
 */
bmqtt_status_t bmqtt_at_poll(bmqtt_at_t *at, uint32_t now_ms);

/** @brief Milliseconds until bmqtt_at_poll() has timed work (0: now; UINT32_MAX: only input or network). */
uint32_t bmqtt_at_next_deadline(const bmqtt_at_t *at, uint32_t now_ms);

/** @brief The MQTT state AT+MQTTCONN? reports (0-6). */
int bmqtt_at_state(const bmqtt_at_t *at);

/** @brief 1 while a command waits for the broker (other commands get `busy p...`). */
int bmqtt_at_busy(const bmqtt_at_t *at);

/** @brief For the command hook: bytes to the UART. */
void bmqtt_at_write(bmqtt_at_t *at, const char *buf, size_t len);
/** @brief For the command hook: `\r\nOK\r\n`. */
void bmqtt_at_ok(bmqtt_at_t *at);
/** @brief For the command hook: `\r\nERROR\r\n`. */
void bmqtt_at_error(bmqtt_at_t *at);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_AT_H */
